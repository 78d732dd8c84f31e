//! Directory system calls (fs/namei.c, fs/readdir.c, fs/d_path.c): mkdir, unlink, rmdir,
//! rename, getdents64, access, getcwd, chdir.

use super::calls::MAX_RW;
use super::FileKind;
use crate::linux::errno::Errno;
use crate::linux::Linux;

/// AT_REMOVEDIR (unlinkat).
const AT_REMOVEDIR: u64 = 0x200;

impl Linux {
    /// The (uid, gid) permission checks use.
    fn ids(&self) -> (u32, u32) {
        (self.uid as u32, self.gid as u32)
    }

    /// unlink (87), rmdir (84) and unlinkat (263).
    pub(in crate::linux) fn unlinkat(&mut self, dirfd: u64, path: u64, flags: u64) -> i64 {
        if flags & !AT_REMOVEDIR != 0 {
            return Errno::Einval.ret();
        }
        let r = self.path_arg(path).and_then(|p| {
            let base = self.at_base(dirfd, &p)?;
            self.fs.unlink(base, &p, flags & AT_REMOVEDIR != 0)
        });
        r.map_or_else(Errno::ret, |()| 0)
    }

    /// mkdir (83) and mkdirat (258).
    pub(in crate::linux) fn mkdirat(&mut self, dirfd: u64, path: u64, mode: u64) -> i64 {
        let r = self.path_arg(path).and_then(|p| {
            let base = self.at_base(dirfd, &p)?;
            self.fs
                .mkdir(base, &p, (mode & 0o7777) as u32 & !self.umask)
        });
        r.map_or_else(Errno::ret, |()| 0)
    }

    /// access (21), faccessat (269) and faccessat2 (439, with AT_SYMLINK_NOFOLLOW and
    /// AT_EACCESS): fs/open.c `do_faccessat`.
    pub(in crate::linux) fn faccessat(
        &mut self,
        dirfd: u64,
        path: u64,
        mode: u64,
        flags: u64,
    ) -> i64 {
        const AT_SYMLINK_NOFOLLOW: u64 = 0x100;
        const AT_EACCESS: u64 = 0x200;
        const AT_EMPTY_PATH: u64 = 0x1000;
        if mode & !7 != 0 || flags & !(AT_SYMLINK_NOFOLLOW | AT_EACCESS | AT_EMPTY_PATH) != 0 {
            return Errno::Einval.ret();
        }
        let ids = self.ids();
        let r = self.path_arg(path).and_then(|p| {
            if p.is_empty() && flags & AT_EMPTY_PATH != 0 {
                return self.file_kind(dirfd).map(|_| ()).ok_or(Errno::Ebadf);
            }
            let base = self.at_base(dirfd, &p)?;
            self.fs
                .access(base, &p, mode as u32, flags & AT_SYMLINK_NOFOLLOW == 0, ids)
        });
        r.map_or_else(Errno::ret, |()| 0)
    }

    /// getcwd (79): the path with its NUL; ERANGE when it does not fit.
    pub(in crate::linux) fn getcwd(&mut self, buf: u64, size: u64) -> i64 {
        let mut p = self.fs.path_of(self.cwd).unwrap_or_else(|| b"/".to_vec());
        p.push(0);
        if (p.len() as u64) > size {
            return Errno::Erange.ret();
        }
        match self.copy_out(buf, &p) {
            Ok(()) => p.len() as i64,
            Err(e) => e,
        }
    }

    /// chdir (80) and fchdir (81).
    pub(in crate::linux) fn chdir(&mut self, path: Option<u64>, fd: u64) -> i64 {
        let node = match path {
            Some(p) => self
                .path_arg(p)
                .and_then(|p| self.fs.dir_node(self.cwd, &p)),
            None => match self.fds.get(fd).and_then(|f| self.files.get(f.file)) {
                Some(f) => match f.kind {
                    FileKind::Dir { ino } => Ok(ino),
                    _ => Err(Errno::Enotdir),
                },
                None => Err(Errno::Ebadf),
            },
        };
        match node {
            Ok(i) => {
                self.cwd = i;
                0
            }
            Err(e) => e.ret(),
        }
    }

    /// Serves the guest another file system (the host's for the CLI); the working directory
    /// becomes its root.
    pub fn set_fs(&mut self, fs: Box<dyn super::vfs::Vfs>) {
        self.cwd = fs.root();
        self.fs = fs;
    }

    /// Points the working directory at `path` (the CLI's --cwd).
    pub fn set_cwd(&mut self, path: &[u8]) -> Result<(), Errno> {
        let root = self.fs.root();
        self.cwd = self.fs.dir_node(root, path)?;
        Ok(())
    }

