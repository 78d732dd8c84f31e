//! Pictures of the CPU family's widgets (`fetch-execute`, `rings`, `syscall`, `preemption`,
//! `asm`) as plain data: a [`Picture`] is boxes, lines and notes at computed positions, made by
//! each widget's pure `diagram.rs` from its simulator state and unit-tested natively (it fits
//! its viewBox, the lit part follows the state); [`render`] turns it into a
//! [`crate::ui::Diagram`]. Figures of Parts 1 and 2 are drawn by the same functions.

use crate::ui::svg::head;
use crate::ui::Diagram;
use yew::prelude::*;

/// A box with lines of text centred in it.
#[derive(Clone, Debug, PartialEq)]
pub struct Part {
    /// What it is (its `data-part` attribute, and what tests look it up by).
    pub key: String,
    /// Left edge.
    pub x: f64,
    /// Top edge.
    pub y: f64,
    /// Width.
    pub w: f64,
    /// Height.
    pub h: f64,
    /// Its look: `d-box`, `d-box-2`, `d-hl` (lit), `d-err`, `d-dim`, `d-next` (dashed).
    pub class: &'static str,
    /// Lines of text, each with its class (`d-label`, `d-mono`, `d-small`, `d-title`).
    pub lines: Vec<(String, &'static str)>,
    /// When the reader can click it: what it does, said to a screen reader.
    pub hit: Option<String>,
    /// Drawn under the paths (a region other parts and paths sit on, such as a ring).
    pub under: bool,
}

impl Part {
    /// A box with no text.
    pub fn new(
        key: impl Into<String>,
        x: f64,
        y: f64,
        w: f64,
        h: f64,
        class: &'static str,
    ) -> Self {
        Part {
            key: key.into(),
            x,
            y,
            w,
            h,
            class,
            lines: Vec::new(),
            hit: None,
            under: false,
        }
    }

    /// Adds a line of text.
    pub fn line(mut self, s: impl Into<String>, class: &'static str) -> Self {
        self.lines.push((s.into(), class));
        self
    }

    /// Makes it clickable.
    pub fn hit(mut self, label: impl Into<String>) -> Self {
        self.hit = Some(label.into());
        self
    }

    /// Draws it under the paths.
    pub fn under(mut self) -> Self {
        self.under = true;
        self
    }

    /// True when it is drawn lit.
    pub fn lit(&self) -> bool {
        self.class == "d-hl"
    }
}

/// A path between parts, with an arrowhead at its end when `arrow`.
#[derive(Clone, Debug, PartialEq)]
pub struct Link {
    /// Its points.
    pub pts: Vec<(f64, f64)>,
    /// `d-hl` to light it, `d-err` for a fault's path, `d-dim` for a path not taken.
    pub class: &'static str,
    /// Whether it ends in an arrowhead.
    pub arrow: bool,
}

/// A free-standing text.
#[derive(Clone, Debug, PartialEq)]
pub struct Note {
    /// Anchor point.
    pub x: f64,
    /// Baseline.
    pub y: f64,
    /// `start`, `middle` or `end`.
    pub anchor: &'static str,
    /// Its class (`d-small`, `d-title`, `d-mono`, ...).
    pub class: &'static str,
    /// The text.
    pub text: String,
}

/// A whole picture in its own coordinates (the viewBox is `0 0 w h`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Picture {
    /// viewBox width.
    pub w: f64,
    /// viewBox height.
    pub h: f64,
    /// The boxes, drawn in order.
    pub parts: Vec<Part>,
    /// The paths, drawn under the boxes.
    pub links: Vec<Link>,
    /// The texts, drawn last.
    pub notes: Vec<Note>,
}

/// Rough width of `s` in viewBox units for a class (mono 12px ≈ 7.2 a character, 11px text
/// ≈ 6, 13px ≈ 7): enough to check that text does not overflow its box.
pub fn text_width(s: &str, class: &str) -> f64 {
    let per = match class {
        "d-mono" => 7.3,
        "d-small" => 6.0,
        _ => 7.2,
    };
    s.chars().count() as f64 * per
}

impl Picture {
    /// An empty picture of this size.
    pub fn new(w: f64, h: f64) -> Self {
        Picture {
            w,
            h,
            ..Picture::default()
        }
    }

    /// Adds a box.
    pub fn add(&mut self, p: Part) {
        self.parts.push(p);
    }

