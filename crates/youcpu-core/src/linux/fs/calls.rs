//! The file system calls on descriptors (fs/open.c, fs/read_write.c, fs/stat.c, fs/pipe.c,
//! fs/fcntl.c) over [`super::memfs`], [`super::pipe`] and the console; paths: [`super::dir`].
//! Permissions are not checked (every process may read and write every file).

use super::pipe::PIPE_SIZE;
use super::vfs::{Stat, Vfs};
use super::{FileKind, OpenFile};
use crate::linux::errno::Errno;
use crate::linux::process::Block;
use crate::linux::Linux;

/// openat's AT_FDCWD.
pub const AT_FDCWD: i32 = -100;
/// O_ACCMODE.
const O_ACCMODE: u64 = 3;
const O_WRONLY: u64 = 1;
const O_RDWR: u64 = 2;
const O_APPEND: u64 = 0o2000;
const O_NONBLOCK: u64 = 0o4000;
const O_CLOEXEC: u64 = 0o2000000;
const O_PATH: u64 = 0o10000000;
const O_TMPFILE: u64 = 0o20000000;
/// AT_EMPTY_PATH (fstatat on the descriptor itself).
const AT_EMPTY_PATH: u64 = 0x1000;
/// The largest single read or write served (Linux caps at MAX_RW_COUNT, about 2 GiB).
pub(super) const MAX_RW: u64 = 16 << 20;

fn readable(f: &OpenFile) -> bool {
    f.flags & O_ACCMODE != O_WRONLY && f.flags & O_PATH == 0
}

fn writable(f: &OpenFile) -> bool {
    matches!(f.flags & O_ACCMODE, O_WRONLY | O_RDWR) && f.flags & O_PATH == 0
}

impl Linux {
    /// Drops one reference to open file description `i`; the last one releases the inode
    /// or the pipe end (and wakes whoever waits on the other end).
    pub(in crate::linux) fn fput(&mut self, i: usize) {
        let Some(f) = self.files.put(i) else {
            return;
        };
        match f.kind {
            FileKind::File { ino } | FileKind::Dir { ino } => self.fs.close(ino),
            FileKind::PipeRead { pipe } | FileKind::PipeWrite { pipe } => {
                self.pipes
                    .close_end(pipe, matches!(f.kind, FileKind::PipeWrite { .. }));
                self.wake_all(Block::Pipe { pipe });
            }
            _ => {}
        }
    }

    /// Closes a list of descriptions (exit, exec's close-on-exec).
    pub(in crate::linux) fn fput_all(&mut self, files: Vec<usize>) {
        for f in files {
            self.fput(f);
        }
    }

    pub(super) fn path_arg(&mut self, addr: u64) -> Result<Vec<u8>, Errno> {
        let mut out = Vec::new();
        for chunk in 0..(super::memfs::PATH_MAX as u64 / 256) {
            let mut b = [0u8; 256];
            let a = addr.checked_add(chunk * 256).ok_or(Errno::Efault)?;
            // Byte by byte at a page end: the string may stop before an unmapped page.
            for (k, slot) in b.iter_mut().enumerate() {
                let mut one = [0u8; 1];
                let at = a + k as u64;
                // A page not present is brought in, as strncpy_from_user's fault does.
                if self.m.mmu.read_bytes(at, &mut one, true).is_err() {
                    self.fault_in(at, false);
                    self.m
                        .mmu
                        .read_bytes(at, &mut one, true)
                        .map_err(|_| Errno::Efault)?;
                }
                *slot = one[0];
                if one[0] == 0 {
                    out.extend_from_slice(b.get(..k).unwrap_or(&[]));
                    return Ok(out);
                }
            }
            out.extend_from_slice(&b);
        }
        Err(Errno::Enametoolong)
    }

