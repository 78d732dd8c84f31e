//! The ELF writer: what it writes runs natively on this machine, readelf and objdump read it as
//! our parser does, and its layout keeps the kernel's mmap rules. Needs Debian package binutils.

#![allow(clippy::unwrap_used)] // tests may unwrap

use crate::elf_hello as hello;
use crate::elf_tools as tools;
use youcpu_testkit::readelf;

use proptest::prelude::*;
use std::path::Path;
use std::process::Command;
use tools::Scratch;
use youcpu_core::elf::writer::{
    layout, patch, write_executable, ExecutableSpec, WriteError, MAX_BSS, MAX_CONTENTS, PAGE,
};
use youcpu_core::elf::{parse, Class, Endian};
use youcpu_testkit::process::Run;

fn write_exe(t: &Scratch, name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let p = t.write(name, bytes);
    youcpu_testkit::process::chmod(&p, 0o755).unwrap();
    p
}

fn run_native(path: &Path) -> (Vec<u8>, Option<i32>) {
    let out = Command::new(path)
        .run_output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", path.display()));
    (out.stdout, out.status.code())
}

fn check_readelf(path: &Path) {
    let bytes = std::fs::read(path).unwrap();
    let elf = parse(&bytes).unwrap();
    readelf::compare(&path.display().to_string(), &elf, &readelf::readelf(path));
}

#[test]
fn hello_world_runs_natively_in_every_variant() {
    let t = Scratch::new("writer-run");
    let variants: Vec<(&str, ExecutableSpec)> = vec![
        ("plain", hello::spec64()),
        (
            "no-sections",
            ExecutableSpec {
                section_headers: false,
                ..hello::spec64()
            },
        ),
        (
            "bss",
            ExecutableSpec {
                bss_size: 3 * PAGE + 5,
                ..hello::spec64()
            },
        ),
        (
            "pinned-data",
            ExecutableSpec {
                data_vaddr: Some(0x60_0123),
                ..hello::spec64()
            },
        ),
        (
            "high-base",
            ExecutableSpec {
                base: 0x1234_5000,
                ..hello::spec64()
            },
        ),
    ];
    for (status, (name, spec)) in variants.into_iter().enumerate() {
        let w = hello::hello(spec, hello::MESSAGE, status as u8);
        let p = write_exe(&t, name, &w.bytes);
        let (stdout, code) = run_native(&p);
        assert_eq!(stdout, hello::MESSAGE, "{name}: stdout");
        assert_eq!(code, Some(status as i32), "{name}: exit status");
        check_readelf(&p);
        assert_eq!(w.bytes.len() as u64, w.layout.file_size, "{name}");
    }
}

#[test]
fn a_longer_message_and_a_bss_that_spans_pages() {
    let t = Scratch::new("writer-long");
    let message: Vec<u8> = (0..10_000u32)
        .map(|i| b'a' + (i % 26) as u8)
        .chain([b'\n'])
        .collect();
    let spec = ExecutableSpec {
        bss_size: 1 << 20,
        ..hello::spec64()
    };
    let w = hello::hello(spec, &message, 0);
    let p = write_exe(&t, "long", &w.bytes);
    assert_eq!(run_native(&p), (message, Some(0)));
    check_readelf(&p);
}

/// 32-bit x86 programs run when the kernel has IA32 emulation (CONFIG_IA32_EMULATION, on in
/// Debian's kernels). If this machine's kernel refuses them, readelf still has to agree.
#[test]
fn i386_hello_world() {
    let t = Scratch::new("writer-386");
    let w = hello::hello(hello::spec32(), hello::MESSAGE, 7);
    let p = write_exe(&t, "hello32", &w.bytes);
    check_readelf(&p);
    let elf = parse(&w.bytes).unwrap();
    assert_eq!((elf.class_bits(), elf.machine_name().as_str()), (32, "386"));
    match Command::new(&p).run_output() {
        Ok(out) => assert_eq!(
            (out.stdout.as_slice(), out.status.code()),
            (hello::MESSAGE, Some(7))
        ),
        Err(e) => assert_eq!(
            e.raw_os_error(),
            Some(libc::ENOEXEC),
            "unexpected error {e}"
        ),
    }
}

