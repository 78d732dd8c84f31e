//! Shapes of a picture the reader acts on, shared by the process and scheduling widgets: a
//! group that is a button (click, tap, Enter or Space) and a group that is a slider (pointer
//! drag with the pointer captured, arrow keys). One builder each, so that every clickable or
//! draggable shape is focusable, labelled and keyboard-operable the same way, and the wasm
//! holds one copy of the code. Without handlers (a figure drawn at build time) the same
//! builders draw the shape alone.

use yew::prelude::*;

/// An interactive picture: like [`crate::ui::Diagram`] (a `viewBox` that scales to its width,
/// a title and a description written from the state) but `role="group"`: its parts are
/// controls, and an `img` role would make them presentational (axe `nested-interactive`).
/// No style attribute (the page runs under a CSP without inline styles): its widest size is
/// set by its class in the style sheet; `max_width` is kept as `data-max` for the tests.
pub fn picture(
    id: &'static str,
    class: &'static str,
    title: &'static str,
    desc: String,
    (w, h): (f64, f64),
    max_width: f64,
    body: Html,
) -> Html {
    html! {
        <svg class={format!("diagram {class}")} data-testid={id}
            viewBox={format!("0 0 {} {}", w.ceil(), h.ceil())} data-max={max_width.ceil().to_string()}
            role="group" aria-labelledby={format!("{id}-t {id}-d")} xmlns="http://www.w3.org/2000/svg">
            <title id={format!("{id}-t")}>{ title }</title>
            <desc id={format!("{id}-d")}>{ desc }</desc>
            { body }
        </svg>
    }
}

/// `translate(x y)` for a `transform` attribute (an attribute, not a style: the page's CSP
/// allows no inline styles).
pub fn at(x: f64, y: f64) -> String {
    format!(
        "translate({} {})",
        crate::ui::svg::num(x),
        crate::ui::svg::num(y)
    )
}

/// A group at `(x, y)` drawing `body`; with `on`, a button: focusable, labelled `label`,
/// `pressed` (if given) as its state, activated by click, tap, Enter or Space.
pub fn button(
    pos: (f64, f64),
    class: Classes,
    testid: Option<String>,
    label: String,
    pressed: Option<bool>,
    on: Option<Callback<()>>,
    body: Html,
) -> Html {
    button_with_equivalent(pos, class, testid, label, pressed, on, body, None)
}

/// [`button`] for a picture part too small to tap on a phone whose action a control of the
/// widget (the `data-testid` `equivalent`, a touch target itself) also does: WCAG 2.5.5's
/// equivalent exception, which the phone touch-target test checks.
#[allow(clippy::too_many_arguments)]
pub fn button_with_equivalent(
    pos: (f64, f64),
    class: Classes,
    testid: Option<String>,
    label: String,
    pressed: Option<bool>,
    on: Option<Callback<()>>,
    body: Html,
    equivalent: Option<&'static str>,
) -> Html {
    let live = on.is_some();
    let click = on
        .clone()
        .map(|cb| Callback::from(move |_: MouseEvent| cb.emit(())));
    let key = on.map(|cb| {
        Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Enter" || e.key() == " " {
                e.prevent_default();
                cb.emit(());
            }
        })
    });
    html! {
        <g class={class} transform={at(pos.0, pos.1)} data-testid={testid}
            data-hit={live.then_some("")} data-equivalent={equivalent.filter(|_| live)} tabindex={live.then_some("0")} role={live.then_some("button")}
            aria-label={live.then_some(label)} aria-pressed={pressed.filter(|_| live).map(|p| p.to_string())}
            onclick={click} onkeydown={key}>
            { body }
        </g>
    }
}

/// What a slider reports.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Slide {
    /// The pointer went down at this viewBox x.
    Down(f64),
    /// The pointer, still down, moved to this viewBox x.
    Move(f64),
    /// The pointer went up or was cancelled.
    Up,
    /// A key was pressed (its `key` value is handled by the caller's `keys`).
    Key(i32),
}

/// The viewBox x of a pointer event on a picture `width` units wide. Yew delegates events to
/// its root, so the event's `current_target` is not the shape: the svg is found from the
/// element actually hit.
#[cfg(target_arch = "wasm32")]
fn event_x(e: &PointerEvent, width: f64) -> Option<f64> {
    use wasm_bindgen::JsCast;
    let el: web_sys::Element = e.target()?.dyn_into().ok()?;
    let svg = el.closest("svg").ok()??;
    let r = svg.get_bounding_client_rect();
    (r.width() > 0.0).then(|| (f64::from(e.client_x()) - r.left()) * width / r.width())
}

#[cfg(not(target_arch = "wasm32"))]
fn event_x(_e: &PointerEvent, _width: f64) -> Option<f64> {
    None
}

