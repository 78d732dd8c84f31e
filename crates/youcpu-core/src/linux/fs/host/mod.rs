//! The host's files as the guest sees them (what qemu-user gives a program), confined to a
//! root directory: every path the guest names is resolved here, component by component, the
//! way fs/namei.c `link_path_walk` does (`.` skipped, `..` to the parent and never above the
//! root, as `follow_dotdot` stops at the process's root; a symbolic link's target spliced in
//! front of the rest of the path, an absolute target starting again from the root; at most
//! [`MAXSYMLINKS`] links, then ELOOP). Only the resolved path, which holds no `..` and no
//! symbolic link but possibly its last component, is ever handed to the host, prefixed with
//! the root; the last component is opened with O_NOFOLLOW. So no path the guest names reaches
//! a host file outside the root. (A host process changing the tree while the guest resolves a
//! path could still race the walk; the guest itself cannot make symbolic links: symlink(2) is
//! not served.)
//!
//! Open host files are bounded by [`MAX_HOST_FILES`] (ENFILE past it) and closed when the
//! last open file description that holds them is closed, at the latest when the guest exits
//! and its descriptors go. Directories are not kept open on the host: a directory node is its
//! resolved path, listed afresh by getdents64.

mod mounts;
#[cfg(test)]
mod tests;
mod walk;

use super::vfs::{oflags, DirEntry, FileTime, Opened, Stat, Vfs};
use crate::linux::errno::Errno;
use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::fs::{File, Metadata};
use std::io::{Read, Seek, SeekFrom, Write};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{
    DirBuilderExt, DirEntryExt, FileTypeExt, MetadataExt, OpenOptionsExt, PermissionsExt,
};
use std::path::PathBuf;
use std::sync::Arc;
use walk::{components, join};

/// fs/namei.c MAXSYMLINKS: symbolic links followed in one lookup.
pub const MAXSYMLINKS: u32 = 40;
/// Host files open at once for all guest processes (ENFILE past it).
pub const MAX_HOST_FILES: usize = 768;
/// Distinct directories the guest may open or enter (ENOMEM past it).
pub const MAX_DIR_NODES: usize = 16384;
/// PATH_MAX.
const PATH_MAX: usize = 4096;
/// NAME_MAX.
const NAME_MAX: usize = 255;
/// The host's O_NOFOLLOW (x86-64).
const HOST_O_NOFOLLOW: i32 = 0o400000;
/// The host's O_NONBLOCK (opening a FIFO must not hang the simulator).
const HOST_O_NONBLOCK: i32 = 0o4000;

/// What a node is.
#[derive(Clone, Debug)]
enum Node {
    /// An open host file (shared by copies of the kernel).
    File {
        file: Arc<File>,
        /// Its resolved guest path.
        path: Vec<u8>,
    },
    /// A directory: its resolved guest path, `/` separated, no trailing slash (`/` itself is
    /// the empty path).
    Dir { path: Vec<u8> },
}

/// The host file system under a root.
#[derive(Clone, Debug)]
pub struct HostFs {
    root: PathBuf,
    /// The host's mount points (host paths) and whether exec is forbidden there, in mount
    /// order, read when the file system is made.
    mounts: Arc<[(Vec<u8>, bool)]>,
    nodes: Vec<Option<Node>>,
    dirs: BTreeMap<Vec<u8>, usize>,
    files: usize,
}

/// The errno of a host error (EIO for one the table lacks).
fn errno_of(e: &std::io::Error) -> Errno {
    e.raw_os_error()
        .and_then(Errno::from_number)
        .unwrap_or(Errno::Eio)
}

