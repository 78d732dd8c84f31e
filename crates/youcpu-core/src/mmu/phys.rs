//! Simulated physical memory: sparse 4 KiB frames allocated on demand, with a hard limit.

use std::fmt;

/// Bytes in a page / frame.
pub const PAGE_SIZE: u64 = 4096;

/// The default guest memory limit: 256 MiB.
pub const DEFAULT_MEMORY_LIMIT: u64 = 256 << 20;

/// Physical memory ran out or an address lies outside it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutOfMemory {
    /// The limit in bytes.
    pub limit: u64,
}

impl fmt::Display for OutOfMemory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "guest memory exhausted: the limit is {} MiB of simulated physical memory",
            self.limit >> 20
        )
    }
}

impl std::error::Error for OutOfMemory {}

/// Physical memory: frame `n` covers physical addresses `n*4096 .. n*4096+4095`.
///
/// It also watches the frames the CPU's decode cache holds instructions from ("code frames"):
/// any change to one (a store through the MMU, a kernel-side copy, the frame being freed or
/// handed out again) is recorded once, so the cache drops what it decoded there.
#[derive(Clone)]
pub struct PhysMem {
    frames: Vec<Option<Box<[u8; PAGE_SIZE as usize]>>>,
    next_free: u64,
    free_list: Vec<u64>,
    allocated: u64,
    code: Vec<bool>,
    code_written: Vec<u64>,
    /// Mappings beyond the first of frames mapped more than once (fork's shared pages);
    /// absent = one owner (mm/memory.c keeps this count in `struct page`'s `_mapcount`).
    shared: std::collections::BTreeMap<u64, u32>,
}

impl PhysMem {
    /// Physical memory of `limit` bytes (rounded down to whole frames, at least one).
    pub fn new(limit: u64) -> Self {
        let n = (limit / PAGE_SIZE).max(1) as usize;
        let mut frames = Vec::new();
        frames.resize_with(n, || None);
        // Frame 0 is never handed out, so physical address 0 stays free as a "null" marker.
        PhysMem {
            frames,
            next_free: 1,
            free_list: Vec::new(),
            allocated: 0,
            code: vec![false; n],
            code_written: Vec::new(),
            shared: std::collections::BTreeMap::new(),
        }
    }

    /// The size in bytes.
    pub fn limit(&self) -> u64 {
        self.frames.len() as u64 * PAGE_SIZE
    }

    /// Number of frames handed out by [`PhysMem::alloc_frame`] and not freed.
    pub fn allocated_frames(&self) -> u64 {
        self.allocated
    }

    /// Notes that frame `n` holds decoded instructions: its next change is recorded.
    pub fn mark_code(&mut self, n: u64) {
        if let Some(c) = self.code.get_mut(n as usize) {
            *c = true;
        }
    }

    /// Records a change to frame `n` if it is a code frame (once, until marked again).
    #[inline(always)]
    fn touch(&mut self, n: u64) {
        if let Some(c) = self.code.get_mut(n as usize) {
            if *c {
                *c = false;
                self.code_written.push(n);
            }
        }
    }

    /// True when some code frame changed since the last [`PhysMem::take_code_writes`].
    #[inline(always)]
    pub fn code_writes_pending(&self) -> bool {
        !self.code_written.is_empty()
    }

    /// Moves the numbers of changed code frames into `out`.
    pub fn take_code_writes(&mut self, out: &mut Vec<u64>) {
        out.append(&mut self.code_written);
    }

    /// Hands out a zeroed frame and returns its number.
    pub fn alloc_frame(&mut self) -> Result<u64, OutOfMemory> {
        let n = if let Some(n) = self.free_list.pop() {
            n
        } else if (self.next_free as usize) < self.frames.len() {
            self.next_free += 1;
            self.next_free - 1
        } else {
            return Err(OutOfMemory {
                limit: self.limit(),
            });
        };
        self.touch(n);
        if let Some(slot) = self.frames.get_mut(n as usize) {
            *slot = Some(Box::new([0; PAGE_SIZE as usize]));
        }
        self.allocated += 1;
        Ok(n)
    }

