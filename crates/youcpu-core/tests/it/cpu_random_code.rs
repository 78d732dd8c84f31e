//! Robustness: random bytes executed as code, with random register values, must never panic
//! the simulator (a panic in wasm kills the page). Each run ends in a signal, an exit, the
//! step budget or a crash report; all are fine, a panic is not. Debug builds also check
//! arithmetic overflow, so this runs the interpreter's every path with hostile operands.

#![allow(clippy::unwrap_used)] // tests may unwrap

use youcpu_core::cpu::state::rflags;
use youcpu_core::linux::{Config, Linux};
use youcpu_testkit::ring3::{self, RW, RWX};
use youcpu_testkit::rng::{Rng, SplitMix64};

/// The scratch process's pages: code (which random stores may rewrite) and a stack.
const PAGES: &[(u64, youcpu_core::linux::mm::Prot)] = &[(0x40_0000, RWX), (0x40_1000, RW)];

fn interesting(r: &mut SplitMix64) -> u64 {
    match r.next() % 6 {
        0 => 0,
        1 => u64::MAX,
        2 => 1 << 63,
        3 => 0x40_0000 + r.next() % 0x2000, // inside the mapped pages
        4 => r.next() % 256,
        _ => r.next(),
    }
}

#[test]
fn random_code_never_panics() {
    let base = Linux::new(&Config {
        memory_limit: 8 << 20,
        ..Config::default()
    })
    .unwrap();
    let mut rng = SplitMix64(12345);
    let mut outcomes = std::collections::BTreeMap::<String, u32>::new();
    for _ in 0..20_000 {
        let mut l = base.clone();
        let code: Vec<u8> = (0..256)
            .map(|_| {
                // Bias towards prefixes and common opcodes so more instructions decode.
                let b = rng.next() as u8;
                match rng.next() % 8 {
                    0 => [0x48, 0x66, 0xf3, 0xf2, 0x0f, 0x4c, 0x41, 0xc4][(b % 8) as usize],
                    _ => b,
                }
            })
            .collect();
        ring3::enter(&mut l, PAGES, 0x40_0000, &code, 0x40_1800);
        let s = &mut l.m.cpu.s;
        for g in s.gpr.iter_mut() {
            *g = interesting(&mut rng);
        }
        s.gpr[4] = 0x40_1800;
        for x in s.xmm.iter_mut() {
            *x = u128::from(rng.next()) << 64 | u128::from(rng.next());
        }
        s.rip = 0x40_0000 + rng.next() % 64;
        s.rflags = rflags::FIXED | rflags::IF | (rng.next() & (rflags::STATUS | rflags::DF));
        l.run(300);
        *outcomes.entry(ring3::outcome(&l.state)).or_default() += 1;
    }
    // Most random code faults quickly; many different outcomes show the paths were exercised.
    assert!(outcomes.len() >= 3, "{outcomes:?}");
    eprintln!("{outcomes:?}");
}

#[test]
fn random_simd_and_x87_code_never_panics() {
    // The SSE and x87 opcode maps only: random escape, opcode, ModRM and operand bytes, with
    // random MXCSR (exceptions unmasked too), x87 control word, TOP, tags and registers.
    let base = Linux::new(&Config {
        memory_limit: 8 << 20,
        ..Config::default()
    })
    .unwrap();
    let mut rng = SplitMix64(777);
    let mut outcomes = std::collections::BTreeMap::<String, u32>::new();
    for _ in 0..20_000 {
        let mut l = base.clone();
        let mut code = Vec::new();
        while code.len() < 200 {
            match rng.next() % 5 {
                0 => code.push(0x66),
                1 => code.push(0xf2),
                2 => code.push(0xf3),
                _ => {}
            }
            if rng.next().is_multiple_of(4) {
                code.push(0x40 | (rng.next() % 16) as u8);
            }
            match rng.next() % 6 {
                0 => code.extend([0x0f, 0x38]),
                1 => code.extend([0x0f, 0x3a]),
                2 => code.push(0xd8 + (rng.next() % 8) as u8),
                _ => code.push(0x0f),
            }
            code.push(rng.next() as u8);
            // ModRM (register forms half the time), then displacement/immediate bytes.
            let modrm = rng.next() as u8;
            code.push(if rng.next().is_multiple_of(2) {
                modrm | 0xc0
            } else {
                modrm
            });
            for _ in 0..rng.next() % 3 {
                code.push(interesting(&mut rng) as u8);
            }
        }
        ring3::enter(&mut l, PAGES, 0x40_0000, &code, 0x40_1800);
        let cpu = &mut l.m.cpu;
        for g in cpu.s.gpr.iter_mut() {
            *g = interesting(&mut rng);
        }
        cpu.s.gpr[4] = 0x40_1800;
        for x in cpu.s.xmm.iter_mut() {
            *x = u128::from(interesting(&mut rng)) << 64 | u128::from(interesting(&mut rng));
        }
        cpu.s.mxcsr = (rng.next() as u32) & 0xffff;
        cpu.s.x87.fcw = rng.next() as u16;
        cpu.s.x87.top = (rng.next() % 8) as u8;
        cpu.s.x87.valid = rng.next() as u8;
        for r in cpu.s.x87.regs.iter_mut() {
            r.se = interesting(&mut rng) as u16;
            r.sig = interesting(&mut rng);
        }
        cpu.s.rflags = rflags::FIXED | rflags::IF | (rng.next() & rflags::STATUS);
        l.run(300);
        *outcomes.entry(ring3::outcome(&l.state)).or_default() += 1;
    }
    assert!(outcomes.len() >= 3, "{outcomes:?}");
    eprintln!("{outcomes:?}");
}

