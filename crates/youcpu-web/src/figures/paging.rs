//! Part 5's figures: how the MMU reads a virtual address.

use crate::ui::svg::{line, rect, text};
use crate::ui::{Apply, Diagram};
use crate::widgets::demand_paging::diagram as dp;
use crate::widgets::demand_paging::state as dps;
use crate::widgets::page_walk::diagram as pw;
use crate::widgets::page_walk::state as pws;
use yew::prelude::*;
use youcpu_core::paging::Format;

/// A figure drawn twice, wide and narrow; the style sheet shows the one that fits the screen
/// (a phone gets a layout made for it, not the desktop one shrunk to unreadable text).
pub(super) fn dual(
    name: &str,
    title: &str,
    desc: String,
    wide: (f64, f64, Html),
    narrow: (f64, f64, Html),
    wide_max: Option<u32>,
) -> Html {
    let id = super::diagram_id(name);
    html! {
        <div class="dual">
            <Diagram id={id.clone()} title={title.to_string()} desc={desc.clone()}
                width={wide.0.ceil() as u32} height={wide.1.ceil() as u32} max_width={wide_max} class={classes!("d-wide")}>
                { wide.2 }
            </Diagram>
            <Diagram id={format!("{id}-narrow")} title={title.to_string()} desc={desc}
                width={narrow.0.ceil() as u32} height={narrow.1.ceil() as u32} max_width={440}
                class={classes!("d-narrow")}>
                { narrow.2 }
            </Diagram>
        </div>
    }
}

/// The walk of the stack address of the page-walk widget through the x86-64 tables its state
/// builds with the core's `paging::map` (SDM Vol. 3A §4.5), as the widget draws it.
pub fn page_walk() -> Html {
    let s = pws::State::default();
    let inp = pw::input(&s);
    let w = pw::layout(&inp, false);
    let n = pw::layout(&inp, true);
    let desc = w.desc.clone();
    dual(
        "page-walk",
        "The walk of one address from CR3 to its frame",
        desc,
        (w.width, w.height, pw::shapes(&w, false)),
        (n.width, n.height, pw::shapes(&n, false)),
        None,
    )
}

/// Demand paging before and after the first touches: the hello process just started (its
/// regions, no page present), then after growing the heap, mapping the file twice and
/// touching a few pages, replayed on the core's memory model (`vm::System`).
pub fn demand_paging() -> Html {
    let before = dps::State::default();
    let mut after = dps::State::default();
    for op in [
        dps::Op::Brk,
        dps::Op::Read(dps::Target::HeapStart),
        dps::Op::Write(dps::Target::HeapEnd),
        dps::Op::Write(dps::Target::StackTop),
        dps::Op::Mmap,
        dps::Op::Read(dps::Target::File),
        dps::Op::Mmap,
        dps::Op::Read(dps::Target::File),
    ] {
        after.apply(dps::Action::Do(op));
    }
    let draw = |narrow: bool| {
        let pics: Vec<(String, dp::Picture)> = [
            (&before, "Before: the process has just started"),
            (&after, "After: brk, mmap twice, five touches"),
        ]
        .into_iter()
        .filter_map(|(st, head)| {
            let sys = st.sys.as_ref()?;
            let last = st.last.as_ref().as_ref().ok().and_then(|o| o.va);
            let h = st
                .last
                .as_ref()
                .as_ref()
                .map(|o| o.headline.clone())
                .unwrap_or_default();
            Some((
                head.to_string(),
                dp::layout(sys, dps::PID, last, &h, narrow),
            ))
        })
        .collect();
        let width = if narrow { 340.0 } else { 680.0 };
        let mut y = 0.0;
        let mut parts = Vec::new();
        let mut desc = Vec::new();
        for (head, p) in &pics {
            parts.push(html! {
                <g transform={format!("translate(0 {})", crate::ui::svg::num(y))}>
                    { text(8.0, 16.0, "start", "d-title", head.clone()) }
                    <g transform="translate(0 20)">{ dp::shapes(p, false) }</g>
                </g>
            });
            desc.push(format!("{head}. {}", p.desc));
            y += p.height + 32.0;
        }
        (width, y, html! { <>{ for parts }</> }, desc.join(" "))
    };
    let (ww, wh, wshapes, desc) = draw(false);
    let (nw, nh, nshapes, _) = draw(true);
    dual(
        "demand-paging",
        "An address space before and after its first touches",
        desc,
        (ww, wh, wshapes),
        (nw, nh, nshapes),
        None,
    )
}

