//! A small ELF writer: a static executable from code bytes and data bytes.
//!
//! The file is laid out the way `ld` lays out a tiny static program, minus everything optional:
//!
//! ```text
//! offset 0       ELF header, program headers        \  PT_LOAD #0, r-x, mapped at `base`
//!                code (.text), 16-byte aligned       /
//!                data (.data)                        -  PT_LOAD #1, rw-, on its own page(s);
//!                                                       p_memsz - p_filesz zeroed bytes = .bss
//!                .shstrtab, section headers         (optional, for readelf and objdump)
//! ```
//!
//! Each `PT_LOAD` keeps `p_offset % 4096 == p_vaddr % 4096`, the condition fs/binfmt_elf.c
//! `elf_map` needs to mmap it, and the data segment starts on a page after the code's last page
//! so that the two never share a page with different permissions.

mod emit;

pub use emit::{patch, write_executable, write_image};

use super::header::{Class, Endian};
use super::ByteRange;
use serde::Serialize;
use std::fmt;

/// Page size used for alignment (x86-64 and most other Linux targets).
pub const PAGE: u64 = 4096;
/// Default load address of the first segment, as `ld` uses for x86-64 non-PIE executables.
pub const DEFAULT_BASE: u64 = 0x40_0000;
/// Largest accepted code plus data, in bytes.
pub const MAX_CONTENTS: u64 = 16 << 20;
/// Largest accepted `.bss`.
pub const MAX_BSS: u64 = 1 << 30;

/// `e_type` of an executable at a fixed address.
pub const ET_EXEC: u16 = 2;
/// `e_type` of a position-independent file (a shared library, or a PIE program).
pub const ET_DYN: u16 = 3;
/// `p_type` of a loadable segment.
pub const PT_LOAD: u32 = 1;
/// `p_type` of the dynamic table.
pub const PT_DYNAMIC: u32 = 2;
/// `p_type` of the interpreter's path.
pub const PT_INTERP: u32 = 3;

/// A program header to write (gABI "Program Header"); `flags` are PF_X = 1, PF_W = 2, PF_R = 4.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Segment {
    /// `p_type`.
    pub p_type: u32,
    /// `p_flags`.
    pub flags: u32,
    /// `p_offset`.
    pub offset: u64,
    /// `p_vaddr` (and `p_paddr`).
    pub vaddr: u64,
    /// `p_filesz`.
    pub filesz: u64,
    /// `p_memsz`.
    pub memsz: u64,
    /// `p_align`.
    pub align: u64,
}

/// A file given by its program headers and contents, for [`write_image`].
#[derive(Clone, Debug)]
pub struct Image {
    /// 32- or 64-bit.
    pub class: Class,
    /// Byte order of the header fields.
    pub endian: Endian,
    /// `e_type` ([`ET_EXEC`], [`ET_DYN`]).
    pub e_type: u16,
    /// `e_machine`.
    pub machine: u16,
    /// `e_entry`.
    pub entry: u64,
    /// The program headers, in order.
    pub segments: Vec<Segment>,
    /// Pieces of the file: (offset, bytes).
    pub contents: Vec<(u64, Vec<u8>)>,
    /// The file's length (zeros after the last piece).
    pub size: u64,
}

/// `e_machine` for x86-64.
pub const EM_X86_64: u16 = 62;
/// `e_machine` for i386.
pub const EM_386: u16 = 3;

/// What to build.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExecutableSpec {
    /// 32- or 64-bit.
    pub class: Class,
    /// Byte order of every field (the code bytes are copied as given).
    pub endian: Endian,
    /// `e_machine`.
    pub machine: u16,
    /// Address of the first byte of the file in memory; a multiple of [`PAGE`].
    pub base: u64,
    /// Machine code, loaded read + execute.
    pub code: Vec<u8>,
    /// Offset of the entry point in `code`.
    pub entry_offset: u64,
    /// Initialised data, loaded read + write.
    pub data: Vec<u8>,
    /// Zeroed bytes after the data (`.bss`).
    pub bss_size: u64,
    /// Where the data goes in memory; `None` picks the page after the code.
    pub data_vaddr: Option<u64>,
    /// Whether to add section headers (.text, .data, .bss, .shstrtab).
    pub section_headers: bool,
}