/// futimens on a host file: the times given, the others left (UTIME_OMIT).
fn set_times(f: &File, times: [FileTime; 2]) -> Result<(), Errno> {
    let at = |t: FileTime| match t {
        FileTime::At(s, ns) => {
            // A timespec: whole seconds (maybe before 1970), then nanoseconds forward.
            let secs = std::time::Duration::from_secs(s.unsigned_abs());
            let base = if s >= 0 {
                std::time::UNIX_EPOCH.checked_add(secs)
            } else {
                std::time::UNIX_EPOCH.checked_sub(secs)
            };
            base.and_then(|t| t.checked_add(std::time::Duration::from_nanos(ns.unsigned_abs())))
                .map(Some)
                .ok_or(Errno::Einval)
        }
        FileTime::Omit => Ok(None),
    };
    let mut ft = std::fs::FileTimes::new();
    if let Some(a) = at(times[0])? {
        ft = ft.set_accessed(a);
    }
    if let Some(m) = at(times[1])? {
        ft = ft.set_modified(m);
    }
    f.set_times(ft).map_err(|e| errno_of(&e))
}

/// The stat of host metadata.
fn stat_of(m: &Metadata) -> Stat {
    Stat {
        dev: m.dev(),
        ino: m.ino(),
        nlink: m.nlink(),
        mode: m.mode(),
        uid: m.uid(),
        gid: m.gid(),
        rdev: m.rdev(),
        size: m.size(),
        blksize: m.blksize(),
        blocks: m.blocks(),
        atime: (m.atime(), m.atime_nsec()),
        mtime: (m.mtime(), m.mtime_nsec()),
        ctime: (m.ctime(), m.ctime_nsec()),
        btime: m
            .created()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map(|d| (d.as_secs() as i64, i64::from(d.subsec_nanos()))),
    }
}

fn dtype_of(t: std::fs::FileType) -> u8 {
    if t.is_dir() {
        4
    } else if t.is_symlink() {
        10
    } else if t.is_file() {
        8
    } else if t.is_char_device() {
        2
    } else if t.is_block_device() {
        6
    } else if t.is_fifo() {
        1
    } else if t.is_socket() {
        12
    } else {
        0
    }
}

impl HostFs {
    /// The host's tree under `root` (the host's `/` without --root). The root is made
    /// absolute and free of symbolic links first.
    pub fn new(root: &std::path::Path) -> std::io::Result<HostFs> {
        let root = std::fs::canonicalize(root)?;
        if !std::fs::metadata(&root)?.is_dir() {
            return Err(std::io::Error::other(format!(
                "{} is not a directory",
                root.display()
            )));
        }
        let mut fs = HostFs {
            root,
            mounts: mounts::read().into(),
            nodes: Vec::new(),
            dirs: BTreeMap::new(),
            files: 0,
        };
        fs.nodes.push(Some(Node::Dir { path: Vec::new() }));
        fs.dirs.insert(Vec::new(), 0);
        Ok(fs)
    }

    /// The host path of a resolved guest path.
    fn host(&self, parts: &[Vec<u8>]) -> PathBuf {
        let mut p = self.root.clone();
        for c in parts {
            p.push(OsStr::from_bytes(c));
        }
        p
    }

    /// The directory node for the resolved path `path`, made on first use.
    fn dir_for(&mut self, path: Vec<u8>) -> Result<usize, Errno> {
        if let Some(&n) = self.dirs.get(&path) {
            return Ok(n);
        }
        if self.dirs.len() >= MAX_DIR_NODES {
            return Err(Errno::Enomem);
        }
        let n = super::insert_slot(&mut self.nodes, Node::Dir { path: path.clone() });
        self.dirs.insert(path, n);
        Ok(n)
    }

    fn node_path(&self, node: usize) -> Option<&[u8]> {
        match self.nodes.get(node).and_then(Option::as_ref) {
            Some(Node::Dir { path } | Node::File { path, .. }) => Some(path),
            None => None,
        }
    }

    fn file(&self, node: usize) -> Result<&Arc<File>, Errno> {
        match self.nodes.get(node).and_then(Option::as_ref) {
            Some(Node::File { file, .. }) => Ok(file),
            Some(Node::Dir { .. }) => Err(Errno::Eisdir),
            None => Err(Errno::Ebadf),
        }
    }
}

impl Vfs for HostFs {
    fn root(&self) -> usize {
        0
    }

