//! CFS and EEVDF against hand-worked traces of the kernel arithmetic, and properties of their
//! placement rules checked on every sample of random runs.

#![allow(clippy::unwrap_used)] // tests may unwrap

use crate::sched_properties::runs;
use proptest::prelude::*;
use youcpu_core::sched::sim::{
    simulate, Burst, CfsParams, EevdfParams, FairPoint, Policy, SimConfig, SimResult, StepKind,
    TaskSpec,
};
use youcpu_core::sched::timeslice::calc_delta;

const MS: u64 = 1_000_000;

fn vfair(delta: u64, w: u64) -> i64 {
    if w == 1024 {
        delta as i64
    } else {
        calc_delta(delta, 1024 << 10, w << 10) as i64
    }
}

fn traced() -> SimConfig {
    SimConfig {
        trace: true,
        fair_samples: true,
        ..SimConfig::default()
    }
}

#[test]
fn cfs_two_equal_tasks_start_debit_and_3ms_slices() {
    // Task 0 arrives alone: sched_vslice with nr_running 1 is the whole 6 ms period, and
    // __calc_delta(6e6, 1024, 1024) truncates to 5_999_998: vruntime 5_999_998. Task 1 sees
    // two tasks: slice 2_999_998, so it starts left of task 0 and runs first. Each then runs
    // until the tick finds delta_exec > 2_999_998, i.e. at 3 ms; equal vruntimes go to the one
    // queued first.
    let tasks = vec![TaskSpec::cpu(0, 20 * MS), TaskSpec::cpu(0, 20 * MS)];
    let r = simulate(&tasks, &Policy::Cfs(CfsParams::default()), &traced()).unwrap();
    let arrive: Vec<&FairPoint> = r.fair.iter().take(2).collect();
    assert_eq!((arrive[0].task, arrive[0].vruntime), (0, 5_999_998));
    assert_eq!((arrive[1].task, arrive[1].vruntime), (1, 2_999_998));
    let mut want = Vec::new();
    for k in 0..6u64 {
        want.push((1, 6 * k * MS, (6 * k + 3) * MS));
        want.push((0, (6 * k + 3) * MS, (6 * k + 6) * MS));
    }
    want.push((1, 36 * MS, 38 * MS));
    want.push((0, 38 * MS, 40 * MS));
    assert_eq!(runs(&r), want);
    assert!(r.steps.iter().any(|s| s.kind == StepKind::TickPreempt));
}

#[test]
fn cfs_nice_changes_the_slice_and_the_vruntime_rate() {
    // nice 0 (1024) and nice 5 (335): period 6 ms; slices 6e6 * 1024/1359 = 4.52 ms and
    // 1.48 ms. With a 1 ms tick the nice-0 task runs 5 ticks. The nice-5 task runs 2 ticks, or
    // just 1 when check_preempt_tick finds its vruntime (moving 1024/335 = 3.06 times faster)
    // already more than its 1.48 ms ideal (compared as if wall time) right of the leftmost.
    // Over a long run the shares are 1024:335 however the ticks round.
    let tasks = vec![
        TaskSpec {
            arrival: 0,
            bursts: vec![Burst::Cpu(1 << 40)],
            nice: 0,
        },
        TaskSpec {
            arrival: 0,
            bursts: vec![Burst::Cpu(1 << 40)],
            nice: 5,
        },
    ];
    let cfg = SimConfig {
        horizon: Some(1_000 * MS),
        ..SimConfig::default()
    };
    let r = simulate(&tasks, &Policy::Cfs(CfsParams::default()), &cfg).unwrap();
    for x in runs(&r).iter().skip(2).take(200) {
        let want: &[u64] = if x.0 == 0 { &[5 * MS] } else { &[MS, 2 * MS] };
        assert!(want.contains(&(x.2 - x.1)), "{x:?}");
    }
    assert!(runs(&r).iter().any(|x| x.0 == 1 && x.2 - x.1 == MS));
    assert!(runs(&r).iter().any(|x| x.0 == 1 && x.2 - x.1 == 2 * MS));
    let share = r.tasks[0].cpu_time as f64 / 1e9;
    assert!((share - 1024.0 / 1359.0).abs() < 0.005, "{share}");
}

