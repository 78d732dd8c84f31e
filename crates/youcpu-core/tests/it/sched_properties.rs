//! Properties of the scheduler simulator on random workloads (proptest): accounting that must
//! balance for every policy, work conservation, the optimality of STCF for mean turnaround,
//! round robin's response times, no starvation under CFS/EEVDF, CFS and EEVDF CPU shares
//! converging to the weight ratio, and EEVDF's lag staying bounded.

#![allow(clippy::unwrap_used)] // tests may unwrap

use proptest::prelude::*;
use youcpu_core::sched::sim::{
    simulate, Burst, CfsParams, EevdfParams, Policy, SimConfig, SimResult, SliceKind, TaskSpec,
};
use youcpu_core::sched::timeslice::calc_delta;

/// Time units per textbook unit when a workload is run under CFS/EEVDF (0.1 ms in ns).
pub(crate) const FAIR_SCALE: u64 = 100_000;

fn textbook_policy() -> impl Strategy<Value = Policy> {
    prop_oneof![
        Just(Policy::Fifo),
        Just(Policy::Sjf),
        Just(Policy::Stcf),
        (1u64..7).prop_map(|quantum| Policy::RoundRobin { quantum }),
        (1u64..30, 1u64..5).prop_map(|(target_latency, min_granularity)| {
            Policy::RoundRobinLatency {
                target_latency,
                min_granularity,
            }
        }),
    ]
}

fn cpu_only() -> impl Strategy<Value = Vec<TaskSpec>> {
    prop::collection::vec((0u64..40, 1u64..25), 1..10)
        .prop_map(|v| v.into_iter().map(|(a, l)| TaskSpec::cpu(a, l)).collect())
}

/// 1 to `max - 1` tasks, each with CPU bursts separated by I/O waits and a nice value (also
/// the `sched_smp` workload).
pub(crate) fn with_io_up_to(max: usize) -> impl Strategy<Value = Vec<TaskSpec>> {
    let task = (
        0u64..30,
        prop::collection::vec((1u64..15, 1u64..20), 1..4),
        -5i32..=5,
    )
        .prop_map(|(arrival, parts, nice)| {
            let mut bursts = Vec::new();
            for (i, (c, io)) in parts.iter().enumerate() {
                if i > 0 {
                    bursts.push(Burst::Io(*io));
                }
                bursts.push(Burst::Cpu(*c));
            }
            TaskSpec {
                arrival,
                bursts,
                nice,
            }
        });
    prop::collection::vec(task, 1..max)
}

fn with_io() -> impl Strategy<Value = Vec<TaskSpec>> {
    with_io_up_to(8)
}

/// The tasks with every time multiplied by `k` (arrivals and bursts).
pub(crate) fn scaled(tasks: &[TaskSpec], k: u64) -> Vec<TaskSpec> {
    tasks
        .iter()
        .map(|t| TaskSpec {
            arrival: t.arrival * k,
            bursts: t
                .bursts
                .iter()
                .map(|b| match *b {
                    Burst::Cpu(n) => Burst::Cpu(n * k),
                    Burst::Io(n) => Burst::Io(n * k),
                })
                .collect(),
            nice: t.nice,
        })
        .collect()
}

/// The timeline's runs: (task, start, end) for each slice in which a task ran.
pub(crate) fn runs(r: &SimResult) -> Vec<(usize, u64, u64)> {
    r.timeline
        .iter()
        .filter_map(|s| match s.kind {
            SliceKind::Run { task } => Some((task, s.start, s.end)),
            _ => None,
        })
        .collect()
}

