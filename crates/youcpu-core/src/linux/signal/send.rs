//! Sending signals (kernel/signal.c `kill_something_info`, `group_send_sig_info`,
//! `do_tkill`, `prepare_signal`, `send_signal_locked`, `complete_signal`), their default
//! actions (terminate, group stop and continue: `do_signal_stop`), and CPU exceptions turned
//! into signals (`force_sig_fault`).

use super::*;

impl Linux {
    /// Which thread takes a signal sent to the process of `pid` (kernel/signal.c
    /// `complete_signal`, `wants_signal`): the main thread unless it blocks the signal and
    /// another live thread of the group does not. When every thread blocks it, it waits
    /// on the main thread (on Linux it waits on the process, for whichever thread unblocks
    /// it first: here only the main thread's unblocking lets it through).
    pub(super) fn process_target(&self, pid: u32, sig: u8) -> u32 {
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
    pub(in crate::linux) fn sys_kill(&mut self, pid: i32, sig: u64) -> i64 {
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
    pub(in crate::linux) fn sys_tgkill(&mut self, tgid: Option<i64>, tid: i64, sig: u64) -> i64 {
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
    pub(super) fn user_info(&self, code: i32) -> SigInfo {
        SigInfo {
            code,
            fields: SigFields::Kill {
                pid: self.pid,
                uid: self.uid as u32,
            },
        }
    }

    pub(super) fn group(&self, pgid: u32) -> Vec<u32> {
        self.procs
            .values()
            .filter(|p| p.pgid == pgid)
            .map(|p| p.pid)
            .collect()
    }

    /// The masks and disposition of `sig` in process `pid` (running or not), if it lives.
    pub(super) fn target_view(&self, pid: u32, sig: u8) -> Option<(u64, SigAction)> {
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
    pub(super) fn set_pending(&mut self, pid: u32, sig: u8, info: SigInfo) {
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
    pub(super) fn queued_in(&self, pid: u32) -> usize {
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
    pub(in crate::linux) fn rt_sigqueueinfo(
        &mut self,
        tgid: i64,
        tid: Option<i64>,
        sig: u64,
        uinfo: u64,
    ) -> i64 {
        let Ok(b) = self.copy_in(uinfo, 32) else {
            return Errno::Efault.ret();
        };
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
    pub(in crate::linux) fn send_signal(&mut self, pid: u32, sig: u8) {
        let info = self.user_info(si::USER);
        self.send_signal_info(pid, sig, info);
    }

    /// Delivers `sig` to `pid` (`send_signal_locked`, `complete_signal`): dropped when
    /// ignored; pending while blocked; pending and waking a sleeping process when a handler
    /// catches it (the handler runs on its way back to ring 3); else its default action.
    pub(in crate::linux) fn send_signal_info(&mut self, pid: u32, sig: u8, info: SigInfo) {
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
    pub(super) fn interrupt_sleep(&mut self, pid: u32) {
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
    pub(super) fn default_signal(&mut self, pid: u32, sig: u8, reason: Option<String>) {
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
    pub(super) fn stop(&mut self, pid: u32, sig: u8) {
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
    pub(super) fn continue_group(&mut self, pid: u32) {
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
    pub(in crate::linux) fn force_fault(
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
}
