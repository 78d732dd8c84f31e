//! Open a moment of `your-program`'s run: the run replayed from the start to the moment's
//! instruction count (the simulation is deterministic, so no snapshots are kept). The machine
//! then is handed to `fetch-execute`'s view (`fetch_execute::embed`) to step on from there.

use super::state::State;
use std::rc::Rc;
use youcpu_core::linux::Linux;

/// The machine at one moment, opened from an event (the run replayed from the start to that
/// instruction count: the simulation is deterministic).
#[derive(Clone)]
pub struct Opened {
    /// The moment's index.
    pub index: usize,
    /// The machine then (the stepper works on its own copy).
    pub linux: Rc<Linux>,
    /// Its process's `/proc/PID/maps` then, as the kernel model serves the file.
    pub maps: Rc<str>,
}

impl PartialEq for Opened {
    fn eq(&self, o: &Self) -> bool {
        self.index == o.index && Rc::ptr_eq(&self.linux, &o.linux)
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
        let mut fed = 0u8;
        {
            let mut l = run.linux.borrow_mut();
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
        // The replay's machine is this copy's alone: taken out whole, not cloned.
        let mut linux =
            Rc::try_unwrap(run.linux).map_or_else(|rc| rc.borrow().clone(), |c| c.into_inner());
        // Stepping on, the program reads the rest of its input and then its end, as in the run
        // (the stepper does not feed input as the run's slices do).
        if linux.stdin_open {
            let rest = if fed > 0 { Vec::new() } else { self.stdin.as_bytes().to_vec() };
            linux.feed_stdin(&rest);
            linux.stdin_open = false;
        }
        let pid = linux.pid;
        let maps = String::from_utf8_lossy(&linux.maps_text(pid)).into();
        self.opened = Some(Opened {
            index: i,
            linux: Rc::new(linux),
            maps,
        });
    }
}
