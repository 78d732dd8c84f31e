//! Floating-point arithmetic (Intel SDM vol. 2): ADD/SUB/MUL/DIV/MIN/MAX/SQRT in the scalar
//! (SS, SD: the upper lanes of the destination are kept) and packed (PS, PD) forms,
//! ADDSUBPS/PD and HADD/HSUB (SSE3), ROUNDSS/SD/PS/PD (SSE4.1). Every lane goes through the
//! exact kernel ([`crate::cpu::fp::ops`]); the flags of all lanes are raised together, and an
//! unmasked one leaves the destination unchanged (#XM).

use super::super::super::bus::Bus;
use super::super::super::fault::Fault;
use super::super::super::fp::{approx, flag, mxcsr, ops, Env, Fmt, Rc, F32, F64};
use super::super::super::vendor::Vendor;
use super::super::super::Cpu;
use super::{commit, commit_after, env, lane, set_lane, src, xreg};
use iced_x86::{Instruction, Mnemonic as M};

/// Which lanes an instruction computes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// Lane 0 of 32 bits.
    Ss,
    /// Lane 0 of 64 bits.
    Sd,
    /// Four lanes of 32 bits.
    Ps,
    /// Two lanes of 64 bits.
    Pd,
}

impl Shape {
    fn fmt(self) -> Fmt {
        match self {
            Shape::Ss | Shape::Ps => F32,
            _ => F64,
        }
    }
    fn bits(self) -> u32 {
        match self {
            Shape::Ss | Shape::Ps => 32,
            _ => 64,
        }
    }
    fn lanes(self) -> u32 {
        match self {
            Shape::Ss | Shape::Sd => 1,
            Shape::Ps => 4,
            Shape::Pd => 2,
        }
    }
}

/// The binary operation of a mnemonic.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Op {
    Add,
    Sub,
    Mul,
    Div,
    Min,
    Max,
}

fn apply(op: Op, f: Fmt, a: u64, b: u64, e: &mut Env) -> u64 {
    match op {
        Op::Add => ops::add(f, a, b, false, e),
        Op::Sub => ops::add(f, a, b, true, e),
        Op::Mul => ops::mul(f, a, b, e),
        Op::Div => ops::div(f, a, b, e),
        Op::Min => ops::min_max(f, a, b, false, e),
        Op::Max => ops::min_max(f, a, b, true, e),
    }
}

