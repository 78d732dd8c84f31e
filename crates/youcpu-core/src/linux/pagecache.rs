//! The page cache behind file mappings (mm/filemap.c): one frame per page of a file that a
//! mapping has mapped, shared by every mapping of that file in every process (and by a fork
//! child), so a store through one shared mapping is seen through the others at once, as on
//! Linux. A MAP_PRIVATE mapping maps the same frames read-only until the process stores to a
//! page, which then gets a copy of its own (copy-on-write from the cache, mm/memory.c
//! `do_cow_fault` and `wp_page_copy`): an untouched private page shows what write(2) or a
//! shared mapping put in the file since, a written one does not.
//!
//! The file system itself ([`super::fs::vfs::Vfs`]) keeps no pages, so the cache is kept
//! coherent with read(2) and write(2) at the system-call boundary: before the kernel reads,
//! writes or truncates a cached file through a descriptor, the cached pages are written back
//! to it (what `filemap_write_and_wait_range` would do), and after a write(2) the pages it
//! covered are read again (on Linux write(2) goes through these very pages). msync writes
//! back a range; when no mapping of a file is left (munmap, exit, execve) its pages are
//! written back and dropped. Only the bytes below the end of the file are written: the
//! rest of the last page reads as zeros and never reaches the file (mm/filemap.c, and
//! `filemap_fault` raises SIGBUS for a page wholly past the end, `Linux::file_fault`). Only
//! a file that a shared writable mapping has mapped is ever written back (no other mapping
//! can change its pages): Linux writes back dirty pages only.
//!
//! Not modelled: the writeback of a mapping still alive when the simulation stops early (at
//! `--max-steps`) does not happen; pages are never evicted while a mapping of the file
//! lives.

use super::errno::Errno;
use super::mm::{Prot, VmaKind};
use super::Linux;
use crate::cpu::bus::Bus;
use crate::mmu::paging::{self, pte};
use crate::mmu::phys::PAGE_SIZE;
use std::collections::BTreeMap;

/// One cached file.
#[derive(Clone, Debug)]
pub struct CachedFile {
    /// The file's identity: (st_dev, st_ino).
    pub key: (u64, u64),
    /// The cache's own hold on the open file (the `vm_file` a mapping keeps: it outlives the
    /// descriptor the mapping was made from).
    pub node: usize,
    /// Page index in the file -> frame. The cache holds one reference to each frame; every
    /// page-table entry that maps it holds another.
    pub pages: BTreeMap<u64, u64>,
    /// A shared writable mapping has mapped it (its pages may be dirty; only such a file is
    /// written back).
    pub writable: bool,
}

/// A shared region of a cached file in some address space: start, end, file offset.
type Region = (u64, u64, u64);

/// The cached files, by slot; a MAP_SHARED file region names its slot in
/// [`VmaKind::File`]'s `file`.
#[derive(Clone, Debug, Default)]
pub struct PageCache {
    /// Slots (None: free).
    pub files: Vec<Option<CachedFile>>,
}

impl PageCache {
    /// True when no file is cached (the common case: nothing to keep coherent).
    pub fn is_empty(&self) -> bool {
        self.files.iter().all(Option::is_none)
    }

    /// The slot of the file with identity `key`.
    pub fn slot_of(&self, key: (u64, u64)) -> Option<usize> {
        self.files
            .iter()
            .position(|f| f.as_ref().is_some_and(|f| f.key == key))
    }

    /// Frames the cache holds.
    pub fn frames(&self) -> usize {
        self.files.iter().flatten().map(|f| f.pages.len()).sum()
    }
}

impl Linux {
    /// The identity of an open file node.
    fn file_key(&mut self, node: usize) -> Option<(u64, u64)> {
        self.fs.fstat(node, (0, 0)).ok().map(|s| (s.dev, s.ino))
    }

    /// The cache slot of the file open as `node`, made (with a hold of its own on the file)
    /// when the file is not cached yet.
    pub(super) fn cache_slot(&mut self, node: usize) -> Result<usize, Errno> {
        let key = self.file_key(node).ok_or(Errno::Ebadf)?;
        if let Some(s) = self.page_cache.slot_of(key) {
            return Ok(s);
        }
        let held = self.fs.hold(node)?;
        let entry = CachedFile {
            key,
            node: held,
            pages: BTreeMap::new(),
            writable: false,
        };
        let files = &mut self.page_cache.files;
        Ok(match files.iter().position(Option::is_none) {
            Some(i) => {
                files[i] = Some(entry);
                i
            }
            None => {
                files.push(Some(entry));
                files.len() - 1
            }
        })
    }

