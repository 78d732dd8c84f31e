//! The compact handlers: execute a pre-decoded [`Uop`] (see [`crate::cpu::uop`]). Each one
//! does exactly what the generic handler for the same form does (`arith::binary`,
//! `logic::binary`, `logic::shift`, `data::mov`, `control::*`, ...): same operand reads in the
//! same order, the same flag helpers, memory written before flags change so a faulting store
//! leaves RFLAGS as it was; only the operand-kind dispatch is gone.

use super::super::bus::Bus;
use super::super::fault::Fault;
use super::super::flags::{self, mask, merge, sext};
use super::super::state::rflags::{CF, STATUS};
use super::super::uop::{alu, shift, Op, Uop, NO_REG};
use super::super::Cpu;
use super::condition;

/// Reads general register `r` at `size` bytes.
#[inline(always)]
fn get(cpu: &Cpu, r: u8, size: u32) -> u64 {
    cpu.s.gpr[r as usize & 15] & mask(size)
}

/// Writes general register `r` at `size` bytes: 32-bit writes zero the upper half, 8/16-bit
/// writes keep the rest (Intel SDM vol. 1 §3.4.1.1), as `Cpu::set_reg`.
#[inline(always)]
fn put(cpu: &mut Cpu, r: u8, size: u32, v: u64) {
    let slot = &mut cpu.s.gpr[r as usize & 15];
    *slot = match size {
        1 => (*slot & !0xff) | (v & 0xff),
        2 => (*slot & !0xffff) | (v & 0xffff),
        4 => v & 0xffff_ffff,
        _ => v,
    };
}

/// The effective address, as `Cpu::ea`: displacement + base + index * scale, truncated for
/// 32-bit addressing, plus the FS/GS base.
#[inline(always)]
fn ea(cpu: &Cpu, u: &Uop) -> u64 {
    let g = &cpu.s.gpr;
    let mut a = u.disp;
    if u.base != NO_REG {
        a = a.wrapping_add(g[u.base as usize & 15]);
    }
    if u.index != NO_REG {
        a = a.wrapping_add(g[u.index as usize & 15].wrapping_mul(u64::from(u.scale)));
    }
    if u.addr32 {
        a &= 0xffff_ffff;
    }
    match u.seg {
        0 => a,
        1 => a.wrapping_add(cpu.s.fs_base),
        _ => a.wrapping_add(cpu.s.gs_base),
    }
}

/// An ALU operation: (result, flags, whether the destination is written).
#[inline(always)]
fn compute(op: u8, a: u64, b: u64, rflags: u64, size: u32) -> (u64, u64, bool) {
    let cf = rflags & CF != 0;
    match op {
        alu::ADD => {
            let (r, f) = flags::add(a, b, false, size);
            (r, f, true)
        }
        alu::OR => (a | b, flags::logic(a | b, size), true),
        alu::ADC => {
            let (r, f) = flags::add(a, b, cf, size);
            (r, f, true)
        }
        alu::SBB => {
            let (r, f) = flags::sub(a, b, cf, size);
            (r, f, true)
        }
        alu::AND => (a & b, flags::logic(a & b, size), true),
        alu::SUB => {
            let (r, f) = flags::sub(a, b, false, size);
            (r, f, true)
        }
        alu::XOR => (a ^ b, flags::logic(a ^ b, size), true),
        alu::CMP => {
            let (r, f) = flags::sub(a, b, false, size);
            (r, f, false)
        }
        _ => (a & b, flags::logic(a & b, size), false),
    }
}

