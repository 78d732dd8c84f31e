//! The view of `page_walk`.

use super::diagram::{input, layout, shapes, Input};
use crate::ui::{group_svg, hit, Listeners};
use super::state::{Action, State, PRESETS};
use crate::dom;
use crate::ui::{use_url_reducer, Col, Control, Dispatch, Frame, Stepper, Table};
use std::rc::Rc;
use yew::prelude::*;
use youcpu_core::paging::walk::level_name;
use youcpu_core::paging::{AccessKind, Format, Walk};

/// A field as the handlers need it: lowest bit, width, value, largest value, sign extension.
type FieldSpan = (u32, u32, u64, u64, bool);

/// A drag in progress on a field of the address.
#[derive(Clone, Copy)]
struct Drag {
    field: usize,
    bit: Option<u32>,
    start_x: i32,
    start: u64,
    moved: bool,
}

/// The interactive picture: the wide and the narrow layout (the style sheet shows one).
fn picture(inp: &Input, listeners: &Listeners, shown: Option<bool>) -> Html {
    let one = |narrow: bool| {
        if !crate::ui::draws(shown, narrow) {
            return Html::default();
        }
        let p = layout(inp, narrow);
        group_svg(
            "page-walk-diagram",
            "pw-diagram",
            narrow,
            "The page walk: the address's bits, the tables from CR3 to the frame, the TLB",
            p.desc.clone(),
            (p.width, p.height),
            listeners.clone(),
            shapes(&p, true),
        )
    };
    html! { <div class="dual">{ one(false) }{ one(true) }</div> }
}

fn flags(fmt: &Format, e: u64) -> String {
    let b = fmt.bits;
    let mut out = Vec::new();
    let mut f = |bit: Option<u8>, name: &str| {
        if fmt.flag(e, bit) {
            out.push(name.to_string());
        }
    };
    f(Some(fmt.present_bit), "P");
    f(b.rw, "RW");
    f(b.us, "US");
    f(b.accessed, "A");
    f(b.dirty, "D");
    f(b.ps, "PS");
    f(b.global, "G");
    f(b.nx, "NX");
    if out.is_empty() {
        "(none)".into()
    } else {
        out.join(" ")
    }
}

fn walk_table(fmt: &Format, w: &Walk, root: u64) -> Html {
    let n = fmt.levels.len();
    let rows: Html = w
        .steps
        .iter()
        .map(|s| {
            let next = if !s.present {
                "not present: stop".to_string()
            } else if s.huge {
                format!("huge page at frame 0x{:x}", s.pfn)
            } else if s.leaf {
                format!("page frame 0x{:x}", s.pfn)
            } else {
                format!("next table at frame 0x{:x}", s.pfn)
            };
            html! {
                <tr class={classes!((!s.present).then_some("np"))}>
                    <td data-label="Table">{ level_name(n, s.level) }</td>
                    <td class="num" data-label="At">{ format!("0x{:x}", s.table_base) }</td>
                    <td class="num" data-label="Index">{ s.index }</td>
                    <td class="num" data-label="Entry address">{ format!("0x{:x}", s.entry_addr) }</td>
                    <td class="num" data-label="Entry"><code>{ format!("{:016x}", s.entry) }</code></td>
                    <td data-label="Flags"><code>{ flags(fmt, s.entry) }</code></td>
                    <td data-label="Leads to">{ next }</td>
                </tr>
            }
        })
        .collect();
    html! {
        <Table testid="pw-walk" stack={true} caption={format!("CR3 holds frame 0x{root:x}: the {} table is at physical address 0x{:x}", level_name(n, 0), root << fmt.offset_bits)} cols={vec![Col::Show("Table"), Col::Show("At"), Col::Show("Index"), Col::Show("Entry address"), Col::Show("Entry"), Col::Show("Flags"), Col::Show("Leads to")]}>
            { rows }
        </Table>
    }
}

fn error_code_text(code: u64) -> String {
    let bits = [
        (0, "P: the page was present"),
        (1, "W: a write"),
        (2, "U: from user mode"),
        (3, "RSVD: a reserved bit"),
        (4, "I: an instruction fetch"),
    ];
    let set: Vec<&str> = bits
        .iter()
        .filter(|(b, _)| code >> b & 1 == 1)
        .map(|(_, t)| *t)
        .collect();
    if set.is_empty() {
        "no bits set: a read from kernel mode of a page that is not present".into()
    } else {
        set.join("; ")
    }
}

