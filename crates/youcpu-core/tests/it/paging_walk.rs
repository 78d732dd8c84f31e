//! The generic walker against two independent x86-64 walkers on random and hand-built tables:
//! the CPU's MMU walk (`mmu::paging::walk`) and a minimal reference written here from the SDM.

#![allow(clippy::unwrap_used)] // tests may unwrap

use proptest::prelude::*;
use youcpu_core::cpu::bus::{Access as MAccess, PagingConfig};
use youcpu_core::cpu::fault::Fault;
use youcpu_core::mmu::paging as mp;
use youcpu_core::mmu::phys::PhysMem;
use youcpu_core::paging::{walk, Access, AccessKind, FaultKind, Format};

const FRAMES: u64 = 12;

/// Physical memory whose frames 1..FRAMES hold the given entries (512 per frame, sparse).
fn memory(entries: &[(u64, u64, u64)]) -> PhysMem {
    let mut m = PhysMem::new(64 * 4096);
    for _ in 1..FRAMES {
        m.alloc_frame().unwrap();
    }
    for &(frame, index, value) in entries {
        m.write_u64(frame * 4096 + (index % 512) * 8, value);
    }
    m
}

fn entry_strategy() -> impl Strategy<Value = u64> {
    // Mostly-valid entries: flags from {P,RW,US,A,D,PS,G,NX} with P usually set, a frame in
    // range, sometimes a stray low frame bit (reserved for huge pages).
    (
        prop::bits::u64::masked(1 << 1 | 1 << 2 | 1 << 5 | 1 << 6 | 1 << 7 | 1 << 8 | 1 << 63),
        0u64..10,
        1..FRAMES,
        prop::bool::weighted(0.1),
    )
        .prop_map(|(flags, p, frame, stray)| {
            let present = u64::from(p != 0);
            flags | present | frame << 12 | if stray { 1 << 13 } else { 0 }
        })
}

/// A minimal x86-64 walk from the SDM (vol. 3 §4.5, §4.6): returns the physical address or the
/// error code, with CR0.WP and EFER.NXE on; sets A and D.
fn reference(
    mem: &mut PhysMem,
    root: u64,
    va: u64,
    kind: u8,
    user: bool,
    la57: bool,
) -> Result<u64, u64> {
    let top: u32 = if la57 { 5 } else { 4 };
    let mut table = root * 4096;
    let (mut u, mut w, mut x) = (true, true, true);
    let base_code = (if kind == 1 { 2 } else { 0 })
        | (if user { 4 } else { 0 })
        | (if kind == 2 { 16 } else { 0 });
    for lvl in (1..=top).rev() {
        let shift = 12 + 9 * (lvl - 1);
        let ea = table + ((va >> shift) & 511) * 8;
        let e = mem.read_u64(ea);
        if e & 1 == 0 {
            return Err(base_code);
        }
        let ps = e & 0x80 != 0;
        let big = ps && (lvl == 2 || lvl == 3);
        if (ps && lvl >= 4) || (big && (e >> 13) & ((1u64 << (shift - 13)) - 1) != 0) {
            return Err(base_code | 1 | 8);
        }
        u &= e & 4 != 0;
        w &= e & 2 != 0;
        x &= e >> 63 == 0;
        let leaf = lvl == 1 || big;
        if leaf && ((user && !u) || (kind == 1 && !w) || (kind == 2 && !x)) {
            return Err(base_code | 1);
        }
        let mut n = e | 0x20;
        if leaf && kind == 1 {
            n |= 0x40;
        }
        mem.write_u64(ea, n);
        if leaf {
            let a = e & 0x000f_ffff_ffff_f000 & !((1u64 << shift) - 1);
            return Ok(a | (va & ((1u64 << shift) - 1)));
        }
        table = e & 0x000f_ffff_ffff_f000;
    }
    unreachable!()
}

fn access(kind: u8, user: bool) -> Access {
    let k = [AccessKind::Read, AccessKind::Write, AccessKind::Fetch][kind as usize];
    if user {
        Access::user(k)
    } else {
        Access::kernel(k)
    }
}

fn dump(m: &PhysMem) -> Vec<u8> {
    let mut v = vec![0; (FRAMES * 4096) as usize];
    m.read(0, &mut v);
    v
}

