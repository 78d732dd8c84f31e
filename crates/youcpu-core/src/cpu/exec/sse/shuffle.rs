//! Rearranging lanes (Intel SDM vol. 2): PSHUFD/PSHUFLW/PSHUFHW, SHUFPS/SHUFPD, the unpacks
//! (PUNPCK*, UNPCKLPS/HPS/LPD/HPD), the saturating packs, PSHUFB and PALIGNR (SSSE3), inserts
//! and extracts (PINSRW/PEXTRW and the SSE4.1 B/D/Q forms, EXTRACTPS, INSERTPS), and the
//! SSE4.1 blends (BLENDPS/PD, PBLENDW, and the variable ones on XMM0).

use super::super::super::bus::Bus;
use super::super::super::fault::Fault;
use super::super::super::Cpu;
use super::{binary, lane, set_lane, src, store, sx, xreg};
use iced_x86::{Instruction, Mnemonic as M, OpKind};

/// Runs a shuffle/pack/insert/extract/blend; `None` when `ins` is not one.
pub fn exec<B: Bus + ?Sized>(
    cpu: &mut Cpu,
    bus: &mut B,
    ins: &Instruction,
) -> Option<Result<(), Fault>> {
    let m = ins.mnemonic();
    let imm = || ins.immediate(ins.op_count() - 1) as u32 & 0xff;
    Some(match m {
        M::Punpcklbw => binary(cpu, bus, ins, |a, b| interleave(a, b, 8, false)),
        M::Punpcklwd => binary(cpu, bus, ins, |a, b| interleave(a, b, 16, false)),
        M::Punpckldq | M::Unpcklps => binary(cpu, bus, ins, |a, b| interleave(a, b, 32, false)),
        M::Punpcklqdq | M::Unpcklpd => binary(cpu, bus, ins, |a, b| interleave(a, b, 64, false)),
        M::Punpckhbw => binary(cpu, bus, ins, |a, b| interleave(a, b, 8, true)),
        M::Punpckhwd => binary(cpu, bus, ins, |a, b| interleave(a, b, 16, true)),
        M::Punpckhdq | M::Unpckhps => binary(cpu, bus, ins, |a, b| interleave(a, b, 32, true)),
        M::Punpckhqdq | M::Unpckhpd => binary(cpu, bus, ins, |a, b| interleave(a, b, 64, true)),
        M::Packsswb => binary(cpu, bus, ins, |a, b| {
            pack(a, b, 16, |x| sx(x, 16).clamp(-128, 127) as u64)
        }),
        M::Packssdw => binary(cpu, bus, ins, |a, b| {
            pack(a, b, 32, |x| sx(x, 32).clamp(-32768, 32767) as u64)
        }),
        M::Packuswb => binary(cpu, bus, ins, |a, b| {
            pack(a, b, 16, |x| sx(x, 16).clamp(0, 255) as u64)
        }),
        M::Packusdw => binary(cpu, bus, ins, |a, b| {
            pack(a, b, 32, |x| sx(x, 32).clamp(0, 65535) as u64)
        }),
        M::Pshufd => unary_imm(cpu, bus, ins, |s, i| {
            let mut r = 0;
            for k in 0..4 {
                r = set_lane(r, 32, k, lane(s, 32, (i >> (2 * k)) & 3));
            }
            r
        }),
        M::Pshuflw | M::Pshufhw => unary_imm(cpu, bus, ins, |s, i| {
            let base = if m == M::Pshuflw { 0 } else { 4 };
            let mut r = s;
            for k in 0..4 {
                r = set_lane(r, 16, base + k, lane(s, 16, base + ((i >> (2 * k)) & 3)));
            }
            r
        }),
        M::Shufps => binary(cpu, bus, ins, |a, b| {
            let i = imm();
            let mut r = 0;
            r = set_lane(r, 32, 0, lane(a, 32, i & 3));
            r = set_lane(r, 32, 1, lane(a, 32, (i >> 2) & 3));
            r = set_lane(r, 32, 2, lane(b, 32, (i >> 4) & 3));
            set_lane(r, 32, 3, lane(b, 32, (i >> 6) & 3))
        }),
        M::Shufpd => binary(cpu, bus, ins, |a, b| {
            let i = imm();
            let r = set_lane(0, 64, 0, lane(a, 64, i & 1));
            set_lane(r, 64, 1, lane(b, 64, (i >> 1) & 1))
        }),
        M::Pshufb => binary(cpu, bus, ins, |a, b| {
            let mut r = 0;
            for k in 0..16 {
                let c = lane(b, 8, k);
                if c & 0x80 == 0 {
                    r = set_lane(r, 8, k, lane(a, 8, (c & 15) as u32));
                }
            }
            r
        }),
        M::Palignr => binary(cpu, bus, ins, |a, b| {
            // (a:b) >> (imm * 8), the low 128 bits; 32 bytes or more give zero.
            let n = imm();
            if n >= 32 {
                0
            } else if n >= 16 {
                if n == 16 {
                    a
                } else {
                    a >> ((n - 16) * 8)
                }
            } else if n == 0 {
                b
            } else {
                (b >> (n * 8)) | (a << ((16 - n) * 8))
            }
        }),
        M::Blendps | M::Blendpd | M::Pblendw => binary(cpu, bus, ins, |a, b| {
            let bits = match m {
                M::Blendps => 32,
                M::Blendpd => 64,
                _ => 16,
            };
            let i = imm();
            let mut r = a;
            for k in 0..128 / bits {
                if (i >> k) & 1 != 0 {
                    r = set_lane(r, bits, k, lane(b, bits, k));
                }
            }
            r
        }),
        M::Blendvps | M::Blendvpd | M::Pblendvb => {
            let mask = cpu.s.xmm[0];
            binary(cpu, bus, ins, |a, b| {
                let bits = match m {
                    M::Blendvps => 32,
                    M::Blendvpd => 64,
                    _ => 8,
                };
                let mut r = a;
                for k in 0..128 / bits {
                    if lane(mask, bits, k) >> (bits - 1) != 0 {
                        r = set_lane(r, bits, k, lane(b, bits, k));
                    }
                }
                r
            })
        }
        M::Pextrb | M::Pextrw | M::Pextrd | M::Pextrq | M::Extractps => (|| {
            let s = cpu.s.xmm[xreg(ins, 1)?];
            let bits = match m {
                M::Pextrb => 8,
                M::Pextrw => 16,
                M::Pextrq => 64,
                _ => 32,
            };
            let v = lane(s, bits, imm() & (128 / bits - 1));
            if ins.op0_kind() == OpKind::Register {
                // To a 32- or 64-bit general register, zero-extended.
                let r = ins.op0_register();
                if !r.is_gpr() {
                    return Err(super::super::unsupported(ins));
                }
                cpu.set_reg(r, v);
                Ok(())
            } else {
                store(cpu, bus, ins, 0, u128::from(v))
            }
        })(),
        M::Pinsrb | M::Pinsrw | M::Pinsrd | M::Pinsrq => (|| {
            let d = xreg(ins, 0)?;
            let bits = match m {
                M::Pinsrb => 8,
                M::Pinsrw => 16,
                M::Pinsrd => 32,
                _ => 64,
            };
            let v = src(cpu, bus, ins, 1)? as u64;
            cpu.s.xmm[d] = set_lane(cpu.s.xmm[d], bits, imm() & (128 / bits - 1), v);
            Ok(())
        })(),
        M::Insertps => (|| {
            let d = xreg(ins, 0)?;
            let i = imm();
            let v = if ins.op1_kind() == OpKind::Register {
                lane(cpu.s.xmm[xreg(ins, 1)?], 32, (i >> 6) & 3)
            } else {
                src(cpu, bus, ins, 1)? as u64
            };
            let mut r = set_lane(cpu.s.xmm[d], 32, (i >> 4) & 3, v);
            for k in 0..4 {
                if (i >> k) & 1 != 0 {
                    r = set_lane(r, 32, k, 0);
                }
            }
            cpu.s.xmm[d] = r;
            Ok(())
        })(),
        _ => return None,
    })
}

