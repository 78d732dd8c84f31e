//! Where each part of the page-walk picture goes, from the simulator's state: the address's
//! fields and bits, the chain from CR3 to the frame, the TLB, and the picture in words.

use super::{Bit, Field, Input, Look, Node, Picture, Rect};
use youcpu_core::paging::walk::level_name;
use youcpu_core::paging::{FaultKind, Format};

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

