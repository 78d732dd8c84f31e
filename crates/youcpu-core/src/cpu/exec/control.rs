//! Stack and control transfer: PUSH, POP, CALL, RET, LEAVE, JMP, Jcc, LOOP*, JrCXZ.

use super::super::bus::Bus;
use super::super::fault::Fault;
use super::super::state::{RBP, RCX, RSP};
use super::super::Cpu;
use super::condition;
use iced_x86::{Instruction, Mnemonic as M, OpKind};

/// PUSH r/m/imm (immediates are sign-extended to the operand size).
pub fn push<B: Bus + ?Sized>(cpu: &mut Cpu, bus: &mut B, ins: &Instruction) -> Result<(), Fault> {
    if ins.op0_kind() == OpKind::Register && ins.op0_register().is_segment_register() {
        return Err(super::unsupported(ins));
    }
    let size = cpu.op_size(ins, 0);
    let v = cpu.read_op(bus, ins, 0, size)?;
    cpu.push(bus, v, size)
}

/// POP r/m. A memory destination addressed through RSP uses the incremented RSP (Intel SDM
/// vol. 2, POP); a faulting store leaves RSP as it was.
pub fn pop<B: Bus + ?Sized>(cpu: &mut Cpu, bus: &mut B, ins: &Instruction) -> Result<(), Fault> {
    if ins.op0_kind() == OpKind::Register && ins.op0_register().is_segment_register() {
        return Err(super::unsupported(ins));
    }
    let size = cpu.op_size(ins, 0);
    let old = cpu.s.gpr[RSP];
    let v = cpu.pop(bus, size)?;
    if let Err(f) = cpu.write_op(bus, ins, 0, size, v) {
        cpu.s.gpr[RSP] = old;
        return Err(f);
    }
    Ok(())
}

fn target<B: Bus + ?Sized>(cpu: &mut Cpu, bus: &mut B, ins: &Instruction) -> Result<u64, Fault> {
    match ins.op0_kind() {
        OpKind::NearBranch64 | OpKind::NearBranch32 | OpKind::NearBranch16 => {
            Ok(ins.near_branch_target())
        }
        OpKind::Register | OpKind::Memory => cpu.read_op(bus, ins, 0, 8),
        _ => Err(super::unsupported(ins)),
    }
}

/// CALL near: push the return address, jump.
pub fn call<B: Bus + ?Sized>(cpu: &mut Cpu, bus: &mut B, ins: &Instruction) -> Result<(), Fault> {
    let t = target(cpu, bus, ins)?;
    let ret = cpu.s.rip;
    cpu.push(bus, ret, 8)?;
    cpu.s.rip = t;
    Ok(())
}

/// RET near [imm16]: pop RIP, then release imm16 bytes.
pub fn ret<B: Bus + ?Sized>(cpu: &mut Cpu, bus: &mut B, ins: &Instruction) -> Result<(), Fault> {
    let t = cpu.pop(bus, 8)?;
    if ins.op_count() == 1 {
        cpu.s.gpr[RSP] = cpu.s.gpr[RSP].wrapping_add(ins.immediate(0) & 0xffff);
    }
    cpu.s.rip = t;
    Ok(())
}

/// LEAVE: RSP = RBP, then pop RBP.
pub fn leave<B: Bus + ?Sized>(cpu: &mut Cpu, bus: &mut B, _ins: &Instruction) -> Result<(), Fault> {
    let user = cpu.user();
    let bp = cpu.s.gpr[RBP];
    let v = bus.read(bp, 8, user)?;
    cpu.s.gpr[RBP] = v;
    cpu.s.gpr[RSP] = bp.wrapping_add(8);
    Ok(())
}

/// JMP near.
pub fn jmp<B: Bus + ?Sized>(cpu: &mut Cpu, bus: &mut B, ins: &Instruction) -> Result<(), Fault> {
    cpu.s.rip = target(cpu, bus, ins)?;
    Ok(())
}

/// Jcc.
#[inline]
pub fn jcc(cpu: &mut Cpu, ins: &Instruction) -> Result<(), Fault> {
    if condition(cpu.s.rflags, ins.condition_code()) {
        cpu.s.rip = ins.near_branch_target();
    }
    Ok(())
}

/// LOOP / LOOPE / LOOPNE (decrement RCX, branch while non-zero [and ZF]) and JRCXZ / JECXZ.
pub fn loop_op(cpu: &mut Cpu, ins: &Instruction) -> Result<(), Fault> {
    let zf = cpu.s.rflags & super::super::state::rflags::ZF != 0;
    let take = match ins.mnemonic() {
        M::Jrcxz => cpu.s.gpr[RCX] == 0,
        M::Jecxz => cpu.s.gpr[RCX] & 0xffff_ffff == 0,
        m => {
            cpu.s.gpr[RCX] = cpu.s.gpr[RCX].wrapping_sub(1);
            let nz = cpu.s.gpr[RCX] != 0;
            match m {
                M::Loope => nz && zf,
                M::Loopne => nz && !zf,
                _ => nz,
            }
        }
    };
    if take {
        cpu.s.rip = ins.near_branch_target();
    }
    Ok(())
}
