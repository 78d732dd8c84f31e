//! The process table and the address-space operations: boot to pid 1, fork (kernel/fork.c
//! `copy_process`, mm/memory.c `copy_page_range`), exec (fs/exec.c `exec_mmap`), exit
//! (kernel/exit.c `do_exit`, `exit_mm`) and wait (`wait4`), with page tables in the x86-64
//! format of [`crate::paging`].

use super::frames::{FrameUse, Frames, FRAME_SIZE};
use super::step::{SegvReason, Step};
use super::vma::{Image, Prot, Vma, VmaKind};
use super::VmError;
use crate::paging::build::{entry_for, leaf_slot, map, set_leaf, Perms};
use crate::paging::memory::{read_entry, write_entry};
use crate::paging::{Format, Tlb};
use serde::Serialize;
use std::collections::BTreeMap;

/// The kernel text page every address space maps, supervisor-only and global
/// (`__START_KERNEL_map` + 16 MiB): the kernel's own ([`crate::linux::layout::KERNEL_TEXT`]).
pub const KERNEL_VA: u64 = crate::linux::layout::KERNEL_TEXT;
/// Root-table entries from here up are the kernel's, shared by every process.
const KERNEL_HALF: u64 = 256;
/// Most files (images) the system keeps.
pub const MAX_FILES: usize = 64;

/// Bounds on the model.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Limits {
    /// Frames of physical memory (frame 0 reserved).
    pub frames: usize,
    /// Processes, zombies included.
    pub processes: usize,
    /// TLB entries.
    pub tlb_entries: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            frames: 4096,
            processes: 64,
            tlb_entries: 64,
        }
    }
}

/// Running, or exited and waiting to be reaped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "state", content = "code", rename_all = "kebab-case")]
pub enum ProcState {
    /// Alive.
    Running,
    /// Exited with this code; its parent has not waited yet.
    Zombie(i32),
}

/// One process.
#[derive(Clone, Debug, Serialize)]
pub struct Process {
    /// Its pid.
    pub pid: u32,
    /// Its parent's pid (0 for pid 1).
    pub ppid: u32,
    /// The program it runs.
    pub name: String,
    /// Running or zombie.
    pub state: ProcState,
    /// The root page table's frame (CR3 when it runs); 0 once exited.
    pub root_pfn: u64,
    /// Its VMAs, sorted by address.
    pub vmas: Vec<Vma>,
    /// Start of the heap.
    pub brk_start: u64,
    /// Current program break.
    pub brk: u64,
}

/// The result of one access: its steps and the physical address or the SIGSEGV reason.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Touch {
    /// Everything that happened, in order.
    pub steps: Vec<Step>,
    /// The physical address, or why the process got SIGSEGV.
    pub result: Result<u64, SegvReason>,
}

/// A user page mapped in a process.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Mapped {
    /// The page's virtual address.
    pub page: u64,
    /// The frame.
    pub frame: u64,
    /// The PTE allows writes.
    pub writable: bool,
    /// Physical address of the PTE.
    #[serde(skip)]
    pub entry_addr: u64,
    /// The PTE.
    #[serde(skip)]
    pub entry: u64,
}

/// The whole machine: frames, processes, the files exec maps, one CPU's TLB.
#[derive(Clone)]
pub struct System {
    /// The page-table format (x86-64 4-level).
    pub fmt: Format,
    /// Physical memory.
    pub frames: Frames,
    /// The TLB of the one CPU; CR3 is its root.
    pub tlb: Tlb,
    pub(super) procs: BTreeMap<u32, Process>,
    pub(super) files: Vec<Image>,
    pub(super) cache: BTreeMap<(usize, u64), u64>,
    pub(super) current: Option<u32>,
    pub(super) kernel_root: u64,
    /// The shared zero page's frame.
    pub zero_frame: u64,
    next_pid: u32,
    limits: Limits,
    pub(super) pressure: super::reclaim::Pressure,
}