    /// A call on two (dirfd, path) arguments such as renameat or linkat: each path read from
    /// the caller's memory with the directory it starts from, then `call` on the file system;
    /// RAX gets 0 or -errno.
    pub(super) fn on_two_paths(
        &mut self,
        (odfd, opath): (u64, u64),
        (ndfd, npath): (u64, u64),
        call: impl FnOnce(&mut dyn Vfs, (usize, &[u8]), (usize, &[u8])) -> Result<(), Errno>,
    ) -> i64 {
        let r = (|| {
            let op = self.path_arg(opath)?;
            let np = self.path_arg(npath)?;
            let ob = self.at_base(odfd, &op)?;
            let nb = self.at_base(ndfd, &np)?;
            call(self.fs.as_mut(), (ob, &op), (nb, &np))
        })();
        r.map_or_else(Errno::ret, |()| 0)
    }

    /// The directory a *at call starts from: the cwd for AT_FDCWD or an absolute path, else
    /// the directory open at `dirfd`.
    pub(super) fn at_base(&self, dirfd: u64, path: &[u8]) -> Result<usize, Errno> {
        if path.first() == Some(&b'/') || dirfd as i32 == AT_FDCWD {
            return Ok(self.cwd);
        }
        let f = self.fds.get(dirfd).ok_or(Errno::Ebadf)?;
        match self.files.get(f.file).map(|f| f.kind) {
            Some(FileKind::Dir { ino }) => Ok(ino),
            _ => Err(Errno::Enotdir),
        }
    }

    /// open (2) and openat (257).
    pub(in crate::linux) fn openat(&mut self, dirfd: u64, path: u64, flags: u64, mode: u64) -> i64 {
        self.openat_inner(dirfd, path, flags, mode)
            .unwrap_or_else(Errno::ret)
    }

    fn openat_inner(&mut self, dirfd: u64, path: u64, flags: u64, mode: u64) -> Result<i64, Errno> {
        let path = self.path_arg(path)?;
        if flags & O_ACCMODE == 3 || flags & O_TMPFILE == O_TMPFILE {
            return Err(Errno::Einval);
        }
        let mut path = path;
        match self.proc_path(&path) {
            Some(Err(e)) => return Err(e),
            Some(Ok(super::procfs::ProcPath::Maps(pid))) => {
                // The file's mode is 0444 (fs/proc/base.c `REG("maps", S_IRUGO, ...)`).
                if flags & O_ACCMODE != 0 {
                    return Err(Errno::Eacces);
                }
                let keep = flags & (O_ACCMODE | O_NONBLOCK | O_PATH);
                let file = self.files.open(FileKind::ProcMaps { pid }, keep);
                return match self.fds.install(file, flags & O_CLOEXEC != 0) {
                    Some(fd) => Ok(fd as i64),
                    None => {
                        self.fput(file);
                        Err(Errno::Emfile)
                    }
                };
            }
            // The magic link is followed to the program (fs/proc/base.c `proc_exe_link`).
            Some(Ok(super::procfs::ProcPath::Exe(exe))) => path = exe,
            None => {}
        }
        let base = self.at_base(dirfd, &path)?;
        let perm = (mode & 0o7777) as u32 & !self.umask;
        let o = self.fs.open(base, &path, flags, perm)?;
        let kind = if o.dir {
            FileKind::Dir { ino: o.node }
        } else {
            FileKind::File { ino: o.node }
        };
        let keep = flags & (O_ACCMODE | O_APPEND | O_NONBLOCK | O_PATH);
        let file = self.files.open(kind, keep);
        match self.fds.install(file, flags & O_CLOEXEC != 0) {
            Some(fd) => Ok(fd as i64),
            None => {
                self.fput(file);
                Err(Errno::Emfile)
            }
        }
    }

    /// The open file description at `fd`: its number and a copy.
    pub(super) fn open_file(&self, fd: u64) -> Result<(usize, OpenFile), Errno> {
        let fi = self.fds.get(fd).ok_or(Errno::Ebadf)?.file;
        Ok((fi, self.files.get(fi).ok_or(Errno::Ebadf)?.clone()))
    }

