//! The textbook policies against worked examples computed by hand (OSTEP "Scheduling:
//! Introduction" and the classic SRTF/SJF/RR exercises). Each case states the schedule it
//! expects, so a reader can check the arithmetic.

#![allow(clippy::unwrap_used)] // tests may unwrap

use youcpu_core::sched::sim::{simulate, Burst, Policy, SimConfig, TaskSpec};

struct Want {
    /// (first_run, completion) per job.
    runs: &'static [(u64, u64)],
    /// (job, start, end) runs in order.
    timeline: &'static [(usize, u64, u64)],
    switches: u64,
}

fn jobs(lengths: &[u64], arrivals: &[u64]) -> Vec<TaskSpec> {
    lengths
        .iter()
        .zip(arrivals)
        .map(|(&l, &a)| TaskSpec::cpu(a, l))
        .collect()
}

fn check(name: &str, policy: Policy, lengths: &[u64], arrivals: &[u64], cost: u64, want: Want) {
    let cfg = SimConfig {
        switch_cost: cost,
        trace: true,
        ..SimConfig::default()
    };
    let r = simulate(&jobs(lengths, arrivals), &policy, &cfg).unwrap();
    let runs: Vec<(u64, u64)> = r
        .tasks
        .iter()
        .map(|t| (t.first_run.unwrap(), t.completion.unwrap()))
        .collect();
    assert_eq!(runs, want.runs, "{name}: (first_run, completion)");
    let tl = crate::sched_properties::runs(&r);
    assert_eq!(tl, want.timeline, "{name}: timeline");
    assert_eq!(
        r.overall.context_switches, want.switches,
        "{name}: switches"
    );
    assert_eq!(
        r.overall.switch_time,
        cost * want.switches,
        "{name}: switch time"
    );
    for (t, (&l, &a)) in r.tasks.iter().zip(lengths.iter().zip(arrivals)) {
        assert_eq!(t.response, Some(t.first_run.unwrap() - a), "{name}");
        assert_eq!(t.turnaround, Some(t.completion.unwrap() - a), "{name}");
        assert_eq!(
            t.wait,
            t.turnaround.unwrap() - l,
            "{name}: wait = turnaround - length"
        );
        assert_eq!(t.cpu_time, l, "{name}");
    }
    assert!(!r.steps.is_empty());
}

fn rr(quantum: u64) -> Policy {
    Policy::RoundRobin { quantum }
}

#[test]
fn fifo_equal_lengths_ostep() {
    // OSTEP fig. 7.1: A, B, C of 10 at time 0 run in id order; mean turnaround (10+20+30)/3 = 20.
    check(
        "fifo 10,10,10",
        Policy::Fifo,
        &[10, 10, 10],
        &[0, 0, 0],
        0,
        Want {
            runs: &[(0, 10), (10, 20), (20, 30)],
            timeline: &[(0, 0, 10), (1, 10, 20), (2, 20, 30)],
            switches: 2,
        },
    );
}

#[test]
fn fifo_convoy_ostep() {
    // OSTEP fig. 7.2: A = 100 first: turnaround (100 + 110 + 120) / 3 = 110.
    check(
        "fifo 100,10,10",
        Policy::Fifo,
        &[100, 10, 10],
        &[0, 0, 0],
        0,
        Want {
            runs: &[(0, 100), (100, 110), (110, 120)],
            timeline: &[(0, 0, 100), (1, 100, 110), (2, 110, 120)],
            switches: 2,
        },
    );
}

#[test]
fn fifo_idles_until_the_next_arrival_and_orders_by_arrival() {
    // Job 1 arrives first; job 0 arrives at 5 while 1 still runs; job 2 only at 20.
    check(
        "fifo idle",
        Policy::Fifo,
        &[3, 4, 2],
        &[5, 0, 20],
        0,
        Want {
            runs: &[(5, 8), (0, 4), (20, 22)],
            timeline: &[(1, 0, 4), (0, 5, 8), (2, 20, 22)],
            switches: 2,
        },
    );
}

#[test]
fn sjf_ostep() {
    // OSTEP fig. 7.3: B and C first; turnaround (10 + 20 + 120) / 3 = 50.
    check(
        "sjf 100,10,10",
        Policy::Sjf,
        &[100, 10, 10],
        &[0, 0, 0],
        0,
        Want {
            runs: &[(20, 120), (0, 10), (10, 20)],
            timeline: &[(1, 0, 10), (2, 10, 20), (0, 20, 120)],
            switches: 2,
        },
    );
    // OSTEP fig. 7.4: B and C arrive at 10, after A started: no preemption;
    // turnaround (100 + 100 + 110) / 3 = 103.33.
    check(
        "sjf late",
        Policy::Sjf,
        &[100, 10, 10],
        &[0, 10, 10],
        0,
        Want {
            runs: &[(0, 100), (100, 110), (110, 120)],
            timeline: &[(0, 0, 100), (1, 100, 110), (2, 110, 120)],
            switches: 2,
        },
    );
}

