//! AND, OR, XOR, TEST, NOT, shifts and rotates, SHLD/SHRD, BT*, BSF/BSR/TZCNT/LZCNT/POPCNT
//! (Intel SDM vol. 2).

use super::super::bus::Bus;
use super::super::fault::Fault;
use super::super::flags::{self, mask, merge};
use super::super::state::rflags::{CF, OF, STATUS, ZF};
use super::super::Cpu;
use iced_x86::{Instruction, Mnemonic as M, OpKind};

/// AND / OR / XOR / TEST.
pub fn binary<B: Bus + ?Sized>(cpu: &mut Cpu, bus: &mut B, ins: &Instruction) -> Result<(), Fault> {
    let size = cpu.op_size(ins, 0);
    let a = cpu.read_op(bus, ins, 0, size)?;
    let b = cpu.read_op(bus, ins, 1, size)?;
    let r = match ins.mnemonic() {
        M::And | M::Test => a & b,
        M::Or => a | b,
        _ => a ^ b,
    };
    if ins.mnemonic() != M::Test {
        cpu.write_op(bus, ins, 0, size, r)?;
    }
    cpu.s.rflags = merge(cpu.s.rflags, flags::logic(r, size), STATUS);
    Ok(())
}

/// NOT: no flags.
pub fn not<B: Bus + ?Sized>(cpu: &mut Cpu, bus: &mut B, ins: &Instruction) -> Result<(), Fault> {
    let size = cpu.op_size(ins, 0);
    let a = cpu.read_op(bus, ins, 0, size)?;
    cpu.write_op(bus, ins, 0, size, !a & mask(size))
}

/// The shift/rotate count: CL or an immediate (1 for the D0/D1 forms).
fn count<B: Bus + ?Sized>(
    cpu: &mut Cpu,
    bus: &mut B,
    ins: &Instruction,
    i: u32,
) -> Result<u64, Fault> {
    if ins.op_count() <= i {
        return Ok(1);
    }
    match ins.op_kind(i) {
        OpKind::Register => Ok(cpu.reg(ins.op_register(i))),
        _ => cpu.read_op(bus, ins, i, 1),
    }
}

/// SHL/SAL/SHR/SAR/ROL/ROR/RCL/RCR. With a masked count of 0 nothing changes, not even flags.
pub fn shift<B: Bus + ?Sized>(cpu: &mut Cpu, bus: &mut B, ins: &Instruction) -> Result<(), Fault> {
    let size = cpu.op_size(ins, 0);
    let a = cpu.read_op(bus, ins, 0, size)?;
    let c = count(cpu, bus, ins, 1)?;
    let cf = cpu.s.rflags & CF != 0;
    let v = cpu.s.vendor;
    let (r, f) = match ins.mnemonic() {
        M::Shl | M::Sal => flags::shl(v, a, c, size),
        M::Shr => flags::shr(v, a, c, size),
        M::Sar => flags::sar(v, a, c, size),
        M::Rol => flags::rol(v, a, c, size),
        M::Ror => flags::ror(v, a, c, size),
        M::Rcl => flags::rcl(v, a, c, size, cf),
        _ => flags::rcr(v, a, c, size, cf),
    };
    let Some(f) = f else { return Ok(()) };
    cpu.write_op(bus, ins, 0, size, r)?;
    let which = match ins.mnemonic() {
        M::Rol | M::Ror | M::Rcl | M::Rcr => CF | OF,
        _ => STATUS,
    };
    cpu.s.rflags = merge(cpu.s.rflags, f, which);
    Ok(())
}

/// SHLD / SHRD: shift dest, filling from src ([`flags::shift_double`] has the flags and the
/// vendors' results for the undefined counts).
pub fn shift_double<B: Bus + ?Sized>(
    cpu: &mut Cpu,
    bus: &mut B,
    ins: &Instruction,
) -> Result<(), Fault> {
    let size = cpu.op_size(ins, 0);
    let a = cpu.read_op(bus, ins, 0, size)?;
    let s = cpu.read_op(bus, ins, 1, size)?;
    let c = count(cpu, bus, ins, 2)?;
    let left = ins.mnemonic() == M::Shld;
    let (r, f) = flags::shift_double(cpu.s.vendor, left, a, s, c, size);
    let Some(f) = f else { return Ok(()) };
    cpu.write_op(bus, ins, 0, size, r)?;
    cpu.s.rflags = merge(cpu.s.rflags, f, STATUS);
    Ok(())
}

