//! SSE, SSE2, SSE3, SSSE3, SSE4.1 and SSE4.2 (Intel SDM vol. 1 ch. 10-12, vol. 2), one family a file:
//! [`mmx`] (the MMX registers), [`moves`] (loads, stores, MXCSR), [`int`] (integer SIMD arithmetic, compares, shifts),
//! [`shuffle`] (shuffles, unpacks, packs, inserts and extracts, blends), [`arith`] (float
//! arithmetic), [`convert`], [`compare`] and [`string`] (SSE4.2 string compares, CRC32). Floating point goes through the exact kernel in
//! [`crate::cpu::fp`], honouring MXCSR.
//!
//! Common rules, applied here: only XMM registers (MMX forms raise #UD: the model has no MMX
//! state); a LOCK prefix is #UD; a 16-byte memory operand of a legacy SSE instruction must be
//! 16-byte aligned (#GP(0)) except for the unaligned forms (Intel SDM vol. 1 §11.6.8); an
//! unmasked floating-point exception leaves the destination unchanged, sets the MXCSR flags
//! and raises #XM (vol. 1 §11.5.1; Linux sets CR4.OSXMMEXCPT).

mod arith;
mod compare;
mod convert;
mod int;
mod mmx;
mod moves;
mod shuffle;
mod string;

use super::super::bus::{read128, write128, Bus};
use super::super::fault::Fault;
use super::super::fp::{flag, mxcsr, Env};
use super::super::Cpu;
use iced_x86::{Instruction, Mnemonic as M, OpKind, Register};

/// The SSE/MMX families, tried in turn (the commonest first); `None` when `ins` is none of
/// theirs.
pub fn sse<B: Bus + ?Sized>(
    cpu: &mut Cpu,
    bus: &mut B,
    ins: &Instruction,
) -> Option<Result<(), Fault>> {
    if ins.has_lock_prefix() {
        return Some(Err(Fault::ud(format!(
            "`{ins}`: LOCK prefix on an SSE instruction"
        ))));
    }
    if let Some(r) = mmx::exec(cpu, bus, ins) {
        return Some(r);
    }
    moves::exec(cpu, bus, ins)
        .or_else(|| arith::exec(cpu, bus, ins))
        .or_else(|| convert::exec(cpu, bus, ins))
        .or_else(|| compare::exec(cpu, bus, ins))
        .or_else(|| int::exec(cpu, bus, ins))
        .or_else(|| shuffle::exec(cpu, bus, ins))
        .or_else(|| string::exec(cpu, bus, ins))
}

/// The XMM register number of operand `i`, or #UD (an MMX or other register form).
#[inline]
fn xreg(ins: &Instruction, i: u32) -> Result<usize, Fault> {
    let r = ins.op_register(i);
    if ins.op_kind(i) == OpKind::Register && r.is_xmm() {
        Ok((r as usize - Register::XMM0 as usize) & 15)
    } else {
        Err(super::unsupported(ins))
    }
}

/// True for the forms whose 16-byte memory operand may be misaligned.
#[inline]
fn unaligned_ok(m: M) -> bool {
    matches!(
        m,
        M::Movups
            | M::Movupd
            | M::Movdqu
            | M::Lddqu
            | M::Pcmpestri
            | M::Pcmpestrm
            | M::Pcmpistri
            | M::Pcmpistrm
    )
}

/// The explicitly aligned moves: misaligned operands fault even in AMD's misaligned SSE mode
/// (AMD APM vol. 1 §4.5.2; checked on an EPYC, as FXSAVE/FXRSTOR, which check their own).
#[inline]
fn always_aligned(m: M) -> bool {
    matches!(
        m,
        M::Movaps | M::Movapd | M::Movdqa | M::Movntps | M::Movntpd | M::Movntdq | M::Movntdqa
    )
}

/// Effective address of a memory operand, checked for 16-byte alignment when `size` is 16
/// (not when MXCSR.MM, which only the AMD profile accepts, allows it).
#[inline]
fn mem_addr(cpu: &Cpu, ins: &Instruction, size: usize) -> Result<u64, Fault> {
    let a = cpu.ea(ins);
    let m = ins.mnemonic();
    if size == 16
        && a & 15 != 0
        && !unaligned_ok(m)
        && (cpu.s.mxcsr & crate::cpu::fp::mxcsr::MM == 0 || always_aligned(m))
    {
        return Err(Fault::gp(format!(
            "`{ins}`: misaligned 16-byte operand at {a:#x}"
        )));
    }
    Ok(a)
}

/// Source operand `i`: an XMM register, or memory of the instruction's memory size (16, 8, 4,
/// 2 or 1 bytes, zero-extended), or a general register (zero-extended).
#[inline]
fn src<B: Bus + ?Sized>(
    cpu: &mut Cpu,
    bus: &mut B,
    ins: &Instruction,
    i: u32,
) -> Result<u128, Fault> {
    match ins.op_kind(i) {
        OpKind::Register => {
            let r = ins.op_register(i);
            if r.is_xmm() {
                Ok(cpu.s.xmm[(r as usize - Register::XMM0 as usize) & 15])
            } else if r.is_gpr() {
                Ok(u128::from(cpu.reg(r)))
            } else {
                Err(super::unsupported(ins))
            }
        }
        OpKind::Memory => {
            let size = ins.memory_size().size();
            let a = mem_addr(cpu, ins, size)?;
            match size {
                16 => read128(bus, a, cpu.user()),
                1 | 2 | 4 | 8 => Ok(u128::from(bus.read(a, size as u32, cpu.user())?)),
                _ => Err(super::unsupported(ins)),
            }
        }
        _ => Err(super::unsupported(ins)),
    }
}

