//! The view of `timeslice`.

use crate::ui::{use_url_reducer, Col, Dispatch, Frame, LabelledInput, Table};
use crate::dom;
use super::state::{Action, State, WIDGET_MAX_TASKS};
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

const PALETTE: usize = 8;

fn chart(t: &Timeslice) -> Html {
    // Geometry in SVG user units; the SVG scales to the column width.
    let width = 640.0_f64;
    let label_w = 70.0;
    let value_w = 110.0;
    let bar_w = width - label_w - value_w;
    let row_h = 22.0;
    let top = 56.0;
    let n = t.slices.len();
    let height = top + row_h * n as f64 + 8.0;
    let total: u64 = t.slices.iter().map(|s| s.slice_ns).sum();
    let scale_max = total.max(t.period_ns).max(1) as f64;
    let x = |ns: u64| label_w + bar_w * ns as f64 / scale_max;
    let mut acc = 0u64;
    let stacked: Html = t
        .slices
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let x0 = x(acc);
            acc += s.slice_ns;
            let w = (x(acc) - x0).max(0.5);
            html! { <rect class={format!("c{}", i % PALETTE)} x={format!("{x0:.2}")} y="16" width={format!("{w:.2}")} height="18" /> }
        })
        .collect();
    let px = x(t.period_ns);
    let rows: Html = t
        .slices
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let y = top + row_h * i as f64;
            let w = (x(s.slice_ns) - label_w).max(0.5);
            html! {
                <g>
                    <text class="lbl" x="0" y={format!("{:.1}", y + 14.0)}>{ format!("task {}", i + 1) }</text>
                    <rect class={format!("c{}", i % PALETTE)} x={format!("{label_w}")} y={format!("{y:.1}")} width={format!("{w:.2}")} height="16" />
                    <text class="val" x={format!("{:.1}", label_w + bar_w + 6.0)} y={format!("{:.1}", y + 13.0)}>
                        { format!("{} ms{}", ms_string(s.slice_ns), if s.floored { " ▲" } else { "" }) }
                    </text>
                </g>
            }
        })
        .collect();
    let desc = format!(
        "One scheduling period of {} ms split into {} slices; the bars below show each task's slice.",
        ms_string(t.period_ns),
        n
    );
    html! {
        <svg class="ts-chart" viewBox={format!("0 0 {width} {height:.0}")} role="img" aria-label={desc}>
            <text class="lbl" x="0" y="29">{ "period" }</text>
            { stacked }
            <line class="period-mark" x1={format!("{px:.2}")} x2={format!("{px:.2}")} y1="10" y2="40" />
            <text class="val" x={format!("{:.1}", (px + 4.0).min(width - value_w + 4.0))} y="48">{ format!("{} ms", ms_string(t.period_ns)) }</text>
            { rows }
        </svg>
    }
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
                    <td>
                        <input id={nid.clone()} data-testid={nid.clone()} class="nice" type="text" inputmode="numeric"
                            aria-label={format!("nice value of task {}", i + 1)} value={f.text.clone()} oninput={cb}
                            aria-invalid={f.error.is_some().to_string()} aria-describedby={format!("{nid}-error")} />
                        <span class="field-error" id={format!("{nid}-error")} data-testid={format!("{nid}-error")}>{ f.error.clone().unwrap_or_default() }</span>
                    </td>
                    <td class="num">{ s.map(|s| s.weight.to_string()).unwrap_or_default() }</td>
                    <td class="num">{ share.map(|p| format!("{p:.1}%")).unwrap_or_default() }</td>
                    <td class="num" data-testid={format!("ts-slice-{i}")}>{ s.map(|s| ms_string(s.slice_ns)).unwrap_or_default() }</td>
                    <td class="note">{ if s.is_some_and(|s| s.floored) { "raised to the floor" } else { "" } }</td>
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
            { chart(t) }
            <p class="explain" data-testid="ts-eevdf-note">{ format!(
                "Since Linux 6.6 the fair scheduler is EEVDF, which has no period: every task asks for the same base slice, {} ms here ({} ms from Linux 6.15), whatever its nice value. Weight decides instead how far away its virtual deadline is, and so how often its turn comes round. ▲ marks a CFS slice raised to the minimum granularity.",
                ms_string(t.eevdf_base_slice_ns), ms_string(t.eevdf_base_slice_6_15_ns)
            ) }</p>
            <Table class="ts-table" caption="Each task's nice value, weight, share of the total weight and slice" caption_hidden=true
                cols={vec![Col::Show("Task"), Col::Show("Nice"), Col::Show("Weight"), Col::Show("Share"), Col::Show("Slice (ms)"), Col::Hide("Note")]}>
                { nice_rows }
            </Table>
        </Frame>
    }
}
