//! The privilege-rings demo's state: a booted simulated kernel (IDT, TSS.RSP0 stack), one
//! privileged instruction placed in a code page, the CPU put in ring 0 or ring 3, and what
//! happened when it ran: executed, or a #GP delivered through the IDT with the frame the CPU
//! pushed on the kernel stack. A pure reducer.

use crate::ui::{Apply, Query, UrlState};
use youcpu_core::asm::{assemble, Bitness};
use youcpu_core::cpu::interrupt::{gate_address, Gate};
use youcpu_core::cpu::state::{RAX, RDX};
use youcpu_core::cpu::Event;
use youcpu_core::linux::{Linux, KERNEL_CS, KERNEL_DS, USER_CS, USER_DS};

use crate::widgets::ring3::{boot, changes, peek};

/// Where the instruction is placed, and the top of the stack it runs on.
pub use crate::widgets::ring3::{CODE, STACK_TOP};
/// The I/O port used by `in`/`out` (the first serial port).
pub const PORT: u64 = 0x3f8;

/// A privileged instruction the reader can try, with a sentence about it.
pub struct Op {
    /// The instruction text.
    pub asm: &'static str,
    /// What it does.
    pub about: &'static str,
}

/// The instructions offered.
pub const OPS: &[Op] = &[
    Op {
        asm: "hlt",
        about: "stop the processor until the next interrupt",
    },
    Op {
        asm: "cli",
        about: "switch interrupts off (clear IF)",
    },
    Op {
        asm: "mov cr3, rax",
        about: "load a page-table root (rax holds the current one)",
    },
    Op {
        asm: "in al, dx",
        about: "read a byte from I/O port 0x3f8 (needs CPL <= IOPL)",
    },
    Op {
        asm: "wrmsr",
        about: "write a model-specific register (rcx names it)",
    },
    Op {
        asm: "nop",
        about: "not privileged at all, for comparison",
    },
];

/// The stack frame the CPU pushed, read back from memory, top (lowest address) first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FrameSlot {
    /// Address of the slot.
    pub addr: u64,
    /// What it holds.
    pub name: &'static str,
    /// The value.
    pub value: u64,
}

/// What running the instruction did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// It ran.
    Executed {
        /// What changed, in words.
        changes: Vec<String>,
        /// True when the core is now halted.
        halted: bool,
    },
    /// It raised an exception, delivered through the IDT.
    Delivered {
        /// Vector number.
        vector: u8,
        /// Mnemonic (#GP, #UD).
        mnemonic: &'static str,
        /// The exception in words.
        text: String,
        /// The error code pushed, if any.
        error_code: Option<u64>,
        /// CPL before and after.
        from_cpl: u8,
        /// CPL after.
        to_cpl: u8,
        /// CS before and after.
        cs: (u16, u16),
        /// RSP before.
        old_rsp: u64,
        /// RSP after the frame was pushed.
        new_rsp: u64,
        /// TSS.RSP0: the stack loaded on a change to ring 0.
        rsp0: u64,
        /// The IDT gate's handler address.
        handler: u64,
        /// Where the gate was read.
        gate_addr: u64,
        /// The frame, top first.
        frame: Vec<FrameSlot>,
    },
    /// The simulation could not be set up or the machine stopped.
    Failed(String),
}

/// An edit or a click.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// Ring 0 or ring 3.
    Ring(u8),
    /// Pick an instruction from [`OPS`].
    Op(usize),
    /// Back to the defaults.
    Reset,
}

/// The widget's state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct State {
    /// 0 or 3.
    pub ring: u8,
    /// Index into [`OPS`].
    pub op: usize,
    /// The last run's outcome (the instruction runs again at every change).
    pub outcome: Option<Outcome>,
}

impl Default for State {
    fn default() -> Self {
        // The mechanism at work from the start: hlt in ring 3, and the #GP it raises.
        State {
            ring: 3,
            op: 0,
            outcome: Some(run(3, 0)),
        }
    }
}

