//! The view of `signals`.

use super::diagram::{desc, draw, height, value, width};
use super::state::{moment_name, Action, Flag, Kind, State};
use crate::ui::{Col, Control, Dispatch, Frame, Reduced, Stepper, Table};
use crate::widgets::hit::picture;
#[cfg(target_arch = "wasm32")]
use std::rc::Rc;
use yew::prelude::*;

/// The signals widget.
#[component]
pub fn SignalsWidget() -> Html {
    let state = use_reducer(Reduced::<State>::default);
    // One layout at a time: the narrow one on a phone (the wide one outside a browser).
    let narrow = crate::ui::use_narrow().unwrap_or(false);
    // The program is fetched when the widget comes into use, never at page load.
    let root = use_node_ref();
    {
        let state = state.clone();
        crate::ui::use_near_view(
            root.clone(),
            Callback::from(move |()| {
                #[cfg(target_arch = "wasm32")]
                {
                    let state = state.clone();
                    wasm_bindgen_futures::spawn_local(async move {
                        state.dispatch(Action::Loaded(crate::ui::fetch_bytes(super::state::PROGRAM_URL).await.map(Rc::new)));
                    });
                }
                #[cfg(not(target_arch = "wasm32"))]
                let _ = &state;
            }),
        );
    }
    let on_go = {
        let s = state.clone();
        Callback::from(move |i: usize| s.dispatch(Action::Go(i)))
    };
    let on_pick = {
        let s = state.clone();
        Callback::from(move |i: usize| s.dispatch(Action::Pick(i)))
    };
    let on_key = {
        let s = state.clone();
        Callback::from(move |e: KeyboardEvent| {
            let a = match e.key().as_str() {
                "ArrowRight" | "n" => Action::Next,
                "ArrowLeft" | "p" => Action::Prev,
                _ => return,
            };
            e.prevent_default();
            s.dispatch(a);
        })
    };
    let n = state.stops().len();
    let live = state
        .stop()
        .map(|st| format!("Moment {} of {n}, {}: {}", state.at + 1, moment_name(st.moment), desc(&state)))
        .unwrap_or_else(|| desc(&state));
    let v = state.variant;
    let kinds: Html = Kind::ALL
        .iter()
        .map(|&k| html! { <option value={k.arg()} selected={k == v.kind}>{ k.label() }</option> })
        .collect();
    let on_kind = {
        let s = state.clone();
        Callback::from(move |e: Event| {
            let val = crate::dom::event_value(&e);
            if let Some(k) = Kind::ALL.iter().find(|k| k.arg() == val) {
                s.dispatch(Action::Kind(*k));
            }
        })
    };
    let check = |f: Flag, on: bool, label: &'static str, id: &'static str| {
        let s = state.clone();
        html! {
            <label class="sg-flag"><input type="checkbox" data-testid={id} checked={on}
                onchange={Callback::from(move |_: Event| s.dispatch(Action::Toggle(f)))} />{ " " }{ label }</label>
        }
    };
    let rows = state.rows();
    let picked = state.picked.and_then(|i| rows.get(i).map(|r| (i, r)));
    let detail = picked.map(|(_, r)| {
        let bytes = state.bytes(r);
        let hexs = bytes.map_or("not written yet".to_string(), |b| {
            b.iter().map(|x| format!("{x:02x}")).collect::<Vec<_>>().join(" ")
        });
        html! {
            <div class="sg-detail" data-testid="sg-detail">
                <p><strong>{ r.name }</strong>{ format!(" — {} bytes at frame + {:#x}", r.len, r.offset) }
                    if let Some(b) = bytes { { format!(": {}", value(r, b)) } }</p>
                <p class="hint">{ r.meaning }</p>
                <p class="mono sg-hex" data-testid="sg-hex">{ hexs }</p>
            </div>
        }
    });
    // The byte ranges as a menu too: on a phone a range's row is too small to tap, and this is
    // the equivalent control (WCAG 2.5.5).
    let range_menu = {
        let s = state.clone();
        let current = state.picked;
        let options: Html = rows
            .iter()
            .enumerate()
            .map(|(i, r)| html! { <option value={i.to_string()} selected={current == Some(i)}>{ format!("+{:#x} {}", r.offset, r.name) }</option> })
            .collect();
        let onchange = Callback::from(move |e: Event| {
            let v = e
                .target_dyn_into::<web_sys::HtmlSelectElement>()
                .and_then(|t| t.value().parse::<usize>().ok());
            if let Some(i) = v {
                if s.picked != Some(i) {
                    s.dispatch(Action::Pick(i));
                }
            }
        });
        html! {
            <label class="sg-range">{ "Byte range: " }
                <select data-testid="sg-range" {onchange}>
                    <option value="" selected={current.is_none()} disabled=true>{ "pick one" }</option>
                    { options }
                </select></label>
        }
    };
    let table_rows: Html = rows
        .iter()
        .map(|r| {
            let b = state.bytes(r);
            html! {
                <tr>
                    <td data-label="Offset" class="num"><code>{ format!("+{:#x}", r.offset) }</code></td>
                    <td data-label="Field">{ r.name }</td>
                    <td data-label="Value" class="num"><code>{ b.map(|b| value(r, b)).unwrap_or_default() }</code></td>
                    <td data-label="Meaning">{ r.meaning }</td>
                </tr>
            }
        })
        .collect();
    let out = state
        .watch()
        .map(|w| String::from_utf8_lossy(&w.stdout).into_owned())
        .unwrap_or_default();
    let ready = state.watch().is_some();
    html! {
        <Frame id={super::ID} title="A signal's frame on the stack" subtitle="A real static program (musl) faults in the simulated kernel; its SA_SIGINFO handler gets a frame" on_reset={state.on(Action::Reset)} live={Some(AttrValue::from(live))}>
            <div class="sg-controls" role="group" aria-label="Program variant" ref={root}>
                <label class="sg-kind">{ "Fault: " }
                    <select data-testid="sg-kind" onchange={on_kind}>{ kinds }</select></label>
                { check(Flag::OnStack, v.onstack, "SA_ONSTACK (alternate stack)", "sg-onstack") }
                { check(Flag::NoDefer, v.nodefer, "SA_NODEFER", "sg-nodefer") }
                { check(Flag::Return, v.ret, "handler returns (rt_sigreturn)", "sg-return") }
            </div>
            <div class="sg-body" onkeydown={on_key}>
                <Stepper label="Moments of the delivery" steps={vec![
                    Control::button("Previous", state.on(Action::Prev)).testid("sg-prev").disabled(!ready || state.at == 0),
                    Control::button("Next", state.on(Action::Next)).testid("sg-next").disabled(!ready || state.at + 1 >= n).primary(),
                    Control::hint("or ← →").testid("sg-keys"),
                ]} />
                <p class="sg-now" data-testid="sg-now">{ desc(&state) }</p>
                if let Some(e) = state.error() { <p class="asm-error" role="alert">{ e.to_string() }</p> }
                { picture("signals-diagram", "sg-diagram", "The user stack and the signal frame", desc(&state),
                    (width(narrow), height(&state, narrow)), width(narrow) * 1.5, draw(&state, narrow, Some(on_go), Some(on_pick))) }
                { range_menu }
                { detail.unwrap_or_else(|| html! { <p class="hint">{ "Click or tap a byte range (or focus it and press Enter) to see its bytes and what they mean." }</p> }) }
            </div>
            <details class="sg-more">
                <summary>{ "Every byte range of the frame, and the program's output" }</summary>
                <Table stack=true caption="The signal frame, from the handler's RSP up" caption_hidden=true testid="sg-table"
                    cols={vec![Col::Show("Offset"), Col::Show("Field"), Col::Show("Value"), Col::Show("Meaning")]}>
                    { table_rows }
                </Table>
                <pre class="sg-out" data-testid="sg-out">{ format!("$ {}\n{out}", v.argv().join(" ")) }</pre>
            </details>
        </Frame>
    }
}
