//! The page walk for any [`Format`]: from the root table, one entry per level, to the byte
//! (Intel SDM vol. 3 §4.5 for x86-64; the same loop serves teaching formats). Each entry read is
//! recorded as a [`Step`] so a widget can show the walk.

use super::format::{mask, Format};
use super::memory::{read_entry, write_entry, PhysMemory};
use serde::Serialize;

/// The page-fault error-code bits pushed with #PF (SDM vol. 3 §4.7, figure 4-12): the CPU's
/// one table, shared with [`crate::mmu`]'s walk and the kernels' fault handlers.
pub use crate::cpu::fault::pf as error_code;

/// What the access does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum AccessKind {
    /// A data read.
    Read,
    /// A data write.
    Write,
    /// An instruction fetch.
    Fetch,
}

/// An access to check: its kind and privilege, and the paging controls in force.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Access {
    /// Read, write or fetch.
    pub kind: AccessKind,
    /// From user mode (CPL 3).
    pub user: bool,
    /// CR0.WP: supervisor writes honour read-only pages.
    pub wp: bool,
    /// EFER.NXE: the NX bit is honoured (otherwise it is reserved under x86 rules).
    pub nxe: bool,
    /// Set A in every entry used and D in the leaf on a write, as the hardware does.
    pub set_accessed_dirty: bool,
}

impl Access {
    /// A user-mode access with WP and NXE on and A/D updates (how Linux runs user code).
    pub fn user(kind: AccessKind) -> Access {
        Access {
            kind,
            user: true,
            wp: true,
            nxe: true,
            set_accessed_dirty: true,
        }
    }

    /// A supervisor access with WP and NXE on and A/D updates.
    pub fn kernel(kind: AccessKind) -> Access {
        Access {
            user: false,
            ..Access::user(kind)
        }
    }

    /// A plain read that checks nothing and changes nothing (the CLI's walk).
    pub fn inspect() -> Access {
        Access {
            kind: AccessKind::Read,
            user: false,
            wp: false,
            nxe: true,
            set_accessed_dirty: false,
        }
    }
}

/// One entry read during a walk.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Step {
    /// Level, 0 = the root table.
    pub level: usize,
    /// Physical address of the table (its frame number times the page size).
    pub table_base: u64,
    /// The index taken from the virtual address.
    pub index: u64,
    /// Physical address of the entry: `table_base + index * pte_bytes`.
    pub entry_addr: u64,
    /// The entry as read (before any A/D update).
    pub entry: u64,
    /// The present bit.
    pub present: bool,
    /// The frame-number field.
    pub pfn: u64,
    /// This entry maps the page (last level, or a huge page).
    pub leaf: bool,
    /// This entry maps a huge page (PS set at a level that allows it).
    pub huge: bool,
}

/// Why a walk stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FaultKind {
    /// An entry's present bit was clear.
    NotPresent,
    /// A write to a page that is read-only at some level.
    WriteProtected,
    /// A user access to a page that is supervisor-only at some level.
    UserSupervisor,
    /// An instruction fetch from a page with NX set at some level.
    NoExecute,
    /// A reserved bit was set in an entry.
    Reserved,
    /// The address's high bits break the format's rule (x86-64: not canonical, a #GP not a #PF).
    NonCanonical,
    /// An entry's address lies outside physical memory.
    OutOfMemory,
}

impl FaultKind {
    /// A one-line explanation.
    pub fn describe(self) -> &'static str {
        match self {
            FaultKind::NotPresent => "an entry on the way has its present bit clear",
            FaultKind::WriteProtected => "a write to a page that is read-only (R/W clear)",
            FaultKind::UserSupervisor => "a user access to a supervisor page (U/S clear)",
            FaultKind::NoExecute => "an instruction fetch from a no-execute page (NX set)",
            FaultKind::Reserved => "a reserved bit is set in an entry",
            FaultKind::NonCanonical => "the address is not canonical (its high bits differ)",
            FaultKind::OutOfMemory => "a table entry lies outside physical memory",
        }
    }
}

/// A fault as the CPU reports it: #PF with CR2 and the error code (or #GP when non-canonical).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct PageFault {
    /// What went wrong.
    pub kind: FaultKind,
    /// The faulting virtual address (CR2 for a #PF).
    pub cr2: u64,
    /// The #PF error code (0 for the kinds that are not page faults).
    pub error_code: u64,
    /// The level of the entry that caused it, if any.
    pub level: Option<usize>,
}

