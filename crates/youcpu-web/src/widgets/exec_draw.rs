//! A small drawing surface shared by the exec and ELF widgets' pictures (execve, binfmt-misc,
//! shell-fallback, elf-inspector, elf-loader, linking) and their figures: shapes are added with
//! their coordinates, and the canvas remembers how far they reach (so a native test can check a
//! picture fits its `viewBox`) and which named parts it drew and whether they are lit (so a test
//! can check the lit part follows the simulator's state). Clickable parts are recorded as
//! [`Hit`]s; the view draws them as focusable buttons over the picture, so the layout itself
//! stays a pure function of the state.

use crate::ui::svg;
use yew::prelude::*;

/// Rough width of one character for a text class, in viewBox units (the style sheet's sizes:
/// 13 for labels, 12 monospace, 11 small), used to keep labels inside the picture.
pub fn char_w(class: &str) -> f64 {
    if class.contains("d-small") {
        6.0
    } else if class.contains("d-mono") {
        7.3
    } else {
        7.0
    }
}

/// Cuts `s` to at most `max` characters, marking the cut with an ellipsis.
pub fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
        out.push('…');
        out
    }
}

/// Cuts `s` to what fits in `w` units as small text at a phone's 12 px (the widest it is
/// drawn), marking a cut with an ellipsis: capitals, digits and `_` count 0.68 em, other
/// letters 0.56, spaces and punctuation 0.36 (DejaVu Sans is about that; a count of
/// characters alone let a label in capitals run out of its box).
pub fn clip_small(s: &str, w: f64) -> String {
    let em = |c: char| {
        12.0 * if c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_' {
            0.68
        } else if c.is_alphabetic() {
            0.56
        } else {
            0.36
        }
    };
    if s.chars().map(em).sum::<f64>() <= w {
        return s.to_string();
    }
    let mut out = String::new();
    let mut used = 12.0; // the ellipsis: 1 em
    for c in s.chars() {
        used += em(c);
        if used > w {
            break;
        }
        out.push(c);
    }
    out.push('…');
    out
}

/// The indices of `keys` in ascending order of key (ties keep their order): an insertion sort,
/// written out once so the pictures do not each instantiate the standard library's sorts in
/// the wasm (the lists are a few dozen items).
pub fn order_by(keys: &[u64]) -> Vec<usize> {
    let mut idx: Vec<usize> = Vec::with_capacity(keys.len());
    for i in 0..keys.len() {
        let mut at = idx.len();
        while at > 0 && keys[idx[at - 1]] > keys[i] {
            at -= 1;
        }
        idx.insert(at, i);
    }
    idx
}

/// A text at `(x, y)`, its `text-anchor` left out when it is the default, `start` (shorter
/// markup in the prerendered figures).
fn text(x: f64, y: f64, anchor: &str, class: &str, s: String) -> Html {
    let anchor = (anchor != "start").then(|| AttrValue::from(anchor.to_string()));
    html! {
        <text x={svg::num(x)} y={svg::num(y)} text-anchor={anchor} class={class.to_string()}>{ s }</text>
    }
}

/// A named part of the picture: its box and whether it is lit.
#[derive(Clone, Debug, PartialEq)]
pub struct Part {
    /// What it is ("handler script at depth 0", "segment 1").
    pub name: String,
    /// Its box: x, y, width, height.
    pub rect: (f64, f64, f64, f64),
    /// Drawn highlighted.
    pub lit: bool,
}

/// A clickable part: the view draws a focusable button over `rect`.
#[derive(Clone, Debug, PartialEq)]
pub struct Hit {
    /// What clicking it does, as the widget's own key (an index).
    pub key: usize,
    /// Its box.
    pub rect: (f64, f64, f64, f64),
    /// Its accessible name.
    pub label: String,
    /// Whether it is the selected one (aria-pressed).
    pub pressed: bool,
    /// A control of the widget (its `data-testid`) that does what this hit does, for a hit
    /// too small to tap on a phone: WCAG 2.5.5's equivalent exception, which the phone
    /// touch-target test checks (as [`crate::widgets::hit::button_with_equivalent`]).
    pub equivalent: Option<&'static str>,
}