    /// Reads up to `len` bytes from `fd` at its position (or at `at`: pread64); `Ok(None)`
    /// means the call must sleep (an empty pipe with writers).
    fn read_bytes(&mut self, fd: u64, len: u64, at: Option<u64>) -> Result<Option<Vec<u8>>, Errno> {
        let (fi, f) = self.open_file(fd)?;
        if !readable(&f) {
            return Err(Errno::Ebadf);
        }
        let len = len.min(MAX_RW) as usize;
        match f.kind {
            FileKind::Stdin => {
                if self.stdin_read >= self.stdin.len() && self.stdin_open {
                    return if f.flags & O_NONBLOCK != 0 {
                        Err(Errno::Eagain)
                    } else {
                        Ok(None)
                    };
                }
                let start = self.stdin_read.min(self.stdin.len());
                let end = start.saturating_add(len).min(self.stdin.len());
                self.stdin_read = end;
                Ok(Some(self.stdin.get(start..end).unwrap_or(&[]).to_vec()))
            }
            FileKind::Stdout | FileKind::Stderr => Err(Errno::Ebadf),
            FileKind::Dir { .. } => Err(Errno::Eisdir),
            FileKind::PipeWrite { .. } => Err(Errno::Ebadf),
            FileKind::File { ino } => {
                let pos = at.unwrap_or(f.pos);
                // Stores through shared mappings of the file are in the page cache.
                self.cache_sync_node(ino);
                let data = self.fs.read(ino, pos, len)?;
                if at.is_none() {
                    if let Some(o) = self.files.get_mut(fi) {
                        o.pos = pos + data.len() as u64;
                    }
                }
                Ok(Some(data))
            }
            FileKind::ProcMaps { pid } => {
                // seq_file: the text as it is at this read, from the file position on.
                let pos = at.unwrap_or(f.pos);
                let text = self.maps_text(pid);
                let from = usize::try_from(pos).unwrap_or(usize::MAX).min(text.len());
                let data = text
                    .get(from..from.saturating_add(len).min(text.len()))
                    .unwrap_or(&[])
                    .to_vec();
                if at.is_none() {
                    if let Some(o) = self.files.get_mut(fi) {
                        o.pos = pos + data.len() as u64;
                    }
                }
                Ok(Some(data))
            }
            FileKind::PipeRead { pipe } => {
                if at.is_some() {
                    return Err(Errno::Espipe);
                }
                let nonblock = f.flags & O_NONBLOCK != 0;
                let Some(p) = self.pipes.get_mut(pipe) else {
                    return Err(Errno::Ebadf);
                };
                if p.buf.is_empty() {
                    return match (p.writers, nonblock) {
                        (0, _) => Ok(Some(Vec::new())),
                        (_, true) => Err(Errno::Eagain),
                        _ => Ok(None),
                    };
                }
                let n = len.min(p.buf.len());
                let data: Vec<u8> = p.buf.drain(..n).collect();
                self.wake_all(Block::Pipe { pipe });
                Ok(Some(data))
            }
        }
    }

    /// read (0) and pread64 (17).
    pub(in crate::linux) fn sys_read(
        &mut self,
        fd: u64,
        buf: u64,
        len: u64,
        at: Option<u64>,
    ) -> i64 {
        if at.is_some_and(|a| (a as i64) < 0) {
            return Errno::Einval.ret();
        }
        match self.read_bytes(fd, len, at) {
            Ok(Some(d)) => match self.copy_out(buf, &d) {
                Ok(()) => d.len() as i64,
                Err(e) => e,
            },
            Ok(None) => self.sleep_on_pipe(fd),
            Err(e) => e.ret(),
        }
    }

    fn sleep_on_pipe(&mut self, fd: u64) -> i64 {
        let kind = self
            .fds
            .get(fd)
            .and_then(|f| self.files.get(f.file))
            .map(|f| f.kind);
        self.block = match kind {
            Some(FileKind::PipeRead { pipe } | FileKind::PipeWrite { pipe }) => {
                Some(Block::Pipe { pipe })
            }
            Some(FileKind::Stdin) => Some(Block::Stdin),
            _ => None,
        };
        0
    }

