//! `youcpu sched`: run a set of jobs under a scheduling policy and report per-job metrics,
//! averages, the timeline and the number of context switches.
//!
//! Units: for fifo, sjf, stcf and rr every time is an abstract whole number. For cfs and eevdf
//! times are milliseconds (decimals allowed, down to 1 ns), simulated in nanoseconds with
//! Linux's default tunables for the CPU count (`--cpus`) and a 1 ms tick, and reported in
//! milliseconds. With `--cpus N` each CPU has its own run queue, with wake-up placement and
//! load balancing between them (`youcpu_core::sched::sim`).

use crate::cli::{err, text_value, CliError, Output};
use serde_json::{json, Value};
use std::ffi::OsString;
use youcpu_core::sched::sim::pattern::parse_pattern;
use youcpu_core::sched::sim::policy::{DEFAULT_TICK_NS, EEVDF_BASE_SLICE_6_15_NS};
use youcpu_core::sched::sim::{
    simulate, Burst, CfsParams, EevdfParams, Policy, SimConfig, SimResult, SliceKind, TaskSpec,
    MAX_CPUS, MAX_TASKS, MAX_TIME, MAX_TOTAL_BURSTS,
};
use youcpu_core::units::{ms_string, parse_int, parse_int_list, parse_ms, quote, UnitError};

const POLICIES: &str = "fifo, sjf, stcf, rr, cfs or eevdf";

/// How times are read and written: textbook integers, or milliseconds held as nanoseconds.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Unit {
    Tick,
    Ms,
}

impl Unit {
    fn parse(self, flag: &str, pos: Option<usize>, text: &str, min: u64) -> Result<u64, CliError> {
        let at = pos.map_or(String::new(), |i| format!(" value {i}"));
        self.raw(text, min)
            .map_err(|e| err(format!("--{flag}:{at}: {e}")))
    }

    /// One number in this unit, at least `min` (the reason if not).
    fn raw(self, text: &str, min: u64) -> Result<u64, String> {
        let negative = text
            .trim()
            .strip_prefix('-')
            .is_some_and(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()));
        let v = match self {
            Unit::Tick if negative => Err(UnitError::Negative),
            Unit::Tick => parse_int(text, 0, MAX_TIME as i64).map(|v| v as u64),
            Unit::Ms => parse_ms(text, MAX_TIME),
        }
        .map_err(|e| e.to_string())?;
        if v < min {
            return Err("must be more than 0".into());
        }
        Ok(v)
    }

    fn value(self, v: u64) -> Value {
        match self {
            Unit::Tick => json!(v),
            Unit::Ms => json!(v as f64 / 1e6),
        }
    }

    fn text(self, v: u64) -> String {
        match self {
            Unit::Tick => v.to_string(),
            Unit::Ms => ms_string(v),
        }
    }

    fn mean(self, v: Option<f64>) -> Value {
        match (self, v) {
            (_, None) => Value::Null,
            (Unit::Tick, Some(x)) => json!(x),
            (Unit::Ms, Some(x)) => json!(x / 1e6),
        }
    }
}

/// Splits a comma-separated list, refusing more than `MAX_TASKS` items before parsing any.
fn items<'a>(flag: &str, text: &'a str) -> Result<Vec<&'a str>, CliError> {
    if text.trim().is_empty() {
        return Err(err(format!(
            "--{flag}: give a comma-separated list, e.g. --{flag} 5,3,8"
        )));
    }
    let n = text.bytes().filter(|&b| b == b',').count() + 1;
    if n > MAX_TASKS {
        return Err(err(format!(
            "--{flag}: {n} values is more than {MAX_TASKS}"
        )));
    }
    Ok(text.split(',').collect())
}

/// A job is `L` (one CPU burst) or a pattern of CPU bursts and I/O waits, `C:I:C...` or
/// `C ioI C` (the syntax the scheduler widget reads too: `sched::sim::pattern`).
fn parse_job(unit: Unit, pos: usize, text: &str) -> Result<Vec<Burst>, CliError> {
    parse_pattern(text, MAX_TOTAL_BURSTS, |t| unit.raw(t, 1))
        .map_err(|e| err(format!("--jobs: value {pos}: {e}")))
}

struct Args {
    policy: String,
    jobs: Option<String>,
    arrivals: Option<String>,
    quantum: Option<String>,
    target_latency: Option<String>,
    min_granularity: Option<String>,
    switch_cost: Option<String>,
    nice: Option<String>,
    tick: Option<String>,
    base_slice: Option<String>,
    horizon: Option<String>,
    cpus: Option<String>,
    balance_interval: Option<String>,
    trace: bool,
}