#[test]
fn big_endian_files_read_the_same_in_readelf() {
    let t = Scratch::new("writer-big");
    for (i, class) in [Class::Elf64, Class::Elf32].into_iter().enumerate() {
        for bss in [0, 100] {
            let spec = ExecutableSpec {
                class,
                endian: Endian::Big,
                machine: if class == Class::Elf64 { 21 } else { 20 }, // PPC64, PPC
                base: 0x1000_0000,
                code: vec![0x60, 0, 0, 0, 0x4e, 0x80, 0, 0x20],
                data: b"big-endian data".to_vec(),
                bss_size: bss,
                ..hello::spec64()
            };
            let w = write_executable(&spec).unwrap();
            let p = t.write(&format!("big{i}-{bss}"), &w.bytes);
            check_readelf(&p);
            let elf = parse(&w.bytes).unwrap();
            assert_eq!(elf.endian_name(), "big");
            assert_eq!(elf.header.entry.value, w.layout.entry);
        }
    }
}

#[test]
fn objdump_disassembles_the_code_it_was_given() {
    let t = Scratch::new("writer-objdump");
    let w = hello::hello(hello::spec64(), hello::MESSAGE, 0);
    let p = t.write("hello", &w.bytes);
    let out = Command::new("objdump")
        .args(["-d", "-M", "intel"])
        .arg(&p)
        .run_output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("file format elf64-x86-64"), "{text}");
    assert!(text.contains("Disassembly of section .text"), "{text}");
    assert_eq!(text.matches("syscall").count(), 2, "{text}");
    let msg = format!("mov    esi,0x{:x}", w.layout.data_vaddr);
    assert!(text.contains(&msg), "expected {msg:?} in {text}");
    let entry = format!("{:x} <.text>", w.layout.entry);
    assert!(text.contains(&entry), "expected {entry:?} in {text}");
}

#[test]
fn writer_errors_are_values() {
    let base = ExecutableSpec::x86_64(vec![0x90], Vec::new());
    let cases: Vec<(ExecutableSpec, &str)> = vec![
        (
            ExecutableSpec {
                code: Vec::new(),
                ..base.clone()
            },
            "there is no code",
        ),
        (
            ExecutableSpec {
                entry_offset: 1,
                ..base.clone()
            },
            "entry offset 1 is outside the code (1 bytes)",
        ),
        (
            ExecutableSpec {
                base: 0x40_0001,
                ..base.clone()
            },
            "not a multiple of 0x1000",
        ),
        (
            ExecutableSpec {
                data: vec![1],
                data_vaddr: Some(0x40_0800),
                ..base.clone()
            },
            "on a page the code uses",
        ),
        (
            ExecutableSpec {
                bss_size: MAX_BSS + 1,
                ..base.clone()
            },
            "the BSS is",
        ),
        (
            ExecutableSpec {
                code: vec![0; MAX_CONTENTS as usize + 1],
                ..base.clone()
            },
            "code and data are",
        ),
        (
            ExecutableSpec {
                base: u64::MAX - PAGE + 1,
                ..base.clone()
            },
            "does not fit in the 64-bit address space",
        ),
        (
            ExecutableSpec {
                class: Class::Elf32,
                base: 0xffff_f000,
                ..base.clone()
            },
            "does not fit in the 32-bit address space",
        ),
        (
            ExecutableSpec {
                class: Class::Elf32,
                bss_size: 1 << 20,
                data_vaddr: Some(0xfff0_1000),
                ..base.clone()
            },
            "the data and BSS does not fit",
        ),
    ];
    for (spec, want) in cases {
        let e = write_executable(&spec).unwrap_err();
        assert!(e.to_string().contains(want), "{e} should say {want:?}");
        assert_eq!(layout(&spec).unwrap_err(), e);
    }
}

