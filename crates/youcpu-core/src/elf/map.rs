//! Where the `PT_LOAD` segments land, page by page: the memory-map picture of a file.
//!
//! fs/binfmt_elf.c `elf_load` / `elf_map`: each `PT_LOAD` is mmapped from the page holding
//! `p_vaddr`, at the file offset rounded down the same way (`ELF_PAGESTART`, `ELF_PAGEOFFSET`),
//! up to the page holding its last file byte. If `p_memsz > p_filesz` the rest of that last file
//! page is zeroed (`padzero`) and whole pages after it, up to `p_vaddr + p_memsz` rounded up, are
//! anonymous zero pages: the BSS. Addresses are as written in the file; a `DYN` file is moved by
//! its load bias when it is loaded.

use super::parse::ElfFile;
use serde::Serialize;

/// One `PT_LOAD` segment as pages.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MapRegion {
    /// Which program header.
    pub segment: usize,
    /// First mapped address: `p_vaddr` rounded down to a page.
    pub start: u64,
    /// End of the pages mapped from the file (`start` when `p_filesz` is 0).
    pub file_end: u64,
    /// End of the whole region: `p_vaddr + p_memsz` rounded up to a page.
    pub end: u64,
    /// File offset mapped at `start`: `p_offset` rounded down to a page.
    pub file_offset: u64,
    /// `p_vaddr + p_filesz`: from here to `file_end` the kernel zeroes the file page.
    pub zero_from: u64,
    /// Permissions, "r-x" style.
    pub flags_text: String,
    /// Whether `p_offset` and `p_vaddr` agree modulo the page size, which mmap needs
    /// (the kernel refuses the file otherwise).
    pub aligned: bool,
}

/// The regions of every `PT_LOAD`, in program header order, for pages of `page` bytes (a power
/// of two; 4096 on x86-64). Returns `None` if `page` is not a power of two.
pub fn memory_map(elf: &ElfFile, page: u64) -> Option<Vec<MapRegion>> {
    if !page.is_power_of_two() {
        return None;
    }
    let down = |v: u64| v & !(page - 1);
    // The parse checked vaddr + memsz <= 2^64, so only the last page can overflow; saturate.
    let up = |v: u64| v.checked_add(page - 1).map_or(u64::MAX, down);
    let regions = elf
        .segments
        .iter()
        .filter(|s| s.is_load())
        .map(|s| {
            let (vaddr, filesz, memsz) = (s.vaddr.value, s.filesz.value, s.memsz.value);
            let start = down(vaddr);
            let zero_from = vaddr.saturating_add(filesz);
            let file_end = if filesz == 0 { start } else { up(zero_from) };
            MapRegion {
                segment: s.index,
                start,
                file_end,
                end: up(vaddr.saturating_add(memsz.max(filesz))).max(file_end),
                file_offset: down(s.offset.value),
                zero_from,
                flags_text: s.flags_text.clone(),
                aligned: s.offset.value % page == vaddr % page,
            }
        })
        .collect();
    Some(regions)
}
