//! The ELF loader's state: which file (an example of the ELF inspector, or a file the reader
//! opened), argv and envp, and how far the reader has stepped through `load_elf_binary`. The
//! steps come from the core's loader (`youcpu_core::loader::load`) run on a fresh simulated
//! address space. A pure reducer.

use crate::widgets::programs::{build_example, hello_dynamic, hello_static, Example, HELLO_SOURCE};
use std::rc::Rc;
use super::diagram::FileMap;
use crate::ui::{Apply, Query, UrlState};
use youcpu_core::elf::parse;
use youcpu_core::exec::examples::{tiny_elf, tiny_elf32, LOADER};
use youcpu_core::linux::mm::STACK_TOP;
pub use youcpu_core::loader::steps::{
    perms, stack_entries, LoadStep, StackEntry, StackKind, StepKind, MAX_SHOWN,
};
use youcpu_core::loader::steps::trace;
use youcpu_core::loader::LoadInfo;

/// Most argv or envp entries.
pub const MAX_ARGS: usize = 16;
/// Most characters per argv/envp text box.
pub const MAX_ARGS_TEXT: usize = 1024;

/// The hello-world with 10,000 bytes of BSS after its data, so the data page's tail is
/// cleared and further pages are anonymous.
pub fn hello_bss() -> Result<Vec<u8>, String> {
    build_example(&format!("{HELLO_SOURCE}.bss\n    .zero 10000\n"))
}

/// The programs the loader offers, in picker order, with the name each runs under.
pub const EXAMPLES: &[(Example, &str)] = &[
    (
        Example {
            name: "hello (static executable)",
            about: "The ELF inspector's static hello-world: a code segment (r-x) and a data segment (rw-), loaded at the addresses in the file.",
            build: hello_static,
        },
        "./hello",
    ),
    (
        Example {
            name: "hello with a BSS",
            about: "The same program with 10,000 zero-initialised bytes after its data: they take no room in the file.",
            build: hello_bss,
        },
        "./hello-bss",
    ),
    (
        Example {
            name: "tiny PIE with an interpreter",
            about: "A position-independent executable (type DYN) that names the dynamic loader in PT_INTERP: it gets a load bias, and the loader is mapped too.",
            build: || Ok(tiny_elf(3, Some(LOADER))),
        },
        "./tiny-pie",
    ),
    (
        Example {
            name: "hello-dyn (needs libc.so.6)",
            about: "The dynamic program of the linking widget below: a PIE with PT_INTERP, PT_DYNAMIC and a BSS-free data page. The kernel maps only it and the loader; libc is the loader's job.",
            build: || Ok(hello_dynamic()),
        },
        "./hello-dyn",
    ),
    (
        Example {
            name: "tiny 32-bit program",
            about: "A 32-bit i386 executable. This model loads only 64-bit programs, so it is refused; a real x86-64 kernel hands it to its 32-bit ELF handler.",
            build: || Ok(tiny_elf32()),
        },
        "./tiny32",
    ),
];

/// Where the file came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// An example of the ELF inspector, by index.
    Example(usize),
    /// A file the reader opened (its name and bytes).
    File(String, Rc<Vec<u8>>),
}

/// The widget's state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct State {
    /// The file.
    pub source: Source,
    /// argv, one per line, as typed.
    pub argv: String,
    /// envp, one per line, as typed.
    pub envp: String,
    /// How many steps are shown (1..=steps.len()).
    pub step: usize,
    /// The steps.
    pub steps: Rc<Vec<LoadStep>>,
    /// The loader's result, when it succeeded.
    pub info: Option<Rc<LoadInfo>>,
    /// A message about the argument boxes or a file that could not be read.
    pub message: Option<String>,
    /// The file's pieces and segments, for the picture (when it parses).
    pub map: Option<Rc<FileMap>>,
}

/// An action.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// Pick example i.
    Example(usize),
    /// The reader opened a file.
    File(String, Rc<Vec<u8>>),
    /// A file could not be read.
    FileError(String),
    /// argv text.
    Argv(String),
    /// envp text.
    Envp(String),
    /// One step forward.
    Next,
    /// One step back.
    Back,
    /// Show every step.
    End,
    /// Back to the first step.
    Start,
    /// Show the first n steps (a segment clicked on the picture).
    Goto(usize),
}

/// Default envp.
pub const DEFAULT_ENVP: &str = "HOME=/home/user\nLANG=C.UTF-8";

/// The file name the example or the file is run under (AT_EXECFN, argv[0] by default).
fn exec_name(source: &Source) -> String {
    match source {
        Source::Example(i) => EXAMPLES
            .get(*i)
            .map_or_else(|| "./program".into(), |e| e.1.to_string()),
        Source::File(name, _) => {
            let clean: String = name
                .chars()
                .filter(|c| *c != '/' && *c != '\0' && !c.is_control())
                .take(60)
                .collect();
            format!("./{}", if clean.is_empty() { "program" } else { &clean })
        }
    }
}

