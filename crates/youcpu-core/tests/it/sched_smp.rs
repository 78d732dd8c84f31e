//! The scheduler simulator on more than one CPU: per-CPU timelines that tile the run, no task
//! on two CPUs at once, totals conserved, work conservation after balancing (no CPU idle while
//! a task waits on another), textbook cases with the placement and balancing rules worked by
//! hand, and nice shares under CFS/EEVDF when every CPU holds the same mix.

#![allow(clippy::unwrap_used)] // tests may unwrap

use proptest::prelude::*;
use youcpu_core::sched::sim::{
    simulate, Burst, CfsParams, EevdfParams, Policy, SimConfig, SimError, SimResult, SliceKind,
    StepKind, TaskSpec, MAX_CPUS,
};

use crate::sched_properties::FAIR_SCALE;

/// The five textbook policies and the two fair ones. (Not built on `sched_properties`'
/// `textbook_policy`: the seeds in `sched_smp.proptest-regressions` replay through this
/// strategy's shape, which must stay as it was when they were saved.)
fn policy() -> impl Strategy<Value = Policy> {
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
        Just(Policy::Cfs(CfsParams::for_cpus(2))),
        Just(Policy::Eevdf(EevdfParams::default())),
    ]
}

fn workload() -> impl Strategy<Value = Vec<TaskSpec>> {
    crate::sched_properties::with_io_up_to(10)
}

fn run(tasks: &[TaskSpec], p: &Policy, cpus: usize, cost: u64) -> (Vec<TaskSpec>, SimResult) {
    let k = if p.is_fair() { FAIR_SCALE } else { 1 };
    let tasks = crate::sched_properties::scaled(tasks, k);
    let cfg = SimConfig {
        cpus,
        switch_cost: cost * k,
        trace: true,
        ..SimConfig::default()
    };
    let r = simulate(&tasks, p, &cfg).unwrap();
    (tasks, r)
}

/// Each task's runnable intervals (arrived or woken, its CPU burst not yet done), rebuilt from
/// its bursts and the CPU time the timeline gives it.
fn runnable(spec: &TaskSpec, task: usize, r: &SimResult) -> Vec<(u64, u64)> {
    let mut runs: Vec<(u64, u64)> = r
        .runs_of(task)
        .map(|s| (s.start, s.end))
        .collect::<Vec<_>>();
    runs.sort_unstable();
    let mut out = Vec::new();
    let mut from = spec.arrival;
    let mut runs = runs.into_iter().peekable();
    let mut bursts = spec.bursts.iter();
    while let Some(b) = bursts.next() {
        let Burst::Cpu(mut need) = *b else { continue };
        let mut end = None;
        while need > 0 {
            let Some(&(s, e)) = runs.peek() else { break };
            let take = (e - s).min(need);
            need -= take;
            if take == e - s {
                runs.next();
            } else if let Some(x) = runs.peek_mut() {
                x.0 += take;
            }
            if need == 0 {
                end = Some(s + take);
            }
        }
        match end {
            Some(e) => {
                out.push((from, e));
                match bursts.next() {
                    Some(Burst::Io(d)) => from = e + d,
                    _ => break,
                }
            }
            None => {
                out.push((from, r.overall.end));
                break;
            }
        }
    }
    out
}

