//! The view of `elf_inspector`.

use crate::ui::{
    on_drop_file, use_url_reducer, Col, Dispatch, FilePicker, FileRead, Frame, Table,
};
use crate::widgets::elf_loader::diagram::{file_map, FileMap, MapView, W};
use crate::widgets::exec_draw::{hit_layer, interactive, Canvas};
use super::examples::EXAMPLES;
use super::state::{
    Action, State, Highlight, Source, Tab, HEX_ROW, HEX_ROWS,
};
use yew::prelude::*;
use youcpu_core::elf::{ByteRange, ElfFile, Field};

type Sender = crate::ui::Dispatcher<State>;

fn hl<T>(f: &Field<T>, label: &str) -> Highlight {
    Highlight {
        range: f.bytes,
        label: label.to_string(),
    }
}

/// A table row whose bytes light up in the hex view on hover or keyboard focus.
fn row(d: &Sender, h: Highlight, cells: Html, selected: bool) -> Html {
    let enter = {
        let d = d.clone();
        let h = h.clone();
        Callback::from(move |_: MouseEvent| d.dispatch(Action::Highlight(Some(h.clone()))))
    };
    let focus = d.on(Action::Highlight(Some(h.clone())));
    html! { <tr tabindex="0" class={classes!("hl-row", selected.then_some("lit"))} onmouseenter={enter} onfocus={focus}>{ cells }</tr> }
}

/// A header row showing a field's value as a decimal number.
fn num<T: ToString>(label: &'static str, f: &Field<T>, name: &str) -> (&'static str, String, Highlight) {
    (label, f.value.to_string(), hl(f, name))
}

fn hex_u64(v: u64) -> String {
    format!("0x{v:x}")
}

fn header_table(e: &ElfFile, d: &Sender, lit: Option<&ByteRange>) -> Html {
    let h = &e.header;
    let rows: Vec<(&str, String, Highlight)> = vec![
        (
            "magic",
            "7f 45 4c 46 (\\x7fELF)".into(),
            hl(&h.magic, "e_ident[EI_MAG]"),
        ),
        (
            "class",
            format!("ELF{}", e.class_bits()),
            hl(&h.class, "EI_CLASS"),
        ),
        (
            "byte order",
            e.endian_name().into(),
            hl(&h.endian, "EI_DATA"),
        ),
        ("OS/ABI", e.osabi_name(), hl(&h.osabi, "EI_OSABI")),
        ("type", e.type_name(), hl(&h.e_type, "e_type")),
        ("machine", e.machine_name(), hl(&h.machine, "e_machine")),
        (
            "entry point",
            hex_u64(h.entry.value),
            hl(&h.entry, "e_entry"),
        ),
        (
            "program headers at",
            format!("{} (file offset)", h.phoff.value),
            hl(&h.phoff, "e_phoff"),
        ),
        (
            "section headers at",
            format!("{} (file offset)", h.shoff.value),
            hl(&h.shoff, "e_shoff"),
        ),
        num("header size", &h.ehsize, "e_ehsize"),
        num("program header size", &h.phentsize, "e_phentsize"),
        num("program headers", &h.phnum, "e_phnum"),
        num("section header size", &h.shentsize, "e_shentsize"),
        num("section headers", &h.shnum, "e_shnum"),
        num("names in section", &h.shstrndx, "e_shstrndx"),
    ];
    let body: Html = rows
        .into_iter()
        .map(|(name, value, h)| {
            let sel = lit == Some(&h.range);
            let cells = html! { <><th scope="row">{ name }<span class="fieldname">{ h.label.clone() }</span></th><td data-label="Value">{ value }</td><td class="num" data-label="Bytes">{ format!("{}–{}", h.range.start, h.range.end.saturating_sub(1)) }</td></> };
            row(d, h, cells, sel)
        })
        .collect();
    html! {
        <Table testid="elf-header-table" cols={vec![Col::Show("Field"), Col::Show("Value"), Col::Show("Bytes")]} bare=true stack=true>
            { body }
        </Table>
    }
}

fn segments_table(e: &ElfFile, d: &Sender, lit: Option<&ByteRange>) -> Html {
    let body: Html = e
        .segments
        .iter()
        .map(|s| {
            let h = Highlight { range: s.header, label: format!("program header {} ({})", s.index, s.type_name) };
            let sel = lit == Some(&h.range);
            let cells = html! {
                <>
                    <th scope="row">{ s.type_name.clone() }</th>
                    <td class="num" data-label="Offset">{ hex_u64(s.offset.value) }</td><td class="num" data-label="Address">{ hex_u64(s.vaddr.value) }</td>
                    <td class="num" data-label="File size">{ hex_u64(s.filesz.value) }</td><td class="num" data-label="Memory size">{ hex_u64(s.memsz.value) }</td>
                    <td data-label="Flags"><code>{ s.flags_text.clone() }</code></td><td class="num" data-label="Align">{ hex_u64(s.align.value) }</td>
                </>
            };
            row(d, h, cells, sel)
        })
        .collect();
    html! {
        <Table testid="elf-segments-table" cols={vec![Col::Show("Type"), Col::Show("Offset"), Col::Show("Address"), Col::Show("File size"), Col::Show("Memory size"), Col::Show("Flags"), Col::Show("Align")]} bare=true stack=true>
            { body }
        </Table>
    }
}