impl System {
    /// Boots: kernel page tables, the zero page, and pid 1 running `init`.
    pub fn boot(limits: Limits, init: Image) -> Result<(System, Vec<Step>), VmError> {
        let mut frames = Frames::new(limits.frames);
        let fmt = Format::x86_64();
        let kernel_root = frames.alloc(FrameUse::Kernel)?;
        let zero_frame = frames.alloc(FrameUse::Kernel)?;
        let kpage = frames.alloc(FrameUse::Kernel)?;
        let mut oom = false;
        let mut alloc = |m: &mut Frames| match m.alloc(FrameUse::Kernel) {
            Ok(f) => Some(f),
            Err(_) => {
                oom = true;
                None
            }
        };
        let perms = Perms {
            write: false,
            user: false,
            exec: true,
            global: true,
        };
        map(
            &fmt,
            &mut frames,
            kernel_root,
            KERNEL_VA,
            kpage,
            perms,
            &mut alloc,
        )
        .map_err(|e| {
            if oom {
                VmError::OutOfMemory {
                    frames: limits.frames,
                }
            } else {
                VmError::Internal(e.to_string())
            }
        })?;
        let mut sys = System {
            fmt,
            frames,
            tlb: Tlb::new(limits.tlb_entries, kernel_root),
            procs: BTreeMap::new(),
            files: Vec::new(),
            cache: BTreeMap::new(),
            current: None,
            kernel_root,
            zero_frame,
            next_pid: 1,
            limits,
            pressure: Default::default(),
        };
        let root = sys.new_root()?;
        sys.procs.insert(
            1,
            Process {
                pid: 1,
                ppid: 0,
                name: String::new(),
                state: ProcState::Running,
                root_pfn: root,
                vmas: Vec::new(),
                brk_start: 0,
                brk: 0,
            },
        );
        sys.next_pid = 2;
        let steps = sys.exec(1, init)?;
        Ok((sys, steps))
    }

    /// The process with this pid (live or zombie).
    pub fn process(&self, pid: u32) -> Option<&Process> {
        self.procs.get(&pid)
    }

    /// All processes by pid.
    pub fn processes(&self) -> impl Iterator<Item = &Process> {
        self.procs.values()
    }

    /// The pid whose tables CR3 holds.
    pub fn current(&self) -> Option<u32> {
        self.current
    }

    /// The limits in force.
    pub fn limits(&self) -> Limits {
        self.limits
    }

    pub(super) fn live(&self, pid: u32) -> Result<&Process, VmError> {
        match self.procs.get(&pid) {
            None => Err(VmError::NoProcess(pid)),
            Some(p) if p.state != ProcState::Running => Err(VmError::Zombie(pid)),
            Some(p) => Ok(p),
        }
    }

    /// A root table with the kernel half copied in (arch/x86/mm/pgtable.c `pgd_ctor`).
    fn new_root(&mut self) -> Result<u64, VmError> {
        let root = self.frames.alloc(FrameUse::Table)?;
        for i in KERNEL_HALF..512 {
            let e = read_entry(&self.frames, self.kernel_root * FRAME_SIZE + i * 8, 8).unwrap_or(0);
            write_entry(&mut self.frames, root * FRAME_SIZE + i * 8, 8, e);
        }
        Ok(root)
    }

    /// Every user page mapped under `root`, in address order.
    pub fn mapped(&self, root: u64) -> Vec<Mapped> {
        let mut out = Vec::new();
        self.collect(root, 0, 0, &mut out, &mut Vec::new());
        out
    }

    /// The user pages mapped by a process (empty for an unknown pid or a zombie).
    pub fn mapped_pages(&self, pid: u32) -> Vec<Mapped> {
        match self.live(pid) {
            Ok(p) => self.mapped(p.root_pfn),
            Err(_) => Vec::new(),
        }
    }

    /// Page-table frames of the user half under `root` (not the root itself).
    pub fn table_frames(&self, root: u64) -> Vec<u64> {
        let mut t = Vec::new();
        self.collect(root, 0, 0, &mut Vec::new(), &mut t);
        t
    }

    fn collect(
        &self,
        table: u64,
        level: usize,
        va: u64,
        out: &mut Vec<Mapped>,
        tables: &mut Vec<u64>,
    ) {
        let n = if level == 0 { KERNEL_HALF } else { 512 };
        let last = self.fmt.levels.len() - 1;
        for i in 0..n {
            let ea = table * FRAME_SIZE + i * 8;
            let e = read_entry(&self.frames, ea, 8).unwrap_or(0);
            if e & 1 == 0 {
                continue;
            }
            let v = va | i << self.fmt.shift_of(level);
            let pfn = self.fmt.pfn(e);
            if level == last {
                out.push(Mapped {
                    page: v,
                    frame: pfn,
                    writable: e & 2 != 0,
                    entry_addr: ea,
                    entry: e,
                });
            } else {
                tables.push(pfn);
                self.collect(pfn, level + 1, v, out, tables);
            }
        }
    }

