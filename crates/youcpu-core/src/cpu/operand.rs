//! Reading and writing instruction operands: registers (with x86-64's partial-register rules),
//! memory through the bus (effective address = segment base + base + index*scale + disp), and
//! immediates.

use super::bus::Bus;
use super::fault::Fault;
use super::Cpu;
use iced_x86::{Instruction, OpKind, Register};

/// Where a general register's value lives: (index into `gpr`, size in bytes, high-byte flag).
#[inline(always)]
pub fn gpr_slot(r: Register) -> Option<(usize, u32, bool)> {
    let n = r as u32;
    // iced-x86 orders registers AL..BL, AH..BH, SPL..R15L, AX..R15W, EAX..R15D, RAX..R15.
    if (53..=68).contains(&n) {
        return Some(((n - 53) as usize, 8, false));
    }
    match n {
        1..=4 => Some(((n - 1) as usize, 1, false)),
        5..=8 => Some(((n - 5) as usize, 1, true)),
        9..=20 => Some(((n - 5) as usize, 1, false)),
        21..=36 => Some(((n - 21) as usize, 2, false)),
        37..=52 => Some(((n - 37) as usize, 4, false)),
        53..=68 => Some(((n - 53) as usize, 8, false)),
        _ => None,
    }
}

impl Cpu {
    /// Reads a general register by its iced name (AH/BH/CH/DH are bits 15:8).
    #[inline]
    pub fn reg(&self, r: Register) -> u64 {
        match gpr_slot(r) {
            Some((i, size, high)) => {
                let v = self.s.gpr[i & 15];
                if high {
                    (v >> 8) & 0xff
                } else {
                    v & super::flags::mask(size)
                }
            }
            None => 0,
        }
    }

    /// Writes a general register: 32-bit writes zero the upper half, 8/16-bit writes keep the rest
    /// (Intel SDM vol. 1 §3.4.1.1).
    #[inline]
    pub fn set_reg(&mut self, r: Register, v: u64) {
        if let Some((i, size, high)) = gpr_slot(r) {
            let slot = &mut self.s.gpr[i & 15];
            *slot = match (size, high) {
                (1, true) => (*slot & !0xff00) | ((v & 0xff) << 8),
                (1, false) => (*slot & !0xff) | (v & 0xff),
                (2, _) => (*slot & !0xffff) | (v & 0xffff),
                (4, _) => v & 0xffff_ffff,
                _ => v,
            };
        }
    }

    /// The effective (linear) address of the memory operand.
    #[inline]
    pub fn ea(&self, ins: &Instruction) -> u64 {
        let mut a = ins.memory_displacement64();
        let base = ins.memory_base();
        if base != Register::None && base != Register::RIP && base != Register::EIP {
            a = a.wrapping_add(self.reg(base));
        }
        let index = ins.memory_index();
        if index != Register::None {
            a = a.wrapping_add(
                self.reg(index)
                    .wrapping_mul(u64::from(ins.memory_index_scale())),
            );
        }
        if matches!(base, Register::EIP) || base.is_gpr32() || index.is_gpr32() {
            a &= 0xffff_ffff;
        }
        match ins.memory_segment() {
            Register::FS => a.wrapping_add(self.s.fs_base),
            Register::GS => a.wrapping_add(self.s.gs_base),
            _ => a,
        }
    }

    /// The size in bytes of operand `i`.
    #[inline]
    pub fn op_size(&self, ins: &Instruction, i: u32) -> u32 {
        op_size(ins, i)
    }

    /// Reads operand `i` (register, memory of `size` bytes, or immediate).
    #[inline]
    pub fn read_op<B: Bus + ?Sized>(
        &mut self,
        bus: &mut B,
        ins: &Instruction,
        i: u32,
        size: u32,
    ) -> Result<u64, Fault> {
        match ins.op_kind(i) {
            OpKind::Register => Ok(self.reg(ins.op_register(i))),
            OpKind::Memory => bus.read(self.ea(ins), size, self.user()),
            _ => Ok(ins.immediate(i) & super::flags::mask(size)),
        }
    }

    /// Writes operand `i` (register or memory of `size` bytes).
    #[inline]
    pub fn write_op<B: Bus + ?Sized>(
        &mut self,
        bus: &mut B,
        ins: &Instruction,
        i: u32,
        size: u32,
        v: u64,
    ) -> Result<(), Fault> {
        match ins.op_kind(i) {
            OpKind::Register => {
                self.set_reg(ins.op_register(i), v);
                Ok(())
            }
            OpKind::Memory => bus.write(self.ea(ins), size, v, self.user()),
            k => Err(Fault::ud(format!(
                "{ins}: cannot write to operand kind {k:?}"
            ))),
        }
    }

    /// Pushes `size` bytes (the store happens before RSP changes, so a fault leaves RSP intact).
    #[inline]
    pub fn push<B: Bus + ?Sized>(&mut self, bus: &mut B, v: u64, size: u32) -> Result<(), Fault> {
        let sp = self.s.gpr[super::state::RSP].wrapping_sub(u64::from(size));
        bus.write(sp, size, v, self.user())?;
        self.s.gpr[super::state::RSP] = sp;
        Ok(())
    }

    /// Pops `size` bytes.
    #[inline]
    pub fn pop<B: Bus + ?Sized>(&mut self, bus: &mut B, size: u32) -> Result<u64, Fault> {
        let sp = self.s.gpr[super::state::RSP];
        let v = bus.read(sp, size, self.user())?;
        self.s.gpr[super::state::RSP] = sp.wrapping_add(u64::from(size));
        Ok(v)
    }
}

/// The size in bytes of operand `i`: a register's or the memory operand's size, an immediate's
/// encoded width (sign-extended imm8 forms count as the width they extend to), else 8.
#[inline]
pub(crate) fn op_size(ins: &Instruction, i: u32) -> u32 {
    match ins.op_kind(i) {
        OpKind::Register => ins.op_register(i).size() as u32,
        OpKind::Memory => ins.memory_size().size() as u32,
        OpKind::Immediate8 => 1,
        OpKind::Immediate16 | OpKind::Immediate8to16 => 2,
        OpKind::Immediate32 | OpKind::Immediate8to32 => 4,
        _ => 8,
    }
}