#[test]
fn patch_writes_fields_in_either_byte_order() {
    let w = write_executable(&hello::spec64()).err();
    assert_eq!(w, Some(WriteError::NoCode));
    let w = hello::hello(hello::spec64(), hello::MESSAGE, 0);
    let mut bytes = w.bytes.clone();
    let elf = parse(&bytes).unwrap();
    patch(
        &mut bytes,
        elf.header.entry.bytes,
        0x40_1000,
        Endian::Little,
    )
    .unwrap();
    patch(&mut bytes, elf.segments[0].flags.bytes, 7, Endian::Little).unwrap();
    let again = parse(&bytes).unwrap();
    let titles: Vec<&str> = again.steps.iter().map(|s| s.title.as_str()).collect();
    assert_eq!(
        titles,
        [
            "ELF header",
            "Program headers",
            "PT_LOAD (program header 0)",
            "PT_LOAD (program header 1)",
            "Section headers"
        ]
    );
    assert!(
        again.steps[3].detail.contains("rw-"),
        "{:?}",
        again.steps[3]
    );
    assert_eq!(again.header.entry.value, 0x40_1000);
    assert_eq!(again.segments[0].flags_text, "rwx");
    let mut be = [0u8; 4];
    let r = youcpu_core::elf::ByteRange { start: 0, end: 4 };
    patch(&mut be, r, 0x0102_0304, Endian::Big).unwrap();
    assert_eq!(be, [1, 2, 3, 4]);
    assert!(patch(&mut be, r, 1 << 32, Endian::Big).is_err());
    assert!(patch(
        &mut be,
        youcpu_core::elf::ByteRange { start: 2, end: 6 },
        1,
        Endian::Big
    )
    .is_err());
    assert!(patch(
        &mut be,
        youcpu_core::elf::ByteRange { start: 0, end: 3 },
        1,
        Endian::Big
    )
    .is_err());
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(1000), ..ProptestConfig::default() })]

    /// Any accepted spec gives a file our parser reads back, with mmap-able segments that never
    /// share a page with different permissions.
    #[test]
    fn layout_invariants(
        code_len in 1usize..9000,
        data_len in prop_oneof![Just(0usize), 0usize..9000],
        bss in prop_oneof![Just(0u64), 0u64..100_000],
        pinned in proptest::option::of(0u64..0x10_0000),
        wide in any::<bool>(),
        big in any::<bool>(),
        sections in any::<bool>(),
    ) {
        let class = if wide { Class::Elf64 } else { Class::Elf32 };
        let spec = ExecutableSpec {
            class,
            endian: if big { Endian::Big } else { Endian::Little },
            code: vec![0xcc; code_len],
            entry_offset: (code_len / 2) as u64,
            data: vec![0xab; data_len],
            bss_size: bss,
            data_vaddr: pinned.map(|p| 0x80_0000 + p),
            section_headers: sections,
            ..ExecutableSpec::x86_64(Vec::new(), Vec::new())
        };
        let w = write_executable(&spec).unwrap();
        prop_assert_eq!(w.bytes.len() as u64, w.layout.file_size);
        let elf = parse(&w.bytes).unwrap();
        prop_assert_eq!(elf.header.entry.value, w.layout.entry);
        let loads: Vec<_> = elf.segments.iter().filter(|s| s.is_load()).collect();
        prop_assert_eq!(loads.len(), if data_len > 0 || bss > 0 { 2 } else { 1 });
        for s in &loads {
            prop_assert_eq!(s.offset.value % PAGE, s.vaddr.value % PAGE);
            prop_assert!(s.filesz.value <= s.memsz.value);
        }
        if let [text, data] = loads.as_slice() {
            let text_end = text.vaddr.value + text.memsz.value;
            prop_assert!(data.vaddr.value / PAGE * PAGE >= text_end.div_ceil(PAGE) * PAGE);
            let range = data.contents;
            prop_assert_eq!(&w.bytes[range.start as usize..range.end as usize], spec.data.as_slice());
            prop_assert_eq!(data.memsz.value, data_len as u64 + bss);
        }
        let code = &loads[0];
        let at = (w.layout.code_offset) as usize;
        prop_assert_eq!(&w.bytes[at..at + code_len], spec.code.as_slice());
        prop_assert!(code.contents.end as usize >= at + code_len);
        prop_assert_eq!(elf.sections.len(), if sections { 3 + usize::from(data_len > 0) + usize::from(bss > 0) } else { 0 });
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(3000), ..ProptestConfig::default() })]

    /// Any addresses and sizes: an error value or a file our parser reads back, never a panic.
    #[test]
    fn extreme_addresses_never_panic(
        base_page in any::<u64>(),
        data_vaddr in proptest::option::of(any::<u64>()),
        bss in prop_oneof![Just(0u64), any::<u64>(), 0u64..(MAX_BSS + 2)],
        code_len in prop_oneof![1usize..64, Just(4096 - 176), Just(4096 - 128)],
        data_len in 0usize..64,
        wide in any::<bool>(),
        near_top in any::<bool>(),
    ) {
        let class = if wide { Class::Elf64 } else { Class::Elf32 };
        let top = if wide { u64::MAX } else { u64::from(u32::MAX) };
        let base = if near_top { (top - (base_page % 4) * PAGE) & !(PAGE - 1) } else { base_page & !(PAGE - 1) };
        let spec = ExecutableSpec {
            class,
            base,
            code: vec![0x90; code_len],
            data: vec![1; data_len],
            bss_size: bss,
            data_vaddr,
            ..ExecutableSpec::x86_64(Vec::new(), Vec::new())
        };
        match write_executable(&spec) {
            Ok(w) => {
                let elf = parse(&w.bytes).unwrap();
                prop_assert_eq!(elf.header.entry.value, w.layout.entry);
                prop_assert_eq!(elf.class_bits(), class.bits());
            }
            Err(e) => prop_assert!(!e.to_string().is_empty()),
        }
    }
}