/// The CS selector for a ring.
pub fn cs_for(ring: u8) -> u16 {
    if ring == 0 {
        KERNEL_CS
    } else {
        USER_CS
    }
}

fn read_u64(os: &Linux, a: u64) -> u64 {
    let b = peek(os, a, 8);
    let mut w = [0u8; 8];
    for (d, s) in w.iter_mut().zip(b.iter()) {
        *d = *s;
    }
    u64::from_le_bytes(w)
}

/// Sets up a kernel and the instruction in the chosen ring; returns the machine ready to run.
pub fn setup(ring: u8, op: usize) -> Result<Linux, String> {
    let text = OPS.get(op).map_or("nop", |o| o.asm);
    let mut code = assemble(text, Bitness::B64, CODE)
        .map_err(|e| e.to_string())?
        .bytes;
    code.push(0x90);
    let mut os = boot(&code)?;
    let s = &mut os.m.cpu.s;
    s.gpr[RAX] = s.cr3;
    s.gpr[RDX] = PORT;
    // rcx = 0 names no MSR the model has, except when a ring-0 wrmsr should succeed:
    // IA32_FS_BASE, harmless to write.
    s.gpr[1] = 0xC000_0100;
    s.cs = cs_for(ring);
    s.ss = if ring == 0 { KERNEL_DS } else { USER_DS };
    Ok(os)
}

/// Runs the one instruction and describes the outcome.
pub fn run(ring: u8, op: usize) -> Outcome {
    let mut os = match setup(ring, op) {
        Ok(os) => os,
        Err(e) => return Outcome::Failed(e),
    };
    let before = os.m.cpu.s.clone();
    match os.m.step() {
        Err(t) => Outcome::Failed(t.to_string()),
        Ok(Event::Delivered(d)) => {
            let frame = d
                .frame()
                .into_iter()
                .map(|(addr, name)| FrameSlot {
                    addr,
                    name,
                    value: read_u64(&os, addr),
                })
                .collect();
            let gate_addr = gate_address(before.idtr.base, d.vector);
            let handler =
                Gate::decode(read_u64(&os, gate_addr), read_u64(&os, gate_addr + 8)).offset;
            let (mnemonic, text) = d
                .fault
                .as_ref()
                .map_or(("INT", "an interrupt".to_string()), |f| {
                    (f.mnemonic(), f.to_string())
                });
            Outcome::Delivered {
                vector: d.vector,
                mnemonic,
                text,
                error_code: d.error_code,
                from_cpl: d.from_cpl,
                to_cpl: d.to_cpl,
                cs: (before.cs, os.m.cpu.s.cs),
                old_rsp: d.old_rsp,
                new_rsp: d.new_rsp,
                rsp0: before.tss_rsp0,
                handler,
                gate_addr,
                frame,
            }
        }
        Ok(ev) => {
            let mut ch = changes(&before, &os.m.cpu.s);
            if os.m.cpu.s.rip != before.rip {
                ch.push(format!("rip: {:#x} → {:#x}", before.rip, os.m.cpu.s.rip));
            }
            if OPS.get(op).is_some_and(|o| o.asm.starts_with("mov cr3")) {
                ch.push(format!(
                    "cr3 reloaded with {:#x}: the TLB was flushed",
                    os.m.cpu.s.cr3
                ));
            }
            if OPS.get(op).is_some_and(|o| o.asm == "wrmsr") {
                ch.push(format!(
                    "FS base (MSR 0xc0000100) set to {:#x} from edx:eax",
                    os.m.cpu.s.fs_base
                ));
            }
            Outcome::Executed {
                changes: ch,
                halted: matches!(ev, Event::Halted),
            }
        }
    }
}

impl UrlState for State {
    const PREFIX: &'static str = "rg-";

    /// Restores the state from the widget's URL keys (prefix removed).
    fn from_query(q: &Query) -> Self {
        let mut s = State::default();
        if q.get("ring") == Some("0") {
            s.ring = 0;
        }
        if let Some(i) = q.get("op").and_then(|v| OPS.iter().position(|o| o.asm == v)) {
            s.op = i;
        }
        s.outcome = Some(run(s.ring, s.op));
        s
    }

