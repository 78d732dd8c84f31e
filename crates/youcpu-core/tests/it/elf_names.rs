//! Segment type names, section type names and section flag letters against GNU readelf, for
//! many values, machines and OS ABIs: each case is a synthetic file whose program and section
//! header tables hold one value per entry, so one readelf run checks a whole table.
//! Needs Debian package binutils.

#![allow(clippy::unwrap_used)] // tests may unwrap

use crate::elf_tools as tools;
use youcpu_testkit::fields::Fields;
use youcpu_testkit::readelf;
use youcpu_testkit::rng::{Rng, SplitMix64};

use tools::Scratch;
use youcpu_core::elf::{parse, Class, Endian};

/// An ELF file whose program headers have the given (p_type, p_flags) and whose sections have
/// the given (sh_type, sh_flags); everything else is empty.
fn synthetic(
    class: Class,
    endian: Endian,
    machine: u16,
    osabi: u8,
    ph: &[(u32, u32)],
    sh: &[(u32, u64)],
) -> Vec<u8> {
    let wide = class == Class::Elf64;
    let mut o = Fields::new(endian == Endian::Big, wide);
    let (ehsize, phsize, shsize) = (
        class.ehdr_size() as u64,
        class.phdr_size() as u64,
        class.shdr_size() as u64,
    );
    let phoff = ehsize;
    let strtab_off = phoff + phsize * ph.len() as u64;
    let strtab = b"\0.shstrtab\0";
    let shoff = (strtab_off + strtab.len() as u64).div_ceil(8) * 8;
    let shnum = sh.len() as u64 + 2;
    o.buf.extend_from_slice(&[
        0x7f,
        b'E',
        b'L',
        b'F',
        if wide { 2 } else { 1 },
        if o.big { 2 } else { 1 },
        1,
        osabi,
    ]);
    o.buf.extend_from_slice(&[0; 8]);
    o.n(1, 2); // ET_REL
    o.n(machine as u64, 2);
    o.n(1, 4);
    o.w(0);
    o.w(if ph.is_empty() { 0 } else { phoff });
    o.w(shoff);
    o.n(0, 4);
    o.n(ehsize, 2);
    o.n(phsize, 2);
    o.n(ph.len() as u64, 2);
    o.n(shsize, 2);
    o.n(shnum, 2);
    o.n(shnum - 1, 2);
    for &(t, f) in ph {
        o.n(t as u64, 4);
        if wide {
            o.n(f as u64, 4);
        }
        for _ in 0..5 {
            o.w(0);
        }
        if !wide {
            o.n(f as u64, 4);
        }
        o.w(0);
    }
    o.buf.extend_from_slice(strtab);
    o.buf.resize(shoff as usize, 0);
    o.buf.extend(std::iter::repeat_n(0, shsize as usize));
    // readelf replaces a wrong sh_entsize of these types by the right one when it prints.
    let entsize = |t: u32| match (t, wide) {
        (2 | 11, true) | (4, true) => 24,
        (2 | 11, false) => 16,
        (4, false) => 12,
        (9, true) => 16,
        (19, true) => 8,
        (9, false) => 8,
        (19, false) => 4,
        (17, _) => 4,
        _ => 0,
    };
    let entry = |o: &mut Fields, name: u64, t: u32, flags: u64, off: u64, size: u64| {
        o.n(name, 4);
        o.n(t as u64, 4);
        o.w(flags);
        o.w(0);
        o.w(off);
        o.w(size);
        o.n(0, 4);
        o.n(0, 4);
        o.w(0);
        o.w(entsize(t));
    };
    for &(t, f) in sh {
        entry(&mut o, 0, t, f, 0, 0);
    }
    entry(&mut o, 1, 3, 0, strtab_off, strtab.len() as u64);
    o.buf
}

fn segment_types(rng: &mut SplitMix64) -> Vec<u32> {
    let mut v: Vec<u32> = vec![0, 1, 2, 4, 5, 6, 7, 8, 9, 0x5fff_ffff];
    v.extend([0x6000_0000, 0x6000_0001, 0x6464_e550, 0x6fff_ffff]);
    v.extend(0x6000_0002..=0x6000_0016);
    v.extend(0x6474_e550..=0x6474_e556);
    v.extend([0x6474_e555 + 0xfff, 0x6474_e555 + 0x1000]);
    v.extend(0x65a3_dbe4..=0x65a3_dbe8);
    v.extend([0x65a4_1be6, 0x65a4_1be7]);
    v.extend(0x6fff_fff8..=0x6fff_ffff);
    v.extend(0x7000_0000..=0x7000_0008);
    v.extend([0x7fff_ffff, 0x8000_0000, 0xffff_ffff]);
    for range in [
        (8u64, 0x6000_0000u64),
        (0x6000_0000, 0x7000_0000),
        (0x7000_0000, 0x8000_0000),
        (0x8000_0000, 1 << 32),
    ] {
        for _ in 0..4 {
            v.push((range.0 + rng.next() % (range.1 - range.0)) as u32);
        }
    }
    v
}

