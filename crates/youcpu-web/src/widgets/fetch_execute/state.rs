//! The fetch-decode-execute stepper's state: a short assembly program (labels resolved here),
//! assembled into the code page of a simulated Linux process, run one instruction at a time on
//! the core's CPU model, with a bounded undo history of whole-machine snapshots. A pure reducer.

use std::rc::Rc;
use crate::ui::{Apply, Query, Slice, UrlState};
pub use crate::widgets::ring3::{
    boot, boot_on, build, changes, ended, peek, step_once, LastStep, LineView, CODE, FLAGS,
    MAX_CODE, MAX_LINES, STACK_TOP,
};
use youcpu_core::cpu::state::State as CpuState;
use youcpu_core::cpu::vendor::Vendor;
use youcpu_core::linux::{Linux, ProcessState};

/// Most characters of program text kept.
pub const MAX_SOURCE: usize = 8000;
/// Most steps one click of Run takes.
pub const RUN_SLICE: u64 = 10_000;
/// Most steps one task of a Run takes before the page gets to paint and take input. A Run goes
/// on in chunks, each in its own timer task, and a chunk also ends when its time budget
/// ([`Slice`], [`crate::ui::SLICE_MS`]) is spent, so no task comes near 50 ms even at 4x CPU
/// throttling; on a fast machine a chunk runs more steps and the page renders fewer times. (A
/// fixed 100 steps per chunk, before issue #18's time budget, made a 10,000-step Run render a
/// hundred times.)
pub const RUN_CHUNK: u64 = 2_000;
/// Most steps in all, after which the program is considered runaway.
pub const MAX_STEPS: u64 = 1_000_000;
/// Most snapshots kept for Step back.
pub const MAX_HISTORY: usize = 200;

/// The default program: add 1..5 into RAX, then exit with the sum as the status.
pub const DEFAULT_PROGRAM: &str = "; rax = 1 + 2 + 3 + 4 + 5
    mov eax, 0
    mov ecx, 1
again:
    add rax, rcx
    inc rcx
    cmp rcx, 6
    jne again     ; rcx != 6: loop
    mov edi, eax  ; status = sum
    mov eax, 60   ; 60 is exit
    syscall";




/// An edit or a click.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// The program text changed.
    Source(String),
    /// Execute one instruction.
    Step,
    /// Execute up to [`RUN_SLICE`] instructions, stopping when the process ends: the first
    /// [`RUN_CHUNK`] now, the rest by [`Action::Continue`].
    Run,
    /// The next chunk of a Run (the view dispatches it from a timer while steps are pending).
    Continue,
    /// Stop a Run that is still going (its remaining chunks are dropped; what ran stays).
    Stop,
    /// Undo the last Step or Run.
    Back,
    /// Start the program over.
    Restart,
    /// Back to the default program.
    Reset,
    /// Model another vendor's core (the program starts over).
    Vendor(Vendor),
}

/// The widget's state.
#[derive(Clone)]
pub struct State {
    /// The program text.
    pub source: String,
    /// Each line assembled.
    pub lines: Vec<LineView>,
    /// A problem with the program as a whole (too long, no instructions).
    pub error: Option<String>,
    /// The running process, when the program assembled.
    pub os: Option<Rc<Linux>>,
    /// Earlier machines, most recent last.
    pub history: Vec<Rc<Linux>>,
    /// The registers before the last action (for highlighting changes).
    pub before: Option<CpuState>,
    /// What the last step did.
    pub last: Option<LastStep>,
    /// A message about the last action.
    pub notice: Option<String>,
    /// Steps the current Run still has to take (0 when no Run is going on).
    pub pending: u64,
    /// Whose core the machine models where results are undefined.
    pub vendor: Vendor,
    /// Most snapshots kept for Step back ([`MAX_HISTORY`] for this widget's small process;
    /// fewer for a whole program's machine handed over by another widget).
    pub keep: usize,
    /// Instructions the process had retired when this stepper got it ([`MAX_STEPS`] counts
    /// from here): 0 for this widget's own program.
    pub from: u64,
}

impl State {
    /// The state for a program text, on an Intel core.
    pub fn with_source(source: &str) -> Self {
        State::with_source_on(source, Vendor::Intel)
    }

