//! The x87 transcendentals (Intel SDM vol. 2 FSIN, FCOS, FSINCOS, FPTAN, FPATAN, F2XM1,
//! FYL2X, FYL2XP1): computed with ~120 bits by [`crate::cpu::fp::transc`], rounded to 64 bits
//! by RC (precision control does not apply, §8.1.5.2). Intel documents these within 1 ulp of
//! its own internal results; the oracle test allows that. Arguments of FSIN/FCOS/FSINCOS/FPTAN
//! with |x| >= 2^63 set C2 and leave the stack unchanged.

use super::super::super::fault::Fault;
use super::super::super::fp::big::Big;
use super::super::super::fp::ext::{self, Ext};
use super::super::super::fp::{flag, ops::Exact, transc, Env, Kind, Num};
use super::super::super::vendor::Vendor;
use super::super::super::x87::sw;
use super::super::super::Cpu;
use super::{env, finish, underflow, Cond};
use iced_x86::Mnemonic as M;

/// True for the mnemonics [`exec`] runs.
pub(super) fn is_transc(m: M) -> bool {
    matches!(
        m,
        M::Fsin | M::Fcos | M::Fsincos | M::Fptan | M::Fpatan | M::F2xm1 | M::Fyl2x | M::Fyl2xp1
    )
}

fn big(n: Num) -> Big {
    match n.kind {
        Kind::Finite => Big::from_parts(n.sign, n.exp, n.sig),
        _ => Big::ZERO,
    }
}

/// Rounds a result to 64 bits: (value, C1).
fn round(b: Big, e: &mut Env) -> (Ext, bool) {
    let before = e.flags;
    ext::from_exact(b.to_exact().normalized(), before, 64, e)
}

/// Rounds a value whose true magnitude is just below it when `below`.
fn round_dir(d: transc::Dir, e: &mut Env) -> (Ext, bool) {
    let before = e.flags;
    let ex = if d.1 {
        d.0.to_exact_below()
    } else {
        d.0.to_exact()
    };
    ext::from_exact(ex.normalized(), before, 64, e)
}

fn pi_frac(num: i64, den: i64, sign: bool, e: &mut Env) -> (Ext, bool) {
    let v = Big::PI.times(Big::int(num)).over(Big::int(den));
    round(if sign { v.negated() } else { v }, e)
}