    /// Frees every user page and user page table under `root`; returns the frames freed.
    fn free_user(&mut self, root: u64) -> u64 {
        self.swap_drop(root, 0, u64::MAX);
        let mut freed = 0;
        for m in self.mapped(root) {
            if m.frame != self.zero_frame && self.frames.put(m.frame) {
                freed += 1;
            }
        }
        for t in self.table_frames(root) {
            if self.frames.put(t) {
                freed += 1;
            }
        }
        for i in 0..KERNEL_HALF {
            write_entry(&mut self.frames, root * FRAME_SIZE + i * 8, 8, 0);
        }
        freed
    }

    /// Writes a PTE for `page` in `pid`'s tables, allocating tables; returns the old entry.
    pub(super) fn map_page(
        &mut self,
        root: u64,
        page: u64,
        frame: u64,
        perms: Perms,
    ) -> Result<u64, VmError> {
        let slot = self.slot(root, page)?;
        let old = read_entry(&self.frames, slot, 8).unwrap_or(0);
        write_entry(
            &mut self.frames,
            slot,
            8,
            entry_for(&self.fmt, frame, perms),
        );
        Ok(old)
    }

    fn slot(&mut self, root: u64, page: u64) -> Result<u64, VmError> {
        let mut oom = false;
        let mut alloc = |m: &mut Frames| match m.alloc(FrameUse::Table) {
            Ok(f) => Some(f),
            Err(_) => {
                oom = true;
                None
            }
        };
        let r = leaf_slot(&self.fmt, &mut self.frames, root, page, Some(&mut alloc));
        match r {
            Ok(Some(s)) => Ok(s),
            _ if oom => Err(VmError::OutOfMemory {
                frames: self.limits.frames,
            }),
            Ok(None) => Err(VmError::Internal("no page-table slot".into())),
            Err(e) => Err(VmError::Internal(e.to_string())),
        }
    }

    /// fork: a child with copies of the VMAs and page tables; writable private pages become
    /// read-only in both and shared, with one more reference each (copy-on-write).
    pub fn fork(&mut self, parent: u32) -> Result<(u32, Vec<Step>), VmError> {
        let p = self.live(parent)?.clone();
        if self.procs.len() >= self.limits.processes {
            return Err(VmError::TooManyProcesses(self.limits.processes));
        }
        let root = self.new_root()?;
        let (mut shared, mut wp) = (0, 0);
        for m in self.mapped(p.root_pfn) {
            let cow = m.writable && p.vmas.iter().any(|v| v.contains(m.page) && v.prot.write);
            let entry = if cow { m.entry & !2 } else { m.entry };
            let slot = match self.slot(root, m.page) {
                Ok(s) => s,
                Err(e) => {
                    self.free_user(root);
                    self.frames.put(root);
                    return Err(e);
                }
            };
            write_entry(&mut self.frames, slot, 8, entry);
            if cow {
                write_entry(&mut self.frames, m.entry_addr, 8, entry);
                wp += 1;
            }
            if m.frame != self.zero_frame {
                self.frames.get(m.frame);
                shared += 1;
            }
        }
        self.swap_fork(p.root_pfn, root);
        if self.current == Some(parent) {
            // flush_tlb_mm: the parent's cached writable translations are stale now.
            self.tlb.write_cr3(p.root_pfn);
        }
        let child = self.next_pid;
        self.next_pid += 1;
        self.procs.insert(
            child,
            Process {
                pid: child,
                ppid: parent,
                root_pfn: root,
                state: ProcState::Running,
                ..p
            },
        );
        Ok((
            child,
            vec![Step::Fork {
                parent,
                child,
                shared,
                write_protected: wp,
            }],
        ))
    }

