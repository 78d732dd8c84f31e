//! The view of `ld-so`: fetches the example's files when it mounts (never in the page's first
//! load), runs the real `ld.so` in the simulated kernel in slices (`use_background_run`), and
//! draws the report.

use super::diagram::{base_name, counts, draw, reloc_text, short, value_text, width, OBJECT_KEY};
use super::state::{advance_slice, Action, Phase, State, EXAMPLE_FILES};
use crate::ui::{use_background_run, Pace, Slice};
use crate::ui::{use_url_reducer, Col, Dispatch, Frame, Table};
use crate::widgets::exec_draw::{hit_layer, interactive, Canvas};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use yew::prelude::*;
use youcpu_core::linux::ldso::{File, Report, Role, Run};

/// Most relocation rows listed under the picture.
const ROWS: usize = 200;

/// Reads every file of a list (each up to the inspector's size limit) and hands them over.
fn read_files(list: Option<web_sys::FileList>, done: Callback<Result<Vec<File>, String>>) {
    let Some(list) = list else { return };
    let files: Vec<web_sys::File> = (0..list.length()).filter_map(|i| list.get(i)).collect();
    yew::platform::spawn_local(async move {
        let mut out = Vec::new();
        for f in files {
            let name = f.name();
            if f.size() as u64 > youcpu_core::elf::MAX_FILE_SIZE {
                done.emit(Err(crate::ui::too_large(&name, f.size() as u64)));
                return;
            }
            match wasm_bindgen_futures::JsFuture::from(f.array_buffer()).await {
                Ok(buf) => out.push(File {
                    name,
                    bytes: js_sys::Uint8Array::new(&buf).to_vec(),
                }),
                Err(_) => {
                    done.emit(Err(format!("{name} could not be read")));
                    return;
                }
            }
        }
        done.emit(Ok(out));
    });
}

fn objects_table(r: &Report) -> Html {
    let rows: Html = r
        .objects
        .iter()
        .map(|o| {
            html! {
                <tr>
                    <td data-label="Object"><code>{ o.name.clone() }</code></td>
                    <td data-label="Mapped by">{ match o.role { Role::Program | Role::Interpreter | Role::Vdso => "the kernel", Role::Library => "ld.so (mmap)" } }</td>
                    <td data-label="Base"><code class="ln-addr">{ format!("{:#x}", o.base) }</code></td>
                    <td data-label="Needs">{ if o.needed.is_empty() { "—".to_string() } else { o.needed.join(", ") } }</td>
                    <td data-label="Relocations">{ counts(&o.counts) }</td>
                </tr>
            }
        })
        .collect();
    html! {
        <Table testid="ld-objects" stack=true caption="Every object in the address space at the program's entry point"
            cols={vec![Col::Show("Object"), Col::Show("Mapped by"), Col::Show("Base"), Col::Show("Needs"), Col::Show("Relocations")]}
            region="Objects and their bases">
            { rows }
        </Table>
    }
}

fn relocs_table(r: &Report, object: usize, picked: Option<usize>, d: &impl Dispatch<Action>) -> Html {
    let mine: Vec<usize> = (0..r.relocs.len())
        .filter(|&i| r.relocs[i].object == object)
        .collect();
    let rows: Html = mine
        .iter()
        .take(ROWS)
        .map(|&i| {
            let x = &r.relocs[i];
            html! {
                <tr class={classes!((Some(i) == picked).then_some("ld-picked"))}>
                    <td data-label="Place"><button type="button" class="ld-slot" data-testid={format!("ld-row-{i}")}
                        aria-pressed={(Some(i) == picked).to_string()} onclick={d.on(Action::Reloc(i))}>
                        <code class="ln-addr">{ format!("{:#x}", x.addr) }</code></button></td>
                    <td data-label="Type"><code>{ short(&x.kind) }</code></td>
                    <td data-label="Symbol">{ x.symbol.clone().unwrap_or_else(|| format!("addend {:#x}", x.addend)) }</td>
                    <td data-label="Value written"><code class="ln-addr">{ value_text(r, x) }</code></td>
                </tr>
            }
        })
        .collect();
    let name = r.objects.get(object).map_or("", |o| base_name(&o.name));
    html! {
        <>
            <Table testid="ld-relocs" stack=true caption={format!("The relocations of {name}, with the value in memory at each place after ld.so")}
                cols={vec![Col::Show("Place"), Col::Show("Type"), Col::Show("Symbol"), Col::Show("Value written")]}
                region={format!("Relocations of {name}")}>
                { rows }
            </Table>
            if mine.len() > ROWS {
                <p class="hint">{ format!("The first {ROWS} of {} relocations.", mine.len()) }</p>
            }
        </>
    }
}

