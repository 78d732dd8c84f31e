//! execve inside the simulation (fs/exec.c `do_execveat_common`, `bprm_execve`,
//! `begin_new_exec`): the path, argv and envp are read from the caller's memory, the Part 3
//! model ([`crate::exec::execve`]) decides what runs, over the kernel's own file system
//! (binfmt_misc entries, `#!` scripts and their interpreters, the ELF checks, the errno of
//! every refusal), and the ELF file it settles on is loaded by [`crate::loader`] into a new
//! address space. Then the point of no return (`begin_new_exec`): the old address space
//! goes, descriptors marked close-on-exec are closed (`do_close_on_exec`), caught signals go
//! back to SIG_DFL while ignored ones stay ignored (`flush_signal_handlers`), the alternate
//! signal stack is dropped, the blocked mask and pending signals are kept, and the process
//! keeps its pid, parent, cwd and umask. A vfork parent waking is `mm_release`'s
//! `complete_vfork_done`. The new program starts as `start_thread` leaves it: RIP at the
//! entry point, RSP at argc, every other register zero, the FPU initial.
//!
//! Failures before the point of no return return the error; a program the model accepts but
//! the loader cannot map fails with ENOEXEC (the kernel, past that point, would kill with
//! SIGSEGV; the loader checks before touching the old address space, so the caller lives on).

use super::errno::Errno;
use super::fs::memfs::{MemFs, Node, ROOT};
use super::mm::AddressSpace;
use super::process::Block;
use super::sigframe::Resume;
use super::Linux;
use crate::exec::fs::{FileKind, FileSystem, FsError, Meta};
use crate::exec::namei::Cred;
use crate::exec::{ExecRequest, Failure};
use crate::mmu::phys::PAGE_SIZE;

/// `MAX_ARG_STRINGS`, bounded further by the model's limit: argv or envp longer than this
/// is E2BIG.
pub const MAX_ARG_STRINGS: usize = 1 << 16;

/// The kernel's file system as the execve model sees it: absolute, normalised paths
/// resolved from the root; files owned by the caller (the in-memory file system keeps no
/// owners).
struct View<'a> {
    fs: &'a MemFs,
    uid: u32,
    gid: u32,
}

impl FileSystem for View<'_> {
    fn lstat(&self, path: &[u8]) -> Result<Meta, FsError> {
        let ino = self.fs.resolve(ROOT, path).map_err(|_| FsError::NotFound)?;
        let i = self.fs.get(ino).ok_or(FsError::NotFound)?;
        let (kind, size) = match &i.node {
            Node::File { data } => (FileKind::Regular, data.len() as u64),
            Node::Dir { .. } => (FileKind::Directory, 0),
            Node::Null => (FileKind::Other, 0),
        };
        Ok(Meta {
            kind,
            mode: i.perm,
            uid: self.uid,
            gid: self.gid,
            size,
        })
    }

    fn read_link(&self, _path: &[u8]) -> Result<Vec<u8>, FsError> {
        // The in-memory file system has no symbolic links.
        Err(FsError::NotFound)
    }

    fn read_at(&self, path: &[u8], offset: u64, len: usize) -> Result<Vec<u8>, FsError> {
        let ino = self.fs.resolve(ROOT, path).map_err(|_| FsError::NotFound)?;
        self.fs
            .read(ino, offset, len)
            .map(<[u8]>::to_vec)
            .map_err(|e| FsError::Unavailable(e.message().to_string()))
    }
}

impl Linux {
    /// A NUL-terminated string of at most `max` bytes (its NUL excluded) at `addr`
    /// (`strncpy_from_user`); EFAULT on a bad address, `too_long` past `max`.
    fn user_string(&mut self, addr: u64, max: usize, too_long: Errno) -> Result<Vec<u8>, Errno> {
        let mut out = Vec::new();
        let mut a = addr;
        loop {
            let chunk = (PAGE_SIZE - (a & (PAGE_SIZE - 1))) as usize;
            let b = self.copy_in(a, chunk as u64).map_err(|_| Errno::Efault)?;
            if let Some(n) = b.iter().position(|&c| c == 0) {
                out.extend_from_slice(b.get(..n).unwrap_or(&[]));
                return if out.len() > max {
                    Err(too_long)
                } else {
                    Ok(out)
                };
            }
            out.extend_from_slice(&b);
            if out.len() > max {
                return Err(too_long);
            }
            a = a.checked_add(chunk as u64).ok_or(Errno::Efault)?;
        }
    }

    /// argv or envp: pointers up to a NULL one (a NULL array is empty).
    fn user_strings(&mut self, addr: u64) -> Result<Vec<Vec<u8>>, Errno> {
        let mut v = Vec::new();
        if addr == 0 {
            return Ok(v);
        }
        loop {
            let p = addr.checked_add(8 * v.len() as u64).ok_or(Errno::Efault)?;
            let b = self.copy_in(p, 8).map_err(|_| Errno::Efault)?;
            let mut w = [0u8; 8];
            w.copy_from_slice(b.get(..8).unwrap_or(&[0; 8]));
            let s = u64::from_le_bytes(w);
            if s == 0 {
                return Ok(v);
            }
            if v.len() >= MAX_ARG_STRINGS {
                return Err(Errno::E2big);
            }
            let max = crate::exec::binprm::MAX_ARG_STRLEN - 1;
            v.push(self.user_string(s, max, Errno::E2big)?);
        }
    }

