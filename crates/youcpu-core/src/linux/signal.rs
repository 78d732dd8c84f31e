//! Signals (kernel/signal.c): sending (`kill_something_info`, `prepare_signal`,
//! `send_signal_locked`), dispositions (`do_sigaction`), the blocked mask
//! (`sigprocmask`, `sigsuspend`), the alternate stack (`do_sigaltstack`), faults turned into
//! signals (`force_sig_fault`), default actions (terminate, stop, continue, ignore:
//! `sig_kernel_ignore`, `sig_fatal`, `do_signal_stop`) and delivery on the way back to ring 3
//! (`get_signal`, `signal_delivered`; arch/x86/kernel/signal.c `arch_do_signal_or_restart`,
//! `handle_signal`), which builds the frame of [`super::sigframe`] and runs the handler.
//!
//! Pending signals and masks are per thread. A signal sent to a process (kill, sigqueue)
//! goes to its main thread, or to another thread that does not block it when the main
//! thread does (`complete_signal`); tgkill and rt_tgsigqueueinfo name a thread. The standard
//! signals are not queued (one pending instance each, with its `siginfo`); real-time
//! signals (32-64) are: every instance sent while one is pending waits in order with its
//! own `siginfo` (`si_value` of sigqueue included), up to [`MAX_QUEUED`] per process
//! (RLIMIT_SIGPENDING: past it rt_sigqueueinfo is EAGAIN), and each is delivered.
//!
//! A system call that sleeps ([`super::process::Block`]) and is woken by a caught signal
//! returns as Linux's restart codes say (`handle_signal`): a wait, a pipe or a terminal read
//! (`-ERESTARTSYS`) is restarted when the handler has SA_RESTART and fails with EINTR
//! otherwise; pause, sigsuspend, poll and select (`-ERESTARTNOHAND`) and nanosleep
//! (`-ERESTART_RESTARTBLOCK`) fail with EINTR. An interrupted nanosleep does not write the
//! time left to its second argument.

use super::errno::Errno;
use super::process::Block;
use super::{KernelAction, Linux, ProcessState};
use serde::Serialize;
use std::collections::{BTreeMap, VecDeque};

/// The first real-time signal (SIGRTMIN of the kernel; C libraries keep a few for
/// themselves).
pub const SIGRTMIN: u8 = 32;
/// Real-time signal instances one process may have waiting behind pending ones
/// (RLIMIT_SIGPENDING's role).
pub const MAX_QUEUED: usize = 1024;

// Signal numbers (include/uapi/asm-generic/signal.h).
/// Illegal instruction.
pub const SIGILL: u8 = 4;
/// Trace/breakpoint trap.
pub const SIGTRAP: u8 = 5;
/// Bus error.
pub const SIGBUS: u8 = 7;
/// Arithmetic exception.
pub const SIGFPE: u8 = 8;
/// Kill (cannot be caught, blocked or ignored).
pub const SIGKILL: u8 = 9;
/// Segmentation fault.
pub const SIGSEGV: u8 = 11;
/// Child ended.
pub const SIGCHLD: u8 = 17;
/// Stop (cannot be caught, blocked or ignored).
pub const SIGSTOP: u8 = 19;

/// The signal's name.
pub fn name(s: u8) -> &'static str {
    const NAMES: [&str; 32] = [
        "signal",
        "SIGHUP",
        "SIGINT",
        "SIGQUIT",
        "SIGILL",
        "SIGTRAP",
        "SIGABRT",
        "SIGBUS",
        "SIGFPE",
        "SIGKILL",
        "SIGUSR1",
        "SIGSEGV",
        "SIGUSR2",
        "SIGPIPE",
        "SIGALRM",
        "SIGTERM",
        "SIGSTKFLT",
        "SIGCHLD",
        "SIGCONT",
        "SIGSTOP",
        "SIGTSTP",
        "SIGTTIN",
        "SIGTTOU",
        "SIGURG",
        "SIGXCPU",
        "SIGXFSZ",
        "SIGVTALRM",
        "SIGPROF",
        "SIGWINCH",
        "SIGIO",
        "SIGPWR",
        "SIGSYS",
    ];
    NAMES.get(usize::from(s)).copied().unwrap_or("signal")
}

/// What a signal does to a process that neither blocks nor ignores it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Default {
    /// The process ends, killed by the signal.
    Terminate,
    /// Nothing (SIGCHLD, SIGCONT, SIGURG, SIGWINCH).
    Ignore,
    /// The process stops until SIGCONT (SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU).
    Stop,
}

/// SIGCONT.
pub const SIGCONT: u8 = 18;

/// The default action (`SIG_KERNEL_IGNORE_MASK`, `SIG_KERNEL_STOP_MASK`).
pub fn default_action(sig: u8) -> Default {
    match sig {
        17 | 18 | 23 | 28 => Default::Ignore,
        19..=22 => Default::Stop,
        _ => Default::Terminate,
    }
}

/// The bit of signal `sig` in a mask (bit n-1 for signal n).
pub fn bit(sig: u8) -> u64 {
    1u64 << (sig.clamp(1, 64) - 1)
}

/// SIGKILL and SIGSTOP: never blocked (`sigdelsetmask(..., sigmask(SIGKILL) |
/// sigmask(SIGSTOP))`).
pub const UNBLOCKABLE: u64 = (1 << 8) | (1 << 18);

/// The synchronous signals a fault raises, dequeued before the others
/// (kernel/signal.c `SYNCHRONOUS_MASK`): SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGFPE, SIGSYS.
pub const SYNCHRONOUS_MASK: u64 = (1 << 10) | (1 << 6) | (1 << 3) | (1 << 4) | (1 << 7) | (1 << 30);

