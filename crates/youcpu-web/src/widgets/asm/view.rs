//! The view of `asm`.

use crate::ui::{use_background_run, use_url_reducer, Col, Dispatch, Frame, Pace, Table};
use crate::dom;
use super::build::BuildAction;
use super::state::{byte_kinds, hex, Action, State, Mode};
use yew::prelude::*;
use youcpu_core::asm::{Bitness, Decoded, DecodedItem, FieldKind};

fn kind_class(k: Option<FieldKind>) -> &'static str {
    match k {
        Some(FieldKind::Prefix) => "fk-prefix",
        Some(FieldKind::Rex) => "fk-rex",
        Some(FieldKind::Vex) => "fk-vex",
        Some(FieldKind::Opcode) => "fk-opcode",
        Some(FieldKind::Modrm) => "fk-modrm",
        Some(FieldKind::Sib) => "fk-sib",
        Some(FieldKind::Displacement) => "fk-disp",
        Some(FieldKind::Immediate) => "fk-imm",
        None => "fk-none",
    }
}

/// The bytes of one instruction as chips coloured by the field they belong to.
fn chips(bytes: &[u8], d: Option<&Decoded>) -> Html {
    let kinds = d.map(byte_kinds).unwrap_or_default();
    bytes
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let k = kinds.get(i).copied().flatten();
            html! { <span class={classes!("byte", kind_class(k))}>{ format!("{b:02x}") }</span> }
        })
        .collect()
}

fn explanation(s: &State) -> Html {
    let Some(d) = s.selected_decoded() else {
        return html! { <p class="asm-hint">{ "Select an instruction to see what each of its bytes means." }</p> };
    };
    let fields: Html = d
        .fields
        .iter()
        .map(|f| {
            let bytes = d.bytes.get(f.start..f.start + f.len).unwrap_or_default();
            html! {
                <tr>
                    <td data-label="bytes"><span class={classes!("byte", kind_class(Some(f.kind)))}>{ hex(bytes) }</span></td>
                    <th scope="row">{ f.label.clone() }</th>
                    <td data-label="meaning">{ f.explain.clone() }</td>
                </tr>
            }
        })
        .collect();
    let why = s.selected_assembled().map(|a| {
        let forms: Html = a
            .considered
            .iter()
            .enumerate()
            .map(|(i, f)| html! {
                <tr class={classes!((i == 0).then_some("chosen"))}>
                    <td>{ f.form.clone() }</td><td><code>{ f.opcode.clone() }</code></td>
                    <td><code>{ hex(&f.bytes) }</code></td>
                    <td>{ if i == 0 { "chosen" } else { "" } }</td>
                </tr>
            })
            .collect();
        html! {
            <>
                <p class="asm-why" data-testid="asm-why"><strong>{ "Why this encoding: " }</strong>{ a.why.clone() }</p>
                if a.considered.len() > 1 {
                    <Table class="asm-forms" caption="Every form that could encode this line" cols={vec![Col::Show("Form"), Col::Show("Opcode"), Col::Show("Bytes"), Col::Hide("Chosen")]}>
                        { forms }
                    </Table>
                }
            </>
        }
    });
    html! {
        <div class="asm-detail" data-testid="asm-detail" aria-live="polite">
            <p class="asm-detail-head"><code data-testid="asm-detail-text">{ d.text.clone() }</code>{ format!(" at 0x{:x}, {} byte{}", d.ip, d.len, if d.len == 1 { "" } else { "s" }) }</p>
            if let Some(n) = &d.note { <p class="asm-note">{ n.clone() }</p> }
            { crate::widgets::cpu_pic::render_pair(
                &super::diagram::layout(d, false).0,
                &super::diagram::layout(d, true).0,
                "asm-diagram",
                &format!("The fields of {}", d.text),
                &super::diagram::describe(d),
                None,
            ) }
            <details class="asm-fields-wrap" open=true>
                <summary>{ "What each byte means, in words" }</summary>
                <Table class="asm-fields" caption="What each byte means" caption_hidden=true stack=true cols={vec![Col::Show("Bytes"), Col::Show("Field"), Col::Show("Meaning")]} body_testid="asm-fields">
                    { fields }
                </Table>
            </details>
            { why.unwrap_or_default() }
        </div>
    }
}

