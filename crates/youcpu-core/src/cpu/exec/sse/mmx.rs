//! MMX (Intel SDM vol. 1 ch. 9) and the SSE/SSE2/SSSE3 instructions on MMX registers. MM0-7
//! are the significands of the x87 physical registers R0-R7: a write stores the value with
//! sign and exponent all ones, and every MMX instruction sets TOP to 0 and tags all registers
//! valid (EMMS tags them empty); a pending x87 exception raises #MF first (§9.5, §9.6).
//!
//! The lane-wise operations reuse the XMM code: the instruction is rewritten to name XMM
//! registers holding the MMX values zero-extended, run, and the low 64 bits taken back (the
//! upper lanes are zeros and do not reach the lower ones). The forms whose lanes cross the
//! 64-bit boundary (high unpacks, packs, horizontal adds, PSHUFB, PALIGNR, PSHUFW, word
//! inserts and extracts, moves, conversions) are computed here.

use super::super::super::bus::Bus;
use super::super::super::fault::Fault;
use super::super::super::fp::ext::Ext;
use super::super::super::fp::{convert as cv, F32, F64};
use super::super::super::state::RDI;
use super::super::super::x87::sw;
use super::super::super::Cpu;
use super::{commit, env, lane, pairwise, set_lane, src, sx, xreg};
use iced_x86::{Instruction, Mnemonic as M, OpKind, Register};

/// The MMX register number of a register, if it is one.
fn mm(r: Register) -> Option<usize> {
    if (Register::MM0..=Register::MM7).contains(&r) {
        Some(r as usize - Register::MM0 as usize)
    } else {
        None
    }
}

/// Operand `i` as an MMX register number.
fn mm_op(ins: &Instruction, i: u32) -> Option<usize> {
    if i < ins.op_count() && ins.op_kind(i) == OpKind::Register {
        mm(ins.op_register(i))
    } else {
        None
    }
}

fn get(cpu: &Cpu, n: usize) -> u64 {
    cpu.s.x87.regs[n & 7].sig
}

fn put(cpu: &mut Cpu, n: usize, v: u64) {
    cpu.s.x87.regs[n & 7] = Ext { se: 0xffff, sig: v };
}

/// Operand `i`: an MMX register, or what [`src`] reads (memory, XMM, general register).
fn val<B: Bus + ?Sized>(
    cpu: &mut Cpu,
    bus: &mut B,
    ins: &Instruction,
    i: u32,
) -> Result<u64, Fault> {
    match mm_op(ins, i) {
        Some(n) => Ok(get(cpu, n)),
        None => Ok(src(cpu, bus, ins, i)? as u64),
    }
}

/// Runs an MMX-register instruction or EMMS; `None` when `ins` names no MMX register.
pub fn exec<B: Bus + ?Sized>(
    cpu: &mut Cpu,
    bus: &mut B,
    ins: &Instruction,
) -> Option<Result<(), Fault>> {
    let m = ins.mnemonic();
    // MMX registers appear as operand 0, 1 or (MASKMOVQ) 2.
    let uses_mm = mm_op(ins, 0).is_some() || mm_op(ins, 1).is_some() || mm_op(ins, 2).is_some();
    if m != M::Emms && !uses_mm {
        return None;
    }
    if cpu.s.x87.fsw & sw::ES != 0 {
        return Some(Err(Fault::FpuError));
    }
    if m == M::Emms {
        cpu.s.x87.valid = 0;
        return Some(Ok(()));
    }
    let r = run(cpu, bus, ins, m);
    if r.is_ok() {
        cpu.s.x87.top = 0;
        cpu.s.x87.valid = 0xff;
    }
    Some(r)
}

