//! The demand-paging widget's state: the kernel-side memory model booted with pid 1 running the
//! article's static "hello" program, and the operations the reader applied to it (grow the heap
//! with brk, map a file with mmap, read or write one of several addresses). The state is the
//! operation list replayed from boot, so a link reproduces it exactly.

use crate::widgets::programs::hello_static;
use crate::widgets::oplog::{OpAction, OpLog, OpModel};
use youcpu_core::paging::AccessKind;
use youcpu_core::vm::system::KERNEL_VA;
use youcpu_core::vm::{Decision, Image, Limits, Prot, Step, System, VmaKind};

pub use crate::widgets::oplog::MAX_OPS;
/// Most file mappings the reader may make.
pub const MAX_MMAPS: usize = 4;
/// Frames of physical memory in the model.
pub const FRAMES: usize = 256;
/// The process every operation applies to.
pub const PID: u32 = 1;
/// The name of the file the reader maps.
pub const FILE_NAME: &str = "notes.txt";
/// How much brk grows the heap each time.
pub const BRK_STEP: u64 = 0x2000;
/// Pages of swap when the reader sets a memory limit.
pub const SWAP_PAGES: usize = 8;
/// The memory limits (pages of user memory and page cache) the reader may pick; 0 is none.
pub const MEMORY_LIMITS: [u8; 6] = [0, 2, 3, 4, 6, 8];
/// An address no region covers.
pub const UNOWNED_VA: u64 = 0x1000_0000;

/// Where an access goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// The first byte of the heap.
    HeapStart,
    /// The last byte of the heap (just below the break).
    HeapEnd,
    /// The top of the stack.
    StackTop,
    /// Just below the stack region's lowest page: the stack grows.
    BelowStack,
    /// The first page of the newest file mapping.
    File,
    /// An address inside no region.
    Unowned,
    /// Kernel memory.
    Kernel,
}

/// Every target, in display order.
pub const TARGETS: [Target; 7] = [
    Target::HeapStart,
    Target::HeapEnd,
    Target::StackTop,
    Target::BelowStack,
    Target::File,
    Target::Unowned,
    Target::Kernel,
];

impl Target {
    fn code(self) -> char {
        match self {
            Target::HeapStart => 'h',
            Target::HeapEnd => 'e',
            Target::StackTop => 's',
            Target::BelowStack => 'g',
            Target::File => 'f',
            Target::Unowned => 'u',
            Target::Kernel => 'k',
        }
    }

    fn from_code(c: char) -> Option<Target> {
        TARGETS.into_iter().find(|t| t.code() == c)
    }

    /// Short name (also used in test ids).
    pub fn slug(self) -> &'static str {
        match self {
            Target::HeapStart => "heap-start",
            Target::HeapEnd => "heap-end",
            Target::StackTop => "stack-top",
            Target::BelowStack => "below-stack",
            Target::File => "file",
            Target::Unowned => "unowned",
            Target::Kernel => "kernel",
        }
    }

    /// What the address is, in words.
    pub fn label(self) -> &'static str {
        match self {
            Target::HeapStart => "start of the heap",
            Target::HeapEnd => "end of the heap",
            Target::StackTop => "top of the stack",
            Target::BelowStack => "just below the stack",
            Target::File => "the mapped file",
            Target::Unowned => "memory nobody mapped",
            Target::Kernel => "kernel memory",
        }
    }

    /// Where the access goes, as a phrase after a verb.
    pub fn at(self) -> &'static str {
        match self {
            Target::HeapStart => "at the start of the heap",
            Target::HeapEnd => "at the end of the heap",
            Target::StackTop => "at the top of the stack",
            Target::BelowStack => "just below the stack",
            Target::File => "in the mapped file",
            Target::Unowned => "in memory nobody mapped",
            Target::Kernel => "in kernel memory",
        }
    }

    /// The address an access to this target uses now, or why there is none.
    pub fn va(self, sys: &System) -> Result<u64, String> {
        let p = sys
            .process(PID)
            .ok_or_else(|| format!("there is no pid {PID}"))?;
        let stack = || {
            p.vmas
                .iter()
                .find(|v| matches!(v.kind, VmaKind::Stack))
                .ok_or_else(|| "the process has no stack".to_string())
        };
        match self {
            Target::HeapStart | Target::HeapEnd if p.brk <= p.brk_start => {
                Err("the heap is empty: grow it with brk first".into())
            }
            Target::HeapStart => Ok(p.brk_start),
            Target::HeapEnd => Ok(p.brk - 1),
            Target::StackTop => stack().map(|v| v.end - 8),
            Target::BelowStack => stack().map(|v| v.start.saturating_sub(8)),
            Target::File => p
                .vmas
                .iter()
                .filter(|v| matches!(v.kind, VmaKind::File { .. }) && v.name == FILE_NAME)
                .map(|v| v.start)
                .min()
                .ok_or_else(|| "no file is mapped yet: mmap it first".into()),
            Target::Unowned => Ok(UNOWNED_VA),
            Target::Kernel => Ok(KERNEL_VA),
        }
    }
}

