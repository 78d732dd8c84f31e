//! x87 arithmetic and compares (Intel SDM vol. 2): FADD/FSUB/FSUBR/FMUL/FDIV/FDIVR with their
//! popping and integer forms, FCOM/FUCOM/FICOM (into C3, C2, C0) and FCOMI/FUCOMI (into ZF,
//! PF, CF), FTST, FXAM, FCHS, FABS, FSQRT, FRNDINT, FSCALE, FXTRACT, FPREM, FPREM1, FCMOVcc.

use super::super::super::bus::Bus;
use super::super::super::fault::Fault;
use super::super::super::fp::ext::{self, Ext};
use super::super::super::fp::ops::{self, cmp_num, round_keep, Cmp, Exact};
use super::super::super::fp::{self as ext_num, convert, flag, Env, Kind, Rc};
use super::super::super::state::rflags;
use super::super::super::vendor::Vendor;
use super::super::super::x87::sw;
use super::super::super::Cpu;
use super::{env, finish, load_mem, pc, st_index, underflow, Cond};
use iced_x86::{Instruction, Mnemonic as M, OpKind};

/// The two-operand operations.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Bin {
    Add,
    Sub,
    Subr,
    Mul,
    Div,
    Divr,
}

/// The compares [`compare`] runs (Intel SDM vol. 2, FCOM/FCOMP/FCOMPP, FUCOM*, FICOM*, FCOMI*,
/// FUCOMI*, FTST), as a match pattern for [`is_arith`] and [`exec`].
macro_rules! compares {
    () => {
        M::Fcom
            | M::Fcomp
            | M::Fcompp
            | M::Fucom
            | M::Fucomp
            | M::Fucompp
            | M::Ficom
            | M::Ficomp
            | M::Fcomi
            | M::Fcomip
            | M::Fucomi
            | M::Fucomip
            | M::Ftst
    };
}

/// True for the mnemonics [`exec`] runs.
pub(super) fn is_arith(m: M) -> bool {
    bin_op(m).is_some()
        || matches!(
            m,
            compares!()
                | M::Fxam
                | M::Fchs
                | M::Fabs
                | M::Fsqrt
                | M::Frndint
                | M::Fscale
                | M::Fxtract
                | M::Fprem
                | M::Fprem1
        )
        || cmov_cond(m).is_some()
}

fn bin_op(m: M) -> Option<(Bin, bool)> {
    Some(match m {
        M::Fadd | M::Fiadd => (Bin::Add, false),
        M::Faddp => (Bin::Add, true),
        M::Fsub | M::Fisub => (Bin::Sub, false),
        M::Fsubp => (Bin::Sub, true),
        M::Fsubr | M::Fisubr => (Bin::Subr, false),
        M::Fsubrp => (Bin::Subr, true),
        M::Fmul | M::Fimul => (Bin::Mul, false),
        M::Fmulp => (Bin::Mul, true),
        M::Fdiv | M::Fidiv => (Bin::Div, false),
        M::Fdivp => (Bin::Div, true),
        M::Fdivr | M::Fidivr => (Bin::Divr, false),
        M::Fdivrp => (Bin::Divr, true),
        _ => return None,
    })
}

fn cmov_cond(m: M) -> Option<fn(u64) -> bool> {
    Some(match m {
        M::Fcmovb => |r| r & rflags::CF != 0,
        M::Fcmove => |r| r & rflags::ZF != 0,
        M::Fcmovbe => |r| r & (rflags::CF | rflags::ZF) != 0,
        M::Fcmovu => |r| r & rflags::PF != 0,
        M::Fcmovnb => |r| r & rflags::CF == 0,
        M::Fcmovne => |r| r & rflags::ZF == 0,
        M::Fcmovnbe => |r| r & (rflags::CF | rflags::ZF) == 0,
        M::Fcmovnu => |r| r & rflags::PF == 0,
        _ => return None,
    })
}