/// The assembler playground widget.
#[component]
pub fn AsmWidget() -> Html {
    let state = use_url_reducer::<State>();
    let dispatch = |a: Action| state.on(a.clone());
    let on_source = state.on_text(Action::Source);
    let on_hex = state.on_text(Action::Hex);
    let on_bits = {
        let state = state.clone();
        Callback::from(move |e: Event| {
            let b = match dom::event_value(&e).as_str() {
                "16" => Bitness::B16,
                "32" => Bitness::B32,
                _ => Bitness::B64,
            };
            state.dispatch(Action::Bits(b));
        })
    };
    let on_reset = state.on(Action::Reset);
    let assemble_mode = state.mode == Mode::Assemble;
    let build_mode = state.mode == Mode::Build;
    // While a program runs, one slice per timer tick: the page stays responsive.
    {
        let tick = state.build.report.as_ref().map_or(0, |r| r.instructions);
        let dispatcher = state.dispatcher();
        use_background_run(
            (tick, state.build.generation),
            state.build.running().then_some(Pace::Chunks),
            move || dispatcher.dispatch(Action::Build(BuildAction::Continue)),
        );
    }
    // A blob: URL for the built file, made in the page and freed when replaced.
    let download = use_state(|| None::<String>);
    {
        let download = download.clone();
        let elf = state.build.program().map(|p| p.elf.clone());
        use_effect_with(state.build.generation, move |_| {
            let url = elf.and_then(|b| dom::object_url(&b));
            download.set(url.clone());
            move || {
                if let Some(u) = url {
                    dom::revoke_object_url(&u);
                }
            }
        });
    }
    let on_build_action = {
        let state = state.clone();
        Callback::from(move |a: Action| state.dispatch(a))
    };

    let rows: Html = if build_mode {
        html! {}
    } else if assemble_mode {
        state
            .lines
            .iter()
            .enumerate()
            .map(|(i, l)| {
                let selected = i == state.selected;
                let body = match &l.result {
                    Ok((a, d)) => html! { <span class="bytes" data-testid={format!("asm-bytes-{i}")}>{ chips(&a.bytes, d.as_ref()) }</span> },
                    Err(e) => html! { <span class="asm-error" data-testid={format!("asm-error-{i}")}>{ format!("error: {e}") }</span> },
                };
                html! {
                    <li key={i}>
                        <button type="button" class={classes!("asm-row", selected.then_some("selected"))} aria-pressed={selected.to_string()}
                            data-testid={format!("asm-row-{i}")} onclick={dispatch(Action::Select(i))}>
                            <span class="addr">{ format!("{:x}", l.ip) }</span>
                            <code class="src">{ l.source.clone() }</code>
                            { body }
                        </button>
                    </li>
                }
            })
            .collect()
    } else {
        match state.decoded.as_ref() {
            Err(e) => html! { <li class="asm-error" data-testid="asm-hex-error">{ e.clone() }</li> },
            Ok(items) => items
                .iter()
                .enumerate()
                .map(|(i, item)| {
                    let selected = i == state.selected;
                    let (ip, bytes, text) = match item {
                        DecodedItem::Insn(d) => (d.ip, chips(&d.bytes, Some(d)), html! { <code class="src" data-testid={format!("asm-text-{i}")}>{ d.text.clone() }</code> }),
                        DecodedItem::Bad { ip, bytes, error } => (*ip, chips(bytes, None), html! { <span class="asm-error" data-testid={format!("asm-text-{i}")}>{ format!("(bad) {error}") }</span> }),
                    };
                    html! {
                        <li key={i}>
                            <button type="button" class={classes!("asm-row", selected.then_some("selected"))} aria-pressed={selected.to_string()}
                                data-testid={format!("asm-row-{i}")} onclick={dispatch(Action::Select(i))}>
                                <span class="addr">{ format!("{ip:x}") }</span>
                                <span class="bytes">{ bytes }</span>
                                { text }
                            </button>
                        </li>
                    }
                })
                .collect(),
        }
    };

    html! {
        <Frame id={super::ID} title="Assembly ↔ machine code"
            subtitle="x86 encodings as GNU as chooses them; select an instruction to see every byte explained, or build a whole program and run it" on_reset={on_reset}>
            <div class="asm-toolbar">
                <div class="seg" role="group" aria-label="Direction">
                    <button type="button" class="btn" aria-pressed={assemble_mode.to_string()} data-testid="asm-mode-asm" onclick={dispatch(Action::SetMode(Mode::Assemble))}>{ "Assembly → bytes" }</button>
                    <button type="button" class="btn" aria-pressed={(state.mode == Mode::Disassemble).to_string()} data-testid="asm-mode-dis" onclick={dispatch(Action::SetMode(Mode::Disassemble))}>{ "Bytes → assembly" }</button>
                    <button type="button" class="btn" aria-pressed={build_mode.to_string()} data-testid="asm-mode-build" onclick={dispatch(Action::SetMode(Mode::Build))}>{ "Build and run" }</button>
                </div>
                if !build_mode {
                    <label class="inline">{ "Mode " }
                        <select data-testid="asm-bits" onchange={on_bits}>
                            <option value="64" selected={state.bits == Bitness::B64}>{ "64-bit" }</option>
                            <option value="32" selected={state.bits == Bitness::B32}>{ "32-bit" }</option>
                            <option value="16" selected={state.bits == Bitness::B16}>{ "16-bit" }</option>
                        </select>
                    </label>
                }
            </div>
            if build_mode {
                <super::run_view::BuildPart build={state.build.clone()} dispatch={on_build_action} download={(*download).clone()} />
            } else if assemble_mode {
                <label for="asm-source" class="block-label">{ "Assembly (Intel syntax), one instruction per line" }</label>
                <textarea id="asm-source" data-testid="asm-source" rows="8" spellcheck="false" autocomplete="off"
                    value={state.source.clone()} oninput={on_source} />
            } else {
                <label for="asm-hex" class="block-label">{ "Machine code as hex bytes" }</label>
                <input id="asm-hex" data-testid="asm-hex" type="text" spellcheck="false" autocomplete="off" class="wide"
                    value={state.hex.clone()} oninput={on_hex} />
            }
            if !build_mode {
                if let Some(n) = &state.notice { <p class="stale" role="status">{ n.clone() }</p> }
                <ol class="asm-rows" data-testid="asm-rows">{ rows }</ol>
                <div class="legend" aria-hidden="true">
                    { for [(FieldKind::Prefix, "prefix"), (FieldKind::Rex, "REX"), (FieldKind::Opcode, "opcode"), (FieldKind::Modrm, "ModRM"), (FieldKind::Sib, "SIB"), (FieldKind::Displacement, "displacement"), (FieldKind::Immediate, "immediate")]
                        .into_iter().map(|(k, t)| html! { <span class={classes!("byte", kind_class(Some(k)))}>{ t }</span> }) }
                </div>
                { explanation(&state) }
            }
        </Frame>
    }
}