    /// Adds a path.
    pub fn link(&mut self, pts: Vec<(f64, f64)>, class: &'static str, arrow: bool) {
        self.links.push(Link { pts, class, arrow });
    }

    /// Adds a text.
    pub fn note(
        &mut self,
        x: f64,
        y: f64,
        anchor: &'static str,
        class: &'static str,
        s: impl Into<String>,
    ) {
        self.notes.push(Note {
            x,
            y,
            anchor,
            class,
            text: s.into(),
        });
    }

    /// Adds a vertical line at `x` from `y0` down to `y1`, broken where it would cross one of
    /// the notes added so far (a sequence diagram's lifeline behind its labels): each note's
    /// box is its [`text_width`] with a tenth to spare (a phone draws small text at 12 px, not
    /// 11), from a line above its baseline to its descenders.
    pub fn lifeline(&mut self, x: f64, y0: f64, y1: f64, class: &'static str) {
        let mut gaps: Vec<(f64, f64)> = self
            .notes
            .iter()
            .filter_map(|n| {
                let w = text_width(&n.text, n.class) * 1.1;
                let left = match n.anchor {
                    "middle" => n.x - w / 2.0,
                    "end" => n.x - w,
                    _ => n.x,
                };
                (x > left - 3.0 && x < left + w + 3.0).then_some((n.y - 14.0, n.y + 5.0))
            })
            .collect();
        gaps.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut from = y0;
        for (a, b) in gaps {
            if a > from && a < y1 {
                self.link(vec![(x, from), (x, a)], class, false);
            }
            from = from.max(b);
        }
        if from < y1 {
            self.link(vec![(x, from), (x, y1)], class, false);
        }
    }

    /// The box with this key.
    pub fn part(&self, key: &str) -> Option<&Part> {
        self.parts.iter().find(|p| p.key == key)
    }

    /// The keys of the lit boxes.
    pub fn lit(&self) -> Vec<&str> {
        self.parts
            .iter()
            .filter(|p| p.lit())
            .map(|p| p.key.as_str())
            .collect()
    }

    /// What does not fit: boxes, paths or texts outside the viewBox, and box texts wider than
    /// their box (empty when the picture is sound).
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        let inside =
            |x: f64, y: f64| x >= -0.01 && y >= -0.01 && x <= self.w + 0.01 && y <= self.h + 0.01;
        for p in &self.parts {
            if !inside(p.x, p.y) || !inside(p.x + p.w, p.y + p.h) || p.w < 0.0 || p.h < 0.0 {
                out.push(format!(
                    "box {} at ({}, {}) {}x{}",
                    p.key, p.x, p.y, p.w, p.h
                ));
            }
            for (s, c) in &p.lines {
                if text_width(s, c) > p.w + 2.0 {
                    out.push(format!("text {s:?} wider than box {} ({})", p.key, p.w));
                }
            }
            if p.lines.len() as f64 * 13.0 > p.h + 6.0 {
                out.push(format!("{} lines do not fit box {}", p.lines.len(), p.key));
            }
        }
        for l in &self.links {
            if l.pts.iter().any(|(x, y)| !inside(*x, *y)) {
                out.push(format!("path {:?}", l.pts));
            }
        }
        for n in &self.notes {
            let w = text_width(&n.text, n.class);
            let left = match n.anchor {
                "middle" => n.x - w / 2.0,
                "end" => n.x - w,
                _ => n.x,
            };
            if !inside(n.x, n.y) || left < -2.0 || left + w > self.w + 2.0 {
                out.push(format!("note {:?} at {}", n.text, n.x));
            }
        }
        out
    }
}

/// A coordinate to a tenth, written with integer formatting only: shortest float formatting
/// (`ui::svg::num`) would add about 7 KiB of code and tables to the wasm.
pub fn n(v: f64) -> String {
    let t = (v * 10.0).round() as i64;
    let (sign, a) = if t < 0 { ("-", -t) } else { ("", t) };
    if a % 10 == 0 {
        format!("{sign}{}", a / 10)
    } else {
        format!("{sign}{}.{}", a / 10, a % 10)
    }
}

fn text(x: f64, y: f64, anchor: &'static str, class: &'static str, s: &str) -> Html {
    html! { <text x={n(x)} y={n(y)} text-anchor={anchor} class={class}>{ s.to_string() }</text> }
}

