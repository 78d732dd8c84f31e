//! The "your program" widget's state: which program (an example the page fetches when it is
//! picked, or files the reader dropped), its argv, environment and standard input, the step
//! budget and memory limit; the run in the simulated kernel (advanced in slices by the view's
//! background task), its console and the story of its events ([`narrate`]); the event chosen
//! and, opened from it, the state of the machine at that moment.

use std::cell::RefCell;
use std::rc::Rc;
use youcpu_core::linux::narrate::{self, Moment, Stage};
use youcpu_core::linux::trace::Categories;
use youcpu_core::linux::{Config, Linux, ProcessState};
use youcpu_core::loader::stack::RANDOM_SEED;
use youcpu_core::loader::ExecArgs;

use crate::ui::{Apply, Query, UrlState};
pub use super::examples::{Example, File, EXAMPLES};
use youcpu_core::linux::ldso::{self, Needs};
pub use super::moment::Opened;

/// Most instructions per slice of the run (one timer task each); a slice also ends when its
/// time (`ui::SLICE_MS`) is spent.
pub const SLICE: u64 = 25_000;
/// Instructions run between two looks at the clock within a slice.
pub const CHUNK: u64 = 1_000;
/// The default step budget.
pub const DEFAULT_BUDGET: u64 = 20_000_000;
/// The largest step budget the page accepts.
pub const MAX_BUDGET: u64 = 1_000_000_000;
/// The default memory limit, MiB.
pub const DEFAULT_MEMORY_MIB: u64 = 64;
/// The largest memory limit, MiB.
pub const MAX_MEMORY_MIB: u64 = 512;
/// Most moments kept in the story (the rest are counted).
pub const MAX_MOMENTS: usize = 5_000;
/// Most bytes of console output kept.
pub const MAX_CONSOLE: usize = 64 << 10;
/// Most files a reader may drop at once, and their total size.
pub const MAX_DROPPED: usize = 16;
/// Total bytes of dropped files.
pub const MAX_DROPPED_BYTES: usize = 64 << 20;
/// The timer period, in instructions: none is configured, as `youcpu run` configures none, so
/// the timeline and the CLI's trace are the same events; the kernel switches the timer on at
/// the first fork, every `fork::DEFAULT_SLICE` instructions (a timer interrupt that often lets
/// the scheduler switch between runnable processes).
pub const TIMER_PERIOD: u64 = youcpu_core::linux::fork::DEFAULT_SLICE;

/// Where the program comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// An example (index into [`EXAMPLES`]).
    Example(usize),
    /// Files the reader dropped (not in links).
    Dropped,
}

/// How the run stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Status {
    /// Nothing run yet (or files still coming).
    Idle,
    /// Fetching the example's files.
    Loading,
    /// Running in slices.
    Running,
    /// Paused by the reader (or stopped at the next event).
    Paused,
    /// The process tree ended: the first process's end.
    Ended(ProcessState),
    /// Stopped at the step budget.
    Budget,
    /// Stopped by the reader.
    Stopped,
    /// Could not start (the message says why).
    Failed(String),
}

/// One stretch of the console: standard output or error, as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Chunk {
    /// fd 2.
    pub err: bool,
    /// The bytes, as text.
    pub text: String,
}

/// The run.
#[derive(Clone)]
pub struct Run {
    /// The kernel and its processes (shared, advanced in place by each slice).
    pub linux: Rc<RefCell<Linux>>,
    /// Events already told.
    pub told: usize,
    /// Write calls already placed in the console.
    pub writes: usize,
    /// Bytes of stdout and stderr already placed.
    pub placed: (usize, usize),
    /// The stdin given so far (then its end).
    pub fed: u8,
}

impl PartialEq for Run {
    fn eq(&self, o: &Self) -> bool {
        Rc::ptr_eq(&self.linux, &o.linux) && self.told == o.told
    }
}

