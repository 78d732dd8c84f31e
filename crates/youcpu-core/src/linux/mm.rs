//! A process address space: page tables in simulated physical memory plus the list of
//! mapped regions (VMAs), as Linux's `mm_struct` keeps them. Pages of lazy regions (anonymous
//! mmap, brk, the stack) get a frame on their first touch, through the page-fault handler.

use crate::cpu::bus::Bus;
use crate::mmu::paging;
use crate::mmu::phys::{OutOfMemory, PAGE_SIZE};
use crate::mmu::Mmu;
use serde::Serialize;

pub use super::layout::{ELF_ET_DYN_BASE, MMAP_BASE, STACK_LIMIT, STACK_TOP};
pub use super::vma::{page_up, Prot, Vma, VmaKind};

/// The address space of one process.
#[derive(Clone, Debug, Default, Serialize)]
pub struct AddressSpace {
    /// Physical address of the PML4 (what CR3 holds while this process runs).
    pub cr3: u64,
    /// Regions, sorted by start.
    pub vmas: Vec<Vma>,
    /// Where the heap begins.
    pub start_brk: u64,
    /// The current program break.
    pub brk: u64,
    /// Pages given a frame on first touch so far.
    pub demand_faults: u64,
    /// Writes to copy-on-write pages fixed so far.
    pub cow_faults: u64,
}

impl AddressSpace {
    /// A new address space whose top-level table is a fresh frame; `kernel_pml4` entries 256..512
    /// (the kernel half) are copied so every process shares the kernel mappings, as Linux does.
    pub fn new(mmu: &mut Mmu, kernel_pml4: Option<u64>) -> Result<Self, OutOfMemory> {
        let frame = mmu.phys.alloc_frame()?;
        let cr3 = frame * PAGE_SIZE;
        if let Some(k) = kernel_pml4 {
            for i in 256..512u64 {
                let e = mmu.phys.read_u64(k + i * 8);
                mmu.phys.write_u64(cr3 + i * 8, e);
            }
        }
        Ok(AddressSpace {
            cr3,
            vmas: Vec::new(),
            start_brk: 0,
            brk: 0,
            demand_faults: 0,
            cow_faults: 0,
        })
    }

    /// The region containing `addr`.
    pub fn find(&self, addr: u64) -> Option<&Vma> {
        self.vmas.iter().find(|v| v.start <= addr && addr < v.end)
    }

    /// True when no region overlaps `[start, end)`.
    pub fn is_free(&self, start: u64, end: u64) -> bool {
        !self.vmas.iter().any(|v| v.start < end && start < v.end)
    }

    /// Adds a region (the caller made room).
    pub fn add(&mut self, vma: Vma) {
        let i = self
            .vmas
            .iter()
            .position(|v| v.start > vma.start)
            .unwrap_or(self.vmas.len());
        self.vmas.insert(i, vma);
    }

    /// Points the page at `page` to `frame` with `prot` and drops its stale translation;
    /// returns the entry it replaced.
    pub fn set_page(
        &mut self,
        mmu: &mut Mmu,
        page: u64,
        frame: u64,
        prot: Prot,
    ) -> Result<u64, OutOfMemory> {
        let old = paging::map_page(
            &mut mmu.phys,
            self.cr3,
            false,
            page,
            frame,
            prot.page_flags(),
        )?;
        mmu.invlpg(page);
        Ok(old)
    }

    /// Maps one page now with a fresh zeroed frame (replacing any page there).
    pub fn map_now(&mut self, mmu: &mut Mmu, vaddr: u64, prot: Prot) -> Result<u64, OutOfMemory> {
        let frame = mmu.phys.alloc_frame()?;
        let old = self.set_page(mmu, vaddr & !(PAGE_SIZE - 1), frame, prot)?;
        if old & paging::pte::P != 0 {
            mmu.phys.free_frame((old & paging::pte::ADDR) / PAGE_SIZE);
        }
        Ok(frame)
    }

