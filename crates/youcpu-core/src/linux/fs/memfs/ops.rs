//! The in-memory file system's side of [`Vfs`]: the operations the kernel calls, on the
//! inodes of the module above.

use super::*;
use crate::linux::fs::vfs::{DirEntry, Opened, Vfs};

impl MemFs {
    /// stat of inode `ino`: the file systems's own numbers (inode + 2, device 0x2a), the
    /// caller's ids as owner, times 0.
    pub(super) fn stat_ino(&self, ino: usize, ids: (u32, u32)) -> Result<Stat, Errno> {
        let i = self.get(ino).ok_or(Errno::Enoent)?;
        let ty = match i.node {
            Node::Dir { .. } => ftype::S_IFDIR,
            Node::Null => ftype::S_IFCHR,
            Node::File { .. } => ftype::S_IFREG,
            Node::Symlink { .. } => ftype::S_IFLNK,
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

impl MemFs {
    /// The inode `path` names, a final symbolic link followed or not.
    fn lookup_path(&self, base: usize, path: &[u8], follow: bool) -> Result<usize, Errno> {
        if follow {
            self.resolve(base, path)
        } else {
            self.resolve_nofollow(base, path)
        }
    }
}

impl Vfs for MemFs {
    fn root(&self) -> usize {
        ROOT
    }

    fn open(&mut self, base: usize, path: &[u8], flags: u64, perm: u32) -> Result<Opened, Errno> {
        use crate::linux::fs::vfs::oflags::*;
        let (dir, name) = self.walk_parent(base, path)?;
        let found = if name.is_empty() {
            Some(dir)
        } else {
            self.lookup(dir, name)?
        };
        let trailing = path.last() == Some(&b'/');
        // A symbolic link at the end is followed (fs/namei.c `open_last_lookups`), but
        // not under O_NOFOLLOW (ELOOP) and not past an O_CREAT|O_EXCL (EEXIST).
        let found = match found {
            Some(i) if self.is_symlink(i) => {
                if flags & O_CREAT != 0 && flags & O_EXCL != 0 {
                    return Err(Errno::Eexist);
                }
                if flags & O_NOFOLLOW != 0 {
                    return Err(Errno::Eloop);
                }
                match self.resolve(dir, name) {
                    Ok(t) => Some(t),
                    // O_CREAT through a dangling link makes the file the link names.
                    Err(Errno::Enoent) if flags & O_CREAT != 0 => {
                        let Some(Node::Symlink { target }) = self.get(i).map(|n| n.node.clone())
                        else {
                            return Err(Errno::Enoent);
                        };
                        let (tdir, tname) = self.walk_parent(dir, &target)?;
                        if tname.is_empty() || tname == b"." || tname == b".." {
                            return Err(Errno::Eisdir);
                        }
                        Some(self.create(tdir, tname, perm)?)
                    }
                    Err(e) => return Err(e),
                }
            }
            f => f,
        };
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
        follow: bool,
        ids: (u32, u32),
    ) -> Result<Stat, Errno> {
        let ino = self.lookup_path(base, path, follow)?;
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

    fn symlink(&mut self, target: &[u8], base: usize, path: &[u8]) -> Result<(), Errno> {
        let (dir, name) = self.walk_parent(base, path)?;
        if name.is_empty() || name == b"." || name == b".." || self.lookup(dir, name)?.is_some() {
            return Err(Errno::Eexist);
        }
        MemFs::symlink(self, dir, name, target).map(|_| ())
    }

    fn link(
        &mut self,
        from: (usize, &[u8]),
        to: (usize, &[u8]),
        follow: bool,
    ) -> Result<(), Errno> {
        // fs/namei.c do_linkat -> vfs_link: the old name must exist and not be a
        // directory; the new one must not exist. Without AT_SYMLINK_FOLLOW a symbolic
        // link is linked itself.
        let ino = self.lookup_path(from.0, from.1, follow)?;
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
        follow: bool,
    ) -> Result<(), Errno> {
        let ino = self.lookup_path(base, path, follow)?;
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
        follow: bool,
    ) -> Result<(), Errno> {
        let ino = self.lookup_path(base, path, follow)?;
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
        let ino = self.resolve_nofollow(base, path)?;
        match self.get(ino).map(|i| &i.node) {
            Some(Node::Symlink { target }) => Ok(target.clone()),
            _ => Err(Errno::Einval),
        }
    }

    fn access(
        &mut self,
        base: usize,
        path: &[u8],
        _mode: u32,
        follow: bool,
        _ids: (u32, u32),
    ) -> Result<(), Errno> {
        // Every process may read, write and search everything here.
        self.lookup_path(base, path, follow).map(|_| ())
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
