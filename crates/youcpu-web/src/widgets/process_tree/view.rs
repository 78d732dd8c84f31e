//! The view of `process_tree`.

use crate::ui::{use_url_reducer, Control, Dispatch, Frame, Stepper};
use super::state::{Op, Prog, Action, State, MAX_PROCS};
use yew::prelude::*;
use youcpu_core::vm::{ProcState, System};

fn node(
    sys: &System,
    pid: u32,
    depth: usize,
    act: &dyn Fn(Action) -> Callback<MouseEvent>,
) -> Html {
    let Some(p) = sys.process(pid) else {
        return html! {};
    };
    let running = p.state == ProcState::Running;
    let (state_text, class) = match p.state {
        ProcState::Running => ("running".to_string(), "running"),
        ProcState::Zombie(c) => (format!("zombie, exit status {c}"), "zombie"),
    };
    let btn = |op: Op, label: &'static str, id: String, enabled: bool| {
        html! { <button type="button" class="btn small" data-testid={id} disabled={!enabled} onclick={act(Action::Do(op))}>{ label }</button> }
    };
    let kids: Vec<u32> = if depth < MAX_PROCS {
        sys.processes()
            .filter(|c| c.ppid == pid && c.pid != pid)
            .map(|c| c.pid)
            .collect()
    } else {
        Vec::new()
    };
    html! {
        <li>
            <div class={classes!("pt-node", class)} data-testid={format!("pt-proc-{pid}")}>
                <span class="pt-name"><strong>{ format!("pid {pid}") }</strong>{ format!(" {}", p.name) }</span>
                <span class="pt-state" data-testid={format!("pt-state-{pid}")}>{ state_text }</span>
                <span class="pt-ops">
                    { btn(Op::Fork(pid), "fork", format!("pt-{pid}-fork"), running) }
                    { btn(Op::Exec(pid, Prog::Sh), "exec sh", format!("pt-{pid}-exec-sh"), running) }
                    { btn(Op::Exec(pid, Prog::Hello), "exec hello", format!("pt-{pid}-exec"), running) }
                    { btn(Op::Exit(pid), "exit", format!("pt-{pid}-exit"), running && pid != 1) }
                    { btn(Op::Wait(pid), "wait", format!("pt-{pid}-wait"), running) }
                </span>
            </div>
            if !kids.is_empty() {
                <ul>{ for kids.iter().map(|&c| node(sys, c, depth + 1, act)) }</ul>
            }
        </li>
    }
}

/// The process-tree widget.
#[component]
pub fn ProcessTreeWidget() -> Html {
    let state = use_url_reducer::<State>();
    let on_reset = state.on(Action::Reset);
    let act = {
        let state = state.clone();
        move |a: Action| state.on(a)
    };
    let title = "The process tree";
    let Some(sys) = state.sys.as_ref() else {
        return html! {
            <Frame id={super::ID} title={title} on_reset={on_reset}>
                <p class="asm-error" role="alert">{ state.last.as_ref().as_ref().err().cloned().unwrap_or_default() }</p>
            </Frame>
        };
    };
    let next = state.next();
    let next_label = next
        .map(|o| format!("next: {}", o.describe()))
        .unwrap_or_default();
    let roots: Vec<u32> = sys
        .processes()
        .filter(|p| p.ppid == 0 || sys.process(p.ppid).is_none())
        .map(|p| p.pid)
        .collect();
    // For screen readers: the operation and its first lines (at most three).
    let live = match state.last.as_ref() {
        Ok(lines) => {
            let last = state
                .ops
                .last()
                .map_or_else(|| "boot".to_string(), |o| o.describe());
            let shown: Vec<&str> = lines.iter().take(3).map(String::as_str).collect();
            format!("{last}. {}", shown.join(" "))
        }
        Err(e) => format!("refused: {e}"),
    };
    let log: Html = match state.last.as_ref() {
        Ok(lines) => lines
            .iter()
            .map(|l| html! { <li>{ l.clone() }</li> })
            .collect(),
        Err(e) => html! { <li class="asm-error">{ e.clone() }</li> },
    };
    let last_op = state
        .ops
        .last()
        .map(|o| o.describe())
        .unwrap_or_else(|| "boot".into());
    html! {
        <Frame id={super::ID} title={title} subtitle="Every process has a parent, back to pid 1" on_reset={on_reset} live={Some(AttrValue::from(live))}>
            <Stepper steps={vec![
                Control::button("Run a command, step by step", act(Action::Next)).testid("pt-script").disabled(next.is_none()),
                Control::hint(next_label).testid("pt-next"),
                Control::button("Undo", act(Action::Undo)).testid("pt-undo").disabled(state.ops.is_empty()),
            ]} />
            <ul class="pt-tree" data-testid="pt-tree" aria-label="processes, each under its parent">
                { for roots.iter().map(|&p| node(sys, p, 0, &act)) }
            </ul>
            <div class="pt-log">
                <p><strong>{ "What the kernel did: " }</strong>{ last_op }</p>
                <ol data-testid="pt-log">{ log }</ol>
            </div>
            <p class="hint">{ "Every program here (init, sh, hello) is played by the article's small static hello binary: the model needs only its segments. In this model an orphan is handed to pid 1, as Linux does unless a nearer ancestor asked to be a subreaper; unlike a real init, pid 1 here reaps only when you press its wait." }</p>
        </Frame>
    }
}