fn check(tasks: &[TaskSpec], r: &SimResult, cpus: usize) -> Result<(), TestCaseError> {
    let end = r.overall.end;
    prop_assert_eq!(r.cpus as usize, cpus);
    // Every CPU's timeline tiles 0..end.
    for c in 0..cpus {
        let mut t = 0;
        for s in r.timeline.iter().filter(|s| s.cpu == c) {
            prop_assert_eq!(s.start, t, "cpu {} gap or overlap", c);
            prop_assert!(s.end > s.start);
            t = s.end;
        }
        prop_assert_eq!(t, end, "cpu {} timeline ends early", c);
    }
    // CPU-major order (what running_on relies on).
    prop_assert!(r.timeline.windows(2).all(|w| w[0].cpu <= w[1].cpu));
    // Totals: busy + idle + switching = cpus * end.
    let switch: u64 = r
        .timeline
        .iter()
        .filter(|s| matches!(s.kind, SliceKind::Switch { .. }))
        .map(|s| s.end - s.start)
        .sum();
    prop_assert_eq!(
        r.overall.busy_time + r.overall.idle_time + switch,
        cpus as u64 * end
    );
    prop_assert_eq!(switch, r.overall.switch_time);
    prop_assert_eq!(
        r.overall.context_switches,
        r.tasks.iter().map(|t| t.context_switches).sum::<u64>()
    );
    for (i, (spec, m)) in tasks.iter().zip(&r.tasks).enumerate() {
        // Every task finishes (no horizon), with exactly its demand.
        let c = m.completion.unwrap();
        prop_assert_eq!(m.cpu_time, spec.cpu_total());
        let ran: u64 = r.runs_of(i).map(|s| s.end - s.start).sum();
        prop_assert_eq!(ran, m.cpu_time);
        prop_assert_eq!(
            m.wait,
            c - spec.arrival - spec.cpu_total() - spec.io_total(),
            "task {} wait",
            i
        );
        // Never on two CPUs at once.
        let mut runs: Vec<(u64, u64)> = r.runs_of(i).map(|s| (s.start, s.end)).collect();
        runs.sort_unstable();
        prop_assert!(
            runs.windows(2).all(|w| w[0].1 <= w[1].0),
            "task {} twice",
            i
        );
    }
    // Work conservation: wherever a CPU idles, nothing runnable is left waiting.
    let intervals: Vec<Vec<(u64, u64)>> = tasks
        .iter()
        .enumerate()
        .map(|(i, s)| runnable(s, i, r))
        .collect();
    for s in r.timeline.iter().filter(|s| s.kind == SliceKind::Idle) {
        let mut points: Vec<u64> = vec![s.start];
        for iv in intervals.iter().flatten() {
            points.extend([iv.0, iv.1]);
        }
        for o in &r.timeline {
            points.extend([o.start, o.end]);
        }
        points.retain(|&p| p >= s.start && p < s.end);
        for t in points {
            let ready = intervals
                .iter()
                .filter(|iv| iv.iter().any(|&(a, b)| a <= t && t < b))
                .count();
            let busy = r
                .timeline
                .iter()
                .filter(|o| o.kind != SliceKind::Idle && o.start <= t && t < o.end)
                .count();
            prop_assert!(
                ready <= busy,
                "cpu {} idle at {} while {} tasks are runnable and {} CPUs busy",
                s.cpu,
                t,
                ready,
                busy
            );
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn every_policy_on_several_cpus_accounts_and_conserves_work(
        tasks in workload(),
        p in policy(),
        cpus in 2usize..=4,
        cost in prop_oneof![Just(0u64), 1u64..3],
    ) {
        let (tasks, r) = run(&tasks, &p, cpus, cost);
        check(&tasks, &r, cpus)?;
    }

    #[test]
    fn one_cpu_is_the_one_cpu_run(tasks in workload(), p in policy()) {
        let (tasks, one) = run(&tasks, &p, 1, 1);
        check(&tasks, &one, 1)?;
        prop_assert_eq!(one.migrations(), 0);
        prop_assert!(one.timeline.iter().all(|s| s.cpu == 0));
        prop_assert!(one.steps.iter().all(|s| s.cpu == 0 && s.kind != StepKind::Migrate));
    }

    #[test]
    fn as_many_cpus_as_tasks_means_nobody_waits(tasks in workload(), p in policy()) {
        let cpus = tasks.len().min(MAX_CPUS);
        prop_assume!(tasks.len() <= MAX_CPUS);
        let (tasks, r) = run(&tasks, &p, cpus, 0);
        for m in &r.tasks {
            prop_assert_eq!(m.wait, 0);
            prop_assert_eq!(m.response, Some(0));
        }
        prop_assert_eq!(r.overall.end, tasks.iter().map(|t| t.arrival + t.cpu_total() + t.io_total()).max().unwrap());
        prop_assert!(check(&tasks, &r, cpus).is_ok());
    }

    #[test]
    fn a_batch_finishes_within_grahams_bound(
        lens in prop::collection::vec(1u64..20, 1..12),
        cpus in 1usize..5,
        p in policy(),
    ) {
        // Jobs all arriving at 0, no I/O: in any schedule that never idles a CPU while a job
        // waits, the last job to finish started no later than when the others' work, spread
        // over all CPUs, was done: cpus * (end - its length) <= total - its length (Graham).
        let tasks: Vec<TaskSpec> = lens.iter().map(|&l| TaskSpec::cpu(0, l)).collect();
        let (t, r) = run(&tasks, &p, cpus, 0);
        let total: u64 = t.iter().map(|x| x.cpu_total()).sum();
        let end = r.overall.end;
        prop_assert!(end * cpus as u64 >= total);
        let last = r.tasks.iter().filter(|m| m.completion == Some(end)).map(|m| m.cpu_demand).max().unwrap();
        // Preemptive policies may split the last job, so only its last piece is certain to run
        // after every CPU was busy; the bound is checked with the whole job for FIFO and SJF.
        if matches!(p, Policy::Fifo | Policy::Sjf) {
            prop_assert!(cpus as u64 * (end - last) <= total - last, "end {} total {} last {}", end, total, last);
        }
    }
}

fn runs_on(r: &SimResult, cpu: usize) -> Vec<(usize, u64, u64)> {
    r.timeline
        .iter()
        .filter(|s| s.cpu == cpu)
        .filter_map(|s| match s.kind {
            SliceKind::Run { task } => Some((task, s.start, s.end)),
            _ => None,
        })
        .collect()
}

fn cfg(cpus: usize) -> SimConfig {
    SimConfig {
        cpus,
        trace: true,
        ..SimConfig::default()
    }
}

#[test]
fn fifo_on_two_cpus_places_new_tasks_on_the_least_loaded_cpu() {
    // t0 -> CPU 0, t1 -> CPU 1, t2 -> CPU 0 (both have one task; ties go to the lower CPU).
    let tasks: Vec<TaskSpec> = [10, 10, 10].map(|l| TaskSpec::cpu(0, l)).to_vec();
    let r = simulate(&tasks, &Policy::Fifo, &cfg(2)).unwrap();
    assert_eq!(runs_on(&r, 0), vec![(0, 0, 10), (2, 10, 20)]);
    assert_eq!(runs_on(&r, 1), vec![(1, 0, 10)]);
    assert_eq!(r.overall.avg_turnaround, Some(40.0 / 3.0));
    assert_eq!(r.migrations(), 0);
    assert_eq!(r.overall.idle_time, 10);
    assert_eq!(r.running_on(1, 5), Some(1));
    assert_eq!(r.running_on(1, 15), None);
    assert_eq!(r.running_at(15), Some(2));
}

#[test]
fn an_idle_cpu_pulls_the_task_queued_behind_a_running_one() {
    // CPU 1 finishes t1 at 2 and pulls t2, which waited behind t0 on CPU 0.
    let tasks: Vec<TaskSpec> = [10, 2, 10].map(|l| TaskSpec::cpu(0, l)).to_vec();
    let r = simulate(&tasks, &Policy::Fifo, &cfg(2)).unwrap();
    assert_eq!(runs_on(&r, 0), vec![(0, 0, 10)]);
    assert_eq!(runs_on(&r, 1), vec![(1, 0, 2), (2, 2, 12)]);
    assert_eq!(r.tasks[2].migrations, 1);
    assert_eq!(r.tasks[2].wait, 2);
    let m: Vec<_> = r
        .steps
        .iter()
        .filter(|s| s.kind == StepKind::Migrate)
        .collect();
    assert_eq!(m.len(), 1);
    assert_eq!((m[0].time, m[0].task, m[0].cpu), (2, Some(2), 1));
    assert!(m[0].note.contains("from CPU 0 to CPU 1"), "{}", m[0].note);
}

#[test]
fn periodic_balancing_evens_out_wake_ups_that_piled_onto_one_cpu() {
    // Sleepers t0..t2 arrive at 0, 2, 4 while both CPUs are idle, so each runs its first unit
    // on CPU 0. The long t3 and t4 arrive at 6 and take CPU 0 and CPU 1. The sleepers wake at
    // 11, 13, 15 while both CPUs are busy and go back to CPU 0 (their CPU, no idle one): CPU 0
    // has 4 runnable tasks, CPU 1 has 1. The periodic balance at 20 moves the task CPU 0 would
    // run last (t2) to CPU 1; 3 against 2 is balanced.
    let mut tasks: Vec<TaskSpec> = [0, 2, 4]
        .map(|arrival| TaskSpec {
            arrival,
            bursts: vec![Burst::Cpu(1), Burst::Io(10), Burst::Cpu(20)],
            nice: 0,
        })
        .to_vec();
    tasks.extend([TaskSpec::cpu(6, 40), TaskSpec::cpu(6, 40)]);
    let c = SimConfig {
        balance_interval: Some(10),
        ..cfg(2)
    };
    let r = simulate(&tasks, &Policy::Fifo, &c).unwrap();
    let m: Vec<_> = r
        .steps
        .iter()
        .filter(|s| s.kind == StepKind::Migrate)
        .map(|s| (s.time, s.task, s.cpu, s.note.contains("periodic")))
        .collect();
    assert_eq!(m.first(), Some(&(20, Some(2), 1, true)), "{m:?}");
    assert_eq!(
        runs_on(&r, 0)[..4],
        [(0, 0, 1), (1, 2, 3), (2, 4, 5), (3, 6, 46)]
    );
    let (t, r2) = run(&tasks, &Policy::Fifo, 2, 0);
    check(&t, &r2, 2).unwrap();
}

#[test]
fn cfs_and_eevdf_keep_nice_ratios_when_each_cpu_holds_the_same_mix() {
    // nice 0, 0, 5, 5 on two CPUs: placement alternates, so each CPU holds one nice-0 and
    // one nice-5 task and splits 1024 : 335.
    let tasks: Vec<TaskSpec> = [0, 0, 5, 5]
        .map(|nice| TaskSpec {
            arrival: 0,
            bursts: vec![Burst::Cpu(1 << 40)],
            nice,
        })
        .to_vec();
    for p in [
        Policy::Cfs(CfsParams::for_cpus(2)),
        Policy::Eevdf(EevdfParams::default()),
    ] {
        let r = simulate(
            &tasks,
            &p,
            &SimConfig {
                cpus: 2,
                horizon: Some(2_000_000_000),
                ..SimConfig::default()
            },
        )
        .unwrap();
        let share: Vec<f64> = r.tasks.iter().map(|t| t.cpu_share).collect();
        let want = 1024.0 / (1024.0 + 335.0);
        for (i, s) in share.iter().enumerate() {
            let w = if i < 2 { want } else { 1.0 - want };
            assert!((s - w).abs() < 0.01, "{}: {share:?}", p.name());
        }
        assert_eq!(r.overall.idle_time, 0);
    }
}

#[test]
fn cpu_counts_outside_the_limits_are_errors() {
    let tasks = vec![TaskSpec::cpu(0, 3)];
    for bad in [0, MAX_CPUS + 1, usize::MAX] {
        let e = simulate(&tasks, &Policy::Fifo, &cfg(bad)).unwrap_err();
        assert_eq!(e, SimError::BadCpus(bad));
        assert!(e.to_string().contains(&MAX_CPUS.to_string()));
    }
    let e = simulate(
        &tasks,
        &Policy::Fifo,
        &SimConfig {
            balance_interval: Some(0),
            ..cfg(2)
        },
    )
    .unwrap_err();
    assert!(e.to_string().contains("load-balancing interval"), "{e}");
}