/// A successful translation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Translation {
    /// The physical address of the byte.
    pub pa: u64,
    /// The page size: the format's page, or a huge page.
    pub page_size: u64,
    /// User mode may access (U/S set at every level, or the format has no U/S bit).
    pub user: bool,
    /// Writable (R/W set at every level, or no R/W bit).
    pub writable: bool,
    /// Executable (NX clear at every level, or NX off).
    pub executable: bool,
    /// The leaf's G bit.
    pub global: bool,
    /// The leaf's D bit after the walk.
    pub dirty: bool,
}

/// A walk: the address split, the entries read and the outcome.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Walk {
    /// The virtual address.
    pub va: u64,
    /// The index of each level, root first.
    pub indices: Vec<u64>,
    /// The page offset.
    pub offset: u64,
    /// The entries read, root first.
    pub steps: Vec<Step>,
    /// The translation or the fault.
    pub result: Result<Translation, PageFault>,
}

fn code(access: &Access, present: bool, rsvd: bool) -> u64 {
    let mut c = 0;
    if present || rsvd {
        c |= error_code::P;
    }
    if rsvd {
        c |= error_code::RSVD;
    }
    if access.kind == AccessKind::Write {
        c |= error_code::W;
    }
    if access.user {
        c |= error_code::U;
    }
    if access.kind == AccessKind::Fetch && access.nxe {
        c |= error_code::I;
    }
    c
}

/// Walks `fmt` tables from the root at frame `root_pfn` for `va`. The format must be valid
/// ([`Format::validate`]). With `access.set_accessed_dirty` the A and D bits are written back
/// (SDM vol. 3 §4.8); permission checks follow SDM vol. 3 §4.6 (SMEP/SMAP/PKRU not modelled).
pub fn walk<M: PhysMemory + ?Sized>(
    fmt: &Format,
    mem: &mut M,
    root_pfn: u64,
    va: u64,
    access: &Access,
) -> Walk {
    let (indices, offset) = fmt.split(va);
    let mut w = Walk {
        va,
        indices,
        offset,
        steps: Vec::with_capacity(fmt.levels.len()),
        result: Err(PageFault {
            kind: FaultKind::NonCanonical,
            cr2: va,
            error_code: 0,
            level: None,
        }),
    };
    let Some(narrow) = fmt.narrow(va) else {
        return w;
    };
    w.result = walk_levels(fmt, mem, root_pfn, va, narrow, access, Some(&mut w.steps));
    w
}

