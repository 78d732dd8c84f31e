//! The state of `ld-so`: which files (the example, fetched, or the reader's), how far the
//! simulated run has got, its report (`youcpu_core::linux::ldso`), and what is picked. A pure
//! reducer: the fetch and the run itself live in the view's hooks, which advance the run one
//! time slice per task with [`advance_slice`].

use crate::ui::{Apply, Query, Slice, UrlState};
use std::rc::Rc;
use youcpu_core::linux::ldso::{needs, not_dynamic, preview, Error, File, Needs, Report, Run};

/// The example's files, fetched from the site when the widget mounts: (URL, name).
pub const EXAMPLE_FILES: [(&str, &str); 2] = [
    ("programs/bin/hello-dyn", "hello-dyn"),
    ("programs/lib/ld-musl-x86_64.so.1", "ld-musl-x86_64.so.1"),
];
/// Most relocation cells drawn for one object.
pub const CELLS: usize = 16;
/// User instructions the run takes between two checks of its slice's time (`ui::Slice`: the
/// clock is read every `Slice::CHECK_EVERY` checks, so about every 2,000 instructions). A
/// background slice of the run ends when its time (`ui::SLICE_MS`) is spent.
pub const SLICE: u64 = 256;

/// Where the widget is.
#[derive(Clone, Debug, PartialEq)]
pub enum Phase {
    /// Waiting for the reader to come near (the example's files are not fetched before).
    Waiting,
    /// Fetching the example's files.
    Fetching,
    /// The simulated run is going: instructions so far.
    Running(u64),
    /// A dropped program lacks files: what it asks for.
    Missing(Needs),
    /// The run reached the program's entry point.
    Done(Rc<Report>),
    /// Something failed, in words.
    Failed(String),
}

/// The widget's state.
#[derive(Clone, Debug, PartialEq)]
pub struct State {
    /// The files: the program first, then its loader and libraries.
    pub files: Rc<Vec<File>>,
    /// The files are the reader's.
    pub dropped: bool,
    /// Where the run is.
    pub phase: Phase,
    /// Bumped for each new set of files: results of an older run are ignored.
    pub run: u32,
    /// The picked object (index into the report's objects).
    pub object: usize,
    /// The picked relocation (index into the report's relocations).
    pub reloc: Option<usize>,
    /// A link's picks, applied when the example's run is done.
    pub link: Option<(usize, Option<usize>)>,
    /// What the files say before the run (`ldso::preview`): the objects, their relocations
    /// counted by type and the program's PLT calls, drawn until the run's report replaces them.
    pub preview: Option<Rc<Report>>,
}

impl Default for State {
    fn default() -> Self {
        State {
            files: Rc::new(Vec::new()),
            dropped: false,
            phase: Phase::Waiting,
            run: 0,
            object: 0,
            reloc: None,
            link: None,
            preview: None,
        }
    }
}

/// What the reader or the hooks ask for.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// The widget came into use: fetch the example (if nothing else is shown).
    Start,
    /// The example's files arrived (or could not be fetched).
    Fetched(Result<Vec<File>, String>),
    /// The reader dropped or opened files: added to the ones dropped before.
    Drop(Vec<File>),
    /// Run `run` has retired this many instructions.
    Progress(u32, u64),
    /// Run `run` ended.
    Finished(u32, Result<Rc<Report>, String>),
    /// Pick an object.
    Object(usize),
    /// Pick a relocation.
    Reloc(usize),
    /// The previous (-1) or next (+1) relocation among the drawn ones.
    Step(i32),
    /// Back to the example.
    Example,
    /// The reader's files could not be read.
    Error(String),
}

/// One background slice of the run: [`SLICE`] instructions at a time until the loader reaches
/// the program's entry point (`Ok(true)`), fails, or `slice`'s time is spent (`Ok(false)`: the
/// run goes on in the next task). A slice lasts a time, not a count of instructions: the
/// loader's instructions cost from a few nanoseconds to a whole mmap of libc each, and a phone
/// runs them four times slower.
pub fn advance_slice(run: &mut Run, mut slice: Slice) -> Result<bool, Error> {
    loop {
        match run.advance(SLICE)? {
            false if !slice.spent() => {}
            done => return Ok(done),
        }
    }
}

/// Whether `bytes` is a program a dynamic loader starts.
fn is_program(f: &File) -> bool {
    needs(&f.bytes, &[]).is_ok_and(|n| n.is_dynamic_program())
}

