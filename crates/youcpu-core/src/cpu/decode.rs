//! Decode once: instructions decoded by iced-x86 are cached by physical address, so a hot loop
//! is decoded a single time. The cache listens to the bus for writes to code frames and drops
//! those frames (self-modifying code stays correct); a cached instruction is reused only at the
//! same linear address (RIP-relative operands depend on it).

use super::bus::Bus;
use super::fault::Fault;
use iced_x86::{Decoder, DecoderError, DecoderOptions, Instruction};

const PAGE: usize = 4096;

/// Most instructions kept before the cache starts over (bounds its memory).
pub const MAX_CACHED: usize = 1 << 20;

/// Decoded instructions, indexed by physical frame and offset.
#[derive(Clone, Default)]
pub struct DecodeCache {
    /// Frame number -> table number + 1 (0 = none).
    frame_table: Vec<u32>,
    /// Per frame: offset -> instruction number + 1 (0 = not decoded).
    tables: Vec<Box<[u32; PAGE]>>,
    pool: Vec<Instruction>,
    /// Per pool entry: the pool index of the instruction that ran after it last time it did
    /// not fall through (a branch target), + 1; 0 = none.
    links: Vec<u32>,
    scratch: Vec<u64>,
    /// Pool index + 1 of the instruction fetched last (0 = none), with its RIP, the privilege
    /// and translation epoch it was fetched under: the fast path for the next fetch.
    prev: u32,
    prev_rip: u64,
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
        self.links.clear();
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

    /// Fetches and decodes the instruction at `rip`, from the cache when possible.
    #[inline(always)]
    pub fn fetch<B: Bus + ?Sized>(
        &mut self,
        bus: &mut B,
        rip: u64,
        user: bool,
    ) -> Result<Instruction, Fault> {
        match self.fetch_fast(bus, rip, user) {
            Some(ins) => Ok(ins),
            None => self.fetch_slow(bus, rip, user),
        }
    }

    /// The fast path: the same page as the previous instruction, same privilege, no
    /// translation change and no code write since: the next instruction in decode order
    /// (straight-line code) or the one that followed last time (a loop's branch target).
    /// `None` means "use [`DecodeCache::fetch`]" (it cannot fault, so it returns no error).
    #[inline(always)]
    pub fn fetch_fast<B: Bus + ?Sized>(
        &mut self,
        bus: &B,
        rip: u64,
        user: bool,
    ) -> Option<Instruction> {
        if self.prev == 0
            || (rip ^ self.prev_rip) >= 4096
            || user != self.prev_user
            || bus.translation_epoch() != self.prev_epoch
            || bus.code_writes_pending()
        {
            return None;
        }
        let p = self.prev as usize;
        if let Some(ins) = self.pool.get(p) {
            if ins.ip() == rip {
                self.prev = p as u32 + 1;
                self.prev_rip = rip;
                return Some(*ins);
            }
        }
        let l = *self.links.get(p - 1)?;
        let ins = self.pool.get((l as usize).wrapping_sub(1))?;
        if ins.ip() != rip {
            return None;
        }
        self.prev = l;
        self.prev_rip = rip;
        Some(*ins)
    }

    #[cold]
    #[inline(never)]
    /// The full lookup: invalidations, translation, the per-frame table, decoding.
    pub fn fetch_slow<B: Bus + ?Sized>(
        &mut self,
        bus: &mut B,
        rip: u64,
        user: bool,
    ) -> Result<Instruction, Fault> {
        if bus.code_writes_pending() {
            let mut frames = std::mem::take(&mut self.scratch);
            bus.take_code_writes(&mut frames);
            for f in frames.drain(..) {
                self.invalidate_frame(f);
            }
            self.scratch = frames;
            // Links may lead into the dropped code: forget them all (self-modifying code is rare).
            self.links.fill(0);
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
                        if let Some(ins) = self.pool.get(i as usize - 1) {
                            if ins.ip() == rip {
                                let ins = *ins;
                                self.remember(i, rip, user, epoch);
                                return Ok(ins);
                            }
                        }
                    }
                }
            }
        }
        let ins = self.decode_slow(bus, rip, paddr, user)?;
        if self.pool.last().map(|i| i.ip()) == Some(rip) && !self.pool.is_empty() {
            let i = self.pool.len() as u32;
            self.remember(i, rip, user, epoch);
        } else {
            self.prev = 0;
        }
        Ok(ins)
    }

    /// Links the previous instruction to pool entry `i` (+1) and makes `i` the previous one.
    fn remember(&mut self, i: u32, rip: u64, user: bool, epoch: u64) {
        if self.prev != 0 && self.prev != i - 1 {
            if let Some(l) = self.links.get_mut(self.prev as usize - 1) {
                *l = i;
            }
        }
        self.prev = i;
        self.prev_rip = rip;
        self.prev_user = user;
        self.prev_epoch = epoch;
    }

    fn decode_slow<B: Bus + ?Sized>(
        &mut self,
        bus: &mut B,
        rip: u64,
        paddr: u64,
        user: bool,
    ) -> Result<Instruction, Fault> {
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
        if !crosses {
            self.insert(bus, paddr, ins);
        }
        Ok(ins)
    }

    fn insert<B: Bus + ?Sized>(&mut self, bus: &mut B, paddr: u64, ins: Instruction) {
        if self.pool.len() >= MAX_CACHED {
            self.clear();
            for f in self.frame_table.iter_mut() {
                *f = 0;
            }
        }
        let frame = (paddr >> 12) as usize;
        let off = (paddr & 0xfff) as usize;
        if self.frame_table.len() <= frame {
            self.frame_table.resize(frame + 1, 0);
        }
        let Some(slot) = self.frame_table.get_mut(frame) else {
            return;
        };
        if *slot == 0 {
            self.tables.push(Box::new([0; PAGE]));
            *slot = self.tables.len() as u32;
            bus.mark_code_frame(frame as u64);
        }
        let t = *slot as usize - 1;
        self.pool.push(ins);
        self.links.push(0);
        let idx = self.pool.len() as u32;
        if let Some(e) = self.tables.get_mut(t).and_then(|tb| tb.get_mut(off)) {
            *e = idx;
        }
        // A frame whose table was wiped after a write is being re-decoded: watch it again.
        bus.mark_code_frame(frame as u64);
    }
}