#[test]
fn sjf_classic_exercise() {
    // A=8@0, B=4@1, C=9@2, D=5@3: A runs to 8, then B (4), D (5), C (9).
    // Waits 0, 7, 15, 9: mean 7.75.
    check(
        "sjf classic",
        Policy::Sjf,
        &[8, 4, 9, 5],
        &[0, 1, 2, 3],
        0,
        Want {
            runs: &[(0, 8), (8, 12), (17, 26), (12, 17)],
            timeline: &[(0, 0, 8), (1, 8, 12), (3, 12, 17), (2, 17, 26)],
            switches: 3,
        },
    );
}

#[test]
fn sjf_ties_go_to_the_lower_id_not_the_earlier_arrival() {
    // At 4, jobs 1 (arrived 2) and 2 (arrived 1) both need 3: job 1 goes first.
    check(
        "sjf tie",
        Policy::Sjf,
        &[4, 3, 3],
        &[0, 2, 1],
        0,
        Want {
            runs: &[(0, 4), (4, 7), (7, 10)],
            timeline: &[(0, 0, 4), (1, 4, 7), (2, 7, 10)],
            switches: 2,
        },
    );
    check(
        "sjf equal",
        Policy::Sjf,
        &[3, 3, 3],
        &[0, 0, 0],
        0,
        Want {
            runs: &[(0, 3), (3, 6), (6, 9)],
            timeline: &[(0, 0, 3), (1, 3, 6), (2, 6, 9)],
            switches: 2,
        },
    );
}

#[test]
fn stcf_ostep() {
    // OSTEP fig. 7.5: B and C preempt A at 10; turnaround (120 + 10 + 20) / 3 = 50.
    check(
        "stcf late",
        Policy::Stcf,
        &[100, 10, 10],
        &[0, 10, 10],
        0,
        Want {
            runs: &[(0, 120), (10, 20), (20, 30)],
            timeline: &[(0, 0, 10), (1, 10, 20), (2, 20, 30), (0, 30, 120)],
            switches: 3,
        },
    );
}

#[test]
fn stcf_classic_exercise() {
    // A=8@0, B=4@1, C=9@2, D=5@3: B preempts A at 1 (4 < 7); C (9) and D (5) do not preempt B
    // (3 and 2 left); then D (5) before A (7) before C (9). Waits 9, 0, 15, 2: mean 6.5.
    check(
        "stcf classic",
        Policy::Stcf,
        &[8, 4, 9, 5],
        &[0, 1, 2, 3],
        0,
        Want {
            runs: &[(0, 17), (1, 5), (17, 26), (5, 10)],
            timeline: &[(0, 0, 1), (1, 1, 5), (3, 5, 10), (0, 10, 17), (2, 17, 26)],
            switches: 4,
        },
    );
}

#[test]
fn stcf_preempts_only_when_strictly_shorter() {
    // At 2, job 0 has 3 left and job 1 needs 3: no preemption.
    check(
        "stcf equal",
        Policy::Stcf,
        &[5, 3],
        &[0, 2],
        0,
        Want {
            runs: &[(0, 5), (5, 8)],
            timeline: &[(0, 0, 5), (1, 5, 8)],
            switches: 1,
        },
    );
    // 2 < 3: preemption.
    check(
        "stcf shorter",
        Policy::Stcf,
        &[5, 2],
        &[0, 2],
        0,
        Want {
            runs: &[(0, 7), (2, 4)],
            timeline: &[(0, 0, 2), (1, 2, 4), (0, 4, 7)],
            switches: 2,
        },
    );
}

