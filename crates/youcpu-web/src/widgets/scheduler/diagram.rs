//! The workload as a picture the reader edits: one row per task, its CPU bursts and I/O waits
//! drawn on a time axis from its arrival, and its nice value as a knob on a track beside it.
//! Dragging a bar moves the task's arrival; dragging its right end (the grip) changes the length
//! of its last CPU burst; dragging the knob changes its nice value (−20 to 19, what CFS and
//! EEVDF weigh it by); all three are sliders for the keyboard (arrow keys step 1). Every edit is
//! an ordinary [`Action`], so the policies' charts below answer as the reader drags. [`layout`]
//! is pure and tested natively.

use super::state::Action;
use crate::ui::svg::{line, num, rect, text, PALETTE};
use crate::widgets::hit::{nice_knob, slider, step, Slide};
use std::cell::Cell;
use std::rc::Rc;
use youcpu_core::sched::sim::{Burst, TaskSpec};
use yew::prelude::*;

/// viewBox width.
pub const WIDTH: f64 = 400.0;
const X0: f64 = 54.0;
/// The time axis's right end; the nice tracks are beside it.
const X1: f64 = 296.0;
/// The nice track: where −20 and 19 sit.
pub const NICE_TRACK: (f64, f64) = (324.0, WIDTH - 16.0);
const ROW_H: f64 = 30.0;
const TOP: f64 = 8.0;

/// One piece of a task's bar.
#[derive(Clone, Debug, PartialEq)]
pub struct Piece {
    /// Left edge.
    pub x: f64,
    /// Width.
    pub w: f64,
    /// True for an I/O wait (drawn hollow), false for a CPU burst.
    pub io: bool,
}

/// One task's row.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// Arrival, ms.
    pub arrival: u64,
    /// Nice value.
    pub nice: i32,
    /// Its bursts, in order.
    pub bursts: Vec<Burst>,
    /// Top of the row.
    pub y: f64,
    /// The pieces of its bar.
    pub pieces: Vec<Piece>,
    /// Where its bar ends (the grip).
    pub end_x: f64,
}

/// A drag in progress: where the pointer took hold and the axis it was measured on, kept
/// while the pointer is down so that the axis does not rescale under the reader's finger.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Grab {
    /// Milliseconds between the bar's start and where the pointer took hold of it.
    pub offset: f64,
    /// The axis's end when the drag began.
    pub scale_end: u64,
    /// True while the pointer is down.
    pub active: bool,
}

/// The whole picture.
#[derive(Clone, Debug, PartialEq)]
pub struct Workload {
    /// viewBox height.
    pub height: f64,
    /// The time the axis ends at, ms.
    pub scale_end: u64,
    /// The rows.
    pub rows: Vec<Row>,
    /// The picture in words.
    pub desc: String,
}

/// The axis length for a workload ending at `end` ms: the first of 20, 40, 80, … with room
/// to drag past the end, so the scale does not move at every step of a drag.
pub fn scale_for(end: u64) -> u64 {
    let mut s = 20u64;
    while s < end.saturating_add(4) && s < 1 << 40 {
        s *= 2;
    }
    s
}

/// Where nice value `n` sits on its track.
pub fn nice_x(n: i32) -> f64 {
    NICE_TRACK.0 + (NICE_TRACK.1 - NICE_TRACK.0) * f64::from(n.clamp(-20, 19) + 20) / 39.0
}

/// The nice value at viewBox x `x` (clamped to −20..19).
pub fn nice_at(x: f64) -> i32 {
    let t = ((x - NICE_TRACK.0) / (NICE_TRACK.1 - NICE_TRACK.0)).clamp(0.0, 1.0);
    (t * 39.0).round() as i32 - 20
}

/// The time under viewBox x `x` on an axis ending at `scale_end`.
pub fn time_at(x: f64, scale_end: u64) -> f64 {
    (x - X0) / (X1 - X0) * scale_end as f64
}

