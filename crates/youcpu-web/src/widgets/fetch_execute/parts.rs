//! The parts of `fetch-execute`'s view that show a machine, shared with the views that hand it
//! a machine of their own (your-program's opened moment, `embed.rs`): the three phases of the
//! last step and every register in full.

use super::state::{self, FLAGS};
use yew::prelude::*;
use youcpu_core::cpu::state::{State as CpuState, GPR_NAMES};

/// Bytes as hex pairs separated by spaces.
pub fn hex_bytes(b: &[u8]) -> String {
    b.iter()
        .map(|x| format!("{x:02x}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The undefined flags of the last instruction, with each vendor's values side by side.
pub fn undefined_note(l: &state::LastStep) -> Html {
    let names: Vec<&str> = FLAGS
        .iter()
        .filter(|(_, b)| l.undefined & b != 0)
        .map(|(n, _)| *n)
        .collect();
    let values = |fl: u64| {
        FLAGS
            .iter()
            .filter(|(_, b)| l.undefined & b != 0)
            .map(|(n, b)| format!("{n}={}", u8::from(fl & b != 0)))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let rows: Html = l
        .vendors
        .iter()
        .enumerate()
        .map(|(i, (v, fl))| {
            html! {
                <li data-testid={format!("fe-undef-{}", v.id())}>
                    <strong>{ format!("{}: ", v.name()) }</strong><code>{ values(*fl) }</code>
                    if i == 0 { <span class="hint">{ " (this core)" }</span> }
                </li>
            }
        })
        .collect();
    let differ = l
        .vendors
        .windows(2)
        .any(|w| (w[0].1 ^ w[1].1) & l.undefined != 0);
    html! {
        <div class="fe-undefined" data-testid="fe-undefined">
            { format!("The manuals leave {} undefined after {}: ", names.join(", "), l.text) }
            { if differ { "Intel and AMD processors leave different values here." } else { "here Intel and AMD processors happen to leave the same values." } }
            <ul>{ rows }</ul>
        </div>
    }
}

/// RIP, the sixteen general-purpose registers, the status flags and the bytes at RIP; what
/// changed since `before` is marked, and the flags in `undefined` carry a question mark.
pub fn registers(c: &CpuState, before: Option<&CpuState>, undefined: u64, at_rip: &[u8]) -> Html {
    let cells: Html = GPR_NAMES
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let v = c.gpr.get(i).copied().unwrap_or(0);
            let changed = before.is_some_and(|b| b.gpr.get(i).copied() != Some(v));
            html! {
                <div class={classes!("fe-reg", changed.then_some("changed"))} data-testid={format!("fe-reg-{name}")}>
                    <span class="fe-rn">{ *name }</span><span class="mono">{ format!("{v:#x}") }</span>
                </div>
            }
        })
        .collect();
    let flags: Html = FLAGS
        .iter()
        .map(|(n, bit)| {
            let on = c.rflags & bit != 0;
            let changed = before.is_some_and(|b| (b.rflags ^ c.rflags) & bit != 0);
            let undef = undefined & bit != 0;
            let title = undef.then(|| format!("{n} is undefined after this instruction: the manuals leave its value to the processor"));
            html! { <span class={classes!("fe-flag", on.then_some("on"), changed.then_some("changed"), undef.then_some("undef"))} title={title} data-testid={format!("fe-flag-{n}")}>{ format!("{n}={}", u8::from(on)) }{ if undef { "?" } else { "" } }</span> }
        })
        .collect();
    html! {
        <div class="fe-state">
            <div class="fe-rip" data-testid="fe-rip">
                <span class="fe-rn">{ "RIP" }</span><span class="mono">{ format!("{:#x}", c.rip) }</span>
                <span class="hint">{ format!(" CS {:#x}: ring {}", c.cs, c.cs & 3) }</span>
            </div>
            <div class="fe-regs">{ cells }</div>
            <div class="fe-flags" aria-label="status flags in RFLAGS">
                <span class="fe-rn">{ "RFLAGS" }</span>{ flags }
            </div>
            <div class="fe-atrip" data-testid="fe-at-rip">
                <span class="fe-rn">{ "bytes at RIP" }</span>
                <span class="mono">{ if at_rip.is_empty() { "—".to_string() } else { hex_bytes(at_rip) } }</span>
            </div>
        </div>
    }
}

/// The last step's fetch, decode and execute (a hint before the first step while `running`).
pub fn phases(last: Option<&state::LastStep>, running: bool) -> Html {
    match last {
        Some(l) => html! {
            <ol class="fe-phases" data-testid="fe-phases">
                <li><strong>{ "Fetch: " }</strong>
                    if l.fetched.is_empty() { { "no user bytes: the CPU is in the kernel" } }
                    else { { format!("read the bytes at {:#x}: ", l.rip) }<code data-testid="fe-fetched">{ hex_bytes(&l.fetched) }</code> }
                </li>
                <li><strong>{ "Decode: " }</strong><code data-testid="fe-decoded">{ l.text.clone() }</code>
                    if l.len > 0 { { format!(", {} byte{} long", l.len, if l.len == 1 { "" } else { "s" }) } }
                </li>
                <li><strong>{ "Execute: " }</strong>
                    if l.changes.is_empty() { { "nothing visible changed" } }
                    else { <span data-testid="fe-changes">{ l.changes.join(", ") }</span> }
                    if let Some(n) = &l.note { <div class="fe-note">{ n.clone() }</div> }
                    if l.undefined != 0 { { undefined_note(l) } }
                </li>
            </ol>
        },
        // (After a Run that ended the process, the notice says how.)
        None if running => html! { <p class="hint">{ "Press Step to run the instruction at RIP." }</p> },
        None => html! {},
    }
}
