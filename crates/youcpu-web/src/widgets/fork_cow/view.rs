//! The view of `fork_cow`.

use crate::ui::{use_url_reducer, Col, Control, Dispatch, Frame, Stepper, Table};
use super::diagram::{draw, layout, Picture, COL_W};
use super::state::{region_va, Action, State, Op, Region};
use crate::widgets::hit::picture;
use std::collections::BTreeMap;
use yew::prelude::*;
use youcpu_core::vm::{FrameUse, ProcState, System};

fn vma_name(sys: &System, pid: u32, page: u64) -> String {
    sys.process(pid)
        .and_then(|p| p.vmas.iter().find(|v| v.contains(page)))
        .map(|v| {
            if v.name.is_empty() {
                "[anon]".to_string()
            } else {
                v.name.clone()
            }
        })
        .unwrap_or_default()
}

#[derive(Properties, PartialEq)]
struct ProcPanelProps {
    pid: u32,
    name: String,
    ppid: u32,
    state: ProcState,
    /// Stable across renders (`use_callback`), so an operation on another process leaves this
    /// panel alone.
    dispatch: Callback<Action>,
}

/// One process's buttons. This and each part below are components with props compared before
/// rendering, so a page write re-renders the picture, the writer's table and the log, not the
/// whole widget (issue #18).
#[component]
fn ProcPanel(p: &ProcPanelProps) -> Html {
    let pid = p.pid;
    let running = p.state == ProcState::Running;
    let op = |o: Op, label: &'static str, testid: String| {
        let d = p.dispatch.clone();
        html! { <button type="button" class="btn small" data-testid={testid} disabled={!running && !matches!(o, Op::Wait(_))} onclick={Callback::from(move |_: MouseEvent| d.emit(Action::Do(o)))}>{ label }</button> }
    };
    let state = match p.state {
        ProcState::Running => "running".to_string(),
        ProcState::Zombie(c) => format!("zombie (exit code {c}) until its parent waits"),
    };
    html! {
        <div class="fc-proc" data-testid={format!("fc-proc-{pid}")}>
            <span class="fc-pid"><strong>{ format!("pid {pid}") }</strong><span class="hint">{ format!(" {} · parent {} · {state}", p.name, p.ppid) }</span></span>
            <span class="fc-ops">
                { op(Op::Fork(pid), "fork", format!("fc-{pid}-fork")) }
                { op(Op::Exec(pid), "exec", format!("fc-{pid}-exec")) }
                if pid != 1 { { op(Op::Exit(pid), "exit", format!("fc-{pid}-exit")) } }
                { op(Op::Wait(pid), "wait", format!("fc-{pid}-wait")) }
            </span>
        </div>
    }
}

fn proc_panel(sys: &System, pid: u32, dispatch: &Callback<Action>) -> Html {
    let Some(p) = sys.process(pid) else {
        return html! {};
    };
    html! { <ProcPanel key={pid} pid={pid} name={p.name.clone()} ppid={p.ppid} state={p.state} dispatch={dispatch.clone()} /> }
}

/// One row of a process's page table as the table shows it.
#[derive(Clone, Debug, PartialEq)]
struct PageRow {
    region: String,
    page: u64,
    frame: u64,
    writable: bool,
    shared: bool,
    byte: Option<u8>,
}

#[derive(Properties, PartialEq)]
struct PageTableProps {
    pid: u32,
    rows: Vec<PageRow>,
}

#[component]
fn PageTable(p: &PageTableProps) -> Html {
    let pid = p.pid;
    let pages: Html = p
        .rows
        .iter()
        .map(|m| {
            let shared = m.shared;
            html! {
                <tr class={classes!(shared.then_some("shared"))}>
                    <td data-label="Region">{ m.region.clone() }</td>
                    <td data-label="Page" class="num"><code>{ format!("{:#x}", m.page) }</code></td>
                    <td data-label="Frame" class="num" data-testid={format!("fc-frame-{pid}-{:x}", m.page)}>{ format!("{:#x}", m.frame) }</td>
                    <td data-label="PTE">{ if m.writable { "writable" } else if shared { "read-only, shared" } else { "read-only" } }</td>
                    <td data-label="Data byte" class="num">{ m.byte.map(|b| format!("{b}")).unwrap_or_default() }</td>
                </tr>
            }
        })
        .collect();
    html! {
        <div class="fc-table" data-testid={format!("fc-table-{pid}")}>
            <h5>{ format!("pid {pid}") }</h5>
            <Table class="fc-pages" stack=true caption={format!("pages mapped by pid {pid}")} caption_hidden=true cols={vec![Col::Show("Region"), Col::Show("Page"), Col::Show("Frame"), Col::Show("PTE"), Col::Show("Data byte")]}>
                { pages }
            </Table>
        </div>
    }
}

fn page_table(sys: &System, pid: u32) -> Html {
    let Some(p) = sys.process(pid) else {
        return html! {};
    };
    if p.state != ProcState::Running {
        return html! {};
    }
    let rows: Vec<PageRow> = sys
        .mapped_pages(pid)
        .into_iter()
        .map(|m| {
            let refs = sys.frames.info(m.frame).map_or(0, |i| i.1);
            let byte = sys.frames.bytes(m.frame).and_then(|b| {
                let data = region_va(sys, pid, Region::Data)?;
                (m.page == data & !0xfff).then(|| b.get((data & 0xfff) as usize).copied()).flatten()
            });
            PageRow {
                region: vma_name(sys, pid, m.page),
                page: m.page,
                frame: m.frame,
                writable: m.writable,
                shared: refs > 1,
                byte,
            }
        })
        .collect();
    html! { <PageTable key={pid} pid={pid} rows={rows} /> }
}

