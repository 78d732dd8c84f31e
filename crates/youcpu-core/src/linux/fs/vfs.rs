//! The virtual file system switch: what the file system calls ask of a file system, so that
//! one kernel serves two of them (include/linux/fs.h `inode_operations`/`file_operations`,
//! cut down to what the calls here need). [`super::memfs::MemFs`] is the browser's in-memory
//! tree; [`super::host::HostFs`] (native builds) shows the guest the host's files, confined
//! to a root directory.
//!
//! A file system names what it has open by a number (a *node*): the open file descriptions
//! of [`super::FileKind::File`] and [`super::FileKind::Dir`] and every process's working
//! directory hold one. Paths are resolved by the file system itself, from a directory node
//! (`base`: the working directory or a `*at` call's directory) or from its root for an
//! absolute path, as fs/namei.c `path_lookupat` does.

use crate::linux::errno::Errno;

/// openat's flags that the file systems read (x86-64 values, include/uapi/asm-generic/fcntl.h).
pub mod oflags {
    /// O_ACCMODE.
    pub const O_ACCMODE: u64 = 3;
    /// O_WRONLY.
    pub const O_WRONLY: u64 = 1;
    /// O_RDWR.
    pub const O_RDWR: u64 = 2;
    /// O_CREAT.
    pub const O_CREAT: u64 = 0o100;
    /// O_EXCL.
    pub const O_EXCL: u64 = 0o200;
    /// O_NOCTTY.
    pub const O_NOCTTY: u64 = 0o400;
    /// O_TRUNC.
    pub const O_TRUNC: u64 = 0o1000;
    /// O_APPEND.
    pub const O_APPEND: u64 = 0o2000;
    /// O_NONBLOCK.
    pub const O_NONBLOCK: u64 = 0o4000;
    /// O_DIRECTORY.
    pub const O_DIRECTORY: u64 = 0o200000;
    /// O_NOFOLLOW.
    pub const O_NOFOLLOW: u64 = 0o400000;
    /// O_CLOEXEC.
    pub const O_CLOEXEC: u64 = 0o2000000;
    /// O_PATH.
    pub const O_PATH: u64 = 0o10000000;
    /// O_TMPFILE (with O_DIRECTORY).
    pub const O_TMPFILE: u64 = 0o20000000;
}

/// What `stat` reports about a file (include/linux/stat.h `struct kstat`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stat {
    /// Device.
    pub dev: u64,
    /// Inode number.
    pub ino: u64,
    /// Links.
    pub nlink: u64,
    /// Type and permission bits.
    pub mode: u32,
    /// Owner.
    pub uid: u32,
    /// Group.
    pub gid: u32,
    /// Device a special file stands for.
    pub rdev: u64,
    /// Size in bytes.
    pub size: u64,
    /// Preferred I/O size.
    pub blksize: u64,
    /// 512-byte blocks allocated.
    pub blocks: u64,
    /// Last access (seconds, nanoseconds).
    pub atime: (i64, i64),
    /// Last modification.
    pub mtime: (i64, i64),
    /// Last status change.
    pub ctime: (i64, i64),
    /// Creation, when the file system records it (statx's STATX_BTIME).
    pub btime: Option<(i64, i64)>,
}

/// S_IFMT and the file types.
pub mod ftype {
    /// The type bits.
    pub const S_IFMT: u32 = 0o170000;
    /// Directory.
    pub const S_IFDIR: u32 = 0o040000;
    /// Regular file.
    pub const S_IFREG: u32 = 0o100000;
    /// Symbolic link.
    pub const S_IFLNK: u32 = 0o120000;
    /// Character device.
    pub const S_IFCHR: u32 = 0o020000;
    /// FIFO.
    pub const S_IFIFO: u32 = 0o010000;
}

fn put(b: &mut [u8], at: usize, v: &[u8]) {
    if let Some(d) = b.get_mut(at..at + v.len()) {
        d.copy_from_slice(v);
    }
}