/// The shapes of one picture, with what they reach and the parts they name.
#[derive(Default)]
pub struct Canvas {
    /// The shapes, in drawing order.
    pub shapes: Vec<Html>,
    /// The right-most x any shape reaches.
    pub max_x: f64,
    /// The lowest y any shape reaches.
    pub max_y: f64,
    /// The left-most x any shape reaches.
    pub min_x: f64,
    /// Named parts.
    pub parts: Vec<Part>,
    /// Clickable parts.
    pub hits: Vec<Hit>,
}

impl Canvas {
    /// An empty canvas.
    pub fn new() -> Self {
        Canvas {
            min_x: f64::MAX,
            ..Canvas::default()
        }
    }

    fn reach(&mut self, x0: f64, x1: f64, y1: f64) {
        self.min_x = self.min_x.min(x0.min(x1));
        self.max_x = self.max_x.max(x0.max(x1));
        self.max_y = self.max_y.max(y1);
    }

    /// A rectangle.
    pub fn rect(&mut self, x: f64, y: f64, w: f64, h: f64, class: &str) {
        self.reach(x, x + w, y + h);
        self.shapes.push(svg::rect(x, y, w, h, class));
    }

    /// A text; its reach is estimated from its length and class.
    pub fn text(&mut self, x: f64, y: f64, anchor: &str, class: &str, s: impl Into<String>) {
        let s: String = s.into();
        let w = s.chars().count() as f64 * char_w(class);
        let (x0, x1) = match anchor {
            "middle" => (x - w / 2.0, x + w / 2.0),
            "end" => (x - w, x),
            _ => (x, x + w),
        };
        self.reach(x0, x1, y + 3.0);
        self.shapes.push(text(x, y, anchor, class, s));
    }

    /// A line.
    pub fn line(&mut self, x1: f64, y1: f64, x2: f64, y2: f64, class: &str) {
        self.reach(x1, x2, y1.max(y2));
        self.shapes.push(svg::line(x1, y1, x2, y2, class));
    }

    /// An arrow.
    pub fn arrow(&mut self, x1: f64, y1: f64, x2: f64, y2: f64, class: &str) {
        self.reach(x1, x2, y1.max(y2));
        self.shapes.push(svg::arrow(x1, y1, x2, y2, class));
    }

    /// A path through points, with an arrowhead at the end when `arrow`.
    pub fn path(&mut self, points: &[(f64, f64)], class: &str, arrow: bool) {
        for &(x, y) in points {
            self.reach(x, x, y);
        }
        self.shapes.push(svg::polyline(points, class, arrow));
    }

    /// A box with a centred label, recorded as a named part (`lit` adds `d-hl`).
    #[allow(clippy::too_many_arguments)]
    pub fn part(
        &mut self,
        name: impl Into<String>,
        (x, y, w, h): (f64, f64, f64, f64),
        class: &str,
        lit: bool,
        label: &str,
        sub: Option<&str>,
    ) {
        // A panel colour goes on the rectangle itself (on the group it would outline the text);
        // the state classes (d-hl, d-err, d-dim, xd-*) go on the group.
        let (boxc, rest): (Vec<&str>, Vec<&str>) =
            class.split_whitespace().partition(|c| *c == "d-box-2");
        let boxc = if boxc.is_empty() {
            "d-box"
        } else {
            "d-box d-box-2"
        };
        let mut cls = rest.join(" ");
        if lit {
            cls.push_str(" d-hl");
        }
        self.reach(x, x + w, y + h);
        let max = ((w - 6.0) / char_w("d-label")).max(1.0) as usize;
        let label = clip(label, max);
        let sub = sub.map(|s| clip(s, ((w - 6.0) / char_w("d-small")).max(1.0) as usize));
        let ly = if sub.is_some() {
            y + h / 2.0 - 1.0
        } else {
            y + h / 2.0 + 4.5
        };
        self.shapes.push(html! {
            <g class={cls}>
                { svg::rect(x, y, w, h, boxc) }
                if !label.is_empty() {
                    { text(x + w / 2.0, ly, "middle", "d-label", label) }
                }
                if let Some(s) = sub {
                    { text(x + w / 2.0, y + h / 2.0 + 12.0, "middle", "d-small", s) }
                }
            </g>
        });
        self.parts.push(Part {
            name: name.into(),
            rect: (x, y, w, h),
            lit,
        });
    }

    /// Records a clickable part (drawn by the view).
    pub fn hit(&mut self, key: usize, rect: (f64, f64, f64, f64), label: String, pressed: bool) {
        self.hits.push(Hit {
            key,
            rect,
            label,
            pressed,
            equivalent: None,
        });
    }

