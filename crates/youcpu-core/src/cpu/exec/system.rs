//! System instructions: INT n, INT3, IRETQ, SYSCALL, SYSRETQ, HLT, CLI/STI, MOV to/from CRn,
//! RDMSR/WRMSR, INVLPG, LIDT/SIDT, SWAPGS, RDTSC, RD/WR FS/GS BASE, port I/O. Privileged ones
//! raise #GP(0) outside ring 0 (Intel SDM vol. 3 §5.9).

use super::super::bus::Bus;
use super::super::fault::Fault;
use super::super::state::rflags::{IF, IOPL};
use super::super::state::{msr, RAX, RCX, RDX};
use super::super::vendor::Vendor;
use super::super::Cpu;
use iced_x86::{Instruction, Mnemonic as M, Register};

fn ring0(cpu: &Cpu, ins: &Instruction) -> Result<(), Fault> {
    if cpu.s.cpl() != 0 {
        return Err(Fault::gp(format!(
            "`{ins}` is privileged and the CPU is in ring {}",
            cpu.s.cpl()
        )));
    }
    Ok(())
}

fn iopl_ok(cpu: &Cpu, ins: &Instruction) -> Result<(), Fault> {
    let iopl = ((cpu.s.rflags & IOPL) >> 12) as u8;
    if cpu.s.cpl() > iopl {
        return Err(Fault::gp(format!(
            "`{ins}` needs CPL <= IOPL ({iopl}) and the CPU is in ring {}",
            cpu.s.cpl()
        )));
    }
    Ok(())
}

/// MOV to/from CR0, CR2, CR3, CR4 (ring 0). Writing CR0/CR3/CR4 reloads paging and flushes
/// the TLB.
pub fn mov_cr<B: Bus + ?Sized>(cpu: &mut Cpu, bus: &mut B, ins: &Instruction) -> Result<(), Fault> {
    ring0(cpu, ins)?;
    let (dst, src) = (ins.op0_register(), ins.op1_register());
    if dst.is_cr() {
        let v = cpu.reg(src);
        match dst {
            Register::CR0 => cpu.s.cr0 = v,
            Register::CR2 => cpu.s.cr2 = v,
            Register::CR3 => cpu.s.cr3 = v,
            Register::CR4 => cpu.s.cr4 = v,
            _ => return Err(Fault::ud(format!("{ins}: no such control register"))),
        }
        if dst != Register::CR2 {
            cpu.sync_paging(bus);
        }
        return Ok(());
    }
    let v = match src {
        Register::CR0 => cpu.s.cr0,
        Register::CR2 => cpu.s.cr2,
        Register::CR3 => cpu.s.cr3,
        Register::CR4 => cpu.s.cr4,
        _ => {
            return Err(Fault::ud(format!(
                "{ins}: debug and other control registers are not modelled"
            )))
        }
    };
    cpu.set_reg(dst, v);
    Ok(())
}

/// MOV to/from segment registers: not modelled (flat 64-bit segments).
pub fn mov_seg<B: Bus + ?Sized>(
    cpu: &mut Cpu,
    _bus: &mut B,
    ins: &Instruction,
) -> Result<(), Fault> {
    let _ = cpu;
    Err(super::unsupported(ins))
}

fn rdmsr(cpu: &Cpu, n: u32) -> Result<u64, Fault> {
    Ok(match n {
        msr::EFER => cpu.s.efer,
        msr::STAR => cpu.s.star,
        msr::LSTAR => cpu.s.lstar,
        msr::FMASK => cpu.s.fmask,
        msr::FS_BASE => cpu.s.fs_base,
        msr::GS_BASE => cpu.s.gs_base,
        msr::KERNEL_GS_BASE => cpu.s.kernel_gs_base,
        _ => {
            return Err(Fault::gp(format!(
                "rdmsr of MSR {n:#x}, which the model does not have"
            )))
        }
    })
}