fn run<B: Bus + ?Sized>(cpu: &mut Cpu, bus: &mut B, ins: &Instruction, m: M) -> Result<(), Fault> {
    let dst = mm_op(ins, 0);
    let imm = || ins.immediate(ins.op_count() - 1) as u32 & 0xff;
    let binary = |cpu: &mut Cpu, bus: &mut B, f: &dyn Fn(u64, u64) -> u64| -> Result<(), Fault> {
        let d = dst.ok_or_else(|| super::super::unsupported(ins))?;
        let b = val(cpu, bus, ins, 1)?;
        let v = f(get(cpu, d), b);
        put(cpu, d, v);
        Ok(())
    };
    match m {
        M::Movd | M::Movq | M::Movntq => {
            let mask = if m == M::Movd { 0xffff_ffff } else { u64::MAX };
            let v = val(cpu, bus, ins, 1)? & mask;
            match dst {
                Some(d) => put(cpu, d, v),
                None => cpu.write_op(bus, ins, 0, if m == M::Movd { 4 } else { 8 }, v)?,
            }
            Ok(())
        }
        M::Movq2dq => {
            let d = xreg(ins, 0)?;
            cpu.s.xmm[d] = u128::from(val(cpu, bus, ins, 1)?);
            Ok(())
        }
        M::Movdq2q => binary(cpu, bus, &|_, b| b),
        M::Maskmovq => {
            let v = val(cpu, bus, ins, 1)?;
            let mask = val(cpu, bus, ins, 2)?;
            let base = if ins.op0_kind() == OpKind::MemorySegEDI {
                cpu.s.gpr[RDI] & 0xffff_ffff
            } else {
                cpu.s.gpr[RDI]
            };
            for i in 0..8 {
                if (mask >> (8 * i + 7)) & 1 != 0 {
                    bus.write(base.wrapping_add(i), 1, (v >> (8 * i)) & 0xff, cpu.user())?;
                }
            }
            Ok(())
        }
        M::Pshufw => {
            let s = val(cpu, bus, ins, 1)?;
            let i = imm();
            let d = dst.ok_or_else(|| super::super::unsupported(ins))?;
            let v = (0..4).fold(0u64, |acc, k| {
                acc | (((s >> (16 * ((i >> (2 * k)) & 3))) & 0xffff) << (16 * k))
            });
            put(cpu, d, v);
            Ok(())
        }
        M::Pextrw => {
            let s = val(cpu, bus, ins, 1)?;
            cpu.set_reg(ins.op0_register(), (s >> (16 * (imm() & 3))) & 0xffff);
            Ok(())
        }
        M::Pinsrw => {
            let w = val(cpu, bus, ins, 1)? & 0xffff;
            let k = imm() & 3;
            binary(cpu, bus, &|a, _| {
                (a & !(0xffff << (16 * k))) | (w << (16 * k))
            })
        }
        M::Pmovmskb => {
            let s = val(cpu, bus, ins, 1)?;
            let r = (0..8).fold(0u64, |acc, i| acc | (((s >> (8 * i + 7)) & 1) << i));
            cpu.set_reg(ins.op0_register(), r);
            Ok(())
        }
        M::Punpckhbw | M::Punpckhwd | M::Punpckhdq => {
            let bits = match m {
                M::Punpckhbw => 8,
                M::Punpckhwd => 16,
                _ => 32,
            };
            binary(cpu, bus, &|a, b| {
                let n = 32 / bits;
                let mut r = 0u128;
                for i in 0..n {
                    r = set_lane(r, bits, 2 * i, lane(u128::from(a), bits, n + i));
                    r = set_lane(r, bits, 2 * i + 1, lane(u128::from(b), bits, n + i));
                }
                r as u64
            })
        }
        M::Packsswb | M::Packssdw | M::Packuswb => {
            let (bits, lo, hi): (u32, i64, i64) = match m {
                M::Packsswb => (16, -128, 127),
                M::Packssdw => (32, -32768, 32767),
                _ => (16, 0, 255),
            };
            binary(cpu, bus, &|a, b| {
                let n = 64 / bits;
                let half = bits / 2;
                let mut r = 0u128;
                for i in 0..n {
                    let x = sx(lane(u128::from(a), bits, i), bits).clamp(lo, hi) as u64;
                    let y = sx(lane(u128::from(b), bits, i), bits).clamp(lo, hi) as u64;
                    r = set_lane(r, half, i, x);
                    r = set_lane(r, half, i + n, y);
                }
                r as u64
            })
        }
        M::Phaddw | M::Phaddd | M::Phaddsw | M::Phsubw | M::Phsubd | M::Phsubsw => {
            let bits = if matches!(m, M::Phaddd | M::Phsubd) {
                32
            } else {
                16
            };
            let f = move |x: u64, y: u64| -> u64 {
                let (x, y) = (sx(x, bits), sx(y, bits));
                match m {
                    M::Phaddw | M::Phaddd => x.wrapping_add(y) as u64,
                    M::Phsubw | M::Phsubd => x.wrapping_sub(y) as u64,
                    M::Phaddsw => (x + y).clamp(-32768, 32767) as u64,
                    _ => (x - y).clamp(-32768, 32767) as u64,
                }
            };
            binary(cpu, bus, &|a, b| {
                pairwise(u128::from(a), u128::from(b), 64, bits, &f) as u64
            })
        }
        M::Pshufb => binary(cpu, bus, &|a, b| {
            (0..8).fold(0u64, |acc, k| {
                let c = (b >> (8 * k)) & 0xff;
                if c & 0x80 != 0 {
                    acc
                } else {
                    acc | (((a >> (8 * (c & 7))) & 0xff) << (8 * k))
                }
            })
        }),
        M::Palignr => {
            let n = imm();
            binary(cpu, bus, &|a, b| {
                let v = (u128::from(a) << 64) | u128::from(b);
                if n >= 16 {
                    0
                } else {
                    (v >> (8 * n)) as u64
                }
            })
        }
        M::Cvtpi2ps | M::Cvtpi2pd => {
            let d = xreg(ins, 0)?;
            let s = val(cpu, bus, ins, 1)?;
            let mut e = env(cpu);
            let (x, y) = (sx(s & 0xffff_ffff, 32), sx(s >> 32, 32));
            let r = if m == M::Cvtpi2ps {
                let lo = cv::from_int(F32, x, &mut e) | (cv::from_int(F32, y, &mut e) << 32);
                (cpu.s.xmm[d] & !u128::from(u64::MAX)) | u128::from(lo)
            } else {
                u128::from(cv::from_int(F64, x, &mut e))
                    | (u128::from(cv::from_int(F64, y, &mut e)) << 64)
            };
            commit(cpu, e.flags)?;
            cpu.s.xmm[d] = r;
            Ok(())
        }
        M::Cvtps2pi | M::Cvttps2pi | M::Cvtpd2pi | M::Cvttpd2pi => {
            let d = dst.ok_or_else(|| super::super::unsupported(ins))?;
            let s = src(cpu, bus, ins, 1)?;
            let t = matches!(m, M::Cvttps2pi | M::Cvttpd2pi);
            let mut e = env(cpu);
            let (x, y) = if matches!(m, M::Cvtps2pi | M::Cvttps2pi) {
                (
                    cv::to_int(F32, lane(s, 32, 0), 32, t, &mut e),
                    cv::to_int(F32, lane(s, 32, 1), 32, t, &mut e),
                )
            } else {
                (
                    cv::to_int(F64, lane(s, 64, 0), 32, t, &mut e),
                    cv::to_int(F64, lane(s, 64, 1), 32, t, &mut e),
                )
            };
            commit(cpu, e.flags)?;
            put(cpu, d, x | (y << 32));
            Ok(())
        }
        _ => lanewise_via_xmm(cpu, bus, ins),
    }
}