#[test]
fn cfs_a_sleeper_is_placed_half_a_latency_back_and_preempts() {
    // Task 0 runs 1 ms then sleeps 50 ms; task 1 is CPU-bound. On waking, task 0 is placed at
    // max(its old vruntime, min_vruntime - 3 ms): far left of task 1, by more than the 1 ms
    // wake-up granularity, so it preempts at once, and runs its 3 ms slice.
    let tasks = vec![
        TaskSpec {
            arrival: 0,
            bursts: vec![Burst::Cpu(MS), Burst::Io(50 * MS), Burst::Cpu(5 * MS)],
            nice: 0,
        },
        TaskSpec::cpu(0, 200 * MS),
    ];
    let r = simulate(&tasks, &Policy::Cfs(CfsParams::default()), &traced()).unwrap();
    let wake_t = r
        .steps
        .iter()
        .find(|s| s.kind == StepKind::Wake)
        .unwrap()
        .time;
    let wake = r
        .fair
        .iter()
        .find(|p| p.task == 0 && p.time == wake_t && p.on_rq)
        .unwrap();
    assert_eq!(wake.vruntime, wake.reference - 3_000_000);
    assert!(r
        .steps
        .iter()
        .any(|s| s.kind == StepKind::WakeupPreempt && s.time == wake_t));
    assert!(
        runs(&r).contains(&(0, wake_t, wake_t + 3 * MS)),
        "{:?}",
        runs(&r)
    );
}

#[test]
fn eevdf_two_equal_tasks_alternate_every_tick() {
    // Both arrive at 0 with vruntime V = 0 and deadline 0 + 0.7 ms / 2 (PLACE_DEADLINE_INITIAL).
    // The base slice (0.7 ms) is shorter than the tick, so at each tick the running task's
    // vruntime is past its deadline: a new deadline (vruntime + 0.7 ms) and a reschedule; the
    // other task is eligible with the earlier (or equal, queued-first) deadline.
    let tasks = vec![TaskSpec::cpu(0, 20 * MS), TaskSpec::cpu(0, 20 * MS)];
    let r = simulate(&tasks, &Policy::Eevdf(EevdfParams::default()), &traced()).unwrap();
    let first: Vec<(usize, i64, Option<i64>)> = r
        .fair
        .iter()
        .take(2)
        .map(|p| (p.task, p.vruntime, p.deadline))
        .collect();
    assert_eq!(first, [(0, 0, Some(350_000)), (1, 0, Some(350_000))]);
    let want: Vec<(usize, u64, u64)> = (0..40)
        .map(|k| ((k % 2) as usize, k * MS, (k + 1) * MS))
        .collect();
    assert_eq!(runs(&r), want);
    assert_eq!(r.tasks[0].completion, Some(39 * MS));
    assert_eq!(r.tasks[1].completion, Some(40 * MS));
}

#[test]
fn eevdf_base_slice_and_tick_are_parameters() {
    // With a 4 ms tick (HZ=250) and the 6.6 slice (0.75 ms) tasks alternate every 4 ms.
    let tasks = vec![TaskSpec::cpu(0, 16 * MS), TaskSpec::cpu(0, 16 * MS)];
    let p = EevdfParams {
        base_slice: 750_000,
        tick: 4 * MS,
    };
    let r = simulate(&tasks, &Policy::Eevdf(p), &SimConfig::default()).unwrap();
    assert!(
        runs(&r).iter().all(|x| x.2 - x.1 == 4 * MS),
        "{:?}",
        runs(&r)
    );
    // A slice of 3 ticks: the task keeps the CPU until its vruntime passes the deadline.
    let p = EevdfParams {
        base_slice: 3 * MS,
        tick: MS,
    };
    let r = simulate(&tasks, &Policy::Eevdf(p), &SimConfig::default()).unwrap();
    let lens: Vec<u64> = runs(&r).iter().map(|x| x.2 - x.1).collect();
    assert_eq!(
        lens[0],
        2 * MS,
        "the first slice is halved: deadline 1.5 ms, noticed at 2 ms"
    );
    assert!(
        lens[2..lens.len() - 2].iter().all(|&l| l == 3 * MS),
        "{lens:?}"
    );
}

/// Per-task sample sequences.
fn by_task(r: &SimResult, n: usize) -> Vec<Vec<FairPoint>> {
    let mut v = vec![Vec::new(); n];
    for p in &r.fair {
        v[p.task].push(*p);
    }
    v
}

fn io_workload() -> impl Strategy<Value = Vec<TaskSpec>> {
    let task = (
        0u64..40,
        prop::collection::vec((1u64..40, 1u64..200), 1..5),
        -20i32..=19,
    )
        .prop_map(|(arrival, parts, nice)| {
            let mut bursts = Vec::new();
            for (i, (c, io)) in parts.iter().enumerate() {
                if i > 0 {
                    bursts.push(Burst::Io(io * 100_000));
                }
                bursts.push(Burst::Cpu(c * 100_000));
            }
            TaskSpec {
                arrival: arrival * 100_000,
                bursts,
                nice,
            }
        });
    prop::collection::vec(task, 1..10)
}