    fn open(&mut self, base: usize, path: &[u8], flags: u64, perm: u32) -> Result<Opened, Errno> {
        use oflags::*;
        let follow = flags & O_NOFOLLOW == 0 && !(flags & O_CREAT != 0 && flags & O_EXCL != 0);
        let w = self.walk(base, path, follow)?;
        let trailing = path.last() == Some(&b'/');
        match &w.last {
            Some(_) if flags & O_CREAT != 0 && flags & O_EXCL != 0 => return Err(Errno::Eexist),
            Some(m) if m.file_type().is_symlink() => {
                // O_NOFOLLOW on a link (O_PATH|O_NOFOLLOW would open the link itself).
                return Err(Errno::Eloop);
            }
            Some(m) if m.is_dir() => {
                let wants_write = matches!(flags & O_ACCMODE, O_WRONLY | O_RDWR);
                if wants_write || flags & O_CREAT != 0 {
                    return Err(Errno::Eisdir);
                }
                let node = self.dir_for(join(&w.parts))?;
                return Ok(Opened { node, dir: true });
            }
            Some(_) if flags & O_DIRECTORY != 0 || trailing => return Err(Errno::Enotdir),
            Some(_) => {}
            None if flags & O_CREAT == 0 => return Err(Errno::Enoent),
            None if trailing => return Err(Errno::Eisdir),
            None => {}
        }
        if self.files >= MAX_HOST_FILES {
            return Err(Errno::Enfile);
        }
        let mut o = std::fs::OpenOptions::new();
        match flags & O_ACCMODE {
            O_WRONLY => o.write(true),
            O_RDWR => o.read(true).write(true),
            _ if flags & O_PATH != 0 => o.read(true),
            _ => o.read(true),
        };
        if flags & O_CREAT != 0 {
            if flags & O_EXCL != 0 {
                o.create_new(true);
            } else {
                o.create(true);
            }
            o.mode(perm & 0o7777);
        }
        if flags & O_TRUNC != 0 && flags & O_ACCMODE != 0 {
            o.truncate(true);
        }
        // The last component is never followed on the host: the walk did that, confined.
        o.custom_flags(HOST_O_NOFOLLOW | HOST_O_NONBLOCK);
        let file = o.open(self.host(&w.parts)).map_err(|e| errno_of(&e))?;
        if w.last.is_none() {
            // Created now: the mode is the guest's (its umask applied by the caller), not
            // narrowed again by the simulator's own umask.
            file.set_permissions(std::fs::Permissions::from_mode(perm & 0o7777))
                .map_err(|e| errno_of(&e))?;
        }
        self.files += 1;
        let node = super::insert_slot(
            &mut self.nodes,
            Node::File {
                file: Arc::new(file),
                path: join(&w.parts),
            },
        );
        Ok(Opened { node, dir: false })
    }

    fn close(&mut self, node: usize) {
        if let Some(slot) = self.nodes.get_mut(node) {
            if matches!(slot, Some(Node::File { .. })) {
                *slot = None;
                self.files = self.files.saturating_sub(1);
            }
        }
    }

    fn hold(&mut self, node: usize) -> Result<usize, Errno> {
        let file = Arc::clone(self.file(node)?);
        let path = HostFs::node_path(self, node)
            .map(<[u8]>::to_vec)
            .unwrap_or_default();
        if self.files >= MAX_HOST_FILES {
            return Err(Errno::Enfile);
        }
        // The same host file (one host descriptor, shared): no new descriptor is opened.
        self.files += 1;
        Ok(super::insert_slot(
            &mut self.nodes,
            Node::File { file, path },
        ))
    }

    fn read(&mut self, node: usize, pos: u64, len: usize) -> Result<Vec<u8>, Errno> {
        let mut f: &File = self.file(node)?;
        f.seek(SeekFrom::Start(pos)).map_err(|e| errno_of(&e))?;
        let mut buf = Vec::new();
        let n = f
            .take(len as u64)
            .read_to_end(&mut buf)
            .map_err(|e| errno_of(&e))?;
        buf.truncate(n);
        Ok(buf)
    }

    fn write(&mut self, node: usize, pos: u64, data: &[u8]) -> Result<usize, Errno> {
        let mut f: &File = self.file(node)?;
        f.seek(SeekFrom::Start(pos)).map_err(|e| errno_of(&e))?;
        f.write(data).map_err(|e| errno_of(&e))
    }

