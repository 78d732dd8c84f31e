//! An in-memory file system (the role of fs/ramfs and the dcache): inodes holding file bytes
//! or directory entries, path lookup (fs/namei.c `link_path_walk`: `.`, `..`, repeated and
//! trailing slashes), create, mkdir, unlink, rmdir, truncate, hard links; chmod, chown and
//! utimensat are recorded and shown by stat. No permissions are checked and there are no
//! symbolic links (symlink is EPERM, as on a file system without them). Bounded: [`MAX_INODES`] inodes and [`MAX_BYTES`] of file data
//! (ENOSPC past them).

use super::vfs::{ftype, DirEntry, FileTime, Opened, Stat, Vfs};
use crate::linux::errno::Errno;
use serde::Serialize;
use std::collections::BTreeMap;

/// Most inodes.
pub const MAX_INODES: usize = 4096;
/// Most bytes of file data in all.
pub const MAX_BYTES: usize = 64 << 20;
/// PATH_MAX.
pub const PATH_MAX: usize = 4096;
/// NAME_MAX.
pub const NAME_MAX: usize = 255;
/// The root directory's inode.
pub const ROOT: usize = 0;

/// What an inode is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Node {
    /// A regular file.
    File {
        /// Its bytes.
        #[serde(skip)]
        data: Vec<u8>,
    },
    /// A directory.
    Dir {
        /// Name -> inode.
        entries: BTreeMap<Vec<u8>, usize>,
        /// The parent directory (the root is its own).
        parent: usize,
    },
    /// /dev/null: reads find end of file, writes vanish.
    Null,
}

/// One inode.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Inode {
    /// What it is.
    pub node: Node,
    /// Permission bits (07777).
    pub perm: u32,
    /// Names that refer to it.
    pub nlink: u32,
    /// Open file descriptions that refer to it (it lives on while open after unlink).
    pub open: u32,
    /// Owner and group set by chown (None: stat reports the caller's ids).
    pub owner: (Option<u32>, Option<u32>),
    /// Access and modification times set by utimensat (seconds, nanoseconds).
    pub times: [(i64, i64); 2],
}

/// The file system.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MemFs {
    inodes: Vec<Option<Inode>>,
    bytes: usize,
}

impl Default for MemFs {
    fn default() -> Self {
        MemFs::new()
    }
}

impl MemFs {
    /// `/` with `/tmp` and `/dev/null`.
    pub fn new() -> MemFs {
        let mut fs = MemFs {
            inodes: vec![Some(Inode {
                node: Node::Dir {
                    entries: BTreeMap::new(),
                    parent: ROOT,
                },
                perm: 0o755,
                nlink: 2,
                open: 0,
                owner: (None, None),
                times: [(0, 0); 2],
            })],
            bytes: 0,
        };
        let _ = fs.mkdir(ROOT, b"tmp", 0o1777);
        if let Ok(dev) = fs.mkdir(ROOT, b"dev", 0o755) {
            let _ = fs.link_new(dev, b"null", Node::Null, 0o666);
        }
        fs
    }

    /// Inode `ino`.
    pub fn get(&self, ino: usize) -> Option<&Inode> {
        self.inodes.get(ino).and_then(Option::as_ref)
    }

    fn get_mut(&mut self, ino: usize) -> Option<&mut Inode> {
        self.inodes.get_mut(ino).and_then(Option::as_mut)
    }

    fn entries(&self, dir: usize) -> Result<&BTreeMap<Vec<u8>, usize>, Errno> {
        match self.get(dir).map(|i| &i.node) {
            Some(Node::Dir { entries, .. }) => Ok(entries),
            Some(_) => Err(Errno::Enotdir),
            None => Err(Errno::Enoent),
        }
    }

    /// Looks `name` up in directory `dir` (`.` and `..` included).
    pub fn lookup(&self, dir: usize, name: &[u8]) -> Result<Option<usize>, Errno> {
        let e = self.entries(dir)?;
        Ok(match name {
            b"." => Some(dir),
            b".." => match self.get(dir).map(|i| &i.node) {
                Some(Node::Dir { parent, .. }) => Some(*parent),
                _ => None,
            },
            n => e.get(n).copied(),
        })
    }