/// The widget's state.
#[derive(Clone, PartialEq)]
pub struct State {
    /// The program's source.
    pub source: Source,
    /// Files ready for the run (fetched for the example, or dropped), with their places.
    pub files: Vec<File>,
    /// Which fetch a result belongs to.
    pub generation: u64,
    /// Arguments after `argv[0]`, split at spaces.
    pub args: String,
    /// Environment, `K=V` separated by spaces.
    pub env: String,
    /// Standard input.
    pub stdin: String,
    /// Step budget, as typed.
    pub budget: String,
    /// Memory limit in MiB, as typed.
    pub memory: String,
    /// The run's status.
    pub status: Status,
    /// The run.
    pub run: Option<Run>,
    /// Pause at the next event.
    pub to_next: bool,
    /// The story so far.
    pub story: Vec<Moment>,
    /// Events past [`MAX_MOMENTS`].
    pub untold: u64,
    /// The console.
    pub console: Vec<Chunk>,
    /// The moment chosen.
    pub selected: Option<usize>,
    /// The stage the list is filtered to.
    pub filter: Option<Stage>,
    /// The list's search text.
    pub search: String,
    /// The dropped program's needs (for a dynamic one).
    pub needs: Option<Needs>,
    /// A note about the input (a dropped file not in the link, a bad file).
    pub note: Option<String>,
    /// A moment opened.
    pub opened: Option<Opened>,
    /// The link named a moment: select it once the run reaches it.
    pub want: Option<usize>,
}

/// What the reader (or the background run) asks.
#[derive(Clone, Debug)]
pub enum Action {
    /// Pick an example (its files are fetched by the view).
    Pick(usize),
    /// The files of fetch `generation` arrived (or why not).
    Fetched(u64, Result<Vec<File>, String>),
    /// The reader dropped (or chose) files: (name, bytes).
    Dropped(Result<Vec<File>, String>),
    /// argv text.
    Args(String),
    /// Environment text.
    Env(String),
    /// Standard input text.
    Stdin(String),
    /// Budget text.
    Budget(String),
    /// Memory text.
    Memory(String),
    /// Start (again) from the beginning.
    Run,
    /// Pause.
    Pause,
    /// Go on.
    Resume,
    /// Run to the next event, then pause.
    NextEvent,
    /// End the run.
    Stop,
    /// One slice of the run.
    Slice,
    /// Choose a moment.
    Select(usize),
    /// Filter the list by stage.
    Filter(Option<Stage>),
    /// Search text.
    Search(String),
    /// Open the chosen moment.
    Open,
    /// Close it.
    Close,
    /// Back to the defaults.
    Reset,
}

impl Default for State {
    fn default() -> Self {
        State::with(0)
    }
}

/// A number typed in a field, within `1..=max`.
pub fn parse_limit(text: &str, max: u64, what: &str) -> Result<u64, String> {
    let t: String = text.chars().filter(|c| *c != '_' && *c != ',').collect();
    match t.trim().parse::<u64>() {
        Ok(n) if (1..=max).contains(&n) => Ok(n),
        Ok(_) => Err(format!("the {what} must be between 1 and {max}")),
        Err(_) => Err(format!("the {what} must be a whole number")),
    }
}

impl State {
    /// The defaults with example `i` chosen.
    pub fn with(i: usize) -> State {
        let ex = EXAMPLES.get(i).copied().unwrap_or(EXAMPLES[0]);
        State {
            source: Source::Example(i.min(EXAMPLES.len() - 1)),
            files: Vec::new(),
            generation: 0,
            args: ex.args.to_string(),
            env: "HOME=/ PATH=/bin LANG=C".to_string(),
            stdin: ex.stdin.to_string(),
            budget: DEFAULT_BUDGET.to_string(),
            memory: DEFAULT_MEMORY_MIB.to_string(),
            status: Status::Idle,
            run: None,
            to_next: false,
            story: Vec::new(),
            untold: 0,
            console: Vec::new(),
            selected: None,
            filter: None,
            search: String::new(),
            needs: None,
            note: None,
            opened: None,
            want: None,
        }
    }