    /// A shared mapping of the file in `slot` may store to its pages: they are written back
    /// from now on.
    pub(super) fn cache_mark_writable(&mut self, slot: usize) {
        if let Some(Some(f)) = self.page_cache.files.get_mut(slot) {
            f.writable = true;
        }
    }

    /// The open file node of the cached file in `slot` (what a file region maps).
    pub fn cached_node(&self, slot: usize) -> Option<usize> {
        self.page_cache
            .files
            .get(slot)
            .and_then(Option::as_ref)
            .map(|f| f.node)
    }

    /// The size of the cached file in `slot` now.
    pub(super) fn cached_size(&mut self, slot: usize) -> u64 {
        match self.page_cache.files.get(slot).and_then(Option::as_ref) {
            Some(f) => {
                let node = f.node;
                self.fs.size(node)
            }
            None => 0,
        }
    }

    /// The frame of page `index` of the cached file in `slot`, read from the file on a miss
    /// (`filemap_fault` -> `filemap_read_folio`); the bytes past the end of the file read as
    /// zeros.
    pub(super) fn cache_page(&mut self, slot: usize, index: u64) -> Result<u64, Errno> {
        let Some(f) = self.page_cache.files.get(slot).and_then(Option::as_ref) else {
            return Err(Errno::Ebadf);
        };
        if let Some(&frame) = f.pages.get(&index) {
            return Ok(frame);
        }
        let node = f.node;
        let data = self.fs.read(node, index * PAGE_SIZE, PAGE_SIZE as usize)?;
        let frame = self.m.mmu.phys.alloc_frame().map_err(|_| Errno::Enomem)?;
        self.m.mmu.phys.write(frame * PAGE_SIZE, &data);
        if let Some(Some(f)) = self.page_cache.files.get_mut(slot) {
            f.pages.insert(index, frame);
        }
        Ok(frame)
    }

    /// Maps page `page` of the running process to page `index` of the cached file in `slot`
    /// (one more reference to the frame), or with `copy` to a copy of it, the process's own
    /// from now on (a store to a private file page not present, `do_cow_fault`).
    pub(super) fn map_cache_page(
        &mut self,
        (slot, index): (usize, u64),
        page: u64,
        prot: Prot,
        copy: bool,
    ) -> Result<(), Errno> {
        let cached = self.cache_page(slot, index)?;
        let frame = if copy {
            let data = self.m.mmu.phys.frame(cached).copied();
            let f = self.m.mmu.phys.alloc_frame().map_err(|_| Errno::Enomem)?;
            if let Some(d) = data {
                self.m.mmu.phys.write(f * PAGE_SIZE, &d);
            }
            f
        } else {
            self.m.mmu.phys.share_frame(cached);
            cached
        };
        let old = self
            .mm
            .set_page(&mut self.m.mmu, page, frame, prot)
            .map_err(|_| Errno::Enomem)?;
        if old & pte::P != 0 {
            self.m.mmu.phys.free_frame((old & pte::ADDR) / PAGE_SIZE);
        }
        Ok(())
    }

    /// Writes the cached pages of `slot` in page range `[first, last)` back to the file, only
    /// the bytes below its end (`filemap_write_and_wait_range`).
    pub(super) fn cache_writeback(&mut self, slot: usize, first: u64, last: u64) {
        let Some(f) = self
            .page_cache
            .files
            .get(slot)
            .and_then(Option::as_ref)
            .filter(|f| f.writable)
        else {
            return;
        };
        let node = f.node;
        let pages: Vec<(u64, u64)> = f.pages.range(first..last).map(|(&i, &p)| (i, p)).collect();
        let size = self.fs.size(node);
        for (index, frame) in pages {
            let off = index * PAGE_SIZE;
            if off >= size {
                break;
            }
            let n = (size - off).min(PAGE_SIZE) as usize;
            let Some(bytes) = self.m.mmu.phys.frame(frame).map(|b| b[..n].to_vec()) else {
                continue;
            };
            let _ = self.fs.write(node, off, &bytes);
        }
    }

