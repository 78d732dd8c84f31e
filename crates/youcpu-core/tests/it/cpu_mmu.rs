//! The page walk over simulated physical memory: 4- and 5-level tables, huge pages,
//! accessed/dirty bits, permission faults with their error codes, TLB flushes, limits.

#![allow(clippy::unwrap_used)] // tests may unwrap

use youcpu_core::cpu::bus::{Access, Bus, PagingConfig};
use youcpu_core::cpu::fault::{pf, Fault};
use youcpu_core::mmu::paging::{is_canonical, leaf_entry, map_page, pte, PageFlags};
use youcpu_core::mmu::phys::PAGE_SIZE;
use youcpu_core::mmu::Mmu;

fn setup(la57: bool) -> (Mmu, u64) {
    let mut m = Mmu::new(16 << 20);
    let cr3 = m.phys.alloc_frame().unwrap() * PAGE_SIZE;
    m.set_paging(PagingConfig {
        enabled: true,
        cr3,
        la57,
        wp: true,
        nxe: true,
    });
    (m, cr3)
}

const RW_USER: PageFlags = PageFlags {
    write: true,
    user: true,
    exec: false,
};

#[test]
fn four_level_walk_indexes_and_translates() {
    let (mut m, cr3) = setup(false);
    let va = 0x0000_7f12_3456_7abc_u64;
    let f = m.phys.alloc_frame().unwrap();
    map_page(&mut m.phys, cr3, false, va, f, RW_USER).unwrap();
    let w = m.walk_traced(va, Access::Read, true);
    let idx: Vec<u16> = w.steps.iter().map(|s| s.index).collect();
    assert_eq!(
        idx,
        vec![
            ((va >> 39) & 511) as u16,
            ((va >> 30) & 511) as u16,
            ((va >> 21) & 511) as u16,
            ((va >> 12) & 511) as u16
        ]
    );
    assert_eq!(
        w.steps.iter().map(|s| s.level).collect::<Vec<_>>(),
        vec![4, 3, 2, 1]
    );
    assert_eq!(w.steps[0].table, cr3);
    let t = w.result.unwrap();
    assert_eq!(t.paddr, f * PAGE_SIZE + 0xabc);
    assert_eq!(t.page_size, 4096);
    // Reads and writes through the bus land in that frame.
    m.write(va, 8, 0x1122_3344_5566_7788, true).unwrap();
    assert_eq!(
        m.phys.read_u64(f * PAGE_SIZE + 0xabc),
        0x1122_3344_5566_7788
    );
    assert_eq!(m.read(va + 2, 2, true).unwrap(), 0x5566);
}

#[test]
fn five_level_walk_has_five_steps_and_57_bit_canonical_addresses() {
    let (mut m, cr3) = setup(true);
    let va = 0x00ab_cdef_1234_5000_u64; // above 2^47: needs LA57
    assert!(!is_canonical(va, false));
    assert!(is_canonical(va, true));
    let f = m.phys.alloc_frame().unwrap();
    map_page(&mut m.phys, cr3, true, va, f, RW_USER).unwrap();
    let w = m.walk_traced(va, Access::Write, true);
    assert_eq!(w.steps.len(), 5);
    assert_eq!(w.steps[0].index, ((va >> 48) & 511) as u16);
    assert_eq!(w.result.unwrap().paddr, f * PAGE_SIZE);
    assert!(matches!(
        m.read(1 << 57, 1, true),
        Err(Fault::GeneralProtection { .. })
    ));
}

#[test]
fn accessed_and_dirty_bits() {
    let (mut m, cr3) = setup(false);
    let va = 0x40_0000;
    let f = m.phys.alloc_frame().unwrap();
    map_page(&mut m.phys, cr3, false, va, f, RW_USER).unwrap();
    assert_eq!(leaf_entry(&m.phys, cr3, false, va) & (pte::A | pte::D), 0);
    m.read(va, 1, true).unwrap();
    assert_eq!(
        leaf_entry(&m.phys, cr3, false, va) & (pte::A | pte::D),
        pte::A
    );
    m.write(va, 1, 1, true).unwrap();
    assert_eq!(
        leaf_entry(&m.phys, cr3, false, va) & (pte::A | pte::D),
        pte::A | pte::D
    );
    // Every level got A.
    let w = m.walk_traced(va, Access::Read, true);
    assert!(w.steps.iter().all(|s| s.entry & pte::A != 0));
}