/// One operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// brk(current break + [`BRK_STEP`]).
    Brk,
    /// mmap the file, private, read-write.
    Mmap,
    /// Read a byte.
    Read(Target),
    /// Write a byte.
    Write(Target),
    /// Set the memory limit to this many pages, with [`SWAP_PAGES`] of swap (0: no limit).
    Limit(u8),
    /// Touch this address (a click on the picture): write when true, else read.
    At(bool, u64),
}

impl Op {
    fn code(self) -> String {
        match self {
            Op::Brk => "b".into(),
            Op::Mmap => "m".into(),
            Op::Read(t) => format!("r{}", t.code()),
            Op::Write(t) => format!("w{}", t.code()),
            Op::Limit(n) => format!("l{n}"),
            Op::At(true, va) => format!("W{va:x}"),
            Op::At(false, va) => format!("R{va:x}"),
        }
    }

    fn parse(s: &str) -> Option<Op> {
        if let Some(n) = s.strip_prefix('l') {
            let n: u8 = n.parse().ok()?;
            return MEMORY_LIMITS.contains(&n).then_some(Op::Limit(n));
        }
        for (p, write) in [('W', true), ('R', false)] {
            if let Some(hex) = s.strip_prefix(p) {
                return u64::from_str_radix(hex, 16).ok().map(|va| Op::At(write, va));
            }
        }
        let mut c = s.chars();
        let op = match (c.next()?, c.next()) {
            ('b', None) => Op::Brk,
            ('m', None) => Op::Mmap,
            ('r', Some(t)) => Op::Read(Target::from_code(t)?),
            ('w', Some(t)) => Op::Write(Target::from_code(t)?),
            _ => return None,
        };
        c.next().is_none().then_some(op)
    }

    /// What the reader did, in words.
    pub fn describe(self) -> String {
        match self {
            Op::Brk => format!("brk: grow the heap by {BRK_STEP:#x} bytes"),
            Op::Mmap => format!("mmap(\"{FILE_NAME}\", 2 pages, private, read-write)"),
            Op::Read(t) => format!("read a byte {}", t.at()),
            Op::Write(t) => format!("write a byte {}", t.at()),
            Op::Limit(0) => "no memory limit".into(),
            Op::Limit(n) => format!("memory limit: {n} pages, {SWAP_PAGES} pages of swap"),
            Op::At(true, va) => format!("write a byte at {va:#x}"),
            Op::At(false, va) => format!("read a byte at {va:#x}"),
        }
    }
}

