//! The view of `preemption`.

use crate::ui::{use_background_run, use_url_reducer, Col, Control, Dispatch, Dispatcher, Frame, Pace, Stepper, Table};
use crate::dom;
use super::state::{Action, Settings, State, Sharing, MAX_PROCS, MIN_PROCS, RUN_SLICE};
use std::rc::Rc;
use yew::prelude::*;
use youcpu_core::asm::listing::Listing;
use crate::widgets::cpu_pic::Picture;
use youcpu_core::preempt::trace::{thousands, Owner, Reason, Run, Switch};
use youcpu_core::preempt::{kernel, CpuView, ProcessView, Program, Slot, System};

/// Instructions shown in the timeline strip.
const WINDOW: u64 = 1200;
/// Switches listed in the log.
const LOG_SHOWN: usize = 8;
/// Milliseconds between Run slices.
const TICK_MS: u32 = 60;
/// With reduced motion: fewer, larger slices (the same speed, redrawn about twice a second).
const CALM_TICK_MS: u32 = 600;

/// True when the reader asked for reduced motion (false outside a browser).
fn reduced_motion() -> bool {
    dom::window()
        .and_then(|w| {
            w.match_media("(prefers-reduced-motion: reduce)")
                .ok()
                .flatten()
        })
        .is_some_and(|m| m.matches())
}

fn task_class(owner: Owner) -> String {
    match owner {
        Owner::Kernel => "pe-k".into(),
        Owner::Task(i) => format!("pe-t{i}"),
    }
}

/// What the timeline strip draws: the runs and timer ticks of the last [`WINDOW`]
/// instructions. The strip and each part of the page below are components of their own, with
/// props compared before rendering, so a step re-renders only the parts it changed (issue #18:
/// "Step to next switch" re-rendered the whole widget).
#[derive(Properties, PartialEq)]
struct TimelineProps {
    /// Instructions retired.
    end: u64,
    /// The runs in the window.
    runs: Vec<Run>,
    /// The timer ticks in the window.
    ticks: Vec<u64>,
}

impl TimelineProps {
    fn of(sys: &System) -> Self {
        let end = sys.instructions();
        let x0 = end.saturating_sub(WINDOW);
        TimelineProps {
            end,
            runs: sys.timeline().iter().filter(|r| r.start + r.len > x0).copied().collect(),
            ticks: sys
                .switches()
                .iter()
                .filter(|sw| sw.reason == Reason::Timer && sw.at >= x0)
                .map(|sw| sw.at)
                .collect(),
        }
    }
}

#[component]
fn Timeline(p: &TimelineProps) -> Html {
    let end = p.end;
    let x0 = end.saturating_sub(WINDOW);
    let w = 600.0_f64;
    let scale = w / WINDOW as f64;
    // Keyed by where each run starts: a step that slides the window moves the rectangles
    // already drawn instead of rewriting every one of them.
    let rects: Html = p
        .runs
        .iter()
        .map(|r| {
            let s = r.start.max(x0);
            let x = (s - x0) as f64 * scale;
            let width = ((r.start + r.len - s) as f64 * scale).max(0.5);
            let label = match r.owner {
                Owner::Kernel => "kernel".to_string(),
                Owner::Task(i) => format!("task {}", i + 1),
            };
            html! {
                <rect key={r.start} class={task_class(r.owner)} x={format!("{x:.1}")} y="4" width={format!("{width:.1}")} height="28">
                    <title>{ format!("{label}: instructions {}–{}", thousands(r.start), thousands(r.start + r.len - 1)) }</title>
                </rect>
            }
        })
        .collect();
    // Timer ticks in the window, as marks above the strip.
    let marks: Html = p
        .ticks
        .iter()
        .map(|at| {
            let x = (at - x0) as f64 * scale;
            html! { <line key={*at} class="pe-tick" x1={format!("{x:.1}")} x2={format!("{x:.1}")} y1="0" y2="36" /> }
        })
        .collect();
    let kernel_share = {
        let (k, all) = p.runs.iter().fold((0u64, 0u64), |(k, a), r| {
            let n = r.start + r.len - r.start.max(x0);
            (if r.owner == Owner::Kernel { k + n } else { k }, a + n)
        });
        (k * 100).checked_div(all).unwrap_or(0)
    };
    html! {
        <figure class="pe-timeline" data-testid="pe-timeline">
            <svg viewBox="0 0 600 36" preserveAspectRatio="none" role="img"
                aria-label={format!("Who held the CPU over the last {} instructions: kernel {}%", thousands(end - x0), kernel_share)}>
                <rect class="pe-idle" x="0" y="4" width="600" height="28" />
                <g>{ rects }</g>
                <g>{ marks }</g>
            </svg>
            <figcaption>
                { format!("The last {} instructions, oldest on the left; grey = kernel ({}%), lines = timer interrupts.", thousands(end - x0), kernel_share) }
            </figcaption>
        </figure>
    }
}

