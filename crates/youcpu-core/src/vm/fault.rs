//! An access by a process: through the TLB, the walk, and on a #PF the kernel's fault handler
//! (arch/x86/mm/fault.c `do_user_addr_fault`, mm/memory.c `handle_mm_fault`, `do_anonymous_page`,
//! `do_read_fault`, `do_wp_page`, mm/mmap.c `expand_stack`).

use super::frames::{FrameUse, FRAME_SIZE};
use super::step::{Decision, SegvReason, Step};
use super::system::{System, Touch};
use super::vma::{VmaKind, STACK_GUARD_GAP, STACK_LIMIT, STACK_TOP};
use super::VmError;
use crate::paging::build::{leaf_entry, Perms};
use crate::paging::{Access, AccessKind, FaultKind, PageFault};

/// The longest read or write in one call.
pub const MAX_ACCESS: u64 = 1 << 20;
/// The lowest user address: mmap_min_addr (64 KiB).
pub use crate::linux::layout::MMAP_MIN_ADDR;

impl System {
    /// One user access by `pid` at `va`: TLB, walk, and on a fault the kernel's decision and a
    /// retry. SIGSEGV is a result, not an error; errors are model limits (no process, memory).
    pub fn touch(&mut self, pid: u32, va: u64, kind: AccessKind) -> Result<Touch, VmError> {
        let root = self.live(pid)?.root_pfn;
        let mut steps = Vec::new();
        if self.current != Some(pid) {
            self.current = Some(pid);
            self.tlb.write_cr3(root);
            steps.push(Step::SwitchCr3 {
                pid,
                root_pfn: root,
            });
        }
        let access = Access::user(kind);
        // A fault is fixed in one pass (a stack growth then a page), so three tries suffice.
        for _ in 0..3 {
            let look = self.tlb.translate(&self.fmt, &mut self.frames, va, &access);
            if look.tlb_hit {
                if let Ok(pa) = look.result {
                    steps.push(Step::TlbHit { va, pa });
                    steps.push(Step::Done { pa });
                    return Ok(Touch {
                        steps,
                        result: Ok(pa),
                    });
                }
            }
            if let Some(walk) = look.walk {
                steps.push(Step::TlbMiss { walk });
            }
            let fault = match look.result {
                Ok(pa) => {
                    steps.push(Step::Done { pa });
                    return Ok(Touch {
                        steps,
                        result: Ok(pa),
                    });
                }
                Err(f) => f,
            };
            steps.push(Step::PageFault { fault });
            let mark = steps.len();
            let d = self.handle_fault(pid, va, kind, &fault, &mut steps);
            // Reclaim done to find a frame comes before what the handler did with it.
            let reclaimed = self.take_reclaim_steps();
            let d = d?;
            steps.splice(mark..mark, reclaimed);
            if !matches!(d, Decision::Segv { .. }) {
                let mut done = steps.get(mark..).unwrap_or_default().to_vec();
                done.push(Step::Kernel {
                    decision: d.clone(),
                });
                self.count_fault(&done);
            }
            if let Decision::Segv { reason } = d {
                steps.push(Step::Kernel { decision: d });
                return Ok(Touch {
                    steps,
                    result: Err(reason),
                });
            }
            steps.push(Step::Kernel { decision: d });
        }
        Err(VmError::Internal(format!(
            "the access at {va:#x} kept faulting"
        )))
    }