    /// rename (82), renameat (264) and renameat2 (316; RENAME_NOREPLACE only).
    pub(in crate::linux) fn renameat2(
        &mut self,
        (odfd, opath): (u64, u64),
        (ndfd, npath): (u64, u64),
        flags: u64,
    ) -> i64 {
        const RENAME_NOREPLACE: u64 = 1;
        if flags & !RENAME_NOREPLACE != 0 {
            return Errno::Einval.ret();
        }
        let noreplace = flags & RENAME_NOREPLACE != 0;
        self.on_two_paths((odfd, opath), (ndfd, npath), |fs, o, n| {
            fs.rename(o, n, noreplace)
        })
    }

    /// getdents64 (217): `struct linux_dirent64` records (d_ino, d_off, d_reclen, d_type,
    /// name, NUL, padded to 8) from the directory's position on; 0 at the end, EINVAL when
    /// not even one fits.
    pub(in crate::linux) fn getdents64(&mut self, fd: u64, buf: u64, len: u64) -> i64 {
        let Ok((fi, f)) = self.open_file(fd) else {
            return Errno::Ebadf.ret();
        };
        let FileKind::Dir { ino } = f.kind else {
            return Errno::Enotdir.ret();
        };
        let list = match self.fs.list(ino) {
            Ok(l) => l,
            Err(e) => return e.ret(),
        };
        let mut out = Vec::new();
        let mut pos = f.pos;
        for e in list
            .iter()
            .skip(usize::try_from(f.pos).unwrap_or(usize::MAX))
        {
            let reclen = (19 + e.name.len() + 1).next_multiple_of(8);
            if (out.len() + reclen) as u64 > len.min(MAX_RW) {
                break;
            }
            pos += 1;
            out.extend_from_slice(&e.ino.to_le_bytes());
            out.extend_from_slice(&pos.to_le_bytes());
            out.extend_from_slice(&(reclen as u16).to_le_bytes());
            out.push(e.dtype);
            out.extend_from_slice(&e.name);
            out.resize(out.len() + reclen - 19 - e.name.len(), 0);
        }
        if out.is_empty() && pos < list.len() as u64 {
            return Errno::Einval.ret();
        }
        if let Err(e) = self.copy_out(buf, &out) {
            return e;
        }
        if let Some(o) = self.files.get_mut(fi) {
            o.pos = pos;
        }
        out.len() as i64
    }

    /// readlink (89) and readlinkat (267): `/proc/self/exe` and `/proc/PID/exe` of the caller
    /// name the program (as fs/proc/base.c `proc_exe_link` does, whatever the root) and
    /// `/proc/self` the caller's pid; other paths under `/proc/self/` and `/proc/PID/` are
    /// [`super::procfs`]'s; any other path is the file system's. The name is cut at `size`
    /// bytes and has no NUL, as readlink(2) says.
    pub(in crate::linux) fn readlinkat(
        &mut self,
        dirfd: u64,
        path: u64,
        buf: u64,
        size: u64,
    ) -> i64 {
        if (size as i64) <= 0 {
            return Errno::Einval.ret();
        }
        let p = match self.path_arg(path) {
            Ok(p) => p,
            Err(e) => return e.ret(),
        };
        let target = if let Some(r) = self.proc_path(&p) {
            // Only `exe` is a link; `maps` is a regular file (EINVAL), the rest is not
            // modelled (ENOENT).
            r.and_then(|pp| match pp {
                super::procfs::ProcPath::Exe(exe) => Ok(exe),
                super::procfs::ProcPath::Maps(_) => Err(Errno::Einval),
            })
        } else if p == b"/proc/self" {
            // fs/proc/self.c: the link names the reader's pid.
            Ok(self.pid.to_string().into_bytes())
        } else {
            self.at_base(dirfd, &p)
                .and_then(|b| self.fs.readlink(b, &p))
        };
        match target {
            Ok(t) => {
                let n = (size as usize).min(t.len());
                match self.copy_out(buf, t.get(..n).unwrap_or(&[])) {
                    Ok(()) => n as i64,
                    Err(e) => e,
                }
            }
            Err(e) => e.ret(),
        }
    }

    /// getxattr/lgetxattr/fgetxattr (191-193) and listxattr/llistxattr/flistxattr
    /// (194-196): extended attributes are not modelled, so the file named must exist and the
    /// answer is EOPNOTSUPP, what a file system without xattr support gives
    /// (fs/xattr.c `vfs_getxattr` without handlers). `ls -l` then shows no ACL mark.
    pub(in crate::linux) fn xattr(&mut self, nr: u64, target: u64) -> i64 {
        let r = if matches!(nr, 193 | 196) {
            self.file_kind(target).map(|_| ()).ok_or(Errno::Ebadf)
        } else {
            let follow = matches!(nr, 191 | 194);
            let ids = self.ids();
            self.path_arg(target).and_then(|p| {
                let base = self.at_base(super::calls::AT_FDCWD as u64, &p)?;
                self.fs.stat(base, &p, follow, ids).map(|_| ())
            })
        };
        match r {
            Ok(()) => Errno::Eopnotsupp.ret(),
            Err(e) => e.ret(),
        }
    }
}
