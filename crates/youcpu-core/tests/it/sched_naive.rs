//! A differential oracle for the textbook policies: a deliberately naive simulator that steps
//! one time unit at a time and applies the OSTEP definitions literally, written independently of
//! the event-driven engine. Both must agree on every job's first run and completion, on the
//! timeline and on the number of context switches, for random job sets, with and without a
//! context-switch cost, for jobs with one CPU burst or several separated by I/O waits.

#![allow(clippy::unwrap_used)] // tests may unwrap

use proptest::prelude::*;
use std::collections::VecDeque;
use youcpu_core::sched::sim::{simulate, Burst, Policy, SimConfig, TaskSpec};

#[derive(Clone, Copy, Debug)]
enum Naive {
    Fifo,
    Sjf,
    Stcf,
    Rr(u64),
    RrLatency(u64, u64),
}

struct Outcome {
    first: Vec<u64>,
    done: Vec<u64>,
    /// (job, start, end) with adjacent units of one job merged.
    runs: Vec<(usize, u64, u64)>,
    switches: u64,
}

/// `bursts[j]` alternates CPU and I/O lengths, starting and ending with CPU.
fn naive(policy: Naive, bursts: &[Vec<u64>], arr: &[u64], cost: u64) -> Outcome {
    let n = bursts.len();
    let mut rem: Vec<u64> = bursts.iter().map(|b| b[0]).collect();
    let mut idx = vec![0usize; n];
    let mut wake: Vec<Option<u64>> = vec![None; n];
    let mut first = vec![None; n];
    let mut done = vec![None; n];
    let mut queue: VecDeque<usize> = VecDeque::new();
    let mut running: Option<usize> = None;
    // A switch in progress: (target, end time), and whether a shorter job arrived meanwhile.
    let mut switching: Option<(usize, u64)> = None;
    let mut pending = false;
    let mut used = 0; // time used of the current quantum
    let mut quantum = 0;
    let mut runs: Vec<(usize, u64, u64)> = Vec::new();
    let mut last: Option<usize> = None;
    let mut switches = 0;
    let quantum_for = |queued: usize| match policy {
        Naive::Rr(q) => q,
        Naive::RrLatency(t, g) => (t / (queued as u64 + 1)).max(g),
        _ => u64::MAX,
    };
    let mut t = 0u64;
    while done.iter().any(Option::is_none) {
        // A switch ends at t: the target runs, or goes back if a shorter job came (STCF).
        if let Some((j, end)) = switching {
            if end == t {
                switching = None;
                if pending {
                    queue.push_back(j);
                    pending = false;
                } else {
                    running = Some(j);
                }
            }
        }
        // The running job finished at t.
        if let Some(j) = running {
            if rem[j] == 0 {
                running = None;
                if idx[j] + 1 < bursts[j].len() {
                    wake[j] = Some(t + bursts[j][idx[j] + 1]);
                    idx[j] += 2;
                    rem[j] = bursts[j][idx[j]];
                } else {
                    done[j] = Some(t);
                }
            }
        }
        // Arrivals at t, in id order.
        for j in 0..n {
            if arr[j] == t || wake[j] == Some(t) {
                queue.push_back(j);
                if let (Naive::Stcf, Some((k, _))) = (policy, switching) {
                    pending |= rem[j] < rem[k];
                }
            }
        }
        // Preemption.
        if let Some(j) = running {
            match policy {
                Naive::Rr(_) | Naive::RrLatency(..) if used == quantum => {
                    if queue.is_empty() {
                        used = 0;
                        quantum = quantum_for(0);
                    } else {
                        queue.push_back(j);
                        running = None;
                    }
                }
                Naive::Stcf => {
                    let best = queue.iter().copied().min_by_key(|&k| (rem[k], k));
                    if best.is_some_and(|b| rem[b] < rem[j]) {
                        queue.push_back(j);
                        running = None;
                    }
                }
                _ => {}
            }
        }
        // Dispatch.
        if running.is_none() && switching.is_none() && !queue.is_empty() {
            let pick = match policy {
                Naive::Fifo | Naive::Rr(_) | Naive::RrLatency(..) => queue.pop_front(),
                Naive::Sjf | Naive::Stcf => {
                    let b = queue.iter().copied().min_by_key(|&k| (rem[k], k)).unwrap();
                    queue.retain(|&k| k != b);
                    Some(b)
                }
            };
            let j = pick.unwrap();
            used = 0;
            quantum = quantum_for(queue.len());
            if last.is_some_and(|l| l != j) {
                switches += 1;
                if cost > 0 {
                    switching = Some((j, t + cost));
                } else {
                    running = Some(j);
                }
            } else {
                running = Some(j);
            }
            last = Some(j);
        }
        // Run one unit.
        if let Some(j) = running {
            first[j].get_or_insert(t);
            rem[j] -= 1;
            used += 1;
            match runs.last_mut() {
                Some(r) if r.0 == j && r.2 == t => r.2 = t + 1,
                _ => runs.push((j, t, t + 1)),
            }
        }
        t += 1;
    }
    Outcome {
        first: first.into_iter().map(Option::unwrap).collect(),
        done: done.into_iter().map(Option::unwrap).collect(),
        runs,
        switches,
    }
}

