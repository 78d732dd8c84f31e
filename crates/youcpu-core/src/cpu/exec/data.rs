//! Data movement and flag instructions: MOV, MOVZX, MOVSX(D), LEA, XCHG, CMOVcc, SETcc,
//! CBW/CWDE/CDQE, CWD/CDQ/CQO, PUSHF/POPF, LAHF/SAHF, CLC/STC/CMC/CLD/STD, BSWAP.

use super::super::bus::Bus;
use super::super::fault::Fault;
use super::super::flags::{mask, sext};
use super::super::state::rflags::{self, AF, CF, DF, PF, SF, ZF};
use super::super::state::{RAX, RDX};
use super::super::Cpu;
use super::condition;
use iced_x86::{Instruction, Mnemonic as M, OpKind};

/// MOV (including to/from control registers, which are ring-0 only).
pub fn mov<B: Bus + ?Sized>(cpu: &mut Cpu, bus: &mut B, ins: &Instruction) -> Result<(), Fault> {
    if ins.op0_register().is_cr()
        || ins.op1_register().is_cr()
        || ins.op0_register().is_dr()
        || ins.op1_register().is_dr()
    {
        return super::system::mov_cr(cpu, bus, ins);
    }
    if ins.op0_register().is_segment_register() || ins.op1_register().is_segment_register() {
        return super::system::mov_seg(cpu, bus, ins);
    }
    let size = cpu.op_size(ins, 0);
    let v = cpu.read_op(bus, ins, 1, size)?;
    cpu.write_op(bus, ins, 0, size, v)
}

/// MOVZX: zero-extend.
pub fn movzx<B: Bus + ?Sized>(cpu: &mut Cpu, bus: &mut B, ins: &Instruction) -> Result<(), Fault> {
    let ss = cpu.op_size(ins, 1);
    let v = cpu.read_op(bus, ins, 1, ss)? & mask(ss);
    let ds = cpu.op_size(ins, 0);
    cpu.write_op(bus, ins, 0, ds, v)
}

/// MOVSX / MOVSXD: sign-extend.
pub fn movsx<B: Bus + ?Sized>(cpu: &mut Cpu, bus: &mut B, ins: &Instruction) -> Result<(), Fault> {
    let ss = cpu.op_size(ins, 1);
    let v = sext(cpu.read_op(bus, ins, 1, ss)?, ss) as u64;
    let ds = cpu.op_size(ins, 0);
    cpu.write_op(bus, ins, 0, ds, v & mask(ds))
}

/// LEA: the effective address without the segment base, truncated to the destination.
pub fn lea(cpu: &mut Cpu, ins: &Instruction) -> Result<(), Fault> {
    if ins.op1_kind() != OpKind::Memory {
        return Err(Fault::ud(format!("{ins}: lea needs a memory operand")));
    }
    let mut a = ins.memory_displacement64();
    let base = ins.memory_base();
    if base != iced_x86::Register::None
        && base != iced_x86::Register::RIP
        && base != iced_x86::Register::EIP
    {
        a = a.wrapping_add(cpu.reg(base));
    }
    let index = ins.memory_index();
    if index != iced_x86::Register::None {
        a = a.wrapping_add(
            cpu.reg(index)
                .wrapping_mul(u64::from(ins.memory_index_scale())),
        );
    }
    // Intel SDM vol. 2, LEA: with a 32-bit address size (the 67 prefix) the effective address
    // is computed in 32 bits, then zero-extended to a 64-bit destination.
    if base == iced_x86::Register::EIP || base.is_gpr32() || index.is_gpr32() {
        a &= 0xffff_ffff;
    }
    let r = ins.op0_register();
    cpu.set_reg(r, a & mask(r.size() as u32));
    Ok(())
}

/// XCHG (with memory it is implicitly locked; single core, so just a swap).
pub fn xchg<B: Bus + ?Sized>(cpu: &mut Cpu, bus: &mut B, ins: &Instruction) -> Result<(), Fault> {
    let size = cpu.op_size(ins, 0);
    let a = cpu.read_op(bus, ins, 0, size)?;
    let b = cpu.read_op(bus, ins, 1, size)?;
    // Write the memory side first so a fault leaves registers untouched.
    if ins.op1_kind() == OpKind::Memory {
        cpu.write_op(bus, ins, 1, size, a)?;
        cpu.write_op(bus, ins, 0, size, b)
    } else {
        cpu.write_op(bus, ins, 0, size, b)?;
        cpu.write_op(bus, ins, 1, size, a)
    }
}

/// CMOVcc: the source is read even when the condition is false, and a 32-bit destination is
/// zero-extended in both cases (Intel SDM vol. 2, CMOVcc).
pub fn cmov<B: Bus + ?Sized>(cpu: &mut Cpu, bus: &mut B, ins: &Instruction) -> Result<(), Fault> {
    let size = cpu.op_size(ins, 0);
    let v = cpu.read_op(bus, ins, 1, size)?;
    let r = ins.op0_register();
    if condition(cpu.s.rflags, ins.condition_code()) {
        cpu.set_reg(r, v);
    } else if size == 4 {
        let old = cpu.reg(r);
        cpu.set_reg(r, old);
    }
    Ok(())
}

