//! The x87 environment and state images (FNSTENV/FLDENV, FNSAVE/FRSTOR, FXSAVE/FXRSTOR) and
//! the last-instruction pointers they carry (Intel SDM vol. 1 §8.1.8-8.1.10, figures 8-9 to
//! 8-12; vol. 2 FXSAVE, tables 3-53 to 3-56).
//!
//! Every non-control x87 instruction that completes leaves its address in FIP. Which ones also
//! leave their opcode in FOP and their memory operand's offset in FDP depends on the vendor,
//! as the profiles of [`crate::cpu::vendor`] record:
//!
//! - **Intel** (the Xeon this project is tested on reports CPUID.(EAX=7,ECX=0):EBX bit 6,
//!   FDP_EXCPTN_ONLY, and bit 13, FCS/FDS deprecated): FOP and FDP change only for an
//!   instruction that raises an unmasked exception (FDP only when it has a memory operand);
//!   otherwise they keep their old values. FCS and FDS are stored as zero.
//! - **AMD** (compared with an EPYC of family 1Ah, Zen 5, by `tests/it/cpu_x87_native/`):
//!   FOP for every non-control instruction, FDP for every one with a memory operand. FCS and
//!   FDS are kept and stored: CS with FIP, and with FDP the selector of the operand's segment
//!   (SS for a stack operand; DS, ES, FS and GS are null selectors under Linux in 64-bit
//!   mode). FXSAVE stores FIP, FDP and FOP only while FSW.ES is set (zeros otherwise), and
//!   FXRSTOR loads them only from an image with ES set: what the AMD APM (vol. 4, FXSAVE)
//!   describes for parts without CPUID Fn8000_0008_EBX bit 2 (XSaveErPtr; vol. 3, appendix
//!   E: with it FXSAVE would always save them). That EPYC reports the bit, yet its FXSAVE
//!   and FXSAVE64 store zeros while no exception is pending (measured in user mode, under
//!   KVM); the profile follows what it does and does not report the bit. FNSTENV and FNSAVE
//!   store the pointers always.
//!
//! The control instructions ([`is_control`]) change none of the three. FNINIT (and so
//! FNSAVE) clears them.

use super::super::super::bus::{read128, write128, Access, Bus};
use super::super::super::fault::Fault;
use super::super::super::fp::ext::Ext;
use super::super::super::vendor::Vendor;
use super::super::super::x87::{sw, X87};
use super::super::super::Cpu;
use super::update_summary;
use iced_x86::{Instruction, MemorySize, Mnemonic as M, OpKind, Register};

/// The x87 control instructions, which leave FIP, FOP and FDP alone (Intel SDM vol. 1
/// §8.1.8: FINIT, FCLEX, FLDCW, FSTCW, FSTSW, FLDENV, FSTENV, FRSTOR, FSAVE, FWAIT; and
/// FXSAVE/FXRSTOR). FFREE, FINCSTP, FDECSTP and FNOP are not among them: on the CPU they
/// update FIP too.
pub(super) fn is_control(m: M) -> bool {
    matches!(
        m,
        M::Fninit
            | M::Fnclex
            | M::Fldcw
            | M::Fnstcw
            | M::Fnstsw
            | M::Fldenv
            | M::Fnstenv
            | M::Frstor
            | M::Fnsave
            | M::Wait
            | M::Fxsave
            | M::Fxsave64
            | M::Fxrstor
            | M::Fxrstor64
    )
}

/// Records the pointers after the non-control instruction `ins` completed; `es_before` is
/// FSW.ES before it ran.
pub(super) fn record_pointers<B: Bus + ?Sized>(
    cpu: &mut Cpu,
    bus: &mut B,
    ins: &Instruction,
    es_before: bool,
) {
    cpu.s.x87.fip = ins.ip();
    let amd = cpu.s.vendor == Vendor::Amd;
    if amd {
        cpu.s.x87.fcs = cpu.s.cs;
    }
    let all = match cpu.s.vendor {
        // FDP_EXCPTN_ONLY: only an instruction that raised an unmasked exception.
        Vendor::Intel => !es_before && cpu.s.x87.fsw & sw::ES != 0,
        Vendor::Amd => true,
    };
    if !all {
        return;
    }
    if let Some(op) = opcode(cpu, bus, ins) {
        cpu.s.x87.fop = op;
    }
    if (0..ins.op_count()).any(|i| ins.op_kind(i) == OpKind::Memory) {
        let a = cpu.ea(ins);
        // The offset within the segment: FS and GS bases are not part of it.
        cpu.s.x87.fdp = match ins.memory_segment() {
            Register::FS => a.wrapping_sub(cpu.s.fs_base),
            Register::GS => a.wrapping_sub(cpu.s.gs_base),
            _ => a,
        };
        if amd {
            cpu.s.x87.fds = match ins.memory_segment() {
                Register::SS => cpu.s.ss,
                _ => 0,
            };
        }
    }
}

