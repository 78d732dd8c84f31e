//! The view of `your-program`: the program and its inputs, the controls, the console, the
//! timeline picture (click, tap or arrow keys choose an event), the chosen event with its
//! section and the opened moment, and the whole story as a list under it.

use super::diagram::{memory_bar, timeline, Geo};
use super::state::{Action, File, Opened, State, Status, EXAMPLES, MAX_DROPPED, MAX_DROPPED_BYTES};
use crate::ui::{use_background_run, use_url_reducer, Diagram, Dispatch, Frame, Pace};
use crate::widgets::fetch_execute::embed::HandedStepper;
use crate::widgets::hit::picture;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use yew::prelude::*;
use youcpu_core::linux::narrate::{self, Stage};
use youcpu_core::linux::ProcessState;

/// Most list items rendered at once.
const SHOWN: usize = 200;

/// Reads every file of a list (within the limits) and hands them over.
fn read_files(list: Option<web_sys::FileList>, done: Callback<Result<Vec<File>, String>>) {
    let Some(list) = list else { return };
    let files: Vec<web_sys::File> = (0..list.length()).filter_map(|i| list.get(i)).collect();
    if files.is_empty() {
        return;
    }
    if files.len() > MAX_DROPPED {
        done.emit(Err(format!("Drop at most {MAX_DROPPED} files at once.")));
        return;
    }
    let total: f64 = files.iter().map(|f| f.size()).sum();
    if total > MAX_DROPPED_BYTES as f64 {
        done.emit(Err(format!(
            "Those files come to {} MiB; the page takes up to {} MiB.",
            (total / 1048576.0).ceil(),
            MAX_DROPPED_BYTES >> 20
        )));
        return;
    }
    yew::platform::spawn_local(async move {
        let mut out = Vec::new();
        for f in files {
            let name = f.name();
            match wasm_bindgen_futures::JsFuture::from(f.array_buffer()).await {
                Ok(b) => out.push((name, Rc::new(js_sys::Uint8Array::new(&b).to_vec()))),
                Err(_) => {
                    done.emit(Err(format!("{name} could not be read.")));
                    return;
                }
            }
        }
        done.emit(Ok(out));
    });
}

fn status_text(s: &State) -> String {
    let n = s.instructions();
    match &s.status {
        Status::Idle if s.files.is_empty() => {
            "Press Run: the page fetches the example (or drop your own files), then runs it.".into()
        }
        Status::Idle => "Ready: press Run.".into(),
        Status::Loading => "Fetching the example's files…".into(),
        Status::Running => format!("Running: {n} instructions so far…"),
        Status::Paused => format!("Paused after {n} instructions."),
        Status::Stopped => format!("Stopped after {n} instructions."),
        Status::Budget => format!(
            "Stopped at the step budget: {n} instructions ran and the program had not ended."
        ),
        Status::Failed(m) => m.clone(),
        Status::Ended(e) => match e {
            ProcessState::Exited { code } => {
                format!("Exited with status {code} (a shell's $? = {code}) after {n} instructions.")
            }
            ProcessState::Killed { signal, reason } => format!(
                "Killed by {} ({reason}); a shell's $? = {} after {n} instructions.",
                youcpu_core::linux::signal::name(*signal),
                128 + u32::from(*signal)
            ),
            ProcessState::Crashed { reason } => {
                format!("The simulated machine stopped: {reason}.")
            }
            ProcessState::Running => format!("{n} instructions."),
        },
    }
}

fn opened_view(o: &Opened, s: &State, narrow: bool, send: &dyn Fn(Action) -> Callback<MouseEvent>) -> Html {
    let l = &o.linux;
    let pid = l.pid;
    let maps = o.maps.to_string();
    let (bar, bar_h) = memory_bar(&l.mm, narrow);
    let bar_w = Geo::of(narrow).w;
    let map_desc = l
        .mm
        .vmas
        .iter()
        .map(|v| {
            let name = youcpu_core::linux::fs::procfs::shown_name(&l.mm, v);
            format!("{:#x} {} {name}", v.start, v.perms())
        })
        .collect::<Vec<_>>()
        .join("; ");
    let m = s.story.get(o.index);
    html! {
        <div class="yp-opened" data-testid="yp-opened">
            <h5>{ format!("The machine at event {} (instruction {}), pid {pid} on the CPU", o.index + 1, m.map_or(0, |m| m.instructions)) }</h5>
            <p class="hint">{ "Replayed from the start to this event's instruction count: the simulation is deterministic, so the same files, arguments and input lead to the same state. Step on from here in the fetch-execute view of Part 1: the bytes fetched at RIP, the instruction decoded, what executing it changed." }</p>
            <Diagram id="yp-maps-diagram" title="The address space of this process at the moment, region by region"
                desc={map_desc} width={bar_w as u32} height={bar_h.ceil() as u32}>{ bar }</Diagram>
            <details><summary>{ format!("/proc/{pid}/maps at the moment") }</summary>
                <pre class="yp-maps" data-testid="yp-maps">{ maps }</pre>
            </details>
            <HandedStepper key={o.index} machine={o.linux.clone()} id="yp-fe-diagram" />
            <p>
                <button type="button" class="btn" data-testid="yp-close" onclick={send(Action::Close)}>{ "Close" }</button>
            </p>
        </div>
    }
}