fn wrmsr<B: Bus + ?Sized>(cpu: &mut Cpu, bus: &mut B, n: u32, v: u64) -> Result<(), Fault> {
    match n {
        msr::EFER => {
            cpu.s.efer = v;
            cpu.sync_paging(bus);
        }
        msr::STAR => cpu.s.star = v,
        msr::LSTAR => cpu.s.lstar = v,
        msr::FMASK => cpu.s.fmask = v,
        msr::FS_BASE => cpu.s.fs_base = v,
        msr::GS_BASE => cpu.s.gs_base = v,
        msr::KERNEL_GS_BASE => cpu.s.kernel_gs_base = v,
        _ => {
            return Err(Fault::gp(format!(
                "wrmsr to MSR {n:#x}, which the model does not have"
            )))
        }
    }
    Ok(())
}

/// The system instructions.
pub fn system<B: Bus + ?Sized>(cpu: &mut Cpu, bus: &mut B, ins: &Instruction) -> Result<(), Fault> {
    match ins.mnemonic() {
        M::Int => Err(Fault::SoftwareInterrupt {
            vector: ins.immediate(0) as u8,
        }),
        M::Int3 => Err(Fault::Breakpoint),
        M::Iretq => cpu.iretq(bus),
        M::Syscall => cpu.syscall(),
        M::Sysretq => cpu.sysret(),
        M::Hlt => {
            ring0(cpu, ins)?;
            cpu.halted = true;
            Ok(())
        }
        M::Cli => {
            iopl_ok(cpu, ins)?;
            cpu.s.rflags &= !IF;
            Ok(())
        }
        M::Sti => {
            iopl_ok(cpu, ins)?;
            cpu.s.rflags |= IF;
            Ok(())
        }
        M::Ud0 | M::Ud1 | M::Ud2 => Err(Fault::ud(format!(
            "`{ins}` (the defined invalid instruction)"
        ))),
        M::Rdmsr => {
            ring0(cpu, ins)?;
            let v = rdmsr(cpu, cpu.s.gpr[RCX] as u32)?;
            cpu.s.gpr[RAX] = v & 0xffff_ffff;
            cpu.s.gpr[RDX] = v >> 32;
            Ok(())
        }
        M::Wrmsr => {
            ring0(cpu, ins)?;
            let v = (cpu.s.gpr[RDX] << 32) | (cpu.s.gpr[RAX] & 0xffff_ffff);
            wrmsr(cpu, bus, cpu.s.gpr[RCX] as u32, v)
        }
        M::Invlpg => {
            ring0(cpu, ins)?;
            bus.invlpg(cpu.ea(ins));
            Ok(())
        }
        M::Lidt => {
            ring0(cpu, ins)?;
            let a = cpu.ea(ins);
            let limit = bus.read(a, 2, false)? as u16;
            let base = bus.read(a.wrapping_add(2), 8, false)?;
            cpu.s.idtr = super::super::state::DescriptorTable { base, limit };
            Ok(())
        }
        M::Sidt => {
            let a = cpu.ea(ins);
            let user = cpu.user();
            bus.probe(a, 10, super::super::bus::Access::Write, user)?;
            bus.write(a, 2, u64::from(cpu.s.idtr.limit), user)?;
            bus.write(a.wrapping_add(2), 8, cpu.s.idtr.base, user)
        }
        M::Swapgs => {
            ring0(cpu, ins)?;
            std::mem::swap(&mut cpu.s.gs_base, &mut cpu.s.kernel_gs_base);
            Ok(())
        }
        M::Rdtsc => {
            // Deterministic: the time-stamp counter is the number of instructions retired.
            let t = cpu.retired_user + cpu.retired_kernel;
            cpu.s.gpr[RAX] = t & 0xffff_ffff;
            cpu.s.gpr[RDX] = t >> 32;
            Ok(())
        }
        M::Cpuid => {
            let (a, b, c, d) = cpuid(cpu.s.vendor, cpu.s.gpr[RAX] as u32, cpu.s.gpr[RCX] as u32);
            cpu.s.gpr[RAX] = u64::from(a);
            cpu.s.gpr[super::super::state::RBX] = u64::from(b);
            cpu.s.gpr[RCX] = u64::from(c);
            cpu.s.gpr[RDX] = u64::from(d);
            Ok(())
        }
        M::Rdfsbase | M::Rdgsbase | M::Wrfsbase | M::Wrgsbase => {
            if cpu.s.cr4 & (1 << 16) == 0 {
                return Err(Fault::ud(format!("`{ins}` with CR4.FSGSBASE clear")));
            }
            let r = ins.op0_register();
            match ins.mnemonic() {
                M::Rdfsbase => cpu.set_reg(r, cpu.s.fs_base),
                M::Rdgsbase => cpu.set_reg(r, cpu.s.gs_base),
                M::Wrfsbase => cpu.s.fs_base = cpu.reg(r),
                _ => cpu.s.gs_base = cpu.reg(r),
            }
            Ok(())
        }
        M::In | M::Out | M::Insb | M::Insw | M::Insd | M::Outsb | M::Outsw | M::Outsd => {
            iopl_ok(cpu, ins)?;
            Err(Fault::ud(format!("`{ins}`: port I/O is not modelled")))
        }
        M::Lgdt | M::Ltr | M::Lldt | M::Clts | M::Invd | M::Wbinvd => {
            ring0(cpu, ins)?;
            Err(super::unsupported(ins))
        }
        _ => Err(super::unsupported(ins)),
    }
}