#[derive(Properties, PartialEq)]
struct PictureProps {
    pic: Picture,
    on_page: Callback<Op>,
}

/// The address spaces and frames.
#[component]
fn ForkPicture(p: &PictureProps) -> Html {
    let pic = &p.pic;
    // Its widest size by its columns (one per process), at most about 1.4 CSS px a unit on a
    // desktop: two processes stretched to the column's 34rem drew 13-unit labels at 33 px.
    let class = match ((pic.width - 8.0) / COL_W).round() as usize {
        0 | 1 => "fc-diagram fc-c1",
        2 => "fc-diagram fc-c2",
        3 => "fc-diagram fc-c3",
        _ => "fc-diagram",
    };
    picture("fork-cow-diagram", class, "Address spaces and the frames they map", pic.desc.clone(),
        (pic.width, pic.height), pic.width * 1.4, draw(pic, Some(&p.on_page)))
}

fn shared_text(users: &BTreeMap<u64, Vec<u32>>) -> String {
    let shared: Vec<String> = users
        .iter()
        .filter(|(_, p)| p.len() > 1)
        .map(|(f, p)| {
            let pids: Vec<String> = p.iter().map(u32::to_string).collect();
            format!("frame {f:#x} ← pids {}", pids.join(", "))
        })
        .collect();
    if shared.is_empty() {
        "none".into()
    } else {
        shared.join("; ")
    }
}

/// The fork/copy-on-write widget.
#[component]
pub fn ForkCowWidget() -> Html {
    let state = use_url_reducer::<State>();
    // Stable callbacks (made once), so the components below compare equal props.
    let dispatch = {
        let d = state.dispatcher();
        use_callback((), move |a: Action, ()| d.dispatch(a))
    };
    let on_page = {
        let d = state.dispatcher();
        use_callback((), move |o: Op, ()| d.dispatch(Action::Do(o)))
    };
    // The tables of numbers are built only while their <details> is open: closed, they were
    // a table per process rebuilt on every fork and write for no one to see (issue #18).
    let (tables_open, on_toggle) = crate::ui::use_details_open();
    let on_reset = state.on(Action::Reset);
    let on_undo = state.on(Action::Undo);
    let Some(sys) = state.sys.as_ref() else {
        return html! {
            <Frame id={super::ID} title="fork and copy-on-write" on_reset={on_reset}>
                <p class="asm-error" role="alert">{ state.last.as_ref().as_ref().err().cloned().unwrap_or_default() }</p>
            </Frame>
        };
    };
    let pids: Vec<u32> = sys.processes().map(|p| p.pid).collect();
    let pic = layout(sys, state.ops.last().copied());
    // Frames mapped by user pages, with the processes that map each.
    let mut users: BTreeMap<u64, Vec<u32>> = BTreeMap::new();
    for &pid in &pids {
        for m in sys.mapped_pages(pid) {
            users.entry(m.frame).or_default().push(pid);
        }
    }
    let frames_in_use = sys.frames.in_use();
    let user_frames = sys.frames.count(FrameUse::User) + sys.frames.count(FrameUse::PageCache);
    // For screen readers: the operation, and the kernel's steps in brief (at most three).
    let live = match state.last.as_ref() {
        Ok(steps) => {
            let shown: Vec<String> = steps.iter().take(3).map(|s| s.explain()).collect();
            let more = steps.len().saturating_sub(shown.len());
            let last = state
                .ops
                .last()
                .map_or_else(|| "boot".to_string(), |o| o.describe());
            format!(
                "{last}. {}{}",
                shown.join(" "),
                if more > 0 {
                    format!(" And {more} more steps.")
                } else {
                    String::new()
                }
            )
        }
        Err(e) => format!("refused: {e}"),
    };
    let log: Html = match state.last.as_ref() {
        Ok(steps) => steps
            .iter()
            .map(|s| html! { <li>{ s.explain() }</li> })
            .collect(),
        Err(e) => html! { <li class="asm-error">{ e.clone() }</li> },
    };
    let last_op = state
        .ops
        .last()
        .map(|o| o.describe())
        .unwrap_or_else(|| "boot: the kernel starts pid 1".into());
    html! {
        <Frame id={super::ID} title="fork and copy-on-write" subtitle="The kernel's view: page tables, frames and reference counts" on_reset={on_reset} live={Some(AttrValue::from(live))}>
            <Stepper steps={vec![
                Control::button("Undo", on_undo).testid("fc-undo").disabled(state.ops.is_empty()),
                Control::hint(format!("{frames_in_use} frames in use ({user_frames} for user pages and file cache)")).testid("fc-frames"),
            ]} />
            <ForkPicture pic={pic} on_page={on_page} />
            <p class="hint">{ "Click or tap a page (or focus it and press Enter) to touch it: code is read, data and stack are written. A write to a page shared read-only after fork faults, and the kernel copies the frame for the writer." }</p>
            <div class="fc-procs" role="group" aria-label="process calls">{ for pids.iter().map(|&p| proc_panel(sys, p, &dispatch)) }</div>
            <div class="fc-shared">
                <p><strong>{ "Frames mapped by more than one process: " }</strong>
                    <span data-testid="fc-shared">{ shared_text(&users) }</span>
                </p>
            </div>
            <div class="fc-log">
                <p><strong>{ "What the kernel did: " }</strong>{ last_op }</p>
                <ol data-testid="fc-log">{ log }</ol>
            </div>
            <details class="fc-tables" ontoggle={on_toggle}>
                <summary data-testid="fc-tables">{ "Every mapped page, in numbers" }</summary>
                // The page without JavaScript has them all (`use_details_open`).
                if tables_open {
                    { for pids.iter().map(|&p| page_table(sys, p)) }
                }
            </details>
        </Frame>
    }
}