/// How many other tasks were runnable when `task` woke at `time`, replaying the trace.
fn others_runnable_at_wake(r: &SimResult, task: usize, time: u64) -> usize {
    let mut runnable = std::collections::BTreeSet::new();
    for s in &r.steps {
        if s.kind == StepKind::Wake && s.task == Some(task) && s.time == time {
            break;
        }
        match s.kind {
            StepKind::Arrive | StepKind::Wake => {
                runnable.insert(s.task);
            }
            StepKind::Block | StepKind::Exit => {
                runnable.remove(&s.task);
            }
            _ => {}
        }
    }
    runnable.len()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn cfs_placement_rules(tasks in io_workload()) {
        let p = CfsParams::default();
        let r = simulate(&tasks, &Policy::Cfs(p), &traced()).unwrap();
        for (i, seq) in by_task(&r, tasks.len()).iter().enumerate() {
            let w = r.tasks[i].weight;
            // A new task lands at least one minimum-granularity slice (in its virtual time)
            // right of min_vruntime (START_DEBIT), at most one target latency's worth per
            // runnable task.
            let a = seq[0];
            let debit = a.vruntime - a.reference;
            prop_assert!(debit >= vfair(p.min_granularity, w), "debit {debit}");
            prop_assert!(debit <= vfair(p.latency.max(p.min_granularity * tasks.len() as u64), w));
            // A waking task: max(old vruntime, min_vruntime - latency / 2).
            for pair in seq.windows(2) {
                if !pair[0].on_rq && pair[1].on_rq {
                    let want = pair[0].vruntime.max(pair[1].reference - (p.latency / 2) as i64);
                    prop_assert_eq!(pair[1].vruntime, want);
                }
            }
        }
    }

    #[test]
    fn eevdf_placement_keeps_lag_and_deadlines(tasks in io_workload()) {
        let p = EevdfParams::default();
        let r = simulate(&tasks, &Policy::Eevdf(p), &traced()).unwrap();
        for (i, seq) in by_task(&r, tasks.len()).iter().enumerate() {
            let vslice = vfair(p.base_slice, r.tasks[i].weight);
            // New: lag 0 (at V), deadline half a slice ahead.
            prop_assert_eq!(seq[0].deadline, Some(seq[0].vruntime + vslice / 2));
            prop_assert!(seq[0].lag.abs() <= 1, "new task lag {}", seq[0].lag);
            for pair in seq.windows(2) {
                let (a, b) = (pair[0], pair[1]);
                if b.on_rq {
                    // The deadline is never more than one slice ahead.
                    prop_assert!(b.deadline.unwrap() - b.vruntime <= vslice);
                }
                if !a.on_rq && b.on_rq {
                    // Waking: a full slice, and the lag it went to sleep with (within rounding),
                    // unless nothing else was runnable (then V is min_vruntime and lag is 0).
                    prop_assert_eq!(b.deadline, Some(b.vruntime + vslice));
                    if others_runnable_at_wake(&r, i, b.time) == 0 {
                        prop_assert_eq!(b.lag, 0);
                    } else {
                        prop_assert!((b.lag - a.lag).abs() <= 2, "lag {} -> {}", a.lag, b.lag);
                    }
                }
            }
        }
    }
}

#[test]
fn cfs_runs_last_the_timeslice_module_slice_rounded_up_to_the_tick() {
    // The simulator's check_preempt_tick and sched::timeslice (tested against the kernel's
    // formulas on its own) must agree: with equal weights a task is preempted at the first
    // tick where delta_exec > sched_slice, so with a 1 us tick every steady-state run lasts
    // the slice plus up to one tick. For light tasks (nice > 0) check_preempt_tick's second test,
    // the vruntime lead over the leftmost (virtual time, faster than wall time) against the
    // wall-time slice, fires first: their runs are shorter, never longer.
    use youcpu_core::sched::timeslice::{compute_timeslices, TimesliceParams};
    let tick = 1_000;
    for n in 2..=12usize {
        for nice in [0, 7, -3] {
            let slice = compute_timeslices(&TimesliceParams {
                nice: vec![nice; n],
                ..TimesliceParams::defaults(0, 1)
            })
            .unwrap()
            .slices[0]
                .slice_ns;
            let want = (slice / tick + 1) * tick;
            let tasks: Vec<TaskSpec> = (0..n)
                .map(|_| TaskSpec {
                    arrival: 0,
                    bursts: vec![Burst::Cpu(1 << 36)],
                    nice,
                })
                .collect();
            let p = CfsParams {
                tick,
                ..CfsParams::default()
            };
            let horizon = 3 * n as u64 * want + 2 * 6 * MS;
            let cfg = SimConfig {
                horizon: Some(horizon),
                ..SimConfig::default()
            };
            let r = simulate(&tasks, &Policy::Cfs(p), &cfg).unwrap();
            let rs = runs(&r);
            let steady = &rs[n..rs.len() - 1];
            assert!(steady.len() >= n, "n {n}: {rs:?}");
            for x in steady {
                let len = x.2 - x.1;
                let msg = format!("n {n} nice {nice}: slice {slice}, runs {rs:?}");
                if nice <= 0 {
                    assert_eq!(len, want, "{msg}");
                } else {
                    assert!(len <= want, "{msg}");
                }
            }
        }
    }
}
