//! A small fully associative TLB in front of [`walk`]: a hit skips the walk, a miss walks and
//! caches the translation. Writing CR3 flushes every entry except global ones (SDM vol. 3
//! §4.10.4.1, with CR4.PGE); INVLPG drops one page.

use super::format::{mask, Format};
use super::memory::PhysMemory;
use super::walk::{walk, Access, AccessKind, PageFault, Translation, Walk};
use serde::Serialize;
use std::collections::VecDeque;

/// Entries a TLB may hold at most (a bound for widgets and tests).
pub const MAX_TLB_ENTRIES: usize = 4096;

/// One cached translation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct TlbEntry {
    /// The virtual page: the address with the offset bits of its page size cleared.
    pub page: u64,
    /// The cached translation of the page's first byte.
    pub translation: Translation,
}

/// The outcome of one translation through the TLB.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Lookup {
    /// The TLB had the page and allowed the access.
    pub tlb_hit: bool,
    /// The walk done on a miss.
    pub walk: Option<Walk>,
    /// The physical address or the fault.
    pub result: Result<u64, PageFault>,
}

/// A TLB with a root table (CR3) and hit/miss counters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Tlb {
    entries: VecDeque<TlbEntry>,
    capacity: usize,
    /// The root table's frame number (CR3).
    pub root_pfn: u64,
    /// Lookups that hit.
    pub hits: u64,
    /// Lookups that missed.
    pub misses: u64,
}

impl Tlb {
    /// An empty TLB of `capacity` entries (at least 1, at most [`MAX_TLB_ENTRIES`]).
    pub fn new(capacity: usize, root_pfn: u64) -> Tlb {
        Tlb {
            entries: VecDeque::new(),
            capacity: capacity.clamp(1, MAX_TLB_ENTRIES),
            root_pfn,
            hits: 0,
            misses: 0,
        }
    }

    /// The cached entries, oldest first.
    pub fn entries(&self) -> impl Iterator<Item = &TlbEntry> {
        self.entries.iter()
    }

    /// Writes CR3: a new root, and every non-global entry flushed.
    pub fn write_cr3(&mut self, root_pfn: u64) {
        self.root_pfn = root_pfn;
        self.entries.retain(|e| e.translation.global);
    }

    /// Drops every entry, global ones too (CR4.PGE toggled).
    pub fn flush_all(&mut self) {
        self.entries.clear();
    }

    /// INVLPG: drops the entry covering `va`.
    pub fn invlpg(&mut self, va: u64) {
        self.entries
            .retain(|e| va & !(e.translation.page_size - 1) != e.page);
    }

    fn allows(t: &Translation, a: &Access) -> bool {
        (!a.user || t.user)
            && match a.kind {
                AccessKind::Read => true,
                // A write through an entry not yet dirty walks again to set D.
                AccessKind::Write => t.dirty && (t.writable || (!a.user && !a.wp)),
                AccessKind::Fetch => t.executable,
            }
    }

    /// Translates `va`: a hit when a cached page covers it and allows the access, else a walk
    /// (whose success is cached, replacing the oldest entry when full).
    pub fn translate<M: PhysMemory + ?Sized>(
        &mut self,
        fmt: &Format,
        mem: &mut M,
        va: u64,
        access: &Access,
    ) -> Lookup {
        let hit = self.entries.iter().find(|e| {
            let size = e.translation.page_size.max(1);
            va & !(size - 1) == e.page && Tlb::allows(&e.translation, access)
        });
        if let Some(e) = hit {
            self.hits += 1;
            let size = e.translation.page_size.max(1);
            let narrow = va & mask(fmt.va_bits());
            return Lookup {
                tlb_hit: true,
                walk: None,
                result: Ok(e.translation.pa | (narrow & (size - 1))),
            };
        }
        self.misses += 1;
        let w = walk(fmt, mem, self.root_pfn, va, access);
        let result = w.result.map(|t| t.pa);
        if let Ok(t) = w.result {
            let size = t.page_size.max(1);
            let page = va & !(size - 1);
            self.entries.retain(|e| e.page != page);
            if self.entries.len() >= self.capacity {
                self.entries.pop_front();
            }
            self.entries.push_back(TlbEntry {
                page,
                translation: Translation {
                    pa: t.pa & !(size - 1),
                    ..t
                },
            });
        }
        Lookup {
            tlb_hit: false,
            walk: Some(w),
            result,
        }
    }
}