/// Invariants every finished run must satisfy.
fn check_accounting(tasks: &[TaskSpec], r: &SimResult, cost: u64) -> Result<(), TestCaseError> {
    // The timeline tiles 0..end without gaps or empty slices.
    let mut t = 0;
    for s in &r.timeline {
        prop_assert_eq!(s.start, t);
        prop_assert!(s.end > s.start);
        t = s.end;
    }
    prop_assert_eq!(t, r.overall.end);
    // Every task finished and got exactly its demand, never before it arrived.
    let rs = runs(r);
    for (i, (spec, m)) in tasks.iter().zip(&r.tasks).enumerate() {
        let got: u64 = rs.iter().filter(|x| x.0 == i).map(|x| x.2 - x.1).sum();
        prop_assert_eq!(got, spec.cpu_total());
        prop_assert_eq!(m.cpu_time, spec.cpu_total());
        prop_assert!(rs.iter().filter(|x| x.0 == i).all(|x| x.1 >= spec.arrival));
        let first = m.first_run.unwrap();
        let done = m.completion.unwrap();
        prop_assert_eq!(Some(first), rs.iter().find(|x| x.0 == i).map(|x| x.1));
        prop_assert_eq!(Some(done), rs.iter().rev().find(|x| x.0 == i).map(|x| x.2));
        prop_assert_eq!(m.response, Some(first - spec.arrival));
        prop_assert_eq!(m.turnaround, Some(done - spec.arrival));
        prop_assert_eq!(
            m.wait,
            done - spec.arrival - spec.cpu_total() - spec.io_total()
        );
    }
    // Switches: consecutive runs of different tasks; each costs `cost`. With a cost, a task
    // switched to can be preempted before it runs (the switch still happened and was paid).
    let changes = rs.windows(2).filter(|w| w[0].0 != w[1].0).count() as u64;
    let switches = r.overall.context_switches;
    if cost == 0 {
        prop_assert_eq!(switches, changes);
    } else {
        prop_assert!(switches >= changes);
    }
    prop_assert_eq!(r.overall.switch_time, switches * cost);
    let per_task: u64 = r.tasks.iter().map(|m| m.context_switches).sum();
    prop_assert_eq!(per_task, switches);
    let switch_slices: u64 = r
        .timeline
        .iter()
        .filter(|s| matches!(s.kind, SliceKind::Switch { .. }))
        .map(|s| s.end - s.start)
        .sum();
    prop_assert_eq!(switch_slices, switches * cost);
    // Adjacent runs of one task are merged.
    for w in r.timeline.windows(2) {
        if let (SliceKind::Run { task: a }, SliceKind::Run { task: b }) = (w[0].kind, w[1].kind) {
            prop_assert!(a != b);
        }
    }
    Ok(())
}

/// With CPU-only tasks: the CPU is never idle while a task has arrived and not finished.
fn check_work_conserving(tasks: &[TaskSpec], r: &SimResult) -> Result<(), TestCaseError> {
    for s in r.timeline.iter().filter(|s| s.kind == SliceKind::Idle) {
        for (spec, m) in tasks.iter().zip(&r.tasks) {
            let done = m.completion.unwrap();
            prop_assert!(
                done <= s.start || spec.arrival >= s.end,
                "idle {}..{} while task present {}..{}",
                s.start,
                s.end,
                spec.arrival,
                done
            );
        }
    }
    Ok(())
}

fn cfs() -> Policy {
    Policy::Cfs(CfsParams::default())
}