    /// Writes `data` to `fd` (at `at` for pwrite64); `Ok(None)`: sleep (a full pipe).
    pub(in crate::linux) fn write_bytes(
        &mut self,
        fd: u64,
        data: &[u8],
        at: Option<u64>,
    ) -> Result<Option<usize>, Errno> {
        let (fi, f) = self.open_file(fd)?;
        if !writable(&f) {
            return Err(Errno::Ebadf);
        }
        match f.kind {
            FileKind::Stdout | FileKind::Stderr => {
                let r = self.out(f.kind, data);
                if r < 0 {
                    return Err(Errno::Efbig);
                }
                Ok(Some(data.len()))
            }
            FileKind::Stdin | FileKind::PipeRead { .. } | FileKind::ProcMaps { .. } => {
                Err(Errno::Ebadf)
            }
            FileKind::Dir { .. } => Err(Errno::Eisdir),
            FileKind::File { ino } => {
                let cached = self.cache_sync_node(ino);
                let pos = match at {
                    Some(a) => a,
                    None if f.flags & O_APPEND != 0 => self.fs.size(ino),
                    None => f.pos,
                };
                let n = self.fs.write(ino, pos, data)?;
                if let Some(slot) = cached {
                    self.cache_refresh(slot, pos, n as u64);
                }
                if at.is_none() {
                    if let Some(o) = self.files.get_mut(fi) {
                        o.pos = pos + n as u64;
                    }
                }
                Ok(Some(n))
            }
            FileKind::PipeWrite { pipe } => {
                if at.is_some() {
                    return Err(Errno::Espipe);
                }
                let Some(p) = self.pipes.get_mut(pipe) else {
                    return Err(Errno::Ebadf);
                };
                if p.readers == 0 {
                    // Nobody will read: SIGPIPE, and EPIPE if it is ignored or blocked.
                    self.send_signal(self.pid, 13);
                    return Err(Errno::Epipe);
                }
                let room = PIPE_SIZE - p.buf.len();
                if room == 0 || (data.len() <= 4096 && room < data.len()) {
                    return if f.flags & O_NONBLOCK != 0 {
                        Err(Errno::Eagain)
                    } else {
                        Ok(None)
                    };
                }
                // Up to PIPE_BUF (4096) bytes go in at once; more may be cut short.
                let n = room.min(data.len());
                p.buf.extend(data.iter().take(n));
                self.wake_all(Block::Pipe { pipe });
                Ok(Some(n))
            }
        }
    }

    /// write (1) and pwrite64 (18).
    pub(in crate::linux) fn sys_write(
        &mut self,
        fd: u64,
        buf: u64,
        len: u64,
        at: Option<u64>,
    ) -> i64 {
        if at.is_some_and(|a| (a as i64) < 0) {
            return Errno::Einval.ret();
        }
        if self.fds.get(fd).is_none() {
            return Errno::Ebadf.ret();
        }
        let data = match self.copy_in(buf, len.min(MAX_RW)) {
            Ok(d) => d,
            Err(e) => return e,
        };
        match self.write_bytes(fd, &data, at) {
            Ok(Some(n)) => n as i64,
            Ok(None) => self.sleep_on_pipe(fd),
            Err(e) => e.ret(),
        }
    }

    fn iovecs(&mut self, iov: u64, cnt: u64) -> Result<Vec<(u64, u64)>, i64> {
        if cnt > crate::linux::syscalls::UIO_MAXIOV {
            return Err(Errno::Einval.ret());
        }
        let raw = self.copy_in(iov, cnt * 16)?;
        Ok(raw
            .chunks_exact(16)
            .map(|c| {
                let w = |r: &[u8]| {
                    let mut b = [0u8; 8];
                    b.copy_from_slice(r.get(..8).unwrap_or(&[0; 8]));
                    u64::from_le_bytes(b)
                };
                (w(c), w(c.get(8..).unwrap_or(&[])))
            })
            .collect())
    }

    /// readv (19): fills the buffers in order until a short read.
    pub(in crate::linux) fn readv(&mut self, fd: u64, iov: u64, cnt: u64) -> i64 {
        let v = match self.iovecs(iov, cnt) {
            Ok(v) => v,
            Err(e) => return e,
        };
        let total: u64 = v.iter().fold(0u64, |a, (_, l)| a.saturating_add(*l));
        if (total as i64) < 0 {
            return Errno::Einval.ret();
        }
        let data = match self.read_bytes(fd, total, None) {
            Ok(Some(d)) => d,
            Ok(None) => return self.sleep_on_pipe(fd),
            Err(e) => return e.ret(),
        };
        let mut done = 0usize;
        for (base, len) in v {
            let n = (len as usize).min(data.len() - done);
            if let Err(e) = self.copy_out(base, data.get(done..done + n).unwrap_or(&[])) {
                return e;
            }
            done += n;
            if done == data.len() {
                break;
            }
        }
        done as i64
    }

