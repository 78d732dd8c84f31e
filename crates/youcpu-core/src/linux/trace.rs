//! What the kernel did, as typed events: system calls with their arguments decoded (strings,
//! flag names, the return value or the errno's name), page faults and how they ended, signals
//! and process ends, context switches, program loads. The kernel records them while
//! [`Trace::on`] is set (nothing is recorded, and nothing decoded, when it is not); the CLI
//! prints them one strace-like line each (`youcpu run --trace`) or puts them in its JSON
//! document, and the browser can show the same list.

use super::errno::Errno;
use super::syscalls::SyscallRecord;
use super::{KernelAction, Linux};
use serde::Serialize;

/// Most events kept (later ones are counted in [`Trace::dropped`]).
pub const MAX_EVENTS: usize = 1_000_000;
/// Most bytes of a string or buffer argument shown (strace's default `-s 32`).
pub const STRING_LIMIT: usize = 32;

/// The kinds of event, each selectable with `--trace=...`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Categories {
    /// Every system call.
    pub syscalls: bool,
    /// Page faults (demand paging, copy-on-write, the fatal ones).
    pub faults: bool,
    /// Signals and process ends.
    pub signals: bool,
    /// Context switches.
    pub sched: bool,
    /// Program loads (and execve calls).
    pub exec: bool,
    /// Memory-mapping calls (mmap, munmap, mprotect, mremap, madvise, brk).
    pub mmap: bool,
}

impl Categories {
    /// Everything.
    pub const ALL: Categories = Categories {
        syscalls: true,
        faults: true,
        signals: true,
        sched: true,
        exec: true,
        mmap: true,
    };

    /// From `--trace=` text: comma-separated names (`syscalls,faults,signals,sched,exec,mmap`,
    /// or `all`); empty means syscalls, signals and exec, as strace shows by default.
    pub fn parse(text: &str) -> Result<Categories, String> {
        let mut c = Categories::default();
        if text.is_empty() {
            c.syscalls = true;
            c.signals = true;
            c.exec = true;
            return Ok(c);
        }
        for part in text.split(',') {
            match part.trim() {
                "syscalls" => c.syscalls = true,
                "faults" => c.faults = true,
                "signals" => c.signals = true,
                "sched" => c.sched = true,
                "exec" => c.exec = true,
                "mmap" => c.mmap = true,
                "all" => c = Categories::ALL,
                other => {
                    return Err(format!(
                        "unknown trace category {other:?} (syscalls, faults, signals, sched, exec, mmap, all)"
                    ))
                }
            }
        }
        Ok(c)
    }
}

/// What happened.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EventKind {
    /// A system call returned (or ended the process: `ret` is None).
    Syscall {
        /// Its number.
        nr: u64,
        /// Its name.
        name: String,
        /// The arguments as strace shows them.
        args: Vec<String>,
        /// The raw result (negative errno on failure).
        ret: Option<i64>,
        /// The result as strace shows it: `3`, `0x7ffff7fc3000`, `-1 ENOENT (No such file
        /// or directory)`, `?`.
        result: String,
    },
    /// A page fault.
    Fault {
        /// The faulting address.
        addr: u64,
        /// What the kernel did: `demand-page`, `copy-on-write`.
        outcome: String,
        /// The region the page belongs to, as `/proc/PID/maps` names it (a file, `[heap]`,
        /// `[stack]`, or empty for anonymous memory).
        region: String,
    },
    /// A process was killed by a signal.
    Killed {
        /// The signal.
        signal: u8,
        /// Why.
        reason: String,
    },
    /// A process called exit.
    Exited {
        /// The status.
        code: u8,
    },
    /// The CPU went from one process to another.
    Switch {
        /// From.
        from: u32,
        /// To.
        to: u32,
    },
    /// A program was loaded (execve).
    Exec {
        /// Its path.
        path: String,
        /// Its arguments.
        argv: Vec<String>,
        /// Where it starts (the interpreter's entry for a dynamic program).
        start: u64,
        /// The interpreter, if any.
        interp: Option<String>,
    },
    /// One verdict of the execve chain (fs/exec.c `search_binary_handler`): a binary format
    /// handler declined the file, claimed it, or rewrote argv.
    Binfmt {
        /// The handler: `misc`, `script`, `elf`, `compat_elf`.
        handler: String,
        /// `declined`, `claimed` or `rewrote`.
        verdict: String,
        /// The model's sentence saying why.
        why: String,
        /// argv after a rewrite.
        argv: Option<Vec<String>>,
    },
    /// A PT_LOAD segment mapped by execve (fs/binfmt_elf.c `elf_load`).
    Segment {
        /// The file it comes from (the program, or its interpreter).
        file: String,
        /// Start address.
        vaddr: u64,
        /// Bytes in memory.
        memsz: u64,
        /// Bytes from the file (the rest is zero-filled BSS).
        filesz: u64,
        /// File offset.
        offset: u64,
        /// `r-x`-style permissions.
        prot: String,
    },
    /// The initial stack written by execve (fs/binfmt_elf.c `create_elf_tables`).
    Stack {
        /// RSP at the first instruction (it points at argc).
        sp: u64,
        /// The arguments.
        argc: u64,
        /// The environment strings.
        envc: u64,
        /// The auxiliary vector, AT_NULL left out.
        auxv: Vec<(String, u64)>,
    },
    /// A caught signal's frame was built and its handler runs
    /// (arch/x86/kernel/signal.c `handle_signal`).
    Signal {
        /// The signal.
        signal: u8,
        /// The handler's address.
        handler: u64,
        /// `si_code`.
        code: i32,
        /// `si_addr` for a fault.
        addr: Option<u64>,
    },
}

