//! The process table (kernel/fork.c, kernel/exit.c, include/linux/sched.h `task_struct`):
//! pids, parent links, process groups, what a process leaves behind when it is not on the
//! CPU, and what it is waiting for.
//!
//! The running process's parts live in [`super::Linux`] itself (`mm`, `state`, `fds`, the
//! signal masks and the CPU's registers), as a CPU's `current` does; every other process keeps
//! them in its [`Context`]. A context switch (sched.rs) swaps them.

use super::fs::fd::FdTable;
use super::mm::AddressSpace;
use super::ProcessState;
use crate::cpu::state::State;
use serde::Serialize;

/// The most processes at once (live and zombie); fork fails with EAGAIN past it, as it does
/// past RLIMIT_NPROC.
pub const MAX_PROCESSES: usize = 64;
/// SIGCHLD: the signal a fork child sends its parent when it ends.
pub const SIGCHLD: u8 = 17;

/// What a process that is not on the CPU leaves behind.
#[derive(Clone, Debug)]
pub struct Context {
    /// Its user registers, ready for ring 3.
    pub regs: Box<State>,
    /// Its address space.
    pub mm: AddressSpace,
    /// Its descriptors.
    pub fds: FdTable,
    /// Blocked signals.
    pub sigmask: u64,
    /// Pending signals.
    pub sigpending: u64,
    /// Signals set to SIG_IGN.
    pub sigign: u64,
    /// Handlers, pending siginfo, alternate stack.
    pub sig: super::signal::SigState,
    /// The working directory's inode.
    pub cwd: usize,
    /// The file mode creation mask.
    pub umask: u32,
}

/// Why a live process cannot run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "on", rename_all = "snake_case")]
pub enum Block {
    /// In wait4/waitid for a child to change state; the call restarts when one does
    /// (`-ERESTARTSYS` style: RIP back on the SYSCALL, RAX the number again).
    Wait,
    /// A vfork parent, until the child exits (or execs).
    Vfork {
        /// The child.
        child: u32,
    },
    /// In pause(): until a signal it catches; with handlers not run, only a fatal signal
    /// ends it.
    Pause,
    /// In poll until a pipe or standard input changes, or `until` passes.
    Poll {
        /// The deadline on the simulated clock, if any.
        until: Option<u64>,
    },
    /// Reading standard input that has not come yet ([`super::Linux::stdin_open`]).
    Stdin,
    /// In nanosleep until the simulated clock reaches `until` (the call has returned).
    Sleep {
        /// The deadline, in nanoseconds of the simulated clock.
        until: u64,
    },
    /// In FUTEX_WAIT on the word at physical address `key` until a FUTEX_WAKE whose bitset
    /// meets `bitset`, or `until` passes ([`super::futex`]).
    Futex {
        /// The word's physical address.
        key: u64,
        /// The waiter's bitset.
        bitset: u32,
        /// The deadline on the simulated clock, if any.
        until: Option<u64>,
    },
    /// Reading an empty pipe or writing a full one; the call restarts when the other end
    /// reads, writes or closes.
    Pipe {
        /// The pipe.
        pipe: usize,
    },
}

/// One process.
#[derive(Clone, Debug)]
pub struct Process {
    /// Process id (for a thread: its thread id).
    pub pid: u32,
    /// Thread group id: the pid of the group's leader, itself for a process's first thread
    /// ([`super::thread`]).
    pub tgid: u32,
    /// Parent's pid (0: none inside the simulation).
    pub ppid: u32,
    /// Process group.
    pub pgid: u32,
    /// Session.
    pub sid: u32,
    /// The signal the parent gets when it ends (SIGCHLD for fork; clone's low byte).
    pub exit_signal: u8,
    /// Where it is: `Running` while alive, the exit or kill once a zombie. For the process on
    /// the CPU, [`super::Linux::state`] is the truth.
    pub state: ProcessState,
    /// What it waits for (never set for the process on the CPU).
    pub blocked: Option<Block>,
    /// Its parts while off the CPU (None for the process on the CPU and for zombies).
    pub ctx: Option<Context>,
    /// Where CLONE_CHILD_CLEARTID asked for 0 to be written at exit.
    pub clear_child_tid: u64,
    /// Ring-3 instructions retired while it was on the CPU.
    pub instructions: u64,
    /// Stopped by SIGSTOP, SIGTSTP, SIGTTIN or SIGTTOU until SIGCONT: it does not run.
    pub stopped: bool,
    /// A stop not yet reported to a wait with WUNTRACED (the signal).
    pub stop_report: Option<u8>,
    /// A continue not yet reported to a wait with WCONTINUED.
    pub cont_report: bool,
    /// When alarm() sends SIGALRM, on the simulated clock (not inherited by fork).
    pub alarm_at: Option<u64>,
    /// setitimer's reload interval (0: once).
    pub alarm_every: u64,
    /// The deadline of a poll that sleeps (kept across its restarts; `u64::MAX`: none).
    pub poll_until: Option<u64>,
}

