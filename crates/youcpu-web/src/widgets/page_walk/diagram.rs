//! The page walk as a picture: the virtual address as a row of bits cut into its fields (the
//! reader clicks a bit to flip it, drags across a field to change its index), the chain
//! CR3 → PML4 → PDPT → PD → PT → frame with the entry each table gives lit, and the TLB.
//!
//! [`layout`] is a pure function of what the simulator reports (the walk of the address, the
//! TLB's entries, the outcome), so it is tested natively and drawn the same way by the widget
//! and by the Part 5 figure. Both draw the chain as a staircase of tables; `wide` (one row
//! of bits, the TLB in a column beside the chain) for a desktop column, and narrow (the bits
//! wrapped, the TLB below) for a phone; the style sheet shows the one that fits.

use crate::ui::svg::{num, polyline, rect, text};
use yew::prelude::*;
use youcpu_core::paging::walk::level_name;
use super::state::{State, TLB_SIZE};
use youcpu_core::paging::{AccessKind, FaultKind, Format, PageFault, Walk};

/// What the picture is drawn from.
pub struct Input<'a> {
    /// The paging format (4 or 5 levels).
    pub fmt: &'a Format,
    /// The virtual address.
    pub va: u64,
    /// The walk of the address (read without side effects when the TLB answered).
    pub walk: Option<Walk>,
    /// CR3's frame.
    pub root: u64,
    /// The TLB answered: no table was read.
    pub tlb_hit: bool,
    /// The outcome: the physical address or the fault.
    pub result: Option<Result<u64, PageFault>>,
    /// The TLB's entries: (virtual page, physical address of its first byte).
    pub tlb: Vec<(u64, u64)>,
    /// TLB capacity (slots drawn).
    pub tlb_size: usize,
    /// Hits and misses so far.
    pub counts: (u64, u64),
    /// The access in words ("read from user mode").
    pub access: String,
}

/// What the picture is drawn from, taken from the widget's state.
pub fn input(state: &State) -> Input<'_> {
    let walk = state.last.as_ref().and_then(|l| l.walk.clone()).or_else(|| state.inspect());
    input_with(state, walk)
}

/// The same, with the walk to show already computed.
pub fn input_with(state: &State, walk: Option<Walk>) -> Input<'_> {
    let fmt = &state.space.format;
    let access = format!(
        "{} from {} mode",
        match state.kind {
            AccessKind::Read => "read",
            AccessKind::Write => "write",
            AccessKind::Fetch => "instruction fetch",
        },
        if state.user { "user" } else { "kernel" }
    );
    Input {
        fmt,
        va: walk.as_ref().map_or(state.va, |w| w.va),
        walk,
        root: state.space.root,
        tlb_hit: state.last.as_ref().is_some_and(|l| l.tlb_hit),
        result: state.last.as_ref().map(|l| l.result),
        tlb: state.tlb.entries().map(|e| (e.page, e.translation.pa)).collect(),
        tlb_size: TLB_SIZE,
        counts: (state.tlb.hits, state.tlb.misses),
        access,
    }
}

/// How a shape is drawn: its class says it in the style sheet, and a lit or failed part is
/// also heavier or dashed (meaning is not colour alone).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Look {
    /// An ordinary part.
    Plain,
    /// The part in use (the entry read, the slot hit).
    Lit,
    /// Not used by this access (a table the walk never reached).
    Dim,
    /// Where the access failed.
    Err,
}

impl Look {
    fn class(self) -> &'static str {
        match self {
            Look::Plain => "",
            Look::Lit => "d-hl",
            Look::Dim => "d-dim",
            Look::Err => "d-err",
        }
    }
}

/// A rectangle in the picture's coordinates.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rect {
    /// Left.
    pub x: f64,
    /// Top.
    pub y: f64,
    /// Width.
    pub w: f64,
    /// Height.
    pub h: f64,
}

impl Rect {
    fn right(&self) -> f64 {
        self.x + self.w
    }
    fn bottom(&self) -> f64 {
        self.y + self.h
    }
}

/// One field of the address: the sign extension, a table index, or the page offset.
#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    /// Its name ("sign", "PML4", ..., "offset").
    pub name: String,
    /// Its lowest bit.
    pub lo: u32,
    /// Its width in bits.
    pub width: u32,
    /// Its value.
    pub value: u64,
    /// The box around its bits.
    pub r: Rect,
    /// Lit when the walk used it; Err for a non-canonical sign.
    pub look: Look,
    /// The colour class of its label strip.
    pub colour: &'static str,
}

impl Field {
    /// The largest value the field holds.
    pub fn max(&self) -> u64 {
        if self.width >= 64 {
            u64::MAX
        } else {
            (1u64 << self.width) - 1
        }
    }

