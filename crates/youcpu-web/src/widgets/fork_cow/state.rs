//! The fork/copy-on-write widget's state: the kernel-side memory model booted with pid 1
//! running the article's own static "hello" program, and the operations the reader applied
//! (touch a page, fork, exec, exit, wait). Each operation's steps are kept for the log. The
//! state is the operation list replayed from boot, so a link reproduces it exactly.

use crate::widgets::programs::hello_static;
use crate::widgets::oplog::{OpAction, OpLog, OpModel};
use youcpu_core::paging::AccessKind;
use youcpu_core::vm::{Image, Limits, Step, System, VmaKind};

pub use crate::widgets::oplog::MAX_OPS;
/// Most live processes shown.
pub const MAX_PROCS: usize = 4;
/// Frames of physical memory in the model.
pub const FRAMES: usize = 256;

/// Which part of the address space an access goes to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Region {
    /// The code page (read-only, executable, from the file).
    Code,
    /// The data page (writable, from the file: copy-on-write after fork).
    Data,
    /// The top of the stack (anonymous).
    Stack,
}

impl Region {
    /// Short name.
    pub fn name(self) -> &'static str {
        match self {
            Region::Code => "code",
            Region::Data => "data",
            Region::Stack => "stack",
        }
    }
}

/// One operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// Read a region.
    Read(u32, Region),
    /// Write a byte into a region (the value is the op's position, so writes differ).
    Write(u32, Region),
    /// fork().
    Fork(u32),
    /// exec the same program again (a fresh address space).
    Exec(u32),
    /// exit(0).
    Exit(u32),
    /// wait() by this parent.
    Wait(u32),
}

impl Op {
    fn code(self) -> String {
        let r = |r: Region| match r {
            Region::Code => 'c',
            Region::Data => 'd',
            Region::Stack => 's',
        };
        match self {
            Op::Read(p, x) => format!("r{p}{}", r(x)),
            Op::Write(p, x) => format!("w{p}{}", r(x)),
            Op::Fork(p) => format!("f{p}"),
            Op::Exec(p) => format!("e{p}"),
            Op::Exit(p) => format!("x{p}"),
            Op::Wait(p) => format!("a{p}"),
        }
    }

    fn parse(s: &str) -> Option<Op> {
        let (kind, rest) = s.split_at_checked(1)?;
        let region = |c: char| match c {
            'c' => Some(Region::Code),
            'd' => Some(Region::Data),
            's' => Some(Region::Stack),
            _ => None,
        };
        match kind {
            "r" | "w" => {
                let last = rest.chars().last()?;
                let pid: u32 = rest.get(..rest.len() - last.len_utf8())?.parse().ok()?;
                let reg = region(last)?;
                Some(if kind == "r" {
                    Op::Read(pid, reg)
                } else {
                    Op::Write(pid, reg)
                })
            }
            "f" => rest.parse().ok().map(Op::Fork),
            "e" => rest.parse().ok().map(Op::Exec),
            "x" => rest.parse().ok().map(Op::Exit),
            "a" => rest.parse().ok().map(Op::Wait),
            _ => None,
        }
    }

    /// What the reader did, in words.
    pub fn describe(self) -> String {
        match self {
            Op::Read(p, r) => format!("pid {p} reads its {} page", r.name()),
            Op::Write(p, r) => format!("pid {p} writes to its {} page", r.name()),
            Op::Fork(p) => format!("pid {p} calls fork()"),
            Op::Exec(p) => format!("pid {p} calls execve(\"hello\")"),
            Op::Exit(p) => format!("pid {p} calls exit(0)"),
            Op::Wait(p) => format!("pid {p} calls wait()"),
        }
    }
}

fn image() -> Result<Image, String> {
    let bytes = hello_static()?;
    Image::from_elf("hello", bytes, 200).map_err(|e| e.to_string())
}

/// The address an access to `region` of process `pid` uses.
pub fn region_va(sys: &System, pid: u32, region: Region) -> Option<u64> {
    let p = sys.process(pid)?;
    match region {
        Region::Code => p.vmas.iter().find(|v| v.prot.exec).map(|v| v.start),
        Region::Data => p
            .vmas
            .iter()
            .find(|v| v.prot.write && matches!(v.kind, VmaKind::File { .. }))
            .map(|v| v.start),
        Region::Stack => p
            .vmas
            .iter()
            .find(|v| matches!(v.kind, VmaKind::Stack))
            .map(|v| v.end - 8),
    }
}

fn apply_op(sys: &mut System, op: Op, n: usize) -> Result<Vec<Step>, String> {
    let va = |sys: &System, p, r| {
        region_va(sys, p, r).ok_or_else(|| format!("pid {p} has no {} page", r.name()))
    };
    match op {
        Op::Read(p, r) => {
            let a = va(sys, p, r)?;
            sys.touch(p, a, AccessKind::Read)
                .map(|t| t.steps)
                .map_err(|e| e.to_string())
        }
        Op::Write(p, r) => {
            let a = va(sys, p, r)?;
            sys.write_bytes(p, a, &[(n % 250) as u8 + 1])
                .map_err(|e| e.to_string())
        }
        Op::Fork(p) => {
            if sys
                .processes()
                .filter(|q| q.state == youcpu_core::vm::ProcState::Running)
                .count()
                >= MAX_PROCS
            {
                return Err(format!("this widget shows at most {MAX_PROCS} processes"));
            }
            sys.fork(p).map(|(_, s)| s).map_err(|e| e.to_string())
        }
        Op::Exec(p) => sys.exec(p, image()?).map_err(|e| e.to_string()),
        Op::Exit(p) => sys.exit(p, 0).map_err(|e| e.to_string()),
        Op::Wait(p) => sys
            .wait(p)
            .map(|s| s.into_iter().collect())
            .map_err(|e| e.to_string()),
    }
}