/// The major and minor numbers of a `dev_t` (include/linux/kdev_t.h `new_decode_dev`, as
/// glibc's `gnu_dev_major`/`gnu_dev_minor` split the 64-bit value).
pub fn dev_split(dev: u64) -> (u32, u32) {
    let major = ((dev >> 8) & 0xfff) | ((dev >> 32) & !0xfff);
    let minor = (dev & 0xff) | ((dev >> 12) & !0xff);
    (major as u32, minor as u32)
}

impl Stat {
    /// The 144-byte x86-64 `struct stat` (arch/x86/include/uapi/asm/stat.h), as fs/stat.c
    /// `cp_new_stat` fills it.
    pub fn to_stat(&self) -> [u8; 144] {
        let mut b = [0u8; 144];
        put(&mut b, 0, &self.dev.to_le_bytes());
        put(&mut b, 8, &self.ino.to_le_bytes());
        put(&mut b, 16, &self.nlink.to_le_bytes());
        put(&mut b, 24, &self.mode.to_le_bytes());
        put(&mut b, 28, &self.uid.to_le_bytes());
        put(&mut b, 32, &self.gid.to_le_bytes());
        put(&mut b, 40, &self.rdev.to_le_bytes());
        put(&mut b, 48, &self.size.to_le_bytes());
        put(&mut b, 56, &self.blksize.to_le_bytes());
        put(&mut b, 64, &self.blocks.to_le_bytes());
        for (i, t) in [self.atime, self.mtime, self.ctime].iter().enumerate() {
            put(&mut b, 72 + 16 * i, &t.0.to_le_bytes());
            put(&mut b, 80 + 16 * i, &t.1.to_le_bytes());
        }
        b
    }

    /// The 256-byte `struct statx` (include/uapi/linux/stat.h) with STATX_BASIC_STATS, as
    /// fs/stat.c `cp_statx` fills it, with STATX_BTIME when the birth time is known.
    pub fn to_statx(&self) -> [u8; 256] {
        const STATX_BASIC_STATS: u32 = 0x7ff;
        const STATX_BTIME: u32 = 0x800;
        let mut b = [0u8; 256];
        let mask = STATX_BASIC_STATS | if self.btime.is_some() { STATX_BTIME } else { 0 };
        put(&mut b, 0, &mask.to_le_bytes());
        if let Some(t) = self.btime {
            put(&mut b, 80, &t.0.to_le_bytes());
            put(&mut b, 88, &(t.1 as u32).to_le_bytes());
        }
        put(&mut b, 4, &(self.blksize as u32).to_le_bytes());
        put(&mut b, 16, &(self.nlink as u32).to_le_bytes());
        put(&mut b, 20, &self.uid.to_le_bytes());
        put(&mut b, 24, &self.gid.to_le_bytes());
        put(&mut b, 28, &(self.mode as u16).to_le_bytes());
        put(&mut b, 32, &self.ino.to_le_bytes());
        put(&mut b, 40, &self.size.to_le_bytes());
        put(&mut b, 48, &self.blocks.to_le_bytes());
        // stx_atime @64, stx_btime @80 (absent), stx_ctime @96, stx_mtime @112.
        for (at, t) in [(64, self.atime), (96, self.ctime), (112, self.mtime)] {
            put(&mut b, at, &t.0.to_le_bytes());
            put(&mut b, at + 8, &(t.1 as u32).to_le_bytes());
        }
        let (rmaj, rmin) = dev_split(self.rdev);
        let (dmaj, dmin) = dev_split(self.dev);
        put(&mut b, 128, &rmaj.to_le_bytes());
        put(&mut b, 132, &rmin.to_le_bytes());
        put(&mut b, 136, &dmaj.to_le_bytes());
        put(&mut b, 140, &dmin.to_le_bytes());
        b
    }

    /// True for a directory.
    pub fn is_dir(&self) -> bool {
        self.mode & ftype::S_IFMT == ftype::S_IFDIR
    }
}