    /// The sign extension (one box, not one cell per bit).
    pub fn is_sign(&self) -> bool {
        self.name == "sign"
    }
}

/// One bit of the address (the sign extension has no cells).
#[derive(Clone, Debug, PartialEq)]
pub struct Bit {
    /// Its number (0 = lowest).
    pub bit: u32,
    /// Set.
    pub on: bool,
    /// Its cell.
    pub r: Rect,
    /// The field it belongs to (index into [`Picture::fields`]).
    pub field: usize,
}

/// A box of the chain (CR3, a table, the frame or the fault) or a TLB slot.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// Its heading.
    pub title: String,
    /// A line under the heading.
    pub sub: String,
    /// The entry it gives (a table's used entry; the frame's physical address).
    pub entry: String,
    /// The entry's flags or a short reason.
    pub note: String,
    /// The box.
    pub r: Rect,
    /// The entry's row inside the box (none for CR3 and the TLB slots).
    pub row: Option<Rect>,
    /// How it is drawn.
    pub look: Look,
}

/// Everything the picture draws, with its geometry.
#[derive(Clone, Debug, PartialEq)]
pub struct Picture {
    /// viewBox width.
    pub width: f64,
    /// viewBox height.
    pub height: f64,
    /// Narrow (phone) layout.
    pub narrow: bool,
    /// The address's fields.
    pub fields: Vec<Field>,
    /// Its bits.
    pub bits: Vec<Bit>,
    /// CR3, the tables, the frame or fault.
    pub chain: Vec<Node>,
    /// Arrows between the chain's boxes.
    pub links: Vec<(Vec<(f64, f64)>, Look)>,
    /// The TLB's slots.
    pub tlb: Vec<Node>,
    /// The TLB's heading, where it is drawn, and its hit and miss counts (the line under it).
    pub tlb_title: (f64, f64, String, String),
    /// A remark over the chain (a TLB hit), if any.
    pub remark: Option<(f64, f64, String)>,
    /// The picture in words.
    pub desc: String,
}

/// Flags of an entry in the SDM's short names (P, W, U, A, D, PS, G, NX).
fn flags(fmt: &Format, e: u64) -> String {
    let b = fmt.bits;
    let mut out: Vec<&str> = Vec::new();
    for (bit, name) in [
        (Some(fmt.present_bit), "P"),
        (b.rw, "W"),
        (b.us, "U"),
        (b.accessed, "A"),
        (b.dirty, "D"),
        (b.ps, "PS"),
        (b.global, "G"),
        (b.nx, "NX"),
    ] {
        if fmt.flag(e, bit) {
            out.push(name);
        }
    }
    if out.is_empty() {
        "no flags".into()
    } else {
        out.join(" ")
    }
}

/// A fault in two words.
fn short(kind: FaultKind) -> &'static str {
    match kind {
        FaultKind::NotPresent => "not present",
        FaultKind::WriteProtected => "read-only",
        FaultKind::UserSupervisor => "kernel page",
        FaultKind::NoExecute => "no-execute",
        FaultKind::Reserved => "reserved bit",
        FaultKind::NonCanonical => "not canonical",
        FaultKind::OutOfMemory => "beyond RAM",
    }
}

/// A page size in words.
fn size_name(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 30 => format!("{} GiB page", b >> 30),
        b if b >= 1 << 20 => format!("{} MiB page", b >> 20),
        b => format!("{} KiB page", b >> 10),
    }
}

/// The address's fields, high to low: sign, one per level, offset.
fn fields_of(fmt: &Format, va: u64, canonical: bool, walked: usize) -> Vec<Field> {
    let n = fmt.levels.len();
    let vb = fmt.va_bits().min(63);
    let zero = Rect {
        x: 0.0,
        y: 0.0,
        w: 0.0,
        h: 0.0,
    };
    let mut out = vec![Field {
        name: "sign".into(),
        lo: vb,
        width: 64 - vb,
        value: va >> vb,
        r: zero,
        look: if canonical { Look::Plain } else { Look::Err },
        colour: "d-c7",
    }];
    for (l, &bits) in fmt.levels.iter().enumerate() {
        let lo = fmt.shift_of(l);
        let width = u32::from(bits);
        out.push(Field {
            name: level_name(n, l),
            lo,
            width,
            value: (va >> lo) & ((1u64 << width) - 1),
            r: zero,
            look: if l < walked { Look::Lit } else { Look::Plain },
            colour: ["d-c0", "d-c1", "d-c2", "d-c3", "d-c4", "d-c5"]
                .get(l + 5 - n.min(5))
                .copied()
                .unwrap_or("d-c0"),
        });
    }
    let ob = u32::from(fmt.offset_bits);
    out.push(Field {
        name: "offset".into(),
        lo: 0,
        width: ob,
        value: va & ((1u64 << ob) - 1),
        r: zero,
        look: Look::Plain,
        colour: "d-c6",
    });
    out
}

