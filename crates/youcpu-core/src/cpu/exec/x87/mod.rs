//! The x87 FPU instructions (Intel SDM vol. 1 ch. 8, vol. 2 F*): loads and stores of 32-, 64-
//! and 80-bit floats and 16-, 32- and 64-bit integers, constants, the control instructions
//! (FLDCW, FNSTCW, FNSTSW, FNINIT, FNCLEX, FFREE, FINCSTP, FDECSTP, FNSTENV/FLDENV,
//! FNSAVE/FRSTOR, FXSAVE/FXRSTOR) here; arithmetic and compares in [`arith`], the
//! transcendentals in [`transc`].
//!
//! Arithmetic is exact through [`crate::cpu::fp::ext`], rounded to the precision control's
//! 24/53/64 bits and the rounding control. Stack overflow and underflow raise IE with SF (C1 =
//! 1 for overflow, 0 for underflow) and, masked, produce the QNaN indefinite. An unmasked
//! exception sets ES and B; the next waiting x87 instruction then raises #MF.

mod arith;
mod image;
mod transc;

use super::super::bus::Bus;
use super::super::fault::Fault;
use super::super::fp::ext::{self, Ext};
use super::super::fp::{flag, Env, Rc, F32, F64};
use super::super::x87::sw;
use super::super::Cpu;
use iced_x86::{Instruction, MemorySize, Mnemonic as M, OpKind, Register};

/// Runs an x87 instruction; `None` when `ins` is not one. A non-control instruction that
/// completes leaves its address, opcode and operand offset in the pointer registers
/// ([`image::record_pointers`]).
pub fn exec<B: Bus + ?Sized>(
    cpu: &mut Cpu,
    bus: &mut B,
    ins: &Instruction,
) -> Option<Result<(), Fault>> {
    let es_before = cpu.s.x87.fsw & sw::ES != 0;
    let r = run(cpu, bus, ins)?;
    if r.is_ok() && !image::is_control(ins.mnemonic()) {
        image::record_pointers(cpu, bus, ins, es_before);
    }
    Some(r)
}

