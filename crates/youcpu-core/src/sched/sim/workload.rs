//! What the simulator is asked to run: tasks with an arrival time and alternating CPU bursts and
//! I/O waits, and the limits that keep every run bounded.

use super::SimError;
use crate::sched::weights::nice_to_weight;
use serde::Serialize;

/// Most tasks in one workload.
pub const MAX_TASKS: usize = 100_000;
/// Most bursts (CPU bursts plus I/O waits) across the whole workload.
pub const MAX_TOTAL_BURSTS: usize = 1_000_000;
/// Largest single time value (arrival, burst, wait, quantum, cost, horizon): 2^40 units, about
/// 18 minutes when a unit is a nanosecond.
pub const MAX_TIME: u64 = 1 << 40;
/// Largest total of the last arrival plus every burst and wait: 2^52 units, so that no sum of
/// times can overflow.
pub const MAX_TOTAL_TIME: u64 = 1 << 52;

/// One phase of a task's life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Burst {
    /// Wants the CPU for this long.
    Cpu(u64),
    /// Sleeps (waits for I/O) this long, off the run queue.
    Io(u64),
}

/// One task of a workload.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TaskSpec {
    /// When the task first becomes runnable.
    pub arrival: u64,
    /// CPU bursts and I/O waits, alternating, starting and ending with a CPU burst.
    pub bursts: Vec<Burst>,
    /// Nice value (-20..=19); only CFS and EEVDF use it.
    pub nice: i32,
}

impl TaskSpec {
    /// A task with a single CPU burst and nice 0.
    pub fn cpu(arrival: u64, length: u64) -> Self {
        TaskSpec {
            arrival,
            bursts: vec![Burst::Cpu(length)],
            nice: 0,
        }
    }

    /// Total CPU time the task asks for.
    pub fn cpu_total(&self) -> u64 {
        self.total(false)
    }

    /// Total time the task spends waiting for I/O.
    pub fn io_total(&self) -> u64 {
        self.total(true)
    }

    /// The sum of the I/O bursts (`io`) or of the CPU bursts.
    fn total(&self, io: bool) -> u64 {
        self.bursts
            .iter()
            .map(|b| match (b, io) {
                (Burst::Cpu(n), false) | (Burst::Io(n), true) => *n,
                _ => 0,
            })
            .sum()
    }
}

/// Checks a workload against the limits and returns each task's load weight.
pub fn validate(tasks: &[TaskSpec]) -> Result<Vec<u64>, SimError> {
    if tasks.is_empty() {
        return Err(SimError::NoTasks);
    }
    if tasks.len() > MAX_TASKS {
        return Err(SimError::TooManyTasks(tasks.len()));
    }
    let total_bursts: usize = tasks.iter().map(|t| t.bursts.len()).sum();
    if total_bursts > MAX_TOTAL_BURSTS {
        return Err(SimError::TooManyBursts(total_bursts));
    }
    let mut weights = Vec::with_capacity(tasks.len());
    let mut total: u64 = 0;
    let mut last_arrival: u64 = 0;
    for (id, t) in tasks.iter().enumerate() {
        if t.arrival > MAX_TIME {
            return Err(SimError::TimeTooLarge {
                what: "arrival",
                task: Some(id),
                value: t.arrival,
            });
        }
        last_arrival = last_arrival.max(t.arrival);
        if t.bursts.is_empty() {
            return Err(SimError::BadBursts {
                task: id,
                why: "has no CPU burst",
            });
        }
        for (i, b) in t.bursts.iter().enumerate() {
            let (n, want_cpu) = match b {
                Burst::Cpu(n) => (*n, true),
                Burst::Io(n) => (*n, false),
            };
            if want_cpu != i.is_multiple_of(2) {
                return Err(SimError::BadBursts {
                    task: id,
                    why: "bursts must alternate CPU, I/O, CPU, ... starting with CPU",
                });
            }
            if n == 0 {
                return Err(SimError::BadBursts {
                    task: id,
                    why: "has a burst of length 0",
                });
            }
            if n > MAX_TIME {
                return Err(SimError::TimeTooLarge {
                    what: "burst",
                    task: Some(id),
                    value: n,
                });
            }
            total = total.saturating_add(n);
        }
        if t.bursts.len().is_multiple_of(2) {
            return Err(SimError::BadBursts {
                task: id,
                why: "must end with a CPU burst",
            });
        }
        weights.push(nice_to_weight(t.nice).ok_or(SimError::BadNice {
            task: id,
            nice: t.nice,
        })?);
    }
    if total.saturating_add(last_arrival) > MAX_TOTAL_TIME {
        return Err(SimError::TotalTooLarge);
    }
    Ok(weights)
}