/// One directory entry as getdents64 reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DirEntry {
    /// The name.
    pub name: Vec<u8>,
    /// Its inode number.
    pub ino: u64,
    /// DT_* type (DT_DIR = 4, DT_REG = 8, DT_LNK = 10, ...).
    pub dtype: u8,
}

/// What [`Vfs::open`] opened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Opened {
    /// The node the open file description holds.
    pub node: usize,
    /// True for a directory.
    pub dir: bool,
}

/// One time utimensat sets (UTIME_NOW is resolved by the kernel to its clock first).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileTime {
    /// Left as it is (UTIME_OMIT).
    Omit,
    /// Seconds and nanoseconds since the epoch.
    At(i64, i64),
}

/// The operations of a file system. Every path is resolved from `base` (a directory node)
/// unless it is absolute; `follow` says whether a symbolic link as the last component is
/// followed (the `LOOKUP_FOLLOW` of fs/namei.c).
pub trait Vfs: std::fmt::Debug {
    /// The root directory's node.
    fn root(&self) -> usize;
    /// openat: `flags` as openat got them (O_CREAT, O_EXCL, O_TRUNC, O_DIRECTORY,
    /// O_NOFOLLOW, access mode), `perm` the new file's permissions with the umask applied.
    fn open(&mut self, base: usize, path: &[u8], flags: u64, perm: u32) -> Result<Opened, Errno>;
    /// The last open file description holding `node` was closed (`fput`).
    fn close(&mut self, node: usize);
    /// Another hold on the open file `node`, released by its own [`Vfs::close`]: what a
    /// shared mapping keeps of its file (`vma->vm_file`, taken with `get_file`), so the
    /// mapping outlives the descriptor it was made from.
    fn hold(&mut self, node: usize) -> Result<usize, Errno>;
    /// Up to `len` bytes at `pos` (fewer at the end of the file).
    fn read(&mut self, node: usize, pos: u64, len: usize) -> Result<Vec<u8>, Errno>;
    /// Writes at `pos`; returns how many bytes went in.
    fn write(&mut self, node: usize, pos: u64, data: &[u8]) -> Result<usize, Errno>;
    /// The file's size now.
    fn size(&mut self, node: usize) -> u64;
    /// Sets the file's size.
    fn truncate(&mut self, node: usize, len: u64) -> Result<(), Errno>;
    /// stat of an open node; `ids` are the (uid, gid) a file system without owners reports.
    fn fstat(&mut self, node: usize, ids: (u32, u32)) -> Result<Stat, Errno>;
    /// stat of a path.
    fn stat(
        &mut self,
        base: usize,
        path: &[u8],
        follow: bool,
        ids: (u32, u32),
    ) -> Result<Stat, Errno>;
    /// The entries of an open directory, `.` and `..` first.
    fn list(&mut self, node: usize) -> Result<Vec<DirEntry>, Errno>;
    /// mkdir.
    fn mkdir(&mut self, base: usize, path: &[u8], perm: u32) -> Result<(), Errno>;
    /// unlink (`rmdir` = false) or rmdir.
    fn unlink(&mut self, base: usize, path: &[u8], rmdir: bool) -> Result<(), Errno>;
    /// rename, with RENAME_NOREPLACE.
    fn rename(
        &mut self,
        from: (usize, &[u8]),
        to: (usize, &[u8]),
        noreplace: bool,
    ) -> Result<(), Errno>;
    /// symlink: a symbolic link at `path` holding `target` as it is (it is resolved, inside
    /// the root, only when a later path goes through it).
    fn symlink(&mut self, target: &[u8], base: usize, path: &[u8]) -> Result<(), Errno>;
    /// link: a new name `to` for the file `from` names (a symbolic link itself, unless
    /// `follow`: linkat's AT_SYMLINK_FOLLOW). EPERM for a directory.
    fn link(&mut self, from: (usize, &[u8]), to: (usize, &[u8]), follow: bool)
        -> Result<(), Errno>;
    /// chmod of the file `path` names (a last symbolic link followed): the 07777 bits.
    fn chmod(&mut self, base: usize, path: &[u8], mode: u32) -> Result<(), Errno>;
    /// fchmod of an open node.
    fn fchmod(&mut self, node: usize, mode: u32) -> Result<(), Errno>;
    /// chown, lchown (`follow` false): `owner` is (uid, gid), None to keep one.
    fn chown(
        &mut self,
        base: usize,
        path: &[u8],
        owner: (Option<u32>, Option<u32>),
        follow: bool,
    ) -> Result<(), Errno>;
    /// fchown of an open node.
    fn fchown(&mut self, node: usize, owner: (Option<u32>, Option<u32>)) -> Result<(), Errno>;
    /// utimensat of a path (`follow` false: a symbolic link itself): access and
    /// modification times.
    fn utimens(
        &mut self,
        base: usize,
        path: &[u8],
        times: [FileTime; 2],
        follow: bool,
    ) -> Result<(), Errno>;
    /// futimens: the times of an open node.
    fn futimens(&mut self, node: usize, times: [FileTime; 2]) -> Result<(), Errno>;
    /// readlink: the target of a symbolic link (EINVAL for anything else).
    fn readlink(&mut self, base: usize, path: &[u8]) -> Result<Vec<u8>, Errno>;
    /// faccessat: `mode` is R_OK (4) | W_OK (2) | X_OK (1), or F_OK (0) for existence.
    fn access(
        &mut self,
        base: usize,
        path: &[u8],
        mode: u32,
        follow: bool,
        ids: (u32, u32),
    ) -> Result<(), Errno>;
    /// The directory node `path` names (for chdir: it stays valid as a working directory).
    fn dir_node(&mut self, base: usize, path: &[u8]) -> Result<usize, Errno>;
    /// The absolute path `path` names, symbolic links resolved (what `d_path` shows of the
    /// file it opens: /proc/self/exe).
    fn canonical(&mut self, base: usize, path: &[u8]) -> Result<Vec<u8>, Errno>;
    /// The absolute path of any node (a directory or an open file): what execveat(fd, "",
    /// AT_EMPTY_PATH) runs. None when the file has no name any more.
    fn node_path(&self, node: usize) -> Option<Vec<u8>>;
    /// The path of directory node `dir` from the root (getcwd).
    fn path_of(&self, dir: usize) -> Option<Vec<u8>>;
    /// True when the node is a terminal (isatty's TCGETS succeeds).
    fn is_tty(&self, node: usize) -> bool;
    /// Files open now (host files for the host file system): 0 once every descriptor that
    /// held one is closed.
    fn open_files(&self) -> usize;
    /// True when `node` is a directory node.
    fn is_dir(&self, node: usize) -> bool;
    /// A copy of the file system for a copy of the kernel ([`crate::linux::Linux`] is Clone:
    /// widgets keep snapshots). A host file system's copy shares the host files.
    fn clone_box(&self) -> Box<dyn Vfs>;
    /// Whether the resolved absolute path `path` lies on a mount where nothing may be
    /// executed (fs/exec.c `path_noexec`: a `noexec` mount, or a file system such as procfs
    /// that forbids it). None by default: the in-memory tree has no mounts.
    fn noexec_mount(&self, _path: &[u8]) -> bool {
        false
    }
}