/// SETcc: one byte, 1 or 0.
pub fn setcc<B: Bus + ?Sized>(cpu: &mut Cpu, bus: &mut B, ins: &Instruction) -> Result<(), Fault> {
    let v = u64::from(condition(cpu.s.rflags, ins.condition_code()));
    cpu.write_op(bus, ins, 0, 1, v)
}

/// CBW / CWDE / CDQE: sign-extend the lower half of the accumulator into all of it.
pub fn widen_acc(cpu: &mut Cpu, ins: &Instruction) -> Result<(), Fault> {
    let a = cpu.s.gpr[RAX];
    cpu.s.gpr[RAX] = match ins.mnemonic() {
        M::Cbw => (a & !0xffff) | (sext(a, 1) as u64 & 0xffff),
        M::Cwde => sext(a, 2) as u64 & 0xffff_ffff,
        _ => sext(a, 4) as u64,
    };
    Ok(())
}

/// CWD / CDQ / CQO: fill rDX with the accumulator's sign.
pub fn widen_into_dx(cpu: &mut Cpu, ins: &Instruction) -> Result<(), Fault> {
    let a = cpu.s.gpr[RAX];
    let d = cpu.s.gpr[RDX];
    cpu.s.gpr[RDX] = match ins.mnemonic() {
        M::Cwd => (d & !0xffff) | ((sext(a, 2) >> 16) as u64 & 0xffff),
        M::Cdq => (sext(a, 4) >> 32) as u64 & 0xffff_ffff,
        _ => ((a as i64) >> 63) as u64,
    };
    Ok(())
}

/// PUSHF/PUSHFQ: RFLAGS with VM and RF cleared (Intel SDM vol. 2, PUSHF).
pub fn pushf<B: Bus + ?Sized>(cpu: &mut Cpu, bus: &mut B, ins: &Instruction) -> Result<(), Fault> {
    let size = if ins.mnemonic() == M::Pushf { 2 } else { 8 };
    let v = cpu.s.rflags & !(rflags::RF | (1 << 17));
    cpu.push(bus, v, size)
}

/// POPF/POPFQ: IOPL changes only at CPL 0, IF only when CPL <= IOPL; RF is cleared.
pub fn popf<B: Bus + ?Sized>(cpu: &mut Cpu, bus: &mut B, ins: &Instruction) -> Result<(), Fault> {
    let size = if ins.mnemonic() == M::Popf { 2 } else { 8 };
    let v = cpu.pop(bus, size)?;
    let cpl = cpu.s.cpl();
    let iopl = ((cpu.s.rflags & rflags::IOPL) >> 12) as u8;
    let mut writable = rflags::WRITABLE & !(rflags::RF | (1 << 19) | (1 << 20));
    if cpl != 0 {
        writable &= !rflags::IOPL;
    }
    if cpl > iopl {
        writable &= !rflags::IF;
    }
    if size == 2 {
        writable &= 0xffff;
    }
    cpu.s.rflags = (cpu.s.rflags & !writable & !rflags::RF) | (v & writable) | rflags::FIXED;
    Ok(())
}

/// LAHF: AH = SF:ZF:0:AF:0:PF:1:CF.
pub fn lahf(cpu: &mut Cpu) -> Result<(), Fault> {
    let f = (cpu.s.rflags & (SF | ZF | AF | PF | CF)) | 2;
    cpu.s.gpr[RAX] = (cpu.s.gpr[RAX] & !0xff00) | ((f & 0xff) << 8);
    Ok(())
}

/// SAHF: SF ZF AF PF CF from AH.
pub fn sahf(cpu: &mut Cpu) -> Result<(), Fault> {
    let ah = (cpu.s.gpr[RAX] >> 8) & 0xff;
    let m = SF | ZF | AF | PF | CF;
    cpu.s.rflags = (cpu.s.rflags & !m) | (ah & m);
    Ok(())
}

/// CLC / STC / CMC / CLD / STD.
pub fn flag_op(cpu: &mut Cpu, ins: &Instruction) -> Result<(), Fault> {
    let f = &mut cpu.s.rflags;
    match ins.mnemonic() {
        M::Clc => *f &= !CF,
        M::Stc => *f |= CF,
        M::Cmc => *f ^= CF,
        M::Cld => *f &= !DF,
        _ => *f |= DF,
    }
    Ok(())
}

/// BSWAP (32 or 64 bits).
pub fn bswap(cpu: &mut Cpu, ins: &Instruction) -> Result<(), Fault> {
    let r = ins.op0_register();
    let v = cpu.reg(r);
    let nv = if r.size() == 8 {
        v.swap_bytes()
    } else {
        u64::from((v as u32).swap_bytes())
    };
    cpu.set_reg(r, nv);
    Ok(())
}
