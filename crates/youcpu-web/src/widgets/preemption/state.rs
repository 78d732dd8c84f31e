//! The preemption widget's state: the settings (processes, mode, timer period or yield
//! interval), the multi-process machine of [`youcpu_core::preempt`] built from them, and what
//! the last action did (for the live region). A pure reducer: Run's slices arrive as `Tick`
//! actions from the view's timer.

use std::rc::Rc;
use crate::ui::{Apply, Query, Slice, UrlState};
use youcpu_core::preempt::trace::{thousands, Reason};
use youcpu_core::preempt::{
    Config, Error, Mode, ProcessSpec, Program, System, Until, MAX_PERIOD, MAX_YIELD_EVERY,
};
use youcpu_core::units::parse_int;

/// Steps per Run slice (one timer tick of the view).
pub const RUN_SLICE: u64 = 400;
/// The most steps one tick may ask for.
pub const MAX_SLICE: u64 = 20_000;
/// The most steps "Step to next switch" takes before giving up.
pub const SWITCH_BUDGET: u64 = 200_000;
/// The most steps replayed when a link restores a position.
pub const MAX_RESTORE: u64 = 200_000;
/// The fewest and most processes offered.
pub const MIN_PROCS: usize = 2;
/// See [`MIN_PROCS`].
pub const MAX_PROCS: usize = 3;
/// Letters of the processes, in task order.
pub const LETTERS: [u8; 3] = [b'A', b'B', b'C'];

/// How the CPU is shared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sharing {
    /// A timer interrupt every `period` instructions.
    Preemptive,
    /// Processes call sched_yield.
    Cooperative,
}

/// What the reader chose.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Settings {
    /// One program per process (2 or 3).
    pub programs: Vec<Program>,
    /// The mode.
    pub sharing: Sharing,
    /// Timer period in instructions.
    pub period: u64,
    /// Yield every this many increments.
    pub yield_every: u64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            programs: vec![Program::Counter, Program::SlowCounter, Program::Runaway],
            sharing: Sharing::Preemptive,
            period: 200,
            yield_every: 8,
        }
    }
}

impl Settings {
    /// The core's mode.
    pub fn mode(&self) -> Mode {
        match self.sharing {
            Sharing::Preemptive => Mode::Preemptive {
                period: self.period,
            },
            Sharing::Cooperative => Mode::Cooperative {
                yield_every: self.yield_every,
            },
        }
    }

    /// The machine's configuration.
    pub fn config(&self) -> Config {
        let mode = self.mode();
        Config {
            processes: self
                .programs
                .iter()
                .zip(LETTERS)
                .map(|(p, l)| ProcessSpec::new(*p, l, mode))
                .collect(),
            mode,
        }
    }
}

/// An edit or a click.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// Two or three processes.
    Count(usize),
    /// Process `i` runs this program.
    Program(usize, Program),
    /// Preemptive or cooperative.
    Sharing(Sharing),
    /// The timer period as typed.
    Period(String),
    /// The yield interval as typed.
    YieldEvery(String),
    /// One instruction (or one interrupt delivery).
    Step,
    /// Until the next kernel trip that resumes a task: the first time slice now, the rest one
    /// per task ([`Action::SeekMore`]).
    StepSwitch,
    /// The next time slice of a "Step to next switch" in progress (from the view's timer).
    SeekMore,
    /// Start running in slices.
    Run,
    /// Stop running, or stop a "Step to next switch" in progress.
    Pause,
    /// One slice of Run: this many steps (at most [`MAX_SLICE`]).
    Tick(u64),
    /// Back to the defaults.
    Reset,
}

/// The widget's state.
#[derive(Clone)]
pub struct State {
    /// The settings.
    pub settings: Settings,
    /// The period field's text and its error.
    pub period_text: (String, Option<String>),
    /// The yield field's text and its error.
    pub yield_text: (String, Option<String>),
    /// The machine (None when it could not be built).
    pub sys: Option<Rc<System>>,
    /// Why there is no machine, or why it stopped.
    pub error: Option<String>,
    /// Running in slices.
    pub running: bool,
    /// A "Step to next switch" still searching.
    pub seek: Option<Seek>,
    /// What the last action did, for the live region.
    pub announce: String,
}

