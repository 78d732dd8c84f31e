//! The view of `timeslice`.

use crate::ui::{use_url_reducer, Col, Dispatch, Frame, LabelledInput, Table};
use crate::dom;
use super::diagram::{draw, layout, WIDTH};
use super::state::{Action, State, WIDGET_MAX_TASKS};
use crate::ui::Diagram;
use yew::prelude::*;
use youcpu_core::sched::timeslice::Timeslice;
use youcpu_core::sched::Regime;
use youcpu_core::units::ms_string;

fn explain(t: &Timeslice, tasks: usize, cpus: u32) -> (String, String) {
    let lat = ms_string(t.scaled_latency_ns);
    let gran = ms_string(t.scaled_min_granularity_ns);
    let scaling = if t.factor == 1 {
        format!(
            "With {cpus} CPU the scaling factor 1 + log₂(1) is 1, so the base values apply as they are: {lat} ms and {gran} ms."
        )
    } else {
        format!(
            "With {cpus} CPUs the kernel multiplies both base values by 1 + log₂(min({cpus}, 8)) = {}: latency {lat} ms, granularity {gran} ms.",
            t.factor
        )
    };
    let regime = match t.regime {
        Regime::Latency => format!(
            "{tasks} runnable task{} ≤ {} (latency ÷ granularity, rounded up): the period is the target latency, {lat} ms, divided by weight.",
            if tasks == 1 { "" } else { "s" },
            t.nr_latency
        ),
        Regime::MinGranularity => format!(
            "{tasks} runnable tasks > {}: splitting {lat} ms {tasks} ways would go under the {gran} ms floor, so the period grows to {tasks} × {gran} = {} ms.",
            t.nr_latency,
            ms_string(t.period_ns)
        ),
    };
    (scaling, regime)
}

