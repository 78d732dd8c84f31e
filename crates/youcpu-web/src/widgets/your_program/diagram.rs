//! The picture of a run: a lane per stage of the article, a tick per event in the order they
//! happened (the chosen one lit and marked), the process tree under it, and, for an opened
//! moment, the memory map of its process as a bar.

use crate::ui::svg::{line, num, rect, text};
use yew::prelude::*;
use youcpu_core::linux::narrate::{Moment, Stage};
use youcpu_core::linux::vma::Vma;

/// The drawing's width.
pub const W: f64 = 720.0;
/// Where the ticks start (after the lane labels).
pub const X0: f64 = 112.0;
/// Where they end.
pub const X1: f64 = W - 10.0;
const LANE: f64 = 22.0;
const TOP: f64 = 8.0;
/// Most tick columns drawn: beyond, events share a column.
const COLUMNS: usize = 600;

fn lane_of(s: Stage) -> usize {
    Stage::ALL.iter().position(|&x| x == s).unwrap_or(0)
}

/// The x of event `i` of `n`.
pub fn x_of(i: usize, n: usize) -> f64 {
    if n <= 1 {
        return X0;
    }
    X0 + (X1 - X0) * i as f64 / (n - 1) as f64
}

/// The event nearest to `x` (in drawing units) of `n`.
pub fn index_at(x: f64, n: usize) -> Option<usize> {
    if n == 0 {
        return None;
    }
    let f = ((x - X0) / (X1 - X0)).clamp(0.0, 1.0);
    Some(((f * (n - 1) as f64).round() as usize).min(n - 1))
}

/// The height of the timeline with `procs` processes under it.
pub fn height(procs: usize) -> f64 {
    TOP + LANE * Stage::ALL.len() as f64 + 30.0 + if procs > 0 { 44.0 } else { 0.0 }
}

/// The timeline's shapes.
pub fn timeline(story: &[Moment], selected: Option<usize>, tree: &[(u32, u32)]) -> Html {
    let n = story.len();
    let lanes: Html = Stage::ALL
        .iter()
        .enumerate()
        .map(|(k, s)| {
            let y = TOP + LANE * k as f64;
            let count = story.iter().filter(|m| m.stage == *s).count();
            html! {
                <g>
                    { rect(X0 - 4.0, y + 2.0, X1 - X0 + 8.0, LANE - 4.0, if k % 2 == 0 { "d-box" } else { "d-box-2" }) }
                    { text(X0 - 8.0, y + LANE / 2.0 + 4.0, "end", "d-small", format!("{} {count}", s.label())) }
                </g>
            }
        })
        .collect();
    // One tick per column and lane (many events may share one).
    let mut seen = std::collections::BTreeSet::new();
    let ticks: Html = story
        .iter()
        .enumerate()
        .filter_map(|(i, m)| {
            let col = if n > COLUMNS { i * COLUMNS / n } else { i };
            let lane = lane_of(m.stage);
            if !seen.insert((col, lane)) {
                return None;
            }
            let x = x_of(i, n);
            let y = TOP + LANE * lane as f64;
            Some(line(x, y + 5.0, x, y + LANE - 5.0, &format!("yp-tick yp-s{lane}")))
        })
        .collect();
    let mark = selected.filter(|&i| i < n).map(|i| {
        let x = x_of(i, n);
        let lane = lane_of(story[i].stage);
        let y = TOP + LANE * lane as f64;
        let bottom = TOP + LANE * Stage::ALL.len() as f64;
        html! {
            <g class="d-hl" data-testid="yp-mark">
                { line(x, TOP, x, bottom, "yp-cursor") }
                <circle cx={num(x)} cy={num(y + LANE / 2.0)} r="6" class="yp-dot" />
            </g>
        }
    });
    let axis_y = TOP + LANE * Stage::ALL.len() as f64 + 16.0;
    let axis = html! {
        <g>
            { text(X0, axis_y, "start", "d-small", "execve") }
            { text(X1, axis_y, "end", "d-small", match story.last() {
                Some(m) => format!("event {n}, {} instructions", m.instructions),
                None => "no events yet".to_string(),
            }) }
        </g>
    };
    let lit_pid = selected.and_then(|i| story.get(i)).map(|m| m.pid);
    let tree_y = axis_y + 12.0;
    let boxes: Html = tree
        .iter()
        .take(12)
        .enumerate()
        .map(|(k, &(pid, parent))| {
            let x = X0 + 70.0 * k as f64;
            let from = tree.iter().take(12).position(|&(p, _)| p == parent);
            let link = from.map(|f| {
                let fx = X0 + 70.0 * f as f64 + 56.0;
                line(fx, tree_y + 12.0, x, tree_y + 12.0, "d-line")
            });
            let class = if lit_pid == Some(pid) { "d-hl" } else { "" };
            html! {
                <g class={class}>
                    { link.unwrap_or_default() }
                    { rect(x, tree_y, 56.0, 24.0, "d-box") }
                    { text(x + 28.0, tree_y + 16.0, "middle", "d-label", format!("pid {pid}")) }
                </g>
            }
        })
        .collect();
    let tree_label = (!tree.is_empty()).then(|| {
        text(X0 - 8.0, tree_y + 16.0, "end", "d-small", "processes")
    });
    html! {
        <g>
            { lanes }
            <g class="yp-ticks">{ ticks }</g>
            { mark.unwrap_or_default() }
            { axis }
            { tree_label.unwrap_or_default() }
            { boxes }
        </g>
    }
}

/// A bar of the address space's regions (each its own width, in order of address, small ones
/// widened to be seen), labelled.
pub fn memory_bar(vmas: &[Vma]) -> (Html, f64) {
    let w = W - 20.0;
    let n = vmas.len().max(1) as f64;
    // Each region gets an equal share: sizes span from 4 KiB to terabytes of gap.
    let each = w / n;
    let shapes: Html = vmas
        .iter()
        .enumerate()
        .map(|(k, v)| {
            let x = 10.0 + each * k as f64;
            let name = if v.name.is_empty() {
                v.perms()
            } else {
                v.name.rsplit('/').next().unwrap_or(&v.name).to_string()
            };
            let c = if v.prot.exec {
                "yp-x"
            } else if v.prot.write {
                "yp-w"
            } else {
                "yp-r"
            };
            html! {
                <g>
                    { rect(x + 1.0, 18.0, each - 2.0, 26.0, c) }
                    { text(x + each / 2.0, 34.0, "middle", "d-small", name) }
                    { text(x + each / 2.0, 58.0, "middle", "d-small yp-addr", format!("{:x}", v.start)) }
                </g>
            }
        })
        .collect();
    (
        html! {
            <g>
                { text(10.0, 12.0, "start", "d-small", "low addresses") }
                { text(W - 10.0, 12.0, "end", "d-small", "high addresses") }
                { shapes }
            </g>
        },
        64.0,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clicks_map_back_to_the_event_drawn_there() {
        for n in [1usize, 2, 7, 600, 5000] {
            for i in [0, n / 2, n - 1] {
                assert_eq!(index_at(x_of(i, n), n), Some(i));
            }
        }
        assert_eq!(index_at(0.0, 10), Some(0));
        assert_eq!(index_at(W, 10), Some(9));
        assert_eq!(index_at(300.0, 0), None);
    }
}