/// Executes a pre-decoded instruction (not [`Op::Generic`]). RIP already points at the next
/// instruction.
#[inline(always)]
pub fn run<B: Bus + ?Sized>(cpu: &mut Cpu, bus: &mut B, u: &Uop) -> Result<(), Fault> {
    let size = u32::from(u.size);
    match u.op {
        Op::AluRR | Op::AluRI | Op::AluRM => {
            let a = get(cpu, u.r0, size);
            let b = match u.op {
                Op::AluRR => get(cpu, u.r1, size),
                Op::AluRI => u.imm,
                _ => bus.read(ea(cpu, u), size, cpu.user())?,
            };
            let (r, f, write) = compute(u.alu, a, b, cpu.s.rflags, size);
            if write {
                put(cpu, u.r0, size, r);
            }
            cpu.s.rflags = merge(cpu.s.rflags, f, STATUS);
        }
        Op::AluMR | Op::AluMI => {
            let user = cpu.user();
            let addr = ea(cpu, u);
            let a = bus.read(addr, size, user)?;
            let b = if u.op == Op::AluMR {
                get(cpu, u.r1, size)
            } else {
                u.imm
            };
            let (r, f, write) = compute(u.alu, a, b, cpu.s.rflags, size);
            if write {
                bus.write(addr, size, r, user)?;
            }
            cpu.s.rflags = merge(cpu.s.rflags, f, STATUS);
        }
        Op::MovRR => {
            let v = get(cpu, u.r1, size);
            put(cpu, u.r0, size, v);
        }
        Op::MovRI => put(cpu, u.r0, size, u.imm),
        Op::Load => {
            let v = bus.read(ea(cpu, u), size, cpu.user())?;
            put(cpu, u.r0, size, v);
        }
        Op::Store => {
            let v = get(cpu, u.r1, size);
            bus.write(ea(cpu, u), size, v, cpu.user())?;
        }
        Op::StoreI => bus.write(ea(cpu, u), size, u.imm, cpu.user())?,
        Op::Lea => {
            let g = &cpu.s.gpr;
            let mut a = u.disp;
            if u.base != NO_REG {
                a = a.wrapping_add(g[u.base as usize & 15]);
            }
            if u.index != NO_REG {
                a = a.wrapping_add(g[u.index as usize & 15].wrapping_mul(u64::from(u.scale)));
            }
            put(cpu, u.r0, size, a & mask(size));
        }
        Op::IncR | Op::DecR => {
            let a = get(cpu, u.r0, size);
            let (r, f) = if u.op == Op::IncR {
                flags::add(a, 1, false, size)
            } else {
                flags::sub(a, 1, false, size)
            };
            put(cpu, u.r0, size, r);
            cpu.s.rflags = merge(cpu.s.rflags, f, STATUS & !CF);
        }
        Op::ShiftRI | Op::ShiftRCl => {
            let a = get(cpu, u.r0, size);
            let c = if u.op == Op::ShiftRI {
                u.imm
            } else {
                cpu.s.gpr[1] & 0xff
            };
            let (r, f) = match u.alu {
                shift::SHL => flags::shl(a, c, size),
                shift::SHR => flags::shr(a, c, size),
                _ => flags::sar(a, c, size),
            };
            // A masked count of 0 changes nothing, not even the register's upper half.
            if let Some(f) = f {
                put(cpu, u.r0, size, r);
                cpu.s.rflags = merge(cpu.s.rflags, f, STATUS);
            }
        }
        Op::Jcc => {
            if condition(cpu.s.rflags, u.cc) {
                cpu.s.rip = u.imm;
            }
        }
        Op::Jmp => cpu.s.rip = u.imm,
        Op::Call => {
            let ret = cpu.s.rip;
            cpu.push(bus, ret, 8)?;
            cpu.s.rip = u.imm;
        }
        Op::Ret => cpu.s.rip = cpu.pop(bus, 8)?,
        Op::PushR => {
            let v = get(cpu, u.r0, size);
            cpu.push(bus, v, size)?;
        }
        Op::PushI => cpu.push(bus, u.imm, size)?,
        Op::PopR => {
            let v = cpu.pop(bus, size)?;
            put(cpu, u.r0, size, v);
        }
        Op::MovzxRR | Op::MovzxRM | Op::MovsxRR | Op::MovsxRM => {
            let ss = u32::from(u.ssize);
            let v = if matches!(u.op, Op::MovzxRR | Op::MovsxRR) {
                get(cpu, u.r1, ss)
            } else {
                bus.read(ea(cpu, u), ss, cpu.user())? & mask(ss)
            };
            let v = if matches!(u.op, Op::MovzxRR | Op::MovzxRM) {
                v
            } else {
                sext(v, ss) as u64 & mask(size)
            };
            put(cpu, u.r0, size, v);
        }
        Op::CmovRR | Op::CmovRM => {
            // The source is read (and may fault) whatever the condition.
            let v = if u.op == Op::CmovRR {
                get(cpu, u.r1, size)
            } else {
                bus.read(ea(cpu, u), size, cpu.user())?
            };
            if condition(cpu.s.rflags, u.cc) {
                put(cpu, u.r0, size, v);
            } else if size == 4 {
                let old = get(cpu, u.r0, 4);
                put(cpu, u.r0, 4, old);
            }
        }
        Op::SetccR => {
            let v = u64::from(condition(cpu.s.rflags, u.cc));
            put(cpu, u.r0, 1, v);
        }
        Op::Nop => {}
        Op::Generic => {
            return Err(Fault::ud(
                "internal: an instruction without a compact form reached the compact handlers",
            ))
        }
    }
    Ok(())
}
