//! The scheduler comparison's state: an editable workload (arrival, CPU bursts and I/O waits,
//! nice value per task), the policies to compare, and the last good simulation of each.
//! Widget time is in milliseconds; the Linux policies run in nanoseconds underneath, as the
//! kernel does. A pure reducer.

use std::rc::Rc;
use yew::Reducible;
use youcpu_core::sched::sim::policy::EEVDF_BASE_SLICE_6_6_NS;
use youcpu_core::sched::sim::{
    simulate, Burst, CfsParams, EevdfParams, Policy, SimConfig, SimResult, TaskSpec,
};
use youcpu_core::units::parse_int;

/// The URL query prefix this widget owns.
pub const URL_PREFIX: &str = "sch-";
/// The most tasks the widget shows.
pub const MAX_WIDGET_TASKS: usize = 8;
/// The most bursts in one task's pattern.
pub const MAX_PATTERN_BURSTS: usize = 16;
/// The largest time (ms) any field accepts.
pub const MAX_MS: i64 = 10_000;
/// Nanoseconds per widget time unit (1 ms) for the Linux policies.
pub const NS_PER_MS: u64 = 1_000_000;

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

    fn from_key(k: &str) -> Option<Self> {
        PolicyId::ALL.into_iter().find(|p| p.key() == k)
    }

    /// True for the Linux policies (nanosecond time, nice values matter).
    pub fn is_fair(self) -> bool {
        matches!(self, PolicyId::Cfs | PolicyId::Eevdf)
    }
}

/// One editable field: text as typed and its message when invalid.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Field {
    /// The text.
    pub text: String,
    /// Why it is refused.
    pub error: Option<String>,
}

impl Field {
    fn new(t: impl Into<String>) -> Self {
        Field {
            text: t.into(),
            error: None,
        }
    }
}

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

/// Parses a burst pattern: numbers are CPU bursts, `ioN` are I/O waits; they must alternate,
/// starting and ending with CPU.
pub fn parse_pattern(text: &str) -> Result<Vec<Burst>, String> {
    let toks: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|t| !t.is_empty())
        .collect();
    if toks.is_empty() {
        return Err("enter the CPU time, e.g. 5, or a pattern like 2 io3 2".into());
    }
    if toks.len() > MAX_PATTERN_BURSTS {
        return Err(format!("at most {MAX_PATTERN_BURSTS} bursts per task"));
    }
    let mut out = Vec::with_capacity(toks.len());
    for t in toks {
        let (io, num) = match t.strip_prefix("io") {
            Some(rest) => (true, rest),
            None => (false, t),
        };
        let v = parse_int(num, 1, MAX_MS).map_err(|_| {
            format!(
                "\"{}\" is not a time from 1 to {MAX_MS} ms (or ioN for an I/O wait)",
                youcpu_core::units::quote(t)
            )
        })? as u64;
        let b = if io { Burst::Io(v) } else { Burst::Cpu(v) };
        let alternates = match (out.last(), b) {
            (None, Burst::Cpu(_)) => true,
            (None, Burst::Io(_)) => false,
            (Some(Burst::Cpu(_)), Burst::Io(_)) | (Some(Burst::Io(_)), Burst::Cpu(_)) => true,
            _ => false,
        };
        if !alternates {
            return Err("CPU bursts and io waits must alternate, starting with CPU".into());
        }
        out.push(b);
    }
    if matches!(out.last(), Some(Burst::Io(_))) {
        return Err("a task must end with a CPU burst".into());
    }
    Ok(out)
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
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SchedAction {
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
    /// Switch a policy on or off.
    Toggle(PolicyId),
    /// Show this policy's details.
    Focus(PolicyId),
    /// Load a preset.
    Preset(usize),
    /// Back to the first preset and defaults.
    Reset,
}

/// One policy's run.
#[derive(Clone, Debug, PartialEq)]
pub struct Run {
    /// Which policy.
    pub policy: PolicyId,
    /// Its result (times in ms), or why it could not run.
    pub result: Result<SimResult, String>,
}

/// The widget's whole state.
#[derive(Clone, Debug, PartialEq)]
pub struct SchedState {
    /// Task rows.
    pub rows: Vec<TaskRow>,
    /// Round-robin quantum, ms.
    pub quantum: Field,
    /// Context switch cost, ms.
    pub switch_cost: Field,
    /// Policies shown, in display order.
    pub policies: Vec<PolicyId>,
    /// The policy whose details are shown.
    pub focus: PolicyId,
    /// The last good runs.
    pub runs: Rc<Vec<Run>>,
}

impl Default for SchedState {
    fn default() -> Self {
        let mut s = SchedState {
            rows: Vec::new(),
            quantum: Field::new("2"),
            switch_cost: Field::new("0"),
            policies: vec![
                PolicyId::Fifo,
                PolicyId::Sjf,
                PolicyId::Rr,
                PolicyId::Cfs,
                PolicyId::Eevdf,
            ],
            focus: PolicyId::Cfs,
            runs: Rc::new(Vec::new()),
        };
        s.load_preset(0);
        s.rerun();
        s
    }
}

