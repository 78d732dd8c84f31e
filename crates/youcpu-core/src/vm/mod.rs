//! The kernel's side of virtual memory: per-process address spaces of VMAs over page tables in
//! the x86-64 format of [`crate::paging`], frames with reference counts, demand paging (zero
//! pages, file pages through a page cache, stack growth), protection faults that end in SIGSEGV, fork with
//! copy-on-write, exec, exit and wait, the process tree from pid 1, and memory pressure (a
//! memory limit, reclaim, swap, the OOM outcome: [`reclaim`]). Every operation returns
//! its [`Step`]s as data for the widgets (`demand-paging`, `fork-cow`, `process-tree`).
//!
//! Why a model apart from [`crate::linux`], which runs programs with the same mechanisms: the
//! widgets step through single memory accesses of hand-made processes and show every
//! decision (a TLB hit, a walk, the zero page, a page-cache read), with frames counted under a
//! small budget and no CPU at all; the kernel that runs programs takes those decisions inside
//! a page-fault handler between two instructions. The two share their parts: the region and
//! protection types ([`crate::linux::vma`]), the address-space layout
//! ([`crate::linux::layout`]) and the page-table format ([`crate::paging`]).

pub mod audit;
pub mod cache;
pub mod fault;
pub mod frames;
pub mod mmap;
pub mod reclaim;
pub mod step;
pub mod system;
pub mod vma;

pub use frames::{FrameUse, Frames, FRAME_SIZE};
pub use mmap::Prot;
pub use reclaim::Counters;
pub use step::{Decision, SegvReason, Step};
pub use system::{Limits, ProcState, Process, System, Touch};
pub use vma::{Image, Segment, Vma, VmaKind};

use std::fmt;

/// A request the model refuses; the message is one line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VmError {
    /// The frame budget is spent.
    OutOfMemory {
        /// The budget in frames.
        frames: usize,
    },
    /// The process table is full.
    TooManyProcesses(usize),
    /// No such live process.
    NoProcess(u32),
    /// The process is a zombie.
    Zombie(u32),
    /// Init may not exit (the kernel would panic).
    InitExit,
    /// The access was too long.
    TooLong(u64),
    /// An image the model cannot map.
    BadImage(String),
    /// The access ended in SIGSEGV.
    Segv {
        /// The faulting address.
        addr: u64,
        /// Why.
        reason: SegvReason,
    },
    /// A page-table update failed (a model bug, reported rather than panicking).
    Internal(String),
    /// Nothing could be reclaimed under the memory limit: the OOM killer's choice.
    OomKill {
        /// The limit in frames.
        limit: usize,
        /// Swap slots in use.
        swap_used: usize,
        /// Swap slots.
        swap_total: usize,
        /// The process the OOM killer picks (highest `oom_badness`).
        victim: u32,
        /// Its resident user pages.
        rss: u64,
        /// Its pages in swap.
        swap: u64,
    },
    /// A memory limit or swap size the model refuses.
    BadLimit(String),
}

impl fmt::Display for VmError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VmError::OutOfMemory { frames } => write!(
                f,
                "out of memory: all {frames} frames of simulated physical memory are in use"
            ),
            VmError::TooManyProcesses(n) => write!(f, "the process table is full ({n} processes)"),
            VmError::NoProcess(p) => write!(f, "no process with pid {p}"),
            VmError::Zombie(p) => write!(f, "pid {p} has exited (a zombie until waited for)"),
            VmError::InitExit => f.write_str("pid 1 may not exit: the kernel would panic"),
            VmError::TooLong(n) => write!(f, "an access of {n} bytes is too long"),
            VmError::BadImage(m) => write!(f, "cannot map the image: {m}"),
            VmError::Segv { addr, reason } => {
                write!(f, "SIGSEGV at {addr:#x}: {}", reason.describe())
            }
            VmError::Internal(m) => write!(f, "internal error: {m}"),
            VmError::OomKill {
                limit,
                swap_used,
                swap_total,
                victim,
                rss,
                swap,
            } => write!(
                f,
                "out of memory: nothing left to reclaim under the limit of {limit} pages (swap \
                 {swap_used} of {swap_total} pages used); the OOM killer picks pid {victim} \
                 ({rss} pages resident, {swap} in swap)"
            ),
            VmError::BadLimit(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for VmError {}