/// Width of the sign box.
const SIGN_W: f64 = 50.0;
/// Space between fields.
const GAP: f64 = 5.0;
/// Margin.
const M: f64 = 8.0;
/// Right edge of the chain in the wide layout; the TLB's column is beside it.
const CHAIN_W: f64 = 470.0;
/// Height of a bit cell.
const BIT_H: f64 = 22.0;
/// Height of one row of the address (label, bits, bit numbers).
const ROW_H: f64 = 60.0;

/// Places the fields and bits: one row when wide, wrapped rows when narrow. Returns the y below.
fn place_bits(fields: &mut [Field], width: f64, narrow: bool, va: u64) -> (Vec<Bit>, f64) {
    let usable = width - 2.0 * M;
    let nbits: u32 = fields.iter().filter(|f| !f.is_sign()).map(|f| f.width).sum();
    let bw = if narrow {
        10.3
    } else {
        (usable - SIGN_W - GAP * (fields.len() as f64 - 1.0)) / f64::from(nbits.max(1))
    };
    let mut bits = Vec::new();
    let (mut x, mut y) = (M, 18.0);
    for (i, f) in fields.iter_mut().enumerate() {
        let w = if f.is_sign() {
            SIGN_W
        } else {
            bw * f64::from(f.width)
        };
        if x > M && x + w > width - M + 0.01 {
            x = M;
            y += ROW_H;
        }
        f.r = Rect { x, y, w, h: BIT_H };
        if !f.is_sign() {
            for k in 0..f.width {
                let bit = f.lo + f.width - 1 - k;
                bits.push(Bit {
                    bit,
                    on: va >> bit & 1 == 1,
                    r: Rect {
                        x: x + bw * f64::from(k),
                        y,
                        w: bw,
                        h: BIT_H,
                    },
                    field: i,
                });
            }
        }
        x += w + GAP;
    }
    (bits, y + BIT_H + 26.0)
}

