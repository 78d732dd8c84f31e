//! The view of `execve`.

use super::diagram::{buffer, chain, Chain, W};
use super::state::{Action, State, PICKS};
use crate::ui::{use_background_run, use_url_reducer, Control, Dispatch, Frame, Pace, Stepper};
use crate::widgets::exec_draw::{hit_layer, interactive, Canvas};
use yew::prelude::*;
use youcpu_core::exec::{Failure, Step, StepKind};

fn show(b: &[u8]) -> String {
    crate::ui::escape(b).replace('\n', "\\n")
}

fn kind_label(k: StepKind) -> &'static str {
    match k {
        StepKind::Open => "open",
        StepKind::Arguments => "arguments",
        StepKind::ReadBuffer => "read 256 bytes",
        StepKind::Decline => "not mine",
        StepKind::Claim => "claimed",
        StepKind::Rewrite => "argv rewritten",
        StepKind::Fail => "failed",
        StepKind::Done => "ready to run",
    }
}

fn argv_list(argv: &[Vec<u8>]) -> Html {
    html! {
        <ol class="argv" start="0">
            { for argv.iter().map(|a| html! { <li><code>{ format!("\"{}\"", show(a)) }</code></li> }) }
        </ol>
    }
}

fn step_view(i: usize, st: &Step, current: bool) -> Html {
    html! {
        <li class={classes!("step", current.then_some("current"), format!("k-{}", kind_label(st.kind).replace(' ', "-")), format!("depth-{}", st.depth.min(8)))} data-testid={format!("ex-step-{i}")}>
            <span class="step-kind">{ kind_label(st.kind) }</span>
            if let Some(b) = st.binfmt { <span class="step-fmt">{ b.name() }</span> }
            <span class="step-text">{ st.text.clone() }</span>
            if let Some(a) = &st.argv { { argv_list(a) } }
        </li>
    }
}

