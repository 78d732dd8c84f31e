//! Memory pressure: a limit on the frames user pages and the page cache may hold, reclaim when
//! it is reached, swap, and the out-of-memory outcome (mm/vmscan.c, mm/swapfile.c,
//! mm/memory.c `do_swap_page`, mm/oom_kill.c).
//!
//! What is modelled, and how it is simplified:
//!
//! - **The limit** is on frames holding user pages and page-cache pages (a cgroup's
//!   `memory.max` in spirit: page tables and kernel memory are not charged). With no limit set
//!   the model never reclaims, exactly as before; with one, an allocation that would pass it (or
//!   that finds physical memory full) reclaims one page first.
//! - **Which page goes**: the kernel keeps active and inactive LRU lists per memory cgroup and
//!   moves pages between them by their accessed bits (`folio_referenced`,
//!   `shrink_active_list`, `shrink_folio_list`). Here that two-list LRU is approximated by the
//!   clock (second-chance) algorithm over the frames: a hand sweeps the frames in order; a user
//!   or page-cache frame whose PTEs have the accessed bit set gets a second chance (the bits are
//!   cleared and the TLB entry invalidated, so the next access sets them again); the first frame
//!   found not accessed is evicted. Page tables, kernel frames and the zero page are never
//!   candidates.
//! - **Anonymous pages** (and private copies of file pages, which are anonymous to the kernel)
//!   are written to a swap slot; every PTE that mapped the frame is cleared and the process
//!   remembers the slot (the kernel writes a swap entry into the PTE itself; here the entry is
//!   kept beside the page table, keyed by the address space and page). A page shared by
//!   copy-on-write goes to one slot counted once per mapping (`swap_map` counts).
//! - **Page-cache pages** are clean (the model has no shared writable file mappings, so nothing
//!   dirties them): they are dropped from the cache and unmapped; a later access reads the file
//!   again.
//! - **Faults**: a fault that has to read from the file or from swap is a major fault; one
//!   satisfied from memory (zero page, new zeroed frame, page-cache hit, copy-on-write) is a
//!   minor fault (the `maj_flt` and `min_flt` of `/proc/PID/stat`). A swapped-in page gets its
//!   own frame in each process that faults it in (no swap cache).
//! - **Out of memory**: when nothing can be evicted (every candidate is anonymous and swap is
//!   full, or there is no candidate), the allocation fails with the OOM killer's choice: the
//!   live process with the highest `oom_badness` (resident user pages + swap entries + page
//!   tables). The model reports the victim and refuses the access; it does not kill it.

use super::frames::{FrameUse, FRAME_SIZE};
use super::step::Step;
use super::system::System;
use super::VmError;
use crate::paging::memory::{read_entry, write_entry};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// Most swap slots.
pub const MAX_SWAP_PAGES: usize = 65_536;

/// The accessed bit of an x86-64 PTE (Intel SDM vol. 3 §4.8).
const PTE_ACCESSED: u64 = 1 << 5;

/// Fault and reclaim counters since boot.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Counters {
    /// Faults handled from memory (`min_flt`).
    pub minor_faults: u64,
    /// Faults that read from the file or from swap (`maj_flt`).
    pub major_faults: u64,
    /// Anonymous pages written to swap (`pswpout`).
    pub swap_outs: u64,
    /// Pages read back from swap (`pswpin`).
    pub swap_ins: u64,
    /// Clean file pages dropped from the page cache.
    pub file_drops: u64,
    /// Frames passed over because they had been accessed.
    pub second_chances: u64,
}

#[derive(Clone)]
struct Slot {
    data: Box<[u8; FRAME_SIZE as usize]>,
    users: u32,
}

/// The reclaim state: limit, swap, the clock hand, counters.
#[derive(Clone, Default)]
pub struct Pressure {
    limit: Option<usize>,
    slots: Vec<Option<Slot>>,
    /// (root table frame, page) -> swap slot.
    entries: BTreeMap<(u64, u64), usize>,
    hand: u64,
    pinned: Vec<u64>,
    pending: Vec<Step>,
    counters: Counters,
}