/// FOP of `ins`: the low three bits of its first opcode byte (D8-DF, after any prefixes)
/// and its ModR/M byte (vol. 1 §8.1.10, figure 8-9), read back from the code.
fn opcode<B: Bus + ?Sized>(cpu: &Cpu, bus: &mut B, ins: &Instruction) -> Option<u16> {
    let u = cpu.user();
    let ip = ins.ip();
    for k in 0..ins.len().saturating_sub(1) as u64 {
        let b = bus.read(ip.wrapping_add(k), 1, u).ok()?;
        if (0xd8..=0xdf).contains(&b) {
            let modrm = bus.read(ip.wrapping_add(k + 1), 1, u).ok()?;
            return Some((((b & 7) << 8) | modrm) as u16);
        }
    }
    None
}

/// True for the 16-bit forms (an operand-size prefix: 14-byte environment, 94-byte state);
/// `Err` for a memory size that is neither.
fn small_form(ins: &Instruction) -> Result<bool, Fault> {
    match ins.memory_size() {
        MemorySize::FpuEnv14 | MemorySize::FpuState94 => Ok(true),
        MemorySize::FpuEnv28 | MemorySize::FpuState108 => Ok(false),
        _ => Err(super::super::unsupported(ins)),
    }
}

/// The environment in the 32-bit protected-mode layout (vol. 1 figure 8-9) as seven
/// doublewords: FCW, FSW, FTW, FIP[31:0], FCS and FOP in bits 16-26, FDP[31:0], FDS (FCS and
/// FDS zero in the Intel profile); the unused upper halves of the first three and the last
/// read as ones on the CPU.
fn env32(x: &X87) -> [u32; 7] {
    [
        0xffff_0000 | u32::from(x.fcw),
        0xffff_0000 | u32::from(x.status()),
        0xffff_0000 | u32::from(x.tag_word()),
        x.fip as u32,
        u32::from(x.fcs) | u32::from(x.fop & 0x7ff) << 16,
        x.fdp as u32,
        0xffff_0000 | u32::from(x.fds),
    ]
}

/// The environment in the 16-bit protected-mode layout (vol. 1 figure 8-11) as seven words:
/// FCW, FSW, FTW, FIP[15:0], FCS, FDP[15:0], FDS (no FOP).
fn env16(x: &X87) -> [u16; 7] {
    [
        x.fcw,
        x.status(),
        x.tag_word(),
        x.fip as u16,
        x.fcs,
        x.fdp as u16,
        x.fds,
    ]
}

/// FNSTENV and FNSAVE, 32- and 16-bit forms.
pub(super) fn fnstenv<B: Bus + ?Sized>(
    cpu: &mut Cpu,
    bus: &mut B,
    ins: &Instruction,
) -> Result<(), Fault> {
    let a = cpu.ea(ins);
    let small = small_form(ins)?;
    let save = ins.mnemonic() == M::Fnsave;
    let u = cpu.user();
    let len: u64 = if small { 14 } else { 28 };
    bus.probe(a, len + if save { 80 } else { 0 }, Access::Write, u)?;
    if small {
        for (k, w) in env16(&cpu.s.x87).iter().enumerate() {
            bus.write(a + 2 * k as u64, 2, u64::from(*w), u)?;
        }
    } else {
        for (k, w) in env32(&cpu.s.x87).iter().enumerate() {
            bus.write(a + 4 * k as u64, 4, u64::from(*w), u)?;
        }
    }
    if save {
        for i in 0..8 {
            let r = cpu.s.x87.st(i);
            let at = a + len + 10 * i as u64;
            bus.write(at, 8, r.sig, u)?;
            bus.write(at + 8, 2, u64::from(r.se), u)?;
        }
        // Then FNINIT (pointers and opcode cleared); the registers keep their contents, as
        // on the CPU.
        let regs = cpu.s.x87.regs;
        cpu.s.x87 = X87 {
            regs,
            ..Default::default()
        };
    } else {
        // FNSTENV masks all exceptions afterwards; with nothing unmasked, ES and B clear (as
        // after an FLDCW that masks them: the CPU shows it).
        cpu.s.x87.fcw |= 0x3f;
        update_summary(cpu);
    }
    Ok(())
}

