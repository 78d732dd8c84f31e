//! The SSE2 integer moves and logic compilers emit inside libc (Intel SDM vol. 2): MOVUPS,
//! MOVAPS, MOVDQA, MOVDQU, MOVQ, MOVD, MOVSD/MOVSS (moves), PXOR/POR/PAND/PANDN, XORPS/ANDPS/
//! ORPS, PCMPEQB/W/D, PMOVMSKB, PUNPCKLBW/WD/DQ/QDQ, PSHUFD, PADDQ/PSUBQ, PSLLDQ/PSRLDQ,
//! MOVHPS/MOVLPS, PSLL/PSRL/PSRA by lanes, PCMPGTB/W/D, PUNPCKH*, PSHUFLW/HW, MOVMSKPS/PD,
//! MOVNT*, LDMXCSR/STMXCSR. No floating-point arithmetic. Anything else raises #UD naming the
//! instruction.

use super::super::bus::{read128, write128, Bus};
use super::super::fault::Fault;
use super::super::Cpu;
use iced_x86::{Instruction, Mnemonic as M, OpKind, Register};

fn xmm_index(r: Register) -> Option<usize> {
    if r.is_xmm() {
        Some((r as usize - Register::XMM0 as usize) & 15)
    } else {
        None
    }
}

fn read_x<B: Bus + ?Sized>(
    cpu: &mut Cpu,
    bus: &mut B,
    ins: &Instruction,
    i: u32,
    aligned: bool,
) -> Result<u128, Fault> {
    match ins.op_kind(i) {
        OpKind::Register => match xmm_index(ins.op_register(i)) {
            Some(x) => Ok(cpu.s.xmm[x]),
            None => Ok(u128::from(cpu.reg(ins.op_register(i)))),
        },
        OpKind::Memory => {
            let a = cpu.ea(ins);
            let size = ins.memory_size().size();
            if size == 16 {
                if aligned && a & 15 != 0 {
                    return Err(Fault::gp(format!(
                        "`{ins}`: misaligned 16-byte access at {a:#x}"
                    )));
                }
                read128(bus, a, cpu.user())
            } else {
                let v = bus.read(a, size as u32, cpu.user())?;
                Ok(u128::from(v))
            }
        }
        _ => Ok(u128::from(ins.immediate(i))),
    }
}

fn write_x<B: Bus + ?Sized>(
    cpu: &mut Cpu,
    bus: &mut B,
    ins: &Instruction,
    i: u32,
    v: u128,
    aligned: bool,
) -> Result<(), Fault> {
    match ins.op_kind(i) {
        OpKind::Register => {
            let r = ins.op_register(i);
            match xmm_index(r) {
                Some(x) => cpu.s.xmm[x] = v,
                None => cpu.set_reg(r, v as u64),
            }
            Ok(())
        }
        OpKind::Memory => {
            let a = cpu.ea(ins);
            let size = ins.memory_size().size();
            if size == 16 {
                if aligned && a & 15 != 0 {
                    return Err(Fault::gp(format!(
                        "`{ins}`: misaligned 16-byte access at {a:#x}"
                    )));
                }
                write128(bus, a, v, cpu.user())
            } else {
                bus.write(a, size as u32, v as u64, cpu.user())
            }
        }
        _ => Err(super::unsupported(ins)),
    }
}

fn lanes(v: u128, bytes: u32) -> Vec<u128> {
    let n = 16 / bytes;
    let m = if bytes == 16 {
        u128::MAX
    } else {
        (1u128 << (bytes * 8)) - 1
    };
    (0..n).map(|i| (v >> (i * bytes * 8)) & m).collect()
}

fn join(l: &[u128], bytes: u32) -> u128 {
    l.iter()
        .enumerate()
        .fold(0u128, |acc, (i, x)| acc | (x << (i as u32 * bytes * 8)))
}

fn interleave_low(a: u128, b: u128, bytes: u32) -> u128 {
    let (la, lb) = (lanes(a, bytes), lanes(b, bytes));
    let half = la.len() / 2;
    let mut out = Vec::with_capacity(la.len());
    for i in 0..half {
        out.push(la.get(i).copied().unwrap_or(0));
        out.push(lb.get(i).copied().unwrap_or(0));
    }
    join(&out, bytes)
}