fn missing_text(s: &State, n: &youcpu_core::linux::ldso::Needs) -> Html {
    let interp = n.interp.clone().unwrap_or_default();
    let missing = n.missing();
    html! {
        <div class="ex-result" role="alert" data-testid="ld-missing">
            <p>{ format!("{} names its dynamic loader in PT_INTERP: {interp} ({}). ", s.program(), if n.interp_given { "given" } else { "not given yet" }) }
               { if n.needed.is_empty() { "It needs no libraries (DT_NEEDED is empty).".to_string() } else { format!("It needs (DT_NEEDED): {}. ", n.needed.join(", ")) } }</p>
            if !missing.is_empty() || !n.interp_given {
                <p>{ "Still missing: " }<strong>{ (!n.interp_given).then(|| interp.clone()).into_iter().chain(missing.iter().cloned()).collect::<Vec<_>>().join(", ") }</strong>
                   { ". On the machine the program comes from, " }<code>{ format!("ldd ./{}", s.program()) }</code>
                   { " prints where each one is (the loader last); drop those files here too. They are put in /lib, which this run's LD_LIBRARY_PATH names" }
                   { if n.run_paths().is_empty() { ".".to_string() } else { format!("; the program's own run paths ({}) are searched too.", n.run_paths().join(":")) } }</p>
            }
        </div>
    }
}

/// The picture drawn from the files before the run (not yet to be picked in: its slots are
/// filled only by the run).
fn before_run(state: &State, narrow: bool) -> Html {
    let Some((r, false)) = state.drawn() else {
        return Html::default();
    };
    let mut c = Canvas::new();
    let w = width(narrow);
    let (h, desc) = draw(&mut c, state, r, w);
    interactive("ld-diagram", format!("{}'s objects as its files describe them, before ld.so runs", state.program()), desc, (w, h), false, c.html())
}

