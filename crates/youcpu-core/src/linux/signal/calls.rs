//! The signal system calls (kernel/signal.c): rt_sigaction, rt_sigprocmask, rt_sigpending,
//! rt_sigsuspend, sigaltstack, and what a child's end tells its parent (`do_notify_parent`).

use super::*;

impl Linux {
    /// rt_sigaction(sig, act, oldact, sigsetsize) (13): `do_sigaction`. The new action's
    /// flags are reduced to the known ones and SIGKILL/SIGSTOP are removed from its mask;
    /// a signal set to be ignored is dropped from the pending set.
    pub(in crate::linux) fn rt_sigaction(
        &mut self,
        sig: u64,
        act: u64,
        oldact: u64,
        size: u64,
    ) -> i64 {
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
    pub(in crate::linux) fn rt_sigprocmask(
        &mut self,
        how: u64,
        set: u64,
        oldset: u64,
        size: u64,
    ) -> i64 {
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
    pub(in crate::linux) fn rt_sigpending(&mut self, set: u64, size: u64) -> i64 {
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
    pub(in crate::linux) fn rt_sigsuspend(&mut self, mask: u64, size: u64) -> i64 {
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
    pub(in crate::linux) fn sigaltstack(&mut self, new: u64, old: u64) -> i64 {
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
    pub(in crate::linux) fn set_altstack(&mut self, b: &[u8], sp: u64) -> Result<(), Errno> {
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
    pub(in crate::linux) fn ignores_sigchld(&self, pid: u32) -> bool {
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
    pub(in crate::linux) fn notify_parent(&mut self, child: u32) {
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
