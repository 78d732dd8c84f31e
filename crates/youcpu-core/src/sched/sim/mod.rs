//! An event-driven scheduler simulator for one CPU or a few.
//!
//! A workload is a list of tasks, each arriving at some time with alternating CPU bursts and
//! I/O waits ([`TaskSpec`]). [`simulate`] runs it under a [`Policy`]: the textbook FIFO, SJF,
//! STCF and round robin (fixed quantum, or a target latency divided among the runnable tasks
//! with a minimum-granularity floor), or models of Linux's CFS (through 6.5) and EEVDF (6.6 and
//! later) built from the kernel's own arithmetic in `kernel/sched/fair.c`.
//!
//! Conventions (the textbook ones, as in OSTEP):
//! - Time is an abstract integer; CFS and EEVDF read it as nanoseconds.
//! - The CPU idles until the next arrival when nothing is runnable.
//! - Ties go to the lower task id: tasks arriving together are queued in id order, and SJF/STCF
//!   break equal lengths by id.
//! - Round robin: a task that finishes its burst inside its quantum gives up the CPU at once;
//!   a task arriving at the instant a quantum expires is queued before the preempted task.
//! - STCF preempts only when a newcomer's remaining time is strictly shorter.
//! - A context switch is starting a task other than the one that ran last (the first dispatch
//!   is not one); it costs `switch_cost`, counted as time lost and as wait for the task
//!   switched to. Response time is measured to the first instant the task actually runs.
//! - The timeline has one entry per contiguous run of a task, plus switches and idle gaps.
//! - On more than one CPU ([`SimConfig::cpus`]) each CPU has its own run queue and tasks are
//!   placed and balanced between them as the `smp` module describes; a context switch is
//!   counted per CPU (a CPU starting a task other than the one it ran last), and metrics mean
//!   what they mean on one CPU. With one CPU the run is exactly the one-CPU run.
//!
//! Costs: every decision is O(log n) in the number of runnable tasks (FIFO and RR O(1)); the
//! run is bounded by [`SimConfig::max_events`] loop iterations (at most [`MAX_EVENTS`]).

mod cfs;
mod eevdf;
mod engine;
mod error;
mod metrics;
pub mod pattern;
pub mod policy;
pub mod result;
mod smp;
mod textbook;
mod treap;
pub mod workload;

pub use policy::{CfsParams, EevdfParams, Policy};
pub use result::{FairPoint, Overall, SimResult, Slice, SliceKind, Step, StepKind, TaskMetrics};
pub use workload::{Burst, TaskSpec, MAX_TASKS, MAX_TIME, MAX_TOTAL_BURSTS, MAX_TOTAL_TIME};

pub use error::SimError;

/// Most event-loop iterations one run may take.
pub const MAX_EVENTS: u64 = 2_000_000;
/// Most trace steps kept.
pub const MAX_STEPS: usize = 100_000;
/// Most virtual-time samples kept.
pub const MAX_FAIR_POINTS: usize = 200_000;
/// Most CPUs one run may simulate (each CPU keeps per-task state for its run queue, and Linux
/// stops scaling its scheduler tunables at 8 CPUs).
pub const MAX_CPUS: usize = 8;
/// The default periodic load-balancing interval for CFS and EEVDF: 4 ms (4 ticks at HZ=1000;
/// the kernel's `sd->balance_interval` starts at the domain's CPU count in milliseconds and
/// grows while the CPU is busy).
pub const DEFAULT_BALANCE_INTERVAL_NS: u64 = 4_000_000;
/// The default load-balancing interval for the textbook policies, in their time units.
pub const DEFAULT_BALANCE_INTERVAL_TICKS: u64 = 4;

/// How to run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SimConfig {
    /// Time lost on each switch between different tasks.
    pub switch_cost: u64,
    /// Stop at this time even if tasks remain (they are then reported unfinished).
    pub horizon: Option<u64>,
    /// Record the step-by-step trace (at most [`MAX_STEPS`] steps).
    pub trace: bool,
    /// Record virtual-time samples for CFS and EEVDF (at most [`MAX_FAIR_POINTS`]).
    pub fair_samples: bool,
    /// Give up after this many event-loop iterations (1..=[`MAX_EVENTS`]).
    pub max_events: u64,
    /// CPUs, each with its own run queue (1..=[`MAX_CPUS`]).
    pub cpus: usize,
    /// Periodic load-balancing interval on more than one CPU; `None` for the default
    /// ([`DEFAULT_BALANCE_INTERVAL_NS`] for CFS/EEVDF, [`DEFAULT_BALANCE_INTERVAL_TICKS`]
    /// otherwise).
    pub balance_interval: Option<u64>,
}

