//! The view of the asm widget's "Build and run" part: the editor, the file that was made (size,
//! segments, a download link), and the run (output, exit status, instructions, system calls,
//! each explained).

use crate::ui::{Col, Table};
use super::build::{
    end_text, explain, line_span_utf16, BuildAction, BuildState, End, MAX_LINK_SOURCE,
    MAX_STEPS,
};
use super::state::Action;
use yew::prelude::*;
use youcpu_core::asm::program::{Listed, Section};
use youcpu_core::asm::Program;
use youcpu_core::preempt::trace::thousands;

/// Bytes shown as text, control characters other than newline and tab as `\xNN`.
fn shown(b: &[u8]) -> String {
    let t = String::from_utf8_lossy(b);
    let mut out = String::with_capacity(t.len());
    for c in t.chars() {
        if c.is_control() && c != '\n' && c != '\t' {
            out.push_str(&format!("\\x{:02x}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// The one-line summary the aria-live region announces.
pub fn summary(b: &BuildState) -> String {
    let Some(built) = b.built.as_deref() else {
        return "Press Build & run to assemble the program into an ELF file and run it.".into();
    };
    let p = match built {
        Err(e) => {
            let n = e.errors.len() + e.more;
            return format!(
                "Build failed with {n} error{}: {e}",
                if n == 1 { "" } else { "s" }
            );
        }
        Ok(p) => p,
    };
    let Some(r) = &b.report else {
        return format!("Built a {}-byte ELF file.", thousands(p.elf.len() as u64));
    };
    if r.end == End::Running {
        return format!(
            "Running: {} instructions so far…",
            thousands(r.instructions)
        );
    }
    format!(
        "Built a {}-byte ELF file; it ran {} instruction{} and {}.",
        thousands(p.elf.len() as u64),
        thousands(r.instructions),
        if r.instructions == 1 { "" } else { "s" },
        end_text(&r.end)
    )
}

fn segments(p: &Program) -> Html {
    let l = &p.layout;
    let base = l.code_vaddr - l.code_offset;
    let text_end = l.code_offset + p.text_size;
    let mut rows = vec![(
        "r-x",
        base,
        0,
        text_end,
        text_end,
        format!(
            "the ELF header, the program headers and .text ({} bytes of code): read and execute, never written",
            p.text_size
        ),
    )];
    if p.data_size + p.bss_size > 0 {
        rows.push((
            "rw-",
            l.data_vaddr,
            l.data_offset,
            p.data_size,
            p.data_size + p.bss_size,
            if p.bss_size > 0 {
                format!(
                    ".data ({} bytes from the file) and .bss ({} more bytes the kernel zeroes: they take no room in the file)",
                    p.data_size, p.bss_size
                )
            } else {
                format!(".data ({} bytes): read and write, never executed", p.data_size)
            },
        ));
    }
    let body: Html = rows
        .iter()
        .enumerate()
        .map(|(i, (flags, vaddr, off, filesz, memsz, _))| {
            html! {
                <tr data-testid={format!("asm-build-seg-{i}")}>
                    <td><code>{ "PT_LOAD" }</code></td><td><code>{ *flags }</code></td>
                    <td><code>{ format!("{vaddr:#x}") }</code></td><td>{ format!("{off:#x}") }</td>
                    <td>{ *filesz }</td><td>{ *memsz }</td>
                </tr>
            }
        })
        .collect();
    let holds: Html = rows
        .iter()
        .enumerate()
        .map(|(i, (flags, _, _, _, _, holds))| {
            html! { <li data-testid={format!("asm-build-holds-{i}")}><code>{ *flags }</code>{ format!(" holds {holds}.") }</li> }
        })
        .collect();
    html! {
        <>
            <Table class="asm-build-segs" caption="Segments: what the kernel maps (program headers)" cols={vec![Col::Show("Type"), Col::Show("Flags"), Col::Show("Address"), Col::Show("File offset"), Col::Show("Bytes in file"), Col::Show("Bytes in memory")]}>
                { body }
            </Table>
            <ul class="asm-build-holds">{ holds }</ul>
        </>
    }
}

fn listing(p: &Program, source: &str) -> Html {
    let lines: Vec<&str> = source.lines().collect();
    let rows: Html = p
        .listing
        .iter()
        .take(400)
        .map(|x: &Listed| {
            let src = lines
                .get(x.line.saturating_sub(1))
                .copied()
                .unwrap_or_default();
            let bytes = if x.section == Section::Bss {
                format!("({} zeroed bytes)", x.size)
            } else {
                let mut h: Vec<String> = x
                    .bytes
                    .iter()
                    .take(16)
                    .map(|b| format!("{b:02x}"))
                    .collect();
                if x.bytes.len() > 16 {
                    h.push("…".into());
                }
                h.join(" ")
            };
            html! {
                <tr>
                    <td>{ x.line }</td><td><code>{ format!("{:#x}", x.addr) }</code></td>
                    <td><code>{ bytes }</code></td><td><code>{ src.trim() }</code></td>
                </tr>
            }
        })
        .collect();
    html! {
        <details class="asm-build-listing">
            <summary>{ "What each line became (address and bytes)" }</summary>
            <Table cols={vec![Col::Show("Line"), Col::Show("Address"), Col::Show("Bytes"), Col::Show("Source")]}>
                { rows }
            </Table>
        </details>
    }
}

/// Properties of [`BuildPart`].
#[derive(Properties, PartialEq)]
pub struct BuildPartProps {
    /// The build state.
    pub build: BuildState,
    /// Where actions go.
    pub dispatch: Callback<Action>,
    /// The download URL for the current file, when one was made.
    pub download: Option<String>,
}

/// The "Build and run" part.
#[component]
pub fn BuildPart(props: &BuildPartProps) -> Html {
    let b = &props.build;
    let send = |a: BuildAction| {
        let d = props.dispatch.clone();
        Callback::from(move |_: MouseEvent| d.emit(Action::Build(a.clone())))
    };
    let on_input = {
        let d = props.dispatch.clone();
        Callback::from(move |e: InputEvent| {
            d.emit(Action::Build(BuildAction::Source(
                crate::dom::input_text(&e),
            )))
        })
    };
    let running = b.running();
    let errors = match b.built.as_deref() {
        Some(Err(e)) => {
            let items: Html = e
                .errors
                .iter()
                .map(|x| {
                    let head = if x.line == 0 {
                        html! { <strong>{ "Program" }</strong> }
                    } else {
                        // Selects the line in the editor (the source as built).
                        let span = line_span_utf16(&b.built_source, x.line);
                        let onclick = Callback::from(move |_: MouseEvent| {
                            if let Some((s, e)) = span {
                                crate::dom::select_in_textarea("asm-program", s, e);
                            }
                        });
                        html! {
                            <button type="button" class="asm-build-errline" data-testid={format!("asm-build-goto-{}", x.line)}
                                aria-label={format!("Line {}: select it in the program", x.line)} {onclick}>{ format!("Line {}", x.line) }</button>
                        }
                    };
                    html! { <li data-testid={format!("asm-build-error-{}", x.line)}>{ head }{ ": " }{ x.message.clone() }</li> }
                })
                .collect();
            html! {
                <div class="asm-build-errors" data-testid="asm-build-errors">
                    <ul>{ items }</ul>
                    if e.more > 0 { <p>{ format!("…and {} more.", e.more) }</p> }
                </div>
            }
        }
        _ => html! {},
    };
    let file = b.program().map(|p| {
        html! {
            <section class="asm-build-file" aria-label="The ELF file">
                <h5>{ "The file" }</h5>
                <p data-testid="asm-build-size">
                    { format!("A static x86-64 ELF executable of {} bytes, entered at {:#x} ({}).", thousands(p.elf.len() as u64), p.entry,
                        if p.entry_is_start { "the label _start" } else { "the first instruction: there is no _start" }) }
                </p>
                { segments(p) }
                <p class="asm-build-download">
                    if let Some(url) = &props.download {
                        <a href={url.clone()} download="program" class="btn" data-testid="asm-build-download">{ "Download ELF" }</a>
                    }
                    { " Made here in your browser; the file never leaves it. On Linux x86-64: " }
                    <code>{ "chmod +x program && ./program; echo $?" }</code>
                </p>
                { listing(p, &b.built_source) }
            </section>
        }
    });
    let run = b.report.as_ref().map(|r| {
        let calls: Html = r
            .syscalls
            .iter()
            .enumerate()
            .map(|(i, c)| html! {
                <li data-testid={format!("asm-build-syscall-{i}")}><code>{ c.text.clone() }</code><span class="asm-build-why">{ explain(&c.record) }</span></li>
            })
            .collect();
        let more = r.syscall_count.saturating_sub(r.syscalls.len() as u64);
        html! {
            <section class="asm-build-run" aria-label="The run">
                <h5>{ "The run" }</h5>
                <dl class="asm-build-facts">
                    <dt>{ "Exit" }</dt><dd data-testid="asm-build-exit">{ end_text(&r.end) }</dd>
                    <dt>{ "Instructions retired" }</dt><dd data-testid="asm-build-steps">{ thousands(r.instructions) }</dd>
                </dl>
                <p class="block-label">{ "Standard output" }</p>
                <pre class="asm-build-out" data-testid="asm-build-stdout">{ if r.stdout.is_empty() { "(nothing)".to_string() } else { shown(&r.stdout) } }</pre>
                if !r.stderr.is_empty() {
                    <p class="block-label">{ "Standard error" }</p>
                    <pre class="asm-build-out" data-testid="asm-build-stderr">{ shown(&r.stderr) }</pre>
                }
                <p class="block-label">{ format!("System calls ({})", r.syscall_count) }</p>
                <ol class="asm-build-calls" data-testid="asm-build-syscalls">{ calls }</ol>
                if more > 0 { <p>{ format!("…and {more} more.") }</p> }
            </section>
        }
    });
    html! {
        <div class="asm-build" data-testid="asm-build">
            <label for="asm-program" class="block-label">{ "Program: GNU as Intel syntax with .text, .data and .bss, labels, .ascii, .byte … .quad, .zero; # starts a comment" }</label>
            <textarea id="asm-program" data-testid="asm-program" rows="16" wrap="off" spellcheck="false" autocomplete="off"
                value={b.source.clone()} oninput={on_input} />
            if let Some(n) = &b.notice { <p class="stale" role="status">{ n.clone() }</p> }
            <div class="asm-build-actions">
                <button type="button" class="btn primary" data-testid="asm-build-run" onclick={send(BuildAction::Run)}>{ "Build & run" }</button>
                if running {
                    <button type="button" class="btn" data-testid="asm-build-stop" onclick={send(BuildAction::Stop)}>{ "Stop" }</button>
                }
                if b.stale() { <span class="stale">{ "edited since the last build" }</span> }
            </div>
            <p class="asm-build-limits">{ format!("Runs stop after {} instructions. Links carry programs of up to {MAX_LINK_SOURCE} bytes.", thousands(MAX_STEPS)) }</p>
            <p class="asm-build-status" role="status" aria-live="polite" data-testid="asm-build-status">{ summary(b) }</p>
            { errors }
            { file.unwrap_or_default() }
            { run.unwrap_or_default() }
        </div>
    }
}
