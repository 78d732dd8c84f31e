//! The first checks of `load_elf_binary` (fs/binfmt_elf.c), the part before the point of no
//! return: header, program headers, PT_INTERP. The 64-bit handler (`elf_format`) and the
//! 32-bit compat one (`compat_elf_format`, fs/compat_binfmt_elf.c, i386 binaries) run the same
//! code on different header layouts. Mapping the segments is Part 4.

use super::binprm::BINPRM_BUF_SIZE;
use super::errno::Errno;

/// `ET_EXEC`.
pub const ET_EXEC: u16 = 2;
/// `ET_DYN`.
pub const ET_DYN: u16 = 3;
/// `EM_386`.
pub const EM_386: u16 = 3;
/// `EM_X86_64`.
pub const EM_X86_64: u16 = 62;
/// `PT_INTERP`.
pub const PT_INTERP: u32 = 3;
/// The most bytes of program headers `load_elf_phdrs` reads (64 KiB). (Older kernels also
/// refused more than one page, `ELF_MIN_ALIGN`; Linux 6.18 does not: measured, 74 headers of
/// 56 bytes load.)
pub const MAX_PHDRS_BYTES: usize = 65536;

/// Which ELF handler.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ElfClass {
    /// 64-bit x86-64 (`elf_format`).
    Elf64,
    /// 32-bit i386 through IA-32 emulation (`compat_elf_format`).
    Elf32,
}

impl ElfClass {
    /// Header size, program header size, the `e_machine` the handler takes.
    fn layout(self) -> (usize, usize, u16) {
        match self {
            ElfClass::Elf64 => (64, 56, EM_X86_64),
            ElfClass::Elf32 => (52, 32, EM_386),
        }
    }
}

/// The header fields the checks use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ElfHeader {
    /// `e_type`.
    pub e_type: u16,
    /// `e_machine`.
    pub e_machine: u16,
    /// `e_phoff`.
    pub e_phoff: u64,
    /// `e_phentsize`.
    pub e_phentsize: u16,
    /// `e_phnum`.
    pub e_phnum: u16,
}

fn u16_at(b: &[u8], i: usize) -> u16 {
    u16::from_le_bytes([
        b.get(i).copied().unwrap_or(0),
        b.get(i + 1).copied().unwrap_or(0),
    ])
}

fn u32_at(b: &[u8], i: usize) -> u32 {
    u32::from(u16_at(b, i)) | (u32::from(u16_at(b, i + 2)) << 16)
}

fn u64_at(b: &[u8], i: usize) -> u64 {
    u64::from(u32_at(b, i)) | (u64::from(u32_at(b, i + 4)) << 32)
}

/// Reads the header fields as the handler of `class` sees them (little-endian x86).
pub fn header(class: ElfClass, b: &[u8]) -> ElfHeader {
    match class {
        ElfClass::Elf64 => ElfHeader {
            e_type: u16_at(b, 16),
            e_machine: u16_at(b, 18),
            e_phoff: u64_at(b, 32),
            e_phentsize: u16_at(b, 54),
            e_phnum: u16_at(b, 56),
        },
        ElfClass::Elf32 => ElfHeader {
            e_type: u16_at(b, 16),
            e_machine: u16_at(b, 18),
            e_phoff: u64::from(u32_at(b, 28)),
            e_phentsize: u16_at(b, 42),
            e_phnum: u16_at(b, 44),
        },
    }
}

/// Why a handler declined or failed, in words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ElfRefusal {
    /// ENOEXEC (not this handler's: the next one is tried) or another errno (final).
    pub errno: Errno,
    /// Which check.
    pub reason: String,
}

fn refuse(errno: Errno, reason: impl Into<String>) -> ElfRefusal {
    ElfRefusal {
        errno,
        reason: reason.into(),
    }
}

/// The header checks on the buffer: magic, type, machine. ENOEXEC on failure.
pub fn check_header(class: ElfClass, buf: &[u8; BINPRM_BUF_SIZE]) -> Result<ElfHeader, ElfRefusal> {
    let (_, _, machine) = class.layout();
    if buf.get(..4) != Some(&b"\x7fELF"[..]) {
        return Err(refuse(
            Errno::Enoexec,
            "does not start with the ELF magic 7f 45 4c 46",
        ));
    }
    let h = header(class, buf);
    if h.e_type != ET_EXEC && h.e_type != ET_DYN {
        return Err(refuse(
            Errno::Enoexec,
            format!("e_type is {}, not ET_EXEC (2) or ET_DYN (3)", h.e_type),
        ));
    }
    if h.e_machine != machine {
        return Err(refuse(
            Errno::Enoexec,
            format!("e_machine is {}, this handler takes {machine}", h.e_machine),
        ));
    }
    Ok(h)
}

/// Why `load_elf_phdrs` refuses the program header table (the handler declines the file).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PhdrsError {
    /// `e_phentsize` is not the class's program header size.
    EntrySize {
        /// What the header says.
        got: u16,
        /// The class's size.
        want: usize,
    },
    /// No program header, or more than [`MAX_PHDRS_BYTES`] of them.
    Count {
        /// `e_phnum`.
        phnum: u16,
        /// The size of one.
        phent: usize,
    },
}

impl std::fmt::Display for PhdrsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match *self {
            PhdrsError::EntrySize { got, want } => write!(f, "e_phentsize is {got}, not {want}"),
            PhdrsError::Count { phnum, phent } => write!(
                f,
                "{phnum} program headers of {phent} bytes: there must be at least one, and at most {MAX_PHDRS_BYTES} bytes of them"
            ),
        }
    }
}

impl std::error::Error for PhdrsError {}

/// `load_elf_phdrs` size checks: the byte size to read, or why the table is refused.
pub fn phdrs_size(class: ElfClass, h: &ElfHeader) -> Result<usize, PhdrsError> {
    let (_, phent, _) = class.layout();
    if usize::from(h.e_phentsize) != phent {
        return Err(PhdrsError::EntrySize {
            got: h.e_phentsize,
            want: phent,
        });
    }
    let size = phent * usize::from(h.e_phnum);
    if size == 0 || size > MAX_PHDRS_BYTES {
        return Err(PhdrsError::Count {
            phnum: h.e_phnum,
            phent,
        });
    }
    Ok(size)
}

/// One program header's fields that matter here.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Phdr {
    /// `p_type`.
    pub p_type: u32,
    /// `p_offset`.
    pub p_offset: u64,
    /// `p_filesz`.
    pub p_filesz: u64,
}

/// Splits the program header bytes.
pub fn phdrs(class: ElfClass, bytes: &[u8]) -> Vec<Phdr> {
    let (_, phent, _) = class.layout();
    bytes
        .chunks_exact(phent)
        .map(|p| match class {
            ElfClass::Elf64 => Phdr {
                p_type: u32_at(p, 0),
                p_offset: u64_at(p, 8),
                p_filesz: u64_at(p, 32),
            },
            ElfClass::Elf32 => Phdr {
                p_type: u32_at(p, 0),
                p_offset: u64::from(u32_at(p, 4)),
                p_filesz: u64::from(u32_at(p, 16)),
            },
        })
        .collect()
}

/// The size of the header the handler reads from an interpreter.
pub fn header_size(class: ElfClass) -> usize {
    class.layout().0
}
