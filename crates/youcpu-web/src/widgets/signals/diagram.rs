//! The picture of `signals` (and of the figure `signal-frame`, drawn by the same code at build
//! time): the moments as a track, the process's pending and blocked sets and its handler, and
//! the user stack as a column of labelled byte ranges, high addresses at the top, with arrows
//! from RSP, RSI and RDX to what they point at.

use super::state::{flag_names, moment_name, points_at, set_names, State};
use crate::ui::svg::{arrow, line, rect, text};
use crate::widgets::hit::button_with_equivalent;
use yew::prelude::*;
use youcpu_core::linux::signal::name;
use youcpu_core::linux::sigwatch::{Moment, Part, Range};

/// The picture's width.
pub const W: f64 = 440.0;
/// The narrow layout's width: on a 360 px phone the widget's picture is about 342 CSS px wide
/// and a figure 360, so a unit is drawn at a pixel or more and its 11 px text stays 11 px.
pub const W_NARROW: f64 = 336.0;
const ROW: f64 = 14.0;

/// Where the parts go in one layout: the wide one, or the narrow one for a phone (the same
/// column of ranges, narrower, with the values said shorter, the moments' names on two rows
/// and long flag lists wrapped).
#[derive(Clone, Copy, Debug, PartialEq)]
struct Geo {
    narrow: bool,
    w: f64,
    box_x: f64,
    box_w: f64,
    /// Where the register arrows start (their labels after).
    arrow_x: f64,
    /// The x of the signal state's values.
    value_x: f64,
    /// The most characters of a state value on one line.
    value_chars: usize,
}

impl Geo {
    fn of(narrow: bool) -> Self {
        if narrow {
            Geo { narrow, w: W_NARROW, box_x: 74.0, box_w: 194.0, arrow_x: 294.0, value_x: 68.0, value_chars: 34 }
        } else {
            Geo { narrow, w: W, box_x: 70.0, box_w: 232.0, arrow_x: 70.0 + 232.0 + 62.0, value_x: 80.0, value_chars: 48 }
        }
    }

    /// The moments' track: its labels on one row, or alternating between two on a phone.
    fn track_h(&self) -> f64 {
        if self.narrow {
            58.0
        } else {
            44.0
        }
    }
}

/// The picture's width in one layout.
pub fn width(narrow: bool) -> f64 {
    Geo::of(narrow).w
}

/// A state value cut into lines of at most `max` characters at its separators (`|` of a flag
/// list, `,` of a signal set), so a long one wraps instead of running off a phone's picture.
fn wrap(v: &str, max: usize) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut cur = String::new();
    for (i, part) in v.split_inclusive(['|', ',']).enumerate() {
        if i > 0 && cur.chars().count() + part.chars().count() > max {
            out.push(std::mem::take(&mut cur).trim().to_string());
        }
        cur.push_str(part);
    }
    out.push(cur.trim().to_string());
    out
}

/// The lines of the signal state box: (key, value lines, lit).
fn state_lines(s: &State, g: &Geo) -> Vec<(&'static str, Vec<String>, bool)> {
    let Some(w) = s.watch() else { return Vec::new() };
    let (pending, blocked) = s.stop().map_or((0, 0), |c| (c.pending, c.blocked));
    let handler = format!("{} → {:#x}", name(w.signal), w.action.handler);
    [
        ("pending", set_names(pending), pending != 0),
        ("blocked", set_names(blocked), blocked != 0),
        ("handler", handler, false),
        ("sa_flags", flag_names(w.action.flags).replace(" | ", "|"), false),
    ]
    .into_iter()
    .map(|(k, v, lit)| (k, wrap(&v, g.value_chars), lit))
    .collect()
}

/// Where the stack column starts: under the track and the state box.
fn top(s: &State, g: &Geo) -> f64 {
    let lines: usize = state_lines(s, g).iter().map(|(_, v, _)| v.len()).sum();
    g.track_h() + 14.0 + 17.0 * lines.max(4) as f64 + 19.0
}

fn hex(v: u64) -> String {
    format!("{v:#x}")
}

/// The value of a range's bytes as the picture shows it (short).
pub fn value(r: &Range, b: &[u8]) -> String {
    value_in(r, b, false)
}

/// The value, shorter still on a phone ("96 B, all 0").
fn value_in(r: &Range, b: &[u8], narrow: bool) -> String {
    match b.len() {
        8 => {
            let mut w = [0u8; 8];
            w.copy_from_slice(b);
            let v = u64::from_le_bytes(w);
            if r.name == "cs, gs, fs, ss" {
                format!("cs {:#x} ss {:#x}", v & 0xffff, v >> 48)
            } else {
                hex(v)
            }
        }
        4 => {
            let mut w = [0u8; 4];
            w.copy_from_slice(b);
            i32::from_le_bytes(w).to_string()
        }
        n => {
            let nz = b.iter().filter(|&&x| x != 0).count();
            let unit = if narrow { "B" } else { "bytes" };
            if nz == 0 {
                format!("{n} {unit}, all 0")
            } else {
                format!("{n} {unit}")
            }
        }
    }
}

