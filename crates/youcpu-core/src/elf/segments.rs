//! Program headers (`Elf32_Phdr` / `Elf64_Phdr`, gABI "Program Header"): the segments.

use super::header::{Class, ElfHeader};
use super::{names, read, ByteRange, ElfError, Field};
use goblin::container::Ctx;
use serde::Serialize;

/// `PT_NULL`: an unused entry, exempt from the range checks.
const PT_NULL: u32 = 0;
/// No machine has a larger virtual address space than 2^57 bytes (x86-64 with 5-level paging).
pub(crate) const MAX_MEMSZ: u64 = 1 << 57;

/// One program header.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Segment {
    /// Position in the program header table, from 0.
    pub index: usize,
    /// The whole program header.
    pub header: ByteRange,
    /// `p_type`.
    pub p_type: Field<u32>,
    /// `p_type` as `readelf -l` prints it: "LOAD", "GNU_STACK", "LOOS+0x1234", ...
    pub type_name: String,
    /// `p_flags`.
    pub flags: Field<u32>,
    /// `p_flags` as "r-x": read, write, execute or '-'.
    pub flags_text: String,
    /// `p_offset`.
    pub offset: Field<u64>,
    /// `p_vaddr`.
    pub vaddr: Field<u64>,
    /// `p_paddr`.
    pub paddr: Field<u64>,
    /// `p_filesz`: bytes taken from the file.
    pub filesz: Field<u64>,
    /// `p_memsz`: bytes in memory; past `p_filesz` they are zero (BSS).
    pub memsz: Field<u64>,
    /// `p_align`.
    pub align: Field<u64>,
    /// The bytes the segment takes from the file (`p_offset .. p_offset + p_filesz`).
    pub contents: ByteRange,
}

impl Segment {
    /// Whether this is a `PT_LOAD` segment, which the kernel maps.
    pub fn is_load(&self) -> bool {
        self.p_type.value == 1
    }
}

/// Field offsets inside one program header: gABI "Program Header". The 64-bit layout moves
/// `p_flags` up front for alignment.
struct Layout {
    flags: u64,
    offset: u64,
    vaddr: u64,
    paddr: u64,
    filesz: u64,
    memsz: u64,
    align: u64,
}

fn layout(class: Class) -> Layout {
    match class {
        Class::Elf32 => Layout {
            offset: 4,
            vaddr: 8,
            paddr: 12,
            filesz: 16,
            memsz: 20,
            flags: 24,
            align: 28,
        },
        Class::Elf64 => Layout {
            flags: 4,
            offset: 8,
            vaddr: 16,
            paddr: 24,
            filesz: 32,
            memsz: 40,
            align: 48,
        },
    }
}

/// Reads `count` program headers (the count already resolved for `PN_XNUM` and capped).
pub(crate) fn parse_segments(
    bytes: &[u8],
    hdr: &ElfHeader,
    ctx: Ctx,
    count: u64,
) -> Result<Vec<Segment>, ElfError> {
    if count == 0 {
        return Ok(Vec::new());
    }
    let class = hdr.class.value;
    if hdr.phentsize.value != class.phdr_size() {
        return Err(ElfError::BadEntrySize {
            what: "program header",
            size: hdr.phentsize.value,
            expected: class.phdr_size(),
        });
    }
    let entsize = u64::from(class.phdr_size());
    let table_len = count.saturating_mul(entsize);
    let table = read::slice(bytes, hdr.phoff.value, table_len, || {
        "the program header table".into()
    })?;
    // The table is in the file, so `count` is at most file size / 32: a bounded allocation.
    let parsed = goblin::elf::ProgramHeader::parse(table, 0, table.len() / entsize as usize, ctx)
        .map_err(|e| ElfError::Goblin(e.to_string()))?;
    let l = layout(class);
    let w = class.word();
    let machine = hdr.machine.value;
    let osabi = hdr.osabi.value;
    let mut out = Vec::with_capacity(parsed.len());
    for (index, p) in parsed.iter().enumerate() {
        let base = hdr.phoff.value + index as u64 * entsize;
        let seg = Segment {
            index,
            header: ByteRange::at(base, entsize),
            p_type: Field::at(p.p_type, base, 0, 4),
            type_name: names::segment_type(p.p_type, machine, osabi),
            flags: Field::at(p.p_flags, base, l.flags, 4),
            flags_text: names::segment_flags(p.p_flags),
            offset: Field::at(p.p_offset, base, l.offset, w),
            vaddr: Field::at(p.p_vaddr, base, l.vaddr, w),
            paddr: Field::at(p.p_paddr, base, l.paddr, w),
            filesz: Field::at(p.p_filesz, base, l.filesz, w),
            memsz: Field::at(p.p_memsz, base, l.memsz, w),
            align: Field::at(p.p_align, base, l.align, w),
            contents: ByteRange::at(p.p_offset, p.p_filesz),
        };
        check_segment(&seg, class, bytes.len() as u64)?;
        out.push(seg);
    }
    Ok(out)
}

/// The checks that keep later steps (and the loader) safe: contents inside the file, memory
/// inside the address space.
fn check_segment(seg: &Segment, class: Class, size: u64) -> Result<(), ElfError> {
    if seg.p_type.value == PT_NULL {
        return Ok(());
    }
    let what = || format!("segment {} ({})", seg.index, seg.type_name);
    let (offset, filesz) = (seg.offset.value, seg.filesz.value);
    if offset.checked_add(filesz).is_none_or(|end| end > size) {
        return Err(ElfError::OutOfFile {
            what: what(),
            offset,
            len: filesz,
            size,
        });
    }
    let (vaddr, memsz) = (seg.vaddr.value, seg.memsz.value);
    if memsz > MAX_MEMSZ {
        return Err(ElfError::TooBigInMemory {
            index: seg.index,
            memsz,
        });
    }
    if u128::from(vaddr) + u128::from(memsz) > class.address_space() {
        return Err(ElfError::AddressWraps {
            what: what(),
            addr: vaddr,
            len: memsz,
            bits: class.bits(),
        });
    }
    Ok(())
}