/// Keeps the pointer's events coming to the shape it went down on while it drags.
#[cfg(target_arch = "wasm32")]
fn capture(e: &PointerEvent) {
    use wasm_bindgen::JsCast;
    if let Some(el) = e
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
    {
        let _ = el.set_pointer_capture(e.pointer_id());
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn capture(_e: &PointerEvent) {}

/// The step a key asks of a slider: ±1 for the arrows, ±5 for Page Up/Down, `i32::MIN` and
/// `i32::MAX` for Home and End (the caller clamps); None for other keys.
pub fn key_delta(key: &str) -> Option<i32> {
    Some(match key {
        "ArrowLeft" | "ArrowDown" => -1,
        "ArrowRight" | "ArrowUp" => 1,
        "PageDown" => -5,
        "PageUp" => 5,
        "Home" => i32::MIN,
        "End" => i32::MAX,
        _ => return None,
    })
}

/// A slider drawn as `body` in a picture `width` units wide: the reader drags it (mouse, pen
/// or touch; vertical swipes still scroll the page) or steps it with the keys. `value` is
/// announced with `min`..`max` and `text`. Without `on`, the shape alone. `equivalent` is the
/// `data-testid` of the form field that sets the same value: a drag handle in a chart cannot
/// be 44 px tall on a phone, and WCAG 2.5.5 accepts an equivalent control that is (the touch
/// target test checks that field instead).
#[allow(clippy::too_many_arguments)]
pub fn slider(
    class: &'static str,
    testid: String,
    equivalent: String,
    label: String,
    (min, max, value): (i64, i64, i64),
    text: String,
    width: f64,
    on: Option<Callback<Slide>>,
    body: Html,
) -> Html {
    let Some(on) = on else {
        return html! { <g>{ body }</g> };
    };
    let down = {
        let on = on.clone();
        Callback::from(move |e: PointerEvent| {
            capture(&e);
            if let Some(x) = event_x(&e, width) {
                on.emit(Slide::Down(x));
            }
        })
    };
    let moved = {
        let on = on.clone();
        Callback::from(move |e: PointerEvent| {
            if e.buttons() & 1 == 1 {
                if let Some(x) = event_x(&e, width) {
                    on.emit(Slide::Move(x));
                }
            }
        })
    };
    let up = {
        let on = on.clone();
        Callback::from(move |_: PointerEvent| on.emit(Slide::Up))
    };
    let key = Callback::from(move |e: KeyboardEvent| {
        if let Some(d) = key_delta(&e.key()) {
            e.prevent_default();
            on.emit(Slide::Key(d));
        }
    });
    html! {
        <g class={class} data-hit="" tabindex="0" role="slider" data-testid={testid} data-equivalent={equivalent} aria-label={label}
            aria-valuemin={min.to_string()} aria-valuemax={max.to_string()} aria-valuenow={value.to_string()}
            aria-valuetext={text} onpointerdown={down} onpointermove={moved} onpointerup={up.clone()}
            onpointercancel={up} onkeydown={key}>
            { body }
        </g>
    }
}

/// A nice value's track and knob, as the timeslice and scheduler pictures draw them: a line
/// from `track.0` to `track.1` at `y` with a tick at nice 0 (`zero`), and a round knob at `at`
/// (class `knob`) with the value in it. The line and the tick stop short of the knob: drawn
/// under it they would run through its digits, which on a phone (a 12-unit knob, 13 px
/// digits) are as wide as the knob.
pub fn nice_knob(
    track: (f64, f64),
    zero: f64,
    at: f64,
    y: f64,
    nice: i32,
    knob: &'static str,
) -> Html {
    use crate::ui::svg::{line, num, text};
    let gap = (nice.to_string().chars().count() as f64 * 4.6 + 1.0).max(12.0);
    let (a, b) = ((at - gap).max(track.0), (at + gap).min(track.1));
    html! {
        <>
            if a > track.0 { { line(track.0, y, a, y, "d-line") } }
            if b < track.1 { { line(b, y, track.1, y, "d-line") } }
            if (zero - at).abs() > gap { { line(zero, y - 5.0, zero, y + 5.0, "d-line") } }
            <circle cx={num(at)} cy={num(y)} r="9" class={knob} />
            { text(at, y + 4.0, "middle", "d-knob", nice.to_string()) }
        </>
    }
}

/// `v` stepped by a [`key_delta`] within `min..=max`.
pub fn step(v: i64, delta: i32, min: i64, max: i64) -> i64 {
    match delta {
        i32::MIN => min,
        i32::MAX => max,
        d => v.saturating_add(i64::from(d)).clamp(min, max),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_step_within_bounds() {
        assert_eq!(key_delta("ArrowRight"), Some(1));
        assert_eq!(key_delta("PageDown"), Some(-5));
        assert_eq!(key_delta("a"), None);
        assert_eq!(step(19, 1, -20, 19), 19);
        assert_eq!(step(-18, -5, -20, 19), -20);
        assert_eq!(step(3, i32::MIN, 0, 10), 0);
        assert_eq!(step(3, i32::MAX, 0, 10), 10);
        assert_eq!(at(1.0, 2.5), "translate(1 2.5)");
    }
}
