//! The view of `binfmt_misc`.

use super::diagram::{draw, sample_files, W};
use crate::ui::{preset_picker, use_url_reducer, Dispatch, Frame, Table};
use crate::widgets::exec_draw::{hit_layer, interactive, Canvas};
use super::state::{Action, State, Verdict, PRESETS};
use yew::prelude::*;
use youcpu_core::exec::misc::MiscMatch;
use youcpu_core::exec::Failure;

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn hexs(b: &[u8]) -> String {
    b.iter()
        .map(|x| format!("{x:02x}"))
        .collect::<Vec<_>>()
        .join(" ")
}

fn verdict_view(v: &Verdict) -> Html {
    match v {
        Verdict::Refused { errno, reason } => html! {
            <div class="ex-result err" data-testid="bm-verdict">
                <p><strong>{ "Refused: " }</strong>{ "write(2) fails with " }<code data-testid="bm-errno">{ errno.clone() }</code></p>
                <p data-testid="bm-reason">{ reason.clone() }</p>
            </div>
        },
        Verdict::Accepted {
            entry,
            status,
            claims,
        } => {
            let how = match &entry.matcher {
                MiscMatch::Magic {
                    offset,
                    magic,
                    mask,
                } => format!(
                    "files whose bytes at offset {offset} are {}{}",
                    hexs(magic),
                    mask.as_ref()
                        .map(|m| format!(" after ANDing with the mask {}", hexs(m)))
                        .unwrap_or_default()
                ),
                MiscMatch::Extension(ext) => format!("files whose name ends in .{}", lossy(ext)),
            };
            let rows: Html = claims
                .iter()
                .map(|c| {
                    let result = match &c.outcome.result {
                        Ok(l) => html! { <code>{ format!("[{}]", l.argv.iter().map(|a| format!("\"{}\"", lossy(a))).collect::<Vec<_>>().join(", ")) }</code> },
                        Err(Failure::Errno(e)) => html! { <code>{ e.name() }</code> },
                        Err(Failure::Unavailable(m)) => html! { { m.clone() } },
                    };
                    html! { <tr><th scope="row"><code>{ c.path.clone() }</code></th><td data-label="argv">{ result }</td></tr> }
                })
                .collect();
            html! {
                <div class="ex-result ok" data-testid="bm-verdict">
                    <p><strong>{ "Accepted: " }</strong>{ format!("the entry \"{}\" runs {} for {how}.", lossy(&entry.name), lossy(&entry.interpreter)) }</p>
                    <pre class="bm-status" data-testid="bm-status">{ status.clone() }</pre>
                    if claims.is_empty() {
                        <p data-testid="bm-claims">{ "It claims none of the example files." }</p>
                    } else {
                        <p>{ "Example files it claims, run as " }<code>{ "FILE arg1" }</code>{ ", and the argv their interpreter receives:" }</p>
                        <Table testid="bm-claims" stack=true>
                            { rows }
                        </Table>
                    }
                </div>
            }
        }
    }
}

/// The verdict in one sentence, for screen readers.
fn verdict_live(v: &Verdict) -> String {
    match v {
        Verdict::Refused { errno, reason } => {
            format!("Refused: write fails with {errno}. {reason}")
        }
        Verdict::Accepted { entry, claims, .. } => format!(
            "Accepted: the entry \"{}\" runs {}; it claims {} of the example files.",
            lossy(&entry.name),
            lossy(&entry.interpreter),
            claims.len()
        ),
    }
}

/// The binfmt_misc widget.
#[component]
pub fn BinfmtMiscWidget() -> Html {
    let state = use_url_reducer::<State>();
    let on_text = state.on_text(Action::Text);
    let on_preset = state.on_pick(Action::Preset);
    let on_reset = state.on(Action::Preset(0));
    let current = PRESETS.iter().position(|(t, _)| *t == state.text);
    // The file the entry is tried on: the reader's pick, else the first it claims.
    let files = use_memo((), |_| sample_files());
    let pick = use_state(|| None::<usize>);
    let first_claimed = match &*state.verdict {
        Verdict::Accepted { claims, .. } => files
            .iter()
            .position(|(p, _)| claims.iter().any(|c| &c.path == p)),
        Verdict::Refused { .. } => None,
    };
    let picked = pick.or(first_claimed).unwrap_or(0);
    let mut canvas = Canvas::new();
    let (h, desc) = draw(&mut canvas, &state.text, &state.verdict, &files, picked);
    let on_hit = {
        let pick = pick.clone();
        Callback::from(move |i: usize| pick.set(Some(i)))
    };
    let picture = html! {
        { interactive("bm-diagram", "The registration, and the entry tried on a file".into(), desc, (W, h), true,
            html! { <>{ canvas.html() }{ hit_layer(&canvas.hits, &on_hit) }</> }) }
    };
    html! {
        <Frame id={super::ID} title="binfmt_misc registration" subtitle=":name:type:offset:magic:mask:interpreter:flags, checked as the kernel checks it" on_reset={on_reset} live={Some(AttrValue::from(verdict_live(&state.verdict)))}>
            <div class="asm-toolbar">
                { preset_picker("bm-preset", PRESETS, current, on_preset) }
            </div>
            <label for="bm-text" class="block-label">{ "Registration string (what you would write to /proc/sys/fs/binfmt_misc/register)" }</label>
            <input id="bm-text" data-testid="bm-text" type="text" class="wide" spellcheck="false" autocomplete="off" value={state.text.clone()} oninput={on_text} />
            { picture }
            { verdict_view(&state.verdict) }
        </Frame>
    }
}