/// [`exec`] without the pointer registers.
fn run<B: Bus + ?Sized>(
    cpu: &mut Cpu,
    bus: &mut B,
    ins: &Instruction,
) -> Option<Result<(), Fault>> {
    let m = ins.mnemonic();
    let non_waiting = matches!(
        m,
        M::Fninit
            | M::Fnclex
            | M::Fnstsw
            | M::Fnstcw
            | M::Fnstenv
            | M::Fnsave
            | M::Fxsave
            | M::Fxsave64
            | M::Fxrstor
            | M::Fxrstor64
            | M::Fnop
    );
    if cpu.s.x87.fsw & sw::ES != 0 && !non_waiting && is_x87(m) {
        return Some(Err(Fault::FpuError));
    }
    if let Some(r) = arith::exec(cpu, bus, ins) {
        return Some(r);
    }
    if let Some(r) = transc::exec(cpu, m) {
        return Some(r);
    }
    Some(match m {
        M::Fld => load(cpu, bus, ins),
        M::Fild => (|| {
            let v = cpu.read_op(bus, ins, 0, ins.memory_size().size() as u32)?;
            let size = ins.memory_size().size() as u32;
            let x = from_int(sign_extend(v, size * 8));
            push(cpu, x, 0);
            Ok(())
        })(),
        M::Fld1 | M::Fldz | M::Fldpi | M::Fldl2e | M::Fldl2t | M::Fldlg2 | M::Fldln2 => {
            let x = constant(m, rc(cpu));
            push(cpu, x, 0);
            Ok(())
        }
        M::Fst | M::Fstp => store(cpu, bus, ins, m == M::Fstp),
        M::Fbld => (|| {
            // 18 packed BCD digits and a sign byte (Intel SDM vol. 1 §4.7): exact. Digits
            // above 9 are "undefined" on the CPU; here they count with their binary value.
            let a = cpu.ea(ins);
            let u = cpu.user();
            bus.probe(a, 10, super::super::bus::Access::Read, u)?;
            let lo = bus.read(a, 8, u)?;
            let hi = bus.read(a + 8, 2, u)?;
            let mut v: i64 = 0;
            for k in (0..9).rev() {
                let byte = if k == 8 {
                    hi & 0xff
                } else {
                    (lo >> (8 * k)) & 0xff
                };
                v = v.wrapping_mul(100) + ((byte >> 4) * 10 + (byte & 15)) as i64;
            }
            let mut x = from_int(v);
            if hi & 0x8000 != 0 {
                x = x.negated();
            }
            push(cpu, x, 0);
            Ok(())
        })(),
        M::Fbstp => (|| {
            let a = cpu.ea(ins);
            let u = cpu.user();
            let mut e = env(cpu);
            let mut c = Cond::default();
            let empty = cpu.s.x87.empty(0);
            let x = cpu.s.x87.st(0);
            // |value| rounded by RC must be below 10^18; otherwise IE and the BCD indefinite.
            let r = if empty {
                c.sf = true;
                e.flags |= flag::IE;
                None
            } else {
                let (v, up) = arith::to_int(x, 64, e.rc, &mut e);
                c.c1 = up;
                let neg = x.sign();
                let mag = if neg { (v as i64).unsigned_abs() } else { v };
                if e.flags & flag::IE != 0 || mag >= 1_000_000_000_000_000_000 {
                    e.flags = (e.flags | flag::IE) & !flag::PE;
                    c.c1 = false;
                    None
                } else {
                    Some((mag, neg))
                }
            };
            if cpu.s.x87.unmasked(e.flags as u16) & flag::IE as u16 != 0 {
                finish(cpu, e.flags, c);
                return Ok(());
            }
            let (lo, hi) = match r {
                Some((mut mag, neg)) => {
                    let mut lo = 0u64;
                    let mut top = 0u64;
                    for k in 0..9 {
                        let d = mag % 100;
                        mag /= 100;
                        let byte = ((d / 10) << 4) | (d % 10);
                        if k == 8 {
                            top = byte;
                        } else {
                            lo |= byte << (8 * k);
                        }
                    }
                    (lo, top | if neg { 0x8000 } else { 0 })
                }
                None => (0xc000_0000_0000_0000, 0xffff),
            };
            bus.probe(a, 10, super::super::bus::Access::Write, u)?;
            bus.write(a, 8, lo, u)?;
            bus.write(a + 8, 2, hi, u)?;
            if !empty || cpu.s.x87.unmasked(flag::IE as u16) == 0 {
                cpu.s.x87.pop();
            }
            finish(cpu, e.flags, c);
            Ok(())
        })(),
        M::Fist | M::Fistp | M::Fisttp => store_int(cpu, bus, ins, m),
        M::Fxch => (|| {
            let i = st_index(ins, 1).unwrap_or(1);
            let mut c = Cond::default();
            let mut flags = 0;
            for k in [0, i] {
                if cpu.s.x87.empty(k) {
                    flags |= flag::IE;
                    c.sf = true;
                    if cpu.s.x87.unmasked(flag::IE as u16) == 0 {
                        cpu.s.x87.set_st(k, Ext::indefinite());
                    }
                }
            }
            if flags != 0 && cpu.s.x87.unmasked(flag::IE as u16) != 0 {
                finish(cpu, flags, c);
                return Ok(());
            }
            let (a, b) = (cpu.s.x87.st(0), cpu.s.x87.st(i));
            cpu.s.x87.set_st(0, b);
            cpu.s.x87.set_st(i, a);
            finish(cpu, flags, c);
            Ok(())
        })(),
        M::Ffree => {
            cpu.s.x87.free(st_index(ins, 0).unwrap_or(0));
            Ok(())
        }
        M::Fincstp | M::Fdecstp => {
            let t = cpu.s.x87.top;
            cpu.s.x87.top = if m == M::Fincstp {
                t + 1
            } else {
                t.wrapping_sub(1)
            } & 7;
            cpu.s.x87.fsw &= !sw::C1;
            Ok(())
        }
        M::Fnop | M::Wait => Ok(()),
        M::Fninit => {
            cpu.s.x87.fcw = 0x037f;
            cpu.s.x87.fsw = 0;
            cpu.s.x87.top = 0;
            cpu.s.x87.valid = 0;
            // FNINIT clears the last opcode and both pointers with their selectors (Intel SDM vol. 2
            // FINIT/FNINIT).
            cpu.s.x87.fop = 0;
            cpu.s.x87.fip = 0;
            cpu.s.x87.fdp = 0;
            cpu.s.x87.fcs = 0;
            cpu.s.x87.fds = 0;
            Ok(())
        }
        M::Fnclex => {
            cpu.s.x87.fsw &= !(0x3f | sw::SF | sw::ES | sw::B);
            Ok(())
        }
        M::Fldcw => (|| {
            let v = cpu.read_op(bus, ins, 0, 2)? as u16;
            cpu.s.x87.fcw = v;
            update_summary(cpu);
            Ok(())
        })(),
        M::Fnstcw => {
            let v = u64::from(cpu.s.x87.fcw);
            cpu.write_op(bus, ins, 0, 2, v)
        }
        M::Fnstsw => {
            let v = u64::from(cpu.s.x87.status());
            if ins.op0_kind() == OpKind::Register {
                cpu.set_reg(Register::AX, v);
                Ok(())
            } else {
                cpu.write_op(bus, ins, 0, 2, v)
            }
        }
        M::Fnstenv | M::Fnsave => image::fnstenv(cpu, bus, ins),
        M::Fldenv | M::Frstor => image::fldenv(cpu, bus, ins),
        M::Fxsave | M::Fxsave64 => image::fxsave(cpu, bus, ins),
        M::Fxrstor | M::Fxrstor64 => image::fxrstor(cpu, bus, ins),
        _ => return None,
    })
}