    /// The example chosen, if any.
    pub fn example(&self) -> Option<&'static Example> {
        match self.source {
            Source::Example(i) => EXAMPLES.get(i),
            Source::Dropped => None,
        }
    }

    /// The path the program runs as.
    pub fn program_path(&self) -> Option<String> {
        match self.source {
            Source::Example(i) => EXAMPLES.get(i).map(|e| e.path.to_string()),
            Source::Dropped => self
                .files
                .iter()
                .find(|(p, _)| p.starts_with("/bin/"))
                .map(|(p, _)| p.clone()),
        }
    }

    /// Whether the run is advancing.
    pub fn running(&self) -> bool {
        self.status == Status::Running
    }

    /// How many instructions have retired.
    pub fn instructions(&self) -> u64 {
        self.run
            .as_ref()
            .map_or(0, |r| r.linux.borrow().instructions())
    }

    fn clear_run(&mut self) {
        self.run = None;
        self.story.clear();
        self.untold = 0;
        self.console.clear();
        self.selected = None;
        self.opened = None;
        self.to_next = false;
    }

    pub(super) fn start(&mut self) {
        self.clear_run();
        let fail = |s: &mut State, m: String| s.status = Status::Failed(m);
        let Some(path) = self.program_path() else {
            return fail(self, "Pick an example or drop a program first.".into());
        };
        if self.files.is_empty() {
            return fail(self, "The program's files have not arrived yet.".into());
        }
        let mem = match parse_limit(&self.memory, MAX_MEMORY_MIB, "memory limit") {
            Ok(m) => m,
            Err(e) => return fail(self, format!("Cannot run: {e} (MiB).")),
        };
        if let Err(e) = parse_limit(&self.budget, MAX_BUDGET, "step budget") {
            return fail(self, format!("Cannot run: {e}."));
        }
        let mut argv = vec![path.as_bytes().to_vec()];
        argv.extend(self.args.split_whitespace().map(|a| a.as_bytes().to_vec()));
        let envp = self
            .env
            .split_whitespace()
            .map(|a| a.as_bytes().to_vec())
            .collect();
        let cfg = Config {
            memory_limit: mem << 20,
            ..Config::default()
        };
        let mut l = match Linux::new(&cfg) {
            Ok(l) => l,
            Err(e) => return fail(self, format!("The machine could not start: {e}.")),
        };
        for (p, b) in &self.files {
            if let Err(e) = l.install_file(p.as_bytes(), b, 0o755) {
                return fail(self, format!("Cannot place {p}: {e}."));
            }
        }
        l.trace.start(Categories::ALL);
        l.stdin_open = true;
        let args = ExecArgs {
            argv,
            envp,
            execfn: path.as_bytes().to_vec(),
            uid: 1000,
            gid: 1000,
            random_seed: RANDOM_SEED,
        };
        if let Err(e) = l.spawn(path.as_bytes(), &args) {
            // The verdicts of the chain are still worth telling.
            self.story = narrate::narrate(&l.trace.events);
            return fail(self, format!("The kernel refused to run it: {e}."));
        }
        self.run = Some(Run {
            linux: Rc::new(RefCell::new(l)),
            told: 0,
            writes: 0,
            placed: (0, 0),
            fed: 0,
        });
        self.status = Status::Running;
        self.take_news();
    }

    /// Tells the new events and places the new output.
    fn take_news(&mut self) -> usize {
        let Some(run) = self.run.as_mut() else {
            return 0;
        };
        let l = run.linux.borrow();
        let before = self.story.len();
        for e in l.trace.events.get(run.told..).unwrap_or_default() {
            if self.story.len() < MAX_MOMENTS {
                self.story.push(narrate::moment(e));
            } else {
                self.untold += 1;
            }
        }
        run.told = l.trace.events.len();
        // The console in the order the writes were made: each write to fd 1 or 2 takes its
        // bytes from that stream.
        let shown: usize = self.console.iter().map(|c| c.text.len()).sum();
        for s in l.syscalls.get(run.writes..).unwrap_or_default() {
            let n = match s.ret {
                Some(n) if n > 0 && matches!(s.nr, 1 | 20) => n as usize,
                _ => continue,
            };
            let (err, buf, at) = match s.args[0] {
                1 => (false, &l.stdout, &mut run.placed.0),
                2 => (true, &l.stderr, &mut run.placed.1),
                _ => continue,
            };
            let bytes = buf.get(*at..(*at + n).min(buf.len())).unwrap_or_default();
            *at += bytes.len();
            if shown >= MAX_CONSOLE {
                continue;
            }
            let text = String::from_utf8_lossy(bytes).into_owned();
            match self.console.last_mut() {
                Some(c) if c.err == err => c.text.push_str(&text),
                _ => self.console.push(Chunk { err, text }),
            }
        }
        run.writes = l.syscalls.len();
        self.story.len() - before
    }

    fn slice(&mut self) {
        if !self.running() {
            return;
        }
        let budget = parse_limit(&self.budget, MAX_BUDGET, "step budget").unwrap_or(DEFAULT_BUDGET);
        let Some(run) = self.run.as_mut() else {
            return;
        };
        let (done, awaiting, at) = {
            let mut l = run.linux.borrow_mut();
            let start = l.instructions();
            let events = l.trace.events.len();
            let mut done;
            // A slice ends after SLICE instructions or SLICE_MS of the main thread, whichever
            // comes first: a stretch of costly kernel work (ld.so mapping and relocating libc)
            // stays one short task instead of one long one.
            let deadline = crate::ui::now_ms() + crate::ui::SLICE_MS;
            loop {
                let left = budget.saturating_sub(l.instructions());
                // To the next event: a few instructions at a time, so the run stops close to it.
                let step = if self.to_next { 16 } else { CHUNK };
                done = left == 0 || l.run(left.min(step));
                let far = l.instructions().saturating_sub(start) >= SLICE;
                let found = self.to_next && l.trace.events.len() > events;
                if done || far || found || l.awaiting_input || crate::ui::now_ms() >= deadline {
                    break;
                }
            }
            (done, l.awaiting_input, l.instructions())
        };
        if awaiting {
            // Standard input reaches the program when it first waits for it, then its end
            // (as `youcpu run` passes a pipe on).
            let data = if run.fed == 0 {
                self.stdin.as_bytes().to_vec()
            } else {
                Vec::new()
            };
            run.fed = run.fed.saturating_add(1);
            run.linux.borrow_mut().feed_stdin(&data);
        }
        let new = self.take_news();
        let state = self.run.as_ref().map(|r| r.linux.borrow().state.clone());
        if done {
            self.status = match state {
                Some(ProcessState::Running) | None if at >= budget => Status::Budget,
                Some(ProcessState::Running) | None => Status::Budget,
                Some(s) => Status::Ended(s),
            };
        } else if self.to_next && new > 0 {
            self.to_next = false;
            self.status = Status::Paused;
            self.selected = Some(self.story.len() - new);
        }
        if let Some(w) = self.want.filter(|w| *w < self.story.len()) {
            self.selected = Some(w);
            self.want = None;
        }
    }

}