impl Clone for Box<dyn Vfs> {
    fn clone(&self) -> Self {
        self.clone_box()
    }
}

/// The execve model's view ([`crate::exec::fs::FileSystem`]) of a file system: absolute
/// paths from a root directory (the model walks them itself, symbolic links included, asking
/// for one component at a time); owners are the file system's, or the caller's `ids` where
/// it keeps none. This is the one way the model reaches files: the kernel's execve runs
/// programs through it from whichever file system it serves, and `youcpu exec` and the exec
/// oracle tests run the model on the host's files through it ([`ExecView::host`]).
pub struct ExecView<'a> {
    fs: std::cell::RefCell<Held<'a>>,
    root: usize,
    ids: (u32, u32),
}

/// The file system an [`ExecView`] looks into: the kernel's own, or one of its own.
enum Held<'a> {
    Borrowed(&'a mut dyn Vfs),
    Owned(Box<dyn Vfs>),
}

impl Held<'_> {
    fn get(&mut self) -> &mut dyn Vfs {
        match self {
            Held::Borrowed(fs) => &mut **fs,
            Held::Owned(fs) => fs.as_mut(),
        }
    }
}

impl<'a> ExecView<'a> {
    /// A view of `fs` from its root, for a caller with `ids` (uid, gid).
    pub fn new(fs: &'a mut dyn Vfs, ids: (u32, u32)) -> Self {
        let root = fs.root();
        Self::at(fs, root, ids)
    }