fn eevdf() -> Policy {
    Policy::Eevdf(EevdfParams::default())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn textbook_accounting_and_work_conservation(
        tasks in cpu_only(), policy in textbook_policy(), cost in 0u64..3
    ) {
        let cfg = SimConfig { switch_cost: cost, ..SimConfig::default() };
        let r = simulate(&tasks, &policy, &cfg).unwrap();
        check_accounting(&tasks, &r, cost)?;
        check_work_conserving(&tasks, &r)?;
        prop_assert_eq!(&simulate(&tasks, &policy, &cfg).unwrap(), &r, "deterministic");
        if matches!(policy, Policy::Fifo | Policy::Sjf) {
            // Non-preemptive: one run per task.
            prop_assert_eq!(runs(&r).len(), tasks.len());
        }
    }

    #[test]
    fn textbook_accounting_with_io(tasks in with_io(), policy in textbook_policy(), cost in 0u64..3) {
        let cfg = SimConfig { switch_cost: cost, ..SimConfig::default() };
        let r = simulate(&tasks, &policy, &cfg).unwrap();
        check_accounting(&tasks, &r, cost)?;
    }

    #[test]
    fn fair_accounting_and_work_conservation(tasks in cpu_only(), nice in prop::collection::vec(-20i32..=19, 10), cost in 0u64..3, which in 0..2) {
        let mut tasks = scaled(&tasks, FAIR_SCALE);
        for (t, n) in tasks.iter_mut().zip(nice) {
            t.nice = n;
        }
        let policy = if which == 0 { cfs() } else { eevdf() };
        let cost = cost * 10_000;
        let cfg = SimConfig { switch_cost: cost, fair_samples: true, ..SimConfig::default() };
        let r = simulate(&tasks, &policy, &cfg).unwrap();
        check_accounting(&tasks, &r, cost)?;
        check_work_conserving(&tasks, &r)?;
    }

    #[test]
    fn fair_accounting_with_io(tasks in with_io(), cost in 0u64..3, which in 0..2) {
        let tasks = scaled(&tasks, FAIR_SCALE);
        let policy = if which == 0 { cfs() } else { eevdf() };
        let cost = cost * 10_000;
        let cfg = SimConfig { switch_cost: cost, ..SimConfig::default() };
        let r = simulate(&tasks, &policy, &cfg).unwrap();
        check_accounting(&tasks, &r, cost)?;
    }

    #[test]
    fn stcf_minimises_mean_turnaround(tasks in cpu_only(), q in 1u64..6) {
        // Preemptive shortest-remaining-first is optimal for total completion time on one
        // machine (Schrage, 1968), so no other policy does better when switching is free.
        let cfg = SimConfig::default();
        let best = simulate(&tasks, &Policy::Stcf, &cfg).unwrap().overall.avg_turnaround.unwrap();
        for p in [Policy::Fifo, Policy::Sjf, Policy::RoundRobin { quantum: q }, cfs()] {
            let t = if p.is_fair() { scaled(&tasks, FAIR_SCALE) } else { tasks.clone() };
            let scale = if p.is_fair() { FAIR_SCALE as f64 } else { 1.0 };
            let other = simulate(&t, &p, &cfg).unwrap().overall.avg_turnaround.unwrap() / scale;
            prop_assert!(best <= other + 1e-9, "{} {} < stcf {}", p.name(), other, best);
        }
    }

    #[test]
    fn sjf_beats_fifo_when_all_arrive_together(lengths in prop::collection::vec(1u64..30, 1..10)) {
        let tasks: Vec<TaskSpec> = lengths.iter().map(|&l| TaskSpec::cpu(0, l)).collect();
        let cfg = SimConfig::default();
        let sjf = simulate(&tasks, &Policy::Sjf, &cfg).unwrap().overall.avg_turnaround.unwrap();
        let fifo = simulate(&tasks, &Policy::Fifo, &cfg).unwrap().overall.avg_turnaround.unwrap();
        prop_assert!(sjf <= fifo);
        // And SJF runs them in (length, id) order.
        let r = simulate(&tasks, &Policy::Sjf, &cfg).unwrap();
        let order: Vec<usize> = runs(&r).iter().map(|x| x.0).collect();
        let mut want: Vec<usize> = (0..tasks.len()).collect();
        want.sort_by_key(|&i| (lengths[i], i));
        prop_assert_eq!(order, want);
    }

    #[test]
    fn rr_first_round_response_times(lengths in prop::collection::vec(1u64..20, 1..10), q in 1u64..8, cost in 0u64..3) {
        // All arrive at 0: job i first runs after jobs 0..i each had min(q, length) and each
        // dispatch after the first paid the switch cost.
        let tasks: Vec<TaskSpec> = lengths.iter().map(|&l| TaskSpec::cpu(0, l)).collect();
        let cfg = SimConfig { switch_cost: cost, ..SimConfig::default() };
        let r = simulate(&tasks, &Policy::RoundRobin { quantum: q }, &cfg).unwrap();
        let mut t = 0;
        for (i, m) in r.tasks.iter().enumerate() {
            if i > 0 {
                t += cost;
            }
            prop_assert_eq!(m.response, Some(t));
            t += lengths[i].min(q);
        }
        // No run is longer than the quantum while another job waits.
        for x in runs(&r) {
            let others_waiting = r.tasks.iter().any(|m| m.id != x.0 && m.completion.unwrap() > x.2);
            if others_waiting {
                prop_assert!(x.2 - x.1 <= q);
            }
        }
    }

    #[test]
    fn fair_policies_do_not_starve(
        nice in prop::collection::vec(-5i32..=5, 2..16),
        arrivals in prop::collection::vec(0u64..10_000_000, 16),
        which in 0..2,
    ) {
        // CPU-bound tasks for 2 s: each gets at least half its weighted share of the time
        // after the last arrival, and never waits more than (n + 1) target latencies.
        let tasks: Vec<TaskSpec> = nice
            .iter()
            .zip(&arrivals)
            .map(|(&n, &a)| TaskSpec { arrival: a, bursts: vec![Burst::Cpu(1 << 40)], nice: n })
            .collect();
        let policy = if which == 0 { cfs() } else { eevdf() };
        let horizon = 2_000_000_000;
        let cfg = SimConfig { horizon: Some(horizon), ..SimConfig::default() };
        let r = simulate(&tasks, &policy, &cfg).unwrap();
        let total_w: u64 = r.tasks.iter().map(|m| m.weight).sum();
        let last = arrivals.iter().take(tasks.len()).max().copied().unwrap_or(0);
        for m in &r.tasks {
            let fair = (horizon - last) as f64 * m.weight as f64 / total_w as f64;
            prop_assert!(m.cpu_time as f64 >= 0.5 * fair, "task {} got {} of {}", m.id, m.cpu_time, fair);
        }
        let rs = runs(&r);
        let bound = (tasks.len() as u64 + 1) * 6_000_000 * 3121 / 335;
        for i in 0..tasks.len() {
            let mine: Vec<&(usize, u64, u64)> = rs.iter().filter(|x| x.0 == i).collect();
            for w in mine.windows(2) {
                prop_assert!(w[1].1 - w[0].2 <= bound, "gap {} > {}", w[1].1 - w[0].2, bound);
            }
        }
    }

    #[test]
    fn cpu_shares_converge_to_the_weight_ratio(nice in prop::collection::vec(-10i32..=10, 2..6), which in 0..2) {
        // Over 5 s of CPU-bound tasks, each share is within 0.005 of weight / total weight:
        // both policies keep every vruntime within a slice or two of the others.
        let tasks: Vec<TaskSpec> =
            nice.iter().map(|&n| TaskSpec { arrival: 0, bursts: vec![Burst::Cpu(1 << 40)], nice: n }).collect();
        let policy = if which == 0 { cfs() } else { eevdf() };
        let cfg = SimConfig { horizon: Some(5_000_000_000), ..SimConfig::default() };
        let r = simulate(&tasks, &policy, &cfg).unwrap();
        let total_w: u64 = r.tasks.iter().map(|m| m.weight).sum();
        for m in &r.tasks {
            let want = m.weight as f64 / total_w as f64;
            prop_assert!((m.cpu_share - want).abs() < 0.005, "{} nice {}: {} vs {}", policy.name(), m.nice, m.cpu_share, want);
        }
    }

    #[test]
    fn eevdf_lag_stays_bounded(tasks in with_io(), extra in prop::collection::vec(-20i32..=19, 8)) {
        // Lag (V - vruntime) of every queued task, in real time (lag * weight / 1024), stays
        // within one base slice plus one tick either way (the overshoot a tick-driven slice
        // allows), doubled for wake-up placement; the lag kept across a sleep is clamped
        // exactly as update_entity_lag() does.
        let mut tasks = scaled(&tasks, FAIR_SCALE);
        for (t, n) in tasks.iter_mut().zip(extra) {
            t.nice = n;
        }
        let p = EevdfParams::default();
        let cfg = SimConfig { fair_samples: true, ..SimConfig::default() };
        let r = simulate(&tasks, &Policy::Eevdf(p), &cfg).unwrap();
        prop_assert!(!r.fair.is_empty());
        let bound = 2.0 * (p.base_slice + p.tick) as f64;
        for s in &r.fair {
            let w = r.tasks[s.task].weight;
            if s.on_rq {
                let real = s.lag as f64 * w as f64 / 1024.0;
                prop_assert!(real.abs() <= bound, "task {} lag {} ns > {}", s.task, real, bound);
                // Eligible exactly when at or behind the average.
                prop_assert_eq!(s.eligible, s.lag >= 0);
            } else {
                let span = (2 * p.base_slice).max(p.tick);
                let limit = if w == 1024 { span } else { calc_delta(span, 1024 << 10, w << 10) };
                prop_assert!(s.lag.unsigned_abs() <= limit, "kept lag {} > {}", s.lag, limit);
            }
        }
    }
}