impl Apply for State {
    type Action = Action;

    fn ignores(&self, a: &Action) -> bool {
        match a {
            Action::Slice => !self.running(),
            Action::Fetched(g, _) => *g != self.generation,
            _ => false,
        }
    }

    fn apply(&mut self, a: Action) {
        match a {
            Action::Pick(i) => {
                let search = (self.filter, self.search.clone());
                let g = self.generation.wrapping_add(1);
                *self = State::with(i);
                (self.filter, self.search) = search;
                self.generation = g;
                self.status = Status::Loading;
            }
            Action::Fetched(_, Ok(files)) => {
                self.files = files;
                self.status = Status::Idle;
                self.start();
            }
            Action::Fetched(_, Err(e)) => {
                self.status = Status::Failed(format!("The example's files could not be fetched: {e}."));
            }
            Action::Dropped(Err(e)) => self.note = Some(e),
            Action::Dropped(Ok(files)) => {
                let base = |n: &str| n.rsplit('/').next().unwrap_or(n).to_string();
                let mut all: Vec<(String, Rc<Vec<u8>>)> = Vec::new();
                // Files dropped before (libraries after their program) are kept, the program
                // first.
                if self.source == Source::Dropped {
                    all.extend(self.files.iter().map(|(p, b)| (base(p), b.clone())));
                }
                let new: Vec<String> = files.iter().map(|(n, _)| base(n)).collect();
                for (name, bytes) in files {
                    let b = base(&name);
                    all.retain(|(p, _)| *p != b);
                    all.push((b, bytes));
                }
                // The program: the first newly dropped file that is not a library, else the
                // one before.
                let is_prog = |p: &String| !p.contains(".so");
                let prog = all
                    .iter()
                    .find(|(p, _)| is_prog(p) && new.contains(p))
                    .or_else(|| all.iter().find(|(p, _)| is_prog(p)))
                    .cloned();
                let names: Vec<&str> = all.iter().map(|(p, _)| p.as_str()).collect();
                let needs = prog.as_ref().and_then(|(_, b)| ldso::needs_named(b, &names).ok());
                self.generation = self.generation.wrapping_add(1);
                self.source = Source::Dropped;
                self.clear_run();
                self.status = Status::Idle;
                self.note = None;
                self.needs = needs.filter(Needs::is_dynamic);
                let interp = self.needs.as_ref().and_then(|n| n.interp.as_deref());
                // The program goes first, at /bin/NAME; the rest where the loader looks.
                let mut placed: Vec<File> = Vec::new();
                if let Some((n, b)) = &prog {
                    placed.push((format!("/bin/{n}"), b.clone()));
                }
                for (n, b) in &all {
                    if prog.as_ref().is_some_and(|(p, _)| p == n) {
                        continue;
                    }
                    placed.push((ldso::place(n, interp), b.clone()));
                }
                self.files = placed;
                if prog.is_none() {
                    self.status =
                        Status::Failed("Those files hold no program, only libraries.".into());
                } else if self.needs.as_ref().is_none_or(|n| n.missing_files().is_empty()) {
                    self.start();
                }
            }
            Action::Args(t) => self.args = t,
            Action::Env(t) => self.env = t,
            Action::Stdin(t) => self.stdin = t,
            Action::Budget(t) => self.budget = t,
            Action::Memory(t) => self.memory = t,
            Action::Run if self.files.is_empty() && self.example().is_some() => {
                // The example's files come only now (never with the page's first load).
                self.generation = self.generation.wrapping_add(1);
                self.status = Status::Loading;
            }
            Action::Run => self.start(),
            Action::Pause => {
                if self.running() {
                    self.status = Status::Paused;
                }
            }
            Action::Resume => {
                if self.status == Status::Paused {
                    self.status = Status::Running;
                }
            }
            Action::NextEvent => {
                if matches!(self.status, Status::Paused | Status::Running) {
                    self.to_next = true;
                    self.status = Status::Running;
                } else if self.run.is_none() {
                    self.start();
                    self.to_next = true;
                }
            }
            Action::Stop => {
                if matches!(self.status, Status::Paused | Status::Running) {
                    self.status = Status::Stopped;
                }
            }
            Action::Slice => self.slice(),
            Action::Select(i) => {
                if i < self.story.len() {
                    self.selected = Some(i);
                }
            }
            Action::Filter(f) => self.filter = f,
            Action::Search(s) => self.search = s,
            Action::Open => self.open(),
            Action::Close => self.opened = None,
            Action::Reset => {
                let g = self.generation.wrapping_add(1);
                *self = State::default();
                self.generation = g;
            }
        }
    }
}