/// CPUID.1:ECX, exactly the extensions the interpreter implements (Intel SDM vol. 2 CPUID,
/// table 3-10): SSE3 (bit 0), SSSE3 (9), CMPXCHG16B (13), SSE4.1 (19), SSE4.2 (20), POPCNT (23).
/// Not AVX, FMA, XSAVE/OSXSAVE, MOVBE, RDRAND or the rest: C libraries pick their routines by
/// these bits, so a bit set here must work.
pub const LEAF1_ECX: u32 = (1 << 0) | (1 << 9) | (1 << 13) | (1 << 19) | (1 << 20) | (1 << 23);

/// CPUID.1:EDX (table 3-11), which Linux also passes as AT_HWCAP: FPU (0), TSC (4: RDTSC), MSR
/// (5: RDMSR/WRMSR in ring 0), PAE (6), CX8 (8: CMPXCHG8B), CMOV (15), CLFSH (19: CLFLUSH),
/// MMX (23), FXSR (24), SSE (25), SSE2 (26). Not SEP (SYSENTER is not implemented), nor the
/// system features the model does not have (VME, DE, PSE, MCE, APIC, MTRR, PGE, MCA, PAT,
/// PSE-36, HTT): the model's kernel runs without them, as Linux does on a paravirtualised
/// machine.
pub const LEAF1_EDX: u32 = (1 << 0)
    | (1 << 4)
    | (1 << 5)
    | (1 << 6)
    | (1 << 8)
    | (1 << 15)
    | (1 << 19)
    | (1 << 23)
    | (1 << 24)
    | (1 << 25)
    | (1 << 26);

/// CPUID.(EAX=7,ECX=0):EBX, the instruction features: FSGSBASE (bit 0: RDFSBASE and friends,
/// enabled by the kernel in CR4, hence AT_HWCAP2 bit 1). No BMI1 (bit 3: so F3 0F BC is BSF,
/// not TZCNT), BMI2, AVX2, ERMS or anything else of leaf 7. The Intel profile adds
/// [`LEAF7_EBX_X87_INTEL`].
pub const LEAF7_EBX: u32 = 1;

/// The x87 behaviour bits of CPUID.(EAX=7,ECX=0):EBX the Intel profile implements, as the Xeon
/// it was checked on reports them: FDP_EXCPTN_ONLY (bit 6: FDP and FOP are updated only by
/// an instruction that raises an unmasked exception) and bit 13 (FCS and FDS deprecated,
/// stored as zero). See `exec/x87/image.rs`; the AMD profile reports neither.
pub const LEAF7_EBX_X87_INTEL: u32 = (1 << 6) | (1 << 13);