#[test]
fn a_horizon_cuts_the_run_and_accounts_every_instant() {
    let tasks: Vec<TaskSpec> = (0..5)
        .map(|i| TaskSpec::cpu(i * 1_000_000, 50_000_000))
        .collect();
    for p in [cfs(), eevdf(), Policy::RoundRobin { quantum: 3_000_000 }] {
        let cfg = SimConfig {
            horizon: Some(20_000_000),
            switch_cost: 100_000,
            ..SimConfig::default()
        };
        let r = simulate(&tasks, &p, &cfg).unwrap();
        assert_eq!(r.overall.end, 20_000_000);
        assert_eq!(r.overall.finished, 0);
        let busy = r.overall.busy_time + r.overall.idle_time + r.overall.switch_time;
        assert_eq!(busy, 20_000_000, "{}", p.name());
        assert!(r.tasks.iter().all(|m| m.completion.is_none()));
        let per_task: u64 = r.tasks.iter().map(|m| m.switch_time).sum();
        assert_eq!(per_task, r.overall.switch_time);
        let cpu: u64 = r.tasks.iter().map(|m| m.cpu_time).sum();
        assert_eq!(cpu, r.overall.busy_time);
        assert_eq!(r.timeline.last().unwrap().end, 20_000_000);
    }
}

