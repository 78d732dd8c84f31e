//! Scheduler simulator throughput: `cargo bench -p youcpu-core --bench sched`.
//!
//! The target from the issue: 10,000 tasks over one simulated second of CFS or EEVDF in well
//! under a second natively. Each scenario runs three times; the best time is reported with the
//! number of event-loop iterations and the cost per event. The last scenarios run on four CPUs.

use std::time::{Duration, Instant};
use youcpu_core::sched::sim::policy::EEVDF_BASE_SLICE_6_15_NS;
use youcpu_core::sched::sim::{
    simulate, Burst, CfsParams, EevdfParams, Policy, SimConfig, TaskSpec,
};

use youcpu_testkit::rng::{Mmix, Rng};

const MS: u64 = 1_000_000;

/// `n` CPU-bound tasks with nice values cycling through -20..=19, arriving over 10 ms.
fn cpu_bound(n: usize) -> Vec<TaskSpec> {
    let mut g = Mmix(1);
    (0..n)
        .map(|i| TaskSpec {
            arrival: g.below(10 * MS),
            bursts: vec![Burst::Cpu(10_000 * MS)],
            nice: (i % 40) as i32 - 20,
        })
        .collect()
}

/// `n` interactive tasks: 0.05-1 ms of CPU, then 1-20 ms of I/O, 50 times over.
fn interactive(n: usize) -> Vec<TaskSpec> {
    let mut g = Mmix(2);
    (0..n)
        .map(|i| {
            let mut bursts = Vec::new();
            for k in 0..50 {
                if k > 0 {
                    bursts.push(Burst::Io(MS + g.below(19 * MS)));
                }
                bursts.push(Burst::Cpu(50_000 + g.below(950_000)));
            }
            TaskSpec {
                arrival: g.below(10 * MS),
                bursts,
                nice: (i % 11) as i32 - 5,
            }
        })
        .collect()
}

fn bench(name: &str, tasks: &[TaskSpec], policy: Policy) {
    bench_on(name, tasks, policy, 1);
}

fn bench_on(name: &str, tasks: &[TaskSpec], policy: Policy, cpus: usize) {
    let cfg = SimConfig {
        horizon: Some(1_000 * MS),
        cpus,
        ..SimConfig::default()
    };
    let mut best = Duration::MAX;
    let mut events = 0;
    let mut switches = 0;
    for _ in 0..3 {
        let t = Instant::now();
        let r = simulate(tasks, &policy, &cfg).expect("valid workload");
        best = best.min(t.elapsed());
        events = r.overall.events;
        switches = r.overall.context_switches;
    }
    let secs = best.as_secs_f64();
    println!(
        "{name:<28} {:>6} tasks {:>9} events {:>8} switches {:>9.1} ms {:>6.0} ns/event {:>6.2} M events/s",
        tasks.len(),
        events,
        switches,
        secs * 1e3,
        secs * 1e9 / events.max(1) as f64,
        events as f64 / secs / 1e6,
    );
}

fn main() {
    println!("one simulated second each (horizon 1 s), best of 3");
    for n in [1_000, 10_000, 100_000] {
        let w = cpu_bound(n);
        bench("cfs cpu-bound", &w, Policy::Cfs(CfsParams::default()));
        bench("eevdf cpu-bound", &w, Policy::Eevdf(EevdfParams::default()));
    }
    for n in [1_000, 10_000] {
        let w = interactive(n);
        bench("cfs interactive", &w, Policy::Cfs(CfsParams::default()));
        bench(
            "eevdf interactive",
            &w,
            Policy::Eevdf(EevdfParams::default()),
        );
        bench(
            "rr 3 ms interactive",
            &w,
            Policy::RoundRobin { quantum: 3 * MS },
        );
        bench("stcf interactive", &w, Policy::Stcf);
    }
    // Four CPUs: per-CPU queues, placement and load balancing (4 ms), tunables scaled for 4.
    for n in [1_000, 10_000] {
        let w = cpu_bound(n);
        bench_on(
            "cfs cpu-bound 4 cpus",
            &w,
            Policy::Cfs(CfsParams::for_cpus(4)),
            4,
        );
        bench_on(
            "eevdf cpu-bound 4 cpus",
            &w,
            Policy::Eevdf(EevdfParams::for_cpus(4, EEVDF_BASE_SLICE_6_15_NS)),
            4,
        );
        let w = interactive(n);
        bench_on(
            "cfs interactive 4 cpus",
            &w,
            Policy::Cfs(CfsParams::for_cpus(4)),
            4,
        );
        bench_on(
            "eevdf interactive 4 cpus",
            &w,
            Policy::Eevdf(EevdfParams::for_cpus(4, EEVDF_BASE_SLICE_6_15_NS)),
            4,
        );
        bench_on(
            "rr 3 ms interactive 4 cpus",
            &w,
            Policy::RoundRobin { quantum: 3 * MS },
            4,
        );
        bench_on("stcf interactive 4 cpus", &w, Policy::Stcf, 4);
    }
}
