//! The memory management unit: simulated physical memory, the x86-64 page walk and a TLB,
//! behind the CPU's [`Bus`] interface.

pub mod paging;
pub mod phys;
pub mod tlb;

use crate::cpu::bus::{Access, Bus, PagingConfig};
use crate::cpu::fault::Fault;
use paging::{walk, Translation};
use phys::{PhysMem, PAGE_SIZE};
use tlb::{Tlb, TlbEntry};

/// Physical memory plus the translation machinery.
#[derive(Clone)]
pub struct Mmu {
    /// Physical memory.
    pub phys: PhysMem,
    /// The TLB.
    pub tlb: Tlb,
    cfg: PagingConfig,
    epoch: u64,
}

impl Mmu {
    /// An MMU over `limit` bytes of physical memory, paging off until the CPU turns it on.
    pub fn new(limit: u64) -> Self {
        Mmu {
            phys: PhysMem::new(limit),
            tlb: Tlb::default(),
            cfg: PagingConfig::default(),
            epoch: 0,
        }
    }

    /// The paging controls in force.
    pub fn paging(&self) -> PagingConfig {
        self.cfg
    }

    /// Walks the tables for `vaddr` without the TLB and records each step (for widgets).
    pub fn walk_traced(&mut self, vaddr: u64, access: Access, user: bool) -> paging::Walk {
        let cfg = self.cfg;
        paging::walk_traced(&mut self.phys, &cfg, vaddr, access, user)
    }

    /// Translates through the TLB, walking on a miss. Returns the physical address.
    #[inline(always)]
    pub fn translate(&mut self, vaddr: u64, access: Access, user: bool) -> Result<u64, Fault> {
        let vpn = vaddr >> 12;
        if let Some(e) = self.tlb.lookup(vpn) {
            if e.allow & tlb::allow_bit(access, user) != 0 {
                let paddr = (e.frame * PAGE_SIZE) | (vaddr & 0xfff);
                self.tlb.hits += 1;
                return Ok(paddr);
            }
        }
        self.translate_miss(vaddr, access, user)
    }

    /// The accesses a cached translation allows without a walk (Intel SDM vol. 3 §4.6,
    /// access rights): ring 3 only to user pages; writes only to writable pages (or, in
    /// ring 0 with CR0.WP clear, to any page), and only once D is set (the first write
    /// walks to set it, §4.8); fetches only without XD.
    fn allowed(&self, e: &TlbEntry) -> u8 {
        let mut allow = 0;
        for user in [false, true] {
            if user && !e.user {
                continue;
            }
            for access in [Access::Read, Access::Write, Access::Fetch] {
                let ok = match access {
                    Access::Read => true,
                    Access::Write => e.dirty && (e.writable || (!user && !self.cfg.wp)),
                    Access::Fetch => !e.no_exec,
                };
                if ok {
                    allow |= tlb::allow_bit(access, user);
                }
            }
        }
        allow
    }

    /// A TLB miss (or an entry that does not allow the access, e.g. the first write to a
    /// clean page, which must set D): walk the tables and cache the result.
    #[cold]
    #[inline(never)]
    fn translate_miss(&mut self, vaddr: u64, access: Access, user: bool) -> Result<u64, Fault> {
        let vpn = vaddr >> 12;
        self.tlb.misses += 1;
        let cfg = self.cfg;
        let t: Translation = walk(&mut self.phys, &cfg, vaddr, access, user, None)?;
        let frame = t.paddr / PAGE_SIZE;
        let mut e = TlbEntry {
            tag: 0,
            frame,
            user: t.user,
            writable: t.writable,
            no_exec: t.no_exec,
            dirty: t.dirty,
            allow: 0,
        };
        e.allow = self.allowed(&e);
        self.tlb.insert(vpn, e);
        Ok(t.paddr)
    }

    /// Copies `data` into guest memory at linear address `vaddr` with the given privilege
    /// (used by the kernel to copy out to user memory, like `copy_to_user`).
    pub fn write_bytes(&mut self, vaddr: u64, data: &[u8], user: bool) -> Result<(), Fault> {
        self.probe(vaddr, data.len() as u64, Access::Write, user)?;
        for (i, &b) in data.iter().enumerate() {
            self.write(vaddr.wrapping_add(i as u64), 1, u64::from(b), user)?;
        }
        Ok(())
    }

    /// Reads up to `buf.len()` bytes at linear address `vaddr` through the page tables at
    /// `cr3`, as a debugger reads a process: no accessed or dirty bits set, no TLB fill, no
    /// fault. Stops at the first byte not on a mapped 4 KiB page (a large-page mapping stops
    /// it too) and returns how many bytes it read. The page tables are those of Intel SDM
    /// vol. 3 §5.5 (4-level, or 5-level under CR4.LA57).
    pub fn peek(&self, cr3: u64, vaddr: u64, buf: &mut [u8]) -> usize {
        let mut i = 0usize;
        while i < buf.len() {
            let a = vaddr.wrapping_add(i as u64);
            let e = paging::leaf_entry(&self.phys, cr3, self.cfg.la57, a);
            if e & paging::pte::P == 0 || e & paging::pte::PS != 0 {
                break;
            }
            let n = ((PAGE_SIZE - (a & 0xfff)) as usize).min(buf.len() - i);
            if let Some(dst) = buf.get_mut(i..i + n) {
                self.phys.read((e & paging::pte::ADDR) | (a & 0xfff), dst);
            }
            i += n;
        }
        i
    }

