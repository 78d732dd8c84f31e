//! Decode once: instructions decoded by iced-x86 are cached by physical address, so a hot loop
//! is decoded a single time, and each is also compiled into a compact [`Uop`] that the
//! interpreter runs directly. The cache listens to the bus for writes to code frames and drops
//! those frames (self-modifying code stays correct); a cached instruction is reused only at the
//! same linear address (RIP-relative operands depend on it).
//!
//! The common case skips even the table lookup: each entry remembers which entry ran after it
//! when it fell through and when it branched, and while the translation epoch and privilege
//! hold, the next instruction on the same linear page and physical frame is taken from there.

use super::bus::Bus;
use super::fault::Fault;
use super::uop::{compile, Uop};
use iced_x86::{Decoder, DecoderError, DecoderOptions, Instruction};

const PAGE: usize = 4096;

/// Most instructions kept before the cache starts over (bounds its memory).
pub const MAX_CACHED: usize = 1 << 20;

/// Frames at or above this number (64 GiB) are not cached: the per-frame index would grow too
/// large (a page table may name any frame; unbacked memory reads as zeros).
pub const MAX_FRAME: usize = 1 << 24;

/// Where a fetched instruction is.
#[derive(Clone, Debug)]
pub enum Fetched {
    /// In the cache: the pool index (see [`DecodeCache::uop`], [`DecodeCache::instruction`]).
    Cached(u32),
    /// Decoded but not cached (it crosses a page boundary).
    Uncached(Box<Instruction>),
}

/// Decoded instructions, indexed by physical frame and offset.
#[derive(Clone, Default)]
pub struct DecodeCache {
    /// Frame number -> table number + 1 (0 = none).
    frame_table: Vec<u32>,
    /// Per frame: offset -> instruction number + 1 (0 = not decoded).
    tables: Vec<Box<[u32; PAGE]>>,
    /// The decoded instructions (for the generic handlers and for display).
    pool: Vec<Instruction>,
    /// Their compact forms and successor links, same indices as `pool`.
    uops: Vec<Uop>,
    scratch: Vec<u64>,
    /// Pool index + 1 of the instruction fetched last (0 = none), with the privilege and
    /// translation epoch it was fetched under: the fast path for the next fetch.
    prev: u32,
    prev_user: bool,
    prev_epoch: u64,
    /// Instructions decoded (cache misses).
    pub decoded: u64,
}

impl DecodeCache {
    /// Drops everything.
    pub fn clear(&mut self) {
        self.frame_table.clear();
        self.tables.clear();
        self.pool.clear();
        self.uops.clear();
        self.prev = 0;
    }

    fn invalidate_frame(&mut self, frame: u64) {
        if let Some(&t) = self.frame_table.get(frame as usize) {
            if t != 0 {
                if let Some(table) = self.tables.get_mut(t as usize - 1) {
                    table.fill(0);
                }
            }
        }
    }

    /// The compact form of pool entry `i`.
    #[inline(always)]
    pub fn uop(&self, i: u32) -> Option<&Uop> {
        self.uops.get(i as usize)
    }

    /// The decoded instruction of pool entry `i`.
    #[inline(always)]
    pub fn instruction(&self, i: u32) -> Option<&Instruction> {
        self.pool.get(i as usize)
    }

    /// Fetches and decodes the instruction at `rip`, from the cache when possible.
    pub fn fetch<B: Bus + ?Sized>(
        &mut self,
        bus: &mut B,
        rip: u64,
        user: bool,
    ) -> Result<Instruction, Fault> {
        let f = match self.next_fast(bus, rip, user) {
            Some(i) => Fetched::Cached(i),
            None => self.lookup(bus, rip, user)?,
        };
        match f {
            Fetched::Cached(i) => self
                .instruction(i)
                .copied()
                .ok_or_else(|| Fault::ud(format!("decode cache lost the instruction at {rip:#x}"))),
            Fetched::Uncached(ins) => Ok(*ins),
        }
    }

    /// The fast path: same privilege, no translation change and no code write since the
    /// previous fetch, and `rip` on the previous instruction's linear page: the entry that
    /// followed it last time (by falling through or by branching), if it was decoded at `rip`
    /// from the same physical frame. Returns its pool index; `None` means "use
    /// [`DecodeCache::lookup`]" (this path cannot fault).
    #[inline(always)]
    pub fn next_fast<B: Bus + ?Sized>(&mut self, bus: &B, rip: u64, user: bool) -> Option<u32> {
        if self.prev == 0
            || user != self.prev_user
            || bus.translation_epoch() != self.prev_epoch
            || bus.code_writes_pending()
        {
            return None;
        }
        let p = self.uops.get(self.prev as usize - 1)?;
        let next = if rip == p.next_ip { p.fall } else { p.link };
        let frame = p.frame;
        if (rip ^ p.ip) >= PAGE as u64 {
            return None;
        }
        let c = self.uops.get((next as usize).wrapping_sub(1))?;
        if c.ip != rip || c.frame != frame {
            return None;
        }
        self.prev = next;
        Some(next - 1)
    }

