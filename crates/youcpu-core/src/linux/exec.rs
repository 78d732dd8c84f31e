//! execve inside the simulation (fs/exec.c `do_execveat_common`, `bprm_execve`,
//! `begin_new_exec`): the path, argv and envp are read from the caller's memory, the Part 3
//! model ([`crate::exec::execve()`]) decides what runs, over the kernel's own file system
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
use super::fs::vfs::ExecView;
use super::mm::AddressSpace;
use super::process::Block;
use super::sigframe::Resume;
use super::vma::VmaKind;
use super::Linux;
use crate::exec::namei::Cred;
use crate::exec::{ExecRequest, Failure};
use crate::mmu::phys::PAGE_SIZE;

/// `MAX_ARG_STRINGS`, bounded further by the model's limit: argv or envp longer than this
/// is E2BIG.
pub const MAX_ARG_STRINGS: usize = 1 << 16;

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

    /// The Part 3 model's execve over this kernel's file system (its verdicts traced).
    fn exec_model(&mut self, req: &ExecRequest) -> crate::exec::ExecOutcome {
        let root = self.fs.root();
        let ids = (self.uid as u32, self.gid as u32);
        let out = {
            // The kernel's file system (the host's files or the in-memory tree) as the
            // model sees it, from the process's root.
            let view = ExecView::at(&mut *self.fs, root, ids);
            crate::exec::execve(&view, req)
        };
        self.trace_binfmt(&out.steps);
        out
    }

    /// The first execve, made from outside the simulation (as the kernel's `kernel_execve`
    /// starts init): the same model as the guest's own `execve` system call picks what runs (binfmt_misc,
    /// `#!` scripts, ELF and its PT_INTERP), from the working directory, then the process is
    /// loaded and set at its first instruction. `args` gives argv, envp and the credentials;
    /// its `execfn` is replaced by `path`. Errors name the errno execve would return and the
    /// model's reason.
    pub fn spawn(
        &mut self,
        path: &[u8],
        args: &crate::loader::ExecArgs,
    ) -> Result<&crate::loader::LoadInfo, super::Error> {
        use super::Error;
        let shown = String::from_utf8_lossy(path).into_owned();
        self.uid = args.uid;
        self.gid = args.gid;
        let mut req = ExecRequest::new(path, args.argv.clone(), args.envp.clone());
        req.cwd = self.fs.path_of(self.cwd).unwrap_or_else(|| b"/".to_vec());
        req.cred = Cred {
            uid: args.uid as u32,
            gids: vec![args.gid as u32],
        };
        let out = self.exec_model(&req);
        let loaded = match out.result {
            Ok(l) => l,
            Err(Failure::Errno(e)) => {
                let why = out
                    .steps
                    .iter()
                    .rev()
                    .find(|s| s.kind == crate::exec::trace::StepKind::Fail)
                    .or(out.steps.last())
                    .map(|s| s.text.clone())
                    .unwrap_or_default();
                return Err(Error::Refused {
                    path: shown,
                    errno: e,
                    reason: why,
                });
            }
            Err(Failure::Unavailable(w)) => {
                return Err(Error::Unavailable {
                    path: shown,
                    why: w,
                })
            }
        };
        let lossy = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        let program = self
            .read_file(&loaded.executable)
            .map_err(|errno| Error::Read {
                path: lossy(&loaded.executable),
                errno,
                interp_of: None,
            })?;
        let interp = match &loaded.elf_interp {
            Some(p) => Some(self.read_file(p).map_err(|errno| Error::Read {
                path: lossy(p),
                errno,
                interp_of: Some(shown.clone()),
            })?),
            None => None,
        };
        let a = crate::loader::ExecArgs {
            argv: loaded.argv.clone(),
            envp: loaded.envp.clone(),
            execfn: loaded.filename.clone(),
            uid: args.uid,
            gid: args.gid,
            random_seed: args.random_seed,
        };
        self.exec(&program, interp.as_deref(), &a)?;
        self.exe = loaded.executable.clone();
        self.trace_exec(&loaded.filename, &loaded.argv);
        self.load.as_ref().ok_or_else(|| {
            Error::Load(crate::loader::LoadError::new(
                Errno::Efault,
                "the loader left no record",
            ))
        })
    }

    /// Puts a file into the file system at the absolute `path` with permissions `perm`,
    /// making its missing directories (0755) on the way: how a page gives the simulated
    /// kernel the files a reader picked or dropped.
    pub fn install_file(&mut self, path: &[u8], bytes: &[u8], perm: u32) -> Result<(), Errno> {
        let root = self.fs.root();
        let mut at = 0;
        while let Some(i) = path.iter().skip(at + 1).position(|&c| c == b'/') {
            let dir = path.get(..at + 1 + i).unwrap_or_default();
            match self.fs.mkdir(root, dir, 0o755) {
                Ok(()) | Err(Errno::Eexist) => {}
                Err(e) => return Err(e),
            }
            at += 1 + i;
        }
        // O_WRONLY | O_CREAT | O_TRUNC
        let o = self.fs.open(root, path, 0o1101, perm)?;
        let r = self.fs.write(o.node, 0, bytes);
        self.fs.close(o.node);
        r.map(|_| ())
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
    ) -> Result<(), Errno> {
        const AT_SYMLINK_NOFOLLOW: u64 = 0x100;
        const AT_EMPTY_PATH: u64 = 0x1000;
        if flags & !(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH) != 0 {
            return Err(Errno::Einval);
        }
        let name = self.user_string(path, 4095, Errno::Enametoolong)?;
        let argv = self.user_strings(argv)?;
        let envp = self.user_strings(envp)?;
        // The directory relative paths start from, as an absolute path for the model.
        let base = match dirfd {
            Some(fd) if name.first() != Some(&b'/') && fd as i32 != super::fs::calls::AT_FDCWD => {
                let f = self.fds.get(fd).ok_or(Errno::Ebadf)?;
                match self.files.get(f.file).map(|f| f.kind) {
                    Some(super::fs::FileKind::Dir { ino }) => ino,
                    // execveat(fd, "", AT_EMPTY_PATH) of an open file (fexecve) is not
                    // modelled: the kernel keeps no path for it here.
                    Some(super::fs::FileKind::File { .. })
                        if name.is_empty() && flags & AT_EMPTY_PATH != 0 =>
                    {
                        return Err(Errno::Enosys)
                    }
                    _ => return Err(Errno::Enotdir),
                }
            }
            _ => self.cwd,
        };
        let cwd = self.fs.path_of(base).ok_or(Errno::Enoent)?;
        let mut req = ExecRequest::new(&name, argv, envp);
        req.cwd = cwd;
        let ids = (self.uid as u32, self.gid as u32);
        req.cred = Cred {
            uid: ids.0,
            gids: vec![ids.1],
        };
        let out = self.exec_model(&req);
        let loaded = match out.result {
            Ok(l) => l,
            Err(Failure::Errno(e)) => return Err(e),
            Err(Failure::Unavailable(_)) => return Err(Errno::Eio),
        };
        let program = self.read_file(&loaded.executable)?;
        let interp = match &loaded.elf_interp {
            Some(p) => Some(self.read_file(p)?),
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
                Err(e) => {
                    mm.destroy(&mut self.m.mmu);
                    return Err(e.errno);
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
        self.trace_exec(&loaded.filename, &loaded.argv);
        self.sig.resume = Some(Box::new(Resume::Exec {
            rip: info.start,
            rsp: info.stack.sp,
        }));
        self.load = Some(info);
        self.name_elf_regions();
        let me = self.pid;
        if let Some(ppid) = self.procs.get(&me).map(|p| p.ppid) {
            self.wake(ppid, |b| b == Block::Vfork { child: me });
        }
        Ok(())
    }
}

impl Linux {
    /// Names the ELF file pages exec mapped as /proc/PID/maps shows them (d_path of the
    /// mapped file): the program's by its absolute path (what /proc/self/exe names, `exe`),
    /// the interpreter's by the absolute path its PT_INTERP resolves to. The BSS pages past
    /// the file's stay anonymous, without a name.
    pub(super) fn name_elf_regions(&mut self) {
        let Some(info) = self.load.as_ref() else {
            return;
        };
        let exe = String::from_utf8_lossy(&self.exe).into_owned();
        let interp = info.interp.as_deref().map_or(String::new(), |p| {
            let c = self.fs.canonical(self.cwd, p.as_bytes());
            String::from_utf8_lossy(&c.unwrap_or_else(|_| p.as_bytes().to_vec())).into_owned()
        });
        for v in self.mm.vmas.iter_mut().filter(|v| v.kind == VmaKind::Elf) {
            let seg = info.segments.iter().find(|s| {
                let p =
                    crate::loader::pages::SegmentPages::of(s.vaddr, s.filesz, s.memsz, s.offset);
                p.start <= v.start && v.end <= p.file_end
            });
            if let Some(s) = seg {
                v.name = if s.interp {
                    interp.clone()
                } else {
                    exe.clone()
                };
            }
        }
    }
}
