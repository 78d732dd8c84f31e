//! The parameters of a page-table format: how a virtual address splits into indices and an
//! offset, and where the fields of an entry are. x86-64 4-level is the default (Intel SDM vol. 3
//! §4.5); 5-level (LA57) and small teaching formats are described by the same fields.

use serde::Serialize;
use std::fmt;

/// Most levels a format may have.
pub const MAX_LEVELS: usize = 8;

/// What the bits of a virtual address above the address width must be.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum HighBits {
    /// Copies of the top implemented bit (x86-64 canonical addresses, SDM vol. 1 §3.3.7.1).
    Canonical,
    /// Zero: the address must fit in the width.
    Zero,
}

/// Positions of the optional flag bits of an entry (`None`: the format has no such bit).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct EntryBits {
    /// R/W: writes allowed when set.
    pub rw: Option<u8>,
    /// U/S: user (ring 3) access allowed when set.
    pub us: Option<u8>,
    /// A: accessed, set by the walk.
    pub accessed: Option<u8>,
    /// D: dirty, set in the leaf entry on a write.
    pub dirty: Option<u8>,
    /// PS: this entry maps a huge page (only at the levels in [`Format::huge_levels`]).
    pub ps: Option<u8>,
    /// G: global, kept in the TLB across address-space switches.
    pub global: Option<u8>,
    /// NX/XD: instruction fetches forbidden when set (and NX is enabled).
    pub nx: Option<u8>,
}

/// A page-table format. Level 0 is the root (top) table; the index for level `i` is taken from
/// the virtual address top level first, above the `offset_bits` page offset.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Format {
    /// Index bits per level, root first.
    pub levels: Vec<u8>,
    /// Page-offset bits: a page (and the unit a frame number counts) is `2^offset_bits` bytes.
    pub offset_bits: u8,
    /// Bytes per entry: 1, 2, 4 or 8, little-endian.
    pub pte_bytes: u8,
    /// The valid/present bit.
    pub present_bit: u8,
    /// Where the frame-number field starts inside an entry.
    pub pfn_shift: u8,
    /// Width of the frame-number field.
    pub pfn_bits: u8,
    /// The rule for address bits above the width.
    pub high_bits: HighBits,
    /// Flag bit positions.
    pub bits: EntryBits,
    /// Levels (root = 0) whose entries may map a huge page with PS set.
    pub huge_levels: Vec<usize>,
    /// Apply the x86-64 reserved-bit rules (SDM vol. 3 §4.5.4): PS in an entry of a level that
    /// cannot map a page, NX without NX enabled, frame bits below a huge page's alignment.
    pub x86_reserved: bool,
}

/// A format whose parameters do not describe a walkable table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FormatError(pub String);

impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for FormatError {}

/// The x86-64 entry bits (SDM vol. 3 tables 4-14 to 4-20).
pub const X86_BITS: EntryBits = EntryBits {
    rw: Some(1),
    us: Some(2),
    accessed: Some(5),
    dirty: Some(6),
    ps: Some(7),
    global: Some(8),
    nx: Some(63),
};

impl Default for Format {
    fn default() -> Self {
        Format::x86_64()
    }
}

impl Format {
    /// x86-64 4-level paging: PML4, PDPT, PD, PT of 9 bits each, 4 KiB pages, 8-byte entries
    /// holding physical address bits 12..51; 1 GiB pages in the PDPT and 2 MiB pages in the PD.
    pub fn x86_64() -> Format {
        Format {
            levels: vec![9; 4],
            offset_bits: 12,
            pte_bytes: 8,
            present_bit: 0,
            pfn_shift: 12,
            pfn_bits: 40,
            high_bits: HighBits::Canonical,
            bits: X86_BITS,
            huge_levels: vec![1, 2],
            x86_reserved: true,
        }
    }

    /// x86-64 5-level paging (CR4.LA57): a PML5 table above the PML4, 57-bit addresses.
    pub fn x86_64_la57() -> Format {
        Format {
            levels: vec![9; 5],
            huge_levels: vec![2, 3],
            ..Format::x86_64()
        }
    }

    /// A bare format: no flag bits, no huge pages, addresses must fit in the width.
    pub fn plain(
        levels: Vec<u8>,
        offset_bits: u8,
        pte_bytes: u8,
        present_bit: u8,
        pfn_shift: u8,
        pfn_bits: u8,
    ) -> Format {
        Format {
            levels,
            offset_bits,
            pte_bytes,
            present_bit,
            pfn_shift,
            pfn_bits,
            high_bits: HighBits::Zero,
            bits: EntryBits {
                rw: None,
                us: None,
                accessed: None,
                dirty: None,
                ps: None,
                global: None,
                nx: None,
            },
            huge_levels: Vec::new(),
            x86_reserved: false,
        }
    }

    /// True when the levels and entry layout are x86-64's (4- or 5-level).
    pub fn is_x86_layout(&self) -> bool {
        (self.levels.len() == 4 || self.levels.len() == 5)
            && self.levels.iter().all(|&b| b == 9)
            && self.offset_bits == 12
            && self.pte_bytes == 8
    }