/// Runs a lane-wise instruction through the XMM code: MMn becomes XMMn holding the MMX value
/// zero-extended; the XMM registers are restored afterwards.
fn lanewise_via_xmm<B: Bus + ?Sized>(
    cpu: &mut Cpu,
    bus: &mut B,
    ins: &Instruction,
) -> Result<(), Fault> {
    let mut x = *ins;
    let mut saved: Vec<(usize, u128)> = Vec::with_capacity(2);
    for i in 0..ins.op_count().min(2) {
        if let Some(n) = mm_op(ins, i) {
            if !saved.iter().any(|&(k, _)| k == n) {
                saved.push((n, cpu.s.xmm[n]));
            }
            cpu.s.xmm[n] = u128::from(get(cpu, n));
            let reg = Register::try_from(Register::XMM0 as usize + n).unwrap_or(Register::XMM0);
            if i == 0 {
                x.set_op0_register(reg);
            } else {
                x.set_op1_register(reg);
            }
        }
    }
    let r = match super::int::exec(cpu, bus, &x) {
        Some(r) => r,
        None => match super::shuffle::exec(cpu, bus, &x) {
            Some(r) => r,
            None => Err(super::super::unsupported(ins)),
        },
    };
    let d = mm_op(ins, 0);
    let result = d.map(|n| cpu.s.xmm[n] as u64);
    for (n, v) in saved {
        cpu.s.xmm[n] = v;
    }
    r?;
    if let (Some(n), Some(v)) = (d, result) {
        put(cpu, n, v);
    }
    Ok(())
}
