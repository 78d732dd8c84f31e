//! Building page tables in any [`Format`], the way an OS does: intermediate tables allocated on
//! demand, leaves written with the wanted permission bits.

use super::format::{mask, Format};
use super::memory::{read_entry, write_entry, PhysMemory};
use std::fmt;

/// A frame allocator for page tables: returns a zeroed frame's number, or `None` when out.
pub type Alloc<'a, M> = dyn FnMut(&mut M) -> Option<u64> + 'a;

/// A huge page to map with [`map_huge`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HugePage {
    /// An address inside the page.
    pub va: u64,
    /// The level whose entry maps it (one of [`Format::huge_levels`]).
    pub level: usize,
    /// The first frame of the page (aligned to the page size).
    pub pfn: u64,
    /// Permissions.
    pub perms: Perms,
}

/// Permissions for a leaf entry (bits the format lacks are ignored).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Perms {
    /// Set R/W.
    pub write: bool,
    /// Set U/S.
    pub user: bool,
    /// Leave NX clear.
    pub exec: bool,
    /// Set G.
    pub global: bool,
}

/// Why a mapping could not be made.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BuildError {
    /// The allocator gave no frame for a table.
    OutOfFrames,
    /// A table entry lies outside physical memory.
    OutOfMemory(u64),
    /// The address breaks the format's high-bit rule.
    BadAddress(u64),
    /// A huge page is in the way at this level.
    HugePage(usize),
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BuildError::OutOfFrames => f.write_str("no free frame for a page table"),
            BuildError::OutOfMemory(a) => {
                write!(f, "page-table entry at {a:#x} lies outside physical memory")
            }
            BuildError::BadAddress(a) => write!(f, "address {a:#x} is outside the address space"),
            BuildError::HugePage(l) => write!(f, "a huge page at level {l} covers the address"),
        }
    }
}

impl std::error::Error for BuildError {}

/// The entry value for a leaf or a table pointer.
pub fn entry_for(fmt: &Format, pfn: u64, p: Perms) -> u64 {
    let b = fmt.bits;
    let mut e = fmt.make_entry(pfn);
    let mut set = |bit: Option<u8>, on: bool| {
        if let (Some(x), true) = (bit, on) {
            e |= 1 << x;
        }
    };
    set(b.rw, p.write);
    set(b.us, p.user);
    set(b.nx, !p.exec);
    set(b.global, p.global);
    e
}

fn entry_addr(fmt: &Format, table_pfn: u64, level: usize, va: u64) -> u64 {
    let bits = fmt.levels.get(level).copied().unwrap_or(0);
    let index = (va >> fmt.shift_of(level)) & mask(u32::from(bits));
    (table_pfn << fmt.offset_bits).wrapping_add(index * u64::from(fmt.pte_bytes))
}

/// Finds the leaf entry's address for `va`, creating tables with `alloc` when `alloc` is given.
/// Intermediate entries get R/W, U/S and no NX, so the leaf decides (as Linux does).
pub fn leaf_slot<M: PhysMemory + ?Sized>(
    fmt: &Format,
    mem: &mut M,
    root_pfn: u64,
    va: u64,
    mut alloc: Option<&mut Alloc<'_, M>>,
) -> Result<Option<u64>, BuildError> {
    let va = fmt.narrow(va).ok_or(BuildError::BadAddress(va))?;
    let mut table = root_pfn;
    let last = fmt.levels.len().saturating_sub(1);
    for level in 0..last {
        let ea = entry_addr(fmt, table, level, va);
        let e = read_entry(mem, ea, fmt.pte_bytes).ok_or(BuildError::OutOfMemory(ea))?;
        if e >> fmt.present_bit & 1 == 1 {
            if fmt.flag(e, fmt.bits.ps) && fmt.huge_levels.contains(&level) {
                return Err(BuildError::HugePage(level));
            }
            table = fmt.pfn(e);
            continue;
        }
        let Some(a) = alloc.as_deref_mut() else {
            return Ok(None);
        };
        let t = a(mem).ok_or(BuildError::OutOfFrames)?;
        let perms = Perms {
            write: true,
            user: true,
            exec: true,
            global: false,
        };
        if !write_entry(mem, ea, fmt.pte_bytes, entry_for(fmt, t, perms)) {
            return Err(BuildError::OutOfMemory(ea));
        }
        table = t;
    }
    Ok(Some(entry_addr(fmt, table, last, va)))
}

