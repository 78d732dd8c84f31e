//! The view of `scheduler`.

use crate::ui::{use_background_run, use_url_reducer, Col, Dispatch, Dispatcher, Frame, Pace, Table};
use crate::dom;
use crate::ui::svg::PALETTE;
use super::state::{
    compute, PolicyId, Action, State, MAX_WIDGET_TASKS, PRESETS,
    WIDGET_MAX_EVENTS,
};
use super::diagram::{draw as draw_workload, layout as layout_workload, Grab, WIDTH as WORKLOAD_W};
use crate::widgets::hit::picture;
use std::cell::Cell;
use std::rc::Rc;
use yew::prelude::*;
use youcpu_core::sched::sim::{SimResult, SliceKind};

/// `format!("{v:.decimals$}")` for chart coordinates without the float-to-decimal machinery,
/// which took most of the scheduler's render time (issue #8): the magnitude is scaled to an
/// integer, rounded, and printed as one. Values within 1e-6 of a rounding tie, non-finite or
/// large ones (where an `f64` product could round the other way) go through `format!`, so the
/// text is always what `format!` gives.
pub(crate) fn fixed(v: f64, decimals: usize) -> String {
    const SCALE: [f64; 4] = [1.0, 10.0, 100.0, 1000.0];
    let Some(&scale) = SCALE.get(decimals) else {
        return format!("{v:.decimals$}");
    };
    let scaled = v.abs() * scale;
    // Below 1e9 an f64's spacing is under 2e-7, so the product is within that of the exact
    // value and rounds the same way unless the exact value is within 1e-6 of a tie.
    if scaled.is_nan() || scaled >= 1e9 || (scaled - scaled.floor() - 0.5).abs() < 1e-6 {
        return format!("{v:.decimals$}");
    }
    let n = scaled.round() as u64;
    let unit = scale as u64;
    let mut out = String::with_capacity(16);
    if v.is_sign_negative() {
        out.push('-');
    }
    out.push_str(&(n / unit).to_string());
    if decimals > 0 {
        let frac = (n % unit).to_string();
        out.push('.');
        for _ in frac.len()..decimals {
            out.push('0');
        }
        out.push_str(&frac);
    }
    out
}

fn fmt_opt(v: Option<f64>) -> String {
    v.map(|x| format!("{x:.1}")).unwrap_or_else(|| "–".into())
}

/// The chart's frame: the `svg` with its test id and label, around the memoised body, so that
/// marking a run pending (its test id changes) does not rebuild its bars (issue #8).
fn gantt(r: &Rc<SimResult>, n: usize, scale_end: u64, key: &str, narrow: bool) -> Html {
    let (w, row_h) = gantt_size(narrow);
    let height = row_h * n as f64 + 22.0;
    html! {
        <svg class="gantt" viewBox={format!("0 0 {w} {height:.0}")} role="img" data-testid={format!("sch-gantt-{key}")}
            aria-label={format!("Gantt chart: which task runs when, 0 to {} ms", r.overall.end)}>
            <GanttBody result={r.clone()} n={n} scale_end={scale_end} narrow={narrow} />
        </svg>
    }
}

/// Width of a Gantt chart's view box.
const GANTT_W: f64 = 640.0;
/// Height of one task's row in a Gantt chart.
const GANTT_ROW_H: f64 = 16.0;
/// On a phone: a chart drawn about 1:1 on a 360 px screen, with taller rows for its larger text.
const GANTT_NARROW: (f64, f64) = (300.0, 20.0);

/// A Gantt chart's viewBox width and row height, wide or narrow.
fn gantt_size(narrow: bool) -> (f64, f64) {
    if narrow {
        GANTT_NARROW
    } else {
        (GANTT_W, GANTT_ROW_H)
    }
}

/// Props of [`GanttBody`]: equal when they share the same result (by pointer), rows and scale.
#[derive(Properties)]
struct GanttBodyProps {
    result: Rc<SimResult>,
    n: usize,
    scale_end: u64,
    narrow: bool,
}

impl PartialEq for GanttBodyProps {
    fn eq(&self, o: &Self) -> bool {
        Rc::ptr_eq(&self.result, &o.result) && self.n == o.n && self.scale_end == o.scale_end && self.narrow == o.narrow
    }
}