    /// writev (20): the buffers gathered into one write.
    pub(in crate::linux) fn writev(&mut self, fd: u64, iov: u64, cnt: u64) -> i64 {
        if self.fds.get(fd).is_none() {
            return Errno::Ebadf.ret();
        }
        let v = match self.iovecs(iov, cnt) {
            Ok(v) => v,
            Err(e) => return e,
        };
        let mut data = Vec::new();
        for (base, len) in v {
            match self.copy_in(base, len) {
                Ok(d) => data.extend_from_slice(&d),
                Err(e) => return e,
            }
        }
        match self.write_bytes(fd, &data, None) {
            Ok(Some(n)) => n as i64,
            Ok(None) => self.sleep_on_pipe(fd),
            Err(e) => e.ret(),
        }
    }

    /// lseek (8): SEEK_SET, SEEK_CUR, SEEK_END; ESPIPE on pipes and the console.
    pub(in crate::linux) fn lseek(&mut self, fd: u64, off: u64, whence: u64) -> i64 {
        let Ok((fi, f)) = self.open_file(fd) else {
            return Errno::Ebadf.ret();
        };
        let size = match f.kind {
            FileKind::File { ino } | FileKind::Dir { ino } => self.fs.size(ino),
            // seq_lseek: SEEK_SET and SEEK_CUR only.
            FileKind::ProcMaps { .. } if whence == 2 => return Errno::Einval.ret(),
            FileKind::ProcMaps { .. } => 0,
            _ => return Errno::Espipe.ret(),
        };
        let base = match whence {
            0 => 0,
            1 => f.pos,
            2 => size,
            _ => return Errno::Einval.ret(),
        };
        let new = (base as i64).checked_add(off as i64);
        match new {
            Some(n) if n >= 0 => {
                if let Some(o) = self.files.get_mut(fi) {
                    o.pos = n as u64;
                }
                n
            }
            _ => Errno::Einval.ret(),
        }
    }

    /// The stat of an open file description's object. The console and pipes are FIFOs (as
    /// a shell's pipes are); times are 0.
    fn stat_of(&mut self, kind: FileKind) -> Result<Stat, Errno> {
        let ids = (self.uid as u32, self.gid as u32);
        let fifo = |ino: u64| Stat {
            dev: 0xc,
            ino,
            nlink: 1,
            mode: 0o010600,
            uid: ids.0,
            gid: ids.1,
            blksize: 4096,
            ..Stat::default()
        };
        match kind {
            FileKind::File { ino } | FileKind::Dir { ino } => self.fs.fstat(ino, ids),
            FileKind::PipeRead { pipe } | FileKind::PipeWrite { pipe } => {
                Ok(fifo(0x1000 + pipe as u64))
            }
            FileKind::ProcMaps { pid } => Ok(self.maps_stat(pid)),
            _ => Ok(fifo(0x10)),
        }
    }

    /// The stat of what `dirfd` and `path` name (fs/stat.c `vfs_statx`): the descriptor
    /// itself for `path` = None or an empty path with AT_EMPTY_PATH.
    fn stat_at(&mut self, dirfd: u64, path: Option<u64>, flags: u64) -> Result<Stat, Errno> {
        const AT_SYMLINK_NOFOLLOW: u64 = 0x100;
        let p = match path {
            None => None,
            Some(p) => Some(self.path_arg(p)?),
        };
        match p {
            Some(p) if !(p.is_empty() && flags & AT_EMPTY_PATH != 0) => {
                let p = match self.proc_path(&p) {
                    Some(Err(e)) => return Err(e),
                    Some(Ok(super::procfs::ProcPath::Maps(pid))) => return Ok(self.maps_stat(pid)),
                    // stat follows the magic link to the program; lstat would see the link,
                    // which the model does not make: ENOENT.
                    Some(Ok(super::procfs::ProcPath::Exe(exe))) => {
                        if flags & AT_SYMLINK_NOFOLLOW != 0 {
                            return Err(Errno::Enoent);
                        }
                        exe
                    }
                    None => p,
                };
                let base = self.at_base(dirfd, &p)?;
                let ids = (self.uid as u32, self.gid as u32);
                self.fs
                    .stat(base, &p, flags & AT_SYMLINK_NOFOLLOW == 0, ids)
            }
            _ => {
                let kind = self.file_kind(dirfd).ok_or(Errno::Ebadf)?;
                self.stat_of(kind)
            }
        }
    }