    /// Before the kernel reads, writes or truncates the file open as `node` through a
    /// descriptor: its cached pages go back to the file. Returns the slot when it is cached.
    pub(super) fn cache_sync_node(&mut self, node: usize) -> Option<usize> {
        if self.page_cache.is_empty() {
            return None;
        }
        let key = self.file_key(node)?;
        let slot = self.page_cache.slot_of(key)?;
        self.cache_writeback(slot, 0, u64::MAX);
        Some(slot)
    }

    /// After write(2) put `len` bytes at `pos` into a cached file: the cached pages it covered
    /// are read again from the file.
    pub(super) fn cache_refresh(&mut self, slot: usize, pos: u64, len: u64) {
        let Some(f) = self.page_cache.files.get(slot).and_then(Option::as_ref) else {
            return;
        };
        let node = f.node;
        let first = pos / PAGE_SIZE;
        let last = pos.saturating_add(len).div_ceil(PAGE_SIZE);
        let pages: Vec<(u64, u64)> = f.pages.range(first..last).map(|(&i, &p)| (i, p)).collect();
        for (index, frame) in pages {
            if let Ok(data) = self.fs.read(node, index * PAGE_SIZE, PAGE_SIZE as usize) {
                let mut page = [0u8; PAGE_SIZE as usize];
                page[..data.len()].copy_from_slice(&data);
                self.m.mmu.phys.write(frame * PAGE_SIZE, &page);
            }
        }
    }

    /// After ftruncate set a cached file's size to `len` (mm/truncate.c
    /// `truncate_pagecache`): pages wholly past the new end are unmapped from every process
    /// and dropped (a later touch raises SIGBUS), and the rest of the new last page reads as
    /// zeros.
    pub(super) fn cache_truncated(&mut self, slot: usize, len: u64) {
        let Some(f) = self.page_cache.files.get_mut(slot).and_then(Option::as_mut) else {
            return;
        };
        let keep = len.div_ceil(PAGE_SIZE);
        let gone: Vec<u64> = f.pages.range(keep..).map(|(&i, _)| i).collect();
        let mut dropped = Vec::new();
        for i in gone {
            if let Some(frame) = f.pages.remove(&i) {
                dropped.push((i, frame));
            }
        }
        if !len.is_multiple_of(PAGE_SIZE) {
            if let Some(&frame) = f.pages.get(&(len / PAGE_SIZE)) {
                let from = (len % PAGE_SIZE) as usize;
                let zeros = vec![0u8; PAGE_SIZE as usize - from];
                self.m
                    .mmu
                    .phys
                    .write(frame * PAGE_SIZE + from as u64, &zeros);
            }
        }
        // unmap_mapping_range(mapping, holebegin, 0, even_cows = 1): every page-table entry
        // of a region of this file for a page wholly past the new end, in every address
        // space: the cache's pages, and the copies private regions made of them.
        let cr3s: Vec<(u64, Vec<Region>)> = std::iter::once(&self.mm)
            .chain(
                self.procs
                    .values()
                    .filter_map(|p| p.ctx.as_ref())
                    .map(|c| &c.mm),
            )
            .filter(|mm| mm.cr3 != 0)
            .map(|mm| {
                let regions = mm
                    .vmas
                    .iter()
                    .filter_map(|v| match v.kind {
                        VmaKind::File { file, offset, .. } if file == slot => {
                            Some((v.start, v.end, offset))
                        }
                        _ => None,
                    })
                    .collect();
                (mm.cr3, regions)
            })
            .collect();
        for (cr3, regions) in cr3s {
            for (start, end, offset) in regions {
                // The first page of the region at or past page `keep` of the file.
                let first = (keep * PAGE_SIZE)
                    .saturating_sub(offset)
                    .saturating_add(start)
                    .max(start);
                let mut va = first;
                while va < end {
                    let old = paging::unmap_page(&mut self.m.mmu.phys, cr3, false, va);
                    if old & pte::P != 0 {
                        self.m.mmu.phys.free_frame((old & pte::ADDR) / PAGE_SIZE);
                        self.m.mmu.invlpg(va);
                    }
                    va += PAGE_SIZE;
                }
            }
        }
        for (_, frame) in dropped {
            self.m.mmu.phys.free_frame(frame);
        }
    }

