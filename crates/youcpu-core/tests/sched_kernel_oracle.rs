//! The live Linux scheduler as the oracle: busy loops with different nice values, pinned to one
//! CPU, share it in the ratio of their load weights. The simulator's CFS and EEVDF must predict
//! the same shares. CPU time comes from `/proc/PID/schedstat` (the task's `sum_exec_runtime`
//! in nanoseconds). Needs `taskset` (util-linux), `nice` (coreutils) and `sh`.
//!
//! The four tasks run in this test's session, so they share one autogroup and one cgroup;
//! other load on the machine takes its own part of the CPU but does not change the ratio
//! between them.

#![allow(clippy::unwrap_used)] // tests may unwrap

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use youcpu_core::sched::sim::{
    simulate, Burst, CfsParams, EevdfParams, Policy, SimConfig, TaskSpec,
};
use youcpu_testkit::process::Run;

const NICE: [i32; 4] = [0, 3, 0, 6];

/// Kills the busy loops when dropped, even if an assertion fails.
struct Loops(Vec<Child>);

impl Drop for Loops {
    fn drop(&mut self) {
        for c in &mut self.0 {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

fn first_allowed_cpu() -> String {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let list = status
        .lines()
        .find_map(|l| l.strip_prefix("Cpus_allowed_list:"))
        .unwrap()
        .trim()
        .to_string();
    list.split([',', '-']).next().unwrap().to_string()
}

fn exec_ns(pid: u32) -> u64 {
    let s = std::fs::read_to_string(format!("/proc/{pid}/schedstat")).unwrap();
    s.split_whitespace().next().unwrap().parse().unwrap()
}

fn simulated_shares(policy: Policy) -> Vec<f64> {
    let tasks: Vec<TaskSpec> = NICE
        .iter()
        .map(|&nice| TaskSpec {
            arrival: 0,
            bursts: vec![Burst::Cpu(1 << 40)],
            nice,
        })
        .collect();
    let cfg = SimConfig {
        horizon: Some(3_000_000_000),
        ..SimConfig::default()
    };
    let r = simulate(&tasks, &policy, &cfg).unwrap();
    let total: u64 = r.tasks.iter().map(|t| t.cpu_time).sum();
    r.tasks
        .iter()
        .map(|t| t.cpu_time as f64 / total as f64)
        .collect()
}

#[test]
fn nice_shares_match_the_running_kernel() {
    let cpu = first_allowed_cpu();
    let loops = Loops(
        NICE.iter()
            .map(|n| {
                Command::new("taskset")
                    .args([
                        "-c",
                        &cpu,
                        "nice",
                        "-n",
                        &n.to_string(),
                        "sh",
                        "-c",
                        "while :; do :; done",
                    ])
                    .stdin(Stdio::null())
                    .run_spawn()
                    .expect("taskset, nice and sh must be installed")
            })
            .collect(),
    );
    let pids: Vec<u32> = loops.0.iter().map(|c| c.id()).collect();
    std::thread::sleep(Duration::from_millis(300));
    let start: Vec<u64> = pids.iter().map(|&p| exec_ns(p)).collect();
    // Measure until the lightest task has run 150 ms (about 50 of its slices), or 12 s.
    let t0 = Instant::now();
    let deltas = loop {
        std::thread::sleep(Duration::from_millis(250));
        let d: Vec<u64> = pids
            .iter()
            .zip(&start)
            .map(|(&p, &s)| exec_ns(p) - s)
            .collect();
        if d.iter().min().copied().unwrap_or(0) >= 150_000_000
            || t0.elapsed() > Duration::from_secs(12)
        {
            break d;
        }
    };
    drop(loops);
    let total: u64 = deltas.iter().sum();
    assert!(total > 0, "the busy loops never ran");
    let real: Vec<f64> = deltas.iter().map(|&d| d as f64 / total as f64).collect();
    eprintln!("measured {total} ns; real shares {real:?}");
    for policy in [
        Policy::Eevdf(EevdfParams::default()),
        Policy::Cfs(CfsParams::default()),
    ] {
        let sim = simulated_shares(policy);
        eprintln!("{} shares {sim:?}", policy.name());
        for i in 0..NICE.len() {
            let rel = real[i] / sim[i];
            assert!(
                (0.88..1.13).contains(&rel),
                "{}: nice {} real share {:.4} vs simulated {:.4} (all real {real:?}, simulated {sim:?}, \
                 {total} ns measured)",
                policy.name(),
                NICE[i],
                real[i],
                sim[i]
            );
        }
    }
}