    /// Splits `path` into the directory holding its last component and that name (the
    /// name is empty for `/`; `.` or `..` for paths ending so). ENOENT for an empty path,
    /// ENAMETOOLONG past PATH_MAX or NAME_MAX, ENOTDIR/ENOENT for a bad directory part.
    pub fn walk_parent<'p>(&self, cwd: usize, path: &'p [u8]) -> Result<(usize, &'p [u8]), Errno> {
        if path.is_empty() {
            return Err(Errno::Enoent);
        }
        if path.len() >= PATH_MAX {
            return Err(Errno::Enametoolong);
        }
        let mut dir = if path.first() == Some(&b'/') {
            ROOT
        } else {
            cwd
        };
        let parts: Vec<&[u8]> = path
            .split(|&c| c == b'/')
            .filter(|p| !p.is_empty())
            .collect();
        if parts.iter().any(|p| p.len() > NAME_MAX) {
            return Err(Errno::Enametoolong);
        }
        let Some((last, init)) = parts.split_last() else {
            return Ok((ROOT, b""));
        };
        for p in init {
            dir = self.lookup(dir, p)?.ok_or(Errno::Enoent)?;
            self.entries(dir)?;
        }
        self.entries(dir)?;
        Ok((dir, last))
    }

    /// The inode `path` names. A trailing slash needs a directory (ENOTDIR).
    pub fn resolve(&self, cwd: usize, path: &[u8]) -> Result<usize, Errno> {
        let (dir, name) = self.walk_parent(cwd, path)?;
        let ino = if name.is_empty() {
            dir
        } else {
            self.lookup(dir, name)?.ok_or(Errno::Enoent)?
        };
        if path.last() == Some(&b'/') && !self.is_dir(ino) {
            return Err(Errno::Enotdir);
        }
        Ok(ino)
    }

    /// True for a directory.
    pub fn is_dir(&self, ino: usize) -> bool {
        matches!(self.get(ino).map(|i| &i.node), Some(Node::Dir { .. }))
    }

    fn alloc(&mut self, inode: Inode) -> Result<usize, Errno> {
        if self.inodes.len() >= MAX_INODES && self.inodes.iter().all(Option::is_some) {
            return Err(Errno::Enospc);
        }
        Ok(super::insert_slot(&mut self.inodes, inode))
    }

    fn link_new(&mut self, dir: usize, name: &[u8], node: Node, perm: u32) -> Result<usize, Errno> {
        if self.lookup(dir, name)?.is_some() || name == b"." || name == b".." {
            return Err(Errno::Eexist);
        }
        let is_dir = matches!(node, Node::Dir { .. });
        let ino = self.alloc(Inode {
            node,
            perm: perm & 0o7777,
            nlink: if is_dir { 2 } else { 1 },
            open: 0,
            owner: (None, None),
            times: [(0, 0); 2],
        })?;
        if let Some(Inode {
            node: Node::Dir { entries, .. },
            nlink,
            ..
        }) = self.get_mut(dir)
        {
            entries.insert(name.to_vec(), ino);
            if is_dir {
                *nlink += 1;
            }
        }
        Ok(ino)
    }

    /// A new empty file `name` in `dir`.
    pub fn create(&mut self, dir: usize, name: &[u8], perm: u32) -> Result<usize, Errno> {
        self.link_new(dir, name, Node::File { data: Vec::new() }, perm)
    }

    /// A new directory `name` in `dir`.
    pub fn mkdir(&mut self, dir: usize, name: &[u8], perm: u32) -> Result<usize, Errno> {
        let node = Node::Dir {
            entries: BTreeMap::new(),
            parent: dir,
        };
        self.link_new(dir, name, node, perm)
    }

    /// Removes the name `name` from `dir`: a file (`rmdir` = false; EISDIR for a directory)
    /// or an empty directory (`rmdir` = true; ENOTDIR for a file, ENOTEMPTY).
    pub fn remove(&mut self, dir: usize, name: &[u8], rmdir: bool) -> Result<(), Errno> {
        if name == b"." || name == b".." || name.is_empty() {
            return Err(if rmdir { Errno::Einval } else { Errno::Eisdir });
        }
        let ino = self.lookup(dir, name)?.ok_or(Errno::Enoent)?;
        let is_dir = self.is_dir(ino);
        if is_dir && !rmdir {
            return Err(Errno::Eisdir);
        }
        if !is_dir && rmdir {
            return Err(Errno::Enotdir);
        }
        if is_dir && !self.entries(ino)?.is_empty() {
            return Err(Errno::Enotempty);
        }
        if let Some(Inode {
            node: Node::Dir { entries, .. },
            nlink,
            ..
        }) = self.get_mut(dir)
        {
            entries.remove(name);
            if is_dir {
                *nlink = nlink.saturating_sub(1);
            }
        }
        if let Some(i) = self.get_mut(ino) {
            i.nlink = if is_dir { 0 } else { i.nlink.saturating_sub(1) };
        }
        self.release(ino);
        Ok(())
    }

    /// rename: moves `oname` in `odir` to `nname` in `ndir`, replacing a file there (or an
    /// empty directory by a directory). EISDIR/ENOTDIR for a file over a directory and back,
    /// EINVAL for a directory into itself, EEXIST with `noreplace`.
    pub fn rename(
        &mut self,
        odir: usize,
        oname: &[u8],
        ndir: usize,
        nname: &[u8],
        noreplace: bool,
    ) -> Result<(), Errno> {
        let dots = |n: &[u8]| n.is_empty() || n == b"." || n == b"..";
        if dots(oname) || dots(nname) {
            return Err(Errno::Ebusy);
        }
        let ino = self.lookup(odir, oname)?.ok_or(Errno::Enoent)?;
        let target = self.lookup(ndir, nname)?;
        if target == Some(ino) {
            return Ok(());
        }
        let is_dir = self.is_dir(ino);
        if is_dir {
            // Not into its own subtree.
            let mut d = ndir;
            loop {
                if d == ino {
                    return Err(Errno::Einval);
                }
                match self.get(d).map(|i| &i.node) {
                    Some(Node::Dir { parent, .. }) if d != ROOT => d = *parent,
                    _ => break,
                }
            }
        }
        if let Some(t) = target {
            if noreplace {
                return Err(Errno::Eexist);
            }
            match (is_dir, self.is_dir(t)) {
                (false, true) => return Err(Errno::Eisdir),
                (true, false) => return Err(Errno::Enotdir),
                _ => {}
            }
            self.remove(ndir, nname, is_dir)?;
        }
        for (dir, add) in [(odir, false), (ndir, true)] {
            if let Some(Inode {
                node: Node::Dir { entries, .. },
                nlink,
                ..
            }) = self.get_mut(dir)
            {
                if add {
                    entries.insert(nname.to_vec(), ino);
                } else {
                    entries.remove(oname);
                }
                if is_dir {
                    *nlink = if add {
                        nlink.saturating_add(1)
                    } else {
                        nlink.saturating_sub(1)
                    };
                }
            }
        }
        if let Some(Inode {
            node: Node::Dir { parent, .. },
            ..
        }) = self.get_mut(ino)
        {
            *parent = ndir;
        }
        Ok(())
    }

    /// The entries of directory `ino` as getdents lists them: `.`, `..`, then the names
    /// (sorted), each with its inode and whether it is a directory.
    pub fn list(&self, ino: usize) -> Result<Vec<(Vec<u8>, usize, u8)>, Errno> {
        let e = self.entries(ino)?;
        let parent = self.lookup(ino, b"..")?.unwrap_or(ROOT);
        let ty = |i: usize| match self.get(i).map(|i| &i.node) {
            Some(Node::Dir { .. }) => 4, // DT_DIR
            Some(Node::Null) => 2,       // DT_CHR
            _ => 8,                      // DT_REG
        };
        let mut out = vec![(b".".to_vec(), ino, 4), (b"..".to_vec(), parent, 4)];
        out.extend(e.iter().map(|(n, &i)| (n.clone(), i, ty(i))));
        Ok(out)
    }

    /// Frees inode `ino` once no name and no open file refers to it.
    pub fn release(&mut self, ino: usize) {
        let Some(i) = self.get(ino) else {
            return;
        };
        if i.nlink == 0 && i.open == 0 && ino != ROOT {
            if let Node::File { data } = &i.node {
                self.bytes -= data.len();
            }
            if let Some(slot) = self.inodes.get_mut(ino) {
                *slot = None;
            }
        }
    }

    /// An open file description now refers to `ino` (or no longer: `delta` = -1).
    pub fn opened(&mut self, ino: usize, open: bool) {
        if let Some(i) = self.get_mut(ino) {
            i.open = if open {
                i.open + 1
            } else {
                i.open.saturating_sub(1)
            };
        }
        if !open {
            self.release(ino);
        }
    }

    /// Reads up to `len` bytes at `pos`.
    pub fn read(&self, ino: usize, pos: u64, len: usize) -> Result<&[u8], Errno> {
        match self.get(ino).map(|i| &i.node) {
            Some(Node::File { data }) => {
                let start = usize::try_from(pos).unwrap_or(usize::MAX).min(data.len());
                let end = start.saturating_add(len).min(data.len());
                Ok(data.get(start..end).unwrap_or(&[]))
            }
            Some(Node::Null) => Ok(&[]),
            Some(Node::Dir { .. }) => Err(Errno::Eisdir),
            None => Err(Errno::Ebadf),
        }
    }

    /// Writes `buf` at `pos` (a hole before it reads as zeros); EFBIG/ENOSPC past the limits.
    pub fn write(&mut self, ino: usize, pos: u64, buf: &[u8]) -> Result<usize, Errno> {
        let end = pos.checked_add(buf.len() as u64).ok_or(Errno::Efbig)?;
        let end = usize::try_from(end).map_err(|_| Errno::Efbig)?;
        let total = self.bytes;
        match self.get_mut(ino).map(|i| &mut i.node) {
            Some(Node::File { data }) => {
                let grow = end.saturating_sub(data.len());
                if total + grow > MAX_BYTES {
                    return Err(Errno::Enospc);
                }
                if grow > 0 {
                    data.resize(end, 0);
                }
                let start = end - buf.len();
                if let Some(d) = data.get_mut(start..end) {
                    d.copy_from_slice(buf);
                }
                self.bytes += grow;
                Ok(buf.len())
            }
            Some(Node::Null) => Ok(buf.len()),
            Some(Node::Dir { .. }) => Err(Errno::Eisdir),
            None => Err(Errno::Ebadf),
        }
    }

    /// Sets a file's length (zeros when it grows).
    pub fn truncate(&mut self, ino: usize, len: u64) -> Result<(), Errno> {
        let len = usize::try_from(len).map_err(|_| Errno::Efbig)?;
        let total = self.bytes;
        match self.get_mut(ino).map(|i| &mut i.node) {
            Some(Node::File { data }) => {
                if len > data.len() && total + (len - data.len()) > MAX_BYTES {
                    return Err(Errno::Enospc);
                }
                let old = data.len();
                data.resize(len, 0);
                self.bytes = total + len - old;
                Ok(())
            }
            Some(Node::Null) => Ok(()),
            Some(Node::Dir { .. }) => Err(Errno::Eisdir),
            None => Err(Errno::Ebadf),
        }
    }

    /// A file's length (4096 for a directory, as ext4 shows a small one).
    pub fn size(&self, ino: usize) -> u64 {
        match self.get(ino).map(|i| &i.node) {
            Some(Node::File { data }) => data.len() as u64,
            Some(Node::Dir { .. }) => 4096,
            _ => 0,
        }
    }

    /// The absolute path of directory `ino` (for getcwd).
    pub fn path_of(&self, mut ino: usize) -> Option<Vec<u8>> {
        let mut parts: Vec<Vec<u8>> = Vec::new();
        while ino != ROOT {
            let Some(Node::Dir { parent, .. }) = self.get(ino).map(|i| &i.node) else {
                return None;
            };
            let name = self
                .entries(*parent)
                .ok()?
                .iter()
                .find(|(_, &i)| i == ino)
                .map(|(n, _)| n.clone())?;
            parts.push(name);
            ino = *parent;
        }
        let mut p = Vec::new();
        for n in parts.iter().rev() {
            p.push(b'/');
            p.extend_from_slice(n);
        }
        if p.is_empty() {
            p.push(b'/');
        }
        Some(p)
    }
}

