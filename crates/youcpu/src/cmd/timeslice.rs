//! `youcpu timeslice`: the CFS scheduling period and per-task slices.

use crate::cli::{err, text_value, CliError, Output};
use serde_json::json;
use std::ffi::OsString;
use youcpu_core::sched::timeslice::{
    compute_timeslices, Regime, TimesliceParams, DEFAULT_LATENCY_NS, DEFAULT_MIN_GRANULARITY_NS,
    MAX_CPUS, MAX_TASKS, MAX_TUNABLE_NS,
};
use youcpu_core::units::{ms_string, parse_int, parse_int_list, parse_ms};

fn ms(ns: u64) -> f64 {
    ns as f64 / 1e6
}

/// Parses the arguments and computes the slices.
pub fn run(args: Vec<OsString>) -> Result<Output, CliError> {
    use lexopt::prelude::*;
    let mut parser = lexopt::Parser::from_args(args);
    let mut tasks: Option<usize> = None;
    let mut latency = DEFAULT_LATENCY_NS;
    let mut gran = DEFAULT_MIN_GRANULARITY_NS;
    let mut cpus: u32 = 1;
    let mut nice: Option<Vec<i32>> = None;
    while let Some(arg) = parser.next()? {
        match arg {
            Long("tasks") => {
                let v = text_value(&mut parser, "tasks")?;
                let n =
                    parse_int(&v, 1, MAX_TASKS as i64).map_err(|e| err(format!("--tasks: {e}")))?;
                tasks = Some(n as usize);
            }
            Long("latency-ms") => {
                let v = text_value(&mut parser, "latency-ms")?;
                latency =
                    parse_ms(&v, MAX_TUNABLE_NS).map_err(|e| err(format!("--latency-ms: {e}")))?;
            }
            Long("min-granularity-ms") => {
                let v = text_value(&mut parser, "min-granularity-ms")?;
                gran = parse_ms(&v, MAX_TUNABLE_NS)
                    .map_err(|e| err(format!("--min-granularity-ms: {e}")))?;
            }
            Long("cpus") => {
                let v = text_value(&mut parser, "cpus")?;
                cpus = parse_int(&v, 1, i64::from(MAX_CPUS))
                    .map_err(|e| err(format!("--cpus: {e}")))? as u32;
            }
            Long("nice") => {
                let v = text_value(&mut parser, "nice")?;
                let list = parse_int_list(&v, -20, 19)
                    .map_err(|(i, e)| err(format!("--nice: value {i}: {e}")))?;
                if list.is_empty() {
                    return Err(err("--nice: give one value per task, e.g. --nice 0,5,-3"));
                }
                nice = Some(list.into_iter().map(|x| x as i32).collect());
            }
            Long("json") => {}
            _ => return Err(err(arg.unexpected())),
        }
    }
    let Some(tasks) = tasks else {
        return Err(err("--tasks N is required"));
    };
    let nice = match nice {
        Some(list) if list.len() != tasks => {
            return Err(err(format!(
                "--nice has {} values but --tasks is {tasks}: give one value per task",
                list.len()
            )))
        }
        Some(list) => list,
        None => vec![0; tasks],
    };
    if latency == 0 {
        return Err(err("--latency-ms: must be more than 0"));
    }
    if gran == 0 {
        return Err(err("--min-granularity-ms: must be more than 0"));
    }
    let params = TimesliceParams {
        base_latency_ns: latency,
        base_min_granularity_ns: gran,
        cpus,
        nice,
    };
    let t = compute_timeslices(&params).map_err(err)?;

    let json = json!({
        "scaled_latency_ms": ms(t.scaled_latency_ns),
        "scaled_min_granularity_ms": ms(t.scaled_min_granularity_ns),
        "period_ms": ms(t.period_ns),
        "slices_ms": t.slices.iter().map(|s| ms(s.slice_ns)).collect::<Vec<_>>(),
        "factor": t.factor,
        "nr_latency": t.nr_latency,
        "regime": t.regime,
        "weights": t.slices.iter().map(|s| s.weight).collect::<Vec<_>>(),
        "eevdf_base_slice_ms": ms(t.eevdf_base_slice_ns),
        "eevdf_base_slice_6_15_ms": ms(t.eevdf_base_slice_6_15_ns),
    });

    let mut text = String::new();
    text.push_str(&format!(
        "CPU scaling factor 1 + ilog2(min({cpus}, 8)) = {}\n",
        t.factor
    ));
    text.push_str(&format!(
        "target latency {} ms x {} = {} ms; minimum granularity {} ms x {} = {} ms\n",
        ms_string(latency),
        t.factor,
        ms_string(t.scaled_latency_ns),
        ms_string(gran),
        t.factor,
        ms_string(t.scaled_min_granularity_ns)
    ));
    let why = match t.regime {
        Regime::Latency => format!(
            "{tasks} task(s) <= nr_latency {}: the period is the target latency",
            t.nr_latency
        ),
        Regime::MinGranularity => format!(
            "{tasks} tasks > nr_latency {}: the period stretches to {tasks} x the minimum granularity",
            t.nr_latency
        ),
    };
    text.push_str(&format!("period {} ms ({why})\n", ms_string(t.period_ns)));
    text.push_str(&format!(
        "EEVDF (6.6+) has no period: each task asks for the base slice, {} ms ({} ms from 6.15)\n",
        ms_string(t.eevdf_base_slice_ns),
        ms_string(t.eevdf_base_slice_6_15_ns)
    ));
    for (i, s) in t.slices.iter().enumerate() {
        text.push_str(&format!(
            "task {:>3}  nice {:>3}  weight {:>5}  slice {} ms{}\n",
            i + 1,
            s.nice,
            s.weight,
            ms_string(s.slice_ns),
            if s.floored {
                " (raised to the minimum granularity)"
            } else {
                ""
            }
        ));
    }
    Ok(Output::ok(text, json))
}
