//! Integer SIMD on XMM registers (Intel SDM vol. 2): bitwise logic (also the PS/PD forms),
//! wrapping and saturating add/subtract, multiplies, averages, sums of absolute differences,
//! min/max, compares into masks, shifts by an immediate or a register, byte shifts, and the
//! SSSE3/SSE4.1 additions (PABS*, PSIGN*, PHADD*/PHSUB*, PMADDUBSW, PMULHRSW, PMULLD, PMULDQ,
//! PCMPEQQ, PCMPGTQ, PTEST, PHMINPOSUW, PMOVSX*/PMOVZX*).

use super::super::super::bus::Bus;
use super::super::super::fault::Fault;
use super::super::super::state::rflags;
use super::super::super::Cpu;
use super::{binary, lane, lanewise, pairwise, set_lane, src, sx, xreg};
use iced_x86::{Instruction, Mnemonic as M, OpKind};

/// Signed saturation of `v` to `bits`.
#[inline]
fn sat_s(v: i64, bits: u32) -> u64 {
    let hi = (1i64 << (bits - 1)) - 1;
    let lo = -(1i64 << (bits - 1));
    v.clamp(lo, hi) as u64
}

/// Unsigned saturation of `v` to `bits`.
#[inline]
fn sat_u(v: i64, bits: u32) -> u64 {
    v.clamp(0, (1i64 << bits) - 1) as u64
}

/// A lane operation: (lane a, lane b, lane width) -> result lane.
type LaneFn = fn(u64, u64, u32) -> u64;