    /// Files no region maps any more, in any process, are written back and dropped
    /// (the last `fput` of a mapping's file after `unmap_region`).
    pub(super) fn cache_release_unmapped(&mut self) {
        let mut used = vec![false; self.page_cache.files.len()];
        let mms = std::iter::once(&self.mm).chain(
            self.procs
                .values()
                .filter_map(|p| p.ctx.as_ref())
                .map(|c| &c.mm),
        );
        for mm in mms {
            for v in &mm.vmas {
                if let VmaKind::File { file, .. } = v.kind {
                    if let Some(u) = used.get_mut(file) {
                        *u = true;
                    }
                }
            }
        }
        for (slot, used) in used.into_iter().enumerate() {
            if used || self.page_cache.files[slot].is_none() {
                continue;
            }
            self.cache_writeback(slot, 0, u64::MAX);
            if let Some(f) = self.page_cache.files[slot].take() {
                for frame in f.pages.into_values() {
                    self.m.mmu.phys.free_frame(frame);
                }
                self.fs.close(f.node);
            }
        }
    }

    /// msync (26), mm/msync.c: the shared file pages of `[addr, addr + len)` go back to their
    /// files. EINVAL for an unaligned address or unknown flags (MS_ASYNC 1, MS_INVALIDATE 2,
    /// MS_SYNC 4; MS_ASYNC with MS_SYNC), ENOMEM when part of the range is not mapped.
    pub(super) fn msync(&mut self, addr: u64, len: u64, flags: u64) -> i64 {
        if !addr.is_multiple_of(PAGE_SIZE) || flags & !7 != 0 || flags & 5 == 5 {
            return Errno::Einval.ret();
        }
        let end = addr.saturating_add(super::mm::page_up(len));
        let mut ranges = Vec::new();
        let mut a = addr;
        let mut unmapped = false;
        while a < end {
            match self.mm.vmas.iter().find(|v| v.end > a) {
                Some(v) => {
                    if v.start > a {
                        unmapped = true;
                    }
                    if v.start >= end {
                        break;
                    }
                    if let (true, VmaKind::File { file, offset, .. }) = (v.shared, v.kind) {
                        let from = a.max(v.start);
                        let to = end.min(v.end);
                        let first = (offset + (from - v.start)) / PAGE_SIZE;
                        let last = (offset + (to - v.start)).div_ceil(PAGE_SIZE);
                        ranges.push((file, first, last));
                    }
                    a = v.end;
                }
                None => {
                    unmapped = true;
                    break;
                }
            }
        }
        for (slot, first, last) in ranges {
            self.cache_writeback(slot, first, last);
        }
        if unmapped {
            Errno::Enomem.ret()
        } else {
            0
        }
    }
}

/// What the kernel's `file_fault` made of a fault on a page not present.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FileFault {
    /// Not a page of a file region, or an access the region forbids: the usual handling.
    NotFile,
    /// The page was mapped from the page cache: the instruction restarts.
    Mapped,
    /// The page lies wholly past the end of the file: SIGBUS with BUS_ADRERR.
    PastEof,
    /// No frame for the page.
    OutOfMemory,
}

impl Linux {
    /// A fault on a page not present in a file region (mm/filemap.c `filemap_fault`): the
    /// page comes from the page cache while the file reaches it now, and a page wholly past
    /// the end of the file raises SIGBUS. A shared region maps the cache's page; a private
    /// one maps it read-only, or, for a store, a copy of it at once (`do_cow_fault`). An
    /// access the region does not allow is left to the SIGSEGV path, as `access_error`
    /// comes first in arch/x86/mm/fault.c.
    pub(super) fn file_fault(&mut self, addr: u64, write: bool, fetch: bool) -> FileFault {
        let Some(v) = self.mm.find(addr).cloned() else {
            return FileFault::NotFile;
        };
        let VmaKind::File { file, offset, .. } = v.kind else {
            return FileFault::NotFile;
        };
        let allowed = !v.prot.is_none() && (!write || v.prot.write) && (!fetch || v.prot.exec);
        if !allowed {
            return FileFault::NotFile;
        }
        let page = addr & !(PAGE_SIZE - 1);
        let pos = offset + (page - v.start);
        if pos >= self.cached_size(file) {
            return FileFault::PastEof;
        }
        // A private region maps the cache's page read-only, or a copy for a store.
        let copy = !v.shared && write;
        let prot = Prot {
            write: v.prot.write && (v.shared || copy),
            ..v.prot
        };
        match self.map_cache_page((file, pos / PAGE_SIZE), page, prot, copy) {
            Ok(()) => {
                self.mm.demand_faults += 1;
                FileFault::Mapped
            }
            Err(_) => FileFault::OutOfMemory,
        }
    }
}
