//! The process-tree widget's state: the memory model booted with pid 1 ("init"), and the
//! process operations the reader applied (fork, exec, exit, wait), replayed from boot so a link
//! reproduces them. Every program is played by the article's small static "hello" binary: the
//! model only needs its segments, and only the name changes.

use crate::widgets::programs::hello_static;
use crate::widgets::oplog::{OpAction, OpLog, OpModel};
use youcpu_core::vm::{Image, Limits, ProcState, Step, System};

pub use crate::widgets::oplog::MAX_OPS;
/// Most processes (running or zombie) the widget shows.
pub const MAX_PROCS: usize = 8;

/// A program to exec.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Prog {
    /// The shell.
    Sh,
    /// A command.
    Hello,
}

impl Prog {
    /// The program's name.
    pub fn name(self) -> &'static str {
        match self {
            Prog::Sh => "sh",
            Prog::Hello => "hello",
        }
    }
}

/// One operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    /// fork().
    Fork(u32),
    /// execve of a program.
    Exec(u32, Prog),
    /// exit(0).
    Exit(u32),
    /// wait().
    Wait(u32),
}

impl Op {
    fn code(self) -> String {
        match self {
            Op::Fork(p) => format!("f{p}"),
            Op::Exec(p, Prog::Sh) => format!("s{p}"),
            Op::Exec(p, Prog::Hello) => format!("e{p}"),
            Op::Exit(p) => format!("x{p}"),
            Op::Wait(p) => format!("a{p}"),
        }
    }

    fn parse(s: &str) -> Option<Op> {
        let (kind, rest) = s.split_at_checked(1)?;
        let pid: u32 = rest.parse().ok()?;
        match kind {
            "f" => Some(Op::Fork(pid)),
            "s" => Some(Op::Exec(pid, Prog::Sh)),
            "e" => Some(Op::Exec(pid, Prog::Hello)),
            "x" => Some(Op::Exit(pid)),
            "a" => Some(Op::Wait(pid)),
            _ => None,
        }
    }

    /// What happens, in words.
    pub fn describe(self) -> String {
        match self {
            Op::Fork(p) => format!("pid {p} calls fork()"),
            Op::Exec(p, g) => format!("pid {p} calls execve(\"{}\")", g.name()),
            Op::Exit(p) => format!("pid {p} calls exit(0)"),
            Op::Wait(p) => format!("pid {p} calls wait()"),
        }
    }
}

/// The next step of "run a command from the shell": pid 1 forks and the child becomes the
/// shell; the shell forks, the child execs the command, the command exits, the shell waits.
pub fn next_scripted(sys: &System) -> Option<Op> {
    let running = |p: &&youcpu_core::vm::Process| p.state == ProcState::Running;
    let shell = sys.processes().filter(running).find(|p| p.name == "sh");
    let Some(sh) = shell else {
        // A fresh child of init, still running init's program, becomes the shell.
        return Some(
            match sys
                .processes()
                .filter(running)
                .find(|p| p.ppid == 1 && p.pid != 1 && p.name == "init")
            {
                Some(c) => Op::Exec(c.pid, Prog::Sh),
                None => Op::Fork(1),
            },
        );
    };
    let kids: Vec<_> = sys.processes().filter(|p| p.ppid == sh.pid).collect();
    if kids.iter().any(|k| matches!(k.state, ProcState::Zombie(_))) {
        return Some(Op::Wait(sh.pid));
    }
    if let Some(k) = kids.iter().find(|k| k.name == "hello") {
        return Some(Op::Exit(k.pid));
    }
    if let Some(k) = kids.iter().find(|k| k.name == "sh") {
        return Some(Op::Exec(k.pid, Prog::Hello));
    }
    Some(Op::Fork(sh.pid))
}

/// The image of a program called `name` (played by the small static hello binary).
pub fn image(name: &str) -> Result<Image, String> {
    let bytes = hello_static()?;
    Image::from_elf(name, bytes, 200).map_err(|e| e.to_string())
}

/// What an operation did: the kernel's steps in words, and the children it handed to a new
/// parent (child, the parent that exited) so that the picture can show the adoption.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    /// The kernel's steps, in words.
    pub lines: Vec<String>,
    /// (orphan, its old parent) for each child re-parented by this operation.
    pub adopted: Vec<(u32, u32)>,
}

fn apply_op(sys: &mut System, op: Op) -> Result<Outcome, String> {
    let steps: Vec<Step> = match op {
        Op::Fork(p) => {
            if sys.processes().count() >= MAX_PROCS {
                return Err(format!("this widget shows at most {MAX_PROCS} processes"));
            }
            sys.fork(p).map(|(_, s)| s).map_err(|e| e.to_string())?
        }
        Op::Exec(p, g) => sys.exec(p, image(g.name())?).map_err(|e| e.to_string())?,
        Op::Exit(p) => sys.exit(p, 0).map_err(|e| e.to_string())?,
        Op::Wait(p) => match sys.wait(p).map_err(|e| e.to_string())? {
            Some(s) => vec![s],
            None => {
                let has_kids = sys.processes().any(|c| c.ppid == p && c.pid != p);
                return Err(if has_kids {
                    format!("pid {p} has no zombie child yet: wait() would block until one exits")
                } else {
                    format!("pid {p} has no children: wait() fails with ECHILD")
                });
            }
        },
    };
    let mut lines: Vec<String> = steps.iter().map(Step::explain).collect();
    let mut adopted = Vec::new();
    for s in &steps {
        if let Step::Exit {
            pid, reparented, ..
        } = s
        {
            for c in reparented {
                lines.push(format!("pid {c} lost its parent: it is adopted by pid 1"));
                adopted.push((*c, *pid));
            }
            let parent = sys.process(*pid).map_or(0, |p| p.ppid);
            lines.push(format!(
                "pid {pid} is a zombie now: only its exit status is left, until pid {parent} calls wait()"
            ));
        }
    }
    Ok(Outcome { lines, adopted })
}

