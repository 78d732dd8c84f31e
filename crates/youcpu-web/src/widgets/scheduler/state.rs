//! The scheduler comparison's state: an editable workload (arrival, CPU bursts and I/O waits,
//! nice value per task), the policies to compare, and the last good simulation of each.
//! Widget time is in milliseconds; the Linux policies run in nanoseconds underneath, as the
//! kernel does. A pure reducer: an edit only records the job and a new generation; the view's
//! effect simulates one policy per timer task ([`compute`]) and sends each result back as
//! [`Action::Arrived`], which is dropped when its generation is no longer current.

use std::rc::Rc;
use crate::ui::{Apply, Field, Query, UrlState};
pub use super::job::{
    compute, parse_pattern, Job, PolicyId, MAX_MS, MAX_WIDGET_CPUS, MAX_PATTERN_BURSTS, NS_PER_MS,
    WIDGET_MAX_EVENTS,
};
use youcpu_core::sched::sim::{SimResult, TaskSpec};
use youcpu_core::units::parse_int;

/// The most tasks the widget shows.
pub const MAX_WIDGET_TASKS: usize = 8;
/// One task row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaskRow {
    /// Arrival time, ms.
    pub arrival: Field,
    /// CPU bursts and I/O waits: `5`, or `2 io3 2` (run 2 ms, wait 3 ms for I/O, run 2 ms).
    pub pattern: Field,
    /// Nice value (Linux policies only).
    pub nice: Field,
}

impl TaskRow {
    fn new(arrival: &str, pattern: &str, nice: &str) -> Self {
        TaskRow {
            arrival: Field::new(arrival),
            pattern: Field::new(pattern),
            nice: Field::new(nice),
        }
    }
}


/// A ready-made workload.
pub struct Preset {
    /// Its name.
    pub name: &'static str,
    /// (arrival, pattern, nice) per task.
    pub tasks: &'static [(&'static str, &'static str, &'static str)],
}

/// The workloads offered as starting points.
pub const PRESETS: &[Preset] = &[
    Preset {
        name: "Convoy: one long job first",
        tasks: &[("0", "12", "0"), ("1", "2", "0"), ("2", "2", "0")],
    },
    Preset {
        name: "Three equal jobs",
        tasks: &[("0", "6", "0"), ("0", "6", "0"), ("0", "6", "0")],
    },
    Preset {
        name: "Staggered arrivals",
        tasks: &[
            ("0", "8", "0"),
            ("2", "4", "0"),
            ("4", "1", "0"),
            ("6", "3", "0"),
        ],
    },
    Preset {
        name: "Interactive and batch",
        tasks: &[("0", "1 io4 1 io4 1 io4 1", "0"), ("0", "16", "0")],
    },
    Preset {
        name: "Nice values",
        tasks: &[("0", "12", "0"), ("0", "12", "5"), ("0", "12", "-5")],
    },
];

/// An edit.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// Arrival of task i.
    Arrival(usize, String),
    /// Pattern of task i.
    Pattern(usize, String),
    /// Nice of task i.
    Nice(usize, String),
    /// Append a task.
    AddTask,
    /// Remove task i.
    RemoveTask(usize),
    /// Round-robin quantum.
    Quantum(String),
    /// Context-switch cost.
    SwitchCost(String),
    /// Number of CPUs.
    Cpus(String),
    /// Switch a policy on or off.
    Toggle(PolicyId),
    /// Show this policy's details.
    Focus(PolicyId),
    /// Load a preset.
    Preset(usize),
    /// Back to the first preset and defaults.
    Reset,
    /// One policy's result, computed for the job of this generation.
    Arrived {
        /// The generation the result was computed for (stale ones are dropped).
        generation: u64,
        /// Which policy.
        policy: PolicyId,
        /// Its result (times in ms), or why it could not run.
        result: Result<SimResult, String>,
    },
}

/// One policy's run.
#[derive(Clone, Debug, PartialEq)]
pub struct Run {
    /// Which policy.
    pub policy: PolicyId,
    /// Its latest result (times in ms), or why it could not run; None before the first.
    /// Shared, so that re-rendering and cloning the state never copies a timeline.
    pub result: Option<Result<Rc<SimResult>, String>>,
    /// True while the current job's result for this policy has not arrived (the result shown,
    /// if any, is then an older one).
    pub pending: bool,
}