fn check(entries: &[(u64, u64, u64)], va: u64, kind: u8, user: bool, la57: bool) {
    let fmt = if la57 {
        Format::x86_64_la57()
    } else {
        Format::x86_64()
    };
    let mut mine = memory(entries);
    let mut theirs = mine.clone();
    let mut refm = mine.clone();
    let w = walk(&fmt, &mut mine, 1, va, &access(kind, user));
    let cfg = PagingConfig {
        enabled: true,
        cr3: 4096,
        la57,
        wp: true,
        nxe: true,
    };
    let mk = [MAccess::Read, MAccess::Write, MAccess::Fetch][kind as usize];
    let t = mp::walk(&mut theirs, &cfg, va, mk, user, None);
    match (&w.result, &t) {
        (Ok(a), Ok(b)) => {
            assert_eq!(a.pa, b.paddr, "va {va:#x}");
            assert_eq!(a.page_size, b.page_size);
            assert_eq!(
                (a.user, a.writable, !a.executable),
                (b.user, b.writable, b.no_exec)
            );
        }
        (Err(f), Err(Fault::PageFault { addr, code })) => {
            assert_eq!((f.cr2, f.error_code), (*addr, *code), "va {va:#x} {f:?}");
        }
        (Err(f), Err(Fault::GeneralProtection { .. })) => {
            assert_eq!(f.kind, FaultKind::NonCanonical)
        }
        other => panic!("va {va:#x}: {other:?}"),
    }
    assert_eq!(dump(&mine), dump(&theirs), "A/D bits differ for va {va:#x}");
    if w.result
        .as_ref()
        .is_err_and(|f| f.kind == FaultKind::NonCanonical)
    {
        return;
    }
    let r = reference(&mut refm, 1, va, kind, user, la57);
    match (&w.result, r) {
        (Ok(a), Ok(pa)) => assert_eq!(a.pa, pa),
        (Err(f), Err(c)) => assert_eq!(f.error_code, c, "va {va:#x} {f:?}"),
        other => panic!("va {va:#x}: {other:?}"),
    }
    // Every step is the entry at table_base + index * 8, in order from the root.
    for (i, s) in w.steps.iter().enumerate() {
        assert_eq!(s.level, i);
        assert_eq!(s.entry_addr, s.table_base + s.index * 8);
        assert_eq!(s.index, w.indices[i]);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1500))]
    #[test]
    fn random_tables_agree_with_the_mmu_and_the_reference(
        entries in prop::collection::vec((1..FRAMES, 0u64..4, entry_strategy()), 0..40),
        idx in prop::collection::vec(0u64..4, 5),
        off in 0u64..4096,
        high in prop::sample::select(vec![0u64, u64::MAX, 0x8000, 0x1234]),
        kind in 0u8..3,
        user in any::<bool>(),
        la57 in any::<bool>(),
    ) {
        // Indices 0..4 so random VAs hit the few entries written.
        let mut va = off;
        for (l, i) in idx.iter().enumerate() {
            va |= i << (12 + 9 * l);
        }
        let w = if la57 { 57 } else { 48 };
        let va = if high == 0x1234 { va | 0x1234 << 52 } else if high & 1 == 1 { va | high << w } else { va };
        check(&entries, va, kind, user, la57);
    }
}

/// A chain root(1) -> 2 -> 3 -> 4 -> page 5 for VA 0x0000_7fff_ffff_f123-style indices.
fn chain(va: u64, leaf: u64) -> Vec<(u64, u64, u64)> {
    let mut v = Vec::new();
    for l in 0..3u64 {
        let shift = 39 - 9 * l;
        v.push((1 + l, (va >> shift) & 511, (2 + l) << 12 | 0x7));
    }
    v.push((4, (va >> 12) & 511, leaf));
    v
}

#[test]
fn a_fault_at_every_level() {
    let va = 0x0000_7f12_3456_7abc;
    for missing in 0..4 {
        let mut e = chain(va, 5 << 12 | 0x7);
        e[missing].2 &= !1;
        let fmt = Format::x86_64();
        let mut m = memory(&e);
        let w = walk(&fmt, &mut m, 1, va, &Access::user(AccessKind::Read));
        let f = w.result.unwrap_err();
        assert_eq!(
            (f.kind, f.level, f.cr2, f.error_code),
            (FaultKind::NotPresent, Some(missing), va, 4)
        );
        assert_eq!(w.steps.len(), missing + 1);
        check(&e, va, 0, true, false);
        check(&e, va, 1, false, false);
    }
}

