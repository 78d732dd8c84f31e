//! Malformed ELF files: every truncation, every absurd field, random bytes and random mutations
//! give a precise error (or a parse), never a panic, and memory stays proportional to the file.

#![allow(clippy::unwrap_used)] // tests may unwrap

use crate::elf_hello as hello;

use proptest::prelude::*;
use youcpu_core::elf::writer::{patch, ExecutableSpec};
use youcpu_core::elf::{
    parse, parse_with_limits, ByteRange, ElfError, ElfFile, Endian, Limits, NO_STRINGS,
};
use youcpu_testkit::rng::{Rng as _, SplitMix64};

fn hello64() -> Vec<u8> {
    hello::hello(
        ExecutableSpec {
            bss_size: 100,
            ..hello::spec64()
        },
        hello::MESSAGE,
        0,
    )
    .bytes
}

fn hello32() -> Vec<u8> {
    hello::hello(hello::spec32(), hello::MESSAGE, 0).bytes
}

fn ls() -> Vec<u8> {
    std::fs::read("/bin/ls").unwrap()
}

/// The file with the field at `range` set to `value`.
fn with(bytes: &[u8], range: ByteRange, value: u64) -> Vec<u8> {
    let mut b = bytes.to_vec();
    patch(&mut b, range, value, endian(bytes)).unwrap();
    b
}

fn endian(bytes: &[u8]) -> Endian {
    if bytes[5] == 2 {
        Endian::Big
    } else {
        Endian::Little
    }
}

fn err(bytes: &[u8]) -> ElfError {
    let e = parse(bytes).expect_err("the file should be refused");
    let msg = e.to_string();
    assert!(!msg.is_empty() && !msg.contains('\n'), "message {msg:?}");
    e
}

/// The parse must not hold more than a small multiple of the file size (plus a constant).
fn bounded(elf: &ElfFile, size: usize) {
    let limit = 16 * size as u64 + 64 * 1024;
    assert!(
        elf.heap_bytes() <= limit,
        "{} heap bytes for a {size}-byte file",
        elf.heap_bytes()
    );
}

#[test]
fn every_truncation_is_an_error() {
    for file in [hello64(), hello32()] {
        let full = parse(&file).unwrap();
        bounded(&full, file.len());
        // The section header table is last, so every proper prefix cuts something.
        for len in 0..file.len() {
            match err(&file[..len]) {
                ElfError::Truncated { .. } | ElfError::OutOfFile { .. } => {}
                ElfError::BadMagic if len < 4 => {}
                e => panic!("prefix {len}: unexpected {e}"),
            }
        }
    }
}

#[test]
fn truncations_of_a_real_program_at_each_header_boundary() {
    let file = ls();
    let elf = parse(&file).unwrap();
    let mut cuts = vec![0, 1, 3, 4, 5, 6, 15, 16, 17, 63, 64];
    for s in &elf.segments {
        cuts.extend(
            [
                s.header.start,
                s.header.end - 1,
                s.contents.start,
                s.contents.end.saturating_sub(1),
            ]
            .map(|c| c as usize),
        );
    }
    for s in &elf.sections {
        cuts.extend([s.header.start, s.header.end - 1].map(|c| c as usize));
        if !s.contents.is_empty() {
            cuts.push(s.contents.end as usize - 1);
        }
    }
    cuts.push(file.len() - 1);
    for len in cuts {
        let e = err(&file[..len]);
        assert!(
            matches!(
                e,
                ElfError::Truncated { .. } | ElfError::OutOfFile { .. } | ElfError::BadMagic
            ),
            "cut at {len}: {e}"
        );
    }
}

#[test]
fn header_identification_errors() {
    let file = hello64();
    assert_eq!(
        err(b""),
        ElfError::Truncated {
            what: "the ELF magic",
            need: 4,
            size: 0
        }
    );
    assert_eq!(err(b"\x7fELG rest of a file"), ElfError::BadMagic);
    assert_eq!(err(b"#!/bin/sh\necho hi\n"), ElfError::BadMagic);
    let mut b = file.clone();
    b[4] = 3;
    assert_eq!(err(&b), ElfError::BadClass(3));
    b[4] = 0;
    assert_eq!(err(&b), ElfError::BadClass(0));
    let mut b = file.clone();
    b[5] = 0;
    assert_eq!(err(&b), ElfError::BadEndian(0));
    assert_eq!(
        err(&file[..5]),
        ElfError::Truncated {
            what: "e_ident",
            need: 16,
            size: 5
        }
    );
    assert_eq!(
        err(&file[..63]),
        ElfError::Truncated {
            what: "the ELF header",
            need: 64,
            size: 63
        }
    );
    assert_eq!(
        err(&hello32()[..51]),
        ElfError::Truncated {
            what: "the ELF header",
            need: 52,
            size: 51
        }
    );
    // Class 32 with a 64-bit body, and the other way round, are caught by the table checks.
    let mut b = file.clone();
    b[4] = 1;
    assert!(parse(&b).is_err());
}

