//! The x86-64 Linux system calls a static program needs (arch/x86/entry/syscalls/
//! syscall_64.tbl numbers). Arguments arrive in RDI, RSI, RDX, R10, R8, R9; the result goes
//! to RAX, negative errno on failure.

use super::errno::Errno;
use super::fs::calls::AT_FDCWD;
use super::fs::FileKind;
use super::layout::MMAP_BASE;
use super::mm::{page_up, Prot, Vma, VmaKind};
use super::Linux;
use crate::mmu::phys::PAGE_SIZE;
use serde::Serialize;

/// One system call as the trace shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SyscallRecord {
    /// Number (RAX at entry).
    pub nr: u64,
    /// Name, or "unknown".
    pub name: &'static str,
    /// The six argument registers.
    pub args: [u64; 6],
    /// The result (negative errno on failure); `None` for exit.
    pub ret: Option<i64>,
    /// The calling process.
    pub pid: u32,
}

/// The name of a system call number.
pub fn name(nr: u64) -> &'static str {
    match nr {
        0 => "read",
        1 => "write",
        2 => "open",
        3 => "close",
        4 => "stat",
        5 => "fstat",
        6 => "lstat",
        7 => "poll",
        8 => "lseek",
        9 => "mmap",
        10 => "mprotect",
        11 => "munmap",
        26 => "msync",
        12 => "brk",
        13 => "rt_sigaction",
        14 => "rt_sigprocmask",
        15 => "rt_sigreturn",
        16 => "ioctl",
        17 => "pread64",
        18 => "pwrite64",
        19 => "readv",
        20 => "writev",
        21 => "access",
        22 => "pipe",
        32 => "dup",
        34 => "pause",
        35 => "nanosleep",
        36 => "getitimer",
        37 => "alarm",
        38 => "setitimer",
        33 => "dup2",
        23 => "select",
        24 => "sched_yield",
        25 => "mremap",
        28 => "madvise",
        39 => "getpid",
        56 => "clone",
        57 => "fork",
        58 => "vfork",
        59 => "execve",
        60 => "exit",
        61 => "wait4",
        62 => "kill",
        63 => "uname",
        72 => "fcntl",
        77 => "ftruncate",
        79 => "getcwd",
        80 => "chdir",
        81 => "fchdir",
        82 => "rename",
        83 => "mkdir",
        84 => "rmdir",
        87 => "unlink",
        89 => "readlink",
        95 => "umask",
        97 => "getrlimit",
        96 => "gettimeofday",
        99 => "sysinfo",
        102 => "getuid",
        104 => "getgid",
        107 => "geteuid",
        108 => "getegid",
        109 => "setpgid",
        110 => "getppid",
        111 => "getpgrp",
        112 => "setsid",
        121 => "getpgid",
        124 => "getsid",
        127 => "rt_sigpending",
        129 => "rt_sigqueueinfo",
        297 => "rt_tgsigqueueinfo",
        130 => "rt_sigsuspend",
        131 => "sigaltstack",
        158 => "arch_prctl",
        160 => "setrlimit",
        186 => "gettid",
        191 => "getxattr",
        192 => "lgetxattr",
        193 => "fgetxattr",
        194 => "listxattr",
        195 => "llistxattr",
        196 => "flistxattr",
        200 => "tkill",
        201 => "time",
        202 => "futex",
        217 => "getdents64",
        218 => "set_tid_address",
        228 => "clock_gettime",
        230 => "clock_nanosleep",
        231 => "exit_group",
        234 => "tgkill",
        247 => "waitid",
        257 => "openat",
        258 => "mkdirat",
        262 => "newfstatat",
        263 => "unlinkat",
        264 => "renameat",
        267 => "readlinkat",
        269 => "faccessat",
        270 => "pselect6",
        271 => "ppoll",
        273 => "set_robust_list",
        76 => "truncate",
        86 => "link",
        88 => "symlink",
        90 => "chmod",
        91 => "fchmod",
        92 => "chown",
        93 => "fchown",
        94 => "lchown",
        260 => "fchownat",
        265 => "linkat",
        266 => "symlinkat",
        268 => "fchmodat",
        280 => "utimensat",
        452 => "fchmodat2",
        292 => "dup3",
        293 => "pipe2",
        302 => "prlimit64",
        316 => "renameat2",
        332 => "statx",
        318 => "getrandom",
        322 => "execveat",
        334 => "rseq",
        435 => "clone3",
        439 => "faccessat2",
        _ => "unknown",
    }
}

