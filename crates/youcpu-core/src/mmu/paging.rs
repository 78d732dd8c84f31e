//! The x86-64 page-table walk over simulated physical memory (Intel SDM vol. 3 §4.5, 4-level
//! and 5-level paging), and helpers that build page tables the way an OS does.

use super::phys::{OutOfMemory, PhysMem, PAGE_SIZE};
use crate::cpu::bus::{Access, PagingConfig};
use crate::cpu::fault::{pf, Fault};
use crate::paging::walk::walk_levels;
use crate::paging::{Access as GenericAccess, AccessKind, FaultKind, Format};
use serde::Serialize;
use std::sync::OnceLock;

/// Page-table entry bits (Intel SDM vol. 3 §4.5, tables 4-14 to 4-20).
pub mod pte {
    /// Present.
    pub const P: u64 = 1 << 0;
    /// Read/write: writes allowed when set.
    pub const RW: u64 = 1 << 1;
    /// User/supervisor: ring 3 may access when set.
    pub const US: u64 = 1 << 2;
    /// Page-level write-through.
    pub const PWT: u64 = 1 << 3;
    /// Page-level cache disable.
    pub const PCD: u64 = 1 << 4;
    /// Accessed (set by the walk).
    pub const A: u64 = 1 << 5;
    /// Dirty (set on the first write through the final entry).
    pub const D: u64 = 1 << 6;
    /// Page size: this PDPTE/PDE maps a 1 GiB/2 MiB page.
    pub const PS: u64 = 1 << 7;
    /// Global.
    pub const G: u64 = 1 << 8;
    /// Execute-disable (with EFER.NXE).
    pub const NX: u64 = 1 << 63;
    /// Bits 51:12: the physical address of the next table or the page.
    pub const ADDR: u64 = 0x000f_ffff_ffff_f000;
}

/// One entry read during a walk.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct WalkStep {
    /// Table level: 5 = PML5, 4 = PML4, 3 = PDPT, 2 = PD, 1 = PT.
    pub level: u8,
    /// Physical address of the table.
    pub table: u64,
    /// Index of the entry in the table (9 bits of the linear address).
    pub index: u16,
    /// The entry's value as read (before A/D updates).
    pub entry: u64,
}

/// A successful translation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Translation {
    /// Physical address of the byte.
    pub paddr: u64,
    /// Page size in bytes: 4 KiB, 2 MiB or 1 GiB.
    pub page_size: u64,
    /// Ring 3 may access (U/S set at every level).
    pub user: bool,
    /// Writes allowed (R/W set at every level).
    pub writable: bool,
    /// Execution forbidden (XD set at some level, with EFER.NXE).
    pub no_exec: bool,
    /// The final entry's D bit after this walk.
    pub dirty: bool,
}

/// The steps of a walk and its result, for widgets that show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Walk {
    /// Entries read, top level first.
    pub steps: Vec<WalkStep>,
    /// The translation or the fault.
    pub result: Result<Translation, Fault>,
}

/// True when `addr` is canonical: bits 63:48 (63:57 with LA57) copy the top implemented bit.
pub fn is_canonical(addr: u64, la57: bool) -> bool {
    let bits = if la57 { 57 } else { 48 };
    let shifted = ((addr << (64 - bits)) as i64) >> (64 - bits);
    shifted as u64 == addr
}

/// The x86-64 formats of the generic walker ([`crate::paging`]), made once.
fn format(la57: bool) -> &'static Format {
    static FOUR: OnceLock<Format> = OnceLock::new();
    static FIVE: OnceLock<Format> = OnceLock::new();
    if la57 {
        FIVE.get_or_init(Format::x86_64_la57)
    } else {
        FOUR.get_or_init(Format::x86_64)
    }
}

