//! The one interface through which the CPU reaches memory: every load, store and instruction
//! fetch names a linear address and the privilege it is made with, and the implementation (the
//! MMU) translates it through the page tables or raises a fault.

use super::fault::Fault;

/// What kind of access a translation is for; decides which page-table bits are checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Access {
    /// A data read.
    Read,
    /// A data write.
    Write,
    /// An instruction fetch.
    Fetch,
}

/// Paging controls the CPU hands to its memory when CR0, CR3, CR4 or EFER change.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PagingConfig {
    /// CR0.PG: translate through page tables; off means linear = physical.
    pub enabled: bool,
    /// CR3: the physical address of the top-level table (low 12 bits ignored).
    pub cr3: u64,
    /// CR4.LA57: 5-level paging.
    pub la57: bool,
    /// CR0.WP: supervisor writes honour read-only pages.
    pub wp: bool,
    /// EFER.NXE: the XD bit (63) is honoured.
    pub nxe: bool,
}

/// Memory as the CPU sees it.
pub trait Bus {
    /// Reads `size` bytes (1, 2, 4 or 8), little-endian, at linear address `addr`.
    fn read(&mut self, addr: u64, size: u32, user: bool) -> Result<u64, Fault>;
    /// Writes the low `size` bytes (1, 2, 4 or 8) of `value` at `addr`.
    fn write(&mut self, addr: u64, size: u32, value: u64, user: bool) -> Result<(), Fault>;
    /// Checks that `len` bytes at `addr` could be accessed, without touching them (so a
    /// multi-part store faults before any part is written).
    fn probe(&mut self, addr: u64, len: u64, access: Access, user: bool) -> Result<(), Fault>;
    /// Translates an instruction fetch at `addr` and returns the physical address.
    fn translate_fetch(&mut self, addr: u64, user: bool) -> Result<u64, Fault>;
    /// Copies physical memory into `buf` (for the decoder; unbacked memory reads as zero).
    fn read_phys(&self, paddr: u64, buf: &mut [u8]);
    /// Installs new paging controls and flushes the TLB (a CR3 write does this).
    fn set_paging(&mut self, cfg: PagingConfig);
    /// Drops the TLB entry for one linear address (INVLPG).
    fn invlpg(&mut self, addr: u64);
    /// A counter that changes whenever translations may have changed (paging controls
    /// installed, INVLPG): the decode cache reuses a page's translation only while it holds.
    fn translation_epoch(&self) -> u64;
    /// Notes that the physical frame holds decoded instructions, so writes to it are reported.
    fn mark_code_frame(&mut self, frame: u64);
    /// True when some code frame was written since the last [`Bus::take_code_writes`].
    fn code_writes_pending(&self) -> bool;
    /// Moves the numbers of written code frames into `out`.
    fn take_code_writes(&mut self, out: &mut Vec<u64>);
}

/// Reads 16 bytes (two 8-byte halves, checked together first).
pub fn read128<B: Bus + ?Sized>(bus: &mut B, addr: u64, user: bool) -> Result<u128, Fault> {
    bus.probe(addr, 16, Access::Read, user)?;
    let lo = bus.read(addr, 8, user)?;
    let hi = bus.read(addr.wrapping_add(8), 8, user)?;
    Ok(u128::from(lo) | (u128::from(hi) << 64))
}

/// Writes 16 bytes, faulting before any byte is written if either half would fault.
pub fn write128<B: Bus + ?Sized>(
    bus: &mut B,
    addr: u64,
    value: u128,
    user: bool,
) -> Result<(), Fault> {
    bus.probe(addr, 16, Access::Write, user)?;
    bus.write(addr, 8, value as u64, user)?;
    bus.write(addr.wrapping_add(8), 8, (value >> 64) as u64, user)
}
