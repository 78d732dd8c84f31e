//! A fast path for the most frequent forms: 32/64-bit ALU operations and MOV between general
//! registers or with an immediate. Same semantics as the generic handlers (it calls the same
//! flag helpers), minus the operand-kind dispatch; anything else returns `None`.

use super::super::flags::{self, mask, merge};
use super::super::operand::gpr_slot;
use super::super::state::rflags::{CF, STATUS};
use super::super::Cpu;
use iced_x86::{Instruction, Mnemonic as M, OpKind};

/// Executes `ins` if it is a register/immediate ALU op or MOV of 32 or 64 bits.
#[inline(always)]
pub fn try_fast(cpu: &mut Cpu, ins: &Instruction) -> Option<()> {
    if ins.op0_kind() != OpKind::Register {
        return None;
    }
    let (d, size, high) = gpr_slot(ins.op0_register())?;
    if high || size < 4 {
        return None;
    }
    let m = mask(size);
    let b = match ins.op1_kind() {
        OpKind::Register => {
            let (s, ss, sh) = gpr_slot(ins.op1_register())?;
            if sh || ss != size {
                return None;
            }
            cpu.s.gpr[s & 15] & m
        }
        OpKind::Immediate32
        | OpKind::Immediate8to32
        | OpKind::Immediate8to64
        | OpKind::Immediate32to64
        | OpKind::Immediate64 => ins.immediate(1) & m,
        _ => return None,
    };
    let d = d & 15;
    let a = cpu.s.gpr[d] & m;
    let (r, f, write) = match ins.mnemonic() {
        M::Mov => {
            cpu.s.gpr[d] = b;
            return Some(());
        }
        M::Add => {
            let (r, f) = flags::add(a, b, false, size);
            (r, f, true)
        }
        M::Sub => {
            let (r, f) = flags::sub(a, b, false, size);
            (r, f, true)
        }
        M::Cmp => {
            let (r, f) = flags::sub(a, b, false, size);
            (r, f, false)
        }
        M::Adc => {
            let (r, f) = flags::add(a, b, cpu.s.rflags & CF != 0, size);
            (r, f, true)
        }
        M::Sbb => {
            let (r, f) = flags::sub(a, b, cpu.s.rflags & CF != 0, size);
            (r, f, true)
        }
        M::And => (a & b, flags::logic(a & b, size), true),
        M::Or => (a | b, flags::logic(a | b, size), true),
        M::Xor => (a ^ b, flags::logic(a ^ b, size), true),
        M::Test => (a & b, flags::logic(a & b, size), false),
        _ => return None,
    };
    if write {
        // 32-bit results zero the upper half (Intel SDM vol. 1 §3.4.1.1).
        cpu.s.gpr[d] = r;
    }
    cpu.s.rflags = merge(cpu.s.rflags, f, STATUS);
    Some(())
}