/// Runs an integer SIMD instruction; `None` when `ins` is not one.
pub fn exec<B: Bus + ?Sized>(
    cpu: &mut Cpu,
    bus: &mut B,
    ins: &Instruction,
) -> Option<Result<(), Fault>> {
    let m = ins.mnemonic();
    let lanes_op: Option<(u32, LaneFn)> = match m {
        M::Paddb => Some((8, |a, b, _| a.wrapping_add(b))),
        M::Paddw => Some((16, |a, b, _| a.wrapping_add(b))),
        M::Paddd => Some((32, |a, b, _| a.wrapping_add(b))),
        M::Paddq => Some((64, |a, b, _| a.wrapping_add(b))),
        M::Psubb => Some((8, |a, b, _| a.wrapping_sub(b))),
        M::Psubw => Some((16, |a, b, _| a.wrapping_sub(b))),
        M::Psubd => Some((32, |a, b, _| a.wrapping_sub(b))),
        M::Psubq => Some((64, |a, b, _| a.wrapping_sub(b))),
        M::Paddsb => Some((8, |a, b, w| sat_s(sx(a, w) + sx(b, w), w))),
        M::Paddsw => Some((16, |a, b, w| sat_s(sx(a, w) + sx(b, w), w))),
        M::Psubsb => Some((8, |a, b, w| sat_s(sx(a, w) - sx(b, w), w))),
        M::Psubsw => Some((16, |a, b, w| sat_s(sx(a, w) - sx(b, w), w))),
        M::Paddusb => Some((8, |a, b, w| sat_u(a as i64 + b as i64, w))),
        M::Paddusw => Some((16, |a, b, w| sat_u(a as i64 + b as i64, w))),
        M::Psubusb => Some((8, |a, b, w| sat_u(a as i64 - b as i64, w))),
        M::Psubusw => Some((16, |a, b, w| sat_u(a as i64 - b as i64, w))),
        M::Pmullw => Some((16, |a, b, _| a.wrapping_mul(b))),
        M::Pmulld => Some((32, |a, b, _| a.wrapping_mul(b))),
        M::Pmulhw => Some((16, |a, b, w| ((sx(a, w) * sx(b, w)) >> 16) as u64)),
        M::Pmulhuw => Some((16, |a, b, _| (a * b) >> 16)),
        M::Pmulhrsw => Some((16, |a, b, w| {
            ((((sx(a, w) * sx(b, w)) >> 14) + 1) >> 1) as u64
        })),
        M::Pmuludq => Some((64, |a, b, _| (a & 0xffff_ffff) * (b & 0xffff_ffff))),
        M::Pmuldq => Some((64, |a, b, _| (sx(a, 32) * sx(b, 32)) as u64)),
        M::Pavgb => Some((8, |a, b, _| (a + b + 1) >> 1)),
        M::Pavgw => Some((16, |a, b, _| (a + b + 1) >> 1)),
        M::Pminub => Some((8, |a, b, _| a.min(b))),
        M::Pmaxub => Some((8, |a, b, _| a.max(b))),
        M::Pminuw => Some((16, |a, b, _| a.min(b))),
        M::Pmaxuw => Some((16, |a, b, _| a.max(b))),
        M::Pminud => Some((32, |a, b, _| a.min(b))),
        M::Pmaxud => Some((32, |a, b, _| a.max(b))),
        M::Pminsb => Some((8, |a, b, w| if sx(a, w) < sx(b, w) { a } else { b })),
        M::Pmaxsb => Some((8, |a, b, w| if sx(a, w) > sx(b, w) { a } else { b })),
        M::Pminsw => Some((16, |a, b, w| if sx(a, w) < sx(b, w) { a } else { b })),
        M::Pmaxsw => Some((16, |a, b, w| if sx(a, w) > sx(b, w) { a } else { b })),
        M::Pminsd => Some((32, |a, b, w| if sx(a, w) < sx(b, w) { a } else { b })),
        M::Pmaxsd => Some((32, |a, b, w| if sx(a, w) > sx(b, w) { a } else { b })),
        M::Pcmpeqb => Some((8, |a, b, _| if a == b { u64::MAX } else { 0 })),
        M::Pcmpeqw => Some((16, |a, b, _| if a == b { u64::MAX } else { 0 })),
        M::Pcmpeqd => Some((32, |a, b, _| if a == b { u64::MAX } else { 0 })),
        M::Pcmpeqq => Some((64, |a, b, _| if a == b { u64::MAX } else { 0 })),
        M::Pcmpgtb => Some((8, |a, b, w| if sx(a, w) > sx(b, w) { u64::MAX } else { 0 })),
        M::Pcmpgtw => Some((16, |a, b, w| if sx(a, w) > sx(b, w) { u64::MAX } else { 0 })),
        M::Pcmpgtd => Some((32, |a, b, w| if sx(a, w) > sx(b, w) { u64::MAX } else { 0 })),
        M::Pcmpgtq => Some((
            64,
            |a, b, _| if (a as i64) > (b as i64) { u64::MAX } else { 0 },
        )),
        M::Psignb => Some((8, |a, b, w| sign_op(a, b, w))),
        M::Psignw => Some((16, |a, b, w| sign_op(a, b, w))),
        M::Psignd => Some((32, |a, b, w| sign_op(a, b, w))),
        M::Pabsb => Some((8, |_, b, w| sx(b, w).unsigned_abs())),
        M::Pabsw => Some((16, |_, b, w| sx(b, w).unsigned_abs())),
        M::Pabsd => Some((32, |_, b, w| sx(b, w).unsigned_abs())),
        _ => None,
    };
    if let Some((bits, f)) = lanes_op {
        return Some(binary(cpu, bus, ins, |a, b| {
            lanewise(a, b, bits, |x, y| f(x, y, bits))
        }));
    }
    Some(match m {
        M::Pand | M::Andps | M::Andpd => binary(cpu, bus, ins, |a, b| a & b),
        M::Pandn | M::Andnps | M::Andnpd => binary(cpu, bus, ins, |a, b| !a & b),
        M::Por | M::Orps | M::Orpd => binary(cpu, bus, ins, |a, b| a | b),
        M::Pxor | M::Xorps | M::Xorpd => binary(cpu, bus, ins, |a, b| a ^ b),
        M::Pmaddwd => binary(cpu, bus, ins, |a, b| {
            lanewise(a, b, 32, |x, y| {
                let p = |s: u32| sx(x >> s, 16) * sx(y >> s, 16);
                (p(0) + p(16)) as u64
            })
        }),
        M::Pmaddubsw => binary(cpu, bus, ins, |a, b| {
            lanewise(a, b, 16, |x, y| {
                let p = |s: u32| ((x >> s) & 0xff) as i64 * sx(y >> s, 8);
                sat_s(p(0) + p(8), 16)
            })
        }),
        M::Psadbw => binary(cpu, bus, ins, |a, b| {
            lanewise(a, b, 64, |x, y| {
                (0..8)
                    .map(|i| ((x >> (8 * i)) & 0xff).abs_diff((y >> (8 * i)) & 0xff))
                    .sum()
            })
        }),
        M::Phaddw | M::Phaddd | M::Phaddsw | M::Phsubw | M::Phsubd | M::Phsubsw => {
            let bits = if matches!(m, M::Phaddd | M::Phsubd) {
                32
            } else {
                16
            };
            let f = move |x: u64, y: u64| -> u64 {
                match m {
                    M::Phaddw | M::Phaddd => x.wrapping_add(y),
                    M::Phsubw | M::Phsubd => x.wrapping_sub(y),
                    M::Phaddsw => sat_s(sx(x, 16) + sx(y, 16), 16),
                    _ => sat_s(sx(x, 16) - sx(y, 16), 16),
                }
            };
            binary(cpu, bus, ins, |a, b| pairwise(a, b, 128, bits, &f))
        }
        M::Psllw | M::Pslld | M::Psllq | M::Psrlw | M::Psrld | M::Psrlq | M::Psraw | M::Psrad => {
            shift(cpu, bus, ins, m)
        }
        M::Pslldq | M::Psrldq => (|| {
            let d = xreg(ins, 0)?;
            let n = ins.immediate(1).min(16) as u32;
            let a = cpu.s.xmm[d];
            cpu.s.xmm[d] = if n >= 16 {
                0
            } else if m == M::Pslldq {
                a << (n * 8)
            } else {
                a >> (n * 8)
            };
            Ok(())
        })(),
        M::Mpsadbw => binary(cpu, bus, ins, |a, b| {
            // Eight sums of absolute differences of 4-byte groups: the first operand from byte
            // imm8[2] * 4 on, sliding; the second fixed at the 4-byte block imm8[1:0].
            let imm = ins.immediate(2) as u32;
            let (o1, o2) = (((imm >> 2) & 1) * 4, (imm & 3) * 4);
            let mut r = 0u128;
            for i in 0..8 {
                let sum: u64 = (0..4)
                    .map(|k| lane(a, 8, o1 + i + k).abs_diff(lane(b, 8, o2 + k)))
                    .sum();
                r = set_lane(r, 16, i, sum);
            }
            r
        }),
        M::Ptest => (|| {
            let a = cpu.s.xmm[xreg(ins, 0)?];
            let b = src(cpu, bus, ins, 1)?;
            let mut f = cpu.s.rflags & !rflags::STATUS;
            if a & b == 0 {
                f |= rflags::ZF;
            }
            if !a & b == 0 {
                f |= rflags::CF;
            }
            cpu.s.rflags = f;
            Ok(())
        })(),
        M::Phminposuw => (|| {
            let d = xreg(ins, 0)?;
            let s = src(cpu, bus, ins, 1)?;
            let (mut best, mut at) = (lane(s, 16, 0), 0u64);
            for i in 1..8 {
                let v = lane(s, 16, i);
                if v < best {
                    best = v;
                    at = u64::from(i);
                }
            }
            cpu.s.xmm[d] = u128::from(best | (at << 16));
            Ok(())
        })(),
        M::Pmovsxbw
        | M::Pmovsxbd
        | M::Pmovsxbq
        | M::Pmovsxwd
        | M::Pmovsxwq
        | M::Pmovsxdq
        | M::Pmovzxbw
        | M::Pmovzxbd
        | M::Pmovzxbq
        | M::Pmovzxwd
        | M::Pmovzxwq
        | M::Pmovzxdq => (|| {
            let d = xreg(ins, 0)?;
            let s = src(cpu, bus, ins, 1)?;
            let (from, to) = match m {
                M::Pmovsxbw | M::Pmovzxbw => (8, 16),
                M::Pmovsxbd | M::Pmovzxbd => (8, 32),
                M::Pmovsxbq | M::Pmovzxbq => (8, 64),
                M::Pmovsxwd | M::Pmovzxwd => (16, 32),
                M::Pmovsxwq | M::Pmovzxwq => (16, 64),
                _ => (32, 64),
            };
            let signed = matches!(
                m,
                M::Pmovsxbw | M::Pmovsxbd | M::Pmovsxbq | M::Pmovsxwd | M::Pmovsxwq | M::Pmovsxdq
            );
            let mut r = 0u128;
            for i in 0..128 / to {
                let x = lane(s, from, i);
                let v = if signed { sx(x, from) as u64 } else { x };
                r = set_lane(r, to, i, v);
            }
            cpu.s.xmm[d] = r;
            Ok(())
        })(),
        _ => return None,
    })
}