/// FLDENV and FRSTOR, 32- and 16-bit forms. The 16-bit environment has no FOP: it loads as
/// zero, and FIP and FDP as their 16 bits (as the CPU does).
pub(super) fn fldenv<B: Bus + ?Sized>(
    cpu: &mut Cpu,
    bus: &mut B,
    ins: &Instruction,
) -> Result<(), Fault> {
    let a = cpu.ea(ins);
    let small = small_form(ins)?;
    let u = cpu.user();
    let (len, step, size): (u64, u64, u32) = if small { (14, 2, 2) } else { (28, 4, 4) };
    let mut w = [0u64; 7];
    for (k, v) in w.iter_mut().enumerate() {
        *v = bus.read(a + step * k as u64, size, u)?;
    }
    let mut regs = [Ext::default(); 8];
    let restore = ins.mnemonic() == M::Frstor;
    let amd = cpu.s.vendor == Vendor::Amd;
    if restore {
        for (i, r) in regs.iter_mut().enumerate() {
            let at = a + len + 10 * i as u64;
            r.sig = bus.read(at, 8, u)?;
            r.se = bus.read(at + 8, 2, u)? as u16;
        }
    }
    let x = &mut cpu.s.x87;
    x.fcw = w[0] as u16;
    x.set_status(w[1] as u16);
    x.set_tag_word(w[2] as u16);
    x.fip = w[3];
    x.fop = if small {
        0
    } else {
        (w[4] >> 16) as u16 & 0x7ff
    };
    x.fdp = w[5];
    if amd {
        // The 32-bit layout has FOP in the upper half of the FCS doubleword.
        x.fcs = w[4] as u16;
        x.fds = w[6] as u16;
    }
    if restore {
        for (i, r) in regs.iter().enumerate() {
            let p = x.phys(i);
            x.regs[p] = *r;
        }
    }
    update_summary(cpu);
    Ok(())
}

/// The address of an FXSAVE/FXRSTOR area: it must be 16-aligned, else #GP (SDM vol. 2A,
/// FXSAVE and FXRSTOR, "Protected Mode Exceptions").
fn aligned_area(cpu: &Cpu, ins: &Instruction, what: &str) -> Result<u64, Fault> {
    let a = cpu.ea(ins);
    if a & 15 != 0 {
        return Err(Fault::gp(format!(
            "`{ins}`: misaligned {what} area at {a:#x}"
        )));
    }
    Ok(a)
}

/// FXSAVE and FXSAVE64: the 512-byte x87/SSE image, 16-aligned.
pub(super) fn fxsave<B: Bus + ?Sized>(
    cpu: &mut Cpu,
    bus: &mut B,
    ins: &Instruction,
) -> Result<(), Fault> {
    let a = aligned_area(cpu, ins, "FXSAVE")?;
    let u = cpu.user();
    bus.probe(a, 512, Access::Write, u)?;
    let img = cpu.fxsave_image_as(ins.mnemonic() == M::Fxsave64);
    for (i, w) in img.chunks_exact(16).enumerate() {
        let mut b = [0u8; 16];
        b.copy_from_slice(w);
        write128(bus, a + 16 * i as u64, u128::from_le_bytes(b), u)?;
    }
    Ok(())
}

/// FXRSTOR and FXRSTOR64: the inverse (#GP for reserved MXCSR bits).
pub(super) fn fxrstor<B: Bus + ?Sized>(
    cpu: &mut Cpu,
    bus: &mut B,
    ins: &Instruction,
) -> Result<(), Fault> {
    let a = aligned_area(cpu, ins, "FXRSTOR")?;
    let u = cpu.user();
    let mut img = [0u8; 512];
    for (i, w) in img.chunks_exact_mut(16).enumerate() {
        w.copy_from_slice(&read128(bus, a + 16 * i as u64, u)?.to_le_bytes());
    }
    cpu.fxrstor_image_as(&img, ins.mnemonic() == M::Fxrstor64)
        .map_err(|mx| Fault::gp(format!("`{ins}`: reserved MXCSR bits in {mx:#x}")))
}

impl Cpu {
    /// The 512-byte image FXSAVE64 stores, the one the kernel writes into a 64-bit signal
    /// frame (arch/x86/kernel/fpu/signal.c): see [`Cpu::fxsave_image_as`].
    pub fn fxsave_image(&self) -> [u8; 512] {
        self.fxsave_image_as(true)
    }