/// The address the figure cuts up: a plausible stack address of a process (the top of the
/// user half, where Linux puts the stack).
const EXAMPLE: u64 = 0x0000_7ffd_e3a5_4c18;

/// A virtual address cut into the sign extension, the four 9-bit table indices and the 12-bit
/// page offset, as `Format::x86_64().split` cuts it (SDM Vol. 3A §4.5, Figure 4-8).
pub fn virtual_address() -> Html {
    let format = Format::x86_64();
    let (indices, offset) = format.split(EXAMPLE);
    let names = ["PML4", "PDPT", "PD", "PT"];
    // (label, first bit, last bit, value shown)
    let mut fields: Vec<(String, u32, u32, String)> =
        vec![("sign".into(), 63, 48, format!("{:x}", EXAMPLE >> 48))];
    for (l, idx) in indices.iter().enumerate() {
        let hi = 47 - 9 * l as u32;
        fields.push((
            names.get(l).copied().unwrap_or("?").to_string(),
            hi,
            hi - 8,
            idx.to_string(),
        ));
    }
    fields.push(("offset".into(), 11, 0, format!("0x{offset:03x}")));
    let (x0, w_total, y) = (8.0, 504.0, 44.0);
    let px = w_total / 64.0;
    let mut shapes = Vec::new();
    let mut x = x0;
    for (i, (name, hi, lo, value)) in fields.iter().enumerate() {
        let bits = f64::from(hi - lo + 1);
        let w = bits * px;
        let class = if i == 0 { "d-box-2" } else { "d-box" };
        shapes.push(rect(x, y, w, 40.0, class));
        shapes.push(text(
            x + w / 2.0,
            y + 17.0,
            "middle",
            "d-title",
            name.clone(),
        ));
        shapes.push(text(
            x + w / 2.0,
            y + 33.0,
            "middle",
            "d-mono",
            value.clone(),
        ));
        shapes.push(text(x + 2.0, y + 56.0, "start", "d-small", hi.to_string()));
        shapes.push(text(
            x + w - 2.0,
            y + 56.0,
            "end",
            "d-small",
            lo.to_string(),
        ));
        x += w;
    }
    // Under the four indices, one bracket; under the offset, what it is.
    let idx_left = x0 + 16.0 * px;
    let idx_right = x0 + 52.0 * px;
    shapes.push(line(
        idx_left + 2.0,
        y + 64.0,
        idx_right - 2.0,
        y + 64.0,
        "d-line",
    ));
    shapes.push(text(
        (idx_left + idx_right) / 2.0,
        y + 80.0,
        "middle",
        "d-small",
        "four 9-bit indices, each 0 to 511",
    ));
    shapes.push(text(
        x0 + w_total,
        y + 80.0,
        "end",
        "d-small",
        "byte in the page",
    ));
    shapes.push(text(x0, y + 80.0, "start", "d-small", "= bit 47"));
    shapes.push(text(
        x0 + w_total / 2.0,
        22.0,
        "middle",
        "d-mono",
        format!(
            "virtual address 0x{:04x}_{:04x}_{:04x}_{:04x}",
            EXAMPLE >> 48,
            (EXAMPLE >> 32) & 0xffff,
            (EXAMPLE >> 16) & 0xffff,
            EXAMPLE & 0xffff
        ),
    ));
    shapes.push(line(x0, 30.0, x0 + w_total, 30.0, "d-line"));
    let desc = format!(
        "The 64-bit address 0x{EXAMPLE:x} read as the MMU reads it: bits 63 to 48 must repeat bit \
         47 (here 0x{:x}); bits 47 to 39 pick entry {} of the PML4 table, bits 38 to 30 entry {} \
         of the PDPT, bits 29 to 21 entry {} of the page directory, bits 20 to 12 entry {} of the \
         page table, and the last 12 bits, 0x{offset:03x}, are the byte within the 4 KiB page, \
         which the walk never translates.",
        EXAMPLE >> 48,
        indices.first().copied().unwrap_or(0),
        indices.get(1).copied().unwrap_or(0),
        indices.get(2).copied().unwrap_or(0),
        indices.get(3).copied().unwrap_or(0),
    );
    // On a phone: the same fields as the page-walk widget cuts them, wrapped into rows, each
    // bit drawn, the legend under them.
    let fmt = Format::x86_64();
    let inp = pw::Input {
        fmt: &fmt,
        va: EXAMPLE,
        walk: None,
        root: 0,
        tlb_hit: false,
        result: None,
        tlb: Vec::new(),
        tlb_size: 0,
        counts: (0, 0),
        access: "read".into(),
    };
    let narrow = pw::layout(&inp, true);
    let bottom = narrow
        .fields
        .iter()
        .map(|f| f.r.y + f.r.h)
        .fold(0.0, f64::max)
        + 16.0;
    let legend = [
        format!("0x{EXAMPLE:x}"),
        "sign: bits 63–48 repeat bit 47".to_string(),
        "PML4, PDPT, PD, PT: 9-bit indices, 0 to 511".to_string(),
        "offset: the byte in the 4 KiB page".to_string(),
    ];
    let lines: Html = legend
        .iter()
        .enumerate()
        .map(|(i, t)| {
            text(
                8.0,
                bottom + 14.0 + 17.0 * i as f64,
                "start",
                if i == 0 { "d-mono" } else { "d-small" },
                t.clone(),
            )
        })
        .collect();
    let nh = bottom + 14.0 + 17.0 * legend.len() as f64;
    dual(
        "virtual-address",
        "A virtual address, as the MMU reads it",
        desc,
        (520.0, 130.0, html! { <>{ for shapes }</> }),
        (
            narrow.width,
            nh,
            html! { <>{ pw::field_shapes(&narrow, false) }{ lines }</> },
        ),
        None,
    )
}