#[test]
fn extreme_parameters_end_in_a_result_or_an_error_never_a_panic() {
    // Tests build with overflow checks: the largest accepted values must not overflow.
    use youcpu_core::sched::sim::{SimError, MAX_TIME};
    let big = MAX_TIME;
    let mut tasks: Vec<TaskSpec> = (0..40)
        .map(|i| TaskSpec {
            arrival: if i % 2 == 0 { 0 } else { big },
            bursts: vec![Burst::Cpu(big), Burst::Io(big), Burst::Cpu(big)],
            nice: i - 20,
        })
        .collect();
    tasks.push(TaskSpec::cpu(big, 1));
    let policies = [
        Policy::Fifo,
        Policy::Sjf,
        Policy::Stcf,
        Policy::RoundRobin { quantum: big },
        Policy::RoundRobin { quantum: 1 },
        Policy::RoundRobinLatency {
            target_latency: big,
            min_granularity: big,
        },
        Policy::RoundRobinLatency {
            target_latency: 1,
            min_granularity: 1,
        },
        Policy::Cfs(CfsParams {
            latency: big,
            min_granularity: 1,
            wakeup_granularity: big,
            tick: big,
        }),
        Policy::Cfs(CfsParams {
            latency: 1,
            min_granularity: big,
            wakeup_granularity: 0,
            tick: 1,
        }),
        Policy::Eevdf(EevdfParams {
            base_slice: big,
            tick: big,
        }),
        Policy::Eevdf(EevdfParams {
            base_slice: 1,
            tick: 1,
        }),
    ];
    for p in policies {
        for cost in [0, big] {
            let cfg = SimConfig {
                switch_cost: cost,
                max_events: 20_000,
                ..SimConfig::default()
            };
            match simulate(&tasks, &p, &cfg) {
                Ok(r) => {
                    assert_eq!(r.overall.finished, tasks.len(), "{}", p.name());
                    assert_eq!(
                        r.overall.busy_time,
                        tasks.iter().map(|t| t.cpu_total()).sum::<u64>()
                    );
                }
                Err(e) => assert_eq!(e, SimError::TooManyEvents(20_000), "{}", p.name()),
            }
        }
    }
}

