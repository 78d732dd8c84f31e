//! Data movement (Intel SDM vol. 2): MOVUPS/MOVAPS/MOVDQU/MOVDQA/LDDQU (and PD forms),
//! MOVD/MOVQ, MOVSS/MOVSD, MOVHPS/MOVLPS/MOVHPD/MOVLPD, MOVHLPS/MOVLHPS, the non-temporal
//! stores and MOVNTDQA, MOVMSKPS/PD, PMOVMSKB, MOVDDUP/MOVSHDUP/MOVSLDUP (SSE3), MASKMOVDQU,
//! LDMXCSR/STMXCSR. None raises a floating-point exception.

use super::super::super::bus::Bus;
use super::super::super::fault::Fault;
use super::super::super::fp::mxcsr;
use super::super::super::state::RDI;
use super::super::super::Cpu;
use super::{lane, src, store, xreg};
use iced_x86::{Instruction, Mnemonic as M, OpKind};

const LO64: u128 = u64::MAX as u128;
const LO32: u128 = u32::MAX as u128;

/// Runs a data-movement instruction; `None` when `ins` is not one.
pub fn exec<B: Bus + ?Sized>(
    cpu: &mut Cpu,
    bus: &mut B,
    ins: &Instruction,
) -> Option<Result<(), Fault>> {
    let m = ins.mnemonic();
    Some(match m {
        M::Movups
        | M::Movupd
        | M::Movdqu
        | M::Movaps
        | M::Movapd
        | M::Movdqa
        | M::Lddqu
        | M::Movntdq
        | M::Movntps
        | M::Movntpd
        | M::Movntdqa => copy(cpu, bus, ins),
        M::Movnti => src(cpu, bus, ins, 1).and_then(|v| store(cpu, bus, ins, 0, v)),
        M::Movd | M::Movq => movd_movq(cpu, bus, ins, m == M::Movq),
        M::Movss | M::Movsd => move_scalar(cpu, bus, ins, if m == M::Movsd { LO64 } else { LO32 }),
        M::Movhps | M::Movhpd | M::Movlps | M::Movlpd => {
            half(cpu, bus, ins, matches!(m, M::Movhps | M::Movhpd))
        }
        M::Movhlps | M::Movlhps => (|| {
            let d = xreg(ins, 0)?;
            let s = cpu.s.xmm[xreg(ins, 1)?];
            let a = cpu.s.xmm[d];
            cpu.s.xmm[d] = if m == M::Movhlps {
                (a & !LO64) | (s >> 64)
            } else {
                (a & LO64) | (s << 64)
            };
            Ok(())
        })(),
        M::Movmskps | M::Movmskpd | M::Pmovmskb => (|| {
            let v = cpu.s.xmm[xreg(ins, 1)?];
            let bits = match m {
                M::Movmskps => 32,
                M::Movmskpd => 64,
                _ => 8,
            };
            let mut r = 0u64;
            for i in 0..128 / bits {
                r |= (lane(v, bits, i) >> (bits - 1)) << i;
            }
            cpu.set_reg(ins.op0_register(), r);
            Ok(())
        })(),
        M::Movddup | M::Movshdup | M::Movsldup => (|| {
            let d = xreg(ins, 0)?;
            let s = src(cpu, bus, ins, 1)?;
            cpu.s.xmm[d] = match m {
                M::Movddup => (s & LO64) | (s << 64),
                M::Movshdup => {
                    let (a, b) = (lane(s, 32, 1), lane(s, 32, 3));
                    u128::from(a) | u128::from(a) << 32 | u128::from(b) << 64 | u128::from(b) << 96
                }
                _ => {
                    let (a, b) = (lane(s, 32, 0), lane(s, 32, 2));
                    u128::from(a) | u128::from(a) << 32 | u128::from(b) << 64 | u128::from(b) << 96
                }
            };
            Ok(())
        })(),
        M::Maskmovdqu => (|| {
            // Stores the bytes of operand 1 whose mask byte (operand 2) has its top bit set, at
            // [RDI] (DS segment; 64-bit addressing assumed, as compilers emit it).
            let v = cpu.s.xmm[xreg(ins, 1)?];
            let mask = cpu.s.xmm[xreg(ins, 2)?];
            let base = if ins.op0_kind() == OpKind::MemorySegEDI {
                cpu.s.gpr[RDI] & 0xffff_ffff
            } else {
                cpu.s.gpr[RDI]
            };
            for i in 0..16u32 {
                if lane(mask, 8, i) & 0x80 != 0 {
                    let a = base.wrapping_add(u64::from(i));
                    bus.write(a, 1, lane(v, 8, i), cpu.user())?;
                }
            }
            Ok(())
        })(),
        M::Ldmxcsr => (|| {
            let v = cpu.read_op(bus, ins, 0, 4)? as u32;
            if v & !mxcsr::writable(cpu.s.vendor) != 0 {
                return Err(Fault::gp(format!(
                    "`{ins}`: reserved MXCSR bits set in {v:#x}"
                )));
            }
            cpu.s.mxcsr = v;
            Ok(())
        })(),
        M::Stmxcsr => {
            let v = u64::from(cpu.s.mxcsr);
            cpu.write_op(bus, ins, 0, 4, v)
        }
        _ => return None,
    })
}