    fn size(&mut self, node: usize) -> u64 {
        self.file(node)
            .ok()
            .and_then(|f| f.metadata().ok())
            .map_or(0, |m| m.len())
    }

    fn truncate(&mut self, node: usize, len: u64) -> Result<(), Errno> {
        self.file(node)?.set_len(len).map_err(|e| errno_of(&e))
    }

    fn fstat(&mut self, node: usize, _ids: (u32, u32)) -> Result<Stat, Errno> {
        match self.nodes.get(node).and_then(Option::as_ref) {
            Some(Node::File { file, .. }) => file
                .metadata()
                .map(|m| stat_of(&m))
                .map_err(|e| errno_of(&e)),
            Some(Node::Dir { path }) => std::fs::symlink_metadata(self.host(&components(path)))
                .map(|m| stat_of(&m))
                .map_err(|e| errno_of(&e)),
            None => Err(Errno::Ebadf),
        }
    }

    fn stat(
        &mut self,
        base: usize,
        path: &[u8],
        follow: bool,
        _ids: (u32, u32),
    ) -> Result<Stat, Errno> {
        let (_, m) = self.existing(base, path, follow)?;
        Ok(stat_of(&m))
    }

    fn list(&mut self, node: usize) -> Result<Vec<DirEntry>, Errno> {
        let Some(Node::Dir { path }) = self.nodes.get(node).and_then(Option::as_ref) else {
            return Err(Errno::Enotdir);
        };
        let parts = components(path);
        let here = std::fs::metadata(self.host(&parts)).map_err(|e| errno_of(&e))?;
        let mut up = parts.clone();
        up.pop();
        let parent = std::fs::metadata(self.host(&up)).map_err(|e| errno_of(&e))?;
        let mut out = vec![
            DirEntry {
                name: b".".to_vec(),
                ino: here.ino(),
                dtype: 4,
            },
            DirEntry {
                name: b"..".to_vec(),
                ino: parent.ino(),
                dtype: 4,
            },
        ];
        for e in std::fs::read_dir(self.host(&parts)).map_err(|e| errno_of(&e))? {
            let e = e.map_err(|e| errno_of(&e))?;
            out.push(DirEntry {
                name: e.file_name().as_bytes().to_vec(),
                ino: e.ino(),
                dtype: e.file_type().map_or(0, dtype_of),
            });
        }
        Ok(out)
    }

