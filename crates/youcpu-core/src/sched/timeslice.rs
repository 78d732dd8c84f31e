//! The CFS timeslice calculation (Linux 2.6.23 through 6.5, `kernel/sched/fair.c`).
//!
//! The kernel does not hand out fixed timeslices. It aims to run every runnable task once per
//! *scheduling period*, and gives each task a share of that period in proportion to its load
//! weight:
//!
//! 1. The tunables are scaled by the number of CPUs (`update_sysctl`, `SCHED_TUNABLESCALING_LOG`):
//!    `factor = 1 + ilog2(min(ncpus, 8))`, so 6 ms becomes 12 ms on 2 CPUs and 24 ms on 8 or more.
//! 2. `sched_nr_latency = DIV_ROUND_UP(latency, min_granularity)` (8 with the defaults).
//! 3. `__sched_period(nr)`: the period is `latency` while `nr <= sched_nr_latency`; past that,
//!    giving everyone `latency / nr` would fall below the floor, so it stretches to
//!    `nr * min_granularity`.
//! 4. `sched_slice()`: `slice = period * weight / total_weight`, computed in integer nanoseconds
//!    by `__calc_delta()` with a 32-bit fixed-point inverse of the total weight, and then (the
//!    `BASE_SLICE` feature, on by default since 5.13) raised to at least `min_granularity`.
//!
//! Since Linux 6.6 the fair class is EEVDF and this period no longer exists; the article explains
//! both, and the scheduler simulator models both.

use super::weights::nice_to_weight;
use serde::Serialize;

/// Linux's default base target latency, 6 ms (`sysctl_sched_latency`).
pub const DEFAULT_LATENCY_NS: u64 = 6_000_000;
/// Linux's default base minimum granularity, 0.75 ms (`sysctl_sched_min_granularity`).
pub const DEFAULT_MIN_GRANULARITY_NS: u64 = 750_000;
/// EEVDF's base slice from Linux 6.6 (`sysctl_sched_base_slice`, before CPU scaling).
pub const EEVDF_BASE_SLICE_NS: u64 = 750_000;
/// EEVDF's base slice from Linux 6.15 (before CPU scaling).
pub const EEVDF_BASE_SLICE_6_15_NS: u64 = 700_000;
/// The most runnable tasks this calculator accepts (it returns one slice per task).
pub const MAX_TASKS: usize = 100_000;
/// The most CPUs this calculator accepts (the kernel's scaling stops at 8 anyway).
pub const MAX_CPUS: u32 = 1 << 20;
/// Largest accepted base latency or granularity: one second, as the old sysctl bounds had it.
pub const MAX_TUNABLE_NS: u64 = 1_000_000_000;

/// `WMULT_CONST` in kernel/sched/sched.h: `~0U`.
const WMULT_CONST: u64 = 0xffff_ffff;
/// `WMULT_SHIFT`.
const WMULT_SHIFT: u32 = 32;
/// `SCHED_FIXEDPOINT_SHIFT`: on 64-bit kernels load weights carry 10 extra bits of precision.
const FIXEDPOINT_SHIFT: u32 = 10;

/// Inputs to the calculation. Latency and granularity are the *unscaled* base values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimesliceParams {
    /// Base target latency in nanoseconds (before CPU scaling).
    pub base_latency_ns: u64,
    /// Base minimum granularity in nanoseconds (before CPU scaling).
    pub base_min_granularity_ns: u64,
    /// Number of online CPUs.
    pub cpus: u32,
    /// One nice value per runnable task.
    pub nice: Vec<i32>,
}

impl TimesliceParams {
    /// Linux's defaults with `tasks` nice-0 tasks on `cpus` CPUs.
    pub fn defaults(tasks: usize, cpus: u32) -> Self {
        TimesliceParams {
            base_latency_ns: DEFAULT_LATENCY_NS,
            base_min_granularity_ns: DEFAULT_MIN_GRANULARITY_NS,
            cpus,
            nice: vec![0; tasks],
        }
    }
}