    /// The widget's URL keys (prefix removed); defaults are left out.
    fn to_query(&self) -> Vec<(String, String)> {
        let mut q = Vec::new();
        if self.ring == 0 {
            q.push(("ring".into(), "0".into()));
        }
        if self.op != 0 {
            if let Some(o) = OPS.get(self.op) {
                q.push(("op".into(), o.asm.to_string()));
            }
        }
        q
    }
}

impl Apply for State {
    type Action = Action;

    fn apply(&mut self, action: Action) {
        match action {
            Action::Ring(r) => {
                // The picture answers at once: the instruction runs in the ring chosen.
                self.ring = if r == 0 { 0 } else { 3 };
                self.outcome = Some(run(self.ring, self.op));
            }
            Action::Op(i) => {
                if i < OPS.len() {
                    self.op = i;
                }
                self.outcome = Some(run(self.ring, self.op));
            }
            Action::Reset => *self = State::default(),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic)]
mod tests {
    use super::*;
    use youcpu_core::cpu::state::rflags;
    use std::rc::Rc;
    use youcpu_core::linux::{IDT_STUBS, KERNEL_STACK, KERNEL_STACK_PAGES};

    #[test]
    fn every_privileged_op_faults_in_ring3_with_gp0_and_a_stack_switch() {
        let rsp0 = KERNEL_STACK + KERNEL_STACK_PAGES * 4096;
        for (i, op) in OPS.iter().enumerate().filter(|(_, o)| o.asm != "nop") {
            match run(3, i) {
                Outcome::Delivered {
                    vector,
                    error_code,
                    from_cpl,
                    to_cpl,
                    cs,
                    old_rsp,
                    new_rsp,
                    handler,
                    frame,
                    ..
                } => {
                    assert_eq!((vector, error_code), (13, Some(0)), "{}", op.asm);
                    assert_eq!((from_cpl, to_cpl, cs), (3, 0, (USER_CS, KERNEL_CS)));
                    assert_eq!(old_rsp, STACK_TOP);
                    assert_eq!(new_rsp, rsp0 - 48);
                    assert_eq!(handler, IDT_STUBS + 13 * 8);
                    let v: Vec<u64> = frame.iter().map(|f| f.value).collect();
                    assert_eq!(v[0], 0);
                    assert_eq!(v[1], CODE, "a fault saves the faulting instruction");
                    assert_eq!(v[2], u64::from(USER_CS));
                    assert_ne!(v[3] & rflags::IF, 0);
                    assert_eq!(v[4], STACK_TOP);
                    assert_eq!(v[5], u64::from(USER_DS));
                }
                other => panic!("{}: {other:?}", op.asm),
            }
        }
    }

    #[test]
    fn ring0_executes() {
        let hlt = run(0, 0);
        assert!(
            matches!(hlt, Outcome::Executed { halted: true, .. }),
            "{hlt:?}"
        );
        match run(0, 1) {
            Outcome::Executed { changes, .. } => {
                assert!(
                    changes.iter().any(|c| c.starts_with("IF: 1 → 0")),
                    "{changes:?}"
                )
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(run(0, 2), Outcome::Executed { .. }));
        assert!(matches!(run(0, 4), Outcome::Executed { .. }));
        assert!(matches!(run(3, 5), Outcome::Executed { .. }));
    }

    #[test]
    fn url_round_trip_and_junk() {
        let s = State {
            ring: 0,
            op: 2,
            outcome: Some(run(0, 2)),
        };
        assert_eq!(State::from_query(&s.to_query().into()), s);
        let junk = State::from_query(&Query::from([("ring", "7"), ("op", "x")]));
        assert_eq!(junk, State::default());
        let s = Rc::new(State::default()).reduce(Action::Op(999));
        assert_eq!(s.op, 0);
    }
}