/// Lays the tasks out; during a drag the axis is at least `hold` ms long (see [`Grab`]).
pub fn layout(tasks: &[TaskSpec], hold: u64) -> Workload {
    let span = |t: &TaskSpec| {
        t.arrival
            + t.bursts
                .iter()
                .map(|b| match b {
                    Burst::Cpu(v) | Burst::Io(v) => *v,
                })
                .sum::<u64>()
    };
    let end = tasks.iter().map(span).max().unwrap_or(0);
    let scale_end = scale_for(end).max(hold);
    let x = |t: u64| X0 + (X1 - X0) * t as f64 / scale_end as f64;
    let rows: Vec<Row> = tasks
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let mut at = t.arrival;
            let pieces = t
                .bursts
                .iter()
                .map(|b| {
                    let (v, io) = match b {
                        Burst::Cpu(v) => (*v, false),
                        Burst::Io(v) => (*v, true),
                    };
                    let p = Piece {
                        x: x(at),
                        w: (x(at + v) - x(at)).max(1.0),
                        io,
                    };
                    at += v;
                    p
                })
                .collect();
            Row {
                arrival: t.arrival,
                nice: t.nice,
                bursts: t.bursts.clone(),
                y: TOP + ROW_H * i as f64,
                pieces,
                end_x: x(at),
            }
        })
        .collect();
    let parts: Vec<String> = tasks
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let cpu: u64 = t
                .bursts
                .iter()
                .map(|b| if let Burst::Cpu(v) = b { *v } else { 0 })
                .sum();
            let io = t.bursts.len() / 2;
            format!(
                "task {} arrives at {} ms and needs {cpu} ms of CPU{}{}",
                i + 1,
                t.arrival,
                if io > 0 {
                    format!(" in {} bursts with {io} I/O waits", io + 1)
                } else {
                    String::new()
                },
                if t.nice != 0 { format!(", at nice {}", t.nice) } else { String::new() }
            )
        })
        .collect();
    Workload {
        height: TOP + ROW_H * tasks.len() as f64 + 24.0,
        scale_end,
        rows,
        desc: format!("The workload: {}.", parts.join("; ")),
    }
}