    /// statx (332): the basic stats (fs/stat.c `do_statx`).
    pub(in crate::linux) fn statx(
        &mut self,
        dirfd: u64,
        path: u64,
        flags: u64,
        _mask: u64,
        buf: u64,
    ) -> i64 {
        const AT_STATX_SYNC_TYPE: u64 = 0x6000;
        const VALID: u64 = 0x100 | 0x800 | AT_EMPTY_PATH | AT_STATX_SYNC_TYPE;
        if flags & !VALID != 0 || flags & AT_STATX_SYNC_TYPE == AT_STATX_SYNC_TYPE {
            return Errno::Einval.ret();
        }
        match self.stat_at(dirfd, Some(path), flags) {
            Ok(st) => match self.copy_out(buf, &st.to_statx()) {
                Ok(()) => 0,
                Err(e) => e,
            },
            Err(e) => e.ret(),
        }
    }

    /// fstat (5), stat (4), lstat (6) and newfstatat (262).
    pub(in crate::linux) fn fstatat(
        &mut self,
        dirfd: u64,
        path: Option<u64>,
        buf: u64,
        flags: u64,
    ) -> i64 {
        match self.stat_at(dirfd, path, flags) {
            Ok(st) => match self.copy_out(buf, &st.to_stat()) {
                Ok(()) => 0,
                Err(e) => e,
            },
            Err(e) => e.ret(),
        }
    }

    /// pipe (22) and pipe2 (293, O_CLOEXEC and O_NONBLOCK).
    pub(in crate::linux) fn pipe2(&mut self, fds: u64, flags: u64) -> i64 {
        if flags & !(O_CLOEXEC | O_NONBLOCK) != 0 {
            return Errno::Einval.ret();
        }
        let pipe = self.pipes.create();
        let nb = flags & O_NONBLOCK;
        let r = self.files.open(FileKind::PipeRead { pipe }, nb);
        let w = self.files.open(FileKind::PipeWrite { pipe }, O_WRONLY | nb);
        let cloexec = flags & O_CLOEXEC != 0;
        let Some(rfd) = self.fds.install(r, cloexec) else {
            self.fput(r);
            self.fput(w);
            return Errno::Emfile.ret();
        };
        let Some(wfd) = self.fds.install(w, cloexec) else {
            self.fds.remove(rfd);
            self.fput(r);
            self.fput(w);
            return Errno::Emfile.ret();
        };
        let mut out = [0u8; 8];
        out[..4].copy_from_slice(&(rfd as u32).to_le_bytes());
        out[4..].copy_from_slice(&(wfd as u32).to_le_bytes());
        if let Err(e) = self.copy_out(fds, &out) {
            for fd in [rfd, wfd] {
                if let Some(f) = self.fds.remove(fd) {
                    self.fput(f.file);
                }
            }
            return e;
        }
        0
    }

    /// fcntl (72): F_DUPFD (0), F_GETFD (1), F_SETFD (2), F_GETFL (3), F_SETFL (4: O_APPEND
    /// and O_NONBLOCK), F_DUPFD_CLOEXEC (1030).
    pub(in crate::linux) fn fcntl(&mut self, fd: u64, cmd: u64, arg: u64) -> i64 {
        let Some(d) = self.fds.get(fd) else {
            return Errno::Ebadf.ret();
        };
        match cmd {
            0 | 1030 => {
                if arg >= super::fd::MAX_FDS as u64 {
                    return Errno::Einval.ret();
                }
                match self.fds.install_from(arg, d.file, cmd == 1030) {
                    Some(n) => {
                        self.files.get_ref(d.file);
                        n as i64
                    }
                    None => Errno::Emfile.ret(),
                }
            }
            1 => i64::from(d.cloexec),
            2 => {
                self.fds.set_cloexec(fd, arg & 1 != 0);
                0
            }
            3 => self.files.get(d.file).map_or(0, |f| f.flags as i64),
            4 => {
                if let Some(f) = self.files.get_mut(d.file) {
                    f.flags =
                        (f.flags & !(O_APPEND | O_NONBLOCK)) | (arg & (O_APPEND | O_NONBLOCK));
                }
                0
            }
            _ => Errno::Einval.ret(),
        }
    }