/// Runs a transcendental; `None` when `m` is not one.
pub fn exec(cpu: &mut Cpu, m: M) -> Option<Result<(), Fault>> {
    if !is_transc(m) {
        return None;
    }
    let two = matches!(m, M::Fpatan | M::Fyl2x | M::Fyl2xp1);
    if cpu.s.x87.empty(0) || (two && cpu.s.x87.empty(1)) {
        underflow(cpu, Some(if two { 1 } else { 0 }), two);
        return Some(Ok(()));
    }
    let pushes = matches!(m, M::Fsincos | M::Fptan);
    if pushes && !cpu.s.x87.empty(7) {
        super::push(cpu, Ext::default(), 0);
        return Some(Ok(()));
    }
    let x = cpu.s.x87.st(0);
    let mut e = env(cpu);
    let mut c = Cond::default();
    cpu.s.x87.fsw &= !sw::C2;
    // Operand checks: unsupported and NaN.
    let y = if two { cpu.s.x87.st(1) } else { x };
    if x.is_unsupported() || y.is_unsupported() || x.is_nan() || y.is_nan() {
        let r = if x.is_unsupported() || y.is_unsupported() {
            e.flags |= flag::IE;
            Ext::indefinite()
        } else {
            ext::propagate_nan(x, y, &mut e)
        };
        write(cpu, m, r, r, e.flags, c);
        return Some(Ok(()));
    }
    let nx = ext::unpack(x, &mut e);
    let ny = ext::unpack(y, &mut e);
    let (r, r2, up) = match m {
        M::Fsin | M::Fcos | M::Fsincos | M::Fptan => {
            if nx.kind == Kind::Inf {
                e.flags |= flag::IE;
                let i = Ext::indefinite();
                (i, i, false)
            } else if nx.kind == Kind::Finite && nx.exp >= 63 {
                // Out of range: C2 = 1, nothing changes.
                cpu.s.x87.fsw |= sw::C2;
                finish(cpu, e.flags & !flag::DE, c);
                cpu.s.x87.fsw |= sw::C2;
                return Some(Ok(()));
            } else if nx.kind == Kind::Finite && nx.exp < -32 && cpu.s.vendor == Vendor::Amd {
                tiny_amd(m, nx, &mut e)
            } else if nx.kind == Kind::Finite && nx.exp < -32 {
                // Tiny arguments: sin x = tan x = x and cos x = 1, inexact (as the Intel CPU
                // answers, whatever the rounding control; a denormal result underflows).
                let before = e.flags;
                let xv = ext::from_exact(
                    Exact::Finite {
                        sign: nx.sign,
                        exp: nx.exp,
                        sig: u128::from(nx.sig) << 64,
                    },
                    before,
                    64,
                    &mut e,
                )
                .0;
                e.flags |= flag::PE;
                if xv.exp() == 0 && m != M::Fcos {
                    e.flags |= flag::UE;
                }
                let one = Ext {
                    se: 0x3fff,
                    sig: 1 << 63,
                };
                match m {
                    M::Fcos => (one, one, false),
                    M::Fsincos | M::Fptan => (xv, one, false),
                    _ => (xv, xv, false),
                }
            } else if nx.kind == Kind::Zero {
                let one = Ext {
                    se: 0x3fff,
                    sig: 1 << 63,
                };
                match m {
                    M::Fcos => (one, one, false),
                    M::Fsincos => (x, one, false),
                    M::Fptan => (x, one, false),
                    _ => (x, x, false),
                }
            } else {
                let (s, co) = transc::sin_cos(nx.sign, nx.exp, nx.sig);
                match m {
                    M::Fsin => {
                        let (v, up) = round_dir(s, &mut e);
                        (v, v, up)
                    }
                    M::Fcos => {
                        let (v, up) = round_dir(co, &mut e);
                        (v, v, up)
                    }
                    M::Fsincos => {
                        let (sv, _) = round_dir(s, &mut e);
                        let (cv, up) = round_dir(co, &mut e);
                        (sv, cv, up)
                    }
                    _ => {
                        let (t, up) = round(s.0.over(co.0), &mut e);
                        (
                            t,
                            Ext {
                                se: 0x3fff,
                                sig: 1 << 63,
                            },
                            up,
                        )
                    }
                }
            }
        }
        M::F2xm1 => match nx.kind {
            Kind::Zero => (x, x, false),
            Kind::Inf if nx.sign => {
                let m1 = Ext {
                    se: 0xbfff,
                    sig: 1 << 63,
                };
                (m1, m1, false)
            }
            Kind::Inf => (x, x, false),
            // Beyond |x| <= 1 the CPU leaves the operand as it is and reports PE.
            _ if nx.exp >= 0 && (nx.exp > 0 || nx.sig != 1 << 63) => {
                e.flags |= flag::PE;
                (x, x, false)
            }
            _ => {
                let (v, up) = round(transc::exp2m1(big(nx)), &mut e);
                (v, v, up)
            }
        },
        M::Fpatan => {
            // ST(1) = y, ST(0) = x: atan2(y, x).
            let (v, up) = match (ny.kind, nx.kind) {
                (Kind::Zero, _) => {
                    if nx.sign {
                        pi_frac(1, 1, ny.sign, &mut e)
                    } else {
                        (Ext::zero(ny.sign), false)
                    }
                }
                (Kind::Inf, Kind::Inf) => pi_frac(if nx.sign { 3 } else { 1 }, 4, ny.sign, &mut e),
                (Kind::Inf, _) | (_, Kind::Zero) => pi_frac(1, 2, ny.sign, &mut e),
                (_, Kind::Inf) => {
                    if nx.sign {
                        pi_frac(1, 1, ny.sign, &mut e)
                    } else {
                        (Ext::zero(ny.sign), false)
                    }
                }
                _ => {
                    let a = transc::atan2(big(ny), big(nx));
                    if cpu.s.vendor == Vendor::Amd && !a.is_zero() && a.exp < -70 {
                        // atan t = t - t^3/3: below 2^-70 the correction is under the 128
                        // bits computed, and the AMD core rounds as if just below t (a tiny
                        // y over 1 rounds down to the next number in RD and RZ; checked on an
                        // EPYC), where the Intel core returns t.
                        round_dir((a, true), &mut e)
                    } else {
                        round(a, &mut e)
                    }
                }
            };
            (v, v, up)
        }
        _ => {
            // FYL2X: y * log2(x); FYL2XP1: y * log2(x + 1).
            let p1 = m == M::Fyl2xp1;
            let (v, up) = log_times(nx, ny, p1, &mut e);
            (v, v, up)
        }
    };
    c.c1 = up;
    write(cpu, m, r, r2, e.flags, c);
    Some(Ok(()))
}