/// Which rule set the period.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Regime {
    /// Few tasks: the target latency is divided among them.
    Latency,
    /// Many tasks: each gets at least the minimum granularity, so the period grows.
    MinGranularity,
}

/// One task's share.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TaskSlice {
    /// The task's nice value.
    pub nice: i32,
    /// Its load weight (`sched_prio_to_weight`).
    pub weight: u64,
    /// `period * weight / total` as the kernel's fixed-point arithmetic computes it.
    pub proportional_ns: u64,
    /// The slice after the minimum-granularity floor.
    pub slice_ns: u64,
    /// True when the floor raised this task's slice.
    pub floored: bool,
}

/// The result of the calculation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Timeslice {
    /// `1 + ilog2(min(cpus, 8))`.
    pub factor: u32,
    /// Target latency after CPU scaling, ns.
    pub scaled_latency_ns: u64,
    /// Minimum granularity after CPU scaling, ns.
    pub scaled_min_granularity_ns: u64,
    /// `sched_nr_latency`: how many tasks fit in the latency at the minimum granularity.
    pub nr_latency: u64,
    /// The scheduling period, ns.
    pub period_ns: u64,
    /// Which rule set the period.
    pub regime: Regime,
    /// Sum of the tasks' weights.
    pub total_weight: u64,
    /// One entry per task, in input order.
    pub slices: Vec<TaskSlice>,
    /// EEVDF (6.6 to 6.14) base slice after the same CPU scaling: every task's request.
    pub eevdf_base_slice_ns: u64,
    /// The same from Linux 6.15 on.
    pub eevdf_base_slice_6_15_ns: u64,
}

/// Why a calculation was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TimesliceError {
    /// No runnable tasks.
    NoTasks,
    /// More tasks than [`MAX_TASKS`].
    TooManyTasks(usize),
    /// Zero CPUs, or more than [`MAX_CPUS`].
    BadCpuCount(u32),
    /// Latency of zero or above [`MAX_TUNABLE_NS`].
    BadLatency(u64),
    /// Granularity of zero or above [`MAX_TUNABLE_NS`].
    BadGranularity(u64),
    /// A nice value outside -20..=19 (task index, value).
    NiceOutOfRange(usize, i32),
}

impl std::fmt::Display for TimesliceError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TimesliceError::NoTasks => write!(f, "there must be at least one runnable task"),
            TimesliceError::TooManyTasks(n) => {
                write!(
                    f,
                    "{n} tasks is more than this calculator handles ({MAX_TASKS} at most)"
                )
            }
            TimesliceError::BadCpuCount(n) => {
                write!(f, "CPU count must be between 1 and {MAX_CPUS}, not {n}")
            }
            TimesliceError::BadLatency(ns) => write!(
                f,
                "target latency must be more than 0 and at most 1000 ms, not {}",
                crate::units::format_ms(*ns)
            ),
            TimesliceError::BadGranularity(ns) => write!(
                f,
                "minimum granularity must be more than 0 and at most 1000 ms, not {}",
                crate::units::format_ms(*ns)
            ),
            TimesliceError::NiceOutOfRange(i, v) => {
                write!(
                    f,
                    "task {}: nice must be between -20 and 19, not {v}",
                    i + 1
                )
            }
        }
    }
}

impl std::error::Error for TimesliceError {}

/// `1 + ilog2(min(cpus, 8))`: `get_update_sysctl_factor()` with the default
/// `SCHED_TUNABLESCALING_LOG`.
pub fn cpu_scaling_factor(cpus: u32) -> u32 {
    1 + cpus.clamp(1, 8).ilog2()
}

/// `scale_load_down()`: drop the fixed-point bits, but never below 2 for a non-zero weight.
fn scale_load_down(w: u64) -> u64 {
    if w == 0 {
        0
    } else {
        (w >> FIXEDPOINT_SHIFT).max(2)
    }
}

/// Position of the highest set bit, 1-based (`fls()`); 0 for 0.
fn fls(x: u32) -> u32 {
    32 - x.leading_zeros()
}