fn interleave_high(a: u128, b: u128, bytes: u32) -> u128 {
    let (la, lb) = (lanes(a, bytes), lanes(b, bytes));
    let half = la.len() / 2;
    let mut out = Vec::with_capacity(la.len());
    for i in half..la.len() {
        out.push(la.get(i).copied().unwrap_or(0));
        out.push(lb.get(i).copied().unwrap_or(0));
    }
    join(&out, bytes)
}

/// Lane-wise shift of `a` by `n` bits (PSLL*/PSRL*/PSRA*): counts past the lane width give 0
/// (logical) or the sign (arithmetic), Intel SDM vol. 2, PSLLW/PSLLD/PSLLQ, PSRAW/PSRAD.
fn shift_lanes(a: u128, bytes: u32, n: u64, left: bool, arith: bool) -> u128 {
    let bits = u64::from(bytes * 8);
    let m = (1u128 << bits) - 1;
    let out: Vec<u128> = lanes(a, bytes)
        .iter()
        .map(|&x| {
            if arith {
                let sign = (x >> (bits - 1)) & 1 == 1;
                let n = n.min(bits - 1);
                let mut r = x >> n;
                if sign {
                    r |= m & !(m >> n);
                }
                r
            } else if n >= bits {
                0
            } else if left {
                (x << n) & m
            } else {
                x >> n
            }
        })
        .collect();
    join(&out, bytes)
}