fn parse_args(args: Vec<OsString>) -> Result<Args, CliError> {
    use lexopt::prelude::*;
    let mut parser = lexopt::Parser::from_args(args);
    let mut a = Args {
        policy: String::new(),
        jobs: None,
        arrivals: None,
        quantum: None,
        target_latency: None,
        min_granularity: None,
        switch_cost: None,
        nice: None,
        tick: None,
        base_slice: None,
        horizon: None,
        cpus: None,
        balance_interval: None,
        trace: false,
    };
    let mut policy = None;
    while let Some(arg) = parser.next()? {
        match arg {
            Long("policy") => policy = Some(text_value(&mut parser, "policy")?),
            Long("jobs") => a.jobs = Some(text_value(&mut parser, "jobs")?),
            Long("arrivals") => a.arrivals = Some(text_value(&mut parser, "arrivals")?),
            Long("quantum") => a.quantum = Some(text_value(&mut parser, "quantum")?),
            Long("target-latency") => {
                a.target_latency = Some(text_value(&mut parser, "target-latency")?)
            }
            Long("min-granularity") => {
                a.min_granularity = Some(text_value(&mut parser, "min-granularity")?)
            }
            Long("switch-cost") => a.switch_cost = Some(text_value(&mut parser, "switch-cost")?),
            Long("nice") => a.nice = Some(text_value(&mut parser, "nice")?),
            Long("tick") => a.tick = Some(text_value(&mut parser, "tick")?),
            Long("base-slice") => a.base_slice = Some(text_value(&mut parser, "base-slice")?),
            Long("horizon") => a.horizon = Some(text_value(&mut parser, "horizon")?),
            Long("cpus") => a.cpus = Some(text_value(&mut parser, "cpus")?),
            Long("balance-interval") => {
                a.balance_interval = Some(text_value(&mut parser, "balance-interval")?)
            }
            Long("trace") => a.trace = true,
            Long("json") => {}
            _ => return Err(err(arg.unexpected())),
        }
    }
    a.policy = policy.ok_or_else(|| err(format!("--policy is required ({POLICIES})")))?;
    Ok(a)
}

fn build(a: &Args) -> Result<(Policy, Unit, Vec<TaskSpec>, SimConfig), CliError> {
    let unit = match a.policy.as_str() {
        "fifo" | "sjf" | "stcf" | "rr" => Unit::Tick,
        "cfs" | "eevdf" => Unit::Ms,
        other => {
            return Err(err(format!(
                "--policy: \"{}\" is not one of {POLICIES}",
                quote(other)
            )))
        }
    };
    let jobs_text = a
        .jobs
        .as_deref()
        .ok_or_else(|| err("--jobs L,L,... is required"))?;
    let jobs = items("jobs", jobs_text)?
        .iter()
        .enumerate()
        .map(|(i, t)| parse_job(unit, i + 1, t))
        .collect::<Result<Vec<_>, _>>()?;
    let n = jobs.len();
    let arrivals = match &a.arrivals {
        None => vec![0; n],
        Some(text) => {
            let list = items("arrivals", text)?
                .iter()
                .enumerate()
                .map(|(i, t)| unit.parse("arrivals", Some(i + 1), t, 0))
                .collect::<Result<Vec<_>, _>>()?;
            if list.len() != n {
                return Err(err(format!(
                    "--arrivals has {} values but --jobs has {n}: give one arrival per job",
                    list.len()
                )));
            }
            list
        }
    };
    let nice = match &a.nice {
        None => vec![0; n],
        Some(text) => {
            items("nice", text)?;
            let list = parse_int_list(text, -20, 19)
                .map_err(|(i, e)| err(format!("--nice: value {i}: {e}")))?;
            if list.len() != n {
                return Err(err(format!(
                    "--nice has {} values but --jobs has {n}: give one nice value per job",
                    list.len()
                )));
            }
            list.into_iter().map(|x| x as i32).collect()
        }
    };
    let one = |flag: &str, v: &Option<String>, min: u64| -> Result<Option<u64>, CliError> {
        v.as_deref()
            .map(|t| unit.parse(flag, None, t, min))
            .transpose()
    };
    let switch_cost = one("switch-cost", &a.switch_cost, 0)?.unwrap_or(0);
    let cpus = match &a.cpus {
        Some(t) => {
            parse_int(t, 1, MAX_CPUS as i64).map_err(|e| err(format!("--cpus: {e}")))? as usize
        }
        None => 1,
    };
    let balance_interval = one("balance-interval", &a.balance_interval, 1)?;
    let horizon = one("horizon", &a.horizon, 0)?;
    // Textbook-only and Linux-only options are validated for every policy and ignored where
    // they do not apply, so one command line can be tried under every policy.
    let quantum = match &a.quantum {
        Some(t) => Unit::Tick.parse("quantum", None, t, 1)?,
        None => 1,
    };
    let target = match &a.target_latency {
        Some(t) => Some(Unit::Tick.parse("target-latency", None, t, 1)?),
        None => None,
    };
    let gran = match &a.min_granularity {
        Some(t) => Unit::Tick.parse("min-granularity", None, t, 1)?,
        None => 1,
    };
    if target.is_some() && a.quantum.is_some() {
        return Err(err("give either --quantum or --target-latency, not both"));
    }
    if a.min_granularity.is_some() && target.is_none() {
        return Err(err("--min-granularity needs --target-latency"));
    }
    let tick = match &a.tick {
        Some(t) => Unit::Ms.parse("tick", None, t, 1)?,
        None => DEFAULT_TICK_NS,
    };
    let base_slice = match &a.base_slice {
        Some(t) => Unit::Ms.parse("base-slice", None, t, 1)?,
        None => EevdfParams::for_cpus(cpus as u32, EEVDF_BASE_SLICE_6_15_NS).base_slice,
    };
    let policy = match a.policy.as_str() {
        "fifo" => Policy::Fifo,
        "sjf" => Policy::Sjf,
        "stcf" => Policy::Stcf,
        "rr" => match target {
            Some(target_latency) => Policy::RoundRobinLatency {
                target_latency,
                min_granularity: gran,
            },
            None => Policy::RoundRobin { quantum },
        },
        "cfs" => Policy::Cfs(CfsParams {
            tick,
            ..CfsParams::for_cpus(cpus as u32)
        }),
        _ => Policy::Eevdf(EevdfParams { base_slice, tick }),
    };
    let tasks = jobs
        .into_iter()
        .zip(arrivals)
        .zip(nice)
        .map(|((bursts, arrival), nice)| TaskSpec {
            arrival,
            bursts,
            nice,
        })
        .collect();
    let cfg = SimConfig {
        switch_cost,
        horizon,
        trace: a.trace,
        fair_samples: a.trace,
        cpus,
        balance_interval,
        ..SimConfig::default()
    };
    Ok((policy, unit, tasks, cfg))
}