fn points(pts: &[(f64, f64)]) -> String {
    pts.iter()
        .map(|(x, y)| format!("{},{}", n(*x), n(*y)))
        .collect::<Vec<_>>()
        .join(" ")
}

fn path(l: &Link) -> Html {
    let tip = match l.pts.as_slice() {
        [.., a, b] if l.arrow => head(a.0, a.1, b.0, b.1, 7.0),
        _ => None,
    };
    html! {
        <g class={classes!("d-arrow", l.class)}>
            <polyline points={points(&l.pts)} class="d-line" fill="none" />
            if let Some(t) = tip { <polygon class="d-head" points={points(&t)} /> }
        </g>
    }
}

/// Draws a picture in a [`Diagram`]; a click, a tap or Enter/Space on a clickable box sends its
/// key to `on_hit`.
pub fn render(
    pic: &Picture,
    id: &str,
    title: &str,
    desc: &str,
    class: &'static str,
    on_hit: Option<Callback<String>>,
) -> Html {
    let part = |p: &Part| {
        let count = p.lines.len() as f64;
        // Lines 14 apart, the block centred in the box (baseline ≈ centre + 4.5).
        let top = p.y + p.h / 2.0 - (count - 1.0) * 7.0 + 4.5;
        let texts: Html = p
            .lines
            .iter()
            .enumerate()
            .map(|(i, (s, c))| text(p.x + p.w / 2.0, top + 14.0 * i as f64, "middle", c, s))
            .collect();
        // A plain panel's look goes on its rectangle, not on the group: the style sheet's
        // fill and stroke would otherwise reach the text too.
        let (group, rect) = match p.class {
            "d-box" | "d-box-2" => ("", p.class),
            c => (c, "d-box"),
        };
        let shape = html! {
            <rect x={n(p.x)} y={n(p.y)} width={n(p.w)} height={n(p.h)} rx="3" class={rect} />
        };
        let plain = html! { <g class={group} data-part={p.key.clone()}>{ shape }{ texts }</g> };
        match (&p.hit, &on_hit) {
            (Some(label), Some(cb)) => {
                // The button is a transparent box over the drawn part, with no text of its
                // own: its name is the label, and the picture's text is not part of it (axe:
                // label-content-name-mismatch, nested-interactive).
                let key = p.key.clone();
                let click = {
                    let (cb, key) = (cb.clone(), key.clone());
                    Callback::from(move |_: MouseEvent| cb.emit(key.clone()))
                };
                let keydown = {
                    let cb = cb.clone();
                    Callback::from(move |e: KeyboardEvent| {
                        if e.key() == "Enter" || e.key() == " " {
                            e.prevent_default();
                            cb.emit(key.clone());
                        }
                    })
                };
                html! {
                    <>
                        { plain }
                        <g class="d-button" data-part={format!("{}-hit", p.key)} data-hit="" tabindex="0" role="button"
                            aria-label={label.clone()} onclick={click} onkeydown={keydown}>
                            <rect x={n(p.x)} y={n(p.y)} width={n(p.w)} height={n(p.h)} rx="3" />
                        </g>
                    </>
                }
            }
            _ => plain,
        }
    };
    let under: Html = pic.parts.iter().filter(|p| p.under).map(part).collect();
    let parts: Html = pic.parts.iter().filter(|p| !p.under).map(part).collect();
    let links: Html = pic.links.iter().map(path).collect();
    let notes: Html = pic
        .notes
        .iter()
        .map(|t| text(t.x, t.y, t.anchor, t.class, &t.text))
        .collect();
    let interactive = on_hit.is_some() && pic.parts.iter().any(|p| p.hit.is_some());
    if interactive {
        // A picture with buttons in it is a group, not an image: an image's content is
        // presentational, and controls must not sit inside one (axe: nested-interactive).
        let (t, d) = (format!("{id}-t"), format!("{id}-d"));
        return html! {
            <svg class={classes!("diagram", "cpu-pic", class)} data-testid={id.to_string()}
                viewBox={format!("0 0 {} {}", pic.w.ceil(), pic.h.ceil())}
                width={(pic.w * 1.3).ceil().to_string()} height={(pic.h * 1.3).ceil().to_string()}
                role="group" aria-labelledby={format!("{t} {d}")} xmlns="http://www.w3.org/2000/svg">
                <title id={t}>{ title.to_string() }</title>
                <desc id={d}>{ desc.to_string() }</desc>
                { under }{ links }{ parts }{ notes }
            </svg>
        };
    }
    html! {
        <Diagram id={id.to_string()} title={title.to_string()} desc={desc.to_string()}
            width={pic.w.ceil() as u32} height={pic.h.ceil() as u32} class={classes!("cpu-pic", class)}
            max_width={Some((pic.w * 1.3).ceil() as u32)}>
            { under }{ links }{ parts }{ notes }
        </Diagram>
    }
}