/// One event.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Event {
    /// The process.
    pub pid: u32,
    /// Retired user instructions (of all processes) when it happened.
    pub instructions: u64,
    /// What happened.
    #[serde(flatten)]
    pub kind: EventKind,
}

impl Event {
    /// One line, as strace -f prints it, with the instruction count after the pid:
    /// `[pid 1 @1234] openat(AT_FDCWD, "/etc/ld.so.cache", O_RDONLY|O_CLOEXEC) = 3`.
    pub fn line(&self) -> String {
        let head = format!("[pid {} @{}]", self.pid, self.instructions);
        match &self.kind {
            EventKind::Syscall {
                name, args, result, ..
            } => format!("{head} {name}({}) = {result}", args.join(", ")),
            EventKind::Fault {
                addr,
                outcome,
                region,
            } => {
                let r = if region.is_empty() { "anonymous" } else { region };
                format!("{head} --- page fault at {addr:#x} ({r}): {outcome} ---")
            }
            EventKind::Binfmt {
                handler,
                verdict,
                why,
                ..
            } => format!("{head} --- binfmt_{handler} {verdict}: {why} ---"),
            EventKind::Segment {
                file,
                vaddr,
                memsz,
                prot,
                ..
            } => format!(
                "{head} --- PT_LOAD of {file} at {vaddr:#x}-{:#x} {prot} ---",
                vaddr.saturating_add(*memsz)
            ),
            EventKind::Stack {
                sp,
                argc,
                envc,
                auxv,
            } => format!(
                "{head} --- stack at {sp:#x}: argc {argc}, {envc} environment strings, {} auxv entries ---",
                auxv.len()
            ),
            EventKind::Signal {
                signal,
                handler,
                code,
                addr,
            } => format!(
                "{head} --- {} {{si_code={code}{}}} handler {handler:#x} ---",
                super::signal::name(*signal),
                addr.map(|a| format!(", si_addr={a:#x}"))
                    .unwrap_or_default()
            ),
            EventKind::Killed { signal, reason } => format!(
                "{head} +++ killed by {} ({reason}) +++",
                super::signal::name(*signal)
            ),
            EventKind::Exited { code } => format!("{head} +++ exited with {code} +++"),
            EventKind::Switch { from, to } => format!("{head} --- switch {from} -> {to} ---"),
            EventKind::Exec {
                path,
                argv,
                start,
                interp,
            } => format!(
                "{head} --- exec {path:?} {argv:?} start {start:#x}{} ---",
                interp
                    .as_ref()
                    .map(|i| format!(" via {i}"))
                    .unwrap_or_default()
            ),
        }
    }
}

/// The recorder.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Trace {
    /// Recording (off by default: then nothing is decoded).
    pub on: bool,
    /// What to record.
    pub categories: Categories,
    /// The events, in order.
    pub events: Vec<Event>,
    /// Events past [`MAX_EVENTS`], not kept.
    pub dropped: u64,
    /// The system call just served went to sleep and will run again (not recorded yet).
    #[serde(skip)]
    pub restarting: bool,
}