/// FSIN, FCOS, FSINCOS, FPTAN of a tiny argument (|x| < 2^-32) on the AMD core, as measured on
/// an EPYC: sin x and cos x are rounded as the values just below x and 1 in magnitude (so RD
/// and RZ give the next number towards zero, RN and RU x or 1 with C1; a result that becomes
/// denormal underflows). FPTAN returns a normal x unchanged, inexact, as the Intel core does
/// (it also does so in RU, where tan x > x would round up, and below 2^-60 it is sometimes one
/// ulp under x: not modelled, within the one ulp the oracle allows); of a denormal x it rounds
/// the value just above x (the EPYC returns the smallest denormal itself in RU: also one ulp).
fn tiny_amd(m: M, nx: Num, e: &mut Env) -> (Ext, Ext, bool) {
    let x = Big::from_parts(nx.sign, nx.exp, nx.sig);
    match m {
        M::Fsin => {
            let (s, up) = round_dir((x, true), e);
            (s, s, up)
        }
        M::Fcos => {
            let (c, up) = round_dir((Big::ONE, true), e);
            (c, c, up)
        }
        M::Fsincos => {
            let (s, _) = round_dir((x, true), e);
            let (c, up) = round_dir((Big::ONE, true), e);
            (s, c, up)
        }
        _ => {
            let before = e.flags;
            let sig = u128::from(nx.sig) << 64;
            let denormal = nx.exp < -(ext::BIAS - 1);
            let ex = Exact::Finite {
                sign: nx.sign,
                exp: nx.exp,
                sig: if denormal { sig | 1 } else { sig },
            };
            let (t, up) = ext::from_exact(ex, before, 64, e);
            e.flags |= flag::PE;
            if t.exp() == 0 {
                e.flags |= flag::UE;
            }
            let one = Ext {
                se: 0x3fff,
                sig: 1 << 63,
            };
            (t, one, up)
        }
    }
}

