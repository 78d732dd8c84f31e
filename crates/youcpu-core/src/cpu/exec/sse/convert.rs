//! Conversions (Intel SDM vol. 2): CVTSI2SS/SD, CVT(T)SS2SI/SD2SI, CVTSS2SD/CVTSD2SS, and the
//! packed CVTDQ2PS/PD, CVT(T)PS2DQ, CVT(T)PD2DQ, CVTPS2PD, CVTPD2PS. Rounded by MXCSR.RC (or
//! truncated for the CVTT forms); NaN and out-of-range floats give the integer indefinite.

use super::super::super::bus::Bus;
use super::super::super::fault::Fault;
use super::super::super::fp::{convert as cv, F32, F64};
use super::super::super::Cpu;
use super::{commit, env, lane, set_lane, src, sx, xreg};
use iced_x86::{Instruction, Mnemonic as M, OpKind};

/// Runs a conversion; `None` when `ins` is not one.
pub fn exec<B: Bus + ?Sized>(
    cpu: &mut Cpu,
    bus: &mut B,
    ins: &Instruction,
) -> Option<Result<(), Fault>> {
    let m = ins.mnemonic();
    Some(match m {
        M::Cvtsi2ss | M::Cvtsi2sd => (|| {
            let d = xreg(ins, 0)?;
            let size = if ins.op1_kind() == OpKind::Memory {
                ins.memory_size().size()
            } else {
                ins.op1_register().size()
            };
            let raw = src(cpu, bus, ins, 1)? as u64;
            let v = if size == 4 { sx(raw, 32) } else { raw as i64 };
            let mut e = env(cpu);
            let (f, bits) = if m == M::Cvtsi2ss {
                (F32, 32)
            } else {
                (F64, 64)
            };
            let r = cv::from_int(f, v, &mut e);
            commit(cpu, e.flags)?;
            cpu.s.xmm[d] = set_lane(cpu.s.xmm[d], bits, 0, r);
            Ok(())
        })(),
        M::Cvtss2si | M::Cvtsd2si | M::Cvttss2si | M::Cvttsd2si => (|| {
            let r = ins.op0_register();
            if !r.is_gpr32() && !r.is_gpr64() {
                return Err(super::super::unsupported(ins));
            }
            let bits = if r.is_gpr64() { 64 } else { 32 };
            let (f, w) = if matches!(m, M::Cvtss2si | M::Cvttss2si) {
                (F32, 32)
            } else {
                (F64, 64)
            };
            let s = lane(src(cpu, bus, ins, 1)?, w, 0);
            let mut e = env(cpu);
            let v = cv::to_int(f, s, bits, matches!(m, M::Cvttss2si | M::Cvttsd2si), &mut e);
            commit(cpu, e.flags)?;
            cpu.set_reg(r, v);
            Ok(())
        })(),
        M::Cvtss2sd | M::Cvtsd2ss | M::Cvtps2pd | M::Cvtpd2ps => (|| {
            let d = xreg(ins, 0)?;
            let s = src(cpu, bus, ins, 1)?;
            let a = cpu.s.xmm[d];
            let mut e = env(cpu);
            let r = match m {
                M::Cvtss2sd => set_lane(a, 64, 0, cv::f32_to_f64(lane(s, 32, 0) as u32, &mut e)),
                M::Cvtsd2ss => {
                    set_lane(a, 32, 0, u64::from(cv::f64_to_f32(lane(s, 64, 0), &mut e)))
                }
                M::Cvtps2pd => {
                    let x = cv::f32_to_f64(lane(s, 32, 0) as u32, &mut e);
                    let y = cv::f32_to_f64(lane(s, 32, 1) as u32, &mut e);
                    u128::from(x) | (u128::from(y) << 64)
                }
                _ => {
                    let x = cv::f64_to_f32(lane(s, 64, 0), &mut e);
                    let y = cv::f64_to_f32(lane(s, 64, 1), &mut e);
                    u128::from(x) | (u128::from(y) << 32)
                }
            };
            commit(cpu, e.flags)?;
            cpu.s.xmm[d] = r;
            Ok(())
        })(),
        M::Cvtdq2ps | M::Cvtdq2pd | M::Cvtps2dq | M::Cvttps2dq | M::Cvtpd2dq | M::Cvttpd2dq => {
            (|| {
                let d = xreg(ins, 0)?;
                let s = src(cpu, bus, ins, 1)?;
                let mut e = env(cpu);
                let mut r = 0u128;
                match m {
                    M::Cvtdq2ps => {
                        for i in 0..4 {
                            r = set_lane(
                                r,
                                32,
                                i,
                                cv::from_int(F32, sx(lane(s, 32, i), 32), &mut e),
                            );
                        }
                    }
                    M::Cvtdq2pd => {
                        for i in 0..2 {
                            r = set_lane(
                                r,
                                64,
                                i,
                                cv::from_int(F64, sx(lane(s, 32, i), 32), &mut e),
                            );
                        }
                    }
                    M::Cvtps2dq | M::Cvttps2dq => {
                        for i in 0..4 {
                            let v = cv::to_int(F32, lane(s, 32, i), 32, m == M::Cvttps2dq, &mut e);
                            r = set_lane(r, 32, i, v);
                        }
                    }
                    _ => {
                        for i in 0..2 {
                            let v = cv::to_int(F64, lane(s, 64, i), 32, m == M::Cvttpd2dq, &mut e);
                            r = set_lane(r, 32, i, v);
                        }
                    }
                }
                commit(cpu, e.flags)?;
                cpu.s.xmm[d] = r;
                Ok(())
            })()
        }
        _ => return None,
    })
}