/// Most bytes one process may write to stdout and stderr together (16 MiB).
pub const MAX_OUTPUT: usize = 16 << 20;
/// Most iovec entries in one writev (UIO_MAXIOV).
pub const UIO_MAXIOV: u64 = 1024;
/// Largest single anonymous mapping (bounded by guest memory anyway).
pub const MAX_MMAP: u64 = 1 << 36;

impl Linux {
    /// What descriptor `fd` refers to.
    pub(super) fn file_kind(&self, fd: u64) -> Option<FileKind> {
        let f = self.fds.get(fd)?;
        self.files.get(f.file).map(|f| f.kind)
    }

    pub(super) fn out(&mut self, kind: FileKind, data: &[u8]) -> i64 {
        if self.stdout.len() + self.stderr.len() + data.len() > MAX_OUTPUT {
            return Errno::Efbig.ret();
        }
        match kind {
            FileKind::Stdout => self.stdout.extend_from_slice(data),
            FileKind::Stderr => self.stderr.extend_from_slice(data),
            _ => return Errno::Ebadf.ret(),
        }
        data.len() as i64
    }

    /// Copies `len` bytes of user memory in (`copy_from_user`): a page not present yet is
    /// brought in first, as the fault in `copy_from_user` does ([`Self::fault_in`]); EFAULT
    /// where the process may not read.
    pub(super) fn copy_in(&mut self, addr: u64, len: u64) -> Result<Vec<u8>, i64> {
        if len > MAX_OUTPUT as u64 {
            return Err(Errno::Efbig.ret());
        }
        let mut buf = vec![0u8; len as usize];
        if self.m.mmu.read_bytes(addr, &mut buf, true).is_ok() {
            return Ok(buf);
        }
        for p in (addr & !(PAGE_SIZE - 1)..addr.saturating_add(len)).step_by(PAGE_SIZE as usize) {
            self.fault_in(p.max(addr), false);
        }
        self.m
            .mmu
            .read_bytes(addr, &mut buf, true)
            .map_err(|_| Errno::Efault.ret())?;
        Ok(buf)
    }

    /// Copies `data` out to user memory (`copy_to_user`): a page not present yet, or still
    /// shared copy-on-write, is fixed first ([`Self::fault_in`]); EFAULT where the process
    /// may not write.
    pub(super) fn copy_out(&mut self, addr: u64, data: &[u8]) -> Result<(), i64> {
        for p in (addr & !(PAGE_SIZE - 1)..addr.saturating_add(data.len() as u64))
            .step_by(PAGE_SIZE as usize)
        {
            if self
                .m
                .mmu
                .walk_traced(p.max(addr), crate::cpu::bus::Access::Write, true)
                .result
                .is_err()
            {
                self.fault_in(p.max(addr), true);
            }
        }
        self.m
            .mmu
            .write_bytes(addr, data, true)
            .map_err(|_| Errno::Efault.ret())
    }

    /// A kernel access to user memory faulted at `addr` (arch/x86/mm/fault.c
    /// `do_user_addr_fault` on behalf of `copy_{from,to}_user`): the page of a file region is
    /// read through the page cache ([`Self::file_fault`], `filemap_fault`; a store to a
    /// private one copies it), a page of an anonymous region is made, a copy-on-write page
    /// copied. Returns false where the access is not allowed or the page lies past the end
    /// of the file: the kernel's copy then fails with EFAULT (no signal: the fault was the
    /// kernel's, `kernelmode_fixup_or_oops`).
    pub(super) fn fault_in(&mut self, addr: u64, write: bool) -> bool {
        let e = crate::mmu::paging::leaf_entry(&self.m.mmu.phys, self.mm.cr3, false, addr);
        if e & crate::mmu::paging::pte::P == 0 {
            use super::pagecache::FileFault;
            match self.file_fault(addr, write, false) {
                FileFault::Mapped => return true,
                FileFault::PastEof | FileFault::OutOfMemory => return false,
                FileFault::NotFile => {}
            }
        }
        matches!(
            self.mm.fix_fault(&mut self.m.mmu, addr, write, false),
            Ok(true)
        )
    }