    /// execve(path, argv, envp) (59) and execveat(dirfd, path, argv, envp, flags) (322; a
    /// relative path from `dirfd`, AT_EMPTY_PATH (0x1000) to run `dirfd` itself,
    /// AT_SYMLINK_NOFOLLOW (0x100) accepted: there are no links). Returns only on failure;
    /// on success the new program's registers are loaded on the way back to ring 3.
    pub(super) fn sys_execve(
        &mut self,
        dirfd: Option<u64>,
        path: u64,
        argv: u64,
        envp: u64,
        flags: u64,
    ) -> i64 {
        match self.execve_inner(dirfd, path, argv, envp, flags) {
            Ok(()) => 0,
            Err(e) => e.ret(),
        }
    }

    fn execve_inner(
        &mut self,
        dirfd: Option<u64>,
        path: u64,
        argv: u64,
        envp: u64,
        flags: u64,
    ) -> Result<(), Errno> {
        const AT_SYMLINK_NOFOLLOW: u64 = 0x100;
        const AT_EMPTY_PATH: u64 = 0x1000;
        if flags & !(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH) != 0 {
            return Err(Errno::Einval);
        }
        let name = self.user_string(path, super::fs::memfs::PATH_MAX - 1, Errno::Enametoolong)?;
        let argv = self.user_strings(argv)?;
        let envp = self.user_strings(envp)?;
        // The directory relative paths start from, as an absolute path for the model.
        let base = match dirfd {
            Some(fd) if name.first() != Some(&b'/') && fd as i32 != super::fs::calls::AT_FDCWD => {
                let f = self.fds.get(fd).ok_or(Errno::Ebadf)?;
                match self.files.get(f.file).map(|f| f.kind) {
                    Some(super::fs::FileKind::Dir { ino }) => ino,
                    Some(super::fs::FileKind::File { ino })
                        if name.is_empty() && flags & AT_EMPTY_PATH != 0 =>
                    {
                        ino
                    }
                    _ => return Err(Errno::Enotdir),
                }
            }
            _ => self.cwd,
        };
        let (cwd, name) = if name.is_empty() && flags & AT_EMPTY_PATH != 0 && base != self.cwd {
            // execveat(fd, "", ..., AT_EMPTY_PATH): the open file itself, by its path.
            let dir_of = |fs: &MemFs, ino: usize| -> Option<(Vec<u8>, Vec<u8>)> {
                (0..super::fs::memfs::MAX_INODES).find_map(|d| {
                    let list = fs.list(d).ok()?;
                    let (n, _, _) = list
                        .into_iter()
                        .find(|(n, i, _)| *i == ino && n != b"." && n != b"..")?;
                    Some((fs.path_of(d)?, n))
                })
            };
            dir_of(&self.fs, base).ok_or(Errno::Enoent)?
        } else {
            (self.fs.path_of(base).ok_or(Errno::Enoent)?, name)
        };
        let mut req = ExecRequest::new(&name, argv, envp);
        req.cwd = cwd;
        req.cred = Cred {
            uid: self.uid as u32,
            gids: vec![self.gid as u32],
        };
        let view = View {
            fs: &self.fs,
            uid: self.uid as u32,
            gid: self.gid as u32,
        };
        let out = crate::exec::execve(&view, &req);
        let loaded = match out.result {
            Ok(l) => l,
            Err(Failure::Errno(e)) => return Err(e),
            Err(Failure::Unavailable(_)) => return Err(Errno::Eio),
        };
        let read_all = |fs: &MemFs, p: &[u8]| -> Result<Vec<u8>, Errno> {
            let ino = fs.resolve(ROOT, p)?;
            fs.read(ino, 0, usize::MAX).map(<[u8]>::to_vec)
        };
        let program = read_all(&self.fs, &loaded.executable)?;
        let interp = match &loaded.elf_interp {
            Some(p) => Some(read_all(&self.fs, p)?),
            None => None,
        };
        let args = crate::loader::ExecArgs {
            argv: loaded.argv.clone(),
            envp: loaded.envp.clone(),
            execfn: loaded.filename.clone(),
            uid: self.uid,
            gid: self.gid,
            random_seed: self.random_state,
        };
        // The new address space is built beside the old one, which stays until it is done.
        let mut mm =
            AddressSpace::new(&mut self.m.mmu, Some(self.mm.cr3)).map_err(|_| Errno::Enomem)?;
        let info =
            match crate::loader::load(&mut self.m.mmu, &mut mm, &program, interp.as_deref(), &args)
            {
                Ok(i) => i,
                Err(_) => {
                    mm.destroy(&mut self.m.mmu);
                    return Err(Errno::Enoexec);
                }
            };
        // The point of no return.
        let mut old = std::mem::replace(&mut self.mm, mm);
        old.destroy(&mut self.m.mmu);
        self.m.cpu.s.cr3 = self.mm.cr3;
        self.m.cpu.sync_paging(&mut self.m.mmu);
        self.m.cpu.icache.clear();
        let closing = self.fds.take_cloexec();
        self.fput_all(closing);
        self.sig = self.sig.exec();
        // /proc/self/exe names the ELF file that runs (an interpreter, for a script).
        self.exe = loaded.executable.clone();
        self.sig.resume = Some(Box::new(Resume::Exec {
            rip: info.start,
            rsp: info.stack.sp,
        }));
        self.load = Some(info);
        let me = self.pid;
        if let Some(ppid) = self.procs.get(&me).map(|p| p.ppid) {
            self.wake(ppid, |b| b == Block::Vfork { child: me });
        }
        Ok(())
    }
}