#[test]
fn table_offsets_and_counts() {
    let file = hello64();
    let elf = parse(&file).unwrap();
    let h = &elf.header;
    let size = file.len() as u64;
    let e = err(&with(&file, h.phoff.bytes, size));
    assert!(
        matches!(&e, ElfError::OutOfFile { what, .. } if what == "the program header table"),
        "{e}"
    );
    let e = err(&with(&file, h.phoff.bytes, u64::MAX - 8));
    assert!(matches!(&e, ElfError::OutOfFile { .. }), "{e}");
    let e = err(&with(&file, h.shoff.bytes, size - 10));
    assert!(
        matches!(&e, ElfError::OutOfFile { what, .. } if what == "the section header table"),
        "{e}"
    );
    let e = err(&with(&file, h.shoff.bytes, u64::MAX));
    assert!(matches!(&e, ElfError::OutOfFile { .. }), "{e}");
    for n in [3u64, 1000, 0xfffe] {
        let e = err(&with(&file, h.phnum.bytes, n));
        assert!(matches!(&e, ElfError::OutOfFile { .. }), "e_phnum {n}: {e}");
    }
    for n in [6u64, 1000, 0xff00, 0xfffe] {
        let e = err(&with(&file, h.shnum.bytes, n));
        assert!(matches!(&e, ElfError::OutOfFile { .. }), "e_shnum {n}: {e}");
    }
    assert_eq!(
        err(&with(&file, h.phentsize.bytes, 32)),
        ElfError::BadEntrySize {
            what: "program header",
            size: 32,
            expected: 56
        }
    );
    assert_eq!(
        err(&with(&file, h.shentsize.bytes, 65)),
        ElfError::BadEntrySize {
            what: "section header",
            size: 65,
            expected: 64
        }
    );
    let count = elf.sections.len() as u64;
    assert_eq!(
        err(&with(&file, h.shstrndx.bytes, count)),
        ElfError::BadShstrndx {
            index: count,
            count
        }
    );
    assert_eq!(
        err(&with(&file, h.shstrndx.bytes, 0xfeff)),
        ElfError::BadShstrndx {
            index: 0xfeff,
            count
        }
    );
}

#[test]
fn extended_numbering_through_section_zero() {
    let file = hello64();
    let elf = parse(&file).unwrap();
    let h = &elf.header;
    let s0 = &elf.sections[0];
    // e_shnum = 0: the count is section 0's sh_size (gABI); the right count parses the same.
    let b = with(
        &with(&file, h.shnum.bytes, 0),
        s0.size.bytes,
        elf.sections.len() as u64,
    );
    assert_eq!(parse(&b).unwrap().sections.len(), elf.sections.len());
    // SHN_XINDEX: the name table index is section 0's sh_link.
    let b = with(
        &with(&file, h.shstrndx.bytes, 0xffff),
        s0.link.bytes,
        u64::from(h.shstrndx.value),
    );
    assert_eq!(
        parse(&b).unwrap().sections,
        elf.sections
            .iter()
            .map(|s| {
                let mut s = s.clone();
                if s.index == 0 {
                    s.link.value = u32::from(h.shstrndx.value);
                }
                s
            })
            .collect::<Vec<_>>()
    );
    // PN_XNUM: the program header count is section 0's sh_info.
    let b = with(
        &with(&file, h.phnum.bytes, 0xffff),
        s0.info.bytes,
        elf.segments.len() as u64,
    );
    assert_eq!(parse(&b).unwrap().segments, elf.segments);
    // Absurd escaped counts are refused before anything is allocated for them.
    let b = with(&with(&file, h.shnum.bytes, 0), s0.size.bytes, 1 << 40);
    assert_eq!(
        err(&b),
        ElfError::TooMany {
            what: "section headers",
            count: 1 << 40,
            limit: 1 << 17
        }
    );
    let b = with(
        &with(&file, h.phnum.bytes, 0xffff),
        s0.info.bytes,
        0xffff_ffff,
    );
    assert_eq!(
        err(&b),
        ElfError::TooMany {
            what: "program headers",
            count: 0xffff_ffff,
            limit: 65_535
        }
    );
    let b = with(
        &with(&file, h.shstrndx.bytes, 0xffff),
        s0.link.bytes,
        0xffff_ffff,
    );
    assert!(matches!(
        err(&b),
        ElfError::BadShstrndx {
            index: 0xffff_ffff,
            ..
        }
    ));
    // Below the cap but past the end of the file.
    let b = with(&with(&file, h.shnum.bytes, 0), s0.size.bytes, 100_000);
    assert!(matches!(err(&b), ElfError::OutOfFile { .. }));
}