/// The widget's whole state.
#[derive(Clone, Debug, PartialEq)]
pub struct State {
    /// Task rows.
    pub rows: Vec<TaskRow>,
    /// Round-robin quantum, ms.
    pub quantum: Field,
    /// Context switch cost, ms.
    pub switch_cost: Field,
    /// CPUs (1 to [`MAX_WIDGET_CPUS`]).
    pub cpus: Field,
    /// Policies shown, in display order.
    pub policies: Vec<PolicyId>,
    /// The policy whose details are shown.
    pub focus: PolicyId,
    /// The last good runs.
    pub runs: Rc<Vec<Run>>,
    /// Counts the jobs started; a result for an older one is stale.
    pub generation: u64,
    /// The job being computed, or the last one computed.
    pub job: Option<Rc<Job>>,
    /// The policies' averages in words, updated when every result has arrived.
    pub summary: String,
}

impl Default for State {
    fn default() -> Self {
        let mut s = State {
            rows: Vec::new(),
            quantum: Field::new("2"),
            switch_cost: Field::new("0"),
            cpus: Field::new("1"),
            policies: vec![
                PolicyId::Fifo,
                PolicyId::Sjf,
                PolicyId::Rr,
                PolicyId::Cfs,
                PolicyId::Eevdf,
            ],
            focus: PolicyId::Cfs,
            runs: Rc::new(Vec::new()),
            generation: 0,
            job: None,
            summary: String::new(),
        };
        s.load_preset(0);
        s.rerun();
        s.settle_now();
        s
    }
}

fn check(f: &mut Field, r: Result<(), String>) {
    f.error = r.err();
}

impl State {
    fn load_preset(&mut self, i: usize) {
        if let Some(p) = PRESETS.get(i) {
            self.rows = p
                .tasks
                .iter()
                .map(|(a, pat, n)| TaskRow::new(a, pat, n))
                .collect();
            if p.tasks.iter().any(|t| t.2 != "0") && !self.policies.iter().any(|p| p.is_fair()) {
                self.policies.push(PolicyId::Cfs);
            }
        }
    }

    /// The workload the rows describe, or None while a field is invalid.
    pub fn workload(&self) -> Option<Vec<TaskSpec>> {
        self.rows
            .iter()
            .map(|r| {
                let arrival = parse_int(&r.arrival.text, 0, MAX_MS).ok()? as u64;
                let bursts = parse_pattern(&r.pattern.text).ok()?;
                let nice = parse_int(&r.nice.text, -20, 19).ok()? as i32;
                Some(TaskSpec {
                    arrival,
                    bursts,
                    nice,
                })
            })
            .collect()
    }

    fn validate_all(&mut self) {
        for r in &mut self.rows {
            let a = parse_int(&r.arrival.text, 0, MAX_MS)
                .map(|_| ())
                .map_err(|e| e.to_string());
            check(&mut r.arrival, a);
            let p = parse_pattern(&r.pattern.text).map(|_| ());
            check(&mut r.pattern, p);
            let n = parse_int(&r.nice.text, -20, 19)
                .map(|_| ())
                .map_err(|_| "nice must be between -20 and 19".to_string());
            check(&mut r.nice, n);
        }
        let q = parse_int(&self.quantum.text, 1, MAX_MS)
            .map(|_| ())
            .map_err(|e| e.to_string());
        check(&mut self.quantum, q);
        let c = parse_int(&self.switch_cost.text, 0, 1000)
            .map(|_| ())
            .map_err(|e| e.to_string());
        check(&mut self.switch_cost, c);
        let n = parse_int(&self.cpus.text, 1, MAX_WIDGET_CPUS)
            .map(|_| ())
            .map_err(|e| format!("CPUs: {e}"));
        check(&mut self.cpus, n);
    }

    /// True when any field is refused.
    pub fn has_errors(&self) -> bool {
        self.rows.iter().any(|r| {
            r.arrival.error.is_some() || r.pattern.error.is_some() || r.nice.error.is_some()
        }) || self.quantum.error.is_some()
            || self.switch_cost.error.is_some()
            || self.cpus.error.is_some()
    }