/// The access kind as a verb, for the live region.
fn kind_value_of(k: AccessKind) -> &'static str {
    match k {
        AccessKind::Read => "Read",
        AccessKind::Write => "Write",
        AccessKind::Fetch => "Fetch",
    }
}

/// The page-walk widget.
#[component]
pub fn PageWalkWidget() -> Html {
    let state = use_url_reducer::<State>();
    // Only the picture the page shows is drawn (issue #18).
    let shown = crate::ui::use_narrow();
    let click = |a: Action| state.on(a.clone());
    let on_va = state.on_text(Action::Va);
    let on_kind = {
        let state = state.clone();
        Callback::from(move |e: Event| {
            let k = match dom::event_value(&e).as_str() {
                "write" => AccessKind::Write,
                "fetch" => AccessKind::Fetch,
                _ => AccessKind::Read,
            };
            state.dispatch(Action::Kind(k));
        })
    };
    let on_mode = {
        let state = state.clone();
        Callback::from(move |e: Event| {
            state.dispatch(Action::User(dom::event_value(&e) != "kernel"))
        })
    };
    let on_levels = {
        let state = state.clone();
        Callback::from(move |e: Event| {
            state.dispatch(Action::FiveLevel(dom::event_value(&e) == "5"))
        })
    };
    let on_preset = {
        let state = state.clone();
        Callback::from(move |e: Event| {
            if let Ok(i) = dom::event_value(&e).parse::<usize>() {
                state.dispatch(Action::Preset(i));
            }
        })
    };
    let on_reset = state.on(Action::Reset);
    let fmt = &state.space.format;
    // The fields as the picture cuts them (lo, width, value, largest value, sign?), for the
    // drag and key handlers.
    let inp = input(&state);
    let fields: Rc<Vec<FieldSpan>> = Rc::new(
        layout(&inp, false)
            .fields
            .iter()
            .map(|f| (f.lo, f.width, f.value, f.max(), f.is_sign()))
            .collect(),
    );
    let drag = use_mut_ref(|| None::<Drag>);
    let listeners = {
        let down = {
            let drag = drag.clone();
            let fields = fields.clone();
            Callback::from(move |e: PointerEvent| {
                let Some(i) = hit(&e, "data-i").and_then(|t| t.parse::<usize>().ok()) else {
                    return;
                };
                if let Some(&(_, _, value, _, _)) = fields.get(i) {
                    let bit = hit(&e, "data-bit").and_then(|t| t.parse().ok());
                    capture(&e);
                    *drag.borrow_mut() = Some(Drag {
                        field: i,
                        bit,
                        start_x: e.client_x(),
                        start: value,
                        moved: false,
                    });
                }
            })
        };
        let moved = {
            let drag = drag.clone();
            let fields = fields.clone();
            let state = state.clone();
            Callback::from(move |e: PointerEvent| {
                let Some(mut d) = *drag.borrow() else { return };
                let Some(&(lo, width, value, max, sign)) = fields.get(d.field) else {
                    return;
                };
                let dx = e.client_x() - d.start_x;
                if dx.abs() >= 6 {
                    d.moved = true;
                }
                *drag.borrow_mut() = Some(d);
                if !d.moved || sign {
                    return;
                }
                // One index per 4 px of movement (16 bytes per step for the 12-bit offset).
                let unit: i64 = if width > 9 { 16 } else { 1 };
                let want = (d.start as i64 + i64::from(dx / 4) * unit).clamp(0, max as i64) as u64;
                if want != value {
                    state.dispatch(Action::SetBits { lo, width, value: want });
                }
            })
        };
        let up = {
            let drag = drag.clone();
            let fields = fields.clone();
            let state = state.clone();
            Callback::from(move |_e: PointerEvent| {
                let d = drag.borrow_mut().take();
                let Some(d) = d.filter(|d| !d.moved) else { return };
                match (fields.get(d.field), d.bit) {
                    (Some(&(.., true)), _) => state.dispatch(Action::ToggleSign),
                    (Some(_), Some(b)) => state.dispatch(Action::FlipBit(b)),
                    _ => {}
                }
            })
        };
        let cancel = {
            let drag = drag.clone();
            Callback::from(move |_e: PointerEvent| {
                drag.borrow_mut().take();
            })
        };
        let key = {
            let fields = fields.clone();
            let state = state.clone();
            Callback::from(move |e: KeyboardEvent| {
                let Some(i) = hit(&e, "data-i").and_then(|t| t.parse::<usize>().ok()) else {
                    return;
                };
                let Some(&(lo, width, _, max, sign)) = fields.get(i) else {
                    return;
                };
                let unit: i64 = if width > 9 { 16 } else { 1 };
                let k = e.key();
                if sign {
                    if k == "Enter" || k == " " {
                        e.prevent_default();
                        state.dispatch(Action::ToggleSign);
                    }
                    return;
                }
                let delta: i64 = match k.as_str() {
                    "ArrowRight" | "ArrowUp" => unit,
                    "ArrowLeft" | "ArrowDown" => -unit,
                    "PageUp" => 16 * unit,
                    "PageDown" => -16 * unit,
                    "Home" => -(max as i64),
                    "End" => max as i64,
                    _ => return,
                };
                e.prevent_default();
                state.dispatch(Action::AddBits { lo, width, delta });
            })
        };
        Listeners {
            down: Some(down),
            moved: Some(moved),
            up: Some(up),
            cancel: Some(cancel),
            click: None,
            key: Some(key),
        }
    };
    let shown_walk = state
        .last
        .as_ref()
        .and_then(|l| l.walk.clone())
        .or_else(|| state.inspect());
    let outcome = state.last.as_ref().map(|l| match l.result {
        Ok(pa) => html! {
            <p class="ex-result ok" data-testid="pw-result">
                { if l.tlb_hit { "TLB hit: no tables read. " } else { "TLB miss: the walk above. " } }
                <strong>{ "Physical address " }</strong><code data-testid="pw-pa">{ format!("0x{pa:x}") }</code>
            </p>
        },
        Err(f) => html! {
            <div class="ex-result err" data-testid="pw-result">
                <p><strong>{ if f.kind == youcpu_core::paging::FaultKind::NonCanonical { "General protection fault (#GP): " } else { "Page fault (#PF): " } }</strong>
                    <span data-testid="pw-fault">{ f.kind.describe() }</span></p>
                if f.kind != youcpu_core::paging::FaultKind::NonCanonical {
                    <p>{ format!("CR2 = 0x{:x}; error code 0x{:x} ({})", f.cr2, f.error_code, error_code_text(f.error_code)) }</p>
                }
            </div>
        },
    });
    // One sentence for screen readers per access.
    let live = match state.last.as_ref().map(|l| (l.tlb_hit, &l.result)) {
        Some((hit, Ok(pa))) => format!(
            "{} {}: {}; physical address 0x{pa:x}. TLB: {} hits, {} misses.",
            kind_value_of(state.kind),
            state.va_text.trim(),
            if hit {
                "TLB hit, no tables read"
            } else {
                "TLB miss, the tables were walked"
            },
            state.tlb.hits,
            state.tlb.misses
        ),
        Some((_, Err(f))) => format!(
            "{} {}: {}: {}.",
            kind_value_of(state.kind),
            state.va_text.trim(),
            if f.kind == youcpu_core::paging::FaultKind::NonCanonical {
                "general protection fault"
            } else {
                "page fault"
            },
            f.kind.describe()
        ),
        None => format!("TLB: {} hits, {} misses.", state.tlb.hits, state.tlb.misses),
    };
    let tlb_rows: Html = state
        .tlb
        .entries()
        .map(|e| html! { <li><code>{ format!("0x{:x} → 0x{:x}", e.page, e.translation.pa) }</code>{ format!(" ({} KiB{}{})", e.translation.page_size / 1024, if e.translation.writable { ", writable" } else { "" }, if e.translation.user { ", user" } else { "" }) }</li> })
        .collect();
    let kind_value = match state.kind {
        AccessKind::Read => "read",
        AccessKind::Write => "write",
        AccessKind::Fetch => "fetch",
    };
    html! {
        <Frame id={super::ID} title="Page-table walk" subtitle="x86-64 paging on a small example address space" on_reset={on_reset} live={Some(AttrValue::from(live))}>
            if let Some(e) = &state.build_error { <p class="asm-error" role="alert">{ e.clone() }</p> }
            <div class="asm-toolbar">
                <label class="inline">{ "Example " }
                    <select data-testid="pw-preset" onchange={on_preset}>
                        { for PRESETS.iter().enumerate().map(|(i, p)| {
                            let here = state.va_text == format!("{:#x}", p.va) && state.kind == p.kind && state.user == p.user;
                            html! { <option value={i.to_string()} selected={here}>{ p.name }</option> }
                        }) }
                        if !PRESETS.iter().any(|p| state.va_text == format!("{:#x}", p.va) && state.kind == p.kind && state.user == p.user) {
                            <option value="" selected={true}>{ "(your address)" }</option>
                        }
                    </select>
                </label>
                <label class="inline">{ "Virtual address " }
                    <input type="text" data-testid="pw-va" class="va" spellcheck="false" autocomplete="off" value={state.va_text.clone()} oninput={on_va} aria-invalid={state.va_error.is_some().to_string()} />
                </label>
                <label class="inline">{ "Access " }
                    <select data-testid="pw-kind" onchange={on_kind}>
                        { for ["read", "write", "fetch"].into_iter().map(|k| html! { <option value={k} selected={k == kind_value}>{ k }</option> }) }
                    </select>
                </label>
                <label class="inline">{ "Mode " }
                    <select data-testid="pw-mode" onchange={on_mode}>
                        <option value="user" selected={state.user}>{ "user (ring 3)" }</option>
                        <option value="kernel" selected={!state.user}>{ "kernel (ring 0)" }</option>
                    </select>
                </label>
                <label class="inline">{ "Paging " }
                    <select data-testid="pw-levels" onchange={on_levels}>
                        <option value="4" selected={!state.five}>{ "4-level (48-bit)" }</option>
                        <option value="5" selected={state.five}>{ "5-level (57-bit)" }</option>
                    </select>
                </label>
            </div>
            if let Some(e) = &state.va_error { <p class="field-error" role="status" data-testid="pw-va-error">{ e.clone() }</p> }
            <p class="hint pw-how">{ "Click a bit to flip it, drag across a field (or focus it and press the arrow keys) to change its index." }</p>
            { picture(&inp, &listeners, shown) }
            { outcome.unwrap_or_default() }
            if let Some(w) = &shown_walk {
                if state.last.as_ref().is_some_and(|l| !l.tlb_hit) || state.last.is_none() {
                    <details class="pw-details">
                        <summary>{ "The walk as a table: each entry's address, value and flags" }</summary>
                        { walk_table(fmt, w, state.space.root) }
                    </details>
                }
            }
            <div class="pw-tlb">
                <p><strong>{ "TLB" }</strong>{ format!(": {} hits, {} misses", state.tlb.hits, state.tlb.misses) }</p>
                <Stepper steps={vec![
                    Control::button("Access again", click(Action::Again)).testid("pw-again"),
                    Control::button("Write CR3 (flush)", click(Action::Flush)).testid("pw-flush"),
                ]} />
                if state.tlb.entries().next().is_some() {
                    <details class="pw-details"><summary>{ "The TLB's entries in full" }</summary>
                        <ul class="tlb-list" data-testid="pw-tlb">{ tlb_rows }</ul>
                    </details>
                } else {
                    <p class="hint">{ "The TLB is empty: the next access walks the tables." }</p>
                }
            </div>
        </Frame>
    }
}

/// Sends the pointer's later events to the picture's `<svg>`, so a drag continues when the
/// finger leaves the field. (Not the event's `current_target`: Yew listens at its root, so that
/// is the root, and a capture there would take the events away from the picture.)
fn capture(e: &PointerEvent) {
    #[cfg(target_arch = "wasm32")]
    {
        use wasm_bindgen::JsCast;
        if let Some(svg) = e
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|el| el.closest("svg").ok().flatten())
        {
            let _ = svg.set_pointer_capture(e.pointer_id());
        }
    }
    #[cfg(not(target_arch = "wasm32"))]
    let _ = e;
}