/// A "Step to next switch" in progress. It runs in time slices ([`Slice`], 8 ms), one per task,
/// so a long search never blocks the page (issue #18): a timer period longer than a slice's
/// worth of instructions, or a cooperative machine frozen in a loop that never yields, used to
/// take up to [`SWITCH_BUDGET`] steps in one task. The view shows the count growing and offers
/// Stop ([`Action::Pause`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Seek {
    /// Steps still allowed before giving up.
    pub left: u64,
    /// Steps taken so far.
    pub taken: u64,
    /// The machine's switch count when the search began.
    switches: u64,
}

fn parse_program_list(v: &str) -> Option<Vec<Program>> {
    let list: Option<Vec<Program>> = v.split(',').map(Program::from_id).collect();
    list.filter(|l| (MIN_PROCS..=MAX_PROCS).contains(&l.len()))
}

impl State {
    /// A fresh machine for `settings`.
    pub fn with_settings(settings: Settings) -> Self {
        let (sys, error) = match System::new(&settings.config()) {
            Ok(s) => (Some(Rc::new(s)), None),
            Err(e) => (None, Some(e.to_string())),
        };
        State {
            period_text: (settings.period.to_string(), None),
            yield_text: (settings.yield_every.to_string(), None),
            settings,
            sys,
            error,
            running: false,
            seek: None,
            announce: String::new(),
        }
    }



    /// Steps taken (instructions plus interrupt deliveries).
    pub fn steps(&self) -> u64 {
        self.sys
            .as_ref()
            .map_or(0, |s| s.instructions() + s.timer_interrupts())
    }

    fn rebuild(&mut self) {
        let fresh = State::with_settings(self.settings.clone());
        self.sys = fresh.sys;
        self.error = fresh.error;
        self.running = false;
        self.seek = None;
    }

    /// Runs `budget` steps (or to the next switch) on a copy of the machine.
    fn advance(&mut self, budget: u64, until: Until) {
        let Some(sys) = self.sys.as_ref() else {
            self.running = false;
            return;
        };
        let mut next = (**sys).clone();
        let switches = next.switch_total();
        let result = next.run(budget, until);
        self.finish(next, result, until, switches);
    }

    /// Starts a "Step to next switch": its first slice runs now.
    fn seek_start(&mut self) {
        self.seek = self.sys.as_ref().map(|s| Seek {
            left: SWITCH_BUDGET,
            taken: 0,
            switches: s.switch_total(),
        });
        self.seek_slice(Slice::new());
    }

    /// One slice of a "Step to next switch": steps until a task is resumed, the budget is
    /// spent, the machine stops, or `slice`'s time is up (then the search stays open for the
    /// next [`Action::SeekMore`]).
    pub(crate) fn seek_slice(&mut self, mut slice: Slice) {
        let (Some(sys), Some(mut seek)) = (self.sys.as_ref(), self.seek) else {
            self.seek = None;
            return;
        };
        let mut next = (**sys).clone();
        let mut outcome = None;
        while seek.left > 0 {
            match next.step() {
                Ok(resumed) => {
                    seek.left -= 1;
                    seek.taken += 1;
                    if resumed {
                        outcome = Some(Ok(seek.taken));
                        break;
                    }
                }
                Err(e) => {
                    outcome = Some(Err(e));
                    break;
                }
            }
            if slice.spent() {
                break;
            }
        }
        if seek.left == 0 && outcome.is_none() {
            outcome = Some(Ok(seek.taken));
        }
        match outcome {
            Some(result) => {
                self.seek = None;
                self.finish(next, result, Until::Switch, seek.switches);
            }
            None => {
                self.seek = Some(seek);
                self.announce = format!(
                    "Looking for the next switch: {} instructions so far.",
                    thousands(seek.taken)
                );
                self.sys = Some(Rc::new(next));
            }
        }
    }

