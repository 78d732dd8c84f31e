//! Sharing the one simulated CPU: context switches, round-robin scheduling driven by the
//! timer interrupt, blocking and waking, and a process's end (kernel/exit.c `do_exit`,
//! `exit_notify`, `forget_original_parent`).
//!
//! The policy is round robin in pid order: at every timer interrupt (every
//! [`super::fork::DEFAULT_SLICE`] user instructions unless configured) and whenever the running
//! process blocks or ends, the CPU goes to the next runnable process after it in pid order,
//! wrapping around. (Linux would use EEVDF; with equal weights and no sleepers that is round
//! robin too, in a different order.) The kernel's own work takes no simulated time.
//!
//! The first process is the reaper of orphans, as a child subreaper would be, and the run
//! ends when it does: the processes still alive then are killed with SIGKILL, as they are
//! when a pid namespace's init exits (kernel/pid_namespace.c `zap_pid_ns_processes`).

use super::process::{Block, Context, SIGCHLD};
use super::{KernelAction, Linux, ProcessState};

/// SIGKILL.
const SIGKILL: u8 = 9;

/// The most deadlines the idle clock passes in one search for a runnable process: past them
/// (an interval timer whose signal is ignored, while every process waits), the machine
/// stops as deadlocked rather than spin in the kernel.
const MAX_IDLE_JUMPS: usize = 100_000;

impl Linux {
    /// Puts process `next` on the CPU: the running process's registers, address space,
    /// descriptors and signal masks go to its table entry (`switch_to`, `switch_mm`), and
    /// `next`'s come back with its CR3. Returns false when `next` cannot run.
    pub(super) fn switch_to(&mut self, next: u32) -> bool {
        if next == self.pid {
            return true;
        }
        let Some(mut inc) = self.procs.get_mut(&next).and_then(|p| p.ctx.take()) else {
            return false;
        };
        if inc.mm.cr3 == 0 {
            // A thread without the group's address space and descriptors (thread.rs): from
            // the CPU when the group runs there, else from the thread that holds them.
            let group = self.tgid_of(next);
            if group == self.tgid() {
                std::mem::swap(&mut inc.mm, &mut self.mm);
                std::mem::swap(&mut inc.fds, &mut self.fds);
            } else if let Some(h) = self
                .procs
                .values_mut()
                .filter(|p| p.tgid == group)
                .filter_map(|p| p.ctx.as_mut())
                .find(|c| c.mm.cr3 != 0)
            {
                std::mem::swap(&mut inc.mm, &mut h.mm);
                std::mem::swap(&mut inc.fds, &mut h.fds);
            }
        }
        let retired = self.m.cpu.retired_user;
        let out = Context {
            regs: Box::new(std::mem::replace(&mut self.m.cpu.s, *inc.regs)),
            mm: std::mem::replace(&mut self.mm, inc.mm),
            fds: std::mem::replace(&mut self.fds, inc.fds),
            sigmask: std::mem::replace(&mut self.sigmask, inc.sigmask),
            sigpending: std::mem::replace(&mut self.sigpending, inc.sigpending),
            sigign: std::mem::replace(&mut self.sigign, inc.sigign),
            sig: std::mem::replace(&mut self.sig, inc.sig),
            cwd: std::mem::replace(&mut self.cwd, inc.cwd),
            umask: std::mem::replace(&mut self.umask, inc.umask),
        };
        let out_state = std::mem::replace(&mut self.state, ProcessState::Running);
        let from = self.pid;
        if let Some(p) = self.procs.get_mut(&from) {
            p.instructions += retired.saturating_sub(self.slice_start);
            p.ctx = (out_state == ProcessState::Running).then_some(out);
            p.state = out_state;
        }
        if let Some(p) = self.procs.get(&next) {
            self.state = p.state.clone();
        }
        self.slice_start = retired;
        self.pid = next;
        self.m.cpu.s.cr3 = self.mm.cr3;
        self.m.cpu.halted = false;
        self.m.cpu.sync_paging(&mut self.m.mmu);
        self.switches += 1;
        self.last_switch = Some((from, next));
        true
    }

    fn runnable(&self, pid: u32) -> bool {
        self.procs
            .get(&pid)
            .is_some_and(|p| p.alive() && p.blocked.is_none() && !p.stopped && p.ctx.is_some())
    }