fn check(f: &mut Field, r: Result<(), String>) {
    f.error = r.err();
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

impl SchedState {
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
    }

    /// True when any field is refused.
    pub fn has_errors(&self) -> bool {
        self.rows.iter().any(|r| {
            r.arrival.error.is_some() || r.pattern.error.is_some() || r.nice.error.is_some()
        }) || self.quantum.error.is_some()
            || self.switch_cost.error.is_some()
    }

    fn rerun(&mut self) {
        self.validate_all();
        if self.has_errors() {
            return;
        }
        let Some(tasks) = self.workload() else { return };
        let (Ok(q), Ok(sw)) = (
            parse_int(&self.quantum.text, 1, MAX_MS),
            parse_int(&self.switch_cost.text, 0, 1000),
        ) else {
            return;
        };
        let (q, sw) = (q as u64, sw as u64);
        let ns_tasks: Vec<TaskSpec> = tasks
            .iter()
            .map(|t| TaskSpec {
                arrival: t.arrival * NS_PER_MS,
                bursts: t
                    .bursts
                    .iter()
                    .map(|b| match *b {
                        Burst::Cpu(v) => Burst::Cpu(v * NS_PER_MS),
                        Burst::Io(v) => Burst::Io(v * NS_PER_MS),
                    })
                    .collect(),
                nice: t.nice,
            })
            .collect();
        let runs = self
            .policies
            .iter()
            .map(|&p| {
                let (policy, fair) = match p {
                    PolicyId::Fifo => (Policy::Fifo, false),
                    PolicyId::Sjf => (Policy::Sjf, false),
                    PolicyId::Stcf => (Policy::Stcf, false),
                    PolicyId::Rr => (Policy::RoundRobin { quantum: q }, false),
                    PolicyId::Cfs => (Policy::Cfs(CfsParams::for_cpus(1)), true),
                    PolicyId::Eevdf => (
                        Policy::Eevdf(EevdfParams::for_cpus(1, EEVDF_BASE_SLICE_6_6_NS)),
                        true,
                    ),
                };
                let cfg = SimConfig {
                    switch_cost: if fair { sw * NS_PER_MS } else { sw },
                    fair_samples: fair,
                    ..SimConfig::default()
                };
                let result = if fair {
                    simulate(&ns_tasks, &policy, &cfg).map(to_ms)
                } else {
                    simulate(&tasks, &policy, &cfg)
                };
                Run {
                    policy: p,
                    result: result.map_err(|e| e.to_string()),
                }
            })
            .collect();
        self.runs = Rc::new(runs);
    }

    /// Applies one action.
    pub fn apply(&mut self, a: SchedAction) {
        match a {
            SchedAction::Reset => {
                *self = SchedState::default();
                return;
            }
            SchedAction::Arrival(i, t) => {
                if let Some(r) = self.rows.get_mut(i) {
                    r.arrival.text = clip(t);
                }
            }
            SchedAction::Pattern(i, t) => {
                if let Some(r) = self.rows.get_mut(i) {
                    r.pattern.text = clip(t);
                }
            }
            SchedAction::Nice(i, t) => {
                if let Some(r) = self.rows.get_mut(i) {
                    r.nice.text = clip(t);
                }
            }
            SchedAction::AddTask => {
                if self.rows.len() < MAX_WIDGET_TASKS {
                    self.rows.push(TaskRow::new("0", "4", "0"));
                }
            }
            SchedAction::RemoveTask(i) => {
                if self.rows.len() > 1 && i < self.rows.len() {
                    self.rows.remove(i);
                }
            }
            SchedAction::Quantum(t) => self.quantum.text = clip(t),
            SchedAction::SwitchCost(t) => self.switch_cost.text = clip(t),
            SchedAction::Toggle(p) => {
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
            SchedAction::Focus(p) => {
                if self.policies.contains(&p) {
                    self.focus = p;
                }
                return;
            }
            SchedAction::Preset(i) => self.load_preset(i),
        }
        self.rerun();
    }

    /// The keys that reproduce this state.
    pub fn to_query(&self) -> Vec<(String, String)> {
        let d = SchedState::default();
        let mut out = Vec::new();
        let rows = |s: &SchedState| {
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
        if self.focus != d.focus {
            out.push(("focus".into(), self.focus.key().into()));
        }
        out
    }

    /// Builds the state a link describes; anything malformed shows as an invalid field.
    pub fn from_query(pairs: &[(String, String)]) -> Self {
        let mut s = SchedState::default();
        let get = |k: &str| {
            pairs
                .iter()
                .rev()
                .find(|(key, _)| key == k)
                .map(|(_, v)| clip(v.clone()))
        };
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
        s.rerun();
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
}

fn clip(t: String) -> String {
    t.chars().take(200).collect()
}

impl Reducible for SchedState {
    type Action = SchedAction;

    fn reduce(self: Rc<Self>, action: Self::Action) -> Rc<Self> {
        let mut next = (*self).clone();
        next.apply(action);
        Rc::new(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(s: &SchedState, p: PolicyId) -> &SimResult {
        s.runs
            .iter()
            .find(|r| r.policy == p)
            .and_then(|r| r.result.as_ref().ok())
            .expect("policy ran")
    }

    #[test]
    fn patterns_parse_and_refuse() {
        assert_eq!(parse_pattern("5"), Ok(vec![Burst::Cpu(5)]));
        assert_eq!(
            parse_pattern("2 io3, 2"),
            Ok(vec![Burst::Cpu(2), Burst::Io(3), Burst::Cpu(2)])
        );
        for bad in [
            "",
            "io3 2",
            "2 io3",
            "2 3",
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

    #[test]
    fn the_convoy_preset_hurts_fifo_and_not_sjf() {
        let s = SchedState::default();
        let fifo = run(&s, PolicyId::Fifo);
        let sjf = run(&s, PolicyId::Sjf);
        // FIFO: A 0-12, B 12-14, C 14-16: turnarounds 12, 13, 14 -> 13.
        assert_eq!(fifo.overall.avg_turnaround, Some(13.0));
        // SJF is non-preemptive: A still runs 0-12 (it is alone at 0), then B, C: same here.
        assert_eq!(sjf.overall.avg_turnaround, Some(13.0));
        let mut s2 = s.clone();
        s2.apply(SchedAction::Toggle(PolicyId::Stcf));
        let stcf = run(&s2, PolicyId::Stcf);
        // STCF preempts A at 1 for B (2 < 11): B 1-3, C 3-5, A 0-1 and 5-16: (16 + 2 + 3)/3 = 7.
        assert_eq!(stcf.overall.avg_turnaround, Some(7.0));
    }

    #[test]
    fn round_robin_with_quantum_two_on_equal_jobs() {
        let mut s = SchedState::default();
        s.apply(SchedAction::Preset(1));
        let rr = run(&s, PolicyId::Rr);
        // Three 6 ms jobs, quantum 2: responses 0, 2, 4; completions 14, 16, 18.
        let resp: Vec<_> = rr.tasks.iter().map(|t| t.response).collect();
        assert_eq!(resp, [Some(0), Some(2), Some(4)]);
        let done: Vec<_> = rr.tasks.iter().map(|t| t.completion).collect();
        assert_eq!(done, [Some(14), Some(16), Some(18)]);
    }

    #[test]
    fn linux_policies_give_nice_tasks_less() {
        let mut s = SchedState::default();
        s.apply(SchedAction::Preset(4));
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
        let s0 = SchedState::default();
        let mut s = s0.clone();
        for (a, field) in [
            (SchedAction::Pattern(0, "io1".into()), "pattern"),
            (SchedAction::Arrival(1, "-3".into()), "arrival"),
            (SchedAction::Nice(2, "99".into()), "nice"),
            (SchedAction::Quantum("0".into()), "quantum"),
            (SchedAction::SwitchCost("lots".into()), "switch"),
        ] {
            s.apply(a);
            assert!(s.has_errors(), "{field}");
            assert_eq!(s.runs, s0.runs, "{field}");
        }
        s.apply(SchedAction::Reset);
        assert_eq!(s, s0);
    }

    #[test]
    fn task_count_is_bounded_and_policies_never_empty() {
        let mut s = SchedState::default();
        for _ in 0..20 {
            s.apply(SchedAction::AddTask);
        }
        assert_eq!(s.rows.len(), MAX_WIDGET_TASKS);
        for _ in 0..20 {
            s.apply(SchedAction::RemoveTask(0));
        }
        assert_eq!(s.rows.len(), 1);
        for p in PolicyId::ALL {
            s.apply(SchedAction::Toggle(p));
            s.apply(SchedAction::Toggle(p));
        }
        for p in PolicyId::ALL {
            s.apply(SchedAction::Toggle(p));
        }
        assert!(!s.policies.is_empty());
        assert!(s.policies.contains(&s.focus));
    }

    #[test]
    fn query_round_trip_and_hostile_links() {
        let mut s = SchedState::default();
        s.apply(SchedAction::Preset(3));
        s.apply(SchedAction::Toggle(PolicyId::Stcf));
        s.apply(SchedAction::Quantum("3".into()));
        s.apply(SchedAction::Focus(PolicyId::Eevdf));
        let back = SchedState::from_query(&s.to_query());
        assert_eq!(back, s);
        let hostile = vec![
            ("tasks".to_string(), "x:y:z;".repeat(1000)),
            ("pol".to_string(), "nope".to_string()),
            ("focus".to_string(), "zzz".to_string()),
        ];
        let h = SchedState::from_query(&hostile);
        assert!(h.rows.len() <= MAX_WIDGET_TASKS);
        assert!(h.has_errors());
        assert!(!h.policies.is_empty());
    }
}
