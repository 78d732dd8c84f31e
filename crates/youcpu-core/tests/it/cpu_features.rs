//! CPUID tells the truth (issue #21, item 3): every feature bit the simulated core reports has
//! an instruction that runs, every bit of a feature it lacks is clear and that feature's
//! instructions raise #UD, and the set of reported bits is exactly the list below (a bit set
//! without a row here fails). Also the leaves themselves (highest basic and extended leaf,
//! leaf 7, the brand string) and the forms that must fault whatever CPUID says (LOCK on a
//! non-memory or non-lockable instruction: #UD; a misaligned MOVAPS: #GP(0)), Intel SDM vol. 2
//! CPUID tables 3-8 to 3-11, vol. 2 "LOCK", vol. 1 §11.6.8.

#![allow(clippy::unwrap_used)] // tests may unwrap

use youcpu_core::cpu::exec::{
    cpuid, leaf7_ebx, BRAND, EXT1_ECX, EXT1_EDX, LEAF1_ECX, LEAF1_EDX, LEAF7_EBX,
    LEAF7_EBX_X87_INTEL,
};
use youcpu_core::cpu::fault::vector;
use youcpu_core::cpu::state::{rflags, RAX, RBX, RCX, RDI, RDX};
use youcpu_core::cpu::vendor::Vendor;
use youcpu_core::cpu::Event;
use youcpu_core::linux::mm::Prot;
use youcpu_core::linux::{Config, Linux};

const CODE: u64 = 0x40_0000;
const DATA: u64 = 0x7000_0000 - 4096;

/// A booted kernel with `code` at CODE in ring 3; RDI points at a 16-aligned writable page.
fn user(code: &[u8], vendor: Vendor) -> Linux {
    let mut l = Linux::new(&Config {
        vendor,
        ..Config::default()
    })
    .unwrap();
    let pages = [(CODE, Prot::RX), (DATA, Prot::RW)];
    youcpu_testkit::ring3::enter(&mut l, &pages, CODE, code, DATA + 4096 - 64);
    l.m.cpu.s.gpr[RDI] = DATA + 256;
    l
}

/// The vector the first instruction of `code` raises, or None when it retires.
fn first_fault(code: &[u8], vendor: Vendor) -> Option<u8> {
    let mut l = user(code, vendor);
    match l.m.step().unwrap() {
        Event::Delivered(d) => Some(d.vector),
        _ => None,
    }
}

/// Which CPUID register a feature bit lives in.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Reg {
    /// Leaf 1 EDX.
    L1d,
    /// Leaf 1 ECX.
    L1c,
    /// Leaf 7 subleaf 0 EBX.
    L7b,
    /// Leaf 7 subleaf 0 ECX.
    L7c,
    /// Leaf 7 subleaf 0 EDX.
    L7d,
    /// Leaf 0x80000001 ECX.
    E1c,
    /// Leaf 0x80000001 EDX.
    E1d,
}

fn reported(v: Vendor, r: Reg) -> u32 {
    match r {
        Reg::L1d => cpuid(v, 1, 0).3,
        Reg::L1c => cpuid(v, 1, 0).2,
        Reg::L7b => cpuid(v, 7, 0).1,
        Reg::L7c => cpuid(v, 7, 0).2,
        Reg::L7d => cpuid(v, 7, 0).3,
        Reg::E1c => cpuid(v, 0x8000_0001, 0).2,
        Reg::E1d => cpuid(v, 0x8000_0001, 0).3,
    }
}