    /// Runs system call `nr` with `a`; returns RAX, or `None` when the process exited.
    pub(super) fn syscall(&mut self, nr: u64, a: [u64; 6]) -> Option<i64> {
        let r: i64 = match nr {
            0 => self.sys_read(a[0], a[1], a[2], None),
            1 => self.sys_write(a[0], a[1], a[2], None),
            17 => self.sys_read(a[0], a[1], a[2], Some(a[3])),
            18 => self.sys_write(a[0], a[1], a[2], Some(a[3])),
            19 => self.readv(a[0], a[1], a[2]),
            2 => self.openat(AT_FDCWD as u64, a[0], a[1], a[2]),
            257 => self.openat(a[0], a[1], a[2], a[3]),
            8 => self.lseek(a[0], a[1], a[2]),
            5 => self.fstatat(a[0], None, a[1], 0),
            4 => self.fstatat(AT_FDCWD as u64, Some(a[0]), a[1], 0),
            6 => self.fstatat(AT_FDCWD as u64, Some(a[0]), a[1], 0x100),
            191..=196 => self.xattr(nr, a[0]),
            99 => self.sysinfo(a[0]),
            96 => self.gettimeofday(a[0], a[1]),
            201 => self.time(a[0]),
            332 => self.statx(a[0], a[1], a[2], a[3], a[4]),
            262 => self.fstatat(a[0], Some(a[1]), a[2], a[3]),
            22 => self.pipe2(a[0], 0),
            293 => self.pipe2(a[0], a[1]),
            76 => self.truncate(a[0], a[1]),
            86 => self.linkat((AT_FDCWD as u64, a[0]), (AT_FDCWD as u64, a[1]), 0),
            265 => self.linkat((a[0], a[1]), (a[2], a[3]), a[4]),
            88 => self.symlinkat(a[0], AT_FDCWD as u64, a[1]),
            266 => self.symlinkat(a[0], a[1], a[2]),
            90 => self.fchmodat(AT_FDCWD as u64, a[0], a[1], 0),
            268 => self.fchmodat(a[0], a[1], a[2], 0),
            452 => self.fchmodat(a[0], a[1], a[2], a[3]),
            91 => self.fchmod(a[0], a[1]),
            92 => self.fchownat(AT_FDCWD as u64, a[0], (a[1], a[2]), 0),
            94 => self.fchownat(AT_FDCWD as u64, a[0], (a[1], a[2]), 0x100),
            260 => self.fchownat(a[0], a[1], (a[2], a[3]), a[4]),
            93 => self.fchown(a[0], a[1], a[2]),
            280 => self.utimensat(a[0], a[1], a[2], a[3]),
            72 => self.fcntl(a[0], a[1], a[2]),
            87 => self.unlinkat(AT_FDCWD as u64, a[0], 0),
            84 => self.unlinkat(AT_FDCWD as u64, a[0], 0x200),
            263 => self.unlinkat(a[0], a[1], a[2]),
            83 => self.mkdirat(AT_FDCWD as u64, a[0], a[1]),
            258 => self.mkdirat(a[0], a[1], a[2]),
            21 => self.faccessat(AT_FDCWD as u64, a[0], a[1], 0),
            269 => self.faccessat(a[0], a[1], a[2], 0),
            439 => self.faccessat(a[0], a[1], a[2], a[3]),
            77 => self.ftruncate(a[0], a[1]),
            79 => self.getcwd(a[0], a[1]),
            80 => self.chdir(Some(a[0]), 0),
            81 => self.chdir(None, a[0]),
            82 => self.renameat2((AT_FDCWD as u64, a[0]), (AT_FDCWD as u64, a[1]), 0),
            264 => self.renameat2((a[0], a[1]), (a[2], a[3]), 0),
            316 => self.renameat2((a[0], a[1]), (a[2], a[3]), a[4]),
            217 => self.getdents64(a[0], a[1], a[2]),
            95 => {
                let old = self.umask;
                self.umask = (a[0] & 0o777) as u32;
                i64::from(old)
            }
            20 => self.writev(a[0], a[1], a[2]),
            62 => self.sys_kill(a[0] as i32, a[1]),
            200 => self.sys_tgkill(None, a[0] as i32 as i64, a[1]),
            234 => self.sys_tgkill(Some(a[0] as i32 as i64), a[1] as i32 as i64, a[2]),
            56 => self.clone_process(a[0], a[1], a[2], a[3], a[4]),
            59 => self
                .sys_execve(None, a[0], a[1], a[2], 0)
                .map_or_else(Errno::ret, |()| 0),
            322 => self
                .sys_execve(Some(a[0]), a[1], a[2], a[3], a[4])
                .map_or_else(Errno::ret, |()| 0),
            57 => self.clone_process(u64::from(super::process::SIGCHLD), 0, 0, 0, 0),
            58 => self.clone_process(
                super::fork::flags::CLONE_VM
                    | super::fork::flags::CLONE_VFORK
                    | u64::from(super::process::SIGCHLD),
                0,
                0,
                0,
                0,
            ),
            61 => self.wait4(a[0] as i32, a[1], a[2], a[3]),
            247 => self.waitid(a[0], a[1], a[2], a[3], a[4]),
            32 => self.dup(a[0]),
            33 => self.dup3(a[0], a[1], 0, true),
            292 => self.dup3(a[0], a[1], a[2], false),
            60 => {
                self.sys_exit(a[0]);
                return None;
            }
            231 => {
                self.sys_exit_group(a[0]);
                return None;
            }
            12 => self.brk(a[0]) as i64,
            9 => self.mmap(a[0], a[1], a[2], a[3], a[4], a[5]),
            11 => self.munmap(a[0], a[1]),
            26 => self.msync(a[0], a[1], a[2]),
            10 => self.mprotect(a[0], a[1], a[2]),
            25 => self.mremap(a[0], a[1], a[2], a[3], a[4]),
            28 => self.madvise(a[0], a[1], a[2]),
            34 => {
                // pause: sleeps until a signal; the restart after a wake sleeps again.
                self.block = Some(super::process::Block::Pause);
                0
            }
            24 => {
                self.resched = true;
                0
            }
            158 => self.arch_prctl(a[0], a[1]),
            39 => i64::from(self.tgid()),
            186 => i64::from(self.pid),
            218 => self.set_tid_address(a[0]),
            202 => self
                .sys_futex(a[0], a[1], a[2], a[3], a[5])
                .unwrap_or_else(Errno::ret),
            435 => self.sys_clone3(a[0], a[1]),
            110 => self
                .procs
                .get(&self.tgid())
                .map_or(0, |p| i64::from(p.ppid)),
            109 => self.setpgid(a[0] as i32, a[1] as i32),
            111 => i64::from(self.procs.get(&self.pid).map_or(self.pid, |p| p.pgid)),
            121 | 124 => self.getpgid(a[0] as i32, nr == 124),
            112 => self.setsid(),
            102 | 107 => self.uid as i64,
            104 | 108 => self.gid as i64,
            63 => self.uname(a[0]),
            16 => self.ioctl(a[0], a[1], a[2]),
            3 => match self.fds.remove(a[0]) {
                Some(f) => {
                    self.fput(f.file);
                    0
                }
                None => Errno::Ebadf.ret(),
            },
            14 => self.rt_sigprocmask(a[0], a[1], a[2], a[3]),
            127 => self.rt_sigpending(a[0], a[1]),
            13 => self.rt_sigaction(a[0], a[1], a[2], a[3]),
            15 => self.rt_sigreturn(),
            130 => self.rt_sigsuspend(a[0], a[1]),
            129 => self.rt_sigqueueinfo(a[0] as i32 as i64, None, a[1], a[2]),
            297 => self.rt_sigqueueinfo(a[0] as i32 as i64, Some(a[1] as i32 as i64), a[2], a[3]),
            131 => self.sigaltstack(a[0], a[1]),
            273 => 0,
            228 => self.clock_gettime(a[0], a[1]),
            35 => self.nanosleep(None, 0, a[0]),
            37 => self.alarm(a[0]),
            89 => self.readlinkat(AT_FDCWD as u64, a[0], a[1], a[2]),
            267 => self.readlinkat(a[0], a[1], a[2], a[3]),
            318 => self.getrandom(a[0], a[1], a[2]),
            97 => self.prlimit(0, a[0], 0, a[1]),
            160 => self.prlimit(0, a[0], a[1], 0),
            302 => self.prlimit(a[0], a[1], a[2], a[3]),
            7 => self.poll(
                a[0],
                a[1],
                (a[2] as i32 >= 0).then(|| u64::from(a[2] as u32) * 1_000_000),
            ),
            271 => self.ppoll(a[0], a[1], a[2]),
            23 => self.select(a[0], [a[1], a[2], a[3]], a[4], true),
            270 => self.select(a[0], [a[1], a[2], a[3]], a[4], false),
            36 => self.itimer(a[0], None, a[1]),
            38 => self.itimer(a[0], Some(a[1]), a[2]),
            230 => self.nanosleep(Some(a[0]), a[1], a[2]),
            _ => Errno::Enosys.ret(),
        };
        Some(r)
    }