fn policy_strategy() -> impl Strategy<Value = Naive> {
    prop_oneof![
        Just(Naive::Fifo),
        Just(Naive::Sjf),
        Just(Naive::Stcf),
        (1u64..8).prop_map(Naive::Rr),
        (1u64..25, 1u64..5).prop_map(|(t, g)| Naive::RrLatency(t, g)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn engine_matches_the_naive_stepper(
        jobs in prop::collection::vec((prop::collection::vec(1u64..15, 1..4), 0u64..30), 1..9),
        policy in policy_strategy(),
        all_at_zero in any::<bool>(),
        cost in prop_oneof![Just(0u64), 1u64..4],
    ) {
        // (cpu, io) pairs become cpu, io, cpu, ...: the first element of each pair is CPU.
        let bursts: Vec<Vec<u64>> = jobs
            .iter()
            .map(|(b, _)| if b.len().is_multiple_of(2) { b[..b.len() - 1].to_vec() } else { b.clone() })
            .collect();
        let arr: Vec<u64> = jobs.iter().map(|j| if all_at_zero { 0 } else { j.1 }).collect();
        let want = naive(policy, &bursts, &arr, cost);
        let p = match policy {
            Naive::Fifo => Policy::Fifo,
            Naive::Sjf => Policy::Sjf,
            Naive::Stcf => Policy::Stcf,
            Naive::Rr(quantum) => Policy::RoundRobin { quantum },
            Naive::RrLatency(target_latency, min_granularity) => {
                Policy::RoundRobinLatency { target_latency, min_granularity }
            }
        };
        let tasks: Vec<TaskSpec> = bursts
            .iter()
            .zip(&arr)
            .map(|(b, &a)| TaskSpec {
                arrival: a,
                bursts: b
                    .iter()
                    .enumerate()
                    .map(|(i, &x)| if i.is_multiple_of(2) { Burst::Cpu(x) } else { Burst::Io(x) })
                    .collect(),
                nice: 0,
            })
            .collect();
        let cfg = SimConfig { switch_cost: cost, ..SimConfig::default() };
        let r = simulate(&tasks, &p, &cfg).unwrap();
        let first: Vec<u64> = r.tasks.iter().map(|t| t.first_run.unwrap()).collect();
        let done: Vec<u64> = r.tasks.iter().map(|t| t.completion.unwrap()).collect();
        let runs = crate::sched_properties::runs(&r);
        prop_assert_eq!(first, want.first);
        prop_assert_eq!(done, want.done);
        prop_assert_eq!(runs, want.runs);
        prop_assert_eq!(r.overall.context_switches, want.switches);
        prop_assert_eq!(r.overall.switch_time, want.switches * cost);
    }
}