/// Runs an x87 arithmetic or compare instruction; `None` when `ins` is not one.
pub fn exec<B: Bus + ?Sized>(
    cpu: &mut Cpu,
    bus: &mut B,
    ins: &Instruction,
) -> Option<Result<(), Fault>> {
    let m = ins.mnemonic();
    if let Some((op, pop)) = bin_op(m) {
        return Some(binary(cpu, bus, ins, op, pop));
    }
    if let Some(cond) = cmov_cond(m) {
        let i = st_index(ins, 1).unwrap_or(1);
        if cpu.s.x87.empty(0) || cpu.s.x87.empty(i) {
            underflow(cpu, Some(0), false);
        } else {
            if cond(cpu.s.rflags) {
                let v = cpu.s.x87.st(i);
                cpu.s.x87.set_st(0, v);
            }
            finish(cpu, 0, Cond::default());
        }
        return Some(Ok(()));
    }
    Some(match m {
        compares!() => compare(cpu, bus, ins, m),
        M::Fxam => {
            let x = cpu.s.x87.st(0);
            let class = if cpu.s.x87.empty(0) {
                sw::C3 | sw::C0
            } else if x.is_unsupported() {
                0
            } else if x.is_nan() {
                sw::C0
            } else if x.exp() == 0x7fff {
                sw::C2 | sw::C0
            } else if x.exp() == 0 {
                if x.sig == 0 {
                    sw::C3
                } else {
                    sw::C3 | sw::C2
                }
            } else {
                sw::C2
            };
            let c1 = if x.sign() { sw::C1 } else { 0 };
            cpu.s.x87.fsw = (cpu.s.x87.fsw & !sw::CC) | class | c1;
            Ok(())
        }
        M::Fchs | M::Fabs | M::Fsqrt | M::Frndint => unary(cpu, m),
        M::Fscale => scale(cpu),
        M::Fxtract => xtract(cpu),
        M::Fprem | M::Fprem1 => prem(cpu, m == M::Fprem1),
        _ => return None,
    })
}

/// dest = dest op source: register forms name both, memory forms use ST(0) and memory.
fn binary<B: Bus + ?Sized>(
    cpu: &mut Cpu,
    bus: &mut B,
    ins: &Instruction,
    op: Bin,
    pop: bool,
) -> Result<(), Fault> {
    let mut e = env(cpu);
    let before = e.flags;
    let (d, b) = if ins.op_count() >= 1 && ins.op0_kind() == OpKind::Memory {
        if cpu.s.x87.empty(0) {
            underflow(cpu, Some(0), pop);
            return Ok(());
        }
        (0, load_mem(cpu, bus, ins, &mut e)?)
    } else {
        let d = st_index(ins, 0).unwrap_or(1);
        let s = st_index(ins, 1).unwrap_or(0);
        if cpu.s.x87.empty(d) || cpu.s.x87.empty(s) {
            underflow(cpu, Some(d), pop);
            return Ok(());
        }
        (d, cpu.s.x87.st(s))
    };
    let a = cpu.s.x87.st(d);
    let (x, y) = match op {
        Bin::Subr | Bin::Divr => (b, a),
        _ => (a, b),
    };
    let (r, up) = compute(op, x, y, pc(cpu), before, cpu.s.x87.fcw, &mut e);
    if cpu.s.x87.unmasked(e.flags as u16) & (flag::IE | flag::DE | flag::ZE) as u16 == 0 {
        cpu.s.x87.set_st(d, r);
        if pop {
            cpu.s.x87.pop();
        }
    }
    finish(cpu, e.flags, Cond { c1: up, sf: false });
    Ok(())
}

/// x op y in precision `p`. `before`: the flags ahead of loading a memory operand (a NaN,
/// an unsupported operand, #I and #Z all hide its #D, checked on the CPU).
/// `masks`: the control word (an unmasked overflow or underflow gives the bias-adjusted result).
fn compute(op: Bin, x: Ext, y: Ext, p: u32, before: u32, masks: u16, e: &mut Env) -> (Ext, bool) {
    if x.is_unsupported() || y.is_unsupported() {
        e.flags = before | flag::IE;
        return (Ext::indefinite(), false);
    }
    if x.is_nan() || y.is_nan() {
        e.flags = before;
        return (ext::propagate_nan(x, y, e), false);
    }
    let nx = ext::unpack(x, e);
    let mut ny = ext::unpack(y, e);
    let exact = match op {
        Bin::Add => ops::add_core(nx, ny, e.rc),
        Bin::Sub | Bin::Subr => {
            ny.sign = !ny.sign;
            ops::add_core(nx, ny, e.rc)
        }
        Bin::Mul => ops::mul_core(nx, ny),
        Bin::Div | Bin::Divr => ops::div_core(nx, ny),
    };
    ext::from_exact_x87(exact, before, p, masks, e)
}