/// Interleaves the low (or high) halves of `a` and `b`, lanes of `bits`.
#[inline]
fn interleave(a: u128, b: u128, bits: u32, high: bool) -> u128 {
    let n = 64 / bits;
    let off = if high { n } else { 0 };
    let mut r = 0;
    for i in 0..n {
        r = set_lane(r, bits, 2 * i, lane(a, bits, off + i));
        r = set_lane(r, bits, 2 * i + 1, lane(b, bits, off + i));
    }
    r
}

/// Narrows the lanes of `a` then `b` (each `bits` wide) with saturation `f`.
#[inline]
fn pack(a: u128, b: u128, bits: u32, f: impl Fn(u64) -> u64) -> u128 {
    let n = 128 / bits;
    let half = bits / 2;
    let mut r = 0;
    for i in 0..n {
        r = set_lane(r, half, i, f(lane(a, bits, i)));
        r = set_lane(r, half, i + n, f(lane(b, bits, i)));
    }
    r
}

/// dest = f(source, imm8).
#[inline]
fn unary_imm<B: Bus + ?Sized>(
    cpu: &mut Cpu,
    bus: &mut B,
    ins: &Instruction,
    f: impl Fn(u128, u32) -> u128,
) -> Result<(), Fault> {
    let d = xreg(ins, 0)?;
    let s = src(cpu, bus, ins, 1)?;
    cpu.s.xmm[d] = f(s, ins.immediate(2) as u32 & 0xff);
    Ok(())
}
