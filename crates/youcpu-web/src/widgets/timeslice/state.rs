//! The timeslice calculator's state: what the reader typed in each field, the message for each
//! field that does not hold a valid value, and the last good result (kept on screen while a
//! field is invalid). A pure reducer; the view only renders it and dispatches actions.

use std::rc::Rc;
use crate::ui::{Apply, Field, Query, UrlState};
use youcpu_core::sched::timeslice::{
    compute_timeslices, Timeslice, TimesliceParams, DEFAULT_LATENCY_NS, DEFAULT_MIN_GRANULARITY_NS,
    MAX_TUNABLE_NS,
};
use youcpu_core::units::{ms_string, parse_int, parse_ms};

/// The most tasks the widget draws (the CLI computes up to 100,000).
pub const WIDGET_MAX_TASKS: i64 = 32;
/// The most CPUs the widget accepts (the kernel's scaling stops at 8 anyway).
pub const WIDGET_MAX_CPUS: i64 = 4096;
/// Tasks shown when the page opens.
pub const DEFAULT_TASKS: i64 = 3;

/// An edit the reader makes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// Base target latency, in ms.
    Latency(String),
    /// Base minimum granularity, in ms.
    Granularity(String),
    /// Number of runnable tasks.
    Tasks(String),
    /// Number of CPUs.
    Cpus(String),
    /// Nice value of task `index` (0-based).
    Nice(usize, String),
    /// Back to Linux's defaults.
    Reset,
}

/// The widget's whole state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct State {
    /// Base target latency field (ms).
    pub latency: Field,
    /// Base minimum granularity field (ms).
    pub granularity: Field,
    /// Task count field.
    pub tasks: Field,
    /// CPU count field.
    pub cpus: Field,
    /// One nice field per task of the last valid task count.
    pub nice: Vec<Field>,
    /// The last result computed from valid fields.
    pub result: Rc<Timeslice>,
    /// The CPU count that result was computed for.
    pub result_cpus: u32,
}

impl Default for State {
    fn default() -> Self {
        let params = TimesliceParams::defaults(DEFAULT_TASKS as usize, 1);
        let result = compute_timeslices(&params).map(Rc::new);
        State {
            latency: Field::new(ms_string(DEFAULT_LATENCY_NS)),
            granularity: Field::new(ms_string(DEFAULT_MIN_GRANULARITY_NS)),
            tasks: Field::new(DEFAULT_TASKS.to_string()),
            cpus: Field::new("1"),
            nice: vec![Field::new("0"); DEFAULT_TASKS as usize],
            // The defaults are always valid; the fallback only keeps this function total.
            result: result.unwrap_or_else(|_| Rc::new(empty_result())),
            result_cpus: 1,
        }
    }
}

fn empty_result() -> Timeslice {
    Timeslice {
        factor: 1,
        scaled_latency_ns: DEFAULT_LATENCY_NS,
        scaled_min_granularity_ns: DEFAULT_MIN_GRANULARITY_NS,
        nr_latency: 8,
        period_ns: DEFAULT_LATENCY_NS,
        regime: youcpu_core::sched::Regime::Latency,
        total_weight: 0,
        slices: Vec::new(),
        eevdf_base_slice_ns: 750_000,
        eevdf_base_slice_6_15_ns: 700_000,
    }
}

fn check_ms(text: &str) -> Result<u64, String> {
    match parse_ms(text, MAX_TUNABLE_NS) {
        Ok(0) => Err("must be more than 0".into()),
        Ok(ns) => Ok(ns),
        Err(e) => Err(e.to_string()),
    }
}

fn check_int(text: &str, min: i64, max: i64, what: &str) -> Result<i64, String> {
    parse_int(text, min, max).map_err(|e| match e {
        youcpu_core::units::UnitError::OutOfRange { .. } => {
            format!("{what} must be between {min} and {max}")
        }
        other => other.to_string(),
    })
}

impl State {

    /// Recomputes the result if every field is valid; otherwise keeps the last good one.
    fn recompute(&mut self) {
        let Some(params) = self.params() else { return };
        if let Ok(t) = compute_timeslices(&params) {
            self.result = Rc::new(t);
            self.result_cpus = params.cpus;
        }
    }

