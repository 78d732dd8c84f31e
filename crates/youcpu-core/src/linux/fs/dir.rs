//! Directory system calls (fs/namei.c, fs/readdir.c, fs/d_path.c): mkdir, unlink, rmdir,
//! rename, getdents64, access, getcwd, chdir.

use super::calls::MAX_RW;
use super::FileKind;
use crate::linux::errno::Errno;
use crate::linux::Linux;

/// AT_REMOVEDIR (unlinkat).
const AT_REMOVEDIR: u64 = 0x200;

impl Linux {
    /// unlink (87), rmdir (84) and unlinkat (263).
    pub(in crate::linux) fn unlinkat(&mut self, dirfd: u64, path: u64, flags: u64) -> i64 {
        if flags & !AT_REMOVEDIR != 0 {
            return Errno::Einval.ret();
        }
        let r = self.path_arg(path).and_then(|p| {
            let base = self.at_base(dirfd, &p)?;
            let (dir, name) = self.fs.walk_parent(base, &p)?;
            if name.is_empty() {
                return Err(if flags & AT_REMOVEDIR != 0 {
                    Errno::Einval // rmdir("/"): EBUSY on Linux; the root cannot go
                } else {
                    Errno::Eisdir
                });
            }
            self.fs.remove(dir, name, flags & AT_REMOVEDIR != 0)
        });
        r.map_or_else(Errno::ret, |()| 0)
    }

    /// mkdir (83) and mkdirat (258).
    pub(in crate::linux) fn mkdirat(&mut self, dirfd: u64, path: u64, mode: u64) -> i64 {
        let r = self.path_arg(path).and_then(|p| {
            let base = self.at_base(dirfd, &p)?;
            let (dir, name) = self.fs.walk_parent(base, &p)?;
            if name.is_empty() || name == b"." || name == b".." {
                return Err(Errno::Eexist);
            }
            self.fs
                .mkdir(dir, name, (mode & 0o7777) as u32 & !self.umask)
        });
        r.map_or_else(Errno::ret, |_| 0)
    }

    /// access (21) and faccessat/faccessat2 (269, 439): whether the path exists.
    pub(in crate::linux) fn faccessat(&mut self, dirfd: u64, path: u64, mode: u64) -> i64 {
        if mode & !7 != 0 {
            return Errno::Einval.ret();
        }
        let r = self.path_arg(path).and_then(|p| {
            let base = self.at_base(dirfd, &p)?;
            self.fs.resolve(base, &p)
        });
        r.map_or_else(Errno::ret, |_| 0)
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
        let ino = match path {
            Some(p) => self.path_arg(p).and_then(|p| self.fs.resolve(self.cwd, &p)),
            None => match self.fds.get(fd).and_then(|f| self.files.get(f.file)) {
                Some(f) => match f.kind {
                    FileKind::Dir { ino } => Ok(ino),
                    _ => Err(Errno::Enotdir),
                },
                None => Err(Errno::Ebadf),
            },
        };
        match ino {
            Ok(i) if self.fs.is_dir(i) => {
                self.cwd = i;
                0
            }
            Ok(_) => Errno::Enotdir.ret(),
            Err(e) => e.ret(),
        }
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
        let r = (|| {
            let op = self.path_arg(opath)?;
            let np = self.path_arg(npath)?;
            let ob = self.at_base(odfd, &op)?;
            let nb = self.at_base(ndfd, &np)?;
            let (od, on) = self.fs.walk_parent(ob, &op)?;
            let (nd, nn) = self.fs.walk_parent(nb, &np)?;
            self.fs
                .rename(od, on, nd, nn, flags & RENAME_NOREPLACE != 0)
        })();
        r.map_or_else(Errno::ret, |()| 0)
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
        for (name, i, ty) in list
            .iter()
            .skip(usize::try_from(f.pos).unwrap_or(usize::MAX))
        {
            let reclen = (19 + name.len() + 1).next_multiple_of(8);
            if (out.len() + reclen) as u64 > len.min(MAX_RW) {
                break;
            }
            pos += 1;
            out.extend_from_slice(&(*i as u64 + 2).to_le_bytes());
            out.extend_from_slice(&pos.to_le_bytes());
            out.extend_from_slice(&(reclen as u16).to_le_bytes());
            out.push(*ty);
            out.extend_from_slice(name);
            out.resize(out.len() + reclen - 19 - name.len(), 0);
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

    /// readlink (89) and readlinkat (267): `/proc/self/exe` names the program; the file
    /// system has no symbolic links, so any other existing path is EINVAL. The name is cut
    /// at `size` bytes and has no NUL, as readlink(2) says.
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
        if p == b"/proc/self/exe" && !self.exe.is_empty() {
            let n = (size as usize).min(self.exe.len());
            let name = self.exe.get(..n).unwrap_or(&[]).to_vec();
            return match self.copy_out(buf, &name) {
                Ok(()) => n as i64,
                Err(e) => e,
            };
        }
        match self.at_base(dirfd, &p).and_then(|b| self.fs.resolve(b, &p)) {
            Ok(_) => Errno::Einval.ret(),
            Err(e) => e.ret(),
        }
    }
}