/// A frame and the PTEs that map it.
struct Mapping {
    pid: u32,
    root: u64,
    page: u64,
    entry_addr: u64,
}

impl System {
    /// Sets the memory limit (frames for user and page-cache pages; `None`: no limit, no
    /// reclaim) and the swap size in pages, then reclaims down to the limit and returns what
    /// reclaim did. Shrinking swap below the slots in use is refused; when the new limit cannot
    /// be met (the OOM outcome), the old limit stays.
    pub fn set_memory_limit(
        &mut self,
        limit: Option<usize>,
        swap_pages: usize,
    ) -> Result<Vec<Step>, VmError> {
        if swap_pages > MAX_SWAP_PAGES {
            return Err(VmError::BadLimit(format!(
                "swap of {swap_pages} pages is more than {MAX_SWAP_PAGES}"
            )));
        }
        if limit == Some(0) {
            return Err(VmError::BadLimit(
                "the memory limit must be at least 1 page".into(),
            ));
        }
        let used = self.pressure.slots.iter().filter(|s| s.is_some()).count();
        if self
            .pressure
            .slots
            .get(swap_pages..)
            .is_some_and(|rest| rest.iter().any(Option::is_some))
        {
            return Err(VmError::BadLimit(format!(
                "{used} pages are in swap; it cannot shrink to {swap_pages}"
            )));
        }
        self.pressure.slots.resize(swap_pages, None);
        let before = self.pressure.limit;
        self.pressure.limit = limit;
        if let Some(l) = limit {
            while self.charged() > l {
                let r = self.reclaim_one();
                if !matches!(r, Ok(true)) {
                    // The pages already reclaimed stay out; the old limit comes back.
                    let e = r.err().unwrap_or_else(|| self.oom_error());
                    self.pressure.limit = before;
                    self.pressure.pending.clear();
                    return Err(e);
                }
            }
        }
        Ok(std::mem::take(&mut self.pressure.pending))
    }

    /// The memory limit in frames, if one is set.
    pub fn memory_limit(&self) -> Option<usize> {
        self.pressure.limit
    }

    /// Frames charged to the limit: user pages and the page cache.
    pub fn charged(&self) -> usize {
        self.frames.count(FrameUse::User) + self.frames.count(FrameUse::PageCache)
    }

    /// Swap slots: (in use, total).
    pub fn swap_usage(&self) -> (usize, usize) {
        let used = self.pressure.slots.iter().filter(|s| s.is_some()).count();
        (used, self.pressure.slots.len())
    }

    /// The pages of `pid` that are in swap: (page, slot), in address order.
    pub fn swapped_pages(&self, pid: u32) -> Vec<(u64, usize)> {
        let Ok(p) = self.live(pid) else {
            return Vec::new();
        };
        let root = p.root_pfn;
        self.pressure
            .entries
            .range((root, 0)..=(root, u64::MAX))
            .map(|(&(_, page), &slot)| (page, slot))
            .collect()
    }

    /// Fault and reclaim counters since boot.
    pub fn counters(&self) -> Counters {
        self.pressure.counters
    }

    /// A frame for a user or page-cache page, reclaiming first when a limit is set and would
    /// be passed, or physical memory is full; `pin` lists frames the caller is still reading.
    pub(super) fn alloc_page(&mut self, usage: FrameUse, pin: &[u64]) -> Result<u64, VmError> {
        let Some(limit) = self.pressure.limit else {
            return self.frames.alloc(usage);
        };
        self.pressure.pinned = pin.to_vec();
        let r = loop {
            if self.charged() < limit {
                match self.frames.alloc(usage) {
                    Ok(f) => break Ok(f),
                    Err(VmError::OutOfMemory { .. }) => {}
                    Err(e) => break Err(e),
                }
            }
            match self.reclaim_one() {
                Ok(true) => {}
                Ok(false) => break Err(self.oom_error()),
                Err(e) => break Err(e),
            }
        };
        self.pressure.pinned.clear();
        r
    }

    /// The reclaim steps taken since the last call (for the access that caused them).
    pub(super) fn take_reclaim_steps(&mut self) -> Vec<Step> {
        std::mem::take(&mut self.pressure.pending)
    }