fn to_json(r: &SimResult, unit: Unit, trace: bool, balance_interval: u64) -> Value {
    let opt = |v: Option<u64>| v.map_or(Value::Null, |x| unit.value(x));
    let fair = r.policy == "cfs" || r.policy == "eevdf";
    let jobs: Vec<Value> = r
        .tasks
        .iter()
        .map(|t| {
            let mut j = json!({
                "id": t.id,
                "arrival": unit.value(t.arrival),
                "length": unit.value(t.cpu_demand),
                "first_run": opt(t.first_run),
                "completion": opt(t.completion),
                "response": opt(t.response),
                "turnaround": opt(t.turnaround),
                "wait": unit.value(t.wait),
                "io": unit.value(t.io_demand),
                "cpu_share": t.cpu_share,
                "context_switches": t.context_switches,
                "switch_time": unit.value(t.switch_time),
            });
            if r.cpus > 1 {
                j["migrations"] = json!(t.migrations);
            }
            if fair {
                j["nice"] = json!(t.nice);
                j["weight"] = json!(t.weight);
            }
            j
        })
        .collect();
    let timeline: Vec<Value> = r
        .timeline
        .iter()
        .filter_map(|s| match s.kind {
            SliceKind::Run { task } => Some(json!({
                "job": task,
                "cpu": s.cpu,
                "start": unit.value(s.start),
                "end": unit.value(s.end),
            })),
            _ => None,
        })
        .collect();
    let o = &r.overall;
    let mut out = json!({
        "policy": r.policy,
        "unit": if unit == Unit::Ms { "ms" } else { "tick" },
        "jobs": jobs,
        "average": {
            "response": unit.mean(o.avg_response),
            "turnaround": unit.mean(o.avg_turnaround),
            "wait": unit.mean(Some(o.avg_wait)),
        },
        "timeline": timeline,
        "context_switches": o.context_switches,
        "switch_time": unit.value(o.switch_time),
        "idle_time": unit.value(o.idle_time),
        "end": unit.value(o.end),
        "cpus": r.cpus,
    });
    if r.cpus > 1 {
        out["migrations"] = json!(r.migrations());
        out["balance_interval"] = json!(unit.value(balance_interval));
    }
    if trace {
        out["steps"] = json!(r.steps);
        out["cpu"] = json!(r.timeline);
        if fair {
            out["fair"] = json!(r.fair);
        }
    }
    out
}

