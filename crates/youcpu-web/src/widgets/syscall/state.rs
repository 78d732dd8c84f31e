//! The system-call demo's state: two tiny processes side by side, one calling a libc-like
//! `exit` wrapper that executes `syscall`, one using the legacy `int 0x80` gate, each stepped
//! through the simulated CPU and kernel with a log of every step. A pure reducer.

use std::rc::Rc;
use crate::ui::Apply;
use youcpu_core::asm::{disassemble_one, Bitness};
use youcpu_core::cpu::state::{R11, RAX, RCX};
use youcpu_core::linux::{Linux, ProcessState};

use crate::widgets::ring3::{boot, build, ended, step_once};

/// The `syscall` program: main calls libc-like wrappers, as C code calls libc's `getpid` and
/// `_exit`: one system call that comes back, one that never does.
pub const SYSCALL_PROGRAM: &str = "    call getpid_wrapper ; main: getpid()
    mov edi, 1        ; exit(1)
    call exit_wrapper
    hlt               ; never reached
getpid_wrapper:       ; libc-like wrappers
    mov eax, 39       ; 39 is getpid
    syscall
    ret
exit_wrapper:
    mov eax, 60       ; 60 is exit
    syscall";

/// The `int 0x80` program: the legacy 32-bit convention.
pub const INT80_PROGRAM: &str = "    mov ebx, 1        ; status 1
    mov eax, 1        ; 1 is exit in the i386 table
    int 0x80";

/// Most steps one Run takes (both programs end long before).
pub const RUN_LIMIT: usize = 50;

/// One step as the sequence diagram draws it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeqStep {
    /// The CPL before the step.
    pub cpl: u8,
    /// The CPL after it.
    pub cpl_after: u8,
    /// RIP before it.
    pub rip: u64,
    /// The instruction, or what the kernel did, in a few words.
    pub text: String,
    /// True when the process ended with this step.
    pub last: bool,
    /// What the instruction does to the flow, decoded from its bytes.
    pub kind: StepKind,
}

/// The instructions the sequence diagram draws as a move between lanes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StepKind {
    /// `syscall`: to the kernel through `LSTAR`.
    Syscall,
    /// `int n`: to the kernel through the IDT.
    Int,
    /// `call`.
    Call,
    /// `ret`.
    Ret,
    /// Anything else, and the kernel's steps.
    Other,
}

impl StepKind {
    /// The kind of the instruction in `bytes` (64-bit code), by the decoder's mnemonic.
    fn of(bytes: &[u8]) -> Self {
        let d = disassemble_one(bytes, Bitness::B64, 0);
        match d.as_ref().map(|d| d.mnemonic.as_str()) {
            Ok("syscall") => Self::Syscall,
            Ok("int") => Self::Int,
            Ok("call") => Self::Call,
            Ok("ret") => Self::Ret,
            _ => Self::Other,
        }
    }
}

/// One side of the comparison.
#[derive(Clone)]
pub struct Side {
    /// The steps taken so far, for the sequence diagram.
    pub seq: Vec<SeqStep>,
    /// Every step the program takes to its end (worked out when the side is set up, on a copy):
    /// the diagram draws the steps not taken yet faintly.
    pub plan: Vec<SeqStep>,
    /// Where the libc-like wrappers start (user code from there on is "the wrapper").
    pub wrapper_at: u64,
    /// The process.
    pub os: Option<Rc<Linux>>,
    /// What happened, one entry a step: (ring before, or None for the end, text).
    pub log: Vec<(Option<u8>, String)>,
    /// Setup error.
    pub error: Option<String>,
}

impl Side {
    fn new(src: &str) -> Side {
        let (lines, code) = build(src);
        let wrapper_at = lines
            .iter()
            .find(|l| l.source.contains("wrapper:"))
            .map_or(u64::MAX, |l| l.addr);
        let mut side = match code.and_then(|c| boot(&c)) {
            Ok(os) => Side {
                seq: Vec::new(),
                plan: Vec::new(),
                wrapper_at,
                os: Some(Rc::new(os)),
                log: Vec::new(),
                error: None,
            },
            Err(e) => Side {
                seq: Vec::new(),
                plan: Vec::new(),
                wrapper_at,
                os: None,
                log: Vec::new(),
                error: Some(e),
            },
        };
        let mut twin = side.clone();
        for _ in 0..RUN_LIMIT {
            if !twin.running() {
                break;
            }
            twin.step();
        }
        side.plan = twin.seq;
        side
    }