/// How an access ended, in one word or two.
pub fn outcome(steps: &[Step]) -> &'static str {
    let mut out = "page walk, no fault";
    let mut faulted = false;
    for s in steps {
        match s {
            Step::TlbHit { .. } if !faulted => out = "TLB hit",
            Step::PageFault { .. } => faulted = true,
            Step::Kernel { decision } => {
                out = match decision {
                    Decision::ZeroPage { .. } => "fault: zero page",
                    Decision::DemandZero { .. } => "fault: new zeroed frame",
                    Decision::FileRead { .. } => "fault: read from the file",
                    Decision::PageCache { .. } => "fault: page-cache hit",
                    Decision::PrivateCopy { .. } => "fault: private copy",
                    Decision::StackGrow { .. } => "fault: stack growth",
                    Decision::CowCopy { .. } => "fault: copy-on-write copy",
                    Decision::CowReuse { .. } => "fault: made writable",
                    Decision::SwapIn { .. } => "fault: read back from swap",
                    Decision::Segv { .. } => "SIGSEGV",
                };
                if out == "SIGSEGV" || out == "fault: stack growth" {
                    return out;
                }
            }
            _ => {}
        }
    }
    out
}

/// True for a reclaim step that freed a frame (swap-out or a dropped file page).
fn is_eviction(s: &Step) -> bool {
    matches!(s, Step::SwapOut { .. } | Step::DropFilePage { .. })
}

/// The result of the last operation: a headline and the explained steps.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    /// A short headline ("fault: zero page", "TLB hit", "brk", ...).
    pub headline: String,
    /// One sentence per step.
    pub lines: Vec<String>,
    /// The address touched, if the operation was an access.
    pub va: Option<u64>,
}

fn file_bytes() -> Vec<u8> {
    let line = "A line of the mapped file, read into memory only when a page of it is touched.\n";
    line.repeat(6000 / line.len() + 1).into_bytes()
}

fn apply_op(sys: &mut System, op: Op) -> Result<Outcome, String> {
    match op {
        Op::Brk => {
            let p = sys.process(PID).ok_or("no process")?;
            let old = p.brk;
            let new = sys
                .brk(PID, old.saturating_add(BRK_STEP))
                .map_err(|e| e.to_string())?;
            if new == old {
                return Err("brk refused: the heap would run into another region".into());
            }
            Ok(Outcome {
                headline: "brk: no fault, no frame".into(),
                va: None,
                lines: vec![
                    format!("the break moves from {old:#x} to {new:#x}: the [heap] region grows"),
                    "no page is mapped and no frame is used until the heap is touched".into(),
                ],
            })
        }
        Op::Mmap => {
            let n = sys
                .process(PID)
                .map_or(0, |p| p.vmas.iter().filter(|v| v.name == FILE_NAME).count());
            if n >= MAX_MMAPS {
                return Err(format!(
                    "this widget maps the file at most {MAX_MMAPS} times"
                ));
            }
            let f = sys
                .add_file(FILE_NAME, file_bytes())
                .map_err(|e| e.to_string())?;
            let prot = Prot::RW;
            let at = sys
                .mmap(PID, 2 * 4096, prot, Some((f, 0)))
                .map_err(|e| e.to_string())?;
            Ok(Outcome {
                headline: "mmap: no fault, no frame".into(),
                va: None,
                lines: vec![
                    format!("a new region for {FILE_NAME} at {at:#x}, two pages long"),
                    "the file is not read yet: its pages arrive on first touch".into(),
                ],
            })
        }
        Op::Limit(n) => {
            let limit = (n > 0).then_some(usize::from(n));
            let steps = sys
                .set_memory_limit(limit, SWAP_PAGES)
                .map_err(|e| e.to_string())?;
            let evicted = steps.iter().filter(|s| is_eviction(s)).count();
            let mut lines = vec![match limit {
                Some(n) => format!(
                    "user pages and the page cache may now hold at most {n} frames; {SWAP_PAGES} pages of swap"
                ),
                None => "no limit: nothing is reclaimed".into(),
            }];
            lines.extend(steps.iter().map(Step::explain));
            Ok(Outcome {
                va: None,
                headline: match evicted {
                    0 => "limit set".into(),
                    1 => "limit set: 1 page evicted".into(),
                    k => format!("limit set: {k} pages evicted"),
                },
                lines,
            })
        }
        Op::Read(_) | Op::Write(_) | Op::At(..) => {
            let va = match op {
                Op::Read(t) | Op::Write(t) => t.va(sys)?,
                Op::At(_, va) => va,
                _ => return Err("not an access".into()),
            };
            let kind = if matches!(op, Op::Write(_) | Op::At(true, _)) {
                AccessKind::Write
            } else {
                AccessKind::Read
            };
            let touch = sys.touch(PID, va, kind).map_err(|e| e.to_string())?;
            let mut lines = vec![format!(
                "{} {va:#x}",
                if kind == AccessKind::Write {
                    "write to"
                } else {
                    "read from"
                }
            )];
            lines.extend(touch.steps.iter().map(Step::explain));
            if touch.result.is_err() {
                lines.push(
                    "the default action of SIGSEGV kills the process; this model lets it go on so you can keep exploring"
                        .into(),
                );
            }
            let evicted = touch.steps.iter().filter(|s| is_eviction(s)).count();
            let headline = match evicted {
                0 => outcome(&touch.steps).to_string(),
                _ => format!("{}, after evicting a page", outcome(&touch.steps)),
            };
            Ok(Outcome {
                headline,
                lines,
                va: Some(va),
            })
        }
    }
}


