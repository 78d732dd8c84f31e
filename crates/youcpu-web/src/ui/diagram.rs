//! Pictures of the mechanisms: the [`Diagram`] frame every widget's picture and every figure is
//! drawn in, and small SVG drawing helpers ([`svg`]).
//!
//! A diagram is an `<svg role="img">` with a `viewBox`, so it scales to the width it is given
//! (never wider than the page, never scrolling sideways on a phone), a `<title>` and a `<desc>`
//! that the caller writes from the simulator's state (the text alternative changes as the
//! state does), and colours from the page's theme through CSS classes (`d-*` in
//! `web/style.css`), so both themes keep their contrast. Meaning is never carried by colour
//! alone: a highlighted part is also drawn with a heavier outline and says so in its label or
//! in the description.
//!
//! Transitions are CSS (`.diagram` rules in the style sheet) and stop under
//! `prefers-reduced-motion`.

use yew::prelude::*;

/// Properties of [`Diagram`].
#[derive(Properties, PartialEq)]
pub struct DiagramProps {
    /// The diagram's id: its `data-testid` and the prefix of its title and description ids.
    /// Unique on the page (a widget's diagram: `WIDGET-diagram`; a figure: `figure-NAME-svg`).
    pub id: AttrValue,
    /// A short name of the picture ("The page walk of 0x7ffd_1234_5678").
    pub title: AttrValue,
    /// The picture said in words, from the same state it is drawn from: what a reader who
    /// cannot see it needs to follow the explanation.
    pub desc: AttrValue,
    /// The `viewBox` width: the drawing's coordinate space (it is scaled to fit its box).
    pub width: u32,
    /// The `viewBox` height.
    pub height: u32,
    /// The widest the picture is drawn in CSS pixels (default: its `width`). Beyond this it
    /// would only get bigger, not clearer.
    #[prop_or_default]
    pub max_width: Option<u32>,
    /// Extra classes on the `<svg>`.
    #[prop_or_default]
    pub class: Classes,
    /// The shapes.
    #[prop_or_default]
    pub children: Html,
}

/// An SVG picture that fits its container's width, with a title and a description.
#[component]
pub fn Diagram(props: &DiagramProps) -> Html {
    let title_id = format!("{}-t", props.id);
    let desc_id = format!("{}-d", props.id);
    // Drawn `max` CSS pixels wide where there is room, and narrower (by the style sheet's
    // `max-width: 100%`) where there is not: sizes as attributes, since the page's CSP allows
    // no inline style.
    let max = props.max_width.unwrap_or(props.width);
    let tall = u64::from(props.height) * u64::from(max) / u64::from(props.width.max(1));
    html! {
        <svg class={classes!("diagram", props.class.clone())}
            data-testid={props.id.clone()}
            viewBox={format!("0 0 {} {}", props.width, props.height)}
            width={max.to_string()} height={tall.to_string()}
            role="img" aria-labelledby={format!("{title_id} {desc_id}")}
            xmlns="http://www.w3.org/2000/svg">
            <title id={title_id}>{ props.title.clone() }</title>
            <desc id={desc_id}>{ props.desc.clone() }</desc>
            { props.children.clone() }
        </svg>
    }
}

/// Small builders for the shapes diagrams are made of. Each returns [`Html`] to put inside a
/// [`Diagram`]; `class` picks the look from the style sheet's `d-*` classes.
pub mod svg {
    use yew::prelude::*;

    /// How many task colours the style sheet has (`--c0` to `--c7`, drawn by the classes
    /// `c0`..`c7`, `d-c0`..`d-c7` and `s0`..`s7`): task `i` takes colour `i % PALETTE`.
    pub const PALETTE: usize = 8;