    /// The state for a program text on a core of `vendor`.
    pub fn with_source_on(source: &str, vendor: Vendor) -> Self {
        let source: String = source.chars().take(MAX_SOURCE).collect();
        let (lines, code) = build(&source);
        let (os, error) = match code.and_then(|c| boot_on(&c, vendor)) {
            Ok(os) => (Some(Rc::new(os)), None),
            Err(e) => (None, Some(e)),
        };
        State {
            source,
            lines,
            error,
            os,
            history: Vec::new(),
            before: None,
            last: None,
            notice: None,
            pending: 0,
            vendor,
            keep: MAX_HISTORY,
            from: 0,
        }
    }

    /// The stepper on a machine another widget hands over (your-program's opened moment: a
    /// whole program's process, stopped at one instruction), with `lines` as its listing and
    /// at most `keep` snapshots for Step back. Its program text is empty: Restart, Reset and
    /// an edit start this widget's own program instead, so the view that embeds it offers only
    /// Step, Run, Stop and Step back.
    pub fn from_machine(os: Linux, lines: Vec<LineView>, keep: usize) -> Self {
        State {
            from: os.m.cpu.retired_user,
            source: String::new(),
            lines,
            error: None,
            vendor: os.m.cpu.s.vendor,
            os: Some(Rc::new(os)),
            history: Vec::new(),
            before: None,
            last: None,
            notice: None,
            pending: 0,
            keep,
        }
    }



    /// Instructions retired in ring 3 so far.
    pub fn retired(&self) -> u64 {
        self.os.as_ref().map_or(0, |o| o.m.cpu.retired_user)
    }

    /// True while the process can still run.
    pub fn running(&self) -> bool {
        self.os
            .as_ref()
            .is_some_and(|o| o.state == ProcessState::Running)
    }

    /// Takes up to `budget` steps, fewer when `slice` is spent first, and returns how many it
    /// took (at least one while the process runs). `record`: this starts a Step or a Run (the
    /// machine before it goes into the history, changes are shown against it); a Run's later
    /// chunks add to the same history entry.
    fn advance(&mut self, budget: u64, record: bool, mut slice: Option<Slice>) -> u64 {
        let Some(os) = self.os.clone() else { return 0 };
        if os.state != ProcessState::Running {
            return 0;
        }
        let mut next = (*os).clone();
        let before = next.m.cpu.s.clone();
        let mut last = None;
        let mut n = 0;
        while n < budget && next.state == ProcessState::Running {
            if next.m.cpu.retired_user.saturating_sub(self.from) >= MAX_STEPS {
                self.notice = Some(format!(
                    "Stopped: {MAX_STEPS} instructions is this widget's budget. Is it an endless loop?"
                ));
                break;
            }
            // In a Run only the chunk's last instruction is shown, so the others take the
            // plain step: `step_once` executes the same `step_traced` but also decodes and
            // formats the instruction, diffs the registers and may replay it on the other
            // vendor's core, about 250 times the cost of the step itself (33.6 us against
            // 0.14 us in a native release build), which made a Run's chunks slow and long.
            let spent = slice.as_mut().is_some_and(Slice::spent);
            if slice.is_some() && n + 1 < budget && !spent {
                next.step_traced();
            } else {
                match step_once(&mut next) {
                    Some(s) => last = Some(s),
                    None => break,
                }
            }
            n += 1;
            if spent {
                break;
            }
        }
        if let Some(e) = ended(&next.state) {
            self.notice = Some(e);
        }
        if record {
            self.history.push(os);
            if self.history.len() > self.keep {
                self.history.remove(0);
            }
            self.before = Some(before);
        }
        if last.is_some() {
            self.last = last;
        }
        self.os = Some(Rc::new(next));
        n
    }

    /// One chunk of a Run; when the Run's budget is spent with the process still running, says
    /// it paused.
    fn run_chunk(&mut self, first: bool) {
        // The first chunk shares the click's task with its render: a shorter slice.
        let slice = if first { Slice::first() } else { Slice::new() };
        let n = self.advance(RUN_CHUNK.min(self.pending), first, Some(slice));
        self.pending = self.pending.saturating_sub(n);
        if n == 0 || !self.running() || self.notice.is_some() {
            self.pending = 0;
        }
        if self.pending == 0 && self.running() && self.notice.is_none() {
            self.notice = Some(format!(
                "Paused after {RUN_SLICE} steps so the page stays responsive; Run again to go on."
            ));
        }
    }
}