/// The model behind this widget, driven through the shared [`OpLog`].
pub struct DpModel;

impl OpModel for DpModel {
    const PREFIX: &'static str = "dp-";
    type Op = Op;
    type Out = Outcome;

    fn boot() -> Result<(System, Outcome), String> {
        let img = hello_static()
            .and_then(|b| Image::from_elf("hello", b, 200).map_err(|e| e.to_string()))?;
        let (sys, steps) = System::boot(
            Limits {
                frames: FRAMES,
                processes: 4,
                tlb_entries: 16,
            },
            img,
        )
        .map_err(|e| e.to_string())?;
        let out = Outcome {
            va: None,
            headline: "boot".into(),
            lines: steps.iter().map(Step::explain).collect(),
        };
        Ok((sys, out))
    }

    fn apply(sys: &mut System, op: Op, _n: usize) -> Result<Outcome, String> {
        apply_op(sys, op)
    }

    fn code(op: Op) -> String {
        op.code()
    }

    fn parse(code: &str) -> Option<Op> {
        Op::parse(code)
    }
}

/// The widget's state: the booted model and the operations applied to it.
pub type State = OpLog<DpModel>;
/// What the reader asks of it.
pub type Action = OpAction<Op>;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::{Apply, UrlState};

    fn headline(s: &State) -> String {
        match s.last.as_ref() {
            Ok(o) => o.headline.clone(),
            Err(e) => format!("error: {e}"),
        }
    }

    fn run(s: &mut State, op: Op) -> String {
        s.apply(Action::Do(op));
        headline(s)
    }

    #[test]
    fn a_memory_limit_evicts_a_page_and_a_touch_brings_it_back() {
        let mut s = State::default();
        assert_eq!(run(&mut s, Op::Limit(2)), "limit set");
        run(&mut s, Op::Brk);
        assert_eq!(
            run(&mut s, Op::Write(Target::HeapStart)),
            "fault: new zeroed frame"
        );
        assert_eq!(
            run(&mut s, Op::Write(Target::HeapEnd)),
            "fault: new zeroed frame"
        );
        // A third page under a limit of two: the clock evicts the heap's first page to swap.
        assert_eq!(
            run(&mut s, Op::Write(Target::StackTop)),
            "fault: new zeroed frame, after evicting a page"
        );
        let lines = s
            .last
            .as_ref()
            .as_ref()
            .map(|o| o.lines.join("\n"))
            .unwrap_or_default();
        assert!(lines.contains("write it to swap slot 0"), "{lines}");
        assert_eq!(s.sys.as_ref().map(|y| y.swapped_pages(PID).len()), Some(1));
        // Touching it again reads it back from swap (and evicts another page for it).
        assert_eq!(
            run(&mut s, Op::Read(Target::HeapStart)),
            "fault: read back from swap, after evicting a page"
        );
        assert_eq!(s.sys.as_ref().map(|y| y.counters().major_faults), Some(1));
        // The operations round-trip through their codes, so a link replays the same state.
        for op in [Op::Limit(0), Op::Limit(8), Op::At(true, 0x7fff_ffff_e000), Op::At(false, 0)] {
            assert_eq!(Op::parse(&op.code()), Some(op));
        }
        assert_eq!(Op::parse("l5"), None);
        assert_eq!(Op::parse("l"), None);
        // Lifting the limit stops eviction.
        assert_eq!(run(&mut s, Op::Limit(0)), "limit set");
        assert_eq!(
            run(&mut s, Op::Read(Target::HeapEnd)),
            "fault: read back from swap"
        );
    }

    #[test]
    fn heap_read_zero_page_then_write_new_frame_then_hit() {
        let mut s = State::default();
        assert!(run(&mut s, Op::Read(Target::HeapStart)).starts_with("error"));
        run(&mut s, Op::Brk);
        assert_eq!(run(&mut s, Op::Read(Target::HeapStart)), "fault: zero page");
        assert_eq!(run(&mut s, Op::Read(Target::HeapStart)), "TLB hit");
        assert_eq!(
            run(&mut s, Op::Write(Target::HeapEnd)),
            "fault: new zeroed frame"
        );
        assert_eq!(run(&mut s, Op::Write(Target::HeapEnd)), "TLB hit");
    }

    #[test]
    fn stack_grows_and_file_pages_come_from_the_file_then_the_cache() {
        let mut s = State::default();
        let start = |s: &State| {
            s.sys
                .as_ref()
                .and_then(|x| x.process(PID))
                .and_then(|p| p.vmas.iter().find(|v| v.kind == VmaKind::Stack))
                .map(|v| v.start)
        };
        run(&mut s, Op::Write(Target::StackTop));
        let before = start(&s);
        assert_eq!(
            run(&mut s, Op::Write(Target::BelowStack)),
            "fault: stack growth"
        );
        assert!(start(&s) < before);
        assert!(run(&mut s, Op::Read(Target::File)).starts_with("error"));
        run(&mut s, Op::Mmap);
        assert_eq!(
            run(&mut s, Op::Read(Target::File)),
            "fault: read from the file"
        );
        run(&mut s, Op::Mmap);
        assert_eq!(run(&mut s, Op::Read(Target::File)), "fault: page-cache hit");
        assert_eq!(run(&mut s, Op::Read(Target::Unowned)), "SIGSEGV");
        assert_eq!(run(&mut s, Op::Read(Target::Kernel)), "SIGSEGV");
    }

    #[test]
    fn writes_after_reads_get_private_frames() {
        let mut s = State::default();
        for op in [
            Op::Brk,
            Op::Read(Target::HeapStart),
            Op::Mmap,
            Op::Read(Target::File),
        ] {
            s.apply(Action::Do(op));
        }
        let w = run(&mut s, Op::Write(Target::HeapStart));
        assert!(w.starts_with("fault:") && w != "fault: zero page", "{w}");
        assert_eq!(run(&mut s, Op::Write(Target::File)), "fault: private copy");
        let sys = s.sys.as_ref().expect("booted");
        let users = sys.frames.count(youcpu_core::vm::FrameUse::User);
        assert!(users >= 2, "heap and the file's private copy: {users}");
    }

    #[test]
    fn undo_replays_links_reproduce_and_junk_is_skipped() {
        let mut s = State::default();
        for op in [
            Op::Brk,
            Op::Write(Target::HeapStart),
            Op::Mmap,
            Op::Read(Target::File),
        ] {
            s.apply(Action::Do(op));
        }
        assert_eq!(s.ops.len(), 4);
        let back = State::from_query(&s.to_query().into());
        assert_eq!(back.ops, s.ops);
        s.apply(Action::Undo);
        assert_eq!(s.ops.len(), 3);
        let junk = State::from_query(&vec![("ops".to_string(), "zz.r.rq.wkk.m.".repeat(100))].into());
        assert!(junk.ops.len() <= MAX_MMAPS);
        for _ in 0..(MAX_OPS + 5) {
            s.apply(Action::Do(Op::Write(Target::BelowStack)));
        }
        assert!(s.ops.len() <= MAX_OPS);
    }
}
