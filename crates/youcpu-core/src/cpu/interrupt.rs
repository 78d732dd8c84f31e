//! Exception and interrupt delivery through the IDT, IRETQ, SYSCALL and SYSRET
//! (Intel SDM vol. 3 §6.14 "Exception and interrupt handling in 64-bit mode", vol. 2 SYSCALL,
//! SYSRET, IRET).
//!
//! Simplification: there is no GDT; a code selector's RPL stands for its descriptor's DPL, and
//! the stack selector loaded on a ring change is the null selector, as 64-bit mode does.

use super::bus::Bus;
use super::fault::{vector, Fault};
use super::state::{cr, rflags, R11, RCX, RSP};
use super::Cpu;
use serde::Serialize;

/// IDT gate types (Intel SDM vol. 3 §6.14.1).
pub mod gate {
    /// 64-bit interrupt gate: delivery clears IF.
    pub const INTERRUPT: u8 = 0xE;
    /// 64-bit trap gate: IF unchanged.
    pub const TRAP: u8 = 0xF;
}

/// A decoded 16-byte IDT gate descriptor.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Gate {
    /// Handler address.
    pub offset: u64,
    /// Code selector of the handler.
    pub selector: u16,
    /// Interrupt-stack-table index (0 = none; not modelled beyond storage).
    pub ist: u8,
    /// Gate type ([`gate`]).
    pub kind: u8,
    /// Descriptor privilege level: the lowest privilege allowed to use it with INT n.
    pub dpl: u8,
    /// Present.
    pub present: bool,
}

impl Gate {
    /// Encodes the gate as the 16 bytes stored in the IDT.
    pub fn encode(&self) -> [u8; 16] {
        let lo: u64 = (self.offset & 0xffff)
            | (u64::from(self.selector) << 16)
            | (u64::from(self.ist & 7) << 32)
            | (u64::from(self.kind & 0xf) << 40)
            | (u64::from(self.dpl & 3) << 45)
            | (u64::from(self.present) << 47)
            | (((self.offset >> 16) & 0xffff) << 48);
        let hi: u64 = self.offset >> 32;
        let mut b = [0u8; 16];
        b[..8].copy_from_slice(&lo.to_le_bytes());
        b[8..].copy_from_slice(&hi.to_le_bytes());
        b
    }

    /// Decodes the two quadwords of a gate.
    pub fn decode(lo: u64, hi: u64) -> Gate {
        Gate {
            offset: (lo & 0xffff) | (((lo >> 48) & 0xffff) << 16) | ((hi & 0xffff_ffff) << 32),
            selector: (lo >> 16) as u16,
            ist: ((lo >> 32) & 7) as u8,
            kind: ((lo >> 40) & 0xf) as u8,
            dpl: ((lo >> 45) & 3) as u8,
            present: (lo >> 47) & 1 != 0,
        }
    }
}

/// What a delivery did, step by step, for widgets and traces.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Delivery {
    /// The vector.
    pub vector: u8,
    /// The exception, or `None` for an external interrupt.
    pub fault: Option<Fault>,
    /// The error code pushed.
    pub error_code: Option<u64>,
    /// CPL before.
    pub from_cpl: u8,
    /// CPL after.
    pub to_cpl: u8,
    /// RIP saved in the frame (the faulting instruction, or the next one for traps).
    pub saved_rip: u64,
    /// RSP before delivery.
    pub old_rsp: u64,
    /// RSP after the frame was pushed.
    pub new_rsp: u64,
    /// The handler address.
    pub handler: u64,
    /// True when IF was cleared (interrupt gate).
    pub cleared_if: bool,
}

