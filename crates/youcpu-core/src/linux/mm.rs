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

/// A kernel copy ([`AddressSpace::poke`]) met a page that is not mapped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Unmapped {
    /// The first address not mapped.
    pub addr: u64,
}

impl std::fmt::Display for Unmapped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "kernel copy to unmapped address {:#x}", self.addr)
    }
}

impl std::error::Error for Unmapped {}

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

    /// Adds a region (the caller made room), merged with an adjacent private anonymous
    /// region of the same protection, as mm/vma.c `vma_merge_new_range` and
    /// `vma_merge_existing_range` merge them on mmap, mprotect and mremap: /proc/PID/maps
    /// then shows one region where the process made two.
    pub fn add(&mut self, vma: Vma) {
        let i = self
            .vmas
            .iter()
            .position(|v| v.start > vma.start)
            .unwrap_or(self.vmas.len());
        self.vmas.insert(i, vma);
        if i + 1 < self.vmas.len() && self.mergeable(i, i + 1) {
            let next = self.vmas.remove(i + 1);
            if let Some(v) = self.vmas.get_mut(i) {
                v.end = next.end;
            }
        }
        if i > 0 && self.mergeable(i - 1, i) {
            let this = self.vmas.remove(i);
            if let Some(v) = self.vmas.get_mut(i - 1) {
                v.end = this.end;
            }
        }
    }

    /// Whether regions `a` and `b` (`a` just below `b`) can be one: both private anonymous
    /// memory, touching, with the same protection, VM_MAY* flags and name (mm/vma.c
    /// `is_mergeable_vma`).
    fn mergeable(&self, a: usize, b: usize) -> bool {
        match (self.vmas.get(a), self.vmas.get(b)) {
            (Some(x), Some(y)) => {
                x.end == y.start
                    && x.kind == VmaKind::Anon
                    && y.kind == VmaKind::Anon
                    && !x.shared
                    && !y.shared
                    && x.prot == y.prot
                    && x.may_write == y.may_write
                    && x.may_exec == y.may_exec
                    && x.name == y.name
            }
            _ => false,
        }
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
    pub fn poke(&self, mmu: &mut Mmu, vaddr: u64, data: &[u8]) -> Result<(), Unmapped> {
        let mut i = 0usize;
        while i < data.len() {
            let a = vaddr.wrapping_add(i as u64);
            let e = paging::leaf_entry(&mmu.phys, self.cr3, false, a);
            if e & paging::pte::P == 0 {
                return Err(Unmapped { addr: a });
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
        self.drop_pages(mmu, start, end);
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
                // The piece after the hole maps the file further on.
                let kind = v.kind.skipped(end - v.start);
                out.push(Vma {
                    start: end,
                    kind,
                    ..v
                });
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
            if top < super::layout::MMAP_MIN_ADDR + len {
                return None;
            }
        }
    }

    /// Changes the protection of `[start, end)`, splitting regions and updating present pages.
    /// A present page of a private region whose frame others map too (copy-on-write after
    /// fork, or a page of the page cache) stays read-only: its first store copies it, as
    /// mm/mprotect.c `change_pte_range` makes writable only pages the process has alone.
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
                let mut flags = prot.page_flags();
                let private = self.find(a).is_some_and(|v| !v.shared);
                if private && mmu.phys.frame_owners(frame) > 1 {
                    flags.write = false;
                }
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
        // A file region's pages come from the file (the kernel's `file_fault`), never zero
        // pages.
        if matches!(v.kind, VmaKind::File { .. }) {
            return Ok(false);
        }
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

impl AddressSpace {
    /// Moves the pages of `[from, from + len)` to `[to, to + len)` with their frames (no copy),
    /// as mm/mremap.c `move_page_tables` does; the region list is the caller's.
    pub fn move_pages(
        &mut self,
        mmu: &mut Mmu,
        from: u64,
        to: u64,
        len: u64,
    ) -> Result<(), OutOfMemory> {
        let mut off = 0;
        while off < len {
            let e = paging::unmap_page(&mut mmu.phys, self.cr3, false, from + off);
            if e & paging::pte::P != 0 {
                mmu.invlpg(from + off);
                let frame = (e & paging::pte::ADDR) / PAGE_SIZE;
                let flags = paging::PageFlags {
                    write: e & paging::pte::RW != 0,
                    user: e & paging::pte::US != 0,
                    exec: e & paging::pte::NX == 0,
                };
                paging::map_page(&mut mmu.phys, self.cr3, false, to + off, frame, flags)?;
                mmu.invlpg(to + off);
            }
            off += PAGE_SIZE;
        }
        Ok(())
    }

    /// Drops the frames of `[start, end)` (the regions stay): the next touch finds a zero page,
    /// or in a file region the page cache's page (madvise MADV_DONTNEED, mm/madvise.c).
    pub fn drop_pages(&mut self, mmu: &mut Mmu, start: u64, end: u64) {
        let mut a = start;
        while a < end {
            let old = paging::unmap_page(&mut mmu.phys, self.cr3, false, a);
            if old & paging::pte::P != 0 {
                mmu.phys.free_frame((old & paging::pte::ADDR) / PAGE_SIZE);
                mmu.invlpg(a);
            }
            a += PAGE_SIZE;
        }
    }
}

/// mmap's flags (include/uapi/asm-generic/mman-common.h, x86-64 values).
mod mflags {
    pub const MAP_PRIVATE: u64 = 0x02;
    pub const MAP_FIXED: u64 = 0x10;
    pub const MAP_ANONYMOUS: u64 = 0x20;
    pub const MAP_FIXED_NOREPLACE: u64 = 0x10_0000;
}

impl super::Linux {
    /// mmap (9), mm/mmap.c `do_mmap`: anonymous memory (zero pages on first touch; shared
    /// anonymous pages made at once, so a fork child maps the same frames) and file mappings.
    /// The pages of a file mapping are read on first touch (the rest of the last one reads
    /// as zeros); touching a page wholly past the end of the file raises SIGBUS
    /// (`file_fault`), and a kernel copy to or from it fails with EFAULT.
    /// Both kinds map the file's pages in the page cache ([`super::pagecache`]): MAP_SHARED
    /// pages are shared with every other shared mapping of the file and written back to it
    /// (a writable one needs a descriptor open for reading and writing, EACCES); MAP_PRIVATE
    /// pages are shared read-only until the process writes one, which gets a copy of its
    /// own (`mmap_file`).
    pub(super) fn mmap(
        &mut self,
        addr: u64,
        len: u64,
        prot: u64,
        flags: u64,
        fd: u64,
        off: u64,
    ) -> i64 {
        use super::errno::Errno;
        use super::fs::FileKind;
        use super::syscalls::MAX_MMAP;
        use mflags::*;
        let shared = match flags & 3 {
            0 => return Errno::Einval.ret(),
            MAP_PRIVATE => false,
            _ => true,
        };
        if len == 0 {
            return Errno::Einval.ret();
        }
        if len > MAX_MMAP {
            return Errno::Enomem.ret();
        }
        let len = page_up(len);
        let mut may_write = true;
        let mut may_exec = true;
        let file = if flags & MAP_ANONYMOUS == 0 {
            if !off.is_multiple_of(PAGE_SIZE) || off.checked_add(len).is_none() {
                return Errno::Einval.ret();
            }
            let Some(d) = self.fds.get(fd) else {
                return Errno::Ebadf.ret();
            };
            let Some(f) = self.files.get(d.file).cloned() else {
                return Errno::Ebadf.ret();
            };
            let FileKind::File { ino } = f.kind else {
                return Errno::Enodev.ret();
            };
            // The file must be open for reading (and for writing for a shared writable map).
            if f.flags & 3 == 1 || f.flags & 0o10000000 != 0 {
                return Errno::Eacces.ret();
            }
            if shared && prot & 2 != 0 && f.flags & 3 != 2 {
                return Errno::Eacces.ret();
            }
            may_write = !shared || f.flags & 3 == 2;
            // path_noexec: PROT_EXEC is refused (EPERM), and the mapping may never become
            // executable (VM_MAYEXEC cleared).
            if self
                .fs
                .node_path(ino)
                .is_some_and(|p| self.fs.noexec_mount(&p))
            {
                if prot & 4 != 0 {
                    return Errno::Eperm.ret();
                }
                may_exec = false;
            }
            Some(ino)
        } else {
            None
        };
        let start = if flags & (MAP_FIXED | MAP_FIXED_NOREPLACE) != 0 {
            if !addr.is_multiple_of(PAGE_SIZE)
                || addr < super::layout::MMAP_MIN_ADDR
                || addr.checked_add(len).is_none_or(|e| e > STACK_TOP)
            {
                return if addr.is_multiple_of(PAGE_SIZE) && addr < super::layout::MMAP_MIN_ADDR {
                    Errno::Eperm.ret()
                } else {
                    Errno::Einval.ret()
                };
            }
            if flags & MAP_FIXED_NOREPLACE != 0 && !self.mm.is_free(addr, addr + len) {
                return Errno::Eexist.ret();
            }
            addr
        } else {
            // A hint is taken when the range is free (mm/mmap.c get_unmapped_area).
            let hint = addr & !(PAGE_SIZE - 1);
            if hint >= super::layout::MMAP_MIN_ADDR
                && hint.checked_add(len).is_some_and(|e| e <= MMAP_BASE)
                && self.mm.is_free(hint, hint + len)
            {
                hint
            } else {
                match self.mm.find_free_topdown(len, MMAP_BASE) {
                    Some(s) => s,
                    None => return Errno::Enomem.ret(),
                }
            }
        };
        // A device is mapped as anonymous memory: zeros, private or shared between the
        // processes that map it, what /dev/zero gives (mm/mmap.c: `shmem_zero_setup` for a
        // shared one). Linux refuses other devices (ENODEV); here they read as zeros too.
        let file = file.filter(|&ino| {
            self.fs.fstat(ino, (0, 0)).is_ok_and(|st| {
                st.mode & super::fs::vfs::ftype::S_IFMT == super::fs::vfs::ftype::S_IFREG
            })
        });
        if let Some(ino) = file {
            // The page cache's own hold on the file; the pages come through it.
            let slot = match self.cache_slot(ino) {
                Ok(s) => s,
                Err(e) => return e.ret(),
            };
            self.cache_writeback(slot, 0, u64::MAX);
            let size = self.cached_size(slot);
            let file_bytes = size.saturating_sub(off).min(len);
            // /proc/PID/maps names the region by the file's absolute path (d_path).
            let name = self
                .fs
                .node_path(ino)
                .map(|p| String::from_utf8_lossy(&p).into_owned())
                .unwrap_or_default();
            let region = Vma {
                shared,
                may_write,
                may_exec,
                name,
                ..Vma::new(
                    start,
                    start + len,
                    Prot::from_bits(prot),
                    VmaKind::File {
                        file: slot,
                        offset: off,
                        file_bytes,
                    },
                )
            };
            return self.mmap_file(region, flags & MAP_FIXED != 0);
        }
        if flags & MAP_FIXED != 0 {
            self.mm.unmap(&mut self.m.mmu, start, start + len);
        }
        let p = Prot::from_bits(prot);
        self.mm.add(Vma {
            shared,
            ..Vma::new(start, start + len, p, VmaKind::Anon)
        });
        if shared {
            let mut a = start;
            while a < start + len {
                if self.mm.map_now(&mut self.m.mmu, a, p).is_err() {
                    self.mm.unmap(&mut self.m.mmu, start, start + len);
                    return Errno::Enomem.ret();
                }
                a += PAGE_SIZE;
            }
        }
        start as i64
    }

    /// The file mapping of [`Self::mmap`], `region` (its kind names the page-cache slot):
    /// only the region is made; each page is read through the page cache when the process,
    /// or the kernel on its behalf (read(2) into it, write(2) from it), first touches it
    /// (mm/filemap.c `filemap_fault`, [`Self::file_fault`]). A shared region maps the cache's
    /// frames with its protection; a private one maps them read-only, so that until the
    /// process writes a page it sees what write(2) puts in the file, and its first store
    /// copies the page (mm/memory.c `do_cow_fault`, `wp_page_copy`): from then on the page
    /// is its own.
    fn mmap_file(&mut self, region: Vma, fixed: bool) -> i64 {
        let (start, end) = (region.start, region.end);
        let VmaKind::File { file: slot, .. } = region.kind else {
            return super::errno::Errno::Einval.ret();
        };
        if fixed {
            self.mm.unmap(&mut self.m.mmu, start, end);
        }
        if region.shared && region.prot.write {
            self.cache_mark_writable(slot);
        }
        self.mm.add(region);
        start as i64
    }

    /// munmap (11).
    pub(super) fn munmap(&mut self, addr: u64, len: u64) -> i64 {
        let end = addr.saturating_add(page_up(len));
        if !addr.is_multiple_of(PAGE_SIZE) || len == 0 || end > STACK_TOP {
            return super::errno::Errno::Einval.ret();
        }
        self.mm.unmap(&mut self.m.mmu, addr, end);
        0
    }

    /// mprotect (10), mm/mprotect.c `do_mprotect_pkey`: the regions of the range change in
    /// order; a hole stops it with ENOMEM and a region that may not become writable
    /// ([`Vma::may_write`]) or executable ([`Vma::may_exec`]) with EACCES, the regions
    /// before either keeping their change.
    pub(super) fn mprotect(&mut self, addr: u64, len: u64, prot: u64) -> i64 {
        use super::errno::Errno;
        const PROT_GROWSDOWN: u64 = 0x0100_0000;
        if prot & !(7 | PROT_GROWSDOWN | 0x0200_0000) != 0 {
            return Errno::Einval.ret();
        }
        let end = addr.saturating_add(page_up(len));
        if !addr.is_multiple_of(PAGE_SIZE) || end > STACK_TOP {
            return Errno::Einval.ret();
        }
        let want = Prot::from_bits(prot);
        let mut a = addr;
        while a < end {
            let Some((v_end, may_write, may_exec)) =
                self.mm.find(a).map(|v| (v.end, v.may_write, v.may_exec))
            else {
                return Errno::Enomem.ret();
            };
            // `(newflags & ~(newflags >> 4)) & VM_ACCESS_FLAGS`: asked for what it may not be.
            if want.write && !may_write || want.exec && !may_exec {
                return Errno::Eacces.ret();
            }
            let to = v_end.min(end);
            self.mm.protect(&mut self.m.mmu, a, to, want);
            if let Some(VmaKind::File { file, .. }) = self
                .mm
                .find(a)
                .filter(|v| v.shared && want.write)
                .map(|v| v.kind)
            {
                self.cache_mark_writable(file);
            }
            a = to;
        }
        0
    }

    /// mremap (25), mm/mremap.c: shrinks in place; grows in place when the pages after the
    /// region are free, else moves it (MREMAP_MAYMOVE) with its frames; MREMAP_FIXED moves
    /// it to `new_addr`. The old range must lie in one region; a file region does not grow.
    pub(super) fn mremap(
        &mut self,
        old: u64,
        old_len: u64,
        new_len: u64,
        flags: u64,
        new_addr: u64,
    ) -> i64 {
        use super::errno::Errno;
        use super::syscalls::MAX_MMAP;
        const MREMAP_MAYMOVE: u64 = 1;
        const MREMAP_FIXED: u64 = 2;
        if flags & !(MREMAP_MAYMOVE | MREMAP_FIXED) != 0
            || !old.is_multiple_of(PAGE_SIZE)
            || (flags & MREMAP_FIXED != 0 && flags & MREMAP_MAYMOVE == 0)
        {
            return Errno::Einval.ret();
        }
        let old_len = page_up(old_len);
        let new_len = page_up(new_len);
        if new_len == 0 || new_len > MAX_MMAP || old_len == 0 {
            return Errno::Einval.ret();
        }
        let Some(v) = self.mm.find(old).cloned() else {
            return Errno::Efault.ret();
        };
        let Some(old_end) = old.checked_add(old_len).filter(|&e| e <= v.end) else {
            return Errno::Efault.ret();
        };
        if flags & MREMAP_FIXED == 0 {
            if new_len <= old_len {
                self.mm.unmap(&mut self.m.mmu, old + new_len, old_end);
                return old as i64;
            }
            let grow_end = old + new_len;
            let growable = matches!(v.kind, VmaKind::Anon | VmaKind::Brk) && v.end == old_end;
            if growable && grow_end <= MMAP_BASE.max(v.end) && self.mm.is_free(old_end, grow_end) {
                if let Some(r) = self
                    .mm
                    .vmas
                    .iter_mut()
                    .find(|r| r.start == v.start && r.end == old_end)
                {
                    r.end = grow_end;
                }
                if v.shared {
                    let mut a = old_end;
                    while a < grow_end {
                        if self.mm.map_now(&mut self.m.mmu, a, v.prot).is_err() {
                            return Errno::Enomem.ret();
                        }
                        a += PAGE_SIZE;
                    }
                }
                return old as i64;
            }
            if flags & MREMAP_MAYMOVE == 0 {
                return Errno::Enomem.ret();
            }
        }
        if !matches!(v.kind, VmaKind::Anon | VmaKind::Brk) && new_len > old_len {
            return Errno::Enomem.ret();
        }
        let dest = if flags & MREMAP_FIXED != 0 {
            if !new_addr.is_multiple_of(PAGE_SIZE)
                || new_addr < super::layout::MMAP_MIN_ADDR
                || new_addr.checked_add(new_len).is_none_or(|e| e > STACK_TOP)
                || (new_addr < old_end && old < new_addr + new_len)
            {
                return Errno::Einval.ret();
            }
            self.mm.unmap(&mut self.m.mmu, new_addr, new_addr + new_len);
            new_addr
        } else {
            match self.mm.find_free_topdown(new_len, MMAP_BASE) {
                Some(s) => s,
                None => return Errno::Enomem.ret(),
            }
        };
        let keep = old_len.min(new_len);
        if self
            .mm
            .move_pages(&mut self.m.mmu, old, dest, keep)
            .is_err()
        {
            return Errno::Enomem.ret();
        }
        self.mm.unmap(&mut self.m.mmu, old, old_end);
        let kind = match v.kind.skipped(old - v.start) {
            VmaKind::Brk | VmaKind::Anon => VmaKind::Anon,
            k => k,
        };
        self.mm.add(Vma {
            shared: v.shared,
            may_write: v.may_write,
            may_exec: v.may_exec,
            // A heap moved away from brk is anonymous memory with no name.
            name: if v.kind == VmaKind::Brk {
                String::new()
            } else {
                v.name.clone()
            },
            ..Vma::new(dest, dest + new_len, v.prot, kind)
        });
        if v.shared {
            let mut a = dest + keep;
            while a < dest + new_len {
                if self.mm.map_now(&mut self.m.mmu, a, v.prot).is_err() {
                    return Errno::Enomem.ret();
                }
                a += PAGE_SIZE;
            }
        }
        dest as i64
    }

    /// madvise (28), mm/madvise.c, walking the regions of the range in order
    /// (`madvise_walk_vmas`): a hole is ENOMEM at the end, after the regions around it
    /// took the advice; a region that refuses it stops the walk.
    /// - MADV_DONTNEED (4) zaps the pages of private regions (`zap_page_range_single`): an
    ///   anonymous page reads as zeros afterwards, a file page as the file holds it now (the
    ///   process's own copy is gone; [`Self::file_fault`] maps the page cache's page again).
    ///   A shared region keeps its pages: on Linux they come back from the page cache or the
    ///   shared object unchanged, and here they are that object. Not modelled: the program's
    ///   own PT_LOAD pages ([`VmaKind::Elf`], loaded once at exec, not through the page
    ///   cache) keep their contents where Linux would read the file again.
    /// - MADV_FREE (8) is for private anonymous memory (`madvise_free_single_vma`: EINVAL
    ///   elsewhere); its pages may be reclaimed, which here they are at once.
    /// - Any other advice is accepted and changes nothing.
    pub(super) fn madvise(&mut self, addr: u64, len: u64, advice: u64) -> i64 {
        use super::errno::Errno;
        const MADV_DONTNEED: u64 = 4;
        const MADV_FREE: u64 = 8;
        if !addr.is_multiple_of(PAGE_SIZE) || advice > 103 {
            return Errno::Einval.ret();
        }
        let end = addr.saturating_add(page_up(len));
        if end > STACK_TOP {
            return Errno::Einval.ret();
        }
        let mut a = addr;
        let mut hole = false;
        while a < end {
            let Some(v) = self.mm.vmas.iter().find(|v| v.end > a) else {
                return Errno::Enomem.ret();
            };
            if v.start > a {
                hole = true;
                a = v.start;
                if a >= end {
                    break;
                }
            }
            let to = v.end.min(end);
            let anon = matches!(v.kind, VmaKind::Anon | VmaKind::Brk | VmaKind::Stack);
            let file = matches!(v.kind, VmaKind::File { .. });
            match advice {
                MADV_FREE if v.shared || !anon => return Errno::Einval.ret(),
                MADV_DONTNEED | MADV_FREE if !v.shared && (anon || file) => {
                    self.mm.drop_pages(&mut self.m.mmu, a, to);
                }
                _ => {}
            }
            a = to;
        }
        if hole {
            Errno::Enomem.ret()
        } else {
            0
        }
    }
}

impl super::Linux {
    /// sysinfo (99), kernel/sys.c `do_sysinfo`: the simulated clock's uptime, the simulated
    /// physical memory (total = its limit, free = what no frame holds yet), no swap, the
    /// number of processes, mem_unit 1.
    pub(super) fn sysinfo(&mut self, buf: u64) -> i64 {
        let total = self.m.mmu.phys.limit();
        let used = self.m.mmu.phys.allocated_frames() * PAGE_SIZE;
        let mut b = [0u8; 112];
        let mut put = |at: usize, v: &[u8]| {
            if let Some(d) = b.get_mut(at..at + v.len()) {
                d.copy_from_slice(v);
            }
        };
        put(0, &(self.now_ns() / 1_000_000_000).to_le_bytes());
        put(32, &total.to_le_bytes());
        put(40, &total.saturating_sub(used).to_le_bytes());
        put(80, &(self.procs.len() as u16).to_le_bytes());
        put(104, &1u32.to_le_bytes());
        match self.copy_out(buf, &b) {
            Ok(()) => 0,
            Err(e) => e,
        }
    }
}