    /// True while the process runs.
    pub fn running(&self) -> bool {
        self.os
            .as_ref()
            .is_some_and(|o| o.state == ProcessState::Running)
    }

    fn step(&mut self) {
        let Some(os) = self.os.clone() else { return };
        let mut next = (*os).clone();
        let before = next.m.cpu.s.clone();
        let ring = (before.cs & 3) as u8;
        let Some(st) = step_once(&mut next) else {
            return;
        };
        let after = &next.m.cpu.s;
        let mut text = if st.text == "(kernel code)" {
            format!("kernel at {:#x}", before.rip)
        } else {
            format!("{:#x}: {}", st.rip, st.text)
        };
        if st.text == "syscall" {
            text.push_str(&format!(
                " → rcx = {:#x} (return address), r11 = {:#x} (saved RFLAGS), CS {:#x} → {:#x}, RIP = LSTAR = {:#x}",
                after.gpr[RCX], after.gpr[R11], before.cs, after.cs, before.lstar
            ));
        } else if !st.changes.is_empty() {
            text.push_str(&format!(" → {}", st.changes.join(", ")));
        }
        if let Some(n) = &st.note {
            text.push_str(&format!("; {n}"));
        }
        let short = if ring == 0 {
            // "the kernel ran system call 39 (getpid) and returned 1 in rax": the name, and
            // what came back in rax or how the process ended.
            let name = st
                .note
                .as_deref()
                .and_then(|n| n.split_once('('))
                .map(|(_, r)| r.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect::<String>())
                .filter(|x| !x.is_empty())
                .unwrap_or_else(|| "kernel".into());
            match next.state {
                ProcessState::Exited { code } => format!("{name}({code}): gone"),
                _ => format!("{name}() = {}", after.gpr[RAX]),
            }
        } else {
            st.text.clone()
        };
        self.seq.push(SeqStep {
            cpl: ring,
            cpl_after: (after.cs & 3) as u8,
            rip: st.rip,
            text: short,
            last: next.state != ProcessState::Running,
            kind: StepKind::of(&st.fetched),
        });
        self.log.push((Some(ring), text));
        if let Some(e) = ended(&next.state) {
            if !self.log.iter().any(|(_, t)| t == &e) {
                self.log.push((None, e));
            }
        }
        self.os = Some(Rc::new(next));
    }
}

/// A click.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// One step on side 0 (syscall) or 1 (int 0x80).
    Step(usize),
    /// Run a side to its end.
    Run(usize),
    /// Start both over.
    Reset,
}

/// The widget's state.
#[derive(Clone)]
pub struct State {
    /// The `syscall` side and the `int 0x80` side.
    pub sides: [Side; 2],
}

impl Default for State {
    fn default() -> Self {
        State {
            sides: [Side::new(SYSCALL_PROGRAM), Side::new(INT80_PROGRAM)],
        }
    }
}

impl Apply for State {
    type Action = Action;

    fn apply(&mut self, action: Action) {
        match action {
            Action::Step(i) => {
                if let Some(side) = self.sides.get_mut(i) {
                    side.step();
                }
            }
            Action::Run(i) => {
                if let Some(side) = self.sides.get_mut(i) {
                    for _ in 0..RUN_LIMIT {
                        if !side.running() {
                            break;
                        }
                        side.step();
                    }
                }
            }
            Action::Reset => *self = State::default(),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn both_doors_end_the_process_with_status_1() {
        let s = Rc::new(State::default())
            .reduce(Action::Run(0))
            .reduce(Action::Run(1));
        for side in &s.sides {
            assert!(side.error.is_none());
            let os = side.os.as_ref().unwrap();
            assert_eq!(os.state, ProcessState::Exited { code: 1 });
        }
        let log: Vec<&str> = s.sides[0].log.iter().map(|(_, t)| t.as_str()).collect();
        assert!(
            log.iter()
                .any(|t| t.contains("RIP = LSTAR = 0xffffffff81000000")),
            "{log:?}"
        );
        assert!(log.iter().any(|t| t.contains("(exit)")), "{log:?}");
        let log: Vec<&str> = s.sides[1].log.iter().map(|(_, t)| t.as_str()).collect();
        assert!(log.iter().any(|t| t.contains("vector 128")), "{log:?}");
        assert!(!s.sides[0].running());
        let again = Rc::new((*s).clone())
            .reduce(Action::Step(0))
            .reduce(Action::Step(7));
        assert_eq!(again.sides[0].log.len(), s.sides[0].log.len());
    }
}
