//! The ELF header (`Elf32_Ehdr` / `Elf64_Ehdr`, System V gABI "ELF Header").

use super::{ElfError, Field};
use goblin::container::{Container, Ctx};
use serde::Serialize;

/// `EI_CLASS`: the width of addresses and offsets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Class {
    /// ELFCLASS32 (1).
    Elf32,
    /// ELFCLASS64 (2).
    Elf64,
}

impl Class {
    /// 32 or 64.
    pub fn bits(self) -> u32 {
        match self {
            Class::Elf32 => 32,
            Class::Elf64 => 64,
        }
    }

    /// The largest address plus one, as u128 (2^32 or 2^64).
    pub(crate) fn address_space(self) -> u128 {
        1u128 << self.bits()
    }

    /// Size of the ELF header.
    pub fn ehdr_size(self) -> u16 {
        match self {
            Class::Elf32 => 52,
            Class::Elf64 => 64,
        }
    }

    /// Size of one program header.
    pub fn phdr_size(self) -> u16 {
        match self {
            Class::Elf32 => 32,
            Class::Elf64 => 56,
        }
    }

    /// Size of one section header.
    pub fn shdr_size(self) -> u16 {
        match self {
            Class::Elf32 => 40,
            Class::Elf64 => 64,
        }
    }

    /// Size of an address or offset field (4 or 8).
    pub(crate) fn word(self) -> u64 {
        match self {
            Class::Elf32 => 4,
            Class::Elf64 => 8,
        }
    }
}

/// `EI_DATA`: the byte order of every multi-byte field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Endian {
    /// ELFDATA2LSB (1), least significant byte first.
    Little,
    /// ELFDATA2MSB (2), most significant byte first.
    Big,
}

impl Endian {
    /// "little" or "big".
    pub fn name(self) -> &'static str {
        match self {
            Endian::Little => "little",
            Endian::Big => "big",
        }
    }
}

/// The ELF header's fields, each with its bytes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ElfHeader {
    /// `EI_MAG0..3`: `7f 45 4c 46`.
    pub magic: Field<[u8; 4]>,
    /// `EI_CLASS`.
    pub class: Field<Class>,
    /// `EI_DATA`.
    pub endian: Field<Endian>,
    /// `EI_VERSION` (1 = EV_CURRENT).
    pub ident_version: Field<u8>,
    /// `EI_OSABI` (0 = System V, 3 = Linux/GNU).
    pub osabi: Field<u8>,
    /// `EI_ABIVERSION`.
    pub abi_version: Field<u8>,
    /// `e_type`: REL, EXEC, DYN, CORE.
    pub e_type: Field<u16>,
    /// `e_machine`.
    pub machine: Field<u16>,
    /// `e_version`.
    pub version: Field<u32>,
    /// `e_entry`: where execution starts.
    pub entry: Field<u64>,
    /// `e_phoff`: file offset of the program header table.
    pub phoff: Field<u64>,
    /// `e_shoff`: file offset of the section header table.
    pub shoff: Field<u64>,
    /// `e_flags`: machine-specific flags.
    pub flags: Field<u32>,
    /// `e_ehsize`: size of this header.
    pub ehsize: Field<u16>,
    /// `e_phentsize`: size of one program header.
    pub phentsize: Field<u16>,
    /// `e_phnum`: number of program headers (0xffff = PN_XNUM: see section 0's `sh_info`).
    pub phnum: Field<u16>,
    /// `e_shentsize`: size of one section header.
    pub shentsize: Field<u16>,
    /// `e_shnum`: number of section headers (0 with `e_shoff != 0`: see section 0's `sh_size`).
    pub shnum: Field<u16>,
    /// `e_shstrndx`: the section holding section names (0xffff = SHN_XINDEX: see `sh_link`).
    pub shstrndx: Field<u16>,
}

/// Reads and checks the ELF header; returns it with goblin's context for the rest of the file.
pub(crate) fn parse_header(bytes: &[u8]) -> Result<(ElfHeader, Ctx), ElfError> {
    let size = bytes.len() as u64;
    if bytes.len() < 4 {
        return Err(ElfError::Truncated {
            what: "the ELF magic",
            need: 4,
            size,
        });
    }
    if bytes.get(..4) != Some(b"\x7fELF".as_slice()) {
        return Err(ElfError::BadMagic);
    }
    let ident = |i: usize| bytes.get(i).copied();
    let Some(class_byte) = ident(4) else {
        return Err(ElfError::Truncated {
            what: "e_ident",
            need: 16,
            size,
        });
    };
    let class = match class_byte {
        1 => Class::Elf32,
        2 => Class::Elf64,
        c => return Err(ElfError::BadClass(c)),
    };
    let endian = match ident(5) {
        Some(1) => Endian::Little,
        Some(2) => Endian::Big,
        Some(d) => return Err(ElfError::BadEndian(d)),
        None => {
            return Err(ElfError::Truncated {
                what: "e_ident",
                need: 16,
                size,
            })
        }
    };
    let need = u64::from(class.ehdr_size());
    if size < need {
        return Err(ElfError::Truncated {
            what: "the ELF header",
            need,
            size,
        });
    }
    let g: goblin::elf::Header = match class {
        Class::Elf32 => goblin::elf32::header::Header::parse(bytes).map(Into::into),
        Class::Elf64 => goblin::elf64::header::Header::parse(bytes).map(Into::into),
    }
    .map_err(|e| ElfError::Goblin(e.to_string()))?;
    let container = match class {
        Class::Elf32 => Container::Little,
        Class::Elf64 => Container::Big,
    };
    let scroll_endian = match endian {
        Endian::Little => goblin::container::Endian::Little,
        Endian::Big => goblin::container::Endian::Big,
    };
    let ctx = Ctx::new(container, scroll_endian);
    // Field offsets: gABI "ELF Header"; after e_entry the 32-bit layout is 12 bytes shorter.
    let w = class.word();
    let after = 24 + 3 * w; // e_flags
    let header = ElfHeader {
        magic: Field::at([0x7f, b'E', b'L', b'F'], 0, 0, 4),
        class: Field::at(class, 0, 4, 1),
        endian: Field::at(endian, 0, 5, 1),
        ident_version: Field::at(g.e_ident[6], 0, 6, 1),
        osabi: Field::at(g.e_ident[7], 0, 7, 1),
        abi_version: Field::at(g.e_ident[8], 0, 8, 1),
        e_type: Field::at(g.e_type, 0, 16, 2),
        machine: Field::at(g.e_machine, 0, 18, 2),
        version: Field::at(g.e_version, 0, 20, 4),
        entry: Field::at(g.e_entry, 0, 24, w),
        phoff: Field::at(g.e_phoff, 0, 24 + w, w),
        shoff: Field::at(g.e_shoff, 0, 24 + 2 * w, w),
        flags: Field::at(g.e_flags, 0, after, 4),
        ehsize: Field::at(g.e_ehsize, 0, after + 4, 2),
        phentsize: Field::at(g.e_phentsize, 0, after + 6, 2),
        phnum: Field::at(g.e_phnum, 0, after + 8, 2),
        shentsize: Field::at(g.e_shentsize, 0, after + 10, 2),
        shnum: Field::at(g.e_shnum, 0, after + 12, 2),
        shstrndx: Field::at(g.e_shstrndx, 0, after + 14, 2),
    };
    Ok((header, ctx))
}
