//! ELF files: a bounds-checked inspector and a small writer.
//!
//! [`parse`] reads an ELF file (32- or 64-bit, either byte order) with goblin and returns an
//! [`ElfFile`]: the ELF header, the program headers (segments), the section headers with their
//! names, the `PT_INTERP` path and a summary of the dynamic section. Every field carries the byte
//! range it was read from ([`Field`], [`ByteRange`]), so a hex view can highlight it, and the
//! parse records its steps ([`Step`]) for a widget to replay. Type names, section flag letters and
//! segment flags are spelled as GNU `readelf -W -h -l -S` prints them ([`names`]).
//!
//! Malformed input gives an [`ElfError`], never a panic: tables and contents must lie inside the
//! file, counts are capped ([`Limits`]), and memory stays proportional to the file size because
//! every count is checked against the file before anything is allocated for it.
//!
//! [`memory_map`] turns the `PT_LOAD` segments into the pages the kernel maps, for a picture of
//! the address space. [`writer`] builds minimal static executables from code and data bytes.

mod dynamic;
mod error;
mod header;
mod map;
pub mod names;
mod parse;
mod read;
mod sections;
mod segments;
pub mod writer;

pub use dynamic::{DynEntry, DynString, DynamicSummary, Interp};
pub use error::ElfError;
pub use header::{Class, ElfHeader, Endian};
pub use map::{memory_map, MapRegion};
pub use parse::{parse, parse_with_limits, ElfFile, Step};
pub use sections::{Section, NO_STRINGS};
pub use segments::Segment;

use serde::Serialize;

/// The largest file [`parse`] accepts: 64 MiB, enough for any program the article shows and
/// small enough for a browser tab. [`parse_with_limits`] takes another bound.
pub const MAX_FILE_SIZE: u64 = 64 << 20;
/// The most program headers accepted. `e_phnum` is 16 bits; with `PN_XNUM` (0xffff) the real
/// count comes from section 0's `sh_info`, which is 32 bits, so it is capped here.
pub const MAX_SEGMENTS: u64 = 65_535;
/// The most section headers accepted (more than 65,279 need the `e_shnum == 0` escape, which is
/// supported).
pub const MAX_SECTIONS: u64 = 1 << 17;

/// Bounds applied while parsing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Limits {
    /// Largest accepted file, in bytes.
    pub max_file_size: u64,
    /// Most program headers.
    pub max_segments: u64,
    /// Most section headers.
    pub max_sections: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_size: MAX_FILE_SIZE,
            max_segments: MAX_SEGMENTS,
            max_sections: MAX_SECTIONS,
        }
    }
}

/// A half-open range of byte offsets in the file, `start..end`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct ByteRange {
    /// First byte.
    pub start: u64,
    /// One past the last byte.
    pub end: u64,
}

impl ByteRange {
    /// The range of `len` bytes starting at `start` (saturating; callers check bounds first).
    pub fn at(start: u64, len: u64) -> Self {
        ByteRange {
            start,
            end: start.saturating_add(len),
        }
    }

    /// Number of bytes in the range.
    pub fn len(&self) -> u64 {
        self.end.saturating_sub(self.start)
    }

    /// Whether the range holds no bytes.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A parsed value and the bytes of the file it was read from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Field<T> {
    /// The value, converted to host order.
    pub value: T,
    /// Where it is stored in the file.
    pub bytes: ByteRange,
}

impl<T> Field<T> {
    /// A value read from `len` bytes at `base + offset`.
    pub(crate) fn at(value: T, base: u64, offset: u64, len: u64) -> Self {
        Field {
            value,
            bytes: ByteRange::at(base.saturating_add(offset), len),
        }
    }
}