/// A Gantt chart's labels, axis and bars.
#[component]
fn GanttBody(p: &GanttBodyProps) -> Html {
    let (w, row_h) = gantt_size(p.narrow);
    gantt_body(&p.result, p.n, p.scale_end, w, row_h)
}

/// A Gantt chart's labels, axis and bars, `width` units wide (the widget's charts, and the
/// figure of Part 2 drawn with the same code), with rows `row_h` units tall.
pub(crate) fn gantt_body(r: &SimResult, n: usize, scale_end: u64, width: f64, row_h: f64) -> Html {
    // "task 10" in the labels' font, with room to spare: 58 units at 11 px, less in a narrow
    // chart, where the plot needs every unit.
    let label_w = if width < 400.0 { 46.0 } else { 58.0 };
    let plot_w = width - label_w - 8.0;
    let end = scale_end.max(1) as f64;
    let x = |t: u64| label_w + plot_w * t as f64 / end;
    let bars: Html = r
        .timeline
        .iter()
        .map(|s| {
            let (x0, x1) = (x(s.start), x(s.end));
            let w = (x1 - x0).max(0.8);
            match s.kind {
                SliceKind::Run { task } => html! {
                    <rect class={format!("c{}", task % PALETTE)} x={fixed(x0, 2)} y={fixed(row_h * task as f64 + 1.0, 1)} width={fixed(w, 2)} height={fixed(row_h - 3.0, 1)}>
                        <title>{ if r.cpus > 1 { format!("task {} runs {}–{} ms on CPU {}", task + 1, s.start, s.end, s.cpu + 1) } else { format!("task {} runs {}–{} ms", task + 1, s.start, s.end) } }</title>
                    </rect>
                },
                SliceKind::Switch { to, .. } => html! {
                    <rect class="switch" x={fixed(x0, 2)} y={fixed(row_h * to as f64 + 1.0, 1)} width={fixed(w, 2)} height={fixed(row_h - 3.0, 1)}>
                        <title>{ format!("switching to task {}: {}–{} ms", to + 1, s.start, s.end) }</title>
                    </rect>
                },
                SliceKind::Idle => html! {},
            }
        })
        .collect();
    let labels: Html = (0..n)
        .map(|i| html! { <text class="lbl" x="0" y={fixed(row_h * i as f64 + row_h * 0.75, 1)}>{ format!("task {}", i + 1) }</text> })
        .collect();
    // About six ticks on a 1-2-5 scale (four in a narrow chart, where "1000" is a tenth of it).
    let most = if width < 400.0 { 5 } else { 8 };
    let step = [
        1u64, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000,
    ]
    .into_iter()
    .find(|s| scale_end / s <= most)
    .unwrap_or(50000);
    let axis_y = row_h * n as f64 + 2.0;
    let ticks: Html = (0..=scale_end / step)
        .map(|k| {
            let t = k * step;
            let tx = x(t);
            let txs = fixed(tx, 1);
            html! { <g><line class="tick" x1={txs.clone()} x2={txs.clone()} y1={fixed(axis_y, 1)} y2={fixed(axis_y + 4.0, 1)} /><text class="val" x={txs} y={fixed(axis_y + 16.0, 1)} text-anchor="middle">{ t }</text></g> }
        })
        .collect();
    html! {
        <>
            { labels }
            <line class="axis" x1={format!("{label_w}")} x2={fixed(label_w + plot_w, 1)} y1={fixed(axis_y, 1)} y2={fixed(axis_y, 1)} />
            { ticks }
            { bars }
        </>
    }
}

/// Props of [`GanttChart`]. Equal when they share the same result (compared by pointer: a
/// new result is a new `Rc`, so no timeline is compared element by element).
#[derive(Properties)]
struct GanttProps {
    result: Rc<SimResult>,
    n: usize,
    scale_end: u64,
    testkey: AttrValue,
    narrow: bool,
}

impl PartialEq for GanttProps {
    fn eq(&self, o: &Self) -> bool {
        Rc::ptr_eq(&self.result, &o.result)
            && self.n == o.n
            && self.scale_end == o.scale_end
            && self.testkey == o.testkey
            && self.narrow == o.narrow
    }
}

