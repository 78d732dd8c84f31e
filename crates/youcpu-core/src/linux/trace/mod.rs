//! What the kernel did, as typed events: system calls with their arguments decoded (strings,
//! flag names, the return value or the errno's name), page faults and how they ended, signals
//! and process ends, context switches, program loads. The kernel records them while
//! [`Trace::on`] is set (nothing is recorded, and nothing decoded, when it is not); the CLI
//! prints them one strace-like line each (`youcpu run --trace`) or puts them in its JSON
//! document, and the browser can show the same list.

mod decode;

use super::errno::Errno;
use super::syscalls::SyscallRecord;
use super::{KernelAction, Linux};
pub use decode::arity;
use decode::*;
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

/// A `--trace=` name that is not a category ([`Categories::parse`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownCategory(pub String);

impl std::fmt::Display for UnknownCategory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "unknown trace category {:?} (syscalls, faults, signals, sched, exec, mmap, all)",
            self.0
        )
    }
}

impl std::error::Error for UnknownCategory {}

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
    pub fn parse(text: &str) -> Result<Categories, UnknownCategory> {
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
                other => return Err(UnknownCategory(other.to_string())),
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

impl EventKind {
    /// A system call as strace writes it, without the pid: `write(1, "hi\n", 3) = 3`,
    /// `exit(0) = ?`; `None` for the other kinds of event.
    pub fn call_text(&self) -> Option<String> {
        match self {
            EventKind::Syscall {
                name, args, result, ..
            } => Some(format!("{name}({}) = {result}", args.join(", "))),
            _ => None,
        }
    }
}

impl Event {
    /// One line, as strace -f prints it, with the instruction count after the pid:
    /// `[pid 1 @1234] openat(AT_FDCWD, "/etc/ld.so.cache", O_RDONLY|O_CLOEXEC) = 3`.
    pub fn line(&self) -> String {
        let head = format!("[pid {} @{}]", self.pid, self.instructions);
        match &self.kind {
            EventKind::Syscall { .. } => {
                format!("{head} {}", self.kind.call_text().unwrap_or_default())
            }
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
#[derive(Clone, Debug, Serialize)]
pub struct Trace {
    /// Recording (off by default: then nothing is decoded).
    pub on: bool,
    /// What to record.
    pub categories: Categories,
    /// The events, in order.
    pub events: Vec<Event>,
    /// Most events kept (at most [`MAX_EVENTS`], the default): a view that shows only the
    /// first few sets it lower, so a long run keeps no more.
    #[serde(skip)]
    pub limit: usize,
    /// Events past the limit, not kept.
    pub dropped: u64,
    /// The system call just served went to sleep and will run again (not recorded yet).
    #[serde(skip)]
    pub restarting: bool,
}

impl Default for Trace {
    fn default() -> Self {
        Trace {
            on: false,
            categories: Categories::default(),
            events: Vec::new(),
            limit: MAX_EVENTS,
            dropped: 0,
            restarting: false,
        }
    }
}

impl Trace {
    /// Recording `categories` from now on.
    pub fn start(&mut self, categories: Categories) {
        self.on = true;
        self.categories = categories;
    }

    fn push(&mut self, e: Event) {
        if self.events.len() < self.limit.min(MAX_EVENTS) {
            self.events.push(e);
        } else {
            self.dropped += 1;
        }
    }
}

impl Linux {
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
            Some(KernelAction::DemandPage { addr }) if c.faults => {
                Some((pid, self.fault_event(*addr, "demand-page")))
            }
            Some(KernelAction::CopyOnWrite { addr }) if c.faults => {
                Some((pid, self.fault_event(*addr, "copy-on-write")))
            }
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

    /// A page fault at `addr` the kernel fixed by `outcome`.
    fn fault_event(&self, addr: u64, outcome: &str) -> EventKind {
        EventKind::Fault {
            addr,
            outcome: outcome.into(),
            region: self.region_name(addr),
        }
    }

    /// The `/proc/PID/maps` name of the running process's region at `addr`.
    fn region_name(&self, addr: u64) -> String {
        use super::vma::VmaKind;
        let shown = |v| super::fs::procfs::shown_name(&self.mm, v);
        match self.mm.find(addr) {
            Some(v) if !shown(v).is_empty() => shown(v).to_string(),
            // Regions other loaders made without names.
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
