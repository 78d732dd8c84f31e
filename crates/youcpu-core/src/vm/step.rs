//! The steps an access, a fork, an exec or an exit goes through, as data for the widgets.

use crate::paging::{PageFault, Walk};
use serde::Serialize;

/// Why the kernel sends SIGSEGV (arch/x86/mm/fault.c `bad_area`, `access_error`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SegvReason {
    /// No VMA covers the address (SEGV_MAPERR).
    NoVma,
    /// A user access to a kernel address (SEGV_MAPERR).
    KernelAddress,
    /// A write to a VMA without write permission (SEGV_ACCERR).
    WriteReadOnly,
    /// An instruction fetch from a VMA without exec permission (SEGV_ACCERR).
    ExecNoExec,
    /// A read of a VMA without any permission (SEGV_ACCERR).
    NoAccess,
    /// The stack would grow past RLIMIT_STACK or into the guard gap (SEGV_MAPERR).
    StackLimit,
    /// A non-canonical address: #GP, not #PF; the signal has SI_KERNEL and address 0.
    NonCanonical,
}

impl SegvReason {
    /// A one-line explanation.
    pub fn describe(self) -> &'static str {
        match self {
            SegvReason::NoVma => "no mapping covers the address (SEGV_MAPERR)",
            SegvReason::KernelAddress => "a user access to a kernel address (SEGV_MAPERR)",
            SegvReason::WriteReadOnly => "a write to a read-only mapping (SEGV_ACCERR)",
            SegvReason::ExecNoExec => {
                "an instruction fetch from a non-executable mapping (SEGV_ACCERR)"
            }
            SegvReason::NoAccess => "an access to a PROT_NONE mapping (SEGV_ACCERR)",
            SegvReason::StackLimit => "the stack cannot grow that far (SEGV_MAPERR)",
            SegvReason::NonCanonical => "a non-canonical address: general protection (SI_KERNEL)",
        }
    }

    /// The `si_code` of the SIGSEGV (include/uapi/asm-generic/siginfo.h): SEGV_MAPERR 1,
    /// SEGV_ACCERR 2, SI_KERNEL 128.
    pub fn si_code(self) -> i32 {
        match self {
            SegvReason::NoVma | SegvReason::KernelAddress | SegvReason::StackLimit => 1,
            SegvReason::WriteReadOnly | SegvReason::ExecNoExec | SegvReason::NoAccess => 2,
            SegvReason::NonCanonical => 128,
        }
    }
}

/// What the page-fault handler decided (mm/memory.c `handle_mm_fault`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Decision {
    /// A read of an untouched anonymous page maps the shared zero page read-only
    /// (`do_anonymous_page`).
    ZeroPage {
        /// The zero page's frame.
        frame: u64,
    },
    /// A write to an untouched anonymous page maps a new zeroed frame.
    DemandZero {
        /// The new frame.
        frame: u64,
    },
    /// A file page read from the file into a new frame: into the page cache for a whole page,
    /// or privately for the page holding the end of the file part (zero past it, `padzero`).
    FileRead {
        /// The new frame.
        frame: u64,
        /// The file offset read.
        offset: u64,
        /// Bytes that came from the file (the rest of the page is zero).
        bytes: u64,
    },
    /// A read of a file page already in the page cache: map that frame, read-only when the
    /// mapping is private and writable (`do_read_fault`, `filemap_map_pages`).
    PageCache {
        /// The page-cache frame.
        frame: u64,
    },
    /// A write to a private file mapping: copy the page-cache page into a private frame
    /// (`do_cow_fault`, or `wp_page_copy` when the page was mapped read-only).
    PrivateCopy {
        /// The page-cache frame.
        from: u64,
        /// The private copy.
        to: u64,
    },
    /// The stack VMA grew down to cover the address (`expand_stack`).
    StackGrow {
        /// The old start.
        from: u64,
        /// The new start.
        to: u64,
    },
    /// A write to a shared copy-on-write page: copy it into a new frame (`wp_page_copy`).
    CowCopy {
        /// The shared frame.
        from: u64,
        /// The private copy.
        to: u64,
        /// References to `from` before the copy.
        refs_before: u32,
    },
    /// A write to a copy-on-write page nobody else maps: make it writable (`wp_page_reuse`).
    CowReuse {
        /// The frame.
        frame: u64,
    },
    /// The page was swapped out: read it back from its swap slot into a new frame
    /// (`do_swap_page`, a major fault).
    SwapIn {
        /// The swap slot.
        slot: usize,
        /// The new frame.
        frame: u64,
    },
    /// The access is not allowed: SIGSEGV.
    Segv {
        /// Why.
        reason: SegvReason,
    },
}