/// Whole-register copies: register or memory to register, register to memory.
fn copy<B: Bus + ?Sized>(cpu: &mut Cpu, bus: &mut B, ins: &Instruction) -> Result<(), Fault> {
    if ins.op0_kind() == OpKind::Register {
        xreg(ins, 0)?;
    } else {
        xreg(ins, 1)?;
    }
    if matches!(ins.mnemonic(), M::Movntdq | M::Movntps | M::Movntpd)
        && ins.op0_kind() != OpKind::Memory
    {
        return Err(super::super::unsupported(ins));
    }
    let v = src(cpu, bus, ins, 1)?;
    store(cpu, bus, ins, 0, v)
}

/// MOVD/MOVQ between XMM registers, general registers and memory: loads into an XMM register
/// zero the rest of it.
fn movd_movq<B: Bus + ?Sized>(
    cpu: &mut Cpu,
    bus: &mut B,
    ins: &Instruction,
    q: bool,
) -> Result<(), Fault> {
    let to_xmm = ins.op0_kind() == OpKind::Register && ins.op0_register().is_xmm();
    let from_xmm = ins.op1_kind() == OpKind::Register && ins.op1_register().is_xmm();
    if !to_xmm && !from_xmm {
        // MMX forms.
        return Err(super::super::unsupported(ins));
    }
    let mask = if q { LO64 } else { LO32 };
    let v = src(cpu, bus, ins, 1)? & mask;
    store(cpu, bus, ins, 0, v)
}

/// MOVSS/MOVSD: a load zeroes the rest of the register, a register-to-register move keeps it,
/// a store writes 4 or 8 bytes.
fn move_scalar<B: Bus + ?Sized>(
    cpu: &mut Cpu,
    bus: &mut B,
    ins: &Instruction,
    mask: u128,
) -> Result<(), Fault> {
    let v = src(cpu, bus, ins, 1)? & mask;
    if ins.op0_kind() == OpKind::Register {
        let d = xreg(ins, 0)?;
        if ins.op1_kind() == OpKind::Register {
            cpu.s.xmm[d] = (cpu.s.xmm[d] & !mask) | v;
        } else {
            cpu.s.xmm[d] = v;
        }
        Ok(())
    } else {
        xreg(ins, 1)?;
        store(cpu, bus, ins, 0, v)
    }
}

/// MOVHPS/MOVLPS/MOVHPD/MOVLPD: 8 bytes of memory to or from one half of a register.
fn half<B: Bus + ?Sized>(
    cpu: &mut Cpu,
    bus: &mut B,
    ins: &Instruction,
    high: bool,
) -> Result<(), Fault> {
    if ins.op0_kind() == OpKind::Memory {
        let s = cpu.s.xmm[xreg(ins, 1)?];
        let v = if high { s >> 64 } else { s & LO64 };
        store(cpu, bus, ins, 0, v)
    } else {
        let d = xreg(ins, 0)?;
        if ins.op1_kind() != OpKind::Memory {
            return Err(super::super::unsupported(ins));
        }
        let s = src(cpu, bus, ins, 1)? & LO64;
        let a = cpu.s.xmm[d];
        cpu.s.xmm[d] = if high {
            (a & LO64) | (s << 64)
        } else {
            (a & !LO64) | s
        };
        Ok(())
    }
}
