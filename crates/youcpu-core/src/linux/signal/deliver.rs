//! Delivery on the way back to ring 3 (kernel/signal.c `get_signal`, `signal_delivered`;
//! arch/x86/kernel/signal.c `arch_do_signal_or_restart`, `handle_signal`): default actions or
//! a handler frame per caught signal, and the restart of an interrupted system call.

use super::*;

impl Linux {
    /// A sleep the running process is about to start ends at once when a caught signal is
    /// already deliverable (`signal_pending` before `schedule`). True: it does not sleep.
    pub(in crate::linux) fn interrupts_sleep(&mut self, b: Block) -> bool {
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
    pub(in crate::linux) fn exit_to_user(&mut self) {
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
            // A fault's signal: the registers are those the CPU pushed for it, whose RFLAGS
            // has RF set for every fault-class exception (Intel SDM vol. 3 §17.3.1.1; not the
            // traps #DB, #BP, #OF), and so has the frame's copy. The handler runs with RF
            // clear (setup_frame), and rt_sigreturn drops it again.
            if reason.is_some() && !matches!(self.sig.trap.trapno, 1 | 3 | 4) {
                self.m.cpu.s.rflags |= crate::cpu::state::rflags::RF;
            }
            if self.setup_frame(sig, &info, &act).is_err() {
                self.m.cpu.s.rflags &= !crate::cpu::state::rflags::RF;
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
    pub(super) fn restart_syscall(&mut self, act: SigAction) {
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
}