impl Trace {
    /// Recording `categories` from now on.
    pub fn start(&mut self, categories: Categories) {
        self.on = true;
        self.categories = categories;
    }

    fn push(&mut self, e: Event) {
        if self.events.len() < MAX_EVENTS {
            self.events.push(e);
        } else {
            self.dropped += 1;
        }
    }
}

/// How an argument is shown.
#[derive(Clone, Copy)]
enum A {
    /// Signed decimal.
    I,
    /// Unsigned decimal.
    U,
    /// Hexadecimal (addresses), NULL for 0.
    P,
    /// A file offset in hexadecimal (0 as 0).
    Off,
    /// A descriptor or AT_FDCWD.
    Fd,
    /// A NUL-terminated string.
    S,
    /// A buffer read by the call: its length is argument `n`.
    In(usize),
    /// A buffer the call filled: its length is the result.
    Out,
    /// open flags.
    OFlags,
    /// An octal mode.
    Mode,
    /// mmap/mprotect protection.
    Prot,
    /// mmap flags.
    MFlags,
    /// lseek whence.
    Whence,
    /// *at flags.
    AtFlags,
    /// A signal number.
    Sig,
    /// access mode.
    Access,
    /// A clock id.
    Clock,
    /// arch_prctl code.
    ArchCode,
    /// fcntl command.
    FcntlCmd,
    /// ioctl request.
    Ioctl,
    /// madvise advice.
    Advice,
    /// A NULL-terminated array of strings (execve).
    Argv,
    /// wait4's status word, read after the call as strace decodes it.
    Status,
    /// An array of `struct iovec` the call reads (writev): its length is argument `n`.
    Iov(usize),
}

/// How many arguments system call `nr` takes (the registers after them are ignored by it), from
/// the same table the trace decodes them with; `None` for a call the table does not know.
pub fn arity(nr: u64) -> Option<usize> {
    signature(nr).map(|(args, _)| args.len())
}

/// The arguments of a system call, and whether its result is an address.
fn signature(nr: u64) -> Option<(&'static [A], bool)> {
    use A::*;
    Some(match nr {
        0 => (&[Fd, Out, U], false),
        1 => (&[Fd, In(2), U], false),
        17 => (&[Fd, Out, U, I], false),
        18 => (&[Fd, In(2), U, I], false),
        2 => (&[S, OFlags, Mode], false),
        3 | 32 => (&[Fd], false),
        4 | 6 => (&[S, P], false),
        5 => (&[Fd, P], false),
        7 => (&[P, U, I], false),
        8 => (&[Fd, I, Whence], false),
        9 => (&[P, U, Prot, MFlags, Fd, Off], true),
        10 => (&[P, U, Prot], false),
        11 => (&[P, U], false),
        12 => (&[P], true),
        13 => (&[Sig, P, P, U], false),
        14 => (&[I, P, P, U], false),
        16 => (&[Fd, Ioctl, P], false),
        19 => (&[Fd, P, I], false),
        20 => (&[Fd, Iov(2), I], false),
        21 => (&[S, Access], false),
        22 => (&[P], false),
        25 => (&[P, U, U, I, P], true),
        35 => (&[P, P], false),
        36 => (&[I, P], false),
        37 => (&[U], false),
        38 => (&[I, P, P], false),
        230 => (&[Clock, I, P, P], false),
        234 => (&[I, I, Sig], false),
        200 => (&[I, Sig], false),
        28 => (&[P, U, Advice], false),
        33 => (&[Fd, Fd], false),
        39 | 24 | 57 | 58 | 102 | 104 | 107 | 108 | 110 | 111 | 112 | 186 => (&[], false),
        56 => (&[P, P, P, P, P], false),
        59 => (&[S, Argv, P], false),
        60 | 231 => (&[I], false),
        61 => (&[I, Status, I, P], false),
        62 => (&[I, Sig], false),
        131 => (&[P, P], false),
        63 | 99 => (&[P], false),
        72 => (&[Fd, FcntlCmd, P], false),
        77 => (&[Fd, I], false),
        79 => (&[P, U], false),
        80 | 84 | 87 => (&[S], false),
        81 => (&[Fd], false),
        82 => (&[S, S], false),
        83 => (&[S, Mode], false),
        89 => (&[S, Out, U], false),
        95 => (&[Mode], false),
        96 => (&[P, P], false),
        191..=192 => (&[S, S, P, U], false),
        193 => (&[Fd, S, P, U], false),
        194..=195 => (&[S, P, U], false),
        196 => (&[Fd, P, U], false),
        201 => (&[P], false),
        217 => (&[Fd, P, U], false),
        218 => (&[P], false),
        228 => (&[Clock, P], false),
        158 => (&[ArchCode, P], false),
        257 => (&[Fd, S, OFlags, Mode], false),
        258 => (&[Fd, S, Mode], false),
        262 => (&[Fd, S, P, AtFlags], false),
        263 => (&[Fd, S, AtFlags], false),
        264 => (&[Fd, S, Fd, S], false),
        267 => (&[Fd, S, Out, U], false),
        269 => (&[Fd, S, Access], false),
        439 => (&[Fd, S, Access, AtFlags], false),
        273 => (&[P, U], false),
        292 => (&[Fd, Fd, OFlags], false),
        293 => (&[P, OFlags], false),
        302 => (&[I, I, P, P], false),
        316 => (&[Fd, S, Fd, S, U], false),
        318 => (&[P, U, U], false),
        332 => (&[Fd, S, AtFlags, P, P], false),
        334 => (&[P, U, I, U], false),
        _ => return None,
    })
}

