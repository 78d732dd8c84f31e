//! The CFS period split by weight, as a picture: one bar for the scheduling period cut into
//! the tasks' slices (each `period × weight / total weight`, kernel/sched/fair.c
//! `sched_slice` before 6.6), and one row per task with its nice value on a track the reader
//! drags (or steps with the arrow keys) and its slice as a bar, so the period redistributes as
//! the nice value moves. [`layout`] is pure and tested natively; [`draw`] renders it, for the
//! widget (with the drag handlers) and for the figure of Part 2 (without).

use crate::ui::svg::{line, num, rect, text, PALETTE};
use crate::widgets::hit::{nice_knob, slider, step, Slide};
use yew::prelude::*;
use youcpu_core::sched::timeslice::Timeslice;
use youcpu_core::units::ms_string;

/// viewBox width.
pub const WIDTH: f64 = 400.0;
const X0: f64 = 8.0;
const X1: f64 = WIDTH - 8.0;
/// The nice track's ends.
pub const TRACK: (f64, f64) = (16.0, 150.0);
const BAR0: f64 = 170.0;
const ROW_H: f64 = 46.0;
const ROWS_TOP: f64 = 78.0;

/// One task's row.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// Its nice value.
    pub nice: i32,
    /// Its weight.
    pub weight: u64,
    /// Its slice, ns.
    pub slice_ns: u64,
    /// True when the minimum granularity raised it.
    pub floored: bool,
    /// Top of the row.
    pub y: f64,
    /// The knob's centre on the nice track.
    pub knob_x: f64,
    /// The slice bar's width.
    pub bar_w: f64,
    /// Its piece of the period bar: left edge and width.
    pub seg: (f64, f64),
}

/// The whole picture.
#[derive(Clone, Debug, PartialEq)]
pub struct Chart {
    /// viewBox height.
    pub height: f64,
    /// The period, ns.
    pub period_ns: u64,
    /// Where the period ends on the period bar (past it when floored slices overflow it).
    pub period_x: f64,
    /// The rows.
    pub rows: Vec<Row>,
    /// The picture in words.
    pub desc: String,
}

/// Where nice value `n` sits on the track.
pub fn knob_x(n: i32) -> f64 {
    TRACK.0 + (TRACK.1 - TRACK.0) * f64::from(n.clamp(-20, 19) + 20) / 39.0
}

/// The nice value at `x` on the track (clamped to −20..19).
pub fn nice_at(x: f64) -> i32 {
    let t = ((x - TRACK.0) / (TRACK.1 - TRACK.0)).clamp(0.0, 1.0);
    (t * 39.0).round() as i32 - 20
}

/// Lays out the period and the rows.
pub fn layout(t: &Timeslice) -> Chart {
    let total: u64 = t.slices.iter().map(|s| s.slice_ns).sum();
    let scale = total.max(t.period_ns).max(1) as f64;
    let seg_x = |ns: u64| X0 + (X1 - X0) * ns as f64 / scale;
    let bar_scale = t.slices.iter().map(|s| s.slice_ns).max().unwrap_or(1).max(1) as f64;
    let mut acc = 0u64;
    let rows: Vec<Row> = t
        .slices
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let a = seg_x(acc);
            acc += s.slice_ns;
            Row {
                nice: s.nice,
                weight: s.weight,
                slice_ns: s.slice_ns,
                floored: s.floored,
                y: ROWS_TOP + ROW_H * i as f64,
                knob_x: knob_x(s.nice),
                bar_w: ((X1 - BAR0) * s.slice_ns as f64 / bar_scale).max(1.0),
                seg: (a, (seg_x(acc) - a).max(0.5)),
            }
        })
        .collect();
    let parts: Vec<String> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            format!(
                "task {} (nice {}, weight {}) gets {} ms{}",
                i + 1,
                r.nice,
                r.weight,
                ms_string(r.slice_ns),
                if r.floored { ", raised to the minimum granularity" } else { "" }
            )
        })
        .collect();
    let desc = format!(
        "One CFS scheduling period of {} ms, shared in proportion to weight among {} tasks (total weight {}): {}.",
        ms_string(t.period_ns),
        rows.len(),
        t.total_weight,
        parts.join("; ")
    );
    Chart {
        height: ROWS_TOP + ROW_H * rows.len() as f64 + 4.0,
        period_ns: t.period_ns,
        period_x: seg_x(t.period_ns),
        rows,
        desc,
    }
}