impl ExecutableSpec {
    /// A 64-bit little-endian x86-64 program at [`DEFAULT_BASE`], entered at the first code byte,
    /// with section headers.
    pub fn x86_64(code: Vec<u8>, data: Vec<u8>) -> Self {
        ExecutableSpec {
            class: Class::Elf64,
            endian: Endian::Little,
            machine: EM_X86_64,
            base: DEFAULT_BASE,
            code,
            entry_offset: 0,
            data,
            bss_size: 0,
            data_vaddr: None,
            section_headers: true,
        }
    }
}

/// Why a file cannot be written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WriteError {
    /// There is no code to run.
    NoCode,
    /// `entry_offset` is not inside the code.
    EntryOutsideCode {
        /// The offset.
        entry_offset: u64,
        /// Code size.
        code_len: u64,
    },
    /// `base` or `data_vaddr` is unusable.
    BadAddress(String),
    /// Code and data, or the BSS, are larger than the limits.
    TooBig(String),
    /// A patch does not fit its range or the file.
    BadPatch(String),
}

impl fmt::Display for WriteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WriteError::NoCode => {
                f.write_str("there is no code: an executable needs at least one instruction")
            }
            WriteError::EntryOutsideCode {
                entry_offset,
                code_len,
            } => write!(
                f,
                "the entry offset {entry_offset} is outside the code ({code_len} bytes)"
            ),
            WriteError::BadAddress(m) | WriteError::TooBig(m) | WriteError::BadPatch(m) => {
                f.write_str(m)
            }
        }
    }
}

impl std::error::Error for WriteError {}

/// A labelled piece of the written file, for a picture of the layout.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Part {
    /// Short name, e.g. "code (.text)".
    pub name: String,
    /// Where it is in the file.
    pub bytes: ByteRange,
    /// What it is for.
    pub explanation: String,
}

/// Where everything goes, in the file and in memory.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Layout {
    /// File offset of the code.
    pub code_offset: u64,
    /// Address of the code.
    pub code_vaddr: u64,
    /// `e_entry`.
    pub entry: u64,
    /// File offset of the data.
    pub data_offset: u64,
    /// Address of the data (also where a data-less `.bss` starts).
    pub data_vaddr: u64,
    /// Address of the `.bss`.
    pub bss_vaddr: u64,
    /// Number of program headers (1 without data or BSS, else 2).
    pub segments: u16,
    /// File offset of the section header table (0 without sections).
    pub shoff: u64,
    /// Number of section headers.
    pub shnum: u16,
    /// Total file size.
    pub file_size: u64,
    /// The pieces of the file in order.
    pub parts: Vec<Part>,
}

/// The bytes of a written file and its layout.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Written {
    /// The file.
    pub bytes: Vec<u8>,
    /// Where things are.
    pub layout: Layout,
}

fn align_up(v: u64, a: u64) -> Option<u64> {
    v.checked_add(a - 1).map(|x| x / a * a)
}