/// The ld-so widget.
#[component]
pub fn LdSoWidget() -> Html {
    let state = use_url_reducer::<State>();
    // One layout at a time: the narrow one on a phone (the wide one outside a browser).
    let narrow = crate::ui::use_narrow().unwrap_or(false);
    let d = state.dispatcher();
    let root = use_node_ref();
    crate::ui::use_near_view(root.clone(), d.on(Action::Start));
    let fetching = matches!(state.phase, Phase::Fetching) && !state.dropped;
    {
        let d = d.clone();
        use_effect_with(fetching, move |&go| {
            if go {
                yew::platform::spawn_local(async move {
                    let mut files = Vec::new();
                    for (url, name) in EXAMPLE_FILES {
                        match crate::ui::fetch_bytes(url).await {
                            Ok(bytes) => files.push(File { name: name.into(), bytes }),
                            Err(e) => {
                                d.dispatch(Action::Fetched(Err(e)));
                                return;
                            }
                        }
                    }
                    d.dispatch(Action::Fetched(Ok(files)));
                });
            }
        });
    }
    // The run lives outside the reducer: (run id, the simulated kernel on its way).
    let runner = use_mut_ref(|| None::<(u32, Run)>);
    let running = match state.phase {
        Phase::Running(n) => Some(n),
        _ => None,
    };
    {
        let (d, runner, files, id) = (d.clone(), runner.clone(), state.files.clone(), state.run);
        use_background_run((id, running), running.map(|_| Pace::Chunks), move || {
            step(&runner, id, &files, &d);
        });
    }
    let on_hit = {
        let d = d.clone();
        Callback::from(move |k: usize| {
            d.dispatch(if k >= OBJECT_KEY { Action::Object(k - OBJECT_KEY) } else { Action::Reloc(k) })
        })
    };
    let on_files = {
        let d = d.clone();
        Callback::from(move |r: Result<Vec<File>, String>| {
            d.dispatch(match r {
                Ok(f) => Action::Drop(f),
                Err(e) => Action::Error(e),
            })
        })
    };
    let onchange = {
        let done = on_files.clone();
        Callback::from(move |e: Event| {
            let input = e.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok());
            read_files(input.as_ref().and_then(|i| i.files()), done.clone());
            if let Some(i) = input {
                i.set_value("");
            }
        })
    };
    let ondrop = {
        let done = on_files.clone();
        Callback::from(move |e: DragEvent| {
            e.prevent_default();
            read_files(e.data_transfer().and_then(|t| t.files()), done.clone());
        })
    };
    let ondragover = Callback::from(|e: DragEvent| e.prevent_default());
    let name = state.program().to_string();
    let (body, live) = match &state.phase {
        Phase::Waiting => (html! {
            <p class="hint" data-testid="ld-status">{ "The example's files are fetched when you come to this widget. " }
                <button type="button" class="btn" data-testid="ld-start" onclick={d.on(Action::Start)}>{ "Run it now" }</button></p>
        }, String::new()),
        Phase::Fetching => (html! { <p class="hint" data-testid="ld-status">{ "Fetching hello-dyn and musl's loader (about 700 KB, 250 KB compressed)…" }</p> }, "Fetching the example.".to_string()),
        Phase::Running(n) => (html! {
            <>
                { before_run(&state, narrow) }
                <p class="hint" data-testid="ld-status">{ format!("ld.so is running in the simulated kernel: {n} instructions so far…") }</p>
            </>
        }, format!("ld.so running, {n} instructions.")),
        Phase::Failed(e) => (html! { <p class="asm-error" role="alert" data-testid="ld-error">{ e.clone() }</p> }, e.clone()),
        Phase::Missing(n) => (html! { <>{ missing_text(&state, n) }{ before_run(&state, narrow) }</> }, format!("{name} needs files that are missing.")),
        Phase::Done(r) => {
            let mut c = Canvas::new();
            let w = width(narrow);
            let (h, desc) = draw(&mut c, &state, r, w);
            let picked = state.reloc.and_then(|i| r.relocs.get(i));
            let said = picked.map(|x| reloc_text(r, x)).unwrap_or_default();
            let pic = interactive("ld-diagram", format!("{name}'s address space after ld.so, at the program's entry point"), desc, (w, h), true,
                html! { <>{ c.html() }{ hit_layer(&c.hits, &on_hit) }</> });
            (html! {
                <>
                    { pic }
                    <div class="ld-controls">
                        <button type="button" class="btn" data-testid="ld-prev" onclick={d.on(Action::Step(-1))}>{ "Previous slot" }</button>
                        <button type="button" class="btn" data-testid="ld-next" onclick={d.on(Action::Step(1))}>{ "Next slot" }</button>
                    </div>
                    <p class="ex-result" data-testid="ld-summary">
                        { format!("ld.so ran {} instructions and made {} system calls before jumping to {name}'s entry point at {:#x}. ", r.instructions, r.syscalls, r.entry) }
                        <span data-testid="ld-picked">{ said.clone() }</span>
                    </p>
                    <details class="ex-log">
                        <summary>{ "Objects and relocations, in full" }</summary>
                        { objects_table(r) }
                        { relocs_table(r, state.object, state.reloc, &d) }
                    </details>
                </>
            }, said)
        }
    };
    html! {
        <Frame id={super::ID} title="Before main: what ld.so did" subtitle="The real dynamic loader, run in the simulated kernel up to the program's entry point" on_reset={d.on(Action::Example)} live={Some(AttrValue::from(live))}>
            <div class="ld-drop" data-testid="ld-drop" ref={root} {ondrop} {ondragover}>
                <p class="hint">
                    { if state.dropped { format!("Your program: {name}, with {} other file{}. ", state.files.len().saturating_sub(1), if state.files.len() == 2 { "" } else { "s" }) } else { "The example: hello-dyn, a C \"hello, world\" linked against musl, whose C library is also its dynamic loader. ".to_string() } }
                    { "Drop a dynamically linked x86-64 program here, or open it, with its loader and libraries (together or one after another): they stay in your browser." }
                </p>
                <label class="btn file-btn">{ "Open files…" }
                    <input type="file" multiple=true class="sr-only" data-testid="ld-file" {onchange} />
                </label>
                if state.dropped {
                    <button type="button" class="btn" data-testid="ld-example" onclick={d.on(Action::Example)}>{ "Back to the example" }</button>
                }
            </div>
            { body }
            <p class="hint">{ "What the model leaves out: randomisation is off, so the bases repeat from run to run; the vDSO here is a stub with no functions, so the C library makes real system calls where Linux's vDSO would answer clock_gettime itself; dropped libraries are all put in /lib." }</p>
        </Frame>
    }
}

/// One background slice: starts the run for `id` if it is not the one held, then advances it.
fn step(
    runner: &Rc<RefCell<Option<(u32, Run)>>>,
    id: u32,
    files: &Rc<Vec<File>>,
    d: &impl Dispatch<Action>,
) {
    // The slice's time starts now: starting the run (the files placed, the program and the
    // loader mapped) is part of the first slice's budget, not added to it.
    let slice = Slice::new();
    let mut slot = runner.borrow_mut();
    if slot.as_ref().is_none_or(|(i, _)| *i != id) {
        let Some((prog, rest)) = files.split_first() else {
            return;
        };
        match Run::start(&prog.name, &prog.bytes, rest) {
            Ok(r) => *slot = Some((id, r)),
            Err(e) => {
                *slot = None;
                drop(slot);
                d.send(Action::Finished(id, Err(e.to_string())));
                return;
            }
        }
    }
    let Some((_, run)) = slot.as_mut() else { return };
    let out = match advance_slice(run, slice) {
        Ok(true) => Action::Finished(id, Ok(Rc::new(run.report()))),
        Ok(false) => Action::Progress(id, run.instructions()),
        Err(e) => Action::Finished(id, Err(e.to_string())),
    };
    if matches!(out, Action::Finished(..)) {
        *slot = None;
    }
    drop(slot);
    d.send(out);
}
