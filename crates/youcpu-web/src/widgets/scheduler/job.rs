//! What the scheduler widget runs: the policies it compares, the burst syntax of a task's
//! pattern, and one policy simulated on a validated job (Linux policies in nanoseconds, shown
//! in milliseconds).

use youcpu_core::sched::sim::pattern;
use youcpu_core::sched::sim::policy::EEVDF_BASE_SLICE_6_6_NS;
use youcpu_core::sched::sim::{
    simulate, Burst, CfsParams, EevdfParams, Policy, SimConfig, SimResult, TaskSpec,
};
use youcpu_core::units::parse_int;

/// The most bursts in one task's pattern.
pub const MAX_PATTERN_BURSTS: usize = 16;
/// The largest time (ms) any field accepts.
pub const MAX_MS: i64 = 10_000;
/// The most CPUs the widget simulates.
pub const MAX_WIDGET_CPUS: i64 = 4;
/// Nanoseconds per widget time unit (1 ms) for the Linux policies.
pub const NS_PER_MS: u64 = 1_000_000;
/// Most scheduling events one policy may simulate in the widget. The core allows far more
/// (`MAX_EVENTS`), but the widget's largest workload (8 tasks of 16 bursts of 10 s) took 464 ms
/// under EEVDF in a native release build; at this limit one policy takes a few ms, and its
/// Gantt chart stays small enough to draw in one frame.
pub const WIDGET_MAX_EVENTS: u64 = 5_000;

/// A policy the reader can switch on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PolicyId {
    /// First in, first out.
    Fifo,
    /// Shortest job first.
    Sjf,
    /// Shortest time to completion first.
    Stcf,
    /// Round robin with a fixed quantum.
    Rr,
    /// Linux CFS (to 6.5).
    Cfs,
    /// Linux EEVDF (6.6+).
    Eevdf,
}

impl PolicyId {
    /// Every policy, in display order.
    pub const ALL: [PolicyId; 6] = [
        PolicyId::Fifo,
        PolicyId::Sjf,
        PolicyId::Stcf,
        PolicyId::Rr,
        PolicyId::Cfs,
        PolicyId::Eevdf,
    ];

    /// Short id used in the URL and test ids.
    pub fn key(self) -> &'static str {
        match self {
            PolicyId::Fifo => "fifo",
            PolicyId::Sjf => "sjf",
            PolicyId::Stcf => "stcf",
            PolicyId::Rr => "rr",
            PolicyId::Cfs => "cfs",
            PolicyId::Eevdf => "eevdf",
        }
    }

    /// Display name.
    pub fn label(self) -> &'static str {
        match self {
            PolicyId::Fifo => "FIFO",
            PolicyId::Sjf => "SJF",
            PolicyId::Stcf => "STCF",
            PolicyId::Rr => "Round robin",
            PolicyId::Cfs => "Linux CFS",
            PolicyId::Eevdf => "Linux EEVDF",
        }
    }

    /// The policy whose [`key`](Self::key) this is.
    pub fn from_key(k: &str) -> Option<Self> {
        PolicyId::ALL.into_iter().find(|p| p.key() == k)
    }

    /// True for the Linux policies (nanosecond time, nice values matter).
    pub fn is_fair(self) -> bool {
        matches!(self, PolicyId::Cfs | PolicyId::Eevdf)
    }
}

/// Parses a task's burst pattern in the syntax `youcpu sched --jobs` reads too
/// ([`youcpu_core::sched::sim::pattern`]): CPU bursts and I/O waits alternate, starting and
/// ending with CPU (`5`, `2 io3 2`, `2:3:2`), each from 1 to [`MAX_MS`] ms.
pub fn parse_pattern(text: &str) -> Result<Vec<Burst>, String> {
    pattern::parse_pattern(text, MAX_PATTERN_BURSTS, |t| {
        parse_int(t, 1, MAX_MS)
            .map(|v| v as u64)
            .map_err(|_| format!("not a time from 1 to {MAX_MS} ms"))
    })
    .map_err(|e| e.to_string())
}

/// What the policies are asked to run: the validated workload and parameters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Job {
    /// The tasks, times in ms.
    pub tasks: Vec<TaskSpec>,
    /// Round-robin quantum, ms.
    pub quantum: u64,
    /// Context-switch cost, ms.
    pub switch_cost: u64,
    /// CPUs, each with its own run queue.
    pub cpus: usize,
}