fn part_class(p: Part) -> &'static str {
    match p {
        Part::Pretcode => "sg-ret",
        Part::Context => "sg-uc",
        Part::Registers => "sg-regs",
        Part::Info => "sg-info",
        Part::Padding => "sg-pad",
        Part::Fp => "sg-fp",
    }
}

/// Focuses range `i`'s shape in the picture holding `from` (arrow keys move between ranges).
#[cfg(target_arch = "wasm32")]
fn focus_row(from: &KeyboardEvent, i: usize) {
    use wasm_bindgen::JsCast;
    let el = from
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .and_then(|e| e.closest("svg").ok().flatten())
        .and_then(|svg| svg.query_selector(&format!("[data-testid=\"sg-row-{i}\"]")).ok().flatten())
        .and_then(|e| e.dyn_into::<web_sys::SvgElement>().ok());
    if let Some(e) = el {
        let _ = e.focus();
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn focus_row(_from: &KeyboardEvent, _i: usize) {}

/// One byte range: with `on`, a button in a roving tab order (one range is a tab stop; the
/// up and down arrow keys move to the next range up or down and open it; Enter or Space opens
/// the focused one), so the forty-odd ranges cost the keyboard reader one Tab.
#[allow(clippy::too_many_arguments)]
fn row(
    i: usize,
    n: usize,
    (x, y): (f64, f64),
    class: Classes,
    label: String,
    picked: bool,
    stop: bool,
    on: Option<Callback<usize>>,
    body: Html,
) -> Html {
    let live = on.is_some();
    let click = on.clone().map(|cb| Callback::from(move |_: MouseEvent| cb.emit(i)));
    let key = on.map(|cb| {
        Callback::from(move |e: KeyboardEvent| {
            let to = match e.key().as_str() {
                "Enter" | " " => Some(i),
                "ArrowUp" => Some(i.saturating_sub(1)),
                "ArrowDown" => Some((i + 1).min(n.saturating_sub(1))),
                _ => None,
            };
            if let Some(j) = to {
                e.prevent_default();
                if j != i {
                    focus_row(&e, j);
                }
                // Enter toggles the open range; moving always opens the new one.
                if j != i || !picked || e.key() != "ArrowUp" && e.key() != "ArrowDown" {
                    cb.emit(j);
                }
            }
        })
    });
    html! {
        <g class={class} transform={crate::widgets::hit::at(x, y)} data-testid={live.then(|| format!("sg-row-{i}"))} data-equivalent={live.then_some("sg-range")}
            data-hit={live.then_some("")} tabindex={live.then_some(if stop { "0" } else { "-1" })} role={live.then_some("button")}
            aria-label={live.then_some(label)} aria-pressed={live.then(|| picked.to_string())}
            onclick={click} onkeydown={key}>
            { body }
        </g>
    }
}

/// A band of the stack that is not part of the frame.
fn band(g: &Geo, y: f64, class: &str, testid: Option<&'static str>, label: String, left: &'static str) -> Html {
    html! {
        <g data-testid={testid}>
            { rect(g.box_x, y, g.box_w, ROW, class) }
            { text(g.box_x + 6.0, y + 10.5, "start", "d-small sg-small", label) }
            { text(g.box_x - 4.0, y + 10.5, "end", "d-small sg-small", left) }
        </g>
    }
}

/// The picture's height for a state in one layout.
pub fn height(s: &State, narrow: bool) -> f64 {
    let g = Geo::of(narrow);
    top(s, &g) + ROW * (s.rows().len() as f64 + 4.0) + 8.0
}

/// The text alternative: the moment and where each register points.
pub fn desc(s: &State) -> String {
    super::state::describe(s)
}

/// Draws the picture in one layout (`narrow` for a phone); with callbacks its moments and
/// byte ranges are buttons.
pub fn draw(s: &State, narrow: bool, on_go: Option<Callback<usize>>, on_pick: Option<Callback<usize>>) -> Html {
    let g = Geo::of(narrow);
    let Some(w) = s.watch() else {
        return html! { { text(g.w / 2.0, 40.0, "middle", "d-label", super::state::describe(s)) } };
    };
    let stops = s.stops();
    let cur = s.stop();
    // Test ids only on the live widget: the figure drawn by the same code is on the same page.
    let live = on_go.is_some();
    let tid = |t: String| live.then_some(t);
    let n = stops.len().max(1) as f64;
    // The track of moments.
    // The first and last names centred far enough in to stay on the screen.
    let margin = if g.narrow { 38.0 } else { 30.0 };
    let step = (g.w - 2.0 * margin) / (n - 1.0).max(1.0);
    let track: Html = stops
        .iter()
        .enumerate()
        .map(|(i, st)| {
            let x = margin + step * i as f64;
            let on = i == s.at;
            let cb = on_go.clone().map(|c| Callback::from(move |()| c.emit(i)));
            let label = format!("{} (moment {} of {})", moment_name(st.moment), i + 1, stops.len());
            // On a phone the names alternate between two rows, so neighbours never overlap.
            let ly = if g.narrow && i % 2 == 1 { 48.0 } else { 34.0 };
            html! {
                <>
                if i > 0 { { line(x - step + 9.0, 16.0, x - 9.0, 16.0, "d-line") } }
                { button_with_equivalent((x, 16.0), classes!("sg-moment", on.then_some("d-hl")), tid(format!("sg-moment-{i}")), label, Some(on), cb, html! {
                    <>
                    { rect(-24.0, -12.0, 48.0, ly + 18.0, "sg-hit") }
                    <circle r="9" class="d-box" />
                    { text(0.0, ly, "middle", if on { "d-label d-hl" } else { "d-small sg-small" }, moment_name(st.moment)) }
                    </>
                }, Some("sg-next")) }
                </>
            }
        })
        .collect();
    // The process's signal state.
    let box_y = g.track_h() + 14.0;
    let top_y = top(s, &g);
    let mut line_y = box_y + 17.0;
    let mut state_texts: Vec<Html> = Vec::new();
    for (i, (k, v, lit)) in state_lines(s, &g).into_iter().enumerate() {
        state_texts.push(text(12.0, line_y, "start", "d-small sg-small", k));
        let class = if lit { "d-label d-hl" } else if i >= 2 { "d-mono" } else { "d-label" };
        for part in v {
            state_texts.push(text(g.value_x, line_y, "start", class, part));
            line_y += 17.0;
        }
    }
    let state_box = html! {
        <g class="sg-state" data-testid={tid("sg-state".into())}>
            { rect(4.0, box_y, g.w - 8.0, top_y - box_y - 10.0, "d-box-2") }
            { for state_texts }
        </g>
    };
    // The stack column.
    let rows = s.rows();
    let frame = s.frame_at();
    let written = cur.is_some_and(|c| c.frame.is_some());
    let dead = cur.is_some_and(|c| matches!(c.moment, Moment::Back | Moment::Leave { sigreturn: false }));
    let mut y = top_y;
    let mut out: Vec<Html> = Vec::new();
    // Above the frame: the interrupted code's stack, then the red zone and the alignment gap
    // (or, on the alternate stack, a break).
    let top_row = y;
    out.push(band(&g, y, "d-box-2", None, "the interrupted code's stack".into(), "rsp₀"));
    y += ROW;
    match s.above() {
        Some((gap, _)) => {
            out.push(band(&g, y, "d-frame", live.then_some("sg-redzone"), "red zone: 128 bytes skipped".into(), "rsp₀−128"));
            if gap > 0 {
                y += ROW;
                out.push(band(&g, y, "d-frame", None, format!("alignment: {gap} bytes"), ""));
            }
        }
        None => out.push(band(
            &g,
            y,
            "d-box-2",
            live.then_some("sg-altstack"),
            format!("⋯ alternate stack {:#x}, {} B", w.altstack.sp, w.altstack.size),
            "",
        )),
    }
    y += ROW;
    let frame_top = y;
    for (i, r) in rows.iter().enumerate() {
        let bytes = s.bytes(r).filter(|_| written);
        let v = bytes.map(|b| value_in(r, b, g.narrow)).unwrap_or_default();
        let picked = s.picked == Some(i);
        // The label begins with the visible text, in its order (axe:
        // label-content-name-mismatch); leading spaces are not drawn but keep the words apart.
        let vis = if v.is_empty() { String::new() } else { format!(" {v}") };
        let label = format!("{}{vis} +{:#x}, {} bytes", r.name, r.offset, r.len);
        let class = classes!(
            "sg-row",
            part_class(r.part),
            picked.then_some("d-hl"),
            (!written || dead).then_some("d-dim")
        );
        let body = html! {
            <>
            { rect(0.0, 0.0, g.box_w, ROW, "d-box") }
            { text(6.0, 10.5, "start", "d-small sg-small sg-name", r.name) }
            { text(g.box_w - 5.0, 10.5, "end", "d-mono sg-val", vis) }
            { text(-4.0, 10.5, "end", "d-small sg-small", format!(" +{:#x}", r.offset)) }
            </>
        };
        out.push(row(i, rows.len(), (g.box_x, y), class, label, picked, s.picked.unwrap_or(0) == i, on_pick.clone(), body));
        y += ROW;
    }
    out.push(band(&g, y, "d-frame", None, "below: the handler's own calls".into(), ""));
    let below = y;
    // Brackets naming the parts.
    let span = |from: &str, to: &str| {
        let a = rows.iter().position(|r| r.name == from)?;
        let b = rows.iter().position(|r| r.name == to)?;
        Some((frame_top + ROW * a as f64, frame_top + ROW * (b + 1) as f64))
    };
    let mut brackets: Vec<Html> = Vec::new();
    for (from, to, label) in [
        ("fpstate: reserved", "fpstate: x87 control", "FP state"),
        ("(rest of siginfo)", "si_signo", "siginfo"),
        ("uc_sigmask", "uc_flags", "ucontext"),
    ] {
        if let Some((a, b)) = span(from, to) {
            let mid = (a + b) / 2.0;
            brackets.push(html! { <g class="sg-bracket">
                { line(6.0, a + 1.0, 6.0, b - 1.0, "d-line") }
                <g transform={format!("rotate(-90 16 {})", crate::ui::svg::num(mid))}>
                    { text(16.0, mid + 4.0, "middle", "d-small sg-small", label) }
                </g>
            </g> });
        }
    }
    // Register arrows.
    let mut arrows: Vec<Html> = Vec::new();
    if let Some(c) = cur {
        let row_y = |addr: u64| -> Option<f64> {
            let (at, _) = frame?;
            if !written && addr < w.interrupted_rsp {
                return None;
            }
            if addr >= w.interrupted_rsp {
                return Some(top_row + ROW / 2.0);
            }
            points_at(&rows, at, addr).map(|i| frame_top + ROW * i as f64 + ROW / 2.0)
        };
        let mut regs = vec![("RSP", c.rsp)];
        if c.moment == Moment::Handler {
            regs.push(("RSI", c.rsi));
            regs.push(("RDX", c.rdx));
        }
        for (r, v) in regs {
            let (y, lbl) = match row_y(v) {
                Some(y) => (y, r.to_string()),
                None if v < frame.map_or(0, |f| f.0) => (below + ROW / 2.0, format!("{r} (lower)")),
                None => continue,
            };
            let x0 = g.arrow_x;
            // On a phone a long label ("RSP (lower)") goes under its arrow, ending at the edge.
            let label = if g.narrow && lbl.len() > 3 {
                text(g.w - 2.0, y + 16.0, "end", "d-label", lbl)
            } else {
                text(x0 + 3.0, y + 4.0, "start", "d-label", lbl)
            };
            arrows.push(html! { <g class="sg-reg d-hl" data-testid={tid(format!("sg-arrow-{}", r.to_lowercase()))}>
                { arrow(x0, y, g.box_x + g.box_w + 2.0, y, "") }
                { label }
            </g> });
        }
        if c.moment == Moment::Handler {
            if let Some(i) = rows.iter().position(|r| r.name == "si_signo") {
                let y = frame_top + ROW * i as f64 + ROW / 2.0 + 13.0;
                let rdi = format!("RDI = {}", c.rdi);
                arrows.push(if g.narrow {
                    // Clear of the RSI label above it (their boxes touched at 360 px).
                    text(g.w - 2.0, y + 6.0, "end", "d-small sg-small", rdi)
                } else {
                    text(g.arrow_x + 2.0, y, "start", "d-small sg-small", rdi)
                });
            }
        }
    }
    html! {
        <>
        { track }
        { state_box }
        { for out }
        { for brackets }
        { for arrows }
        </>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_state_values_wrap_at_their_separators_to_fit_a_phone() {
        let flags = "SA_SIGINFO|SA_ONSTACK|SA_NODEFER|SA_RESTORER";
        let g = Geo::of(true);
        let lines = wrap(flags, g.value_chars);
        assert_eq!(lines, ["SA_SIGINFO|SA_ONSTACK|SA_NODEFER|", "SA_RESTORER"]);
        assert!(lines.iter().all(|l| l.chars().count() <= g.value_chars));
        assert_eq!(lines.concat(), flags);
        assert_eq!(wrap(flags, Geo::of(false).value_chars), [flags]);
        assert_eq!(wrap("none", 4), ["none"]);
    }

    #[test]
    fn the_narrow_layout_fits_its_parts_in_its_width() {
        for narrow in [false, true] {
            let g = Geo::of(narrow);
            // The column, the register arrows and their three-letter labels (about 8 units a
            // letter at 13 px, bold) end inside the picture.
            assert!(g.box_x + g.box_w + 2.0 < g.arrow_x);
            assert!(g.arrow_x + 3.0 + 3.0 * 8.5 <= g.w, "{g:?}");
            // The value column holds its longest line at 12 px monospace (7.3 units a letter).
            assert!(g.value_x + 7.3 * g.value_chars as f64 <= g.w - 8.0, "{g:?}");
        }
        assert_eq!(width(true), W_NARROW);
    }
}