/// One step, with a sentence saying what happens.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "step", rename_all = "kebab-case")]
pub enum Step {
    /// The CPU switched to another process's page tables: CR3 written, TLB flushed but for
    /// global entries.
    SwitchCr3 {
        /// The process.
        pid: u32,
        /// Its root table's frame.
        root_pfn: u64,
    },
    /// The TLB had the page.
    TlbHit {
        /// The address.
        va: u64,
        /// Its physical address.
        pa: u64,
    },
    /// The TLB missed and the CPU walked the tables.
    TlbMiss {
        /// The walk.
        walk: Walk,
    },
    /// The walk faulted: #PF with CR2 and the error code.
    PageFault {
        /// The fault.
        fault: PageFault,
    },
    /// The kernel's decision.
    Kernel {
        /// What it did.
        decision: Decision,
    },
    /// A PTE was written.
    Map {
        /// The page.
        page: u64,
        /// The frame.
        frame: u64,
        /// Writable.
        writable: bool,
    },
    /// The access completed.
    Done {
        /// The physical address.
        pa: u64,
    },
    /// fork: the child got copies of the parent's VMAs and page tables.
    Fork {
        /// The parent.
        parent: u32,
        /// The child.
        child: u32,
        /// Frames now mapped by both.
        shared: u64,
        /// Writable PTEs made read-only in both for copy-on-write.
        write_protected: u64,
    },
    /// exec: the old address space was freed and the image's VMAs set up.
    Exec {
        /// The process.
        pid: u32,
        /// The program.
        name: String,
        /// Frames freed with the old address space.
        freed: u64,
        /// VMAs of the new address space.
        vmas: usize,
    },
    /// exit: the address space was freed; the process is a zombie.
    Exit {
        /// The process.
        pid: u32,
        /// Its exit code.
        code: i32,
        /// Frames freed.
        freed: u64,
        /// Children handed to pid 1.
        reparented: Vec<u32>,
    },
    /// Reclaim passed over a frame whose PTEs had the accessed bit set, clearing it (the
    /// clock's second chance; `folio_referenced`).
    SecondChance {
        /// The frame.
        frame: u64,
        /// (pid, page) of every PTE that maps it.
        pages: Vec<(u32, u64)>,
    },
    /// Reclaim wrote an anonymous page to swap and unmapped it (`shrink_folio_list`,
    /// `add_to_swap`, `try_to_unmap`); the frame is free.
    SwapOut {
        /// The frame freed.
        frame: u64,
        /// The swap slot that now holds the page.
        slot: usize,
        /// (pid, page) of every PTE that mapped it.
        pages: Vec<(u32, u64)>,
    },
    /// Reclaim dropped a clean page-cache page and unmapped it; the file still has the data.
    DropFilePage {
        /// The frame freed.
        frame: u64,
        /// The file (index).
        file: usize,
        /// The page's offset in the file.
        offset: u64,
        /// (pid, page) of every PTE that mapped it.
        pages: Vec<(u32, u64)>,
    },
    /// wait: a zombie child was reaped.
    Reap {
        /// The parent.
        parent: u32,
        /// The child.
        child: u32,
        /// Its exit code.
        code: i32,
    },
}

