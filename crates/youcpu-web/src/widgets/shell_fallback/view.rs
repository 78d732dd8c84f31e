//! The view of `shell_fallback`.

use super::diagram::{draw, W};
use crate::ui::{preset_picker, use_url_reducer, Dispatch, Frame};
use crate::widgets::exec_draw::{interactive, Canvas};
use super::state::{summary, Action, State, PRESETS};
use yew::prelude::*;
use youcpu_core::exec::shell::{Fallback, ShellRun};
use youcpu_core::exec::Failure;

fn shell_card(name: &str, key: &str, r: &ShellRun) -> Html {
    let detail = match (&r.execve.result, &r.fallback) {
        (Err(Failure::Errno(e)), Some(Fallback::Script { argv, how })) => html! {
            <><p>{ format!("execve gave {}; {how}", e.name()) }</p>
            <p><code>{ format!("[{}]", argv.iter().map(|a| format!("\"{}\"", String::from_utf8_lossy(a))).collect::<Vec<_>>().join(", ")) }</code></p></>
        },
        (Err(Failure::Errno(e)), Some(Fallback::Status { why, .. })) => {
            html! { <p>{ format!("execve gave {}; {why}", e.name()) }</p> }
        }
        (Err(Failure::Errno(e)), None) => {
            html! { <p>{ format!("execve gave {} ({}).", e.name(), e.message()) }</p> }
        }
        (Ok(_), _) => html! { <p>{ "execve succeeded: the kernel handled the file itself." }</p> },
        _ => html! {},
    };
    html! {
        <div class="sf-card" data-testid={format!("sf-{key}")}>
            <h5>{ name }</h5>
            <p class="sf-summary" data-testid={format!("sf-{key}-summary")}><strong>{ summary(r) }</strong></p>
            { detail }
        </div>
    }
}

/// The shell-fallback widget.
#[component]
pub fn ShellFallbackWidget() -> Html {
    let state = use_url_reducer::<State>();
    let on_text = state.on_text(Action::Text);
    let on_preset = state.on_pick(Action::Preset);
    let on_reset = state.on(Action::Preset(0));
    let current = PRESETS.iter().position(|(t, _)| *t == state.text);
    let bare = match &state.runs.bare.result {
        Ok(l) => format!("runs {}", String::from_utf8_lossy(&l.executable)),
        Err(Failure::Errno(e)) => format!("fails with {} ({})", e.name(), e.message()),
        Err(Failure::Unavailable(m)) => m.clone(),
    };
    // The three outcomes in one sentence, for screen readers.
    let live = format!(
        "execve {bare}; from dash: {}; from bash: {}.",
        summary(&state.runs.dash),
        summary(&state.runs.bash)
    );
    let mut canvas = Canvas::new();
    let (h, desc) = draw(
        &mut canvas,
        &state.runs,
        state.text.lines().next().unwrap_or("(empty file)"),
    );
    html! {
        <Frame id={super::ID} title="When execve says no" subtitle="./myscript hi, run by a C program's execve and from two shells" on_reset={on_reset} live={Some(AttrValue::from(live))}>
            <div class="asm-toolbar">
                { preset_picker("sf-preset", PRESETS, current, on_preset) }
            </div>
            <label for="sf-text" class="block-label">{ "Contents of ./myscript, executable (escapes: \\r \\t \\0 \\xHH \\\\)" }</label>
            <textarea id="sf-text" data-testid="sf-text" rows="3" spellcheck="false" value={state.text.clone()} oninput={on_text} />
            if let Some(e) = &state.error { <p class="field-error" role="status">{ e.clone() }</p> }
            { interactive("sf-diagram", "./myscript hi, from a C program, dash and bash".into(), desc, (W, h), false, canvas.html()) }
            <details class="ex-log">
            <summary>{ "The three runs in words" }</summary>
            <div class="sf-grid">
                <div class="sf-card" data-testid="sf-bare">
                    <h5>{ "execve(2) from a C program" }</h5>
                    <p class="sf-summary" data-testid="sf-bare-summary"><strong>{ bare }</strong></p>
                    <p>{ "The kernel's answer is final: there is no second try." }</p>
                </div>
                { shell_card("from dash (/bin/sh on Debian)", "dash", &state.runs.dash) }
                { shell_card("from bash", "bash", &state.runs.bash) }
            </div>
            </details>
        </Frame>
    }
}