/// The timeslice calculator widget.
#[component]
pub fn TimesliceWidget() -> Html {
    // From the URL, and mirrored into it so a link reproduces it.
    let state = use_url_reducer::<State>();

    let send = |f: fn(String) -> Action| {
        let state = state.clone();
        Callback::from(move |v: String| state.dispatch(f(v)))
    };
    let on_reset = state.on(Action::Reset);

    let t = &state.result;
    let chart = layout(t);
    let on_nice = {
        let state = state.clone();
        Callback::from(move |(i, n): (usize, i32)| state.dispatch(Action::Nice(i, n.to_string())))
    };
    let (scaling, regime) = explain(t, t.slices.len(), state.result_cpus);
    // For screen readers: the result in one sentence (the regime's explanation is on screen).
    let live = format!(
        "{} tasks on {} CPUs: period {} ms; {}",
        t.slices.len(),
        state.result_cpus,
        ms_string(t.period_ns),
        match t.regime {
            Regime::Latency => "the period is the scaled latency",
            Regime::MinGranularity =>
                "the period is stretched to tasks times the minimum granularity",
        }
    );
    let nice_rows: Html = state
        .nice
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let s = t.slices.get(i);
            let cb = {
                let state = state.clone();
                Callback::from(move |e: InputEvent| state.dispatch(Action::Nice(i, dom::input_text(&e))))
            };
            let nid = format!("ts-nice-{i}");
            let share = s.map(|s| 100.0 * s.weight as f64 / t.total_weight.max(1) as f64);
            html! {
                <tr key={i}>
                    <th scope="row">{ format!("task {}", i + 1) }</th>
                    <td data-label="Nice">
                        <input id={nid.clone()} data-testid={nid.clone()} class="nice" type="text" inputmode="numeric"
                            aria-label={format!("nice value of task {}", i + 1)} value={f.text.clone()} oninput={cb}
                            aria-invalid={f.error.is_some().to_string()} aria-describedby={format!("{nid}-error")} />
                        <span class="field-error" id={format!("{nid}-error")} data-testid={format!("{nid}-error")}>{ f.error.clone().unwrap_or_default() }</span>
                    </td>
                    <td data-label="Weight" class="num">{ s.map(|s| s.weight.to_string()).unwrap_or_default() }</td>
                    <td data-label="Share" class="num">{ share.map(|p| format!("{p:.1}%")).unwrap_or_default() }</td>
                    <td data-label="Slice (ms)" class="num" data-testid={format!("ts-slice-{i}")}>{ s.map(|s| ms_string(s.slice_ns)).unwrap_or_default() }</td>
                    <td data-label="Note" class="note">{ if s.is_some_and(|s| s.floored) { "raised to the floor" } else { "" } }</td>
                </tr>
            }
        })
        .collect();

    html! {
        <Frame id={super::ID} title="Timeslice calculator"
            subtitle="Linux CFS (2.6.23 to 6.5): the scheduling period and each task's share of it" on_reset={on_reset} live={Some(AttrValue::from(live))}>
            <div class="ts-controls">
                <LabelledInput id="ts-latency" label="Target latency (base)" unit="ms" inputmode="decimal" field={state.latency.clone()} oninput={send(Action::Latency)} />
                <LabelledInput id="ts-granularity" label="Minimum granularity (base)" unit="ms" inputmode="decimal" field={state.granularity.clone()} oninput={send(Action::Granularity)} />
                <LabelledInput id="ts-tasks" label={format!("Runnable tasks (1 to {WIDGET_MAX_TASKS})")} unit="" inputmode="numeric" field={state.tasks.clone()} oninput={send(Action::Tasks)} />
                <LabelledInput id="ts-cpus" label="CPUs" unit="" inputmode="numeric" field={state.cpus.clone()} oninput={send(Action::Cpus)} />
            </div>
            if state.has_errors() {
                <p class="stale" data-testid="ts-stale" role="status">{ "Showing the last valid result until the highlighted field is fixed." }</p>
            }
            <dl class="ts-summary">
                <div><dt>{ "Scaled latency" }</dt><dd data-testid="ts-scaled-latency">{ format!("{} ms", ms_string(t.scaled_latency_ns)) }</dd></div>
                <div><dt>{ "Scaled granularity" }</dt><dd data-testid="ts-scaled-granularity">{ format!("{} ms", ms_string(t.scaled_min_granularity_ns)) }</dd></div>
                <div><dt>{ "Period" }</dt><dd data-testid="ts-period">{ format!("{} ms", ms_string(t.period_ns)) }</dd></div>
                <div><dt>{ "EEVDF base slice" }</dt><dd data-testid="ts-eevdf">{ format!("{} ms", ms_string(t.eevdf_base_slice_ns)) }</dd></div>
            </dl>
            <p class="explain" data-testid="ts-scaling">{ scaling }</p>
            <p class="explain" data-testid="ts-regime" data-regime={match t.regime { Regime::Latency => "latency", Regime::MinGranularity => "min-granularity" }}>{ regime }</p>
            <Diagram id="timeslice-diagram" class="ts-diagram" title="The CFS period, split by weight"
                desc={chart.desc.clone()} width={WIDTH as u32} height={chart.height as u32} max_width={Some(600)}>
                { draw(&chart, Some(&on_nice)) }
            </Diagram>
            <p class="explain" data-testid="ts-eevdf-note">{ format!(
                "Since Linux 6.6 the fair scheduler is EEVDF, which has no period: every task asks for the same base slice, {} ms here ({} ms from Linux 6.15), whatever its nice value. Weight decides instead how far away its virtual deadline is, and so how often its turn comes round. ▲ marks a CFS slice raised to the minimum granularity.",
                ms_string(t.eevdf_base_slice_ns), ms_string(t.eevdf_base_slice_6_15_ns)
            ) }</p>
            <details class="ts-numbers">
            <summary>{ "Each task in numbers (type a nice value)" }</summary>
            <Table class="ts-table" stack=true caption="Each task's nice value, weight, share of the total weight and slice" caption_hidden=true
                cols={vec![Col::Show("Task"), Col::Show("Nice"), Col::Show("Weight"), Col::Show("Share"), Col::Show("Slice (ms)"), Col::Hide("Note")]}>
                { nice_rows }
            </Table>
            </details>
        </Frame>
    }
}