    /// Copies guest memory at `vaddr` into `buf` (like `copy_from_user`).
    pub fn read_bytes(&mut self, vaddr: u64, buf: &mut [u8], user: bool) -> Result<(), Fault> {
        let mut i = 0usize;
        while i < buf.len() {
            let a = vaddr.wrapping_add(i as u64);
            let p = self.translate(a, Access::Read, user)?;
            let n = ((PAGE_SIZE - (a & 0xfff)) as usize).min(buf.len() - i);
            if let Some(dst) = buf.get_mut(i..i + n) {
                self.phys.read(p, dst);
            }
            i += n;
        }
        Ok(())
    }
}

impl Mmu {
    /// A read that crosses a page boundary: both pages must translate, then byte by byte.
    #[cold]
    #[inline(never)]
    fn read_split(&mut self, addr: u64, size: u32, user: bool) -> Result<u64, Fault> {
        self.probe(addr, u64::from(size), Access::Read, user)?;
        let mut v = 0u64;
        for i in 0..u64::from(size) {
            v |= self.read(addr.wrapping_add(i), 1, user)? << (8 * i);
        }
        Ok(v)
    }

    /// A write that crosses a page boundary: both pages are checked before any byte is
    /// written.
    #[cold]
    #[inline(never)]
    fn write_split(&mut self, addr: u64, size: u32, value: u64, user: bool) -> Result<(), Fault> {
        self.probe(addr, u64::from(size), Access::Write, user)?;
        for i in 0..u64::from(size) {
            self.write(addr.wrapping_add(i), 1, (value >> (8 * i)) & 0xff, user)?;
        }
        Ok(())
    }
}

impl Bus for Mmu {
    #[inline(always)]
    fn read(&mut self, addr: u64, size: u32, user: bool) -> Result<u64, Fault> {
        let off = (addr & 0xfff) as usize;
        if off + size as usize <= PAGE_SIZE as usize {
            let p = self.translate(addr, Access::Read, user)?;
            let Some(f) = self.phys.frame(p / PAGE_SIZE) else {
                return Ok(0);
            };
            let v = match size {
                1 => u64::from(f[off]),
                2 => u64::from(u16::from_le_bytes([f[off], f[off + 1]])),
                4 => f
                    .get(off..off + 4)
                    .and_then(|s| s.try_into().ok())
                    .map_or(0, |b| u64::from(u32::from_le_bytes(b))),
                _ => f
                    .get(off..off + 8)
                    .and_then(|s| s.try_into().ok())
                    .map_or(0, u64::from_le_bytes),
            };
            return Ok(v);
        }
        self.read_split(addr, size, user)
    }

    #[inline(always)]
    fn write(&mut self, addr: u64, size: u32, value: u64, user: bool) -> Result<(), Fault> {
        let off = (addr & 0xfff) as usize;
        if off + size as usize <= PAGE_SIZE as usize {
            let p = self.translate(addr, Access::Write, user)?;
            let frame = p / PAGE_SIZE;
            // `frame_mut` records the write if the decode cache holds code from this frame.
            if let Some(f) = self.phys.frame_mut(frame) {
                let bytes = value.to_le_bytes();
                // Fixed-size copies for the usual widths (single stores, no memmove call).
                match (size, bytes) {
                    (1, [b0, ..]) => {
                        if let Some(d) = f.get_mut(off) {
                            *d = b0;
                        }
                    }
                    (2, [b0, b1, ..]) => {
                        if let Some(d) = f.get_mut(off..off + 2) {
                            d.copy_from_slice(&[b0, b1]);
                        }
                    }
                    (4, [b0, b1, b2, b3, ..]) => {
                        if let Some(d) = f.get_mut(off..off + 4) {
                            d.copy_from_slice(&[b0, b1, b2, b3]);
                        }
                    }
                    (8, _) => {
                        if let Some(d) = f.get_mut(off..off + 8) {
                            d.copy_from_slice(&bytes);
                        }
                    }
                    _ => {
                        if let (Some(dst), Some(src)) = (
                            f.get_mut(off..off + size as usize),
                            bytes.get(..size as usize),
                        ) {
                            dst.copy_from_slice(src);
                        }
                    }
                }
            }
            return Ok(());
        }
        self.write_split(addr, size, value, user)
    }

    fn probe(&mut self, addr: u64, len: u64, access: Access, user: bool) -> Result<(), Fault> {
        if len == 0 {
            return Ok(());
        }
        let last = addr.wrapping_add(len - 1);
        let mut page = addr & !0xfff;
        loop {
            let a = if page < addr { addr } else { page };
            self.translate(a, access, user)?;
            if page == last & !0xfff {
                return Ok(());
            }
            page = page.wrapping_add(PAGE_SIZE);
        }
    }

    #[inline]
    fn translate_fetch(&mut self, addr: u64, user: bool) -> Result<u64, Fault> {
        self.translate(addr, Access::Fetch, user)
    }

    fn read_phys(&self, paddr: u64, buf: &mut [u8]) {
        self.phys.read(paddr, buf)
    }

    fn set_paging(&mut self, cfg: PagingConfig) {
        self.cfg = cfg;
        self.tlb.flush();
        self.epoch += 1;
    }

    fn invlpg(&mut self, addr: u64) {
        self.tlb.flush_page(addr >> 12);
        self.epoch += 1;
    }

    #[inline]
    fn translation_epoch(&self) -> u64 {
        self.epoch
    }

    fn mark_code_frame(&mut self, frame: u64) {
        self.phys.mark_code(frame);
    }

    #[inline]
    fn code_writes_pending(&self) -> bool {
        self.phys.code_writes_pending()
    }

    fn take_code_writes(&mut self, out: &mut Vec<u64>) {
        self.phys.take_code_writes(out);
    }
}
