//! Why a simulation was refused or stopped: every limit is named in the message.

use super::workload::{MAX_TASKS, MAX_TIME, MAX_TOTAL_BURSTS, MAX_TOTAL_TIME};
use super::{MAX_CPUS, MAX_EVENTS};
use std::fmt;

/// Why a simulation was refused or stopped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SimError {
    /// The workload is empty.
    NoTasks,
    /// More than [`MAX_TASKS`] tasks.
    TooManyTasks(usize),
    /// More than [`MAX_TOTAL_BURSTS`] bursts in all.
    TooManyBursts(usize),
    /// A task's bursts are malformed.
    BadBursts {
        /// The task.
        task: usize,
        /// What is wrong.
        why: &'static str,
    },
    /// A nice value outside -20..=19.
    BadNice {
        /// The task.
        task: usize,
        /// The value given.
        nice: i32,
    },
    /// A time value above [`MAX_TIME`].
    TimeTooLarge {
        /// Which value.
        what: &'static str,
        /// The task, if the value belongs to one.
        task: Option<usize>,
        /// The value given.
        value: u64,
    },
    /// The last arrival plus all bursts exceed [`MAX_TOTAL_TIME`].
    TotalTooLarge,
    /// A policy parameter that must be positive is 0.
    ZeroParameter(&'static str),
    /// `max_events` outside 1..=[`MAX_EVENTS`].
    BadEventLimit(u64),
    /// The run needed more event-loop iterations than allowed.
    TooManyEvents(u64),
    /// A CPU count outside 1..=[`MAX_CPUS`].
    BadCpus(usize),
}

impl fmt::Display for SimError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SimError::NoTasks => write!(f, "there must be at least one task"),
            SimError::TooManyTasks(n) => {
                write!(
                    f,
                    "{n} tasks is more than the simulator takes ({MAX_TASKS} at most)"
                )
            }
            SimError::TooManyBursts(n) => write!(
                f,
                "{n} bursts in all is more than the simulator takes ({MAX_TOTAL_BURSTS} at most)"
            ),
            SimError::BadBursts { task, why } => write!(f, "task {task} {why}"),
            SimError::BadNice { task, nice } => {
                write!(
                    f,
                    "task {task}: nice must be between -20 and 19, not {nice}"
                )
            }
            SimError::TimeTooLarge { what, task, value } => match task {
                Some(t) => write!(f, "task {t}: {what} {value} is more than {MAX_TIME}"),
                None => write!(f, "{what} {value} is more than {MAX_TIME}"),
            },
            SimError::TotalTooLarge => write!(
                f,
                "the last arrival plus all bursts add up to more than {MAX_TOTAL_TIME} time units"
            ),
            SimError::ZeroParameter(what) => write!(f, "{what} must be more than 0"),
            SimError::BadEventLimit(n) => {
                write!(
                    f,
                    "the event limit must be between 1 and {MAX_EVENTS}, not {n}"
                )
            }
            SimError::TooManyEvents(n) => write!(
                f,
                "the simulation needs more than {n} scheduling events; use fewer or shorter \
                 jobs, a larger quantum, or a horizon"
            ),
            SimError::BadCpus(n) => write!(
                f,
                "the number of CPUs must be between 1 and {MAX_CPUS}, not {n}"
            ),
        }
    }
}

impl std::error::Error for SimError {}