/// `sa_handler` values (include/uapi/asm-generic/signal-defs.h).
pub const SIG_DFL: u64 = 0;
/// Ignore the signal.
pub const SIG_IGN: u64 = 1;

/// `sa_flags` bits (include/uapi/asm-generic/signal-defs.h, arch/x86/include/uapi/asm/signal.h).
pub mod sa {
    /// Do not send SIGCHLD when children stop.
    pub const NOCLDSTOP: u64 = 1;
    /// Do not keep zombies.
    pub const NOCLDWAIT: u64 = 2;
    /// The handler takes (sig, siginfo, ucontext).
    pub const SIGINFO: u64 = 4;
    /// Tag bits of fault addresses are kept (arm64; accepted and kept).
    pub const EXPOSE_TAGBITS: u64 = 0x800;
    /// `sa_restorer` is the return address of the handler (x86-64 requires it).
    pub const RESTORER: u64 = 0x0400_0000;
    /// Run the handler on the alternate stack.
    pub const ONSTACK: u64 = 0x0800_0000;
    /// Restart interrupted system calls.
    pub const RESTART: u64 = 0x1000_0000;
    /// Do not block the signal while its handler runs.
    pub const NODEFER: u64 = 0x4000_0000;
    /// Back to SIG_DFL once delivered (SA_ONESHOT).
    pub const RESETHAND: u64 = 0x8000_0000;
    /// The flags do_sigaction keeps (`UAPI_SA_FLAGS` with x86's SA_RESTORER); others are
    /// dropped silently, as an old kernel drops flags it does not know.
    pub const KNOWN: u64 = NOCLDSTOP
        | NOCLDWAIT
        | SIGINFO
        | ONSTACK
        | RESTART
        | NODEFER
        | RESETHAND
        | EXPOSE_TAGBITS
        | RESTORER;
}

/// `si_code` values (include/uapi/asm-generic/siginfo.h).
pub mod si {
    /// Sent by kill or raise's kill.
    pub const USER: i32 = 0;
    /// Sent by the kernel.
    pub const KERNEL: i32 = 0x80;
    /// Sent by tkill or tgkill.
    pub const TKILL: i32 = -6;
    /// SIGSEGV: no mapping at the address.
    pub const SEGV_MAPERR: i32 = 1;
    /// SIGSEGV: the mapping does not allow the access.
    pub const SEGV_ACCERR: i32 = 2;
    /// SIGFPE: integer divide by zero (and the quotient overflow of `div`/`idiv`).
    pub const FPE_INTDIV: i32 = 1;
    /// SIGFPE: floating-point divide by zero.
    pub const FPE_FLTDIV: i32 = 3;
    /// SIGFPE: floating-point overflow.
    pub const FPE_FLTOVF: i32 = 4;
    /// SIGFPE: floating-point underflow (and denormal operand).
    pub const FPE_FLTUND: i32 = 5;
    /// SIGFPE: inexact result.
    pub const FPE_FLTRES: i32 = 6;
    /// SIGFPE: invalid operation.
    pub const FPE_FLTINV: i32 = 7;
    /// SIGILL: illegal opcode.
    pub const ILL_ILLOPN: i32 = 2;
    /// SIGBUS: misaligned address.
    pub const BUS_ADRALN: i32 = 1;
    /// SIGBUS: a nonexistent physical address (a page of a file mapping past its end).
    pub const BUS_ADRERR: i32 = 2;
    /// SIGCHLD: the child exited.
    pub const CLD_EXITED: i32 = 1;
    /// SIGCHLD: the child was killed.
    pub const CLD_KILLED: i32 = 2;
}

/// `ss_flags` of sigaltstack (include/uapi/linux/signal.h).
pub mod ss {
    /// The thread runs on the alternate stack now.
    pub const ONSTACK: u32 = 1;
    /// No alternate stack.
    pub const DISABLE: u32 = 2;
    /// Disarm the stack while a handler runs on it.
    pub const AUTODISARM: u32 = 1 << 31;
}

/// `MINSIGSTKSZ`: the smallest alternate stack sigaltstack accepts.
pub const MINSIGSTKSZ: u64 = 2048;

/// One signal's disposition (`struct k_sigaction`, the x86-64 `struct sigaction` of the
/// system call: handler, flags, restorer, mask).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct SigAction {
    /// SIG_DFL (0), SIG_IGN (1) or the handler's address.
    pub handler: u64,
    /// SA_* flags.
    pub flags: u64,
    /// Where the handler returns (a stub that calls rt_sigreturn).
    pub restorer: u64,
    /// Signals blocked while the handler runs.
    pub mask: u64,
}

impl SigAction {
    /// True when a handler function runs for the signal.
    pub fn catches(&self) -> bool {
        self.handler > SIG_IGN
    }
}

/// The union part of a `siginfo_t` (include/uapi/asm-generic/siginfo.h).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SigFields {
    /// Nothing more (sent by the kernel).
    None,
    /// `_kill`: the sender.
    Kill {
        /// Sender's pid.
        pid: u32,
        /// Sender's uid.
        uid: u32,
    },
    /// `_rt`: sent by sigqueue (rt_sigqueueinfo), with a value.
    Rt {
        /// Sender's pid, as the sender wrote it.
        pid: u32,
        /// Sender's uid, as the sender wrote it.
        uid: u32,
        /// `si_value` (an int or a pointer).
        value: u64,
    },
    /// `_sigfault`: the address.
    Fault {
        /// The faulting address (or instruction).
        addr: u64,
    },
    /// `_sigchld`: the child and what happened to it.
    Child {
        /// Child's pid.
        pid: u32,
        /// Child's uid.
        uid: u32,
        /// Exit code or signal.
        status: i32,
    },
}

/// A pending signal's `siginfo_t`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct SigInfo {
    /// `si_code`.
    pub code: i32,
    /// The union's fields.
    pub fields: SigFields,
}