#[test]
fn protection_faults_name_the_reason() {
    let va = 0x4000_1000;
    let cases = [
        (0x5u64, 1u8, true, FaultKind::WriteProtected, 7u64),
        (0x3, 0, true, FaultKind::UserSupervisor, 5),
        (0x7 | 1 << 63, 2, true, FaultKind::NoExecute, 0x15),
        (0x5, 1, false, FaultKind::WriteProtected, 3),
    ];
    for (flags, kind, user, want, code) in cases {
        let e = chain(va, 5 << 12 | flags);
        let mut m = memory(&e);
        let w = walk(&Format::x86_64(), &mut m, 1, va, &access(kind, user));
        let f = w.result.unwrap_err();
        assert_eq!((f.kind, f.error_code), (want, code), "{flags:#x}");
        check(&e, va, kind, user, false);
    }
}

#[test]
fn huge_pages_of_2mib_and_1gib() {
    let va = 0x0000_0000_5234_5678u64; // PML4 0, PDPT 1, PD 0x91
    let fmt = Format::x86_64();
    // 1 GiB: PDPT entry with PS, frame aligned to 1 GiB.
    let e = vec![(1, 0, 2 << 12 | 7), (2, 1, 0x4000_0000 | 0x87)];
    let mut m = memory(&e);
    let t = walk(&fmt, &mut m, 1, va, &Access::user(AccessKind::Read))
        .result
        .unwrap();
    assert_eq!(
        (t.pa, t.page_size),
        (0x4000_0000 | (va & 0x3fff_ffff), 1 << 30)
    );
    check(&e, va, 0, true, false);
    // 2 MiB: PD entry with PS.
    let e = vec![
        (1, 0, 2 << 12 | 7),
        (2, 1, 3 << 12 | 7),
        (3, 0x91, 0x0060_0000 | 0x87),
    ];
    let mut m = memory(&e);
    let t = walk(&fmt, &mut m, 1, va, &Access::user(AccessKind::Write))
        .result
        .unwrap();
    assert_eq!(
        (t.pa, t.page_size),
        (0x0060_0000 | (va & 0x1f_ffff), 2 << 20)
    );
    check(&e, va, 1, true, false);
    // Misaligned huge frame: reserved-bit fault.
    let e = vec![
        (1, 0, 2 << 12 | 7),
        (2, 1, 3 << 12 | 7),
        (3, 0x91, 0x0060_2000 | 0x87),
    ];
    let mut m = memory(&e);
    let f = walk(&fmt, &mut m, 1, va, &Access::user(AccessKind::Read))
        .result
        .unwrap_err();
    assert_eq!((f.kind, f.error_code), (FaultKind::Reserved, 0xd));
    check(&e, va, 0, true, false);
}

#[test]
fn five_level_and_canonical_addresses() {
    let fmt = Format::x86_64_la57();
    let va = 0x00ff_8000_0000_1000u64; // bit 55 set: canonical only with LA57 when bits 63:57 copy bit 56
    let mut m = memory(&[]);
    let w = walk(&fmt, &mut m, 1, va, &Access::user(AccessKind::Read));
    assert_eq!(w.result.unwrap_err().kind, FaultKind::NotPresent);
    assert_eq!(w.indices.len(), 5);
    assert_eq!(w.indices[0], (va >> 48) & 511);
    let w4 = walk(
        &Format::x86_64(),
        &mut m,
        1,
        va,
        &Access::user(AccessKind::Read),
    );
    assert_eq!(w4.result.unwrap_err().kind, FaultKind::NonCanonical);
    assert!(w4.steps.is_empty());
    for va in [
        0xffff_8000_0000_0000u64,
        0x0000_7fff_ffff_ffff,
        0xff00_0000_0000_0000,
        0x0100_0000_0000_0000,
    ] {
        check(&[], va, 0, false, true);
        check(&[], va, 0, false, false);
    }
}

