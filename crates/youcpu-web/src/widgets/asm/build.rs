//! The asm widget's "Build and run" part: a whole program typed by the reader, built into a
//! static ELF by the core (`youcpu_core::asm::build_program`: assemble, lay out the segments,
//! write the headers), then executed by the core's simulated Linux in bounded slices (the view
//! schedules [`BuildAction::Continue`] on a timer, so a runaway loop never freezes the page and
//! stops at [`MAX_STEPS`]). A pure reducer part of [`super::state::State`].

use std::rc::Rc;
use youcpu_core::asm::{build_program, BuildError, Program};
use youcpu_core::linux::errno::Errno;
use youcpu_core::linux::syscalls::SyscallRecord;
use youcpu_core::linux::trace::Categories;
use youcpu_core::linux::{signal, Config, Linux, ProcessState};
use youcpu_core::loader::stack::RANDOM_SEED;
use youcpu_core::loader::ExecArgs;

/// The program the editor opens with: write(1, msg, len); exit(0).
pub const HELLO: &str = "# Hello, world: write(1, msg, len), then exit(0).
.data
msg:    .ascii \"Hello, world!\\n\"
len = . - msg           # the length: this address minus msg's
.text
.globl _start
_start:
    mov eax, 1          # system call 1 is write
    mov edi, 1          # file descriptor 1: standard output
    lea rsi, [rip + msg] # address of the bytes
    mov edx, len        # how many bytes
    syscall
    mov eax, 60         # system call 60 is exit
    xor edi, edi        # exit status 0
    syscall
";

/// Most characters the editor keeps.
pub const MAX_SOURCE: usize = 16 * 1024;
/// Most bytes of source a link carries (base64url makes it at most 5,462 characters).
pub const MAX_LINK_SOURCE: usize = 4096;
/// Instructions run per slice (one timer tick).
pub const SLICE: u64 = 100_000;
/// The step budget: a program still running after this many instructions is stopped.
pub const MAX_STEPS: u64 = 5_000_000;
/// Most system calls listed (the rest are counted).
pub const MAX_SYSCALLS_SHOWN: usize = 200;
/// Most bytes of stdout or stderr kept for display.
pub const MAX_OUTPUT_SHOWN: usize = 64 * 1024;
/// Simulated physical memory for the run (frames are allocated when touched).
const MEMORY: u64 = 64 << 20;
/// The name the program runs under (`argv[0]`).
pub const PROGRAM_NAME: &str = "./program";

/// A click or an edit in the build part.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BuildAction {
    /// The source changed.
    Source(String),
    /// Build it and start running it.
    Run,
    /// Run the next slice (sent by the view's timer while running).
    Continue,
    /// The reader stops the run.
    Stop,
}

/// How a run ended (or that it has not).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum End {
    /// Still running (more slices to come).
    Running,
    /// The process ended: it called exit or exit_group ([`ProcessState::Exited`]), or a
    /// signal killed it after an exception ([`ProcessState::Killed`]).
    Ended(ProcessState),
    /// The step budget ran out.
    Budget,
    /// The reader pressed Stop.
    Stopped,
    /// The program could not be loaded, or the machine stopped.
    Failed(String),
}

/// One system call of the run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Call {
    /// What the kernel recorded: number, name, the argument registers, the result.
    pub record: SyscallRecord,
    /// The call as strace writes it, decoded by the core's trace when it was made (strings
    /// and buffers read from memory, flag and errno names): `write(1, "Hi\n", 3) = 3`.
    pub text: String,
}

/// What a run has produced so far.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    /// Bytes written to fd 1 (at most [`MAX_OUTPUT_SHOWN`]).
    pub stdout: Vec<u8>,
    /// Bytes written to fd 2 (at most [`MAX_OUTPUT_SHOWN`]).
    pub stderr: Vec<u8>,
    /// Instructions retired in ring 3.
    pub instructions: u64,
    /// The first system calls.
    pub syscalls: Vec<Call>,
    /// All system calls made.
    pub syscall_count: u64,
    /// How it ended.
    pub end: End,
}