/// Runs a float arithmetic instruction; `None` when `ins` is not one.
pub fn exec<B: Bus + ?Sized>(
    cpu: &mut Cpu,
    bus: &mut B,
    ins: &Instruction,
) -> Option<Result<(), Fault>> {
    use Shape::*;
    let m = ins.mnemonic();
    let bin = |op, sh| Some((op, sh));
    let binop = match m {
        M::Addss => bin(Op::Add, Ss),
        M::Addsd => bin(Op::Add, Sd),
        M::Addps => bin(Op::Add, Ps),
        M::Addpd => bin(Op::Add, Pd),
        M::Subss => bin(Op::Sub, Ss),
        M::Subsd => bin(Op::Sub, Sd),
        M::Subps => bin(Op::Sub, Ps),
        M::Subpd => bin(Op::Sub, Pd),
        M::Mulss => bin(Op::Mul, Ss),
        M::Mulsd => bin(Op::Mul, Sd),
        M::Mulps => bin(Op::Mul, Ps),
        M::Mulpd => bin(Op::Mul, Pd),
        M::Divss => bin(Op::Div, Ss),
        M::Divsd => bin(Op::Div, Sd),
        M::Divps => bin(Op::Div, Ps),
        M::Divpd => bin(Op::Div, Pd),
        M::Minss => bin(Op::Min, Ss),
        M::Minsd => bin(Op::Min, Sd),
        M::Minps => bin(Op::Min, Ps),
        M::Minpd => bin(Op::Min, Pd),
        M::Maxss => bin(Op::Max, Ss),
        M::Maxsd => bin(Op::Max, Sd),
        M::Maxps => bin(Op::Max, Ps),
        M::Maxpd => bin(Op::Max, Pd),
        _ => None,
    };
    if let Some((op, sh)) = binop {
        return Some(lanes(cpu, bus, ins, sh, |a, b, i, e| {
            let f = sh.fmt();
            let w = sh.bits();
            apply(op, f, lane(a, w, i), lane(b, w, i), e)
        }));
    }
    Some(match m {
        M::Sqrtss | M::Sqrtsd | M::Sqrtps | M::Sqrtpd => {
            let sh = match m {
                M::Sqrtss => Ss,
                M::Sqrtsd => Sd,
                M::Sqrtps => Ps,
                _ => Pd,
            };
            lanes(cpu, bus, ins, sh, |_, b, i, e| {
                ops::sqrt(sh.fmt(), lane(b, sh.bits(), i), e)
            })
        }
        M::Addsubps | M::Addsubpd => {
            let sh = if m == M::Addsubps { Ps } else { Pd };
            lanes(cpu, bus, ins, sh, |a, b, i, e| {
                let w = sh.bits();
                ops::add(sh.fmt(), lane(a, w, i), lane(b, w, i), i & 1 == 0, e)
            })
        }
        M::Haddps | M::Haddpd | M::Hsubps | M::Hsubpd => {
            let sh = if matches!(m, M::Haddps | M::Hsubps) {
                Ps
            } else {
                Pd
            };
            let sub = matches!(m, M::Hsubps | M::Hsubpd);
            lanes(cpu, bus, ins, sh, |a, b, i, e| {
                let w = sh.bits();
                let n = sh.lanes();
                let (v, k) = if i < n / 2 { (a, i) } else { (b, i - n / 2) };
                ops::add(sh.fmt(), lane(v, w, 2 * k), lane(v, w, 2 * k + 1), sub, e)
            })
        }
        M::Roundss | M::Roundsd | M::Roundps | M::Roundpd => {
            let sh = match m {
                M::Roundss => Ss,
                M::Roundsd => Sd,
                M::Roundps => Ps,
                _ => Pd,
            };
            let imm = ins.immediate(2) as u32;
            let rc = if imm & 4 != 0 {
                None
            } else {
                Some(Rc::from_bits(imm))
            };
            let suppress = imm & 8 != 0;
            lanes(cpu, bus, ins, sh, |_, b, i, e| {
                let r = rc.unwrap_or(e.rc);
                ops::round_int(sh.fmt(), lane(b, sh.bits(), i), r, suppress, e)
            })
        }
        M::Dpps | M::Dppd => dot(cpu, bus, ins, m == M::Dpps),
        M::Rcpss | M::Rcpps | M::Rsqrtss | M::Rsqrtps => {
            let sh = if matches!(m, M::Rcpss | M::Rsqrtss) {
                Ss
            } else {
                Ps
            };
            let rcp = matches!(m, M::Rcpss | M::Rcpps);
            let vendor = cpu.s.vendor;
            lanes(cpu, bus, ins, sh, |_, b, i, _| {
                let x = lane(b, 32, i) as u32;
                u64::from(if rcp {
                    approx::rcp(vendor, x)
                } else {
                    approx::rsqrt(vendor, x)
                })
            })
        }
        _ => return None,
    })
}