/// Draws the chart; `on_nice` makes each knob a slider ((task, new nice value)).
pub fn draw(c: &Chart, on_nice: Option<&Callback<(usize, i32)>>) -> Html {
    let segs: Html = c
        .rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            html! {
                <g key={format!("s{i}")}>
                    { rect(r.seg.0, 24.0, r.seg.1, 24.0, &format!("d-c{}", i % PALETTE)) }
                    if r.seg.1 >= 16.0 {
                        { text(r.seg.0 + r.seg.1 / 2.0, 40.0, "middle", "d-onbar", (i + 1).to_string()) }
                    }
                </g>
            }
        })
        .collect();
    let rows: Html = c
        .rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let y = r.y;
            let ty = y + 30.0;
            let on = on_nice.map(|cb| {
                let cb = cb.clone();
                let nice = r.nice;
                Callback::from(move |s: Slide| {
                    let n = match s {
                        Slide::Down(x) | Slide::Move(x) => nice_at(x),
                        Slide::Key(d) => step(i64::from(nice), d, -20, 19) as i32,
                        Slide::Up => return,
                    };
                    if n != nice {
                        cb.emit((i, n));
                    }
                })
            });
            let slider = slider(
                "ts-slider",
                format!("ts-knob-{i}"),
                format!("ts-nice-{i}"),
                format!("nice value of task {}", i + 1),
                (-20, 19, i64::from(r.nice)),
                format!("nice {}, slice {} ms", r.nice, ms_string(r.slice_ns)),
                WIDTH,
                on,
                html! {
                    <>
                        <rect x={num(TRACK.0 - 12.0)} y={num(ty - 13.0)} width={num(TRACK.1 - TRACK.0 + 24.0)} height="26" class="ts-hit" />
                        { nice_knob(TRACK, knob_x(0), r.knob_x, ty, r.nice, "ts-knob") }
                    </>
                },
            );
            html! {
                <g key={format!("r{i}")} class={classes!(r.floored.then_some("d-hl"))}>
                    { text(X0, y + 12.0, "start", "d-label", format!("task {} · nice {}", i + 1, r.nice)) }
                    { text(X1, y + 12.0, "end", "d-small", format!("weight {} · {} ms{}", r.weight, ms_string(r.slice_ns), if r.floored { " ▲ floor" } else { "" })) }
                    { slider }
                    <rect x={num(BAR0)} y={num(ty - 8.0)} width={num(r.bar_w)} height="16" rx="3"
                        class={format!("ts-bar d-c{}", i % PALETTE)} data-testid={format!("ts-bar-{i}")} />
                </g>
            }
        })
        .collect();
    let px = c.period_x;
    html! {
        <>
            { text(X0, 15.0, "start", "d-title", format!("one period: {} ms", ms_string(c.period_ns))) }
            { text(X1, 15.0, "end", "d-small", "share = weight ÷ total") }
            { segs }
            { line(px, 20.0, px, 52.0, "ts-period-mark") }
            { text(X0, 66.0, "start", "d-small", if on_nice.is_some() { "nice: −20 … 19 (drag)" } else { "nice: −20 … 19" }) }
            { text(X1, 66.0, "end", "d-small", "slice") }
            { rows }
        </>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use youcpu_core::sched::timeslice::{compute_timeslices, TimesliceParams};

    fn chart(nice: Vec<i32>) -> Chart {
        let mut p = TimesliceParams::defaults(nice.len(), 1);
        p.nice = nice;
        layout(&compute_timeslices(&p).expect("valid"))
    }

    #[test]
    fn the_track_maps_both_ways() {
        for n in -20..=19 {
            assert_eq!(nice_at(knob_x(n)), n);
        }
        assert_eq!(nice_at(-100.0), -20);
        assert_eq!(nice_at(1e9), 19);
    }

    #[test]
    fn equal_tasks_split_the_period_equally_and_fit() {
        let c = chart(vec![0, 0, 0]);
        assert_eq!(c.period_ns, 6_000_000);
        let w: Vec<f64> = c.rows.iter().map(|r| r.seg.1).collect();
        assert!((w[0] - w[1]).abs() < 0.01 && (w[1] - w[2]).abs() < 0.01);
        let end = c.rows.last().map(|r| r.seg.0 + r.seg.1).unwrap_or(0.0);
        assert!((end - c.period_x).abs() < 0.01 && end <= WIDTH);
        assert!(c.rows.iter().all(|r| BAR0 + r.bar_w <= WIDTH));
        assert!(c.desc.contains("6 ms"), "{}", c.desc);
    }

    #[test]
    fn a_lower_nice_value_takes_a_bigger_piece() {
        let c = chart(vec![0, 0, 5]);
        assert!(c.rows[2].seg.1 < c.rows[0].seg.1 / 2.0, "nice 5 weighs 335 against 1024");
        assert!(c.rows[2].knob_x > c.rows[0].knob_x);
        assert!(c.desc.contains("nice 5, weight 335"), "{}", c.desc);
        let many = chart(vec![0; 12]);
        assert!(many.rows.iter().all(|r| r.y + ROW_H <= many.height));
    }
}