/// PSIGN: b negative -> -a, zero -> 0, positive -> a.
#[inline]
fn sign_op(a: u64, b: u64, w: u32) -> u64 {
    match sx(b, w) {
        0 => 0,
        x if x < 0 => a.wrapping_neg(),
        _ => a,
    }
}

/// PSLL/PSRL/PSRA by an immediate or by the low 64 bits of an XMM register or memory: counts
/// past the lane width give 0 (logical) or fill with the sign (arithmetic).
fn shift<B: Bus + ?Sized>(
    cpu: &mut Cpu,
    bus: &mut B,
    ins: &Instruction,
    m: M,
) -> Result<(), Fault> {
    let d = xreg(ins, 0)?;
    let n = if ins.op1_kind() == OpKind::Immediate8 {
        ins.immediate(1) & 0xff
    } else {
        src(cpu, bus, ins, 1)? as u64
    };
    let bits = match m {
        M::Psllw | M::Psrlw | M::Psraw => 16,
        M::Pslld | M::Psrld | M::Psrad => 32,
        _ => 64,
    };
    let a = cpu.s.xmm[d];
    let b64 = u64::from(bits);
    cpu.s.xmm[d] = lanewise(a, 0, bits, |x, _| match m {
        M::Psllw | M::Pslld | M::Psllq => {
            if n >= b64 {
                0
            } else {
                x << n
            }
        }
        M::Psrlw | M::Psrld | M::Psrlq => {
            if n >= b64 {
                0
            } else {
                x >> n
            }
        }
        _ => (sx(x, bits) >> n.min(b64 - 1)) as u64,
    });
    Ok(())
}