/// The pattern text with the last CPU burst set to `len` ms (at least 1).
pub fn with_last_burst(bursts: &[Burst], len: u64) -> String {
    let n = bursts.len();
    bursts
        .iter()
        .enumerate()
        .map(|(i, b)| match b {
            Burst::Cpu(_) if i + 1 == n => len.max(1).to_string(),
            Burst::Cpu(v) => v.to_string(),
            Burst::Io(v) => format!("io{v}"),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn last_cpu(bursts: &[Burst]) -> u64 {
    match bursts.last() {
        Some(Burst::Cpu(v)) => *v,
        _ => 1,
    }
}

/// Draws the workload; with `send`, the bars and grips are sliders. `grab` keeps, during a
/// drag, how far from the bar's start (in ms) the pointer took hold of it.
pub fn draw(w: &Workload, send: Option<&Callback<Action>>, grab: &Rc<Cell<Grab>>) -> Html {
    let scale_end = w.scale_end;
    let axis_y = TOP + ROW_H * w.rows.len() as f64 + 2.0;
    let tick = scale_end / 4;
    let ticks: Html = (0..=4u64)
        .map(|k| {
            let t = k * tick;
            let tx = X0 + (X1 - X0) * t as f64 / scale_end as f64;
            html! {
                <g key={format!("t{k}")}>
                    { line(tx, axis_y, tx, axis_y + 4.0, "d-line") }
                    { text(tx, axis_y + 16.0, "middle", "d-small", format!("{t}{}", if k == 4 { " ms" } else { "" })) }
                </g>
            }
        })
        .collect();
    let rows: Html = w
        .rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let y = r.y;
            let pieces: Html = r
                .pieces
                .iter()
                .map(|p| {
                    if p.io {
                        rect(p.x, y + 9.0, p.w, 10.0, "d-frame")
                    } else {
                        rect(p.x, y + 4.0, p.w, 20.0, &format!("d-c{}", i % PALETTE))
                    }
                })
                .collect();
            let label = text(8.0, y + 18.0, "start", "d-label", format!("task {}", i + 1));
            let ky = y + 14.0;
            let knob = html! {
                <>
                    <rect x={num(NICE_TRACK.0 - 10.0)} y={num(y + 1.0)} width={num(NICE_TRACK.1 - NICE_TRACK.0 + 20.0)} height="26" class="sch-hit" />
                    { nice_knob(NICE_TRACK, nice_x(0), nice_x(r.nice), ky, r.nice, "sch-knob") }
                </>
            };
            let first_x = r.pieces.first().map_or(X0, |p| p.x);
            let grip_x = r.end_x;
            let Some(send) = send else {
                return html! { <g key={format!("w{i}")}>{ label }{ pieces }{ knob }</g> };
            };
            let nice = r.nice;
            let on_nice = {
                let send = send.clone();
                Callback::from(move |s: Slide| {
                    let n = match s {
                        Slide::Down(x) | Slide::Move(x) => nice_at(x),
                        Slide::Key(d) => step(i64::from(nice), d, -20, 19) as i32,
                        Slide::Up => return,
                    };
                    if n != nice {
                        send.emit(Action::Nice(i, n.to_string()));
                    }
                })
            };
            let knob = slider(
                "sch-nice",
                format!("sch-knob-{i}"),
                format!("sch-nice-{i}"),
                format!("nice value of task {}", i + 1),
                (-20, 19, i64::from(nice)),
                format!("nice {nice}"),
                WIDTH,
                Some(on_nice),
                knob,
            );
            let arrival = r.arrival;
            let last = last_cpu(&r.bursts);
            let grip_start = arrival
                + r.bursts
                    .iter()
                    .take(r.bursts.len().saturating_sub(1))
                    .map(|b| match b {
                        Burst::Cpu(v) | Burst::Io(v) => *v,
                    })
                    .sum::<u64>();
            // Both sliders measure the pointer on the axis the drag began on ([`Grab`]).
            let on_bar = {
                let (grab, send) = (grab.clone(), send.clone());
                Callback::from(move |s: Slide| {
                    let a = match s {
                        Slide::Down(x) => {
                            grab.set(Grab {
                                offset: time_at(x, scale_end) - arrival as f64,
                                scale_end,
                                active: true,
                            });
                            return;
                        }
                        Slide::Move(x) => {
                            let g = grab.get();
                            if !g.active {
                                return;
                            }
                            (time_at(x, g.scale_end) - g.offset).round().clamp(0.0, 10_000.0) as u64
                        }
                        Slide::Key(d) => step(arrival as i64, d, 0, 10_000) as u64,
                        Slide::Up => {
                            grab.set(Grab::default());
                            return;
                        }
                    };
                    if a != arrival {
                        send.emit(Action::Arrival(i, a.to_string()));
                    }
                })
            };
            let on_grip = {
                let (grab, send, bursts) = (grab.clone(), send.clone(), r.bursts.clone());
                Callback::from(move |s: Slide| {
                    let len = match s {
                        Slide::Down(_) => {
                            grab.set(Grab {
                                offset: 0.0,
                                scale_end,
                                active: true,
                            });
                            return;
                        }
                        Slide::Move(x) => {
                            let g = grab.get();
                            if !g.active {
                                return;
                            }
                            (time_at(x, g.scale_end) - grip_start as f64).round().clamp(1.0, 10_000.0) as u64
                        }
                        Slide::Key(d) => step(last as i64, d, 1, 10_000) as u64,
                        Slide::Up => {
                            grab.set(Grab::default());
                            return;
                        }
                    };
                    if len != last {
                        send.emit(Action::Pattern(i, with_last_burst(&bursts, len)));
                    }
                })
            };
            let bar = slider(
                "sch-bar",
                format!("sch-bar-{i}"),
                format!("sch-arrival-{i}"),
                format!("arrival of task {}, in ms", i + 1),
                (0, 10_000, arrival as i64),
                format!("arrives at {arrival} ms"),
                WIDTH,
                Some(on_bar),
                html! {
                    <>
                        <rect x={num(first_x)} y={num(y + 2.0)} width={num((grip_x - first_x - 4.0).max(4.0))} height="24" class="sch-hit" />
                        { pieces }
                    </>
                },
            );
            let grip = slider(
                "sch-grip",
                format!("sch-grip-{i}"),
                format!("sch-pattern-{i}"),
                format!("length of task {}'s last CPU burst, in ms", i + 1),
                (1, 10_000, last as i64),
                format!("last CPU burst {last} ms"),
                WIDTH,
                Some(on_grip),
                html! {
                    <>
                        <rect x={num(grip_x - 7.0)} y={num(y + 1.0)} width="14" height="26" rx="3" class="sch-grip-box" />
                        { line(grip_x - 2.0, y + 8.0, grip_x - 2.0, y + 20.0, "d-line") }
                        { line(grip_x + 2.0, y + 8.0, grip_x + 2.0, y + 20.0, "d-line") }
                    </>
                },
            );
            html! { <g key={format!("w{i}")}>{ label }{ bar }{ grip }{ knob }</g> }
        })
        .collect();
    html! {
        <>
            { line(X0, axis_y, X1, axis_y, "d-line") }
            { ticks }
            { text((NICE_TRACK.0 + NICE_TRACK.1) / 2.0, axis_y + 16.0, "middle", "d-small", "nice") }
            { rows }
        </>
    }
}


#[cfg(test)]
mod tests {
    use super::*;

    fn task(arrival: u64, bursts: Vec<Burst>) -> TaskSpec {
        TaskSpec {
            arrival,
            bursts,
            nice: 0,
        }
    }

    #[test]
    fn bars_start_at_the_arrival_and_fit_the_axis() {
        let tasks = [
            task(0, vec![Burst::Cpu(12)]),
            task(3, vec![Burst::Cpu(1), Burst::Io(4), Burst::Cpu(2)]),
        ];
        let w = layout(&tasks, 0);
        // During a drag the axis keeps the length it had when the drag began.
        assert_eq!(layout(&tasks, 80).scale_end, 80);
        assert_eq!(w.scale_end, 20);
        let r = &w.rows[1];
        assert!((r.pieces[0].x - (X0 + (X1 - X0) * 3.0 / 20.0)).abs() < 1e-9);
        assert!(r.pieces[1].io && !r.pieces[2].io);
        for row in &w.rows {
            assert!(row.end_x <= X1 + 1e-9 && row.y + ROW_H <= w.height);
        }
        // The nice knob: its track maps both ways, and sits right of the time axis.
        assert!(X1 < NICE_TRACK.0 - 10.0 && NICE_TRACK.1 + 10.0 <= WIDTH);
        for n in -20..=19 {
            assert_eq!(nice_at(nice_x(n)), n);
        }
        assert_eq!(nice_at(0.0), -20);
        assert_eq!(nice_at(WIDTH), 19);
        assert_eq!(w.rows[0].nice, 0);
        let mut niced = tasks.clone();
        niced[1].nice = 5;
        let n = layout(&niced, 0);
        assert_eq!(n.rows[1].nice, 5);
        assert!(n.desc.contains("at nice 5"), "{}", n.desc);
        // The time under a bar's start is its arrival.
        assert!((time_at(r.pieces[0].x, w.scale_end) - 3.0).abs() < 1e-9);
        assert!(w.desc.contains("task 2 arrives at 3 ms and needs 3 ms of CPU in 2 bursts with 1 I/O waits"), "{}", w.desc);
    }

    #[test]
    fn the_scale_leaves_room_and_the_grip_edits_the_last_burst() {
        assert_eq!(scale_for(0), 20);
        assert_eq!(scale_for(16), 20);
        assert_eq!(scale_for(17), 40);
        let huge = scale_for(u64::MAX);
        assert!((1 << 40..1 << 42).contains(&huge), "{huge}");
        let b = [Burst::Cpu(1), Burst::Io(4), Burst::Cpu(2)];
        assert_eq!(with_last_burst(&b, 7), "1 io4 7");
        assert_eq!(with_last_burst(&[Burst::Cpu(5)], 0), "1");
        assert_eq!(super::super::job::parse_pattern(&with_last_burst(&b, 9)), Ok(vec![Burst::Cpu(1), Burst::Io(4), Burst::Cpu(9)]));
    }
}
