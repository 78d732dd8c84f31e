//! MUL, IMUL, DIV, IDIV (Intel SDM vol. 2). Division by zero or a quotient that does not fit
//! raises #DE before anything is written.

use super::super::bus::Bus;
use super::super::fault::Fault;
use super::super::flags::{self, mask, sext};
use super::super::state::{RAX, RDX};
use super::super::Cpu;
use iced_x86::{Instruction, Mnemonic as M};

/// Writes a double-width result to AX (8-bit) or rDX:rAX.
fn write_acc_pair(cpu: &mut Cpu, size: u32, lo: u64, hi: u64) {
    let m = mask(size);
    match size {
        1 => cpu.s.gpr[RAX] = (cpu.s.gpr[RAX] & !0xffff) | (lo & 0xff) | ((hi & 0xff) << 8),
        2 => {
            cpu.s.gpr[RAX] = (cpu.s.gpr[RAX] & !0xffff) | (lo & m);
            cpu.s.gpr[RDX] = (cpu.s.gpr[RDX] & !0xffff) | (hi & m);
        }
        _ => {
            cpu.s.gpr[RAX] = lo & m;
            cpu.s.gpr[RDX] = hi & m;
        }
    }
}

/// The flags after a multiply: CF = OF = "the high half is significant", the undefined ones
/// as the core's vendor leaves them ([`flags::mul`]).
fn mul_flags(cpu: &mut Cpu, lo: u64, size: u32, overflow: bool) {
    cpu.s.rflags = flags::mul(cpu.s.vendor, cpu.s.rflags, lo, size, overflow);
}

/// MUL and the one-, two- and three-operand IMUL forms.
pub fn mul<B: Bus + ?Sized>(cpu: &mut Cpu, bus: &mut B, ins: &Instruction) -> Result<(), Fault> {
    let size = cpu.op_size(ins, 0);
    let m = mask(size);
    let bits = size * 8;
    if ins.op_count() == 1 {
        let src = cpu.read_op(bus, ins, 0, size)? & m;
        let acc = cpu.s.gpr[RAX] & m;
        if ins.mnemonic() == M::Mul {
            let p = u128::from(acc) * u128::from(src);
            let (lo, hi) = ((p as u64) & m, ((p >> bits) as u64) & m);
            write_acc_pair(cpu, size, lo, hi);
            mul_flags(cpu, lo, size, hi != 0);
        } else {
            let p = i128::from(sext(acc, size)) * i128::from(sext(src, size));
            let (lo, hi) = ((p as u64) & m, ((p >> bits) as u64) & m);
            write_acc_pair(cpu, size, lo, hi);
            mul_flags(cpu, lo, size, i128::from(sext(lo, size)) != p);
        }
        return Ok(());
    }
    let (a, b) = if ins.op_count() == 2 {
        (
            cpu.read_op(bus, ins, 0, size)?,
            cpu.read_op(bus, ins, 1, size)?,
        )
    } else {
        (
            cpu.read_op(bus, ins, 1, size)?,
            cpu.read_op(bus, ins, 2, size)?,
        )
    };
    let p = i128::from(sext(a, size)) * i128::from(sext(b, size));
    let lo = (p as u64) & m;
    cpu.write_op(bus, ins, 0, size, lo)?;
    mul_flags(cpu, lo, size, i128::from(sext(lo, size)) != p);
    Ok(())
}

/// DIV / IDIV: quotient to rAX (AL), remainder to rDX (AH). The SDM leaves all six flags
/// undefined; they are set as the core's vendor sets them ([`flags::div`]).
pub fn div<B: Bus + ?Sized>(cpu: &mut Cpu, bus: &mut B, ins: &Instruction) -> Result<(), Fault> {
    let size = cpu.op_size(ins, 0);
    let m = mask(size);
    let bits = size * 8;
    let src = cpu.read_op(bus, ins, 0, size)? & m;
    if src == 0 {
        return Err(Fault::DivideError);
    }
    let (lo, hi) = if size == 1 {
        (cpu.s.gpr[RAX] & 0xff, (cpu.s.gpr[RAX] >> 8) & 0xff)
    } else {
        (cpu.s.gpr[RAX] & m, cpu.s.gpr[RDX] & m)
    };
    let dividend = (u128::from(hi) << bits) | u128::from(lo);
    let (q, r) = if ins.mnemonic() == M::Div {
        let q = dividend / u128::from(src);
        if q > u128::from(m) {
            return Err(Fault::DivideError);
        }
        (q as u64, (dividend % u128::from(src)) as u64)
    } else {
        // Sign-extend the 2*bits dividend.
        let sh = 128 - 2 * bits;
        let n = ((dividend << sh) as i128) >> sh;
        let d = i128::from(sext(src, size));
        let (Some(q), Some(rem)) = (n.checked_div(d), n.checked_rem(d)) else {
            return Err(Fault::DivideError);
        };
        let lim = 1i128 << (bits - 1);
        if q >= lim || q < -lim {
            return Err(Fault::DivideError);
        }
        (q as u64 & m, rem as u64 & m)
    };
    write_acc_pair(cpu, size, q, r);
    cpu.s.rflags = flags::div(cpu.s.vendor, cpu.s.rflags);
    Ok(())
}