impl SigInfo {
    /// Sent by the kernel itself (`SEND_SIG_PRIV`: SI_KERNEL).
    pub const KERNEL: SigInfo = SigInfo {
        code: si::KERNEL,
        fields: SigFields::None,
    };

    /// The 128 bytes of `siginfo_t` for signal `sig`: si_signo, si_errno (0), si_code at
    /// 0, 4, 8; the union from byte 16.
    pub fn to_bytes(&self, sig: u8) -> [u8; 128] {
        let mut b = [0u8; 128];
        b[..4].copy_from_slice(&i32::from(sig).to_le_bytes());
        b[8..12].copy_from_slice(&self.code.to_le_bytes());
        match self.fields {
            SigFields::None => {}
            SigFields::Kill { pid, uid } => {
                b[16..20].copy_from_slice(&pid.to_le_bytes());
                b[20..24].copy_from_slice(&uid.to_le_bytes());
            }
            SigFields::Rt { pid, uid, value } => {
                b[16..20].copy_from_slice(&pid.to_le_bytes());
                b[20..24].copy_from_slice(&uid.to_le_bytes());
                b[24..32].copy_from_slice(&value.to_le_bytes());
            }
            SigFields::Fault { addr } => b[16..24].copy_from_slice(&addr.to_le_bytes()),
            SigFields::Child { pid, uid, status } => {
                b[16..20].copy_from_slice(&pid.to_le_bytes());
                b[20..24].copy_from_slice(&uid.to_le_bytes());
                b[24..28].copy_from_slice(&status.to_le_bytes());
            }
        }
        b
    }
}

/// The alternate signal stack (`sas_ss_sp`, `sas_ss_size`, `sas_ss_flags` of the task).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct AltStack {
    /// Lowest address.
    pub sp: u64,
    /// Size in bytes (0: none).
    pub size: u64,
    /// The flags given (SS_DISABLE, SS_AUTODISARM).
    pub flags: u32,
}

impl std::default::Default for AltStack {
    fn default() -> Self {
        AltStack {
            sp: 0,
            size: 0,
            flags: ss::DISABLE,
        }
    }
}

impl AltStack {
    /// `on_sig_stack`: `sp` is inside the stack (never, with SS_AUTODISARM).
    pub fn on(&self, sp: u64) -> bool {
        if self.flags & ss::AUTODISARM != 0 {
            return false;
        }
        sp > self.sp && sp.wrapping_sub(self.sp) <= self.size
    }

    /// `sas_ss_flags`: SS_DISABLE without a stack, SS_ONSTACK on it, else 0.
    pub fn mode(&self, sp: u64) -> u32 {
        if self.size == 0 {
            ss::DISABLE
        } else if self.on(sp) {
            ss::ONSTACK
        } else {
            0
        }
    }
}

/// The last fault that became a signal (`thread.trap_nr`, `thread.error_code`,
/// `thread.cr2`), which every later frame's sigcontext reports.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct TrapInfo {
    /// The exception vector.
    pub trapno: u64,
    /// Its error code.
    pub err: u64,
    /// The page-fault address (CR2).
    pub cr2: u64,
}

/// A process's signal state besides the masks kept in [`super::Linux`]: dispositions, the
/// pending signals' siginfo, the alternate stack, the last trap, sigsuspend's saved mask.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SigState {
    /// Dispositions of signals 1..=64 (index n-1).
    pub actions: Vec<SigAction>,
    /// siginfo of each pending signal.
    pub info: BTreeMap<u8, SigInfo>,
    /// Real-time signals sent again while pending: the later instances, in order (the first
    /// one's siginfo is in `info`).
    pub queue: BTreeMap<u8, VecDeque<SigInfo>>,
    /// The alternate stack.
    pub altstack: AltStack,
    /// The last fault turned into a signal.
    pub trap: TrapInfo,
    /// The mask rt_sigsuspend replaced, put back once a handler has run
    /// (`TIF_RESTORE_SIGMASK`).
    pub saved_mask: Option<u64>,
    /// The sleep a caught signal cut short: its system call returns as the restart rules say.
    pub interrupted: Option<Block>,
    /// Registers rt_sigreturn read from a frame or execve set up, loaded on the way back to
    /// ring 3 (after the system call's SYSRET).
    pub resume: Option<Box<super::sigframe::Resume>>,
    /// A fault signal's description, for the kill reason if its default action runs.
    pub fault_reason: Option<String>,
}

impl std::default::Default for SigState {
    fn default() -> Self {
        SigState {
            actions: vec![SigAction::default(); 64],
            info: BTreeMap::new(),
            queue: BTreeMap::new(),
            altstack: AltStack::default(),
            trap: TrapInfo::default(),
            saved_mask: None,
            interrupted: None,
            resume: None,
            fault_reason: None,
        }
    }
}

impl SigState {
    /// The disposition of `sig` (SIG_DFL for numbers out of range).
    pub fn action(&self, sig: u8) -> SigAction {
        self.actions
            .get(usize::from(sig).wrapping_sub(1))
            .copied()
            .unwrap_or_default()
    }

    /// What a fork child inherits: the dispositions and the alternate stack
    /// (kernel/fork.c `copy_sighand`, `copy_process` keeps `sas_ss_*` unless CLONE_VM).
    pub fn fork(&self) -> SigState {
        SigState {
            actions: self.actions.clone(),
            altstack: self.altstack,
            ..SigState::default()
        }
    }