    /// Starts a new job (a new generation) when every field is valid: each policy's run is
    /// marked pending, keeping its previous result on show until the new one arrives.
    fn rerun(&mut self) {
        self.validate_all();
        if self.has_errors() {
            return;
        }
        let Some(tasks) = self.workload() else { return };
        let (Ok(q), Ok(sw), Ok(cpus)) = (
            parse_int(&self.quantum.text, 1, MAX_MS),
            parse_int(&self.switch_cost.text, 0, 1000),
            parse_int(&self.cpus.text, 1, MAX_WIDGET_CPUS),
        ) else {
            return;
        };
        self.generation = self.generation.wrapping_add(1);
        self.job = Some(Rc::new(Job {
            tasks,
            quantum: q as u64,
            switch_cost: sw as u64,
            cpus: cpus as usize,
        }));
        let runs = self
            .policies
            .iter()
            .map(|&p| Run {
                policy: p,
                result: self
                    .runs
                    .iter()
                    .find(|r| r.policy == p)
                    .and_then(|r| r.result.clone()),
                pending: true,
            })
            .collect();
        self.runs = Rc::new(runs);
    }

    /// The policies whose result for the current job has not arrived, in display order.
    pub fn pending(&self) -> Vec<PolicyId> {
        self.runs
            .iter()
            .filter(|r| r.pending)
            .map(|r| r.policy)
            .collect()
    }

    /// Computes every pending policy here and now (for the first render, before any timer
    /// can run, and for tests). Bounded: at most six policies of [`WIDGET_MAX_EVENTS`] each.
    pub fn settle_now(&mut self) {
        let Some(job) = self.job.clone() else { return };
        for p in self.pending() {
            let result = compute(&job, p);
            self.arrive(self.generation, p, result);
        }
    }

    /// Takes one policy's result if it belongs to the current job; true if it was taken.
    fn arrive(&mut self, generation: u64, p: PolicyId, result: Result<SimResult, String>) -> bool {
        if generation != self.generation {
            return false;
        }
        let mut runs = (*self.runs).clone();
        let Some(run) = runs.iter_mut().find(|r| r.policy == p && r.pending) else {
            return false;
        };
        run.result = Some(result.map(Rc::new));
        run.pending = false;
        self.runs = Rc::new(runs);
        if self.runs.iter().all(|r| !r.pending) {
            let parts: Vec<String> = self
                .runs
                .iter()
                .map(|run| match &run.result {
                    Some(Ok(r)) => format!(
                        "{}: avg turnaround {}, {} switches",
                        run.policy.label(),
                        r.overall
                            .avg_turnaround
                            .map(|v| format!("{v:.1}"))
                            .unwrap_or_else(|| "–".into()),
                        r.overall.context_switches
                    ),
                    Some(Err(e)) => format!("{}: {e}", run.policy.label()),
                    None => String::new(),
                })
                .collect();
            self.summary = format!(
                "{} tasks. {}.",
                self.job.as_ref().map(|j| j.tasks.len()).unwrap_or(0),
                parts.join("; ")
            );
        }
        true
    }



}

fn clip(t: String) -> String {
    t.chars().take(200).collect()
}

impl UrlState for State {
    const PREFIX: &'static str = "sch-";

    /// Builds the state a link describes; anything malformed shows as an invalid field.
    fn from_query(query: &Query) -> Self {
        let mut s = State::default();
        let get = |k: &str| query.text(k).map(clip);
        if let Some(t) = get("tasks") {
            let rows: Vec<TaskRow> = t
                .split(';')
                .take(MAX_WIDGET_TASKS)
                .map(|r| {
                    let mut parts = r.splitn(3, ':');
                    TaskRow::new(
                        parts.next().unwrap_or(""),
                        parts.next().unwrap_or(""),
                        parts.next().unwrap_or("0"),
                    )
                })
                .collect();
            if !rows.is_empty() {
                s.rows = rows;
            }
        }
        if let Some(p) = get("pol") {
            let pols: Vec<PolicyId> = PolicyId::ALL
                .into_iter()
                .filter(|x| p.split(',').any(|k| PolicyId::from_key(k) == Some(*x)))
                .collect();
            if !pols.is_empty() {
                s.policies = pols;
            }
        }
        if let Some(q) = get("q") {
            s.quantum.text = q;
        }
        if let Some(w) = get("sw") {
            s.switch_cost.text = w;
        }
        if let Some(c) = get("cpus") {
            s.cpus.text = c;
        }
        s.rerun();
        s.settle_now();
        let focus = get("focus")
            .and_then(|f| PolicyId::from_key(&f))
            .unwrap_or(s.focus);
        s.focus = if s.policies.contains(&focus) {
            focus
        } else {
            s.policies[0]
        };
        s
    }