#[test]
fn segment_sizes_and_offsets() {
    let file = hello64();
    let elf = parse(&file).unwrap();
    let size = file.len() as u64;
    let load = &elf.segments[1];
    let e = err(&with(&file, load.memsz.bytes, u64::MAX - 0x1000));
    assert_eq!(
        e,
        ElfError::TooBigInMemory {
            index: 1,
            memsz: u64::MAX - 0x1000
        }
    );
    // The bound is 2^57 bytes, the largest virtual address space (x86-64, 5-level paging).
    let e = err(&with(&file, load.memsz.bytes, (1 << 57) + 1));
    assert_eq!(
        e,
        ElfError::TooBigInMemory {
            index: 1,
            memsz: (1 << 57) + 1
        }
    );
    assert_eq!(
        parse(&with(&file, load.memsz.bytes, 1 << 57))
            .unwrap()
            .segments[1]
            .memsz
            .value,
        1 << 57
    );
    let e = err(&with(
        &with(&file, load.vaddr.bytes, u64::MAX - 10),
        load.memsz.bytes,
        100,
    ));
    assert!(matches!(e, ElfError::AddressWraps { bits: 64, .. }), "{e}");
    let e = err(&with(&file, load.filesz.bytes, size));
    assert!(
        matches!(&e, ElfError::OutOfFile { what, .. } if what == "segment 1 (LOAD)"),
        "{e}"
    );
    let e = err(&with(&file, load.offset.bytes, u64::MAX - 4));
    assert!(matches!(&e, ElfError::OutOfFile { .. }), "{e}");
    let e = err(&with(
        &with(&file, load.offset.bytes, 1 << 63),
        load.filesz.bytes,
        1 << 63,
    ));
    assert!(
        matches!(&e, ElfError::OutOfFile { .. }),
        "p_offset + p_filesz overflow: {e}"
    );
    // A PT_NULL entry is exempt, as readelf and the kernel ignore it.
    let b = with(
        &with(&file, load.p_type.bytes, 0),
        load.memsz.bytes,
        u64::MAX,
    );
    assert_eq!(parse(&b).unwrap().segments[1].type_name, "NULL");
    // 32-bit: the address space ends at 4 GiB.
    let f32 = hello32();
    let e32 = parse(&f32).unwrap();
    let l = &e32.segments[1];
    let e = err(&with(&f32, l.memsz.bytes, 0xffff_ffff));
    assert!(matches!(e, ElfError::AddressWraps { bits: 32, .. }), "{e}");
}