#[test]
fn mutated_elf_files_never_panic_the_loader() {
    // A tiny valid static executable (built by the test harness would need gcc; this one is
    // written here): ELF header + one PT_LOAD with `mov eax, 60; xor edi, edi; syscall`.
    let mut elf = vec![0u8; 0x80];
    elf[..16].copy_from_slice(b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0");
    elf[16] = 2; // ET_EXEC
    elf[18] = 62;
    elf[20] = 1;
    elf[24..32].copy_from_slice(&0x40_0078u64.to_le_bytes()); // e_entry
    elf[32..40].copy_from_slice(&64u64.to_le_bytes()); // e_phoff
    elf[52] = 64;
    elf[54] = 56;
    elf[56] = 1; // e_phnum
    let ph = 64;
    elf[ph] = 1; // PT_LOAD
    elf[ph + 4] = 5; // R+X
    elf[ph + 16..ph + 24].copy_from_slice(&0x40_0000u64.to_le_bytes()); // p_vaddr
    elf[ph + 32..ph + 40].copy_from_slice(&0x88u64.to_le_bytes()); // p_filesz
    elf[ph + 40..ph + 48].copy_from_slice(&0x88u64.to_le_bytes()); // p_memsz
    elf.truncate(0x78);
    elf.extend_from_slice(&[
        0xb8, 60, 0, 0, 0, 0x31, 0xff, 0x0f, 0x05, 0, 0, 0, 0, 0, 0, 0,
    ]);
    let args = youcpu_core::loader::ExecArgs {
        argv: vec![b"t".to_vec()],
        envp: vec![],
        execfn: b"t".to_vec(),
        uid: 0,
        gid: 0,
        random_seed: 1,
    };
    let base = Linux::new(&Config {
        memory_limit: 8 << 20,
        ..Config::default()
    })
    .unwrap();
    let mut l = base.clone();
    l.exec(&elf, None, &args).unwrap();
    l.run(10);
    assert_eq!(
        l.state,
        youcpu_core::linux::ProcessState::Exited { code: 0 }
    );
    let mut rng = SplitMix64(99);
    let (mut ok, mut refused) = (0, 0);
    for _ in 0..3000 {
        let mut m = elf.clone();
        for _ in 0..1 + rng.next() % 4 {
            let i = (rng.next() % m.len() as u64) as usize;
            m[i] = match rng.next() % 3 {
                0 => 0xff,
                1 => 0,
                _ => rng.next() as u8,
            };
        }
        if rng.next().is_multiple_of(5) {
            m.truncate((rng.next() % m.len() as u64) as usize);
        }
        let mut l = base.clone();
        match l.exec(&m, None, &args) {
            Ok(_) => {
                ok += 1;
                l.run(100);
            }
            Err(e) => {
                refused += 1;
                assert!(!e.reason.is_empty() && !e.reason.contains('\n'), "{e:?}");
            }
        }
    }
    assert!(ok > 0 && refused > 0, "ok {ok} refused {refused}");
}
