//! ADD, ADC, SUB, SBB, CMP, INC, DEC, NEG, XADD, CMPXCHG (Intel SDM vol. 2).

use super::super::bus::Bus;
use super::super::fault::Fault;
use super::super::flags::{self, merge};
use super::super::state::rflags::{CF, STATUS, ZF};
use super::super::Cpu;
use iced_x86::{Instruction, Mnemonic as M};

/// The two-operand arithmetic ops; CMP only sets flags.
pub fn binary<B: Bus + ?Sized>(cpu: &mut Cpu, bus: &mut B, ins: &Instruction) -> Result<(), Fault> {
    let size = cpu.op_size(ins, 0);
    let a = cpu.read_op(bus, ins, 0, size)?;
    let b = cpu.read_op(bus, ins, 1, size)?;
    let cf = cpu.s.rflags & CF != 0;
    let (r, f) = match ins.mnemonic() {
        M::Add => flags::add(a, b, false, size),
        M::Adc => flags::add(a, b, cf, size),
        M::Sub | M::Cmp => flags::sub(a, b, false, size),
        _ => flags::sub(a, b, cf, size),
    };
    if ins.mnemonic() != M::Cmp {
        cpu.write_op(bus, ins, 0, size, r)?;
    }
    cpu.s.rflags = merge(cpu.s.rflags, f, STATUS);
    Ok(())
}

/// INC / DEC: like ADD/SUB 1 but CF is kept.
pub fn inc_dec<B: Bus + ?Sized>(
    cpu: &mut Cpu,
    bus: &mut B,
    ins: &Instruction,
) -> Result<(), Fault> {
    let size = cpu.op_size(ins, 0);
    let a = cpu.read_op(bus, ins, 0, size)?;
    let (r, f) = if ins.mnemonic() == M::Inc {
        flags::add(a, 1, false, size)
    } else {
        flags::sub(a, 1, false, size)
    };
    cpu.write_op(bus, ins, 0, size, r)?;
    cpu.s.rflags = merge(cpu.s.rflags, f, STATUS & !CF);
    Ok(())
}

/// NEG: 0 - x; CF = (x != 0).
pub fn neg<B: Bus + ?Sized>(cpu: &mut Cpu, bus: &mut B, ins: &Instruction) -> Result<(), Fault> {
    let size = cpu.op_size(ins, 0);
    let a = cpu.read_op(bus, ins, 0, size)?;
    let (r, f) = flags::sub(0, a, false, size);
    cpu.write_op(bus, ins, 0, size, r)?;
    cpu.s.rflags = merge(cpu.s.rflags, f, STATUS);
    Ok(())
}

/// XADD: dest = dest + src, src = old dest.
pub fn xadd<B: Bus + ?Sized>(cpu: &mut Cpu, bus: &mut B, ins: &Instruction) -> Result<(), Fault> {
    let size = cpu.op_size(ins, 0);
    let a = cpu.read_op(bus, ins, 0, size)?;
    let b = cpu.read_op(bus, ins, 1, size)?;
    let (r, f) = flags::add(a, b, false, size);
    cpu.write_op(bus, ins, 0, size, r)?;
    cpu.write_op(bus, ins, 1, size, a)?;
    cpu.s.rflags = merge(cpu.s.rflags, f, STATUS);
    Ok(())
}

/// CMPXCHG: compare the accumulator with dest; equal: dest = src, else accumulator = dest.
/// The destination is written in both cases (Intel SDM: "the destination operand is written
/// back if the comparison fails").
pub fn cmpxchg<B: Bus + ?Sized>(
    cpu: &mut Cpu,
    bus: &mut B,
    ins: &Instruction,
) -> Result<(), Fault> {
    let size = cpu.op_size(ins, 0);
    let d = cpu.read_op(bus, ins, 0, size)?;
    let acc = cpu.s.gpr[0] & flags::mask(size);
    let (_, f) = flags::sub(acc, d, false, size);
    if f & ZF != 0 {
        let s = cpu.read_op(bus, ins, 1, size)?;
        cpu.write_op(bus, ins, 0, size, s)?;
    } else {
        cpu.write_op(bus, ins, 0, size, d)?;
        let r = match size {
            1 => iced_x86::Register::AL,
            2 => iced_x86::Register::AX,
            4 => iced_x86::Register::EAX,
            _ => iced_x86::Register::RAX,
        };
        cpu.set_reg(r, d);
    }
    cpu.s.rflags = merge(cpu.s.rflags, f, STATUS);
    Ok(())
}