impl MemFs {
    /// stat of inode `ino`: the file systems's own numbers (inode + 2, device 0x2a), the
    /// caller's ids as owner, times 0.
    fn stat_ino(&self, ino: usize, ids: (u32, u32)) -> Result<Stat, Errno> {
        let i = self.get(ino).ok_or(Errno::Enoent)?;
        let ty = match i.node {
            Node::Dir { .. } => ftype::S_IFDIR,
            Node::Null => ftype::S_IFCHR,
            Node::File { .. } => ftype::S_IFREG,
        };
        let size = self.size(ino);
        Ok(Stat {
            dev: 0x2a,
            ino: ino as u64 + 2,
            nlink: u64::from(i.nlink),
            mode: ty | i.perm,
            uid: i.owner.0.unwrap_or(ids.0),
            gid: i.owner.1.unwrap_or(ids.1),
            atime: i.times[0],
            mtime: i.times[1],
            rdev: if matches!(i.node, Node::Null) {
                0x103
            } else {
                0
            },
            size,
            blksize: 4096,
            blocks: size.div_ceil(512),
            ..Stat::default()
        })
    }
}

impl Vfs for MemFs {
    fn root(&self) -> usize {
        ROOT
    }

    fn open(&mut self, base: usize, path: &[u8], flags: u64, perm: u32) -> Result<Opened, Errno> {
        use super::vfs::oflags::*;
        let (dir, name) = self.walk_parent(base, path)?;
        let found = if name.is_empty() {
            Some(dir)
        } else {
            self.lookup(dir, name)?
        };
        let trailing = path.last() == Some(&b'/');
        let ino = match found {
            Some(_) if flags & O_CREAT != 0 && flags & O_EXCL != 0 => return Err(Errno::Eexist),
            Some(i) => i,
            None if flags & O_CREAT != 0 && !trailing => self.create(dir, name, perm)?,
            None if trailing && flags & O_CREAT != 0 => return Err(Errno::Eisdir),
            None => return Err(Errno::Enoent),
        };
        let is_dir = MemFs::is_dir(self, ino);
        let wants_write = matches!(flags & O_ACCMODE, O_WRONLY | O_RDWR);
        if is_dir && (wants_write || flags & O_CREAT != 0 && found.is_some()) {
            return Err(Errno::Eisdir);
        }
        if !is_dir && (flags & O_DIRECTORY != 0 || trailing) {
            return Err(Errno::Enotdir);
        }
        if flags & O_TRUNC != 0 && wants_write && !is_dir {
            MemFs::truncate(self, ino, 0)?;
        }
        self.opened(ino, true);
        Ok(Opened {
            node: ino,
            dir: is_dir,
        })
    }

