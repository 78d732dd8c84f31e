//! Signals with their default actions (kernel/signal.c `kill_something_info`,
//! `prepare_signal`, `sig_kernel_ignore`, `sig_fatal`, `do_signal_stop`): kill, tkill and
//! tgkill to any process; a signal set to SIG_IGN is discarded; handlers are recorded but
//! never run, so a caught signal takes its default action; SIGSTOP, SIGTSTP, SIGTTIN and
//! SIGTTOU stop a process and SIGCONT continues it, each reported to the parent's wait.

use super::errno::Errno;
use super::{Linux, ProcessState};

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

fn bit(sig: u8) -> u64 {
    1u64 << (sig.clamp(1, 64) - 1)
}

impl Linux {
    /// kill(pid, sig) (62): `pid > 0` one process, `0` the caller's process group, `-1` every
    /// process but the first and the caller, `< -1` the group `-pid`. Signal 0 only checks.
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
        for t in targets {
            self.send_signal(t, sig as u8);
        }
        0
    }

    /// tkill(tid, sig) (200) and tgkill(tgid, tid, sig) (234): every process has one thread,
    /// whose tid is its pid.
    pub(super) fn sys_tgkill(&mut self, tgid: Option<i64>, tid: i64, sig: u64) -> i64 {
        if sig > 64 || tid <= 0 || tgid.is_some_and(|g| g <= 0) {
            return Errno::Einval.ret();
        }
        let ok = tgid.is_none_or(|g| g == tid)
            && self
                .procs
                .get(&(tid as u32))
                .is_some_and(|p| p.alive() || tid as u32 == self.pid);
        if !ok {
            return Errno::Esrch.ret();
        }
        self.send_signal(tid as u32, sig as u8);
        0
    }

    fn group(&self, pgid: u32) -> Vec<u32> {
        self.procs
            .values()
            .filter(|p| p.pgid == pgid)
            .map(|p| p.pid)
            .collect()
    }

    /// Delivers `sig` to `pid`: pending while blocked, dropped when ignored, else its default
    /// action.
    pub(super) fn send_signal(&mut self, pid: u32, sig: u8) {
        if sig == 0 || sig > 64 {
            return;
        }
        let b = bit(sig);
        let uncatchable = sig == SIGKILL || sig == SIGSTOP;
        if sig == SIGCONT {
            // prepare_signal: SIGCONT continues a stopped process even when it is blocked or
            // ignored, and drops pending stop signals.
            let ppid = match self.procs.get_mut(&pid) {
                Some(p) if p.alive() && p.stopped => {
                    p.stopped = false;
                    p.stop_report = None;
                    p.cont_report = true;
                    Some(p.ppid)
                }
                _ => None,
            };
            if let Some(pp) = ppid {
                self.wake(pp, |b| b == super::process::Block::Wait);
            }
            let stops = (bit(19) | bit(20) | bit(21) | bit(22)) & !bit(SIGSTOP);
            if pid == self.pid {
                self.sigpending &= !stops;
            } else if let Some(c) = self.procs.get_mut(&pid).and_then(|p| p.ctx.as_mut()) {
                c.sigpending &= !stops;
            }
        }
        let (mask, ign) = if pid == self.pid {
            (self.sigmask, self.sigign)
        } else {
            match self.procs.get(&pid) {
                Some(p) if p.alive() => p.ctx.as_ref().map_or((0, 0), |c| (c.sigmask, c.sigign)),
                _ => return,
            }
        };
        if !uncatchable && ign & b != 0 {
            return;
        }
        if default_action(sig) == Default::Ignore {
            return;
        }
        if !uncatchable && mask & b != 0 {
            if pid == self.pid {
                self.sigpending |= b;
            } else if let Some(c) = self.procs.get_mut(&pid).and_then(|p| p.ctx.as_mut()) {
                c.sigpending |= b;
            }
            return;
        }
        if default_action(sig) == Default::Stop {
            self.stop(pid, sig);
            return;
        }
        let by = if pid == self.pid {
            "sent by the program itself".to_string()
        } else {
            format!("sent by pid {}", self.pid)
        };
        let state = ProcessState::Killed {
            signal: sig,
            reason: format!("killed by signal {sig} ({}) {by}", name(sig)),
        };
        if pid == self.pid {
            self.state = state;
        } else {
            self.exit_other(pid, state);
        }
    }

    /// `do_signal_stop`: the process stops (the running one leaves the CPU on its way out of
    /// the kernel) and its parent's wait hears of it.
    fn stop(&mut self, pid: u32, sig: u8) {
        let Some(p) = self.procs.get_mut(&pid).filter(|p| p.alive() && !p.stopped) else {
            return;
        };
        p.stopped = true;
        p.stop_report = Some(sig);
        p.cont_report = false;
        let ppid = p.ppid;
        self.wake(ppid, |b| b == super::process::Block::Wait);
        if pid == self.pid {
            self.resched = true;
        }
    }

    /// Delivers the lowest pending signal no longer blocked (on the way back to user mode).
    pub(super) fn deliver_pending(&mut self) {
        let deliver = self.sigpending & !self.sigmask;
        if deliver != 0 {
            let sig = deliver.trailing_zeros() as u8 + 1;
            self.sigpending &= !bit(sig);
            self.send_signal(self.pid, sig);
        }
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

    /// rt_sigaction(sig, act, oldact, sigsetsize) (13): records whether the disposition is
    /// SIG_IGN (1); other handlers are accepted but not run. `oldact` gets SIG_IGN or
    /// SIG_DFL with an empty mask.
    pub(super) fn rt_sigaction(&mut self, sig: u64, act: u64, oldact: u64, size: u64) -> i64 {
        if size != 8 || sig == 0 || sig > 64 {
            return Errno::Einval.ret();
        }
        let b = bit(sig as u8);
        let was_ign = self.sigign & b != 0;
        if act != 0 {
            if sig == 9 || sig == 19 {
                return Errno::Einval.ret();
            }
            let Ok(h) = self.copy_in(act, 8) else {
                return Errno::Efault.ret();
            };
            let mut w = [0u8; 8];
            w.copy_from_slice(h.get(..8).unwrap_or(&[0; 8]));
            if u64::from_le_bytes(w) == 1 {
                self.sigign |= b;
                self.sigpending &= !b;
            } else {
                self.sigign &= !b;
            }
        }
        if oldact != 0 {
            let mut old = [0u8; 32];
            if was_ign {
                old[0] = 1;
            }
            if let Err(e) = self.copy_out(oldact, &old) {
                return e;
            }
        }
        0
    }
}