impl State {
    /// What the picture is drawn from: the run's report once it is done, else what the files
    /// say (None before the files are here), and whether it is the run's.
    pub fn drawn(&self) -> Option<(&Report, bool)> {
        match (&self.phase, &self.preview) {
            (Phase::Done(r), _) => Some((r, true)),
            (Phase::Running(_) | Phase::Missing(_), Some(p)) => Some((p, false)),
            _ => None,
        }
    }

    /// The report, once the run is done.
    pub fn report(&self) -> Option<&Report> {
        match &self.phase {
            Phase::Done(r) => Some(r),
            _ => None,
        }
    }

    /// The program's name.
    pub fn program(&self) -> &str {
        self.files.first().map_or("", |f| f.name.as_str())
    }

    /// Puts the program first and decides whether it can run: every file it needs given.
    fn arrange(&mut self, mut files: Vec<File>) {
        self.run = self.run.wrapping_add(1);
        self.object = 0;
        self.reloc = None;
        self.preview = None;
        let Some(p) = files.iter().position(is_program) else {
            self.phase = Phase::Failed(match files.first() {
                Some(f) => match needs(&f.bytes, &[]) {
                    Err(e) => format!("{}: {e}", f.name),
                    Ok(n) => format!("{}: {}", f.name, not_dynamic(&n).unwrap_or_default()),
                },
                None => "no files".into(),
            });
            self.files = Rc::new(files);
            return;
        };
        let prog = files.remove(p);
        files.insert(0, prog);
        let n = files
            .first()
            .and_then(|f| needs(&f.bytes, files.get(1..).unwrap_or_default()).ok())
            .unwrap_or_default();
        self.preview = files
            .split_first()
            .and_then(|(p, rest)| preview(&p.name, &p.bytes, rest).ok())
            .map(Rc::new);
        self.files = Rc::new(files);
        self.phase = if !n.interp_given || !n.missing().is_empty() {
            Phase::Missing(n)
        } else {
            Phase::Running(0)
        };
    }

    /// The relocations drawn as cells for object `o`: its symbolic ones first (up to
    /// [`CELLS`]), then its `R_X86_64_RELATIVE` ones, and the picked one always; in address
    /// order.
    pub fn cells(report: &Report, o: usize, picked: Option<usize>) -> Vec<usize> {
        let mine: Vec<usize> = (0..report.relocs.len())
            .filter(|&i| report.relocs.get(i).is_some_and(|r| r.object == o))
            .collect();
        let mut v: Vec<usize> = mine
            .iter()
            .copied()
            .filter(|&i| report.relocs.get(i).is_some_and(|r| r.symbol.is_some()))
            .chain(
                mine.iter()
                    .copied()
                    .filter(|&i| report.relocs.get(i).is_some_and(|r| r.symbol.is_none())),
            )
            .take(CELLS)
            .collect();
        if let Some(p) = picked.filter(|p| mine.contains(p) && !v.contains(p)) {
            v.pop();
            v.push(p);
        }
        let keys: Vec<u64> = v
            .iter()
            .map(|&i| report.relocs.get(i).map_or(0, |r| r.offset))
            .collect();
        crate::widgets::exec_draw::order_by(&keys)
            .into_iter()
            .filter_map(|k| v.get(k).copied())
            .collect()
    }

    /// The default pick: the program's call from `main` through the PLT (else its first
    /// call, else its first symbolic relocation).
    pub fn default_pick(r: &Report) -> Option<usize> {
        r.calls
            .iter()
            .find(|c| c.caller.as_deref() == Some("main"))
            .or(r.calls.first())
            .map(|c| c.reloc)
            .or_else(|| Self::cells(r, 0, None).first().copied())
    }
}

impl Apply for State {
    type Action = Action;

    fn ignores(&self, a: &Action) -> bool {
        match a {
            Action::Progress(run, _) | Action::Finished(run, _) => {
                *run != self.run || !matches!(self.phase, Phase::Running(_))
            }
            Action::Fetched(_) => self.dropped,
            Action::Start => self.phase != Phase::Waiting,
            _ => false,
        }
    }

