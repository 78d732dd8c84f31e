//! A field writer for hand-made ELF files in either byte order and class (the core's own
//! writer, `elf::writer`, writes only the little-endian 64-bit files the simulator runs;
//! tests of the parser and of readelf's names need the other three kinds too).

/// Bytes written field by field.
#[derive(Clone, Debug, Default)]
pub struct Fields {
    /// What has been written.
    pub buf: Vec<u8>,
    /// Big-endian (ELFDATA2MSB) rather than little-endian.
    pub big: bool,
    /// ELFCLASS64: address-sized fields are 8 bytes rather than 4.
    pub wide: bool,
}

impl Fields {
    /// An empty file of the given byte order and class.
    pub fn new(big: bool, wide: bool) -> Self {
        Fields {
            buf: Vec::new(),
            big,
            wide,
        }
    }

    /// The low `len` bytes (1 to 8) of `v` in the file's byte order.
    pub fn n(&mut self, v: u64, len: usize) {
        let b = v.to_be_bytes();
        let b = &b[8 - len..];
        if self.big {
            self.buf.extend_from_slice(b);
        } else {
            self.buf.extend(b.iter().rev());
        }
    }

    /// An address-sized field (Elf32_Addr/Off or Elf64_Addr/Off/Xword).
    pub fn w(&mut self, v: u64) {
        self.n(v, if self.wide { 8 } else { 4 });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_follow_the_byte_order_and_class() {
        let mut f = Fields::new(true, false);
        f.n(0x0102, 2);
        f.w(0x0304);
        assert_eq!(f.buf, [1, 2, 0, 0, 3, 4]);
        let mut f = Fields::new(false, true);
        f.n(0x0102, 2);
        f.w(0x0304);
        assert_eq!(f.buf, [2, 1, 4, 3, 0, 0, 0, 0, 0, 0]);
    }
}