#[test]
fn a_teaching_format() {
    // 15-bit addresses, 32-byte pages, two levels of 5 index bits, 1-byte entries: valid bit 7,
    // frame number in bits 0-6.
    let fmt = Format::plain(vec![5, 5], 5, 1, 7, 0, 7);
    fmt.validate().unwrap();
    let mut mem = vec![0u8; 4096];
    let root = 3u64; // root table at 3 * 32 = 96
    let va = 0b10110_00011_10101u64;
    mem[(96 + 0b10110) as usize] = 0x80 | 9; // level 0 -> table at frame 9 (288)
    mem[(288 + 0b00011) as usize] = 0x80 | 0x55; // level 1 -> page frame 0x55
    let w = walk(&fmt, &mut mem, root, va, &Access::inspect());
    assert_eq!(w.result.unwrap().pa, 0x55 * 32 + 0b10101);
    assert_eq!(w.steps[1].entry_addr, 288 + 3);
    mem[(288 + 0b00011) as usize] = 0x55;
    let w = walk(&fmt, &mut mem, root, va, &Access::inspect());
    assert_eq!(w.result.unwrap_err().kind, FaultKind::NotPresent);
    assert_eq!(
        walk(&fmt, &mut mem, root, 1 << 15, &Access::inspect())
            .result
            .unwrap_err()
            .kind,
        FaultKind::NonCanonical
    );
    // A table past the end of memory.
    mem[(96 + 0b10110) as usize] = 0x80 | 0x7f;
    let mut small = mem[..1024].to_vec();
    let w = walk(&fmt, &mut small, root, va, &Access::inspect());
    assert_eq!(w.result.unwrap_err().kind, FaultKind::OutOfMemory);
}

#[test]
fn the_tlb_hits_and_cr3_writes_flush_it() {
    use youcpu_core::paging::Tlb;
    let va = 0x4000_1000;
    let e = chain(va, 5 << 12 | 7);
    let mut m = memory(&e);
    let fmt = Format::x86_64();
    let mut tlb = Tlb::new(8, 1);
    let a = Access::user(AccessKind::Read);
    let first = tlb.translate(&fmt, &mut m, va + 4, &a);
    assert!(!first.tlb_hit && first.walk.is_some());
    let second = tlb.translate(&fmt, &mut m, va + 8, &a);
    assert!(second.tlb_hit);
    assert_eq!(second.result, Ok(5 * 4096 + 8));
    // A stale entry survives a page-table change until INVLPG or a CR3 write.
    m.write_u64(4 * 4096 + ((va >> 12) & 511) * 8, 0);
    assert!(tlb.translate(&fmt, &mut m, va, &a).tlb_hit);
    tlb.write_cr3(1);
    let after = tlb.translate(&fmt, &mut m, va, &a);
    assert!(!after.tlb_hit);
    assert_eq!(after.result.unwrap_err().kind, FaultKind::NotPresent);
    assert_eq!((tlb.hits, tlb.misses), (2, 2));
}

#[test]
fn tables_built_here_walk_the_same_in_the_mmu() {
    use youcpu_core::paging::{map, map_huge, HugePage, Perms};
    for la57 in [false, true] {
        let fmt = if la57 {
            Format::x86_64_la57()
        } else {
            Format::x86_64()
        };
        let mut m = PhysMem::new(1 << 20);
        let root = m.alloc_frame().unwrap();
        let mut alloc = |p: &mut PhysMem| p.alloc_frame().ok();
        let mut vas = Vec::new();
        let mut x = 0x2545_f491_4f6c_dd1du64;
        for i in 0..40u64 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let bits = if la57 { 56 } else { 47 };
            let va =
                (x & ((1u64 << bits) - 1) & !0xfff) | if i % 3 == 0 { !0u64 << bits } else { 0 };
            let perms = Perms {
                write: i % 2 == 0,
                user: i % 5 != 0,
                exec: i % 3 != 0,
                global: false,
            };
            map(&fmt, &mut m, root, va, 0x1000 + i, perms, &mut alloc).unwrap();
            vas.push(va);
        }
        map_huge(
            &fmt,
            &mut m,
            root,
            HugePage {
                va: 0x4000_0000,
                level: fmt.levels.len() - 2,
                pfn: 0x200,
                perms: Perms {
                    write: true,
                    user: true,
                    exec: false,
                    global: true,
                },
            },
            &mut alloc,
        )
        .unwrap();
        vas.push(0x4000_0000 + 0x12_3456);
        let cfg = PagingConfig {
            enabled: true,
            cr3: root * 4096,
            la57,
            wp: true,
            nxe: true,
        };
        for &va in &vas {
            for kind in 0..3u8 {
                for user in [false, true] {
                    let mut a = m.clone();
                    let mut b = m.clone();
                    let w = walk(&fmt, &mut a, root, va | 0x5a5, &access(kind, user));
                    let mk = [MAccess::Read, MAccess::Write, MAccess::Fetch][kind as usize];
                    let t = mp::walk(&mut b, &cfg, va | 0x5a5, mk, user, None);
                    match (w.result, t) {
                        (Ok(x), Ok(y)) => assert_eq!((x.pa, x.page_size), (y.paddr, y.page_size)),
                        (Err(f), Err(Fault::PageFault { code, .. })) => {
                            assert_eq!(f.error_code, code)
                        }
                        other => panic!("{va:#x}: {other:?}"),
                    }
                }
            }
            assert_ne!(mp::leaf_entry(&m, root * 4096, la57, va), 0);
        }
    }
}