impl UrlState for State {
    const PREFIX: &'static str = "fe-";

    /// Restores the state from the widget's URL keys (prefix removed).
    fn from_query(q: &Query) -> Self {
        let vendor = q.get("cpu").and_then(|v| v.parse().ok()).unwrap_or_default();
        State::with_source_on(q.get("src").unwrap_or(DEFAULT_PROGRAM), vendor)
    }

    /// The widget's URL keys (prefix removed): the program text unless it is the default, the
    /// vendor unless it is Intel.
    fn to_query(&self) -> Vec<(String, String)> {
        let mut q = Vec::new();
        if self.source != DEFAULT_PROGRAM {
            q.push(("src".into(), self.source.clone()));
        }
        if self.vendor != Vendor::Intel {
            q.push(("cpu".into(), self.vendor.id().into()));
        }
        q
    }
}

impl Apply for State {
    type Action = Action;

    /// A chunk that arrives after the Run ended or was stopped changes nothing (and renders
    /// nothing).
    fn ignores(&self, action: &Action) -> bool {
        *action == Action::Continue && self.pending == 0
    }

    fn apply(&mut self, action: Action) {
        self.notice = None;
        if action != Action::Continue {
            self.pending = 0;
        }
        match action {
            Action::Source(t) => *self = State::with_source_on(&t, self.vendor),
            Action::Reset => *self = State::with_source(DEFAULT_PROGRAM),
            Action::Restart => *self = State::with_source_on(&self.source, self.vendor),
            Action::Vendor(v) => *self = State::with_source_on(&self.source, v),
            Action::Step => {
                self.last = None;
                self.advance(1, true, None);
            }
            Action::Run => {
                self.last = None;
                self.pending = RUN_SLICE;
                self.run_chunk(true);
            }
            Action::Continue => {
                if self.pending > 0 {
                    self.run_chunk(false);
                }
            }
            Action::Stop => {
                self.notice = Some(format!(
                    "Stopped after {} instructions; Run to go on.",
                    self.retired()
                ));
            }
            Action::Back => {
                if let Some(prev) = self.history.pop() {
                    self.os = Some(prev);
                    self.before = None;
                    self.last = None;
                    self.notice = Some("Stepped back: the whole machine as it was.".into());
                }
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use youcpu_core::cpu::state::rflags;
    use youcpu_core::cpu::state::RAX;

    /// The rest of a Run's chunks, as the view's timer would dispatch them.
    fn finish(mut s: Rc<State>) -> Rc<State> {
        // Each chunk takes at least one step.
        for _ in 0..=RUN_SLICE {
            if s.pending == 0 {
                break;
            }
            s = s.reduce(Action::Continue);
        }
        assert_eq!(s.pending, 0, "a Run ends within its budget");
        s
    }

    /// A Run and its chunks.
    fn run_all(s: Rc<State>) -> Rc<State> {
        finish(s.reduce(Action::Run))
    }

    #[test]
    fn default_program_sums_and_exits_with_15() {
        let s = Rc::new(State::from_query(&Query::default()));
        assert!(s.error.is_none(), "{:?} {:?}", s.error, s.lines);
        let s = run_all(s);
        let os = s.os.as_ref().unwrap();
        assert_eq!(os.state, ProcessState::Exited { code: 15 });
        assert_eq!(os.m.cpu.s.gpr[RAX], 60);
        assert!(s.notice.as_deref().unwrap().contains("status 15"));
    }

    #[test]
    fn step_shows_the_three_phases_and_back_undoes() {
        let s = Rc::new(State::from_query(&Query::default()));
        let s = s.reduce(Action::Step).reduce(Action::Step);
        let l = s.last.clone().unwrap();
        assert_eq!(l.rip, CODE + 5);
        assert_eq!(l.text, "mov ecx, 0x1");
        assert_eq!(l.len, 5);
        assert_eq!(l.fetched, vec![0xb9, 1, 0, 0, 0]);
        assert!(l.changes.iter().any(|c| c.starts_with("rcx: 0x0 → 0x1")));
        let s = s.reduce(Action::Step);
        assert_eq!(s.last.as_ref().unwrap().text, "add rax, rcx");
        let s = s.reduce(Action::Back);
        assert_eq!(s.os.as_ref().unwrap().m.cpu.s.rip, CODE + 10);
        assert_eq!(s.retired(), 2);
    }

    #[test]
    fn labels_resolve_forward_and_back() {
        let (lines, code) = build("  jmp fwd\nback: nop\nfwd: jmp back");
        let code = code.unwrap();
        // A numeric target gets the rel32 form, as GNU as gives it.
        assert_eq!(
            code,
            vec![0xe9, 1, 0, 0, 0, 0x90, 0xe9, 0xfa, 0xff, 0xff, 0xff]
        );
        assert_eq!(lines[2].addr, CODE + 6);
    }

    #[test]
    fn bad_lines_are_marked_and_nothing_runs() {
        let s = State::with_source("mov eax, 1\nfrobnicate rax\nmov rax, [");
        assert!(s.os.is_none());
        assert!(s.lines[1].error.is_some() && s.lines[2].error.is_some());
        assert!(s.lines[0].error.is_none());
        let s = Rc::new(s).reduce(Action::Step).reduce(Action::Run);
        assert!(s.last.is_none());
        assert!(State::with_source("").error.is_some());
        assert!(State::with_source("a: nop\na: nop").error.is_some());
    }

    #[test]
    fn a_chunk_ends_when_its_time_budget_is_spent_and_stop_ends_the_run() {
        // A clock that has always passed the deadline: the chunk stops at the first reading.
        fn late() -> f64 {
            static CALLS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
            CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed) as f64 * 1000.0
        }
        let mut s = State::with_source("top: jmp top");
        let n = s.advance(RUN_CHUNK, true, Some(Slice::on_clock(0.5, late)));
        assert_eq!(n, u64::from(Slice::CHECK_EVERY), "stops at the first clock reading");
        // Without a budget in time, the budget in steps.
        let mut s = State::with_source("top: jmp top");
        assert_eq!(s.advance(37, true, None), 37);
        // Stop: the rest of the Run is dropped, what ran stays, Run goes on from there.
        let s = Rc::new(State::with_source("top: jmp top")).reduce(Action::Run);
        let ran = s.retired();
        let s = s.reduce(Action::Stop);
        assert_eq!(s.pending, 0);
        assert_eq!(s.retired(), ran);
        assert!(s.notice.as_deref().unwrap().starts_with("Stopped after"));
        assert!(s.clone().reduce(Action::Continue).retired() == ran, "a late chunk does nothing");
        assert!(s.reduce(Action::Run).retired() > ran);
    }

    #[test]
    fn a_run_reaches_the_machine_that_as_many_single_steps_reach() {
        let src = "mov ecx, 7\nagain: imul rax, rcx, 3\nshl rax, 1\ndec ecx\njnz again\nmov edi, 0\nmov eax, 60\nsyscall";
        let ran = run_all(Rc::new(State::with_source(src)));
        let mut stepped = Rc::new(State::with_source(src));
        while stepped.running() {
            stepped = stepped.reduce(Action::Step);
        }
        let (a, b) = (ran.os.as_ref().unwrap(), stepped.os.as_ref().unwrap());
        assert_eq!(a.state, b.state);
        assert_eq!(a.m.cpu.s.gpr, b.m.cpu.s.gpr);
        assert_eq!(a.m.cpu.s.rflags, b.m.cpu.s.rflags);
        assert_eq!(ran.retired(), stepped.retired());
    }

    #[test]
    fn endless_loop_pauses_and_hlt_in_ring3_is_killed() {
        let s = Rc::new(State::with_source("top: jmp top")).reduce(Action::Run);
        let first = s.retired();
        assert!(
            (1..=RUN_CHUNK).contains(&first),
            "a Run takes one chunk at a time: {first}"
        );
        assert_eq!(s.pending, RUN_SLICE - first);
        assert!(s.notice.is_none());
        let s = finish(s);
        assert!(s.running());
        assert_eq!(s.retired(), RUN_SLICE);
        assert_eq!(s.history.len(), 1, "one Run is one step back");
        assert!(s.notice.as_deref().unwrap().contains("Paused"));
        let back = s.reduce(Action::Back);
        assert_eq!(back.retired(), 0);
        // A Step during a Run ends the Run.
        let s = Rc::new(State::with_source("top: jmp top"))
            .reduce(Action::Run)
            .reduce(Action::Step);
        assert_eq!(s.pending, 0);
        assert!((2..=RUN_CHUNK + 1).contains(&s.retired()));
        let s = Rc::new(State::with_source("hlt")).reduce(Action::Run);
        let os = s.os.as_ref().unwrap();
        assert!(matches!(os.state, ProcessState::Killed { signal: 11, .. }));
    }

    #[test]
    fn history_is_bounded_and_url_round_trips() {
        let mut s = Rc::new(State::with_source("top: inc rax\njmp top"));
        for _ in 0..(MAX_HISTORY + 20) {
            s = s.reduce(Action::Step);
        }
        assert_eq!(s.history.len(), MAX_HISTORY);
        let q = s.to_query();
        let back = State::from_query(&q.into());
        assert_eq!(back.source, s.source);
        assert!(State::from_query(&Query::default()).to_query().is_empty());
        let long = "nop\n".repeat(5000);
        assert!(State::with_source(&long).source.len() <= MAX_SOURCE);
    }

    /// After DIV the flags are undefined: the step says which, and what each vendor's core
    /// leaves (Intel keeps ZF/PF from the XOR before it, AMD clears them and sets AF).
    #[test]
    fn undefined_flags_are_marked_with_both_vendors_values() {
        let prog = "mov eax, 10\nxor edx, edx\nmov ecx, 3\ndiv ecx\nadd eax, 1";
        let mut s = Rc::new(State::with_source(prog));
        // mov: every flag defined (none touched); xor: AF undefined, both leave 0.
        let expect = [0, rflags::AF, 0];
        for want in expect {
            s = s.reduce(Action::Step);
            let l = s.last.clone().unwrap();
            assert_eq!(l.undefined, want, "{}", l.text);
            if want != 0 {
                assert_eq!((l.vendors[0].1 ^ l.vendors[1].1) & want, 0, "{}", l.text);
            }
        }
        s = s.reduce(Action::Step);
        let l = s.last.clone().unwrap();
        assert!(l.text.starts_with("div"), "{}", l.text);
        assert_eq!(l.undefined, rflags::STATUS);
        let v: Vec<(Vendor, u64)> = l.vendors.iter().map(|(v, f)| (*v, f & 0xfff)).collect();
        assert_eq!(v, vec![(Vendor::Intel, 0x246), (Vendor::Amd, 0x212)]);
        // The quotient and remainder do not depend on the vendor.
        assert_eq!(s.os.as_ref().unwrap().m.cpu.s.gpr[RAX], 3);
        s = s.reduce(Action::Step);
        assert_eq!(s.last.as_ref().map(|l| l.undefined), Some(0));
        assert!(s.last.as_ref().unwrap().vendors.is_empty());
    }

    /// The AMD core is a stated choice kept in the URL; the program starts over on it.
    #[test]
    fn vendor_choice_round_trips_through_the_url() {
        let s = Rc::new(State::with_source(DEFAULT_PROGRAM));
        assert_eq!(s.to_query(), Vec::<(String, String)>::new());
        let s = s.reduce(Action::Vendor(Vendor::Amd));
        assert_eq!(s.vendor, Vendor::Amd);
        assert_eq!(s.os.as_ref().unwrap().m.cpu.s.vendor, Vendor::Amd);
        let q = s.to_query();
        assert_eq!(q, vec![("cpu".to_string(), "amd".to_string())]);
        let back = State::from_query(&q.into());
        assert_eq!(back.vendor, Vendor::Amd);
        let s = s.reduce(Action::Source("shl eax, 3".into()));
        assert_eq!(s.vendor, Vendor::Amd, "editing keeps the vendor");
        let s = s.reduce(Action::Step);
        let l = s.last.clone().unwrap();
        assert_eq!(l.undefined, rflags::AF | rflags::OF);
        assert_eq!(l.vendors[0].0, Vendor::Amd);
        assert_eq!(
            l.vendors[0].1 & rflags::AF,
            rflags::AF,
            "AMD sets AF after SHL"
        );
        assert_eq!(l.vendors[1].1 & rflags::AF, 0, "Intel clears it");
        let bad = State::from_query(&Query::from([("cpu", "z80")]));
        assert_eq!(
            bad.vendor,
            Vendor::Intel,
            "an unknown vendor falls back to Intel"
        );
    }
}
