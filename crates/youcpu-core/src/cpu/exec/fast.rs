//! The compact handlers: execute a pre-decoded [`Uop`] (see [`crate::cpu::uop`]). Each one
//! does exactly what the generic handler for the same form does (`arith::binary`,
//! `logic::binary`, `logic::shift`, `data::mov`, `control::*`, ...): same operand reads in the
//! same order, the same flag helpers, memory written before flags change so a faulting store
//! leaves RFLAGS as it was; only the operand-kind dispatch is gone.

use super::super::bus::Bus;
use super::super::fault::Fault;
use super::super::flags::{self, mask, merge, sext};
use super::super::state::rflags::{CF, STATUS};
use super::super::state::{State, RSP};
use super::super::uop::{alu, shift, Op, Uop, NO_REG};
use super::condition;

/// Reads general register `r` at `size` bytes.
#[inline(always)]
fn get(s: &State, r: u8, size: u32) -> u64 {
    s.gpr[r as usize & 15] & mask(size)
}

/// Writes general register `r` at `size` bytes: 32-bit writes zero the upper half, 8/16-bit
/// writes keep the rest (Intel SDM vol. 1 §3.4.1.1), as `Cpu::set_reg`.
#[inline(always)]
fn put(s: &mut State, r: u8, size: u32, v: u64) {
    let slot = &mut s.gpr[r as usize & 15];
    *slot = match size {
        1 => (*slot & !0xff) | (v & 0xff),
        2 => (*slot & !0xffff) | (v & 0xffff),
        4 => v & 0xffff_ffff,
        _ => v,
    };
}

/// The offset part of an address (Intel SDM vol. 1 §3.7.5): displacement + base + index * scale.
#[inline(always)]
fn offset(s: &State, u: &Uop) -> u64 {
    let g = &s.gpr;
    let mut a = u.disp;
    if u.base != NO_REG {
        a = a.wrapping_add(g[u.base as usize & 15]);
    }
    if u.index != NO_REG {
        a = a.wrapping_add(g[u.index as usize & 15].wrapping_mul(u64::from(u.scale)));
    }
    a
}

/// The effective address, as `Cpu::ea`: the [`offset`], truncated for 32-bit addressing, plus
/// the FS/GS base.
#[inline(always)]
fn ea(s: &State, u: &Uop) -> u64 {
    let mut a = offset(s, u);
    if u.addr32 {
        a &= 0xffff_ffff;
    }
    match u.seg {
        0 => a,
        1 => a.wrapping_add(s.fs_base),
        _ => a.wrapping_add(s.gs_base),
    }
}

/// True in ring 3 (`Cpu::user`).
#[inline(always)]
fn user(s: &State) -> bool {
    s.cs & 3 == 3
}

/// Pushes `size` bytes; the store happens before RSP changes, so a fault leaves RSP intact
/// (`Cpu::push`).
#[inline(always)]
fn push<B: Bus + ?Sized>(s: &mut State, bus: &mut B, v: u64, size: u32) -> Result<(), Fault> {
    let sp = s.gpr[RSP].wrapping_sub(u64::from(size));
    bus.write(sp, size, v, user(s))?;
    s.gpr[RSP] = sp;
    Ok(())
}

/// Pops `size` bytes (`Cpu::pop`).
#[inline(always)]
fn pop<B: Bus + ?Sized>(s: &mut State, bus: &mut B, size: u32) -> Result<u64, Fault> {
    let sp = s.gpr[RSP];
    let v = bus.read(sp, size, user(s))?;
    s.gpr[RSP] = sp.wrapping_add(u64::from(size));
    Ok(v)
}

