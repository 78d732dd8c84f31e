//! `PT_INTERP` (the program interpreter, i.e. the dynamic loader) and a summary of `PT_DYNAMIC`.

use super::header::ElfHeader;
use super::segments::Segment;
use super::{read, ByteRange, ElfError, Field};
use goblin::container::Ctx;
use serde::Serialize;

const PT_INTERP: u32 = 3;
const PT_DYNAMIC: u32 = 2;
const DT_NEEDED: u64 = 1;
const DT_STRTAB: u64 = 5;
const DT_STRSZ: u64 = 10;
const DT_SONAME: u64 = 14;
const DT_RPATH: u64 = 15;
const DT_RUNPATH: u64 = 29;

/// The program interpreter named by `PT_INTERP`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Interp {
    /// The path, up to its NUL (e.g. "/lib64/ld-linux-x86-64.so.2").
    pub path: String,
    /// The segment's bytes in the file, NUL included.
    pub bytes: ByteRange,
    /// Which program header it is.
    pub segment: usize,
}

/// The first `PT_INTERP`. As in fs/binfmt_elf.c `load_elf_binary`, the path must be non-empty
/// and its last byte must be NUL; the path is read up to the first NUL, as readelf shows it.
/// One exception: separate debug-info files (`objcopy --only-keep-debug`) keep the header with
/// `p_filesz` 0 and no bytes. readelf reads such files, so they parse, with no interpreter and
/// a warning.
pub(crate) fn find_interp(
    bytes: &[u8],
    segments: &[Segment],
    warnings: &mut Vec<String>,
) -> Result<Option<Interp>, ElfError> {
    let Some(seg) = segments.iter().find(|s| s.p_type.value == PT_INTERP) else {
        return Ok(None);
    };
    if seg.filesz.value == 0 {
        warnings.push(format!(
            "segment {} (INTERP) is empty (p_filesz 0): no interpreter to name; the kernel would refuse to run this file",
            seg.index
        ));
        return Ok(None);
    }
    let data = read::slice(bytes, seg.offset.value, seg.filesz.value, || {
        format!("segment {} (INTERP)", seg.index)
    })?;
    match data.last() {
        None => Err(ElfError::BadInterp("the segment is empty (p_filesz 0)")),
        Some(0) => {
            let end = data.iter().position(|&b| b == 0).unwrap_or(data.len());
            let path = data.get(..end).unwrap_or_default();
            if path.is_empty() {
                return Err(ElfError::BadInterp("the path is empty"));
            }
            Ok(Some(Interp {
                path: read::text(path),
                bytes: seg.contents,
                segment: seg.index,
            }))
        }
        Some(_) => Err(ElfError::BadInterp("the path does not end with a NUL byte")),
    }
}

/// A string the dynamic section points at (in the table named by `DT_STRTAB`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DynString {
    /// The text.
    pub value: String,
    /// Where it is stored in the file, NUL included.
    pub bytes: ByteRange,
}

/// One `Elf*_Dyn` entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DynEntry {
    /// `d_tag`.
    pub tag: Field<u64>,
    /// The tag's name without "DT_" (goblin's spelling), e.g. "NEEDED".
    pub tag_name: String,
    /// `d_val` / `d_ptr`.
    pub value: Field<u64>,
}

/// What the dynamic section says about linking.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DynamicSummary {
    /// Which program header is `PT_DYNAMIC`.
    pub segment: usize,
    /// The entries up to and including `DT_NULL`.
    pub entries: Vec<DynEntry>,
    /// `DT_NEEDED`: the libraries to load, in order.
    pub needed: Vec<DynString>,
    /// `DT_SONAME`.
    pub soname: Option<DynString>,
    /// `DT_RPATH`.
    pub rpath: Option<DynString>,
    /// `DT_RUNPATH`.
    pub runpath: Option<DynString>,
}