/// The SSE family.
pub fn sse<B: Bus + ?Sized>(cpu: &mut Cpu, bus: &mut B, ins: &Instruction) -> Result<(), Fault> {
    let m = ins.mnemonic();
    match m {
        M::Movups | M::Movupd | M::Movdqu | M::Movaps | M::Movapd | M::Movdqa | M::Lddqu => {
            let aligned = matches!(m, M::Movaps | M::Movapd | M::Movdqa);
            let v = read_x(cpu, bus, ins, 1, aligned)?;
            write_x(cpu, bus, ins, 0, v, aligned)
        }
        M::Movq | M::Movd => {
            let size = if m == M::Movq { 8 } else { 4 };
            let mask = if size == 8 {
                u128::from(u64::MAX)
            } else {
                u128::from(u32::MAX)
            };
            let v = read_x(cpu, bus, ins, 1, false)? & mask;
            // To an XMM register the rest is zeroed; to a 32-bit GPR the upper half too.
            write_x(cpu, bus, ins, 0, v, false)
        }
        M::Movsd | M::Movss => {
            let (bytes, mask) = if m == M::Movsd {
                (8, u128::from(u64::MAX))
            } else {
                (4, u128::from(u32::MAX))
            };
            let v = read_x(cpu, bus, ins, 1, false)? & mask;
            let _ = bytes;
            if ins.op0_kind() == OpKind::Register && ins.op1_kind() == OpKind::Register {
                // Register to register keeps the destination's upper part.
                let d = read_x(cpu, bus, ins, 0, false)?;
                write_x(cpu, bus, ins, 0, (d & !mask) | v, false)
            } else {
                write_x(cpu, bus, ins, 0, v, false)
            }
        }
        M::Movhps | M::Movhpd | M::Movlps | M::Movlpd => {
            let high = matches!(m, M::Movhps | M::Movhpd);
            if ins.op0_kind() == OpKind::Memory {
                let s = read_x(cpu, bus, ins, 1, false)?;
                let v = if high {
                    s >> 64
                } else {
                    s & u128::from(u64::MAX)
                };
                write_x(cpu, bus, ins, 0, v, false)
            } else {
                let d = read_x(cpu, bus, ins, 0, false)?;
                let s = read_x(cpu, bus, ins, 1, false)? & u128::from(u64::MAX);
                let v = if high {
                    (d & u128::from(u64::MAX)) | (s << 64)
                } else {
                    (d & !u128::from(u64::MAX)) | s
                };
                write_x(cpu, bus, ins, 0, v, false)
            }
        }
        M::Pxor
        | M::Por
        | M::Pand
        | M::Pandn
        | M::Xorps
        | M::Xorpd
        | M::Orps
        | M::Orpd
        | M::Andps
        | M::Andpd
        | M::Andnps
        | M::Andnpd
        | M::Paddb
        | M::Paddw
        | M::Paddd
        | M::Paddq
        | M::Psubb
        | M::Psubw
        | M::Psubd
        | M::Psubq
        | M::Pcmpeqb
        | M::Pcmpeqw
        | M::Pcmpeqd
        | M::Pminub
        | M::Pmaxub
        | M::Punpcklbw
        | M::Punpcklwd
        | M::Punpckldq
        | M::Punpcklqdq => {
            if ins.op0_kind() != OpKind::Register || xmm_index(ins.op0_register()).is_none() {
                return Err(super::unsupported(ins));
            }
            let a = read_x(cpu, bus, ins, 0, false)?;
            let b = read_x(cpu, bus, ins, 1, true)?;
            let lanewise = |bytes: u32, f: &dyn Fn(u128, u128, u128) -> u128| {
                let mask = (1u128 << (bytes * 8)) - 1;
                let (la, lb) = (lanes(a, bytes), lanes(b, bytes));
                let out: Vec<u128> = la
                    .iter()
                    .zip(lb.iter())
                    .map(|(x, y)| f(*x, *y, mask) & mask)
                    .collect();
                join(&out, bytes)
            };
            let add = |x: u128, y: u128, _m: u128| x.wrapping_add(y);
            let sub = |x: u128, y: u128, m: u128| x.wrapping_sub(y) & m;
            let eq = |x: u128, y: u128, m: u128| if x == y { m } else { 0 };
            let r = match m {
                M::Pxor | M::Xorps | M::Xorpd => a ^ b,
                M::Por | M::Orps | M::Orpd => a | b,
                M::Pand | M::Andps | M::Andpd => a & b,
                M::Pandn | M::Andnps | M::Andnpd => !a & b,
                M::Paddb => lanewise(1, &add),
                M::Paddw => lanewise(2, &add),
                M::Paddd => lanewise(4, &add),
                M::Paddq => lanewise(8, &add),
                M::Psubb => lanewise(1, &sub),
                M::Psubw => lanewise(2, &sub),
                M::Psubd => lanewise(4, &sub),
                M::Psubq => lanewise(8, &sub),
                M::Pcmpeqb => lanewise(1, &eq),
                M::Pcmpeqw => lanewise(2, &eq),
                M::Pcmpeqd => lanewise(4, &eq),
                M::Pminub => lanewise(1, &|x, y, _| x.min(y)),
                M::Pmaxub => lanewise(1, &|x, y, _| x.max(y)),
                M::Punpcklbw => interleave_low(a, b, 1),
                M::Punpcklwd => interleave_low(a, b, 2),
                M::Punpckldq => interleave_low(a, b, 4),
                _ => interleave_low(a, b, 8),
            };
            write_x(cpu, bus, ins, 0, r, false)
        }
        M::Pmovmskb => {
            let v = read_x(cpu, bus, ins, 1, false)?;
            let mut r = 0u64;
            for i in 0..16 {
                if (v >> (i * 8 + 7)) & 1 != 0 {
                    r |= 1 << i;
                }
            }
            cpu.set_reg(ins.op0_register(), r);
            Ok(())
        }
        M::Pshufd => {
            let s = lanes(read_x(cpu, bus, ins, 1, true)?, 4);
            let imm = ins.immediate(2);
            let out: Vec<u128> = (0..4)
                .map(|i| s.get(((imm >> (2 * i)) & 3) as usize).copied().unwrap_or(0))
                .collect();
            write_x(cpu, bus, ins, 0, join(&out, 4), false)
        }
        M::Psllw | M::Pslld | M::Psllq | M::Psrlw | M::Psrld | M::Psrlq | M::Psraw | M::Psrad => {
            let a = read_x(cpu, bus, ins, 0, false)?;
            // The count is an immediate or the low 64 bits of an XMM register / memory.
            let n = (read_x(cpu, bus, ins, 1, true)? & u128::from(u64::MAX)) as u64;
            let bytes = match m {
                M::Psllw | M::Psrlw | M::Psraw => 2,
                M::Pslld | M::Psrld | M::Psrad => 4,
                _ => 8,
            };
            let left = matches!(m, M::Psllw | M::Pslld | M::Psllq);
            let arith = matches!(m, M::Psraw | M::Psrad);
            write_x(
                cpu,
                bus,
                ins,
                0,
                shift_lanes(a, bytes, n, left, arith),
                false,
            )
        }
        M::Pcmpgtb
        | M::Pcmpgtw
        | M::Pcmpgtd
        | M::Punpckhbw
        | M::Punpckhwd
        | M::Punpckhdq
        | M::Punpckhqdq => {
            let a = read_x(cpu, bus, ins, 0, false)?;
            let b = read_x(cpu, bus, ins, 1, true)?;
            let r = match m {
                M::Punpckhbw => interleave_high(a, b, 1),
                M::Punpckhwd => interleave_high(a, b, 2),
                M::Punpckhdq => interleave_high(a, b, 4),
                M::Punpckhqdq => interleave_high(a, b, 8),
                _ => {
                    let bytes = match m {
                        M::Pcmpgtb => 1,
                        M::Pcmpgtw => 2,
                        _ => 4,
                    };
                    let sh = 128 - bytes * 8;
                    let m = (1u128 << (bytes * 8)) - 1;
                    let out: Vec<u128> = lanes(a, bytes)
                        .iter()
                        .zip(lanes(b, bytes).iter())
                        .map(|(&x, &y)| {
                            if ((x << sh) as i128 >> sh) > ((y << sh) as i128 >> sh) {
                                m
                            } else {
                                0
                            }
                        })
                        .collect();
                    join(&out, bytes)
                }
            };
            write_x(cpu, bus, ins, 0, r, false)
        }
        M::Pshuflw | M::Pshufhw => {
            let src = read_x(cpu, bus, ins, 1, true)?;
            let imm = ins.immediate(2);
            let w = lanes(src, 2);
            let base = if m == M::Pshuflw { 0 } else { 4 };
            let mut out = w.clone();
            for i in 0..4usize {
                let sel = ((imm >> (2 * i)) & 3) as usize;
                if let (Some(o), Some(&v)) = (out.get_mut(base + i), w.get(base + sel)) {
                    *o = v;
                }
            }
            write_x(cpu, bus, ins, 0, join(&out, 2), false)
        }
        M::Movmskps | M::Movmskpd => {
            let v = read_x(cpu, bus, ins, 1, false)?;
            let bytes = if m == M::Movmskps { 4 } else { 8 };
            let mut r = 0u64;
            for (i, x) in lanes(v, bytes).iter().enumerate() {
                r |= (((x >> (bytes * 8 - 1)) & 1) as u64) << i;
            }
            cpu.set_reg(ins.op0_register(), r);
            Ok(())
        }
        M::Movntdq | M::Movntps | M::Movntpd | M::Movnti => {
            // Non-temporal stores: only a cache hint differs.
            let aligned = m != M::Movnti;
            let v = read_x(cpu, bus, ins, 1, false)?;
            write_x(cpu, bus, ins, 0, v, aligned)
        }
        M::Pslldq | M::Psrldq => {
            let a = read_x(cpu, bus, ins, 0, false)?;
            let n = ins.immediate(1).min(16) as u32;
            let r = if n >= 16 {
                0
            } else if m == M::Pslldq {
                a << (n * 8)
            } else {
                a >> (n * 8)
            };
            write_x(cpu, bus, ins, 0, r, false)
        }
        M::Ldmxcsr => {
            let v = cpu.read_op(bus, ins, 0, 4)?;
            cpu.s.mxcsr = v as u32;
            Ok(())
        }
        M::Stmxcsr => {
            let v = u64::from(cpu.s.mxcsr);
            cpu.write_op(bus, ins, 0, 4, v)
        }
        _ => Err(super::unsupported(ins)),
    }
}