fn sections_table(e: &ElfFile, d: &Sender, lit: Option<&ByteRange>) -> Html {
    if e.sections.is_empty() {
        return html! { <p class="hint">{ "This file has no section headers. The kernel does not need them: it only reads the program headers." }</p> };
    }
    let body: Html = e
        .sections
        .iter()
        .map(|s| {
            let (range, label) = if s.contents.is_empty() {
                (s.header, format!("section header {} ({})", s.index, s.name))
            } else {
                (s.contents, format!("contents of {}", s.name))
            };
            let h = Highlight { range, label };
            let sel = lit == Some(&h.range);
            let cells = html! {
                <>
                    <th scope="row">{ if s.name.is_empty() { "(none)".to_string() } else { s.name.clone() } }</th>
                    <td data-label="Type">{ s.type_name.clone() }</td><td class="num" data-label="Address">{ hex_u64(s.addr.value) }</td>
                    <td class="num" data-label="Offset">{ hex_u64(s.offset.value) }</td><td class="num" data-label="Size">{ hex_u64(s.size.value) }</td>
                    <td data-label="Flags"><code>{ s.flags_text.clone() }</code></td>
                </>
            };
            row(d, h, cells, sel)
        })
        .collect();
    html! {
        <Table testid="elf-sections-table" cols={vec![Col::Show("Name"), Col::Show("Type"), Col::Show("Address"), Col::Show("Offset"), Col::Show("Size"), Col::Show("Flags")]} bare=true stack=true>
            { body }
        </Table>
    }
}

/// The file as a strip of bytes with lines to where each PT_LOAD lands (the ELF loader's
/// drawing code); clicking a segment lights its bytes in the hex view.
fn memory_picture(e: &ElfFile, d: &Sender, lit: Option<&ByteRange>) -> Html {
    if !e.segments.iter().any(|s| s.is_load()) {
        return html! { <p class="hint">{ "No PT_LOAD segments: nothing of this file would be mapped (a relocatable object or a core dump is not run)." }</p> };
    }
    let map = FileMap::of(e, 0);
    let loads: Vec<(ByteRange, String)> = e
        .segments
        .iter()
        .filter(|s| s.is_load())
        .enumerate()
        .map(|(i, s)| (s.contents, format!("segment {i} (LOAD {}): its bytes in the file", s.flags_text)))
        .collect();
    let which = loads.iter().position(|(r, _)| Some(r) == lit);
    let mut c = Canvas::new();
    let (y, desc) = file_map(&mut c, 4.0, &map, &MapView { lit: which, mapped: map.loads.len() });
    let on_hit = {
        let d = d.clone();
        Callback::from(move |i: usize| {
            if let Some((range, label)) = loads.get(i) {
                d.dispatch(Action::Highlight(Some(Highlight { range: *range, label: label.clone() })));
            }
        })
    };
    html! {
        <figure class="elf-map">
            { interactive("elf-map", "The file's bytes and where the kernel maps them".into(), desc, (W, y + 4.0), true,
                html! { <>{ c.html() }{ hit_layer(&c.hits, &on_hit) }</> }) }
            <figcaption>{ "Left, the file from its first byte down; right, the address space, page by page. Each bracket is a PT_LOAD segment's bytes in the file, and its line shows where the kernel maps them. Click or tap a segment to see its bytes below." }</figcaption>
        </figure>
    }
}

fn hex_view(s: &State) -> Html {
    let start = s.hex_window_start();
    let len = s.bytes.len() as u64;
    let lit = s.highlight.as_ref().map(|h| h.range);
    let rows: Html = (0..HEX_ROWS)
        .map(|r| start + r * HEX_ROW)
        .take_while(|&off| off < len)
        .map(|off| {
            let cells: Html = (off..(off + HEX_ROW).min(len))
                .map(|i| {
                    let b = s.bytes.get(i as usize).copied().unwrap_or(0);
                    let on = lit.is_some_and(|r| i >= r.start && i < r.end);
                    html! { <span class={classes!("hx", on.then_some("on"))}>{ format!("{b:02x}") }</span> }
                })
                .collect();
            html! { <div class="hexrow"><span class="hexoff">{ format!("{off:06x}") }</span>{ cells }</div> }
        })
        .collect();
    html! {
        <div class="hexview" data-testid="elf-hex" aria-label="Bytes of the file around the highlighted field">
            <p class="hexlabel">{ s.highlight.as_ref().map_or_else(|| "Hover over or focus a row to see its bytes.".to_string(), |h| format!("{}: bytes {}–{}", h.label, h.range.start, h.range.end.saturating_sub(1))) }</p>
            { rows }
        </div>
    }
}