    /// A rectangle in a picture's coordinates (what a layout computes before drawing).
    #[derive(Clone, Copy, Debug, PartialEq, Default)]
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
        /// Its right edge.
        pub fn right(&self) -> f64 {
            self.x + self.w
        }
        /// Its bottom edge.
        pub fn bottom(&self) -> f64 {
            self.y + self.h
        }
    }

    /// Formats a coordinate with at most two decimals (shorter markup, same picture).
    pub fn num(v: f64) -> String {
        let r = (v * 100.0).round() / 100.0;
        if r == r.trunc() {
            format!("{}", r as i64)
        } else {
            format!("{r}")
        }
    }

    /// A rectangle (`d-box` is a panel with an outline; `d-hl` lights it).
    pub fn rect(x: f64, y: f64, w: f64, h: f64, class: &str) -> Html {
        html! {
            <rect x={num(x)} y={num(y)} width={num(w.max(0.0))} height={num(h.max(0.0))}
                rx="3" class={class.to_string()} />
        }
    }

    /// Text anchored at `(x, y)`: `anchor` is `start`, `middle` or `end`; the baseline is at `y`.
    pub fn text(x: f64, y: f64, anchor: &str, class: &str, s: impl Into<AttrValue>) -> Html {
        html! {
            <text x={num(x)} y={num(y)} text-anchor={anchor.to_string()} class={class.to_string()}>
                { s.into() }
            </text>
        }
    }

    /// A rectangle with a label centred in it.
    pub fn labelled(
        x: f64,
        y: f64,
        w: f64,
        h: f64,
        class: &str,
        label: impl Into<AttrValue>,
    ) -> Html {
        html! {
            <g class={class.to_string()}>
                { rect(x, y, w, h, "d-box") }
                { text(x + w / 2.0, y + h / 2.0 + 4.5, "middle", "d-label", label) }
            </g>
        }
    }

    /// A straight line.
    pub fn line(x1: f64, y1: f64, x2: f64, y2: f64, class: &str) -> Html {
        html! {
            <line x1={num(x1)} y1={num(y1)} x2={num(x2)} y2={num(y2)} class={class.to_string()} />
        }
    }

    /// The three corners of an arrowhead `size` long pointing from `(x1, y1)` to `(x2, y2)`,
    /// with its tip at `(x2, y2)`; `None` for a zero-length arrow.
    pub fn head(x1: f64, y1: f64, x2: f64, y2: f64, size: f64) -> Option<[(f64, f64); 3]> {
        let (dx, dy) = (x2 - x1, y2 - y1);
        let len = (dx * dx + dy * dy).sqrt();
        if len < 1e-9 {
            return None;
        }
        let (ux, uy) = (dx / len, dy / len);
        let (bx, by) = (x2 - ux * size, y2 - uy * size);
        let (px, py) = (-uy * size * 0.5, ux * size * 0.5);
        Some([(x2, y2), (bx + px, by + py), (bx - px, by - py)])
    }

    /// An arrow from `(x1, y1)` to `(x2, y2)`, its head drawn as a triangle (no SVG markers:
    /// their ids would be shared by every diagram on the page).
    pub fn arrow(x1: f64, y1: f64, x2: f64, y2: f64, class: &str) -> Html {
        let tip = head(x1, y1, x2, y2, 7.0);
        let points = tip.map(|pts| {
            pts.iter()
                .map(|(x, y)| format!("{},{}", num(*x), num(*y)))
                .collect::<Vec<_>>()
                .join(" ")
        });
        html! {
            <g class={classes!("d-arrow", class.to_string())}>
                { line(x1, y1, x2, y2, "d-line") }
                if let Some(p) = points {
                    <polygon points={p} class="d-head" />
                }
            </g>
        }
    }

    /// A path through the points (`d-line`), with an arrowhead at the last one when `arrow`.
    pub fn polyline(points: &[(f64, f64)], class: &str, arrow: bool) -> Html {
        let d = points
            .iter()
            .enumerate()
            .map(|(i, (x, y))| format!("{}{} {}", if i == 0 { "M" } else { "L" }, num(*x), num(*y)))
            .collect::<Vec<_>>()
            .join(" ");
        let tip = match points {
            [.., a, b] if arrow => head(a.0, a.1, b.0, b.1, 7.0),
            _ => None,
        };
        html! {
            <g class={classes!("d-arrow", class.to_string())}>
                <path d={d} class="d-line" fill="none" />
                if let Some(pts) = tip {
                    <polygon class="d-head" points={pts.iter().map(|(x, y)| format!("{},{}", num(*x), num(*y))).collect::<Vec<_>>().join(" ")} />
                }
            </g>
        }
    }
}

#[cfg(test)]
mod tests {
    use super::svg::*;

    #[test]
    fn numbers_are_short() {
        assert_eq!(num(3.0), "3");
        assert_eq!(num(3.256), "3.26");
        assert_eq!(num(-0.5), "-0.5");
    }

    #[test]
    fn an_arrowhead_points_along_the_arrow_and_has_its_tip_at_the_end() {
        let [tip, a, b] = head(0.0, 0.0, 10.0, 0.0, 4.0).expect("a head");
        assert_eq!(tip, (10.0, 0.0));
        assert_eq!(a, (6.0, 2.0));
        assert_eq!(b, (6.0, -2.0));
        assert!(head(1.0, 1.0, 1.0, 1.0, 4.0).is_none());
    }
}