/// Compares ST(0) with an operand (IE for any NaN when `signalling`, else only for a
/// signalling one; unsupported encodings always).
fn cmp_ext(x: Ext, y: Ext, signalling: bool, before: u32, e: &mut Env) -> Cmp {
    if x.is_unsupported() || y.is_unsupported() {
        e.flags = before | flag::IE;
        return Cmp::Unordered;
    }
    if x.is_nan() || y.is_nan() {
        e.flags = before;
        if signalling || x.is_snan() || y.is_snan() {
            e.flags |= flag::IE;
        }
        return Cmp::Unordered;
    }
    let nx = ext::unpack(x, e);
    let ny = ext::unpack(y, e);
    cmp_num(nx, ny)
}

fn compare<B: Bus + ?Sized>(
    cpu: &mut Cpu,
    bus: &mut B,
    ins: &Instruction,
    m: M,
) -> Result<(), Fault> {
    let mut e = env(cpu);
    let before = e.flags;
    let pops = match m {
        M::Fcomp | M::Fucomp | M::Ficomp | M::Fcomip | M::Fucomip => 1,
        M::Fcompp | M::Fucompp => 2,
        _ => 0,
    };
    let signalling = matches!(
        m,
        M::Fcom | M::Fcomp | M::Fcompp | M::Ficom | M::Ficomp | M::Fcomi | M::Fcomip | M::Ftst
    );
    let to_rflags = matches!(m, M::Fcomi | M::Fcomip | M::Fucomi | M::Fucomip);
    let (y, empty) = if m == M::Ftst {
        (Ext::zero(false), cpu.s.x87.empty(0))
    } else if ins.op_count() >= 1 && ins.op0_kind() == OpKind::Memory {
        (load_mem(cpu, bus, ins, &mut e)?, cpu.s.x87.empty(0))
    } else {
        let i = if ins.op_count() == 0 {
            1
        } else {
            st_index(ins, ins.op_count() - 1).unwrap_or(1)
        };
        (cpu.s.x87.st(i), cpu.s.x87.empty(0) || cpu.s.x87.empty(i))
    };
    let mut c = Cond::default();
    let r = if empty {
        e.flags |= flag::IE;
        c.sf = true;
        Cmp::Unordered
    } else {
        cmp_ext(cpu.s.x87.st(0), y, signalling, before, &mut e)
    };
    // The condition codes (or RFLAGS) are set even when the exception is unmasked; only the
    // pops do not happen (checked on the CPU: an unmasked denormal or invalid operand of
    // FCOM, FUCOMI, FTST still reports the comparison).
    let unmasked_ie = cpu.s.x87.unmasked(e.flags as u16) & (flag::IE | flag::DE) as u16 != 0;
    {
        if to_rflags {
            let bits = match r {
                Cmp::Unordered => rflags::ZF | rflags::PF | rflags::CF,
                Cmp::Greater => 0,
                Cmp::Less => rflags::CF,
                Cmp::Equal => rflags::ZF,
            };
            cpu.s.rflags = (cpu.s.rflags & !rflags::STATUS) | bits;
        } else {
            let cc = match r {
                Cmp::Unordered => sw::C3 | sw::C2 | sw::C0,
                Cmp::Greater => 0,
                Cmp::Less => sw::C0,
                Cmp::Equal => sw::C3,
            };
            cpu.s.x87.fsw = (cpu.s.x87.fsw & !sw::CC) | cc;
        }
    }
    if !unmasked_ie {
        for _ in 0..pops {
            cpu.s.x87.pop();
        }
    }
    finish(cpu, e.flags, c);
    Ok(())
}