/// True for the x87 mnemonics this module runs (FXSAVE/FXRSTOR excluded: they do not wait).
fn is_x87(m: M) -> bool {
    arith::is_arith(m)
        || transc::is_transc(m)
        || matches!(
            m,
            M::Fld
                | M::Fild
                | M::Fld1
                | M::Fldz
                | M::Fldpi
                | M::Fldl2e
                | M::Fldl2t
                | M::Fldlg2
                | M::Fldln2
                | M::Fst
                | M::Fstp
                | M::Fbld
                | M::Fbstp
                | M::Fist
                | M::Fistp
                | M::Fisttp
                | M::Fxch
                | M::Ffree
                | M::Fincstp
                | M::Fdecstp
                | M::Wait
                | M::Fldcw
                | M::Fldenv
                | M::Frstor
        )
}

/// Condition-code effects of one instruction beyond the flags.
#[derive(Clone, Copy, Default)]
pub(super) struct Cond {
    /// C1: rounded up, or stack overflow when `sf`.
    pub c1: bool,
    /// A stack fault happened.
    pub sf: bool,
}

impl Cond {
    /// A stack underflow (Intel SDM vol. 1 §8.5.1.1: SF set, C1 cleared).
    const UNDERFLOW: Cond = Cond {
        c1: false,
        sf: true,
    };
}

/// The arithmetic environment from the control word.
pub(super) fn env(cpu: &Cpu) -> Env {
    Env {
        rc: rc(cpu),
        daz: false,
        ftz: false,
        um: cpu.s.x87.fcw & 0x10 != 0,
        flags: 0,
        xm: 0,
    }
}

/// The rounding control.
pub(super) fn rc(cpu: &Cpu) -> Rc {
    Rc::from_bits(u32::from(cpu.s.x87.fcw >> 10))
}