/// `__calc_delta(delta_exec, weight, lw)`: `delta_exec * weight / lw_weight` using the kernel's
/// fixed-point inverse. Both weights are scaled up (`scale_load`), as the kernel stores them.
pub fn calc_delta(delta_exec: u64, weight: u64, lw_weight: u64) -> u64 {
    // __update_inv_weight()
    let w = scale_load_down(lw_weight);
    let inv_weight = if w >= WMULT_CONST {
        1
    } else {
        // w == 0 gives WMULT_CONST, as the kernel does.
        WMULT_CONST.checked_div(w).unwrap_or(WMULT_CONST)
    };
    let mut fact = scale_load_down(weight);
    let mut shift = WMULT_SHIFT;
    let hi = (fact >> 32) as u32;
    if hi != 0 {
        let fs = fls(hi);
        shift -= fs;
        fact >>= fs;
    }
    // mul_u32_u32(fact, inv_weight): fact fits in 32 bits here.
    fact = (fact & 0xffff_ffff) * inv_weight;
    let hi = (fact >> 32) as u32;
    if hi != 0 {
        let fs = fls(hi);
        shift -= fs;
        fact >>= fs;
    }
    // mul_u64_u32_shr(delta_exec, fact, shift)
    ((u128::from(delta_exec) * u128::from(fact)) >> shift) as u64
}