/// The levels of memory a running process's bytes pass through, fastest first: (name, what,
/// how fast). Sizes and latencies are typical of current x86-64 processors (the SDM leaves
/// them to each model; `lscpu` shows a machine's own).
const LEVELS: [(&str, &str, &str); 5] = [
    ("registers", "RIP, RSP, CR3, …", "every cycle"),
    ("L1 cache", "32–48 KiB per core", "about 4 cycles"),
    ("L2 cache", "1–2 MiB per core", "about 14 cycles"),
    ("L3 cache", "shared, many MiB", "about 50 cycles"),
    ("RAM", "frames of 4 KiB", "hundreds of cycles"),
];

/// The epilogue's figure: the memory hierarchy a running process sits on (registers, caches,
/// RAM) above the process's own address space mapped onto frames, the latter from the memory
/// model after `hello` has started and touched a few pages.
pub fn process_memory() -> Html {
    let mut st = dps::State::default();
    for op in [
        dps::Op::Read(dps::Target::StackTop),
        dps::Op::Write(dps::Target::StackTop),
        dps::Op::Brk,
        dps::Op::Write(dps::Target::HeapStart),
        dps::Op::Mmap,
        dps::Op::Read(dps::Target::File),
    ] {
        st.apply(dps::Action::Do(op));
    }
    let Some(sys) = st.sys.as_ref() else {
        return html! {};
    };
    let cr3 = sys.process(dps::PID).map_or(0, |p| p.root_pfn);
    let tlb_used = sys.tlb.entries().count();
    let tlb_size = sys.limits().tlb_entries;
    let draw = |narrow: bool| {
        let width = if narrow { 340.0 } else { 680.0 };
        let mut shapes = Vec::new();
        // The hierarchy: a row of boxes growing wider (wide), or a column (narrow).
        let (mut x, mut y) = (8.0, 8.0);
        let n = LEVELS.len() as f64;
        let box_h = 58.0;
        let row_w = (width - 16.0 - 14.0 * (n - 1.0)) / n;
        for (i, (name, what, speed)) in LEVELS.iter().enumerate() {
            let (w, h) = if narrow {
                (width - 16.0, 40.0)
            } else {
                (row_w, box_h)
            };
            let class = if i == 0 || i == LEVELS.len() - 1 {
                "d-box-2"
            } else {
                "d-box"
            };
            shapes.push(rect(x, y, w, h, class));
            if narrow {
                shapes.push(text(x + 6.0, y + 16.0, "start", "d-title", *name));
                shapes.push(text(x + w - 6.0, y + 16.0, "end", "d-small", *speed));
                shapes.push(text(x + 6.0, y + 32.0, "start", "d-small", *what));
            } else {
                shapes.push(text(x + w / 2.0, y + 17.0, "middle", "d-title", *name));
                shapes.push(text(x + w / 2.0, y + 33.0, "middle", "d-small", *what));
                shapes.push(text(x + w / 2.0, y + 48.0, "middle", "d-small", *speed));
            }
            if i + 1 < LEVELS.len() {
                if narrow {
                    shapes.push(crate::ui::svg::arrow(
                        x + 30.0,
                        y + h,
                        x + 30.0,
                        y + h + 10.0,
                        "",
                    ));
                    y += h + 10.0;
                } else {
                    shapes.push(crate::ui::svg::arrow(
                        x + w,
                        y + h / 2.0,
                        x + w + 14.0,
                        y + h / 2.0,
                        "",
                    ));
                    x += w + 14.0;
                }
            }
        }
        y += if narrow { 40.0 } else { box_h };
        y += 22.0;
        shapes.push(text(
            8.0,
            y,
            "start",
            "d-small",
            format!("CR3 = frame {cr3:#x} · TLB: {tlb_used} of {tlb_size} entries used"),
        ));
        y += 10.0;
        let last = st.last.as_ref().as_ref().ok().and_then(|o| o.va);
        let head = st
            .last
            .as_ref()
            .as_ref()
            .map(|o| o.headline.clone())
            .unwrap_or_default();
        let p = dp::layout(sys, dps::PID, last, &head, narrow);
        let body = html! {
            <g transform={format!("translate(0 {})", crate::ui::svg::num(y))}>{ dp::shapes(&p, false) }</g>
        };
        (
            width,
            y + p.height,
            html! { <>{ for shapes }{ body }</> },
            p.desc,
        )
    };
    let (ww, wh, wide, pdesc) = draw(false);
    let (nw, nh, narrow, _) = draw(true);
    let levels: Vec<String> = LEVELS
        .iter()
        .map(|(n, w, s)| format!("{n} ({w}, {s})"))
        .collect();
    let desc = format!(
        "The memory a running process's bytes pass through, fastest and smallest first: {}. \
         Every address the process uses is translated through its page tables, rooted at CR3 \
         (frame {cr3:#x}), and the TLB keeps recent translations ({tlb_used} of {tlb_size} \
         slots used). Below, the process's side: {pdesc}",
        levels.join(", ")
    );
    dual(
        "process-memory",
        "The memory of a running process",
        desc,
        (ww, wh, wide),
        (nw, nh, narrow),
        None,
    )
}