/// Draws a wide picture for a desktop and a narrow (portrait) one for a phone: the style sheet
/// shows one of them (`.d-wide`, `.d-narrow`). The wide one's test id is `id`, the narrow one's
/// `id-narrow`.
pub fn render_pair(
    wide: &Picture,
    narrow: &Picture,
    id: &str,
    title: &str,
    desc: &str,
    on_hit: Option<Callback<String>>,
) -> Html {
    html! {
        <>
            { render(wide, id, title, desc, "d-wide", on_hit.clone()) }
            { render(narrow, &format!("{id}-narrow"), title, desc, "d-narrow", on_hit) }
        </>
    }
}

/// [`render_pair`] drawing only the layout the page shows (`shown` from
/// [`crate::ui::use_narrow`]: `Some(true)` the narrow one, `Some(false)` the wide one, `None`
/// both); `layout(narrow)` is called only for the layouts drawn.
pub fn render_shown(
    shown: Option<bool>,
    layout: impl Fn(bool) -> Picture,
    id: &str,
    title: &str,
    desc: &str,
    on_hit: Option<Callback<String>>,
) -> Html {
    let wide = crate::ui::draws(shown, false)
        .then(|| render(&layout(false), id, title, desc, "d-wide", on_hit.clone()));
    let narrow = crate::ui::draws(shown, true).then(|| {
        render(
            &layout(true),
            &format!("{id}-narrow"),
            title,
            desc,
            "d-narrow",
            on_hit,
        )
    });
    html! { <>{ wide.unwrap_or_default() }{ narrow.unwrap_or_default() }</> }
}

/// A register value short enough for a box: in full up to 8 hex digits, otherwise its first
/// and last four digits around an ellipsis (the tables below give it whole).
pub fn short_hex(v: u64) -> String {
    if v <= 0xffff_ffff {
        format!("{v:#x}")
    } else {
        let s = format!("{v:x}");
        let n = s.len();
        format!("0x{}…{}", &s[..4], &s[n - 4..])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems_catch_what_overflows() {
        let mut p = Picture::new(100.0, 50.0);
        p.add(Part::new("a", 0.0, 0.0, 50.0, 20.0, "d-box").line("ok", "d-label"));
        assert!(p.problems().is_empty());
        p.add(Part::new("b", 60.0, 0.0, 50.0, 20.0, "d-box"));
        p.add(Part::new("c", 0.0, 25.0, 20.0, 20.0, "d-box").line("far too long", "d-label"));
        p.note(99.0, 10.0, "start", "d-small", "beyond");
        let probs = p.problems();
        assert_eq!(probs.len(), 3, "{probs:?}");
    }

    #[test]
    fn a_lifeline_breaks_around_the_notes_it_would_cross() {
        let mut p = Picture::new(200.0, 200.0);
        p.note(100.0, 50.0, "middle", "d-small", "across the line");
        p.note(10.0, 100.0, "start", "d-small", "beside");
        p.lifeline(100.0, 0.0, 200.0, "d-dim");
        let ys: Vec<Vec<(f64, f64)>> = p.links.iter().map(|l| l.pts.clone()).collect();
        assert_eq!(
            ys,
            vec![
                vec![(100.0, 0.0), (100.0, 36.0)],
                vec![(100.0, 55.0), (100.0, 200.0)]
            ]
        );
    }

    #[test]
    fn coordinates_are_written_to_a_tenth() {
        assert_eq!(n(3.0), "3");
        assert_eq!(n(3.26), "3.3");
        assert_eq!(n(-0.5), "-0.5");
        assert_eq!(n(-12.04), "-12");
    }

    #[test]
    fn short_hex_keeps_small_values_whole() {
        assert_eq!(short_hex(0x7ffe_0000), "0x7ffe0000");
        assert_eq!(short_hex(u64::MAX), "0xffff…ffff");
        assert_eq!(short_hex(0xffff_ffff_8100_0000), "0xffff…0000");
    }
}
