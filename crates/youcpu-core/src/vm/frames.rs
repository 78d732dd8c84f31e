//! Physical frames with reference counts (mm/page_alloc.c, `page_ref_*`): a fixed budget of
//! 4 KiB frames, each used for a page table, a user page (counted once per PTE that maps it),
//! a page-cache page of a file, or the kernel (its own page and the shared zero page, never
//! freed).

use super::VmError;
use crate::paging::PhysMemory;
use serde::Serialize;

/// Bytes in a frame.
pub const FRAME_SIZE: u64 = 4096;

/// What a frame holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FrameUse {
    /// A page table of one process.
    Table,
    /// A user page; `refs` counts the PTEs that map it.
    User,
    /// Kernel memory: kernel page tables, the kernel page, the zero page.
    Kernel,
    /// A page of a file in the page cache; `refs` is the cache's own reference plus the PTEs.
    PageCache,
}

#[derive(Clone)]
struct Slot {
    data: Box<[u8; FRAME_SIZE as usize]>,
    refs: u32,
    usage: FrameUse,
}

/// The frames of physical memory. Frame 0 is never handed out.
#[derive(Clone)]
pub struct Frames {
    slots: Vec<Option<Slot>>,
    free: Vec<u64>,
}

impl Frames {
    /// Physical memory of `count` frames (frame 0 reserved, so `count - 1` usable).
    pub fn new(count: usize) -> Frames {
        let mut slots = Vec::new();
        slots.resize_with(count.max(1), || None);
        let free = (1..count.max(1) as u64).rev().collect();
        Frames { slots, free }
    }

    /// Total frames, including the reserved frame 0.
    pub fn capacity(&self) -> usize {
        self.slots.len()
    }

    /// Frames in use.
    pub fn in_use(&self) -> usize {
        self.slots.iter().filter(|s| s.is_some()).count()
    }

    /// Frames in use for `usage`.
    pub fn count(&self, usage: FrameUse) -> usize {
        self.slots
            .iter()
            .flatten()
            .filter(|s| s.usage == usage)
            .count()
    }

    /// Takes a zeroed frame with one reference.
    pub fn alloc(&mut self, usage: FrameUse) -> Result<u64, VmError> {
        let n = self.free.pop().ok_or(VmError::OutOfMemory {
            frames: self.slots.len(),
        })?;
        if let Some(s) = self.slots.get_mut(n as usize) {
            *s = Some(Slot {
                data: Box::new([0; FRAME_SIZE as usize]),
                refs: 1,
                usage,
            });
        }
        Ok(n)
    }

    /// The frame's use and reference count, if allocated.
    pub fn info(&self, n: u64) -> Option<(FrameUse, u32)> {
        self.slot(n).map(|s| (s.usage, s.refs))
    }

    fn slot(&self, n: u64) -> Option<&Slot> {
        self.slots.get(n as usize).and_then(Option::as_ref)
    }

    /// Adds a reference (another PTE maps the frame).
    pub fn get(&mut self, n: u64) {
        if let Some(Some(s)) = self.slots.get_mut(n as usize) {
            s.refs = s.refs.saturating_add(1);
        }
    }

    /// Drops a reference; frees the frame at zero. Returns true when freed.
    pub fn put(&mut self, n: u64) -> bool {
        let Some(slot) = self.slots.get_mut(n as usize) else {
            return false;
        };
        let Some(s) = slot.as_mut() else {
            return false;
        };
        s.refs = s.refs.saturating_sub(1);
        if s.refs == 0 {
            *slot = None;
            self.free.push(n);
            return true;
        }
        false
    }

    /// The frame's bytes.
    pub fn bytes(&self, n: u64) -> Option<&[u8; FRAME_SIZE as usize]> {
        self.slot(n).map(|s| &*s.data)
    }

    /// The frame's bytes, writable.
    pub fn bytes_mut(&mut self, n: u64) -> Option<&mut [u8; FRAME_SIZE as usize]> {
        self.slots
            .get_mut(n as usize)
            .and_then(Option::as_mut)
            .map(|s| &mut *s.data)
    }

    /// Copies frame `from` into frame `to`.
    pub fn copy(&mut self, from: u64, to: u64) {
        if let Some(src) = self.bytes(from).copied() {
            if let Some(dst) = self.bytes_mut(to) {
                *dst = src;
            }
        }
    }
}

impl PhysMemory for Frames {
    fn read_phys(&self, addr: u64, buf: &mut [u8]) -> bool {
        let off = (addr % FRAME_SIZE) as usize;
        match self.bytes(addr / FRAME_SIZE) {
            Some(b) => match b.get(off..off + buf.len()) {
                Some(src) => {
                    buf.copy_from_slice(src);
                    true
                }
                None => false,
            },
            None => false,
        }
    }

    fn write_phys(&mut self, addr: u64, data: &[u8]) -> bool {
        let off = (addr % FRAME_SIZE) as usize;
        match self
            .bytes_mut(addr / FRAME_SIZE)
            .and_then(|b| b.get_mut(off..off + data.len()))
        {
            Some(dst) => {
                dst.copy_from_slice(data);
                true
            }
            None => false,
        }
    }
}
