//! String instructions MOVS, STOS, LODS, CMPS, SCAS with REP/REPE/REPNE (Intel SDM vol. 2).
//!
//! One call does ONE iteration and, while the repeat goes on, leaves RIP on the instruction:
//! that is how the hardware lets interrupts and single-step traps in between iterations, and
//! why a single-stepped `rep movsb` of n bytes counts n steps (and 1 step when RCX = 0).

use super::super::bus::Bus;
use super::super::fault::Fault;
use super::super::flags::{self, mask, merge};
use super::super::state::rflags::{DF, STATUS, ZF};
use super::super::state::{RAX, RCX, RDI, RSI};
use super::super::Cpu;
use iced_x86::{Instruction, Mnemonic as M};

fn elem_size(ins: &Instruction) -> u32 {
    match ins.mnemonic() {
        M::Movsb | M::Stosb | M::Lodsb | M::Cmpsb | M::Scasb => 1,
        M::Movsw | M::Stosw | M::Lodsw | M::Cmpsw | M::Scasw => 2,
        M::Movsq | M::Stosq | M::Lodsq | M::Cmpsq | M::Scasq => 8,
        _ => 4,
    }
}

/// One iteration of a string instruction.
pub fn string_op<B: Bus + ?Sized>(
    cpu: &mut Cpu,
    bus: &mut B,
    ins: &Instruction,
) -> Result<(), Fault> {
    let rep = ins.has_rep_prefix() || ins.has_repne_prefix();
    if ins.memory_base() == iced_x86::Register::ESI || ins.memory_base() == iced_x86::Register::EDI
    {
        return Err(Fault::ud(format!(
            "{ins}: 32-bit addressing in string instructions is not modelled"
        )));
    }
    if rep && cpu.s.gpr[RCX] == 0 {
        return Ok(());
    }
    let size = elem_size(ins);
    let step = if cpu.s.rflags & DF != 0 {
        (size as u64).wrapping_neg()
    } else {
        u64::from(size)
    };
    let user = cpu.user();
    let seg = match ins.memory_segment() {
        iced_x86::Register::FS => cpu.s.fs_base,
        iced_x86::Register::GS => cpu.s.gs_base,
        _ => 0,
    };
    let (si, di) = (cpu.s.gpr[RSI], cpu.s.gpr[RDI]);
    let m = mask(size);
    let mut compare = None;
    match ins.mnemonic() {
        M::Movsb | M::Movsw | M::Movsd | M::Movsq => {
            let v = bus.read(seg.wrapping_add(si), size, user)?;
            bus.write(di, size, v, user)?;
            cpu.s.gpr[RSI] = si.wrapping_add(step);
            cpu.s.gpr[RDI] = di.wrapping_add(step);
        }
        M::Stosb | M::Stosw | M::Stosd | M::Stosq => {
            bus.write(di, size, cpu.s.gpr[RAX] & m, user)?;
            cpu.s.gpr[RDI] = di.wrapping_add(step);
        }
        M::Lodsb | M::Lodsw | M::Lodsd | M::Lodsq => {
            let v = bus.read(seg.wrapping_add(si), size, user)?;
            let r = match size {
                1 => iced_x86::Register::AL,
                2 => iced_x86::Register::AX,
                4 => iced_x86::Register::EAX,
                _ => iced_x86::Register::RAX,
            };
            cpu.set_reg(r, v);
            cpu.s.gpr[RSI] = si.wrapping_add(step);
        }
        M::Cmpsb | M::Cmpsw | M::Cmpsd | M::Cmpsq => {
            let a = bus.read(seg.wrapping_add(si), size, user)?;
            let b = bus.read(di, size, user)?;
            compare = Some(flags::sub(a, b, false, size).1);
            cpu.s.gpr[RSI] = si.wrapping_add(step);
            cpu.s.gpr[RDI] = di.wrapping_add(step);
        }
        _ => {
            let b = bus.read(di, size, user)?;
            compare = Some(flags::sub(cpu.s.gpr[RAX] & m, b, false, size).1);
            cpu.s.gpr[RDI] = di.wrapping_add(step);
        }
    }
    if let Some(f) = compare {
        cpu.s.rflags = merge(cpu.s.rflags, f, STATUS);
    }
    if rep {
        cpu.s.gpr[RCX] = cpu.s.gpr[RCX].wrapping_sub(1);
        let mut again = cpu.s.gpr[RCX] != 0;
        if let Some(f) = compare {
            let zf = f & ZF != 0;
            again &= if ins.has_repe_prefix() { zf } else { !zf };
        }
        if again {
            cpu.s.rip = ins.ip();
        }
    }
    Ok(())
}
