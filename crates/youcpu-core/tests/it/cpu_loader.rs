//! The ELF loader and the initial stack against what a real process sees.

#![allow(clippy::unwrap_used)] // tests may unwrap

use crate::harness;

use harness::{compare, Build};
use youcpu_core::linux::errno::Errno;
use youcpu_core::linux::{Config, Linux};
use youcpu_core::loader::stack::{at, random_bytes, RANDOM_SEED};
use youcpu_testkit::process::Run;

#[test]
fn initial_stack_matches_a_real_process_exactly() {
    // ASLR is off in the native run, so every address must agree, not just the layout.
    let exe = harness::build("auxv.c", Build::MuslRecSp);
    for args in [
        vec![],
        vec!["x", "y z", ""],
        vec![
            "ünïcödé",
            "a-much-longer-argument-that-changes-the-alignment",
        ],
    ] {
        let n = harness::native(&exe, &args);
        let s = harness::sim(&exe, &args);
        assert_eq!(n.status, 0);
        assert_eq!(
            String::from_utf8_lossy(&s.stdout),
            String::from_utf8_lossy(&n.stdout),
            "args {args:?}"
        );
        assert_eq!(s.steps, n.steps, "instruction count, args {args:?}");
        let text = String::from_utf8_lossy(&s.stdout).to_string();
        assert!(text.contains("aligned 0"), "{text}");
        for key in [
            33u64, 51, 16, 6, 17, 3, 4, 5, 7, 8, 9, 11, 12, 13, 14, 23, 25, 26, 31, 15,
        ] {
            assert!(
                text.contains(&format!("auxv {key} ")),
                "missing auxv key {key}:\n{text}"
            );
        }
    }
}

#[test]
fn auxv_order_and_random_bytes_are_deterministic() {
    let exe = harness::build("exit42.S", Build::Asm);
    let bytes = std::fs::read(&exe).unwrap();
    let mut l = Linux::new(&Config::default()).unwrap();
    let info = l
        .exec(&bytes, None, &harness::exec_args(&exe, &["a"]))
        .unwrap()
        .clone();
    let keys: Vec<u64> = info.stack.auxv.iter().map(|(k, _)| *k).collect();
    assert_eq!(
        keys,
        vec![33, 51, 16, 6, 17, 3, 4, 5, 7, 8, 9, 11, 12, 13, 14, 23, 25, 26, 31, 15, 27, 28, 0],
        "facts.md order"
    );
    assert_eq!(info.stack.sp % 16, 0);
    let random = info
        .stack
        .auxv
        .iter()
        .find(|(k, _)| *k == at::RANDOM)
        .unwrap()
        .1;
    let mut got = [0u8; 16];
    l.m.mmu.read_bytes(random, &mut got, true).unwrap();
    assert_eq!(got, random_bytes(RANDOM_SEED));
    assert_ne!(random_bytes(1), random_bytes(2));
    // argc, argv pointers, NULL at the stack pointer.
    let mut w = [0u8; 32];
    l.m.mmu.read_bytes(info.stack.sp, &mut w, true).unwrap();
    let word = |i: usize| u64::from_le_bytes(w[i * 8..i * 8 + 8].try_into().unwrap());
    assert_eq!(word(0), 2);
    assert_eq!(word(1), info.stack.argv_ptrs[0]);
    assert_eq!(word(2), info.stack.argv_ptrs[1]);
    assert_eq!(word(3), 0);
}

#[test]
fn bss_is_zeroed_after_odd_sized_data() {
    assert_eq!(compare("bss.S", Build::Asm, &[]).status, 0);
}

#[test]
fn huge_bss_is_mapped_on_demand() {
    let r = compare("bigbss.S", Build::Asm, &[]);
    assert_eq!(r.status, 0);
    let exe = harness::build("bigbss.S", Build::Asm);
    let l = harness::sim_linux(&exe, &[], 1000);
    assert_eq!(l.mm.demand_faults, 3);
    assert!(l.m.mmu.phys.allocated_frames() < 64);
}

#[test]
fn segments_get_their_permissions() {
    // Writing to .text must fault natively and in the simulator.
    let exe = harness::build_asm_text(
        "write_text",
        ".globl _start\n_start:\n  movb $0x90, _start(%rip)\n  mov $60, %eax\n  syscall\n",
    );
    let n = harness::native(&exe, &[]);
    let s = harness::sim(&exe, &[]);
    assert_eq!((s.status, s.steps), (n.status, n.steps));
    assert_eq!(s.status, 139);
    // Executing the stack (NX) must fault too.
    let exe = harness::build_asm_text(
        "exec_stack",
        ".globl _start\n_start:\n  movl $0xc3c3c3c3, -8(%rsp)\n  lea -8(%rsp), %rax\n  call *%rax\n  mov $60, %eax\n  syscall\n.section .note.GNU-stack,\"\",@progbits\n",
    );
    let n = harness::native(&exe, &[]);
    let s = harness::sim(&exe, &[]);
    assert_eq!((s.status, s.steps), (n.status, n.steps));
    assert_eq!(s.status, 139);
}

