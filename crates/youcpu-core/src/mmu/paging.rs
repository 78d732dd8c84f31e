//! The x86-64 page-table walk over simulated physical memory (Intel SDM vol. 3 §4.5, 4-level
//! and 5-level paging), and helpers that build page tables the way an OS does.

use super::phys::{OutOfMemory, PhysMem, PAGE_SIZE};
use crate::cpu::bus::{Access, PagingConfig};
use crate::cpu::fault::{pf, Fault};
use serde::Serialize;

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

fn pf_code(access: Access, user: bool, present: bool, rsvd: bool, nxe: bool) -> u64 {
    let mut c = 0;
    if present {
        c |= pf::P;
    }
    if access == Access::Write {
        c |= pf::W;
    }
    if user {
        c |= pf::U;
    }
    if rsvd {
        c |= pf::RSVD | pf::P;
    }
    if access == Access::Fetch && nxe {
        c |= pf::I;
    }
    c
}

/// Walks the page tables for one access. Sets the A bit in every entry used and the D bit in
/// the final entry on a write, like the hardware (Intel SDM vol. 3 §4.8). `record` collects the
/// entries read when given.
pub fn walk(
    mem: &mut PhysMem,
    cfg: &PagingConfig,
    vaddr: u64,
    access: Access,
    user: bool,
    mut record: Option<&mut Vec<WalkStep>>,
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
    if !is_canonical(vaddr, cfg.la57) {
        return Err(Fault::gp(format!("non-canonical address {vaddr:#x}")));
    }
    let top = if cfg.la57 { 5u8 } else { 4u8 };
    let mut table = cfg.cr3 & pte::ADDR;
    let (mut u, mut w, mut nx) = (true, true, false);
    let mut level = top;
    loop {
        let shift = 12 + 9 * (u32::from(level) - 1);
        let index = (vaddr >> shift) & 0x1ff;
        let entry_addr = table + index * 8;
        let entry = mem.read_u64(entry_addr);
        if let Some(r) = record.as_deref_mut() {
            r.push(WalkStep {
                level,
                table,
                index: index as u16,
                entry,
            });
        }
        if entry & pte::P == 0 {
            return Err(Fault::PageFault {
                addr: vaddr,
                code: pf_code(access, user, false, false, cfg.nxe),
            });
        }
        // Reserved bits (§4.5.4): XD without NXE; PS in PML5E/PML4E; the low address bits of a
        // huge page other than PAT (bit 12).
        let huge = entry & pte::PS != 0 && (level == 2 || level == 3);
        let rsvd = (entry & pte::NX != 0 && !cfg.nxe)
            || (entry & pte::PS != 0 && level >= 4)
            || (huge && level == 3 && entry & 0x3fff_e000 != 0)
            || (huge && level == 2 && entry & 0x001f_e000 != 0);
        if rsvd {
            return Err(Fault::PageFault {
                addr: vaddr,
                code: pf_code(access, user, true, true, cfg.nxe),
            });
        }
        u &= entry & pte::US != 0;
        w &= entry & pte::RW != 0;
        nx |= cfg.nxe && entry & pte::NX != 0;
        let leaf = level == 1 || huge;
        // §4.6: user accesses need U/S everywhere; writes need R/W everywhere (supervisor
        // writes only when CR0.WP); fetches need XD clear everywhere. (SMEP/SMAP not modelled.)
        let denied = leaf
            && ((user && !u)
                || (access == Access::Write && !w && (user || cfg.wp))
                || (access == Access::Fetch && nx));
        if denied {
            return Err(Fault::PageFault {
                addr: vaddr,
                code: pf_code(access, user, true, false, cfg.nxe),
            });
        }
        let mut new = entry | pte::A;
        if leaf && access == Access::Write {
            new |= pte::D;
        }
        if new != entry {
            mem.write_u64(entry_addr, new);
        }
        if leaf {
            let page_size = 1u64 << shift;
            let base = if huge {
                entry & pte::ADDR & !(page_size - 1)
            } else {
                entry & pte::ADDR
            };
            return Ok(Translation {
                paddr: base | (vaddr & (page_size - 1)),
                page_size,
                user: u,
                writable: w,
                no_exec: nx,
                dirty: new & pte::D != 0,
            });
        }
        table = entry & pte::ADDR;
        level -= 1;
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