/// The precision control in bits.
pub(super) fn pc(cpu: &Cpu) -> u32 {
    match (cpu.s.x87.fcw >> 8) & 3 {
        0 => 24,
        2 => 53,
        _ => 64,
    }
}

/// Records exception flags and C1 in the status word; an unmasked one sets ES and B. An
/// unmasked pre-computation exception (invalid operation, denormal operand, divide by zero)
/// stops the instruction before it computes: the post-computation flags it would have raised
/// (overflow, underflow, precision) and C1 are not set (Intel SDM vol. 1 §8.5; checked on the
/// CPU: an unmasked denormal operand of an inexact FADD leaves PE clear).
pub(super) fn finish(cpu: &mut Cpu, flags: u32, c: Cond) {
    let x = &mut cpu.s.x87;
    let pre = (flag::IE | flag::DE | flag::ZE) as u16;
    let (flags, c1) = if x.unmasked(flags as u16) & pre != 0 && !c.sf {
        (flags & u32::from(pre), false)
    } else {
        (flags, c.c1)
    };
    x.fsw = (x.fsw & !sw::C1) | (flags as u16 & 0x3f);
    if c1 {
        x.fsw |= sw::C1;
    }
    if c.sf {
        x.fsw |= sw::SF;
    }
    update_summary(cpu);
}

/// ES and B follow the unmasked exception flags.
fn update_summary(cpu: &mut Cpu) {
    let x = &mut cpu.s.x87;
    if x.unmasked(x.fsw) != 0 {
        x.fsw |= sw::ES | sw::B;
    } else {
        x.fsw &= !(sw::ES | sw::B);
    }
}

/// The ST(i) number of operand `k`, if it is an x87 register.
pub(super) fn st_index(ins: &Instruction, k: u32) -> Option<usize> {
    if k >= ins.op_count() || ins.op_kind(k) != OpKind::Register {
        return None;
    }
    let r = ins.op_register(k);
    if (Register::ST0..=Register::ST7).contains(&r) {
        Some(r as usize - Register::ST0 as usize)
    } else {
        None
    }
}

/// Pushes `x`; on a full stack (ST(7) in use) raises a stack overflow: masked, the QNaN
/// indefinite is pushed instead. `flags` are the load's own flags.
pub(super) fn push(cpu: &mut Cpu, x: Ext, flags: u32) {
    if !cpu.s.x87.empty(7) {
        let c = Cond { c1: true, sf: true };
        if cpu.s.x87.unmasked(flag::IE as u16) == 0 {
            cpu.s.x87.push(Ext::indefinite());
        }
        finish(cpu, flag::IE, c);
        return;
    }
    // An unmasked invalid operation (a signalling NaN) loads nothing; an unmasked denormal
    // operand still loads (checked on the CPU: FLD m64 of a denormal with DM clear pushes it).
    if cpu.s.x87.unmasked(flags as u16) & flag::IE as u16 != 0 {
        finish(cpu, flags, Cond::default());
        return;
    }
    cpu.s.x87.push(x);
    finish(cpu, flags, Cond::default());
}

/// A stack underflow on reading an empty register: IE and SF, C1 = 0; masked, `dest` gets
/// the QNaN indefinite (then popped if `pop`).
pub(super) fn underflow(cpu: &mut Cpu, dest: Option<usize>, pop: bool) {
    let masked = cpu.s.x87.unmasked(flag::IE as u16) == 0;
    if masked {
        if let Some(d) = dest {
            cpu.s.x87.set_st(d, Ext::indefinite());
        }
        if pop {
            cpu.s.x87.pop();
        }
    }
    finish(cpu, flag::IE, Cond::UNDERFLOW);
}

fn sign_extend(v: u64, bits: u32) -> i64 {
    let s = 64 - bits;
    ((v << s) as i64) >> s
}