/// One policy's Gantt chart as a component of its own, so that when one policy's result
/// arrives the charts whose inputs did not change are not rebuilt (issue #8).
#[component]
fn GanttChart(p: &GanttProps) -> Html {
    gantt(&p.result, p.n, p.scale_end, &p.testkey, p.narrow)
}

fn fair_chart(r: &SimResult, n: usize, eevdf: bool, narrow: bool) -> Html {
    let width = if narrow { 300.0_f64 } else { 640.0_f64 };
    let height = 200.0_f64;
    let (l, rgt, top, bot) = (56.0, 8.0, 8.0, 22.0);
    let value = |p: &youcpu_core::sched::sim::FairPoint| if eevdf { p.lag } else { p.vruntime };
    let (mut lo, mut hi) = (i64::MAX, i64::MIN);
    let mut tmax = 1u64;
    for p in &r.fair {
        lo = lo.min(value(p));
        hi = hi.max(value(p));
        tmax = tmax.max(p.time);
    }
    if r.fair.is_empty() {
        return html! {};
    }
    if hi == lo {
        hi = lo + 1;
    }
    let x = |t: u64| l + (width - l - rgt) * t as f64 / tmax as f64;
    let y = |v: i64| top + (height - top - bot) * (1.0 - (v - lo) as f64 / (hi - lo) as f64);
    let lines: Html = (0..n)
        .map(|i| {
            let mut pts = String::new();
            for p in r.samples_of(i) {
                if !pts.is_empty() {
                    pts.push(' ');
                }
                pts.push_str(&fixed(x(p.time), 1));
                pts.push(',');
                pts.push_str(&fixed(y(value(p)), 1));
            }
            html! { <polyline class={format!("line s{}", i % PALETTE)} points={pts} /> }
        })
        .collect();
    let what = if eevdf {
        "lag (V − vruntime)"
    } else {
        "vruntime"
    };
    html! {
        <figure class="fair">
            <svg class="fair-chart" viewBox={format!("0 0 {width} {height}")} role="img" aria-label={format!("Each task's {what} over time")}>
                <text class="val" x="0" y="14">{ format!("{:.2} ms", hi as f64 / 1e6) }</text>
                <text class="val" x="0" y={format!("{:.0}", height - bot)}>{ format!("{:.2} ms", lo as f64 / 1e6) }</text>
                if eevdf && lo < 0 && hi > 0 {
                    <line class="zero" x1={format!("{l}")} x2={fixed(width - rgt, 1)} y1={fixed(y(0), 1)} y2={fixed(y(0), 1)} />
                }
                { lines }
            </svg>
            <figcaption>{ if eevdf {
                "EEVDF: each task's lag, how much CPU time it is owed (above zero) or has had in advance (below). A task is eligible when its lag is not negative; among those, the earliest virtual deadline runs. Lag stays within about a slice of zero."
            } else {
                "CFS: each task's vruntime, its CPU time scaled by 1024 / weight. CFS always runs the task with the smallest vruntime, so the lines climb together; a heavier (lower nice) task's line climbs more slowly, so it gets more real time."
            } }</figcaption>
        </figure>
    }
}

/// Props of [`Details`]: equal when they show the same result (by pointer) of the same policy.
#[derive(Properties)]
struct DetailsProps {
    policy: PolicyId,
    result: Rc<SimResult>,
    n: usize,
    narrow: bool,
}

impl PartialEq for DetailsProps {
    fn eq(&self, o: &Self) -> bool {
        Rc::ptr_eq(&self.result, &o.result) && self.policy == o.policy && self.n == o.n && self.narrow == o.narrow
    }
}

/// The focused policy's table and fair chart as a component of its own, so that renders which
/// do not change its result (another policy arriving, a keystroke) skip it (issue #8).
#[component]
fn Details(p: &DetailsProps) -> Html {
    details(p.policy, &p.result, p.n, p.narrow)
}