/// `a|b|c` of the set bits with names, the rest in hex.
fn flags(v: u64, names: &[(u64, &str)], zero: &str) -> String {
    let mut parts = Vec::new();
    let mut rest = v;
    for &(bit, n) in names {
        if bit != 0 && rest & bit == bit {
            parts.push(n.to_string());
            rest &= !bit;
        }
    }
    if rest != 0 {
        parts.push(format!("{rest:#x}"));
    }
    if parts.is_empty() {
        zero.to_string()
    } else {
        parts.join("|")
    }
}

/// strace's quoting of bytes: C escapes, `...` past the limit.
fn quote(bytes: &[u8], more: bool) -> String {
    let mut s = String::from("\"");
    for &b in bytes.iter().take(STRING_LIMIT) {
        match b {
            b'"' => s.push_str("\\\""),
            b'\\' => s.push_str("\\\\"),
            b'\n' => s.push_str("\\n"),
            b'\t' => s.push_str("\\t"),
            b'\r' => s.push_str("\\r"),
            0x20..=0x7e => s.push(b as char),
            _ => s.push_str(&format!("\\{b:o}")),
        }
    }
    s.push('"');
    if more || bytes.len() > STRING_LIMIT {
        s.push_str("...");
    }
    s
}

fn named(v: u64, names: &[(u64, &str)]) -> String {
    names
        .iter()
        .find(|(k, _)| *k == v)
        .map_or_else(|| v.to_string(), |(_, n)| (*n).to_string())
}

const OPEN_FLAGS: &[(u64, &str)] = &[
    (0o100, "O_CREAT"),
    (0o200, "O_EXCL"),
    (0o400, "O_NOCTTY"),
    (0o1000, "O_TRUNC"),
    (0o2000, "O_APPEND"),
    (0o4000, "O_NONBLOCK"),
    (0o10000, "O_DSYNC"),
    (0o200000, "O_DIRECTORY"),
    (0o400000, "O_NOFOLLOW"),
    (0o1000000, "O_NOATIME"),
    (0o2000000, "O_CLOEXEC"),
    (0o10000000, "O_PATH"),
    (0o100000, "O_LARGEFILE"),
];

const MAP_FLAGS: &[(u64, &str)] = &[
    (0x03, "MAP_SHARED_VALIDATE"),
    (0x01, "MAP_SHARED"),
    (0x02, "MAP_PRIVATE"),
    (0x10, "MAP_FIXED"),
    (0x20, "MAP_ANONYMOUS"),
    (0x100, "MAP_GROWSDOWN"),
    (0x800, "MAP_DENYWRITE"),
    (0x1000, "MAP_EXECUTABLE"),
    (0x2000, "MAP_LOCKED"),
    (0x4000, "MAP_NORESERVE"),
    (0x8000, "MAP_POPULATE"),
    (0x10000, "MAP_NONBLOCK"),
    (0x20000, "MAP_STACK"),
    (0x40000, "MAP_HUGETLB"),
    (0x10_0000, "MAP_FIXED_NOREPLACE"),
];