    /// Keeps `next`, the machine after an action, and says what happened (`switches`: the
    /// switch count before it).
    fn finish(&mut self, next: System, result: Result<u64, Error>, until: Until, switches: u64) {
        let sw = next.switch_total() - switches;
        self.announce = match &result {
            Err(e) => {
                self.running = false;
                self.error = Some(e.to_string());
                format!("Stopped: {e}")
            }
            Ok(n) if until == Until::Switch && sw == 0 => format!(
                "No switch in {} steps.{}",
                thousands(*n),
                next.frozen()
                    .map(|_| " The machine is frozen: see why below.")
                    .unwrap_or_default()
            ),
            Ok(_) => {
                let cpu = next.cpu();
                let who = if cpu.cpl == 0 {
                    "the kernel (ring 0)".to_string()
                } else {
                    format!("task {} (ring 3)", cpu.current + 1)
                };
                let last = next.switches().back();
                match (sw, last) {
                    (0, _) | (_, None) => format!(
                        "Instruction {}: {who} at RIP {:#x}{}.",
                        thousands(next.instructions()),
                        cpu.rip,
                        next.line_at_rip()
                            .map(|l| format!(", next `{l}`"))
                            .unwrap_or_default()
                    ),
                    (1, Some(l)) => format!("{}. Now {who}.", capital(&l.headline())),
                    (k, Some(l)) => format!(
                        "{} switches; the last: {}. Now {who}.",
                        thousands(k),
                        l.headline()
                    ),
                }
            }
        };
        self.sys = Some(Rc::new(next));
    }

    /// When the machine cannot switch any more, why.
    pub fn frozen(&self) -> Option<String> {
        self.sys.as_ref().and_then(|s| s.frozen())
    }

    /// The reason of the latest switch (for styling).
    pub fn last_reason(&self) -> Option<Reason> {
        self.sys
            .as_ref()
            .and_then(|s| s.switches().back().map(|w| w.reason))
    }
}

impl State {
    /// The default state.
    pub fn default_state() -> Self {
        State::with_settings(Settings::default())
    }
}

