//! The picture of `ld-so`: the address space at the program's entry point, one band per
//! object (highest address at the top) with its base and its relocations counted by type;
//! under it the picked object's relocation slots as cells, and an arrow from the picked slot to
//! what the value `ld.so` wrote there points at; for a slot the program calls through, the
//! call site and the PLT stub that lead to it, then the slot in words.
//!
//! No line crosses a text: the arrow up to the target's band runs in a gutter right of the
//! bands and along free rows (above the cells, under the target band), and the call boxes sit
//! right under the cells, with the sentence below them.

use super::state::State;
use crate::widgets::exec_draw::{char_w, clip, order_by, Canvas};
use youcpu_core::linux::ldso::{Reloc, Report, Role};

/// The picture's width (viewBox units).
pub const W: f64 = 560.0;
/// The narrow layout's width, for a phone: on a 360 px screen the widget's picture is about
/// 342 CSS px wide, so a unit is drawn at a pixel or more and its 11 px text stays 11 px.
pub const W_NARROW: f64 = 336.0;
const X0: f64 = 12.0;

/// The picture's width in one layout.
pub fn width(narrow: bool) -> f64 {
    if narrow {
        W_NARROW
    } else {
        W
    }
}
const BAND_H: f64 = 40.0;
/// How far an object's hit box reaches past its band, above and below (half the least gap).
const HIT_PAD: f64 = 3.0;
/// The room under the band the picked slot points into: the arrow's last turn, then the
/// target's name.
const NAME_ROW: f64 = 24.0;
/// The arrow's run under the target band, below its bottom edge.
const UNDER: f64 = 8.0;
/// The strip right of the bands that the arrow climbs in.
const GUTTER: f64 = 14.0;
const GAP: f64 = 22.0;
/// Most objects drawn.
pub const MAX_BANDS: usize = 8;
/// Hit keys of object bands start here (relocation cells use the relocation's index).
pub const OBJECT_KEY: usize = 1 << 20;

/// "R_X86_64_JUMP_SLOT" -> "JUMP_SLOT".
pub fn short(kind: &str) -> &str {
    kind.strip_prefix("R_X86_64_").unwrap_or(kind)
}

/// A cell's one- or two-letter mark for a type.
fn mark(kind: &str) -> &str {
    match short(kind) {
        "RELATIVE" => "R",
        "GLOB_DAT" => "G",
        "JUMP_SLOT" => "J",
        "64" => "64",
        "IRELATIVE" => "I",
        "COPY" => "C",
        k if k.starts_with("TPOFF") || k.starts_with("DTP") => "T",
        _ => "?",
    }
}

/// The object's name without its directory.
pub fn base_name(name: &str) -> &str {
    name.rsplit('/').next().unwrap_or(name)
}

fn role(r: Role) -> &'static str {
    match r {
        Role::Program => "the program, mapped by the kernel",
        Role::Interpreter => "the interpreter, mapped by the kernel (AT_BASE)",
        Role::Library => "a library, mapped by ld.so",
        Role::Vdso => "the vDSO, mapped by the kernel",
    }
}

