//! The picture of `preemption`: the CPU (who holds it, RIP, RSP, CPL, IF) above each task's
//! kernel stack, drawn as a column of 8-byte slots with the highest address at the top. A task
//! running in ring 3 has an empty kernel stack; on a timer interrupt the CPU pushes SS, RSP,
//! RFLAGS, CS and RIP there (SDM Vol. 3A §6.12.1, Figure 6-4) and the kernel's entry code pushes
//! the fifteen other registers, one slot per step; a waiting task's stack holds its whole saved
//! frame; the switch moves RSP to the next task's frame, whose slots are popped one by one and
//! whose last five IRETQ takes. The slots are read from the simulated machine's memory. A pure
//! function of the simulator; the view only renders it.

use crate::widgets::cpu_pic::{short_hex, Part, Picture};
use youcpu_core::preempt::kernel::{kstack_page, kstack_top, FRAME_SLOTS};
use youcpu_core::preempt::System;

/// Width of the picture.
pub const W: f64 = 380.0;
/// Width of the portrait picture a phone gets: drawn about 1:1 on a 360 px screen.
pub const W_NARROW: f64 = 340.0;
/// Height of a slot.
const SLOT: f64 = 14.0;
/// Top of the stacks.
const STACK_Y: f64 = 128.0;
/// Most slots drawn in a column (a frame is 20).
const MAX_SLOTS: usize = 22;

/// One task's kernel stack as drawn: the slots from the top (highest address) down.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Column {
    /// Task index.
    pub task: usize,
    /// (name, value) from the top of the stack down.
    pub slots: Vec<(&'static str, u64)>,
    /// True when RSP points into this stack (the kernel is working on it).
    pub live: bool,
}

/// The slot name `k` words below the top of a kernel stack: the frame's layout, the CPU's five
/// words first.
fn name_below_top(k: usize) -> &'static str {
    FRAME_SLOTS.len().checked_sub(k + 1).and_then(|i| FRAME_SLOTS.get(i)).copied().unwrap_or("word")
}

/// Each task's kernel stack, read from the machine.
pub fn columns(sys: &System) -> Vec<Column> {
    let c = sys.cpu();
    let procs = sys.processes();
    let in_stack = |i: usize| c.cpl == 0 && c.rsp >= kstack_page(i) && c.rsp <= kstack_top(i);
    let rsp_in_a_stack = procs.iter().any(|p| in_stack(p.index));
    procs
        .into_iter()
        .map(|p| {
            let top = kstack_top(p.index);
            let live = in_stack(p.index);
            let slots = if live {
                let depth = ((top - c.rsp) / 8) as usize;
                (0..depth.min(MAX_SLOTS))
                    .map(|k| {
                        let addr = top - 8 * (k as u64 + 1);
                        (name_below_top(k), sys.kread(addr).unwrap_or(0))
                    })
                    .collect()
            } else {
                // A waiting task's frame is on its stack. So is the current task's once the
                // kernel has moved RSP to the next task's stack (the switch under way); while
                // RSP is still the user's (the first instructions of the syscall entry) its
                // table entry is stale and its kernel stack empty.
                let saved = if p.current && c.cpl == 0 && rsp_in_a_stack {
                    sys.saved_frame(p.index)
                } else {
                    p.saved
                };
                saved
                    .map(|s| s.iter().rev().map(|x| (x.name, x.value)).collect())
                    .unwrap_or_default()
            };
            Column {
                task: p.index,
                slots,
                live,
            }
        })
        .collect()
}

/// The picture: wide, or `narrow` ([`W_NARROW`]) for a phone.
pub fn layout(sys: &System, narrow: bool) -> Picture {
    let w = if narrow { W_NARROW } else { W };
    let cols = columns(sys);
    let c = sys.cpu();
    let deepest = cols.iter().map(|k| k.slots.len()).max().unwrap_or(0).max(FRAME_SLOTS.len());
    let h = STACK_Y + deepest as f64 * SLOT + 30.0;
    let mut pic = Picture::new(w, h);
    let who = if c.cpl == 0 { "the kernel (ring 0)".to_string() } else { format!("task {} (ring 3)", c.current + 1) };
    pic.add(
        Part::new("cpu", 8.0, 8.0, w - 16.0, 78.0, if c.cpl == 0 { "d-hl" } else { "d-box-2" })
            .line(format!("CPU: {who}"), "d-title")
            .line(format!("RIP {}  RSP {}", short_hex(c.rip), short_hex(c.rsp)), "d-mono")
            .line(format!("CPL {}, interrupts {}", c.cpl, if c.interrupts_on { "on (IF 1)" } else { "off (IF 0)" }), "d-small")
            .line(sys.line_at_rip().map(|l| l.trim().to_string()).unwrap_or_default().chars().take(if narrow { 40 } else { 44 }).collect::<String>(), "d-mono"),
    );
    let n = cols.len().max(1);
    let cw = (w - 16.0) / n as f64;
    for col in &cols {
        let x = 8.0 + cw * col.task as f64;
        let current = col.task == c.current;
        let status = if col.live {
            "kernel at work"
        } else if !col.slots.is_empty() {
            "frame saved"
        } else if current {
            "empty (ring 3)"
        } else {
            "empty"
        };
        pic.note(x + cw / 2.0, STACK_Y - 24.0, "middle", "d-title", format!("task {}{}", col.task + 1, if current { " (current)" } else { "" }));
        pic.note(x + cw / 2.0, STACK_Y - 9.0, "middle", "d-small", status);
        let class_of = |k: usize| {
            if col.live && k + 1 == col.slots.len() {
                "d-hl"
            } else if col.live {
                "d-box"
            } else {
                "d-box-2"
            }
        };
        for (k, (name, v)) in col.slots.iter().enumerate() {
            let y = STACK_Y + k as f64 * SLOT;
            pic.add(
                Part::new(format!("slot-{}-{k}", col.task), x + 3.0, y, cw - 6.0, SLOT - 1.0, class_of(k))
                    .line(format!("{name} {}", short_hex(*v)), "d-small"),
            );
        }
        if col.slots.is_empty() {
            pic.add(Part::new(format!("empty-{}", col.task), x + 3.0, STACK_Y, cw - 6.0, SLOT - 1.0, "d-dim"));
        }
        // The frame's parts: the CPU's five words on top, a rule, the kernel's fifteen below.
        if col.slots.len() > 5 {
            let y = STACK_Y + 5.0 * SLOT - 0.5;
            pic.link(vec![(x, y), (x + cw, y)], "d-line", false);
        }
        if col.live {
            let y = STACK_Y + col.slots.len() as f64 * SLOT;
            let ax = x + cw / 2.0;
            pic.note(ax, y + 22.0, "middle", "d-small d-hl", format!("RSP → {} slots", col.slots.len()));
        }
    }
    // RSP's arrow from the CPU into the stack it points at.
    if let Some(col) = cols.iter().find(|k| k.live) {
        let x = 8.0 + cw * col.task as f64 + cw / 2.0;
        pic.link(vec![(x, 86.0), (x, STACK_Y - 36.0)], "d-hl", true);
    }
    pic
}

