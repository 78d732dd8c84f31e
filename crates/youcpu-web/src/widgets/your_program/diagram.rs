//! The picture of a run: a lane per stage of the article, a tick per event in the order they
//! happened (the chosen one lit and marked), the process tree under it, and, for an opened
//! moment, the memory map of its process, a row per region.

use crate::ui::svg::{line, num, rect, text};
use yew::prelude::*;
use youcpu_core::linux::narrate::{Moment, Stage};
use youcpu_core::linux::fs::procfs::shown_name;
use youcpu_core::linux::mm::AddressSpace;
use youcpu_core::linux::vma::Vma;

/// The drawing's width.
pub const W: f64 = 720.0;
/// The narrow layout's width: on a 360 px phone the widget's picture is about 342 CSS px wide,
/// so a unit is drawn at a pixel or more and its 11 px text stays 11 px.
pub const W_NARROW: f64 = 336.0;
const TOP: f64 = 8.0;

/// Where the parts go in one layout: the wide one (the lanes' names in a column on their left)
/// or the narrow one for a phone (each lane's name on its own line above its ticks, so the
/// ticks get the whole width; the process tree in rows of four).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Geo {
    /// The narrow layout.
    pub narrow: bool,
    /// The drawing's width.
    pub w: f64,
    /// Where the ticks start.
    pub x0: f64,
    /// Where they end.
    pub x1: f64,
    /// A lane's height.
    pub lane: f64,
    /// Most tick columns drawn: beyond, events share a column.
    columns: usize,
    /// Process boxes in a row of the tree.
    per_row: usize,
}

impl Geo {
    /// The layout for a phone (`narrow`) or a wider screen.
    pub fn of(narrow: bool) -> Self {
        if narrow {
            Geo { narrow, w: W_NARROW, x0: 14.0, x1: W_NARROW - 14.0, lane: 34.0, columns: 300, per_row: 4 }
        } else {
            Geo { narrow, w: W, x0: 112.0, x1: W - 10.0, lane: 22.0, columns: 600, per_row: 12 }
        }
    }

    /// The y where the lanes start and their total height.
    pub fn lanes(&self) -> (f64, f64) {
        (TOP, self.lane * Stage::ALL.len() as f64)
    }

    /// The top and bottom of the ticks in a lane at `y`.
    fn tick_span(&self, y: f64) -> (f64, f64) {
        if self.narrow {
            (y + 17.0, y + self.lane - 4.0)
        } else {
            (y + 5.0, y + self.lane - 5.0)
        }
    }

    /// The x of event `i` of `n`.
    pub fn x_of(&self, i: usize, n: usize) -> f64 {
        if n <= 1 {
            return self.x0;
        }
        self.x0 + (self.x1 - self.x0) * i as f64 / (n - 1) as f64
    }

    /// The event nearest to `x` (in drawing units) of `n`.
    pub fn index_at(&self, x: f64, n: usize) -> Option<usize> {
        if n == 0 {
            return None;
        }
        let f = ((x - self.x0) / (self.x1 - self.x0)).clamp(0.0, 1.0);
        Some(((f * (n - 1) as f64).round() as usize).min(n - 1))
    }

    /// Where the process tree starts.
    fn tree_y(&self) -> f64 {
        TOP + self.lane * Stage::ALL.len() as f64 + 28.0
    }

    /// The top left corner of process box `k` (of at most 12).
    fn box_at(&self, k: usize) -> (f64, f64) {
        if self.narrow {
            let (row, col) = (k / self.per_row, k % self.per_row);
            (self.x0 + 80.0 * col as f64, self.tree_y() + 18.0 + 34.0 * row as f64)
        } else {
            (self.x0 + 70.0 * k as f64, self.tree_y())
        }
    }

    /// The height of the timeline with `procs` processes under it.
    pub fn height(&self, procs: usize) -> f64 {
        let base = TOP + self.lane * Stage::ALL.len() as f64 + 30.0;
        if procs == 0 {
            base
        } else if self.narrow {
            let rows = procs.min(12).div_ceil(self.per_row);
            base + 18.0 + 34.0 * rows as f64
        } else {
            base + 44.0
        }
    }
}

fn lane_of(s: Stage) -> usize {
    Stage::ALL.iter().position(|&x| x == s).unwrap_or(0)
}