    fn close(&mut self, node: usize) {
        self.opened(node, false);
    }

    fn hold(&mut self, node: usize) -> Result<usize, Errno> {
        if self.get(node).is_none() {
            return Err(Errno::Ebadf);
        }
        self.opened(node, true);
        Ok(node)
    }

    fn read(&mut self, node: usize, pos: u64, len: usize) -> Result<Vec<u8>, Errno> {
        MemFs::read(self, node, pos, len).map(<[u8]>::to_vec)
    }

    fn write(&mut self, node: usize, pos: u64, data: &[u8]) -> Result<usize, Errno> {
        MemFs::write(self, node, pos, data)
    }

    fn size(&mut self, node: usize) -> u64 {
        MemFs::size(self, node)
    }

    fn truncate(&mut self, node: usize, len: u64) -> Result<(), Errno> {
        MemFs::truncate(self, node, len)
    }

    fn fstat(&mut self, node: usize, ids: (u32, u32)) -> Result<Stat, Errno> {
        self.stat_ino(node, ids).map_err(|_| Errno::Ebadf)
    }

    fn stat(
        &mut self,
        base: usize,
        path: &[u8],
        _follow: bool,
        ids: (u32, u32),
    ) -> Result<Stat, Errno> {
        let ino = self.resolve(base, path)?;
        self.stat_ino(ino, ids)
    }

