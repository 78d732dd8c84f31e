//! Turning the engine's final state into the per-task and overall metrics.

use super::engine::{Engine, Scheduler};
use super::policy::Policy;
use super::result::{Overall, SimResult, Slice, SliceKind, TaskMetrics};
use super::workload::TaskSpec;
use super::{SimConfig, SimError};

/// Runs the engine with `sched` and computes the metrics.
pub(crate) fn finish<S: Scheduler>(
    specs: &[TaskSpec],
    weights: &[u64],
    scheds: Vec<S>,
    balance_interval: u64,
    policy: &Policy,
    cfg: &SimConfig,
) -> Result<SimResult, SimError> {
    let cpus = scheds.len();
    let mut e = Engine::new(specs, weights, scheds, balance_interval, cfg);
    e.run()?;
    let end = e.now;
    let mut timeline: Vec<Slice> = e
        .rqs
        .iter_mut()
        .flat_map(|rq| std::mem::take(&mut rq.timeline))
        .collect();
    // A switch cut short by the horizon only lasted until the end.
    let mut cut_switch = 0;
    for s in &mut timeline {
        if s.end > end {
            if let SliceKind::Switch { to, .. } = s.kind {
                let cut = s.end - end.max(s.start);
                cut_switch += cut;
                if let Some(t) = e.tasks.get_mut(to) {
                    t.switch_time -= cut;
                }
            }
            s.end = end.max(s.start);
        }
    }
    timeline.retain(|s| s.end > s.start);
    e.switch_time -= cut_switch;
    let tasks: Vec<TaskMetrics> = specs
        .iter()
        .zip(&e.tasks)
        .enumerate()
        .map(|(id, (s, t))| TaskMetrics {
            id,
            arrival: s.arrival,
            cpu_demand: s.cpu_total(),
            io_demand: s.io_total(),
            nice: s.nice,
            weight: t.weight,
            first_run: t.first_run,
            completion: t.completion,
            response: t.first_run.map(|f| f - s.arrival),
            turnaround: t.completion.map(|c| c - s.arrival),
            wait: t.wait,
            cpu_time: t.cpu_time,
            cpu_share: if end == 0 {
                0.0
            } else {
                t.cpu_time as f64 / end as f64
            },
            context_switches: t.switches,
            switch_time: t.switch_time,
            migrations: t.migrations,
        })
        .collect();
    let mean = |xs: Vec<u64>| {
        if xs.is_empty() {
            None
        } else {
            Some(xs.iter().map(|&x| x as f64).sum::<f64>() / xs.len() as f64)
        }
    };
    let idle_time = timeline
        .iter()
        .filter(|s| s.kind == SliceKind::Idle)
        .map(|s| s.end - s.start)
        .sum();
    let overall = Overall {
        finished: tasks.iter().filter(|t| t.completion.is_some()).count(),
        avg_response: mean(tasks.iter().filter_map(|t| t.response).collect()),
        avg_turnaround: mean(tasks.iter().filter_map(|t| t.turnaround).collect()),
        avg_wait: mean(tasks.iter().map(|t| t.wait).collect()).unwrap_or(0.0),
        context_switches: e.switches,
        switch_time: e.switch_time,
        busy_time: tasks.iter().map(|t| t.cpu_time).sum(),
        idle_time,
        end,
        events: e.events,
    };
    Ok(SimResult {
        policy: policy.name(),
        timeline,
        tasks,
        overall,
        steps: std::mem::take(&mut e.steps),
        steps_truncated: e.steps_truncated,
        fair: std::mem::take(&mut e.fair),
        fair_truncated: e.fair_truncated,
        cpus: u32::try_from(cpus).unwrap_or(u32::MAX),
    })
}