/// FCHS, FABS, FSQRT, FRNDINT on ST(0).
fn unary(cpu: &mut Cpu, m: M) -> Result<(), Fault> {
    if cpu.s.x87.empty(0) {
        underflow(cpu, Some(0), false);
        return Ok(());
    }
    let x = cpu.s.x87.st(0);
    let mut e = env(cpu);
    let (r, up) = match m {
        M::Fchs => (x.negated(), false),
        M::Fabs => (
            Ext {
                se: x.se & 0x7fff,
                sig: x.sig,
            },
            false,
        ),
        _ if x.is_unsupported() => {
            e.flags |= flag::IE;
            (Ext::indefinite(), false)
        }
        _ if x.is_nan() => (ext::propagate_nan(x, x, &mut e), false),
        M::Fsqrt => {
            let before = e.flags;
            let n = ext::unpack(x, &mut e);
            let ex = ops::sqrt_core(n, 2);
            ext::from_exact(ex, before, pc(cpu), &mut e)
        }
        _ => round_int(x, &mut e),
    };
    if cpu.s.x87.unmasked(e.flags as u16) & (flag::IE | flag::DE | flag::ZE) as u16 == 0 {
        cpu.s.x87.set_st(0, r);
    }
    finish(cpu, e.flags, Cond { c1: up, sf: false });
    Ok(())
}

/// FRNDINT: to an integral value by RC (PE if inexact; C1 = rounded up).
fn round_int(x: Ext, e: &mut Env) -> (Ext, bool) {
    let n = ext::unpack(x, e);
    match n.kind {
        Kind::Finite if n.exp < 63 => {
            let sig = u128::from(n.sig) << 64;
            let (k, inexact) = round_keep(sig, n.exp + 1, n.sign, e.rc);
            let (t, _) = round_keep(sig, n.exp + 1, n.sign, Rc::Zero);
            if inexact {
                e.flags |= flag::PE;
            }
            if k == 0 {
                return (Ext::zero(n.sign), false);
            }
            let mut v = super::from_int(k as i64);
            if n.sign {
                v = v.negated();
            }
            (v, k != t)
        }
        _ => (x, false),
    }
}

/// Converts to a signed integer of `bits` by `rc`: (value, C1 = rounded up). NaN,
/// infinity, unsupported or out of range: IE and the integer indefinite.
pub(super) fn to_int(x: Ext, bits: u32, rc: Rc, e: &mut Env) -> (u64, bool) {
    let indefinite = 1u64 << (bits - 1);
    let mask = if bits == 64 {
        u64::MAX
    } else {
        (1u64 << bits) - 1
    };
    if x.is_nan() || x.is_unsupported() {
        e.flags |= flag::IE;
        return (indefinite, false);
    }
    let before = e.flags;
    let n = ext::unpack(x, e);
    e.flags = before;
    match n.kind {
        Kind::Zero => (0, false),
        Kind::Finite if n.exp < 64 => {
            let sig = u128::from(n.sig) << 64;
            let (k, inexact) = round_keep(sig, n.exp + 1, n.sign, rc);
            let (t, _) = round_keep(sig, n.exp + 1, n.sign, Rc::Zero);
            match convert::signed(k, n.sign, inexact, bits, e) {
                Some(v) => (v & mask, k != t),
                None => (indefinite, false),
            }
        }
        _ => {
            e.flags |= flag::IE;
            (indefinite, false)
        }
    }
}

