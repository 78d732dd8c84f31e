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

mod calls;
mod deliver;
mod send;

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