    fn apply(&mut self, a: Action) {
        match a {
            Action::Start => self.phase = Phase::Fetching,
            Action::Fetched(Ok(files)) => {
                self.dropped = false;
                self.arrange(files);
            }
            Action::Fetched(Err(e)) => self.phase = Phase::Failed(e),
            Action::Drop(files) => {
                let mut all = if self.dropped {
                    (*self.files).clone()
                } else {
                    Vec::new()
                };
                for f in files {
                    // A file dropped again under the same name replaces the old one.
                    all.retain(|g| g.name != f.name);
                    all.push(f);
                }
                self.dropped = true;
                self.link = None;
                self.arrange(all);
            }
            Action::Progress(_, n) => self.phase = Phase::Running(n),
            Action::Finished(_, Ok(r)) => {
                self.object = 0;
                self.reloc = Self::default_pick(&r);
                if let Some((o, rel)) = self.link.take() {
                    if o < r.objects.len() {
                        self.object = o;
                        self.reloc = rel
                            .filter(|&i| r.relocs.get(i).is_some_and(|x| x.object == o))
                            .or_else(|| Self::cells(&r, o, None).first().copied());
                    }
                }
                self.phase = Phase::Done(r);
            }
            Action::Finished(_, Err(e)) => self.phase = Phase::Failed(e),
            Action::Object(o) => {
                if let Some(r) = self.report() {
                    if o < r.objects.len() && o != self.object {
                        let first = Self::cells(r, o, None).first().copied();
                        self.object = o;
                        self.reloc = first;
                    }
                }
            }
            Action::Reloc(i) => {
                if let Some(x) = self.report().and_then(|r| r.relocs.get(i)) {
                    self.object = x.object;
                    self.reloc = Some(i);
                }
            }
            Action::Step(d) => {
                if let Some(r) = self.report() {
                    let cells = Self::cells(r, self.object, self.reloc);
                    let at = self
                        .reloc
                        .and_then(|p| cells.iter().position(|&c| c == p))
                        .unwrap_or(0);
                    let n = cells.len().max(1) as i64;
                    let next = (at as i64 + i64::from(d)).rem_euclid(n) as usize;
                    self.reloc = cells.get(next).copied().or(self.reloc);
                }
            }
            Action::Example => {
                *self = State {
                    phase: Phase::Fetching,
                    run: self.run.wrapping_add(1),
                    ..State::default()
                };
            }
            Action::Error(e) => {
                self.run = self.run.wrapping_add(1);
                self.phase = Phase::Failed(e);
            }
        }
    }
}

impl UrlState for State {
    const PREFIX: &'static str = "ld-";

    /// Builds the state a link describes: the picked object and relocation of the example.
    fn from_query(q: &Query) -> Self {
        let mut s = State::default();
        if let Some(o) = q.get("o").and_then(|v| v.parse::<usize>().ok()) {
            s.link = Some((o, q.get("r").and_then(|v| v.parse::<usize>().ok())));
        }
        s
    }

    /// The keys that reproduce this state (a dropped program's picks are not kept: its files
    /// are not in the link).
    fn to_query(&self) -> Vec<(String, String)> {
        let Some(r) = self.report().filter(|_| !self.dropped) else {
            return Vec::new();
        };
        if self.object == 0 && self.reloc == Self::default_pick(r) {
            return Vec::new();
        }
        let mut v = vec![("o".to_string(), self.object.to_string())];
        if let Some(i) = self.reloc {
            v.push(("r".into(), i.to_string()));
        }
        v
    }
}