const AT_FLAGS: &[(u64, &str)] = &[
    (0x100, "AT_SYMLINK_NOFOLLOW"),
    (0x200, "AT_REMOVEDIR"),
    (0x400, "AT_SYMLINK_FOLLOW"),
    (0x800, "AT_NO_AUTOMOUNT"),
    (0x1000, "AT_EMPTY_PATH"),
];

impl Linux {
    fn trace_string(&mut self, addr: u64, max: usize) -> Option<Vec<u8>> {
        let mut out = Vec::new();
        for i in 0..max as u64 {
            let mut b = [0u8; 1];
            self.m
                .mmu
                .read_bytes(addr.checked_add(i)?, &mut b, true)
                .ok()?;
            if b[0] == 0 {
                return Some(out);
            }
            out.push(b[0]);
        }
        Some(out)
    }

    fn show_arg(&mut self, kind: A, v: u64, args: &[u64; 6], ret: Option<i64>) -> String {
        let ptr = |v: u64| {
            if v == 0 {
                "NULL".to_string()
            } else {
                format!("{v:#x}")
            }
        };
        match kind {
            A::I => (v as i64).to_string(),
            A::U => v.to_string(),
            A::P => ptr(v),
            A::Off => {
                if v == 0 {
                    "0".into()
                } else {
                    format!("{v:#x}")
                }
            }
            A::Fd => {
                if v as i32 == -100 {
                    "AT_FDCWD".to_string()
                } else {
                    (v as i32).to_string()
                }
            }
            A::S => match self.trace_string(v, 4096) {
                Some(s) => {
                    // Paths are shown whole, as strace does.
                    let mut q = String::from("\"");
                    q.push_str(&String::from_utf8_lossy(&s).escape_debug().to_string());
                    q.push('"');
                    q
                }
                None => ptr(v),
            },
            A::In(n) => {
                let len = args.get(n).copied().unwrap_or(0);
                self.show_buf(v, len)
            }
            A::Out => match ret {
                Some(r) if r >= 0 => self.show_buf(v, r as u64),
                _ => ptr(v),
            },
            A::OFlags => {
                let acc = match v & 3 {
                    0 => "O_RDONLY",
                    1 => "O_WRONLY",
                    2 => "O_RDWR",
                    _ => "O_ACCMODE",
                };
                let rest = flags(v & !3, OPEN_FLAGS, "");
                if rest.is_empty() {
                    acc.to_string()
                } else {
                    format!("{acc}|{rest}")
                }
            }
            A::Mode => format!("0{v:o}"),
            A::Prot => flags(
                v,
                &[(1, "PROT_READ"), (2, "PROT_WRITE"), (4, "PROT_EXEC")],
                "PROT_NONE",
            ),
            A::MFlags => flags(v, MAP_FLAGS, "0"),
            A::Whence => named(v, &[(0, "SEEK_SET"), (1, "SEEK_CUR"), (2, "SEEK_END")]),
            A::AtFlags => flags(v, AT_FLAGS, "0"),
            A::Sig => match u8::try_from(v) {
                Ok(s) if (1..=64).contains(&s) => super::signal::name(s).to_string(),
                _ => v.to_string(),
            },
            A::Access => flags(v, &[(4, "R_OK"), (2, "W_OK"), (1, "X_OK")], "F_OK"),
            A::Clock => named(
                v,
                &[
                    (0, "CLOCK_REALTIME"),
                    (1, "CLOCK_MONOTONIC"),
                    (2, "CLOCK_PROCESS_CPUTIME_ID"),
                    (3, "CLOCK_THREAD_CPUTIME_ID"),
                    (4, "CLOCK_MONOTONIC_RAW"),
                    (5, "CLOCK_REALTIME_COARSE"),
                    (6, "CLOCK_MONOTONIC_COARSE"),
                    (7, "CLOCK_BOOTTIME"),
                ],
            ),
            A::ArchCode => named(
                v,
                &[
                    (0x1001, "ARCH_SET_GS"),
                    (0x1002, "ARCH_SET_FS"),
                    (0x1003, "ARCH_GET_FS"),
                    (0x1004, "ARCH_GET_GS"),
                    (0x3001, "ARCH_CET_STATUS"),
                ],
            ),
            A::FcntlCmd => named(
                v,
                &[
                    (0, "F_DUPFD"),
                    (1, "F_GETFD"),
                    (2, "F_SETFD"),
                    (3, "F_GETFL"),
                    (4, "F_SETFL"),
                    (1030, "F_DUPFD_CLOEXEC"),
                ],
            ),
            A::Ioctl => named(
                v,
                &[
                    (0x5401, "TCGETS"),
                    (0x5402, "TCSETS"),
                    (0x5403, "TCSETSW"),
                    (0x5404, "TCSETSF"),
                    (0x540f, "TIOCGPGRP"),
                    (0x5413, "TIOCGWINSZ"),
                ],
            ),
            A::Advice => named(
                v,
                &[
                    (0, "MADV_NORMAL"),
                    (1, "MADV_RANDOM"),
                    (2, "MADV_SEQUENTIAL"),
                    (3, "MADV_WILLNEED"),
                    (4, "MADV_DONTNEED"),
                    (8, "MADV_FREE"),
                    (14, "MADV_HUGEPAGE"),
                ],
            ),
            A::Iov(n) => {
                let count = args.get(n).copied().unwrap_or(0);
                // strace prints at most IOV_MAX entries; a few are plenty here.
                let mut items = Vec::new();
                for i in 0..count.min(8) {
                    let mut w = [0u8; 16];
                    let Some(a) = v.checked_add(i * 16) else {
                        return ptr(v);
                    };
                    if self.m.mmu.read_bytes(a, &mut w, true).is_err() {
                        return ptr(v);
                    }
                    let (b, l) = w.split_at(8);
                    let base = u64::from_le_bytes(b.try_into().unwrap_or([0; 8]));
                    let len = u64::from_le_bytes(l.try_into().unwrap_or([0; 8]));
                    let data = if base == 0 {
                        "NULL".to_string()
                    } else {
                        self.show_buf(base, len)
                    };
                    items.push(format!("{{iov_base={data}, iov_len={len}}}"));
                }
                let more = if count > 8 { ", ..." } else { "" };
                format!("[{}{more}]", items.join(", "))
            }
            A::Status => {
                let mut w = [0u8; 4];
                if v == 0
                    || ret.is_none_or(|r| r <= 0)
                    || self.m.mmu.read_bytes(v, &mut w, true).is_err()
                {
                    return ptr(v);
                }
                let st = u32::from_le_bytes(w);
                // include/uapi/linux/wait.h via the libc macros: low 7 bits the signal (0:
                // exited), bits 8-15 the exit status.
                let sig = (st & 0x7f) as u8;
                if st & 0xff == 0x7f {
                    let stop = u8::try_from((st >> 8) & 0xff).unwrap_or(0);
                    format!(
                        "[{{WIFSTOPPED(s) && WSTOPSIG(s) == {}}}]",
                        super::signal::name(stop)
                    )
                } else if sig == 0 {
                    format!(
                        "[{{WIFEXITED(s) && WEXITSTATUS(s) == {}}}]",
                        (st >> 8) & 0xff
                    )
                } else {
                    let core = if st & 0x80 != 0 {
                        " && WCOREDUMP(s)"
                    } else {
                        ""
                    };
                    format!(
                        "[{{WIFSIGNALED(s) && WTERMSIG(s) == {}{core}}}]",
                        super::signal::name(sig)
                    )
                }
            }
            A::Argv => {
                let mut items = Vec::new();
                for i in 0..32u64 {
                    let mut w = [0u8; 8];
                    let Some(a) = v.checked_add(i * 8) else {
                        break;
                    };
                    if self.m.mmu.read_bytes(a, &mut w, true).is_err() {
                        return ptr(v);
                    }
                    let p = u64::from_le_bytes(w);
                    if p == 0 {
                        return format!("[{}]", items.join(", "));
                    }
                    let s = self.trace_string(p, 4096).unwrap_or_default();
                    items.push(quote(&s, false));
                }
                format!("[{}, ...]", items.join(", "))
            }
        }
    }