    fn handle_fault(
        &mut self,
        pid: u32,
        va: u64,
        kind: AccessKind,
        fault: &PageFault,
        steps: &mut Vec<Step>,
    ) -> Result<Decision, VmError> {
        let segv = |reason| Ok(Decision::Segv { reason });
        if fault.kind == FaultKind::NonCanonical {
            return segv(SegvReason::NonCanonical);
        }
        if va >= 1 << 47 {
            return segv(SegvReason::KernelAddress);
        }
        let page = va & !(FRAME_SIZE - 1);
        let p = self.live(pid)?;
        let root = p.root_pfn;
        let idx = match p.vmas.iter().position(|v| v.contains(va)) {
            Some(i) => i,
            None => {
                // Below a stack VMA: grow it if within RLIMIT_STACK and the guard gap.
                let Some(si) = p
                    .vmas
                    .iter()
                    .position(|v| v.kind == VmaKind::Stack && v.start > va)
                else {
                    return segv(SegvReason::NoVma);
                };
                let prev_end = p
                    .vmas
                    .iter()
                    .filter(|v| v.end <= va)
                    .map(|v| v.end)
                    .max()
                    .unwrap_or(0);
                let next_below = p
                    .vmas
                    .iter()
                    .any(|v| v.start > va && v.start < p.vmas.get(si).map_or(0, |s| s.start));
                if next_below {
                    return segv(SegvReason::NoVma);
                }
                if page < STACK_TOP - STACK_LIMIT
                    || page < prev_end + STACK_GUARD_GAP
                    || page < MMAP_MIN_ADDR
                {
                    return segv(SegvReason::StackLimit);
                }
                let from = p.vmas.get(si).map_or(0, |s| s.start);
                if let Some(v) = self.procs.get_mut(&pid).and_then(|q| q.vmas.get_mut(si)) {
                    v.start = page;
                }
                steps.push(Step::Kernel {
                    decision: Decision::StackGrow { from, to: page },
                });
                si
            }
        };
        let Some(vma) = self.live(pid)?.vmas.get(idx).cloned() else {
            return Err(VmError::Internal("VMA vanished".into()));
        };
        // access_error(): the VMA's permissions decide.
        match kind {
            AccessKind::Write if !vma.prot.write => return segv(SegvReason::WriteReadOnly),
            AccessKind::Fetch if !vma.prot.exec => return segv(SegvReason::ExecNoExec),
            AccessKind::Read if vma.prot.is_none() => return segv(SegvReason::NoAccess),
            _ => {}
        }
        let perms = |write: bool| Perms {
            write,
            user: true,
            exec: vma.prot.exec,
            global: false,
        };
        match fault.kind {
            FaultKind::NotPresent => {
                if let Some(slot) = self.swap_entry(root, page) {
                    let frame = self.swap_in(root, page, slot)?;
                    if let Err(e) = self.map_page(root, page, frame, perms(vma.prot.write)) {
                        self.frames.put(frame);
                        return Err(e);
                    }
                    steps.push(Step::Map {
                        page,
                        frame,
                        writable: vma.prot.write,
                    });
                    return Ok(Decision::SwapIn { slot, frame });
                }
                let (frame, writable, d) = match vma.kind {
                    VmaKind::Anon | VmaKind::Brk | VmaKind::Elf | VmaKind::Stack
                        if kind != AccessKind::Write =>
                    {
                        (
                            self.zero_frame,
                            false,
                            Decision::ZeroPage {
                                frame: self.zero_frame,
                            },
                        )
                    }
                    VmaKind::Anon | VmaKind::Brk | VmaKind::Elf | VmaKind::Stack => {
                        let f = self.alloc_page(FrameUse::User, &[])?;
                        (f, true, Decision::DemandZero { frame: f })
                    }
                    VmaKind::File {
                        file,
                        offset,
                        file_bytes,
                    } => {
                        let rel = page - vma.start;
                        let at = offset.saturating_add(rel);
                        if file_bytes < rel.saturating_add(FRAME_SIZE) {
                            // The page holding the end of the file part: private, zero after it.
                            let f = self.alloc_page(FrameUse::User, &[])?;
                            let n = file_bytes.saturating_sub(rel);
                            let bytes = self.fill_from_file(f, file, at, n);
                            (
                                f,
                                vma.prot.write,
                                Decision::FileRead {
                                    frame: f,
                                    offset: at,
                                    bytes,
                                },
                            )
                        } else {
                            let (cf, read) = self.cache_page(file, at)?;
                            let first = Decision::FileRead {
                                frame: cf,
                                offset: at,
                                bytes: read.unwrap_or(0),
                            };
                            if kind == AccessKind::Write {
                                if read.is_some() {
                                    steps.push(Step::Kernel { decision: first });
                                }
                                let f = self.alloc_page(FrameUse::User, &[cf])?;
                                self.frames.copy(cf, f);
                                (f, true, Decision::PrivateCopy { from: cf, to: f })
                            } else {
                                self.frames.get(cf);
                                let d = if read.is_some() {
                                    first
                                } else {
                                    Decision::PageCache { frame: cf }
                                };
                                (cf, false, d)
                            }
                        }
                    }
                };
                if let Err(e) = self.map_page(root, page, frame, perms(writable)) {
                    if frame != self.zero_frame {
                        self.frames.put(frame);
                    }
                    return Err(e);
                }
                steps.push(Step::Map {
                    page,
                    frame,
                    writable,
                });
                Ok(d)
            }
            FaultKind::WriteProtected => {
                let entry = leaf_entry(&self.fmt, &mut self.frames, root, page);
                let old = self.fmt.pfn(entry);
                let (usage, refs) = self.frames.info(old).unwrap_or((FrameUse::User, 0));
                // do_wp_page (mm/memory.c): the shared zero page gets a fresh zeroed page; a
                // page-cache page or one still shared gets a private copy (wp_page_copy); a
                // page nobody else maps becomes writable where it is (wp_page_reuse).
                let copy = |sys: &mut Self| -> Result<u64, VmError> {
                    let f = sys.alloc_page(FrameUse::User, &[old])?;
                    sys.frames.copy(old, f);
                    Ok(f)
                };
                let (frame, d) = if old == self.zero_frame {
                    let f = self.alloc_page(FrameUse::User, &[])?;
                    (f, Decision::DemandZero { frame: f })
                } else if usage == FrameUse::PageCache {
                    let f = copy(self)?;
                    (f, Decision::PrivateCopy { from: old, to: f })
                } else if refs <= 1 {
                    (old, Decision::CowReuse { frame: old })
                } else {
                    let f = copy(self)?;
                    let d = Decision::CowCopy {
                        from: old,
                        to: f,
                        refs_before: refs,
                    };
                    (f, d)
                };
                self.map_page(root, page, frame, perms(true))?;
                if matches!(d, Decision::PrivateCopy { .. } | Decision::CowCopy { .. }) {
                    // The copy holds the data now: this mapping's reference to the old frame
                    // is dropped.
                    self.frames.put(old);
                }
                steps.push(Step::Map {
                    page,
                    frame,
                    writable: true,
                });
                // ptep_clear_flush: the old translation leaves the TLB.
                self.tlb.invlpg(page);
                Ok(d)
            }
            FaultKind::UserSupervisor => segv(SegvReason::KernelAddress),
            FaultKind::NoExecute => segv(SegvReason::ExecNoExec),
            FaultKind::Reserved | FaultKind::OutOfMemory | FaultKind::NonCanonical => Err(
                VmError::Internal(format!("unexpected {:?} fault at {va:#x}", fault.kind)),
            ),
        }
    }

