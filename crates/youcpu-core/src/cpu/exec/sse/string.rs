//! SSE4.2 (Intel SDM vol. 2 PCMPESTRI/PCMPESTRM/PCMPISTRI/PCMPISTRM, §4.1 "imm8 control byte
//! operation for PCMPESTRI..."; CRC32): packed string compares with explicit (EAX/EDX) or
//! implicit (zero-terminated) lengths, and CRC-32C.

use super::super::super::bus::Bus;
use super::super::super::fault::Fault;
use super::super::super::state::{rflags, RAX, RCX, RDX};
use super::super::super::Cpu;
use super::{lane, set_lane, src, sx, xreg};
use iced_x86::{Instruction, Mnemonic as M, OpKind};

/// Runs an SSE4.2 string or CRC instruction; `None` when `ins` is not one.
pub fn exec<B: Bus + ?Sized>(
    cpu: &mut Cpu,
    bus: &mut B,
    ins: &Instruction,
) -> Option<Result<(), Fault>> {
    let m = ins.mnemonic();
    Some(match m {
        M::Pcmpestri
        | M::Pcmpestri64
        | M::Pcmpestrm
        | M::Pcmpestrm64
        | M::Pcmpistri
        | M::Pcmpistrm => pcmpxstrx(cpu, bus, ins, m),
        M::Crc32 => crc32(cpu, bus, ins),
        _ => return None,
    })
}

/// The length of an explicit-length operand: |register| saturated to `n`.
fn explicit_len(v: u64, wide: bool, n: u32) -> u32 {
    let a = if wide {
        (v as i64).unsigned_abs()
    } else {
        u64::from((v as u32 as i32).unsigned_abs())
    };
    a.min(u64::from(n)) as u32
}

/// The length of an implicit-length operand: the index of the first zero element.
fn implicit_len(v: u128, bits: u32, n: u32) -> u32 {
    (0..n).find(|&i| lane(v, bits, i) == 0).unwrap_or(n)
}

fn pcmpxstrx<B: Bus + ?Sized>(
    cpu: &mut Cpu,
    bus: &mut B,
    ins: &Instruction,
    m: M,
) -> Result<(), Fault> {
    let a = cpu.s.xmm[xreg(ins, 0)?];
    let b = src(cpu, bus, ins, 1)?;
    let imm = ins.immediate(2) as u32 & 0xff;
    let words = imm & 1 != 0;
    let signed = imm & 2 != 0;
    let (bits, n) = if words { (16, 8) } else { (8, 16) };
    let explicit = matches!(
        m,
        M::Pcmpestri | M::Pcmpestri64 | M::Pcmpestrm | M::Pcmpestrm64
    );
    let wide = matches!(m, M::Pcmpestri64 | M::Pcmpestrm64);
    let (la, lb) = if explicit {
        (
            explicit_len(cpu.s.gpr[RAX], wide, n),
            explicit_len(cpu.s.gpr[RDX], wide, n),
        )
    } else {
        (implicit_len(a, bits, n), implicit_len(b, bits, n))
    };
    let el = |v: u128, i: u32| -> i64 {
        let x = lane(v, bits, i);
        if signed {
            sx(x, bits)
        } else {
            x as i64
        }
    };
    let agg = (imm >> 2) & 3;
    // BoolRes(j, i): element j of the first operand against element i of the second, with
    // the overrides for elements past the lengths.
    let bool_res = |j: u32, i: u32| -> bool {
        let (va, vb) = (j < la, i < lb);
        match agg {
            0 | 1 => {
                if !va || !vb {
                    return false;
                }
                if agg == 0 {
                    el(a, j) == el(b, i)
                } else if j & 1 == 0 {
                    el(b, i) >= el(a, j)
                } else {
                    el(b, i) <= el(a, j)
                }
            }
            2 => match (va, vb) {
                (false, false) => true,
                (true, true) => el(a, j) == el(b, i),
                _ => false,
            },
            _ => {
                if !va {
                    true
                } else if !vb {
                    false
                } else {
                    el(a, j) == el(b, i)
                }
            }
        }
    };
    let mut res1: u32 = 0;
    for i in 0..n {
        let r = match agg {
            0 => (0..n).any(|j| bool_res(j, i)),
            1 => (0..n / 2).any(|k| bool_res(2 * k, i) && bool_res(2 * k + 1, i)),
            2 => bool_res(i, i),
            _ => (0..n - i).all(|k| bool_res(k, i + k)),
        };
        if r {
            res1 |= 1 << i;
        }
    }
    let all = (1u32 << n) - 1;
    let res2 = match (imm >> 4) & 3 {
        1 => !res1 & all,
        3 => res1 ^ ((1u32 << lb) - 1),
        _ => res1,
    };
    if matches!(m, M::Pcmpestri | M::Pcmpestri64 | M::Pcmpistri) {
        let idx = if res2 == 0 {
            n
        } else if imm & 0x40 != 0 {
            31 - res2.leading_zeros()
        } else {
            res2.trailing_zeros()
        };
        cpu.s.gpr[RCX] = u64::from(idx);
    } else {
        cpu.s.xmm[0] = if imm & 0x40 != 0 {
            let mut v = 0u128;
            for i in 0..n {
                if res2 >> i & 1 != 0 {
                    v = set_lane(v, bits, i, u64::MAX);
                }
            }
            v
        } else {
            u128::from(res2)
        };
    }
    let mut f = cpu.s.rflags & !rflags::STATUS;
    if res2 != 0 {
        f |= rflags::CF;
    }
    if lb < n {
        f |= rflags::ZF;
    }
    if la < n {
        f |= rflags::SF;
    }
    if res2 & 1 != 0 {
        f |= rflags::OF;
    }
    cpu.s.rflags = f;
    Ok(())
}

/// CRC32: CRC-32C (polynomial 0x11EDC6F41, bit-reflected) of the source's bytes, least
/// significant first, accumulated into the low 32 bits of the destination (zero-extended).
fn crc32<B: Bus + ?Sized>(cpu: &mut Cpu, bus: &mut B, ins: &Instruction) -> Result<(), Fault> {
    let dst = ins.op0_register();
    if ins.op0_kind() != OpKind::Register || !dst.is_gpr() {
        return Err(super::super::unsupported(ins));
    }
    let size = if ins.op1_kind() == OpKind::Memory {
        ins.memory_size().size() as u32
    } else {
        ins.op1_register().size() as u32
    };
    if !matches!(size, 1 | 2 | 4 | 8) {
        return Err(super::super::unsupported(ins));
    }
    let v = cpu.read_op(bus, ins, 1, size)?;
    let mut crc = cpu.reg(dst) as u32;
    for k in 0..size {
        crc ^= (v >> (8 * k)) as u32 & 0xff;
        for _ in 0..8 {
            crc = (crc >> 1) ^ (0x82f6_3b78 & (crc & 1).wrapping_neg());
        }
    }
    // Zero-extended into a 64-bit destination (a 32-bit write zero-extends anyway).
    cpu.set_reg(dst, u64::from(crc));
    Ok(())
}