    /// [`Canvas::hit`] for a part too small to tap whose action the control `equivalent`
    /// (a `data-testid` in the same widget) also does.
    pub fn hit_with_equivalent(
        &mut self,
        key: usize,
        rect: (f64, f64, f64, f64),
        label: String,
        pressed: bool,
        equivalent: &'static str,
    ) {
        self.hit(key, rect, label, pressed);
        if let Some(h) = self.hits.last_mut() {
            h.equivalent = Some(equivalent);
        }
    }

    /// The named part, if drawn.
    pub fn find(&self, name: &str) -> Option<&Part> {
        self.parts.iter().find(|p| p.name == name)
    }

    /// The names of the lit parts.
    pub fn lit(&self) -> Vec<&str> {
        self.parts
            .iter()
            .filter(|p| p.lit)
            .map(|p| p.name.as_str())
            .collect()
    }

    /// The shapes as one node.
    pub fn html(&self) -> Html {
        self.shapes.iter().cloned().collect()
    }
}

/// The clickable parts as focusable buttons over the picture: a transparent rectangle each, with
/// `role="button"`, an accessible name, `tabindex=0`, and Enter/Space doing what a click (a mouse click, or a tap,
/// which the browser turns into a click) does. `on` receives the hit's key.
pub fn hit_layer(hits: &[Hit], on: &Callback<usize>) -> Html {
    hits.iter()
        .map(|h| {
            let key = h.key;
            let click = {
                let on = on.clone();
                Callback::from(move |_: MouseEvent| on.emit(key))
            };
            let keydown = {
                let on = on.clone();
                Callback::from(move |e: KeyboardEvent| {
                    if e.key() == "Enter" || e.key() == " " {
                        e.prevent_default();
                        on.emit(key);
                    }
                })
            };
            let (x, y, w, ht) = h.rect;
            html! {
                <rect class="d-hit" data-hit="" tabindex="0" role="button"
                    aria-label={h.label.clone()} aria-pressed={h.pressed.to_string()}
                    data-testid={format!("hit-{key}")} data-equivalent={h.equivalent}
                    x={svg::num(x)} y={svg::num(y)} width={svg::num(w)} height={svg::num(ht)}
                    rx="3" onclick={click} onkeydown={keydown} />
            }
        })
        .collect()
}

/// A picture whose parts are buttons: like [`crate::ui::Diagram`] (scales to its width, a
/// title and a description from the state), but `role="group"`, since an `img` role makes its
/// children presentational and would hide the buttons from assistive technology.
///
/// Drawn in the prerendered page too, in the widget's default state, so a reader without
/// JavaScript sees each widget's picture. `buttons`: whether the picture has clickable parts
/// (`role="group"`) or is a plain image (`role="img"`).
pub fn interactive(
    id: &str,
    title: String,
    desc: String,
    (w, h): (f64, f64),
    buttons: bool,
    body: Html,
) -> Html {
    let (t, d) = (format!("{id}-t"), format!("{id}-d"));
    html! {
        <svg class="diagram xd-pic" data-testid={id.to_string()}
            viewBox={format!("0 0 {} {}", svg::num(w), svg::num(h.ceil()))}
            width="560" height={svg::num((h.ceil() * 560.0 / w.max(1.0)).round())}
            role={if buttons { "group" } else { "img" }} aria-labelledby={format!("{t} {d}")}
            xmlns="http://www.w3.org/2000/svg">
            <title id={t}>{ title }</title>
            <desc id={d}>{ desc }</desc>
            { body }
        </svg>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_canvas_tracks_reach_and_parts() {
        let mut c = Canvas::new();
        c.rect(10.0, 10.0, 50.0, 20.0, "d-box");
        c.text(100.0, 50.0, "end", "d-label", "abc");
        c.part(
            "p",
            (5.0, 60.0, 40.0, 20.0),
            "",
            true,
            "a very long label indeed",
            None,
        );
        assert_eq!(c.max_x, 100.0);
        assert_eq!(c.max_y, 80.0);
        assert_eq!(c.min_x, 5.0);
        assert_eq!(c.lit(), ["p"]);
        assert_eq!(clip("abcdef", 4), "abc…");
        assert_eq!(clip("abc", 4), "abc");
        assert_eq!(order_by(&[5, 1, 5, 0]), [3, 1, 0, 2]);
        assert!(order_by(&[]).is_empty());
    }
}