#[derive(Properties, PartialEq)]
struct CpuRegsProps {
    c: CpuView,
    /// The next instruction's line.
    at: String,
}

#[component]
fn CpuRegs(p: &CpuRegsProps) -> Html {
    let c = &p.c;
    let who = if c.cpl == 0 {
        "the kernel".to_string()
    } else {
        format!("task {}", c.current + 1)
    };
    html! {
        <div class="pe-cpu" data-testid="pe-cpu">
            <div><span class="pe-rn">{ "on the CPU" }</span><strong data-testid="pe-who" class={if c.cpl == 0 { "pe-who pe-k-text" } else { "pe-who" }}>{ who }</strong></div>
            <div><span class="pe-rn">{ "RIP" }</span><code data-testid="pe-rip">{ format!("{:#x}", c.rip) }</code></div>
            <div><span class="pe-rn">{ "RSP" }</span><code data-testid="pe-rsp">{ format!("{:#x}", c.rsp) }</code></div>
            <div><span class="pe-rn">{ "CR3" }</span><code data-testid="pe-cr3">{ format!("{:#x}", c.cr3) }</code></div>
            <div><span class="pe-rn">{ "CPL" }</span><code data-testid="pe-cpl">{ format!("{} (CS {:#x})", c.cpl, c.cs) }</code></div>
            <div><span class="pe-rn">{ "RFLAGS.IF" }</span><code data-testid="pe-if">{ if c.interrupts_on { "1: interrupts on" } else { "0: interrupts off" } }</code></div>
            <div class="pe-next"><span class="pe-rn">{ "next" }</span><code data-testid="pe-next">{ p.at.clone() }</code></div>
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct SavedFrameProps {
    i: usize,
    slots: Vec<Slot>,
}

/// A waiting task's saved frame: unchanged while the task waits, so not re-rendered then.
#[component]
fn SavedFrame(p: &SavedFrameProps) -> Html {
    let (i, slots) = (p.i, &p.slots);
    let rip = slots.iter().find(|s| s.name == "rip").map_or(0, |s| s.value);
    let at = slots.first().map_or(0, |s| s.addr);
    html! {
        <details class="pe-frame" data-testid={format!("pe-frame-{i}")}>
            <summary>{ format!("saved frame at {at:#x}: resumes at RIP {rip:#x}") }</summary>
            <Table caption={format!("Task {}'s registers on its kernel stack", i + 1)} caption_hidden=true cols={vec![Col::Show("address"), Col::Show("slot"), Col::Show("value")]} bare=true>
                    { for slots.iter().enumerate().map(|(k, s)| html! {
                        <tr class={if k >= 15 { "pe-cpu-pushed" } else { "" }}>
                            <td><code>{ format!("{:#x}", s.addr) }</code></td>
                            <td>{ s.name }</td>
                            <td><code>{ format!("{:#x}", s.value) }</code></td>
                        </tr>
                    }) }
            </Table>
            <p class="hint">{ "The first 15 rows were pushed by the kernel's entry code, the last 5 by the CPU itself on entry." }</p>
        </details>
    }
}

#[derive(Properties, PartialEq)]
struct ProcCardProps {
    p: ProcessView,
    in_kernel: bool,
}

/// One task's card.
#[component]
fn ProcCard(props: &ProcCardProps) -> Html {
    let p = &props.p;
    let i = p.index;
    let status = if p.current && !props.in_kernel {
        "running"
    } else if p.current {
        "in the kernel"
    } else {
        "waiting"
    };
    html! {
        <li class={classes!("pe-proc", format!("pe-proc-{i}"), p.current.then_some("pe-current"))} data-testid={format!("pe-proc-{i}")}>
            <div class="pe-proc-head">
                <span class={classes!("pe-swatch", format!("pe-t{i}"))} aria-hidden="true"></span>
                <strong>{ format!("Task {} ({})", i + 1, p.letter) }</strong>
                <span class="pe-status" data-testid={format!("pe-status-{i}")}>{ status }</span>
            </div>
            <div class="pe-proc-body">
                <span>{ p.program.map_or("custom", |x| x.id()) }</span>
                <span>{ "counter " }<strong data-testid={format!("pe-counter-{i}")}>{ thousands(p.counter) }</strong></span>
                <span>{ format!("{} instructions", thousands(p.user_instructions)) }</span>
                <span>{ "CR3 " }<code>{ format!("{:#x}", p.cr3) }</code></span>
                <span>{ format!("data page {:#x} → frame {:#x}", kernel::USER_DATA, p.data_phys) }</span>
            </div>
            if let Some(slots) = &p.saved {
                <SavedFrame i={i} slots={slots.clone()} />
            }
        </li>
    }
}

fn processes_view(sys: &System) -> Html {
    let in_kernel = sys.in_kernel();
    sys.processes()
        .into_iter()
        .map(|p| html! { <ProcCard key={p.index} p={p.clone()} in_kernel={in_kernel} /> })
        .collect()
}

/// One program listing as text, formatted once per machine (it changes only with the
/// programs): the listings are long (the kernel's alone is about a hundred lines), and
/// formatting and diffing them on every step was most of a step's script time (issue #18).
#[derive(Clone, Debug, PartialEq, Eq)]
struct ListingText {
    title: String,
    testid: String,
    /// The whole listing, one line after another.
    text: AttrValue,
    /// Each instruction line's address and where it is in `text` (labels and comments have
    /// none).
    lines: Vec<(u64, std::ops::Range<usize>)>,
}

fn listing_texts(sys: &System) -> Vec<ListingText> {
    let text = |title: String, listing: &Listing, testid: String| {
        let mut text = String::new();
        let mut lines = Vec::new();
        for l in &listing.lines {
            let start = text.len();
            if l.bytes.is_empty() {
                text.push_str(&format!("{:>18}  {}\n", "", l.text));
            } else {
                text.push_str(&format!("{:>18x}  {}\n", l.addr, l.text));
                lines.push((l.addr, start..text.len()));
            }
        }
        ListingText {
            title,
            testid,
            text: text.into(),
            lines,
        }
    };
    let mut out = vec![text(
        "The kernel's code (ring 0; highlighted: the next instruction)".to_string(),
        sys.kernel_listing(),
        "pe-kernel-code".to_string(),
    )];
    out.extend((0..sys.processes_len()).filter_map(|i| {
        sys.listing(i)
            .map(|l| text(format!("Task {}'s program", i + 1), l, format!("pe-code-{i}")))
    }));
    out
}

#[derive(Properties, PartialEq)]
struct ListingsProps {
    texts: Rc<Vec<ListingText>>,
    /// Which listing holds the next instruction (0: the kernel's, 1 + i: task i's) and its
    /// address.
    here: Option<(usize, u64)>,
}

/// The listings, highlighted at the next instruction: a component of its own, so a step that
/// leaves RIP's listing line where it was re-renders none of it. Each listing is at most three
/// text pieces (before the line, the marked line, after it), not a node per line: RIP moves on
/// nearly every step, and a few hundred nodes built and compared per step were a measurable
/// part of a step's script time (issue #18).
#[component]
fn Listings(p: &ListingsProps) -> Html {
    html! {
        <div class="pe-listings">
            { for p.texts.iter().enumerate().map(|(k, t)| {
                let rip = p.here.filter(|(at, _)| *at == k).map(|(_, rip)| rip);
                let at = rip.and_then(|rip| t.lines.iter().find(|(a, _)| *a == rip));
                let body = match at.and_then(|(_, r)| {
                    Some((t.text.get(..r.start)?, t.text.get(r.clone())?, t.text.get(r.end..)?))
                }) {
                    Some((before, line, after)) => html! {
                        <>
                            { before.to_string() }
                            <mark data-testid={format!("{}-here", t.testid)}>{ line.to_string() }</mark>
                            { after.to_string() }
                        </>
                    },
                    None => html! { { t.text.clone() } },
                };
                html! {
                    <details class="pe-listing" data-testid={t.testid.clone()}>
                        <summary>{ t.title.clone() }</summary>
                        <pre>{ body }</pre>
                    </details>
                }
            }) }
        </div>
    }
}

/// Where the next instruction is, for [`Listings`].
fn listing_here(sys: &System) -> Option<(usize, u64)> {
    let c = sys.cpu();
    match c.cpl {
        0 => Some((0, c.rip)),
        3 => Some((1 + c.current, c.rip)),
        _ => None,
    }
}

#[derive(Properties, PartialEq)]
struct LogProps {
    /// The newest switches, newest first.
    shown: Vec<Switch>,
    /// Switches in all.
    total: u64,
}

/// The log of switches, each entry keyed by when it happened: a new switch inserts one entry
/// and drops the oldest instead of rewriting all eight.
#[component]
fn Log(p: &LogProps) -> Html {
    let items: Html = p
        .shown
        .iter()
        .map(|w| {
            let kind = match w.reason {
                Reason::Boot => "boot",
                Reason::Timer => "timer",
                Reason::Yield => "yield",
            };
            html! {
                <li key={format!("{}-{kind}", w.at)} class={format!("pe-ev pe-ev-{kind}")}>
                    <strong>{ w.headline() }</strong>
                    <p>{ w.explain() }</p>
                </li>
            }
        })
        .collect();
    html! {
        <div class="pe-log">
            <h5>{ format!("Kernel trips that switched ({} in all, newest first)", thousands(p.total)) }</h5>
            if p.total == 0 {
                <p class="hint">{ "None yet: the CPU starts in the kernel's boot code. Step, or Step to next switch." }</p>
            } else {
                <ol class="pe-events" data-testid="pe-log">{ items }</ol>
            }
        </div>
    }
}

fn log_view(sys: &System) -> Html {
    let shown: Vec<Switch> = sys.switches().iter().rev().take(LOG_SHOWN).cloned().collect();
    html! { <Log shown={shown} total={sys.switch_total()} /> }
}

#[derive(Properties, PartialEq)]
struct PictureProps {
    pic: Picture,
    desc: String,
}

/// The CPU and the kernel stacks.
#[component]
fn StackPicture(p: &PictureProps) -> Html {
    crate::widgets::cpu_pic::render(&p.pic, "pe-diagram", "The CPU and each task's kernel stack", &p.desc, "pe-stacks", None)
}

#[derive(Properties, PartialEq)]
struct ConsoleProps {
    len: u64,
    tail: String,
}

#[component]
fn Console(p: &ConsoleProps) -> Html {
    html! {
        <div class="pe-console">
            <span class="pe-rn">{ format!("console ({} bytes written by write(1, …))", thousands(p.len)) }</span>
            <pre data-testid="pe-console">{ p.tail.clone() }</pre>
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct ControlsProps {
    settings: Settings,
    period_text: (String, Option<String>),
    yield_text: (String, Option<String>),
    d: Dispatcher<State>,
}

/// The settings above the machine: unchanged by a step, so not re-rendered by one.
#[component]
fn Controls(p: &ControlsProps) -> Html {
    let state = &p.d;
    let on_count = state.on_pick(Action::Count);
    let sharing_cb = |m: Sharing| state.on(Action::Sharing(m));
    let on_period = state.on_text(Action::Period);
    let on_yield = {
        let state = p.d.clone();
        Callback::from(move |e: InputEvent| {
            state.dispatch(Action::YieldEvery(dom::input_text(&e)))
        })
    };
    let s = &p.settings;
    let coop = s.sharing == Sharing::Cooperative;
    let program_pickers: Html = s
        .programs
        .iter()
        .enumerate()
        .map(|(i, cur)| {
            let state = p.d.clone();
            let on = Callback::from(move |e: Event| {
                if let Some(p) = Program::from_id(&dom::event_value(&e)) {
                    state.dispatch(Action::Program(i, p));
                }
            });
            html! {
                <label class="inline pe-pick">
                    <span class={classes!("pe-swatch", format!("pe-t{i}"))} aria-hidden="true"></span>
                    { format!("Task {} ", i + 1) }
                    <select data-testid={format!("pe-prog-{i}")} onchange={on}>
                        { for Program::ALL.iter().map(|p| html! { <option value={p.id()} selected={p == cur}>{ p.about() }</option> }) }
                    </select>
                </label>
            }
        })
        .collect();
    html! {
        <>
            <div class="pe-controls">
                <label class="inline">{ "Processes " }
                    <select data-testid="pe-count" onchange={on_count}>
                        { for (MIN_PROCS..=MAX_PROCS).map(|n| html! { <option value={n.to_string()} selected={s.programs.len() == n}>{ n.to_string() }</option> }) }
                    </select>
                </label>
                { program_pickers }
            </div>
            <div class="pe-controls">
                <fieldset class="pe-mode">
                    <legend>{ "Sharing the CPU" }</legend>
                    <label class="inline"><input type="radio" name="pe-mode" data-testid="pe-mode-pre" checked={!coop} onchange={sharing_cb(Sharing::Preemptive)} />{ " preemptive: timer every " }</label>
                    <input type="number" min="1" max="1000000" class="pe-num" data-testid="pe-period" aria-label="timer period in instructions"
                        value={p.period_text.0.clone()} oninput={on_period} disabled={coop}
                        aria-invalid={p.period_text.1.is_some().then_some("true")} />
                    <span>{ " instructions" }</span>
                    <br />
                    <label class="inline"><input type="radio" name="pe-mode" data-testid="pe-mode-coop" checked={coop} onchange={sharing_cb(Sharing::Cooperative)} />{ " cooperative: no timer; counters yield every " }</label>
                    <input type="number" min="1" max="1000000" class="pe-num" data-testid="pe-yield" aria-label="yield every this many increments"
                        value={p.yield_text.0.clone()} oninput={on_yield} disabled={!coop}
                        aria-invalid={p.yield_text.1.is_some().then_some("true")} />
                    <span>{ " increments" }</span>
                    if let Some(e) = &p.period_text.1 { <p class="field-error" data-testid="pe-period-error">{ format!("Timer period: {e}") }</p> }
                    if let Some(e) = &p.yield_text.1 { <p class="field-error" data-testid="pe-yield-error">{ format!("Yield interval: {e}") }</p> }
                </fieldset>
            </div>
        </>
    }
}

/// The preemption widget.
#[component]
pub fn PreemptionWidget() -> Html {
    let state = use_url_reducer::<State>();
    // One layout at a time: the narrow one on a phone (the wide one outside a browser).
    let narrow = crate::ui::use_narrow().unwrap_or(false);
    // While running, a slice every tick (fewer, longer ones under reduced motion).
    {
        let run = state.running.then(|| {
            if reduced_motion() {
                (CALM_TICK_MS, RUN_SLICE * u64::from(CALM_TICK_MS / TICK_MS))
            } else {
                (TICK_MS, RUN_SLICE)
            }
        });
        let dispatcher = state.dispatcher();
        use_background_run((), run.map(|(ms, _)| Pace::Every(ms)), move || {
            if let Some((_, n)) = run {
                dispatcher.dispatch(Action::Tick(n));
            }
        });
    }
    // A "Step to next switch" still searching: its next time slice in a task of its own, once
    // the last one's count is on screen (issue #18).
    {
        let dispatcher = state.dispatcher();
        use_background_run(
            state.seek.map(|k| k.taken),
            state.seek.is_some().then_some(Pace::Chunks),
            move || dispatcher.dispatch(Action::SeekMore),
        );
    }
    let click = |a: Action| state.on(a.clone());
    let on_reset = state.on(Action::Reset);
    // The listings' text, formatted once per machine (its programs), not on every step.
    let texts = {
        let sys = state.sys.clone();
        use_memo(state.settings.clone(), move |_| {
            Rc::new(sys.as_deref().map(listing_texts).unwrap_or_default())
        })
    };
    let texts: Rc<Vec<ListingText>> = (*texts).clone();
    let stopped = state.sys.as_ref().is_none_or(|x| x.stopped().is_some());
    let body = match &state.sys {
        Some(sys) => html! {
            <>
                <StackPicture pic={super::diagram::layout(sys, narrow)} desc={super::diagram::describe(sys)} />
                <Timeline ..TimelineProps::of(sys) />
                <details class="pe-cpu-wrap">
                    <summary>{ "The CPU's registers in full" }</summary>
                    <CpuRegs c={sys.cpu()} at={sys.line_at_rip().unwrap_or("—").to_string()} />
                </details>
                if let Some(why) = state.frozen() {
                    <div class="pe-frozen" role="status" data-testid="pe-frozen">
                        <strong>{ "No switch can happen any more. " }</strong>{ why }
                    </div>
                }
                <ul class="pe-procs">{ processes_view(sys) }</ul>
                <Console len={sys.console_len()} tail={tail(&sys.console(), 240)} />
                <Listings texts={texts.clone()} here={listing_here(sys)} />
                { log_view(sys) }
            </>
        },
        None => html! {},
    };
    html! {
        <Frame id={super::ID} title="Taking the CPU back" subtitle="Processes on the simulated CPU, a timer interrupt, and the kernel's context switch" on_reset={on_reset} live={Some(AttrValue::from(state.announce.clone()))}>
            <Controls settings={state.settings.clone()} period_text={state.period_text.clone()} yield_text={state.yield_text.clone()} d={state.dispatcher()} />
            <Stepper label="Run the machine" class="pe-stepper" steps={vec![
                Control::button("Step", click(Action::Step)).testid("pe-step").disabled(stopped),
                if state.seek.is_some() {
                    Control::button("Stop", click(Action::Pause)).testid("pe-seek-stop")
                } else {
                    Control::button("Step to next switch", click(Action::StepSwitch)).testid("pe-step-switch").disabled(stopped)
                },
                if state.running {
                    Control::button("Pause", click(Action::Pause)).testid("pe-pause")
                } else {
                    Control::button("Run", click(Action::Run)).testid("pe-run").disabled(stopped)
                },
                Control::hint(format!("{} instructions, {} timer interrupts, {} yields",
                    thousands(state.sys.as_ref().map_or(0, |x| x.instructions())),
                    thousands(state.sys.as_ref().map_or(0, |x| x.timer_interrupts())),
                    thousands(state.sys.as_ref().map_or(0, |x| x.yields())))).testid("pe-count-text"),
            ]} />
            if let Some(e) = &state.error { <p class="asm-error" data-testid="pe-error">{ e.clone() }</p> }
            { body }
        </Frame>
    }
}

/// The last `n` characters.
fn tail(s: &str, n: usize) -> String {
    let count = s.chars().count();
    s.chars().skip(count.saturating_sub(n)).collect()
}