/// How a present feature shows: an instruction that retires, one that exists but is
/// privileged (#GP in ring 3, not #UD), a machine property checked in the state, or a
/// behaviour: the code runs to its end and the check holds on the machine after it.
enum Proof {
    Retires(&'static [u8]),
    Privileged(&'static [u8]),
    State,
    Behaves(&'static [u8], fn(&mut Linux) -> bool),
}

/// `fldl (%rdi)` (no exception): FIP is its address, FDP stays zero (FDP_EXCPTN_ONLY).
fn fdp_only_on_exceptions(l: &mut Linux) -> bool {
    let x = &l.m.cpu.s.x87;
    x.fip == CODE && x.fdp == 0 && x.fop == 0
}

/// `fldl (%rdi); fnstenv 0x40(%rdi)`: FCS and FDS stored as zero, FIP as the load's address.
fn fcs_fds_zero(l: &mut Linux) -> bool {
    let mut env = [0u8; 28];
    l.m.mmu
        .read_bytes(DATA + 256 + 0x40, &mut env, true)
        .unwrap();
    let w = |i: usize| u32::from_le_bytes(env[4 * i..4 * i + 4].try_into().unwrap());
    w(3) == CODE as u32 && w(4) & 0xffff == 0 && w(6) & 0xffff == 0
}

/// Every feature the core reports with `v`'s profile: (name, register, bit, proof).
fn present(v: Vendor) -> Vec<(&'static str, Reg, u32, Proof)> {
    use Proof::*;
    use Reg::*;
    let mut rows = present_both();
    if v == Vendor::Intel {
        rows.push((
            "FDP_EXCPTN_ONLY: fldl (%rdi)",
            L7b,
            6,
            Behaves(&[0xdd, 0x07], fdp_only_on_exceptions),
        ));
        rows.push((
            "FCS/FDS deprecated: fnstenv",
            L7b,
            13,
            Behaves(&[0xdd, 0x07, 0xd9, 0x77, 0x40], fcs_fds_zero),
        ));
    } else {
        // mov $0x21f80, %eax; mov %eax, (%rdi); ldmxcsr (%rdi); addps 4(%rdi), %xmm0
        rows.push((
            "MisAlignSse: MXCSR.MM, then a misaligned addps",
            E1c,
            7,
            Behaves(
                &[
                    0xb8, 0x80, 0x1f, 0x02, 0x00, 0x89, 0x07, 0x0f, 0xae, 0x17, 0x0f, 0x58, 0x47,
                    0x04,
                ],
                |l| l.m.cpu.s.mxcsr == 0x21f80,
            ),
        ));
    }
    rows
}

/// The features both profiles report.
fn present_both() -> Vec<(&'static str, Reg, u32, Proof)> {
    use Proof::*;
    use Reg::*;
    vec![
        ("FPU: fld1", L1d, 0, Retires(&[0xd9, 0xe8])),
        ("TSC: rdtsc", L1d, 4, Retires(&[0x0f, 0x31])),
        ("MSR: rdmsr", L1d, 5, Privileged(&[0x0f, 0x32])),
        ("PAE: CR4.PAE in long mode", L1d, 6, State),
        (
            "CX8: cmpxchg8b (%rdi)",
            L1d,
            8,
            Retires(&[0x0f, 0xc7, 0x0f]),
        ),
        (
            "CMOV: cmove %eax, %eax",
            L1d,
            15,
            Retires(&[0x0f, 0x44, 0xc0]),
        ),
        (
            "CLFSH: clflush (%rdi)",
            L1d,
            19,
            Retires(&[0x0f, 0xae, 0x3f]),
        ),
        (
            "MMX: paddb %mm1, %mm0",
            L1d,
            23,
            Retires(&[0x0f, 0xfc, 0xc1]),
        ),
        ("FXSR: fxsave (%rdi)", L1d, 24, Retires(&[0x0f, 0xae, 0x07])),
        ("SSE: addps", L1d, 25, Retires(&[0x0f, 0x58, 0xc1])),
        ("SSE2: addpd", L1d, 26, Retires(&[0x66, 0x0f, 0x58, 0xc1])),
        ("SSE3: haddpd", L1c, 0, Retires(&[0x66, 0x0f, 0x7c, 0xc1])),
        (
            "SSSE3: pshufb",
            L1c,
            9,
            Retires(&[0x66, 0x0f, 0x38, 0x00, 0xc1]),
        ),
        (
            "CX16: cmpxchg16b (%rdi)",
            L1c,
            13,
            Retires(&[0x48, 0x0f, 0xc7, 0x0f]),
        ),
        (
            "SSE4.1: ptest",
            L1c,
            19,
            Retires(&[0x66, 0x0f, 0x38, 0x17, 0xc1]),
        ),
        (
            "SSE4.2: crc32b %cl, %eax",
            L1c,
            20,
            Retires(&[0xf2, 0x0f, 0x38, 0xf0, 0xc1]),
        ),
        ("POPCNT", L1c, 23, Retires(&[0xf3, 0x0f, 0xb8, 0xc1])),
        (
            "FSGSBASE: rdfsbase %rax",
            L7b,
            0,
            Retires(&[0xf3, 0x48, 0x0f, 0xae, 0xc0]),
        ),
        ("LAHF-SAHF: lahf", E1c, 0, Retires(&[0x9f])),
        ("LZCNT", E1c, 5, Retires(&[0xf3, 0x0f, 0xbd, 0xc1])),
        ("SYSCALL: syscall", E1d, 11, Retires(&[0x0f, 0x05])),
        ("NX: EFER.NXE", E1d, 20, State),
        ("LM: long mode", E1d, 29, State),
    ]
}

/// Features the core does not have, each with an instruction that must be #UD.
fn absent() -> Vec<(&'static str, Reg, u32, &'static [u8])> {
    use Reg::*;
    vec![
        ("SEP: sysenter", L1d, 11, &[0x0f, 0x34]),
        ("PCLMULQDQ", L1c, 1, &[0x66, 0x0f, 0x3a, 0x44, 0xc1, 0x00]),
        ("FMA: vfmadd132ps", L1c, 12, &[0xc4, 0xe2, 0x71, 0x98, 0xc2]),
        ("MOVBE", L1c, 22, &[0x0f, 0x38, 0xf0, 0x07]),
        ("AES: aesenc", L1c, 25, &[0x66, 0x0f, 0x38, 0xdc, 0xc1]),
        ("XSAVE: xsave (%rdi)", L1c, 26, &[0x0f, 0xae, 0x27]),
        ("OSXSAVE: xgetbv", L1c, 27, &[0x0f, 0x01, 0xd0]),
        ("AVX: vaddps", L1c, 28, &[0xc5, 0xf8, 0x58, 0xc1]),
        ("F16C: vcvtph2ps", L1c, 29, &[0xc4, 0xe2, 0x79, 0x13, 0xc1]),
        ("RDRAND", L1c, 30, &[0x0f, 0xc7, 0xf0]),
        ("BMI1: andn", L7b, 3, &[0xc4, 0xe2, 0x60, 0xf2, 0xc1]),
        ("AVX2: vpaddd %ymm", L7b, 5, &[0xc5, 0xfd, 0xfe, 0xc1]),
        ("BMI2: pdep", L7b, 8, &[0xc4, 0xe2, 0x63, 0xf5, 0xc1]),
        ("RDSEED", L7b, 18, &[0x0f, 0xc7, 0xf8]),
        ("ADX: adcx", L7b, 19, &[0x66, 0x0f, 0x38, 0xf6, 0xc1]),
        ("CLFLUSHOPT", L7b, 23, &[0x66, 0x0f, 0xae, 0x3f]),
        ("CLWB", L7b, 24, &[0x66, 0x0f, 0xae, 0x37]),
        ("SHA: sha1nexte", L7b, 29, &[0x0f, 0x38, 0xc8, 0xc1]),
        ("RDPID", L7c, 22, &[0xf3, 0x0f, 0xc7, 0xf8]),
        ("RDTSCP", E1d, 27, &[0x0f, 0x01, 0xf9]),
    ]
}

#[test]
fn every_reported_feature_works_and_no_other_bit_is_set() {
    for v in [Vendor::Intel, Vendor::Amd] {
        for (name, reg, bit, proof) in present(v) {
            assert!(
                reported(v, reg) & (1 << bit) != 0,
                "{v:?}: {name} is implemented but not reported"
            );
            match proof {
                Proof::Retires(code) => {
                    assert_eq!(first_fault(code, v), None, "{v:?}: {name} does not run")
                }
                Proof::Privileged(code) => {
                    assert_eq!(first_fault(code, v), Some(vector::GP), "{v:?}: {name}")
                }
                Proof::State => {
                    let l = user(&[0x90], v);
                    let s = &l.m.cpu.s;
                    let ok = match bit {
                        6 => s.cr4 & (1 << 5) != 0,
                        20 => s.efer & (1 << 11) != 0,
                        _ => s.efer & (1 << 10) != 0,
                    };
                    assert!(ok, "{v:?}: {name}");
                }
                Proof::Behaves(code, check) => {
                    let mut l = user(code, v);
                    while l.m.cpu.s.rip < CODE + code.len() as u64 {
                        assert!(
                            matches!(l.m.step().unwrap(), Event::Retired),
                            "{v:?}: {name} does not run"
                        );
                    }
                    assert!(check(&mut l), "{v:?}: {name}");
                }
            }
        }
        // Exactly those bits: a bit set with no row above fails.
        for reg in [
            Reg::L1d,
            Reg::L1c,
            Reg::L7b,
            Reg::L7c,
            Reg::L7d,
            Reg::E1c,
            Reg::E1d,
        ] {
            let listed = present(v)
                .iter()
                .filter(|p| p.1 == reg)
                .fold(0u32, |m, p| m | 1 << p.2);
            assert_eq!(
                reported(v, reg),
                listed,
                "{v:?} {reg:?}: reported bits {:#x}, implemented {listed:#x}",
                reported(v, reg)
            );
        }
        for (name, reg, bit, code) in absent() {
            assert_eq!(
                reported(v, reg) & (1 << bit),
                0,
                "{v:?}: {name} is reported"
            );
            assert_eq!(
                first_fault(code, v),
                Some(vector::UD),
                "{v:?}: {name} runs although it is not reported"
            );
        }
    }
    // The constants the kernel model and the loader use are the same words.
    assert_eq!(
        youcpu_core::loader::stack::HWCAP,
        u64::from(LEAF1_EDX),
        "AT_HWCAP is CPUID.1:EDX"
    );
    assert_eq!(
        (
            LEAF1_ECX,
            LEAF7_EBX | LEAF7_EBX_X87_INTEL,
            EXT1_ECX,
            EXT1_EDX
        ),
        (
            cpuid(Vendor::Intel, 1, 0).2,
            cpuid(Vendor::Intel, 7, 0).1,
            cpuid(Vendor::Intel, 0x8000_0001, 0).2,
            cpuid(Vendor::Intel, 0x8000_0001, 0).3
        )
    );
}

/// LZCNT is reported, so F3 0F BD counts leading zeros (a processor without it runs BSR,
/// which leaves the destination of a zero source alone).
#[test]
fn lzcnt_is_lzcnt_not_bsr() {
    // mov $0, %ecx; mov $7, %eax; lzcnt %ecx, %eax
    let mut l = user(
        &[0xb9, 0, 0, 0, 0, 0xb8, 7, 0, 0, 0, 0xf3, 0x0f, 0xbd, 0xc1],
        Vendor::Intel,
    );
    for _ in 0..3 {
        assert!(matches!(l.m.step().unwrap(), Event::Retired));
    }
    assert_eq!(l.m.cpu.s.gpr[RAX], 32);
    assert_ne!(l.m.cpu.s.rflags & rflags::CF, 0, "CF: source was zero");
}

/// BMI1 is not reported, so F3 0F BC (TZCNT's encoding) runs as BSF, as on a processor
/// without BMI1 (Intel SDM vol. 2 TZCNT): the same state as 0F BC for every operand size and
/// for zero and non-zero sources (BSF itself is compared with the CPU in
/// `cpu_instructions_native`).
#[test]
fn tzcnt_encoding_runs_as_bsf() {
    for v in Vendor::ALL {
        // 66/-/48 prefixes for 16, 32, 64 bits; then 0F BC C1 (bsf %ecx, %eax).
        for size in [&[0x66u8][..], &[], &[0x48]] {
            for src in [0u64, 1, 0x8000, 0x80_0000_0000, 0xf0, u64::MAX] {
                let state = |rep: bool| {
                    let mut code = Vec::new();
                    if rep {
                        code.push(0xf3);
                    }
                    code.extend_from_slice(size);
                    code.extend_from_slice(&[0x0f, 0xbc, 0xc1]);
                    let mut l = user(&code, v);
                    l.m.cpu.s.gpr[RAX] = 0x1234_5678_9abc_def0;
                    l.m.cpu.s.gpr[RCX] = src;
                    l.m.cpu.s.rflags |= rflags::CF | rflags::OF;
                    assert!(matches!(l.m.step().unwrap(), Event::Retired));
                    (l.m.cpu.s.gpr, l.m.cpu.s.rflags)
                };
                let (rep, plain) = (state(true), state(false));
                assert_eq!(rep.0, plain.0, "{v:?} {size:x?} src {src:#x}: registers");
                assert_eq!(rep.1, plain.1, "{v:?} {size:x?} src {src:#x}: flags");
            }
        }
    }
}

/// The leaves, run through the CPUID instruction: highest basic leaf 7, leaf 7 subleaf 0,
/// the highest extended leaf 0x80000004 and the brand string; leaves outside both ranges and
/// in-range leaves the model has nothing for are zeros; the vendor strings.
#[test]
fn cpuid_leaves_and_the_brand_string() {
    let run = |v: Vendor, leaf: u32, sub: u32| {
        // cpuid
        let mut l = user(&[0x0f, 0xa2], v);
        l.m.cpu.s.gpr[RAX] = u64::from(leaf) | 0xdead_0000_0000_0000;
        l.m.cpu.s.gpr[RCX] = u64::from(sub);
        assert!(matches!(l.m.step().unwrap(), Event::Retired));
        let g = l.m.cpu.s.gpr;
        // 32-bit results: the upper halves are cleared.
        for r in [RAX, RBX, RCX, RDX] {
            assert_eq!(g[r] >> 32, 0, "leaf {leaf:#x}: upper half of a result");
        }
        (g[RAX] as u32, g[RBX] as u32, g[RCX] as u32, g[RDX] as u32)
    };
    for (v, id) in [
        (Vendor::Intel, b"GenuineIntel"),
        (Vendor::Amd, b"AuthenticAMD"),
    ] {
        let (max, b, c, d) = run(v, 0, 0);
        assert_eq!(max, 7, "highest basic leaf");
        let s: Vec<u8> = [b, d, c].iter().flat_map(|x| x.to_le_bytes()).collect();
        assert_eq!(&s[..], &id[..]);
        assert_eq!(run(v, 7, 0), (0, leaf7_ebx(v), 0, 0));
        assert_eq!(run(v, 7, 1), (0, 0, 0, 0), "leaf 7 subleaf 1 (none)");
        assert_eq!(run(v, 0xd, 0), (0, 0, 0, 0), "no XSAVE, no leaf 0xD");
        assert_eq!(run(v, 8, 0), (0, 0, 0, 0));
        assert_eq!(run(v, 0x8000_0000, 0).0, 0x8000_0004);
        let mut brand = Vec::new();
        for leaf in 0x8000_0002..=0x8000_0004 {
            let (a, b, c, d) = run(v, leaf, 0);
            for w in [a, b, c, d] {
                brand.extend_from_slice(&w.to_le_bytes());
            }
        }
        assert_eq!(&brand[..], &BRAND[..]);
        let text = std::str::from_utf8(&brand).unwrap().trim_end_matches('\0');
        assert!(text.starts_with("You in CPU"), "{text}");
        assert!(
            !text.contains("Intel") && !text.contains("AMD"),
            "a brand of our own"
        );
        assert_eq!(run(v, 0x8000_0005, 0), (0, 0, 0, 0));
        // Leaf 1: family/model/stepping per vendor; CLFLUSH line size 64.
        let (sig, b, _, _) = run(v, 1, 0);
        let family = ((sig >> 8) & 0xf) + ((sig >> 20) & 0xff);
        assert_eq!(family, if v == Vendor::Intel { 6 } else { 0x17 });
        assert_eq!((b >> 8) & 0xff, 8, "CLFLUSH line size in quadwords");
    }
    // CR0.NE as Linux sets it: an unmasked x87 exception is #MF, not the legacy FERR# line
    // (Intel SDM vol. 1 §8.7; sig_fpe.c checks the SIGFPE it becomes against the kernel).
    let l = user(&[0x90], Vendor::Intel);
    assert_ne!(l.m.cpu.s.cr0 & (1 << 5), 0, "CR0.NE");
    assert_ne!(l.m.cpu.s.cr4 & (1 << 10), 0, "CR4.OSXMMEXCPT: #XM, not #UD");
}

/// Forms that fault whatever CPUID says: LOCK on a register destination, on an instruction
/// that cannot be locked (SSE, x87, NOP, a load), a misaligned 16-byte SSE operand, CMPXCHG16B
/// on a misaligned operand; and their locked memory counterparts, which run.
#[test]
fn lock_misalignment_and_register_forms_fault_as_the_sdm_says() {
    let cases: &[(&str, &[u8], Option<u8>)] = &[
        ("lock add %eax, %eax", &[0xf0, 0x01, 0xc0], Some(vector::UD)),
        ("lock add %eax, (%rdi)", &[0xf0, 0x01, 0x07], None),
        ("lock nop", &[0xf0, 0x90], Some(vector::UD)),
        (
            "lock mov (%rdi), %eax",
            &[0xf0, 0x8b, 0x07],
            Some(vector::UD),
        ),
        (
            "lock addps %xmm1, %xmm0",
            &[0xf0, 0x0f, 0x58, 0xc1],
            Some(vector::UD),
        ),
        (
            "lock addps (%rdi), %xmm0",
            &[0xf0, 0x0f, 0x58, 0x07],
            Some(vector::UD),
        ),
        (
            "lock fadd %st(1), %st",
            &[0xf0, 0xd8, 0xc1],
            Some(vector::UD),
        ),
        ("lock cmpxchg8b (%rdi)", &[0xf0, 0x0f, 0xc7, 0x0f], None),
        (
            "lock cmpxchg16b (%rdi)",
            &[0xf0, 0x48, 0x0f, 0xc7, 0x0f],
            None,
        ),
        (
            "cmpxchg16b 8(%rdi)",
            &[0x48, 0x0f, 0xc7, 0x4f, 0x08],
            Some(vector::GP),
        ),
        (
            "movaps 1(%rdi), %xmm0",
            &[0x0f, 0x28, 0x47, 0x01],
            Some(vector::GP),
        ),
        (
            "movaps %xmm0, 8(%rdi)",
            &[0x0f, 0x29, 0x47, 0x08],
            Some(vector::GP),
        ),
        (
            "paddd 4(%rdi), %xmm0",
            &[0x66, 0x0f, 0xfe, 0x47, 0x04],
            Some(vector::GP),
        ),
        ("movups 1(%rdi), %xmm0", &[0x0f, 0x10, 0x47, 0x01], None),
        (
            "fxsave 8(%rdi)",
            &[0x0f, 0xae, 0x47, 0x08],
            Some(vector::GP),
        ),
    ];
    for (name, code, want) in cases {
        assert_eq!(first_fault(code, Vendor::Intel), *want, "{name}");
    }
}

/// CMPXCHG8B/16B: equal stores RCX:RBX (ECX:EBX) and sets ZF; unequal loads the operand,
/// clearing the upper halves of RAX and RDX in the 8-byte form, and clears ZF. (The
/// instruction table in `cpu_instructions_native` checks the same against the processor.)
#[test]
fn cmpxchg8b_and_16b_compare_and_exchange() {
    // cmpxchg8b (%rdi); cmpxchg16b (%rdi)
    for (code, wide) in [
        (&[0x0f, 0xc7, 0x0f][..], false),
        (&[0x48, 0x0f, 0xc7, 0x0f], true),
    ] {
        let mut l = user(code, Vendor::Intel);
        l.mm.poke(&mut l.m.mmu, DATA + 256, &[0x11; 16]).unwrap();
        let g = &mut l.m.cpu.s.gpr;
        g[RAX] = 0xffff_ffff_1111_1111;
        g[RDX] = if wide {
            0x1111_1111_1111_1111
        } else {
            0xeeee_eeee_1111_1111
        };
        g[RBX] = 0x2222_2222_3333_3333;
        g[RCX] = 0x4444_4444_5555_5555;
        if wide {
            g[RAX] = 0x1111_1111_1111_1111;
        }
        assert!(matches!(l.m.step().unwrap(), Event::Retired));
        assert_ne!(l.m.cpu.s.rflags & rflags::ZF, 0);
        let mut m = [0u8; 16];
        l.m.mmu.read_bytes(DATA + 256, &mut m, false).unwrap();
        let lo = u64::from_le_bytes(m[..8].try_into().unwrap());
        let hi = u64::from_le_bytes(m[8..].try_into().unwrap());
        if wide {
            assert_eq!((lo, hi), (0x2222_2222_3333_3333, 0x4444_4444_5555_5555));
        } else {
            assert_eq!((lo, hi), (0x5555_5555_3333_3333, 0x1111_1111_1111_1111));
            // The register halves above bit 31 were not written.
            assert_eq!(l.m.cpu.s.gpr[RAX], 0xffff_ffff_1111_1111);
        }
        // Again: now unequal.
        let mut l2 = user(code, Vendor::Intel);
        l2.mm.poke(&mut l2.m.mmu, DATA + 256, &[0x77; 16]).unwrap();
        l2.m.cpu.s.gpr[RAX] = 0xffff_ffff_0000_0000;
        l2.m.cpu.s.gpr[RDX] = 0xffff_ffff_0000_0000;
        l2.m.cpu.s.rflags |= rflags::ZF;
        assert!(matches!(l2.m.step().unwrap(), Event::Retired));
        assert_eq!(l2.m.cpu.s.rflags & rflags::ZF, 0);
        let want = if wide {
            0x7777_7777_7777_7777
        } else {
            0x7777_7777
        };
        assert_eq!((l2.m.cpu.s.gpr[RAX], l2.m.cpu.s.gpr[RDX]), (want, want));
    }
}
