//! The story of one run: every traced event ([`super::trace`]) of the kernel, in order, told
//! in a sentence, with the stage of the article it belongs to and the section (its anchor)
//! that explains it. The "your program" widget shows this list on a timeline; `youcpu run
//! --trace` prints the same events, one line each ([`Moment::line`]).
//!
//! Nothing here looks at the machine: the story is a function of the events alone, so the
//! page, the command line and the tests tell the same one.

use super::trace::{Event, EventKind};
use serde::Serialize;

/// The article's stages, in the order a run meets them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// execve and the binary format handlers (Part 3).
    Exec,
    /// PT_LOAD segments, the first stack, the dynamic loader's libraries (Part 4).
    Load,
    /// Page faults: the first touch of a page, copy-on-write (Parts 5 and 6).
    Memory,
    /// System calls (Part 1).
    Syscalls,
    /// Signals delivered and handlers run.
    Signals,
    /// fork, exit and wait: the process tree (Part 6).
    Processes,
    /// Timer preemptions (Part 2).
    Sched,
}

impl Stage {
    /// Every stage, in timeline order (one lane each).
    pub const ALL: [Stage; 7] = [
        Stage::Exec,
        Stage::Load,
        Stage::Memory,
        Stage::Syscalls,
        Stage::Signals,
        Stage::Processes,
        Stage::Sched,
    ];

    /// A short label for the stage.
    pub fn label(self) -> &'static str {
        match self {
            Stage::Exec => "execve",
            Stage::Load => "loading",
            Stage::Memory => "page faults",
            Stage::Syscalls => "system calls",
            Stage::Signals => "signals",
            Stage::Processes => "processes",
            Stage::Sched => "time slices",
        }
    }
}

/// Every section anchor a [`Moment`] can link to (the web build checks that each exists).
pub const ANCHORS: [&str; 13] = [
    A_EXEC_ARGS,
    A_EXEC_BUFFER,
    A_EXEC_SCRIPT,
    A_EXEC_MISC,
    A_ELF_KERNEL,
    A_ELF_STACK,
    A_ELF_DYNAMIC,
    A_PAGE_FAULTS,
    A_COW,
    A_SYSCALLS,
    A_FORK,
    A_PROCESS_END,
    A_TIMER,
];

const A_EXEC_ARGS: &str = "exec-what-execve-is-handed";
const A_EXEC_BUFFER: &str = "exec-the-first-256-bytes";
const A_EXEC_SCRIPT: &str = "exec-scripts-and-the-shebang-line";
const A_EXEC_MISC: &str = "exec-binfmt-misc";
const A_ELF_KERNEL: &str = "elf-what-the-kernel-does-with-it";
const A_ELF_STACK: &str = "elf-the-first-stack-frame";
const A_ELF_DYNAMIC: &str = "elf-dynamic-linking-without-the-myth";
const A_PAGE_FAULTS: &str = "paging-page-faults";
const A_COW: &str = "fork-copying-without-copying";
const A_SYSCALLS: &str = "basics-system-calls";
const A_FORK: &str = "fork-one-process-becomes-two";
const A_PROCESS_END: &str = "fork-where-processes-end";
const A_TIMER: &str = "timeslicing-taking-control-back";

/// One event of the run, told.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Moment {
    /// The process it happened to.
    pub pid: u32,
    /// Retired user instructions (of all processes) at that moment.
    pub instructions: u64,
    /// The stage.
    pub stage: Stage,
    /// A short name of what happened (`write`, `PT_LOAD`, `fork`, `SIGSEGV`...).
    pub what: String,
    /// The sentence.
    pub sentence: String,
    /// The anchor (without `#`) of the section that explains it.
    pub anchor: &'static str,
    /// The event as `youcpu run --trace` prints it.
    pub line: String,
}

fn human_bytes(n: u64) -> String {
    if n >= 1 << 20 && n.is_multiple_of(1 << 20) {
        format!("{} MiB", n >> 20)
    } else if n >= 1 << 10 && n.is_multiple_of(1 << 10) {
        format!("{} KiB", n >> 10)
    } else if n == 1 {
        "1 byte".to_string()
    } else {
        format!("{n} bytes")
    }
}