/// Splits a text box into at most [`MAX_ARGS`] lines; `Err` explains what was cut.
pub fn split_args(text: &str) -> (Vec<Vec<u8>>, Option<String>) {
    let mut msg = None;
    let text: String = if text.chars().count() > MAX_ARGS_TEXT {
        msg = Some(format!(
            "only the first {MAX_ARGS_TEXT} characters are used"
        ));
        text.chars().take(MAX_ARGS_TEXT).collect()
    } else {
        text.to_string()
    };
    let mut out: Vec<Vec<u8>> = text
        .split('\n')
        .map(|l| l.trim_end_matches('\r').as_bytes().to_vec())
        .collect();
    if text.is_empty() {
        out.clear();
    }
    if out.len() > MAX_ARGS {
        out.truncate(MAX_ARGS);
        msg = Some(format!("only the first {MAX_ARGS} lines are used"));
    }
    (out, msg)
}

/// The picture's map of the file: its pieces and PT_LOADs (moved by the load bias), with the
/// interpreter's segments and the stack as the other regions of the address space.
pub fn file_map(e: &youcpu_core::elf::ElfFile, info: Option<&LoadInfo>) -> FileMap {
    let mut m = FileMap::of(e, info.map_or(0, |i| i.bias));
    if let Some(info) = info {
        for s in info.segments.iter().filter(|s| s.interp) {
            let p = s.pages();
            m.others
                .push((format!("ld.so {}", perms(s.prot)), p.start, p.end));
        }
        m.others
            .push(("[stack]".into(), (info.stack.bottom & !0xfff), STACK_TOP));
    }
    m
}

impl Default for State {
    fn default() -> Self {
        let mut s = State {
            source: Source::Example(0),
            argv: String::new(),
            envp: DEFAULT_ENVP.into(),
            step: 1,
            steps: Rc::new(Vec::new()),
            info: None,
            message: None,
            map: None,
        };
        s.argv = exec_name(&s.source);
        s.recompute();
        s
    }
}

impl State {
    fn bytes(&self) -> Result<Rc<Vec<u8>>, String> {
        match &self.source {
            Source::Example(i) => match EXAMPLES.get(*i) {
                Some((e, _)) => (e.build)().map(Rc::new),
                None => Err("no such example".into()),
            },
            Source::File(_, b) => Ok(b.clone()),
        }
    }

    fn recompute(&mut self) {
        let (argv, m1) = split_args(&self.argv);
        let (envp, m2) = split_args(&self.envp);
        self.message = m1
            .map(|m| format!("argv: {m}"))
            .or(m2.map(|m| format!("envp: {m}")));
        let execfn = exec_name(&self.source);
        self.map = None;
        let (steps, info) = match self.bytes() {
            Ok(b) => {
                let (steps, info) = trace(&b, &argv, &envp, &execfn);
                self.map = parse(&b).ok().map(|e| Rc::new(file_map(&e, info.as_ref())));
                (steps, info)
            }
            Err(m) => (
                vec![LoadStep {
                    kind: StepKind::Fail,
                    text: m,
                    entry: None,
                }],
                None,
            ),
        };
        self.steps = Rc::new(steps);
        self.info = info.map(Rc::new);
        self.step = self.step.clamp(1, self.steps.len().max(1));
    }



}

impl UrlState for State {
    const PREFIX: &'static str = "el-";

    /// Builds the state a link describes.
    fn from_query(q: &Query) -> Self {
        let mut s = State::default();
        let get = |k: &str| q.text(k);
        if let Some(i) = get("ex").and_then(|v| v.parse::<usize>().ok()) {
            s.apply(Action::Example(i));
        }
        if let Some(a) = get("argv") {
            s.apply(Action::Argv(a));
        }
        if let Some(e) = get("envp") {
            s.apply(Action::Envp(e));
        }
        if let Some(n) = get("step").and_then(|v| v.parse::<usize>().ok()) {
            s.step = n.clamp(1, s.steps.len().max(1));
        }
        s
    }

    /// The keys that reproduce this state (a file from the reader's disk cannot be linked).
    fn to_query(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        let mut default_argv = true;
        if let Source::Example(i) = self.source {
            if i != 0 {
                out.push(("ex".into(), i.to_string()));
            }
            default_argv = self.argv == exec_name(&self.source);
        }
        if !default_argv {
            out.push(("argv".into(), self.argv.clone()));
        }
        if self.envp != DEFAULT_ENVP {
            out.push(("envp".into(), self.envp.clone()));
        }
        if self.step != 1 {
            out.push(("step".into(), self.step.to_string()));
        }
        out
    }
}

impl Apply for State {
    type Action = Action;