    /// The parameters the fields describe, or `None` while any field is invalid.
    pub fn params(&self) -> Option<TimesliceParams> {
        let latency = check_ms(&self.latency.text).ok()?;
        let gran = check_ms(&self.granularity.text).ok()?;
        let cpus = check_int(&self.cpus.text, 1, WIDGET_MAX_CPUS, "").ok()?;
        let tasks = check_int(&self.tasks.text, 1, WIDGET_MAX_TASKS, "").ok()?;
        if self.nice.len() != tasks as usize {
            return None;
        }
        let nice = self
            .nice
            .iter()
            .map(|f| check_int(&f.text, -20, 19, "").ok().map(|v| v as i32))
            .collect::<Option<Vec<i32>>>()?;
        Some(TimesliceParams {
            base_latency_ns: latency,
            base_min_granularity_ns: gran,
            cpus: cpus as u32,
            nice,
        })
    }

    /// True when any field is refused (the chart then shows the last good values).
    pub fn has_errors(&self) -> bool {
        [&self.latency, &self.granularity, &self.tasks, &self.cpus]
            .into_iter()
            .chain(self.nice.iter())
            .any(|f| f.error.is_some())
    }
}

impl UrlState for State {
    const PREFIX: &'static str = "ts-";

    /// Builds the state a link describes (keys without the widget's prefix). Unknown keys are
    /// ignored; invalid values show their message, as if typed.
    fn from_query(q: &Query) -> Self {
        let mut s = State::default();
        let get = |k: &str| q.text(k);
        // Bound what a crafted link can make us store.
        let clip = |v: String| v.chars().take(200).collect::<String>();
        if let Some(v) = get("latency") {
            s.apply(Action::Latency(clip(v)));
        }
        if let Some(v) = get("gran") {
            s.apply(Action::Granularity(clip(v)));
        }
        if let Some(v) = get("cpus") {
            s.apply(Action::Cpus(clip(v)));
        }
        let nice: Option<Vec<String>> = get("nice").map(|v| {
            clip(v)
                .split(',')
                .take(WIDGET_MAX_TASKS as usize)
                .map(str::to_string)
                .collect()
        });
        match (get("tasks"), &nice) {
            (Some(t), _) => s.apply(Action::Tasks(clip(t))),
            (None, Some(list)) => s.apply(Action::Tasks(list.len().to_string())),
            (None, None) => {}
        }
        if let Some(list) = nice {
            for (i, v) in list.into_iter().enumerate() {
                s.apply(Action::Nice(i, v));
            }
        }
        s
    }

    /// The keys (without prefix) that reproduce this state; defaults are left out.
    fn to_query(&self) -> Vec<(String, String)> {
        let d = State::default();
        let mut out = Vec::new();
        if self.latency.text != d.latency.text {
            out.push(("latency".to_string(), self.latency.text.clone()));
        }
        if self.granularity.text != d.granularity.text {
            out.push(("gran".to_string(), self.granularity.text.clone()));
        }
        if self.cpus.text != d.cpus.text {
            out.push(("cpus".to_string(), self.cpus.text.clone()));
        }
        if self.tasks.text != d.tasks.text {
            out.push(("tasks".to_string(), self.tasks.text.clone()));
        }
        if self.nice.iter().any(|f| f.text.trim() != "0") {
            let list: Vec<&str> = self.nice.iter().map(|f| f.text.as_str()).collect();
            out.push(("nice".to_string(), list.join(",")));
        }
        out
    }
}

impl Apply for State {
    type Action = Action;