/// The walk itself, for an address already narrowed to the format's width; the entries read
/// go to `steps` when given. The CPU's MMU ([`crate::mmu::paging::walk`]) walks through here
/// on every TLB miss, without recording.
pub(crate) fn walk_levels<M: PhysMemory + ?Sized>(
    fmt: &Format,
    mem: &mut M,
    root_pfn: u64,
    va: u64,
    narrow: u64,
    access: &Access,
    mut steps: Option<&mut Vec<Step>>,
) -> Result<Translation, PageFault> {
    let fault = |kind, error_code, level| PageFault {
        kind,
        cr2: va,
        error_code,
        level: Some(level),
    };
    let b = fmt.bits;
    let ob = fmt.offset_bits;
    let mut table_base = root_pfn.checked_shl(u32::from(ob)).unwrap_or(u64::MAX);
    let (mut user_ok, mut write_ok, mut exec_ok) = (true, true, true);
    let last = fmt.levels.len().saturating_sub(1);
    for (level, &bits) in fmt.levels.iter().enumerate() {
        let shift = fmt.shift_of(level);
        let index = (narrow >> shift) & mask(u32::from(bits));
        let entry_addr = index
            .checked_mul(u64::from(fmt.pte_bytes))
            .and_then(|o| table_base.checked_add(o));
        let Some(entry_addr) = entry_addr else {
            return Err(fault(FaultKind::OutOfMemory, 0, level));
        };
        let Some(entry) = read_entry(mem, entry_addr, fmt.pte_bytes) else {
            return Err(fault(FaultKind::OutOfMemory, 0, level));
        };
        let present = entry >> fmt.present_bit & 1 == 1;
        let pfn = fmt.pfn(entry);
        let ps = fmt.flag(entry, b.ps);
        let huge = present && ps && fmt.huge_levels.contains(&level);
        let leaf = present && (level == last || huge);
        if let Some(steps) = steps.as_deref_mut() {
            steps.push(Step {
                level,
                table_base,
                index,
                entry_addr,
                entry,
                present,
                pfn,
                leaf,
                huge,
            });
        }
        if !present {
            return Err(fault(
                FaultKind::NotPresent,
                code(access, false, false),
                level,
            ));
        }
        // SDM vol. 3 §4.5.4: reserved bits. PS where no page can be mapped, XD without NXE,
        // and the frame bits below a huge page's alignment (except bit 0: PAT at bit 12).
        if fmt.x86_reserved {
            let span = shift - u32::from(ob);
            let rsvd = (ps && level != last && !huge)
                || (!access.nxe && fmt.flag(entry, b.nx))
                || (huge && pfn & mask(span) & !1 != 0);
            if rsvd {
                return Err(fault(FaultKind::Reserved, code(access, true, true), level));
            }
        }
        user_ok &= b.us.is_none() || fmt.flag(entry, b.us);
        write_ok &= b.rw.is_none() || fmt.flag(entry, b.rw);
        exec_ok &= !(access.nxe && fmt.flag(entry, b.nx));
        let mut new = entry;
        if let Some(a) = b.accessed {
            new |= 1 << a;
        }
        if !leaf {
            if access.set_accessed_dirty && new != entry {
                write_entry(mem, entry_addr, fmt.pte_bytes, new);
            }
            table_base = pfn.checked_shl(u32::from(ob)).unwrap_or(u64::MAX);
            continue;
        }
        // SDM vol. 3 §4.6.1: user accesses need U/S at every level; writes need R/W at every
        // level (supervisor writes only with CR0.WP); fetches need NX clear everywhere.
        let kind = if access.user && !user_ok {
            Some(FaultKind::UserSupervisor)
        } else if access.kind == AccessKind::Write && !write_ok && (access.user || access.wp) {
            Some(FaultKind::WriteProtected)
        } else if access.kind == AccessKind::Fetch && !exec_ok {
            Some(FaultKind::NoExecute)
        } else {
            None
        };
        if let Some(k) = kind {
            return Err(fault(k, code(access, true, false), level));
        }
        if access.kind == AccessKind::Write {
            if let Some(d) = b.dirty {
                new |= 1 << d;
            }
        }
        if access.set_accessed_dirty && new != entry {
            write_entry(mem, entry_addr, fmt.pte_bytes, new);
        }
        let page_size = 1u64.checked_shl(shift).unwrap_or(0);
        let frame_base = if huge {
            (pfn & !mask(shift - u32::from(ob))) << ob
        } else {
            pfn << ob
        };
        let dirty_after = if access.set_accessed_dirty {
            new
        } else {
            entry
        };
        return Ok(Translation {
            pa: frame_base | (narrow & mask(shift)),
            page_size,
            user: user_ok,
            writable: write_ok,
            executable: exec_ok,
            global: fmt.flag(entry, b.global),
            dirty: fmt.flag(dirty_after, b.dirty),
        });
    }
    Err(fault(
        FaultKind::NotPresent,
        code(access, false, false),
        last,
    ))
}

/// The x86-64 names of the tables, root first, for a format with `levels` levels (4: PML4, PDPT,
/// PD, PT; 5: PML5 first); other formats get "level N".
pub fn level_name(levels: usize, level: usize) -> String {
    const NAMES: [&str; 5] = ["PML5", "PML4", "PDPT", "PD", "PT"];
    match (levels, NAMES.get(level + 5 - levels.min(5))) {
        (4 | 5, Some(n)) => (*n).to_string(),
        _ => format!("level {level}"),
    }
}

impl Walk {
    /// One sentence per step and one for the outcome, for the page-walk widget.
    pub fn explain(&self, fmt: &Format) -> Vec<String> {
        let x86 = fmt.is_x86_layout();
        let name = |l: usize| {
            if x86 {
                level_name(fmt.levels.len(), l)
            } else {
                format!("level {l}")
            }
        };
        let mut out: Vec<String> = self
            .steps
            .iter()
            .map(|s| {
                let what = if !s.present {
                    "not present".to_string()
                } else if s.huge {
                    format!("a huge page at frame {:#x}", s.pfn)
                } else if s.leaf {
                    format!("the page at frame {:#x}", s.pfn)
                } else {
                    format!("the next table at frame {:#x}", s.pfn)
                };
                format!(
                    "{}: index {} -> entry at {:#x} = {:#x}: {what}",
                    name(s.level),
                    s.index,
                    s.entry_addr,
                    s.entry
                )
            })
            .collect();
        out.push(match &self.result {
            Ok(t) => format!(
                "physical address {:#x} (page of {} bytes, offset {:#x})",
                t.pa,
                t.page_size,
                self.va & (t.page_size.max(1) - 1)
            ),
            Err(f) => format!(
                "fault at {:#x}: {} (error code {:#x})",
                f.cr2,
                f.kind.describe(),
                f.error_code
            ),
        });
        out
    }
}
