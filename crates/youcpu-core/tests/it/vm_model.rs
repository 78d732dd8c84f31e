//! The process model both randomised `vm` suites run (`vm_cow` without a memory limit,
//! `vm_reclaim` under one): a program image with a text and a data segment, the operations
//! they draw, the addresses they touch and what an untouched page reads.

#![allow(clippy::unwrap_used)] // tests may unwrap

use proptest::prelude::*;
use youcpu_core::vm::mmap::MMAP_BASE;
use youcpu_core::vm::vma::STACK_TOP;
use youcpu_core::vm::{Image, Segment, System, VmaKind};

pub(crate) const TEXT: u64 = 0x40_0000;
pub(crate) const DATA: u64 = 0x40_1000;

pub(crate) fn file() -> Vec<u8> {
    (0..0x3000u32).map(|i| (i * 7 + 3) as u8).collect()
}

/// Text r-x at 0x400000 (file 0..0x1000), data rw- at 0x401000 with 0x1800 file bytes then BSS
/// to 0x404000.
pub(crate) fn image() -> Image {
    let segs = vec![
        Segment {
            start: TEXT,
            file_end: TEXT + 0x1000,
            end: TEXT + 0x1000,
            offset: 0,
            file_bytes: 0x1000,
            rwx: (true, false, true),
        },
        Segment {
            start: DATA,
            file_end: DATA + 0x2000,
            end: DATA + 0x3000,
            offset: 0x1000,
            file_bytes: 0x1800,
            rwx: (true, true, false),
        },
    ];
    Image::new("prog", file(), segs, 200).unwrap()
}

/// What an untouched page shows at `va`: the file's byte for a file mapping, else zero.
pub(crate) fn initial(sys: &System, pid: u32, va: u64) -> u8 {
    let p = sys.process(pid).unwrap();
    match p
        .vmas
        .iter()
        .find(|v| v.contains(va))
        .map(|v| (v.start, &v.kind))
    {
        Some((
            start,
            VmaKind::File {
                offset, file_bytes, ..
            },
        )) if va - start < *file_bytes => file()[(offset + va - start) as usize],
        _ => 0,
    }
}

/// Mappings made by mmap lie in the 64 MiB below mmap_base.
pub(crate) fn is_mmap(start: u64) -> bool {
    (MMAP_BASE - (64 << 20)..MMAP_BASE).contains(&start)
}

#[derive(Clone, Debug)]
pub(crate) enum Op {
    Fork(usize),
    Write(usize, usize, u8),
    Read(usize, usize),
    Exit(usize),
    Exec(usize),
    Brk(usize, u64),
    Mmap(usize, u64, bool),
    Munmap(usize),
}

pub(crate) fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        2 => (0usize..8).prop_map(Op::Fork),
        5 => (0usize..8, 0usize..64, any::<u8>()).prop_map(|(p, a, b)| Op::Write(p, a, b)),
        4 => (0usize..8, 0usize..64).prop_map(|(p, a)| Op::Read(p, a)),
        1 => (0usize..8).prop_map(Op::Exit),
        1 => (0usize..8).prop_map(Op::Exec),
        1 => (0usize..8, 0u64..4).prop_map(|(p, n)| Op::Brk(p, n)),
        1 => (0usize..8, 1u64..4, any::<bool>()).prop_map(|(p, n, f)| Op::Mmap(p, n, f)),
        1 => (0usize..8).prop_map(Op::Munmap),
    ]
}

/// Addresses to touch: text, data (file and BSS parts), heap, stack, stack below its VMA.
pub(crate) fn addr(sys: &System, pid: u32, k: usize) -> u64 {
    let p = sys.process(pid).unwrap();
    let j = (k as u64 * 0x531) & 0xfff;
    let maps: Vec<_> = p.vmas.iter().filter(|v| is_mmap(v.start)).collect();
    if k >= 48 && !maps.is_empty() {
        let v = maps[k % maps.len()];
        return v.start + (k as u64 * 0x777) % (v.end - v.start);
    }
    match k % 8 {
        0 => TEXT + j,
        1 | 2 => DATA + (k as u64 % 3) * 0x1000 + j,
        3 => 0x40_1800 + (j & 0x7ff),
        4 => p.brk_start + (k as u64 % 3) * 0x1000 + j,
        5 => STACK_TOP - 1 - j,
        6 => STACK_TOP - 0x3_0000 - (k as u64 % 4) * 0x1000 - j,
        _ => DATA + 0x2000 + j,
    }
}

pub(crate) fn live(sys: &System) -> Vec<u32> {
    sys.processes()
        .filter(|p| p.root_pfn != 0)
        .map(|p| p.pid)
        .collect()
}