/// Lays the picture out from the simulator's state.
pub fn layout(inp: &Input, narrow: bool) -> Picture {
    let fmt = inp.fmt;
    let n = fmt.levels.len();
    let width = if narrow { 340.0 } else { 680.0 };
    let canonical = fmt.narrow(inp.va).is_some();
    let steps = inp.walk.as_ref().map(|w| w.steps.as_slice()).unwrap_or(&[]);
    let mut fields = fields_of(fmt, inp.va, canonical, steps.len());
    let (bits, mut y) = place_bits(&mut fields, width, narrow, inp.va);

    // The chain: CR3, one box per table, the outcome, as a staircase down to the right: across
    // the whole picture when narrow; on the left when wide, with the TLB in a column beside it.
    let count = n + 2;
    let chain_right = if narrow { width - M } else { CHAIN_W };
    let node_w = if narrow { 196.0 } else { 232.0 };
    let (node_h, step_y) = (48.0, 60.0);
    let step_x = (chain_right - M - node_w) / (count as f64 - 1.0);
    let remark_y = y;
    if inp.tlb_hit {
        y += 16.0;
    }
    let mut chain = Vec::new();
    let place = |i: usize| Rect {
        x: M + step_x * i as f64,
        y: y + step_y * i as f64,
        w: node_w,
        h: if i == 0 { 30.0 } else { node_h },
    };
    let row_of = |r: Rect| Rect {
        x: r.x + 4.0,
        y: r.y + 22.0,
        w: r.w - 8.0,
        h: 20.0,
    };
    let dim_walk = inp.tlb_hit;
    chain.push(Node {
        title: "CR3".into(),
        sub: format!("frame {:#x}", inp.root),
        entry: String::new(),
        note: String::new(),
        r: place(0),
        row: None,
        look: if dim_walk { Look::Dim } else { Look::Lit },
    });
    for l in 0..n {
        let r = place(l + 1);
        let (entry, note, look, sub) = match steps.get(l) {
            Some(s) => (
                format!("[{}]", s.index),
                if s.present {
                    flags(fmt, s.entry)
                } else {
                    "not present".into()
                },
                if !s.present {
                    Look::Err
                } else if dim_walk {
                    Look::Dim
                } else {
                    Look::Lit
                },
                format!("at {:#x}", s.table_base),
            ),
            None => (
                String::new(),
                String::new(),
                Look::Dim,
                if steps.last().is_some_and(|s| s.huge) {
                    "huge page: skipped".into()
                } else {
                    "not read".into()
                },
            ),
        };
        chain.push(Node {
            title: level_name(n, l),
            sub,
            entry,
            note,
            r,
            row: Some(row_of(r)),
            look,
        });
    }
    let r = place(n + 1);
    let end = match inp.result {
        Some(Ok(pa)) => {
            let size = inp
                .walk
                .as_ref()
                .and_then(|w| w.result.ok())
                .map_or(fmt.page_size(), |t| t.page_size);
            let title = size_name(size);
            // Title and sub line share the box's top line (bold when lit: about 8.4 units a
            // character on a phone): a long frame number drops its word.
            let frame = pa >> fmt.offset_bits;
            let mut sub = format!("frame {frame:#x}");
            if 8.4 * (title.chars().count() + sub.chars().count()) as f64 + 16.0 > node_w {
                sub = format!("{frame:#x}");
            }
            Node {
                title,
                sub,
                entry: format!("{pa:#x}"),
                note: "phys. address".into(),
                r,
                row: Some(row_of(r)),
                look: Look::Lit,
            }
        }
        Some(Err(f)) => Node {
            title: if f.kind == FaultKind::NonCanonical {
                "#GP".into()
            } else {
                "#PF".into()
            },
            sub: if f.kind == FaultKind::NonCanonical {
                "no walk".into()
            } else {
                format!("error code {:#x}", f.error_code)
            },
            entry: short(f.kind).into(),
            note: "CR2 = the address".into(),
            r,
            row: Some(row_of(r)),
            look: Look::Err,
        },
        None => Node {
            title: "frame".into(),
            sub: "no access yet".into(),
            entry: String::new(),
            note: String::new(),
            r,
            row: Some(row_of(r)),
            look: Look::Dim,
        },
    };
    chain.push(end);
    // Arrows: from each box's entry (or CR3) to the next box, lit as far as the walk went.
    let mut links = Vec::new();
    // The walk stops early at a table whose entry is not present (to the #PF) or maps a huge
    // page (to the frame): that arrow skips the tables below.
    let stop = steps
        .last()
        .filter(|s| !s.present || s.huge)
        .map(|_| steps.len());
    for i in 0..chain.len() - 1 {
        let (a, b) = (&chain[i], &chain[i + 1]);
        let from = a.row.unwrap_or(a.r);
        if stop == Some(i) && i < n {
            let last = &chain[n + 1];
            let x = (from.right() + 6.0).max(last.r.right() + 4.0);
            let pts = vec![
                (from.right(), from.y + from.h / 2.0),
                (x, from.y + from.h / 2.0),
                (x, last.r.y + last.r.h / 2.0),
                (last.r.right(), last.r.y + last.r.h / 2.0),
            ];
            let look = if dim_walk {
                Look::Dim
            } else if last.look == Look::Err {
                Look::Err
            } else {
                Look::Lit
            };
            links.push((pts, look));
            continue;
        }
        // The arrow into box i + 1 was followed if that table was read, or (into the outcome)
        // if every table was.
        let followed = i < steps.len() || (i == n && steps.len() == n);
        let look = if !followed || dim_walk || stop.is_some_and(|s| i > s) {
            Look::Dim
        } else if b.look == Look::Err {
            Look::Err
        } else {
            Look::Lit
        };
        let x = (from.x + 14.0).max(b.r.x + 10.0);
        let pts = vec![(x, from.bottom()), (x, b.r.y)];
        links.push((pts, look));
    }
    let chain_bottom = chain.iter().map(|c| c.r.bottom()).fold(0.0, f64::max);
    // The TLB: below the chain in two columns when narrow; beside it in one when wide.
    let (tx, mut ty, cols, tlb_w) = if narrow {
        (M, chain_bottom + 30.0, 2, width - 2.0 * M)
    } else {
        let x = CHAIN_W + 22.0;
        (x, y + 12.0, 1, width - M - x)
    };
    let tlb_title = (
        tx,
        ty,
        format!("TLB: {} of {} slots used", inp.tlb.len(), inp.tlb_size),
        format!(
            "{} {}, {} {}",
            inp.counts.0,
            if inp.counts.0 == 1 { "hit" } else { "hits" },
            inp.counts.1,
            if inp.counts.1 == 1 { "miss" } else { "misses" }
        ),
    );
    ty += 24.0;
    let sw = (tlb_w - 8.0 * (cols as f64 - 1.0)) / cols as f64;
    let mut tlb = Vec::new();
    for k in 0..inp.tlb_size {
        let r = Rect {
            x: tx + (k % cols) as f64 * (sw + 8.0),
            y: ty + (k / cols) as f64 * 28.0,
            w: sw,
            h: 22.0,
        };
        let node = match inp.tlb.get(k) {
            Some(&(page, pa)) => {
                let here = covers(page, pa, inp);
                Node {
                    title: format!(
                        "{:x} → {:x}",
                        page >> fmt.offset_bits,
                        pa >> fmt.offset_bits
                    ),
                    sub: String::new(),
                    entry: String::new(),
                    note: String::new(),
                    r,
                    row: None,
                    look: if here { Look::Lit } else { Look::Plain },
                }
            }
            None => Node {
                title: "empty".into(),
                sub: String::new(),
                entry: String::new(),
                note: String::new(),
                r,
                row: None,
                look: Look::Dim,
            },
        };
        tlb.push(node);
    }
    let height = tlb.last().map_or(ty, |s| s.r.bottom()).max(chain_bottom) + M;
    let remark = inp.tlb_hit.then(|| {
        (
            M,
            remark_y + 4.0,
            "TLB hit: the translation was cached, no table was read".to_string(),
        )
    });
    let desc = describe(inp, &fields, steps);
    Picture {
        width,
        height,
        narrow,
        fields,
        bits,
        chain,
        links,
        tlb,
        tlb_title,
        remark,
        desc,
    }
}