/// The picture in words.
pub fn describe(sys: &System) -> String {
    let c = sys.cpu();
    let mut parts = vec![if c.cpl == 0 {
        format!("The kernel holds the CPU (ring 0, interrupts {}).", if c.interrupts_on { "on" } else { "off" })
    } else {
        format!("Task {} runs in ring 3 at RIP {:#x}.", c.current + 1, c.rip)
    }];
    for col in columns(sys) {
        let t = col.task + 1;
        parts.push(if col.live {
            format!(
                "RSP points into task {t}'s kernel stack, which holds {} slots of a frame (top: {}).",
                col.slots.len(),
                col.slots.last().map_or("none", |s| s.0)
            )
        } else if col.slots.is_empty() {
            format!("Task {t}'s kernel stack is empty.")
        } else {
            let rip = col.slots.iter().find(|s| s.0 == "rip").map_or(0, |s| s.1);
            format!("Task {t} waits: its kernel stack holds its saved frame of {} slots; it resumes at {rip:#x}.", col.slots.len())
        });
    }
    parts.join(" ")
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::state::{Action, State};
    use super::*;
    use crate::ui::Apply;
    use std::rc::Rc;

    fn sys(s: &State) -> &System {
        s.sys.as_deref().unwrap()
    }

    #[test]
    fn the_frame_grows_on_entry_and_shrinks_on_the_way_out() {
        let mut s = Rc::new(State::default_state()).reduce(Action::StepSwitch);
        // Task 1 runs in ring 3: its stack is empty, task 2 waits with a whole frame.
        let cols = columns(sys(&s));
        assert!(!cols[0].live && cols[0].slots.is_empty(), "{cols:?}");
        assert_eq!(cols[1].slots.len(), 20);
        assert_eq!(cols[1].slots[0].0, "ss");
        for narrow in [false, true] {
            let p = layout(sys(&s), narrow);
            assert!(p.problems().is_empty(), "{:?}", p.problems());
        }
        // Step through the first timer tick: the CPU's five words arrive at once, then the
        // entry code's pushes one a step; RSP moves to task 2's frame, popped one a step. (A
        // write system call before it goes down and back on task 1's stack.)
        let mut depths = Vec::new();
        for _ in 0..5000 {
            s = s.reduce(Action::Step);
            let x = sys(&s);
            let c = columns(x);
            for narrow in [false, true] {
                let p = layout(x, narrow);
                assert!(p.problems().is_empty(), "narrow {narrow}: {:?}", p.problems());
            }
            if x.timer_interrupts() == 0 {
                // The write system call before the tick: until the entry code moves RSP to the
                // kernel stack, task 1's stack is drawn empty, never its stale table entry.
                if x.cpu().cpl == 0 && !c[0].live {
                    assert!(c[0].slots.is_empty(), "{:?}", c[0]);
                }
                continue;
            }
            match c.iter().find(|k| k.live) {
                Some(live) => depths.push((live.task, live.slots.len())),
                None => break,
            }
        }
        assert_eq!(depths.first(), Some(&(0, 5)), "{depths:?}");
        assert!(depths.contains(&(0, 20)), "{depths:?}");
        let on_2: Vec<usize> = depths.iter().filter(|d| d.0 == 1).map(|d| d.1).collect();
        assert!(on_2.first() == Some(&20) && on_2.windows(2).all(|w| w[1] <= w[0]), "{on_2:?}");
        let d = describe(sys(&s));
        assert!(d.contains("Task 1 waits"), "{d}");
        assert!(d.contains("Task 2 runs in ring 3"), "{d}");
        let p = layout(sys(&s), false);
        let lit = p.lit();
        assert!(lit.is_empty(), "{lit:?}");
    }
}