    /// The keys that reproduce this state.
    fn to_query(&self) -> Vec<(String, String)> {
        let d = State::default();
        let mut out = Vec::new();
        let rows = |s: &State| {
            s.rows
                .iter()
                .map(|r| format!("{}:{}:{}", r.arrival.text, r.pattern.text, r.nice.text))
                .collect::<Vec<_>>()
                .join(";")
        };
        if rows(self) != rows(&d) {
            out.push(("tasks".into(), rows(self)));
        }
        if self.policies != d.policies {
            out.push((
                "pol".into(),
                self.policies
                    .iter()
                    .map(|p| p.key())
                    .collect::<Vec<_>>()
                    .join(","),
            ));
        }
        if self.quantum.text != d.quantum.text {
            out.push(("q".into(), self.quantum.text.clone()));
        }
        if self.switch_cost.text != d.switch_cost.text {
            out.push(("sw".into(), self.switch_cost.text.clone()));
        }
        if self.cpus.text != d.cpus.text {
            out.push(("cpus".into(), self.cpus.text.clone()));
        }
        if self.focus != d.focus {
            out.push(("focus".into(), self.focus.key().into()));
        }
        out
    }
}

impl Apply for State {
    type Action = Action;

    /// A stale result (of a job since replaced) changes nothing: the same state, no render.
    fn ignores(&self, action: &Action) -> bool {
        matches!(action, Action::Arrived { generation, .. } if *generation != self.generation)
    }