fn section_types(rng: &mut SplitMix64) -> Vec<u32> {
    let mut v: Vec<u32> = (0..=21).collect();
    v.extend([
        0x6000_0000,
        0x6000_0001,
        0x6fff_4700,
        0x6fff_4c00,
        0x7800_0000,
        0x7803_0001,
        0x78ff_0000,
        0x7900_0000,
    ]);
    v.extend(0x6000_0002..=0x6000_0008);
    v.extend(0x7f00_0000..=0x7f00_0008);
    v.extend(0x6fff_ffe0..=0x6fff_ffff);
    v.extend(0x7000_0000..=0x7000_002c);
    v.extend([
        0x7fff_fffd,
        0x7fff_fffe,
        0x7fff_ffff,
        0x8000_0000,
        0x8000_0001,
        0xffff_ffff,
    ]);
    for range in [
        (22u64, 0x6000_0000u64),
        (0x6000_0000, 0x7000_0000),
        (0x7000_0000, 0x8000_0000),
        (0x8000_0000, 1 << 32),
    ] {
        for _ in 0..4 {
            v.push((range.0 + rng.next() % (range.1 - range.0)) as u32);
        }
    }
    v
}

fn section_flags(rng: &mut SplitMix64, bits: u32) -> Vec<u64> {
    let mut v: Vec<u64> = (0..bits).map(|b| 1u64 << b).collect();
    v.extend([
        0,
        3,
        6,
        0x30,
        0x42,
        0x200,
        0x400,
        0x0ff0_0000,
        0xf000_0000,
        0x0020_0003,
        0x0100_0002,
    ]);
    let mask = if bits == 64 { u64::MAX } else { 0xffff_ffff };
    for _ in 0..40 {
        v.push(rng.next() & mask);
        v.push(rng.next() & rng.next() & mask);
    }
    v
}

#[test]
fn names_and_flag_letters_match_readelf() {
    let t = Scratch::new("names");
    let machines = [
        62u16, 3, 0, 2, 8, 10, 15, 20, 21, 22, 40, 43, 45, 50, 105, 140, 183, 243, 252, 0xa390,
        221, 224, 0x1059, 0x1234,
    ];
    let osabis = [
        0u8, 1, 3, 6, 9, 2, 12, 13, 17, 18, 19, 63, 64, 65, 66, 97, 255,
    ];
    let mut rng = SplitMix64(0x5eed);
    let mut n = 0;
    let mut diffs = Vec::new();
    for (i, &machine) in machines.iter().enumerate() {
        for (j, &osabi) in osabis.iter().enumerate() {
            let (class, endian) = match (i + j) % 3 {
                0 => (Class::Elf64, Endian::Little),
                1 => (Class::Elf32, Endian::Little),
                _ => (Class::Elf64, Endian::Big),
            };
            let ph: Vec<(u32, u32)> = segment_types(&mut rng)
                .into_iter()
                .map(|p| (p, rng.next() as u32))
                .collect();
            let st = section_types(&mut rng);
            let sf = section_flags(&mut rng, class.bits());
            let sh: Vec<(u32, u64)> = (0..st.len().max(sf.len()))
                .map(|k| (st[k % st.len()], sf[k % sf.len()]))
                .collect();
            let bytes = synthetic(class, endian, machine, osabi, &ph, &sh);
            let path = t.write(&format!("m{machine}-o{osabi}"), &bytes);
            let elf = parse(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let r = readelf::readelf(&path);
            for d in readelf::differences(&elf, &r) {
                diffs.push(format!("machine {machine} osabi {osabi}: {d}"));
            }
            n += ph.len() + sh.len();
        }
    }
    assert!(
        diffs.is_empty(),
        "{} differences:\n{}",
        diffs.len(),
        diffs.join("\n")
    );
    assert!(n > 10_000, "only {n} values checked");
}

/// Machine names are the `EM_` constants of glibc's `<elf.h>` (Debian package libc6-dev),
/// read live: every value defined there has its name, every other value is unknown.
#[test]
fn machine_names_follow_elf_h() {
    let text = std::fs::read_to_string("/usr/include/elf.h")
        .expect("libc6-dev provides /usr/include/elf.h");
    let mut defined = std::collections::BTreeMap::new();
    for line in text.lines() {
        let mut it = line.split_whitespace();
        if it.next() != Some("#define") {
            continue;
        }
        let (Some(name), Some(value)) = (it.next(), it.next()) else {
            continue;
        };
        let Some(short) = name.strip_prefix("EM_") else {
            continue;
        };
        let parsed = match value.strip_prefix("0x") {
            Some(h) => u16::from_str_radix(h, 16).ok(),
            None => value.parse::<u16>().ok(),
        };
        if let (Some(v), true) = (parsed, short != "NUM") {
            defined.insert(v, short.to_string());
        }
    }
    assert!(
        defined.len() > 150,
        "only {} EM_ constants found",
        defined.len()
    );
    for v in 0..=u16::MAX {
        let ours = youcpu_core::elf::names::machine(v);
        match defined.get(&v) {
            Some(name) => assert_eq!(&ours, name, "e_machine {v}"),
            None => assert_eq!(ours, format!("<unknown>: {v:#x}"), "e_machine {v}"),
        }
    }
}
