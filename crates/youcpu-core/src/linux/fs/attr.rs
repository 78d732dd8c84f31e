//! Links and attributes (fs/namei.c, fs/open.c, fs/utimes.c): symlink, symlinkat, link,
//! linkat, chmod, fchmod, fchmodat, fchmodat2, chown, fchown, lchown, fchownat, utimensat,
//! truncate. Every path is resolved by the file system inside the root, like every other
//! path the guest names.

use super::vfs::{ftype, FileTime};
use super::FileKind;
use crate::linux::errno::Errno;
use crate::linux::Linux;

/// AT_SYMLINK_NOFOLLOW.
const AT_SYMLINK_NOFOLLOW: u64 = 0x100;
/// AT_SYMLINK_FOLLOW (linkat).
const AT_SYMLINK_FOLLOW: u64 = 0x400;
/// AT_EMPTY_PATH.
const AT_EMPTY_PATH: u64 = 0x1000;
/// AT_FDCWD as a system-call argument.
const AT_FDCWD: u64 = -100i64 as u64;
/// utimensat's tv_nsec for "now" and "leave it" (include/uapi/linux/stat.h).
const UTIME_NOW: i64 = (1 << 30) - 1;
/// UTIME_OMIT.
const UTIME_OMIT: i64 = (1 << 30) - 2;

impl Linux {
    /// The file-system node an open descriptor holds (a file or a directory).
    fn fd_node(&self, fd: u64) -> Result<usize, Errno> {
        let (_, f) = self.open_file(fd)?;
        match f.kind {
            FileKind::File { ino } | FileKind::Dir { ino } => Ok(ino),
            // Pipes and the standard streams have no inode this file system could change.
            _ => Err(Errno::Einval),
        }
    }

    /// symlink (88) and symlinkat (266).
    pub(in crate::linux) fn symlinkat(&mut self, target: u64, dirfd: u64, path: u64) -> i64 {
        let r = self.path_arg(target).and_then(|t| {
            let p = self.path_arg(path)?;
            let base = self.at_base(dirfd, &p)?;
            self.fs.symlink(&t, base, &p)
        });
        r.map_or_else(Errno::ret, |()| 0)
    }

    /// link (86) and linkat (265): AT_SYMLINK_FOLLOW follows a last link of the old name;
    /// AT_EMPTY_PATH needs CAP_DAC_READ_SEARCH, which the guest lacks (ENOENT).
    pub(in crate::linux) fn linkat(
        &mut self,
        (olddir, old): (u64, u64),
        (newdir, new): (u64, u64),
        flags: u64,
    ) -> i64 {
        if flags & !(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH) != 0 {
            return Errno::Einval.ret();
        }
        let follow = flags & AT_SYMLINK_FOLLOW != 0;
        self.on_two_paths((olddir, old), (newdir, new), |fs, o, n| {
            fs.link(o, n, follow)
        })
    }

    /// chmod (90), fchmodat (268) and fchmodat2 (452): the mode of the file a path names. With
    /// AT_SYMLINK_NOFOLLOW a symbolic link itself has no mode to change (EOPNOTSUPP).
    pub(in crate::linux) fn fchmodat(
        &mut self,
        dirfd: u64,
        path: u64,
        mode: u64,
        flags: u64,
    ) -> i64 {
        if flags & !(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH) != 0 {
            return Errno::Einval.ret();
        }
        let mode = (mode & 0o7777) as u32;
        let r = self.path_arg(path).and_then(|p| {
            if p.is_empty() && flags & AT_EMPTY_PATH != 0 {
                let node = self.fd_node(dirfd)?;
                return self.fs.fchmod(node, mode);
            }
            let base = self.at_base(dirfd, &p)?;
            if flags & AT_SYMLINK_NOFOLLOW != 0 {
                let st = self.fs.stat(base, &p, false, (0, 0))?;
                if st.mode & ftype::S_IFMT == ftype::S_IFLNK {
                    return Err(Errno::Eopnotsupp);
                }
            }
            self.fs.chmod(base, &p, mode)
        });
        r.map_or_else(Errno::ret, |()| 0)
    }

    /// fchmod (91).
    pub(in crate::linux) fn fchmod(&mut self, fd: u64, mode: u64) -> i64 {
        let r = self
            .fd_node(fd)
            .and_then(|n| self.fs.fchmod(n, (mode & 0o7777) as u32));
        r.map_or_else(Errno::ret, |()| 0)
    }