    /// A view of `fs` whose `/` is the directory node `root` (a process's root).
    pub fn at(fs: &'a mut dyn Vfs, root: usize, ids: (u32, u32)) -> Self {
        ExecView {
            fs: std::cell::RefCell::new(Held::Borrowed(fs)),
            root,
            ids,
        }
    }
}

impl ExecView<'static> {
    /// A view of a file system of its own, from its root.
    pub fn owned(fs: Box<dyn Vfs>, ids: (u32, u32)) -> Self {
        let root = fs.root();
        ExecView {
            fs: std::cell::RefCell::new(Held::Owned(fs)),
            root,
            ids,
        }
    }

    /// The host's files under `root` (`/` for the whole machine), confined to it as the
    /// guest's are ([`super::host::HostFs`]), with their own owners and the host's noexec
    /// mounts. Fails when `root` is not a directory that can be opened.
    #[cfg(unix)]
    pub fn host(root: &std::path::Path) -> std::io::Result<Self> {
        let fs = super::host::HostFs::new(root)?;
        Ok(Self::owned(Box::new(fs), (0, 0)))
    }
}

fn fs_error(e: Errno) -> crate::exec::fs::FsError {
    match e {
        Errno::Enoent | Errno::Enotdir => crate::exec::fs::FsError::NotFound,
        e => crate::exec::fs::FsError::Unavailable(e.to_string()),
    }
}

impl crate::exec::fs::FileSystem for ExecView<'_> {
    fn lstat(&self, path: &[u8]) -> Result<crate::exec::fs::Meta, crate::exec::fs::FsError> {
        use crate::exec::fs::FileKind as K;
        let mut held = self.fs.borrow_mut();
        let st = held
            .get()
            .stat(self.root, path, false, self.ids)
            .map_err(fs_error)?;
        let kind = match st.mode & ftype::S_IFMT {
            ftype::S_IFREG => K::Regular,
            ftype::S_IFDIR => K::Directory,
            ftype::S_IFLNK => K::Symlink,
            _ => K::Other,
        };
        Ok(crate::exec::fs::Meta {
            kind,
            mode: st.mode & 0o7777,
            uid: st.uid,
            gid: st.gid,
            size: st.size,
        })
    }

    fn read_link(&self, path: &[u8]) -> Result<Vec<u8>, crate::exec::fs::FsError> {
        let mut held = self.fs.borrow_mut();
        held.get().readlink(self.root, path).map_err(fs_error)
    }

    fn read_at(
        &self,
        path: &[u8],
        offset: u64,
        len: usize,
    ) -> Result<Vec<u8>, crate::exec::fs::FsError> {
        let mut held = self.fs.borrow_mut();
        let fs = held.get();
        let o = fs.open(self.root, path, 0, 0).map_err(fs_error)?;
        let r = if o.dir {
            Err(crate::exec::fs::FsError::Unavailable(
                Errno::Eisdir.to_string(),
            ))
        } else {
            fs.read(o.node, offset, len).map_err(fs_error)
        };
        fs.close(o.node);
        r
    }

    fn noexec_mount(&self, path: &[u8]) -> bool {
        self.fs.borrow_mut().get().noexec_mount(path)
    }
}
