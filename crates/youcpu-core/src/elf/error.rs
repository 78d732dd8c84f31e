//! Why a file is not a well-formed ELF file, as values with one-line messages.

use std::fmt;

/// A parse failure. Offsets and sizes are in bytes; `index` numbers a program or section header
/// from 0 as readelf does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ElfError {
    /// The file is larger than the accepted maximum.
    TooLarge {
        /// File size.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// The file ends before a structure does.
    Truncated {
        /// What was being read.
        what: &'static str,
        /// Bytes needed from the start of the file.
        need: u64,
        /// File size.
        size: u64,
    },
    /// The first four bytes are not `7f 45 4c 46` ("\x7fELF").
    BadMagic,
    /// `EI_CLASS` is neither 1 (ELFCLASS32) nor 2 (ELFCLASS64).
    BadClass(u8),
    /// `EI_DATA` is neither 1 (little-endian) nor 2 (big-endian).
    BadEndian(u8),
    /// A header table's entry size does not match the class.
    BadEntrySize {
        /// "program header" or "section header".
        what: &'static str,
        /// `e_phentsize` or `e_shentsize`.
        size: u16,
        /// The size of the structure for this class.
        expected: u16,
    },
    /// More entries than [`super::Limits`] allows.
    TooMany {
        /// "program headers" or "section headers".
        what: &'static str,
        /// The count in the file.
        count: u64,
        /// The limit.
        limit: u64,
    },
    /// A table or a piece of contents lies (partly) outside the file.
    OutOfFile {
        /// What it is, e.g. "the program header table" or "segment 3".
        what: String,
        /// Its file offset.
        offset: u64,
        /// Its size.
        len: u64,
        /// File size.
        size: u64,
    },
    /// A segment's or section's memory range runs past the end of the address space.
    AddressWraps {
        /// What it is.
        what: String,
        /// Start address.
        addr: u64,
        /// Size in memory.
        len: u64,
        /// The class's address width (32 or 64).
        bits: u32,
    },
    /// A segment is bigger in memory than any real address space.
    TooBigInMemory {
        /// Segment number.
        index: usize,
        /// `p_memsz`.
        memsz: u64,
    },
    /// `e_shstrndx` does not name a section.
    BadShstrndx {
        /// The index.
        index: u64,
        /// Number of sections.
        count: u64,
    },
    /// A name offset points past its string table, or the name runs off its end.
    BadName {
        /// Section number whose name is bad.
        index: usize,
        /// `sh_name`.
        offset: u32,
        /// Size of the string table.
        table_size: u64,
        /// True if the offset is inside the table but no NUL ends the name.
        unterminated: bool,
    },
    /// `PT_INTERP` is malformed (empty, or its last byte is not NUL).
    BadInterp(&'static str),
    /// The dynamic section is malformed.
    BadDynamic(String),
    /// goblin refused a structure that the checks above let through.
    Goblin(String),
}

impl fmt::Display for ElfError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ElfError::TooLarge { size, limit } => {
                write!(f, "the file is {size} bytes; the limit is {limit} bytes")
            }
            ElfError::Truncated { what, need, size } => write!(
                f,
                "the file is truncated: {what} needs {need} bytes but the file has {size}"
            ),
            ElfError::BadMagic => {
                f.write_str("not an ELF file: the first 4 bytes are not 7f 45 4c 46 (\"\\x7fELF\")")
            }
            ElfError::BadClass(c) => {
                write!(f, "bad EI_CLASS {c}: expected 1 (32-bit) or 2 (64-bit)")
            }
            ElfError::BadEndian(d) => {
                write!(f, "bad EI_DATA {d}: expected 1 (little-endian) or 2 (big-endian)")
            }
            ElfError::BadEntrySize { what, size, expected } => write!(
                f,
                "bad {what} entry size {size}: this class needs {expected}"
            ),
            ElfError::TooMany { what, count, limit } => {
                write!(f, "too many {what}: {count} (the limit is {limit})")
            }
            ElfError::OutOfFile { what, offset, len, size } => write!(
                f,
                "{what} (offset {offset:#x}, {len:#x} bytes) runs past the end of the file ({size:#x} bytes)"
            ),
            ElfError::AddressWraps { what, addr, len, bits } => write!(
                f,
                "{what} (address {addr:#x}, {len:#x} bytes) runs past the end of the {bits}-bit address space"
            ),
            ElfError::TooBigInMemory { index, memsz } => write!(
                f,
                "segment {index} has p_memsz {memsz:#x}, larger than any address space (2^57 bytes)"
            ),
            ElfError::BadShstrndx { index, count } => write!(
                f,
                "e_shstrndx {index} names no section (the file has {count})"
            ),
            ElfError::BadName { index, offset, table_size, unterminated } => {
                if *unterminated {
                    write!(
                        f,
                        "section {index}: the name at offset {offset} has no NUL before the end of the section name table ({table_size} bytes)"
                    )
                } else {
                    write!(
                        f,
                        "section {index}: name offset {offset} is past the end of the section name table ({table_size} bytes)"
                    )
                }
            }
            ElfError::BadInterp(why) => write!(f, "bad PT_INTERP: {why}"),
            ElfError::BadDynamic(why) => write!(f, "bad dynamic section: {why}"),
            ElfError::Goblin(why) => write!(f, "goblin could not parse the file: {why}"),
        }
    }
}

impl std::error::Error for ElfError {}