    fn brk(&mut self, want: u64) -> u64 {
        let mm = &mut self.mm;
        if want < mm.start_brk {
            return mm.brk;
        }
        let old_end = page_up(mm.brk);
        let new_end = page_up(want);
        if new_end > old_end {
            if !mm.is_free(old_end, new_end) || new_end > MMAP_BASE {
                return mm.brk;
            }
            // Lazily backed: pages get frames on first touch.
            let prot = Prot::RW;
            match mm
                .vmas
                .iter_mut()
                .find(|v| v.kind == VmaKind::Brk && v.end == old_end)
            {
                Some(v) => v.end = new_end,
                None => mm.add(Vma {
                    name: "[heap]".into(),
                    ..Vma::new(old_end, new_end, prot, VmaKind::Brk)
                }),
            }
        } else if new_end < old_end {
            mm.unmap(&mut self.m.mmu, new_end, old_end);
        }
        mm.brk = want;
        want
    }

    fn arch_prctl(&mut self, code: u64, addr: u64) -> i64 {
        // arch/x86/kernel/process_64.c do_arch_prctl_64.
        const ARCH_SET_GS: u64 = 0x1001;
        const ARCH_SET_FS: u64 = 0x1002;
        const ARCH_GET_FS: u64 = 0x1003;
        const ARCH_GET_GS: u64 = 0x1004;
        let canonical = crate::mmu::paging::is_canonical(addr, false) && addr < (1 << 47);
        match code {
            ARCH_SET_FS | ARCH_SET_GS => {
                if !canonical {
                    return Errno::Eperm.ret();
                }
                if code == ARCH_SET_FS {
                    self.m.cpu.s.fs_base = addr;
                } else {
                    self.m.cpu.s.gs_base = addr;
                }
                0
            }
            ARCH_GET_FS | ARCH_GET_GS => {
                let v = if code == ARCH_GET_FS {
                    self.m.cpu.s.fs_base
                } else {
                    self.m.cpu.s.gs_base
                };
                match self.copy_out(addr, &v.to_le_bytes()) {
                    Ok(()) => 0,
                    Err(e) => e,
                }
            }
            _ => Errno::Einval.ret(),
        }
    }

    fn uname(&mut self, addr: u64) -> i64 {
        let fields: [&str; 6] = [
            "Linux",
            "youcpu",
            "6.1.0-youcpu",
            "#1 SMP (simulated)",
            "x86_64",
            "(none)",
        ];
        let mut buf = vec![0u8; 65 * 6];
        for (i, f) in fields.iter().enumerate() {
            if let Some(dst) = buf.get_mut(i * 65..i * 65 + f.len()) {
                dst.copy_from_slice(f.as_bytes());
            }
        }
        match self.copy_out(addr, &buf) {
            Ok(()) => 0,
            Err(e) => e,
        }
    }
}