#[test]
fn section_contents_and_names() {
    let file = hello64();
    let elf = parse(&file).unwrap();
    let text = &elf.sections[1];
    let size = file.len() as u64;
    let e = err(&with(&file, text.size.bytes, size));
    assert!(
        matches!(&e, ElfError::OutOfFile { what, .. } if what == "section 1"),
        "{e}"
    );
    let e = err(&with(&file, text.offset.bytes, u64::MAX));
    assert!(matches!(&e, ElfError::OutOfFile { .. }), "{e}");
    let e = err(&with(&file, text.addr.bytes, u64::MAX));
    assert!(matches!(&e, ElfError::AddressWraps { .. }), "{e}");
    // NOBITS sections take no file space: a huge offset is fine.
    let bss = elf
        .sections
        .iter()
        .find(|s| s.type_name == "NOBITS")
        .unwrap();
    assert!(parse(&with(&file, bss.offset.bytes, u64::MAX)).is_ok());
    let strtab = elf.sections.last().unwrap();
    let e = err(&with(&file, text.name_offset.bytes, strtab.size.value));
    assert_eq!(
        e,
        ElfError::BadName {
            index: 1,
            offset: strtab.size.value as u32,
            table_size: strtab.size.value,
            unterminated: false
        }
    );
    let e = err(&with(&file, text.name_offset.bytes, 0xffff_ffff));
    assert!(
        matches!(
            e,
            ElfError::BadName {
                unterminated: false,
                ..
            }
        ),
        "{e}"
    );
    // Cut the table's final NUL: the last name ('.shstrtab') runs off the end.
    let e = err(&with(&file, strtab.size.bytes, strtab.size.value - 1));
    assert!(
        matches!(
            e,
            ElfError::BadName {
                unterminated: true,
                ..
            }
        ),
        "{e}"
    );
    // No name table (e_shstrndx = 0): names are empty, as readelf shows them.
    let b = with(&file, elf.header.shstrndx.bytes, 0);
    assert!(parse(&b)
        .unwrap()
        .sections
        .iter()
        .all(|s| s.name == NO_STRINGS));
}

#[test]
fn interpreter_and_dynamic_section() {
    let file = ls();
    let elf = parse(&file).unwrap();
    let interp = elf
        .segments
        .iter()
        .find(|s| s.type_name == "INTERP")
        .unwrap();
    let mut b = file.clone();
    b[interp.contents.end as usize - 1] = b'x';
    assert_eq!(
        err(&b),
        ElfError::BadInterp("the path does not end with a NUL byte")
    );
    // An empty PT_INTERP (as in separate debug files) parses, with no interpreter and a warning.
    let empty = parse(&with(&file, interp.filesz.bytes, 0)).unwrap();
    assert!(empty.interp.is_none());
    assert!(
        empty.warnings[0].contains("INTERP) is empty"),
        "{:?}",
        empty.warnings
    );
    let mut b = file.clone();
    b[interp.contents.start as usize] = 0;
    assert_eq!(err(&b), ElfError::BadInterp("the path is empty"));
    let d = elf.dynamic.as_ref().unwrap();
    let needed = d.entries.iter().find(|e| e.tag_name == "NEEDED").unwrap();
    let e = err(&with(&file, needed.value.bytes, 1 << 40));
    assert!(
        matches!(&e, ElfError::BadDynamic(m) if m.contains("past the end of the string table")),
        "{e}"
    );
    let strtab = d.entries.iter().find(|e| e.tag_name == "STRTAB").unwrap();
    let e = err(&with(&file, strtab.value.bytes, 0xdead_0000_0000));
    assert!(
        matches!(&e, ElfError::BadDynamic(m) if m.contains("not in the file part of any PT_LOAD")),
        "{e}"
    );
    let strsz = d.entries.iter().find(|e| e.tag_name == "STRSZ").unwrap();
    let e = err(&with(&file, strsz.value.bytes, u64::MAX));
    assert!(matches!(&e, ElfError::OutOfFile { .. }), "{e}");
}

#[test]
fn size_limit() {
    let file = hello64();
    let limits = Limits {
        max_file_size: 100,
        ..Limits::default()
    };
    assert_eq!(
        parse_with_limits(&file, &limits).unwrap_err(),
        ElfError::TooLarge {
            size: file.len() as u64,
            limit: 100
        }
    );
    let limits = Limits {
        max_sections: 2,
        ..Limits::default()
    };
    assert!(matches!(
        parse_with_limits(&file, &limits).unwrap_err(),
        ElfError::TooMany {
            what: "section headers",
            ..
        }
    ));
    let limits = Limits {
        max_segments: 1,
        ..Limits::default()
    };
    assert!(matches!(
        parse_with_limits(&file, &limits).unwrap_err(),
        ElfError::TooMany {
            what: "program headers",
            ..
        }
    ));
}

