//! The view of `linking`.

use super::diagram::{draw, W};
use crate::ui::{use_url_reducer, Col, Dispatch, Frame, Table};
use crate::widgets::exec_draw::{hit_layer, interactive, Canvas};
use crate::dom;
use super::state::{pages_for, Action, State, Region, Sharing, Side, MAX_PROCS};
use yew::prelude::*;

fn sharing_text(s: Sharing) -> &'static str {
    match s {
        Sharing::Shared => "shared: the same page-cache pages in every process",
        Sharing::CopyOnWrite => {
            "shared until a process writes to it, then that process gets its own copy"
        }
        Sharing::Private => "private to each process",
    }
}

fn file_card(s: &Side, key: &str) -> Html {
    html! {
        <div class="sf-card" data-testid={format!("ln-file-{key}")}>
            <h5>{ s.name }</h5>
            <dl class="ln-facts">
                <div><dt>{ "File size" }</dt><dd>{ format!("{} bytes", s.size) }</dd></div>
                <div><dt>{ "Program headers" }</dt><dd>{ s.segments.join(", ") }</dd></div>
                <div><dt>{ "PT_INTERP" }</dt><dd>{ s.interp.clone().unwrap_or_else(|| "none".into()) }</dd></div>
                <div><dt>{ "DT_NEEDED" }</dt><dd>{ if s.needed.is_empty() { "none".to_string() } else { s.needed.join(", ") } }</dd></div>
            </dl>
        </div>
    }
}

fn region_rows(rs: &[Region]) -> Html {
    rs.iter()
        .map(|r| {
            html! {
                <tr class={classes!(match r.sharing { Sharing::Shared => "ln-shared", Sharing::CopyOnWrite => "ln-cow", Sharing::Private => "ln-private" })}>
                    <td data-label="Addresses"><code class="ln-addr">{ format!("{:#x}–{:#x}", r.start, r.end) }</code></td>
                    <td data-label="Perms"><code>{ r.perms.clone() }</code></td>
                    <td data-label="What">{ r.what.clone() }<br /><span class="hint">{ r.backing.clone() }</span></td>
                    <td class="num" data-label="Pages">{ r.pages() }</td>
                    <td data-label="With two processes">{ sharing_text(r.sharing) }</td>
                </tr>
            }
        })
        .collect()
}

fn map_table(s: &Side, key: &str) -> Html {
    match &s.regions {
        Err(m) => html! { <p class="asm-error" role="alert">{ m.clone() }</p> },
        Ok(rs) => html! {
            <Table testid={format!("ln-map-{key}")} stack=true caption={format!("{}: what running it maps (addresses from the simulated kernel, randomisation off)", s.name)}
                cols={vec![Col::Show("Addresses"), Col::Show("Perms"), Col::Show("What"), Col::Show("Pages"), Col::Show("With two processes")]}
                region={format!("Memory map of {}", s.name)}>
                { region_rows(rs) }
            </Table>
        },
    }
}

/// The linking widget.
#[component]
pub fn LinkingWidget() -> Html {
    let state = use_url_reducer::<State>();
    let d = state.dispatcher();
    let on_procs = {
        let d = d.clone();
        Callback::from(move |e: Event| {
            if let Ok(n) = dom::event_value(&e).parse::<u32>() {
                d.dispatch(Action::Procs(n));
            }
        })
    };
    let on_reset = d.on(Action::Procs(2));
    let (stat, dynamic) = &*state.sides;
    let n = state.procs;
    // For screen readers: the totals for the chosen number of processes.
    let live = match &dynamic.regions {
        Ok(rs) => {
            let (shared, private) = pages_for(rs, n);
            format!("{n} processes running hello-dyn: {shared} shared pages held once, {private} private pages, {} pages in all.", shared + private)
        }
        Err(e) => e.clone(),
    };
    let totals = match &dynamic.regions {
        Ok(rs) => {
            let (shared, private) = pages_for(rs, n);
            html! {
                <p class="ex-result" data-testid="ln-totals">
                    { format!("{n} process{} running hello-dyn, if every page were touched: {shared} shared pages held once in the page cache, plus {private} private pages ({} per process), {} pages in all. ", if n == 1 { "" } else { "es" }, private / u64::from(n.max(1)), shared + private) }
                    { "Read-only pages of the program, the loader and the library are one copy however many processes map them; only written pages are per process." }
                </p>
            }
        }
        Err(_) => html! {},
    };
    let picture = match &dynamic.regions {
        Ok(rs) => {
            let mut canvas = Canvas::new();
            let (h, desc) = draw(&mut canvas, rs, n, MAX_PROCS);
            let on_hit = {
                let d = d.clone();
                Callback::from(move |k: usize| {
                    d.dispatch(Action::Procs(if k == 1 { n + 1 } else { n.saturating_sub(1) }))
                })
            };
            html! {
                { interactive("ln-diagram", format!("{n} processes sharing the program's, the loader's and the library's pages"), desc, (W, h),
                    html! { <>{ canvas.html() }{ hit_layer(&canvas.hits, &on_hit) }</> }) }
            }
        }
        Err(_) => html! {},
    };
    html! {
        <Frame id={super::ID} title="Static and dynamic, side by side" subtitle="What each file holds, what running it maps, and what processes share" on_reset={on_reset} live={Some(AttrValue::from(live))}>
            <div class="sf-grid">{ file_card(stat, "static") }{ file_card(dynamic, "dynamic") }</div>
            <p class="hint">{ "Both are tiny model programs built by this page. The dynamic one's libc.so.6 is a model too: 8 pages, where the real C library is about 2 MB. ld.so here is a stand-in that the simulated kernel maps; the library's place is where ld.so's mmap would put it, the next free range below the loader. In the dynamic program, ld.so itself writes the writable pages of the program and the library when it fills in the addresses of library functions, so those pages end up copied in every process." }</p>
            <label class="inline">{ "Processes running hello-dyn " }
                <select data-testid="ln-procs" onchange={on_procs}>
                    { for (1..=MAX_PROCS).map(|i| html! { <option value={i.to_string()} selected={i == n}>{ i }</option> }) }
                </select>
            </label>
            { picture }
            { totals }
            <details class="ex-log">
                <summary>{ "Both memory maps, region by region" }</summary>
                { map_table(stat, "static") }
                { map_table(dynamic, "dynamic") }
            </details>
        </Frame>
    }
}