    fn list(&mut self, node: usize) -> Result<Vec<DirEntry>, Errno> {
        Ok(MemFs::list(self, node)?
            .into_iter()
            .map(|(name, i, dtype)| DirEntry {
                name,
                ino: i as u64 + 2,
                dtype,
            })
            .collect())
    }

    fn mkdir(&mut self, base: usize, path: &[u8], perm: u32) -> Result<(), Errno> {
        let (dir, name) = self.walk_parent(base, path)?;
        if name.is_empty() || name == b"." || name == b".." {
            return Err(Errno::Eexist);
        }
        MemFs::mkdir(self, dir, name, perm).map(|_| ())
    }

    fn unlink(&mut self, base: usize, path: &[u8], rmdir: bool) -> Result<(), Errno> {
        let (dir, name) = self.walk_parent(base, path)?;
        if name.is_empty() {
            return Err(if rmdir {
                Errno::Ebusy // rmdir("/")
            } else {
                Errno::Eisdir
            });
        }
        self.remove(dir, name, rmdir)
    }

    fn rename(
        &mut self,
        from: (usize, &[u8]),
        to: (usize, &[u8]),
        noreplace: bool,
    ) -> Result<(), Errno> {
        let (od, on) = self.walk_parent(from.0, from.1)?;
        let (nd, nn) = self.walk_parent(to.0, to.1)?;
        MemFs::rename(self, od, on, nd, nn, noreplace)
    }