/// The model behind this widget, driven through the shared [`OpLog`].
pub struct FcModel;

impl OpModel for FcModel {
    const PREFIX: &'static str = "fc-";
    type Op = Op;
    type Out = Vec<Step>;

    fn boot() -> Result<(System, Vec<Step>), String> {
        let img = image()?;
        System::boot(
            Limits {
                frames: FRAMES,
                processes: 16,
                tlb_entries: 16,
            },
            img,
        )
        .map_err(|e| e.to_string())
    }

    fn apply(sys: &mut System, op: Op, n: usize) -> Result<Vec<Step>, String> {
        apply_op(sys, op, n)
    }

    fn code(op: Op) -> String {
        op.code()
    }

    fn parse(code: &str) -> Option<Op> {
        Op::parse(code)
    }

    /// pid 1 has run a little (its code read, its data and stack written) and forked: the
    /// widget opens on two address spaces sharing every frame, read-only.
    fn initial() -> &'static [Op] {
        &[
            Op::Read(1, Region::Code),
            Op::Write(1, Region::Data),
            Op::Write(1, Region::Stack),
            Op::Fork(1),
        ]
    }
}

/// The widget's state: the booted model and the operations applied to it.
pub type State = OpLog<FcModel>;
/// What the reader asks of it.
pub type Action = OpAction<Op>;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::{Apply, UrlState};

    fn frame_of(s: &State, pid: u32, region: Region) -> Option<(u64, bool)> {
        let sys = s.sys.as_ref()?;
        let va = region_va(sys, pid, region)? & !0xfff;
        sys.mapped_pages(pid)
            .into_iter()
            .find(|m| m.page == va)
            .map(|m| (m.frame, m.writable))
    }

    #[test]
    fn fork_shares_then_a_write_copies() {
        let mut s = State::booted();
        s.apply(Action::Do(Op::Write(1, Region::Data)));
        let (f1, w1) = frame_of(&s, 1, Region::Data).expect("mapped");
        assert!(w1);
        s.apply(Action::Do(Op::Fork(1)));
        let (p, pw) = frame_of(&s, 1, Region::Data).expect("parent");
        let (c, cw) = frame_of(&s, 2, Region::Data).expect("child");
        assert_eq!((p, c), (f1, f1), "shared after fork");
        assert!(!pw && !cw, "both read-only (copy-on-write)");
        assert_eq!(
            s.sys.as_ref().and_then(|x| x.frames.info(f1)).map(|i| i.1),
            Some(2)
        );
        s.apply(Action::Do(Op::Write(2, Region::Data)));
        let (c2, cw2) = frame_of(&s, 2, Region::Data).expect("child");
        assert_ne!(c2, f1, "the child got a copy");
        assert!(cw2);
        assert_eq!(
            s.sys.as_ref().and_then(|x| x.frames.info(f1)).map(|i| i.1),
            Some(1)
        );
        // The parent is now the only user: its write reuses the frame without copying.
        s.apply(Action::Do(Op::Write(1, Region::Data)));
        assert_eq!(frame_of(&s, 1, Region::Data).map(|x| x.0), Some(f1));
    }

    #[test]
    fn undo_replays_and_links_reproduce() {
        let mut s = State::booted();
        for op in [
            Op::Read(1, Region::Code),
            Op::Fork(1),
            Op::Write(2, Region::Stack),
            Op::Exit(2),
            Op::Wait(1),
        ] {
            s.apply(Action::Do(op));
        }
        assert_eq!(s.ops.len(), 5);
        let back = State::from_query(&s.to_query().into());
        assert_eq!(back.ops, s.ops);
        s.apply(Action::Undo);
        assert_eq!(s.ops.len(), 4);
        // The opening state has no key in the URL; the bare boot has one.
        assert!(State::default().to_query().is_empty());
        assert_eq!(State::default().ops.len(), 4);
        let booted = State::from_query(&State::booted().to_query().into());
        assert!(booted.ops.is_empty());
        s.apply(Action::Reset);
        assert_eq!(s.ops, State::default().ops);
    }

    #[test]
    fn bad_operations_are_messages() {
        let mut s = State::booted();
        s.apply(Action::Do(Op::Write(9, Region::Data)));
        assert!(s.last.is_err());
        s.apply(Action::Do(Op::Exit(1)));
        assert!(s.last.is_err(), "init may not exit");
        for _ in 0..10 {
            s.apply(Action::Do(Op::Fork(1)));
        }
        assert!(s.sys.as_ref().map_or(0, |x| x.processes().count()) <= MAX_PROCS);
        let junk = State::from_query(&vec![("ops".to_string(), "zz.r.w9q.f1.".repeat(100))].into());
        assert!(junk.ops.len() <= MAX_PROCS);
    }
}