    /// One more owner of frame `n` (a page shared by fork, copy-on-write or MAP_SHARED): it is
    /// freed only when every owner has called [`PhysMem::free_frame`].
    pub fn share_frame(&mut self, n: u64) {
        if self.frame(n).is_some() {
            *self.shared.entry(n).or_insert(0) += 1;
        }
    }

    /// How many owners frame `n` has (0 when it is not allocated).
    pub fn frame_owners(&self, n: u64) -> u64 {
        if self.frame(n).is_none() {
            return 0;
        }
        1 + u64::from(self.shared.get(&n).copied().unwrap_or(0))
    }

    /// Drops one owner of a frame; the last one returns it to the allocator (its contents are
    /// dropped).
    pub fn free_frame(&mut self, n: u64) {
        if let Some(c) = self.shared.get_mut(&n) {
            *c -= 1;
            if *c == 0 {
                self.shared.remove(&n);
            }
            return;
        }
        self.touch(n);
        if let Some(slot) = self.frames.get_mut(n as usize) {
            if slot.take().is_some() {
                self.allocated -= 1;
                self.free_list.push(n);
            }
        }
    }

    /// The frame's bytes, if it exists.
    #[inline]
    pub fn frame(&self, n: u64) -> Option<&[u8; PAGE_SIZE as usize]> {
        self.frames.get(n as usize).and_then(|f| f.as_deref())
    }

    /// The frame's bytes for writing, if it exists (counts as a change to a code frame).
    #[inline(always)]
    pub fn frame_mut(&mut self, n: u64) -> Option<&mut [u8; PAGE_SIZE as usize]> {
        self.touch(n);
        self.frames
            .get_mut(n as usize)
            .and_then(|f| f.as_deref_mut())
    }

    /// Reads bytes at a physical address; unbacked bytes read as zero.
    pub fn read(&self, paddr: u64, buf: &mut [u8]) {
        // A frame at a time (a copy per frame, not per byte: file mappings and the loader
        // move megabytes through here).
        let mut i = 0usize;
        while i < buf.len() {
            let a = paddr.wrapping_add(i as u64);
            let off = (a % PAGE_SIZE) as usize;
            let n = (PAGE_SIZE as usize - off).min(buf.len() - i);
            if let Some(dst) = buf.get_mut(i..i + n) {
                match self.frame(a / PAGE_SIZE).and_then(|f| f.get(off..off + n)) {
                    Some(src) => dst.copy_from_slice(src),
                    None => dst.fill(0),
                }
            }
            i += n;
        }
    }

    /// Writes bytes at a physical address; bytes outside allocated frames are dropped
    /// (like writes to unbacked physical addresses on a real bus).
    pub fn write(&mut self, paddr: u64, data: &[u8]) {
        let mut i = 0usize;
        while i < data.len() {
            let a = paddr.wrapping_add(i as u64);
            let off = (a % PAGE_SIZE) as usize;
            let n = (PAGE_SIZE as usize - off).min(data.len() - i);
            if let (Some(f), Some(src)) = (self.frame_mut(a / PAGE_SIZE), data.get(i..i + n)) {
                if let Some(dst) = f.get_mut(off..off + n) {
                    dst.copy_from_slice(src);
                }
            }
            i += n;
        }
    }

    /// Reads a little-endian u64 at a physical address (page-table entries).
    pub fn read_u64(&self, paddr: u64) -> u64 {
        let mut b = [0u8; 8];
        self.read(paddr, &mut b);
        u64::from_le_bytes(b)
    }

    /// Writes a little-endian u64 at a physical address.
    pub fn write_u64(&mut self, paddr: u64, v: u64) {
        self.write(paddr, &v.to_le_bytes());
    }
}