    fn symlink(&mut self, _target: &[u8], base: usize, path: &[u8]) -> Result<(), Errno> {
        // This file system has no symbolic links: EPERM, as symlink(2) says of a file
        // system that does not support them (vfat).
        let (dir, name) = self.walk_parent(base, path)?;
        if name.is_empty() || self.lookup(dir, name)?.is_some() {
            return Err(Errno::Eexist);
        }
        Err(Errno::Eperm)
    }

    fn link(
        &mut self,
        from: (usize, &[u8]),
        to: (usize, &[u8]),
        _follow: bool,
    ) -> Result<(), Errno> {
        // fs/namei.c do_linkat -> vfs_link: the old name must exist and not be a
        // directory; the new one must not exist.
        let ino = self.resolve(from.0, from.1)?;
        let (dir, name) = self.walk_parent(to.0, to.1)?;
        if name.is_empty() || name == b"." || name == b".." || self.lookup(dir, name)?.is_some() {
            return Err(Errno::Eexist);
        }
        if self.is_dir(ino) {
            return Err(Errno::Eperm);
        }
        if to.1.last() == Some(&b'/') {
            return Err(Errno::Enoent);
        }
        if let Some(Inode {
            node: Node::Dir { entries, .. },
            ..
        }) = self.get_mut(dir)
        {
            entries.insert(name.to_vec(), ino);
        }
        if let Some(i) = self.get_mut(ino) {
            i.nlink = i.nlink.saturating_add(1);
        }
        Ok(())
    }

    fn chmod(&mut self, base: usize, path: &[u8], mode: u32) -> Result<(), Errno> {
        let ino = self.resolve(base, path)?;
        self.fchmod(ino, mode)
    }

    fn fchmod(&mut self, node: usize, mode: u32) -> Result<(), Errno> {
        let i = self.get_mut(node).ok_or(Errno::Ebadf)?;
        i.perm = mode & 0o7777;
        Ok(())
    }

