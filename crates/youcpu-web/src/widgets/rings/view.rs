//! The view of `rings`.

use crate::ui::{use_url_reducer, Col, Dispatch, Frame, Table};
use super::state::{cs_for, Outcome, Action, State, OPS};
use yew::prelude::*;

fn outcome_view(o: &Outcome) -> Html {
    match o {
        Outcome::Failed(e) => {
            html! { <p class="asm-error" data-testid="rg-outcome">{ e.clone() }</p> }
        }
        Outcome::Executed { changes, halted } => html! {
            <div class="rg-outcome ok" data-testid="rg-outcome">
                <p><strong>{ "Executed." }</strong>{ " The privilege check passed and the instruction ran." }</p>
                if changes.is_empty() { <p>{ "No register changed." }</p> }
                else { <ul>{ for changes.iter().map(|c| html! { <li>{ c.clone() }</li> }) }</ul> }
                if *halted { <p>{ "The core is halted: it waits for an interrupt (the timer would wake it)." }</p> }
            </div>
        },
        Outcome::Delivered {
            vector,
            mnemonic,
            text,
            error_code,
            from_cpl,
            to_cpl,
            cs,
            old_rsp,
            new_rsp,
            rsp0,
            handler,
            gate_addr,
            frame,
        } => {
            let switched = from_cpl != to_cpl;
            html! {
                <div class="rg-outcome err" data-testid="rg-outcome">
                    <p><strong data-testid="rg-fault">{ format!("{mnemonic}({}) ", error_code.map_or("no error code".to_string(), |c| c.to_string())) }</strong>{ format!("vector {vector}: {text}") }</p>
                    <ol class="rg-steps">
                        <li>{ format!("The CPU reads gate {vector} of the IDT at {gate_addr:#x}: handler {handler:#x}, code selector {:#x}.", cs.1) }</li>
                        if switched {
                            <li data-testid="rg-switch">{ format!("CPL {from_cpl} → {to_cpl}, so it switches stacks: RSP {old_rsp:#x} (the program's) is replaced by RSP0 = {rsp0:#x} from the TSS.") }</li>
                        } else {
                            <li data-testid="rg-switch">{ format!("Already in ring {to_cpl}: no stack switch, the frame goes on the current stack at {old_rsp:#x}.") }</li>
                        }
                        <li>{ format!("It pushes the frame below; RSP is now {new_rsp:#x}.") }</li>
                        <li data-testid="rg-newcpl">{ format!("It loads CS = {:#x} and RIP = {handler:#x}: CPL is now {to_cpl}, and the kernel's handler runs.", cs.1) }</li>
                    </ol>
                    <details class="rg-frame-wrap">
                        <summary>{ "The frame with its addresses" }</summary>
                        <Table class="rg-frame" testid="rg-frame" bare=true stack=true
                            caption="The frame on the kernel stack (lowest address first; RSP points at the top row)"
                            cols={vec![Col::Show("address"), Col::Show("slot"), Col::Show("value")]}>
                            { for frame.iter().map(|f| html! {
                                <tr><td class="rg-mono" data-label="address">{ format!("{:#x}", f.addr) }</td><td data-label="slot">{ f.name }</td><td class="rg-mono" data-label="value">{ format!("{:#x}", f.value) }</td></tr>
                            }) }
                        </Table>
                    </details>
                </div>
            }
        }
    }
}

/// The privilege rings widget.
#[component]
pub fn RingsWidget() -> Html {
    let state = use_url_reducer::<State>();
    let ring_cb = |r: u8| state.on(Action::Ring(r));
    let on_op = state.on_pick(Action::Op);
    let on_reset = state.on(Action::Reset);
    let cs = cs_for(state.ring);
    let op = OPS.get(state.op).map_or("nop", |o| o.asm);
    // One sentence for screen readers; the frame and steps stay on screen.
    let live = match &state.outcome {
        None => String::new(),
        Some(Outcome::Failed(e)) => e.clone(),
        Some(Outcome::Executed { changes, halted }) => format!(
            "{op} in ring {}: executed{}{}",
            state.ring,
            if changes.is_empty() { "; no register changed".to_string() } else { format!("; {}", changes.join(", ")) },
            if *halted { "; the core is halted" } else { "" }
        ),
        Some(Outcome::Delivered { vector, mnemonic, error_code, from_cpl, to_cpl, handler, .. }) => format!(
            "{op} in ring {}: {mnemonic}({}) delivered through IDT vector {vector}; CPL {from_cpl} to {to_cpl}, the kernel's handler at {handler:#x} runs",
            state.ring,
            error_code.map_or("no error code".to_string(), |c| c.to_string())
        ),
    };
    let on_hit = {
        let state = state.clone();
        Callback::from(move |key: String| match key.as_str() {
            "ring-0" => state.dispatch(Action::Ring(0)),
            "ring-3" => state.dispatch(Action::Ring(3)),
            _ => {}
        })
    };
    // One layout at a time: the narrow one on a phone (the wide one outside a browser).
    let narrow = crate::ui::use_narrow().unwrap_or(false);
    let picture = crate::widgets::cpu_pic::render(
        &super::diagram::layout(&state, narrow),
        "rg-diagram",
        "The two rings and the doors between them",
        &super::diagram::describe(&state),
        "",
        Some(on_hit),
    );
    html! {
        <Frame id={super::ID} title="Privilege lives in the processor" subtitle="One instruction, run in ring 0 or ring 3 on the simulated CPU" on_reset={on_reset} live={Some(AttrValue::from(live))}>
            <div class="rg-controls">
                <fieldset class="rg-ring">
                    <legend>{ "Run in" }</legend>
                    <label class="inline"><input type="radio" name="rg-ring" data-testid="rg-ring-0" checked={state.ring == 0} onchange={ring_cb(0)} />{ " ring 0 (kernel)" }</label>
                    <label class="inline"><input type="radio" name="rg-ring" data-testid="rg-ring-3" checked={state.ring == 3} onchange={ring_cb(3)} />{ " ring 3 (user)" }</label>
                </fieldset>
                <label class="inline">{ "Instruction " }
                    <select data-testid="rg-op" onchange={on_op}>
                        { for OPS.iter().enumerate().map(|(i, o)| html! { <option value={i.to_string()} selected={state.op == i}>{ format!("{}: {}", o.asm, o.about) }</option> }) }
                    </select>
                </label>
            </div>
            <p class="rg-cs" data-testid="rg-cs">
                { "CS = " }<code>{ format!("{cs:#06x}") }</code>{ " = binary " }<code>{ format!("{:014b}", cs >> 2) }<mark class="rg-cpl">{ format!("{:02b}", cs & 3) }</mark></code>
                { format!(": the low two bits are the CPL, {}.", cs & 3) }
                <span class="hint">{ " IOPL in RFLAGS is 0, so ring 3 may not use I/O ports either." }</span>
            </p>
            { picture }
            <p class="hint">{ "Click or tap a ring (or focus it and press Enter) to run the instruction there." }</p>
            { state.outcome.as_ref().map(outcome_view).unwrap_or_default() }
        </Frame>
    }
}
