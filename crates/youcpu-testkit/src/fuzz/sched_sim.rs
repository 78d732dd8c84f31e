//! The schedulers (`sched::sim`: FIFO, SJF, STCF, round robin, CFS and EEVDF as in
//! kernel/sched/fair.c) on arbitrary task sets, with an event budget so every input ends, and
//! the CFS time-slice calculation (`sched::timeslice`) on arbitrary nice values. Invariants: a
//! refusal is a one-line message; each CPU's timeline is contiguous from 0 (1 to 4 CPUs); no task gets more CPU than
//! it asked for, a finished task got exactly that, and its runs on the timeline add up to it.

use super::check_message;
use super::input::Input;
use youcpu_core::sched::sim::{
    simulate, Burst, CfsParams, EevdfParams, Policy, SimConfig, SliceKind, TaskSpec,
};
use youcpu_core::sched::timeslice::{compute_timeslices, TimesliceParams};

/// Most tasks per input.
pub const MAX_TASKS: usize = 8;
/// Event-loop iterations per input.
pub const MAX_EVENTS: u64 = 20_000;

fn time(inp: &mut Input) -> u64 {
    match inp.u8() % 8 {
        0 => 0,
        1 => inp.edgy_u64(),
        2 => u64::from(inp.u16()) * 100_000,
        _ => u64::from(inp.u8()),
    }
}

fn policy(inp: &mut Input) -> Policy {
    match inp.u8() % 7 {
        0 => Policy::Fifo,
        1 => Policy::Sjf,
        2 => Policy::Stcf,
        3 => Policy::RoundRobin { quantum: time(inp) },
        4 => Policy::RoundRobinLatency {
            target_latency: time(inp),
            min_granularity: time(inp),
        },
        5 => Policy::Cfs(CfsParams {
            latency: time(inp),
            min_granularity: time(inp),
            wakeup_granularity: time(inp),
            tick: time(inp),
        }),
        _ => Policy::Eevdf(EevdfParams {
            base_slice: time(inp),
            tick: time(inp),
        }),
    }
}

/// Runs one input.
pub fn run(data: &[u8]) {
    let mut inp = Input::new(data);
    let policy = policy(&mut inp);
    let flags = inp.u8();
    let cfg = SimConfig {
        switch_cost: if flags & 1 == 1 { time(&mut inp) } else { 0 },
        horizon: (flags & 2 == 2).then(|| time(&mut inp)),
        trace: flags & 4 == 4,
        fair_samples: flags & 8 == 8,
        max_events: MAX_EVENTS,
        // Flag bits 4-5: 1 to 4 CPUs (per-CPU run queues, placement, load balancing).
        cpus: 1 + usize::from((flags >> 4) & 3),
        balance_interval: None,
    };
    let n = usize::from(inp.u8()) % (MAX_TASKS + 1);
    let mut tasks = Vec::with_capacity(n);
    for _ in 0..n {
        let arrival = time(&mut inp);
        let nice = i32::from(inp.u8() as i8) / 4;
        let parts = usize::from(inp.u8() % 5);
        let bursts = (0..parts)
            .map(|i| {
                if i % 2 == 0 {
                    Burst::Cpu(time(&mut inp))
                } else {
                    Burst::Io(time(&mut inp))
                }
            })
            .collect();
        tasks.push(TaskSpec {
            arrival,
            bursts,
            nice,
        });
    }
    match simulate(&tasks, &policy, &cfg) {
        Ok(r) => {
            for cpu in 0..cfg.cpus {
                let mut at = 0;
                for s in r.timeline.iter().filter(|s| s.cpu == cpu) {
                    assert_eq!(s.start, at, "cpu {cpu}'s timeline has a gap or overlap");
                    assert!(s.end > s.start, "an empty slice {s:?}");
                    at = s.end;
                }
            }
            assert!(
                r.timeline.iter().all(|s| s.cpu < cfg.cpus),
                "a slice on a CPU that does not exist"
            );
            for (i, (t, m)) in tasks.iter().zip(&r.tasks).enumerate() {
                assert!(
                    m.cpu_time <= t.cpu_total(),
                    "task {i} got more CPU than it asked for"
                );
                if m.completion.is_some() {
                    assert_eq!(m.cpu_time, t.cpu_total(), "task {i} finished early");
                }
                let ran: u64 = r.runs_of(i).map(|s| s.end - s.start).sum();
                assert_eq!(ran, m.cpu_time, "task {i}'s runs do not add up");
            }
            assert!(r.timeline.iter().all(|s| match s.kind {
                SliceKind::Run { task } => task < tasks.len(),
                _ => true,
            }));
        }
        Err(e) => check_message("simulate", &e.to_string()),
    }
    let nice: Vec<i32> = inp.take(16).iter().map(|&b| i32::from(b as i8)).collect();
    let p = TimesliceParams {
        base_latency_ns: time(&mut inp),
        base_min_granularity_ns: time(&mut inp),
        cpus: inp.u32() % 1024,
        nice,
    };
    if let Err(e) = compute_timeslices(&p) {
        check_message("compute_timeslices", &e.to_string());
    }
}
