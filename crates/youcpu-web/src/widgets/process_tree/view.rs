//! The view of `process_tree`.

use super::diagram::{draw, layout, procs_of};
use super::state::{Action, Op, Prog, State};
use crate::ui::{use_url_reducer, Control, Diagram, Dispatch, Frame, Stepper};
use yew::prelude::*;
use youcpu_core::vm::{ProcState, System};

/// The process an operation is about, lit in the picture: the child after a fork (the newest
/// pid), the caller otherwise.
fn lit_pid(sys: &System, op: Option<Op>) -> Option<u32> {
    match op? {
        Op::Fork(_) => sys.processes().map(|p| p.pid).max(),
        Op::Exec(p, _) | Op::Exit(p) | Op::Wait(p) => Some(p),
    }
}

/// The calls the selected process can make.
fn actions(sys: &System, pid: u32, act: &dyn Fn(Action) -> Callback<MouseEvent>) -> Html {
    let Some(p) = sys.process(pid) else {
        return html! {};
    };
    let running = p.state == ProcState::Running;
    let btn = |op: Op, label: &'static str, id: String, enabled: bool| {
        html! { <button type="button" class="btn small" data-testid={id} disabled={!enabled} onclick={act(Action::Do(op))}>{ label }</button> }
    };
    let (state_text, class) = match p.state {
        ProcState::Running => ("running".to_string(), "running"),
        ProcState::Zombie(c) => (format!("zombie, exit status {c}"), "zombie"),
    };
    html! {
        <div class={classes!("pt-node", class)} data-testid={format!("pt-proc-{pid}")}>
            <span class="pt-name"><strong>{ format!("pid {pid}") }</strong>{ format!(" {}", p.name) }</span>
            <span class="pt-state" data-testid={format!("pt-state-{pid}")}>{ state_text }</span>
            <span class="pt-ops" role="group" aria-label={format!("calls pid {pid} can make")}>
                { btn(Op::Fork(pid), "fork", format!("pt-{pid}-fork"), running) }
                { btn(Op::Exec(pid, Prog::Sh), "exec sh", format!("pt-{pid}-exec-sh"), running) }
                { btn(Op::Exec(pid, Prog::Hello), "exec hello", format!("pt-{pid}-exec"), running) }
                { btn(Op::Exit(pid), "exit", format!("pt-{pid}-exit"), running && pid != 1) }
                { btn(Op::Wait(pid), "wait", format!("pt-{pid}-wait"), running) }
            </span>
        </div>
    }
}

/// The process-tree widget.
#[component]
pub fn ProcessTreeWidget() -> Html {
    let state = use_url_reducer::<State>();
    let selected = use_state(|| None::<u32>);
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
    let last_op = state.ops.last().copied();
    let lit = lit_pid(sys, last_op);
    // The chosen process, if it still exists; else the one the last call was about; else pid 1.
    let chosen = (*selected)
        .filter(|p| sys.process(*p).is_some())
        .or(lit.filter(|p| sys.process(*p).is_some()))
        .unwrap_or(1);
    let adopted = state
        .last
        .as_ref()
        .as_ref()
        .map(|o| o.adopted.clone())
        .unwrap_or_default();
    let tree = layout(&procs_of(sys), lit, &adopted);
    let on_select = {
        let selected = selected.clone();
        Callback::from(move |pid: u32| selected.set(Some(pid)))
    };
    // For screen readers: the operation and its first lines (at most three).
    let live = match state.last.as_ref() {
        Ok(out) => {
            let last = last_op.map_or_else(|| "boot".to_string(), |o| o.describe());
            let shown: Vec<&str> = out.lines.iter().take(3).map(String::as_str).collect();
            format!("{last}. {}", shown.join(" "))
        }
        Err(e) => format!("refused: {e}"),
    };
    let log: Html = match state.last.as_ref() {
        Ok(out) => out
            .lines
            .iter()
            .map(|l| html! { <li>{ l.clone() }</li> })
            .collect(),
        Err(e) => html! { <li class="asm-error">{ e.clone() }</li> },
    };
    let last_text = last_op
        .map(|o| o.describe())
        .unwrap_or_else(|| "boot".into());
    html! {
        <Frame id={super::ID} title={title} subtitle="Every process has a parent, back to pid 1" on_reset={on_reset} live={Some(AttrValue::from(live))}>
            <Stepper steps={vec![
                Control::button("Run a command, step by step", act(Action::Next)).testid("pt-script").disabled(next.is_none()),
                Control::hint(next_label).testid("pt-next"),
                Control::button("Undo", act(Action::Undo)).testid("pt-undo").disabled(state.ops.is_empty()),
            ]} />
            <Diagram id="process-tree-diagram" class="pt-diagram" title="The processes, each under its parent"
                desc={tree.desc.clone()} width={tree.width as u32} height={tree.height as u32} max_width={Some(tree.width as u32 * 3 / 2)}>
                { draw(&tree, Some(&on_select), Some(chosen)) }
            </Diagram>
            <p class="hint">{ "Click or tap a process (or focus it and press Enter) to choose it, then make one of its calls:" }</p>
            <div class="pt-actions" data-testid="pt-actions">{ actions(sys, chosen, &act) }</div>
            <div class="pt-log">
                <p><strong>{ "What the kernel did: " }</strong>{ last_text }</p>
                <ol data-testid="pt-log">{ log }</ol>
            </div>
            <p class="hint">{ "Every program here (init, sh, hello) is played by the article's small static hello binary: the model needs only its segments. In this model an orphan is handed to pid 1, as Linux does unless a nearer ancestor asked to be a subreaper (prctl PR_SET_CHILD_SUBREAPER, as systemd --user does); unlike a real init, pid 1 here reaps only when you press its wait." }</p>
        </Frame>
    }
}