impl Delivery {
    /// The words the delivery pushed, lowest address first, each with its address and name:
    /// the error code (when there is one), then RIP, CS, RFLAGS, RSP and SS (Intel SDM vol. 3
    /// §6.14.2, figure 6-9, "IA-32e Mode Stack Usage After Privilege Level Change").
    pub fn frame(&self) -> Vec<(u64, &'static str)> {
        let names = ["error code", "RIP", "CS", "RFLAGS", "RSP", "SS"];
        let names = if self.error_code.is_some() {
            &names[..]
        } else {
            &names[1..]
        };
        names
            .iter()
            .enumerate()
            .map(|(i, &name)| (self.new_rsp.wrapping_add(8 * i as u64), name))
            .collect()
    }
}

/// The address of vector `v`'s gate in an IDT at `idt_base`: 16 bytes a gate in 64-bit mode
/// (Intel SDM vol. 3 §6.14.1).
pub fn gate_address(idt_base: u64, v: u8) -> u64 {
    idt_base.wrapping_add(16 * u64::from(v))
}

fn gate_error(v: u8) -> u64 {
    // Error code for a fault while using IDT entry v: index << 3 | IDT bit (1).
    (u64::from(v) << 3) | 2
}

impl Cpu {
    /// Delivers `fault` through the IDT. `insn_rip` is the address of the instruction that
    /// raised it (a fault during the delivery of a trap reports that instruction). A fault
    /// while delivering a contributory exception (#DE, #TS, #NP, #SS, #GP) or a #PF becomes a
    /// double fault (Intel SDM vol. 3 §6.15, table 6-5); one during the double fault is a
    /// triple fault. After a benign exception or INT n the second fault is delivered instead.
    pub fn raise<B: Bus + ?Sized>(
        &mut self,
        bus: &mut B,
        fault: Fault,
        insn_rip: u64,
    ) -> Result<Delivery, super::TripleFault> {
        let first = self.try_deliver(bus, &fault);
        let second = match first {
            Ok(d) => return Ok(d),
            Err(f) => f,
        };
        let contributory = |f: &Fault| {
            matches!(
                f,
                Fault::DivideError | Fault::GeneralProtection { .. } | Fault::StackFault { .. }
            )
        };
        let is_pf = |f: &Fault| matches!(f, Fault::PageFault { .. });
        let double = (contributory(&fault) && contributory(&second))
            || (is_pf(&fault) && (contributory(&second) || is_pf(&second)));
        self.s.rip = insn_rip;
        let (next, chain) = if double {
            (
                Fault::GeneralProtection {
                    code: 0,
                    why: format!("double fault: {second} while delivering {fault}"),
                },
                vec![fault, second],
            )
        } else {
            (second.clone(), vec![fault, second])
        };
        if let (true, Fault::PageFault { addr, .. }) = (double, &chain[1]) {
            self.s.cr2 = *addr;
        }
        let result = if double {
            self.deliver(bus, vector::DF, Some(0), false, Some(next))
        } else {
            self.try_deliver(bus, &next)
        };
        match result {
            Ok(d) => Ok(d),
            Err(third) => {
                let mut chain = chain;
                chain.push(third);
                Err(super::TripleFault { chain })
            }
        }
    }

    fn try_deliver<B: Bus + ?Sized>(&mut self, bus: &mut B, f: &Fault) -> Result<Delivery, Fault> {
        if let Fault::PageFault { addr, .. } = f {
            self.s.cr2 = *addr;
        }
        self.deliver(
            bus,
            f.vector(),
            f.error_code(),
            f.is_trap(),
            Some(f.clone()),
        )
    }

    /// Delivers an external interrupt (e.g. the timer) if IF is set; returns `None` otherwise.
    pub fn interrupt<B: Bus + ?Sized>(
        &mut self,
        bus: &mut B,
        v: u8,
    ) -> Result<Option<Delivery>, super::TripleFault> {
        if !self.s.flag(rflags::IF) {
            return Ok(None);
        }
        self.halted = false;
        match self.deliver(bus, v, None, false, None) {
            Ok(d) => Ok(Some(d)),
            Err(f) => {
                let rip = self.s.rip;
                self.raise(bus, f, rip).map(Some)
            }
        }
    }