/// An ALU operation: (result, flags, whether the destination is written).
#[inline(always)]
fn compute(op: u8, a: u64, b: u64, rflags: u64, size: u32) -> (u64, u64, bool) {
    let cf = rflags & CF != 0;
    match op {
        alu::ADD => {
            let (r, f) = flags::add(a, b, false, size);
            (r, f, true)
        }
        alu::OR => (a | b, flags::logic(a | b, size), true),
        alu::ADC => {
            let (r, f) = flags::add(a, b, cf, size);
            (r, f, true)
        }
        alu::SBB => {
            let (r, f) = flags::sub(a, b, cf, size);
            (r, f, true)
        }
        alu::AND => (a & b, flags::logic(a & b, size), true),
        alu::SUB => {
            let (r, f) = flags::sub(a, b, false, size);
            (r, f, true)
        }
        alu::XOR => (a ^ b, flags::logic(a ^ b, size), true),
        alu::CMP => {
            let (r, f) = flags::sub(a, b, false, size);
            (r, f, false)
        }
        _ => (a & b, flags::logic(a & b, size), false),
    }
}

/// Executes a pre-decoded instruction (not [`Op::Generic`]). RIP already points at the next
/// instruction.
#[inline(always)]
pub fn run<B: Bus + ?Sized>(s: &mut State, bus: &mut B, u: &Uop) -> Result<(), Fault> {
    // One copy of the handlers per operand size, so the masks and sign bits are constants.
    match u.size {
        8 => sized::<B, 8>(s, bus, u),
        4 => sized::<B, 4>(s, bus, u),
        2 => sized::<B, 2>(s, bus, u),
        _ => sized::<B, 1>(s, bus, u),
    }
}