/// An integer, exactly.
pub(super) fn from_int(v: i64) -> Ext {
    if v == 0 {
        return Ext::zero(false);
    }
    let m = v.unsigned_abs();
    let lz = m.leading_zeros();
    Ext {
        se: (if v < 0 { 0x8000 } else { 0 }) | (ext::BIAS + 63 - lz as i32) as u16,
        sig: m << lz,
    }
}

/// Reads a memory operand as an extended value: float32/64/80 or int16/32/64 (exact; a
/// signalling NaN float raises IE and is quieted, a denormal raises DE).
pub(super) fn load_mem<B: Bus + ?Sized>(
    cpu: &mut Cpu,
    bus: &mut B,
    ins: &Instruction,
    env: &mut Env,
) -> Result<Ext, Fault> {
    let a = cpu.ea(ins);
    let u = cpu.user();
    Ok(match ins.memory_size() {
        MemorySize::Float32 => ext::from_ieee(F32, bus.read(a, 4, u)?, env),
        MemorySize::Float64 => ext::from_ieee(F64, bus.read(a, 8, u)?, env),
        MemorySize::Float80 => {
            bus.probe(a, 10, super::super::bus::Access::Read, u)?;
            Ext {
                sig: bus.read(a, 8, u)?,
                se: bus.read(a + 8, 2, u)? as u16,
            }
        }
        MemorySize::Int16 => from_int(sign_extend(bus.read(a, 2, u)?, 16)),
        MemorySize::Int32 => from_int(sign_extend(bus.read(a, 4, u)?, 32)),
        MemorySize::Int64 => from_int(bus.read(a, 8, u)? as i64),
        _ => return Err(super::unsupported(ins)),
    })
}

/// FLD: memory (32/64/80) or ST(i).
fn load<B: Bus + ?Sized>(cpu: &mut Cpu, bus: &mut B, ins: &Instruction) -> Result<(), Fault> {
    if let Some(i) = st_index(ins, 0) {
        if cpu.s.x87.empty(i) {
            // Underflow on the source: masked, the indefinite is pushed.
            if cpu.s.x87.unmasked(flag::IE as u16) == 0 {
                cpu.s.x87.push(Ext::indefinite());
            }
            finish(cpu, flag::IE, Cond::UNDERFLOW);
            return Ok(());
        }
        let x = cpu.s.x87.st(i);
        push(cpu, x, 0);
        return Ok(());
    }
    let mut e = env(cpu);
    let mut x = load_mem(cpu, bus, ins, &mut e)?;
    if x.is_snan() && ins.memory_size() != MemorySize::Float80 {
        e.flags |= flag::IE;
        x = x.quieted();
    }
    push(cpu, x, e.flags);
    Ok(())
}

