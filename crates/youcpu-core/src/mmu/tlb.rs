//! A direct-mapped TLB of 4 KiB translations, flushed by CR3 writes and INVLPG.

/// One cached translation.
#[derive(Clone, Copy, Debug, Default)]
pub struct TlbEntry {
    /// Virtual page number + 1 (0 = empty).
    pub tag: u64,
    /// Physical frame number.
    pub frame: u64,
    /// Ring 3 may access.
    pub user: bool,
    /// Writable (by the effective rules for this entry's privilege).
    pub writable: bool,
    /// Execute-disable.
    pub no_exec: bool,
    /// The D bit is already set in the page table.
    pub dirty: bool,
    /// Which accesses the entry allows without a walk, one bit per (access, privilege):
    /// see [`allow_bit`]. Filled by the MMU when it caches the translation (it knows CR0.WP).
    pub allow: u8,
}

/// The bit of [`TlbEntry::allow`] for an access (read 0, write 1, fetch 2) at a privilege
/// (user adds 3).
#[inline(always)]
pub fn allow_bit(access: crate::cpu::bus::Access, user: bool) -> u8 {
    let a = match access {
        crate::cpu::bus::Access::Read => 0,
        crate::cpu::bus::Access::Write => 1,
        crate::cpu::bus::Access::Fetch => 2,
    };
    1 << (a + if user { 3 } else { 0 })
}

/// Number of TLB slots.
pub const TLB_SLOTS: usize = 1024;

/// The TLB and its hit/miss counters.
#[derive(Clone)]
pub struct Tlb {
    entries: Box<[TlbEntry; TLB_SLOTS]>,
    /// Lookups that hit.
    pub hits: u64,
    /// Lookups that missed and walked.
    pub misses: u64,
}

impl Default for Tlb {
    fn default() -> Self {
        Tlb {
            entries: Box::new([TlbEntry::default(); TLB_SLOTS]),
            hits: 0,
            misses: 0,
        }
    }
}

impl Tlb {
    /// The entry for virtual page `vpn`, if cached.
    #[inline]
    pub fn lookup(&self, vpn: u64) -> Option<&TlbEntry> {
        let e = &self.entries[(vpn as usize) % TLB_SLOTS];
        (e.tag == vpn.wrapping_add(1)).then_some(e)
    }

    /// Caches a translation for `vpn`.
    pub fn insert(&mut self, vpn: u64, mut e: TlbEntry) {
        e.tag = vpn.wrapping_add(1);
        self.entries[(vpn as usize) % TLB_SLOTS] = e;
    }

    /// Drops everything (a CR3 write; global pages are not modelled).
    pub fn flush(&mut self) {
        self.entries.fill(TlbEntry::default());
    }

    /// Drops the entry for one page (INVLPG).
    pub fn flush_page(&mut self, vpn: u64) {
        let e = &mut self.entries[(vpn as usize) % TLB_SLOTS];
        if e.tag == vpn.wrapping_add(1) {
            *e = TlbEntry::default();
        }
    }
}
