//! Compares (Intel SDM vol. 2): COMISS/COMISD and UCOMISS/UCOMISD into ZF, PF, CF (unordered
//! 111, greater 000, less 001, equal 100; OF, SF, AF cleared), and CMPPS/CMPPD/CMPSS/CMPSD
//! with predicates 0-7 into all-ones/all-zeros masks. COMIS*, and the LT/LE/NLT/NLE
//! predicates, signal IE for a quiet NaN too; the others only for a signalling one.

use super::super::super::bus::Bus;
use super::super::super::fault::Fault;
use super::super::super::fp::ops::{compare, Cmp};
use super::super::super::fp::{Fmt, F32, F64};
use super::super::super::state::rflags;
use super::super::super::Cpu;
use super::{commit, env, lane, set_lane, src, xreg};
use iced_x86::{Instruction, Mnemonic as M};

/// Runs a compare; `None` when `ins` is not one.
pub fn exec<B: Bus + ?Sized>(
    cpu: &mut Cpu,
    bus: &mut B,
    ins: &Instruction,
) -> Option<Result<(), Fault>> {
    let m = ins.mnemonic();
    Some(match m {
        M::Comiss | M::Comisd | M::Ucomiss | M::Ucomisd => (|| {
            let (f, w): (Fmt, u32) = if matches!(m, M::Comiss | M::Ucomiss) {
                (F32, 32)
            } else {
                (F64, 64)
            };
            let a = lane(cpu.s.xmm[xreg(ins, 0)?], w, 0);
            let b = lane(src(cpu, bus, ins, 1)?, w, 0);
            let mut e = env(cpu);
            let c = compare(f, a, b, matches!(m, M::Comiss | M::Comisd), &mut e);
            commit(cpu, e.flags)?;
            let bits = match c {
                Cmp::Unordered => rflags::ZF | rflags::PF | rflags::CF,
                Cmp::Greater => 0,
                Cmp::Less => rflags::CF,
                Cmp::Equal => rflags::ZF,
            };
            cpu.s.rflags = (cpu.s.rflags & !rflags::STATUS) | bits;
            Ok(())
        })(),
        M::Cmpps | M::Cmppd | M::Cmpss | M::Cmpsd => (|| {
            let (f, w, n): (Fmt, u32, u32) = match m {
                M::Cmpps => (F32, 32, 4),
                M::Cmpss => (F32, 32, 1),
                M::Cmppd => (F64, 64, 2),
                _ => (F64, 64, 1),
            };
            let d = xreg(ins, 0)?;
            let b = src(cpu, bus, ins, 1)?;
            let a = cpu.s.xmm[d];
            let pred = ins.immediate(2) as u32 & 7;
            // LT, LE, NLT, NLE signal on any NaN.
            let signalling = matches!(pred, 1 | 2 | 5 | 6);
            let mut e = env(cpu);
            let mut r = a;
            for i in 0..n {
                let c = compare(f, lane(a, w, i), lane(b, w, i), signalling, &mut e);
                let t = match pred {
                    0 => c == Cmp::Equal,
                    1 => c == Cmp::Less,
                    2 => matches!(c, Cmp::Less | Cmp::Equal),
                    3 => c == Cmp::Unordered,
                    4 => c != Cmp::Equal,
                    5 => c != Cmp::Less,
                    6 => !matches!(c, Cmp::Less | Cmp::Equal),
                    _ => c != Cmp::Unordered,
                };
                r = set_lane(r, w, i, if t { u64::MAX } else { 0 });
            }
            commit(cpu, e.flags)?;
            cpu.s.xmm[d] = r;
            Ok(())
        })(),
        _ => return None,
    })
}