impl Process {
    /// A live, runnable process in group `pgid` and session `sid`.
    pub fn new(pid: u32, ppid: u32, (pgid, sid): (u32, u32), exit_signal: u8) -> Process {
        Process {
            pid,
            tgid: pid,
            ppid,
            pgid,
            sid,
            exit_signal,
            state: ProcessState::Running,
            blocked: None,
            ctx: None,
            clear_child_tid: 0,
            instructions: 0,
            stopped: false,
            stop_report: None,
            cont_report: false,
            alarm_at: None,
            alarm_every: 0,
            poll_until: None,
        }
    }

    /// True until it has exited or been killed.
    pub fn alive(&self) -> bool {
        self.state == ProcessState::Running
    }

    /// A state change a wait with `options` (WEXITED, WUNTRACED, WCONTINUED) would report.
    pub fn wait_event(&self, exited: bool, stopped: bool, continued: bool) -> Option<WaitEvent> {
        if !self.alive() {
            return exited.then_some(WaitEvent::Exit);
        }
        if let Some(sig) = self.stop_report.filter(|_| stopped) {
            return Some(WaitEvent::Stop(sig));
        }
        (continued && self.cont_report).then_some(WaitEvent::Continue)
    }
}

/// What a wait reports about a child.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WaitEvent {
    /// It ended (a zombie, reaped unless WNOWAIT).
    Exit,
    /// It stopped with this signal.
    Stop(u8),
    /// It continued after a stop.
    Continue,
}

/// The status word wait4 stores (include/uapi/linux/wait.h via `WEXITSTATUS`, `WTERMSIG`,
/// `WSTOPSIG`, `WIFCONTINUED`): `code << 8` after exit, the signal number after a kill (bit 7,
/// the core dump flag, is never set: no core files are written), `sig << 8 | 0x7f` after a
/// stop, 0xffff after a continue.
pub fn wait_status(s: &ProcessState, e: WaitEvent) -> i32 {
    match (e, s) {
        (WaitEvent::Stop(sig), _) => (i32::from(sig) << 8) | 0x7f,
        (WaitEvent::Continue, _) => 0xffff,
        (_, ProcessState::Exited { code }) => i32::from(*code) << 8,
        (_, ProcessState::Killed { signal, .. }) => i32::from(*signal & 0x7f),
        _ => 0,
    }
}

/// waitid's `si_code` and `si_status`: CLD_EXITED (1) with the code, CLD_KILLED (2) with the
/// signal, CLD_STOPPED (5) with the stop signal, CLD_CONTINUED (6) with SIGCONT.
pub fn cld_code(s: &ProcessState, e: WaitEvent) -> (i32, i32) {
    match (e, s) {
        (WaitEvent::Stop(sig), _) => (5, i32::from(sig)),
        (WaitEvent::Continue, _) => (6, 18),
        (_, ProcessState::Exited { code }) => (1, i32::from(*code)),
        (_, ProcessState::Killed { signal, .. }) => (2, i32::from(*signal)),
        _ => (0, 0),
    }
}