/// Writes operand `i`: an XMM register (all 128 bits), memory of the instruction's memory
/// size, or a general register (32-bit writes zero-extend).
#[inline]
fn store<B: Bus + ?Sized>(
    cpu: &mut Cpu,
    bus: &mut B,
    ins: &Instruction,
    i: u32,
    v: u128,
) -> Result<(), Fault> {
    match ins.op_kind(i) {
        OpKind::Register => {
            let r = ins.op_register(i);
            if r.is_xmm() {
                cpu.s.xmm[(r as usize - Register::XMM0 as usize) & 15] = v;
            } else if r.is_gpr() {
                cpu.set_reg(r, v as u64);
            } else {
                return Err(super::unsupported(ins));
            }
            Ok(())
        }
        OpKind::Memory => {
            let size = ins.memory_size().size();
            let a = mem_addr(cpu, ins, size)?;
            match size {
                16 => write128(bus, a, v, cpu.user()),
                1 | 2 | 4 | 8 => bus.write(a, size as u32, v as u64, cpu.user()),
                _ => Err(super::unsupported(ins)),
            }
        }
        _ => Err(super::unsupported(ins)),
    }
}

/// The floating-point environment MXCSR sets up.
#[inline]
fn env(cpu: &Cpu) -> Env {
    Env::from_mxcsr(cpu.s.mxcsr)
}

/// Records the raised flags in MXCSR; an unmasked one is #XM (the caller has not written the
/// destination yet and must not). An unmasked pre-computation exception (invalid, denormal
/// operand, divide by zero) stops the instruction before it computes, so only the
/// pre-computation flags are recorded (Intel SDM vol. 1 §11.5.2; checked on the CPU: an
/// unmasked denormal operand of an inexact ADDSD leaves PE clear). With an unmasked overflow
/// or underflow, PE tells whether the result rounded with an unbounded exponent is inexact
/// (the rounding sets it so: [`Env::xm`]).
#[inline]
fn commit(cpu: &mut Cpu, flags: u32) -> Result<(), Fault> {
    commit_after(cpu, 0, flags)
}

/// [`commit`] for the last stage of a multi-stage instruction (DPPS, DPPD): `earlier` are
/// the flags of the stages before, none of them unmasked; the pre-computation rule applies
/// to `flags` alone.
#[inline]
fn commit_after(cpu: &mut Cpu, earlier: u32, flags: u32) -> Result<(), Fault> {
    let masks = (cpu.s.mxcsr >> mxcsr::MASK_SHIFT) & flag::ALL;
    let pre = flag::IE | flag::DE | flag::ZE;
    let flags = earlier
        | if flags & !masks & pre != 0 {
            flags & pre
        } else {
            flags
        };
    cpu.s.mxcsr |= flags & flag::ALL;
    let unmasked = flags & !masks & flag::ALL;
    if unmasked != 0 {
        return Err(Fault::SimdFloatingPoint { flags: unmasked });
    }
    Ok(())
}

/// Lane `i` of width `bits` (8, 16, 32, 64).
#[inline(always)]
fn lane(v: u128, bits: u32, i: u32) -> u64 {
    let m = if bits == 64 {
        u64::MAX
    } else {
        (1u64 << bits) - 1
    };
    (v >> (i * bits)) as u64 & m
}

/// `v` with lane `i` replaced by `x`.
#[inline(always)]
fn set_lane(v: u128, bits: u32, i: u32, x: u64) -> u128 {
    let m: u128 = if bits == 64 {
        u128::from(u64::MAX)
    } else {
        (1u128 << bits) - 1
    };
    (v & !(m << (i * bits))) | ((u128::from(x) & m) << (i * bits))
}

/// Applies `f` lane by lane to `a` and `b`.
#[inline(always)]
fn lanewise(a: u128, b: u128, bits: u32, f: impl Fn(u64, u64) -> u64) -> u128 {
    let mut r = 0u128;
    for i in 0..128 / bits {
        r = set_lane(r, bits, i, f(lane(a, bits, i), lane(b, bits, i)));
    }
    r
}

/// dest = f(dest, source) on an XMM destination.
#[inline]
fn binary<B: Bus + ?Sized>(
    cpu: &mut Cpu,
    bus: &mut B,
    ins: &Instruction,
    f: impl Fn(u128, u128) -> u128,
) -> Result<(), Fault> {
    let d = xreg(ins, 0)?;
    let b = src(cpu, bus, ins, 1)?;
    cpu.s.xmm[d] = f(cpu.s.xmm[d], b);
    Ok(())
}

/// The horizontal forms (Intel SDM vol. 2, PHADDW/PHADDD/PHADDSW, PHSUBW/PHSUBD/PHSUBSW): the
/// low half of the `width`-bit result is `f` over `a`'s adjacent `bits`-bit lane pairs, the high
/// half over `b`'s.
#[inline(always)]
fn pairwise(a: u128, b: u128, width: u32, bits: u32, f: &impl Fn(u64, u64) -> u64) -> u128 {
    let n = width / bits;
    let mut r = 0u128;
    for i in 0..n / 2 {
        r = set_lane(
            r,
            bits,
            i,
            f(lane(a, bits, 2 * i), lane(a, bits, 2 * i + 1)),
        );
        r = set_lane(
            r,
            bits,
            i + n / 2,
            f(lane(b, bits, 2 * i), lane(b, bits, 2 * i + 1)),
        );
    }
    r
}

/// Sign-extends the low `bits` of `x`.
#[inline(always)]
fn sx(x: u64, bits: u32) -> i64 {
    let s = 64 - bits;
    ((x << s) as i64) >> s
}
