//! The view of `demand_paging`.

use super::diagram::{layout, shapes};
use crate::ui::{group_svg, hit, Listeners};
use super::state::{Action, Op, State, MEMORY_LIMITS, PID, TARGETS};
use crate::ui::{use_url_reducer, Col, Control, Dispatch, Frame, Stepper, Table};
use yew::prelude::*;
use youcpu_core::vm::{FrameUse, System, VmaKind};

fn maps_view(sys: &System) -> Html {
    let Some(p) = sys.process(PID) else {
        return html! {};
    };
    let rows: Html = p
        .vmas
        .iter()
        .map(|v| {
            let (offset, name) = match &v.kind {
                VmaKind::File { offset, .. } => (*offset, v.name.clone()),
                VmaKind::Stack => (0, "[stack]".to_string()),
                _ => (0, v.name.clone()),
            };
            html! {
                <li><code>{ format!("{:012x}-{:012x} {} {offset:08x} {name}", v.start, v.end, v.perms()) }</code></li>
            }
        })
        .collect();
    html! { <ul class="dp-maps" data-testid="dp-maps">{ rows }</ul> }
}

fn pages_view(sys: &System) -> Html {
    let rows: Html = sys
        .mapped_pages(PID)
        .into_iter()
        .map(|m| {
            let region = sys
                .process(PID)
                .and_then(|p| p.vmas.iter().find(|v| v.contains(m.page)))
                .map(|v| match v.kind {
                    VmaKind::Stack => "[stack]".to_string(),
                    _ if v.name.is_empty() => "[anon]".to_string(),
                    _ => v.name.clone(),
                })
                .unwrap_or_default();
            let what = if m.frame == sys.zero_frame {
                "the zero page"
            } else {
                match sys.frames.info(m.frame).map(|i| i.0) {
                    Some(FrameUse::PageCache) => "page cache",
                    _ => "private",
                }
            };
            html! {
                <tr>
                    <td data-label="Region">{ region }</td>
                    <td class="num" data-label="Page"><code>{ format!("{:#x}", m.page) }</code></td>
                    <td class="num" data-label="Frame">{ format!("{:#x}", m.frame) }</td>
                    <td data-label="Frame holds">{ what }</td>
                    <td data-label="PTE">{ if m.writable { "writable" } else { "read-only" } }</td>
                </tr>
            }
        })
        .collect();
    html! {
        <Table class="dp-pages" testid="dp-pages" stack={true} caption={format!("Pages mapped by pid {PID} (its page table's present entries)")} cols={vec![Col::Show("Region"), Col::Show("Page"), Col::Show("Frame"), Col::Show("Frame holds"), Col::Show("PTE")]}>
            { rows }
        </Table>
    }
}