    fn mkdir(&mut self, base: usize, path: &[u8], perm: u32) -> Result<(), Errno> {
        let w = self.parent_of(base, path, Errno::Eexist)?;
        if w.last.is_some() {
            return Err(Errno::Eexist);
        }
        let p = self.host(&w.parts);
        std::fs::DirBuilder::new()
            .mode(perm & 0o7777)
            .create(&p)
            .map_err(|e| errno_of(&e))?;
        // The guest's mode, not narrowed again by the simulator's own umask.
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(perm & 0o7777))
            .map_err(|e| errno_of(&e))
    }

    fn unlink(&mut self, base: usize, path: &[u8], rmdir: bool) -> Result<(), Errno> {
        let dots = if rmdir { Errno::Einval } else { Errno::Eisdir };
        if rmdir && components(path).is_empty() {
            return Err(Errno::Ebusy);
        }
        let w = self.parent_of(base, path, dots)?;
        let m = w.last.as_ref().ok_or(Errno::Enoent)?;
        let p = self.host(&w.parts);
        let r = if rmdir {
            if !m.is_dir() {
                return Err(Errno::Enotdir);
            }
            std::fs::remove_dir(p)
        } else {
            if m.is_dir() {
                return Err(Errno::Eisdir);
            }
            std::fs::remove_file(p)
        };
        r.map_err(|e| errno_of(&e))?;
        if rmdir {
            // A later directory of that name is another one; nodes already handed out stay.
            self.dirs.remove(&join(&w.parts));
        }
        Ok(())
    }

    fn rename(
        &mut self,
        from: (usize, &[u8]),
        to: (usize, &[u8]),
        noreplace: bool,
    ) -> Result<(), Errno> {
        let a = self.parent_of(from.0, from.1, Errno::Ebusy)?;
        let b = self.parent_of(to.0, to.1, Errno::Ebusy)?;
        a.last.as_ref().ok_or(Errno::Enoent)?;
        if noreplace && b.last.is_some() {
            return Err(Errno::Eexist);
        }
        std::fs::rename(self.host(&a.parts), self.host(&b.parts)).map_err(|e| errno_of(&e))
    }

    fn symlink(&mut self, target: &[u8], base: usize, path: &[u8]) -> Result<(), Errno> {
        // fs/namei.c do_symlinkat: the target is stored as it is; an empty one is ENOENT.
        if target.is_empty() {
            return Err(Errno::Enoent);
        }
        let w = self.parent_of(base, path, Errno::Eexist)?;
        if w.last.is_some() {
            return Err(Errno::Eexist);
        }
        std::os::unix::fs::symlink(OsStr::from_bytes(target), self.host(&w.parts))
            .map_err(|e| errno_of(&e))
    }

    fn link(
        &mut self,
        from: (usize, &[u8]),
        to: (usize, &[u8]),
        follow: bool,
    ) -> Result<(), Errno> {
        // The old name resolved inside the root (a last link followed only with
        // AT_SYMLINK_FOLLOW); the host's link(2) does not follow a last link itself.
        let (src, m) = self.existing(from.0, from.1, follow)?;
        let dst = self.parent_of(to.0, to.1, Errno::Eexist)?;
        if dst.last.is_some() {
            return Err(Errno::Eexist);
        }
        if m.is_dir() {
            return Err(Errno::Eperm);
        }
        std::fs::hard_link(self.host(&src.parts), self.host(&dst.parts)).map_err(|e| errno_of(&e))
    }

    fn chmod(&mut self, base: usize, path: &[u8], mode: u32) -> Result<(), Errno> {
        // A last link is followed inside the root, so the host path names no link.
        let (w, _) = self.existing(base, path, true)?;
        std::fs::set_permissions(
            self.host(&w.parts),
            std::fs::Permissions::from_mode(mode & 0o7777),
        )
        .map_err(|e| errno_of(&e))
    }

    fn fchmod(&mut self, node: usize, mode: u32) -> Result<(), Errno> {
        let perm = std::fs::Permissions::from_mode(mode & 0o7777);
        match self.nodes.get(node).and_then(Option::as_ref) {
            Some(Node::File { file, .. }) => file.set_permissions(perm),
            Some(Node::Dir { path }) => {
                std::fs::set_permissions(self.host(&components(path)), perm)
            }
            None => return Err(Errno::Ebadf),
        }
        .map_err(|e| errno_of(&e))
    }

    fn chown(
        &mut self,
        base: usize,
        path: &[u8],
        owner: (Option<u32>, Option<u32>),
        follow: bool,
    ) -> Result<(), Errno> {
        // lchown on the host whatever `follow` says: a last link to follow was followed by
        // the walk, inside the root. The host decides what is allowed (EPERM), as it would
        // for the same user natively.
        let (w, _) = self.existing(base, path, follow)?;
        std::os::unix::fs::lchown(self.host(&w.parts), owner.0, owner.1).map_err(|e| errno_of(&e))
    }

    fn fchown(&mut self, node: usize, owner: (Option<u32>, Option<u32>)) -> Result<(), Errno> {
        match self.nodes.get(node).and_then(Option::as_ref) {
            Some(Node::File { file, .. }) => std::os::unix::fs::fchown(&**file, owner.0, owner.1),
            Some(Node::Dir { path }) => {
                std::os::unix::fs::lchown(self.host(&components(path)), owner.0, owner.1)
            }
            None => return Err(Errno::Ebadf),
        }
        .map_err(|e| errno_of(&e))
    }

    fn utimens(
        &mut self,
        base: usize,
        path: &[u8],
        times: [FileTime; 2],
        follow: bool,
    ) -> Result<(), Errno> {
        let (w, m) = self.existing(base, path, follow)?;
        if m.file_type().is_symlink() {
            // The times of a link itself need utimensat(AT_SYMLINK_NOFOLLOW) on the host,
            // which the simulator (no unsafe code, std only) cannot call.
            return Err(Errno::Eopnotsupp);
        }
        // Opened without following a link (one swapped in since the walk is refused).
        let f = std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(HOST_O_NOFOLLOW | HOST_O_NONBLOCK)
            .open(self.host(&w.parts))
            .map_err(|e| errno_of(&e))?;
        set_times(&f, times)
    }

    fn futimens(&mut self, node: usize, times: [FileTime; 2]) -> Result<(), Errno> {
        match self.nodes.get(node).and_then(Option::as_ref) {
            Some(Node::File { file, .. }) => set_times(file, times),
            Some(Node::Dir { path }) => {
                let p = self.host(&components(path));
                let f = File::open(p).map_err(|e| errno_of(&e))?;
                set_times(&f, times)
            }
            None => Err(Errno::Ebadf),
        }
    }

    fn readlink(&mut self, base: usize, path: &[u8]) -> Result<Vec<u8>, Errno> {
        let (w, m) = self.existing(base, path, false)?;
        if !m.file_type().is_symlink() {
            return Err(Errno::Einval);
        }
        std::fs::read_link(self.host(&w.parts))
            .map(|t| t.as_os_str().as_bytes().to_vec())
            .map_err(|e| errno_of(&e))
    }

    fn access(
        &mut self,
        base: usize,
        path: &[u8],
        mode: u32,
        follow: bool,
        ids: (u32, u32),
    ) -> Result<(), Errno> {
        let (_, m) = self.existing(base, path, follow)?;
        // fs/namei.c generic_permission with the caller's ids: the owner's, the group's or
        // the others' bits; root may read and write anything and execute what some x bit
        // allows.
        let bits = m.permissions().mode();
        let want = mode & 7;
        if want == 0 {
            return Ok(());
        }
        let ok = if ids.0 == 0 {
            want & 1 == 0 || bits & 0o111 != 0 || m.is_dir()
        } else {
            let shift = if m.uid() == ids.0 {
                6
            } else if m.gid() == ids.1 {
                3
            } else {
                0
            };
            (bits >> shift) & want == want
        };
        if ok {
            Ok(())
        } else {
            Err(Errno::Eacces)
        }
    }

    fn dir_node(&mut self, base: usize, path: &[u8]) -> Result<usize, Errno> {
        let (w, m) = self.existing(base, path, true)?;
        if !m.is_dir() {
            return Err(Errno::Enotdir);
        }
        self.dir_for(join(&w.parts))
    }

    fn canonical(&mut self, base: usize, path: &[u8]) -> Result<Vec<u8>, Errno> {
        let (w, _) = self.existing(base, path, true)?;
        let p = join(&w.parts);
        Ok(if p.is_empty() { b"/".to_vec() } else { p })
    }

    fn node_path(&self, node: usize) -> Option<Vec<u8>> {
        let p = HostFs::node_path(self, node)?;
        Some(if p.is_empty() {
            b"/".to_vec()
        } else {
            p.to_vec()
        })
    }

    fn path_of(&self, dir: usize) -> Option<Vec<u8>> {
        let p = HostFs::node_path(self, dir)?;
        Some(if p.is_empty() {
            b"/".to_vec()
        } else {
            p.to_vec()
        })
    }

    fn is_tty(&self, node: usize) -> bool {
        use std::io::IsTerminal;
        self.file(node).is_ok_and(|f| f.is_terminal())
    }

    fn open_files(&self) -> usize {
        self.files
    }

    fn is_dir(&self, node: usize) -> bool {
        matches!(
            self.nodes.get(node).and_then(Option::as_ref),
            Some(Node::Dir { .. })
        )
    }

    fn clone_box(&self) -> Box<dyn Vfs> {
        Box::new(self.clone())
    }

    fn noexec_mount(&self, path: &[u8]) -> bool {
        mounts::noexec(&self.mounts, &self.host(&components(path)))
    }
}
