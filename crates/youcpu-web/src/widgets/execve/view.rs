//! The view of `execve`.

use super::diagram::{buffer, chain, Chain, W};
use super::state::{Action, State, PICKS};
use crate::ui::{use_url_reducer, Control, Dispatch, Frame, Stepper};
use crate::widgets::exec_draw::{hit_layer, interactive, Canvas};
use yew::prelude::*;
use youcpu_core::exec::script::Shebang;
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

/// Props of [`BufferGrid`].
#[derive(Properties, PartialEq)]
struct BufferGridProps {
    /// The bytes read (at most 256).
    buf: Vec<u8>,
    /// The `#!` line found in them, if any.
    shebang: Option<Shebang>,
}

/// The 256-byte buffer as a grid; with a shebang, the interpreter, argument and cut marked.
/// A component of its own so that stepping on re-renders only the grids whose bytes changed
/// (issue #8: "All steps" and each later step used to rebuild every grid shown).
#[component]
fn BufferGrid(props: &BufferGridProps) -> Html {
    let buf = &props.buf;
    html! {
        <div class="bufgrid" role="img" aria-label={format!("the first {} bytes of the file", buf.len())}>{ Html::from_html_unchecked(cells_html(buf, props.shebang.as_ref()).into()) }</div>
    }
}

/// The grid's cells as one HTML string, set in one go: building them as Yew nodes took 768
/// calls into the DOM (element, class, title) each time a step showed a new grid (issue #8).
/// Everything in it is escaped: the only text taken from the file is one printable ASCII byte.
fn cells_html(buf: &[u8], sb: Option<&Shebang>) -> String {
    // The cell's whole class attribute, chosen without building a `Classes` set per cell.
    let class_of = |i: usize, nul: bool| -> &'static str {
        let mark = sb.and_then(|sb| {
            if i >= sb.interp_at && i < sb.interp_at + sb.interp.len() {
                return Some(0);
            }
            if let (Some(at), Some(arg)) = (sb.arg_at, sb.arg.as_ref()) {
                if i >= at && i < at + arg.len() {
                    return Some(1);
                }
            }
            (Some(i) == sb.newline_at).then_some(2)
        });
        match (mark, nul) {
            (None, false) => "bc",
            (None, true) => "bc b-nul",
            (Some(0), false) => "bc b-interp",
            (Some(0), true) => "bc b-interp b-nul",
            (Some(1), false) => "bc b-arg",
            (Some(1), true) => "bc b-arg b-nul",
            (_, false) => "bc b-nl",
            (_, true) => "bc b-nl b-nul",
        }
    };
    let mut cells = String::with_capacity(buf.len() * 56);
    for (i, &b) in buf.iter().enumerate() {
        cells.push_str("<span class=\"");
        cells.push_str(class_of(i, b == 0));
        cells.push_str("\" title=\"offset ");
        cells.push_str(&format!("{i}: 0x{b:02x}"));
        cells.push_str("\">");
        match b {
            b'\n' => cells.push('⏎'),
            b'\r' => cells.push('␍'),
            b'\t' => cells.push('⇥'),
            0 => cells.push('·'),
            b'&' => cells.push_str("&amp;"),
            b'<' => cells.push_str("&lt;"),
            b'>' => cells.push_str("&gt;"),
            b'"' => cells.push_str("&quot;"),
            0x21..=0x7e => cells.push(b as char),
            b' ' => cells.push('␣'),
            _ => cells.push_str(&format!("{b:02x}")),
        }
        cells.push_str("</span>");
    }
    cells
}

fn buffer_grid(buf: &[u8], sb: Option<&Shebang>) -> Html {
    html! { <BufferGrid buf={buf.to_vec()} shebang={sb.cloned()} /> }
}

fn argv_list(argv: &[Vec<u8>]) -> Html {
    html! {
        <ol class="argv" start="0">
            { for argv.iter().map(|a| html! { <li><code>{ format!("\"{}\"", show(a)) }</code></li> }) }
        </ol>
    }
}