/// Section names, in `.shstrtab` order, with their offsets in it.
fn section_names(spec: &ExecutableSpec) -> (Vec<u8>, Vec<(&'static str, u32)>) {
    let mut table = vec![0u8];
    let mut names = Vec::new();
    let wanted = [
        (".text", true),
        (".data", !spec.data.is_empty()),
        (".bss", spec.bss_size > 0),
        (".shstrtab", true),
    ];
    for (name, used) in wanted {
        if used {
            names.push((name, table.len() as u32));
            table.extend_from_slice(name.as_bytes());
            table.push(0);
        }
    }
    (table, names)
}

/// Computes where everything goes without writing it (so an assembler can learn the data
/// address before it assembles the code that uses it; only the code's length matters).
pub fn layout(spec: &ExecutableSpec) -> Result<Layout, WriteError> {
    let code_len = spec.code.len() as u64;
    let data_len = spec.data.len() as u64;
    if code_len == 0 {
        return Err(WriteError::NoCode);
    }
    if spec.entry_offset >= code_len {
        return Err(WriteError::EntryOutsideCode {
            entry_offset: spec.entry_offset,
            code_len,
        });
    }
    if code_len + data_len > MAX_CONTENTS {
        return Err(WriteError::TooBig(format!(
            "code and data are {} bytes; the limit is {MAX_CONTENTS}",
            code_len + data_len
        )));
    }
    if spec.bss_size > MAX_BSS {
        return Err(WriteError::TooBig(format!(
            "the BSS is {} bytes; the limit is {MAX_BSS}",
            spec.bss_size
        )));
    }
    if !spec.base.is_multiple_of(PAGE) {
        return Err(WriteError::BadAddress(format!(
            "the base address {:#x} is not a multiple of {PAGE:#x}",
            spec.base
        )));
    }
    let class = spec.class;
    let space = class.address_space();
    let has_data = data_len > 0 || spec.bss_size > 0;
    let segments: u16 = if has_data { 2 } else { 1 };
    let headers_end =
        u64::from(class.ehdr_size()) + u64::from(segments) * u64::from(class.phdr_size());
    let code_offset = align_up(headers_end, 16).unwrap_or(headers_end);
    let code_end = code_offset + code_len;
    let too_high = |what: &str| {
        WriteError::BadAddress(format!(
            "{what} does not fit in the {}-bit address space",
            class.bits()
        ))
    };
    // Addresses are checked in u128 so that nothing wraps; every region must end below the top
    // of the address space, with room to round the code up to a page.
    let page = u128::from(PAGE);
    let text_end = u128::from(spec.base) + u128::from(code_end);
    let text_end_page = text_end.div_ceil(page) * page;
    if text_end_page >= space {
        return Err(too_high("the code"));
    }
    let (data_offset, data_vaddr) = match spec.data_vaddr {
        None => {
            let off = align_up(code_end, 16).unwrap_or(code_end);
            (off, text_end_page + u128::from(off % PAGE))
        }
        Some(v) => {
            if u128::from(v) / page * page < text_end_page {
                return Err(WriteError::BadAddress(format!(
                    "the data address {v:#x} is on a page the code uses (the code ends at {text_end:#x})"
                )));
            }
            (
                code_end + (v % PAGE + PAGE - code_end % PAGE) % PAGE,
                u128::from(v),
            )
        }
    };
    if data_vaddr + u128::from(data_len) + u128::from(spec.bss_size) >= space {
        return Err(too_high("the data and BSS"));
    }
    // All three are below 2^64 now.
    let (data_vaddr, bss_vaddr) = (
        data_vaddr as u64,
        (data_vaddr + u128::from(data_len)) as u64,
    );
    let data_end = data_offset + data_len;
    let mut parts = vec![
        Part {
            name: "ELF header".into(),
            bytes: ByteRange::at(0, u64::from(class.ehdr_size())),
            explanation: "identifies the file and says where the tables and the entry point are"
                .into(),
        },
        Part {
            name: "program headers".into(),
            bytes: ByteRange::at(
                u64::from(class.ehdr_size()),
                u64::from(segments) * u64::from(class.phdr_size()),
            ),
            explanation: "what the kernel maps: one PT_LOAD per permission set".into(),
        },
        Part {
            name: "code (.text)".into(),
            bytes: ByteRange::at(code_offset, code_len),
            explanation: format!("mapped read + execute at {:#x}", spec.base + code_offset),
        },
    ];
    if data_len > 0 {
        parts.push(Part {
            name: "data (.data)".into(),
            bytes: ByteRange::at(data_offset, data_len),
            explanation: format!("mapped read + write at {data_vaddr:#x}"),
        });
    }
    let (mut shoff, mut shnum, mut file_size) = (0, 0, if has_data { data_end } else { code_end });
    if spec.section_headers {
        let (table, names) = section_names(spec);
        let strtab_offset = file_size;
        parts.push(Part {
            name: "section names (.shstrtab)".into(),
            bytes: ByteRange::at(strtab_offset, table.len() as u64),
            explanation: "the names readelf shows; not loaded".into(),
        });
        shoff = align_up(strtab_offset + table.len() as u64, 8).unwrap_or(0);
        shnum = names.len() as u16 + 1;
        let len = u64::from(shnum) * u64::from(class.shdr_size());
        parts.push(Part {
            name: "section headers".into(),
            bytes: ByteRange::at(shoff, len),
            explanation: "the linker's and debugger's view; the kernel ignores them".into(),
        });
        file_size = shoff + len;
    }
    Ok(Layout {
        code_offset,
        code_vaddr: spec.base + code_offset,
        entry: spec.base + code_offset + spec.entry_offset,
        data_offset,
        data_vaddr,
        bss_vaddr,
        segments,
        shoff,
        shnum,
        file_size,
        parts,
    })
}