#[test]
fn page_fault_error_codes() {
    let (mut m, cr3) = setup(false);
    let ro = 0x40_0000;
    let nx = 0x50_0000;
    let kern = 0x60_0000;
    for (va, fl) in [
        (
            ro,
            PageFlags {
                write: false,
                user: true,
                exec: true,
            },
        ),
        (
            nx,
            PageFlags {
                write: true,
                user: true,
                exec: false,
            },
        ),
        (
            kern,
            PageFlags {
                write: true,
                user: false,
                exec: true,
            },
        ),
    ] {
        let f = m.phys.alloc_frame().unwrap();
        map_page(&mut m.phys, cr3, false, va, f, fl).unwrap();
    }
    let code = |r: Result<u64, Fault>| match r {
        Err(Fault::PageFault { code, .. }) => code,
        other => panic!("expected #PF, got {other:?}"),
    };
    // Not present: P = 0.
    assert_eq!(code(m.read(0x70_0000, 8, true)), pf::U);
    assert_eq!(code(m.read(0x70_0000, 8, false)), 0);
    assert_eq!(
        code(m.write(0x70_0000, 8, 0, true).map(|_| 0)),
        pf::U | pf::W
    );
    assert_eq!(code(m.translate_fetch(0x70_0000, true)), pf::U | pf::I);
    // Protection: P = 1.
    assert_eq!(
        code(m.write(ro, 1, 0, true).map(|_| 0)),
        pf::P | pf::W | pf::U
    );
    assert_eq!(code(m.translate_fetch(nx, true)), pf::P | pf::U | pf::I);
    assert_eq!(code(m.read(kern, 1, true)), pf::P | pf::U);
    assert!(m.read(kern, 1, false).is_ok());
    // CR0.WP: supervisor writes to read-only pages fault only with WP set.
    assert_eq!(code(m.write(ro, 1, 0, false).map(|_| 0)), pf::P | pf::W);
    m.set_paging(PagingConfig {
        enabled: true,
        cr3,
        la57: false,
        wp: false,
        nxe: true,
    });
    assert!(m.write(ro, 1, 0, false).is_ok());
    // NX set while EFER.NXE is clear is a reserved bit.
    m.set_paging(PagingConfig {
        enabled: true,
        cr3,
        la57: false,
        wp: true,
        nxe: false,
    });
    assert_eq!(code(m.read(nx, 1, true)), pf::P | pf::U | pf::RSVD);
    // CR2-style address and a readable message.
    let f = m.read(0x70_0123, 1, true).unwrap_err();
    assert!(matches!(
        f,
        Fault::PageFault {
            addr: 0x70_0123,
            ..
        }
    ));
    assert!(f.to_string().contains("not present") && f.to_string().contains("0x700123"));
}

#[test]
fn huge_pages_2m_and_1g() {
    let (mut m, cr3) = setup(false);
    // Build PML4 -> PDPT by hand; PDPT[1] = 1 GiB page at physical 0 (PS); PDPT[0] -> PD whose
    // entry 3 is a 2 MiB page at physical 4 MiB.
    let pdpt = m.phys.alloc_frame().unwrap() * PAGE_SIZE;
    let pd = m.phys.alloc_frame().unwrap() * PAGE_SIZE;
    m.phys.write_u64(cr3, pdpt | pte::P | pte::RW | pte::US);
    m.phys.write_u64(pdpt, pd | pte::P | pte::RW | pte::US);
    m.phys
        .write_u64(pdpt + 8, pte::P | pte::RW | pte::US | pte::PS);
    m.phys
        .write_u64(pd + 3 * 8, (4 << 20) | pte::P | pte::RW | pte::US | pte::PS);
    let w = m.walk_traced((3 << 21) + 0x12345, Access::Read, true);
    assert_eq!(w.steps.len(), 3);
    let t = w.result.unwrap();
    assert_eq!((t.paddr, t.page_size), ((4 << 20) + 0x12345, 2 << 20));
    let w = m.walk_traced((1 << 30) + 0x2345_6789, Access::Read, true);
    assert_eq!(w.steps.len(), 2);
    let t = w.result.unwrap();
    assert_eq!((t.paddr, t.page_size), (0x2345_6789, 1 << 30));
    // PS in a PML4E is reserved.
    m.phys.write_u64(cr3 + 8, pte::P | pte::PS);
    let r = m.walk_traced(1 << 39, Access::Read, false).result;
    assert!(matches!(r, Err(Fault::PageFault { code, .. }) if code & pf::RSVD != 0));
}