/// Computes the period and every task's slice, as `sched_slice()` does for tasks already on
/// the run queue.
pub fn compute_timeslices(p: &TimesliceParams) -> Result<Timeslice, TimesliceError> {
    let n = p.nice.len();
    if n == 0 {
        return Err(TimesliceError::NoTasks);
    }
    if n > MAX_TASKS {
        return Err(TimesliceError::TooManyTasks(n));
    }
    if p.cpus == 0 || p.cpus > MAX_CPUS {
        return Err(TimesliceError::BadCpuCount(p.cpus));
    }
    if p.base_latency_ns == 0 || p.base_latency_ns > MAX_TUNABLE_NS {
        return Err(TimesliceError::BadLatency(p.base_latency_ns));
    }
    if p.base_min_granularity_ns == 0 || p.base_min_granularity_ns > MAX_TUNABLE_NS {
        return Err(TimesliceError::BadGranularity(p.base_min_granularity_ns));
    }
    let mut weights = Vec::with_capacity(n);
    for (i, &nice) in p.nice.iter().enumerate() {
        weights.push(nice_to_weight(nice).ok_or(TimesliceError::NiceOutOfRange(i, nice))?);
    }

    let factor = cpu_scaling_factor(p.cpus);
    let latency = p.base_latency_ns * u64::from(factor);
    let min_gran = p.base_min_granularity_ns * u64::from(factor);
    let nr_latency = latency.div_ceil(min_gran);
    let nr = n as u64;
    let (period, regime) = if nr > nr_latency {
        (nr * min_gran, Regime::MinGranularity)
    } else {
        (latency, Regime::Latency)
    };

    // The kernel keeps weights shifted left by SCHED_FIXEDPOINT_SHIFT on 64-bit.
    let total_weight: u64 = weights.iter().sum();
    let total_scaled = total_weight << FIXEDPOINT_SHIFT;
    let slices = p
        .nice
        .iter()
        .zip(&weights)
        .map(|(&nice, &weight)| {
            let proportional_ns = calc_delta(period, weight << FIXEDPOINT_SHIFT, total_scaled);
            let slice_ns = proportional_ns.max(min_gran);
            TaskSlice {
                nice,
                weight,
                proportional_ns,
                slice_ns,
                floored: slice_ns > proportional_ns,
            }
        })
        .collect();

    Ok(Timeslice {
        factor,
        scaled_latency_ns: latency,
        scaled_min_granularity_ns: min_gran,
        nr_latency,
        period_ns: period,
        regime,
        total_weight,
        slices,
        eevdf_base_slice_ns: EEVDF_BASE_SLICE_NS * u64::from(factor),
        eevdf_base_slice_6_15_ns: EEVDF_BASE_SLICE_6_15_NS * u64::from(factor),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slices(t: &Timeslice) -> Vec<u64> {
        t.slices.iter().map(|s| s.slice_ns).collect()
    }

    #[test]
    fn scaling_factor_is_one_plus_log2_capped_at_8() {
        let got: Vec<u32> = [1, 2, 3, 4, 5, 7, 8, 9, 64, 1024]
            .map(cpu_scaling_factor)
            .to_vec();
        assert_eq!(got, [1, 2, 2, 3, 3, 3, 4, 4, 4, 4]);
    }

    #[test]
    fn calc_delta_equal_weights_is_division_within_a_nanosecond() {
        // 6 ms among three nice-0 tasks: 2 ms, but the fixed-point inverse truncates.
        let w = 1024 << 10;
        assert_eq!(calc_delta(6_000_000, w, 3 * w), 1_999_999);
        // A single task: inv = floor((2^32-1)/1024) = 4194303, fact = 1024 * inv = 2^32 - 1024,
        // and 6e6 * (2^32 - 1024) >> 32 = 5_999_998.57, truncated.
        assert_eq!(calc_delta(6_000_000, w, w), 5_999_998);
    }

    #[test]
    fn one_cpu_two_tasks_split_the_latency() {
        let t = compute_timeslices(&TimesliceParams::defaults(2, 1)).expect("valid");
        assert_eq!(t.factor, 1);
        assert_eq!(t.scaled_latency_ns, 6_000_000);
        assert_eq!(t.nr_latency, 8);
        assert_eq!(t.period_ns, 6_000_000);
        assert_eq!(t.regime, Regime::Latency);
        // By hand: inv = floor((2^32-1)/2048) = 2097151, fact = 1024 * inv = 2147482624,
        // 6e6 * 2147482624 >> 32 = 2_999_998.57, truncated.
        assert_eq!(slices(&t), [2_999_998, 2_999_998]);
    }

    #[test]
    fn eight_tasks_still_latency_nine_tasks_floor() {
        let t8 = compute_timeslices(&TimesliceParams::defaults(8, 1)).expect("valid");
        assert_eq!(t8.period_ns, 6_000_000);
        assert_eq!(t8.regime, Regime::Latency);
        let t9 = compute_timeslices(&TimesliceParams::defaults(9, 1)).expect("valid");
        assert_eq!(t9.period_ns, 9 * 750_000);
        assert_eq!(t9.regime, Regime::MinGranularity);
        // Each gets period/9 = 750 us less the fixed-point truncation, raised back to 750 us.
        assert!(t9.slices.iter().all(|s| s.slice_ns == 750_000));
        assert!(t9.slices.iter().all(|s| s.proportional_ns <= 750_000));
    }

    #[test]
    fn four_cpus_scale_by_three() {
        let t = compute_timeslices(&TimesliceParams::defaults(3, 4)).expect("valid");
        assert_eq!(t.factor, 3);
        assert_eq!(t.eevdf_base_slice_ns, 2_250_000);
        assert_eq!(t.eevdf_base_slice_6_15_ns, 2_100_000);
        assert_eq!(t.scaled_latency_ns, 18_000_000);
        assert_eq!(t.scaled_min_granularity_ns, 2_250_000);
        assert_eq!(t.period_ns, 18_000_000);
        // 18 ms / 3 = 6 ms; inv = 1398101, fact = 1431655424, 18e6 * fact >> 32 = 5_999_998.8.
        assert_eq!(slices(&t), [5_999_998; 3]);
    }

    #[test]
    fn nice_weights_divide_the_period() {
        // nice 0 (1024) and nice 5 (335): shares 1024/1359 and 335/1359 of 6 ms.
        let p = TimesliceParams {
            nice: vec![0, 5],
            ..TimesliceParams::defaults(0, 1)
        };
        let t = compute_timeslices(&p).expect("valid");
        assert_eq!(t.total_weight, 1359);
        let exact0 = 6_000_000.0 * 1024.0 / 1359.0; // 4_520_971.3
        let exact1 = 6_000_000.0 * 335.0 / 1359.0; // 1_479_028.7
        assert!((t.slices[0].proportional_ns as f64 - exact0).abs() < 2.0);
        assert!((t.slices[1].proportional_ns as f64 - exact1).abs() < 2.0);
        assert!(!t.slices[1].floored);
    }

    #[test]
    fn a_light_task_is_raised_to_the_floor_even_in_the_latency_regime() {
        // nice -20 against nice 19: the nice-19 share is 6 ms * 15/88776 = 1 us, raised to 750 us.
        let p = TimesliceParams {
            nice: vec![-20, 19],
            ..TimesliceParams::defaults(0, 1)
        };
        let t = compute_timeslices(&p).expect("valid");
        assert_eq!(t.regime, Regime::Latency);
        assert!(t.slices[1].floored);
        assert_eq!(t.slices[1].slice_ns, 750_000);
        assert!(t.slices[1].proportional_ns < 1_100);
    }

    #[test]
    fn custom_tunables_round_up_nr_latency() {
        // latency 10 ms, granularity 3 ms: nr_latency = ceil(10/3) = 4.
        let p = TimesliceParams {
            base_latency_ns: 10_000_000,
            base_min_granularity_ns: 3_000_000,
            cpus: 1,
            nice: vec![0; 4],
        };
        let t = compute_timeslices(&p).expect("valid");
        assert_eq!(t.nr_latency, 4);
        assert_eq!(t.period_ns, 10_000_000);
        // 2.5 ms each is below the 3 ms floor.
        assert!(t
            .slices
            .iter()
            .all(|s| s.floored && s.slice_ns == 3_000_000));
        let p5 = TimesliceParams {
            nice: vec![0; 5],
            ..p
        };
        assert_eq!(
            compute_timeslices(&p5).expect("valid").period_ns,
            15_000_000
        );
    }

    #[test]
    fn bad_inputs_are_errors() {
        let ok = TimesliceParams::defaults(1, 1);
        let cases = [
            (
                TimesliceParams {
                    nice: vec![],
                    ..ok.clone()
                },
                TimesliceError::NoTasks,
            ),
            (
                TimesliceParams {
                    cpus: 0,
                    ..ok.clone()
                },
                TimesliceError::BadCpuCount(0),
            ),
            (
                TimesliceParams {
                    base_latency_ns: 0,
                    ..ok.clone()
                },
                TimesliceError::BadLatency(0),
            ),
            (
                TimesliceParams {
                    base_min_granularity_ns: 0,
                    ..ok.clone()
                },
                TimesliceError::BadGranularity(0),
            ),
            (
                TimesliceParams {
                    nice: vec![0, 20],
                    ..ok.clone()
                },
                TimesliceError::NiceOutOfRange(1, 20),
            ),
            (
                TimesliceParams {
                    nice: vec![0; MAX_TASKS + 1],
                    ..ok.clone()
                },
                TimesliceError::TooManyTasks(MAX_TASKS + 1),
            ),
        ];
        for (p, want) in cases {
            assert_eq!(compute_timeslices(&p), Err(want));
        }
    }

    #[test]
    fn extreme_but_valid_inputs_do_not_overflow() {
        let p = TimesliceParams {
            base_latency_ns: MAX_TUNABLE_NS,
            base_min_granularity_ns: MAX_TUNABLE_NS,
            cpus: MAX_CPUS,
            nice: vec![-20; MAX_TASKS],
        };
        let t = compute_timeslices(&p).expect("valid");
        assert_eq!(t.period_ns, MAX_TASKS as u64 * 4 * MAX_TUNABLE_NS);
        // The total weight (8.9e9) is past 2^32, where the kernel's inverse saturates at 1:
        // every slice is then period * weight >> 32, as the kernel would compute it.
        let want = ((u128::from(t.period_ns) * 88761) >> 32) as u64;
        assert!(t.slices.iter().all(|s| s.slice_ns == want));
    }
}