    /// Round robin: the next runnable pid after the running one, wrapping around; the running
    /// process keeps the CPU when nobody else can run. When nobody at all can run, the clock
    /// jumps to the first sleeper's wake-up ([`super::time`]); with no sleeper either, every
    /// live process waits for another: the machine stops (a deadlock the real kernel would
    /// sleep through for ever).
    pub(super) fn schedule(&mut self) {
        // An alarm that ends the running process leaves the choice to its exit path.
        let running = self.state == ProcessState::Running;
        self.wake_sleepers(false);
        if running && self.state != ProcessState::Running {
            return;
        }
        if self.pick_next() {
            return;
        }
        // Idle: the clock jumps from deadline to deadline until someone can run. A deadline
        // may wake nobody (an alarm whose SIGALRM is ignored, while another process sleeps
        // for longer), so one jump is not always enough.
        for _ in 0..MAX_IDLE_JUMPS {
            let woke = self.wake_sleepers(true);
            if running && self.state != ProcessState::Running {
                return;
            }
            if !woke {
                break;
            }
            if self.pick_next() {
                return;
            }
        }
        self.deadlock();
    }

    /// Switches to the next runnable process (round robin); false when nobody at all can
    /// run, the running process included.
    fn pick_next(&mut self) -> bool {
        let cur = self.pid;
        let next = self
            .procs
            .range(cur.saturating_add(1)..)
            .chain(self.procs.range(..cur))
            .map(|(&pid, _)| pid)
            .find(|&pid| self.runnable(pid));
        if let Some(n) = next {
            self.switch_to(n);
            return true;
        }
        let cur_ok = self.state == ProcessState::Running
            && self
                .procs
                .get(&cur)
                .is_none_or(|p| p.blocked.is_none() && !p.stopped);
        cur_ok || self.pid == self.init_pid && self.state != ProcessState::Running
    }

    /// Nobody can run and nobody sleeps with a deadline: every live process waits for
    /// another. The machine stops (the real kernel would sleep for ever).
    fn deadlock(&mut self) {
        if self.stdin_open
            && self.procs.values().any(|p| {
                p.alive() && matches!(p.blocked, Some(Block::Stdin | Block::Poll { until: None }))
            })
        {
            // Not stuck: waiting for the user (a read or a poll that may be on standard
            // input). The caller feeds input, or its end, and goes on.
            self.awaiting_input = true;
            return;
        }
        let init = self.init_pid;
        let waiting: Vec<String> = self
            .procs
            .values()
            .filter(|p| p.alive())
            .map(|p| format!("{} ({:?})", p.pid, p.blocked))
            .collect();
        self.switch_to(init);
        self.state = ProcessState::Crashed {
            reason: format!("deadlock: every process is blocked: {}", waiting.join(", ")),
        };
    }

    /// The running process sleeps until [`Linux::wake`].
    pub(super) fn block_current(&mut self, b: Block) {
        if let Some(p) = self.procs.get_mut(&self.pid) {
            p.blocked = Some(b);
        }
        self.schedule();
    }

    /// Wakes every process sleeping for reason `b`.
    pub(super) fn wake_all(&mut self, b: Block) {
        // A poll may wait on any pipe or on standard input.
        let polls = matches!(b, Block::Pipe { .. } | Block::Stdin);
        for p in self.procs.values_mut() {
            if p.blocked == Some(b) || polls && matches!(p.blocked, Some(Block::Poll { .. })) {
                p.blocked = None;
            }
        }
    }

    /// Wakes `pid` if it sleeps for a reason `pred` accepts.
    pub(super) fn wake(&mut self, pid: u32, pred: impl Fn(Block) -> bool) {
        if let Some(p) = self.procs.get_mut(&pid) {
            if p.blocked.is_some_and(pred) {
                p.blocked = None;
            }
        }
    }

    /// After the kernel's work: if the running process has ended, it becomes a zombie and
    /// another runs; if it was the first process, the others are killed and the run ends.
    pub(super) fn after_kernel_work(&mut self, action: &mut Option<KernelAction>) {
        if !matches!(
            self.state,
            ProcessState::Exited { .. } | ProcessState::Killed { .. }
        ) {
            return;
        }
        let pid = self.pid;
        let init_alive = self.procs.get(&self.init_pid).is_some_and(|p| p.alive());
        if pid != self.init_pid && !init_alive {
            self.finish_end();
            return;
        }
        if let Some(p) = self.procs.get_mut(&pid) {
            if !p.alive() {
                return; // already handled
            }
            p.state = self.state.clone();
        }
        if pid == self.init_pid {
            self.end_run();
            return;
        }
        self.release_current();
        if self.tgid_of(pid) != pid {
            // A thread other than the leader leaves nothing behind (exit_signal -1, reaped
            // at once by `release_task`).
            self.procs.remove(&pid);
        } else {
            self.exit_notify(pid);
        }
        self.schedule();
        if action.is_none() {
            if let Some((from, to)) = self.last_switch.filter(|(f, _)| *f == pid) {
                *action = Some(KernelAction::Switch { from, to });
            }
        }
    }

