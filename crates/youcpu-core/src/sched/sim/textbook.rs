//! The textbook policies (OSTEP, "Scheduling: Introduction"): FIFO, SJF, STCF and round robin.

use super::engine::{Scheduler, TaskRt};
use std::collections::{BTreeSet, VecDeque};

fn remaining(tasks: &[TaskRt], task: usize) -> u64 {
    tasks.get(task).map_or(0, |t| t.remaining)
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

/// FIFO and round robin: one queue in order of becoming runnable (ties by id, as the engine
/// enqueues simultaneous arrivals in id order). FIFO never preempts; round robin sends the
/// running task to the back of the queue when its quantum expires. The quantum is fixed, or
/// `max(target_latency / runnable, min_granularity)` computed when the task is dispatched
/// (integer division; `runnable` counts the dispatched task).
pub(crate) struct Queue {
    quantum: Quantum,
    queue: VecDeque<usize>,
}

/// How long the front of a [`Queue`] runs.
enum Quantum {
    /// FIFO: until its burst ends.
    Unlimited,
    /// Round robin with a fixed quantum.
    Fixed(u64),
    /// Round robin with `max(target / runnable, granularity)`.
    Latency { target: u64, gran: u64 },
}

impl Queue {
    pub(crate) fn fifo() -> Self {
        Queue::with(Quantum::Unlimited)
    }
    pub(crate) fn fixed(quantum: u64) -> Self {
        Queue::with(Quantum::Fixed(quantum))
    }
    pub(crate) fn latency(target: u64, min_granularity: u64) -> Self {
        Queue::with(Quantum::Latency {
            target,
            gran: min_granularity,
        })
    }
    fn with(quantum: Quantum) -> Self {
        Queue {
            quantum,
            queue: VecDeque::new(),
        }
    }
    fn current_quantum(&self) -> Option<u64> {
        match self.quantum {
            Quantum::Unlimited => None,
            Quantum::Fixed(q) => Some(q),
            Quantum::Latency { target, gran } => {
                Some((target / (self.queue.len() as u64 + 1)).max(gran))
            }
        }
    }
}

impl Scheduler for Queue {
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
        self.current_quantum()
    }
    fn nr_queued(&self) -> usize {
        self.queue.len()
    }
    fn explain_pick(&self, _: &[TaskRt], _: usize) -> String {
        match self.quantum {
            Quantum::Unlimited => "first in the queue (runnable longest)".into(),
            Quantum::Fixed(q) => format!("front of the queue; runs for up to the quantum {q}"),
            Quantum::Latency { target, gran } => format!(
                "front of the queue; quantum max({target} / {} runnable, {gran}) = {}",
                self.queue.len() + 1,
                self.current_quantum().unwrap_or(gran)
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