#[test]
fn walks_explain_themselves() {
    use youcpu_core::paging::walk::level_name;
    assert_eq!(
        (0..4).map(|l| level_name(4, l)).collect::<Vec<_>>(),
        ["PML4", "PDPT", "PD", "PT"]
    );
    assert_eq!(level_name(5, 0), "PML5");
    assert_eq!(level_name(2, 1), "level 1");
    let va = 0x4000_1000;
    let e = chain(va, 5 << 12 | 7);
    let mut m = memory(&e);
    let w = walk(
        &Format::x86_64(),
        &mut m,
        1,
        va + 0x10,
        &Access::user(AccessKind::Read),
    );
    let text = w.explain(&Format::x86_64());
    assert_eq!(text.len(), 5);
    assert!(
        text[0].starts_with("PML4: index 0 -> entry at 0x1000"),
        "{}",
        text[0]
    );
    assert!(text[3].contains("the page at frame 0x5"), "{}", text[3]);
    assert_eq!(
        text[4],
        "physical address 0x5010 (page of 4096 bytes, offset 0x10)"
    );
    let w = walk(
        &Format::x86_64(),
        &mut m,
        1,
        0x8000_0000,
        &Access::user(AccessKind::Write),
    );
    let text = w.explain(&Format::x86_64());
    assert!(text.last().unwrap().contains("error code 0x6"), "{text:?}");
}

#[test]
fn global_entries_survive_cr3_writes_and_invlpg_drops_huge_pages() {
    use youcpu_core::paging::{map, map_huge, HugePage, Perms, Tlb};
    let fmt = Format::x86_64();
    let mut m = PhysMem::new(1 << 20);
    let root = m.alloc_frame().unwrap();
    let mut alloc = |p: &mut PhysMem| p.alloc_frame().ok();
    let user = Perms {
        write: true,
        user: true,
        exec: false,
        global: false,
    };
    let kernel = Perms {
        write: false,
        user: false,
        exec: true,
        global: true,
    };
    map(&fmt, &mut m, root, 0x1000, 0x11, user, &mut alloc).unwrap();
    map(
        &fmt,
        &mut m,
        root,
        0xffff_ffff_8100_0000,
        0x22,
        kernel,
        &mut alloc,
    )
    .unwrap();
    let huge = HugePage {
        va: 0x20_0000,
        level: 2,
        pfn: 0x200,
        perms: user,
    };
    map_huge(&fmt, &mut m, root, huge, &mut alloc).unwrap();
    let mut tlb = Tlb::new(16, root);
    let k = Access::kernel(AccessKind::Read);
    for va in [0x1000u64, 0xffff_ffff_8100_0000, 0x20_0000] {
        assert!(!tlb.translate(&fmt, &mut m, va, &k).tlb_hit);
    }
    // Any address in the 2 MiB page hits the one entry.
    let hit = tlb.translate(&fmt, &mut m, 0x3f_fff0, &k);
    assert!(hit.tlb_hit);
    assert_eq!(hit.result, Ok(0x20_0000 + 0x1f_fff0));
    tlb.write_cr3(root);
    assert!(
        tlb.translate(&fmt, &mut m, 0xffff_ffff_8100_0010, &k)
            .tlb_hit,
        "global survives"
    );
    assert!(
        !tlb.translate(&fmt, &mut m, 0x1000, &k).tlb_hit,
        "non-global flushed"
    );
    assert!(!tlb.translate(&fmt, &mut m, 0x20_0000, &k).tlb_hit);
    tlb.invlpg(0x30_0000);
    assert!(
        !tlb.translate(&fmt, &mut m, 0x20_0008, &k).tlb_hit,
        "INVLPG anywhere in the huge page"
    );
    tlb.flush_all();
    assert!(
        !tlb.translate(&fmt, &mut m, 0xffff_ffff_8100_0000, &k)
            .tlb_hit
    );
    // A user access to the kernel page misses the TLB check and faults in the walk.
    let u = tlb.translate(
        &fmt,
        &mut m,
        0xffff_ffff_8100_0000,
        &Access::user(AccessKind::Read),
    );
    assert_eq!(u.result.unwrap_err().kind, FaultKind::UserSupervisor);
}