/// The execve explorer widget.
#[component]
pub fn ExecveWidget() -> Html {
    let state = use_url_reducer::<State>();
    // "All steps" shows one step per timer task, so the page paints and answers between them.
    {
        let dispatcher = state.dispatcher();
        use_background_run(
            state.shown,
            state.revealing.then_some(Pace::Chunks),
            move || dispatcher.dispatch(Action::More),
        );
    }
    let click = |a: Action| state.on(a.clone());
    let input = |f: fn(String) -> Action| state.on_text(f);
    let on_pick = state.on_pick(Action::Pick);
    let on_x = {
        let state = state.clone();
        Callback::from(move |e: Event| {
            let checked = e
                .target()
                .and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlInputElement>(t).ok())
                .is_some_and(|i| i.checked());
            state.dispatch(Action::Executable(checked));
        })
    };
    let on_reset = state.on(Action::Reset);
    let steps = &state.outcome.steps;
    let shown = state.shown.min(steps.len());
    let picked = PICKS.iter().position(|p| {
        super::state::CWD.to_string() + "/" + state.path.trim_start_matches("./") == p.path
            || state.path == p.path
    });

    // For screen readers: the step just shown, or the result once every step is shown.
    let live = match (state.finished(), &state.outcome.result) {
        (true, Ok(l)) => format!(
            "Step {shown} of {}: done. The program that runs is {}, with argv {}.",
            steps.len(),
            show(&l.executable),
            l.argv
                .iter()
                .map(|a| show(a))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        (true, Err(Failure::Errno(e))) => format!(
            "Step {shown} of {}: execve fails with {} ({}).",
            steps.len(),
            e.name(),
            e.message()
        ),
        (true, Err(Failure::Unavailable(m))) => m.clone(),
        (false, _) => match shown.checked_sub(1).and_then(|i| steps.get(i)) {
            Some(st) => format!(
                "Step {shown} of {}: {}: {}",
                steps.len(),
                kind_label(st.kind),
                st.text
            ),
            None => String::new(),
        },
    };
    let result = if state.finished() {
        match &state.outcome.result {
            Ok(l) => html! {
                <div class="ex-result ok" data-testid="ex-result">
                    <p><strong>{ "The program that runs: " }</strong><code>{ show(&l.executable) }</code>
                        { l.elf_interp.as_ref().map(|i| format!(" (through the dynamic loader {})", show(i))).unwrap_or_default() }</p>
                    <p>{ "Its argv:" }</p>
                    <div data-testid="ex-argv">{ argv_list(&l.argv) }</div>
                </div>
            },
            Err(Failure::Errno(e)) => html! {
                <div class="ex-result err" data-testid="ex-result">
                    <p><strong>{ "execve fails: " }</strong><code data-testid="ex-errno">{ e.name() }</code>{ format!(" ({})", e.message()) }</p>
                </div>
            },
            Err(Failure::Unavailable(m)) => {
                html! { <p class="asm-error" data-testid="ex-result">{ m.clone() }</p> }
            }
        }
    } else {
        html! {}
    };

    // The picture: the handler chain with argv, then the buffer last read.
    let mut canvas = Canvas::new();
    let ch = Chain {
        path: state.path.as_bytes(),
        outcome: &state.outcome,
        shown: state.shown,
    };
    let (y, mut desc) = chain(&mut canvas, 4.0, &ch);
    // The buffer (up to 256 cells and their glyphs) is drawn at 0 in a group of its own moved
    // down under the chain: a step that adds to the chain then leaves the buffer's elements where
    // they are in the tree, instead of every one of them being rewritten with the next one's
    // attributes by the diff (an "All steps" frame restyled and repainted the whole grid).
    let mut grid = Canvas::new();
    let at = y + 6.0;
    let y = match buffer(&mut grid, 0.0, &state.outcome, state.shown) {
        Some((h, d)) => {
            desc.push(' ');
            desc.push_str(&d);
            at + h
        }
        None => y,
    };
    let on_hit = {
        let state = state.clone();
        Callback::from(move |n: usize| state.dispatch(Action::Show(n)))
    };
    let picture = html! {
        { interactive("ex-diagram", format!("execve of {}, step {shown} of {}", show(state.path.as_bytes()), steps.len()), desc, (W, y + 6.0), true,
            html! { <>
                { canvas.html() }
                <g transform={format!("translate(0 {})", crate::ui::svg::num(at))}>{ grid.html() }</g>
                { hit_layer(&canvas.hits, &on_hit) }
            </> }) }
    };
    html! {
        <Frame id={super::ID} title="Inside execve" subtitle="Linux 6.x's binary-format handlers, step by step, on a small example filesystem" on_reset={on_reset} live={Some(AttrValue::from(live))}>
            <div class="asm-toolbar">
                <label class="inline">{ "Example " }
                    <select data-testid="ex-pick" onchange={on_pick}>
                        if picked.is_none() { <option value="" selected=true disabled=true>{ "(edited)" }</option> }
                        { for PICKS.iter().enumerate().map(|(i, p)| html! { <option value={i.to_string()} selected={picked == Some(i)}>{ format!("{}: {}", p.path.trim_start_matches("/home/user/"), p.about) }</option> }) }
                    </select>
                </label>
            </div>
            if let Some(n) = &state.notice { <p class="stale" role="status">{ n.clone() }</p> }
            <Stepper label="Step through execve" steps={vec![
                Control::button("First", click(Action::First)).disabled(shown <= 1),
                Control::button("Back", click(Action::Prev)).disabled(shown <= 1),
                Control::button("Step", click(Action::Next)).testid("ex-next").disabled(state.finished()),
                Control::button("All steps", click(Action::Reveal)).testid("ex-all").disabled(state.finished()),
                Control::hint(format!("step {shown} of {}", steps.len())).testid("ex-counter"),
            ]} />
            { picture }
            { result }
            <details class="ex-log">
                <summary>{ format!("The steps in words ({shown} of {})", steps.len()) }</summary>
                <ol class="steps" data-testid="ex-steps">
                    { for steps.iter().take(shown).enumerate().map(|(i, s)| step_view(i, s, i + 1 == shown)) }
                </ol>
            </details>
            <div class="ex-inputs">
                <div class="field">
                    <label for="ex-path">{ "Path passed to execve (the working directory is /home/user)" }</label>
                    <input id="ex-path" data-testid="ex-path" type="text" class="wide" spellcheck="false" autocomplete="off" value={state.path.clone()} oninput={input(Action::Path)} />
                </div>
                if let Some(c) = &state.content {
                    <div class="field">
                        <label for="ex-content">{ "The file's bytes (escapes: \\r \\t \\0 \\xHH \\\\)" }</label>
                        <textarea id="ex-content" data-testid="ex-content" rows="4" spellcheck="false" value={c.clone()} oninput={input(Action::Content)} />
                        if let Some(e) = &state.content_error { <p class="field-error" role="status" data-testid="ex-content-error">{ e.clone() }</p> }
                        <label class="inline"><input type="checkbox" data-testid="ex-x" checked={state.executable() == Some(true)} onchange={on_x} />{ " executable (chmod +x)" }</label>
                    </div>
                }
                <div class="ex-two">
                    <div class="field">
                        <label for="ex-argv">{ "argv, one per line (the first is argv[0])" }</label>
                        <textarea id="ex-argv" data-testid="ex-argv-input" rows="3" spellcheck="false" value={state.argv.clone()} oninput={input(Action::Argv)} />
                    </div>
                    <div class="field">
                        <label for="ex-envp">{ "envp, one per line" }</label>
                        <textarea id="ex-envp" data-testid="ex-envp-input" rows="3" spellcheck="false" value={state.envp.clone()} oninput={input(Action::Envp)} />
                    </div>
                </div>
            </div>
        </Frame>
    }
}
