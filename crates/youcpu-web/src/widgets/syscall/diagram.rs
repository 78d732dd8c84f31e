//! The picture of `syscall`: each side's run as a sequence diagram — lanes for the program
//! (and its libc-like wrapper), the CPU and the kernel; time runs down. A `call` is an arrow to
//! the wrapper; `syscall` an arrow to the CPU, which saves RIP in RCX and RFLAGS in R11 and
//! jumps to the address in the LSTAR MSR in ring 0 (SDM Vol. 2B, SYSCALL); `int 0x80` goes
//! through gate 128 of the IDT instead (SDM Vol. 3A §6.12); the kernel's handler runs and comes
//! back with `sysret` (or `iretq`) — or, for exit, never. The steps taken are drawn solid, the
//! last one lit, those still to come faint (worked out on a copy when the side was set up).
//! A pure function of the state.

use super::state::{SeqStep, Side, StepKind};
use crate::widgets::cpu_pic::{Part, Picture};

/// Width of each side's picture.
pub const W: f64 = 360.0;
/// Height of a row.
const ROW: f64 = 22.0;
/// Top of the first row.
const TOP: f64 = 56.0;

/// The lanes of a side: `wrapper` says whether the program calls through a libc-like wrapper.
pub fn lanes(wrapper: bool) -> &'static [&'static str] {
    if wrapper {
        &["main", "libc wrapper", "CPU", "kernel"]
    } else {
        &["program", "CPU", "kernel"]
    }
}

fn lane_x(i: usize, n: usize) -> f64 {
    let span = W / n as f64;
    span / 2.0 + span * i as f64
}

/// How each step is drawn, row by row.
enum Row {
    /// A step inside one lane: a mark and its text.
    Own { lane: usize, text: String },
    /// An arrow between lanes, labelled.
    Go { from: usize, to: usize, text: String },
}

fn rows(step: &SeqStep, side: &Side, next: Option<&SeqStep>) -> Vec<Row> {
    let wrapper = side.wrapper_at != u64::MAX;
    let n = lanes(wrapper).len();
    let (cpu, kernel) = (n - 2, n - 1);
    let user_lane = |rip: u64| usize::from(wrapper && rip >= side.wrapper_at);
    if step.cpl == 0 {
        let mut out = vec![Row::Own { lane: kernel, text: step.text.clone() }];
        if step.cpl_after == 3 {
            let back = next.map_or(0, |s| user_lane(s.rip));
            let how = if wrapper { "sysret" } else { "iretq" };
            out.push(Row::Go { from: kernel, to: back, text: format!("{how}: ring 3") });
        }
        return out;
    }
    let lane = user_lane(step.rip);
    let t = step.text.as_str();
    if matches!(step.kind, StepKind::Syscall | StepKind::Int) {
        let door = if step.kind == StepKind::Syscall { "RIP = LSTAR, ring 0".to_string() } else { "IDT gate 128, ring 0".to_string() };
        vec![
            Row::Go { from: lane, to: cpu, text: t.to_string() },
            Row::Go { from: cpu, to: kernel, text: door },
        ]
    } else if wrapper && step.kind == StepKind::Call {
        vec![Row::Go { from: 0, to: 1, text: "call".into() }]
    } else if wrapper && step.kind == StepKind::Ret {
        vec![Row::Go { from: 1, to: 0, text: "ret".into() }]
    } else {
        vec![Row::Own { lane, text: t.to_string() }]
    }
}