/// Reads the first `PT_DYNAMIC` segment with goblin and resolves its strings.
pub(crate) fn summarize_dynamic(
    bytes: &[u8],
    hdr: &ElfHeader,
    ctx: Ctx,
    segments: &[Segment],
) -> Result<Option<DynamicSummary>, ElfError> {
    let Some(seg) = segments.iter().find(|s| s.p_type.value == PT_DYNAMIC) else {
        return Ok(None);
    };
    let mut ph = goblin::elf::ProgramHeader::new();
    ph.p_type = PT_DYNAMIC;
    ph.p_offset = seg.offset.value;
    ph.p_filesz = seg.filesz.value;
    // The segment's contents were checked to lie in the file, so goblin reads at most
    // p_filesz / entry-size entries.
    let parsed = goblin::elf::dynamic::Dynamic::parse(bytes, &[ph], ctx)
        .map_err(|e| ElfError::BadDynamic(e.to_string()))?;
    let dyns = parsed.map(|d| d.dyns).unwrap_or_default();
    let class = hdr.class.value;
    let w = class.word();
    let entries: Vec<DynEntry> = dyns
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let base = seg.offset.value + i as u64 * 2 * w;
            let name = goblin::elf::dynamic::tag_to_str(d.d_tag);
            DynEntry {
                tag: Field::at(d.d_tag, base, 0, w),
                tag_name: name.strip_prefix("DT_").unwrap_or(name).to_string(),
                value: Field::at(d.d_val, base, w, w),
            }
        })
        .collect();
    let find = |tag: u64| {
        entries
            .iter()
            .find(|e| e.tag.value == tag)
            .map(|e| e.value.value)
    };
    let strtab = match (find(DT_STRTAB), find(DT_STRSZ)) {
        (Some(addr), Some(len)) => Some(string_table(bytes, segments, addr, len)?),
        _ => None,
    };
    let string = |tag: u64, value: u64| -> Result<DynString, ElfError> {
        let Some((table, at)) = strtab else {
            return Err(ElfError::BadDynamic(format!(
                "{} needs DT_STRTAB and DT_STRSZ",
                goblin::elf::dynamic::tag_to_str(tag)
            )));
        };
        match read::cstr_at(table, value) {
            Ok(Some(s)) => Ok(DynString {
                value: read::text(s),
                bytes: ByteRange::at(at + value, s.len() as u64 + 1),
            }),
            Ok(None) => Err(ElfError::BadDynamic(format!(
                "string offset {value} is past the end of the string table ({} bytes)",
                table.len()
            ))),
            Err(()) => Err(ElfError::BadDynamic(format!(
                "the string at offset {value} has no NUL"
            ))),
        }
    };
    let mut needed = Vec::new();
    let (mut soname, mut rpath, mut runpath) = (None, None, None);
    for e in &entries {
        let v = e.value.value;
        match e.tag.value {
            DT_NEEDED => needed.push(string(DT_NEEDED, v)?),
            DT_SONAME => soname = Some(string(DT_SONAME, v)?),
            DT_RPATH => rpath = Some(string(DT_RPATH, v)?),
            DT_RUNPATH => runpath = Some(string(DT_RUNPATH, v)?),
            _ => {}
        }
    }
    Ok(Some(DynamicSummary {
        segment: seg.index,
        entries,
        needed,
        soname,
        rpath,
        runpath,
    }))
}

/// The dynamic string table: `DT_STRTAB` is an address, turned into a file offset through the
/// `PT_LOAD` segment whose file-backed part holds it (as readelf's `offset_from_vma` does).
fn string_table<'a>(
    bytes: &'a [u8],
    segments: &[Segment],
    addr: u64,
    len: u64,
) -> Result<(&'a [u8], u64), ElfError> {
    let load = segments
        .iter()
        .find(|s| s.is_load() && addr >= s.vaddr.value && addr - s.vaddr.value < s.filesz.value);
    let Some(load) = load else {
        return Err(ElfError::BadDynamic(format!(
            "DT_STRTAB {addr:#x} is not in the file part of any PT_LOAD segment"
        )));
    };
    let offset = load.offset.value + (addr - load.vaddr.value);
    let table = read::slice(bytes, offset, len, || {
        "the dynamic string table (DT_STRTAB, DT_STRSZ)".into()
    })?;
    Ok((table, offset))
}