/// The build part's state.
#[derive(Clone)]
pub struct BuildState {
    /// The program text.
    pub source: String,
    /// A note when input was cut to the limit.
    pub notice: Option<String>,
    /// Counts builds, so the view knows when to make a new download link.
    pub generation: u64,
    /// The last build (of `built_source`).
    pub built: Option<Rc<Result<Program, BuildError>>>,
    /// The source of the last build.
    pub built_source: String,
    /// The process while it runs.
    pub os: Option<Rc<Linux>>,
    /// The run so far.
    pub report: Option<Report>,
}

impl PartialEq for BuildState {
    fn eq(&self, o: &Self) -> bool {
        self.source == o.source
            && self.notice == o.notice
            && self.generation == o.generation
            && self.built_source == o.built_source
            && self.report == o.report
            && match (&self.built, &o.built) {
                (Some(a), Some(b)) => Rc::ptr_eq(a, b) || a == b,
                (None, None) => true,
                _ => false,
            }
    }
}

impl Eq for BuildState {}

impl std::fmt::Debug for BuildState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BuildState")
            .field("source", &self.source)
            .field("generation", &self.generation)
            .field("report", &self.report)
            .finish_non_exhaustive()
    }
}

impl Default for BuildState {
    fn default() -> Self {
        BuildState {
            source: HELLO.to_string(),
            notice: None,
            generation: 0,
            built: None,
            built_source: String::new(),
            os: None,
            report: None,
        }
    }
}

fn report_of(os: &Linux, end: End) -> Report {
    let cut = |b: &[u8]| b.get(..MAX_OUTPUT_SHOWN).unwrap_or(b).to_vec();
    Report {
        stdout: cut(&os.stdout),
        stderr: cut(&os.stderr),
        instructions: os.instructions(),
        // The kernel's log and the trace record the same calls in the same order (a call that
        // sleeps and runs again is recorded once, when it completes).
        syscalls: os
            .syscalls
            .iter()
            .zip(os.trace.events.iter().filter_map(|e| e.kind.call_text()))
            .take(MAX_SYSCALLS_SHOWN)
            .map(|(record, text)| Call {
                record: record.clone(),
                text,
            })
            .collect(),
        syscall_count: os.syscall_count,
        end,
    }
}

/// How a finished process ended.
fn end_of(state: &ProcessState) -> End {
    match state {
        ProcessState::Running => End::Running,
        ProcessState::Exited { .. } | ProcessState::Killed { .. } => End::Ended(state.clone()),
        ProcessState::Crashed { reason } => End::Failed(format!("the machine stopped: {reason}")),
    }
}

impl BuildState {
    /// True while slices remain to run.
    pub fn running(&self) -> bool {
        self.report.as_ref().is_some_and(|r| r.end == End::Running)
    }

    /// True when the editor differs from what was built.
    pub fn stale(&self) -> bool {
        self.built.is_some() && self.source != self.built_source
    }

    /// The built program, if the last build worked.
    pub fn program(&self) -> Option<&Program> {
        self.built.as_deref().and_then(|r| r.as_ref().ok())
    }

    /// Applies one action.
    pub fn apply(&mut self, a: BuildAction) {
        match a {
            BuildAction::Source(t) => {
                self.notice = None;
                self.source = if t.chars().count() > MAX_SOURCE {
                    self.notice = Some(format!(
                        "The program was cut to its first {MAX_SOURCE} characters."
                    ));
                    t.chars().take(MAX_SOURCE).collect()
                } else {
                    t
                };
            }
            BuildAction::Run => self.build_and_start(),
            BuildAction::Continue => self.slice(),
            BuildAction::Stop => {
                if let (Some(os), true) = (&self.os, self.running()) {
                    self.report = Some(report_of(os, End::Stopped));
                }
                self.os = None;
            }
        }
    }

