//! Section headers (`Elf32_Shdr` / `Elf64_Shdr`, gABI "Sections") and their names.

use super::header::{Class, ElfHeader};
use super::{names, read, ByteRange, ElfError, Field};
use goblin::container::Ctx;
use goblin::elf::SectionHeader;
use serde::Serialize;

/// `SHT_NULL`.
const SHT_NULL: u32 = 0;
/// `SHT_NOBITS`: occupies no file space (.bss).
pub(crate) const SHT_NOBITS: u32 = 8;
/// `SHN_XINDEX`: the real `e_shstrndx` is in section 0's `sh_link`.
const SHN_XINDEX: u16 = 0xffff;
/// The name readelf shows for every section when the file has no section name table.
pub const NO_STRINGS: &str = "<no-strings>";
/// `PN_XNUM`: the real `e_phnum` is in section 0's `sh_info`.
pub(crate) const PN_XNUM: u16 = 0xffff;

/// One section header and its name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Section {
    /// Position in the section header table, from 0 (readelf's `[Nr]`).
    pub index: usize,
    /// The whole section header.
    pub header: ByteRange,
    /// The name, read from the section name table; [`NO_STRINGS`] when the file has none
    /// (`e_shstrndx` 0, or an empty table), as readelf shows it.
    pub name: String,
    /// Where the name (with its NUL) is stored, if the file has a section name table.
    pub name_bytes: Option<ByteRange>,
    /// `sh_name`: offset of the name in the section name table.
    pub name_offset: Field<u32>,
    /// `sh_type`.
    pub sh_type: Field<u32>,
    /// `sh_type` as `readelf -S` prints it: "PROGBITS", "NOBITS", "VERSYM", ...
    pub type_name: String,
    /// `sh_flags`.
    pub flags: Field<u64>,
    /// `sh_flags` as readelf's key letters, e.g. "AX" or "WA".
    pub flags_text: String,
    /// `sh_addr`.
    pub addr: Field<u64>,
    /// `sh_offset`.
    pub offset: Field<u64>,
    /// `sh_size`.
    pub size: Field<u64>,
    /// `sh_link`.
    pub link: Field<u32>,
    /// `sh_info`.
    pub info: Field<u32>,
    /// `sh_addralign`.
    pub addralign: Field<u64>,
    /// `sh_entsize`.
    pub entsize: Field<u64>,
    /// The section's bytes in the file; empty for NOBITS and NULL sections.
    pub contents: ByteRange,
}

/// The counts the ELF header defers to section 0 when they do not fit in 16 bits.
pub(crate) struct Counts {
    /// Number of section headers.
    pub sections: u64,
    /// Index of the section name table (0 = none).
    pub shstrndx: u64,
    /// Number of program headers.
    pub segments: u64,
}

/// Resolves `e_shnum`, `e_shstrndx` and `e_phnum`, reading section 0 when they are escaped
/// (gABI "Sections": `e_shnum == 0`, `SHN_XINDEX`, `PN_XNUM`).
pub(crate) fn resolve_counts(bytes: &[u8], hdr: &ElfHeader, ctx: Ctx) -> Result<Counts, ElfError> {
    let class = hdr.class.value;
    let mut counts = Counts {
        sections: u64::from(hdr.shnum.value),
        shstrndx: u64::from(hdr.shstrndx.value),
        segments: u64::from(hdr.phnum.value),
    };
    if hdr.shoff.value == 0 {
        // No section header table: `e_shnum` and `e_shstrndx` mean nothing.
        counts.sections = 0;
        counts.shstrndx = 0;
        return Ok(counts);
    }
    let escaped =
        hdr.shnum.value == 0 || hdr.shstrndx.value == SHN_XINDEX || hdr.phnum.value == PN_XNUM;
    if !escaped {
        return Ok(counts);
    }
    check_entsize(hdr, class)?;
    let raw = read::slice(bytes, hdr.shoff.value, u64::from(class.shdr_size()), || {
        "section header 0".into()
    })?;
    let s0 =
        SectionHeader::parse_from(raw, 0, 1, ctx).map_err(|e| ElfError::Goblin(e.to_string()))?;
    let Some(s0) = s0.first() else {
        return Err(ElfError::Goblin("section header 0 is missing".into()));
    };
    if hdr.shnum.value == 0 {
        counts.sections = s0.sh_size;
    }
    if hdr.shstrndx.value == SHN_XINDEX {
        counts.shstrndx = u64::from(s0.sh_link);
    }
    if hdr.phnum.value == PN_XNUM {
        counts.segments = u64::from(s0.sh_info);
    }
    Ok(counts)
}

fn check_entsize(hdr: &ElfHeader, class: Class) -> Result<(), ElfError> {
    if hdr.shentsize.value != class.shdr_size() {
        return Err(ElfError::BadEntrySize {
            what: "section header",
            size: hdr.shentsize.value,
            expected: class.shdr_size(),
        });
    }
    Ok(())
}

/// Field offsets inside one section header: gABI "Sections".
fn offsets(class: Class) -> [u64; 10] {
    match class {
        Class::Elf32 => [0, 4, 8, 12, 16, 20, 24, 28, 32, 36],
        Class::Elf64 => [0, 4, 8, 16, 24, 32, 40, 44, 48, 56],
    }
}