/// True when the TLB entry for `page` (mapping to `pa`) is the one this access used: the
/// physical address of the access lies in the same page frame range.
fn covers(page: u64, pa: u64, inp: &Input) -> bool {
    let size = inp
        .walk
        .as_ref()
        .and_then(|w| w.result.ok())
        .map_or(inp.fmt.page_size(), |t| t.page_size);
    let va_page = inp.va & !(size - 1);
    let pa_page = match inp.result {
        Some(Ok(p)) => p & !(size - 1),
        _ => return false,
    };
    va_page == page && pa_page == pa & !(size - 1)
}

/// The picture in words.
fn describe(inp: &Input, fields: &[Field], steps: &[youcpu_core::paging::Step]) -> String {
    let n = inp.fmt.levels.len();
    let parts: Vec<String> = fields
        .iter()
        .map(|f| match f.name.as_str() {
            "sign" => format!("high bits {:#x}", f.value),
            "offset" => format!("offset {:#x}", f.value),
            name => format!("{name} index {}", f.value),
        })
        .collect();
    let mut s = format!(
        "Virtual address {:#x}, a {}. Its fields: {}.",
        inp.va,
        inp.access,
        parts.join(", ")
    );
    if inp.tlb_hit {
        s.push_str(" The TLB held the translation, so no table was read.");
    } else if !steps.is_empty() {
        s.push_str(&format!(" CR3 holds frame {:#x}.", inp.root));
        for st in steps {
            let name = level_name(n, st.level);
            if !st.present {
                s.push_str(&format!(
                    " {name} entry {} is not present: the walk stops.",
                    st.index
                ));
            } else if st.leaf {
                s.push_str(&format!(
                    " {name} entry {} maps {} at frame {:#x}.",
                    st.index,
                    if st.huge { "a huge page" } else { "the page" },
                    st.pfn
                ));
            } else {
                s.push_str(&format!(
                    " {name} entry {} points to the next table at frame {:#x}.",
                    st.index, st.pfn
                ));
            }
        }
    }
    match inp.result {
        Some(Ok(pa)) => s.push_str(&format!(" Physical address {pa:#x}.")),
        Some(Err(f)) if f.kind == FaultKind::NonCanonical => s.push_str(
            " The high bits do not repeat the top address bit: a general-protection fault, no walk.",
        ),
        Some(Err(f)) => s.push_str(&format!(
            " Page fault: {}, error code {:#x}.",
            f.kind.describe(),
            f.error_code
        )),
        None => {}
    }
    s.push_str(&format!(
        " The TLB holds {} of {} entries.",
        inp.tlb.len(),
        inp.tlb_size
    ));
    s
}

/// The value of `attr` on the nearest element at or above the event's target that has it: how
/// the widgets find which part of the picture an event hit (one handler on the `<svg>`, not
/// one per shape).
pub fn hit(e: &Event, attr: &str) -> Option<String> {
    #[cfg(target_arch = "wasm32")]
    {
        use wasm_bindgen::JsCast;
        let el = e.target()?.dyn_into::<web_sys::Element>().ok()?;
        el.closest(&format!("[{attr}]")).ok()??.get_attribute(attr)
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = (e, attr);
        None
    }
}

/// An interactive picture: an `<svg role="group">` (its parts are controls, which an
/// `role="img"` may not hold) with a title and a description, drawn wide or narrow.
#[allow(clippy::too_many_arguments)]
pub fn group_svg(
    id: &str,
    class: &'static str,
    narrow: bool,
    title: &'static str,
    desc: String,
    (w, h): (f64, f64),
    listeners: Listeners,
    body: Html,
) -> Html {
    let id = if narrow { format!("{id}-narrow") } else { id.to_string() };
    html! {
        <svg class={format!("diagram {class} {}", if narrow { "d-narrow" } else { "d-wide" })}
            data-testid={id.clone()} viewBox={format!("0 0 {} {}", w, h.ceil())}
            role="group" aria-labelledby={format!("{id}-t {id}-d")} xmlns="http://www.w3.org/2000/svg"
            onpointerdown={listeners.down} onpointermove={listeners.moved} onpointerup={listeners.up}
            onpointercancel={listeners.cancel} onclick={listeners.click} onkeydown={listeners.key}>
            <title id={format!("{id}-t")}>{ title }</title>
            <desc id={format!("{id}-d")}>{ desc }</desc>
            { body }
        </svg>
    }
}