    /// Applies one action.
    fn apply(&mut self, a: Action) {
        match a {
            Action::Reset => {
                *self = State::default();
                return;
            }
            Action::Arrival(i, t) => {
                if let Some(r) = self.rows.get_mut(i) {
                    r.arrival.text = clip(t);
                }
            }
            Action::Pattern(i, t) => {
                if let Some(r) = self.rows.get_mut(i) {
                    r.pattern.text = clip(t);
                }
            }
            Action::Nice(i, t) => {
                if let Some(r) = self.rows.get_mut(i) {
                    r.nice.text = clip(t);
                }
            }
            Action::AddTask => {
                if self.rows.len() < MAX_WIDGET_TASKS {
                    self.rows.push(TaskRow::new("0", "4", "0"));
                }
            }
            Action::RemoveTask(i) => {
                if self.rows.len() > 1 && i < self.rows.len() {
                    self.rows.remove(i);
                }
            }
            Action::Quantum(t) => self.quantum.text = clip(t),
            Action::SwitchCost(t) => self.switch_cost.text = clip(t),
            Action::Cpus(t) => self.cpus.text = clip(t),
            Action::Toggle(p) => {
                if let Some(pos) = self.policies.iter().position(|x| *x == p) {
                    if self.policies.len() > 1 {
                        self.policies.remove(pos);
                    }
                } else {
                    self.policies.push(p);
                    self.policies
                        .sort_by_key(|x| PolicyId::ALL.iter().position(|y| y == x));
                }
                if !self.policies.contains(&self.focus) {
                    self.focus = self.policies.first().copied().unwrap_or(PolicyId::Fifo);
                }
            }
            Action::Focus(p) => {
                if self.policies.contains(&p) {
                    self.focus = p;
                }
                return;
            }
            Action::Preset(i) => self.load_preset(i),
            Action::Arrived {
                generation,
                policy,
                result,
            } => {
                self.arrive(generation, policy, result);
                return;
            }
        }
        self.rerun();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(s: &State, p: PolicyId) -> &SimResult {
        s.runs
            .iter()
            .find(|r| r.policy == p)
            .and_then(|r| r.result.as_ref())
            .and_then(|r| r.as_ref().ok())
            .expect("policy ran")
    }

    #[test]
    fn a_cpu_count_runs_every_policy_on_that_many_cpus() {
        let mut s = State::default();
        s.apply(Action::Preset(0));
        s.apply(Action::Cpus("2".into()));
        assert!(!s.has_errors());
        assert_eq!(s.job.as_ref().map(|j| j.cpus), Some(2));
        s.settle_now();
        for &p in &s.policies {
            let r = run(&s, p);
            assert_eq!(r.cpus, 2, "{p:?}");
            assert!(r.timeline.iter().any(|sl| sl.cpu == 1), "{p:?}");
        }
        assert_eq!(s.to_query(), vec![("cpus".to_string(), "2".to_string())]);
        let back = State::from_query(&s.to_query().into());
        assert_eq!(back.cpus.text, "2");
        for bad in ["0", "5", "x", ""] {
            s.apply(Action::Cpus(bad.into()));
            assert!(s.cpus.error.is_some(), "{bad:?}");
        }
        s.apply(Action::Reset);
        assert_eq!(s.cpus.text, "1");
    }

    #[test]
    fn the_convoy_preset_hurts_fifo_and_not_sjf() {
        let s = State::default();
        let fifo = run(&s, PolicyId::Fifo);
        let sjf = run(&s, PolicyId::Sjf);
        // FIFO: A 0-12, B 12-14, C 14-16: turnarounds 12, 13, 14 -> 13.
        assert_eq!(fifo.overall.avg_turnaround, Some(13.0));
        // SJF is non-preemptive: A still runs 0-12 (it is alone at 0), then B, C: same here.
        assert_eq!(sjf.overall.avg_turnaround, Some(13.0));
        let mut s2 = s.clone();
        s2.apply(Action::Toggle(PolicyId::Stcf));
        s2.settle_now();
        let stcf = run(&s2, PolicyId::Stcf);
        // STCF preempts A at 1 for B (2 < 11): B 1-3, C 3-5, A 0-1 and 5-16: (16 + 2 + 3)/3 = 7.
        assert_eq!(stcf.overall.avg_turnaround, Some(7.0));
    }

    #[test]
    fn round_robin_with_quantum_two_on_equal_jobs() {
        let mut s = State::default();
        s.apply(Action::Preset(1));
        s.settle_now();
        let rr = run(&s, PolicyId::Rr);
        // Three 6 ms jobs, quantum 2: responses 0, 2, 4; completions 14, 16, 18.
        let resp: Vec<_> = rr.tasks.iter().map(|t| t.response).collect();
        assert_eq!(resp, [Some(0), Some(2), Some(4)]);
        let done: Vec<_> = rr.tasks.iter().map(|t| t.completion).collect();
        assert_eq!(done, [Some(14), Some(16), Some(18)]);
    }

    #[test]
    fn linux_policies_give_nice_tasks_less() {
        let mut s = State::default();
        s.apply(Action::Preset(4));
        s.settle_now();
        for p in [PolicyId::Cfs, PolicyId::Eevdf] {
            let r = run(&s, p);
            // Task 2 (nice -5) finishes before task 0 (nice 0), which finishes before task 1 (nice 5).
            let c: Vec<u64> = r
                .tasks
                .iter()
                .map(|t| t.completion.unwrap_or(u64::MAX))
                .collect();
            assert!(c[2] < c[0] && c[0] < c[1], "{p:?}: {c:?}");
            assert!(!r.fair.is_empty());
        }
    }

    #[test]
    fn bad_fields_keep_the_last_good_runs() {
        let s0 = State::default();
        let mut s = s0.clone();
        for (a, field) in [
            (Action::Pattern(0, "io1".into()), "pattern"),
            (Action::Arrival(1, "-3".into()), "arrival"),
            (Action::Nice(2, "99".into()), "nice"),
            (Action::Quantum("0".into()), "quantum"),
            (Action::SwitchCost("lots".into()), "switch"),
        ] {
            s.apply(a);
            assert!(s.has_errors(), "{field}");
            assert_eq!(s.runs, s0.runs, "{field}");
        }
        s.apply(Action::Reset);
        assert_eq!(s, s0);
    }

    #[test]
    fn task_count_is_bounded_and_policies_never_empty() {
        let mut s = State::default();
        for _ in 0..20 {
            s.apply(Action::AddTask);
        }
        assert_eq!(s.rows.len(), MAX_WIDGET_TASKS);
        for _ in 0..20 {
            s.apply(Action::RemoveTask(0));
        }
        assert_eq!(s.rows.len(), 1);
        for p in PolicyId::ALL {
            s.apply(Action::Toggle(p));
            s.apply(Action::Toggle(p));
        }
        for p in PolicyId::ALL {
            s.apply(Action::Toggle(p));
        }
        assert!(!s.policies.is_empty());
        assert!(s.policies.contains(&s.focus));
    }

    #[test]
    fn query_round_trip_and_hostile_links() {
        let mut s = State::default();
        s.apply(Action::Preset(3));
        s.apply(Action::Toggle(PolicyId::Stcf));
        s.apply(Action::Quantum("3".into()));
        s.apply(Action::Focus(PolicyId::Eevdf));
        s.settle_now();
        let back = State::from_query(&s.to_query().into());
        assert_eq!(back.to_query(), s.to_query());
        assert_eq!(back.rows, s.rows);
        assert_eq!(back.runs, s.runs);
        assert_eq!(back.summary, s.summary);
        let hostile = vec![
            ("tasks".to_string(), "x:y:z;".repeat(1000)),
            ("pol".to_string(), "nope".to_string()),
            ("focus".to_string(), "zzz".to_string()),
        ];
        let h = State::from_query(&hostile.into());
        assert!(h.rows.len() <= MAX_WIDGET_TASKS);
        assert!(h.has_errors());
        assert!(!h.policies.is_empty());
    }

    #[test]
    fn results_arrive_one_policy_at_a_time_and_stale_ones_are_dropped() {
        let s0 = State::default();
        assert!(s0.pending().is_empty());
        let old_fifo = s0.runs.first().cloned().expect("a run");
        let mut s = s0.clone();
        s.apply(Action::Preset(1));
        // The edit only starts a job: every policy is pending, old results still on show.
        assert_eq!(s.pending(), s.policies);
        assert_eq!(
            s.runs.first().and_then(|r| r.result.clone()),
            old_fifo.result
        );
        assert_eq!(s.summary, s0.summary);
        let job = s.job.clone().expect("a job");
        let gen1 = s.generation;
        let fifo = compute(&job, PolicyId::Fifo);
        // The reader edits again before the result arrives: generation 1's result is stale.
        s.apply(Action::Quantum("3".into()));
        let gen2 = s.generation;
        assert_ne!(gen1, gen2);
        let before = Rc::new(s.clone());
        let after = before.clone().reduce(Action::Arrived {
            generation: gen1,
            policy: PolicyId::Fifo,
            result: fifo.clone(),
        });
        assert!(Rc::ptr_eq(&before, &after), "a stale result is dropped");
        // The current generation's result is taken, for that policy only.
        let job2 = s.job.clone().expect("a job");
        s.apply(Action::Arrived {
            generation: gen2,
            policy: PolicyId::Fifo,
            result: compute(&job2, PolicyId::Fifo),
        });
        assert_eq!(s.pending().len(), s.policies.len() - 1);
        assert!(!s.pending().contains(&PolicyId::Fifo));
        // Three 6 ms jobs under FIFO: done at 6, 12, 18, turnaround 12.
        assert_eq!(run(&s, PolicyId::Fifo).overall.avg_turnaround, Some(12.0));
        // The summary waits for the last policy.
        assert_eq!(s.summary, s0.summary);
        s.settle_now();
        assert!(s.pending().is_empty());
        assert!(s.summary.starts_with("3 tasks. FIFO"), "{}", s.summary);
        // A repeated arrival for a settled policy changes nothing.
        let settled = s.clone();
        s.apply(Action::Arrived {
            generation: gen2,
            policy: PolicyId::Fifo,
            result: Err("late".into()),
        });
        assert_eq!(s, settled);
    }

    #[test]
    fn the_biggest_workload_stops_at_the_widget_event_limit() {
        let mut s = State::default();
        let big = ["10000"; 8].join(" io10000 ");
        while s.rows.len() < MAX_WIDGET_TASKS {
            s.apply(Action::AddTask);
        }
        for i in 0..MAX_WIDGET_TASKS {
            s.apply(Action::Pattern(i, big.clone()));
        }
        s.apply(Action::Quantum("1".into()));
        for p in PolicyId::ALL {
            if !s.policies.contains(&p) {
                s.apply(Action::Toggle(p));
            }
        }
        assert!(!s.has_errors());
        s.settle_now();
        let limit = WIDGET_MAX_EVENTS.to_string();
        for r in s.runs.iter() {
            match &r.result {
                Some(Ok(res)) => assert!(
                    !matches!(r.policy, PolicyId::Rr | PolicyId::Cfs | PolicyId::Eevdf),
                    "{:?} ran {} slices",
                    r.policy,
                    res.timeline.len()
                ),
                Some(Err(e)) => assert!(e.contains(&limit), "{:?}: {e}", r.policy),
                None => panic!("{:?} has no result", r.policy),
            }
        }
    }
}