/// Reads the section headers and names them from section `shstrndx` (0 = no names).
pub(crate) fn parse_sections(
    bytes: &[u8],
    hdr: &ElfHeader,
    ctx: Ctx,
    counts: &Counts,
) -> Result<Vec<Section>, ElfError> {
    let count = counts.sections;
    if count == 0 {
        return Ok(Vec::new());
    }
    let class = hdr.class.value;
    check_entsize(hdr, class)?;
    let entsize = u64::from(class.shdr_size());
    let table = read::slice(
        bytes,
        hdr.shoff.value,
        count.saturating_mul(entsize),
        || "the section header table".into(),
    )?;
    if counts.shstrndx >= count {
        return Err(ElfError::BadShstrndx {
            index: counts.shstrndx,
            count,
        });
    }
    // The table is in the file, so the count is bounded by the file size.
    let parsed = SectionHeader::parse_from(table, 0, table.len() / entsize as usize, ctx)
        .map_err(|e| ElfError::Goblin(e.to_string()))?;
    let size = bytes.len() as u64;
    for (index, s) in parsed.iter().enumerate() {
        check_section(index, s, class, size)?;
    }
    let names = name_table(bytes, &parsed, counts.shstrndx)?;
    let o = offsets(class);
    let w = class.word();
    let (machine, osabi) = (hdr.machine.value, hdr.osabi.value);
    let mut out = Vec::with_capacity(parsed.len());
    for (index, s) in parsed.iter().enumerate() {
        let base = hdr.shoff.value + index as u64 * entsize;
        let (name, name_bytes) = match names {
            Some((table, table_offset)) => {
                let n = read::cstr_at(table, s.sh_name as u64).map_err(|()| ElfError::BadName {
                    index,
                    offset: s.sh_name as u32,
                    table_size: table.len() as u64,
                    unterminated: true,
                })?;
                let Some(n) = n else {
                    return Err(ElfError::BadName {
                        index,
                        offset: s.sh_name as u32,
                        table_size: table.len() as u64,
                        unterminated: false,
                    });
                };
                let at = table_offset + s.sh_name as u64;
                (read::text(n), Some(ByteRange::at(at, n.len() as u64 + 1)))
            }
            None => (NO_STRINGS.to_string(), None),
        };
        let has_contents = s.sh_type != SHT_NOBITS && s.sh_type != SHT_NULL;
        out.push(Section {
            index,
            header: ByteRange::at(base, entsize),
            name,
            name_bytes,
            name_offset: Field::at(s.sh_name as u32, base, o[0], 4),
            sh_type: Field::at(s.sh_type, base, o[1], 4),
            type_name: names::section_type(s.sh_type, machine, osabi),
            flags: Field::at(s.sh_flags, base, o[2], w),
            flags_text: names::section_flags(s.sh_flags, machine, osabi),
            addr: Field::at(s.sh_addr, base, o[3], w),
            offset: Field::at(s.sh_offset, base, o[4], w),
            size: Field::at(s.sh_size, base, o[5], w),
            link: Field::at(s.sh_link, base, o[6], 4),
            info: Field::at(s.sh_info, base, o[7], 4),
            addralign: Field::at(s.sh_addralign, base, o[8], w),
            entsize: Field::at(s.sh_entsize, base, o[9], w),
            contents: if has_contents {
                ByteRange::at(s.sh_offset, s.sh_size)
            } else {
                ByteRange::at(s.sh_offset, 0)
            },
        });
    }
    Ok(out)
}

/// Contents inside the file (unless NOBITS or NULL), memory range inside the address space.
fn check_section(index: usize, s: &SectionHeader, class: Class, size: u64) -> Result<(), ElfError> {
    if s.sh_type == SHT_NULL {
        return Ok(());
    }
    let what = || format!("section {index}");
    if s.sh_type != SHT_NOBITS
        && s.sh_offset
            .checked_add(s.sh_size)
            .is_none_or(|end| end > size)
    {
        return Err(ElfError::OutOfFile {
            what: what(),
            offset: s.sh_offset,
            len: s.sh_size,
            size,
        });
    }
    if u128::from(s.sh_addr) + u128::from(s.sh_size) > class.address_space() {
        return Err(ElfError::AddressWraps {
            what: what(),
            addr: s.sh_addr,
            len: s.sh_size,
            bits: class.bits(),
        });
    }
    Ok(())
}

/// The bytes of the section name table and its file offset, or `None` if there is none.
fn name_table<'a>(
    bytes: &'a [u8],
    sections: &[SectionHeader],
    shstrndx: u64,
) -> Result<Option<(&'a [u8], u64)>, ElfError> {
    if shstrndx == 0 {
        return Ok(None);
    }
    let Some(s) = usize::try_from(shstrndx).ok().and_then(|i| sections.get(i)) else {
        return Err(ElfError::BadShstrndx {
            index: shstrndx,
            count: sections.len() as u64,
        });
    };
    // As readelf: an empty (or contentless) table means no names at all.
    if s.sh_type == SHT_NOBITS || s.sh_type == SHT_NULL || s.sh_size == 0 {
        return Ok(None);
    }
    let table = read::slice(bytes, s.sh_offset, s.sh_size, || {
        "the section name table".into()
    })?;
    Ok(Some((table, s.sh_offset)))
}