/// Counts as "3 RELATIVE, 2 JUMP_SLOT" (or "no relocations").
pub fn counts(c: &[(String, usize)]) -> String {
    if c.is_empty() {
        return "no relocations".into();
    }
    c.iter()
        .map(|(k, n)| format!("{n} {}", short(k)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// What the value in a relocated slot is, in words.
pub fn value_text(r: &Report, x: &Reloc) -> String {
    let Some(v) = x.value else {
        return "cannot be read".into();
    };
    match &x.target {
        Some(t) => {
            let o = r.objects.get(t.object).map_or("", |o| base_name(&o.name));
            match &t.symbol {
                Some(s) => format!("{v:#x} = {s} in {o} (+{:#x})", t.offset),
                None => format!("{v:#x} = {o} + {:#x}", t.offset),
            }
        }
        None if v == 0 && x.symbol.is_some() => {
            format!("0: no object defines {}, a weak symbol, so it stays null", x.symbol.as_deref().unwrap_or(""))
        }
        None => format!("{v:#x}"),
    }
}

/// One relocation as a sentence.
pub fn reloc_text(r: &Report, x: &Reloc) -> String {
    let sym = x.symbol.as_deref().map(|s| format!(" {s}")).unwrap_or_default();
    format!(
        "{}{sym} at {:#x} ({} + {:#x}) now holds {}",
        short(&x.kind),
        x.addr,
        r.objects.get(x.object).map_or("", |o| base_name(&o.name)),
        x.offset,
        value_text(r, x)
    )
}

/// `s` cut into at most `most` lines of at most `fit` characters, at spaces where it can be
/// (the last line marked with an ellipsis if the text goes on).
fn lines(s: &str, fit: usize, most: usize) -> Vec<String> {
    let fit = fit.max(2);
    let mut out = Vec::new();
    let mut rest: Vec<char> = s.chars().collect();
    while !rest.is_empty() && out.len() < most {
        if rest.len() <= fit {
            out.push(rest.iter().collect());
            rest.clear();
            break;
        }
        if out.len() + 1 == most {
            out.push(clip(&rest.iter().collect::<String>(), fit));
            rest.clear();
            break;
        }
        let cut = rest[..=fit].iter().rposition(|&ch| ch == ' ').filter(|&i| i > 0).unwrap_or(fit);
        out.push(rest[..cut].iter().collect());
        rest.drain(..cut);
        while rest.first() == Some(&' ') {
            rest.remove(0);
        }
    }
    out
}

/// What the files alone say of a relocation before the run.
pub fn reloc_text_before(r: &Report, x: &Reloc) -> String {
    let sym = x.symbol.as_deref().map(|s| format!(" {s}")).unwrap_or_default();
    format!(
        "{}{sym} at {:#x} in {}'s addresses: ld.so fills it in during the run",
        short(&x.kind),
        x.offset,
        r.objects.get(x.object).map_or("", |o| base_name(&o.name)),
    )
}

/// Draws the picture for `s` into `c`, `w` wide (the same parts at either width: the labels
/// are cut to fit): from the run's report `r` once it is done (`run`), else from what the files
/// say (`ldso::preview`: no bases, no values, the example's default slot); returns its height
/// and its description.
pub fn draw(c: &mut Canvas, s: &State, r: &Report, w: f64) -> (f64, String) {
    let run = s.report().is_some();
    let pick = if run { s.reloc } else { State::default_pick(r) };
    let object = if run { s.object } else { 0 };
    let band_w = w - 2.0 * X0 - GUTTER;
    // The arrow's lane, in the middle of the gutter.
    let gx = X0 + band_w + GUTTER / 2.0;
    // On a phone the small text is drawn at 12 px rather than 11 (web/style.css) and these lines
    // are mostly capitals: there a letter takes about a quarter more room than `char_w` says.
    let narrow = w < W;
    let k = if narrow { 1.25 } else { 1.0 };
    let small_fit = |room: f64| (room / (char_w("d-small") * k)).max(1.0) as usize;
    let mut desc = Vec::new();
    // Bands, highest address first.
    let starts: Vec<u64> = r.objects.iter().map(|o| u64::MAX - o.start).collect();
    // Before the run no base is chosen: the program at the bottom, as the run will draw it.
    let order: Vec<usize> = if run {
        order_by(&starts).into_iter().take(MAX_BANDS).collect()
    } else {
        (0..r.objects.len()).rev().take(MAX_BANDS).collect()
    };
    let mut y = 8.0;
    c.text(X0, y + 10.0, "start", "d-small", if run {
        "highest addresses"
    } else if narrow {
        "from the files: bases come in the run"
    } else {
        "what the files say (PT_INTERP, DT_NEEDED, relocations): bases come in the run"
    });
    y += 16.0;
    let mut band_y = vec![None; r.objects.len()];
    // The object the picked slot points into gets a row of its own under its band for the
    // arrow's last turn and the target's name (drawn over the band's counts it was unreadable).
    let picked = pick.and_then(|i| r.relocs.get(i));
    let target = picked.and_then(|x| x.target.as_ref()).map(|t| t.object);
    let band_gap = |i: usize| {
        if Some(i) == target {
            NAME_ROW
        } else {
            6.0
        }
    };
    for &i in &order {
        let Some(o) = r.objects.get(i) else { continue };
        let lit = run && i == object;
        let class = match o.role {
            Role::Program => "xd-seg0",
            Role::Interpreter => "xd-seg1",
            Role::Library => "xd-seg2",
            Role::Vdso => "xd-aux",
        };
        let total: usize = o.counts.iter().map(|(_, n)| n).sum();
        let label = if run {
            format!("{}  at {:#x}", base_name(&o.name), o.base)
        } else {
            format!("{}  ({})", base_name(&o.name), match o.role {
                Role::Program => "the program",
                Role::Interpreter => "PT_INTERP",
                Role::Library => "DT_NEEDED",
                Role::Vdso => "vDSO",
            })
        };
        // On a phone the counts alone (the size is in the table under the picture).
        let sub = if narrow {
            clip(&counts(&o.counts), small_fit(band_w - 6.0))
        } else {
            format!("{} KiB · {}", (o.end - o.start) >> 10, counts(&o.counts))
        };
        c.part(
            format!("object {i}"),
            (X0, y, band_w, BAND_H),
            class,
            lit,
            &label,
            Some(&sub),
        );
        // The band's hit reaches half the gap above and below it: 46 units, 46 CSS px or more on
        // a 360 px phone (the narrow layout is drawn at about 342 px for 336 units), a touch
        // target of 44 px (WCAG 2.5.5); the gaps between bands are 6 units or more.
        c.hit(
            OBJECT_KEY + i,
            (X0, y - HIT_PAD, band_w, BAND_H + 2.0 * HIT_PAD),
            format!("{}, {}: base {:#x}, {total} relocations", base_name(&o.name), role(o.role), o.base),
            lit,
        );
        desc.push(format!(
            "{} ({}) at {:#x}, {}.",
            base_name(&o.name),
            role(o.role),
            o.base,
            counts(&o.counts)
        ));
        band_y[i] = Some(y);
        y += band_gap(i) + BAND_H;
    }
    let lowest = if !run && narrow {
        "mapped by the kernel, then by ld.so"
    } else if !run {
        "the kernel maps the program and its loader; ld.so maps the libraries"
    } else if w < W {
        "lowest addresses (stack not shown)"
    } else {
        "lowest addresses (the stack, above them all, is left out)"
    };
    c.text(X0, y + 6.0, "start", "d-small", clip(lowest, small_fit(band_w)));
    y += GAP;
    // The picked object's relocation cells.
    let cells = State::cells(r, object, pick);
    let obj = r.objects.get(object);
    let n_all = r.relocs.iter().filter(|x| x.object == object).count();
    c.text(
        X0,
        y + 8.0,
        "start",
        "d-label",
        clip(
            &format!(
                "Slots ld.so {} in {}: {}{}",
                if run { "filled" } else { "will fill" },
                obj.map_or("", |o| base_name(&o.name)),
                if cells.len() < n_all { format!("{} of {n_all}, ", cells.len()) } else { String::new() },
                if run { "pick one" } else { "after the run, pick one" }
            ),
            (band_w / char_w("d-label")) as usize,
        ),
    );
    // Under the caption, a free row the arrow leaves the cells by.
    y += 28.0;
    let cw = (band_w / cells.len().max(1) as f64).min(34.0);
    let mut picked_cell = None;
    if cells.is_empty() {
        c.text(X0, y + 18.0, "start", "d-small", "none: nothing in this object needed fixing up");
    }
    for (k, &i) in cells.iter().enumerate() {
        let Some(x) = r.relocs.get(i) else { continue };
        let lit = Some(i) == pick;
        let rect = (X0 + k as f64 * cw, y, cw - 3.0, 26.0);
        c.part(format!("reloc {i}"), rect, "", lit, mark(&x.kind), None);
        let sym = x.symbol.as_deref().map(|s| format!(" {s}")).unwrap_or_default();
        // A cell is 26 units tall and at most 34 wide: too small to tap on a phone; "Next
        // slot" (and "Previous slot") reach every cell in turn.
        c.hit_with_equivalent(i, rect, format!("{}{sym} at {:#x}", short(&x.kind), x.addr), lit, "ld-next");
        if lit {
            picked_cell = Some((rect.0 + rect.2 / 2.0, y));
        }
    }
    y += 34.0;
    if let (Some(x), Some((cx, cy))) = (picked, picked_cell) {
        // The arrow from the slot to what it points at: up into the free row over the cells,
        // right to the gutter, up the gutter, left along the row under the target's band, and
        // up to the band's edge at the target's place in it.
        if let Some(t) = &x.target {
            if let (Some(o), Some(Some(by))) = (r.objects.get(t.object), band_y.get(t.object)) {
                let span = (o.end - o.start).max(1) as f64;
                let off = (o.base + t.offset).saturating_sub(o.start) as f64;
                let tx = X0 + 8.0 + (off / span).clamp(0.0, 1.0) * (band_w - 16.0);
                let ty = by + BAND_H;
                let lane = cy - 10.0;
                c.path(
                    &[(cx, cy), (cx, lane), (gx, lane), (gx, ty + UNDER), (tx, ty + UNDER), (tx, ty)],
                    "d-hl",
                    true,
                );
                if let Some(sym) = &t.symbol {
                    // The name in the row under the band, below the arrow's run, beside its tip.
                    let label = clip(sym, 24);
                    let lw = label.chars().count() as f64 * char_w("d-small") * k;
                    let lx = if tx + 5.0 + lw > gx - 6.0 { tx - 5.0 - lw } else { tx + 5.0 };
                    c.text(lx.max(X0), ty + UNDER + 12.0, "start", "d-small d-hl", label);
                }
            }
        }
        let words = if run { reloc_text(r, x) } else { reloc_text_before(r, x) };
        desc.push(format!("Picked: {words}."));
        // A call through this slot: call site -> PLT stub -> the slot, right under the cells
        // (so the arrow up to the slot crosses nothing).
        let idx = pick.unwrap_or(usize::MAX);
        let calls: Vec<_> = r.calls.iter().filter(|k| k.reloc == idx).collect();
        if let Some(k) = calls.first() {
            y += 8.0;
            let site = format!(
                "{} {}",
                k.caller.as_deref().map(|f| format!("in {f}:")).unwrap_or_default(),
                if k.jump { "jmp" } else { "call" }
            );
            let site = site.trim();
            // Each box as wide as its words (bold labels take about 7.5 units a letter), the
            // call site's function in full: side by side when both fit, else the stub above the
            // call site (on a phone).
            let fit = |s: &str| s.chars().count() as f64 * 7.5 + 14.0;
            let stub_label = "PLT stub: jmp *slot";
            let stub_w = fit(stub_label).min(band_w);
            let site_w = fit(site).max(120.0).min(band_w);
            let side = k.stub.is_none() || site_w + 24.0 + stub_w <= band_w;
            let (site_xy, stub_xy) = if side {
                ((X0, y), (X0 + site_w + 24.0, y))
            } else {
                ((X0, y + 34.0 + 16.0), (X0, y))
            };
            c.part("call site", (site_xy.0, site_xy.1, site_w, 34.0), "d-box-2", true, site, Some(&format!("{:#x}", k.site)));
            let from = match k.stub {
                Some(stub) => {
                    c.part(
                        "plt stub",
                        (stub_xy.0, stub_xy.1, stub_w, 34.0),
                        "d-box-2",
                        true,
                        stub_label,
                        Some(&format!("{stub:#x}")),
                    );
                    if side {
                        c.arrow(X0 + site_w, y + 17.0, stub_xy.0, y + 17.0, "d-hl");
                    } else {
                        let ax = X0 + stub_w.min(site_w) / 2.0;
                        c.arrow(ax, site_xy.1, ax, y + 34.0, "d-hl");
                    }
                    stub_xy.0 + stub_w / 2.0
                }
                None => X0 + site_w / 2.0,
            };
            // From the stub (or the call) up to the slot it jumps through.
            c.path(&[(from, y), (from, y - 5.0), (cx, y - 5.0), (cx, cy + 27.0)], "d-hl", true);
            let more = if calls.len() > 1 {
                format!(" ({} call sites in all)", calls.len())
            } else {
                String::new()
            };
            desc.push(format!(
                "The program's {} at {:#x}{} goes {}through this slot{more}.",
                if k.jump { "jump" } else { "call" },
                k.site,
                k.caller.as_deref().map(|f| format!(" in {f}")).unwrap_or_default(),
                k.stub.map(|s| format!("to the PLT stub at {s:#x}, which jumps ")).unwrap_or_default()
            ));
            y = site_xy.1 + 34.0 + 12.0;
        }
        // The slot in words, whole: on a phone in as many lines as it takes.
        let (most, step) = if narrow { (8, 14.0) } else { (3, 12.0) };
        for line in lines(&words, small_fit(band_w), most) {
            c.text(X0, y + 4.0, "start", "d-small", line);
            y += step;
        }
    }
    (y + 6.0, desc.join(" "))
}

#[cfg(test)]
mod tests {
    use super::super::state::{example, Action, State};
    use super::*;
    use crate::ui::Apply;
    use std::rc::Rc;
    use youcpu_core::linux::ldso::Run;

    fn done() -> State {
        let files = example();
        let mut s = State::default();
        s.apply(Action::Fetched(Ok(files.clone())));
        let r = Run::start("hello-dyn", &files[0].bytes, &files[1..])
            .and_then(Run::finish)
            .expect("runs");
        s.apply(Action::Finished(s.run, Ok(Rc::new(r))));
        s
    }

    #[test]
    fn before_the_run_the_files_give_the_bands_counts_and_the_call() {
        let files = example();
        let mut s = State::default();
        s.apply(Action::Start);
        assert!(s.drawn().is_none(), "nothing to draw before the files");
        s.apply(Action::Fetched(Ok(files)));
        let (r, run) = s.drawn().expect("the files' picture");
        assert!(!run);
        let r = r.clone();
        for w in [W, W_NARROW] {
            let mut c = Canvas::new();
            let (h, desc) = draw(&mut c, &s, &r, w);
            assert!(h > 100.0 && c.max_x <= w, "{h} {}", c.max_x);
            // The program and its PT_INTERP, no vDSO (no file); no band lit, the slot main's
            // call to puts goes through lit, with its call site and stub at file addresses.
            assert_eq!(c.hits.iter().filter(|h| h.key >= OBJECT_KEY).count(), 2);
            let puts = State::default_pick(&r).expect("a pick");
            assert_eq!(r.relocs[puts].symbol.as_deref(), Some("puts"));
            assert_eq!(c.lit(), [format!("reloc {puts}").as_str(), "call site", "plt stub"]);
            assert!(desc.contains("Picked: JUMP_SLOT puts at 0x4000 in hello-dyn's addresses"), "{desc}");
            assert!(desc.contains("hello-dyn (the program, mapped by the kernel) at 0x0, 3 RELATIVE, 3 GLOB_DAT, 2 JUMP_SLOT."), "{desc}");
            assert!(desc.contains("in main goes to the PLT stub"), "{desc}");
            assert!(desc.contains("ld.so fills it in during the run"), "{desc}");
        }
        // The run's report replaces it.
        let done = done();
        assert!(done.drawn().is_some_and(|(_, run)| run));
    }

    #[test]
    fn long_lines_break_at_spaces_and_end_in_an_ellipsis() {
        assert_eq!(lines("abc def ghi", 7, 3), ["abc def", "ghi"]);
        assert_eq!(lines("abc def ghi jklm", 7, 2), ["abc def", "ghi jk…"]);
        assert_eq!(lines("abcdefghij", 4, 3), ["abcd", "efgh", "ij"]);
        assert_eq!(lines("short", 40, 2), ["short"]);
        assert!(lines("", 5, 2).is_empty());
    }

    #[test]
    fn the_default_picture_follows_puts_from_main_to_libc() {
        let s = done();
        let r = s.report().expect("done").clone();
        let mut c = Canvas::new();
        let (h, desc) = draw(&mut c, &s, &r, W);
        assert!(h > 200.0 && c.max_x <= W, "{h} {}", c.max_x);
        // The narrow layout has the same parts, inside its width.
        let mut n = Canvas::new();
        let (_, ndesc) = draw(&mut n, &s, &r, W_NARROW);
        assert!(n.max_x <= W_NARROW, "{}", n.max_x);
        assert_eq!((n.lit(), n.hits.len(), &ndesc), (c.lit(), c.hits.len(), &desc));
        let lit = c.lit();
        assert!(lit.contains(&"object 0") && lit.contains(&"call site") && lit.contains(&"plt stub"), "{lit:?}");
        assert!(desc.contains("puts in ld-musl-x86_64.so.1"), "{desc}");
        assert!(desc.contains("in main goes to the PLT stub"), "{desc}");
        // Three bands (libc, the vDSO, the program), 8 cells, all of them buttons.
        assert_eq!(c.hits.iter().filter(|h| h.key >= OBJECT_KEY).count(), 3);
        assert_eq!(c.hits.iter().filter(|h| h.key < OBJECT_KEY).count(), 8);
        // On a phone (the narrow layout, drawn at about 342 px for 336 units) a band is a
        // touch target of 44 px or more; a cell is smaller and says which control reaches it;
        // no two hits overlap.
        for h in &n.hits {
            if h.key >= OBJECT_KEY {
                assert!(h.rect.3 >= 44.0 && h.rect.2 >= 44.0 && h.equivalent.is_none(), "{h:?}");
            } else {
                assert_eq!(h.equivalent, Some("ld-next"), "{h:?}");
            }
        }
        for (i, a) in n.hits.iter().enumerate() {
            for b in &n.hits[i + 1..] {
                let apart = a.rect.0 + a.rect.2 <= b.rect.0 || b.rect.0 + b.rect.2 <= a.rect.0 || a.rect.1 + a.rect.3 <= b.rect.1 || b.rect.1 + b.rect.3 <= a.rect.1;
                assert!(apart, "{a:?} overlaps {b:?}");
            }
        }
        // Picking a RELATIVE slot: no call path, an arrow into the program itself.
        let rel = r.relocs.iter().position(|x| x.kind == "R_X86_64_RELATIVE").expect("one");
        let mut t = s.clone();
        t.apply(Action::Reloc(rel));
        let mut c = Canvas::new();
        let (_, desc) = draw(&mut c, &t, &r, W);
        assert!(c.find("call site").is_none());
        assert!(desc.contains("= frame_dummy in hello-dyn"), "{desc}");
        assert!(c.lit().contains(&format!("reloc {rel}").as_str()));
    }
}
