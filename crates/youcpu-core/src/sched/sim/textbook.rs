//! The textbook policies (OSTEP, "Scheduling: Introduction"): FIFO, SJF, STCF and round robin.

use super::engine::{Scheduler, TaskRt};
use std::collections::{BTreeSet, VecDeque};

fn remaining(tasks: &[TaskRt], task: usize) -> u64 {
    tasks.get(task).map_or(0, |t| t.remaining)
}

/// First in, first out: one queue in order of becoming runnable (ties by id, as the engine
/// enqueues simultaneous arrivals in id order); never preempts.
pub(crate) struct Fifo {
    queue: VecDeque<usize>,
}

impl Fifo {
    pub(crate) fn new() -> Self {
        Fifo {
            queue: VecDeque::new(),
        }
    }
}

impl Scheduler for Fifo {
    fn enqueue(&mut self, _: &[TaskRt], task: usize, _: bool) {
        self.queue.push_back(task);
    }
    fn put_prev(&mut self, _: &[TaskRt], curr: usize) {
        self.queue.push_back(curr);
    }
    fn pick_next(&mut self, _: &[TaskRt]) -> Option<usize> {
        self.queue.pop_front()
    }
    fn run_limit(&self) -> Option<u64> {
        None
    }
    fn nr_queued(&self) -> usize {
        self.queue.len()
    }
    fn explain_pick(&self, _: &[TaskRt], _: usize) -> String {
        "first in the queue (runnable longest)".into()
    }
    fn steal(&mut self, _: &[TaskRt]) -> Option<(usize, i64)> {
        self.queue.pop_back().map(|t| (t, 0))
    }
    fn attach(&mut self, _: &[TaskRt], task: usize, _: i64, _: bool) {
        self.queue.push_back(task);
    }
}

/// SJF (`preemptive == false`) and STCF (`true`): the queue is ordered by the remaining time of
/// the current burst, then by id. SJF never preempts; STCF preempts when a newcomer's remaining
/// time is strictly shorter than the running task's.
pub(crate) struct Shortest {
    preemptive: bool,
    queue: BTreeSet<(u64, usize)>,
}

impl Shortest {
    pub(crate) fn new(preemptive: bool) -> Self {
        Shortest {
            preemptive,
            queue: BTreeSet::new(),
        }
    }
}

impl Scheduler for Shortest {
    fn enqueue(&mut self, tasks: &[TaskRt], task: usize, _: bool) {
        self.queue.insert((remaining(tasks, task), task));
    }
    fn wakeup_preempt(&mut self, tasks: &[TaskRt], curr: usize, woken: usize) -> bool {
        self.preemptive && remaining(tasks, woken) < remaining(tasks, curr)
    }
    fn put_prev(&mut self, tasks: &[TaskRt], curr: usize) {
        self.queue.insert((remaining(tasks, curr), curr));
    }
    fn pick_next(&mut self, _: &[TaskRt]) -> Option<usize> {
        self.queue.pop_first().map(|(_, t)| t)
    }
    fn run_limit(&self) -> Option<u64> {
        None
    }
    fn nr_queued(&self) -> usize {
        self.queue.len()
    }
    fn explain_pick(&self, tasks: &[TaskRt], task: usize) -> String {
        let what = if self.preemptive {
            "remaining time"
        } else {
            "burst"
        };
        format!(
            "shortest {what} ({}), ties to the lower id",
            remaining(tasks, task)
        )
    }
    fn steal(&mut self, _: &[TaskRt]) -> Option<(usize, i64)> {
        self.queue.pop_last().map(|(_, t)| (t, 0))
    }
    fn attach(&mut self, tasks: &[TaskRt], task: usize, _: i64, _: bool) {
        self.queue.insert((remaining(tasks, task), task));
    }
}

/// Round robin: a FIFO queue; the running task goes to the back when its quantum expires.
/// The quantum is fixed, or `max(target_latency / runnable, min_granularity)` computed when the
/// task is dispatched (integer division; `runnable` counts the dispatched task).
pub(crate) struct RoundRobin {
    quantum: u64,
    latency: Option<(u64, u64)>,
    queue: VecDeque<usize>,
}

impl RoundRobin {
    pub(crate) fn fixed(quantum: u64) -> Self {
        RoundRobin {
            quantum,
            latency: None,
            queue: VecDeque::new(),
        }
    }
    pub(crate) fn latency(target: u64, min_granularity: u64) -> Self {
        RoundRobin {
            quantum: 0,
            latency: Some((target, min_granularity)),
            queue: VecDeque::new(),
        }
    }
    fn current_quantum(&self) -> u64 {
        match self.latency {
            None => self.quantum,
            Some((target, gran)) => (target / (self.queue.len() as u64 + 1)).max(gran),
        }
    }
}

impl Scheduler for RoundRobin {
    fn enqueue(&mut self, _: &[TaskRt], task: usize, _: bool) {
        self.queue.push_back(task);
    }
    fn put_prev(&mut self, _: &[TaskRt], curr: usize) {
        self.queue.push_back(curr);
    }
    fn pick_next(&mut self, _: &[TaskRt]) -> Option<usize> {
        self.queue.pop_front()
    }
    fn run_limit(&self) -> Option<u64> {
        Some(self.current_quantum())
    }
    fn nr_queued(&self) -> usize {
        self.queue.len()
    }
    fn explain_pick(&self, _: &[TaskRt], _: usize) -> String {
        match self.latency {
            None => format!(
                "front of the queue; runs for up to the quantum {}",
                self.quantum
            ),
            Some((target, gran)) => format!(
                "front of the queue; quantum max({target} / {} runnable, {gran}) = {}",
                self.queue.len() + 1,
                self.current_quantum()
            ),
        }
    }
    fn steal(&mut self, _: &[TaskRt]) -> Option<(usize, i64)> {
        self.queue.pop_back().map(|t| (t, 0))
    }
    fn attach(&mut self, _: &[TaskRt], task: usize, _: i64, _: bool) {
        self.queue.push_back(task);
    }
}