    /// One delivery attempt (Intel SDM vol. 3 §6.14): read the gate, check it, pick the stack
    /// (TSS.RSP0 on a change to ring 0), align it to 16, push SS, RSP, RFLAGS, CS, RIP and the
    /// error code, load CS:RIP, clear TF/NT/RF and, for interrupt gates, IF.
    fn deliver<B: Bus + ?Sized>(
        &mut self,
        bus: &mut B,
        v: u8,
        code: Option<u64>,
        soft: bool,
        fault: Option<Fault>,
    ) -> Result<Delivery, Fault> {
        let off = u64::from(v) * 16;
        if off + 15 > u64::from(self.s.idtr.limit) {
            return Err(Fault::GeneralProtection {
                code: gate_error(v),
                why: format!("vector {v} lies beyond the IDT limit"),
            });
        }
        let at = gate_address(self.s.idtr.base, v);
        let lo = bus.read(at, 8, false)?;
        let hi = bus.read(at.wrapping_add(8), 8, false)?;
        let g = Gate::decode(lo, hi);
        let cpl = self.s.cpl();
        if g.kind != gate::INTERRUPT && g.kind != gate::TRAP {
            return Err(Fault::GeneralProtection {
                code: gate_error(v),
                why: format!("IDT entry {v} is not a 64-bit interrupt or trap gate"),
            });
        }
        if soft && g.dpl < cpl {
            return Err(Fault::GeneralProtection {
                code: gate_error(v),
                why: format!(
                    "int {v:#x} from ring {cpl} needs a gate with DPL 3, entry has DPL {}",
                    g.dpl
                ),
            });
        }
        if !g.present {
            return Err(Fault::GeneralProtection {
                code: gate_error(v),
                why: format!("IDT entry {v} is not present"),
            });
        }
        let new_cpl = (g.selector & 3) as u8;
        if new_cpl > cpl {
            return Err(Fault::GeneralProtection {
                code: gate_error(v),
                why: "a gate cannot lead to a less privileged ring".into(),
            });
        }
        let old_rsp = self.s.gpr[RSP];
        let (old_ss, old_cs) = (self.s.ss, self.s.cs);
        let mut sp = if new_cpl < cpl {
            self.s.tss_rsp0
        } else {
            old_rsp
        };
        sp &= !0xf;
        let mut frame: Vec<u64> = vec![
            u64::from(old_ss),
            old_rsp,
            self.s.rflags,
            u64::from(old_cs),
            self.s.rip,
        ];
        if let Some(c) = code {
            frame.push(c);
        }
        let total = frame.len() as u64 * 8;
        bus.probe(
            sp.wrapping_sub(total),
            total,
            super::bus::Access::Write,
            false,
        )?;
        for word in frame {
            sp = sp.wrapping_sub(8);
            bus.write(sp, 8, word, false)?;
        }
        let saved_rip = self.s.rip;
        self.s.gpr[RSP] = sp;
        if new_cpl < cpl {
            self.s.ss = u16::from(new_cpl);
        }
        self.s.cs = g.selector;
        self.s.rip = g.offset;
        self.s.rflags &= !(rflags::TF | rflags::NT | rflags::RF);
        let cleared_if = g.kind == gate::INTERRUPT;
        if cleared_if {
            self.s.rflags &= !rflags::IF;
        }
        self.halted = false;
        Ok(Delivery {
            vector: v,
            fault,
            error_code: code,
            from_cpl: cpl,
            to_cpl: new_cpl,
            saved_rip,
            old_rsp,
            new_rsp: sp,
            handler: g.offset,
            cleared_if,
        })
    }