#[test]
fn rr_quantum_1_2_5_equal_lengths() {
    // OSTEP fig. 7.7: A, B, C of 5, quantum 1: responses 0, 1, 2; completions 13, 14, 15.
    let tl1: Vec<(usize, u64, u64)> = (0..15).map(|i| ((i % 3) as usize, i, i + 1)).collect();
    let r = simulate(&jobs(&[5, 5, 5], &[0, 0, 0]), &rr(1), &SimConfig::default()).unwrap();
    let got = crate::sched_properties::runs(&r);
    assert_eq!(got, tl1);
    assert_eq!(r.overall.avg_response, Some(1.0));
    assert_eq!(r.overall.avg_turnaround, Some(14.0));
    assert_eq!(r.overall.context_switches, 14);
    // Quantum 2: A 0-2, B 2-4, C 4-6, A 6-8, B 8-10, C 10-12, A 12-13, B 13-14, C 14-15.
    check(
        "rr q2",
        rr(2),
        &[5, 5, 5],
        &[0, 0, 0],
        0,
        Want {
            runs: &[(0, 13), (2, 14), (4, 15)],
            timeline: &[
                (0, 0, 2),
                (1, 2, 4),
                (2, 4, 6),
                (0, 6, 8),
                (1, 8, 10),
                (2, 10, 12),
                (0, 12, 13),
                (1, 13, 14),
                (2, 14, 15),
            ],
            switches: 8,
        },
    );
    // Quantum 5 = the length: the same schedule as FIFO.
    check(
        "rr q5",
        rr(5),
        &[5, 5, 5],
        &[0, 0, 0],
        0,
        Want {
            runs: &[(0, 5), (5, 10), (10, 15)],
            timeline: &[(0, 0, 5), (1, 5, 10), (2, 10, 15)],
            switches: 2,
        },
    );
}

#[test]
fn rr_arrival_at_quantum_expiry_queues_before_the_preempted_job() {
    // Job 1 arrives at 2, the instant job 0's quantum expires: it is queued first, so it runs
    // at 2; job 0 resumes at 4 and finishes at 5 (inside its quantum, giving up the CPU).
    check(
        "rr tie",
        rr(2),
        &[3, 3],
        &[0, 2],
        0,
        Want {
            runs: &[(0, 5), (2, 6)],
            timeline: &[(0, 0, 2), (1, 2, 4), (0, 4, 5), (1, 5, 6)],
            switches: 3,
        },
    );
}

#[test]
fn rr_classic_exercise_quantum_4() {
    // A=8@0, B=4@1, C=9@2, D=5@3, quantum 4: A 0-4, B 4-8, C 8-12, D 12-16, A 16-20, C 20-24,
    // D 24-25, C 25-26.
    check(
        "rr classic",
        rr(4),
        &[8, 4, 9, 5],
        &[0, 1, 2, 3],
        0,
        Want {
            runs: &[(0, 20), (4, 8), (8, 26), (12, 25)],
            timeline: &[
                (0, 0, 4),
                (1, 4, 8),
                (2, 8, 12),
                (3, 12, 16),
                (0, 16, 20),
                (2, 20, 24),
                (3, 24, 25),
                (2, 25, 26),
            ],
            switches: 7,
        },
    );
}

#[test]
fn rr_alone_keeps_running_and_merges_the_timeline() {
    // Job 0 is alone until 7: quanta of 2 at 0, 2, 4, 6; job 1 arrives at 7 (mid-quantum) and
    // waits for the boundary at 8. A long lone run is one timeline entry.
    check(
        "rr alone",
        rr(2),
        &[10, 1],
        &[0, 7],
        0,
        Want {
            runs: &[(0, 11), (8, 9)],
            timeline: &[(0, 0, 8), (1, 8, 9), (0, 9, 11)],
            switches: 2,
        },
    );
    // Lone quanta skip ahead: a huge job does not take one event per quantum.
    let r = simulate(
        &jobs(&[1 << 39, 1], &[0, 1 << 38]),
        &rr(1),
        &SimConfig::default(),
    )
    .unwrap();
    assert_eq!(r.tasks[1].first_run, Some(1 << 38));
    assert_eq!(r.tasks[0].completion, Some((1 << 39) + 1));
    assert!(r.overall.events < 10, "{} events", r.overall.events);
}