    fn show_buf(&mut self, addr: u64, len: u64) -> String {
        let n = (len as usize).min(STRING_LIMIT);
        let mut b = vec![0u8; n];
        if self.m.mmu.read_bytes(addr, &mut b, true).is_err() {
            return format!("{addr:#x}");
        }
        quote(&b, len as usize > n)
    }

    /// The event of one system call, decoded now (after it ran: buffers it filled show what
    /// it put there).
    fn syscall_event(&mut self, rec: &SyscallRecord) -> EventKind {
        let (args, addr) = match signature(rec.nr) {
            Some((sig, addr)) => {
                let mut sig: Vec<A> = sig.to_vec();
                // open and openat take a mode only with O_CREAT or O_TMPFILE (strace shows
                // it only then).
                let flags = match rec.nr {
                    2 => Some(rec.args[1]),
                    257 => Some(rec.args[2]),
                    _ => None,
                };
                if flags.is_some_and(|f| f & (0o100 | 0o20000000) == 0) {
                    sig.pop();
                }
                let args = sig
                    .iter()
                    .zip(rec.args.iter())
                    .map(|(&k, &v)| self.show_arg(k, v, &rec.args, rec.ret))
                    .collect();
                (args, addr)
            }
            None => (rec.args.iter().map(|v| format!("{v:#x}")).collect(), false),
        };
        let result = match rec.ret {
            None => "?".to_string(),
            Some(r) if (-4095..0).contains(&r) => match Errno::from_number(-r as i32) {
                Some(e) => format!("-1 {} ({})", e.name(), e.message()),
                None => format!("-1 errno {}", -r),
            },
            Some(r) if addr => format!("{:#x}", r as u64),
            Some(r) => r.to_string(),
        };
        let name = if rec.name == "unknown" {
            format!("syscall_{}", rec.nr)
        } else {
            rec.name.to_string()
        };
        EventKind::Syscall {
            nr: rec.nr,
            name,
            args,
            ret: rec.ret,
            result,
        }
    }