/// BT / BTS / BTR / BTC: CF = the selected bit. With a register offset and a memory operand
/// the offset addresses any bit relative to the operand (Intel SDM vol. 2, BT).
pub fn bit_test<B: Bus + ?Sized>(
    cpu: &mut Cpu,
    bus: &mut B,
    ins: &Instruction,
) -> Result<(), Fault> {
    let size = cpu.op_size(ins, 0);
    let bits = u64::from(size * 8);
    let off = cpu.read_op(
        bus,
        ins,
        1,
        if ins.op1_kind() == OpKind::Register {
            size
        } else {
            1
        },
    )?;
    let user = cpu.user();
    let (addr, bit) = if ins.op0_kind() == OpKind::Memory && ins.op1_kind() == OpKind::Register {
        let so = flags::sext(off, size);
        let byte = so.div_euclid(bits as i64) * i64::from(size);
        (
            Some(cpu.ea(ins).wrapping_add(byte as u64)),
            so.rem_euclid(bits as i64) as u64,
        )
    } else {
        (None, off % bits)
    };
    let v = match addr {
        Some(a) => bus.read(a, size, user)?,
        None => cpu.read_op(bus, ins, 0, size)?,
    };
    let cf = (v >> bit) & 1 != 0;
    let nv = match ins.mnemonic() {
        M::Bts => Some(v | (1 << bit)),
        M::Btr => Some(v & !(1 << bit)),
        M::Btc => Some(v ^ (1 << bit)),
        _ => None,
    };
    if let Some(nv) = nv {
        match addr {
            Some(a) => bus.write(a, size, nv, user)?,
            None => cpu.write_op(bus, ins, 0, size, nv)?,
        }
    }
    cpu.s.rflags = merge(cpu.s.rflags, if cf { CF } else { 0 }, CF);
    Ok(())
}

/// BSF / BSR (ZF = source is zero; destination unchanged then, as Intel and AMD do; the
/// undefined CF, OF, SF, AF are cleared and PF follows the destination, as recorded on Intel),
/// LZCNT (CF = source is zero, ZF = result is zero), POPCNT (ZF = source is zero, other flags
/// cleared). F3 0F BC, which iced decodes as TZCNT, runs as BSF: the model does not report
/// BMI1 (CPUID.(EAX=7,ECX=0):EBX bit 3), and a processor without it ignores the F3 prefix
/// there (Intel SDM vol. 2 TZCNT: "executed as BSF").
pub fn bit_scan<B: Bus + ?Sized>(
    cpu: &mut Cpu,
    bus: &mut B,
    ins: &Instruction,
) -> Result<(), Fault> {
    let size = cpu.op_size(ins, 0);
    let bits = size * 8;
    let s = cpu.read_op(bus, ins, 1, size)? & mask(size);
    let fl = cpu.s.rflags;
    match ins.mnemonic() {
        M::Bsf | M::Bsr | M::Tzcnt => {
            if s == 0 {
                let d = cpu.read_op(bus, ins, 0, size)?;
                cpu.s.rflags = merge(fl, ZF | flags::parity(d), STATUS);
                return Ok(());
            }
            let r = if ins.mnemonic() != M::Bsr {
                s.trailing_zeros()
            } else {
                63 - s.leading_zeros()
            };
            cpu.write_op(bus, ins, 0, size, u64::from(r))?;
            cpu.s.rflags = merge(fl, flags::parity(u64::from(r)), STATUS);
        }
        M::Lzcnt => {
            let r = if s == 0 {
                bits
            } else {
                s.leading_zeros() - (64 - bits)
            };
            cpu.write_op(bus, ins, 0, size, u64::from(r))?;
            let mut f = if s == 0 { CF } else { 0 };
            if r == 0 {
                f |= ZF;
            }
            cpu.s.rflags = merge(fl, f, CF | ZF);
        }
        _ => {
            cpu.write_op(bus, ins, 0, size, u64::from(s.count_ones()))?;
            cpu.s.rflags = merge(fl, if s == 0 { ZF } else { 0 }, STATUS);
        }
    }
    Ok(())
}