#[test]
fn switch_costs_are_paid_between_different_jobs_only() {
    // RR q=2, two jobs of 3, cost 1: A 0-2, switch, B 3-5, switch, A 6-7, switch, B 8-9.
    check(
        "rr cost",
        rr(2),
        &[3, 3],
        &[0, 0],
        1,
        Want {
            runs: &[(0, 7), (3, 9)],
            timeline: &[(0, 0, 2), (1, 3, 5), (0, 6, 7), (1, 8, 9)],
            switches: 3,
        },
    );
    // A job that continues after its own quantum pays nothing; the first dispatch is free.
    check(
        "rr cost alone",
        rr(2),
        &[5],
        &[0],
        3,
        Want {
            runs: &[(0, 5)],
            timeline: &[(0, 0, 5)],
            switches: 0,
        },
    );
    // After an idle gap, starting a different job is still a switch.
    check(
        "fifo cost idle",
        Policy::Fifo,
        &[2, 2],
        &[0, 5],
        1,
        Want {
            runs: &[(0, 2), (6, 8)],
            timeline: &[(0, 0, 2), (1, 6, 8)],
            switches: 1,
        },
    );
    // SJF with cost 2: 1 runs 0-1, switch 1-3, 2 runs 3-5, switch 5-7, 0 runs 7-11; wait
    // includes the switches into the job.
    check(
        "sjf cost",
        Policy::Sjf,
        &[4, 1, 2],
        &[0, 0, 0],
        2,
        Want {
            runs: &[(7, 11), (0, 1), (3, 5)],
            timeline: &[(1, 0, 1), (2, 3, 5), (0, 7, 11)],
            switches: 2,
        },
    );
}

#[test]
fn stcf_arrival_during_a_switch_takes_effect_when_it_ends() {
    // Job 0 (2) ends at 2; switch to job 1 (10) until 5; job 2 (1) arrives at 3 and is shorter:
    // job 1 goes back without running, and the CPU switches again to job 2 (5-8), runs it 8-9,
    // then switches back to job 1 (9-12) and runs it 12-22.
    check(
        "stcf switch",
        Policy::Stcf,
        &[2, 10, 1],
        &[0, 0, 3],
        3,
        Want {
            runs: &[(0, 2), (12, 22), (8, 9)],
            timeline: &[(0, 0, 2), (2, 8, 9), (1, 12, 22)],
            switches: 3,
        },
    );
}

#[test]
fn round_robin_with_a_target_latency() {
    // Target 12, floor 2: three jobs get 12/3 = 4 each; with 7 runnable, 12/7 = 1 < 2 -> 2.
    let p = Policy::RoundRobinLatency {
        target_latency: 12,
        min_granularity: 2,
    };
    check(
        "rr latency",
        p,
        &[8, 4, 4],
        &[0, 0, 0],
        0,
        Want {
            // A 0-4 (3 runnable), B 4-8 (done), C 8-12 (done), A alone: quantum 12.
            runs: &[(0, 16), (4, 8), (8, 12)],
            timeline: &[(0, 0, 4), (1, 4, 8), (2, 8, 12), (0, 12, 16)],
            switches: 3,
        },
    );
    let r = simulate(&jobs(&[3; 7], &[0; 7]), &p, &SimConfig::default()).unwrap();
    let first = r.timeline.first().unwrap();
    assert_eq!(first.end - first.start, 2);
}

#[test]
fn io_bursts_leave_the_queue_and_come_back() {
    // Job 0: CPU 2, I/O 3, CPU 2. Job 1: CPU 4. FIFO: 0 runs 0-2, sleeps 2-5; 1 runs 2-6;
    // 0 is queued at 5 and runs 6-8.
    let tasks = vec![
        TaskSpec {
            arrival: 0,
            bursts: vec![Burst::Cpu(2), Burst::Io(3), Burst::Cpu(2)],
            nice: 0,
        },
        TaskSpec::cpu(0, 4),
    ];
    let r = simulate(&tasks, &Policy::Fifo, &SimConfig::default()).unwrap();
    assert_eq!(r.tasks[0].completion, Some(8));
    assert_eq!(r.tasks[0].wait, 1);
    assert_eq!(r.tasks[0].io_demand, 3);
    assert_eq!(r.tasks[1].completion, Some(6));
    // STCF: the woken job (2 left) preempts job 1 (1 left at 5)? No: 2 > 1.
    let r = simulate(&tasks, &Policy::Stcf, &SimConfig::default()).unwrap();
    assert_eq!(r.tasks[1].completion, Some(6));
    assert_eq!(r.tasks[0].completion, Some(8));
}

#[test]
fn result_helpers_read_the_timeline() {
    let r = simulate(&jobs(&[3, 3], &[0, 0]), &rr(2), &SimConfig::default()).unwrap();
    let rows: Vec<(u64, u64)> = r.runs_of(0).map(|s| (s.start, s.end)).collect();
    assert_eq!(rows, [(0, 2), (4, 5)]);
    assert_eq!(r.running_at(0), Some(0));
    assert_eq!(r.running_at(2), Some(1));
    assert_eq!(r.running_at(4), Some(0));
    assert_eq!(r.running_at(5), Some(1));
    assert_eq!(r.running_at(6), None);
    assert_eq!(r.samples_of(0).count(), 0);
}