/// The timeline's shapes in one layout.
pub fn timeline(g: &Geo, story: &[Moment], selected: Option<usize>, tree: &[(u32, u32)]) -> Html {
    let n = story.len();
    let lane_h = g.lane;
    let lanes: Html = Stage::ALL
        .iter()
        .enumerate()
        .map(|(k, s)| {
            let y = TOP + lane_h * k as f64;
            let count = story.iter().filter(|m| m.stage == *s).count();
            let label = format!("{} {count}", s.label());
            html! {
                <g>
                    { rect(g.x0 - 4.0, y + 2.0, g.x1 - g.x0 + 8.0, lane_h - 4.0, if k % 2 == 0 { "d-box" } else { "d-box-2" }) }
                    if g.narrow {
                        { text(g.x0, y + 14.0, "start", "d-small", label) }
                    } else {
                        { text(g.x0 - 8.0, y + lane_h / 2.0 + 4.0, "end", "d-small", label) }
                    }
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
            let col = if n > g.columns { i * g.columns / n } else { i };
            let lane = lane_of(m.stage);
            if !seen.insert((col, lane)) {
                return None;
            }
            let x = g.x_of(i, n);
            let (a, b) = g.tick_span(TOP + lane_h * lane as f64);
            Some(line(x, a, x, b, &format!("yp-tick yp-s{lane}")))
        })
        .collect();
    let mark = selected.filter(|&i| i < n).map(|i| {
        let x = g.x_of(i, n);
        let lane = lane_of(story[i].stage);
        let (a, b) = g.tick_span(TOP + lane_h * lane as f64);
        let bottom = TOP + lane_h * Stage::ALL.len() as f64;
        html! {
            <g class="d-hl" data-testid="yp-mark">
                { line(x, TOP, x, bottom, "yp-cursor") }
                <circle cx={num(x)} cy={num((a + b) / 2.0)} r="6" class="yp-dot" />
            </g>
        }
    });
    let axis_y = TOP + lane_h * Stage::ALL.len() as f64 + 16.0;
    let axis = html! {
        <g>
            { text(g.x0, axis_y, "start", "d-small", "execve") }
            { text(g.x1, axis_y, "end", "d-small", match story.last() {
                Some(m) => format!("event {n}, {} instructions", m.instructions),
                None => "no events yet".to_string(),
            }) }
        </g>
    };
    let lit_pid = selected.and_then(|i| story.get(i)).map(|m| m.pid);
    let boxes: Html = tree
        .iter()
        .take(12)
        .enumerate()
        .map(|(k, &(pid, parent))| {
            let (x, y) = g.box_at(k);
            let from = tree.iter().take(12).position(|&(p, _)| p == parent);
            // A line from the parent: along the row when it is on the same one, else from the
            // bottom of the parent's box to the top of the child's.
            let link = from.map(|f| {
                let (fx, fy) = g.box_at(f);
                if fy == y {
                    line(fx + 56.0, y + 12.0, x, y + 12.0, "d-line")
                } else {
                    line(fx + 28.0, fy + 24.0, x + 28.0, y, "d-line")
                }
            });
            let class = if lit_pid == Some(pid) { "d-hl" } else { "" };
            html! {
                <g class={class}>
                    { link.unwrap_or_default() }
                    { rect(x, y, 56.0, 24.0, "d-box") }
                    { text(x + 28.0, y + 16.0, "middle", "d-label", format!("pid {pid}")) }
                </g>
            }
        })
        .collect();
    let tree_label = (!tree.is_empty()).then(|| {
        if g.narrow {
            text(g.x0, g.tree_y() + 10.0, "start", "d-small", "processes (parent → child)")
        } else {
            text(g.x0 - 8.0, g.tree_y() + 16.0, "end", "d-small", "processes")
        }
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

/// The address space's regions, a row per region in order of address (its colour, its name and
/// permissions, its start), lowest address at the top: in one column on a phone, in two on a
/// wider screen (the first half of the regions on the left). A bar with a share of its width
/// per region put the labels of a dynamic program's twenty-odd regions on top of each other.
/// Returns the shapes and their height.
pub fn memory_bar(mm: &AddressSpace, narrow: bool) -> (Html, f64) {
    const ROW: f64 = 20.0;
    let vmas = &mm.vmas;
    // The name `/proc/PID/maps` shows (the kernel's rule, `[heap]` included), by its last part.
    let name_of = |v: &Vma| {
        let shown = shown_name(mm, v);
        if shown.is_empty() {
            v.perms()
        } else {
            let name = shown.rsplit('/').next().unwrap_or(shown);
            format!("{name} {}", v.perms())
        }
    };
    let class_of = |v: &Vma| {
        if v.prot.exec {
            "yp-x"
        } else if v.prot.write {
            "yp-w"
        } else {
            "yp-r"
        }
    };
    let (w, cols) = if narrow { (W_NARROW, 1) } else { (W, 2) };
    let col_w = w / cols as f64;
    let per_col = vmas.len().div_ceil(cols).max(1);
    let rows: Html = vmas
        .iter()
        .enumerate()
        .map(|(k, v)| {
            let x = col_w * (k / per_col) as f64;
            let y = 20.0 + ROW * (k % per_col) as f64;
            html! {
                <g>
                    { rect(x + 10.0, y + 2.0, 16.0, ROW - 4.0, class_of(v)) }
                    { text(x + 32.0, y + 14.0, "start", "d-small", name_of(v)) }
                    { text(x + col_w - 10.0, y + 14.0, "end", "d-small yp-addr", format!("{:x}", v.start)) }
                </g>
            }
        })
        .collect();
    let h = 20.0 + ROW * per_col as f64 + 20.0;
    (
        html! {
            <g>
                { text(10.0, 14.0, "start", "d-small", "low addresses") }
                { rows }
                { text(w - 10.0, h - 6.0, "end", "d-small", "high addresses") }
            </g>
        },
        h,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clicks_map_back_to_the_event_drawn_there() {
        for g in [Geo::of(false), Geo::of(true)] {
            for n in [1usize, 2, 7, 600, 5000] {
                for i in [0, n / 2, n - 1] {
                    assert_eq!(g.index_at(g.x_of(i, n), n), Some(i));
                }
            }
            assert_eq!(g.index_at(0.0, 10), Some(0));
            assert_eq!(g.index_at(g.w, 10), Some(9));
            assert_eq!(g.index_at(300.0, 0), None);
        }
    }

    #[test]
    fn the_narrow_layout_keeps_every_process_box_inside_its_width() {
        let g = Geo::of(true);
        for k in 0..12 {
            let (x, y) = g.box_at(k);
            assert!(x >= 0.0 && x + 56.0 <= g.w, "box {k} at {x}");
            assert!(y + 24.0 <= g.height(12), "box {k} under the picture");
        }
        assert!(g.height(5) > g.height(4) && g.height(0) < g.height(1));
    }
}