impl SimConfig {
    /// The load-balancing interval used with `policy`.
    pub fn balance_interval_for(&self, policy: &Policy) -> u64 {
        self.balance_interval.unwrap_or(if policy.is_fair() {
            DEFAULT_BALANCE_INTERVAL_NS
        } else {
            DEFAULT_BALANCE_INTERVAL_TICKS
        })
    }
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            switch_cost: 0,
            horizon: None,
            trace: false,
            fair_samples: false,
            max_events: MAX_EVENTS,
            cpus: 1,
            balance_interval: None,
        }
    }
}

fn check_time(what: &'static str, v: u64) -> Result<(), SimError> {
    if v == 0 {
        return Err(SimError::ZeroParameter(what));
    }
    if v > MAX_TIME {
        return Err(SimError::TimeTooLarge {
            what,
            task: None,
            value: v,
        });
    }
    Ok(())
}

fn check_policy(p: &Policy) -> Result<(), SimError> {
    match *p {
        Policy::Fifo | Policy::Sjf | Policy::Stcf => Ok(()),
        Policy::RoundRobin { quantum } => check_time("the quantum", quantum),
        Policy::RoundRobinLatency {
            target_latency,
            min_granularity,
        } => {
            check_time("the target latency", target_latency)?;
            check_time("the minimum granularity", min_granularity)
        }
        Policy::Cfs(c) => {
            check_time("the CFS target latency", c.latency)?;
            check_time("the CFS minimum granularity", c.min_granularity)?;
            check_time("the tick", c.tick)?;
            if c.wakeup_granularity > MAX_TIME {
                return Err(SimError::TimeTooLarge {
                    what: "the wake-up granularity",
                    task: None,
                    value: c.wakeup_granularity,
                });
            }
            Ok(())
        }
        Policy::Eevdf(e) => {
            check_time("the EEVDF base slice", e.base_slice)?;
            check_time("the tick", e.tick)
        }
    }
}

/// Runs `tasks` under `policy`.
pub fn simulate(
    tasks: &[TaskSpec],
    policy: &Policy,
    cfg: &SimConfig,
) -> Result<SimResult, SimError> {
    let weights = workload::validate(tasks)?;
    check_policy(policy)?;
    if cfg.switch_cost > MAX_TIME {
        return Err(SimError::TimeTooLarge {
            what: "the switch cost",
            task: None,
            value: cfg.switch_cost,
        });
    }
    if let Some(h) = cfg.horizon {
        if h > MAX_TOTAL_TIME {
            return Err(SimError::TimeTooLarge {
                what: "the horizon",
                task: None,
                value: h,
            });
        }
    }
    if cfg.max_events == 0 || cfg.max_events > MAX_EVENTS {
        return Err(SimError::BadEventLimit(cfg.max_events));
    }
    if cfg.cpus == 0 || cfg.cpus > MAX_CPUS {
        return Err(SimError::BadCpus(cfg.cpus));
    }
    let balance = cfg.balance_interval_for(policy);
    check_time("the load-balancing interval", balance)?;
    let n = cfg.cpus;
    match *policy {
        Policy::Fifo => finish(
            tasks,
            &weights,
            (0..n).map(|_| textbook::Queue::fifo()),
            balance,
            policy,
            cfg,
        ),
        Policy::Sjf => finish(
            tasks,
            &weights,
            (0..n).map(|_| textbook::Shortest::new(false)),
            balance,
            policy,
            cfg,
        ),
        Policy::Stcf => finish(
            tasks,
            &weights,
            (0..n).map(|_| textbook::Shortest::new(true)),
            balance,
            policy,
            cfg,
        ),
        Policy::RoundRobin { quantum } => finish(
            tasks,
            &weights,
            (0..n).map(|_| textbook::Queue::fixed(quantum)),
            balance,
            policy,
            cfg,
        ),
        Policy::RoundRobinLatency {
            target_latency,
            min_granularity,
        } => finish(
            tasks,
            &weights,
            (0..n).map(|_| textbook::Queue::latency(target_latency, min_granularity)),
            balance,
            policy,
            cfg,
        ),
        Policy::Cfs(p) => finish(
            tasks,
            &weights,
            (0..n).map(|_| cfs::Cfs::new(p, &weights)),
            balance,
            policy,
            cfg,
        ),
        Policy::Eevdf(p) => finish(
            tasks,
            &weights,
            (0..n).map(|_| eevdf::Eevdf::new(p, &weights)),
            balance,
            policy,
            cfg,
        ),
    }
}

fn finish<S: engine::Scheduler>(
    tasks: &[TaskSpec],
    weights: &[u64],
    scheds: impl Iterator<Item = S>,
    balance: u64,
    policy: &Policy,
    cfg: &SimConfig,
) -> Result<SimResult, SimError> {
    metrics::finish(tasks, weights, scheds.collect(), balance, policy, cfg)
}