fn to_text(r: &SimResult, unit: Unit, a: &Args) -> String {
    let mut s = String::new();
    let u = if unit == Unit::Ms {
        " (times in ms)"
    } else {
        ""
    };
    let o = &r.overall;
    if r.cpus > 1 {
        s.push_str(&format!(
            "policy {} on {} CPUs{u}; {} migrations\n",
            r.policy,
            r.cpus,
            r.migrations()
        ));
    } else {
        s.push_str(&format!("policy {}{u}\n", r.policy));
    }
    s.push_str("job  arrival  length  first_run  completion  response  turnaround  wait\n");
    let opt = |v: Option<u64>| v.map_or("-".to_string(), |x| unit.text(x));
    for t in &r.tasks {
        s.push_str(&format!(
            "{:>3}  {:>7}  {:>6}  {:>9}  {:>10}  {:>8}  {:>10}  {:>4}\n",
            t.id,
            unit.text(t.arrival),
            unit.text(t.cpu_demand),
            opt(t.first_run),
            opt(t.completion),
            opt(t.response),
            opt(t.turnaround),
            unit.text(t.wait)
        ));
    }
    let mean = |v: Option<f64>| {
        v.map_or("-".into(), |x| {
            let x = if unit == Unit::Ms { x / 1e6 } else { x };
            format!("{x:.2}")
        })
    };
    s.push_str(&format!(
        "average  response {}  turnaround {}  wait {}\n",
        mean(o.avg_response),
        mean(o.avg_turnaround),
        mean(Some(o.avg_wait))
    ));
    s.push_str(&format!(
        "context switches {} (time lost {}), idle {}{}, end {}\n",
        o.context_switches,
        unit.text(o.switch_time),
        unit.text(o.idle_time),
        if r.cpus > 1 { " (all CPUs)" } else { "" },
        unit.text(o.end)
    ));
    s.push_str("timeline:");
    let mut cpu = None;
    for sl in r.timeline.iter().take(200) {
        if r.cpus > 1 && cpu != Some(sl.cpu) {
            cpu = Some(sl.cpu);
            s.push_str(&format!("\n  cpu {}:", sl.cpu));
        }
        let what = match sl.kind {
            SliceKind::Run { task } => format!("job {task}"),
            SliceKind::Switch { .. } => "switch".into(),
            SliceKind::Idle => "idle".into(),
        };
        s.push_str(&format!(
            " [{}-{} {what}]",
            unit.text(sl.start),
            unit.text(sl.end)
        ));
    }
    if r.timeline.len() > 200 {
        s.push_str(&format!(" ... ({} more)", r.timeline.len() - 200));
    }
    s.push('\n');
    if unit == Unit::Tick && a.nice.is_some() {
        s.push_str("note: --nice is only used by cfs and eevdf\n");
    }
    if unit == Unit::Ms && (a.quantum.is_some() || a.target_latency.is_some()) {
        s.push_str("note: --quantum and --target-latency are only used by rr\n");
    }
    if a.trace {
        for st in &r.steps {
            let on = if r.cpus > 1 {
                format!(" cpu {}", st.cpu)
            } else {
                String::new()
            };
            s.push_str(&format!(
                "{:>10}{on} {:?} {} {}\n",
                unit.text(st.time),
                st.kind,
                st.task.map_or("-".into(), |t| t.to_string()),
                st.note
            ));
        }
    }
    s
}

const USAGE: &str = "usage: youcpu sched --policy fifo|sjf|stcf|rr|cfs|eevdf --jobs L,L,... \
[--arrivals A,A,...] [--quantum Q | --target-latency T [--min-granularity G]] [--switch-cost C] \
[--nice N,N,...] [--tick MS] [--base-slice MS] [--horizon H] [--cpus N] [--balance-interval B] \
[--trace] [--json]";

/// Parses the arguments and runs the simulation.
pub fn run(args: Vec<OsString>) -> Result<Output, CliError> {
    if args.iter().any(|a| a == "--help" || a == "-h") {
        return Ok(Output::ok(USAGE.into(), json!({ "usage": USAGE })));
    }
    let a = parse_args(args)?;
    let (policy, unit, tasks, cfg) = build(&a)?;
    let r = simulate(&tasks, &policy, &cfg).map_err(err)?;
    Ok(Output::ok(
        to_text(&r, unit, &a),
        to_json(&r, unit, a.trace, cfg.balance_interval_for(&policy)),
    ))
}