    /// Where a run of successor links may start: the pool index + 1 of the instruction
    /// fetched last, when its links can be trusted now (same privilege and translation
    /// epoch as when it was fetched, no code frame written since); 0 otherwise. While the
    /// links hold, [`DecodeCache::successor`] is the whole fetch.
    #[inline(always)]
    pub fn chain_start<B: Bus + ?Sized>(&self, bus: &B, user: bool) -> u32 {
        if self.prev == 0
            || user != self.prev_user
            || bus.translation_epoch() != self.prev_epoch
            || bus.code_writes_pending()
        {
            return 0;
        }
        self.prev
    }

    /// The instruction that follows entry `p` (pool index + 1) when RIP is `rip`, by its
    /// fall-through or branch link, if that entry was decoded at `rip`: (its pool index + 1,
    /// its compact form). Links join entries of one linear page and physical frame only
    /// (see `remember`), so the translation that fetched `p` fetches it too. The caller must
    /// know the links still hold ([`DecodeCache::chain_start`], and no code write since).
    #[inline(always)]
    pub fn successor(&self, p: u32, rip: u64) -> Option<(u32, &Uop)> {
        let pu = self.uops.get((p as usize).wrapping_sub(1))?;
        let next = if rip == pu.next_ip { pu.fall } else { pu.link };
        let c = self.uops.get((next as usize).wrapping_sub(1))?;
        if c.ip != rip {
            return None;
        }
        Some((next, c))
    }

    /// Makes entry `p` (pool index + 1, from [`DecodeCache::successor`]) the one fetched
    /// last, under the privilege and epoch [`DecodeCache::chain_start`] checked.
    #[inline(always)]
    pub fn set_prev(&mut self, p: u32) {
        self.prev = p;
    }

    #[cold]
    #[inline(never)]
    /// The full lookup: invalidations, translation, the per-frame table, decoding.
    pub fn lookup<B: Bus + ?Sized>(
        &mut self,
        bus: &mut B,
        rip: u64,
        user: bool,
    ) -> Result<Fetched, Fault> {
        if bus.code_writes_pending() {
            let mut frames = std::mem::take(&mut self.scratch);
            bus.take_code_writes(&mut frames);
            for f in frames.drain(..) {
                self.invalidate_frame(f);
            }
            self.scratch = frames;
            self.prev = 0;
        }
        let epoch = bus.translation_epoch();
        let paddr = bus.translate_fetch(rip, user)?;
        let frame = (paddr >> 12) as usize;
        let off = (paddr & 0xfff) as usize;
        if let Some(&t) = self.frame_table.get(frame) {
            if t != 0 {
                if let Some(&i) = self.tables.get(t as usize - 1).and_then(|tb| tb.get(off)) {
                    if i != 0 {
                        if let Some(u) = self.uops.get(i as usize - 1) {
                            if u.ip == rip {
                                self.remember(i, rip, user, epoch);
                                return Ok(Fetched::Cached(i - 1));
                            }
                        }
                    }
                }
            }
        }
        let (ins, crosses) = self.decode(bus, rip, paddr, user)?;
        if !crosses {
            if let Some(i) = self.insert(bus, paddr, ins) {
                self.remember(i + 1, rip, user, epoch);
                return Ok(Fetched::Cached(i));
            }
        }
        self.prev = 0;
        Ok(Fetched::Uncached(Box::new(ins)))
    }

    /// Records entry `i` (+1) as the successor of the previous one and makes it the previous.
    /// Only an entry decoded from the same linear page and physical frame is linked: such
    /// a pair is dropped together when the frame is written (the table is per frame), so
    /// a link never leads from a live entry to a stale one.
    fn remember(&mut self, i: u32, rip: u64, user: bool, epoch: u64) {
        if self.prev != 0 {
            let frame = self.uops.get(i as usize - 1).map(|u| u.frame);
            if let Some(p) = self.uops.get_mut(self.prev as usize - 1) {
                let link = if Some(p.frame) == frame && (rip ^ p.ip) < PAGE as u64 {
                    i
                } else {
                    0
                };
                if p.next_ip == rip {
                    p.fall = link;
                } else {
                    p.link = link;
                }
            }
        }
        self.prev = i;
        self.prev_user = user;
        self.prev_epoch = epoch;
    }