/// The picture of one side.
pub fn layout(side: &Side) -> Picture {
    let wrapper = side.wrapper_at != u64::MAX;
    let names = lanes(wrapper);
    let n = names.len();
    let done = side.seq.len();
    let mut all: Vec<(usize, Row)> = Vec::new();
    for (k, st) in side.plan.iter().enumerate() {
        for r in rows(st, side, side.plan.get(k + 1)) {
            all.push((k, r));
        }
    }
    let h = TOP + all.len() as f64 * ROW + 14.0;
    let mut pic = Picture::new(W, h);
    // Ring 0's side of the picture: the kernel's lane.
    let span = W / n as f64;
    pic.add(Part::new("ring0", W - span + 2.0, 4.0, span - 6.0, h - 8.0, "d-box-2").under());
    for (i, name) in names.iter().enumerate() {
        let x = lane_x(i, n);
        let class = if i == n - 1 { "d-box" } else { "d-box-2" };
        pic.add(Part::new(format!("lane-{i}"), x - span / 2.0 + 4.0, 10.0, span - 8.0, 24.0, class).line(*name, if name.len() > 10 { "d-small" } else { "d-label" }));
    }
    pic.note(W - span / 2.0, h - 12.0, "middle", "d-small", "ring 0");
    pic.note(4.0, h - 12.0, "start", "d-small", "ring 3");
    for (row, (k, r)) in all.iter().enumerate() {
        let y = TOP + row as f64 * ROW;
        let (line_class, text_class) = if *k + 1 == done {
            ("d-hl", "d-small d-hl")
        } else if *k < done {
            ("d-line", "d-small")
        } else {
            ("d-dim", "d-small d-dim")
        };
        match r {
            Row::Own { lane, text } => {
                let x = lane_x(*lane, n);
                let part_class = match line_class {
                    "d-line" => "d-box",
                    c => c,
                };
                pic.add(Part::new(format!("step-{row}"), x - 5.0, y - 5.0, 10.0, 10.0, part_class));
                if *lane == n - 1 {
                    pic.note(x - 9.0, y + 4.0, "end", text_class, text.clone());
                } else {
                    pic.note(x + 9.0, y + 4.0, "start", text_class, text.clone());
                }
            }
            Row::Go { from, to, text } => {
                let (x1, x2) = (lane_x(*from, n), lane_x(*to, n));
                pic.link(vec![(x1, y + 4.0), (x2, y + 4.0)], line_class, true);
                pic.note((x1 + x2) / 2.0, y - 1.0, "middle", text_class, text.clone());
            }
        }
    }
    // The lanes' lifelines, broken where a label runs across one.
    for i in 0..n {
        pic.lifeline(lane_x(i, n), 36.0, h - 8.0, "d-dim");
    }
    pic
}

/// The side's run in words: what happened so far, and the next step.
pub fn describe(side: &Side, title: &str) -> String {
    let names = lanes(side.wrapper_at != u64::MAX);
    let done: Vec<String> = side
        .seq
        .iter()
        .map(|s| format!("{} in ring {}", s.text, s.cpl))
        .collect();
    let next = side.plan.get(side.seq.len()).map(|s| s.text.clone());
    format!(
        "{title}: a sequence diagram with lanes {}. {} {}",
        names.join(", "),
        if done.is_empty() {
            "No step taken yet.".to_string()
        } else {
            format!("Steps so far: {}.", done.join("; "))
        },
        next.map_or("The process has ended.".to_string(), |t| format!("Next: {t}."))
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::super::state::{Action, State};
    use super::*;
    use crate::ui::Apply;
    use std::rc::Rc;

    #[test]
    fn the_plan_goes_down_and_back_for_getpid_and_down_for_exit() {
        let s = State::default();
        let side = &s.sides[0];
        let texts: Vec<&str> = side.plan.iter().map(|p| p.text.as_str()).collect();
        assert!(texts.first().is_some_and(|t| t.starts_with("call ")), "{texts:?}");
        assert!(texts.contains(&"getpid() = 1"), "{texts:?}");
        assert!(texts.contains(&"exit(1): gone"), "{texts:?}");
        assert!(side.plan.last().unwrap().last);
        let p = layout(side);
        assert!(p.problems().is_empty(), "{:?}", p.problems());
        let notes: Vec<&str> = p.notes.iter().map(|n| n.text.as_str()).collect();
        assert!(notes.contains(&"sysret: ring 3") && notes.contains(&"RIP = LSTAR, ring 0"), "{notes:?}");
        // Nothing taken yet: every step faint.
        assert!(p.links.iter().filter(|l| l.arrow).all(|l| l.class == "d-dim"));
        let p80 = layout(&s.sides[1]);
        assert!(p80.problems().is_empty(), "{:?}", p80.problems());
        assert!(p80.notes.iter().any(|n| n.text == "IDT gate 128, ring 0"));
    }

    #[test]
    fn each_step_lights_the_next_row_and_keeps_the_earlier_solid() {
        let mut s = Rc::new(State::default());
        for k in 0..s.sides[0].plan.len() {
            s = s.reduce(Action::Step(0));
            let side = &s.sides[0];
            assert_eq!(side.seq.len(), k + 1);
            assert_eq!(side.seq[k], side.plan[k], "the plan is what happens");
            let p = layout(side);
            assert!(p.problems().is_empty(), "{k}: {:?}", p.problems());
            assert!(p.notes.iter().any(|n| n.class.contains("d-hl")), "step {k}");
            assert!(describe(side, "x").contains(&side.seq[k].text));
        }
        assert!(describe(&s.sides[0], "x").contains("ended"));
    }
}