    /// chown (92), lchown (94) and fchownat (260); an id of -1 is left as it is.
    pub(in crate::linux) fn fchownat(
        &mut self,
        dirfd: u64,
        path: u64,
        (uid, gid): (u64, u64),
        flags: u64,
    ) -> i64 {
        if flags & !(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH) != 0 {
            return Errno::Einval.ret();
        }
        let owner = (id_arg(uid), id_arg(gid));
        let r = self.path_arg(path).and_then(|p| {
            if p.is_empty() && flags & AT_EMPTY_PATH != 0 {
                let node = self.fd_node(dirfd)?;
                return self.fs.fchown(node, owner);
            }
            let base = self.at_base(dirfd, &p)?;
            self.fs
                .chown(base, &p, owner, flags & AT_SYMLINK_NOFOLLOW == 0)
        });
        r.map_or_else(Errno::ret, |()| 0)
    }

    /// fchown (93).
    pub(in crate::linux) fn fchown(&mut self, fd: u64, uid: u64, gid: u64) -> i64 {
        let owner = (id_arg(uid), id_arg(gid));
        let r = self.fd_node(fd).and_then(|n| self.fs.fchown(n, owner));
        r.map_or_else(Errno::ret, |()| 0)
    }

    /// utimensat (280), fs/utimes.c: `times` NULL sets both to now, a tv_nsec of UTIME_NOW
    /// or UTIME_OMIT one of them; other tv_nsec values outside 0..10^9 are EINVAL. A NULL
    /// path is futimens on `dirfd`. "Now" is the simulated clock's CLOCK_REALTIME.
    pub(in crate::linux) fn utimensat(
        &mut self,
        dirfd: u64,
        path: u64,
        times: u64,
        flags: u64,
    ) -> i64 {
        self.utimensat_inner(dirfd, path, times, flags)
            .map_or_else(Errno::ret, |()| 0)
    }

    fn utimensat_inner(
        &mut self,
        dirfd: u64,
        path: u64,
        times: u64,
        flags: u64,
    ) -> Result<(), Errno> {
        if flags & !(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH) != 0 {
            return Err(Errno::Einval);
        }
        let now = self.realtime_ns();
        let now = FileTime::At((now / 1_000_000_000) as i64, (now % 1_000_000_000) as i64);
        let set = if times == 0 {
            [now; 2]
        } else {
            let b = self.copy_in(times, 32).map_err(|_| Errno::Efault)?;
            let word = |i: usize| {
                let mut w = [0u8; 8];
                w.copy_from_slice(&b[i * 8..i * 8 + 8]);
                i64::from_le_bytes(w)
            };
            let mut out = [FileTime::Omit; 2];
            for (k, t) in out.iter_mut().enumerate() {
                let (s, ns) = (word(2 * k), word(2 * k + 1));
                *t = match ns {
                    UTIME_NOW => now,
                    UTIME_OMIT => FileTime::Omit,
                    0..=999_999_999 => FileTime::At(s, ns),
                    _ => return Err(Errno::Einval),
                };
            }
            out
        };
        if path == 0 {
            // futimens: the descriptor itself (AT_SYMLINK_NOFOLLOW is EINVAL with it).
            if flags & AT_SYMLINK_NOFOLLOW != 0 {
                return Err(Errno::Einval);
            }
            if dirfd == AT_FDCWD {
                return Err(Errno::Efault);
            }
            let node = self.fd_node(dirfd)?;
            return self.fs.futimens(node, set);
        }
        let p = self.path_arg(path)?;
        if p.is_empty() && flags & AT_EMPTY_PATH != 0 {
            let node = self.fd_node(dirfd)?;
            return self.fs.futimens(node, set);
        }
        let base = self.at_base(dirfd, &p)?;
        if set == [FileTime::Omit; 2] {
            // Both omitted: nothing to change, but the path must resolve.
            return self
                .fs
                .stat(base, &p, flags & AT_SYMLINK_NOFOLLOW == 0, (0, 0))
                .map(|_| ());
        }
        self.fs
            .utimens(base, &p, set, flags & AT_SYMLINK_NOFOLLOW == 0)
    }

    /// truncate (76), fs/open.c `do_sys_truncate`: the file a path names (a last link
    /// followed) is opened for writing, as the call checks write permission, and cut or
    /// extended; a directory is EISDIR, a negative length EINVAL.
    pub(in crate::linux) fn truncate(&mut self, path: u64, len: u64) -> i64 {
        if (len as i64) < 0 {
            return Errno::Einval.ret();
        }
        let r = self.path_arg(path).and_then(|p| {
            let base = self.at_base(AT_FDCWD, &p)?;
            let o = self.fs.open(base, &p, super::vfs::oflags::O_WRONLY, 0)?;
            let cached = self.cache_sync_node(o.node);
            let r = self.fs.truncate(o.node, len);
            if let (Ok(()), Some(slot)) = (&r, cached) {
                self.cache_truncated(slot, len);
            }
            self.fs.close(o.node);
            r
        });
        r.map_or_else(Errno::ret, |()| 0)
    }
}

/// A uid or gid argument: -1 (as a 32-bit value) keeps the current one.
fn id_arg(v: u64) -> Option<u32> {
    let id = v as u32;
    (id != u32::MAX).then_some(id)
}