    /// `exit_mm` and `exit_files` of a thread or process off the CPU: the last user of the
    /// address space and descriptors frees them; otherwise another live thread of its group
    /// takes them over.
    pub(super) fn release_ctx(&mut self, tgid: u32, mut ctx: Context) {
        if ctx.mm.cr3 == 0 {
            return; // a thread's placeholders
        }
        if let Some(h) = self.heir(tgid) {
            std::mem::swap(&mut h.mm, &mut ctx.mm);
            std::mem::swap(&mut h.fds, &mut ctx.fds);
            return;
        }
        ctx.mm.destroy(&mut self.m.mmu);
        let files = ctx.fds.take_all();
        self.fput_all(files);
    }

    /// A live thread of group `tgid`, off the CPU, that can take over the group's address
    /// space and descriptors.
    fn heir(&mut self, tgid: u32) -> Option<&mut Context> {
        let me = self.pid;
        self.procs
            .values_mut()
            .filter(|p| p.tgid == tgid && p.pid != me && p.alive())
            .filter_map(|p| p.ctx.as_mut())
            .find(|c| c.mm.cr3 == 0)
    }

    /// `exit_mm` and `exit_files` of the running thread or process (it leaves the CPU
    /// next), handing them to another thread of its group if one lives.
    fn release_current(&mut self) {
        let mut mm = std::mem::take(&mut self.mm);
        let mut fds = std::mem::take(&mut self.fds);
        if let Some(h) = self.heir(self.tgid()) {
            h.mm = mm;
            h.fds = fds;
            return;
        }
        mm.destroy(&mut self.m.mmu);
        let files = fds.take_all();
        self.fput_all(files);
    }

    /// A process other than the running one ends (killed by a signal): its memory and
    /// descriptors are released and it becomes a zombie.
    pub(super) fn exit_other(&mut self, pid: u32, state: ProcessState) {
        let Some(p) = self.procs.get_mut(&pid) else {
            return;
        };
        if !p.alive() || pid == self.pid {
            return;
        }
        p.state = state;
        p.blocked = None;
        if pid == self.init_pid {
            self.end_run();
            return;
        }
        let tgid = p.tgid;
        if let Some(ctx) = p.ctx.take() {
            self.release_ctx(tgid, ctx);
        }
        self.exit_notify(pid);
    }

    /// `exit_notify`: children go to the reaper, the parent is woken (a vfork parent too).
    fn exit_notify(&mut self, pid: u32) {
        let reaper = self.init_pid;
        let mut zombies_moved = false;
        for p in self.procs.values_mut().filter(|p| p.ppid == pid) {
            p.ppid = reaper;
            zombies_moved |= !p.alive();
        }
        if zombies_moved {
            self.wake(reaper, |b| b == Block::Wait);
        }
        let Some(p) = self.procs.get(&pid) else {
            return;
        };
        let (ppid, sig) = (p.ppid, p.exit_signal);
        self.wake(ppid, |b| {
            b == Block::Wait || b == Block::Vfork { child: pid }
        });
        self.notify_parent(pid);
        // A parent that set SIGCHLD to SIG_IGN does not keep zombies (kernel/signal.c
        // do_notify_parent): the child is reaped at once.
        if sig == SIGCHLD && self.ignores_sigchld(ppid) {
            self.procs.remove(&pid);
        }
    }

    /// The first process has ended: every other process is killed. If another process is
    /// on the CPU (it killed the first one), [`Linux::after_kernel_work`] puts the first one
    /// back once the system call has returned, and [`Linux::run`] stops.
    fn end_run(&mut self) {
        let init = self.init_pid;
        let others: Vec<u32> = self
            .procs
            .values()
            .filter(|p| p.pid != init && p.alive())
            .map(|p| p.pid)
            .collect();
        let killed = ProcessState::Killed {
            signal: SIGKILL,
            reason: format!("killed when pid {init} ended"),
        };
        for pid in others {
            if pid == self.pid {
                self.state = killed.clone();
            }
            if let Some(p) = self.procs.get_mut(&pid) {
                p.state = killed.clone();
                p.blocked = None;
                let tgid = p.tgid;
                if let Some(ctx) = p.ctx.take() {
                    self.release_ctx(tgid, ctx);
                }
            }
        }
        self.close_init_files();
    }

    /// The first process's descriptors close when the run ends (`exit_files`): its files
    /// (host files included) are released; its memory stays for whoever looks at the end.
    fn close_init_files(&mut self) {
        let files = self.fds.take_all();
        self.fput_all(files);
    }

    /// After a process other than the first one ended the first one: it goes too, and the
    /// first one is put back on the CPU with its final state.
    fn finish_end(&mut self) {
        let init = self.init_pid;
        let Some(end) = self.procs.get(&init).map(|p| p.state.clone()) else {
            return;
        };
        self.release_current();
        if let Some(p) = self.procs.get_mut(&init) {
            p.state = ProcessState::Running; // so that switch_to takes its context
        }
        self.switch_to(init);
        self.state = end.clone();
        if let Some(p) = self.procs.get_mut(&init) {
            p.state = end;
            p.blocked = None;
        }
        self.close_init_files();
    }
}