    /// Counts a handled fault as minor or major by what it did.
    pub(super) fn count_fault(&mut self, steps: &[Step]) {
        use super::step::Decision;
        let major = steps.iter().any(|s| {
            matches!(
                s,
                Step::Kernel {
                    decision: Decision::FileRead { .. } | Decision::SwapIn { .. }
                }
            )
        });
        if major {
            self.pressure.counters.major_faults += 1;
        } else {
            self.pressure.counters.minor_faults += 1;
        }
    }

    /// The swap slot holding `page` of the address space `root`, if it was swapped out.
    pub(super) fn swap_entry(&self, root: u64, page: u64) -> Option<usize> {
        self.pressure.entries.get(&(root, page)).copied()
    }

    /// `do_swap_page`: a frame with the slot's contents; the entry and the slot's use go.
    pub(super) fn swap_in(&mut self, root: u64, page: u64, slot: usize) -> Result<u64, VmError> {
        let f = self.alloc_page(FrameUse::User, &[])?;
        if let Some(Some(s)) = self.pressure.slots.get_mut(slot) {
            if let Some(dst) = self.frames.bytes_mut(f) {
                *dst = *s.data;
            }
            s.users = s.users.saturating_sub(1);
            if s.users == 0 {
                if let Some(x) = self.pressure.slots.get_mut(slot) {
                    *x = None;
                }
            }
        }
        self.pressure.entries.remove(&(root, page));
        self.pressure.counters.swap_ins += 1;
        Ok(f)
    }

    /// Forgets the swap entries of `root` in `start..end` (munmap, brk, exit, exec).
    pub(super) fn swap_drop(&mut self, root: u64, start: u64, end: u64) {
        if start >= end {
            return;
        }
        let keys: Vec<(u64, u64)> = self
            .pressure
            .entries
            .range((root, start)..(root, end))
            .map(|(&k, _)| k)
            .collect();
        for k in keys {
            if let Some(slot) = self.pressure.entries.remove(&k) {
                if let Some(x) = self.pressure.slots.get_mut(slot) {
                    if let Some(s) = x.as_mut() {
                        s.users = s.users.saturating_sub(1);
                        if s.users == 0 {
                            *x = None;
                        }
                    }
                }
            }
        }
    }

    /// fork (`copy_nonpresent_pte`): the child shares the parent's swap entries.
    pub(super) fn swap_fork(&mut self, parent_root: u64, child_root: u64) {
        let copies: Vec<(u64, usize)> = self
            .pressure
            .entries
            .range((parent_root, 0)..=(parent_root, u64::MAX))
            .map(|(&(_, page), &slot)| (page, slot))
            .collect();
        for (page, slot) in copies {
            self.pressure.entries.insert((child_root, page), slot);
            if let Some(Some(s)) = self.pressure.slots.get_mut(slot) {
                s.users = s.users.saturating_add(1);
            }
        }
    }

    /// Who maps each user frame (the reverse map, `rmap_walk`), by scanning the live processes.
    fn rmap(&self) -> BTreeMap<u64, Vec<Mapping>> {
        let mut map: BTreeMap<u64, Vec<Mapping>> = BTreeMap::new();
        for p in self.processes().filter(|p| p.root_pfn != 0) {
            for m in self.mapped(p.root_pfn) {
                map.entry(m.frame).or_default().push(Mapping {
                    pid: p.pid,
                    root: p.root_pfn,
                    page: m.page,
                    entry_addr: m.entry_addr,
                });
            }
        }
        map
    }

    fn current_root(&self) -> Option<u64> {
        self.current
            .and_then(|pid| self.process(pid))
            .map(|p| p.root_pfn)
    }