fn step_view(i: usize, st: &Step, steps: &[Step], current: bool) -> Html {
    // A script claim carries the shebang; its buffer is the one read at the same depth.
    let buf_for_claim = || {
        steps[..i]
            .iter()
            .rev()
            .find(|s| s.kind == StepKind::ReadBuffer && s.depth == st.depth)
            .and_then(|s| s.buf.clone())
    };
    let extra = match st.kind {
        StepKind::ReadBuffer => st.buf.as_deref().map(|b| buffer_grid(b, None)),
        StepKind::Claim if st.shebang.is_some() => {
            buf_for_claim().map(|b| buffer_grid(&b, st.shebang.as_ref()))
        }
        _ => None,
    };
    html! {
        <li class={classes!("step", current.then_some("current"), format!("k-{}", kind_label(st.kind).replace(' ', "-")), format!("depth-{}", st.depth.min(8)))} data-testid={format!("ex-step-{i}")}>
            <span class="step-kind">{ kind_label(st.kind) }</span>
            if let Some(b) = st.binfmt { <span class="step-fmt">{ b.name() }</span> }
            <span class="step-text">{ st.text.clone() }</span>
            { extra.unwrap_or_default() }
            if let Some(a) = &st.argv { { argv_list(a) } }
        </li>
    }
}

/// The execve explorer widget.
#[component]
pub fn ExecveWidget() -> Html {
    let state = use_url_reducer::<State>();
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
    let y = match buffer(&mut canvas, y + 6.0, &state.outcome, state.shown) {
        Some((y, d)) => {
            desc.push(' ');
            desc.push_str(&d);
            y
        }
        None => y,
    };
    let on_hit = {
        let state = state.clone();
        Callback::from(move |n: usize| state.dispatch(Action::Show(n)))
    };
    let picture = html! {
        { interactive("ex-diagram", format!("execve of {}, step {shown} of {}", show(state.path.as_bytes()), steps.len()), desc, (W, y + 6.0),
            html! { <>{ canvas.html() }{ hit_layer(&canvas.hits, &on_hit) }</> }) }
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
                Control::button("All steps", click(Action::All)).testid("ex-all").disabled(state.finished()),
                Control::hint(format!("step {shown} of {}", steps.len())).testid("ex-counter"),
            ]} />
            { picture }
            { result }
            <details class="ex-log">
                <summary>{ format!("The steps in words ({shown} of {})", steps.len()) }</summary>
                <ol class="steps" data-testid="ex-steps">
                    { for steps.iter().take(shown).enumerate().map(|(i, s)| step_view(i, s, steps, i + 1 == shown)) }
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

#[cfg(test)]
mod tests {

    use super::cells_html;
    use youcpu_core::exec::script::Shebang;

    #[test]
    fn grid_cells_are_escaped_marked_and_one_per_byte() {
        let buf = b"#!/bin/sh -x\n<&>\"'\0\x01 \t\r";
        let sb = Shebang {
            interp: b"/bin/sh".to_vec(),
            arg: Some(b"-x".to_vec()),
            newline_at: Some(12),
            line_end: 12,
            interp_at: 2,
            arg_at: Some(10),
        };
        let html = cells_html(buf, Some(&sb));
        assert_eq!(html.matches("<span ").count(), buf.len());
        assert_eq!(html.matches("</span>").count(), buf.len());
        // The only markup is the cells': the file's <, &, > and " arrive as entities.
        assert_eq!(html.matches('<').count(), 2 * buf.len());
        assert!(html.contains(r#"title="offset 13: 0x3c">&lt;</span>"#));
        assert!(html.contains(r#"title="offset 14: 0x26">&amp;</span>"#));
        assert!(html.contains(r#"title="offset 15: 0x3e">&gt;</span>"#));
        assert!(html.contains(r#"title="offset 16: 0x22">&quot;</span>"#));
        assert!(html.contains(r#"<span class="bc b-interp" title="offset 2: 0x2f">/</span>"#));
        assert!(html.contains(r#"<span class="bc b-arg" title="offset 10: 0x2d">-</span>"#));
        assert!(html.contains(r#"<span class="bc b-nl" title="offset 12: 0x0a">⏎</span>"#));
        assert!(html.contains(r#"<span class="bc b-nul" title="offset 18: 0x00">·</span>"#));
        assert!(html.contains(r#"title="offset 19: 0x01">01</span>"#));
        assert!(html.contains(r#"title="offset 20: 0x20">␣</span>"#));
        assert!(html.contains(r#"title="offset 21: 0x09">⇥</span>"#));
        assert!(html.contains(r#"title="offset 22: 0x0d">␍</span>"#));
    }
}
