//! The view of `syscall`.

use crate::ui::{Frame, Reduced, Control, Stepper};
use super::state::{Action, State, INT80_PROGRAM, SYSCALL_PROGRAM};
use yew::prelude::*;

/// The system call widget.
#[component]
pub fn SyscallWidget() -> Html {
    let state = use_reducer(Reduced::<State>::default);
    // Which side the reader last drove, and whether it was a Run (for the live region).
    let acted = use_state(|| None::<(usize, bool)>);
    let click = |a: Action| {
        let state = state.clone();
        let acted = acted.clone();
        Callback::from(move |_: MouseEvent| {
            match a {
                Action::Step(i) => acted.set(Some((i, false))),
                Action::Run(i) => acted.set(Some((i, true))),
                Action::Reset => acted.set(None),
            }
            state.dispatch(a)
        })
    };
    let on_reset = {
        let state = state.clone();
        let acted = acted.clone();
        Callback::from(move |_| {
            acted.set(None);
            state.dispatch(Action::Reset)
        })
    };
    let titles = ["64-bit: syscall", "Legacy: int 0x80"];
    let live = (*acted)
        .and_then(|(i, run)| {
            let side = state.sides.get(i)?;
            let (ring, text) = side.log.last()?;
            let title = titles.get(i).copied().unwrap_or_default();
            let n = side.log.iter().filter(|(r, _)| r.is_some()).count();
            let at = ring.map_or("the end".to_string(), |r| format!("ring {r}"));
            Some(if run {
                format!("{title}: ran to the end in {n} steps; {at}: {text}")
            } else {
                format!("{title}, step {n}, {at}: {text}")
            })
        })
        .unwrap_or_default();
    let programs = [SYSCALL_PROGRAM, INT80_PROGRAM];
    let keys = ["sc", "i80"];
    let cols: Html = state
        .sides
        .iter()
        .enumerate()
        .map(|(i, side)| {
            let key = keys.get(i).copied().unwrap_or("x");
            html! {
                <div class="sc-side" data-testid={format!("sc-side-{key}")}>
                    <h5>{ titles.get(i).copied().unwrap_or_default() }</h5>
                    if let Some(e) = &side.error { <p class="asm-error">{ e.clone() }</p> }
                    <Stepper label={format!("Run the {} program", titles.get(i).copied().unwrap_or_default())} steps={vec![
                        Control::button("Step", click(Action::Step(i))).testid(format!("sc-{key}-step")).disabled(!side.running()),
                        Control::button("Run to the end", click(Action::Run(i))).testid(format!("sc-{key}-run")).disabled(!side.running()),
                    ]} />
                    { crate::widgets::cpu_pic::render(
                        &super::diagram::layout(side),
                        &format!("sc-{key}-diagram"),
                        &format!("{}: the path into the kernel and back", titles.get(i).copied().unwrap_or_default()),
                        &super::diagram::describe(side, titles.get(i).copied().unwrap_or_default()),
                        "sc-seq",
                        None,
                    ) }
                    <details class="sc-more">
                        <summary>{ "The program and every step in full" }</summary>
                        <pre class="sc-prog">{ programs.get(i).copied().unwrap_or_default() }</pre>
                        <ol class="sc-log" data-testid={format!("sc-{key}-log")}>
                            { for side.log.iter().map(|(ring, t)| html! {
                                <li class={if *ring == Some(0) { "sc-k" } else { "sc-u" }}><span class="sc-ring">{ ring.map_or("end".to_string(), |r| format!("ring {r}")) }</span>{ " " }{ t.clone() }</li>
                            }) }
                        </ol>
                    </details>
                </div>
            }
        })
        .collect();
    html! {
        <Frame id={super::ID} title="Two doors into the kernel" subtitle="getpid() and exit(1) through syscall, exit(1) through int 0x80, on the simulated CPU and kernel" on_reset={on_reset} live={Some(AttrValue::from(live))}>
            <div class="sc-grid">{ cols }</div>
        </Frame>
    }
}