    /// One sweep of the clock: evicts one frame and returns true, or false when nothing can go.
    fn reclaim_one(&mut self) -> Result<bool, VmError> {
        let rmap = self.rmap();
        let cap = self.frames.capacity() as u64;
        let cur = self.current_root();
        let pinned: BTreeSet<u64> = self.pressure.pinned.iter().copied().collect();
        for _ in 0..2 * cap {
            let f = self.pressure.hand % cap.max(1);
            self.pressure.hand = (f + 1) % cap.max(1);
            let Some((usage, _)) = self.frames.info(f) else {
                continue;
            };
            if !matches!(usage, FrameUse::User | FrameUse::PageCache)
                || f == self.zero_frame
                || pinned.contains(&f)
            {
                continue;
            }
            let maps = rmap.get(&f).map(Vec::as_slice).unwrap_or(&[]);
            if usage == FrameUse::User && maps.is_empty() {
                continue;
            }
            let pages: Vec<(u32, u64)> = maps.iter().map(|m| (m.pid, m.page)).collect();
            // folio_referenced(): any accessed bit gives the frame another round.
            let mut young = false;
            for m in maps {
                let e = read_entry(&self.frames, m.entry_addr, 8).unwrap_or(0);
                if e & PTE_ACCESSED != 0 {
                    young = true;
                    write_entry(&mut self.frames, m.entry_addr, 8, e & !PTE_ACCESSED);
                    if Some(m.root) == cur {
                        self.tlb.invlpg(m.page);
                    }
                }
            }
            if young {
                self.pressure.counters.second_chances += 1;
                self.pressure
                    .pending
                    .push(Step::SecondChance { frame: f, pages });
                continue;
            }
            let slot = if usage == FrameUse::User {
                let Some(slot) = self.pressure.slots.iter().position(Option::is_none) else {
                    continue; // anonymous, and swap is full
                };
                let data = self
                    .frames
                    .bytes(f)
                    .map_or_else(|| Box::new([0; FRAME_SIZE as usize]), |b| Box::new(*b));
                let users = u32::try_from(maps.len()).unwrap_or(u32::MAX);
                if let Some(x) = self.pressure.slots.get_mut(slot) {
                    *x = Some(Slot { data, users });
                }
                Some(slot)
            } else {
                None
            };
            // try_to_unmap(): every PTE goes (a swap entry takes its place for anon pages).
            for m in maps {
                write_entry(&mut self.frames, m.entry_addr, 8, 0);
                if let Some(s) = slot {
                    self.pressure.entries.insert((m.root, m.page), s);
                }
                if Some(m.root) == cur {
                    self.tlb.invlpg(m.page);
                }
                self.frames.put(f);
            }
            match slot {
                Some(slot) => {
                    self.pressure.counters.swap_outs += 1;
                    self.pressure.pending.push(Step::SwapOut {
                        frame: f,
                        slot,
                        pages,
                    });
                }
                None => {
                    let key = self.cache.iter().find(|(_, &fr)| fr == f).map(|(&k, _)| k);
                    if let Some(k) = key {
                        self.cache.remove(&k);
                    }
                    self.frames.put(f);
                    self.pressure.counters.file_drops += 1;
                    let (file, offset) = key.unwrap_or((usize::MAX, 0));
                    self.pressure.pending.push(Step::DropFilePage {
                        frame: f,
                        file,
                        offset,
                        pages,
                    });
                }
            }
            return Ok(true);
        }
        Ok(false)
    }

    /// mm/oom_kill.c `select_bad_process`: the live process with the highest badness.
    fn oom_error(&self) -> VmError {
        let victim = self
            .processes()
            .filter(|p| p.root_pfn != 0)
            .map(|p| {
                let rss = self
                    .mapped(p.root_pfn)
                    .iter()
                    .filter(|m| m.frame != self.zero_frame)
                    .count() as u64;
                let swap = self.swapped_pages(p.pid).len() as u64;
                let tables = self.table_frames(p.root_pfn).len() as u64 + 1;
                (rss + swap + tables, p.pid, rss, swap)
            })
            .max_by_key(|&(badness, pid, _, _)| (badness, std::cmp::Reverse(pid)));
        let (used, total) = self.swap_usage();
        match victim {
            Some((_, pid, rss, swap)) => VmError::OomKill {
                limit: self.pressure.limit.unwrap_or(self.frames.capacity()),
                swap_used: used,
                swap_total: total,
                victim: pid,
                rss,
                swap,
            },
            None => VmError::OutOfMemory {
                frames: self.frames.capacity(),
            },
        }
    }
}