/// [`run`] for operand size `SIZE` (= `u.size`).
#[inline(always)]
fn sized<B: Bus + ?Sized, const SIZE: u32>(
    s: &mut State,
    bus: &mut B,
    u: &Uop,
) -> Result<(), Fault> {
    let size = SIZE;
    match u.op {
        Op::AluRR | Op::AluRI | Op::AluRM => {
            let a = get(s, u.r0, size);
            let b = match u.op {
                Op::AluRR => get(s, u.r1, size),
                Op::AluRI => u.imm,
                _ => bus.read(ea(s, u), size, user(s))?,
            };
            let (r, f, write) = compute(u.alu, a, b, s.rflags, size);
            if write {
                put(s, u.r0, size, r);
            }
            s.rflags = merge(s.rflags, f, STATUS);
        }
        Op::AluMR | Op::AluMI => {
            let user = user(s);
            let addr = ea(s, u);
            let a = bus.read(addr, size, user)?;
            let b = if u.op == Op::AluMR {
                get(s, u.r1, size)
            } else {
                u.imm
            };
            let (r, f, write) = compute(u.alu, a, b, s.rflags, size);
            if write {
                bus.write(addr, size, r, user)?;
            }
            s.rflags = merge(s.rflags, f, STATUS);
        }
        Op::MovRR => {
            let v = get(s, u.r1, size);
            put(s, u.r0, size, v);
        }
        Op::MovRI => put(s, u.r0, size, u.imm),
        Op::Load => {
            let v = bus.read(ea(s, u), size, user(s))?;
            put(s, u.r0, size, v);
        }
        Op::Store => {
            let v = get(s, u.r1, size);
            bus.write(ea(s, u), size, v, user(s))?;
        }
        Op::StoreI => bus.write(ea(s, u), size, u.imm, user(s))?,
        Op::Lea => put(s, u.r0, size, offset(s, u) & mask(size)),
        Op::IncR | Op::DecR => {
            let a = get(s, u.r0, size);
            let (r, f) = if u.op == Op::IncR {
                flags::add(a, 1, false, size)
            } else {
                flags::sub(a, 1, false, size)
            };
            put(s, u.r0, size, r);
            s.rflags = merge(s.rflags, f, STATUS & !CF);
        }
        Op::ShiftRI | Op::ShiftRCl => {
            let a = get(s, u.r0, size);
            let c = if u.op == Op::ShiftRI {
                u.imm
            } else {
                s.gpr[1] & 0xff
            };
            let (r, f) = match u.alu {
                shift::SHL => flags::shl(s.vendor, a, c, size),
                shift::SHR => flags::shr(s.vendor, a, c, size),
                _ => flags::sar(s.vendor, a, c, size),
            };
            // A masked count of 0 changes nothing, not even the register's upper half.
            if let Some(f) = f {
                put(s, u.r0, size, r);
                s.rflags = merge(s.rflags, f, STATUS);
            }
        }
        Op::Jcc => {
            if condition(s.rflags, u.cc) {
                s.rip = u.imm;
            }
        }
        Op::Jmp => s.rip = u.imm,
        Op::Call => {
            let ret = s.rip;
            push(s, bus, ret, 8)?;
            s.rip = u.imm;
        }
        Op::Ret => s.rip = pop(s, bus, 8)?,
        Op::PushR => {
            let v = get(s, u.r0, size);
            push(s, bus, v, size)?;
        }
        Op::PushI => push(s, bus, u.imm, size)?,
        Op::PopR => {
            let v = pop(s, bus, size)?;
            put(s, u.r0, size, v);
        }
        Op::MovzxRR | Op::MovzxRM | Op::MovsxRR | Op::MovsxRM => {
            let ss = u32::from(u.ssize);
            let v = if matches!(u.op, Op::MovzxRR | Op::MovsxRR) {
                get(s, u.r1, ss)
            } else {
                bus.read(ea(s, u), ss, user(s))? & mask(ss)
            };
            let v = if matches!(u.op, Op::MovzxRR | Op::MovzxRM) {
                v
            } else {
                sext(v, ss) as u64 & mask(size)
            };
            put(s, u.r0, size, v);
        }
        Op::CmovRR | Op::CmovRM => {
            // The source is read (and may fault) whatever the condition.
            let v = if u.op == Op::CmovRR {
                get(s, u.r1, size)
            } else {
                bus.read(ea(s, u), size, user(s))?
            };
            if condition(s.rflags, u.cc) {
                put(s, u.r0, size, v);
            } else if size == 4 {
                let old = get(s, u.r0, 4);
                put(s, u.r0, 4, old);
            }
        }
        Op::SetccR => {
            let v = u64::from(condition(s.rflags, u.cc));
            put(s, u.r0, 1, v);
        }
        Op::Nop => {}
        Op::Generic => {
            return Err(Fault::ud(
                "internal: an instruction without a compact form reached the compact handlers",
            ))
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::super::super::bus::{Access, Bus, PagingConfig};
    use super::super::super::fault::Fault;
    use super::super::super::uop::{compile, Op};
    use super::super::super::Cpu;
    use iced_x86::{Decoder, DecoderOptions};

    /// Flat memory at linear 0..len; anything outside faults, so both paths meet the same
    /// faults at the same addresses.
    #[derive(Clone, PartialEq, Eq, Debug)]
    struct Flat(Vec<u8>);

    impl Flat {
        fn check(&self, addr: u64, len: u64, write: bool) -> Result<usize, Fault> {
            match addr.checked_add(len) {
                Some(end) if end <= self.0.len() as u64 => Ok(addr as usize),
                _ => Err(Fault::PageFault {
                    addr,
                    code: if write { 2 } else { 0 },
                }),
            }
        }
    }

    impl Bus for Flat {
        fn read(&mut self, addr: u64, size: u32, _user: bool) -> Result<u64, Fault> {
            let a = self.check(addr, u64::from(size), false)?;
            let mut v = 0u64;
            for i in 0..size as usize {
                v |= u64::from(self.0[a + i]) << (8 * i);
            }
            Ok(v)
        }
        fn write(&mut self, addr: u64, size: u32, value: u64, _user: bool) -> Result<(), Fault> {
            let a = self.check(addr, u64::from(size), true)?;
            for i in 0..size as usize {
                self.0[a + i] = (value >> (8 * i)) as u8;
            }
            Ok(())
        }
        fn probe(&mut self, addr: u64, len: u64, access: Access, _user: bool) -> Result<(), Fault> {
            self.check(addr, len, access == Access::Write).map(|_| ())
        }
        fn translate_fetch(&mut self, addr: u64, _user: bool) -> Result<u64, Fault> {
            Ok(addr)
        }
        fn read_phys(&self, _paddr: u64, buf: &mut [u8]) {
            buf.fill(0);
        }
        fn set_paging(&mut self, _cfg: PagingConfig) {}
        fn invlpg(&mut self, _addr: u64) {}
        fn translation_epoch(&self) -> u64 {
            0
        }
        fn mark_code_frame(&mut self, _frame: u64) {}
        fn code_writes_pending(&self) -> bool {
            false
        }
        fn take_code_writes(&mut self, _out: &mut Vec<u64>) {}
    }

    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
    }

    /// Opcode starts that lead to the forms with a compact handler (and their neighbours).
    const LEADS: &[&[u8]] = &[
        &[],
        &[0x0f],
        &[0x66],
        &[0x67],
        &[0x64],
        &[0x65],
        &[0x48],
        &[0x4c],
        &[0x41],
        &[0x45],
        &[0x49],
        &[0x4d],
        &[0x66, 0x41],
        &[0x67, 0x48],
        &[0x64, 0x48],
        &[0x48, 0x0f],
        &[0x44, 0x0f],
        &[0x66, 0x0f],
    ];

    /// Every pre-decoded form does what the generic handler does: same registers, flags,
    /// RIP, memory and fault, from random states (registers often small so memory operands
    /// land in the flat memory, sometimes not so they fault).
    #[test]
    fn compact_handlers_match_the_generic_handlers() {
        let mut rng = Rng(0x2545_f491_4f6c_dd1d);
        let mut compared = 0u32;
        let mut kinds = std::collections::HashSet::new();
        let mut base = Flat(vec![0; 0x4000]);
        for b in base.0.iter_mut() {
            *b = rng.next() as u8;
        }
        for _ in 0..400_000 {
            let lead = LEADS[(rng.next() % LEADS.len() as u64) as usize];
            let mut bytes = lead.to_vec();
            let r = rng.next().to_le_bytes();
            let r2 = rng.next().to_le_bytes();
            bytes.extend_from_slice(&r);
            bytes.extend_from_slice(&r2);
            let ip = 0x1000 + (rng.next() % 0x100);
            let mut dec = Decoder::with_ip(64, &bytes, ip, DecoderOptions::NONE);
            let ins = dec.decode();
            if ins.is_invalid() {
                continue;
            }
            let u = compile(&ins);
            if u.op == Op::Generic {
                continue;
            }
            kinds.insert(format!("{:?}", u.op));
            let mut cpu = Cpu::new();
            for g in cpu.s.gpr.iter_mut() {
                *g = match rng.next() % 4 {
                    0 => rng.next(),
                    1 => rng.next() % 0x10,
                    _ => 0x100 + rng.next() % 0x3000,
                };
            }
            cpu.s.rflags = 2 | (rng.next() & 0x8d5);
            cpu.s.fs_base = rng.next() % 0x1000;
            cpu.s.gs_base = rng.next() % 0x1000;
            cpu.s.cs = if rng.next().is_multiple_of(2) {
                0x33
            } else {
                0x10
            };
            let mut mem = base.clone();
            for _ in 0..8 {
                let at = (rng.next() % base.0.len() as u64) as usize;
                mem.0[at] = rng.next() as u8;
            }
            let (mut c1, mut m1) = (cpu.clone(), mem.clone());
            c1.s.rip = ins.next_ip();
            let e1 = super::super::execute(&mut c1, &mut m1, &ins);
            let (mut c2, mut m2) = (cpu, mem);
            c2.s.rip = u.next_ip;
            let e2 = super::run(&mut c2.s, &mut m2, &u);
            assert_eq!(e1, e2, "{ins} ({:?}): result", u.op);
            assert_eq!(c1.s, c2.s, "{ins} ({:?}): state", u.op);
            assert!(m1 == m2, "{ins} ({:?}): memory", u.op);
            compared += 1;
        }
        eprintln!("{compared} instructions compared, forms: {kinds:?}");
        assert!(compared > 20_000, "only {compared} instructions compared");
        assert!(
            kinds.len() >= 28,
            "only these forms were reached: {kinds:?}"
        );
    }
}