    /// ftruncate (77) on a file open for writing.
    pub(in crate::linux) fn ftruncate(&mut self, fd: u64, len: u64) -> i64 {
        let f = self
            .fds
            .get(fd)
            .and_then(|f| self.files.get(f.file))
            .cloned();
        match f {
            None => Errno::Ebadf.ret(),
            Some(_) if (len as i64) < 0 => Errno::Einval.ret(),
            Some(f) if !writable(&f) => Errno::Einval.ret(),
            Some(OpenFile {
                kind: FileKind::File { ino },
                ..
            }) => {
                let cached = self.cache_sync_node(ino);
                match self.fs.truncate(ino, len) {
                    Ok(()) => {
                        if let Some(slot) = cached {
                            self.cache_truncated(slot, len);
                        }
                        0
                    }
                    Err(e) => e.ret(),
                }
            }
            Some(_) => Errno::Einval.ret(),
        }
    }

    /// ioctl (16): the terminal requests a C library makes (drivers/tty/tty_io.c and
    /// tty_ioctl.c): TCGETS, TCSETS/TCSETSW/TCSETSF, TIOCGWINSZ, TIOCGPGRP on a terminal;
    /// ENOTTY on anything else, as for a file or a pipe.
    pub(in crate::linux) fn ioctl(&mut self, fd: u64, cmd: u64, arg: u64) -> i64 {
        const TCGETS: u64 = 0x5401;
        const TCSETSF: u64 = 0x5404;
        const TIOCGPGRP: u64 = 0x540f;
        const TIOCGWINSZ: u64 = 0x5413;
        let Some(kind) = self.file_kind(fd) else {
            return Errno::Ebadf.ret();
        };
        let tty = match kind {
            FileKind::Stdin => self.terminal.is_tty[0],
            FileKind::Stdout => self.terminal.is_tty[1],
            FileKind::Stderr => self.terminal.is_tty[2],
            FileKind::File { ino } => self.fs.is_tty(ino),
            _ => false,
        };
        if !tty {
            return Errno::Enotty.ret();
        }
        let out = match cmd & 0xffff_ffff {
            TCGETS => {
                // struct termios (36 bytes) as a fresh terminal has it (`stty sane`):
                // ICRNL|IXON, OPOST|ONLCR, B38400|CS8|CREAD, ISIG|ICANON|ECHO|ECHOE|ECHOK|
                // ECHOCTL|ECHOKE|IEXTEN, then the control characters.
                let mut t = Vec::with_capacity(36);
                for w in [0x500u32, 0x5, 0xbf, 0x8a3b] {
                    t.extend_from_slice(&w.to_le_bytes());
                }
                t.push(0); // c_line
                t.extend_from_slice(&[
                    3, 0x1c, 0x7f, 0x15, 4, 0, 1, 0, 0x11, 0x13, 0x1a, 0, 0x12, 0xf, 0x17, 0x16, 0,
                    0, 0,
                ]);
                t
            }
            0x5402..=TCSETSF => return 0,
            TIOCGWINSZ => {
                let (r, c) = self.terminal.size;
                let mut w = Vec::with_capacity(8);
                for v in [r, c, 0, 0] {
                    w.extend_from_slice(&v.to_le_bytes());
                }
                w
            }
            TIOCGPGRP => {
                let pg = self.procs.get(&self.pid).map_or(self.pid, |p| p.pgid);
                pg.to_le_bytes().to_vec()
            }
            _ => return Errno::Enotty.ret(),
        };
        match self.copy_out(arg, &out) {
            Ok(()) => 0,
            Err(e) => e,
        }
    }
}