    /// What survives execve (fs/exec.c `flush_signal_handlers`): handlers go back to
    /// SIG_DFL, ignored signals stay ignored, flags and masks are cleared; the alternate
    /// stack is gone.
    pub fn exec(&self) -> SigState {
        let mut s = SigState::default();
        for (n, a) in s.actions.iter_mut().zip(&self.actions) {
            if a.handler == SIG_IGN {
                n.handler = SIG_IGN;
            }
        }
        s.info = self.info.clone();
        s.queue = self.queue.clone();
        s
    }

    /// Instances of real-time signals waiting behind a pending one.
    pub fn queued(&self) -> usize {
        self.queue.values().map(VecDeque::len).sum()
    }
}

fn read_u64(b: &[u8], at: usize) -> u64 {
    let mut w = [0u8; 8];
    if let Some(s) = b.get(at..at + 8) {
        w.copy_from_slice(s);
    }
    u64::from_le_bytes(w)
}

impl Linux {
    /// Which thread takes a signal sent to the process of `pid` (kernel/signal.c
    /// `complete_signal`, `wants_signal`): the main thread unless it blocks the signal and
    /// another live thread of the group does not. When every thread blocks it, it waits
    /// on the main thread (on Linux it waits on the process, for whichever thread unblocks
    /// it first: here only the main thread's unblocking lets it through).
    fn process_target(&self, pid: u32, sig: u8) -> u32 {
        let tgid = self.tgid_of(pid);
        let takes = |t: u32| {
            self.target_view(t, sig)
                .is_some_and(|(mask, _)| sig == 0 || mask & bit(sig) == 0)
        };
        if takes(tgid) {
            return tgid;
        }
        let mut threads = self.group_members(tgid, tgid);
        threads.sort_unstable();
        threads
            .iter()
            .copied()
            .find(|&t| takes(t))
            .or_else(|| self.procs.get(&tgid).filter(|p| p.alive()).map(|p| p.pid))
            .or_else(|| threads.first().copied())
            .unwrap_or(tgid)
    }

    /// kill(pid, sig) (62): `pid > 0` one process, `0` the caller's process group, `-1` every
    /// process but the first and the caller, `< -1` the group `-pid`. Signal 0 only checks.
    /// A process with threads gets it on one thread that does not block it.
    pub(super) fn sys_kill(&mut self, pid: i32, sig: u64) -> i64 {
        if sig > 64 {
            return Errno::Einval.ret();
        }
        let me = self.pid;
        let my_pgid = self.procs.get(&me).map_or(me, |p| p.pgid);
        let targets: Vec<u32> = match pid {
            p if p > 0 => self
                .procs
                .contains_key(&(p as u32))
                .then_some(p as u32)
                .into_iter()
                .collect(),
            0 => self.group(my_pgid),
            -1 => self
                .procs
                .keys()
                .copied()
                .filter(|&p| p != self.init_pid && p != me)
                .collect(),
            p => self.group(p.unsigned_abs()),
        };
        if targets.is_empty() {
            return Errno::Esrch.ret();
        }
        let info = self.user_info(si::USER);
        // One delivery per process, whatever threads the selection named.
        let mut groups: Vec<u32> = targets.iter().map(|&t| self.tgid_of(t)).collect();
        groups.sort_unstable();
        groups.dedup();
        for g in groups {
            let t = self.process_target(g, sig as u8);
            self.send_signal_info(t, sig as u8, info);
        }
        0
    }

    /// tkill(tid, sig) (200) and tgkill(tgid, tid, sig) (234): to one thread (pthread_kill),
    /// which must belong to `tgid`.
    pub(super) fn sys_tgkill(&mut self, tgid: Option<i64>, tid: i64, sig: u64) -> i64 {
        if sig > 64 || tid <= 0 || tgid.is_some_and(|g| g <= 0) {
            return Errno::Einval.ret();
        }
        let ok = tgid.is_none_or(|g| i64::from(self.tgid_of(tid as u32)) == g)
            && self
                .procs
                .get(&(tid as u32))
                .is_some_and(|p| p.alive() || tid as u32 == self.pid);
        if !ok {
            return Errno::Esrch.ret();
        }
        let info = self.user_info(si::TKILL);
        self.send_signal_info(tid as u32, sig as u8, info);
        0
    }

    /// siginfo of a signal the running process sends (`prepare_kill_siginfo`).
    fn user_info(&self, code: i32) -> SigInfo {
        SigInfo {
            code,
            fields: SigFields::Kill {
                pid: self.pid,
                uid: self.uid as u32,
            },
        }
    }

    fn group(&self, pgid: u32) -> Vec<u32> {
        self.procs
            .values()
            .filter(|p| p.pgid == pgid)
            .map(|p| p.pid)
            .collect()
    }

    /// The masks and disposition of `sig` in process `pid` (running or not), if it lives.
    fn target_view(&self, pid: u32, sig: u8) -> Option<(u64, SigAction)> {
        if pid == self.pid {
            return Some((self.sigmask, self.sig.action(sig)));
        }
        match self.procs.get(&pid) {
            Some(p) if p.alive() => p.ctx.as_ref().map(|c| (c.sigmask, c.sig.action(sig))),
            _ => None,
        }
    }

    /// Marks `sig` pending in `pid` with `info`: a standard signal already pending keeps
    /// its first instance's info; a real-time one queues another instance behind it
    /// (`__send_signal_locked`: `legacy_queue` only for signals below SIGRTMIN).
    fn set_pending(&mut self, pid: u32, sig: u8, info: SigInfo) {
        let (pending, st) = if pid == self.pid {
            (&mut self.sigpending, &mut self.sig)
        } else if let Some(c) = self.procs.get_mut(&pid).and_then(|p| p.ctx.as_mut()) {
            (&mut c.sigpending, &mut c.sig)
        } else {
            return;
        };
        let b = bit(sig);
        if *pending & b != 0 && sig >= SIGRTMIN && st.info.contains_key(&sig) {
            if st.queued() < MAX_QUEUED {
                st.queue.entry(sig).or_default().push_back(info);
            }
            return;
        }
        *pending |= b;
        st.info.entry(sig).or_insert(info);
    }