#[test]
fn field_ranges_hold_the_values() {
    // Every field's byte range, read back in the file's byte order, gives the value: what the
    // hex view highlights is what was parsed.
    for file in [hello64(), hello32(), ls()] {
        let elf = parse(&file).unwrap();
        let big = endian(&file) == Endian::Big;
        let read = |r: ByteRange| -> u64 {
            let s = &file[r.start as usize..r.end as usize];
            let it: Box<dyn Iterator<Item = &u8>> = if big {
                Box::new(s.iter())
            } else {
                Box::new(s.iter().rev())
            };
            it.fold(0u64, |acc, &b| (acc << 8) | u64::from(b))
        };
        let h = &elf.header;
        assert_eq!(read(h.entry.bytes), h.entry.value);
        assert_eq!(read(h.phoff.bytes), h.phoff.value);
        assert_eq!(read(h.shoff.bytes), h.shoff.value);
        assert_eq!(read(h.flags.bytes), u64::from(h.flags.value));
        assert_eq!(read(h.e_type.bytes), u64::from(h.e_type.value));
        assert_eq!(read(h.machine.bytes), u64::from(h.machine.value));
        assert_eq!(read(h.shstrndx.bytes), u64::from(h.shstrndx.value));
        assert_eq!(read(h.phnum.bytes), u64::from(h.phnum.value));
        for s in &elf.segments {
            for f in [s.offset, s.vaddr, s.paddr, s.filesz, s.memsz, s.align] {
                assert_eq!(read(f.bytes), f.value);
            }
            assert_eq!(read(s.flags.bytes), u64::from(s.flags.value));
            assert_eq!(read(s.p_type.bytes), u64::from(s.p_type.value));
        }
        for s in &elf.sections {
            for f in [s.flags, s.addr, s.offset, s.size, s.addralign, s.entsize] {
                assert_eq!(read(f.bytes), f.value);
            }
            assert_eq!(read(s.name_offset.bytes), u64::from(s.name_offset.value));
            if let Some(n) = s.name_bytes {
                assert_eq!(
                    &file[n.start as usize..n.end as usize - 1],
                    s.name.as_bytes()
                );
                assert_eq!(file[n.end as usize - 1], 0);
            }
        }
        if let Some(d) = &elf.dynamic {
            for n in &d.needed {
                assert_eq!(
                    &file[n.bytes.start as usize..n.bytes.end as usize - 1],
                    n.value.as_bytes()
                );
            }
        }
    }
}

#[test]
fn random_bytes_never_panic() {
    let mut rng = SplitMix64(42);
    for i in 0..3000 {
        let len = rng.index(600);
        let mut b = rng.bytes(len);
        // Most random files stop at the magic; give two thirds of them a valid identification.
        if i % 3 != 0 && len >= 6 {
            b[..4].copy_from_slice(b"\x7fELF");
            b[4] = 1 + (i % 2) as u8;
            b[5] = 1 + ((i / 2) % 2) as u8;
        }
        if let Ok(elf) = parse(&b) {
            bounded(&elf, b.len());
        }
    }
}

fn mutate(base: &[u8], edits: &[(usize, u8)], cut: Option<usize>) -> Vec<u8> {
    let mut b = base.to_vec();
    for &(at, v) in edits {
        let i = at % b.len();
        b[i] = v;
    }
    if let Some(c) = cut {
        b.truncate(c % (b.len() + 1));
    }
    b
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(2000), ..ProptestConfig::default() })]

    /// Random byte edits to the headers and tables of a written program.
    #[test]
    fn mutations_of_a_small_program(
        edits in proptest::collection::vec((0usize..400, any::<u8>()), 1..12),
        cut in proptest::option::of(any::<usize>()),
        wide in any::<bool>(),
    ) {
        let base = if wide { hello64() } else { hello32() };
        let b = mutate(&base, &edits, cut);
        if let Ok(elf) = parse(&b) {
            bounded(&elf, b.len());
        }
    }

    /// Random edits anywhere in the headers, tables and dynamic section of /bin/ls.
    #[test]
    fn mutations_of_a_real_program(
        edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..8),
        in_tables in any::<bool>(),
    ) {
        let base = LS.with(|l| l.clone());
        let elf = parse(&base).unwrap();
        // Aim at the structures: the first 4 KiB or the section header table.
        let edits: Vec<(usize, u8)> = edits
            .into_iter()
            .map(|(at, v)| {
                let at = if in_tables { elf.header.shoff.value as usize + at % (base.len() - elf.header.shoff.value as usize) } else { at % 4096 };
                (at, v)
            })
            .collect();
        let b = mutate(&base, &edits, None);
        if let Ok(elf) = parse(&b) {
            bounded(&elf, b.len());
        }
    }
}

thread_local! {
    static LS: Vec<u8> = ls();
}

/// Proptest cases: `default`, or `PROPTEST_CASES` when set (for longer fuzzing runs).
fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}