    /// Records what one kernel entry did (called with the entry's action, before the end of
    /// a process is handled).
    pub(super) fn trace_action(&mut self, action: &Option<KernelAction>) {
        if !self.trace.on {
            return;
        }
        let c = self.trace.categories;
        let instructions = self.instructions();
        let pid = self.pid;
        let restarting = std::mem::take(&mut self.trace.restarting);
        let kind = match action {
            Some(KernelAction::Syscall(rec)) => {
                const MEMORY: [u64; 6] = [9, 10, 11, 12, 25, 28];
                let wanted =
                    c.syscalls || (c.mmap && MEMORY.contains(&rec.nr)) || (c.exec && rec.nr == 59);
                if wanted && !restarting {
                    Some((rec.pid, self.syscall_event(rec)))
                } else {
                    None
                }
            }
            Some(KernelAction::DemandPage { addr }) if c.faults => Some((
                pid,
                EventKind::Fault {
                    addr: *addr,
                    outcome: "demand-page".into(),
                    region: self.region_name(*addr),
                },
            )),
            Some(KernelAction::CopyOnWrite { addr }) if c.faults => Some((
                pid,
                EventKind::Fault {
                    addr: *addr,
                    outcome: "copy-on-write".into(),
                    region: self.region_name(*addr),
                },
            )),
            Some(KernelAction::Switch { from, to }) if c.sched => Some((
                *from,
                EventKind::Switch {
                    from: *from,
                    to: *to,
                },
            )),
            _ => None,
        };
        if let Some((pid, kind)) = kind {
            self.trace.push(Event {
                pid,
                instructions,
                kind,
            });
        }
        if c.signals {
            let end = match &self.state {
                super::ProcessState::Exited { code } => Some(EventKind::Exited { code: *code }),
                super::ProcessState::Killed { signal, reason } => Some(EventKind::Killed {
                    signal: *signal,
                    reason: reason.clone(),
                }),
                _ => None,
            };
            let already = self.trace.events.last().is_some_and(|e| {
                e.pid == pid
                    && matches!(e.kind, EventKind::Exited { .. } | EventKind::Killed { .. })
            });
            if let Some(kind) = end.filter(|_| !already) {
                self.trace.push(Event {
                    pid,
                    instructions,
                    kind,
                });
            }
        }
    }

    /// The `/proc/PID/maps` name of the running process's region at `addr`.
    fn region_name(&self, addr: u64) -> String {
        use super::vma::VmaKind;
        match self.mm.find(addr) {
            Some(v) if !v.name.is_empty() => v.name.clone(),
            Some(v) => match v.kind {
                VmaKind::Stack => "[stack]".into(),
                VmaKind::Brk => "[heap]".into(),
                VmaKind::Elf => "a PT_LOAD segment".into(),
                VmaKind::File { .. } => "a file mapping".into(),
                VmaKind::Anon => String::new(),
            },
            None => String::new(),
        }
    }