    fn build_and_start(&mut self) {
        self.generation = self.generation.wrapping_add(1);
        self.built_source = self.source.clone();
        self.os = None;
        self.report = None;
        let built = build_program(&self.source);
        let elf = built.as_ref().ok().map(|p| p.elf.clone());
        self.built = Some(Rc::new(built));
        let Some(elf) = elf else { return };
        let args = ExecArgs {
            argv: vec![PROGRAM_NAME.as_bytes().to_vec()],
            envp: Vec::new(),
            execfn: PROGRAM_NAME.as_bytes().to_vec(),
            uid: 1000,
            gid: 1000,
            random_seed: RANDOM_SEED,
        };
        let started = Linux::new(&Config {
            memory_limit: MEMORY,
            ..Config::default()
        })
        .and_then(|mut os| {
            // The trace decodes each call as strace shows it; only the calls listed are kept.
            os.trace.limit = MAX_SYSCALLS_SHOWN;
            os.trace.start(Categories {
                syscalls: true,
                ..Categories::default()
            });
            os.exec(&elf, None, &args)
                .map(|_| ())
                .map_err(youcpu_core::linux::Error::from)
                .map(|()| os)
        });
        match started {
            Ok(os) => {
                self.report = Some(report_of(&os, End::Running));
                self.os = Some(Rc::new(os));
                self.slice();
            }
            Err(e) => {
                self.report = Some(Report {
                    stdout: Vec::new(),
                    stderr: Vec::new(),
                    instructions: 0,
                    syscalls: Vec::new(),
                    syscall_count: 0,
                    end: End::Failed(format!("the kernel could not load it: {e}")),
                });
            }
        }
    }

    /// Runs up to [`SLICE`] more instructions.
    fn slice(&mut self) {
        if !self.running() {
            return;
        }
        let Some(os) = self.os.as_mut() else { return };
        let os = Rc::make_mut(os);
        let left = MAX_STEPS.saturating_sub(os.instructions());
        let finished = os.run(left.min(SLICE));
        let end = if finished {
            end_of(&os.state)
        } else if os.instructions() >= MAX_STEPS {
            End::Budget
        } else {
            End::Running
        };
        self.report = Some(report_of(os, end.clone()));
        if end != End::Running {
            self.os = None;
        }
    }
}

/// The errno's name (include/uapi/asm-generic/errno-base.h and errno.h), from the core's table.
fn errno_name(e: i64) -> &'static str {
    i32::try_from(e)
        .ok()
        .and_then(Errno::from_number)
        .map_or("an error", Errno::name)
}

fn fd_name(fd: u64) -> String {
    match fd {
        0 => "standard input (fd 0)".into(),
        1 => "standard output (fd 1)".into(),
        2 => "standard error (fd 2)".into(),
        n => format!("file descriptor {n}"),
    }
}

/// What a system call did, in a sentence (arch/x86/entry/syscalls/syscall_64.tbl numbers;
/// arguments in RDI, RSI, RDX, R10, R8, R9; the result in RAX).
pub fn explain(r: &SyscallRecord) -> String {
    let [a0, a1, a2, ..] = r.args;
    let failed = match r.ret {
        Some(v) if v < 0 => Some(format!(
            " It failed with {} (RAX = -{}).",
            errno_name(-v),
            -v
        )),
        _ => None,
    };
    let body = match r.nr {
        1 => format!(
            "Asks the kernel to copy {a2} bytes from address {a1:#x} to {}. RAX gets how many were written.",
            fd_name(a0)
        ),
        0 => format!(
            "Asks for up to {a2} bytes from {} into address {a1:#x}; RAX gets how many arrived (0 means end of input).",
            fd_name(a0)
        ),
        60 => format!(
            "Ends the process with exit status {} (the low 8 bits of {a0}). It never returns: the kernel frees the process's memory and tells its parent.",
            a0 & 0xff
        ),
        231 => format!(
            "Ends every thread of the process with status {} (the low 8 bits of {a0}); never returns.",
            a0 & 0xff
        ),
        12 => "Moves the program break, the end of the heap; RAX gets the new (or current) break."
            .to_string(),
        39 => "Asks for the process id; RAX gets it.".to_string(),
        9 => "Asks the kernel for a new mapping of memory; RAX gets its address.".to_string(),
        _ => format!(
            "System call number {} ({}); its arguments are in RDI, RSI, RDX, R10, R8 and R9.",
            r.nr, r.name
        ),
    };
    match failed {
        Some(f) => format!("{body}{f}"),
        None => body,
    }
}

/// A run's end in a sentence.
pub fn end_text(end: &End) -> String {
    match end {
        End::Running => "running…".into(),
        End::Ended(state) => {
            // The status a shell reports: the exit code, or 128 + the signal.
            let status = state.shell_status().unwrap_or_default();
            match state {
                ProcessState::Killed { signal: s, reason } => format!(
                    "killed by {} (signal {s}, status {status} in a shell): {reason}",
                    signal::name(*s)
                ),
                _ => format!("exited with status {status}"),
            }
        }
        End::Budget => format!(
            "stopped after {MAX_STEPS} instructions, the step budget: it never called exit (a loop that does not end?)"
        ),
        End::Stopped => "stopped by you".into(),
        End::Failed(e) => e.clone(),
    }
}