/// The ELF inspector widget.
#[component]
pub fn ElfInspectorWidget() -> Html {
    let state = use_url_reducer::<State>();
    let d = state.dispatcher();
    let on_example = d.on_pick(Action::Example);
    // A file opened or dropped: its bytes, or why it could not be read.
    let on_read = {
        let d = d.clone();
        Callback::from(move |r: FileRead| match r {
            Ok((name, bytes)) => d.dispatch(Action::File { name, bytes }),
            Err(m) => d.dispatch(Action::FileError(m)),
        })
    };
    let on_dragover = Callback::from(|e: DragEvent| e.prevent_default());
    let on_drop = on_drop_file(on_read.clone());
    let tab_btn = |t: Tab, label: &'static str| {
        let d = d.clone();
        let on = state.tab == t;
        html! { <button type="button" class="btn" role="tab" aria-selected={on.to_string()} data-testid={format!("elf-tab-{}", t.key())} onclick={Callback::from(move |_: MouseEvent| d.dispatch(Action::Tab(t)))}>{ label }</button> }
    };
    let on_reset = {
        let d = d.clone();
        Callback::from(move |_| {
            d.dispatch(Action::Example(0));
            d.dispatch(Action::Tab(Tab::Segments));
        })
    };
    let lit = state.highlight.as_ref().map(|h| &h.range);
    let source_text = match &state.source {
        Source::Example(i) => EXAMPLES
            .get(*i)
            .map(|e| e.about.to_string())
            .unwrap_or_default(),
        Source::File(name) => format!(
            "{name}, {} bytes, read in your browser only.",
            state.bytes.len()
        ),
    };
    // For screen readers: the highlighted field's bytes, or what the file is and which table shows.
    let live = match (state.highlight.as_ref(), state.parsed.as_ref()) {
        (Some(h), _) => format!(
            "{}: bytes {} to {}",
            h.label,
            h.range.start,
            h.range.end.saturating_sub(1)
        ),
        (None, Ok(e)) => format!(
            "{}, {}: {} program headers, {} sections; showing the {}.",
            e.type_name(),
            e.machine_name(),
            e.segments.len(),
            e.sections.len(),
            match state.tab {
                Tab::Header => "ELF header",
                Tab::Segments => "program headers",
                Tab::Sections => "sections",
            }
        ),
        (None, Err(msg)) => format!("Not a readable ELF file: {msg}"),
    };
    let body = match state.parsed.as_ref() {
        Err(msg) => {
            html! { <p class="asm-error" role="alert" data-testid="elf-error">{ format!("Not a readable ELF file: {msg}") }</p> }
        }
        Ok(e) => html! {
            <>
                <dl class="ts-summary">
                    <div><dt>{ "Type" }</dt><dd data-testid="elf-type">{ e.type_name() }</dd></div>
                    <div><dt>{ "Machine" }</dt><dd data-testid="elf-machine">{ e.machine_name() }</dd></div>
                    <div><dt>{ "Entry" }</dt><dd data-testid="elf-entry">{ hex_u64(e.header.entry.value) }</dd></div>
                    <div><dt>{ "Interpreter" }</dt><dd data-testid="elf-interp">{ e.interp.as_ref().map_or_else(|| "none (static)".to_string(), |i| i.path.clone()) }</dd></div>
                </dl>
                if !e.warnings.is_empty() {
                    <ul class="warnings">{ for e.warnings.iter().map(|w| html! { <li>{ w.clone() }</li> }) }</ul>
                }
                { memory_picture(e, &d, lit) }
                <div class="seg" role="tablist" aria-label="Tables">
                    { tab_btn(Tab::Header, "ELF header") }{ tab_btn(Tab::Segments, "Program headers") }{ tab_btn(Tab::Sections, "Sections") }
                </div>
                <div class="elf-split">
                    <div class="table-wrap" role="tabpanel">
                        { match state.tab { Tab::Header => header_table(e, &d, lit), Tab::Segments => segments_table(e, &d, lit), Tab::Sections => sections_table(e, &d, lit) } }
                    </div>
                    { hex_view(&state) }
                </div>
            </>
        },
    };
    html! {
        <Frame id={super::ID} title="ELF inspector" subtitle="Open a program from your own computer, or pick an example" on_reset={on_reset} live={Some(AttrValue::from(live))}>
            <div class="elf-drop" ondragover={on_dragover} ondrop={on_drop}>
                <div class="asm-toolbar">
                    <label class="inline">{ "Example " }
                        <select data-testid="elf-example" onchange={on_example}>
                            if let Source::File(name) = &state.source {
                                <option value="" selected=true disabled=true>{ format!("your file: {name}") }</option>
                            }
                            { for EXAMPLES.iter().enumerate().map(|(i, ex)| html! { <option value={i.to_string()} selected={state.source == Source::Example(i)}>{ ex.name }</option> }) }
                        </select>
                    </label>
                    <FilePicker testid="elf-file" {on_read} />
                    <span class="hint">{ "or drop one here" }</span>
                </div>
                <p class="hint" data-testid="elf-source">{ source_text }</p>
                if let Some(m) = &state.file_error { <p class="asm-error" role="alert" data-testid="elf-file-error">{ m.clone() }</p> }
                { body }
            </div>
        </Frame>
    }
}
