//! Figures of Parts 1 and 2 and of the epilogue: the processor's loop, an instruction's fields,
//! a system call's way down and back, a timer tick and a context
//! switch, each drawn by the widget's own diagram code from a real run of the simulator (the
//! same states a reader reaches by stepping the widget); and the whole journey of a program.

use super::diagram_id;
use crate::ui::Apply;
use crate::widgets::cpu_pic::{render, Part, Picture};
use crate::widgets::{asm, fetch_execute, preemption, syscall};
use std::rc::Rc;
use yew::prelude::*;
use youcpu_core::asm::{assemble, disassemble_one, Bitness};

/// Part 1: the default program of `fetch-execute` after two steps: `mov ecx, 1` fetched,
/// decoded and executed.
pub fn instruction_journey() -> Html {
    use fetch_execute::state::{Action, State, DEFAULT_PROGRAM};
    let s = Rc::new(State::with_source(DEFAULT_PROGRAM))
        .reduce(Action::Step)
        .reduce(Action::Step);
    render(
        &fetch_execute::diagram::layout(&s, true),
        &diagram_id("instruction-journey"),
        "One instruction's journey: fetched from memory, decoded, executed",
        &fetch_execute::diagram::describe(&s),
        "",
        None,
    )
}

/// Part 1: `add ebx, 512` cut into its fields, as the text explains it.
pub fn instruction_fields() -> Html {
    let Some(d) = assemble("add ebx, 512", Bitness::B64, asm::state::BASE_IP)
        .ok()
        .and_then(|a| disassemble_one(&a.bytes, Bitness::B64, asm::state::BASE_IP).ok())
    else {
        return Html::default();
    };
    render(
        &asm::diagram::layout(&d, true).0,
        &diagram_id("instruction-fields"),
        "The fields of add ebx, 512",
        &asm::diagram::describe(&d),
        "",
        None,
    )
}

/// Part 1: the `syscall` side of the widget run to its end.
pub fn syscall_path() -> Html {
    use syscall::state::{Action, State};
    let s = Rc::new(State::default()).reduce(Action::Run(0));
    let side = &s.sides[0];
    render(
        &syscall::diagram::layout(side),
        &diagram_id("syscall-path"),
        "getpid and exit through syscall: down into the kernel and back",
        &syscall::diagram::describe(side, "getpid() then exit(1) through syscall"),
        "",
        None,
    )
}

/// The preemption widget's default machine, stepped until `stop` says so (at most `limit`
/// steps after the first switch, so a figure is never an endless loop).
fn preempted(
    stop: impl Fn(&youcpu_core::preempt::System, &[preemption::diagram::Column]) -> bool,
) -> Rc<preemption::state::State> {
    use preemption::state::{Action, State};
    let mut s = Rc::new(State::default_state()).reduce(Action::StepSwitch);
    for _ in 0..20_000 {
        s = s.reduce(Action::Step);
        if let Some(sys) = s.sys.as_deref() {
            if stop(sys, &preemption::diagram::columns(sys)) {
                break;
            }
        }
    }
    s
}

fn preemption_figure(name: &str, title: &str, s: &preemption::state::State) -> Html {
    let Some(sys) = s.sys.as_deref() else {
        return Html::default();
    };
    render(
        &preemption::diagram::layout(sys, false),
        &diagram_id(name),
        title,
        &preemption::diagram::describe(sys),
        "",
        None,
    )
}

/// The moment of the first timer tick when task 1's whole frame is on its kernel stack.
fn tick(sys: &youcpu_core::preempt::System, c: &[preemption::diagram::Column]) -> bool {
    sys.timer_interrupts() == 1 && c.first().is_some_and(|k| k.live && k.slots.len() == 20)
}

/// Half-way through popping task 2's frame, after that tick.
fn switching(sys: &youcpu_core::preempt::System, c: &[preemption::diagram::Column]) -> bool {
    sys.timer_interrupts() == 1 && c.get(1).is_some_and(|k| k.live && k.slots.len() == 10)
}

/// Part 2: the first timer tick: task 1's registers all saved on its kernel stack, task 2's
/// frame waiting on its own.
pub fn timer_tick() -> Html {
    let s = preempted(tick);
    preemption_figure(
        "timer-tick",
        "A timer tick: the interrupted task's frame on its kernel stack",
        &s,
    )
}