    /// IRETQ (Intel SDM vol. 2, IRET, 64-bit mode): pops RIP, CS, RFLAGS, RSP, SS. IOPL changes
    /// only at CPL 0 and IF only when CPL <= IOPL; a return to a more privileged ring is #GP.
    pub fn iretq<B: Bus + ?Sized>(&mut self, bus: &mut B) -> Result<(), Fault> {
        let sp = self.s.gpr[RSP];
        let user = self.user();
        bus.probe(sp, 40, super::bus::Access::Read, user)?;
        let rip = bus.read(sp, 8, user)?;
        let cs = bus.read(sp.wrapping_add(8), 8, user)? as u16;
        let fl = bus.read(sp.wrapping_add(16), 8, user)?;
        let rsp = bus.read(sp.wrapping_add(24), 8, user)?;
        let ss = bus.read(sp.wrapping_add(32), 8, user)? as u16;
        let cpl = self.s.cpl();
        if (cs & 3) < cpl as u16 {
            return Err(Fault::GeneralProtection {
                code: u64::from(cs & !3),
                why: "iretq to a more privileged ring".into(),
            });
        }
        if !super::super::mmu::paging::is_canonical(rip, self.s.cr4 & cr::CR4_LA57 != 0) {
            return Err(Fault::gp(format!("iretq to non-canonical RIP {rip:#x}")));
        }
        let iopl = ((self.s.rflags & rflags::IOPL) >> 12) as u8;
        let mut keep = !rflags::WRITABLE;
        if cpl != 0 {
            keep |= rflags::IOPL;
        }
        if cpl > iopl {
            keep |= rflags::IF;
        }
        self.s.rflags = ((self.s.rflags & keep) | (fl & !keep & rflags::WRITABLE)) | rflags::FIXED;
        self.s.rip = rip;
        self.s.cs = cs;
        self.s.ss = ss;
        self.s.gpr[RSP] = rsp;
        Ok(())
    }

    /// SYSCALL (Intel SDM vol. 2): RCX = next RIP, R11 = RFLAGS, RFLAGS &= ~FMASK, CS/SS from
    /// STAR bits 47:32, RIP = LSTAR, CPL = 0. The stack is NOT switched (the kernel does that).
    pub fn syscall(&mut self) -> Result<(), Fault> {
        if self.s.efer & cr::EFER_SCE == 0 {
            return Err(Fault::ud("syscall with EFER.SCE clear"));
        }
        self.s.gpr[RCX] = self.s.rip;
        self.s.gpr[R11] = self.s.rflags & !rflags::RF;
        self.s.rflags &= !(self.s.fmask | rflags::RF);
        self.s.rflags |= rflags::FIXED;
        let sel = ((self.s.star >> 32) & 0xffff) as u16;
        self.s.cs = sel & 0xfffc;
        self.s.ss = (sel & 0xfffc).wrapping_add(8);
        self.s.rip = self.s.lstar;
        Ok(())
    }

    /// SYSRETQ (Intel SDM vol. 2): RIP = RCX, RFLAGS = (R11 & 0x3C7FD7) | 2, CS = STAR bits 63:48+16
    /// with RPL 3, SS = STAR bits 63:48+8 with RPL 3. #GP(0) outside ring 0 or with RCX
    /// non-canonical (Intel raises it in ring 0, before the switch).
    pub fn sysret(&mut self) -> Result<(), Fault> {
        if self.s.efer & cr::EFER_SCE == 0 {
            return Err(Fault::ud("sysret with EFER.SCE clear"));
        }
        if self.s.cpl() != 0 {
            return Err(Fault::gp("sysret outside ring 0"));
        }
        let rip = self.s.gpr[RCX];
        if !super::super::mmu::paging::is_canonical(rip, self.s.cr4 & cr::CR4_LA57 != 0) {
            return Err(Fault::gp(format!("sysret to non-canonical RIP {rip:#x}")));
        }
        let base = ((self.s.star >> 48) & 0xffff) as u16;
        self.s.rip = rip;
        self.s.rflags = (self.s.gpr[R11] & 0x3C_7FD7) | rflags::FIXED;
        self.s.cs = base.wrapping_add(16) | 3;
        self.s.ss = base.wrapping_add(8) | 3;
        Ok(())
    }
}