fn details(policy: PolicyId, r: &SimResult, n: usize, narrow: bool) -> Html {
    let rows: Html = r
        .tasks
        .iter()
        .map(|t| {
            let o = |v: Option<u64>| v.map(|x| x.to_string()).unwrap_or_else(|| "–".into());
            html! {
                <tr>
                    <th scope="row">{ format!("task {}", t.id + 1) }</th>
                    <td data-label="Arrival" class="num">{ t.arrival }</td><td data-label="CPU" class="num">{ t.cpu_demand }</td>
                    <td data-label="First run" class="num">{ o(t.first_run) }</td><td data-label="Done" class="num">{ o(t.completion) }</td>
                    <td data-label="Response" class="num">{ o(t.response) }</td><td data-label="Turnaround" class="num">{ o(t.turnaround) }</td>
                    <td data-label="Wait" class="num">{ t.wait }</td><td data-label="CPU share" class="num">{ format!("{:.0}%", t.cpu_share * 100.0) }</td>
                    <td data-label="Switched in" class="num">{ t.context_switches }</td>
                </tr>
            }
        })
        .collect();
    html! {
        <div class="sch-details" data-testid="sch-details">
            <h5>{ format!("{}: every task", policy.label()) }</h5>
            <Table stack=true cols={vec![Col::Show("Task"), Col::Show("Arrival"), Col::Show("CPU"), Col::Show("First run"), Col::Show("Done"), Col::Show("Response"), Col::Show("Turnaround"), Col::Show("Wait"), Col::Show("CPU share"), Col::Show("Switched in")]}>
                { rows }
            </Table>
            if policy.is_fair() { { fair_chart(r, n, policy == PolicyId::Eevdf, narrow) } }
        </div>
    }
}

