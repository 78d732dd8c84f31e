//! An event-driven scheduler simulator for one CPU.
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
//!
//! Costs: every decision is O(log n) in the number of runnable tasks (FIFO and RR O(1)); the
//! run is bounded by [`SimConfig::max_events`] loop iterations (at most [`MAX_EVENTS`]).

mod cfs;
mod eevdf;
mod engine;
pub mod policy;
pub mod result;
mod textbook;
mod treap;
pub mod workload;

pub use policy::{CfsParams, EevdfParams, Policy};
pub use result::{FairPoint, Overall, SimResult, Slice, SliceKind, Step, StepKind, TaskMetrics};
pub use workload::{Burst, TaskSpec, MAX_TASKS, MAX_TIME, MAX_TOTAL_BURSTS, MAX_TOTAL_TIME};

use engine::{Engine, Scheduler};
use std::fmt;

/// Most event-loop iterations one run may take.
pub const MAX_EVENTS: u64 = 2_000_000;
/// Most trace steps kept.
pub const MAX_STEPS: usize = 100_000;
/// Most virtual-time samples kept.
pub const MAX_FAIR_POINTS: usize = 200_000;

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
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            switch_cost: 0,
            horizon: None,
            trace: false,
            fair_samples: false,
            max_events: MAX_EVENTS,
        }
    }
}

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
        }
    }
}

impl std::error::Error for SimError {}

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
    match *policy {
        Policy::Fifo => finish(tasks, &weights, textbook::Fifo::new(), policy, cfg),
        Policy::Sjf => finish(tasks, &weights, textbook::Shortest::new(false), policy, cfg),
        Policy::Stcf => finish(tasks, &weights, textbook::Shortest::new(true), policy, cfg),
        Policy::RoundRobin { quantum } => finish(
            tasks,
            &weights,
            textbook::RoundRobin::fixed(quantum),
            policy,
            cfg,
        ),
        Policy::RoundRobinLatency {
            target_latency,
            min_granularity,
        } => finish(
            tasks,
            &weights,
            textbook::RoundRobin::latency(target_latency, min_granularity),
            policy,
            cfg,
        ),
        Policy::Cfs(p) => finish(tasks, &weights, cfs::Cfs::new(p, &weights), policy, cfg),
        Policy::Eevdf(p) => finish(tasks, &weights, eevdf::Eevdf::new(p, &weights), policy, cfg),
    }
}

fn finish<S: Scheduler>(
    specs: &[TaskSpec],
    weights: &[u64],
    sched: S,
    policy: &Policy,
    cfg: &SimConfig,
) -> Result<SimResult, SimError> {
    let mut e = Engine::new(specs, weights, sched, cfg);
    e.run()?;
    let end = e.now;
    // A switch cut short by the horizon only lasted until the end.
    let mut cut_switch = 0;
    for s in &mut e.timeline {
        if s.end > end {
            if let SliceKind::Switch { to, .. } = s.kind {
                let cut = s.end - end.max(s.start);
                cut_switch += cut;
                if let Some(t) = e.tasks.get_mut(to) {
                    t.switch_time -= cut;
                }
            }
            s.end = end.max(s.start);
        }
    }
    e.timeline.retain(|s| s.end > s.start);
    e.switch_time -= cut_switch;
    let tasks: Vec<TaskMetrics> = specs
        .iter()
        .zip(&e.tasks)
        .enumerate()
        .map(|(id, (s, t))| TaskMetrics {
            id,
            arrival: s.arrival,
            cpu_demand: s.cpu_total(),
            io_demand: s.io_total(),
            nice: s.nice,
            weight: t.weight,
            first_run: t.first_run,
            completion: t.completion,
            response: t.first_run.map(|f| f - s.arrival),
            turnaround: t.completion.map(|c| c - s.arrival),
            wait: t.wait,
            cpu_time: t.cpu_time,
            cpu_share: if end == 0 {
                0.0
            } else {
                t.cpu_time as f64 / end as f64
            },
            context_switches: t.switches,
            switch_time: t.switch_time,
        })
        .collect();
    let mean = |xs: Vec<u64>| {
        if xs.is_empty() {
            None
        } else {
            Some(xs.iter().map(|&x| x as f64).sum::<f64>() / xs.len() as f64)
        }
    };
    let idle_time = e
        .timeline
        .iter()
        .filter(|s| s.kind == SliceKind::Idle)
        .map(|s| s.end - s.start)
        .sum();
    let overall = Overall {
        finished: tasks.iter().filter(|t| t.completion.is_some()).count(),
        avg_response: mean(tasks.iter().filter_map(|t| t.response).collect()),
        avg_turnaround: mean(tasks.iter().filter_map(|t| t.turnaround).collect()),
        avg_wait: mean(tasks.iter().map(|t| t.wait).collect()).unwrap_or(0.0),
        context_switches: e.switches,
        switch_time: e.switch_time,
        busy_time: tasks.iter().map(|t| t.cpu_time).sum(),
        idle_time,
        end,
        events: e.events,
    };
    Ok(SimResult {
        policy: policy.name(),
        timeline: std::mem::take(&mut e.timeline),
        tasks,
        overall,
        steps: std::mem::take(&mut e.steps),
        steps_truncated: e.steps_truncated,
        fair: std::mem::take(&mut e.fair),
        fair_truncated: e.fair_truncated,
    })
}