/// The demand-paging widget.
#[component]
pub fn DemandPagingWidget() -> Html {
    let state = use_url_reducer::<State>();
    // Only the picture the page shows is drawn (issue #18).
    let shown = crate::ui::use_narrow();
    let write = use_state(|| false);
    let on_reset = state.on(Action::Reset);
    let act = |a: Action| state.on(a);
    let title = "Demand paging";
    let Some(sys) = state.sys.as_ref() else {
        return html! {
            <Frame id={super::ID} title={title} on_reset={on_reset}>
                <p class="asm-error" role="alert">{ state.last.as_ref().as_ref().err().cloned().unwrap_or_default() }</p>
            </Frame>
        };
    };
    let targets: Html = TARGETS
        .iter()
        .map(|&t| {
            let addr = match t.va(sys) {
                Ok(a) => format!("{a:#x}"),
                Err(_) => "none yet".into(),
            };
            html! {
                <tr>
                    <td data-label="Where">{ t.label() }</td>
                    <td class="num" data-label="Address"><code>{ addr }</code></td>
                    <td class="dp-rw" data-label="Access">
                        <button type="button" class="btn small" data-testid={format!("dp-read-{}", t.slug())} onclick={act(Action::Do(Op::Read(t)))}>{ "read" }</button>
                        <button type="button" class="btn small" data-testid={format!("dp-write-{}", t.slug())} onclick={act(Action::Do(Op::Write(t)))}>{ "write" }</button>
                    </td>
                </tr>
            }
        })
        .collect();
    let (headline, log): (String, Html) = match state.last.as_ref() {
        Ok(o) => (
            o.headline.clone(),
            o.lines
                .iter()
                .map(|l| html! { <li>{ l.clone() }</li> })
                .collect(),
        ),
        Err(e) => (
            "refused".into(),
            html! { <li class="asm-error">{ e.clone() }</li> },
        ),
    };
    let last_op = state
        .ops
        .last()
        .map(|o| o.describe())
        .unwrap_or_else(|| "boot: pid 1 runs hello, with no page mapped yet".into());
    // For screen readers: the operation and its outcome (the step-by-step log is on screen).
    let live = match state.last.as_ref() {
        Ok(o) => format!("{last_op}: {}", o.headline),
        Err(e) => format!("{last_op}: refused: {e}"),
    };
    let frames = &sys.frames;
    let counts = format!(
        "{} of {} frames in use: {} for user pages, {} page cache, {} page tables, {} kernel",
        frames.in_use(),
        frames.capacity(),
        frames.count(FrameUse::User),
        frames.count(FrameUse::PageCache),
        frames.count(FrameUse::Table),
        frames.count(FrameUse::Kernel),
    );
    let c = sys.counters();
    let pressure = match sys.memory_limit() {
        Some(l) => {
            let (used, total) = sys.swap_usage();
            format!(
                "Limit {l} frames for user pages and page cache; swap {used} of {total} pages used; {} minor and {} major faults.",
                c.minor_faults, c.major_faults
            )
        }
        None => format!(
            "No memory limit; {} minor and {} major faults.",
            c.minor_faults, c.major_faults
        ),
    };
    let on_limit = {
        let state = state.clone();
        Callback::from(move |e: Event| {
            if let Ok(n) = crate::dom::event_value(&e).parse::<u8>() {
                state.dispatch(Action::Do(Op::Limit(n)));
            }
        })
    };
    let limit_now = sys.memory_limit().unwrap_or(0);
    let on_mode = {
        let write = write.clone();
        Callback::from(move |e: Event| write.set(crate::dom::event_value(&e) == "write"))
    };
    // One handler for the picture: the address of the page, block or gap under the pointer.
    let touch = {
        let state = state.clone();
        let write = *write;
        move |e: &Event| {
            if let Some(va) = hit(e, "data-va").and_then(|t| u64::from_str_radix(&t, 16).ok()) {
                state.dispatch(Action::Do(Op::At(write, va)));
            }
        }
    };
    let listeners = Listeners {
        click: Some({
            let touch = touch.clone();
            Callback::from(move |e: MouseEvent| touch(&e))
        }),
        key: Some(Callback::from(move |e: KeyboardEvent| {
            if e.key() == "Enter" || e.key() == " " {
                e.prevent_default();
                touch(&e);
            }
        })),
        ..Listeners::default()
    };
    let (last_va, head_now) = match state.last.as_ref() {
        Ok(o) => (o.va, o.headline.clone()),
        Err(e) => (None, format!("refused: {e}")),
    };
    let picture = |narrow: bool| {
        if !crate::ui::draws(shown, narrow) {
            return Html::default();
        }
        let p = layout(sys, PID, last_va, &head_now, narrow);
        group_svg(
            "demand-paging-diagram",
            "dp-diagram",
            narrow,
            "The address space of pid 1: its regions, the pages present, and their frames",
            p.desc.clone(),
            (p.width, p.height),
            listeners.clone(),
            shapes(&p, true),
        )
    };
    html! {
        <Frame id={super::ID} title={title} subtitle="Pages appear only when they are first touched" on_reset={on_reset} live={Some(AttrValue::from(live))}>
            <Stepper steps={vec![
                Control::button("brk: grow the heap", act(Action::Do(Op::Brk))).testid("dp-brk"),
                Control::button("mmap the file", act(Action::Do(Op::Mmap))).testid("dp-mmap"),
                Control::button("Undo", act(Action::Undo)).testid("dp-undo").disabled(state.ops.is_empty()),
            ]}>
                <label class="inline">{ "Memory limit " }
                    <select data-testid="dp-limit" onchange={on_limit}>
                        { for MEMORY_LIMITS.iter().map(|&n| html! {
                            <option value={n.to_string()} selected={usize::from(n) == limit_now}>{ if n == 0 { "none".to_string() } else { format!("{n} pages") } }</option>
                        }) }
                    </select>
                </label>
            </Stepper>
            <label class="inline">{ "A click on the picture " }
                <select data-testid="dp-click" onchange={on_mode}>
                    <option value="read" selected={!*write}>{ "reads a byte" }</option>
                    <option value="write" selected={*write}>{ "writes a byte" }</option>
                </select>
            </label>
            <div class="dual">{ picture(false) }{ picture(true) }</div>
            <div class="dp-log">
                <p><strong>{ last_op }</strong>{ ": " }<span class="dp-outcome" data-testid="dp-outcome">{ headline }</span></p>
                <ol data-testid="dp-log">{ log }</ol>
            </div>
            <p class="hint" data-testid="dp-frames">{ counts }</p>
            <p class="hint" data-testid="dp-pressure">{ pressure }</p>
            <details class="dp-details">
                <summary>{ "Named addresses to read or write" }</summary>
                <Table class="dp-targets" stack={true} caption="Addresses pid 1 can try" cols={vec![Col::Show("Where"), Col::Show("Address"), Col::Show("Access")]}>
                    { targets }
                </Table>
            </details>
            <details class="dp-details">
                <summary>{ "The regions and the page table as text" }</summary>
                <div class="dp-grid">
                    <div>
                        <h5>{ "Regions (like /proc/1/maps)" }</h5>
                        { maps_view(sys) }
                    </div>
                    <div>{ pages_view(sys) }</div>
                </div>
            </details>
        </Frame>
    }
}