    /// Decodes one instruction; true when it continues on the next page.
    fn decode<B: Bus + ?Sized>(
        &mut self,
        bus: &mut B,
        rip: u64,
        paddr: u64,
        user: bool,
    ) -> Result<(Instruction, bool), Fault> {
        self.decoded += 1;
        let off = (paddr & 0xfff) as usize;
        let in_page = (PAGE - off).min(15);
        let mut bytes = [0u8; 15];
        bus.read_phys(paddr, &mut bytes[..in_page]);
        let mut ins = Instruction::default();
        let mut dec = Decoder::with_ip(64, &bytes[..in_page], rip, DecoderOptions::NONE);
        dec.decode_out(&mut ins);
        let mut crosses = false;
        if dec.last_error() == DecoderError::NoMoreBytes && in_page < 15 {
            // The instruction continues on the next page: that fetch must translate too.
            let next = rip.wrapping_add(in_page as u64);
            let p2 = bus.translate_fetch(next, user)?;
            bus.read_phys(p2, &mut bytes[in_page..]);
            let mut dec = Decoder::with_ip(64, &bytes, rip, DecoderOptions::NONE);
            dec.decode_out(&mut ins);
            crosses = true;
        }
        if ins.is_invalid() {
            let n = ins.len().max(1).min(bytes.len());
            let hex: Vec<String> = bytes
                .iter()
                .take(n.max(4))
                .map(|b| format!("{b:02x}"))
                .collect();
            return Err(Fault::ud(format!(
                "cannot decode the bytes {} at {rip:#x}",
                hex.join(" ")
            )));
        }
        Ok((ins, crosses))
    }

    /// Caches `ins` (decoded at physical `paddr`) and returns its pool index (`None`: not
    /// cacheable, the frame is at or above [`MAX_FRAME`]).
    fn insert<B: Bus + ?Sized>(
        &mut self,
        bus: &mut B,
        paddr: u64,
        ins: Instruction,
    ) -> Option<u32> {
        if self.pool.len() >= MAX_CACHED {
            self.clear();
        }
        let frame = (paddr >> 12) as usize;
        let off = (paddr & 0xfff) as usize;
        if frame >= MAX_FRAME {
            return None;
        }
        if self.frame_table.len() <= frame {
            self.frame_table.resize(frame + 1, 0);
        }
        let slot = self.frame_table.get_mut(frame)?;
        if *slot == 0 {
            self.tables.push(Box::new([0; PAGE]));
            *slot = self.tables.len() as u32;
        }
        let t = *slot as usize - 1;
        let mut u = compile(&ins);
        u.frame = frame as u64;
        self.pool.push(ins);
        self.uops.push(u);
        let idx = self.pool.len() as u32;
        if let Some(e) = self.tables.get_mut(t).and_then(|tb| tb.get_mut(off)) {
            *e = idx;
        }
        // Watch the frame for writes (again, if its table was wiped after one).
        bus.mark_code_frame(frame as u64);
        Some(idx - 1)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use crate::cpu::Cpu;
    use crate::mmu::Mmu;

    /// Runs the instruction at 0x1000 (paging off: linear = physical) and returns RAX.
    fn run_at_0x1000(cpu: &mut Cpu, mmu: &mut Mmu) -> u64 {
        cpu.s.rip = 0x1000;
        cpu.step(mmu).unwrap();
        cpu.s.gpr[0]
    }

    /// Code changed behind the CPU's back (a kernel-side copy into the frame, the frame freed
    /// and handed out again with new contents) is decoded afresh, not taken from the cache.
    #[test]
    fn changes_to_a_code_frame_outside_the_cpu_drop_its_decodes() {
        let mut mmu = Mmu::new(1 << 20);
        let mut cpu = Cpu::new();
        assert_eq!(mmu.phys.alloc_frame().unwrap(), 1);
        mmu.phys.write(0x1000, &[0xb8, 1, 0, 0, 0]); // mov eax, 1
        assert_eq!(run_at_0x1000(&mut cpu, &mut mmu), 1);
        assert_eq!(run_at_0x1000(&mut cpu, &mut mmu), 1);
        let decoded = cpu.icache.decoded;
        mmu.phys.write(0x1001, &[2]); // now mov eax, 2
        assert_eq!(run_at_0x1000(&mut cpu, &mut mmu), 2);
        assert_eq!(cpu.icache.decoded, decoded + 1);
        mmu.phys.free_frame(1);
        assert_eq!(mmu.phys.alloc_frame().unwrap(), 1);
        mmu.phys.write(0x1000, &[0xb8, 3, 0, 0, 0]); // mov eax, 3
        assert_eq!(run_at_0x1000(&mut cpu, &mut mmu), 3);
        // Unchanged code is not decoded again.
        let decoded = cpu.icache.decoded;
        assert_eq!(run_at_0x1000(&mut cpu, &mut mmu), 3);
        assert_eq!(cpu.icache.decoded, decoded);
    }
}
