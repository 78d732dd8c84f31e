//! The pages one PT_LOAD segment occupies, as `load_elf_binary` maps them (fs/binfmt_elf.c):
//! `elf_map` maps the file pages [PAGESTART(vaddr), PAGEALIGN(vaddr + filesz)) from the file
//! at p_offset - PAGEOFFSET(vaddr), whole pages (bytes past filesz included); the BSS pages
//! after them, up to PAGEALIGN(vaddr + memsz), are anonymous (`vm_brk_flags`). ld.so maps a
//! library's segments the same way (`_dl_map_segments` in elf/dl-map-segments.h).

use super::LoadedSegment;
use crate::linux::mm::page_up;
use crate::mmu::phys::PAGE_SIZE;

/// Where a segment's pages lie.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SegmentPages {
    /// The first page (PAGESTART(vaddr)).
    pub start: u64,
    /// The end of the file-backed pages (`start` when the segment has no file bytes).
    pub file_end: u64,
    /// The end of the segment's pages (PAGEALIGN(vaddr + memsz)).
    pub end: u64,
    /// The file offset mapped at `start` (p_offset - PAGEOFFSET(vaddr)).
    pub file_offset: u64,
}

impl SegmentPages {
    /// The pages of a segment at `vaddr` with `filesz` bytes from the file at `offset` and
    /// `memsz` bytes in memory. Values past the address space saturate rather than wrap.
    pub fn of(vaddr: u64, filesz: u64, memsz: u64, offset: u64) -> SegmentPages {
        let start = vaddr & !(PAGE_SIZE - 1);
        let file_end = if filesz > 0 {
            page_up(vaddr.saturating_add(filesz))
        } else {
            start
        };
        SegmentPages {
            start,
            file_end,
            end: page_up(vaddr.saturating_add(memsz)),
            file_offset: offset.saturating_sub(vaddr - start),
        }
    }

    /// Whether anonymous BSS pages follow the file pages.
    pub fn has_bss(&self) -> bool {
        self.end > self.file_end
    }
}

impl LoadedSegment {
    /// The pages this segment occupies.
    pub fn pages(&self) -> SegmentPages {
        SegmentPages::of(self.vaddr, self.filesz, self.memsz, self.offset)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_pages_then_bss_pages() {
        // musl's static hello data segment shape: file data ends mid-page, BSS runs on.
        let p = SegmentPages::of(0x40_1f30, 0x1d0, 0x2800, 0x0f30);
        assert_eq!(p.start, 0x40_1000);
        assert_eq!(p.file_end, 0x40_3000);
        assert_eq!(p.end, 0x40_5000);
        assert_eq!(p.file_offset, 0);
        assert!(p.has_bss());
        // No file bytes: all BSS.
        let p = SegmentPages::of(0x60_0010, 0, 0x10, 0x10);
        assert_eq!(
            (p.start, p.file_end, p.end),
            (0x60_0000, 0x60_0000, 0x60_1000)
        );
    }
}