    /// Virtual address width: the index bits plus the offset bits.
    pub fn va_bits(&self) -> u32 {
        self.levels.iter().map(|&b| u32::from(b)).sum::<u32>() + u32::from(self.offset_bits)
    }

    /// Bytes in a page.
    pub fn page_size(&self) -> u64 {
        1u64 << self.offset_bits
    }

    /// Number of address bits below level `level`'s index (its entries each cover 2^this bytes).
    pub fn shift_of(&self, level: usize) -> u32 {
        let below: u32 = self
            .levels
            .iter()
            .skip(level + 1)
            .map(|&b| u32::from(b))
            .sum();
        below + u32::from(self.offset_bits)
    }

    /// Checks every parameter; the walker and builder assume a checked format.
    pub fn validate(&self) -> Result<(), FormatError> {
        let e = |m: String| Err(FormatError(m));
        if self.levels.is_empty() || self.levels.len() > MAX_LEVELS {
            return e(format!(
                "a format needs 1 to {MAX_LEVELS} levels, not {}",
                self.levels.len()
            ));
        }
        if let Some(b) = self.levels.iter().find(|&&b| b == 0 || b > 32) {
            return e(format!("each level needs 1 to 32 index bits, not {b}"));
        }
        if self.offset_bits == 0 || self.offset_bits > 30 {
            return e(format!(
                "offset bits must be 1 to 30, not {}",
                self.offset_bits
            ));
        }
        if self.va_bits() > 64 {
            return e(format!(
                "the address width (index bits + offset bits) is {}, more than 64",
                self.va_bits()
            ));
        }
        if !matches!(self.pte_bytes, 1 | 2 | 4 | 8) {
            return e(format!(
                "entries are 1, 2, 4 or 8 bytes, not {}",
                self.pte_bytes
            ));
        }
        let width = u32::from(self.pte_bytes) * 8;
        if u32::from(self.present_bit) >= width {
            return e(format!(
                "the present bit {} is outside a {width}-bit entry",
                self.present_bit
            ));
        }
        if self.pfn_bits == 0 || u32::from(self.pfn_shift) + u32::from(self.pfn_bits) > width {
            return e(format!(
                "the frame-number field (bits {}..{}) does not fit in a {width}-bit entry",
                self.pfn_shift,
                u32::from(self.pfn_shift) + u32::from(self.pfn_bits)
            ));
        }
        if u32::from(self.pfn_bits) + u32::from(self.offset_bits) > 64 {
            return e(format!(
                "frame numbers of {} bits times pages of 2^{} bytes overflow 64-bit addresses",
                self.pfn_bits, self.offset_bits
            ));
        }
        let b = &self.bits;
        for (name, bit) in [
            ("rw", b.rw),
            ("us", b.us),
            ("accessed", b.accessed),
            ("dirty", b.dirty),
            ("ps", b.ps),
            ("global", b.global),
            ("nx", b.nx),
        ] {
            if let Some(x) = bit {
                if u32::from(x) >= width {
                    return e(format!("the {name} bit {x} is outside a {width}-bit entry"));
                }
            }
        }
        if let Some(&l) = self
            .huge_levels
            .iter()
            .find(|&&l| l == 0 || l + 1 >= self.levels.len())
        {
            return e(format!(
                "huge pages are possible below the root and above the last level, not at level {l}"
            ));
        }
        Ok(())
    }

    /// Reads entry field `bit` (false when the format has no such bit).
    pub fn flag(&self, entry: u64, bit: Option<u8>) -> bool {
        bit.is_some_and(|b| entry >> b & 1 == 1)
    }

    /// The frame number held in an entry.
    pub fn pfn(&self, entry: u64) -> u64 {
        (entry >> self.pfn_shift) & mask(u32::from(self.pfn_bits))
    }

    /// An entry pointing at frame `pfn`, present, with no other bits.
    pub fn make_entry(&self, pfn: u64) -> u64 {
        ((pfn & mask(u32::from(self.pfn_bits))) << self.pfn_shift) | 1 << self.present_bit
    }

    /// Reduces `va` to the address width, or `None` if its high bits break [`Format::high_bits`].
    pub fn narrow(&self, va: u64) -> Option<u64> {
        let w = self.va_bits();
        if w >= 64 {
            return Some(va);
        }
        let low = va & mask(w);
        let ok = match self.high_bits {
            HighBits::Zero => va == low,
            HighBits::Canonical => {
                let sign = ((va << (64 - w)) as i64 >> (64 - w)) as u64;
                sign == va
            }
        };
        ok.then_some(low)
    }

    /// The index of each level (root first) and the page offset of `va` (taken from its low
    /// bits; call [`Format::narrow`] first to check the high bits).
    pub fn split(&self, va: u64) -> (Vec<u64>, u64) {
        let idx = (0..self.levels.len())
            .map(|l| {
                let bits = self.levels.get(l).copied().unwrap_or(0);
                (va >> self.shift_of(l)) & mask(u32::from(bits))
            })
            .collect();
        (idx, va & mask(u32::from(self.offset_bits)))
    }
}

/// The low `n` bits set (all 64 when `n >= 64`).
pub fn mask(n: u32) -> u64 {
    if n >= 64 {
        u64::MAX
    } else {
        (1u64 << n) - 1
    }
}