/// Part 2: the switch under way: RSP moved to task 2's saved frame, half of it popped.
pub fn context_switch() -> Html {
    let s = preempted(switching);
    preemption_figure(
        "context-switch",
        "A context switch: the next task's frame popped off its kernel stack",
        &s,
    )
}

/// The epilogue: the stages of `./hello`, each in the ring it runs in, with the part that
/// tells it.
pub fn whole_journey() -> Html {
    // (what happens, ring, part)
    const STAGES: [(&str, u8, &str); 9] = [
        ("shell calls fork (clone)", 3, "Part 6"),
        ("copy the map, copy-on-write", 0, "Part 6"),
        ("the child calls execve", 3, "Part 3"),
        ("binfmt handler loads the ELF", 0, "Parts 3 and 4"),
        ("loader, libc start-up, main", 3, "Part 4"),
        ("page faults map pages", 0, "Part 5"),
        ("timer ticks: keep or switch", 0, "Part 2"),
        ("write the greeting, exit", 3, "Part 1"),
        ("free it; the shell's wait", 0, "Part 6"),
    ];
    let pic = journey(&STAGES);
    let desc = format!(
        "The life of ./hello as a path that crosses between ring 3 and ring 0: {}.",
        STAGES
            .iter()
            .map(|(t, r, p)| format!("{t} (ring {r}, {p})"))
            .collect::<Vec<_>>()
            .join("; then ")
    );
    render(
        &pic,
        &diagram_id("whole-journey"),
        "The whole journey of a program",
        &desc,
        "",
        None,
    )
}

/// The journey as a zigzag between two columns, ring 3 on the left and ring 0 on the right.
fn journey(stages: &[(&str, u8, &str)]) -> Picture {
    let (w, row) = (380.0, 44.0);
    let h = 44.0 + row * stages.len() as f64;
    let mut pic = Picture::new(w, h);
    let col_w = 178.0;
    pic.add(Part::new(
        "ring3",
        6.0,
        4.0,
        col_w + 6.0,
        h - 8.0,
        "d-box-2",
    ));
    pic.add(Part::new(
        "ring0",
        w - col_w - 12.0,
        4.0,
        col_w + 6.0,
        h - 8.0,
        "d-box-2",
    ));
    pic.note(
        9.0 + col_w / 2.0,
        22.0,
        "middle",
        "d-title",
        "ring 3: the program",
    );
    pic.note(
        w - 9.0 - col_w / 2.0,
        22.0,
        "middle",
        "d-title",
        "ring 0: the kernel",
    );
    let mut prev: Option<(f64, f64)> = None;
    for (i, (t, ring, part)) in stages.iter().enumerate() {
        let x = if *ring == 3 { 9.0 } else { w - col_w - 9.0 };
        let y = 34.0 + row * i as f64;
        pic.add(
            Part::new(format!("stage-{i}"), x, y, col_w, 34.0, "d-box")
                .line(*t, "d-small")
                .line(*part, "d-small"),
        );
        let here = (x + col_w / 2.0, y);
        if let Some((px, py)) = prev {
            pic.link(vec![(px, py + 34.0), (here.0, here.1)], "d-line", true);
        }
        prev = Some(here);
    }
    pic
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_preemption_figures_catch_the_moments_they_name() {
        let s = preempted(tick);
        assert_eq!(s.sys.as_deref().unwrap().timer_interrupts(), 1);
        let cols = preemption::diagram::columns(s.sys.as_deref().unwrap());
        assert!(cols[0].live && cols[0].slots.len() == 20, "{cols:?}");
        assert_eq!(cols[1].slots.len(), 20, "task 2 waits with its whole frame");
        let s = preempted(switching);
        let cols = preemption::diagram::columns(s.sys.as_deref().unwrap());
        assert!(cols[1].live && cols[1].slots.len() == 10, "{cols:?}");
        assert_eq!(cols[0].slots.len(), 20, "task 1 now waits");
    }

    #[test]
    fn the_journey_fits() {
        let p = journey(&[
            ("shell calls fork (clone)", 3, "Part 6"),
            ("copy the map, copy-on-write", 0, "Parts 3 and 4"),
        ]);
        assert!(p.problems().is_empty(), "{:?}", p.problems());
    }
}