/// Where line `line` (1-based) of `text` starts and ends, in UTF-16 code units (the offsets a
/// textarea's selection uses); `None` past the end.
pub fn line_span_utf16(text: &str, line: usize) -> Option<(u32, u32)> {
    let mut at = 0u32;
    for (i, l) in text.split('\n').enumerate() {
        let len = l.encode_utf16().count() as u32;
        if i + 1 == line {
            return Some((at, at + len));
        }
        at = at.saturating_add(len + 1);
    }
    None
}

/// base64url without padding (RFC 4648 §5): the link form of the source.
pub fn b64_encode(b: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(b.len().div_ceil(3) * 4);
    for c in b.chunks(3) {
        let n = c
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &x)| n | u32::from(x) << (16 - 8 * i));
        for i in 0..=c.len() {
            let idx = (n >> (18 - 6 * i)) & 63;
            out.push(char::from(A.get(idx as usize).copied().unwrap_or(b'A')));
        }
    }
    out
}

/// Decodes [`b64_encode`]'s output; `None` for anything else.
pub fn b64_decode(s: &str) -> Option<Vec<u8>> {
    let val = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' => 62,
            b'_' => 63,
            _ => return None,
        } as u32)
    };
    let mut out = Vec::with_capacity(s.len() / 4 * 3 + 2);
    for c in s.as_bytes().chunks(4) {
        if c.len() == 1 {
            return None;
        }
        let mut n = 0u32;
        for (i, &x) in c.iter().enumerate() {
            n |= val(x)? << (18 - 6 * i);
        }
        for i in 0..c.len() - 1 {
            out.push((n >> (16 - 8 * i)) as u8);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run_to_end(s: &mut BuildState) {
        s.apply(BuildAction::Run);
        for _ in 0..(MAX_STEPS / SLICE + 2) {
            if !s.running() {
                break;
            }
            s.apply(BuildAction::Continue);
        }
    }

    #[test]
    fn hello_builds_and_runs() {
        let mut s = BuildState::default();
        run_to_end(&mut s);
        let r = s.report.clone().expect("ran");
        assert_eq!(r.stdout, b"Hello, world!\n");
        assert_eq!(r.end, End::Ended(ProcessState::Exited { code: 0 }));
        assert_eq!(end_text(&r.end), "exited with status 0");
        assert_eq!(r.instructions, 8);
        assert_eq!(r.syscalls.len(), 2);
        // strace's text for the calls: the buffer written, the result; exit has none.
        assert_eq!(r.syscalls[0].text, r#"write(1, "Hello, world!\n", 14) = 14"#);
        assert_eq!(r.syscalls[0].record.nr, 1);
        assert!(explain(&r.syscalls[0].record).contains("standard output"));
        assert_eq!(r.syscalls[1].text, "exit(0) = ?");
        let p = s.program().expect("built");
        assert_eq!(p.layout.segments, 2);
        assert!(!s.stale());
        s.apply(BuildAction::Source(HELLO.replace("Hello, world!", "Bye")));
        assert!(s.stale());
        run_to_end(&mut s);
        assert_eq!(
            s.report.as_ref().map(|r| r.stdout.clone()),
            Some(b"Bye\n".to_vec())
        );
        assert_eq!(s.generation, 2);
    }

    /// Builds `source` and returns why it was refused.
    fn refused(s: &mut BuildState, source: String) -> BuildError {
        s.apply(BuildAction::Source(source));
        s.apply(BuildAction::Run);
        s.built
            .as_deref()
            .expect("built")
            .clone()
            .expect_err("refused")
    }

    #[test]
    fn errors_name_the_line_and_nothing_runs() {
        let mut s = BuildState::default();
        let e = refused(&mut s, HELLO.replace("mov edx, len", "mvo edx, len"));
        assert_eq!(e.errors[0].line, 11);
        assert!(e.errors[0].message.contains("mvo"));
        assert!(s.report.is_none() && !s.running());
        let e = refused(&mut s, HELLO.replace("_start:", "_start:\n jmp nowhere"));
        assert!(
            e.to_string().starts_with("line 8: nowhere is not defined"),
            "{e}"
        );
    }

    #[test]
    fn a_runaway_loop_stops_at_the_budget_in_slices() {
        let mut s = BuildState::default();
        s.apply(BuildAction::Source("_start:\n    jmp _start\n".into()));
        s.apply(BuildAction::Run);
        assert!(s.running());
        assert_eq!(s.report.as_ref().map(|r| r.instructions), Some(SLICE));
        let mut slices = 1;
        while s.running() {
            s.apply(BuildAction::Continue);
            slices += 1;
            assert!(slices <= MAX_STEPS / SLICE);
        }
        let r = s.report.clone().expect("ran");
        assert_eq!((r.end, r.instructions), (End::Budget, MAX_STEPS));
        assert!(end_text(&End::Budget).contains("5000000"));
        // Stop mid-run.
        s.apply(BuildAction::Run);
        s.apply(BuildAction::Stop);
        assert_eq!(s.report.as_ref().map(|r| r.end.clone()), Some(End::Stopped));
        s.apply(BuildAction::Continue);
        assert_eq!(s.report.as_ref().map(|r| r.instructions), Some(SLICE));
    }

    #[test]
    fn faults_exit_codes_and_stderr() {
        let mut s = BuildState::default();
        s.apply(BuildAction::Source(
            ".data\nm: .ascii \"err\"\n.text\nmov eax, 1\nmov edi, 2\nmov esi, offset m\nmov edx, 3\nsyscall\nmov eax, 60\nmov edi, 300\nsyscall\n".into(),
        ));
        run_to_end(&mut s);
        let r = s.report.clone().expect("ran");
        assert_eq!(
            (r.stderr.as_slice(), r.end),
            (&b"err"[..], End::Ended(ProcessState::Exited { code: 44 }))
        );
        assert_eq!(r.syscalls[0].text, r#"write(2, "err", 3) = 3"#);
        s.apply(BuildAction::Source("mov byte ptr [0], 1\n".into()));
        run_to_end(&mut s);
        let end = s.report.clone().expect("ran").end;
        match &end {
            End::Ended(ProcessState::Killed { signal, .. }) => assert_eq!(*signal, 11),
            other => panic!("{other:?}"),
        }
        assert!(
            end_text(&end).starts_with("killed by SIGSEGV (signal 11, status 139 in a shell): "),
            "{}",
            end_text(&end)
        );
        s.apply(BuildAction::Source(
            "mov eax, 1\nmov edi, 7\nmov esi, 0\nmov edx, 1\nsyscall\nmov eax, 60\nsyscall\n"
                .into(),
        ));
        run_to_end(&mut s);
        let r = s.report.clone().expect("ran");
        assert_eq!(
            r.syscalls[0].text,
            "write(7, NULL, 1) = -1 EBADF (Bad file descriptor)"
        );
        assert!(explain(&r.syscalls[0].record).contains("EBADF"));
    }

    #[test]
    fn line_spans_count_utf16() {
        let t = "ab\nü𝄞x\n\nlast";
        assert_eq!(line_span_utf16(t, 1), Some((0, 2)));
        assert_eq!(line_span_utf16(t, 2), Some((3, 7)));
        assert_eq!(line_span_utf16(t, 3), Some((8, 8)));
        assert_eq!(line_span_utf16(t, 4), Some((9, 13)));
        assert_eq!(line_span_utf16(t, 5), None);
        assert_eq!(line_span_utf16(t, 0), None);
    }

    #[test]
    fn base64url_round_trips() {
        for s in ["", "a", "ab", "abc", "abcd", HELLO, "ü→\u{0}\n"] {
            assert_eq!(
                b64_decode(&b64_encode(s.as_bytes())).as_deref(),
                Some(s.as_bytes())
            );
        }
        assert_eq!(b64_encode(b"hello"), "aGVsbG8");
        assert_eq!(b64_decode("a"), None);
        assert_eq!(b64_decode("a*cd"), None);
        assert!(b64_encode(&[b'x'; MAX_LINK_SOURCE]).len() <= 5462);
    }
}