    fn chown(
        &mut self,
        base: usize,
        path: &[u8],
        owner: (Option<u32>, Option<u32>),
        _follow: bool,
    ) -> Result<(), Errno> {
        let ino = self.resolve(base, path)?;
        self.fchown(ino, owner)
    }

    fn fchown(&mut self, node: usize, owner: (Option<u32>, Option<u32>)) -> Result<(), Errno> {
        // Recorded as asked: this file system checks no permissions.
        let i = self.get_mut(node).ok_or(Errno::Ebadf)?;
        i.owner = (owner.0.or(i.owner.0), owner.1.or(i.owner.1));
        Ok(())
    }

    fn utimens(
        &mut self,
        base: usize,
        path: &[u8],
        times: [FileTime; 2],
        _follow: bool,
    ) -> Result<(), Errno> {
        let ino = self.resolve(base, path)?;
        self.futimens(ino, times)
    }

    fn futimens(&mut self, node: usize, times: [FileTime; 2]) -> Result<(), Errno> {
        let i = self.get_mut(node).ok_or(Errno::Ebadf)?;
        for (slot, t) in i.times.iter_mut().zip(times) {
            if let FileTime::At(s, ns) = t {
                *slot = (s, ns);
            }
        }
        Ok(())
    }

    fn readlink(&mut self, base: usize, path: &[u8]) -> Result<Vec<u8>, Errno> {
        // No symbolic links here: an existing path is not one.
        self.resolve(base, path)?;
        Err(Errno::Einval)
    }

    fn access(
        &mut self,
        base: usize,
        path: &[u8],
        _mode: u32,
        _follow: bool,
        _ids: (u32, u32),
    ) -> Result<(), Errno> {
        // Every process may read, write and search everything here.
        self.resolve(base, path).map(|_| ())
    }

    fn dir_node(&mut self, base: usize, path: &[u8]) -> Result<usize, Errno> {
        let ino = self.resolve(base, path)?;
        if MemFs::is_dir(self, ino) {
            Ok(ino)
        } else {
            Err(Errno::Enotdir)
        }
    }

    fn canonical(&mut self, base: usize, path: &[u8]) -> Result<Vec<u8>, Errno> {
        let (dir, name) = self.walk_parent(base, path)?;
        let mut p = MemFs::path_of(self, dir).ok_or(Errno::Enoent)?;
        if !name.is_empty() && name != b"." && name != b".." {
            if p != b"/" {
                p.push(b'/');
            }
            p.extend_from_slice(name);
        } else {
            let ino = self.resolve(base, path)?;
            p = MemFs::path_of(self, ino).ok_or(Errno::Enoent)?;
        }
        Ok(p)
    }

    fn node_path(&self, node: usize) -> Option<Vec<u8>> {
        if MemFs::is_dir(self, node) {
            return MemFs::path_of(self, node);
        }
        // A file: the directory that names it (the first one: a file here has one name).
        self.inodes.iter().enumerate().find_map(|(d, i)| {
            let Some(Inode {
                node: Node::Dir { entries, .. },
                ..
            }) = i
            else {
                return None;
            };
            let (name, _) = entries.iter().find(|(_, &i)| i == node)?;
            let mut p = MemFs::path_of(self, d)?;
            if p != b"/" {
                p.push(b'/');
            }
            p.extend_from_slice(name);
            Some(p)
        })
    }

    fn path_of(&self, dir: usize) -> Option<Vec<u8>> {
        MemFs::path_of(self, dir)
    }

    fn is_tty(&self, _node: usize) -> bool {
        false
    }

    fn open_files(&self) -> usize {
        self.inodes.iter().flatten().filter(|i| i.open > 0).count()
    }

    fn is_dir(&self, node: usize) -> bool {
        MemFs::is_dir(self, node)
    }