/// Proptest cases: `default`, or `PROPTEST_CASES` when set (for longer fuzzing runs).
fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The hand-laid-out examples the widgets show (`exec::examples`, written by `write_image`):
/// readelf reads every header, segment and dynamic entry as our parser does, and the ones a
/// kernel can start run natively: the static `tiny_elf` exits 0, the i386 one too where the
/// kernel runs 32-bit programs.
#[test]
fn the_widgets_small_examples_read_the_same_in_readelf_and_run() {
    use youcpu_core::exec::examples::{
        dynamic_elf, hello_dynamic, model_libc, tiny_elf, tiny_elf32, LOADER,
    };
    let t = Scratch::new("writer-examples");
    let files: Vec<(&str, Vec<u8>)> = vec![
        ("tiny-exec", tiny_elf(2, None)),
        ("tiny-exec-interp", tiny_elf(2, Some(LOADER))),
        ("tiny-dyn", tiny_elf(3, None)),
        ("tiny-dyn-interp", tiny_elf(3, Some(LOADER))),
        ("tiny32", tiny_elf32()),
        ("hello-dynamic", hello_dynamic()),
        ("model-libc", model_libc()),
        (
            "both",
            dynamic_elf(
                Some("/lib/ld.so"),
                Some("libx.so"),
                Some("liby.so"),
                3,
                100,
                7,
            ),
        ),
    ];
    for (name, bytes) in &files {
        let p = write_exe(&t, name, bytes);
        check_readelf(&p);
        let r = readelf::readelf(&p);
        let elf = parse(bytes).unwrap();
        match *name {
            "hello-dynamic" => {
                assert_eq!(r.needed, ["libc.so.6"]);
                assert_eq!(r.interp.as_deref(), Some(LOADER));
                assert_eq!(r.type_word, "DYN");
            }
            "model-libc" => {
                assert_eq!(r.soname.as_deref(), Some("libc.so.6"));
                assert!(r.interp.is_none() && r.needed.is_empty());
            }
            "both" => {
                assert_eq!(r.needed, ["libx.so"]);
                assert_eq!(r.soname.as_deref(), Some("liby.so"));
                assert_eq!(r.interp.as_deref(), Some("/lib/ld.so"));
                let loads: Vec<&str> = r
                    .segments
                    .iter()
                    .filter(|s| s.type_name == "LOAD")
                    .map(|s| s.flags.as_str())
                    .collect();
                assert_eq!(loads, ["r--", "r-x", "rw-"]);
            }
            _ => {}
        }
        assert_eq!(elf.class_bits(), if *name == "tiny32" { 32 } else { 64 });
    }
    let (out, code) = run_native(&t.0.join("tiny-exec"));
    assert_eq!((out.as_slice(), code), (&b""[..], Some(0)));
}
