//! What the walker reads page tables from: any byte-addressed physical memory.

use crate::mmu::phys::PhysMem;

/// Physical memory the walker can read entries from and write A/D bits back to.
pub trait PhysMemory {
    /// Copies `buf.len()` bytes at physical address `addr`; false when any byte lies outside
    /// the memory (nothing is guaranteed about `buf` then).
    fn read_phys(&self, addr: u64, buf: &mut [u8]) -> bool;
    /// Writes `data` at `addr`; false (and nothing written) when any byte lies outside.
    fn write_phys(&mut self, addr: u64, data: &[u8]) -> bool;
}

fn range(addr: u64, len: usize, size: usize) -> Option<std::ops::Range<usize>> {
    let start = usize::try_from(addr).ok()?;
    let end = start.checked_add(len)?;
    (end <= size).then_some(start..end)
}

impl PhysMemory for [u8] {
    fn read_phys(&self, addr: u64, buf: &mut [u8]) -> bool {
        match range(addr, buf.len(), self.len()).and_then(|r| self.get(r)) {
            Some(src) => {
                buf.copy_from_slice(src);
                true
            }
            None => false,
        }
    }

    fn write_phys(&mut self, addr: u64, data: &[u8]) -> bool {
        let n = self.len();
        match range(addr, data.len(), n).and_then(|r| self.get_mut(r)) {
            Some(dst) => {
                dst.copy_from_slice(data);
                true
            }
            None => false,
        }
    }
}

impl PhysMemory for Vec<u8> {
    fn read_phys(&self, addr: u64, buf: &mut [u8]) -> bool {
        self.as_slice().read_phys(addr, buf)
    }

    fn write_phys(&mut self, addr: u64, data: &[u8]) -> bool {
        self.as_mut_slice().write_phys(addr, data)
    }
}

/// The CPU's physical memory (unbacked frames below its limit read as zero, as there).
impl PhysMemory for PhysMem {
    fn read_phys(&self, addr: u64, buf: &mut [u8]) -> bool {
        let ok = below(self.limit(), addr, buf.len());
        if ok {
            self.read(addr, buf);
        }
        ok
    }

    fn write_phys(&mut self, addr: u64, data: &[u8]) -> bool {
        let ok = below(self.limit(), addr, data.len());
        if ok {
            self.write(addr, data);
        }
        ok
    }
}

/// True if `len` bytes from `addr` lie below `limit`.
fn below(limit: u64, addr: u64, len: usize) -> bool {
    addr.checked_add(len as u64).is_some_and(|e| e <= limit)
}

/// Reads a little-endian entry of `bytes` bytes (1, 2, 4 or 8).
pub fn read_entry<M: PhysMemory + ?Sized>(mem: &M, addr: u64, bytes: u8) -> Option<u64> {
    let mut b = [0u8; 8];
    let n = usize::from(bytes).min(8);
    let part = b.get_mut(..n)?;
    mem.read_phys(addr, part).then(|| u64::from_le_bytes(b))
}

/// Writes the low `bytes` bytes of `value` little-endian.
pub fn write_entry<M: PhysMemory + ?Sized>(mem: &mut M, addr: u64, bytes: u8, value: u64) -> bool {
    let b = value.to_le_bytes();
    b.get(..usize::from(bytes).min(8))
        .is_some_and(|part| mem.write_phys(addr, part))
}
