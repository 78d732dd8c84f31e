//! mmap and munmap of private mappings (mm/mmap.c `do_mmap`, `unmapped_area_topdown`;
//! mm/vma.c `do_vmi_munmap`): a new VMA below `mmap_base`, pages only on first touch.

use super::frames::FRAME_SIZE;
use super::system::System;
use super::vma::{Image, Vma, VmaKind, STACK_GUARD_GAP};
use super::VmError;
use crate::paging::build::set_leaf;

pub use crate::linux::layout::MMAP_BASE;
/// The longest mapping the model makes.
pub const MAX_MAP: u64 = 1 << 30;
/// Most VMAs a process may have.
pub const MAX_VMAS: usize = 256;

pub use crate::linux::vma::Prot;

impl System {
    /// Registers a file the processes can map; returns its index.
    pub fn add_file(&mut self, name: &str, bytes: Vec<u8>) -> Result<usize, VmError> {
        let img = Image::new(name, bytes, Vec::new(), 0)?;
        if let Some(i) = self.files.iter().position(|f| *f == img) {
            return Ok(i);
        }
        if self.files.len() >= super::system::MAX_FILES {
            return Err(VmError::BadImage(format!(
                "at most {} different files",
                super::system::MAX_FILES
            )));
        }
        self.files.push(img);
        Ok(self.files.len() - 1)
    }

    /// mmap(NULL, len, prot, MAP_PRIVATE [| MAP_ANONYMOUS], fd, offset): places a VMA at the
    /// highest free gap below [`MMAP_BASE`] and returns its start. `file` is `(index, offset)`
    /// with a page-aligned offset, or `None` for anonymous memory. No page is mapped yet.
    pub fn mmap(
        &mut self,
        pid: u32,
        len: u64,
        prot: Prot,
        file: Option<(usize, u64)>,
    ) -> Result<u64, VmError> {
        if len == 0 || len > MAX_MAP {
            return Err(VmError::TooLong(len));
        }
        let size = (len + FRAME_SIZE - 1) & !(FRAME_SIZE - 1);
        let p = self.live(pid)?;
        if p.vmas.len() >= MAX_VMAS {
            return Err(VmError::BadImage(format!("at most {MAX_VMAS} mappings")));
        }
        let kind = match file {
            None => VmaKind::Anon,
            Some((f, offset)) => {
                let Some(img) = self.files.get(f) else {
                    return Err(VmError::BadImage(format!("no file {f}")));
                };
                if offset % FRAME_SIZE != 0 {
                    return Err(VmError::BadImage(format!(
                        "offset {offset:#x} is not page aligned"
                    )));
                }
                VmaKind::File {
                    file: f,
                    offset,
                    file_bytes: (img.bytes.len() as u64).saturating_sub(offset).min(size),
                }
            }
        };
        // unmapped_area_topdown: the highest gap that fits, below mmap_base, keeping the stack
        // guard gap below a stack VMA.
        let mut top = MMAP_BASE;
        let mut placed = false;
        for _ in 0..=p.vmas.len() {
            let clash = p
                .vmas
                .iter()
                .filter_map(|v| {
                    let lo = if v.kind == VmaKind::Stack {
                        v.start.saturating_sub(STACK_GUARD_GAP)
                    } else {
                        v.start
                    };
                    (top.saturating_sub(size) < v.end && lo < top).then_some(lo)
                })
                .min();
            match clash {
                Some(lo) => top = lo,
                None => {
                    placed = true;
                    break;
                }
            }
        }
        let start = top
            .checked_sub(size)
            .filter(|&s| placed && s >= super::fault::MMAP_MIN_ADDR);
        let Some(start) = start else {
            return Err(VmError::OutOfMemory {
                frames: self.limits().frames,
            });
        };
        let name = match &kind {
            VmaKind::File { file, .. } => self
                .files
                .get(*file)
                .map(|f| f.name.clone())
                .unwrap_or_default(),
            _ => String::new(),
        };
        if let Some(q) = self.procs.get_mut(&pid) {
            q.vmas.push(Vma {
                name,
                ..Vma::new(start, start + size, prot, kind)
            });
            q.vmas.sort_by_key(|v| v.start);
        }
        Ok(start)
    }

    /// munmap of a whole mapping made by [`System::mmap`] (or any VMA) starting at `start`:
    /// its pages are unmapped and their frames released. Returns the pages unmapped.
    pub fn munmap(&mut self, pid: u32, start: u64) -> Result<u64, VmError> {
        let p = self.live(pid)?;
        let root = p.root_pfn;
        let Some(v) = p.vmas.iter().find(|v| v.start == start).cloned() else {
            return Err(VmError::Segv {
                addr: start,
                reason: super::step::SegvReason::NoVma,
            });
        };
        self.swap_drop(root, v.start, v.end);
        let mut n = 0;
        for m in self.mapped(root) {
            if v.contains(m.page) {
                set_leaf(&self.fmt, &mut self.frames, root, m.page, 0);
                if m.frame != self.zero_frame {
                    self.frames.put(m.frame);
                }
                if self.current == Some(pid) {
                    self.tlb.invlpg(m.page);
                }
                n += 1;
            }
        }
        if let Some(q) = self.procs.get_mut(&pid) {
            q.vmas.retain(|x| x.start != start);
        }
        Ok(n)
    }
}
