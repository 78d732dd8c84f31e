//! ADD, ADC, SUB, SBB, CMP, INC, DEC, NEG, XADD, CMPXCHG, CMPXCHG8B/16B, CLFLUSH (Intel SDM vol. 2).

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

/// CMPXCHG8B m64 and CMPXCHG16B m128 (Intel SDM vol. 2A "CMPXCHG8B/CMPXCHG16B"; CPUID.1:EDX.CX8
/// and CPUID.1:ECX.CX16): compares EDX:EAX (RDX:RAX) with the memory operand; equal: ZF = 1 and
/// ECX:EBX (RCX:RBX) is stored; not equal: ZF = 0 and the operand is loaded into EDX:EAX
/// (32-bit writes, so the upper halves of RAX and RDX are cleared) or RDX:RAX. The destination
/// is written back in both cases ("the processor never produces a locked read without also
/// producing a locked write"), so a read-only page faults even when the compare fails. Only
/// ZF changes. CMPXCHG16B needs a 16-byte aligned operand (#GP(0)). A register operand is #UD.
pub fn cmpxchg8b<B: Bus + ?Sized>(
    cpu: &mut Cpu,
    bus: &mut B,
    ins: &Instruction,
) -> Result<(), Fault> {
    if ins.op0_kind() != iced_x86::OpKind::Memory {
        return Err(super::unsupported(ins));
    }
    let (rax, rbx, rcx, rdx) = (cpu.s.gpr[0], cpu.s.gpr[3], cpu.s.gpr[1], cpu.s.gpr[2]);
    let user = cpu.user();
    if ins.mnemonic() == M::Cmpxchg16b {
        let a = cpu.ea(ins);
        if a & 15 != 0 {
            return Err(Fault::gp(format!(
                "`{ins}`: misaligned 16-byte operand at {a:#x}"
            )));
        }
        let d = super::super::bus::read128(bus, a, user)?;
        let acc = u128::from(rdx) << 64 | u128::from(rax);
        if acc == d {
            super::super::bus::write128(bus, a, u128::from(rcx) << 64 | u128::from(rbx), user)?;
            cpu.s.rflags |= ZF;
        } else {
            super::super::bus::write128(bus, a, d, user)?;
            cpu.s.gpr[0] = d as u64;
            cpu.s.gpr[2] = (d >> 64) as u64;
            cpu.s.rflags &= !ZF;
        }
        return Ok(());
    }
    let d = cpu.read_op(bus, ins, 0, 8)?;
    let acc = (rdx & 0xffff_ffff) << 32 | (rax & 0xffff_ffff);
    if acc == d {
        cpu.write_op(
            bus,
            ins,
            0,
            8,
            (rcx & 0xffff_ffff) << 32 | (rbx & 0xffff_ffff),
        )?;
        cpu.s.rflags |= ZF;
    } else {
        cpu.write_op(bus, ins, 0, 8, d)?;
        cpu.s.gpr[0] = d & 0xffff_ffff;
        cpu.s.gpr[2] = d >> 32;
        cpu.s.rflags &= !ZF;
    }
    Ok(())
}

/// CLFLUSH m8 (Intel SDM vol. 2A; CPUID.1:EDX.CLFSH): the model has no caches to write back,
/// but the instruction "is subject to all permission checking and faults associated with a
/// byte load", so it reads the byte and discards it.
pub fn clflush<B: Bus + ?Sized>(
    cpu: &mut Cpu,
    bus: &mut B,
    ins: &Instruction,
) -> Result<(), Fault> {
    if ins.op0_kind() != iced_x86::OpKind::Memory {
        return Err(super::unsupported(ins));
    }
    let a = cpu.ea(ins);
    bus.read(a, 1, cpu.user()).map(|_| ())
}
