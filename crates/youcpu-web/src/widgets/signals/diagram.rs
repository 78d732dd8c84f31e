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
const ROW: f64 = 14.0;
const BOX_X: f64 = 70.0;
const BOX_W: f64 = 232.0;
const TOP: f64 = 145.0;

fn hex(v: u64) -> String {
    format!("{v:#x}")
}

/// The value of a range's bytes as the picture shows it (short).
pub fn value(r: &Range, b: &[u8]) -> String {
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
            if nz == 0 {
                format!("{n} bytes, all 0")
            } else {
                format!("{n} bytes")
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
fn band(y: f64, class: &str, testid: Option<&'static str>, label: String, left: &'static str) -> Html {
    html! {
        <g data-testid={testid}>
            { rect(BOX_X, y, BOX_W, ROW, class) }
            { text(BOX_X + 6.0, y + 10.5, "start", "d-small sg-small", label) }
            { text(BOX_X - 4.0, y + 10.5, "end", "d-small sg-small", left) }
        </g>
    }
}

/// The picture's height for a state.
pub fn height(s: &State) -> f64 {
    TOP + ROW * (s.rows().len() as f64 + 4.0) + 8.0
}

/// The text alternative: the moment and where each register points.
pub fn desc(s: &State) -> String {
    super::state::describe(s)
}

/// Draws the picture; with callbacks its moments and byte ranges are buttons.
pub fn draw(s: &State, on_go: Option<Callback<usize>>, on_pick: Option<Callback<usize>>) -> Html {
    let Some(w) = s.watch() else {
        return html! { { text(W / 2.0, 40.0, "middle", "d-label", super::state::describe(s)) } };
    };
    let stops = s.stops();
    let cur = s.stop();
    // Test ids only on the live widget: the figure drawn by the same code is on the same page.
    let live = on_go.is_some();
    let tid = |t: String| live.then_some(t);
    let n = stops.len().max(1) as f64;
    // The track of moments.
    let step = (W - 60.0) / (n - 1.0).max(1.0);
    let track: Html = stops
        .iter()
        .enumerate()
        .map(|(i, st)| {
            let x = 30.0 + step * i as f64;
            let on = i == s.at;
            let cb = on_go.clone().map(|c| Callback::from(move |()| c.emit(i)));
            let label = format!("{} (moment {} of {})", moment_name(st.moment), i + 1, stops.len());
            html! {
                <>
                if i > 0 { { line(x - step + 9.0, 16.0, x - 9.0, 16.0, "d-line") } }
                { button_with_equivalent((x, 16.0), classes!("sg-moment", on.then_some("d-hl")), tid(format!("sg-moment-{i}")), label, Some(on), cb, html! {
                    <>
                    { rect(-24.0, -12.0, 48.0, 52.0, "sg-hit") }
                    <circle r="9" class="d-box" />
                    { text(0.0, 34.0, "middle", if on { "d-label d-hl" } else { "d-small sg-small" }, moment_name(st.moment)) }
                    </>
                }, Some("sg-next")) }
                </>
            }
        })
        .collect();
    // The process's signal state.
    let (pending, blocked) = cur.map_or((0, 0), |c| (c.pending, c.blocked));
    let sig = name(w.signal);
    let handler = format!("{sig} → {:#x}", w.action.handler);
    let lines = [
        ("pending", set_names(pending), pending != 0),
        ("blocked", set_names(blocked), blocked != 0),
        ("handler", handler, false),
        ("sa_flags", flag_names(w.action.flags).replace(" | ", "|"), false),
    ];
    let state_box = html! {
        <g class="sg-state" data-testid={tid("sg-state".into())}>
            { rect(4.0, 58.0, W - 8.0, 77.0, "d-box-2") }
            { for lines.into_iter().enumerate().map(|(i, (k, v, lit))| {
                let y = 75.0 + 17.0 * i as f64;
                html! { <>{ text(12.0, y, "start", "d-small sg-small", k) }{ text(80.0, y, "start", if lit { "d-label d-hl" } else if i >= 2 { "d-mono" } else { "d-label" }, v) }</> }
            }) }
        </g>
    };
    // The stack column.
    let rows = s.rows();
    let frame = s.frame_at();
    let written = cur.is_some_and(|c| c.frame.is_some());
    let dead = cur.is_some_and(|c| matches!(c.moment, Moment::Back | Moment::Leave { sigreturn: false }));
    let mut y = TOP;
    let mut out: Vec<Html> = Vec::new();
    // Above the frame: the interrupted code's stack, then the red zone and the alignment gap
    // (or, on the alternate stack, a break).
    let top_row = y;
    out.push(band(y, "d-box-2", None, "the interrupted code's stack".into(), "rsp₀"));
    y += ROW;
    match s.above() {
        Some((gap, _)) => {
            out.push(band(y, "d-frame", live.then_some("sg-redzone"), "red zone: 128 bytes skipped".into(), "rsp₀−128"));
            if gap > 0 {
                y += ROW;
                out.push(band(y, "d-frame", None, format!("alignment: {gap} bytes"), ""));
            }
        }
        None => out.push(band(
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
        let v = bytes.map(|b| value(r, b)).unwrap_or_default();
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
            { rect(0.0, 0.0, BOX_W, ROW, "d-box") }
            { text(6.0, 10.5, "start", "d-small sg-small sg-name", r.name) }
            { text(BOX_W - 5.0, 10.5, "end", "d-mono sg-val", vis) }
            { text(-4.0, 10.5, "end", "d-small sg-small", format!(" +{:#x}", r.offset)) }
            </>
        };
        out.push(row(i, rows.len(), (BOX_X, y), class, label, picked, s.picked.unwrap_or(0) == i, on_pick.clone(), body));
        y += ROW;
    }
    out.push(band(y, "d-frame", None, "below: the handler's own calls".into(), ""));
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
            let x0 = BOX_X + BOX_W + 62.0;
            arrows.push(html! { <g class="sg-reg d-hl" data-testid={tid(format!("sg-arrow-{}", r.to_lowercase()))}>
                { arrow(x0, y, BOX_X + BOX_W + 2.0, y, "") }
                { text(x0 + 3.0, y + 4.0, "start", "d-label", lbl) }
            </g> });
        }
        if c.moment == Moment::Handler {
            if let Some(i) = rows.iter().position(|r| r.name == "si_signo") {
                let y = frame_top + ROW * i as f64 + ROW / 2.0 + 13.0;
                arrows.push(text(BOX_X + BOX_W + 64.0, y, "start", "d-small sg-small", format!("RDI = {}", c.rdi)));
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