/// CPUID.(EAX=7,ECX=0):EBX of `vendor`'s profile: [`LEAF7_EBX`], with
/// [`LEAF7_EBX_X87_INTEL`] for Intel.
pub fn leaf7_ebx(vendor: Vendor) -> u32 {
    match vendor {
        Vendor::Intel => LEAF7_EBX | LEAF7_EBX_X87_INTEL,
        Vendor::Amd => LEAF7_EBX,
    }
}

/// CPUID.80000001H:ECX: LAHF/SAHF in 64-bit mode (bit 0), LZCNT (bit 5; without it F3 0F BD
/// would be BSR).
pub const EXT1_ECX: u32 = (1 << 0) | (1 << 5);

/// CPUID.80000001H:EDX: SYSCALL/SYSRET (11), NX (20), long mode (29).
pub const EXT1_EDX: u32 = (1 << 11) | (1 << 20) | (1 << 29);

/// The processor brand string of CPUID.80000002H-80000004H: our own name, 48 bytes with the
/// terminating NUL (Intel SDM vol. 2 CPUID, "brand string").
pub const BRAND: &[u8; 48] = b"You in CPU simulated x86-64 (x86-64-v2)\0\0\0\0\0\0\0\0\0";

/// CPUID of the simulated core: a baseline x86-64 CPU of the chosen vendor (leaf 0's string
/// "GenuineIntel" or "AuthenticAMD"; leaf 1's family 6 for Intel, family 17h for AMD) with
/// exactly the features the interpreter implements: leaf 1 EDX [`LEAF1_EDX`] (equal to
/// AT_HWCAP), ECX [`LEAF1_ECX`]; leaf 7 [`leaf7_ebx`]; extended leaf 0x80000001 [`EXT1_ECX`] (and
/// bit 7, MisAlignSse, on AMD),
/// [`EXT1_EDX`]; the brand string [`BRAND`]. No AVX and no XSAVE, so no leaf 0xD. The highest
/// basic leaf is 7 and the highest extended one 0x80000004; leaves in range that describe
/// nothing the model has (2-6: caches, monitor, power) return zeros, as do the leaves above.
pub fn cpuid(vendor: Vendor, leaf: u32, sub: u32) -> (u32, u32, u32, u32) {
    // The vendor string in EBX, EDX, ECX order.
    let id = vendor.cpuid_string();
    let word = |i: usize| u32::from_le_bytes([id[i], id[i + 1], id[i + 2], id[i + 3]]);
    let brand = |i: usize| u32::from_le_bytes([BRAND[i], BRAND[i + 1], BRAND[i + 2], BRAND[i + 3]]);
    match leaf {
        0 => (7, word(0), word(8), word(4)),
        1 => (
            match vendor {
                // Family 6, model 6, stepping 3.
                Vendor::Intel => 0x0000_0663,
                // Family 0Fh + extended family 08h = 17h, model 1, stepping 2.
                Vendor::Amd => 0x0080_0F12,
            },
            // CLFLUSH line size 8 * 8 = 64 bytes (bits 15:8); one logical processor.
            0x0000_0800,
            LEAF1_ECX,
            LEAF1_EDX,
        ),
        // Subleaf 0: EAX is the highest subleaf (0).
        7 if sub == 0 => (0, leaf7_ebx(vendor), 0, 0),
        0x8000_0000 => (0x8000_0004, 0, 0, 0),
        // AMD's misaligned SSE mode (MXCSR.MM, bit 7 MisAlignSse) is the AMD profile's only.
        0x8000_0001 => match vendor {
            Vendor::Intel => (0, 0, EXT1_ECX, EXT1_EDX),
            Vendor::Amd => (0, 0, EXT1_ECX | (1 << 7), EXT1_EDX),
        },
        0x8000_0002..=0x8000_0004 => {
            let b = (leaf - 0x8000_0002) as usize * 16;
            (brand(b), brand(b + 4), brand(b + 8), brand(b + 12))
        }
        _ => (0, 0, 0, 0),
    }
}