    /// Real-time instances waiting in `pid` (for rt_sigqueueinfo's EAGAIN).
    fn queued_in(&self, pid: u32) -> usize {
        if pid == self.pid {
            return self.sig.queued();
        }
        self.procs
            .get(&pid)
            .and_then(|p| p.ctx.as_ref())
            .map_or(0, |c| c.sig.queued())
    }

    /// rt_sigqueueinfo (129) and rt_tgsigqueueinfo (297, `tid` given): `sig` with the
    /// siginfo the caller wrote (kernel/signal.c `do_rt_sigqueueinfo`): a si_code of 0 or
    /// more, or SI_TKILL, may only be sent to oneself (EPERM), the kernel's own codes being
    /// for the kernel; the pid, uid and value the caller wrote go as they are.
    pub(super) fn rt_sigqueueinfo(
        &mut self,
        tgid: i64,
        tid: Option<i64>,
        sig: u64,
        uinfo: u64,
    ) -> i64 {
        let mut b = [0u8; 32];
        if self.m.mmu.read_bytes(uinfo, &mut b, true).is_err() {
            return Errno::Efault.ret();
        }
        let word = |i: usize| u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]);
        let code = word(8) as i32;
        let value = u64::from(word(24)) | u64::from(word(28)) << 32;
        if sig > 64 {
            return Errno::Einval.ret();
        }
        let target = tid.unwrap_or(tgid);
        if target <= 0 || tgid <= 0 {
            return Errno::Einval.ret();
        }
        let Ok(pid) = u32::try_from(target) else {
            return Errno::Esrch.ret();
        };
        let alive = self
            .procs
            .get(&pid)
            .is_some_and(|p| p.alive() && tid.is_none_or(|_| i64::from(p.tgid) == tgid));
        if !alive {
            return Errno::Esrch.ret();
        }
        if (code >= 0 || code == si::TKILL) && self.tgid_of(pid) != self.tgid() {
            return Errno::Eperm.ret();
        }
        if sig == 0 {
            return 0;
        }
        let sig = sig as u8;
        if sig >= SIGRTMIN && self.queued_in(pid) >= MAX_QUEUED {
            return Errno::Eagain.ret();
        }
        let info = SigInfo {
            code,
            fields: SigFields::Rt {
                pid: word(16),
                uid: word(20),
                value,
            },
        };
        // rt_sigqueueinfo is process-directed, rt_tgsigqueueinfo thread-directed.
        let dest = if tid.is_some() {
            pid
        } else {
            self.process_target(pid, sig)
        };
        self.send_signal_info(dest, sig, info);
        0
    }

    /// Sends `sig` to `pid` as the running process would with kill (SI_USER).
    pub(super) fn send_signal(&mut self, pid: u32, sig: u8) {
        let info = self.user_info(si::USER);
        self.send_signal_info(pid, sig, info);
    }

    /// Delivers `sig` to `pid` (`send_signal_locked`, `complete_signal`): dropped when
    /// ignored; pending while blocked; pending and waking a sleeping process when a handler
    /// catches it (the handler runs on its way back to ring 3); else its default action.
    pub(super) fn send_signal_info(&mut self, pid: u32, sig: u8, info: SigInfo) {
        if sig == 0 || sig > 64 {
            return;
        }
        let b = bit(sig);
        let uncatchable = sig == SIGKILL || sig == SIGSTOP;
        if sig == SIGCONT {
            self.continue_group(pid);
        }
        let Some((mask, act)) = self.target_view(pid, sig) else {
            return;
        };
        if !uncatchable
            && (act.handler == SIG_IGN
                || act.handler == SIG_DFL && default_action(sig) == Default::Ignore)
        {
            return;
        }
        if !uncatchable && mask & b != 0 {
            self.set_pending(pid, sig, info);
            return;
        }
        if !uncatchable && act.catches() {
            self.set_pending(pid, sig, info);
            self.interrupt_sleep(pid);
            return;
        }
        self.default_signal(pid, sig, None);
    }

    /// `signal_wake_up` for a caught signal: a process asleep in an interruptible call wakes
    /// and remembers why it slept (a vfork parent sleeps on).
    fn interrupt_sleep(&mut self, pid: u32) {
        let Some(p) = self.procs.get_mut(&pid) else {
            return;
        };
        let Some(b) = p.blocked.filter(|b| !matches!(b, Block::Vfork { .. })) else {
            return;
        };
        p.blocked = None;
        if pid == self.pid {
            // Asleep but still the CPU's process (nobody else could run).
            self.sig.interrupted = Some(b);
        } else if let Some(c) = p.ctx.as_mut() {
            c.sig.interrupted = Some(b);
        }
    }

    /// The default action of `sig` for `pid`: stop, or the end of the process.
    fn default_signal(&mut self, pid: u32, sig: u8, reason: Option<String>) {
        match default_action(sig) {
            Default::Ignore => {}
            Default::Stop => self.stop(pid, sig),
            Default::Terminate => {
                let reason = reason.unwrap_or_else(|| {
                    let by = if pid == self.pid {
                        "sent by the program itself".to_string()
                    } else {
                        format!("sent by pid {}", self.pid)
                    };
                    format!("killed by signal {sig} ({}) {by}", name(sig))
                });
                let state = ProcessState::Killed {
                    signal: sig,
                    reason,
                };
                // A fatal signal ends every thread of the group.
                self.end_group(self.tgid_of(pid), state);
            }
        }
    }

    /// `do_signal_stop`: a group stop. Every thread of `pid`'s process stops (on Linux each
    /// one stops on its own way back to user mode, `JOBCTL_STOP_PENDING`, and the stop is
    /// reported once the last has; here they stop at once, which no thread can tell apart),
    /// the running one leaving the CPU on its way out of the kernel, and the parent's wait
    /// hears of it through the group leader.
    fn stop(&mut self, pid: u32, sig: u8) {
        let tgid = self.tgid_of(pid);
        let Some(leader) = self
            .procs
            .get_mut(&tgid)
            .filter(|p| p.alive() && !p.stopped)
        else {
            return;
        };
        leader.stop_report = Some(sig);
        leader.cont_report = false;
        let ppid = leader.ppid;
        for t in self.group_members(tgid, 0) {
            if let Some(p) = self.procs.get_mut(&t) {
                p.stopped = true;
            }
            if t == self.pid {
                self.resched = true;
            }
        }
        self.wake(ppid, |b| b == Block::Wait);
    }

    /// prepare_signal for SIGCONT: every thread of `pid`'s process continues, even when the
    /// signal is blocked or ignored, and the stop signals pending in any of them are dropped
    /// (`for_each_thread` ... `flush_sigqueue_mask`, `wake_up_state(t, __TASK_STOPPED)`);
    /// the parent's wait with WCONTINUED hears of it through the group leader.
    fn continue_group(&mut self, pid: u32) {
        let tgid = self.tgid_of(pid);
        let stopped = self
            .procs
            .get(&tgid)
            .is_some_and(|p| p.alive() && p.stopped);
        let stops = (bit(19) | bit(20) | bit(21) | bit(22)) & !bit(SIGSTOP);
        for t in self.group_members(tgid, 0) {
            if t == self.pid {
                self.sigpending &= !stops;
            }
            if let Some(p) = self.procs.get_mut(&t) {
                p.stopped = false;
                if let Some(c) = p.ctx.as_mut() {
                    c.sigpending &= !stops;
                }
            }
        }
        if stopped {
            if let Some(leader) = self.procs.get_mut(&tgid) {
                leader.stop_report = None;
                leader.cont_report = true;
                let ppid = leader.ppid;
                self.wake(ppid, |b| b == Block::Wait);
            }
        }
    }

    /// `force_sig_fault`: a CPU exception of the running process (its registers already
    /// back in ring 3) becomes `sig`. A signal it blocks or ignores is unblocked and reset to
    /// SIG_DFL first (`force_sig_info_to_task`), so a fault inside its own handler kills.
    /// Returns what the kernel did: the kill, or the handler to run.
    pub(super) fn force_fault(
        &mut self,
        sig: u8,
        info: SigInfo,
        trap: TrapInfo,
        reason: String,
    ) -> KernelAction {
        let b = bit(sig);
        let i = usize::from(sig) - 1;
        let ignored = self
            .sig
            .actions
            .get(i)
            .is_some_and(|a| a.handler == SIG_IGN);
        if ignored || self.sigmask & b != 0 {
            if let Some(a) = self.sig.actions.get_mut(i) {
                a.handler = SIG_DFL;
            }
            self.sigign &= !b;
            self.sigmask &= !b;
        }
        self.sig.trap = TrapInfo {
            cr2: if trap.trapno == 14 {
                trap.cr2
            } else {
                self.sig.trap.cr2
            },
            ..trap
        };
        let act = self.sig.action(sig);
        if !act.catches() {
            self.default_signal(self.pid, sig, Some(reason.clone()));
            return KernelAction::Kill {
                signal: sig,
                reason,
            };
        }
        self.sigpending |= b;
        self.sig.info.insert(sig, info);
        self.sig.fault_reason = Some(reason);
        KernelAction::Signal {
            signal: sig,
            handler: act.handler,
        }
    }

    /// A sleep the running process is about to start ends at once when a caught signal is
    /// already deliverable (`signal_pending` before `schedule`). True: it does not sleep.
    pub(super) fn interrupts_sleep(&mut self, b: Block) -> bool {
        let ready = self.sigpending & !self.sigmask;
        if ready == 0 || matches!(b, Block::Vfork { .. }) {
            return false;
        }
        let mut r = ready;
        while r != 0 {
            let sig = r.trailing_zeros() as u8 + 1;
            r &= r - 1;
            if self.sig.action(sig).catches() {
                self.sig.interrupted = Some(b);
                return true;
            }
        }
        false
    }

    /// On the way back to ring 3 (`exit_to_user_mode_loop` → `arch_do_signal_or_restart`):
    /// loads the registers rt_sigreturn or execve left, then delivers every pending signal not blocked:
    /// default actions, or a frame per caught signal (the last one's handler runs first).
    pub(super) fn exit_to_user(&mut self) {
        if let Some(r) = self.sig.resume.take() {
            self.load_resume(&r);
        }
        loop {
            if self.state != ProcessState::Running
                || self.m.cpu.s.cs & 3 != 3
                || self.procs.get(&self.pid).is_some_and(|p| p.stopped)
            {
                return;
            }
            let ready = self.sigpending & !self.sigmask;
            if ready == 0 {
                break;
            }
            let sync = ready & SYNCHRONOUS_MASK;
            let pick = if sync != 0 { sync } else { ready };
            let sig = pick.trailing_zeros() as u8 + 1;
            self.sigpending &= !bit(sig);
            let info = self.sig.info.remove(&sig).unwrap_or(SigInfo::KERNEL);
            // The next queued instance of a real-time signal stays pending (`collect_signal`).
            if let Some(next) = self.sig.queue.get_mut(&sig).and_then(VecDeque::pop_front) {
                self.sigpending |= bit(sig);
                self.sig.info.insert(sig, next);
            }
            if self.sig.queue.get(&sig).is_some_and(VecDeque::is_empty) {
                self.sig.queue.remove(&sig);
            }
            let reason = if SYNCHRONOUS_MASK & bit(sig) != 0 {
                self.sig.fault_reason.take()
            } else {
                None
            };
            let act = self.sig.action(sig);
            if act.handler == SIG_IGN {
                continue;
            }
            if !act.catches() {
                self.sig.interrupted = None;
                self.default_signal(self.pid, sig, reason);
                continue;
            }
            if let Some(i) = self.sig.actions.get_mut(usize::from(sig) - 1) {
                if act.flags & sa::RESETHAND != 0 {
                    i.handler = SIG_DFL;
                }
            }
            self.restart_syscall(act);
            if self.setup_frame(sig, &info, &act).is_err() {
                // signal_setup_done → force_sigsegv: a handler that cannot get its frame.
                let why = format!(
                    "killed by signal 11 (SIGSEGV): no room for the frame of the {} handler \
                     (rsp {:#x})",
                    name(sig),
                    self.m.cpu.s.gpr[crate::cpu::state::RSP]
                );
                if sig == SIGSEGV {
                    self.default_signal(self.pid, SIGSEGV, Some(why));
                } else {
                    let _ = self.force_fault(SIGSEGV, SigInfo::KERNEL, self.sig.trap, why);
                }
                continue;
            }
            self.trace_signal(sig, act.handler, &info);
            // signal_delivered: the handler runs with sa_mask and (unless SA_NODEFER) the
            // signal itself blocked.
            let mut blocked = self.sigmask | act.mask;
            if act.flags & sa::NODEFER == 0 {
                blocked |= bit(sig);
            }
            self.sigmask = blocked & !UNBLOCKABLE;
            self.sig.saved_mask = None;
        }
        // No handler ran: a sleep cut short without one (impossible) or sigsuspend's mask
        // goes back (restore_saved_sigmask).
        self.sig.interrupted = None;
        if let Some(m) = self.sig.saved_mask.take() {
            self.sigmask = m;
        }
    }

    /// `handle_signal`'s restart rules for a system call the signal cut short.
    fn restart_syscall(&mut self, act: SigAction) {
        use crate::cpu::state::RAX;
        let Some(b) = self.sig.interrupted.take() else {
            return;
        };
        let eintr = Errno::Eintr.ret() as u64;
        let s = &mut self.m.cpu.s;
        match b {
            // -ERESTARTSYS: back on the SYSCALL instruction with SA_RESTART.
            Block::Wait | Block::Pipe { .. } | Block::Stdin if act.flags & sa::RESTART != 0 => {}
            // The call has returned already: its result becomes EINTR.
            Block::Sleep { .. } => s.gpr[RAX] = eintr,
            _ => {
                // The call was rewound onto its SYSCALL instruction: step over it.
                s.gpr[RAX] = eintr;
                s.rip = s.rip.wrapping_add(2);
                if let Some(p) = self.procs.get_mut(&self.pid) {
                    p.poll_until = None;
                }
            }
        }
    }

    /// rt_sigaction(sig, act, oldact, sigsetsize) (13): `do_sigaction`. The new action's
    /// flags are reduced to the known ones and SIGKILL/SIGSTOP are removed from its mask;
    /// a signal set to be ignored is dropped from the pending set.
    pub(super) fn rt_sigaction(&mut self, sig: u64, act: u64, oldact: u64, size: u64) -> i64 {
        if size != 8 || sig == 0 || sig > 64 {
            return Errno::Einval.ret();
        }
        let sig = sig as u8;
        let b = bit(sig);
        let old = self.sig.action(sig);
        if act != 0 {
            if sig == SIGKILL || sig == SIGSTOP {
                return Errno::Einval.ret();
            }
            let Ok(raw) = self.copy_in(act, 32) else {
                return Errno::Efault.ret();
            };
            let new = SigAction {
                handler: read_u64(&raw, 0),
                flags: read_u64(&raw, 8) & sa::KNOWN,
                restorer: read_u64(&raw, 16),
                mask: read_u64(&raw, 24) & !UNBLOCKABLE,
            };
            if let Some(a) = self.sig.actions.get_mut(usize::from(sig) - 1) {
                *a = new;
            }
            if new.handler == SIG_IGN {
                self.sigign |= b;
            } else {
                self.sigign &= !b;
            }
            // CLONE_SIGHAND: the threads of the group share the table.
            let (me, tgid, ign) = (self.pid, self.tgid(), self.sigign);
            for p in self.procs.values_mut() {
                if let (true, Some(c)) = (p.tgid == tgid && p.pid != me, p.ctx.as_mut()) {
                    if let Some(a) = c.sig.actions.get_mut(usize::from(sig) - 1) {
                        *a = new;
                    }
                    c.sigign = (c.sigign & !b) | (ign & b);
                }
            }
            // sig_handler_ignored: pending instances are flushed.
            if new.handler == SIG_IGN
                || new.handler == SIG_DFL && default_action(sig) == Default::Ignore
            {
                self.sigpending &= !b;
                self.sig.info.remove(&sig);
                self.sig.queue.remove(&sig);
            }
        }
        if oldact != 0 {
            let mut o = [0u8; 32];
            o[..8].copy_from_slice(&old.handler.to_le_bytes());
            o[8..16].copy_from_slice(&old.flags.to_le_bytes());
            o[16..24].copy_from_slice(&old.restorer.to_le_bytes());
            o[24..].copy_from_slice(&old.mask.to_le_bytes());
            if let Err(e) = self.copy_out(oldact, &o) {
                return e;
            }
        }
        0
    }

    /// rt_sigprocmask(how, set, oldset, sigsetsize) (14): SIG_BLOCK (0), SIG_UNBLOCK (1),
    /// SIG_SETMASK (2); SIGKILL and SIGSTOP stay unblocked. A signal it unblocks is delivered
    /// on the way back to ring 3.
    pub(super) fn rt_sigprocmask(&mut self, how: u64, set: u64, oldset: u64, size: u64) -> i64 {
        if size != 8 {
            return Errno::Einval.ret();
        }
        let old = self.sigmask;
        if set != 0 {
            let Ok(b) = self.copy_in(set, 8) else {
                return Errno::Efault.ret();
            };
            let new = read_u64(&b, 0);
            self.sigmask = match how {
                0 => old | new,
                1 => old & !new,
                2 => new,
                _ => return Errno::Einval.ret(),
            } & !UNBLOCKABLE;
        }
        if oldset != 0 {
            if let Err(e) = self.copy_out(oldset, &old.to_le_bytes()) {
                return e;
            }
        }
        0
    }

    /// rt_sigpending(set, sigsetsize) (127): the pending signals that are blocked
    /// (`do_sigpending`).
    pub(super) fn rt_sigpending(&mut self, set: u64, size: u64) -> i64 {
        if size > 8 {
            return Errno::Einval.ret();
        }
        let p = (self.sigpending & self.sigmask).to_le_bytes();
        match self.copy_out(set, p.get(..size as usize).unwrap_or(&[])) {
            Ok(()) => 0,
            Err(e) => e,
        }
    }

    /// rt_sigsuspend(mask, sigsetsize) (130): sleeps with `mask` blocked until a signal runs
    /// a handler (then fails with EINTR; the old mask is back once the handler returns) or
    /// ends the process.
    pub(super) fn rt_sigsuspend(&mut self, mask: u64, size: u64) -> i64 {
        if size != 8 {
            return Errno::Einval.ret();
        }
        let Ok(b) = self.copy_in(mask, 8) else {
            return Errno::Efault.ret();
        };
        if self.sig.saved_mask.is_none() {
            self.sig.saved_mask = Some(self.sigmask);
        }
        self.sigmask = read_u64(&b, 0) & !UNBLOCKABLE;
        self.block = Some(Block::Pause);
        0
    }

    /// sigaltstack(ss, old_ss) (131): `do_sigaltstack`. The old stack is reported with
    /// SS_ONSTACK when the caller runs on it; a new one cannot be set from on it (EPERM),
    /// its mode must be 0, SS_ONSTACK or SS_DISABLE (with SS_AUTODISARM, else EINVAL), and
    /// it must be at least MINSIGSTKSZ bytes (ENOMEM).
    pub(super) fn sigaltstack(&mut self, new: u64, old: u64) -> i64 {
        let sp = self.m.cpu.s.gpr[crate::cpu::state::RSP];
        let cur = self.sig.altstack;
        let mut o = [0u8; 24];
        o[..8].copy_from_slice(&cur.sp.to_le_bytes());
        let flags = cur.mode(sp) | (cur.flags & ss::AUTODISARM);
        o[8..12].copy_from_slice(&flags.to_le_bytes());
        o[16..].copy_from_slice(&cur.size.to_le_bytes());
        if new != 0 {
            let Ok(b) = self.copy_in(new, 24) else {
                return Errno::Efault.ret();
            };
            if let Err(e) = self.set_altstack(&b, sp) {
                return e.ret();
            }
        }
        if old != 0 {
            if let Err(e) = self.copy_out(old, &o) {
                return e;
            }
        }
        0
    }

    /// The setting half of `do_sigaltstack` from a user `stack_t` (ss_sp, ss_flags,
    /// ss_size at 0, 8, 16).
    pub(super) fn set_altstack(&mut self, b: &[u8], sp: u64) -> Result<(), Errno> {
        if self.sig.altstack.on(sp) {
            return Err(Errno::Eperm);
        }
        let ss_sp = read_u64(b, 0);
        let ss_flags = read_u64(b, 8) as u32;
        let ss_size = read_u64(b, 16);
        let mode = ss_flags & !ss::AUTODISARM;
        if mode != ss::DISABLE && mode != ss::ONSTACK && mode != 0 {
            return Err(Errno::Einval);
        }
        self.sig.altstack = if mode == ss::DISABLE {
            AltStack::default()
        } else {
            if ss_size < MINSIGSTKSZ {
                return Err(Errno::Enomem);
            }
            AltStack {
                sp: ss_sp,
                size: ss_size,
                flags: ss_flags,
            }
        };
        Ok(())
    }

    /// True when `pid` has set SIGCHLD to SIG_IGN.
    pub(super) fn ignores_sigchld(&self, pid: u32) -> bool {
        let b = bit(SIGCHLD);
        if pid == self.pid {
            return self.sigign & b != 0;
        }
        self.procs
            .get(&pid)
            .and_then(|p| p.ctx.as_ref())
            .is_some_and(|c| c.sigign & b != 0)
    }

    /// `do_notify_parent`: the parent gets the child's exit signal with CLD_EXITED or
    /// CLD_KILLED and the status (only a handler notices: SIGCHLD is ignored by default).
    pub(super) fn notify_parent(&mut self, child: u32) {
        let Some(p) = self.procs.get(&child) else {
            return;
        };
        let (code, status) = match &p.state {
            ProcessState::Exited { code } => (si::CLD_EXITED, i32::from(*code)),
            ProcessState::Killed { signal, .. } => (si::CLD_KILLED, i32::from(*signal)),
            _ => return,
        };
        let (ppid, sig) = (p.ppid, p.exit_signal);
        if sig == 0 || ppid == 0 {
            return;
        }
        let info = SigInfo {
            code: if sig == SIGCHLD { code } else { si::KERNEL },
            fields: SigFields::Child {
                pid: child,
                uid: self.uid as u32,
                status,
            },
        };
        self.send_signal_info(ppid, sig, info);
    }
}