/// Simulates one policy on a job (at most [`WIDGET_MAX_EVENTS`] scheduling events).
pub fn compute(job: &Job, p: PolicyId) -> Result<SimResult, String> {
    let (q, sw) = (job.quantum, job.switch_cost);
    let cpus = u32::try_from(job.cpus).unwrap_or(1);
    let (policy, fair) = match p {
        PolicyId::Fifo => (Policy::Fifo, false),
        PolicyId::Sjf => (Policy::Sjf, false),
        PolicyId::Stcf => (Policy::Stcf, false),
        PolicyId::Rr => (Policy::RoundRobin { quantum: q }, false),
        PolicyId::Cfs => (Policy::Cfs(CfsParams::for_cpus(cpus)), true),
        PolicyId::Eevdf => (
            Policy::Eevdf(EevdfParams::for_cpus(cpus, EEVDF_BASE_SLICE_6_6_NS)),
            true,
        ),
    };
    let cfg = SimConfig {
        switch_cost: if fair {
            sw.saturating_mul(NS_PER_MS)
        } else {
            sw
        },
        fair_samples: fair,
        max_events: WIDGET_MAX_EVENTS,
        cpus: job.cpus,
        ..SimConfig::default()
    };
    let result = if fair {
        let ns_tasks: Vec<TaskSpec> = job
            .tasks
            .iter()
            .map(|t| TaskSpec {
                arrival: t.arrival.saturating_mul(NS_PER_MS),
                bursts: t
                    .bursts
                    .iter()
                    .map(|b| match *b {
                        Burst::Cpu(v) => Burst::Cpu(v.saturating_mul(NS_PER_MS)),
                        Burst::Io(v) => Burst::Io(v.saturating_mul(NS_PER_MS)),
                    })
                    .collect(),
                nice: t.nice,
            })
            .collect();
        simulate(&ns_tasks, &policy, &cfg).map(to_ms)
    } else {
        simulate(&job.tasks, &policy, &cfg)
    };
    result.map_err(|e| e.to_string())
}

/// Scales a result's times from ns back to ms (for the Linux policies).
fn to_ms(mut r: SimResult) -> SimResult {
    let s = |v: &mut u64| *v /= NS_PER_MS;
    for sl in &mut r.timeline {
        // Keep sub-millisecond slices visible: round the ends, not the lengths.
        sl.start = (sl.start + NS_PER_MS / 2) / NS_PER_MS;
        sl.end = (sl.end + NS_PER_MS / 2) / NS_PER_MS;
    }
    r.timeline.retain(|sl| sl.end > sl.start);
    for t in &mut r.tasks {
        s(&mut t.arrival);
        s(&mut t.cpu_demand);
        s(&mut t.io_demand);
        for v in [
            &mut t.first_run,
            &mut t.completion,
            &mut t.response,
            &mut t.turnaround,
        ]
        .into_iter()
        .flatten()
        {
            *v = (*v + NS_PER_MS / 2) / NS_PER_MS;
        }
        s(&mut t.wait);
        s(&mut t.cpu_time);
        s(&mut t.switch_time);
    }
    let o = &mut r.overall;
    let f = NS_PER_MS as f64;
    o.avg_response = o.avg_response.map(|v| v / f);
    o.avg_turnaround = o.avg_turnaround.map(|v| v / f);
    o.avg_wait /= f;
    o.end = (o.end + NS_PER_MS / 2) / NS_PER_MS;
    s(&mut o.switch_time);
    s(&mut o.busy_time);
    s(&mut o.idle_time);
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_parse_and_refuse() {
        assert_eq!(parse_pattern("5"), Ok(vec![Burst::Cpu(5)]));
        assert_eq!(
            parse_pattern("2 io3 2"),
            Ok(vec![Burst::Cpu(2), Burst::Io(3), Burst::Cpu(2)])
        );
        assert_eq!(parse_pattern("2:3:2"), parse_pattern("2 io3 2"));
        for bad in [
            "",
            "io3 2",
            "2 io3",
            "2 3",
            "2 io3, 2",
            "0",
            "-1",
            "x",
            "io",
            "2 io0 2",
            "99999999999",
        ] {
            assert!(parse_pattern(bad).is_err(), "{bad:?}");
        }
        assert!(parse_pattern(&"1 io1 ".repeat(20)).is_err());
    }
}