fn capital(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

impl UrlState for State {
    const PREFIX: &'static str = "pe-";

    /// Restores the settings (and the position, by replaying) from the widget's URL keys.
    fn from_query(q: &Query) -> Self {
        let mut s = Settings::default();
        let get = |k: &str| q.get(k);
        if let Some(l) = get("p").and_then(parse_program_list) {
            s.programs = l;
        }
        if get("mode") == Some("coop") {
            s.sharing = Sharing::Cooperative;
        }
        if let Some(Ok(v)) = get("period").map(|v| parse_int(v, 1, MAX_PERIOD as i64)) {
            s.period = v as u64;
        }
        if let Some(Ok(v)) = get("yield").map(|v| parse_int(v, 1, MAX_YIELD_EVERY as i64)) {
            s.yield_every = v as u64;
        }
        let mut st = State::with_settings(s);
        if let Some(Ok(at)) = get("at").map(|v| parse_int(v, 0, MAX_RESTORE as i64)) {
            st.advance(at as u64, Until::Budget);
            st.announce.clear();
        }
        st
    }

    /// The widget's URL keys (prefix removed): settings that differ from the defaults, and
    /// the position in steps when not at the start.
    fn to_query(&self) -> Vec<(String, String)> {
        let d = Settings::default();
        let s = &self.settings;
        let mut q = Vec::new();
        if s.programs != d.programs {
            let ids: Vec<&str> = s.programs.iter().map(|p| p.id()).collect();
            q.push(("p".into(), ids.join(",")));
        }
        if s.sharing == Sharing::Cooperative {
            q.push(("mode".into(), "coop".into()));
        }
        if s.period != d.period {
            q.push(("period".into(), s.period.to_string()));
        }
        if s.yield_every != d.yield_every {
            q.push(("yield".into(), s.yield_every.to_string()));
        }
        let at = self.steps();
        if at > 0 && at <= MAX_RESTORE {
            q.push(("at".into(), at.to_string()));
        }
        q
    }
}

impl Apply for State {
    type Action = Action;

    /// A slice that arrives after a pause changes nothing (and renders nothing).
    fn ignores(&self, action: &Action) -> bool {
        match action {
            Action::Tick(_) => !self.running,
            Action::SeekMore => self.seek.is_none(),
            _ => false,
        }
    }

    fn apply(&mut self, action: Action) {
        // Anything the reader does ends a "Step to next switch" still searching; what it ran
        // stays.
        let ended_seek = match action {
            Action::SeekMore => None,
            _ => self.seek.take(),
        };
        match action {
            Action::Count(n) => {
                let n = n.clamp(MIN_PROCS, MAX_PROCS);
                let all = [Program::Counter, Program::SlowCounter, Program::Runaway];
                while self.settings.programs.len() < n {
                    let k = self.settings.programs.len();
                    self.settings.programs.push(all[k % all.len()]);
                }
                self.settings.programs.truncate(n);
                self.rebuild();
                self.announce = format!("{n} processes; the machine starts over.");
            }
            Action::Program(i, p) => {
                if let Some(slot) = self.settings.programs.get_mut(i) {
                    *slot = p;
                    self.rebuild();
                    self.announce = format!("Task {} runs the {}.", i + 1, p.id());
                }
            }
            Action::Sharing(m) => {
                self.settings.sharing = m;
                self.rebuild();
                self.announce = match m {
                    Sharing::Preemptive => "Preemptive: the timer is on.".into(),
                    Sharing::Cooperative => {
                        "Cooperative: the timer is off; processes must yield.".into()
                    }
                };
            }
            Action::Period(t) => match parse_int(&t, 1, MAX_PERIOD as i64) {
                Ok(v) => {
                    self.period_text = (t, None);
                    if self.settings.period != v as u64 {
                        self.settings.period = v as u64;
                        self.rebuild();
                    }
                }
                Err(e) => self.period_text = (t, Some(e.to_string())),
            },
            Action::YieldEvery(t) => match parse_int(&t, 1, MAX_YIELD_EVERY as i64) {
                Ok(v) => {
                    self.yield_text = (t, None);
                    if self.settings.yield_every != v as u64 {
                        self.settings.yield_every = v as u64;
                        self.rebuild();
                    }
                }
                Err(e) => self.yield_text = (t, Some(e.to_string())),
            },
            Action::Step => {
                self.running = false;
                self.advance(1, Until::Budget);
            }
            Action::StepSwitch => {
                self.running = false;
                self.seek_start();
            }
            Action::SeekMore => self.seek_slice(Slice::new()),
            Action::Run => {
                if self.sys.as_ref().is_some_and(|x| x.stopped().is_none()) {
                    self.running = true;
                    self.announce = "Running.".into();
                }
            }
            Action::Pause => {
                self.running = false;
                let n = self.sys.as_ref().map_or(0, |x| x.instructions());
                self.announce = match ended_seek {
                    Some(k) => format!(
                        "Stopped looking for the next switch after {} steps, at instruction {}.",
                        thousands(k.taken),
                        thousands(n)
                    ),
                    None => format!("Paused at instruction {}.", thousands(n)),
                };
            }
            Action::Tick(n) => {
                if !self.running {
                    return;
                }
                let before = self.announce.clone();
                self.advance(n.clamp(1, MAX_SLICE), Until::Budget);
                if self.running {
                    // The live region speaks only on start, pause and errors, not every slice.
                    self.announce = before;
                }
            }
            Action::Reset => {
                let mut fresh = State::with_settings(Settings::default());
                fresh.announce = "Back to the defaults.".into();
                *self = fresh;
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    /// Applies `a`; a "Step to next switch" is followed by its slices to the end, as the
    /// view's timer gives them.
    fn act(s: Rc<State>, a: Action) -> Rc<State> {
        let mut s = s.reduce(a);
        while s.seek.is_some() {
            s = s.reduce(Action::SeekMore);
        }
        s
    }

    fn counters(s: &State) -> Vec<u64> {
        s.sys
            .as_ref()
            .unwrap()
            .processes()
            .iter()
            .map(|p| p.counter)
            .collect()
    }

    #[test]
    fn defaults_build_and_step_to_switches() {
        let s = Rc::new(State::with_settings(Settings::default()));
        assert!(s.error.is_none());
        let s = act(s, Action::Step);
        assert!(
            s.announce.starts_with("Instruction 1: the kernel"),
            "{}",
            s.announce
        );
        let s = act(s, Action::StepSwitch);
        assert!(
            s.announce.starts_with("Boot: the kernel starts task 1"),
            "{}",
            s.announce
        );
        let s = act(s, Action::StepSwitch);
        assert!(
            s.announce.starts_with("Timer: task 1 → task 2"),
            "{}",
            s.announce
        );
        assert_eq!(s.sys.as_ref().unwrap().cpu().current, 1);
    }

    #[test]
    fn run_ticks_advance_all_counters_in_preemptive_mode() {
        let mut s = act(Rc::new(State::default_state()), Action::Run);
        assert!(s.running);
        for _ in 0..60 {
            s = act(s, Action::Tick(RUN_SLICE));
        }
        assert!(counters(&s).iter().all(|c| *c > 0), "{:?}", counters(&s));
        let s = act(s, Action::Pause);
        assert!(!s.running);
        let n = s.steps();
        let s = act(s, Action::Tick(RUN_SLICE));
        assert_eq!(s.steps(), n, "a tick after pause does nothing");
        let s = act(s, Action::Run);
        let s = act(s, Action::Tick(u64::MAX));
        assert_eq!(s.steps(), n + MAX_SLICE, "a tick is bounded");
    }

    #[test]
    fn cooperative_with_a_runaway_freezes_and_says_why() {
        let s = Rc::new(State::default_state());
        let mut s = act(s, Action::Sharing(Sharing::Cooperative));
        s = act(s, Action::Run);
        for _ in 0..40 {
            s = act(s, Action::Tick(RUN_SLICE));
        }
        let before = counters(&s);
        for _ in 0..20 {
            s = act(s, Action::Tick(RUN_SLICE));
        }
        let after = counters(&s);
        assert_eq!(before[0], after[0]);
        assert_eq!(before[1], after[1]);
        assert!(after[2] > before[2]);
        assert!(s.frozen().unwrap().contains("timer is off"));
        let s = act(s, Action::StepSwitch);
        assert!(s.announce.contains("frozen"), "{}", s.announce);
    }

    #[test]
    fn bad_numbers_are_reported_and_keep_the_machine() {
        let s = Rc::new(State::default_state());
        let s = act(s, Action::Period("0".into()));
        assert!(s.period_text.1.is_some());
        assert_eq!(s.settings.period, 200);
        let s = act(s, Action::Period("abc".into()));
        assert!(s.period_text.1.is_some());
        let s = act(s, Action::Period("150".into()));
        assert_eq!((s.settings.period, s.period_text.1.clone()), (150, None));
        let s = act(s, Action::YieldEvery("2000000".into()));
        assert!(s.yield_text.1.is_some());
        let s = act(s, Action::Count(9));
        assert_eq!(s.settings.programs.len(), 3);
        let s = act(s, Action::Count(2));
        assert_eq!(s.settings.programs.len(), 2);
        let s = act(s, Action::Program(7, Program::Runaway));
        assert_eq!(s.settings.programs.len(), 2);
    }

    #[test]
    fn url_round_trips_settings_and_position() {
        let s = Rc::new(State::default_state());
        assert!(s.to_query().is_empty());
        let s = act(s, Action::Program(0, Program::Runaway));
        let s = act(s, Action::Sharing(Sharing::Cooperative));
        let s = act(s, Action::YieldEvery("3".into()));
        let s = act(s, Action::Count(2));
        let s = act(s, Action::StepSwitch);
        let s = act(s, Action::Step);
        let q = s.to_query();
        let r = State::from_query(&q.into());
        assert_eq!(r.settings, s.settings);
        assert_eq!(r.steps(), s.steps());
        assert_eq!(r.sys.as_ref().unwrap().cpu(), s.sys.as_ref().unwrap().cpu());
        // Nonsense is ignored key by key.
        let bad: Vec<(String, String)> = [("p", "counter,nope"), ("period", "-4"), ("at", "x")]
            .iter()
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect();
        let r = State::from_query(&bad.into());
        assert_eq!(r.settings, Settings::default());
        assert_eq!(r.steps(), 0);
    }

    #[test]
    fn a_switch_sought_in_slices_ends_where_one_search_ends_and_stop_ends_it() {
        // A clock always past the deadline: each slice stops at its first reading.
        fn late() -> f64 {
            static CALLS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
            CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed) as f64 * 1000.0
        }
        // The default machine after its boot switch: the next switch is the timer's, 200
        // instructions on.
        let booted = act(Rc::new(State::default_state()), Action::StepSwitch);
        let mut whole = (*booted).clone();
        whole.advance(SWITCH_BUDGET, Until::Switch);
        let mut sliced = (*booted).clone();
        sliced.seek = Some(Seek {
            left: SWITCH_BUDGET,
            taken: 0,
            switches: booted.sys.as_ref().unwrap().switch_total(),
        });
        let mut slices = 0;
        while sliced.seek.is_some() {
            sliced.seek_slice(Slice::on_clock(0.5, late));
            slices += 1;
            if let Some(k) = sliced.seek {
                assert_eq!(k.taken, slices * u64::from(Slice::CHECK_EVERY));
                assert!(sliced.announce.starts_with("Looking for the next switch"));
            }
        }
        assert!(slices > 10, "{slices} slices");
        let (a, b) = (whole.sys.as_ref().unwrap(), sliced.sys.as_ref().unwrap());
        assert_eq!(a.cpu(), b.cpu());
        assert_eq!(a.instructions(), b.instructions());
        assert_eq!(a.switch_total(), b.switch_total());
        assert_eq!(whole.announce, sliced.announce);
        assert!(sliced.announce.starts_with("Timer: task 1 → task 2"), "{}", sliced.announce);

        // Stop in the middle: the steps taken stay, the search ends, a later slice does nothing.
        let frozen = act(
            act(Rc::new(State::default_state()), Action::Sharing(Sharing::Cooperative)),
            Action::Run,
        );
        let mut frozen = (*frozen).clone();
        for _ in 0..40 {
            frozen.apply(Action::Tick(RUN_SLICE));
        }
        frozen.apply(Action::Pause);
        assert!(frozen.frozen().is_some());
        let at = frozen.steps();
        let mut s = Rc::new(frozen).reduce(Action::StepSwitch);
        assert!(s.seek.is_some(), "a frozen machine is not searched in one slice");
        s = s.reduce(Action::SeekMore);
        let taken = s.seek.unwrap().taken;
        assert_eq!(s.steps(), at + taken);
        let s = s.reduce(Action::Pause);
        assert!(s.seek.is_none());
        assert!(s.announce.starts_with("Stopped looking for the next switch"), "{}", s.announce);
        let n = s.steps();
        let s = s.reduce(Action::SeekMore);
        assert_eq!(s.steps(), n, "a slice after Stop does nothing");
    }

    #[test]
    fn reset_returns_to_defaults() {
        let s = Rc::new(State::default_state());
        let s = act(s, Action::Count(2));
        let s = act(s, Action::Reset);
        assert_eq!(s.settings, Settings::default());
        assert!(s.to_query().is_empty());
    }
}