#[test]
fn limits_are_errors_with_the_limit_in_the_message() {
    use youcpu_core::sched::sim::{SimError, MAX_TASKS, MAX_TIME};
    let cfg = SimConfig::default();
    let too_many = vec![TaskSpec::cpu(0, 1); MAX_TASKS + 1];
    let e = simulate(&too_many, &Policy::Fifo, &cfg).unwrap_err();
    assert_eq!(e, SimError::TooManyTasks(MAX_TASKS + 1));
    assert!(e.to_string().contains("100000"));
    assert_eq!(
        simulate(&[], &Policy::Fifo, &cfg).unwrap_err(),
        SimError::NoTasks
    );
    let e = simulate(&[TaskSpec::cpu(0, MAX_TIME + 1)], &Policy::Fifo, &cfg).unwrap_err();
    assert!(e.to_string().contains("1099511627776"), "{e}");
    let e = simulate(&[TaskSpec::cpu(0, 0)], &Policy::Fifo, &cfg).unwrap_err();
    assert!(e.to_string().contains("length 0"), "{e}");
    let bad = TaskSpec {
        arrival: 0,
        bursts: vec![Burst::Cpu(1), Burst::Io(1)],
        nice: 0,
    };
    assert!(simulate(&[bad], &Policy::Fifo, &cfg).is_err());
    let bad = TaskSpec {
        arrival: 0,
        bursts: vec![Burst::Io(1), Burst::Cpu(1)],
        nice: 0,
    };
    assert!(simulate(&[bad], &Policy::Fifo, &cfg).is_err());
    let bad = TaskSpec {
        arrival: 0,
        bursts: vec![Burst::Cpu(1)],
        nice: 20,
    };
    assert!(simulate(&[bad], &cfs(), &cfg)
        .unwrap_err()
        .to_string()
        .contains("nice"));
    let one = [TaskSpec::cpu(0, 1)];
    assert_eq!(
        simulate(&one, &Policy::RoundRobin { quantum: 0 }, &cfg).unwrap_err(),
        SimError::ZeroParameter("the quantum")
    );
    let cfg0 = SimConfig {
        max_events: 0,
        ..SimConfig::default()
    };
    assert_eq!(
        simulate(&one, &Policy::Fifo, &cfg0).unwrap_err(),
        SimError::BadEventLimit(0)
    );
    // The total of all work is capped so sums cannot overflow.
    let huge: Vec<TaskSpec> = (0..5000)
        .map(|_| TaskSpec::cpu(MAX_TIME, MAX_TIME))
        .collect();
    assert_eq!(
        simulate(&huge, &Policy::Fifo, &cfg).unwrap_err(),
        SimError::TotalTooLarge
    );
}

#[test]
fn a_horizon_inside_a_switch_counts_only_the_part_before_it() {
    // RR, quantum 1.7 ms, switches of 0.8 ms, three tasks at 0: runs start every 2.5 ms and
    // the eighth switch (19.2..20 ms) is cut at the 19.8 ms horizon: 7 * 0.8 + 0.6 = 6.2 ms
    // lost, 8 * 1.7 = 13.6 ms of work.
    let tasks = vec![TaskSpec::cpu(0, 50_000_000); 3];
    let cfg = SimConfig {
        horizon: Some(19_800_000),
        switch_cost: 800_000,
        ..SimConfig::default()
    };
    let r = simulate(&tasks, &Policy::RoundRobin { quantum: 1_700_000 }, &cfg).unwrap();
    assert_eq!(r.overall.switch_time, 6_200_000);
    assert_eq!(r.overall.busy_time, 13_600_000);
    assert_eq!(r.overall.context_switches, 8);
    let per_task: u64 = r.tasks.iter().map(|m| m.switch_time).sum();
    assert_eq!(per_task, 6_200_000);
    assert_eq!(r.timeline.last().unwrap().end, 19_800_000);
}