/// y * log2(x) (or log2(x + 1)) with the special cases of the SDM's tables.
fn log_times(x: Num, y: Num, p1: bool, e: &mut Env) -> (Ext, bool) {
    let inv = |e: &mut Env| {
        e.flags = (e.flags & !flag::DE) | flag::IE;
        (Ext::indefinite(), false)
    };
    // The sign of log2: below 1 (or below 0 for the +1 form) it is negative.
    let lx_neg = if p1 {
        x.sign
    } else {
        x.kind != Kind::Inf && (x.exp < 0)
    };
    if p1 {
        if x.kind == Kind::Finite && x.sign && x.exp >= 0 {
            // x <= -1, outside the domain: the CPU answers x itself (a zero for a zero
            // multiplier), inexact.
            return if y.kind == Kind::Zero {
                (Ext::zero(x.sign != y.sign), false)
            } else {
                e.flags |= flag::PE;
                let v = Ext {
                    se: (if x.sign { 0x8000 } else { 0 }) | (x.exp + ext::BIAS) as u16,
                    sig: x.sig,
                };
                (v, false)
            };
        }
        if x.kind == Kind::Zero {
            return if y.kind == Kind::Inf {
                inv(e)
            } else {
                (Ext::zero(x.sign != y.sign), false)
            };
        }
        if x.sign && (x.kind == Kind::Inf || x.exp >= 0) {
            return inv(e);
        }
    } else {
        if x.sign && x.kind != Kind::Zero {
            return inv(e);
        }
        if x.kind == Kind::Zero {
            return match y.kind {
                Kind::Zero => inv(e),
                Kind::Inf => (Ext::inf(!y.sign), false),
                _ => {
                    e.flags = (e.flags & !flag::DE) | flag::ZE;
                    (Ext::inf(!y.sign), false)
                }
            };
        }
        let one = x.kind == Kind::Finite && x.exp == 0 && x.sig == 1 << 63;
        if one {
            return if y.kind == Kind::Inf {
                inv(e)
            } else {
                (Ext::zero(y.sign), false)
            };
        }
    }
    if x.kind == Kind::Inf {
        return if y.kind == Kind::Zero {
            inv(e)
        } else {
            (Ext::inf(y.sign), false)
        };
    }
    match y.kind {
        Kind::Inf => (Ext::inf(y.sign != lx_neg), false),
        Kind::Zero => (Ext::zero(y.sign != lx_neg), false),
        _ => {
            // An exact power of two has an exact logarithm: y * k is then rounded once.
            let arg = if p1 { Big::ONE.plus(big(x)) } else { big(x) };
            let exact_arg = !p1 || x.exp >= -64;
            if exact_arg && arg.sig == 1 << 127 {
                let k = Big::int(i64::from(arg.exp));
                let before = e.flags;
                let prod = k.times(big(y));
                let ex = if prod.is_zero() {
                    Exact::Zero(y.sign != (arg.exp < 0))
                } else {
                    Exact::Finite {
                        sign: prod.sign,
                        exp: prod.exp,
                        sig: prod.sig,
                    }
                };
                // The CPU still reports the result inexact (and a tiny one as underflow).
                let (v, up) = ext::from_exact(ex, before, 64, e);
                e.flags |= flag::PE;
                if v.exp() == 0 && v.sig != 0 {
                    e.flags |= flag::UE;
                }
                return (v, up);
            }
            let l = if p1 {
                transc::ln1p(big(x))
            } else {
                transc::ln(big(x))
            };
            round(l.times(Big::LOG2E).times(big(y)), e)
        }
    }
}

/// Stores the results: one-operand forms replace ST(0); FSINCOS/FPTAN replace ST(0) with
/// `r` and push `r2`; FPATAN/FYL2X/FYL2XP1 write ST(1) and pop. Nothing is written when a
/// precomputation exception is unmasked.
fn write(cpu: &mut Cpu, m: M, r: Ext, r2: Ext, flags: u32, c: Cond) {
    if cpu.s.x87.unmasked(flags as u16) & (flag::IE | flag::DE | flag::ZE) as u16 == 0 {
        match m {
            M::Fsincos | M::Fptan => {
                cpu.s.x87.set_st(0, r);
                cpu.s.x87.push(r2);
            }
            M::Fpatan | M::Fyl2x | M::Fyl2xp1 => {
                cpu.s.x87.set_st(1, r);
                cpu.s.x87.pop();
            }
            _ => cpu.s.x87.set_st(0, r),
        }
    }
    finish(cpu, flags, c);
}