/// FST/FSTP: to memory (32/64/80, rounded by RC for 32/64) or to ST(i).
fn store<B: Bus + ?Sized>(
    cpu: &mut Cpu,
    bus: &mut B,
    ins: &Instruction,
    pop: bool,
) -> Result<(), Fault> {
    let masked_ie = cpu.s.x87.unmasked(flag::IE as u16) == 0;
    if let Some(i) = st_index(ins, 0) {
        if cpu.s.x87.empty(0) {
            underflow(cpu, Some(i), pop);
            return Ok(());
        }
        let x = cpu.s.x87.st(0);
        cpu.s.x87.set_st(i, x);
        if pop {
            cpu.s.x87.pop();
        }
        finish(cpu, 0, Cond::default());
        return Ok(());
    }
    let a = cpu.ea(ins);
    let u = cpu.user();
    let size = ins.memory_size();
    let empty = cpu.s.x87.empty(0);
    let x = if empty {
        Ext::indefinite()
    } else {
        cpu.s.x87.st(0)
    };
    let mut e = env(cpu);
    let mut c = Cond::default();
    if empty {
        e.flags |= flag::IE;
        c.sf = true;
        if !masked_ie {
            finish(cpu, e.flags, c);
            return Ok(());
        }
    }
    match size {
        MemorySize::Float32 | MemorySize::Float64 => {
            let f = if size == MemorySize::Float32 {
                F32
            } else {
                F64
            };
            let ahead = e.flags;
            let (bits, up) = ext::to_ieee(f, x, &mut e);
            c.c1 = up && !empty;
            let unmasked = cpu.s.x87.unmasked(e.flags as u16);
            if unmasked & (flag::IE | flag::DE | flag::OE | flag::UE) as u16 == 0 {
                bus.write(a, if f == F32 { 4 } else { 8 }, bits, u)?;
            } else {
                // Unmasked: nothing is stored and nothing popped. An overflow or underflow
                // reports itself alone: no PE, C1 clear (checked on the CPU: FSTPL of the
                // largest extended number with OM clear leaves the stack and memory as they
                // were, with OE the only flag).
                let post = unmasked & (flag::OE | flag::UE) as u16;
                if post != 0 {
                    e.flags = ahead | u32::from(post);
                    c.c1 = false;
                }
                finish(cpu, e.flags, c);
                return Ok(());
            }
        }
        MemorySize::Float80 => {
            bus.probe(a, 10, super::super::bus::Access::Write, u)?;
            bus.write(a, 8, x.sig, u)?;
            bus.write(a + 8, 2, u64::from(x.se), u)?;
        }
        _ => return Err(super::unsupported(ins)),
    }
    if pop {
        cpu.s.x87.pop();
    }
    finish(cpu, e.flags, c);
    Ok(())
}

/// FIST/FISTP/FISTTP: to a 16-, 32- or 64-bit integer; NaN, infinity or out of range is IE
/// and (masked) the integer indefinite.
fn store_int<B: Bus + ?Sized>(
    cpu: &mut Cpu,
    bus: &mut B,
    ins: &Instruction,
    m: M,
) -> Result<(), Fault> {
    let bytes = ins.memory_size().size() as u32;
    if !matches!(bytes, 2 | 4 | 8) {
        return Err(super::unsupported(ins));
    }
    let pop = m != M::Fist;
    let bits = bytes * 8;
    let indefinite = 1u64 << (bits - 1);
    let mut e = env(cpu);
    let mut c = Cond::default();
    let empty = cpu.s.x87.empty(0);
    let v = if empty {
        e.flags |= flag::IE;
        c.sf = true;
        indefinite
    } else {
        let x = cpu.s.x87.st(0);
        let truncate = m == M::Fisttp;
        let (v, up) = arith::to_int(x, bits, if truncate { Rc::Zero } else { e.rc }, &mut e);
        c.c1 = up;
        v
    };
    if cpu.s.x87.unmasked(e.flags as u16) & flag::IE as u16 == 0 {
        cpu.write_op(bus, ins, 0, bytes, v)?;
        if pop {
            cpu.s.x87.pop();
        }
    }
    finish(cpu, e.flags, c);
    Ok(())
}

/// The constants of FLD1, FLDZ, FLDPI..., rounded to 64 bits by RC from 128-bit values.
fn constant(m: M, rc: Rc) -> Ext {
    let (sig, exp): (u128, i32) = match m {
        M::Fld1 => (1 << 127, 0),
        M::Fldz => return Ext::zero(false),
        M::Fldpi => (0xc90f_daa2_2168_c234_c4c6_628b_80dc_1cd1, 1),
        M::Fldl2e => (0xb8aa_3b29_5c17_f0bb_be87_fed0_691d_3e89, 0),
        M::Fldl2t => (0xd49a_784b_cd1b_8afe_492b_f6ff_4daf_db4d, 1),
        M::Fldlg2 => (0x9a20_9a84_fbcf_f798_8f89_59ac_0b7c_9178, -2),
        _ => (0xb172_17f7_d1cf_79ab_c9e3_b398_03f2_f6af, -1),
    };
    let mut e = Env::plain(rc);
    ext::round_pack(false, exp, sig, 64, &mut e).0
}