/// The scheduler comparison widget.
#[component]
pub fn SchedulerWidget() -> Html {
    let state = use_url_reducer::<State>();
    // One layout at a time: the narrow one on a phone (the wide one outside a browser).
    let narrow = crate::ui::use_narrow().unwrap_or(false);
    // One policy per timer task, so no task runs more than one simulation; a new job
    // (generation) cancels the step still pending, and the reducer drops a stale result.
    {
        let pending = state.pending();
        let next = state.job.clone().zip(pending.first().copied());
        let generation = state.generation;
        let dispatcher: Dispatcher<State> = state.dispatcher();
        use_background_run(
            (generation, pending.len()),
            next.is_some().then_some(Pace::Chunks),
            move || {
                if let Some((job, policy)) = &next {
                    let result = compute(job, *policy);
                    dispatcher.dispatch(Action::Arrived {
                        generation,
                        policy: *policy,
                        result,
                    });
                }
            },
        );
    }
    let click = |a: Action| state.on(a.clone());
    let input = |f: fn(String) -> Action| state.on_text(f);
    let row_input = |i: usize, f: fn(usize, String) -> Action| {
        let state = state.clone();
        Callback::from(move |e: InputEvent| state.dispatch(f(i, dom::input_text(&e))))
    };
    let on_preset = state.on_pick(Action::Preset);
    let on_reset = state.on(Action::Reset);
    let n = state.rows.len();
    let grab = (*use_state(|| Rc::new(Cell::new(Grab::default())))).clone();
    let hold = Some(grab.get()).filter(|g| g.active).map_or(0, |g| g.scale_end);
    let send = {
        let state = state.clone();
        Callback::from(move |a: Action| state.dispatch(a))
    };
    let workload = state.job.as_ref().map(|j| layout_workload(&j.tasks, hold));
    let scale_end = state
        .runs
        .iter()
        .filter_map(|r| match &r.result {
            Some(Ok(res)) => Some(res.overall.end),
            _ => None,
        })
        .max()
        .unwrap_or(1);

    let task_rows: Html = state
        .rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let cell = |id: String, label: String, f: &crate::ui::Field, cb: Callback<InputEvent>, class: &'static str, col: &'static str| html! {
                <td data-label={col}>
                    <input type="text" id={id.clone()} data-testid={id.clone()} class={class} aria-label={label} value={f.text.clone()} oninput={cb}
                        aria-invalid={f.error.is_some().to_string()} spellcheck="false" autocomplete="off" />
                    if let Some(e) = &f.error { <span class="field-error" data-testid={format!("{id}-error")}>{ e.clone() }</span> }
                </td>
            };
            html! {
                <tr key={i}>
                    <th scope="row"><span class={classes!("swatch", format!("c{}", i % PALETTE))}></span>{ format!("task {}", i + 1) }</th>
                    { cell(format!("sch-arrival-{i}"), format!("arrival of task {} in ms", i + 1), &r.arrival, row_input(i, Action::Arrival), "short", "Arrival (ms)") }
                    { cell(format!("sch-pattern-{i}"), format!("CPU bursts and I/O waits of task {}", i + 1), &r.pattern, row_input(i, Action::Pattern), "pattern", "CPU bursts, io waits") }
                    { cell(format!("sch-nice-{i}"), format!("nice value of task {}", i + 1), &r.nice, row_input(i, Action::Nice), "short", "Nice") }
                    <td data-label="Remove"><button type="button" class="btn icon" aria-label={format!("remove task {}", i + 1)} disabled={n <= 1} onclick={click(Action::RemoveTask(i))}>{ "×" }</button></td>
                </tr>
            }
        })
        .collect();

    let toggles: Html = PolicyId::ALL
        .into_iter()
        .map(|p| {
            let on = state.policies.contains(&p);
            html! { <button type="button" class="btn" aria-pressed={on.to_string()} data-testid={format!("sch-toggle-{}", p.key())} onclick={click(Action::Toggle(p))}>{ p.label() }</button> }
        })
        .collect();

    let charts: Html = state
        .runs
        .iter()
        .map(|run| {
            let focused = run.policy == state.focus;
            // While pending, the previous result stays in place (dimmed) without its test ids,
            // and a policy with no result yet gets an empty chart of the same height, so the
            // layout does not move when the result arrives.
            let key = run.policy.key();
            let body = match (&run.result, run.pending) {
                (Some(Ok(r)), false) => html! {
                    <>
                        <GanttChart result={r.clone()} n={n} scale_end={scale_end} testkey={key} narrow={narrow} />
                        <p class="sch-metrics" data-testid={format!("sch-metrics-{key}")}>
                            { format!("avg response {} · avg turnaround {} · avg wait {:.1} · {} switches", fmt_opt(r.overall.avg_response), fmt_opt(r.overall.avg_turnaround), r.overall.avg_wait, r.overall.context_switches) }
                            if r.overall.switch_time > 0 { { format!(" · {} ms switching", r.overall.switch_time) } }
                        </p>
                    </>
                },
                (Some(Ok(r)), true) => html! {
                    <>
                        <GanttChart result={r.clone()} n={n} scale_end={scale_end} testkey="old" narrow={narrow} />
                        <p class="sch-metrics">{ "computing…" }</p>
                    </>
                },
                (Some(Err(e)), false) => html! { <p class="asm-error" role="status">{ e.clone() }</p> },
                (_, true) => html! {
                    <>
                        <svg class="gantt" viewBox={format!("0 0 {} {:.0}", gantt_size(narrow).0, gantt_size(narrow).1 * n as f64 + 22.0)} role="img" aria-label="computing"></svg>
                        <p class="sch-metrics">{ "computing…" }</p>
                    </>
                },
                (None, false) => html! {},
            };
            html! {
                <div class={classes!("sch-run", focused.then_some("focused"), run.pending.then_some("computing"))} aria-busy={run.pending.to_string()}>
                    <div class="sch-run-head">
                        <h5>{ run.policy.label() }</h5>
                        <button type="button" class="btn small" aria-pressed={focused.to_string()} onclick={click(Action::Focus(run.policy))}>{ "Details" }</button>
                    </div>
                    { body }
                </div>
            }
        })
        .collect();

    let focused_run = state
        .runs
        .iter()
        .find(|r| r.policy == state.focus)
        .and_then(|r| match &r.result {
            Some(Ok(res)) => Some((r.policy, res.clone())),
            _ => None,
        });
    // A summary for screen readers: each policy's averages, not the whole chart, announced
    // once every policy's result has arrived.
    let live = state.summary.clone();

    html! {
        <Frame id={super::ID} title="Scheduler comparison"
             subtitle={format!("One workload, several policies, side by side (times in ms; {})", if state.cpus.text.trim() == "1" { "one CPU".to_string() } else { format!("{} CPUs", state.cpus.text.trim()) })} on_reset={on_reset} live={Some(AttrValue::from(live))}>
            <div class="sch-toolbar">
                <label class="inline">{ "Workload " }
                    <select data-testid="sch-preset" onchange={on_preset}>
                        <option value="" selected=true disabled=true>{ "choose a preset…" }</option>
                        { for PRESETS.iter().enumerate().map(|(i, p)| html! { <option value={i.to_string()}>{ p.name }</option> }) }
                    </select>
                </label>
                <label class="inline">{ "RR quantum " }
                    <input type="text" class="short" data-testid="sch-quantum" value={state.quantum.text.clone()} oninput={input(Action::Quantum)} aria-invalid={state.quantum.error.is_some().to_string()} />{ " ms" }
                </label>
                <label class="inline">{ "Switch cost " }
                    <input type="text" class="short" data-testid="sch-switch" value={state.switch_cost.text.clone()} oninput={input(Action::SwitchCost)} aria-invalid={state.switch_cost.error.is_some().to_string()} />{ " ms" }
                </label>
                <label class="inline">{ "CPUs " }
                    <input type="text" class="short" data-testid="sch-cpus" inputmode="numeric" value={state.cpus.text.clone()} oninput={input(Action::Cpus)} aria-invalid={state.cpus.error.is_some().to_string()} />
                </label>
            </div>
            if let Some(e) = state.quantum.error.as_ref().or(state.switch_cost.error.as_ref()).or(state.cpus.error.as_ref()) { <p class="field-error" role="status">{ e.clone() }</p> }
            if let Some(w) = &workload {
                { picture("scheduler-workload", "sch-workload", "The workload: when each task arrives and what it asks for", w.desc.clone(),
                    (WORKLOAD_W, w.height), 560.0, draw_workload(w, Some(&send), &grab)) }
                <p class="hint">{ "Drag a task's bar to move its arrival, its grip (the right end) to change its last CPU burst, or its knob on the right to change its nice value; or focus one and use the arrow keys. Solid: wants the CPU; hollow: waits for I/O. Every policy below answers as you drag (nice matters to CFS and EEVDF)." }</p>
            }
            <Table class="sch-tasks" stack=true caption="The workload" caption_hidden=true cols={vec![Col::Show("Task"), Col::Show("Arrival (ms)"), Col::Show("CPU bursts, io waits"), Col::Show("Nice"), Col::Hide("Remove")]}>
                { task_rows }
            </Table>
            <p class="hint">{ "A pattern like 2 io3 2 runs 2 ms, waits 3 ms for I/O, then runs 2 ms more. Nice values matter only to the Linux policies." }</p>
            <p class="hint">{ format!("Each policy simulates at most {WIDGET_MAX_EVENTS} scheduling events, one policy at a time, so the page stays responsive; a longer workload shows an error instead of a chart.") }</p>
            <button type="button" class="btn" data-testid="sch-add" disabled={n >= MAX_WIDGET_TASKS} onclick={click(Action::AddTask)}>
                { if n >= MAX_WIDGET_TASKS { format!("{MAX_WIDGET_TASKS} tasks at most") } else { "Add a task".to_string() } }
            </button>
            <div class="seg wrap" role="group" aria-label="Policies to compare"><span class="seg-label">{ "Compare:" }</span>{ toggles }</div>
            if state.has_errors() {
                <p class="stale" role="status" data-testid="sch-stale">{ "Showing the last valid run until the highlighted fields are fixed." }</p>
            }
            <div class="sch-runs">{ charts }</div>
            if let Some((policy, result)) = focused_run { <Details policy={policy} result={result} n={n} narrow={narrow} /> }
        </Frame>
    }
}

#[cfg(test)]
mod tests {

    use super::fixed;

    #[test]
    fn fixed_prints_what_format_prints() {
        // A sweep over chart-sized values, ties and near-ties, signs, zero, and the fall-backs.
        let mut values = vec![
            0.0,
            -0.0,
            0.05,
            0.15,
            0.25,
            0.35,
            0.125,
            0.005,
            -0.004,
            1e9,
            2e12,
            640.0,
            1e-7,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ];
        for k in 0..20_000u32 {
            let v = f64::from(k) * 0.0317 - 100.0;
            values.push(v);
            values.push(58.0 + 574.0 * f64::from(k) / 7919.0);
            values.push(f64::from(k) / 8.0);
        }
        for v in values {
            for d in 0..5 {
                assert_eq!(fixed(v, d), format!("{v:.d$}"), "{v} to {d} places");
            }
        }
    }
}