/// FSCALE: ST(0) * 2^trunc(ST(1)).
fn scale(cpu: &mut Cpu) -> Result<(), Fault> {
    if cpu.s.x87.empty(0) || cpu.s.x87.empty(1) {
        underflow(cpu, Some(0), false);
        return Ok(());
    }
    let (x, y) = (cpu.s.x87.st(0), cpu.s.x87.st(1));
    let mut e = env(cpu);
    let (r, up) = if x.is_unsupported() || y.is_unsupported() {
        e.flags |= flag::IE;
        (Ext::indefinite(), false)
    } else if x.is_nan() || y.is_nan() {
        (ext::propagate_nan(x, y, &mut e), false)
    } else {
        let before = e.flags;
        let nx = ext::unpack(x, &mut e);
        let ny = ext::unpack(y, &mut e);
        match (nx.kind, ny.kind) {
            (Kind::Zero, Kind::Inf) if !ny.sign => (invalid(&mut e), false),
            (Kind::Inf, Kind::Inf) if ny.sign => (invalid(&mut e), false),
            (Kind::Zero, _) | (Kind::Inf, _) => (x, false),
            (_, Kind::Inf) => {
                if ny.sign {
                    (Ext::zero(nx.sign), false)
                } else {
                    (Ext::inf(nx.sign), false)
                }
            }
            _ => {
                // trunc(ST(1)), clamped far beyond the exponent range.
                let n: i64 = match ny.kind {
                    Kind::Finite if ny.exp >= 0 => {
                        let m = if ny.exp >= 20 {
                            1 << 20
                        } else {
                            (ny.sig >> (63 - ny.exp)) as i64
                        };
                        if ny.sign {
                            -m
                        } else {
                            m
                        }
                    }
                    _ => 0,
                };
                let ex = Exact::Finite {
                    sign: nx.sign,
                    exp: nx.exp + n as i32,
                    sig: u128::from(nx.sig) << 64,
                };
                // Scaling by ±0 returns a denormal as it is on the Intel core, without an
                // underflow even when that is unmasked; by a fraction that truncates to 0 it
                // is bias-adjusted like any tiny result (both checked on a Xeon). The AMD core
                // bias-adjusts it in both cases (checked on an EPYC).
                let mut masks = cpu.s.x87.fcw;
                if ny.kind == Kind::Zero && cpu.s.vendor == Vendor::Intel {
                    masks |= 0x10;
                    e.um = true;
                }
                ext::from_exact_x87(ex, before, 64, masks, &mut e)
            }
        }
    };
    if cpu.s.x87.unmasked(e.flags as u16) & (flag::IE | flag::DE) as u16 == 0 {
        cpu.s.x87.set_st(0, r);
    }
    finish(cpu, e.flags, Cond { c1: up, sf: false });
    Ok(())
}

/// A finite operand as a result: normalized (a pseudo-denormal gets exponent 1).
/// `n` as an x87 value again (a denormal operand returned as the result: with underflow
/// unmasked it comes back bias-adjusted, checked on the CPU with FPREM).
fn repack(n: ext_num::Num, before: u32, masks: u16, e: &mut Env) -> Ext {
    let ex = Exact::Finite {
        sign: n.sign,
        exp: n.exp,
        sig: u128::from(n.sig) << 64,
    };
    ext::from_exact_x87(ex, before, 64, masks, e).0
}

fn invalid(e: &mut Env) -> Ext {
    e.flags |= flag::IE;
    Ext::indefinite()
}

/// FXTRACT: ST(0) becomes its unbiased exponent and the significand (exponent 0) is pushed.
fn xtract(cpu: &mut Cpu) -> Result<(), Fault> {
    if cpu.s.x87.empty(0) {
        underflow(cpu, Some(0), false);
        return Ok(());
    }
    if !cpu.s.x87.empty(7) {
        // No room for the second result: stack overflow.
        super::push(cpu, Ext::default(), 0);
        return Ok(());
    }
    let x = cpu.s.x87.st(0);
    let mut e = env(cpu);
    let (expo, sig) = if x.is_unsupported() {
        e.flags |= flag::IE;
        (Ext::indefinite(), Ext::indefinite())
    } else if x.is_nan() {
        let q = ext::propagate_nan(x, x, &mut e);
        (q, q)
    } else {
        let n = ext::unpack(x, &mut e);
        match n.kind {
            Kind::Zero => {
                e.flags |= flag::ZE;
                (Ext::inf(true), x)
            }
            Kind::Inf => (Ext::inf(false), x),
            _ => (
                super::from_int(i64::from(n.exp)),
                Ext {
                    se: (if n.sign { 0x8000 } else { 0 }) | ext::BIAS as u16,
                    sig: n.sig,
                },
            ),
        }
    };
    if cpu.s.x87.unmasked(e.flags as u16) & (flag::IE | flag::DE | flag::ZE) as u16 == 0 {
        cpu.s.x87.set_st(0, expo);
        cpu.s.x87.push(sig);
    }
    finish(cpu, e.flags, Cond::default());
    Ok(())
}