/// Maps the page at `va` to frame `pfn` with `perms`; returns the previous leaf entry.
pub fn map<M: PhysMemory + ?Sized>(
    fmt: &Format,
    mem: &mut M,
    root_pfn: u64,
    va: u64,
    pfn: u64,
    perms: Perms,
    alloc: &mut Alloc<'_, M>,
) -> Result<u64, BuildError> {
    let ea = leaf_slot(fmt, mem, root_pfn, va, Some(alloc))?.ok_or(BuildError::OutOfFrames)?;
    let old = read_entry(mem, ea, fmt.pte_bytes).ok_or(BuildError::OutOfMemory(ea))?;
    if !write_entry(mem, ea, fmt.pte_bytes, entry_for(fmt, pfn, perms)) {
        return Err(BuildError::OutOfMemory(ea));
    }
    Ok(old)
}

/// Maps a huge page: the entry at `page.level` gets PS, tables above it are made as needed.
pub fn map_huge<M: PhysMemory + ?Sized>(
    fmt: &Format,
    mem: &mut M,
    root_pfn: u64,
    page: HugePage,
    alloc: &mut Alloc<'_, M>,
) -> Result<(), BuildError> {
    let va = fmt.narrow(page.va).ok_or(BuildError::BadAddress(page.va))?;
    let mut table = root_pfn;
    for l in 0..page.level {
        let ea = entry_addr(fmt, table, l, va);
        let e = read_entry(mem, ea, fmt.pte_bytes).ok_or(BuildError::OutOfMemory(ea))?;
        table = if e >> fmt.present_bit & 1 == 1 {
            fmt.pfn(e)
        } else {
            let t = alloc(mem).ok_or(BuildError::OutOfFrames)?;
            let p = Perms {
                write: true,
                user: true,
                exec: true,
                global: false,
            };
            if !write_entry(mem, ea, fmt.pte_bytes, entry_for(fmt, t, p)) {
                return Err(BuildError::OutOfMemory(ea));
            }
            t
        };
    }
    let ea = entry_addr(fmt, table, page.level, va);
    let mut e = entry_for(fmt, page.pfn, page.perms);
    if let Some(ps) = fmt.bits.ps {
        e |= 1 << ps;
    }
    if write_entry(mem, ea, fmt.pte_bytes, e) {
        Ok(())
    } else {
        Err(BuildError::OutOfMemory(ea))
    }
}

/// The leaf entry for `va` (4 KiB pages; 0 when no table reaches it).
pub fn leaf_entry<M: PhysMemory + ?Sized>(
    fmt: &Format,
    mem: &mut M,
    root_pfn: u64,
    va: u64,
) -> u64 {
    match leaf_slot(fmt, mem, root_pfn, va, None) {
        Ok(Some(ea)) => read_entry(mem, ea, fmt.pte_bytes).unwrap_or(0),
        _ => 0,
    }
}

/// Overwrites the leaf entry for `va` if its tables exist; returns the old entry (0 if none).
pub fn set_leaf<M: PhysMemory + ?Sized>(
    fmt: &Format,
    mem: &mut M,
    root_pfn: u64,
    va: u64,
    value: u64,
) -> u64 {
    match leaf_slot(fmt, mem, root_pfn, va, None) {
        Ok(Some(ea)) => {
            let old = read_entry(mem, ea, fmt.pte_bytes).unwrap_or(0);
            write_entry(mem, ea, fmt.pte_bytes, value);
            old
        }
        _ => 0,
    }
}
