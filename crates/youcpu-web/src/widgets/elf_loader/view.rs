//! The view of `elf_loader`.

use super::diagram::{file_map, stack, MapView, W};
use super::state::{Action, LoadStep, Source, State, StepKind, EXAMPLES};
use crate::ui::{
    use_url_reducer, Col, Control, Dispatch, FilePicker, FileRead, Frame, Stepper, Table,
};
use crate::widgets::exec_draw::{hit_layer, interactive, Canvas};
use yew::prelude::*;

fn hex_bytes(b: &[u8], len: u64) -> String {
    let mut s: String = b
        .iter()
        .map(|x| format!("{x:02x}"))
        .collect::<Vec<_>>()
        .join(" ");
    if len as usize > b.len() {
        s.push_str(" …");
    }
    s
}

fn step_item(i: usize, st: &LoadStep, current: bool) -> Html {
    html! {
        <li class={classes!("step", current.then_some("current"), (st.kind == StepKind::Fail).then_some("k-failed"))} data-testid={format!("el-step-{i}")}>
            <span class="step-kind">{ st.kind.label() }</span>
            <span class="step-text">{ st.text.clone() }</span>
        </li>
    }
}

/// The ELF loader widget.
#[component]
pub fn ElfLoaderWidget() -> Html {
    let state = use_url_reducer::<State>();
    // The stack's table is built only while its <details> is open: "All steps" made its rows
    // (about 80 of 4 cells) in the click's task for no one to see.
    let (stack_open, on_stack_toggle) = crate::ui::use_details_open();
    let d = state.dispatcher();
    let click = |a: Action| d.on(a.clone());
    let on_example = d.on_pick(Action::Example);
    let on_read = {
        let d = d.clone();
        Callback::from(move |r: FileRead| match r {
            Ok((name, bytes)) => d.dispatch(Action::File(name, bytes)),
            Err(m) => d.dispatch(Action::FileError(m)),
        })
    };
    let on_argv = d.on_text(Action::Argv);
    let on_envp = d.on_text(Action::Envp);
    let on_reset = {
        let d = d.clone();
        Callback::from(move |_| {
            d.dispatch(Action::Example(0));
            d.dispatch(Action::Envp(super::state::DEFAULT_ENVP.into()));
        })
    };
    let shown = state.step.min(state.steps.len());
    let visible = state.steps.get(..shown).unwrap_or_default();
    let steps: Html = visible
        .iter()
        .enumerate()
        .filter(|(_, s)| s.kind != StepKind::Stack)
        .map(|(i, s)| step_item(i, s, i + 1 == shown))
        .collect();
    let stack_rows: Html = visible
        .iter()
        .take(if stack_open { visible.len() } else { 0 })
        .enumerate()
        .filter_map(|(i, s)| s.entry.as_ref().map(|e| (i, e)))
        .map(|(i, e)| {
            html! {
                <tr class={classes!((i + 1 == shown).then_some("current"))}>
                    <td class="num" data-label="Address"><code>{ format!("{:#x}", e.addr) }</code></td>
                    <td class="num" data-label="Size">{ e.len }</td>
                    <td data-label="Bytes"><code class="el-bytes">{ hex_bytes(&e.bytes, e.len) }</code></td>
                    <td data-label="What">{ e.label.clone() }</td>
                </tr>
            }
        })
        .collect();
    let n_stack = visible.iter().filter(|s| s.entry.is_some()).count();
    let source_text = match &state.source {
        Source::Example(i) => EXAMPLES
            .get(*i)
            .map(|e| e.0.about.to_string())
            .unwrap_or_default(),
        Source::File(name, b) => format!("{name}, {} bytes, read in your browser only.", b.len()),
    };
    // For screen readers: the step just shown, numbered.
    let current = visible
        .last()
        .map(|s| format!("Step {shown} of {}: {}", state.steps.len(), s.text))
        .unwrap_or_default();
    // The picture: the file and where its segments land, then the stack being written.
    let maps: Vec<usize> = state
        .steps
        .iter()
        .enumerate()
        .filter(|(_, s)| s.kind == StepKind::Map)
        .map(|(i, _)| i)
        .collect();
    let mapped = maps.iter().filter(|&&i| i < shown).count();
    let lit = match visible.last().map(|s| s.kind) {
        Some(StepKind::Map | StepKind::Bss) if mapped > 0 => Some(mapped - 1),
        _ => None,
    };
    let entries: Vec<_> = state.steps.iter().filter_map(|s| s.entry.clone()).collect();
    let mut canvas = Canvas::new();
    let mut desc = current.clone();
    let mut y = 4.0;
    if let Some(m) = &state.map {
        let (y1, d) = file_map(&mut canvas, y, m, &MapView { lit, mapped });
        desc.push(' ');
        desc.push_str(&d);
        y = y1;
    }
    if let (Some(info), false) = (&state.info, entries.is_empty()) {
        let (y1, d) = stack(&mut canvas, y + 8.0, &entries, n_stack, info.stack.sp);
        desc.push(' ');
        desc.push_str(&d);
        y = y1;
    }
    let on_hit = {
        let d = d.clone();
        let maps = maps.clone();
        Callback::from(move |i: usize| {
            if let Some(k) = maps.get(i) {
                d.dispatch(Action::Goto(k + 1));
            }
        })
    };
    let picture = (state.map.is_some()).then(|| html! {
        { interactive("el-diagram", format!("Loading the program, step {shown} of {}", state.steps.len()), desc, (W, y + 4.0), true,
            html! { <>{ canvas.html() }{ hit_layer(&canvas.hits, &on_hit) }</> }) }
    });
    html! {
        <Frame id={super::ID} title="Loading an ELF program" subtitle="What load_elf_binary does, one step at a time, and the stack it leaves behind" on_reset={on_reset} live={Some(AttrValue::from(current))}>
            <div class="asm-toolbar">
                <label class="inline">{ "Program " }
                    <select data-testid="el-example" onchange={on_example}>
                        if let Source::File(name, _) = &state.source {
                            <option value="" selected=true disabled=true>{ format!("your file: {name}") }</option>
                        }
                        { for EXAMPLES.iter().enumerate().map(|(i, (ex, _))| html! { <option value={i.to_string()} selected={state.source == Source::Example(i)}>{ ex.name }</option> }) }
                    </select>
                </label>
                <FilePicker testid="el-file" {on_read} />
            </div>
            <p class="hint" data-testid="el-source">{ source_text }</p>
            if let Some(m) = &state.message { <p class="asm-error" role="alert" data-testid="el-message">{ m.clone() }</p> }
            <Stepper steps={vec![
                Control::button("Start", click(Action::Start)).testid("el-start").disabled(shown <= 1),
                Control::button("Back", click(Action::Back)).testid("el-back").disabled(shown <= 1),
                Control::button("Next", click(Action::Next)).testid("el-next").disabled(shown >= state.steps.len()).primary(),
                Control::button("All steps", click(Action::End)).testid("el-end").disabled(shown >= state.steps.len()),
                Control::hint(format!("step {shown} of {}", state.steps.len())).testid("el-progress"),
            ]} />
            { picture.unwrap_or_default() }
            <details class="ex-log">
                <summary>{ format!("The steps in words ({shown} of {})", state.steps.len()) }</summary>
                <ol class="steps" data-testid="el-steps">{ steps }</ol>
            </details>
            if n_stack > 0 {
                <details class="ex-log" ontoggle={on_stack_toggle}>
                    <summary data-testid="el-stack-open">{ format!("The stack's bytes ({n_stack} entries so far)") }</summary>
                    if stack_open {
                        <Table testid="el-stack" stack=true caption={format!("The initial stack, written from the top (highest address) down: {n_stack} entries so far")} cols={vec![Col::Show("Address"), Col::Show("Size"), Col::Show("Bytes"), Col::Show("What")]} wrap_class="el-stack" region="The initial stack">
                            { stack_rows }
                        </Table>
                    }
                </details>
            }
            <div class="ex-two">
                <div class="ex-inputs">
                    <label for="el-argv">{ "argv (one per line)" }</label>
                    <textarea id="el-argv" data-testid="el-argv" rows="3" spellcheck="false" value={state.argv.clone()} oninput={on_argv} />
                </div>
                <div class="ex-inputs">
                    <label for="el-envp">{ "envp (one per line)" }</label>
                    <textarea id="el-envp" data-testid="el-envp" rows="3" spellcheck="false" value={state.envp.clone()} oninput={on_envp} />
                </div>
            </div>
        </Frame>
    }
}