impl UrlState for State {
    const PREFIX: &'static str = "yp-";

    fn from_query(q: &Query) -> Self {
        let i = q
            .get("ex")
            .and_then(|id| EXAMPLES.iter().position(|e| e.id == id))
            .unwrap_or(0);
        let mut s = State::with(i);
        if q.get("src") == Some("drop") {
            s.note = Some(
                "This link was made for a program dropped into the page: dropped files never \
                 leave the reader's browser, so the link cannot carry them. Drop the files \
                 again, or pick an example."
                    .into(),
            );
        }
        if let Some(a) = q.text("args") {
            s.args = a;
        }
        if let Some(a) = q.text("env") {
            s.env = a;
        }
        if let Some(a) = q.text("in") {
            s.stdin = a;
        }
        if let Some(a) = q.text("steps") {
            s.budget = a;
        }
        if let Some(a) = q.text("mem") {
            s.memory = a;
        }
        s.want = q.get("ev").and_then(|e| e.parse().ok());
        // A link that names an example or an event runs it at once (its files are fetched
        // then); the bare page fetches nothing until the reader asks.
        if q.get("ex").is_some() || s.want.is_some() {
            s.status = Status::Loading;
            s.generation = 1;
        }
        s
    }

    fn to_query(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let d = State::with(match self.source {
            Source::Example(i) => i,
            Source::Dropped => 0,
        });
        match self.source {
            Source::Example(i) if i != 0 => out.push(("ex".into(), EXAMPLES[i].id.into())),
            Source::Example(_) => {}
            Source::Dropped => out.push(("src".into(), "drop".into())),
        }
        for (k, v, dv) in [
            ("args", &self.args, &d.args),
            ("env", &self.env, &d.env),
            ("in", &self.stdin, &d.stdin),
            ("steps", &self.budget, &d.budget),
            ("mem", &self.memory, &d.memory),
        ] {
            if v != dv {
                out.push((k.into(), v.clone()));
            }
        }
        if let Some(i) = self.selected.or(self.want) {
            out.push(("ev".into(), i.to_string()));
        }
        out
    }
}