#[test]
fn tlb_keeps_stale_translations_until_invlpg_or_cr3_write() {
    let (mut m, cr3) = setup(false);
    let va = 0x40_0000;
    let f1 = m.phys.alloc_frame().unwrap();
    let f2 = m.phys.alloc_frame().unwrap();
    m.phys.write_u64(f1 * PAGE_SIZE, 111);
    m.phys.write_u64(f2 * PAGE_SIZE, 222);
    map_page(&mut m.phys, cr3, false, va, f1, RW_USER).unwrap();
    assert_eq!(m.read(va, 8, true).unwrap(), 111);
    map_page(&mut m.phys, cr3, false, va, f2, RW_USER).unwrap();
    assert_eq!(
        m.read(va, 8, true).unwrap(),
        111,
        "the TLB still holds the old frame"
    );
    m.invlpg(va);
    assert_eq!(m.read(va, 8, true).unwrap(), 222);
    map_page(&mut m.phys, cr3, false, va, f1, RW_USER).unwrap();
    assert_eq!(m.read(va, 8, true).unwrap(), 222);
    m.set_paging(PagingConfig {
        enabled: true,
        cr3,
        la57: false,
        wp: true,
        nxe: true,
    });
    assert_eq!(m.read(va, 8, true).unwrap(), 111);
    assert!(m.tlb.hits > 0 && m.tlb.misses > 0);
}

#[test]
fn accesses_across_a_page_boundary_check_both_pages() {
    let (mut m, cr3) = setup(false);
    let f = m.phys.alloc_frame().unwrap();
    map_page(&mut m.phys, cr3, false, 0x40_0000, f, RW_USER).unwrap();
    // The next page is unmapped: an 8-byte write straddling the boundary faults at the
    // second page and writes nothing.
    let r = m.write(0x40_0ffc, 8, u64::MAX, true);
    assert!(matches!(
        r,
        Err(Fault::PageFault {
            addr: 0x40_1000,
            ..
        })
    ));
    assert_eq!(m.phys.read_u64(f * PAGE_SIZE + 0xff8), 0);
    let g = m.phys.alloc_frame().unwrap();
    map_page(&mut m.phys, cr3, false, 0x40_1000, g, RW_USER).unwrap();
    m.write(0x40_0ffc, 8, 0x1122_3344_5566_7788, true).unwrap();
    assert_eq!(m.read(0x40_0ffc, 8, true).unwrap(), 0x1122_3344_5566_7788);
    assert_eq!(m.read(0x40_1000, 4, true).unwrap(), 0x1122_3344);
}

#[test]
fn physical_memory_is_bounded() {
    let mut m = Mmu::new(64 * 1024);
    let mut n = 0;
    let err = loop {
        match m.phys.alloc_frame() {
            Ok(_) => n += 1,
            Err(e) => break e,
        }
    };
    assert_eq!(n, 15, "frame 0 is never handed out");
    assert!(err.to_string().contains("limit"), "{err}");
    m.phys.free_frame(3);
    assert_eq!(m.phys.alloc_frame().unwrap(), 3);
}

#[test]
fn peek_reads_like_the_cpu_but_leaves_no_trace() {
    let (mut m, cr3) = setup(false);
    let va = 0x40_0ffc_u64;
    for page in [0x40_0000u64, 0x40_1000] {
        let f = m.phys.alloc_frame().unwrap();
        map_page(&mut m.phys, cr3, false, page, f, RW_USER).unwrap();
    }
    // Written through the bus (which sets A and D): the bytes straddle the two pages.
    m.write_bytes(va, &[1, 2, 3, 4, 5, 6, 7, 8], true).unwrap();
    let leaf = |m: &Mmu, a: u64| leaf_entry(&m.phys, cr3, false, a);
    // Clear A and D to see that peek sets neither.
    for page in [0x40_0000u64, 0x40_1000] {
        let e = leaf(&m, page) & !(pte::A | pte::D);
        map_entry(&mut m, cr3, page, e);
    }
    m.tlb.flush();
    let mut buf = [0u8; 8];
    assert_eq!(m.peek(cr3, va, &mut buf), 8);
    assert_eq!(buf, [1, 2, 3, 4, 5, 6, 7, 8]);
    assert_eq!(leaf(&m, 0x40_0000) & (pte::A | pte::D), 0);
    // It stops at the first unmapped byte: 0x40_2000 is not mapped.
    let mut buf = [0u8; 16];
    assert_eq!(m.peek(cr3, 0x40_1ffc, &mut buf), 4);
    let mut cpu = [0u8; 4];
    m.read_bytes(0x40_1ffc, &mut cpu, true).unwrap();
    assert_eq!(buf[..4], cpu);
}

/// Overwrites the leaf entry of the 4 KiB page at `va` with `e`.
fn map_entry(m: &mut Mmu, cr3: u64, va: u64, e: u64) {
    let mut table = cr3;
    for level in (2..=4u32).rev() {
        let i = (va >> (12 + 9 * (level - 1))) & 0x1ff;
        table = m.phys.read_u64(table + i * 8) & pte::ADDR;
    }
    m.phys.write_u64(table + ((va >> 12) & 0x1ff) * 8, e);
}