    fn clone_box(&self) -> Box<dyn Vfs> {
        Box::new(self.clone())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // tests may unwrap
mod tests {
    use super::*;

    #[test]
    fn create_lookup_write_unlink() {
        let mut fs = MemFs::new();
        let tmp = fs.resolve(ROOT, b"/tmp/").unwrap();
        let f = fs.create(tmp, b"a", 0o644).unwrap();
        assert_eq!(fs.resolve(ROOT, b"//tmp/./a").unwrap(), f);
        assert_eq!(fs.resolve(tmp, b"../tmp/a").unwrap(), f);
        assert_eq!(fs.resolve(ROOT, b"/tmp/a/"), Err(Errno::Enotdir));
        assert_eq!(fs.resolve(ROOT, b"/tmp/a/b"), Err(Errno::Enotdir));
        assert_eq!(fs.resolve(ROOT, b""), Err(Errno::Enoent));
        fs.write(f, 3, b"xy").unwrap();
        assert_eq!(fs.read(f, 0, 10).unwrap(), b"\0\0\0xy");
        fs.opened(f, true);
        fs.remove(tmp, b"a", false).unwrap();
        assert_eq!(fs.read(f, 3, 1).unwrap(), b"x");
        fs.opened(f, false);
        assert!(fs.get(f).is_none());
        assert_eq!(fs.bytes, 0);
        assert_eq!(fs.path_of(tmp).unwrap(), b"/tmp");
        assert_eq!(fs.remove(ROOT, b"tmp", false), Err(Errno::Eisdir));
        assert_eq!(fs.remove(ROOT, b"dev", true), Err(Errno::Enotempty));
    }

    #[test]
    fn hard_links_modes_owners_and_times_are_recorded() {
        let mut fs = MemFs::new();
        let tmp = fs.resolve(ROOT, b"/tmp").unwrap();
        let f = fs.create(tmp, b"f", 0o644).unwrap();
        fs.write(f, 0, b"data").unwrap();
        Vfs::link(&mut fs, (ROOT, b"/tmp/f"), (tmp, b"g"), false).unwrap();
        assert_eq!(fs.resolve(ROOT, b"/tmp/g").unwrap(), f);
        assert_eq!(fs.stat_ino(f, (1, 1)).unwrap().nlink, 2);
        assert_eq!(
            Vfs::link(&mut fs, (ROOT, b"/tmp/f"), (ROOT, b"/tmp/g"), false),
            Err(Errno::Eexist)
        );
        assert_eq!(
            Vfs::link(&mut fs, (ROOT, b"/tmp"), (ROOT, b"/t2"), false),
            Err(Errno::Eperm)
        );
        assert_eq!(
            Vfs::link(&mut fs, (ROOT, b"/nothing"), (ROOT, b"/t3"), false),
            Err(Errno::Enoent)
        );
        Vfs::chmod(&mut fs, ROOT, b"/tmp/g", 0o4600).unwrap();
        Vfs::chown(&mut fs, ROOT, b"/tmp/f", (Some(7), None), true).unwrap();
        Vfs::utimens(
            &mut fs,
            ROOT,
            b"/tmp/f",
            [FileTime::Omit, FileTime::At(1_234_567_890, 5)],
            true,
        )
        .unwrap();
        let st = fs.stat_ino(f, (1000, 100)).unwrap();
        assert_eq!(st.mode & 0o7777, 0o4600);
        assert_eq!((st.uid, st.gid), (7, 100));
        assert_eq!((st.atime, st.mtime), ((0, 0), (1_234_567_890, 5)));
        // No symbolic links here: EPERM, or EEXIST when the name is taken.
        assert_eq!(Vfs::symlink(&mut fs, b"f", tmp, b"l"), Err(Errno::Eperm));
        assert_eq!(Vfs::symlink(&mut fs, b"f", tmp, b"f"), Err(Errno::Eexist));
        // The data lives while a name is left.
        fs.remove(tmp, b"f", false).unwrap();
        assert_eq!(fs.read(f, 0, 4).unwrap(), b"data");
        assert_eq!(fs.stat_ino(f, (1, 1)).unwrap().nlink, 1);
        fs.remove(tmp, b"g", false).unwrap();
        assert!(fs.get(f).is_none());
    }
}