/// The handlers a widget puts on its picture (each optional).
#[derive(Clone, Default)]
pub struct Listeners {
    /// Pointer pressed.
    pub down: Option<Callback<PointerEvent>>,
    /// Pointer moved.
    pub moved: Option<Callback<PointerEvent>>,
    /// Pointer released.
    pub up: Option<Callback<PointerEvent>>,
    /// Pointer lost (the gesture was taken over, e.g. by a scroll).
    pub cancel: Option<Callback<PointerEvent>>,
    /// A click.
    pub click: Option<Callback<MouseEvent>>,
    /// A key.
    pub key: Option<Callback<KeyboardEvent>>,
}

/// Draws a chain box or TLB slot: a heading and a line beside it, and the entry's row.
fn node(n: &Node) -> Html {
    let r = n.r;
    let (hx, ha, sx, sy, sa) = (r.x + 6.0, "start", r.right() - 6.0, r.y + 15.0, "end");
    let row = n.row.map(|w| {
        // Mono text is about 7.2 units a character at 12 px, small text about 5.6 at 11 px:
        // an entry that would not fit beside its note is drawn small.
        let room = w.w - 14.0 - 5.6 * n.note.chars().count() as f64;
        let class = if 7.2 * n.entry.chars().count() as f64 > room {
            "d-small pw-entry-text"
        } else {
            "d-mono"
        };
        html! {
            <g class="pw-entry">
                { rect(w.x, w.y, w.w, w.h, "d-box-2") }
                { text(w.x + 4.0, w.y + 15.0, "start", class, n.entry.clone()) }
                { text(w.right() - 4.0, w.y + 14.5, "end", "d-small", n.note.clone()) }
            </g>
        }
    });
    // A TLB slot (no row, no sub line) has its text centred, in mono.
    let (hx, ha, hc) = if n.row.is_none() && n.sub.is_empty() {
        (r.x + r.w / 2.0, "middle", "d-mono")
    } else {
        (hx, ha, "d-title")
    };
    html! {
        <g class={format!("pw-node {}", n.look.class())}>
            { rect(r.x, r.y, r.w, r.h, "d-box") }
            { text(hx, r.y + 15.5, ha, hc, n.title.clone()) }
            { text(sx, sy, sa, "d-small", n.sub.clone()) }
            { row.unwrap_or_default() }
        </g>
    }
}

/// Draws the address's fields and bits (the top of the picture).
pub fn field_shapes(p: &Picture, interactive: bool) -> Html {
    p.fields
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let r = f.r;
            let sign = f.is_sign();
            let label = if sign {
                format!("{:x}", f.value)
            } else if f.name == "offset" {
                format!("offset {:#x}", f.value)
            } else {
                format!("{} {}", f.name, f.value)
            };
            let cells: Html = p
                .bits
                .iter()
                .filter(|b| b.field == i)
                .map(|b| {
                    let c = b.r;
                    html! {
                        <g class={if b.on { "pw-bit on" } else { "pw-bit" }} data-bit={interactive.then(|| b.bit.to_string())}>
                            { rect(c.x, c.y, c.w, c.h, if b.on { "d-box-2" } else { "d-box" }) }
                            { text(c.x + c.w / 2.0, c.y + 15.5, "middle", "d-mono pw-digit", if b.on { "1" } else { "0" }) }
                        </g>
                    }
                })
                .collect();
            // A field is a slider (its index) for the keyboard; the sign extension a button.
            let (aria, role, now, max) = if !interactive {
                (None, None, None, None)
            } else if sign {
                (
                    Some(format!("Sign extension, bits 63 to {}: {:#x}. Enter flips it.", f.lo, f.value)),
                    Some("button"),
                    None,
                    None,
                )
            } else {
                (
                    Some(format!("{}, bits {} to {}", f.name, f.lo + f.width - 1, f.lo)),
                    Some("slider"),
                    Some(f.value.to_string()),
                    Some(f.max().to_string()),
                )
            };
            html! {
                <g class={format!("pw-field {}", f.look.class())} data-field={f.name.clone()}
                    data-i={interactive.then(|| i.to_string())}>
                    if interactive {
                        // Behind the bits, the whole field (label to bit numbers) takes the pointer.
                        { rect(r.x, r.y - 17.0, r.w, r.h + 31.0, "pw-hitbox") }
                    }
                    <rect x={num(r.x)} y={num(r.y - 4.0)} width={num(r.w)} height="3" class={format!("{} pw-strip", f.colour)} />
                    { text(r.x + r.w / 2.0, r.y - 7.0, "middle", "d-small pw-flabel", label) }
                    if sign {
                        { rect(r.x, r.y, r.w, r.h, "d-box-2") }
                        { text(r.x + r.w / 2.0, r.y + 15.0, "middle", "d-small", if f.look == Look::Err { format!("≠ bit {}", f.lo.saturating_sub(1)) } else { "copies".to_string() }) }
                    } else {
                        { cells }
                    }
                    { rect(r.x, r.y, r.w, r.h, "pw-field-outline") }
                    { text(r.x + 1.0, r.bottom() + 11.0, "start", "d-small", (f.lo + f.width - 1).to_string()) }
                    { text(r.right() - 1.0, r.bottom() + 11.0, "end", "d-small", f.lo.to_string()) }
                    if interactive {
                        // The control for the keyboard: a shape with no text of its own, so its
                        // name is its label alone.
                        <rect x={num(r.x - 2.0)} y={num(r.y - 17.0)} width={num(r.w + 4.0)} height={num(r.h + 31.0)}
                            rx="3" class="pw-focus" tabindex="0" {role} aria-label={aria}
                            aria-valuenow={now} aria-valuemin={max.as_ref().map(|_| "0")} aria-valuemax={max} />
                    }
                </g>
            }
        })
        .collect()
}

