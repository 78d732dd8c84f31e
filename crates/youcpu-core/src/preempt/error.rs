//! Why a [`super::System`] could not be built, or stopped for good: one variant per cause,
//! so callers and tests tell them apart by kind, and a sentence for the reader
//! ([`std::fmt::Display`]).

use super::trace::thousands;
use super::{MAX_PERIOD, MAX_PROCESSES, MAX_STEPS, MAX_YIELD_EVERY};
use std::fmt;

/// What went wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Error {
    /// Not 1 to [`MAX_PROCESSES`] processes.
    Processes(usize),
    /// A timer period of 0 or past [`MAX_PERIOD`].
    Period(u64),
    /// A yield interval of 0 or past [`MAX_YIELD_EVERY`].
    YieldEvery(u64),
    /// The source of process `process` (from 1) does not assemble; the assembler's words.
    Source {
        /// Which process.
        process: usize,
        /// The assembler's message (it names the line).
        message: String,
    },
    /// The kernel's own source does not assemble or lacks a label (a bug of this model).
    Kernel(String),
    /// No frame of simulated memory left, or another refusal of the machine (the timer).
    Machine(String),
    /// A kernel address the kernel's page tables do not map (a bug of this model).
    Unmapped(u64),
    /// [`MAX_STEPS`] steps were taken.
    StepLimit,
    /// The CPU could not go on (a triple fault).
    Cpu(String),
    /// Task `task` (from 1) raised an exception this small kernel does not handle.
    Raised {
        /// Which task.
        task: usize,
        /// The exception, in words.
        what: String,
        /// Where.
        rip: u64,
    },
    /// The CPU halted with interrupts off or no timer.
    Halted,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Processes(n) => write!(
                f,
                "the machine runs 1 to {MAX_PROCESSES} processes, not {n}"
            ),
            Error::Period(p) => write!(
                f,
                "the timer period must be 1 to {} instructions, not {}",
                thousands(MAX_PERIOD),
                thousands(*p)
            ),
            Error::YieldEvery(y) => write!(
                f,
                "a process must yield every 1 to {} iterations, not {}",
                thousands(MAX_YIELD_EVERY),
                thousands(*y)
            ),
            Error::Source { process, message } => write!(f, "process {process}: {message}"),
            Error::Kernel(m) | Error::Machine(m) | Error::Cpu(m) => f.write_str(m),
            Error::Unmapped(va) => write!(f, "kernel address {va:#x} is not mapped"),
            Error::StepLimit => write!(
                f,
                "stopped after {} steps, this model's limit",
                thousands(MAX_STEPS)
            ),
            Error::Raised { task, what, rip } => write!(
                f,
                "task {task} raised {what} at RIP {rip:#x}; this small kernel handles only \
                 the timer and two system calls, so the machine stops"
            ),
            Error::Halted => f.write_str("the CPU halted with nothing to wake it"),
        }
    }
}

impl std::error::Error for Error {}