    /// Writes `data` at `va` as `pid`, page by page through [`System::touch`]; the steps of
    /// every page are returned. SIGSEGV is an error here.
    pub fn write_bytes(&mut self, pid: u32, va: u64, data: &[u8]) -> Result<Vec<Step>, VmError> {
        self.copy(
            pid,
            va,
            data.len() as u64,
            AccessKind::Write,
            |frames, pa, i, n| {
                if let Some(dst) = frames.get_mut(pa..pa + n) {
                    if let Some(src) = data.get(i..i + n) {
                        dst.copy_from_slice(src);
                    }
                }
            },
        )
    }

    /// Reads `len` bytes at `va` as `pid`.
    pub fn read_bytes(
        &mut self,
        pid: u32,
        va: u64,
        len: u64,
    ) -> Result<(Vec<u8>, Vec<Step>), VmError> {
        let mut out = Vec::new();
        let steps = self.copy(pid, va, len, AccessKind::Read, |frames, pa, _, n| {
            if let Some(src) = frames.get(pa..pa + n) {
                out.extend_from_slice(src);
            }
        })?;
        Ok((out, steps))
    }

    fn copy(
        &mut self,
        pid: u32,
        va: u64,
        len: u64,
        kind: AccessKind,
        mut f: impl FnMut(&mut [u8], usize, usize, usize),
    ) -> Result<Vec<Step>, VmError> {
        if len > MAX_ACCESS {
            return Err(VmError::TooLong(len));
        }
        let mut steps = Vec::new();
        let mut done = 0u64;
        while done < len {
            let a = va.wrapping_add(done);
            let n = (FRAME_SIZE - a % FRAME_SIZE).min(len - done);
            let t = self.touch(pid, a, kind)?;
            steps.extend(t.steps);
            let pa = t
                .result
                .map_err(|reason| VmError::Segv { addr: a, reason })?;
            let off = (pa % FRAME_SIZE) as usize;
            if let Some(b) = self.frames.bytes_mut(pa / FRAME_SIZE) {
                f(&mut b[..], off, done as usize, n as usize);
            }
            done += n;
        }
        Ok(steps)
    }
}