/// Draws the picture's shapes (to put inside an `<svg>`), with the widget's hooks if any.
pub fn shapes(p: &Picture, interactive: bool) -> Html {
    let fields = field_shapes(p, interactive);
    let links: Html = p
        .links
        .iter()
        .map(|(pts, look)| polyline(pts, look.class(), true))
        .collect();
    let chain: Html = p.chain.iter().map(node).collect();
    let tlb: Html = p.tlb.iter().map(node).collect();
    let (tx, ty, tt, counts) = &p.tlb_title;
    html! {
        <>
            <g class="pw-fields" data-testid="pw-fields">{ fields }</g>
            if let Some((x, y, t)) = &p.remark {
                { text(*x, *y, "start", "d-small pw-remark", t.clone()) }
            }
            <g class="pw-chain" data-testid="pw-chain">{ links }{ chain }</g>
            { text(*tx, *ty, "start", "d-title", tt.clone()) }
            { text(*tx, *ty + 15.0, "start", "d-small", counts.clone()) }
            <g class="pw-tlbg" data-testid="pw-tlb-diagram">{ tlb }</g>
        </>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::widgets::page_walk::state::{Action, State, PRESETS};
    use crate::ui::Apply;

    fn pic(s: &State, narrow: bool) -> Picture {
        let inp = input(s);
        layout(&inp, narrow)
    }

    fn inside(p: &Picture, r: Rect) -> bool {
        r.x >= 0.0 && r.y >= 0.0 && r.right() <= p.width + 0.01 && r.bottom() <= p.height + 0.01
    }

    #[test]
    fn every_shape_fits_the_view_box_in_both_layouts_for_every_preset() {
        for five in [false, true] {
            let mut s = State::default();
            s.apply(Action::FiveLevel(five));
            for (i, preset) in PRESETS.iter().enumerate() {
                s.apply(Action::Preset(i));
                for narrow in [false, true] {
                    let p = pic(&s, narrow);
                    for r in p
                        .fields
                        .iter()
                        .map(|f| f.r)
                        .chain(p.bits.iter().map(|b| b.r))
                        .chain(p.chain.iter().map(|n| n.r))
                        .chain(p.tlb.iter().map(|n| n.r))
                    {
                        assert!(inside(&p, r), "{} five={five} narrow={narrow}: {r:?}", preset.name);
                    }
                    for (pts, _) in &p.links {
                        for &(x, y) in pts {
                            assert!((0.0..=p.width).contains(&x) && (0.0..=p.height).contains(&y));
                        }
                    }
                    // 48 or 57 address bits, each once.
                    assert_eq!(p.bits.len(), if five { 57 } else { 48 });
                    // Bits of one field do not overlap the next field.
                    for w in p.fields.windows(2) {
                        if (w[0].r.y - w[1].r.y).abs() < 1.0 {
                            assert!(w[0].r.right() <= w[1].r.x, "{:?}", w);
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn the_lit_entries_follow_the_walk_and_a_fault_is_marked() {
        let mut s = State::default();
        let p = pic(&s, false);
        // CR3, four tables, the frame: all lit on a successful walk.
        assert_eq!(p.chain.len(), 6);
        assert!(p.chain.iter().all(|n| n.look == Look::Lit));
        assert_eq!(p.chain[1].entry, "[255]");
        assert_eq!(p.chain[5].entry, "0x3b1b40");
        // Unmapped: the PML4 entry is not present, the rest never read.
        s.apply(Action::Preset(9));
        let p = pic(&s, false);
        assert_eq!(p.chain[1].look, Look::Err);
        assert!(p.chain[2..5].iter().all(|n| n.look == Look::Dim));
        assert_eq!(p.chain[5].title, "#PF");
        // Not canonical: the sign field is marked and the outcome is #GP.
        s.apply(Action::Preset(10));
        let p = pic(&s, true);
        assert_eq!(p.fields[0].look, Look::Err);
        assert_eq!(p.chain.last().map(|n| n.title.as_str()), Some("#GP"));
        // A 1 GiB page: the walk ends at the PDPT, the arrow skips to the frame.
        s.apply(Action::Preset(6));
        let p = pic(&s, false);
        assert_eq!(p.chain[3].look, Look::Dim);
        assert_eq!(p.chain[5].title, "1 GiB page");
        // The PDPT's arrow goes to the frame, lit; the arrows through PD and PT are dim.
        assert_eq!(p.links[2].1, Look::Lit);
        assert_eq!(p.links[2].0.last().map(|pt| pt.1), Some(p.chain[5].r.y + p.chain[5].r.h / 2.0));
        assert!(p.links[3..].iter().all(|(_, l)| *l == Look::Dim));
        // Not present at the PML4: its arrow goes to the #PF, marked as a failure.
        s.apply(Action::Preset(9));
        let p = pic(&s, true);
        assert_eq!(p.links[1].1, Look::Err);
        assert!(p.links[2..].iter().all(|(_, l)| *l == Look::Dim));
    }

    #[test]
    fn the_tlb_is_beside_the_chain_when_wide_and_below_it_when_narrow() {
        let s = State::default();
        let w = pic(&s, false);
        let chain_right = w.chain.iter().map(|n| n.r.right()).fold(0.0, f64::max);
        let chain_bottom = w.chain.iter().map(|n| n.r.bottom()).fold(0.0, f64::max);
        assert!(w.tlb.iter().all(|t| t.r.x > chain_right + 8.0), "the TLB's column is right of the chain");
        assert!(w.tlb.iter().all(|t| t.r.y < chain_bottom), "and level with it");
        assert_eq!(w.tlb.len(), TLB_SIZE);
        let n = pic(&s, true);
        let chain_bottom = n.chain.iter().map(|n| n.r.bottom()).fold(0.0, f64::max);
        assert!(n.tlb.iter().all(|t| t.r.y > chain_bottom), "narrow: the TLB is below the chain");
        // A 2 MiB page's frame number is too long to sit beside its title in a narrow box.
        let mut s = State::default();
        s.apply(Action::Preset(5));
        let last = |p: &Picture| p.chain.last().map(|n| n.sub.clone()).unwrap_or_default();
        assert_eq!(pic(&s, true).chain.last().map(|n| n.title.as_str()), Some("2 MiB page"));
        assert!(!last(&pic(&s, true)).starts_with("frame"), "{}", last(&pic(&s, true)));
        assert!(last(&pic(&s, false)).starts_with("frame"), "{}", last(&pic(&s, false)));
    }

    #[test]
    fn a_second_access_lights_the_tlb_and_dims_the_tables() {
        let mut s = State::default();
        let before = pic(&s, false);
        assert!(before.remark.is_none());
        s.apply(Action::Again);
        let p = pic(&s, false);
        assert!(p.remark.is_some());
        assert_eq!(p.tlb.iter().filter(|n| n.look == Look::Lit).count(), 1);
        assert!(p.chain[1..5].iter().all(|n| n.look == Look::Dim));
        assert!(p.desc.contains("no table was read"), "{}", p.desc);
        assert_ne!(before.desc, p.desc);
    }

    #[test]
    fn flipping_a_bit_and_setting_a_field_change_the_address_and_the_words() {
        let mut s = State::default();
        let d0 = pic(&s, false).desc;
        s.apply(Action::FlipBit(12));
        assert_eq!(s.va, 0x7ffd_1c2a_2b40);
        let p = pic(&s, false);
        assert!(p.desc.contains("PT index 162"), "{}", p.desc);
        assert_ne!(d0, p.desc);
        assert!(p.bits.iter().any(|b| b.bit == 12 && !b.on));
        s.apply(Action::SetBits {
            lo: 39,
            width: 9,
            value: 0,
        });
        assert_eq!(s.va, 0x7d_1c2a_2b40);
        s.apply(Action::ToggleSign);
        assert!(pic(&s, false).fields[0].look == Look::Err);
        s.apply(Action::ToggleSign);
        assert!(pic(&s, false).fields[0].look == Look::Plain);
    }
}
