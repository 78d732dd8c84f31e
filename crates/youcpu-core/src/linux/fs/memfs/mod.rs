//! An in-memory file system (the role of fs/ramfs and the dcache): inodes holding file bytes
//! or directory entries, path lookup (fs/namei.c `link_path_walk`: `.`, `..`, repeated and
//! trailing slashes), create, mkdir, unlink, rmdir, truncate, hard links; chmod, chown and
//! utimensat are recorded and shown by stat; symbolic links, followed in every component of
//! a path and at its end where the call follows them (fs/namei.c `step_into`,
//! `pick_link`), at most [`MAXSYMLINKS`] per lookup (ELOOP). No permissions are checked.
//! Bounded: [`MAX_INODES`] inodes and [`MAX_BYTES`] of file data (ENOSPC past them).
//!
//! It is the one in-memory file system: the browser's kernel runs programs on it, and the
//! execve widgets' trees ([`crate::exec::fs::MemFs`]) are kept in it.

mod ops;
#[cfg(test)]
mod tests;

use super::vfs::{ftype, FileTime, Stat};
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
/// Most symbolic links one path lookup follows (include/linux/namei.h).
pub const MAXSYMLINKS: u32 = 40;

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
    /// A symbolic link.
    Symlink {
        /// What it points at (a path, relative to its directory unless absolute).
        target: Vec<u8>,
    },
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
        let mut fs = MemFs::empty();
        let _ = fs.mkdir(ROOT, b"tmp", 0o1777);
        if let Ok(dev) = fs.mkdir(ROOT, b"dev", 0o755) {
            let _ = fs.link_new(dev, b"null", Node::Null, 0o666);
        }
        fs
    }

    /// Only `/` (mode 0755).
    pub fn empty() -> MemFs {
        MemFs {
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
        }
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
    /// name is empty for `/`; `.` or `..` for paths ending so), symbolic links in the
    /// directory part followed. ENOENT for an empty path, ENAMETOOLONG past PATH_MAX or
    /// NAME_MAX, ENOTDIR/ENOENT for a bad directory part, ELOOP past [`MAXSYMLINKS`].
    pub fn walk_parent<'p>(&self, cwd: usize, path: &'p [u8]) -> Result<(usize, &'p [u8]), Errno> {
        self.walk_links(cwd, path, &mut 0)
    }

    fn walk_links<'p>(
        &self,
        cwd: usize,
        path: &'p [u8],
        links: &mut u32,
    ) -> Result<(usize, &'p [u8]), Errno> {
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
            let next = self.lookup(dir, p)?.ok_or(Errno::Enoent)?;
            dir = self.follow(dir, next, links)?;
            self.entries(dir)?;
        }
        self.entries(dir)?;
        Ok((dir, last))
    }

    /// `ino`, found in `dir`; when it is a symbolic link, what the link names (a relative
    /// target starts from `dir`), counted against [`MAXSYMLINKS`].
    fn follow(&self, dir: usize, ino: usize, links: &mut u32) -> Result<usize, Errno> {
        let Some(Node::Symlink { target }) = self.get(ino).map(|i| &i.node) else {
            return Ok(ino);
        };
        *links += 1;
        if *links > MAXSYMLINKS {
            return Err(Errno::Eloop);
        }
        self.resolve_links(dir, target, links)
    }

    fn resolve_links(&self, cwd: usize, path: &[u8], links: &mut u32) -> Result<usize, Errno> {
        let (dir, name) = self.walk_links(cwd, path, links)?;
        let ino = if name.is_empty() {
            dir
        } else {
            let found = self.lookup(dir, name)?.ok_or(Errno::Enoent)?;
            self.follow(dir, found, links)?
        };
        if path.last() == Some(&b'/') && !self.is_dir(ino) {
            return Err(Errno::Enotdir);
        }
        Ok(ino)
    }

    /// The inode `path` names, a symbolic link at its end followed (stat, open). A trailing
    /// slash needs a directory (ENOTDIR).
    pub fn resolve(&self, cwd: usize, path: &[u8]) -> Result<usize, Errno> {
        self.resolve_links(cwd, path, &mut 0)
    }

    /// The inode `path` names, a symbolic link at its end not followed (lstat, readlink,
    /// `AT_SYMLINK_NOFOLLOW`); a trailing slash follows it all the same.
    pub fn resolve_nofollow(&self, cwd: usize, path: &[u8]) -> Result<usize, Errno> {
        if path.last() == Some(&b'/') {
            return self.resolve(cwd, path);
        }
        let (dir, name) = self.walk_parent(cwd, path)?;
        if name.is_empty() {
            return Ok(dir);
        }
        self.lookup(dir, name)?.ok_or(Errno::Enoent)
    }

    /// True for a symbolic link.
    pub fn is_symlink(&self, ino: usize) -> bool {
        matches!(self.get(ino).map(|i| &i.node), Some(Node::Symlink { .. }))
    }

    /// A new symbolic link `name` in `dir` pointing at `target` (EEXIST when the name is
    /// taken).
    pub fn symlink(&mut self, dir: usize, name: &[u8], target: &[u8]) -> Result<usize, Errno> {
        if target.is_empty() {
            return Err(Errno::Enoent);
        }
        if target.len() >= PATH_MAX {
            return Err(Errno::Enametoolong);
        }
        let node = Node::Symlink {
            target: target.to_vec(),
        };
        self.link_new(dir, name, node, 0o777)
    }

    /// A new character device `name` in `dir` that reads as end of file and swallows
    /// writes (the kind of `/dev/null`).
    pub fn mknod_null(&mut self, dir: usize, name: &[u8], perm: u32) -> Result<usize, Errno> {
        self.link_new(dir, name, Node::Null, perm)
    }

    /// Sets the permission bits of `ino` (what chmod records).
    pub fn set_perm(&mut self, ino: usize, perm: u32) {
        if let Some(i) = self.get_mut(ino) {
            i.perm = perm & 0o7777;
        }
    }

    /// How many inodes are in use (at most [`MAX_INODES`]).
    pub fn inode_count(&self) -> usize {
        self.inodes.iter().flatten().count()
    }

    /// Sets the owner of `ino` (what chown records).
    pub fn set_owner(&mut self, ino: usize, uid: u32, gid: u32) {
        if let Some(i) = self.get_mut(ino) {
            i.owner = (Some(uid), Some(gid));
        }
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
            Some(Node::Dir { .. }) => 4,      // DT_DIR
            Some(Node::Null) => 2,            // DT_CHR
            Some(Node::Symlink { .. }) => 10, // DT_LNK
            _ => 8,                           // DT_REG
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
            Some(Node::Symlink { .. }) => Err(Errno::Einval),
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
            Some(Node::Symlink { .. }) => Err(Errno::Einval),
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
            Some(Node::Symlink { .. }) => Err(Errno::Einval),
            None => Err(Errno::Ebadf),
        }
    }

    /// A file's length (4096 for a directory, as ext4 shows a small one).
    pub fn size(&self, ino: usize) -> u64 {
        match self.get(ino).map(|i| &i.node) {
            Some(Node::File { data }) => data.len() as u64,
            Some(Node::Dir { .. }) => 4096,
            Some(Node::Symlink { target }) => target.len() as u64,
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