    /// Applies one action.
    fn apply(&mut self, a: Action) {
        match a {
            Action::Example(i) => {
                if i < EXAMPLES.len() {
                    self.source = Source::Example(i);
                    self.argv = exec_name(&self.source);
                    self.step = 1;
                    self.recompute();
                }
            }
            Action::File(name, bytes) => {
                let name: String = name.chars().take(120).collect();
                self.source = Source::File(name, bytes);
                self.argv = exec_name(&self.source);
                self.step = 1;
                self.recompute();
            }
            Action::FileError(m) => self.message = Some(m),
            Action::Argv(t) => {
                self.argv = t.chars().take(MAX_ARGS_TEXT + 1).collect();
                self.recompute();
            }
            Action::Envp(t) => {
                self.envp = t.chars().take(MAX_ARGS_TEXT + 1).collect();
                self.recompute();
            }
            Action::Next => self.step = (self.step + 1).min(self.steps.len().max(1)),
            Action::Back => self.step = self.step.saturating_sub(1).max(1),
            Action::End => self.step = self.steps.len().max(1),
            Action::Start => self.step = 1,
            Action::Goto(n) => self.step = n.clamp(1, self.steps.len().max(1)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hello_steps_cover_header_segments_stack_and_start() {
        let s = State::default();
        let kinds: Vec<StepKind> = s.steps.iter().map(|x| x.kind).collect();
        assert_eq!(kinds.first(), Some(&StepKind::Header));
        assert_eq!(kinds.iter().filter(|k| **k == StepKind::Map).count(), 2);
        assert_eq!(kinds.last(), Some(&StepKind::Start));
        let info = s.info.as_ref().expect("loads");
        assert_eq!(info.bias, 0);
        assert!(s
            .steps
            .last()
            .expect("start")
            .text
            .contains(&format!("{:#x}", info.entry)));
        // The stack entries tile the stack from the top down to the stack pointer.
        let stack: Vec<&StackEntry> = s.steps.iter().filter_map(|x| x.entry.as_ref()).collect();
        let mut above = STACK_TOP;
        for e in &stack {
            assert_eq!(e.addr + e.len, above, "{}", e.label);
            above = e.addr;
        }
        assert_eq!(above, info.stack.sp);
        assert!(stack.iter().any(|e| e.label.starts_with("auxv: AT_RANDOM")));
        assert!(stack.last().expect("argc").label.starts_with("argc = 1"));
    }

    #[test]
    fn pie_with_interpreter_has_bias_and_base() {
        let mut s = State::default();
        s.apply(Action::Example(2));
        let info = s.info.as_ref().expect("loads");
        assert_ne!(info.bias, 0);
        assert_ne!(info.interp_base, 0);
        assert_ne!(info.start, info.entry);
        assert!(s.steps.iter().any(|x| x.text.contains("PT_INTERP names")));
    }

    #[test]
    fn bss_tail_is_cleared_and_the_rest_is_anonymous() {
        let mut s = State::default();
        s.apply(Action::Example(1));
        let bss = s
            .steps
            .iter()
            .find(|x| x.kind == StepKind::Bss)
            .expect("a BSS step");
        assert!(bss.text.contains("10000 bytes of BSS"), "{}", bss.text);
        assert!(bss.text.contains("cleared to zero"), "{}", bss.text);
        assert!(bss.text.contains("anonymous zero pages"), "{}", bss.text);
        s.apply(Action::Example(3));
        assert!(s.info.as_ref().is_some_and(|i| i.interp.is_some()));
    }

    #[test]
    fn a_32_bit_file_and_junk_are_refused_with_a_message() {
        let mut s = State::default();
        s.apply(Action::Example(4));
        assert_eq!(s.steps.last().map(|x| x.kind), Some(StepKind::Fail));
        for junk in [
            Vec::new(),
            b"hello".to_vec(),
            vec![0x7f, b'E', b'L', b'F'],
            vec![0xff; 300],
        ] {
            s.apply(Action::File("junk".into(), Rc::new(junk)));
            assert_eq!(s.steps.last().map(|x| x.kind), Some(StepKind::Fail));
            s.apply(Action::End);
            assert_eq!(s.step, s.steps.len());
        }
    }

    #[test]
    fn argv_and_envp_are_bounded_and_change_the_stack() {
        let mut s = State::default();
        s.apply(Action::Argv("./hello\na\nb".into()));
        let argc = s
            .steps
            .iter()
            .filter_map(|x| x.entry.as_ref())
            .find(|e| e.label.starts_with("argc"))
            .map(|e| e.label.clone());
        assert_eq!(argc.as_deref(), Some("argc = 3"));
        s.apply(Action::Envp("X=1\n".repeat(100)));
        assert!(s.message.is_some());
        s.apply(Action::Argv("y".repeat(5000)));
        assert!(s.message.is_some());
        assert_eq!(s.steps.last().map(|x| x.kind), Some(StepKind::Start));
    }

    #[test]
    fn query_round_trip_and_step_bounds() {
        let mut s = State::default();
        s.apply(Action::Example(1));
        s.apply(Action::Argv("a b\nc".into()));
        s.apply(Action::Envp("K=V".into()));
        s.apply(Action::Next);
        s.apply(Action::Next);
        assert_eq!(State::from_query(&s.to_query().into()), s);
        let far = State::from_query(&Query::from([("step", "99999")]));
        assert_eq!(far.step, far.steps.len());
        assert_eq!(
            State::from_query(&Query::from([("ex", "999")])),
            State::default()
        );
    }
}