    /// exec: frees the old user address space and sets up the image's VMAs (no pages yet).
    pub fn exec(&mut self, pid: u32, image: Image) -> Result<Vec<Step>, VmError> {
        let root = self.live(pid)?.root_pfn;
        let file = match self.files.iter().position(|f| *f == image) {
            Some(i) => i,
            None if self.files.len() < MAX_FILES => {
                self.files.push(image.clone());
                self.files.len() - 1
            }
            None => {
                return Err(VmError::BadImage(format!(
                    "at most {MAX_FILES} different files"
                )))
            }
        };
        let freed = self.free_user(root);
        let vmas = image.vmas(file);
        let n = vmas.len();
        let brk = image.brk_start();
        if let Some(p) = self.procs.get_mut(&pid) {
            p.vmas = vmas;
            p.name = image.name.clone();
            p.brk_start = brk;
            p.brk = brk;
        }
        if self.current == Some(pid) {
            self.tlb.write_cr3(root);
        }
        Ok(vec![Step::Exec {
            pid,
            name: image.name,
            freed,
            vmas: n,
        }])
    }

    /// exit: frees the address space (the root table too), hands children to pid 1, and
    /// leaves a zombie for the parent to reap.
    pub fn exit(&mut self, pid: u32, code: i32) -> Result<Vec<Step>, VmError> {
        let root = self.live(pid)?.root_pfn;
        if pid == 1 {
            return Err(VmError::InitExit);
        }
        let mut freed = self.free_user(root);
        if self.frames.put(root) {
            freed += 1;
        }
        let mut reparented = Vec::new();
        for c in self.procs.values_mut() {
            if c.ppid == pid {
                c.ppid = 1;
                reparented.push(c.pid);
            }
        }
        if let Some(p) = self.procs.get_mut(&pid) {
            p.state = ProcState::Zombie(code);
            p.root_pfn = 0;
            p.vmas.clear();
        }
        if self.current == Some(pid) {
            self.current = None;
            self.tlb.write_cr3(self.kernel_root);
        }
        Ok(vec![Step::Exit {
            pid,
            code,
            freed,
            reparented,
        }])
    }

    /// wait: reaps one zombie child of `parent` (the lowest pid); `None` when there is none.
    pub fn wait(&mut self, parent: u32) -> Result<Option<Step>, VmError> {
        self.live(parent)?;
        let z = self.procs.values().find_map(|c| match c.state {
            ProcState::Zombie(code) if c.ppid == parent => Some((c.pid, code)),
            _ => None,
        });
        Ok(z.map(|(child, code)| {
            self.procs.remove(&child);
            Step::Reap {
                parent,
                child,
                code,
            }
        }))
    }

    /// brk: moves the program break; the heap VMA `[brk_start, brk)` grows or shrinks (pages
    /// above a lower break are unmapped). Returns the new break, or the old one when the
    /// request is below the start or would run into another VMA (mm/mmap.c `brk`).
    pub fn brk(&mut self, pid: u32, new: u64) -> Result<u64, VmError> {
        let p = self.live(pid)?.clone();
        let up = |v: u64| v.saturating_add(0xfff) & !0xfff;
        let (start, old_end, new_end) = (p.brk_start, up(p.brk), up(new));
        // mm/mmap.c brk: the new heap may not meet another VMA, nor the stack's guard gap.
        let clash = p.vmas.iter().any(|v| {
            let gap = if v.kind == VmaKind::Stack {
                super::vma::STACK_GUARD_GAP
            } else {
                0
            };
            v.name != "[heap]"
                && v.start < new_end.saturating_add(gap)
                && v.end > old_end.max(start)
        });
        if new < start || (new_end > old_end && clash) {
            return Ok(p.brk);
        }
        self.swap_drop(p.root_pfn, new_end, old_end);
        for m in self.mapped(p.root_pfn) {
            if m.page >= new_end && m.page < old_end {
                set_leaf(&self.fmt, &mut self.frames, p.root_pfn, m.page, 0);
                if m.frame != self.zero_frame {
                    self.frames.put(m.frame);
                }
                self.tlb.invlpg(m.page);
            }
        }
        if let Some(q) = self.procs.get_mut(&pid) {
            q.brk = new;
            q.vmas.retain(|v| v.name != "[heap]");
            if new_end > start {
                q.vmas.push(Vma {
                    name: "[heap]".into(),
                    ..Vma::new(start, new_end, Prot::RW, VmaKind::Brk)
                });
            }
            q.vmas.sort_by_key(|v| v.start);
        }
        Ok(new)
    }
}