/// DPPS/DPPD: the products of the lanes selected by `imm8[7:4]` (others +0.0), summed in
/// pairs ((0 + 1) + (2 + 3) for DPPS), each step rounded by MXCSR, written to the lanes
/// selected by `imm8[3:0]` (others +0.0). Intel SDM vol. 2 DPPS, DPPD.
fn dot<B: Bus + ?Sized>(
    cpu: &mut Cpu,
    bus: &mut B,
    ins: &Instruction,
    single: bool,
) -> Result<(), Fault> {
    let d = xreg(ins, 0)?;
    let b = src(cpu, bus, ins, 1)?;
    let a = cpu.s.xmm[d];
    let imm = ins.immediate(2) as u32;
    let (f, w, n) = if single { (F32, 32, 4) } else { (F64, 64, 2) };
    let mut e = env(cpu);
    let mut t = [0u64; 4];
    for (i, ti) in t.iter_mut().enumerate().take(n as usize) {
        let i = i as u32;
        if (imm >> (4 + i)) & 1 != 0 {
            *ti = ops::mul(f, lane(a, w, i), lane(b, w, i), &mut e);
        }
    }
    // The products are one stage and the sums the next (Intel SDM vol. 2 DPPS: exceptions
    // "determined separately for each add and multiply"): an unmasked exception among the
    // products faults before any sum; the sums' pre-computation rule applies to their own
    // flags, after the products' (masked) ones. Checked on the CPU, cpu_sse_unmasked.
    let products = e.flags;
    let masks = (cpu.s.mxcsr >> mxcsr::MASK_SHIFT) & flag::ALL;
    if products & !masks & flag::ALL != 0 {
        return commit(cpu, products);
    }
    e.flags = 0;
    // On the Intel core the operand order of each addition differs by destination lane (it
    // decides which NaN comes out; measured on a Xeon): DPPS lane k adds the pairs as (t1 + t0) and (t3 + t2)
    // for even k, (t0 + t1) and (t2 + t3) for odd k, then (low + high) for lanes 0-1 and
    // (high + low) for lanes 2-3; DPPD lane 0 adds t0 + t1, lane 1 t1 + t0.
    // The AMD core (AMD APM vol. 4 DPPS, DPPD) adds in one order for every lane,
    // (t0 + t1) + (t2 + t3) and t0 + t1, so the lowest lane's NaN comes out everywhere
    // (measured on an EPYC, every mix of QNaN and SNaN operands).
    let add = |x: u64, y: u64, e: &mut Env| ops::add(f, x, y, false, e);
    let amd = cpu.s.vendor == Vendor::Amd;
    let mut r = 0u128;
    for k in 0..n {
        let sum = if amd && single {
            let (lo, hi) = (add(t[0], t[1], &mut e), add(t[2], t[3], &mut e));
            add(lo, hi, &mut e)
        } else if amd {
            add(t[0], t[1], &mut e)
        } else if single {
            let (lo, hi) = if k % 2 == 0 {
                (add(t[1], t[0], &mut e), add(t[3], t[2], &mut e))
            } else {
                (add(t[0], t[1], &mut e), add(t[2], t[3], &mut e))
            };
            if k < 2 {
                add(lo, hi, &mut e)
            } else {
                add(hi, lo, &mut e)
            }
        } else if k == 0 {
            add(t[0], t[1], &mut e)
        } else {
            add(t[1], t[0], &mut e)
        };
        if (imm >> k) & 1 != 0 {
            r = set_lane(r, w, k, sum);
        }
    }
    commit_after(cpu, products, e.flags)?;
    cpu.s.xmm[d] = r;
    Ok(())
}

/// Computes lane by lane: `f(dest, source, lane, env)`; scalar shapes keep the other lanes of
/// the destination. Writes only when no unmasked exception was raised.
fn lanes<B: Bus + ?Sized>(
    cpu: &mut Cpu,
    bus: &mut B,
    ins: &Instruction,
    sh: Shape,
    f: impl Fn(u128, u128, u32, &mut Env) -> u64,
) -> Result<(), Fault> {
    let d = xreg(ins, 0)?;
    let b = src(cpu, bus, ins, 1)?;
    let a = cpu.s.xmm[d];
    let mut e = env(cpu);
    let mut r = a;
    for i in 0..sh.lanes() {
        r = set_lane(r, sh.bits(), i, f(a, b, i, &mut e));
    }
    commit(cpu, e.flags)?;
    cpu.s.xmm[d] = r;
    Ok(())
}
