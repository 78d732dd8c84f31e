//! The view of `page_walk`.

use crate::ui::{use_url_reducer, Col, Control, Dispatch, Frame, Stepper, Table};
use crate::dom;
use super::state::{Action, State, PRESETS};
use yew::prelude::*;
use youcpu_core::paging::walk::level_name;
use youcpu_core::paging::{AccessKind, Format, Walk};

/// The address's bits as labelled fields: high bits, one index per level, the offset.
fn bit_fields(fmt: &Format, w: &Walk) -> Html {
    let n = fmt.levels.len();
    let va_bits = fmt.va_bits();
    let mut fields: Vec<(String, u32, u64, String)> = Vec::new();
    let high = 64 - va_bits;
    fields.push((
        "sign extension".into(),
        high,
        w.va >> va_bits,
        "c-hi".into(),
    ));
    for (l, &b) in fmt.levels.iter().enumerate() {
        let idx = w.indices.get(l).copied().unwrap_or(0);
        fields.push((level_name(n, l), u32::from(b), idx, format!("c{}", l % 8)));
    }
    fields.push((
        "offset".into(),
        u32::from(fmt.offset_bits),
        w.offset,
        "c-off".into(),
    ));
    let cells: Html = fields
        .into_iter()
        .map(|(name, bits, value, class)| {
            let bin = format!("{:0width$b}", value, width = bits as usize);
            let shown = if bits > 16 { format!("{}…", &bin[..4]) } else { bin };
            html! {
                <div class={classes!("bitfield", class, format!("grow-{bits}"))}>
                    <span class="bf-name">{ name }</span>
                    <code class="bf-bits">{ shown }</code>
                    <span class="bf-val">{ if value > 9 { format!("{value} (0x{value:x})") } else { value.to_string() } }</span>
                </div>
            }
        })
        .collect();
    html! { <div class="bitbar" data-testid="pw-bits" aria-label="the virtual address split into fields">{ cells }</div> }
}

fn flags(fmt: &Format, e: u64) -> String {
    let b = fmt.bits;
    let mut out = Vec::new();
    let mut f = |bit: Option<u8>, name: &str| {
        if fmt.flag(e, bit) {
            out.push(name.to_string());
        }
    };
    f(Some(fmt.present_bit), "P");
    f(b.rw, "RW");
    f(b.us, "US");
    f(b.accessed, "A");
    f(b.dirty, "D");
    f(b.ps, "PS");
    f(b.global, "G");
    f(b.nx, "NX");
    if out.is_empty() {
        "(none)".into()
    } else {
        out.join(" ")
    }
}

fn walk_table(fmt: &Format, w: &Walk, root: u64) -> Html {
    let n = fmt.levels.len();
    let rows: Html = w
        .steps
        .iter()
        .map(|s| {
            let next = if !s.present {
                "not present: stop".to_string()
            } else if s.huge {
                format!("huge page at frame 0x{:x}", s.pfn)
            } else if s.leaf {
                format!("page frame 0x{:x}", s.pfn)
            } else {
                format!("next table at frame 0x{:x}", s.pfn)
            };
            html! {
                <tr class={classes!((!s.present).then_some("np"))}>
                    <th scope="row">{ level_name(n, s.level) }</th>
                    <td class="num">{ format!("0x{:x}", s.table_base) }</td>
                    <td class="num">{ s.index }</td>
                    <td class="num">{ format!("0x{:x}", s.entry_addr) }</td>
                    <td class="num"><code>{ format!("{:016x}", s.entry) }</code></td>
                    <td><code>{ flags(fmt, s.entry) }</code></td>
                    <td>{ next }</td>
                </tr>
            }
        })
        .collect();
    html! {
        <Table testid="pw-walk" caption={format!("CR3 holds frame 0x{root:x}: the {} table is at physical address 0x{:x}", level_name(n, 0), root << fmt.offset_bits)} cols={vec![Col::Show("Table"), Col::Show("At"), Col::Show("Index"), Col::Show("Entry address"), Col::Show("Entry"), Col::Show("Flags"), Col::Show("Leads to")]}>
            { rows }
        </Table>
    }
}

fn error_code_text(code: u64) -> String {
    let bits = [
        (0, "P: the page was present"),
        (1, "W: a write"),
        (2, "U: from user mode"),
        (3, "RSVD: a reserved bit"),
        (4, "I: an instruction fetch"),
    ];
    let set: Vec<&str> = bits
        .iter()
        .filter(|(b, _)| code >> b & 1 == 1)
        .map(|(_, t)| *t)
        .collect();
    if set.is_empty() {
        "no bits set: a read from kernel mode of a page that is not present".into()
    } else {
        set.join("; ")
    }
}

/// The access kind as a verb, for the live region.
fn kind_value_of(k: AccessKind) -> &'static str {
    match k {
        AccessKind::Read => "Read",
        AccessKind::Write => "Write",
        AccessKind::Fetch => "Fetch",
    }
}