    /// Copies bytes into mapped pages through their frames (kernel-side, ignoring protection).
    pub fn poke(&self, mmu: &mut Mmu, vaddr: u64, data: &[u8]) -> Result<(), String> {
        let mut i = 0usize;
        while i < data.len() {
            let a = vaddr.wrapping_add(i as u64);
            let e = paging::leaf_entry(&mmu.phys, self.cr3, false, a);
            if e & paging::pte::P == 0 {
                return Err(format!("kernel copy to unmapped address {a:#x}"));
            }
            let n = ((PAGE_SIZE - (a & 0xfff)) as usize).min(data.len() - i);
            let p = (e & paging::pte::ADDR) | (a & 0xfff);
            if let Some(src) = data.get(i..i + n) {
                mmu.phys.write(p, src);
            }
            i += n;
        }
        Ok(())
    }

    /// Unmaps `[start, end)`: frees frames, trims or splits regions.
    pub fn unmap(&mut self, mmu: &mut Mmu, start: u64, end: u64) {
        let mut a = start;
        while a < end {
            let old = paging::unmap_page(&mut mmu.phys, self.cr3, false, a);
            if old & paging::pte::P != 0 {
                mmu.phys.free_frame((old & paging::pte::ADDR) / PAGE_SIZE);
                mmu.invlpg(a);
            }
            a += PAGE_SIZE;
        }
        self.carve(start, end);
    }

    /// Removes `[start, end)` from the region list (trimming or splitting regions), without
    /// touching page tables: a new mapping is about to take that range.
    pub fn carve(&mut self, start: u64, end: u64) {
        let mut out = Vec::with_capacity(self.vmas.len() + 1);
        for v in self.vmas.drain(..) {
            if v.end <= start || v.start >= end {
                out.push(v);
                continue;
            }
            if v.start < start {
                out.push(Vma {
                    end: start,
                    ..v.clone()
                });
            }
            if v.end > end {
                out.push(Vma { start: end, ..v });
            }
        }
        self.vmas = out;
    }

    /// Finds `len` free bytes below `below`, highest first (top-down allocation).
    pub fn find_free_topdown(&self, len: u64, below: u64) -> Option<u64> {
        let mut top = below;
        loop {
            let start = top.checked_sub(len)?;
            match self
                .vmas
                .iter()
                .filter(|v| v.start < top && start < v.end)
                .map(|v| v.start)
                .min()
            {
                None => return Some(start),
                Some(s) => top = s,
            }
            if top < 0x1_0000 + len {
                return None;
            }
        }
    }

    /// Changes the protection of `[start, end)`, splitting regions and updating present pages.
    pub fn protect(&mut self, mmu: &mut Mmu, start: u64, end: u64, prot: Prot) {
        let pieces: Vec<Vma> = self
            .vmas
            .iter()
            .filter(|v| v.start < end && start < v.end)
            .map(|v| Vma {
                start: v.start.max(start),
                end: v.end.min(end),
                prot,
                ..v.clone()
            })
            .collect();
        self.carve(start, end);
        for v in pieces {
            self.add(v);
        }
        let mut a = start;
        while a < end {
            let e = paging::leaf_entry(&mmu.phys, self.cr3, false, a);
            if e & paging::pte::P != 0 {
                let frame = (e & paging::pte::ADDR) / PAGE_SIZE;
                let flags = prot.page_flags();
                let _ = paging::map_page(&mut mmu.phys, self.cr3, false, a, frame, flags);
                mmu.invlpg(a);
            }
            a += PAGE_SIZE;
        }
    }

    /// Handles a user page fault on a not-present page: if a lazy region covers it (or the
    /// stack may grow to it), maps a zeroed frame and returns true (the instruction restarts).
    pub fn demand_fault(
        &mut self,
        mmu: &mut Mmu,
        addr: u64,
        write: bool,
        fetch: bool,
    ) -> Result<bool, OutOfMemory> {
        let Some(v) = self.find(addr).cloned() else {
            return Ok(false);
        };
        let allowed = (v.prot.read || v.prot.write || v.prot.exec)
            && (!write || v.prot.write)
            && (!fetch || v.prot.exec);
        if !allowed {
            return Ok(false);
        }
        self.map_now(mmu, addr, v.prot)?;
        self.demand_faults += 1;
        Ok(true)
    }
}
