//! Open a moment of `your-program`'s run: the run replayed from the start to the moment's
//! instruction count (the simulation is deterministic, so no snapshots are kept), and stepped
//! on from there one instruction at a time.

use super::state::State;
use std::cell::RefCell;
use std::rc::Rc;
use youcpu_core::linux::Linux;

/// The machine at one moment, opened from an event (the run replayed from the start to that
/// instruction count: the simulation is deterministic).
#[derive(Clone)]
pub struct Opened {
    /// The moment's index.
    pub index: usize,
    /// The machine then.
    pub linux: Rc<RefCell<Linux>>,
    /// Instructions stepped since the moment (each line: address and text).
    pub stepped: Vec<String>,
}

impl PartialEq for Opened {
    fn eq(&self, o: &Self) -> bool {
        self.index == o.index && Rc::ptr_eq(&self.linux, &o.linux) && self.stepped == o.stepped
    }
}

impl State {
    /// Replays the run to the chosen moment and opens the machine there.
    pub(super) fn open(&mut self) {
        let Some(i) = self.selected else { return };
        let Some(m) = self.story.get(i) else { return };
        let target = m.instructions;
        // Replay from the start: the same files, arguments and input give the same run.
        let mut copy = self.clone();
        copy.want = None;
        copy.start();
        let Some(run) = copy.run else { return };
        {
            let mut l = run.linux.borrow_mut();
            let mut fed = 0u8;
            loop {
                let left = target.saturating_sub(l.instructions());
                let done = l.run(left);
                if done || l.instructions() >= target {
                    break;
                }
                if l.awaiting_input {
                    let data = if fed == 0 {
                        self.stdin.as_bytes().to_vec()
                    } else {
                        Vec::new()
                    };
                    fed = fed.saturating_add(1);
                    l.feed_stdin(&data);
                } else {
                    break;
                }
            }
        }
        self.opened = Some(Opened {
            index: i,
            linux: run.linux,
            stepped: Vec::new(),
        });
    }

    /// Steps the opened machine by one instruction (or one kernel action).
    pub(super) fn step_instruction(&mut self) {
        let Some(o) = self.opened.as_mut() else { return };
        let step = o.linux.borrow_mut().step_traced();
        use youcpu_core::linux::TraceStep;
        let line = match step {
            TraceStep::Instruction { rip, text } => format!("{rip:#x}  {text}"),
            TraceStep::Exception { rip, text, .. } => {
                format!("{rip:#x}  {text}  (exception: the kernel takes over)")
            }
            TraceStep::Kernel(a) => format!("kernel: {}", kernel_words(&a)),
            TraceStep::Stopped(s) => format!("stopped: {s:?}"),
        };
        o.stepped.push(line);
        if o.stepped.len() > 200 {
            o.stepped.remove(0);
        }
    }
}

/// What the kernel did in one step, in words.
fn kernel_words(a: &youcpu_core::linux::KernelAction) -> String {
    use youcpu_core::linux::KernelAction as K;
    match a {
        K::Syscall(r) => format!("system call {} = {:?}", r.name, r.ret),
        K::DemandPage { addr } => format!("page fault at {addr:#x}: a zero page mapped"),
        K::Timer => "timer interrupt".into(),
        K::CopyOnWrite { addr } => format!("copy-on-write fault at {addr:#x}"),
        K::Switch { from, to } => format!("switch from pid {from} to pid {to}"),
        K::Signal { signal, handler } => format!("signal {signal} to its handler at {handler:#x}"),
        K::Kill { signal, reason } => format!("killed by signal {signal}: {reason}"),
    }
}