/// The page-walk widget.
#[component]
pub fn PageWalkWidget() -> Html {
    let state = use_url_reducer::<State>();
    let click = |a: Action| state.on(a.clone());
    let on_va = state.on_text(Action::Va);
    let on_kind = {
        let state = state.clone();
        Callback::from(move |e: Event| {
            let k = match dom::event_value(&e).as_str() {
                "write" => AccessKind::Write,
                "fetch" => AccessKind::Fetch,
                _ => AccessKind::Read,
            };
            state.dispatch(Action::Kind(k));
        })
    };
    let on_mode = {
        let state = state.clone();
        Callback::from(move |e: Event| {
            state.dispatch(Action::User(dom::event_value(&e) != "kernel"))
        })
    };
    let on_levels = {
        let state = state.clone();
        Callback::from(move |e: Event| {
            state.dispatch(Action::FiveLevel(dom::event_value(&e) == "5"))
        })
    };
    let on_reset = state.on(Action::Reset);
    let fmt = &state.space.format;
    let shown_walk = state
        .last
        .as_ref()
        .and_then(|l| l.walk.clone())
        .or_else(|| state.inspect());
    let outcome = state.last.as_ref().map(|l| match l.result {
        Ok(pa) => html! {
            <p class="ex-result ok" data-testid="pw-result">
                { if l.tlb_hit { "TLB hit: no tables read. " } else { "TLB miss: the walk above. " } }
                <strong>{ "Physical address " }</strong><code data-testid="pw-pa">{ format!("0x{pa:x}") }</code>
            </p>
        },
        Err(f) => html! {
            <div class="ex-result err" data-testid="pw-result">
                <p><strong>{ if f.kind == youcpu_core::paging::FaultKind::NonCanonical { "General protection fault (#GP): " } else { "Page fault (#PF): " } }</strong>
                    <span data-testid="pw-fault">{ f.kind.describe() }</span></p>
                if f.kind != youcpu_core::paging::FaultKind::NonCanonical {
                    <p>{ format!("CR2 = 0x{:x}; error code 0x{:x} ({})", f.cr2, f.error_code, error_code_text(f.error_code)) }</p>
                }
            </div>
        },
    });
    // One sentence for screen readers per access.
    let live = match state.last.as_ref().map(|l| (l.tlb_hit, &l.result)) {
        Some((hit, Ok(pa))) => format!(
            "{} {}: {}; physical address 0x{pa:x}. TLB: {} hits, {} misses.",
            kind_value_of(state.kind),
            state.va_text.trim(),
            if hit {
                "TLB hit, no tables read"
            } else {
                "TLB miss, the tables were walked"
            },
            state.tlb.hits,
            state.tlb.misses
        ),
        Some((_, Err(f))) => format!(
            "{} {}: {}: {}.",
            kind_value_of(state.kind),
            state.va_text.trim(),
            if f.kind == youcpu_core::paging::FaultKind::NonCanonical {
                "general protection fault"
            } else {
                "page fault"
            },
            f.kind.describe()
        ),
        None => format!("TLB: {} hits, {} misses.", state.tlb.hits, state.tlb.misses),
    };
    let tlb_rows: Html = state
        .tlb
        .entries()
        .map(|e| html! { <li><code>{ format!("0x{:x} → 0x{:x}", e.page, e.translation.pa) }</code>{ format!(" ({} KiB{}{})", e.translation.page_size / 1024, if e.translation.writable { ", writable" } else { "" }, if e.translation.user { ", user" } else { "" }) }</li> })
        .collect();
    let kind_value = match state.kind {
        AccessKind::Read => "read",
        AccessKind::Write => "write",
        AccessKind::Fetch => "fetch",
    };
    html! {
        <Frame id={super::ID} title="Page-table walk" subtitle="x86-64 paging on a small example address space" on_reset={on_reset} live={Some(AttrValue::from(live))}>
            if let Some(e) = &state.build_error { <p class="asm-error" role="alert">{ e.clone() }</p> }
            <div class="pw-presets" role="group" aria-label="Example addresses">
                { for PRESETS.iter().enumerate().map(|(i, p)| html! { <button type="button" class="btn small" data-testid={format!("pw-preset-{i}")} onclick={click(Action::Preset(i))}>{ p.name }</button> }) }
            </div>
            <div class="asm-toolbar">
                <label class="inline">{ "Virtual address " }
                    <input type="text" data-testid="pw-va" class="va" spellcheck="false" autocomplete="off" value={state.va_text.clone()} oninput={on_va} aria-invalid={state.va_error.is_some().to_string()} />
                </label>
                <label class="inline">{ "Access " }
                    <select data-testid="pw-kind" onchange={on_kind}>
                        { for ["read", "write", "fetch"].into_iter().map(|k| html! { <option value={k} selected={k == kind_value}>{ k }</option> }) }
                    </select>
                </label>
                <label class="inline">{ "Mode " }
                    <select data-testid="pw-mode" onchange={on_mode}>
                        <option value="user" selected={state.user}>{ "user (ring 3)" }</option>
                        <option value="kernel" selected={!state.user}>{ "kernel (ring 0)" }</option>
                    </select>
                </label>
                <label class="inline">{ "Paging " }
                    <select data-testid="pw-levels" onchange={on_levels}>
                        <option value="4" selected={!state.five}>{ "4-level (48-bit)" }</option>
                        <option value="5" selected={state.five}>{ "5-level (57-bit)" }</option>
                    </select>
                </label>
            </div>
            if let Some(e) = &state.va_error { <p class="field-error" role="status" data-testid="pw-va-error">{ e.clone() }</p> }
            if let Some(w) = &shown_walk {
                { bit_fields(fmt, w) }
                if state.last.as_ref().is_some_and(|l| !l.tlb_hit) || state.last.is_none() {
                    { walk_table(fmt, w, state.space.root) }
                }
            }
            { outcome.unwrap_or_default() }
            <div class="pw-tlb">
                <p><strong>{ "TLB" }</strong>{ format!(": {} hits, {} misses", state.tlb.hits, state.tlb.misses) }</p>
                <Stepper steps={vec![
                    Control::button("Access again", click(Action::Again)).testid("pw-again"),
                    Control::button("Write CR3 (flush)", click(Action::Flush)).testid("pw-flush"),
                ]} />
                if state.tlb.entries().next().is_some() {
                    <ul class="tlb-list" data-testid="pw-tlb">{ tlb_rows }</ul>
                } else {
                    <p class="hint">{ "The TLB is empty: the next access walks the tables." }</p>
                }
            </div>
        </Frame>
    }
}