/// The model behind this widget, driven through the shared [`OpLog`].
pub struct PtModel;

impl OpModel for PtModel {
    const PREFIX: &'static str = "pt-";
    type Op = Op;
    type Out = Outcome;

    fn boot() -> Result<(System, Outcome), String> {
        let (sys, steps) = System::boot(
            Limits {
                frames: 256,
                processes: MAX_PROCS + 1,
                tlb_entries: 16,
            },
            image("init")?,
        )
        .map_err(|e| e.to_string())?;
        let mut lines = vec!["the kernel finishes booting and starts pid 1, init".to_string()];
        lines.extend(steps.iter().map(Step::explain));
        Ok((
            sys,
            Outcome {
                lines,
                adopted: Vec::new(),
            },
        ))
    }

    fn apply(sys: &mut System, op: Op, _n: usize) -> Result<Outcome, String> {
        apply_op(sys, op)
    }

    fn code(op: Op) -> String {
        op.code()
    }

    fn next(sys: &System) -> Option<Op> {
        next_scripted(sys)
    }

    fn parse(code: &str) -> Option<Op> {
        Op::parse(code)
    }

    /// The widget opens with a shell running a command: init → sh → hello, as on a booted
    /// system where a login shell has just started a program.
    fn initial() -> &'static [Op] {
        &[
            Op::Fork(1),
            Op::Exec(2, Prog::Sh),
            Op::Fork(2),
            Op::Exec(3, Prog::Hello),
        ]
    }
}

/// The widget's state: the booted model and the operations applied to it.
pub type State = OpLog<PtModel>;
/// What the reader asks of it.
pub type Action = OpAction<Op>;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::{Apply, UrlState};

    fn state_of(s: &State, pid: u32) -> Option<ProcState> {
        s.sys.as_ref()?.process(pid).map(|p| p.state)
    }

    #[test]
    fn the_script_runs_a_command_and_reaps_it() {
        let mut s = State::booted();
        let expect = [
            Op::Fork(1),
            Op::Exec(2, Prog::Sh),
            Op::Fork(2),
            Op::Exec(3, Prog::Hello),
            Op::Exit(3),
            Op::Wait(2),
            Op::Fork(2),
        ];
        for (i, want) in expect.iter().enumerate() {
            assert_eq!(s.next(), Some(*want), "step {i}");
            s.apply(Action::Next);
            assert!(s.last.is_ok(), "step {i}: {:?}", s.last);
            if *want == Op::Exit(3) {
                assert_eq!(state_of(&s, 3), Some(ProcState::Zombie(0)));
            }
        }
        assert_eq!(state_of(&s, 3), None, "reaped");
        assert_eq!(state_of(&s, 4), Some(ProcState::Running));
    }

    #[test]
    fn orphans_go_to_pid_1_and_errors_are_messages() {
        let mut s = State::booted();
        for op in [Op::Fork(1), Op::Fork(2), Op::Exit(2)] {
            s.apply(Action::Do(op));
        }
        assert_eq!(
            s.sys.as_ref().and_then(|x| x.process(3)).map(|p| p.ppid),
            Some(1)
        );
        assert_eq!(
            s.last.as_ref().as_ref().map(|o| o.adopted.clone()),
            Ok(vec![(3, 2)])
        );
        s.apply(Action::Do(Op::Wait(1)));
        assert!(s.last.is_ok());
        assert_eq!(state_of(&s, 2), None);
        s.apply(Action::Do(Op::Wait(1)));
        assert!(s.last.is_err(), "no zombie left");
        s.apply(Action::Do(Op::Exit(1)));
        assert!(s.last.is_err(), "init may not exit");
        s.apply(Action::Do(Op::Fork(42)));
        assert!(s.last.is_err());
        for _ in 0..20 {
            s.apply(Action::Do(Op::Fork(1)));
        }
        assert!(s.sys.as_ref().map_or(0, |x| x.processes().count()) <= MAX_PROCS);
    }

    #[test]
    fn undo_and_links() {
        assert_eq!(State::default().ops, PtModel::initial());
        let mut s = State::booted();
        for _ in 0..5 {
            s.apply(Action::Next);
        }
        let back = State::from_query(&s.to_query().into());
        assert_eq!(back.ops, s.ops);
        s.apply(Action::Undo);
        assert_eq!(s.ops.len(), 4);
        let junk = State::from_query(&vec![("ops".to_string(), "q.f.f1.x1.a9.s1.zz".repeat(50))].into());
        assert!(junk.ops.len() <= MAX_OPS);
    }
}