    /// The 512-byte image FXSAVE (`wide` false) or FXSAVE64 (`wide` true) stores (Intel SDM
    /// vol. 2 FXSAVE, tables 3-53 and 3-56): FCW, FSW, the abridged tag byte, FOP; FIP as 64
    /// bits (FXSAVE64) or as 32 bits and FCS; FDP likewise with FDS; MXCSR and MXCSR_MASK;
    /// ST0-ST7 in 16-byte slots; XMM0-15. The reserved bytes are zero, and so are FCS and FDS
    /// in the Intel profile. The AMD profile stores FIP, FDP and FOP (and FCS, FDS) as zero
    /// while FSW.ES is clear (see the module docs).
    pub fn fxsave_image_as(&self, wide: bool) -> [u8; 512] {
        let x = &self.s.x87;
        let mut img = [0u8; 512];
        let (fop, fip, fdp) = match (self.error_pointers_saved(x.fsw), wide) {
            (false, _) => (0, 0, 0),
            (true, true) => (x.fop & 0x7ff, x.fip, x.fdp),
            // FCS in bits 32-47 of FIP's quadword, FDS likewise of FDP's.
            (true, false) => (
                x.fop & 0x7ff,
                x.fip & 0xffff_ffff | u64::from(x.fcs) << 32,
                x.fdp & 0xffff_ffff | u64::from(x.fds) << 32,
            ),
        };
        let w0 = u128::from(x.fcw)
            | (u128::from(x.status()) << 16)
            | (u128::from(x.valid) << 32)
            | (u128::from(fop) << 48)
            | (u128::from(fip) << 64);
        // Bytes 16-23 FDP, 24-27 MXCSR, 28-31 MXCSR_MASK.
        let mask = super::super::super::fp::mxcsr::writable(self.s.vendor);
        let w1 = u128::from(fdp) | u128::from(self.s.mxcsr) << 64 | (u128::from(mask) << 96);
        img[..16].copy_from_slice(&w0.to_le_bytes());
        img[16..32].copy_from_slice(&w1.to_le_bytes());
        for i in 0..8 {
            let o = 32 + 16 * i;
            img[o..o + 16].copy_from_slice(&x.st(i).to_bits().to_le_bytes());
        }
        for (i, v) in self.s.xmm.iter().enumerate() {
            let o = 160 + 16 * i;
            img[o..o + 16].copy_from_slice(&v.to_le_bytes());
        }
        img
    }

    /// Whether FXSAVE stores the x87 error pointers (and FXRSTOR loads them) with `fsw` the
    /// status word: always on Intel; on AMD only while an exception is pending (FSW.ES).
    fn error_pointers_saved(&self, fsw: u16) -> bool {
        self.s.vendor == Vendor::Intel || fsw & sw::ES != 0
    }

    /// Loads an FXSAVE64 image as FXRSTOR64 does: see [`Cpu::fxrstor_image_as`].
    pub fn fxrstor_image(&mut self, img: &[u8; 512]) -> Result<(), u32> {
        self.fxrstor_image_as(img, true)
    }

    /// Loads an image as FXRSTOR (`wide` false: FIP and FDP from their 32-bit fields) or
    /// FXRSTOR64 (`wide` true) does; `Err(mxcsr)` (nothing changed) when it sets reserved
    /// MXCSR bits, where FXRSTOR raises #GP. The AMD profile keeps its pointers when the
    /// image's FSW.ES is clear.
    pub fn fxrstor_image_as(&mut self, img: &[u8; 512], wide: bool) -> Result<(), u32> {
        let word = |i: usize| {
            let mut b = [0u8; 16];
            b.copy_from_slice(&img[16 * i..16 * i + 16]);
            u128::from_le_bytes(b)
        };
        let (w0, w1) = (word(0), word(1));
        let mx = (w1 >> 64) as u32;
        if mx & !super::super::super::fp::mxcsr::writable(self.s.vendor) != 0 {
            return Err(mx);
        }
        let fsw = (w0 >> 16) as u16;
        let pointers = self.error_pointers_saved(fsw);
        let amd = self.s.vendor == Vendor::Amd;
        let x = &mut self.s.x87;
        x.fcw = w0 as u16;
        x.set_status(fsw);
        x.valid = (w0 >> 32) as u8;
        if pointers {
            let mask = if wide { u64::MAX } else { 0xffff_ffff };
            x.fop = ((w0 >> 48) as u16) & 0x7ff;
            x.fip = (w0 >> 64) as u64 & mask;
            x.fdp = w1 as u64 & mask;
            if !wide && amd {
                x.fcs = (w0 >> 96) as u16;
                x.fds = (w1 >> 32) as u16;
            }
        }
        for i in 0..8 {
            let p = x.phys(i);
            x.regs[p] = Ext::from_bits(word(2 + i));
        }
        self.s.mxcsr = mx;
        for (i, r) in self.s.xmm.iter_mut().enumerate() {
            *r = word(10 + i);
        }
        update_summary(self);
        Ok(())
    }
}