/// Walks the page tables for one access. Sets the A bit in every entry used and the D bit in
/// the final entry on a write, like the hardware (Intel SDM vol. 3 §4.8). `record` collects the
/// entries read when given.
///
/// The walk is the generic one of [`crate::paging`] (the walker the paging widgets show)
/// with the x86-64 4- or 5-level format; this adds the CPU's side: paging off, #GP for a
/// non-canonical address, and a table beyond physical memory read as a not-present entry.
pub fn walk(
    mem: &mut PhysMem,
    cfg: &PagingConfig,
    vaddr: u64,
    access: Access,
    user: bool,
    record: Option<&mut Vec<WalkStep>>,
) -> Result<Translation, Fault> {
    if !cfg.enabled {
        return Ok(Translation {
            paddr: vaddr,
            page_size: PAGE_SIZE,
            user: true,
            writable: true,
            no_exec: false,
            dirty: true,
        });
    }
    let fmt = format(cfg.la57);
    let Some(narrow) = fmt.narrow(vaddr) else {
        return Err(Fault::gp(format!("non-canonical address {vaddr:#x}")));
    };
    let how = GenericAccess {
        kind: match access {
            Access::Read => AccessKind::Read,
            Access::Write => AccessKind::Write,
            Access::Fetch => AccessKind::Fetch,
        },
        user,
        wp: cfg.wp,
        nxe: cfg.nxe,
        set_accessed_dirty: true,
    };
    let root = (cfg.cr3 & pte::ADDR) / PAGE_SIZE;
    let mut steps = Vec::new();
    let recording = record.is_some();
    let result = walk_levels(
        fmt,
        mem,
        root,
        vaddr,
        narrow,
        &how,
        recording.then_some(&mut steps),
    );
    if let Some(r) = record {
        // The CPU's numbering: 5 = PML5 (4 = PML4) down to 1 = PT.
        let top = fmt.levels.len();
        r.extend(steps.iter().map(|s| WalkStep {
            level: (top - s.level) as u8,
            table: s.table_base,
            index: s.index as u16,
            entry: s.entry,
        }));
    }
    match result {
        Ok(t) => Ok(Translation {
            paddr: t.pa,
            page_size: t.page_size,
            user: t.user,
            writable: t.writable,
            no_exec: !t.executable,
            dirty: t.dirty,
        }),
        // A table outside physical memory reads as zeros here: a not-present entry.
        Err(f) if f.kind == FaultKind::OutOfMemory => {
            let mut code = 0;
            if access == Access::Write {
                code |= pf::W;
            }
            if user {
                code |= pf::U;
            }
            if access == Access::Fetch && cfg.nxe {
                code |= pf::I;
            }
            Err(Fault::PageFault { addr: vaddr, code })
        }
        Err(f) => Err(Fault::PageFault {
            addr: vaddr,
            code: f.error_code,
        }),
    }
}

/// Walks and records every entry read (for the paging widgets); does set A/D like [`walk`].
pub fn walk_traced(
    mem: &mut PhysMem,
    cfg: &PagingConfig,
    vaddr: u64,
    access: Access,
    user: bool,
) -> Walk {
    let mut steps = Vec::with_capacity(5);
    let result = walk(mem, cfg, vaddr, access, user, Some(&mut steps));
    Walk { steps, result }
}

/// Permissions for a 4 KiB mapping made by [`map_page`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PageFlags {
    /// Writable.
    pub write: bool,
    /// Accessible from ring 3.
    pub user: bool,
    /// Executable (XD clear).
    pub exec: bool,
}

/// Maps the 4 KiB page at `vaddr` to physical frame `frame`, creating intermediate tables from
/// `mem` as needed (intermediate entries are P|RW|US so the leaf decides). Returns the previous
/// leaf entry (0 if none).
pub fn map_page(
    mem: &mut PhysMem,
    cr3: u64,
    la57: bool,
    vaddr: u64,
    frame: u64,
    flags: PageFlags,
) -> Result<u64, OutOfMemory> {
    let mut table = cr3 & pte::ADDR;
    let top = if la57 { 5u32 } else { 4u32 };
    for level in (2..=top).rev() {
        let shift = 12 + 9 * (level - 1);
        let ea = table + ((vaddr >> shift) & 0x1ff) * 8;
        let e = mem.read_u64(ea);
        table = if e & pte::P != 0 {
            e & pte::ADDR
        } else {
            let f = mem.alloc_frame()? * PAGE_SIZE;
            mem.write_u64(ea, f | pte::P | pte::RW | pte::US);
            f
        };
    }
    let ea = table + ((vaddr >> 12) & 0x1ff) * 8;
    let old = mem.read_u64(ea);
    let mut e = (frame * PAGE_SIZE) | pte::P;
    if flags.write {
        e |= pte::RW;
    }
    if flags.user {
        e |= pte::US;
    }
    if !flags.exec {
        e |= pte::NX;
    }
    mem.write_u64(ea, e);
    Ok(old)
}

/// The leaf entry mapping `vaddr` (4 KiB pages only), or 0.
pub fn leaf_entry(mem: &PhysMem, cr3: u64, la57: bool, vaddr: u64) -> u64 {
    let mut table = cr3 & pte::ADDR;
    let top = if la57 { 5u32 } else { 4u32 };
    for level in (1..=top).rev() {
        let shift = 12 + 9 * (level - 1);
        let e = mem.read_u64(table + ((vaddr >> shift) & 0x1ff) * 8);
        if e & pte::P == 0 {
            return 0;
        }
        if level == 1 || e & pte::PS != 0 {
            return e;
        }
        table = e & pte::ADDR;
    }
    0
}

/// Clears the leaf entry for `vaddr` (4 KiB pages only) and returns it (0 if none).
pub fn unmap_page(mem: &mut PhysMem, cr3: u64, la57: bool, vaddr: u64) -> u64 {
    let mut table = cr3 & pte::ADDR;
    let top = if la57 { 5u32 } else { 4u32 };
    for level in (1..=top).rev() {
        let shift = 12 + 9 * (level - 1);
        let ea = table + ((vaddr >> shift) & 0x1ff) * 8;
        let e = mem.read_u64(ea);
        if e & pte::P == 0 || (level > 1 && e & pte::PS != 0) {
            return 0;
        }
        if level == 1 {
            mem.write_u64(ea, 0);
            return e;
        }
        table = e & pte::ADDR;
    }
    0
}