/// The example's files as the view fetches them, read from `web/` (the tests of the state and
/// of the picture).
#[cfg(test)]
pub(super) fn example() -> Vec<File> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../web");
    EXAMPLE_FILES
        .iter()
        .map(|(url, name)| File {
            name: (*name).into(),
            bytes: std::fs::read(dir.join(url)).expect("the example programs"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs the state's files as the view does, in slices.
    fn run(s: &mut State) {
        let f = &s.files;
        let mut r = Run::start(s.program(), &f[0].bytes, &f[1..]).expect("starts");
        loop {
            match r.advance(SLICE) {
                Ok(true) => break,
                Ok(false) => {
                    let n = r.instructions();
                    s.apply(Action::Progress(s.run, n));
                }
                Err(e) => panic!("{e}"),
            }
        }
        s.apply(Action::Finished(s.run, Ok(Rc::new(r.report()))));
    }

    #[test]
    fn the_example_runs_and_picks_the_call_from_main() {
        let mut s = State::default();
        s.apply(Action::Start);
        s.apply(Action::Fetched(Ok(example())));
        assert_eq!(s.phase, Phase::Running(0));
        run(&mut s);
        let r = s.report().expect("done").clone();
        let picked = &r.relocs[s.reloc.expect("a pick")];
        assert_eq!(picked.symbol.as_deref(), Some("puts"));
        assert_eq!(picked.kind, "R_X86_64_JUMP_SLOT");
        // The program's 8 relocations are all drawn, in address order.
        let cells = State::cells(&r, 0, s.reloc);
        assert_eq!(cells.len(), 8);
        assert!(cells.windows(2).all(|w| r.relocs[w[0]].offset < r.relocs[w[1]].offset));
        // Next and previous walk the cells and wrap.
        let at = cells.iter().position(|&c| Some(c) == s.reloc).expect("drawn");
        s.apply(Action::Step(1));
        assert_eq!(s.reloc, Some(cells[(at + 1) % 8]));
        s.apply(Action::Step(-1));
        s.apply(Action::Step(-1));
        assert_eq!(s.reloc, Some(cells[(at + 7) % 8]));
        // Picking libc shows its relocations: 16 of its 94, symbolic ones first.
        let libc = r.objects.iter().position(|o| o.name.contains("ld-musl")).expect("libc");
        s.apply(Action::Object(libc));
        assert_eq!(s.object, libc);
        let cells = State::cells(&r, libc, s.reloc);
        assert_eq!(cells.len(), CELLS);
        assert!(cells.iter().all(|&c| r.relocs[c].symbol.is_some()));
        // A link to this pick gives it back.
        let search: Vec<String> = s
            .to_query()
            .iter()
            .map(|(k, v)| format!("ld-{k}={v}"))
            .collect();
        assert_eq!(search.len(), 2);
        let mut t = State::from_query(&Query::from_search(&search.join("&"), "ld-"));
        t.apply(Action::Fetched(Ok(example())));
        run(&mut t);
        assert_eq!((t.object, t.reloc), (s.object, s.reloc));
    }

    #[test]
    fn a_dropped_program_without_its_files_names_them() {
        let ex = example();
        let mut s = State::default();
        s.apply(Action::Drop(vec![ex[0].clone()]));
        match &s.phase {
            Phase::Missing(n) => {
                assert_eq!(n.interp.as_deref(), Some("/lib/ld-musl-x86_64.so.1"));
                assert!(!n.interp_given);
            }
            p => panic!("{p:?}"),
        }
        // A late result of the example's fetch does not replace the reader's files.
        assert!(s.ignores(&Action::Fetched(Ok(ex.clone()))));
        // Dropping the loader next completes it; the program stays first.
        s.apply(Action::Drop(vec![ex[1].clone()]));
        assert_eq!(s.phase, Phase::Running(0));
        assert_eq!(s.program(), "hello-dyn");
        // Results of the run before the second drop are stale.
        assert!(s.ignores(&Action::Finished(s.run - 1, Err("old".into()))));
        // Junk, a static program and a lone library each say what is wrong.
        for (name, bytes, says) in [
            ("junk", b"junk".to_vec(), "junk: not an ELF"),
            ("libc.so", ex[1].bytes.clone(), "names no interpreter"),
        ] {
            let mut s = State::default();
            s.apply(Action::Drop(vec![File { name: name.into(), bytes }]));
            match &s.phase {
                Phase::Failed(m) => assert!(m.contains(says), "{m}"),
                p => panic!("{p:?}"),
            }
        }
        s.apply(Action::Example);
        assert_eq!((s.phase.clone(), s.dropped), (Phase::Fetching, false));
        // The example waits until the widget comes into use, then fetches once.
        let mut t = State::default();
        assert_eq!(t.phase, Phase::Waiting);
        t.apply(Action::Start);
        assert_eq!(t.phase, Phase::Fetching);
        assert!(t.ignores(&Action::Start));
    }

    /// A clock already past any deadline.
    fn late() -> f64 {
        f64::MAX
    }

    #[test]
    fn a_slice_of_the_run_ends_when_its_time_is_spent_and_the_slices_reach_the_entry_point() {
        let f = example();
        let mut r = Run::start("hello-dyn", &f[0].bytes, &f[1..]).expect("starts");
        let at = r.instructions();
        // Time spent at the first reading of the clock: one slice is CHECK_EVERY advances.
        let done = advance_slice(&mut r, Slice::on_clock(0.0, late)).expect("runs");
        assert!(!done, "the loader needs more than one short slice");
        let took = r.instructions() - at;
        assert!(
            (SLICE * u64::from(Slice::CHECK_EVERY)..SLICE * u64::from(Slice::CHECK_EVERY) + 64).contains(&took),
            "{took} instructions in a spent slice"
        );
        // Slices that never run out reach the entry point at once, as the whole run does.
        let whole = Run::start("hello-dyn", &f[0].bytes, &f[1..]).expect("starts").finish().expect("runs");
        let mut slices = 1;
        while !advance_slice(&mut r, Slice::on_clock(0.0, late)).expect("runs") {
            slices += 1;
        }
        assert!(slices > 1);
        assert_eq!(r.report().instructions, whole.instructions);
        assert_eq!(r.report().relocs.len(), whole.relocs.len());
    }
}