/// The your-program widget.
#[component]
pub fn YourProgramWidget() -> Html {
    let state = use_url_reducer::<State>();
    // One layout at a time: the narrow one on a phone (the wide one outside a browser).
    let narrow = crate::ui::use_narrow().unwrap_or(false);
    let g = Geo::of(narrow);
    let send = {
        let state = state.clone();
        move |a: Action| state.on(a)
    };
    // Fetch the example's files when one is picked (never before: not in the first load).
    {
        let d = state.dispatcher();
        let ex = state.example().copied();
        let loading = state.status == Status::Loading;
        use_effect_with((state.generation, loading), move |(g, loading)| {
            if let (true, Some(ex)) = (*loading, ex) {
                let g = *g;
                yew::platform::spawn_local(async move {
                    let mut files = Vec::new();
                    for (f, to) in ex.files {
                        match crate::ui::fetch_bytes(&format!("programs/{f}")).await {
                            Ok(b) => files.push((to.to_string(), Rc::new(b))),
                            Err(e) => {
                                d.dispatch(Action::Fetched(g, Err(e)));
                                return;
                            }
                        }
                    }
                    d.dispatch(Action::Fetched(g, Ok(files)));
                });
            }
        });
    }
    // The run, a slice per timer task.
    {
        let d = state.dispatcher();
        use_background_run(
            (state.instructions(), state.story.len(), state.generation),
            state.running().then_some(Pace::Chunks),
            move || d.dispatch(Action::Slice),
        );
    }
    let on_files = {
        let d = state.dispatcher();
        Callback::from(move |r| d.dispatch(Action::Dropped(r)))
    };
    let on_input = {
        let done = on_files.clone();
        Callback::from(move |e: Event| {
            let files = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
                .and_then(|i| i.files());
            read_files(files, done.clone());
        })
    };
    let on_drop = {
        let done = on_files.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            read_files(e.data_transfer().and_then(|t| t.files()), done.clone());
        })
    };
    let on_dragover = Callback::from(|e: DragEvent| e.prevent_default());
    let picked = match state.source {
        super::state::Source::Example(i) => i.to_string(),
        super::state::Source::Dropped => "drop".into(),
    };
    let options: Html = EXAMPLES
        .iter()
        .enumerate()
        .map(|(i, e)| html! { <option value={i.to_string()} selected={picked == i.to_string()}>{ e.label }</option> })
        .collect();
    let n = state.story.len();
    let sel = state.selected.filter(|&i| i < n);
    // The timeline: a slider over the events (click or tap one, or arrow keys).
    let on_key = {
        let d = state.dispatcher();
        Callback::from(move |e: KeyboardEvent| {
            let cur = sel.unwrap_or(0);
            let to = match e.key().as_str() {
                "ArrowRight" | "ArrowDown" => cur.saturating_add(usize::from(sel.is_some())),
                "ArrowLeft" | "ArrowUp" => cur.saturating_sub(1),
                "PageDown" => cur.saturating_add(10),
                "PageUp" => cur.saturating_sub(10),
                "Home" => 0,
                "End" => n.saturating_sub(1),
                _ => return,
            };
            e.prevent_default();
            if n > 0 {
                d.dispatch(Action::Select(to.min(n - 1)));
            }
        })
    };
    let on_click = {
        let d = state.dispatcher();
        Callback::from(move |e: MouseEvent| {
            // The target (Yew delegates events, so the current target is not the group).
            let Some(el) = e
                .target()
                .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
                .and_then(|g| g.closest("svg").ok().flatten())
            else {
                return;
            };
            let r = el.get_bounding_client_rect();
            if r.width() <= 0.0 {
                return;
            }
            let x = (f64::from(e.client_x()) - r.left()) * g.w / r.width();
            if let Some(i) = g.index_at(x, n) {
                d.dispatch(Action::Select(i));
            }
        })
    };
    let tree = state
        .run
        .as_ref()
        .map(|r| narrate::process_tree(&r.linux.borrow().trace.events))
        .unwrap_or_default();
    let h = g.height(tree.len());
    let chosen = sel.and_then(|i| state.story.get(i));
    let valuetext = chosen.map_or("no event chosen".to_string(), |m| m.sentence.clone());
    let (lanes_top, lanes_h) = g.lanes();
    // The picture in words, with the event chosen on it (the timeline's lit mark).
    let desc = format!(
        "{n} events so far. {}{}",
        state
            .counts()
            .iter()
            .filter(|(_, c)| *c > 0)
            .map(|(s, c)| format!("{}: {c}", s.label()))
            .collect::<Vec<_>>()
            .join(", "),
        sel.zip(chosen)
            .map(|(i, m)| format!(". Chosen, event {}: {}", i + 1, m.sentence))
            .unwrap_or_default()
    );
    let body = html! {
        <>
            { timeline(&g, &state.story, sel, &tree) }
            <g role="slider" tabindex="0" data-testid="yp-timeline" aria-label="Events of the run, in order"
                aria-valuemin="1" aria-valuemax={n.max(1).to_string()} aria-valuenow={(sel.map_or(0, |i| i) + 1).to_string()}
                aria-valuetext={valuetext} onkeydown={on_key} onclick={on_click} class="yp-slider">
                <rect x={(g.x0 - 6.0).to_string()} y={(lanes_top - 2.0).to_string()} width={(g.x1 - g.x0 + 12.0).to_string()} height={(lanes_h + 4.0).to_string()} class="yp-hit" />
            </g>
        </>
    };
    let console: Html = state
        .console
        .iter()
        .map(|c| html! { <span class={if c.err { "yp-err" } else { "yp-out" }}>{ c.text.clone() }</span> })
        .collect();
    let shown = state.shown();
    let counts: Html = std::iter::once((None, n))
        .chain(state.counts().into_iter().map(|(s, c)| (Some(s), c)))
        .map(|(s, c)| {
            let label = s.map_or("all", Stage::label);
            let on = state.filter == s;
            html! { <button type="button" class={classes!("btn", "small", on.then_some("on"))} aria-pressed={on.to_string()}
                data-testid={format!("yp-filter-{}", label.replace(' ', "-"))} onclick={send(Action::Filter(s))}>{ format!("{label} ({c})") }</button> }
        })
        .collect();
    let items: Html = shown
        .iter()
        .take(SHOWN)
        .map(|&i| {
            let m = &state.story[i];
            let cls = classes!("yp-item", (sel == Some(i)).then_some("selected"));
            html! {
                <li class={cls} key={i}>
                    <button type="button" class="yp-pick" onclick={send(Action::Select(i))} aria-pressed={(sel == Some(i)).to_string()}>
                        { format!("{}. @{} ", i + 1, m.instructions) }
                    </button>
                    { m.sentence.clone() }{ " " }
                    <a href={format!("#{}", m.anchor)} class="yp-link">{ "why" }</a>
                </li>
            }
        })
        .collect();
    let running = state.running();
    let paused = state.status == Status::Paused;
    let live = status_text(&state);
    let needs = state.needs.as_ref().map(|nd| {
        let missing = nd.missing_files().join(", ");
        html! {
            <div class="yp-needs" data-testid="yp-needs" role="note">
                <p>{ format!("A dynamically linked program. Its interpreter (PT_INTERP) is {}; it needs (DT_NEEDED) {}.",
                    nd.interp.clone().unwrap_or_else(|| "not named".into()),
                    if nd.needed.is_empty() { "nothing more".to_string() } else { nd.needed.join(", ") }) }</p>
                if missing.is_empty() {
                    <p>{ "Every file it needs is here." }</p>
                } else {
                    <p data-testid="yp-missing"><strong>{ format!("Still missing: {missing}.") }</strong>
                        { format!(" The loader looks in {}. On your machine, `ldd` on the program lists where each library is (and `readelf -l` names the interpreter); drop those files here too.", nd.search().join(", then ")) }</p>
                }
            </div>
        }
    });
    html! {
        <Frame id={super::ID} title="Your program" subtitle="Run a real x86-64 Linux program and watch each stage happen to it"
            on_reset={state.on(Action::Reset)} live={Some(AttrValue::from(live.clone()))}>
            <div class="yp-drop" ondrop={on_drop} ondragover={on_dragover} data-testid="yp-drop">
                <label class="yp-field">{ "Program: " }
                    <select data-testid="yp-example" onchange={state.on_pick(Action::Pick)}>
                        { options }
                        if picked == "drop" { <option value="drop" selected=true>{ "your dropped files" }</option> }
                    </select>
                </label>
                <label class="btn file-btn">{ "Open your own files…" }
                    <input type="file" multiple=true class="sr-only" data-testid="yp-files" onchange={on_input} />
                </label>
                <span class="hint">{ " or drop them here (a program and, for a dynamic one, its loader and libraries). Files never leave your browser." }</span>
            </div>
            if let Some(note) = &state.note {
                <p class="yp-note" role="alert" data-testid="yp-note">{ note.clone() }</p>
            }
            { needs.unwrap_or_default() }
            <div class="yp-inputs">
                <label class="yp-field">{ "Arguments " }<input type="text" data-testid="yp-args" value={state.args.clone()} oninput={state.on_text(Action::Args)} /></label>
                <label class="yp-field">{ "Environment " }<input type="text" data-testid="yp-env" value={state.env.clone()} oninput={state.on_text(Action::Env)} /></label>
                <label class="yp-field">{ "Standard input " }<textarea rows="2" data-testid="yp-stdin" value={state.stdin.clone()} oninput={state.on_text(Action::Stdin)} /></label>
                <label class="yp-field">{ "Step budget " }<input type="text" inputmode="numeric" data-testid="yp-budget" value={state.budget.clone()} oninput={state.on_text(Action::Budget)} />{ " instructions" }</label>
                <label class="yp-field">{ "Memory limit " }<input type="text" inputmode="numeric" data-testid="yp-memory" value={state.memory.clone()} oninput={state.on_text(Action::Memory)} />{ " MiB" }</label>
            </div>
            <div class="yp-controls" role="group" aria-label="Run controls">
                <button type="button" class="btn" data-testid="yp-run" onclick={send(Action::Run)} disabled={state.status == Status::Loading}>{ "Run" }</button>
                if paused {
                    <button type="button" class="btn" data-testid="yp-resume" onclick={send(Action::Resume)}>{ "Resume" }</button>
                } else {
                    <button type="button" class="btn" data-testid="yp-pause" onclick={send(Action::Pause)} disabled={!running}>{ "Pause" }</button>
                }
                <button type="button" class="btn" data-testid="yp-next" onclick={send(Action::NextEvent)} disabled={!(running || paused || (state.run.is_none() && !state.files.is_empty()))}>{ "Step to next event" }</button>
                <button type="button" class="btn" data-testid="yp-stop" onclick={send(Action::Stop)} disabled={!(running || paused)}>{ "Stop" }</button>
            </div>
            <p class="yp-status" data-testid="yp-status">{ live }</p>
            <pre class="yp-console" data-testid="yp-console" role="region" aria-label="Console: standard output, and standard error in the error colour" tabindex="0">{ console }</pre>
            { picture("yp-diagram", "yp-diagram", "The run, event by event, in the article's stages", desc, (g.w, h), g.w, body) }
            <p class="hint">{ "Click or tap the timeline, or focus it and use the arrow keys, to choose an event." }</p>
            if let Some(m) = chosen {
                <div class="yp-chosen" data-testid="yp-chosen">
                    <p><strong>{ format!("Event {} of {n}, pid {}, after {} instructions ({}): ", sel.unwrap_or(0) + 1, m.pid, m.instructions, m.stage.label()) }</strong>{ m.sentence.clone() }</p>
                    <p><a href={format!("#{}", m.anchor)} data-testid="yp-why">{ "Read the section that explains this" }</a>
                        { " · " }
                        <button type="button" class="btn small" data-testid="yp-open" onclick={send(Action::Open)}>{ "Open this moment" }</button></p>
                    <p class="hint"><code>{ m.line.clone() }</code>{ " (as youcpu run --trace prints it)" }</p>
                </div>
            }
            if let Some(o) = &state.opened {
                { opened_view(o, &state, narrow, &send) }
            }
            <details class="yp-story" data-testid="yp-story">
                <summary>{ format!("The story, event by event ({n} events{})", if state.untold > 0 { format!(", {} more not kept", state.untold) } else { String::new() }) }</summary>
                <div class="yp-filters" role="group" aria-label="Show events of one stage">{ counts }</div>
                <label class="yp-field">{ "Search " }<input type="search" data-testid="yp-search" value={state.search.clone()} oninput={state.on_text(Action::Search)} /></label>
                <ol class="yp-list" data-testid="yp-list">{ items }</ol>
                if shown.len() > SHOWN {
                    <p class="hint">{ format!("{} more: narrow the list with a stage or a search.", shown.len() - SHOWN) }</p>
                }
            </details>
            <p class="hint">{ "The examples were written for this article and built with musl (MIT licence), whose libc.so, also its dynamic loader, the page fetches with hello-dyn. The simulated kernel gives file pages when a segment is mapped rather than on first touch, so first-touch faults here are zero pages (stack, heap, BSS, anonymous memory); from the first fork on, the timer interrupts every 100,000 instructions (as in youcpu run), so in share, where two processes both compute, the timeline shows it taking the CPU from one and the scheduler giving it to the other." }</p>
        </Frame>
    }
}