    /// Applies one edit (the reducer's logic, without the `Rc`).
    fn apply(&mut self, action: Action) {
        match action {
            Action::Reset => {
                *self = State::default();
                return;
            }
            Action::Latency(t) => {
                let c = check_ms(&t).map(|_| ());
                self.latency.set(t, c);
            }
            Action::Granularity(t) => {
                let c = check_ms(&t).map(|_| ());
                self.granularity.set(t, c);
            }
            Action::Cpus(t) => {
                let c = check_int(&t, 1, WIDGET_MAX_CPUS, "CPUs").map(|_| ());
                self.cpus.set(t, c);
            }
            Action::Tasks(t) => {
                let c = check_int(&t, 1, WIDGET_MAX_TASKS, "tasks");
                if let Ok(n) = c {
                    self.nice.resize(n as usize, Field::new("0"));
                }
                self.tasks.set(t, c);
            }
            Action::Nice(i, t) => {
                let c = check_int(&t, -20, 19, "nice").map(|_| ());
                if let Some(f) = self.nice.get_mut(i) {
                    f.set(t, c);
                }
            }
        }
        self.recompute();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use youcpu_core::sched::Regime;

    fn with(actions: Vec<Action>) -> State {
        let mut s = State::default();
        for a in actions {
            s.apply(a);
        }
        s
    }

    #[test]
    fn defaults_are_linux_defaults_with_three_tasks() {
        let s = State::default();
        assert_eq!(s.latency.text, "6");
        assert_eq!(s.granularity.text, "0.75");
        assert_eq!(s.result.slices.len(), 3);
        assert_eq!(s.result.period_ns, 6_000_000);
        assert!(!s.has_errors());
    }

    #[test]
    fn more_tasks_switch_to_the_granularity_floor() {
        let s = with(vec![Action::Tasks("12".into())]);
        assert_eq!(s.result.regime, Regime::MinGranularity);
        assert_eq!(s.result.period_ns, 9_000_000);
        assert_eq!(s.nice.len(), 12);
    }

    #[test]
    fn bad_input_keeps_the_last_good_chart_and_says_why() {
        let good = with(vec![Action::Tasks("5".into())]);
        for junk in [
            "",
            "-3",
            "0",
            "1000000000",
            "abc",
            "٣",
            "1e3",
            &"9".repeat(100_000),
        ] {
            let mut s = good.clone();
            s.apply(Action::Tasks(junk.to_string()));
            assert!(s.tasks.error.is_some(), "{junk:?} accepted");
            assert_eq!(s.result, good.result, "{junk:?} changed the chart");
            assert_eq!(s.nice.len(), 5);
        }
    }

    #[test]
    fn every_field_validates() {
        let s = with(vec![
            Action::Latency("-1".into()),
            Action::Granularity("0".into()),
            Action::Cpus("0".into()),
            Action::Nice(0, "20".into()),
        ]);
        assert!(s.latency.error.is_some());
        assert!(s.granularity.error.as_deref() == Some("must be more than 0"));
        assert!(s.cpus.error.is_some());
        assert_eq!(
            s.nice[0].error.as_deref(),
            Some("nice must be between -20 and 19")
        );
        assert_eq!(s.result, State::default().result);
        // Fixing them all recomputes.
        let s2 = {
            let mut s2 = s.clone();
            for a in [
                Action::Latency("10".into()),
                Action::Granularity("1".into()),
                Action::Cpus("2".into()),
                Action::Nice(0, "0".into()),
            ] {
                s2.apply(a);
            }
            s2
        };
        assert!(!s2.has_errors());
        assert_eq!(s2.result.scaled_latency_ns, 20_000_000);
    }

    #[test]
    fn nice_index_past_the_end_is_ignored() {
        let s = with(vec![Action::Nice(99, "5".into())]);
        assert_eq!(s, State::default());
    }

    #[test]
    fn query_round_trip_reproduces_the_state() {
        let s = with(vec![
            Action::Tasks("4".into()),
            Action::Cpus("8".into()),
            Action::Nice(2, "7".into()),
            Action::Latency("12".into()),
        ]);
        let q = s.to_query();
        let back = State::from_query(&q.into());
        assert_eq!(back, s);
        assert!(State::default().to_query().is_empty());
    }

    #[test]
    fn hostile_links_are_bounded() {
        let pairs = vec![
            ("tasks".to_string(), "1000000000".to_string()),
            ("nice".to_string(), "0,".repeat(10_000)),
            ("latency".to_string(), "x".repeat(1_000_000)),
        ];
        let s = State::from_query(&pairs.into());
        assert!(s.tasks.error.is_some());
        assert!(s.latency.text.len() <= 200);
        assert!(s.nice.len() <= WIDGET_MAX_TASKS as usize);
    }
}