/// A system call's stage, anchor and a few words on what it asked for.
fn syscall_story(
    name: &str,
    args: &[String],
    ret: Option<i64>,
    result: &str,
) -> (Stage, &'static str, String) {
    let arg = |i: usize| args.get(i).map(String::as_str).unwrap_or("?");
    let ok = ret.is_some_and(|r| !(-4095..0).contains(&r));
    let failed = if ok || ret.is_none() {
        String::new()
    } else {
        format!(" It failed: {}.", result.trim_start_matches("-1 "))
    };
    let (stage, anchor, words) = match name {
        "fork" | "vfork" | "clone" | "clone3" if ok => (
            Stage::Processes,
            A_FORK,
            format!(
                "made a new process, pid {result}: a copy of this one that shares its pages \
                 copy-on-write."
            ),
        ),
        "execve" | "execveat" => (
            Stage::Exec,
            A_EXEC_ARGS,
            format!("asked the kernel to replace its program with {}.", arg(0)),
        ),
        "wait4" | "waitid" => (
            Stage::Processes,
            A_PROCESS_END,
            if ok && ret != Some(0) {
                format!(
                    "waited for a child and collected pid {result}, status {}.",
                    arg(1)
                )
            } else {
                "waited for a child.".to_string()
            },
        ),
        "exit" | "exit_group" => (
            Stage::Processes,
            A_PROCESS_END,
            format!(
                "asked to end with status {}: the call never returns.",
                arg(0)
            ),
        ),
        "rt_sigaction" => (
            Stage::Signals,
            A_PAGE_FAULTS,
            format!("told the kernel what to do on {}.", arg(0)),
        ),
        "rt_sigreturn" => (
            Stage::Signals,
            A_PAGE_FAULTS,
            "returned from a signal handler through the frame the kernel had built.".to_string(),
        ),
        "rt_sigprocmask" => (
            Stage::Signals,
            A_PAGE_FAULTS,
            "changed which signals it blocks.".to_string(),
        ),
        "kill" | "tgkill" | "tkill" => (
            Stage::Signals,
            A_PAGE_FAULTS,
            format!(
                "sent {} to another process.",
                args.last().map_or("?", |s| s)
            ),
        ),
        "open" | "openat" if args.iter().any(|a| a.contains(".so")) => (
            Stage::Load,
            A_ELF_DYNAMIC,
            format!(
                "opened the shared library {}, to map it.",
                arg(usize::from(name == "openat"))
            ),
        ),
        "mmap" if ok && arg(4) != "-1" => (
            Stage::Load,
            A_ELF_DYNAMIC,
            format!(
                "mapped {} of file descriptor {} at {result} ({}).",
                human_bytes(arg(1).parse().unwrap_or(0)),
                arg(4),
                arg(2)
            ),
        ),
        "write" | "writev" | "pwrite64" => (
            Stage::Syscalls,
            A_SYSCALLS,
            format!("wrote {result} bytes to file descriptor {}.", arg(0)),
        ),
        "read" | "readv" | "pread64" if ret == Some(0) => (
            Stage::Syscalls,
            A_SYSCALLS,
            format!(
                "read from file descriptor {} and found its end (0 bytes).",
                arg(0)
            ),
        ),
        "read" | "readv" | "pread64" => (
            Stage::Syscalls,
            A_SYSCALLS,
            format!("read {result} bytes from file descriptor {}.", arg(0)),
        ),
        "brk" => (
            Stage::Syscalls,
            A_SYSCALLS,
            format!("moved (or asked for) the end of its heap: it is at {result}."),
        ),
        "mmap" => (
            Stage::Syscalls,
            A_SYSCALLS,
            format!(
                "asked for {} of fresh memory, at {result}.",
                human_bytes(arg(1).parse().unwrap_or(0))
            ),
        ),
        "munmap" => (
            Stage::Syscalls,
            A_SYSCALLS,
            format!("gave back memory at {}.", arg(0)),
        ),
        "mprotect" => (
            Stage::Syscalls,
            A_SYSCALLS,
            format!(
                "changed the permissions of memory at {} to {}.",
                arg(0),
                arg(2)
            ),
        ),
        "arch_prctl" => (
            Stage::Syscalls,
            A_SYSCALLS,
            format!(
                "set {} (the FS base register that thread-local storage lives behind).",
                arg(0)
            ),
        ),
        "set_tid_address" => (
            Stage::Syscalls,
            A_SYSCALLS,
            format!("told the kernel where its thread id lives; it is {result}."),
        ),
        "ioctl" => (
            Stage::Syscalls,
            A_SYSCALLS,
            format!(
                "asked file descriptor {} a terminal question ({}).",
                arg(0),
                arg(1)
            ),
        ),
        "getpid" | "gettid" | "getppid" => (
            Stage::Syscalls,
            A_SYSCALLS,
            format!("asked for an id: {result}."),
        ),
        "close" => (
            Stage::Syscalls,
            A_SYSCALLS,
            format!("closed file descriptor {}.", arg(0)),
        ),
        "open" | "openat" => (
            Stage::Syscalls,
            A_SYSCALLS,
            format!("opened {}.", arg(usize::from(name == "openat"))),
        ),
        _ => (
            Stage::Syscalls,
            A_SYSCALLS,
            format!("made the system call {name}."),
        ),
    };
    let words = if failed.is_empty() {
        words
    } else {
        format!("called {name}.{failed}")
    };
    (stage, anchor, words)
}