/// FPREM (truncating quotient) and FPREM1 (IEEE, nearest): a full remainder when the
/// exponents differ by less than 64 (C2 = 0, C0/C3/C1 = quotient bits 2/1/0); otherwise a
/// partial one that lowers the exponent by 32 to 63 (C2 = 1).
fn prem(cpu: &mut Cpu, ieee: bool) -> Result<(), Fault> {
    if cpu.s.x87.empty(0) || cpu.s.x87.empty(1) {
        underflow(cpu, Some(0), false);
        return Ok(());
    }
    let (x, y) = (cpu.s.x87.st(0), cpu.s.x87.st(1));
    let mut e = env(cpu);
    let mut cc: Option<u16> = None;
    let r = if x.is_unsupported() || y.is_unsupported() {
        invalid(&mut e)
    } else if x.is_nan() || y.is_nan() {
        ext::propagate_nan(x, y, &mut e)
    } else {
        let before = e.flags;
        let nx = ext::unpack(x, &mut e);
        let ny = ext::unpack(y, &mut e);
        match (nx.kind, ny.kind) {
            (Kind::Inf, _) | (_, Kind::Zero) => {
                // The invalid operation hides a denormal operand.
                e.flags = before;
                invalid(&mut e)
            }
            (Kind::Zero, _) => {
                cc = Some(0);
                x
            }
            (_, Kind::Inf) if cpu.s.vendor == Vendor::Intel => {
                // X itself, and no underflow even when unmasked (checked on a Xeon).
                cc = Some(0);
                e.um = true;
                repack(nx, before, cpu.s.x87.fcw | 0x10, &mut e)
            }
            (_, Kind::Inf) => {
                // The AMD core bias-adjusts a denormal X when underflow is unmasked, as for
                // any tiny result (checked on an EPYC).
                cc = Some(0);
                repack(nx, before, cpu.s.x87.fcw, &mut e)
            }
            _ => {
                let d = nx.exp - ny.exp;
                let (partial, shift) = if d >= 64 {
                    (true, (d & 31) | 32)
                } else {
                    (false, d)
                };
                // X = sx * 2^a, Y = sy * 2^b with a, b >= 0 and a - b = shift.
                let (xs, ys) = if shift >= 0 {
                    (shift as u32, 0u32)
                } else {
                    (0, (-shift) as u32)
                };
                if ys > 63 {
                    cc = Some(0);
                    repack(nx, before, cpu.s.x87.fcw, &mut e)
                } else {
                    let big_x = u128::from(nx.sig) << xs;
                    let big_y = u128::from(ny.sig) << ys;
                    let mut q = big_x / big_y;
                    let mut rem = big_x % big_y;
                    let mut neg = false;
                    if ieee && !partial && (2 * rem > big_y || (2 * rem == big_y && q & 1 == 1)) {
                        q += 1;
                        rem = big_y - rem;
                        neg = true;
                    }
                    cc = Some(if partial {
                        sw::C2
                    } else {
                        let b = |k: u32| (q >> k) & 1 == 1;
                        (if b(2) { sw::C0 } else { 0 })
                            | (if b(1) { sw::C3 } else { 0 })
                            | (if b(0) { sw::C1 } else { 0 })
                    });
                    // The remainder's unit: 2^(exp(Y) - 63 - ys) = 2^(min(...)).
                    let unit = ny.exp - 63 - ys as i32 + if partial { d - shift } else { 0 };
                    let sign = nx.sign != neg;
                    if rem == 0 {
                        Ext::zero(nx.sign)
                    } else {
                        let ex = Exact::Finite {
                            sign,
                            exp: unit + 127,
                            sig: rem,
                        }
                        .normalized();
                        ext::from_exact_x87(ex, before, 64, cpu.s.x87.fcw, &mut e).0
                    }
                }
            }
        }
    };
    if cpu.s.x87.unmasked(e.flags as u16) & (flag::IE | flag::DE) as u16 == 0 {
        cpu.s.x87.set_st(0, r);
        if let Some(c) = cc {
            cpu.s.x87.fsw = (cpu.s.x87.fsw & !sw::CC) | c;
        }
    }
    let c1 = cc.is_some_and(|c| c & sw::C1 != 0);
    finish(cpu, e.flags, Cond { c1, sf: false });
    Ok(())
}