    /// Records the verdicts of the execve chain (the model's decline, claim and rewrite
    /// steps), before the load they lead to.
    pub(in crate::linux) fn trace_binfmt(&mut self, steps: &[crate::exec::trace::Step]) {
        use crate::exec::trace::StepKind;
        if !self.trace.on || !self.trace.categories.exec {
            return;
        }
        let lossy = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        for st in steps {
            let verdict = match st.kind {
                StepKind::Decline => "declined",
                StepKind::Claim => "claimed",
                StepKind::Rewrite => "rewrote",
                _ => continue,
            };
            let kind = EventKind::Binfmt {
                handler: st.binfmt.map_or("?", |b| b.name()).to_string(),
                verdict: verdict.to_string(),
                why: st.text.clone(),
                argv: st
                    .argv
                    .as_ref()
                    .filter(|_| st.kind == StepKind::Rewrite)
                    .map(|a| a.iter().map(|x| lossy(x)).collect()),
            };
            let e = Event {
                pid: self.pid,
                instructions: self.instructions(),
                kind,
            };
            self.trace.push(e);
        }
    }

    /// Records a caught signal whose handler is about to run.
    pub(in crate::linux) fn trace_signal(
        &mut self,
        signal: u8,
        handler: u64,
        info: &super::signal::SigInfo,
    ) {
        if !self.trace.on || !self.trace.categories.signals {
            return;
        }
        let addr = match info.fields {
            super::signal::SigFields::Fault { addr } => Some(addr),
            _ => None,
        };
        let e = Event {
            pid: self.pid,
            instructions: self.instructions(),
            kind: EventKind::Signal {
                signal,
                handler,
                code: info.code,
                addr,
            },
        };
        self.trace.push(e);
    }

    /// Records a program load (execve) of the running process.
    pub(in crate::linux) fn trace_exec(&mut self, path: &[u8], argv: &[Vec<u8>]) {
        if !self.trace.on || !self.trace.categories.exec {
            return;
        }
        let Some(info) = self.load.as_ref() else {
            return;
        };
        let kind = EventKind::Exec {
            path: String::from_utf8_lossy(path).into_owned(),
            argv: argv
                .iter()
                .map(|a| String::from_utf8_lossy(a).into_owned())
                .collect(),
            start: info.start,
            interp: info.interp.clone(),
        };
        let mut events = vec![kind];
        let prog = String::from_utf8_lossy(&self.exe).into_owned();
        for sg in &info.segments {
            events.push(EventKind::Segment {
                file: if sg.interp {
                    info.interp.clone().unwrap_or_default()
                } else {
                    prog.clone()
                },
                vaddr: sg.vaddr,
                memsz: sg.memsz,
                filesz: sg.filesz,
                offset: sg.offset,
                prot: sg.prot.perms(false).chars().take(3).collect(),
            });
        }
        let st = &info.stack;
        events.push(EventKind::Stack {
            sp: st.sp,
            argc: st.argv_ptrs.len() as u64,
            envc: st.envp_ptrs.len() as u64,
            auxv: st
                .auxv
                .iter()
                .filter(|(k, _)| *k != 0)
                .map(|&(k, v)| (crate::loader::stack::at::name(k).to_string(), v))
                .collect(),
        });
        let (pid, instructions) = (self.pid, self.instructions());
        for kind in events {
            self.trace.push(Event {
                pid,
                instructions,
                kind,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_and_strings_read_as_strace_writes_them() {
        assert_eq!(
            flags(0o2000000 | 0o200000, OPEN_FLAGS, ""),
            "O_DIRECTORY|O_CLOEXEC"
        );
        assert_eq!(flags(0x22, MAP_FLAGS, "0"), "MAP_PRIVATE|MAP_ANONYMOUS");
        assert_eq!(flags(0, &[(1, "PROT_READ")], "PROT_NONE"), "PROT_NONE");
        assert_eq!(flags(0x40_0001, &[(1, "A")], "0"), "A|0x400000");
        assert_eq!(quote(b"hi\n\x01", false), "\"hi\\n\\1\"");
        assert_eq!(
            quote(&[b'a'; 40], false),
            format!("\"{}\"...", "a".repeat(32))
        );
        assert_eq!(
            Categories::parse("faults,mmap").map(|c| (c.faults, c.mmap, c.syscalls)),
            Ok((true, true, false))
        );
        assert!(Categories::parse("bogus").is_err());
    }
}