/// One event in words.
pub fn moment(e: &Event) -> Moment {
    let pid = e.pid;
    let (stage, what, anchor, sentence): (Stage, String, &'static str, String) = match &e.kind {
        EventKind::Binfmt {
            handler,
            verdict,
            why,
            argv,
        } => {
            let anchor = match handler.as_str() {
                "script" => A_EXEC_SCRIPT,
                "misc" => A_EXEC_MISC,
                _ => A_EXEC_BUFFER,
            };
            let mut why = why.clone();
            if let Some(c) = why.get(..1) {
                why = c.to_uppercase() + why.get(1..).unwrap_or("");
            }
            let stop = if why.ends_with('.') { "" } else { "." };
            let mut s = format!("execve: binfmt_{handler} {verdict} the file. {why}{stop}");
            if let Some(a) = argv {
                s.push_str(&format!(" argv is now {a:?}."));
            }
            (Stage::Exec, format!("binfmt_{handler}"), anchor, s)
        }
        EventKind::Exec {
            path,
            argv,
            start,
            interp,
        } => {
            let s = match interp {
                Some(i) => format!(
                    "pid {pid} now runs {path} with argv {argv:?}. It names an interpreter, \
                     {i}, so the kernel loaded that too and starts it first, at {start:#x}."
                ),
                None => format!(
                    "pid {pid} now runs {path} with argv {argv:?}, starting at its entry \
                     point {start:#x}."
                ),
            };
            (Stage::Exec, "execve".into(), A_EXEC_ARGS, s)
        }
        EventKind::Segment {
            file,
            vaddr,
            memsz,
            filesz,
            offset,
            prot,
        } => {
            let end = vaddr.saturating_add(*memsz);
            let zero = memsz.saturating_sub(*filesz);
            let mut s = format!(
                "The kernel mapped a PT_LOAD segment of {file} at {vaddr:#x}-{end:#x} \
                 ({prot}): {} from offset {offset:#x} of the file",
                human_bytes(*filesz)
            );
            if zero > 0 {
                s.push_str(&format!(", then {} of zeros", human_bytes(zero)));
            }
            s.push('.');
            (Stage::Load, "PT_LOAD".into(), A_ELF_KERNEL, s)
        }
        EventKind::Stack {
            sp,
            argc,
            envc,
            auxv,
        } => {
            let get = |k: &str| auxv.iter().find(|(n, _)| n == k).map(|&(_, v)| v);
            let n =
                |k: u64, one: &str, many: &str| format!("{k} {}", if k == 1 { one } else { many });
            let mut s = format!(
                "The kernel built the first stack frame at {sp:#x}: argc, then pointers to \
                 {} and {}, then {} of the auxiliary vector",
                n(*argc, "argument", "arguments"),
                n(*envc, "environment string", "environment strings"),
                n(auxv.len() as u64, "entry", "entries")
            );
            if let Some(entry) = get("AT_ENTRY") {
                s.push_str(&format!(", among them AT_ENTRY = {entry:#x}"));
            }
            match get("AT_BASE") {
                Some(b) if b != 0 => {
                    s.push_str(&format!(" and AT_BASE = {b:#x}, where the interpreter is"))
                }
                _ => {}
            }
            s.push('.');
            (Stage::Load, "stack".into(), A_ELF_STACK, s)
        }
        EventKind::Fault {
            addr,
            outcome,
            region,
        } => {
            let place = if region.is_empty() {
                "anonymous memory".to_string()
            } else {
                region.clone()
            };
            if outcome == "copy-on-write" {
                (
                    Stage::Memory,
                    "copy-on-write".into(),
                    A_COW,
                    format!(
                        "pid {pid} wrote to a shared copy-on-write page at {addr:#x} \
                         ({place}): the page fault made the kernel give it its own copy."
                    ),
                )
            } else {
                (
                    Stage::Memory,
                    "first touch".into(),
                    A_PAGE_FAULTS,
                    format!(
                        "pid {pid} touched {addr:#x} ({place}) for the first time: the page \
                         fault made the kernel map a zero-filled page there."
                    ),
                )
            }
        }
        EventKind::Syscall {
            name,
            args,
            ret,
            result,
            ..
        } => {
            let (stage, anchor, words) = syscall_story(name, args, *ret, result);
            let call = e.kind.call_text().unwrap_or_default();
            (
                stage,
                name.clone(),
                anchor,
                format!("pid {pid}: {call}. It {words}"),
            )
        }
        EventKind::Signal {
            signal,
            handler,
            addr,
            ..
        } => {
            let name = super::signal::name(*signal);
            let at = addr
                .map(|a| format!(" (si_addr {a:#x})"))
                .unwrap_or_default();
            (
                Stage::Signals,
                name.into(),
                A_PAGE_FAULTS,
                format!(
                    "The kernel delivered {name}{at} to pid {pid}: it built a signal frame on \
                     the user stack and returned to ring 3 in the handler at {handler:#x}."
                ),
            )
        }
        EventKind::Killed { signal, reason } => {
            let name = super::signal::name(*signal);
            (
                Stage::Signals,
                format!("killed by {name}"),
                A_PAGE_FAULTS,
                format!("pid {pid} was killed by {name}: {reason}."),
            )
        }
        EventKind::Exited { code } => (
            Stage::Processes,
            "exit".into(),
            A_PROCESS_END,
            format!("pid {pid} ended with exit status {code}; its parent collects it with wait."),
        ),
        EventKind::Switch { from, to } => (
            Stage::Sched,
            "switch".into(),
            A_TIMER,
            format!(
                "The timer interrupted pid {from}, and the scheduler gave the CPU to pid {to}."
            ),
        ),
    };
    Moment {
        pid,
        instructions: e.instructions,
        stage,
        what,
        sentence,
        anchor,
        line: e.line(),
    }
}

/// The whole story, in order.
pub fn narrate(events: &[Event]) -> Vec<Moment> {
    events.iter().map(moment).collect()
}

/// The process tree of a run: (pid, parent) for every process the events show, parents
/// first (the first process has parent 0).
pub fn process_tree(events: &[Event]) -> Vec<(u32, u32)> {
    let mut out: Vec<(u32, u32)> = Vec::new();
    for e in events {
        if out.is_empty() {
            out.push((e.pid, 0));
        }
        if let EventKind::Syscall {
            name, ret: Some(r), ..
        } = &e.kind
        {
            if matches!(name.as_str(), "fork" | "vfork" | "clone" | "clone3") && *r > 0 {
                if let Ok(child) = u32::try_from(*r) {
                    out.push((child, e.pid));
                }
            }
        }
    }
    out
}