#[test]
fn static_pie_runs_like_natively() {
    let exe = harness::tmp().join("calc_pie");
    let ok = std::process::Command::new("gcc")
        .args([
            "-O2",
            "-static-pie",
            "-fPIE",
            "-nostdlib",
            "-ffreestanding",
            "-fno-builtin",
            "-fno-stack-protector",
            "-mgeneral-regs-only",
            "-o",
        ])
        .arg(&exe)
        .arg(harness::src_dir().join("calc.c"))
        .run_status()
        .expect("musl-gcc");
    assert!(ok.success());
    let n = harness::native(&exe, &[]);
    let s = harness::sim(&exe, &[]);
    assert_eq!(
        (s.stdout.clone(), s.status, s.steps),
        (n.stdout, n.status, n.steps)
    );
    let bytes = std::fs::read(&exe).unwrap();
    let mut l = Linux::new(&Config::default()).unwrap();
    let info = l
        .exec(&bytes, None, &harness::exec_args(&exe, &[]))
        .unwrap();
    assert_ne!(info.bias, 0, "ET_DYN gets a load bias");
    assert_eq!(info.bias % 4096, 0);
}

#[test]
fn dynamic_program_needs_its_interpreter() {
    let exe = harness::tmp().join("hello_dyn");
    let ok = std::process::Command::new("gcc")
        .args(["-O2", "-o"])
        .arg(&exe)
        .arg(harness::src_dir().join("hello.c"))
        .run_status()
        .expect("gcc");
    assert!(ok.success());
    let bytes = std::fs::read(&exe).unwrap();
    let mut l = Linux::new(&Config::default()).unwrap();
    let err = l
        .exec(&bytes, None, &harness::exec_args(&exe, &[]))
        .unwrap_err();
    assert_eq!(err.errno, Errno::Enoent, "{err}");
    assert!(
        err.reason.contains("dynamically linked") && err.reason.contains("ld-linux"),
        "{err}"
    );
    // With the interpreter's bytes it is mapped at its own base and entered first.
    let out = std::process::Command::new("readelf")
        .args(["-l", "-W"])
        .arg(&exe)
        .run_output()
        .expect("readelf");
    let text = String::from_utf8_lossy(&out.stdout);
    let interp = text
        .split("[Requesting program interpreter: ")
        .nth(1)
        .and_then(|s| s.split(']').next())
        .expect("interp")
        .to_string();
    let ibytes = std::fs::read(&interp).expect("read interpreter");
    let mut l = Linux::new(&Config::default()).unwrap();
    let info = l
        .exec(&bytes, Some(&ibytes), &harness::exec_args(&exe, &[]))
        .unwrap()
        .clone();
    assert_eq!(info.interp.as_deref(), Some(interp.as_str()));
    assert_ne!(info.interp_base, 0);
    let base = info
        .stack
        .auxv
        .iter()
        .find(|(k, _)| *k == at::BASE)
        .unwrap()
        .1;
    let entry = info
        .stack
        .auxv
        .iter()
        .find(|(k, _)| *k == at::ENTRY)
        .unwrap()
        .1;
    assert_eq!(base, info.interp_base);
    assert_eq!(entry, info.entry);
    assert_ne!(
        info.start, info.entry,
        "execution starts in the interpreter"
    );
    assert!(info.start >= base && info.start < base + (1 << 24));
    assert_eq!(l.m.cpu.s.rip, info.start);
}

#[test]
fn bad_files_are_clear_errors() {
    let mut good = std::fs::read(harness::build("exit42.S", Build::Asm)).unwrap();
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (b"#!/bin/sh\necho hi\n".to_vec(), "not an ELF"),
        (b"\x7fELF".to_vec(), "ELF"),
        (vec![], "not an ELF"),
        (
            {
                let mut b = good.clone();
                b[4] = 1;
                b
            },
            "64-bit",
        ),
        (
            {
                let mut b = good.clone();
                b[18] = 3;
                b[19] = 0;
                b
            },
            "machine",
        ),
        (
            {
                let mut b = good.clone();
                b[16] = 1;
                b
            },
            "neither",
        ),
        (
            {
                let mut b = good.clone();
                b[54] = 32;
                b
            },
            "program header",
        ),
        (good[..100].to_vec(), "program header"),
    ];
    for (bytes, want) in cases {
        let mut l = Linux::new(&Config::default()).unwrap();
        let e = l
            .exec(
                &bytes,
                None,
                &harness::exec_args(std::path::Path::new("x"), &[]),
            )
            .unwrap_err();
        // Program headers cut off by the end of the file are elf_read's short read (EIO);
        // every other case is a file the ELF handler declines.
        let errno = if bytes.len() == 100 {
            Errno::Eio
        } else {
            Errno::Enoexec
        };
        assert_eq!(e.errno, errno, "{e}");
        let e = e.to_string();
        assert!(e.contains(want), "want {want:?} in {e:?}");
        assert!(!e.contains('\n'));
    }
    // p_filesz > p_memsz in the first PT_LOAD.
    let phoff = u64::from_le_bytes(good[32..40].try_into().unwrap()) as usize;
    good[phoff + 32..phoff + 40].copy_from_slice(&u64::MAX.to_le_bytes());
    let mut l = Linux::new(&Config::default()).unwrap();
    assert!(l
        .exec(
            &good,
            None,
            &harness::exec_args(std::path::Path::new("x"), &[])
        )
        .is_err());
}

#[test]
fn arguments_too_long_is_e2big() {
    let exe = harness::build("exit42.S", Build::Asm);
    let bytes = std::fs::read(&exe).unwrap();
    let mut a = harness::exec_args(&exe, &[]);
    a.argv.push(vec![b'x'; 3 << 20]);
    let mut l = Linux::new(&Config::default()).unwrap();
    assert_eq!(l.exec(&bytes, None, &a).unwrap_err().errno, Errno::E2big);
}