impl super::Linux {
    /// setpgid(pid, pgid) (109): 0 means the caller / the target's own pid; the target must
    /// be the caller or its child, the group in the caller's session.
    pub(super) fn setpgid(&mut self, pid: i32, pgid: i32) -> i64 {
        use super::errno::Errno;
        if pgid < 0 {
            return Errno::Einval.ret();
        }
        let target = if pid == 0 { self.pid } else { pid as u32 };
        let me = self.pid;
        let Some(sid) = self.procs.get(&me).map(|p| p.sid) else {
            return Errno::Esrch.ret();
        };
        let Some(t) = self.procs.get(&target) else {
            return Errno::Esrch.ret();
        };
        if target != me && t.ppid != me {
            return Errno::Esrch.ret();
        }
        if t.sid != sid || t.sid == target {
            return Errno::Eperm.ret();
        }
        let g = if pgid == 0 { target } else { pgid as u32 };
        if g != target && !self.procs.values().any(|p| p.pgid == g && p.sid == sid) {
            return Errno::Eperm.ret();
        }
        if let Some(t) = self.procs.get_mut(&target) {
            t.pgid = g;
        }
        0
    }

    /// getpgid(pid) (121) and getsid(pid) (124; `sid` = true): 0 means the caller.
    pub(super) fn getpgid(&self, pid: i32, sid: bool) -> i64 {
        let target = if pid == 0 { self.pid } else { pid as u32 };
        match self.procs.get(&target) {
            Some(p) if pid >= 0 => i64::from(if sid { p.sid } else { p.pgid }),
            _ => super::errno::Errno::Esrch.ret(),
        }
    }

    /// setsid() (112): a new session and group led by the caller, unless it leads a group.
    pub(super) fn setsid(&mut self) -> i64 {
        let me = self.pid;
        if self.procs.values().any(|p| p.pgid == me) {
            return super::errno::Errno::Eperm.ret();
        }
        if let Some(p) = self.procs.get_mut(&me) {
            p.pgid = me;
            p.sid = me;
        }
        i64::from(me)
    }
}

/// RLIM_INFINITY.
pub const RLIM_INFINITY: u64 = u64::MAX;

/// The limits the kernel enforces, as getrlimit reports them (soft, hard): RLIMIT_STACK (3)
/// 8 MiB, RLIMIT_CORE (4) 0 (no core files), RLIMIT_NPROC (6) [`MAX_PROCESSES`],
/// RLIMIT_NOFILE (7) the descriptor table's size; the rest unlimited.
pub fn rlimit(resource: u64) -> Option<(u64, u64)> {
    Some(match resource {
        3 => (super::layout::STACK_LIMIT, RLIM_INFINITY),
        4 => (0, RLIM_INFINITY),
        6 => (MAX_PROCESSES as u64, MAX_PROCESSES as u64),
        7 => (super::fs::fd::MAX_FDS as u64, super::fs::fd::MAX_FDS as u64),
        0..=15 => (RLIM_INFINITY, RLIM_INFINITY),
        _ => return None,
    })
}

impl super::Linux {
    /// getrlimit (97), setrlimit (160) and prlimit64 (302; pid 0 or an existing process):
    /// the old limits from [`rlimit`]; new limits are checked (soft <= hard, EINVAL) and
    /// accepted but not applied, except that raising a hard limit is EPERM.
    pub(super) fn prlimit(&mut self, pid: u64, resource: u64, new: u64, old: u64) -> i64 {
        use super::errno::Errno;
        if pid != 0 && !self.procs.contains_key(&(pid as u32)) {
            return Errno::Esrch.ret();
        }
        let Some((soft, hard)) = rlimit(resource) else {
            return Errno::Einval.ret();
        };
        if new != 0 {
            let Ok(b) = self.copy_in(new, 16) else {
                return Errno::Efault.ret();
            };
            let w = |r: Option<&[u8]>| {
                let mut x = [0u8; 8];
                x.copy_from_slice(r.unwrap_or(&[0; 8]));
                u64::from_le_bytes(x)
            };
            let (ns, nh) = (w(b.get(..8)), w(b.get(8..16)));
            if ns > nh {
                return Errno::Einval.ret();
            }
            if nh > hard {
                return Errno::Eperm.ret();
            }
        }
        if old != 0 {
            let mut o = [0u8; 16];
            o[..8].copy_from_slice(&soft.to_le_bytes());
            o[8..].copy_from_slice(&hard.to_le_bytes());
            if let Err(e) = self.copy_out(old, &o) {
                return e;
            }
        }
        0
    }
}
