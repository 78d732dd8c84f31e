//! More than one CPU: where a task that becomes runnable goes, and load balancing.
//!
//! Each CPU has its own run queue (its own instance of the policy), as each `struct rq` in
//! `kernel/sched/core.c` has its own `cfs_rq`. What is modelled, and how it is simplified:
//!
//! - **Placement** (`select_task_rq_fair`): a new task goes to the CPU with the fewest runnable
//!   tasks, ties to the lower CPU (`sched_balance_find_dst_cpu`, the idlest CPU); a waking task
//!   goes back to the CPU it last ran on if that CPU is idle, else to the first idle CPU, else
//!   back to its own CPU (`select_idle_sibling`). Caches, SMT siblings and NUMA nodes are not
//!   modelled: every CPU is equally close to every other (one scheduling domain).
//! - **Newly idle balancing** (`sched_balance_newidle`): a CPU about to pick with nothing
//!   queued pulls one queued task from the CPU with the most runnable tasks, provided that CPU
//!   has at least two (one running and one waiting). So after every instant no CPU is idle while
//!   another has a task waiting.
//! - **Periodic balancing** (`sched_balance_rq`, `load_balance` in spirit): every
//!   `balance_interval` each CPU in turn pulls queued tasks from the busiest CPU while that one
//!   has at least two runnable tasks more than it. The kernel compares *load* (weights averaged
//!   over time by PELT) and group capacities, runs each domain on its own interval that grows
//!   while the CPU is busy, and skips cache-hot tasks; here the measure is the number of
//!   runnable tasks, every CPU balances at the same instants, and every queued task may move.
//! - **Which task moves**: the one the source queue would run last (FIFO and round robin: the
//!   back of the queue; SJF/STCF: the longest; CFS: the largest vruntime; EEVDF: the latest
//!   deadline), as `detach_tasks` starts from the cold end of the queue; the running task never
//!   moves. A moved task keeps its virtual-time position relative to its queue (see the CFS
//!   and EEVDF modules) and may preempt on arrival (`attach_task` calls `wakeup_preempt`).
//! - A migration costs nothing beyond the context switch the new CPU makes to run the task;
//!   the caches it leaves cold are not modelled.

use super::engine::{Engine, Scheduler};
use super::result::StepKind;

impl<S: Scheduler> Engine<'_, S> {
    fn nr_running(&self, cpu: usize) -> usize {
        self.rqs.get(cpu).map_or(0, |rq| rq.nr_running())
    }

    /// Chooses the CPU for a task that becomes runnable and queues it there; returns the CPU.
    pub(crate) fn enqueue_placed(&mut self, task: usize, new: bool) -> usize {
        let n = self.rqs.len();
        let prev = self.tasks.get(task).map_or(0, |t| t.cpu).min(n - 1);
        let cpu = if n == 1 {
            0
        } else if new {
            (0..n).min_by_key(|&c| (self.nr_running(c), c)).unwrap_or(0)
        } else if self.nr_running(prev) == 0 {
            prev
        } else {
            (0..n).find(|&c| self.nr_running(c) == 0).unwrap_or(prev)
        };
        if new || cpu == prev {
            if let Some(rq) = self.rqs.get_mut(cpu) {
                rq.sched.enqueue(&self.tasks, task, new);
            }
        } else {
            let rel = self
                .rqs
                .get(prev)
                .map_or(0, |rq| rq.sched.migrate_sleeper(task));
            if let Some(rq) = self.rqs.get_mut(cpu) {
                rq.sched.attach(&self.tasks, task, rel, true);
            }
            self.note_migration(task, prev, cpu, "wakes on an idle CPU");
        }
        if let Some(t) = self.tasks.get_mut(task) {
            t.cpu = cpu;
        }
        cpu
    }

    fn note_migration(&mut self, task: usize, from: usize, to: usize, why: &'static str) {
        if let Some(t) = self.tasks.get_mut(task) {
            t.migrations += 1;
            t.cpu = to;
        }
        self.step(StepKind::Migrate, Some(task), to, |_| {
            format!("moves from CPU {from} to CPU {to}: {why}")
        });
    }

    /// The CPU other than `dst` with the most runnable tasks, ties to the lower CPU.
    fn busiest(&self, dst: usize) -> Option<usize> {
        (0..self.rqs.len())
            .filter(|&c| c != dst)
            .max_by_key(|&c| (self.nr_running(c), std::cmp::Reverse(c)))
    }

    /// Moves the task `src` would run last to `dst`.
    fn pull(&mut self, src: usize, dst: usize, why: &'static str) -> bool {
        let Some((task, rel)) = self
            .rqs
            .get_mut(src)
            .and_then(|rq| rq.sched.steal(&self.tasks))
        else {
            return false;
        };
        self.sample(src, task);
        if let Some(rq) = self.rqs.get_mut(dst) {
            rq.sched.attach(&self.tasks, task, rel, false);
        }
        self.note_migration(task, src, dst, why);
        self.sample(dst, task);
        self.check_preempt(dst, task);
        true
    }

    /// True when some CPU has at least two runnable tasks more than another: a periodic
    /// balance would move something.
    pub(crate) fn balance_due(&self) -> bool {
        if self.rqs.len() < 2 {
            return false;
        }
        let nr = (0..self.rqs.len()).map(|c| self.nr_running(c));
        let (lo, hi) = nr.fold((usize::MAX, 0), |(lo, hi), x| (lo.min(x), hi.max(x)));
        hi >= lo.saturating_add(2)
    }

    /// Every CPU in turn pulls from the busiest while it has two or more runnable tasks more.
    pub(crate) fn periodic_balance(&mut self) {
        for dst in 0..self.rqs.len() {
            // Each pull narrows the gap by two, so this ends; the bound is a second guard.
            for _ in 0..self.tasks.len() {
                let Some(src) = self.busiest(dst) else { break };
                if self.nr_running(src) < self.nr_running(dst) + 2
                    || !self.pull(src, dst, "periodic load balancing (the busiest CPU)")
                {
                    break;
                }
            }
        }
    }

    /// `dst` is about to pick with nothing queued: pull one task from the busiest CPU if that
    /// one has a task waiting behind the one it runs.
    pub(crate) fn newidle_balance(&mut self, dst: usize) {
        if let Some(src) = self.busiest(dst) {
            if self.nr_running(src) >= 2 {
                self.pull(
                    src,
                    dst,
                    "this CPU was idle and the other had a task waiting",
                );
            }
        }
    }
}
