//! The scheduling policies the simulator knows, with their tunables.

use crate::sched::timeslice::{cpu_scaling_factor, DEFAULT_LATENCY_NS, DEFAULT_MIN_GRANULARITY_NS};
use serde::Serialize;

/// Linux's default base wake-up granularity, 1 ms (`sysctl_sched_wakeup_granularity`, CFS).
pub const DEFAULT_WAKEUP_GRANULARITY_NS: u64 = 1_000_000;
/// EEVDF's base slice from Linux 6.6 to 6.14, 0.75 ms (`sysctl_sched_base_slice`).
pub const EEVDF_BASE_SLICE_6_6_NS: u64 = 750_000;
/// EEVDF's base slice since Linux 6.15, 0.70 ms.
pub const EEVDF_BASE_SLICE_6_15_NS: u64 = 700_000;
/// The default scheduler tick, 1 ms (`CONFIG_HZ=1000`; many distributions build with 250 Hz,
/// a 4 ms tick).
pub const DEFAULT_TICK_NS: u64 = 1_000_000;

/// CFS tunables (Linux 2.6.23 through 6.5), in simulator time units (nanoseconds by convention),
/// already scaled for the CPU count.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct CfsParams {
    /// Target latency (`sysctl_sched_latency`).
    pub latency: u64,
    /// Minimum granularity (`sysctl_sched_min_granularity`).
    pub min_granularity: u64,
    /// Wake-up granularity (`sysctl_sched_wakeup_granularity`).
    pub wakeup_granularity: u64,
    /// Scheduler tick period (`TICK_NSEC`); CFS checks for preemption on ticks.
    pub tick: u64,
}

impl CfsParams {
    /// Linux's defaults for `cpus` CPUs: every tunable is multiplied by `1 + ilog2(min(cpus, 8))`
    /// (`update_sysctl`); the tick is 1 ms.
    pub fn for_cpus(cpus: u32) -> Self {
        let f = u64::from(cpu_scaling_factor(cpus));
        CfsParams {
            latency: DEFAULT_LATENCY_NS * f,
            min_granularity: DEFAULT_MIN_GRANULARITY_NS * f,
            wakeup_granularity: DEFAULT_WAKEUP_GRANULARITY_NS * f,
            tick: DEFAULT_TICK_NS,
        }
    }
}

impl Default for CfsParams {
    fn default() -> Self {
        CfsParams::for_cpus(1)
    }
}

/// EEVDF tunables (Linux 6.6 and later), in simulator time units (nanoseconds by convention).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct EevdfParams {
    /// The base slice (`sysctl_sched_base_slice`), already scaled for the CPU count.
    pub base_slice: u64,
    /// Scheduler tick period (`TICK_NSEC`); slices are checked for expiry on ticks.
    pub tick: u64,
}

impl EevdfParams {
    /// Linux's defaults for `cpus` CPUs with the given base slice (one of the `EEVDF_BASE_SLICE_*`
    /// constants), scaled by `1 + ilog2(min(cpus, 8))`; the tick is 1 ms.
    pub fn for_cpus(cpus: u32, base_slice: u64) -> Self {
        EevdfParams {
            base_slice: base_slice * u64::from(cpu_scaling_factor(cpus)),
            tick: DEFAULT_TICK_NS,
        }
    }
}

impl Default for EevdfParams {
    fn default() -> Self {
        EevdfParams::for_cpus(1, EEVDF_BASE_SLICE_6_15_NS)
    }
}

/// A scheduling policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "name")]
pub enum Policy {
    /// First in, first out: run in order of arrival, each to the end of its burst.
    Fifo,
    /// Shortest job first: when the CPU frees up, run the shortest waiting burst; never preempt.
    Sjf,
    /// Shortest time to completion first: like SJF, but a newcomer with strictly less remaining
    /// time preempts the running task.
    Stcf,
    /// Round robin with a fixed quantum.
    RoundRobin {
        /// Time a task may run before going to the back of the queue.
        quantum: u64,
    },
    /// Round robin whose quantum is the target latency divided by the number of runnable tasks,
    /// never below the minimum granularity (the idea behind CFS's period, without weights).
    RoundRobinLatency {
        /// Time within which every runnable task should run once.
        target_latency: u64,
        /// The smallest quantum.
        min_granularity: u64,
    },
    /// Linux CFS (through 6.5).
    Cfs(CfsParams),
    /// Linux EEVDF (6.6 and later).
    Eevdf(EevdfParams),
}

impl Policy {
    /// A short name: fifo, sjf, stcf, rr, rr-latency, cfs, eevdf.
    pub fn name(&self) -> &'static str {
        match self {
            Policy::Fifo => "fifo",
            Policy::Sjf => "sjf",
            Policy::Stcf => "stcf",
            Policy::RoundRobin { .. } => "rr",
            Policy::RoundRobinLatency { .. } => "rr-latency",
            Policy::Cfs(_) => "cfs",
            Policy::Eevdf(_) => "eevdf",
        }
    }

    /// True for the Linux policies (CFS, EEVDF), whose times are nanoseconds and which use nice.
    pub fn is_fair(&self) -> bool {
        matches!(self, Policy::Cfs(_) | Policy::Eevdf(_))
    }
}
