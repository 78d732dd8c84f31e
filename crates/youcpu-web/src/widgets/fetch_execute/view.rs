//! The view of `fetch-execute`.

use crate::ui::{use_background_run, use_narrow, use_url_reducer, Col, Control, Dispatch, Frame, Pace, Stepper, Table};
use crate::dom;
use super::parts::{self, hex_bytes};
use super::state::{self, Action, State};
use yew::prelude::*;
use youcpu_core::cpu::vendor::Vendor;

/// The fetch-decode-execute stepper widget.
#[component]
pub fn FetchExecuteWidget() -> Html {
    let state = use_url_reducer::<State>();
    // Only the picture the page shows is drawn (issue #18).
    let shown = use_narrow();
    // A Run goes on chunk by chunk, each in its own timer task, so the page keeps painting and
    // answering input (gloo-timers' Timeout is setTimeout; dropping it cancels it).
    {
        let dispatcher = state.dispatcher();
        use_background_run(
            (state.pending, state.retired()),
            (state.pending > 0).then_some(Pace::Chunks),
            move || dispatcher.dispatch(Action::Continue),
        );
    }
    let click = |a: Action| state.on(a);
    let on_source = state.on_text(Action::Source);
    let on_reset = state.on(Action::Reset);
    let on_vendor = {
        let state = state.clone();
        Callback::from(move |e: Event| {
            if let Ok(v) = dom::event_value(&e).parse::<Vendor>() {
                state.dispatch(Action::Vendor(v));
            }
        })
    };

    let os = state.os.clone();
    let cpu = os.as_ref().map(|o| o.m.cpu.s.clone());
    let rip = cpu.as_ref().map_or(state::CODE, |c| c.rip);
    let running = state.running();
    let at_rip = os
        .as_ref()
        .filter(|_| running)
        .map(|o| state::peek(o, rip, 15))
        .unwrap_or_default();

    let listing: Html = state
        .lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let current = running && !l.bytes.is_empty() && l.addr == rip;
            html! {
                <tr class={classes!(current.then_some("fe-current"), l.error.is_some().then_some("fe-bad"))} data-testid={format!("fe-line-{i}")}>
                    <td class="mono">{ if l.bytes.is_empty() { String::new() } else { format!("{:x}", l.addr) } }</td>
                    <td class="mono fe-bytes">{ hex_bytes(&l.bytes) }</td>
                    <td class="mono fe-src">
                        { l.source.clone() }
                        if let Some(e) = &l.error { <span class="asm-error" data-testid={format!("fe-error-{i}")}>{ format!("  ← {e}") }</span> }
                    </td>
                </tr>
            }
        })
        .collect();

    let regs = cpu.as_ref().map_or_else(Html::default, |c| {
        parts::registers(c, state.before.as_ref(), state.last.as_ref().map_or(0, |l| l.undefined), &at_rip)
    });
    let phases = parts::phases(state.last.as_ref(), running);

    let can_back = !state.history.is_empty();
    // Read to screen readers: the single step in detail; after a Run, only where it stopped.
    let live = match (&state.notice, &state.last) {
        _ if state.pending > 0 => "Running the program…".to_string(),
        (Some(n), _) => format!("{} instructions retired. {n}", state.retired()),
        (None, Some(l)) => format!(
            "Step {}: fetched {} bytes at {:#x}, decoded {}; {}.",
            state.retired(),
            l.fetched.len(),
            l.rip,
            l.text,
            if l.changes.is_empty() {
                "nothing visible changed".to_string()
            } else {
                l.changes.join(", ")
            }
        ),
        (None, None) => String::new(),
    };
    let on_hit = {
        let state = state.clone();
        Callback::from(move |key: String| {
            if key == "decoder" {
                state.dispatch(Action::Step);
            }
        })
    };
    let picture = crate::widgets::cpu_pic::render_shown(
        shown,
        |narrow| super::diagram::layout(&state, narrow),
        "fe-diagram",
        "Fetch, decode, execute: memory, the decoder and the CPU",
        &super::diagram::describe(&state),
        Some(on_hit),
    );
    html! {
        <Frame id={super::ID} title="Fetch, decode, execute" subtitle="A tiny program on a simulated x86-64 core, one instruction at a time" on_reset={on_reset} live={Some(AttrValue::from(live))}>
            { picture }
            <Stepper label="Run the program" steps={vec![
                Control::button("Step", click(Action::Step)).testid("fe-step").disabled(!running),
                // While a Run goes on in the background, Stop takes its place.
                if state.pending > 0 {
                    Control::button("Stop", click(Action::Stop)).testid("fe-stop")
                } else {
                    Control::button("Run", click(Action::Run)).testid("fe-run").disabled(!running)
                },
                Control::button("Step back", click(Action::Back)).testid("fe-back").disabled(!can_back),
                Control::button("Restart", click(Action::Restart)).testid("fe-restart").disabled(os.is_none()),
                Control::hint(format!("{} instructions retired", state.retired())).testid("fe-count"),
            ]}>
                <label class="fe-vendor" title="Whose processor to copy where the manuals leave flags undefined (and what CPUID reports); nothing else differs">{ "Core " }
                    <select data-testid="fe-cpu" onchange={on_vendor}>
                        { for Vendor::ALL.iter().map(|v| html! { <option value={v.id()} selected={*v == state.vendor}>{ v.name() }</option> }) }
                    </select>
                </label>
            </Stepper>
            { phases }
            if let Some(n) = &state.notice { <p class="stale" role="status" data-testid="fe-notice">{ n.clone() }</p> }
            <div class="fe-grid">
                <div class="fe-code">
                    <label for="fe-source">{ "Program (Intel syntax; " }<code>{ "name:" }</code>{ " labels, " }<code>{ ";" }</code>{ " comments)" }</label>
                    <textarea id="fe-source" data-testid="fe-source" rows="11" spellcheck="false" value={state.source.clone()} oninput={on_source} />
                    if let Some(e) = &state.error { <p class="field-error" role="status" data-testid="fe-program-error">{ e.clone() }</p> }
                    <details class="fe-listing-wrap" open={state.error.is_some()}>
                        <summary>{ "The program as assembled, byte by byte" }</summary>
                        <Table class="fe-listing" testid="fe-listing" bare=true caption="Assembled at 0x401000"
                            cols={vec![Col::Show("address"), Col::Show("bytes"), Col::Show("source")]}>
                            { listing }
                        </Table>
                    </details>
                </div>
                <div class="fe-cpu">
                    <details class="fe-regs-wrap">
                        <summary>{ "Every register in full" }</summary>
                        { regs }
                    </details>
                    if let Some(o) = os.as_ref().filter(|o| super::fp::touched(&o.m.cpu)) { { super::fp::panel(&o.m.cpu, state.before.as_ref()) } }
                </div>
            </div>
        </Frame>
    }
}