impl Step {
    /// A sentence for the widget.
    pub fn explain(&self) -> String {
        match self {
            Step::SwitchCr3 { pid, root_pfn } => format!(
                "switch to pid {pid}: CR3 <- frame {root_pfn:#x}; the TLB is flushed except global entries"
            ),
            Step::TlbHit { va, pa } => format!("TLB hit: {va:#x} -> {pa:#x}"),
            Step::TlbMiss { walk } => format!(
                "TLB miss: walk {} levels for {:#x}",
                walk.steps.len(),
                walk.va
            ),
            Step::PageFault { fault } => format!(
                "page fault: CR2 = {:#x}, error code {:#x} ({})",
                fault.cr2,
                fault.error_code,
                fault.kind.describe()
            ),
            Step::Kernel { decision } => match decision {
                Decision::ZeroPage { frame } => {
                    format!("first read of an anonymous page: map the shared zero page (frame {frame:#x}) read-only")
                }
                Decision::DemandZero { frame } => {
                    format!("first write to an anonymous page: a new zeroed frame {frame:#x}")
                }
                Decision::FileRead { frame, offset, bytes } => format!(
                    "read {bytes} bytes of the file at offset {offset:#x} into frame {frame:#x}"
                ),
                Decision::PageCache { frame } => {
                    format!("the file page is in the page cache (frame {frame:#x}): map it")
                }
                Decision::PrivateCopy { from, to } => format!(
                    "write to a private file mapping: copy page-cache frame {from:#x} to frame {to:#x}"
                ),
                Decision::StackGrow { from, to } => {
                    format!("grow the stack down from {from:#x} to {to:#x}")
                }
                Decision::CowCopy { from, to, refs_before } => format!(
                    "copy-on-write: frame {from:#x} is shared ({refs_before} references); copy it to frame {to:#x}"
                ),
                Decision::CowReuse { frame } => format!(
                    "copy-on-write: frame {frame:#x} is no longer shared; just make it writable"
                ),
                Decision::SwapIn { slot, frame } => format!(
                    "the page was swapped out: read it back from swap slot {slot} into frame {frame:#x} (a major fault)"
                ),
                Decision::Segv { reason } => format!("SIGSEGV: {}", reason.describe()),
            },
            Step::Map { page, frame, writable } => format!(
                "PTE for {page:#x} -> frame {frame:#x}, {}",
                if *writable { "writable" } else { "read-only" }
            ),
            Step::Done { pa } => format!("access done at physical {pa:#x}"),
            Step::Fork { parent, child, shared, write_protected } => format!(
                "fork: pid {parent} -> pid {child}; {shared} frames shared, {write_protected} PTEs write-protected for copy-on-write"
            ),
            Step::Exec { pid, name, freed, vmas } => {
                format!("exec {name} in pid {pid}: {freed} frames freed, {vmas} new VMAs, no pages yet")
            }
            Step::Exit { pid, code, freed, reparented } => format!(
                "pid {pid} exits with {code}: {freed} frames freed; {} children go to pid 1",
                reparented.len()
            ),
            Step::SecondChance { frame, pages } => format!(
                "reclaim: frame {frame:#x} ({}) was accessed recently; clear the accessed bit and pass over it",
                pages_text(pages)
            ),
            Step::SwapOut { frame, slot, pages } => format!(
                "reclaim: frame {frame:#x} ({}) is anonymous; write it to swap slot {slot}, unmap it, free the frame",
                pages_text(pages)
            ),
            Step::DropFilePage { frame, offset, pages, .. } => format!(
                "reclaim: frame {frame:#x} holds file offset {offset:#x} ({}), clean; drop it from the page cache and free the frame",
                pages_text(pages)
            ),
            Step::Reap { parent, child, code } => {
                format!("pid {parent} reaps pid {child} (exit code {code})")
            }
        }
    }
}

/// "pid 1 page 0x1000, pid 2 page 0x1000", or "mapped by no process".
fn pages_text(pages: &[(u32, u64)]) -> String {
    if pages.is_empty() {
        return "mapped by no process".into();
    }
    pages
        .iter()
        .map(|(pid, page)| format!("pid {pid} page {page:#x}"))
        .collect::<Vec<_>>()
        .join(", ")
}
