//! Brings the prerendered page to life one piece at a time.
//!
//! The release build ships the whole article as static HTML (`src/bin/prerender.rs`). Each live
//! piece of it (the table of contents and every widget) sits in its own placeholder,
//! `<div class="slot" data-slot="ID">`. Rather than render the whole article again over the
//! static text (one long task that blocks the page while the wasm starts), the app mounts a
//! separate Yew root into each placeholder, each in its own task: first the pieces the reader
//! can see, then the rest by distance from the viewport. The prose is never touched. When a
//! piece is live its placeholder gets `data-live`; when all are, `<html>` gets
//! `data-live="all"`, and the performance timeline gets the marks `youcpu-view-live` (every
//! piece that was in view at start is live) and `youcpu-live` (all of them).
//!
//! Two wasm modules share the work (issue #18, "pay only for what is in view"): the shell
//! (`src/shell.rs`, a few KiB) enhances the table of contents, the only live piece in the first
//! viewport of a page opened at its top, as soon as the text is painted ([`mount_shell`]); the
//! app (`src/main.rs`, the simulator and every widget) is fetched as the reader approaches a
//! widget, opens a link into the article, or the browser is idle (the boot script that
//! `src/bin/prerender.rs` writes), and mounts the rest ([`mount_placeholders`]), leaving pieces
//! the shell already brought to life alone. In the release build the app's widgets are split
//! further, one part per widget family (`src/split.rs`, tools/youcpu-split): mounting a widget
//! first awaits its family's part, fetched the first time, and the next piece waits for it, so
//! the order above is also the order the parts arrive in.

use crate::toc::Toc;
use crate::widgets::WidgetKind;
use std::cell::Cell;
use std::cmp::Ordering;
use yew::prelude::*;

/// What one placeholder holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Piece {
    /// The table of contents.
    Toc,
    /// A widget.
    Widget(WidgetKind),
}

impl Piece {
    /// The placeholder's `data-slot` value.
    pub fn id(self) -> &'static str {
        match self {
            Piece::Toc => "toc",
            Piece::Widget(k) => k.id(),
        }
    }

    /// The piece a `data-slot` value names.
    pub fn from_id(id: &str) -> Option<Piece> {
        if id == "toc" {
            Some(Piece::Toc)
        } else {
            WidgetKind::from_id(id).map(Piece::Widget)
        }
    }

    fn view(self) -> Html {
        match self {
            Piece::Toc => html! { <Toc /> },
            Piece::Widget(k) => k.view(),
        }
    }
}

/// A placeholder around a live piece, the same in the prerendered HTML and in the app.
pub fn slot(piece: Piece) -> Html {
    html! { <div class="slot" data-slot={piece.id()}>{ piece.view() }</div> }
}

/// Where a placeholder is, relative to the viewport, when mounting starts.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Place {
    /// Top of the placeholder's content, in viewport pixels.
    pub top: f64,
    /// Bottom of it.
    pub bottom: f64,
}

impl Place {
    /// Whether any of it shows in the viewport `0..height`.
    pub fn in_view(self, height: f64) -> bool {
        self.bottom > 0.0 && self.top < height && self.top.is_finite() && self.bottom.is_finite()
    }

    /// Pixels between the placeholder and the viewport `0..height` (0 when any of it shows).
    /// A placeholder the browser could not place counts as infinitely far.
    pub fn distance(self, height: f64) -> f64 {
        if !(self.top.is_finite() && self.bottom.is_finite()) {
            f64::INFINITY
        } else if self.in_view(height) {
            0.0
        } else if self.bottom <= 0.0 {
            -self.bottom
        } else {
            self.top - height
        }
    }
}

/// The order to mount placeholders in, as indices into `places` (given in document order): the
/// ones in view first, in document order, then the rest nearest first (ties in document order).
/// Also returns how many were in view. Pure, so it is unit-tested.
pub fn mount_order(places: &[Place], height: f64) -> (Vec<usize>, usize) {
    let mut order: Vec<usize> = (0..places.len()).collect();
    let key = |i: usize| {
        places.get(i).map_or((true, f64::INFINITY), |p| {
            (!p.in_view(height), p.distance(height))
        })
    };
    order.sort_by(|&a, &b| {
        let (ka, kb) = (key(a), key(b));
        ka.0.cmp(&kb.0)
            .then(ka.1.partial_cmp(&kb.1).unwrap_or(Ordering::Equal))
            .then(a.cmp(&b))
    });
    let in_view = places.iter().filter(|p| p.in_view(height)).count();
    (order, in_view)
}

thread_local! {
    /// Placeholders not yet live, and how many of the ones in view at start are not yet live.
    static PENDING: Cell<(usize, usize)> = const { Cell::new((0, 0)) };
    /// Whether to keep the link's target in place while pieces go live: until the reader
    /// scrolls, clicks or types, as a browser does while a page loads.
    static PIN_TARGET: Cell<bool> = const { Cell::new(false) };
}

/// Properties of one piece's own Yew root.
#[derive(Properties)]
pub struct PieceProps {
    /// Which piece.
    pub piece: Piece,
    /// Whether it was in view when mounting started.
    pub in_view: bool,
    /// The prerendered placeholder, still showing the static piece.
    pub placeholder: web_sys::Element,
    /// The new placeholder the piece is rendered into, off the page until it is complete.
    pub host: web_sys::Element,
    /// Renders the piece. A function rather than `Piece::view`, so that the code that mounts
    /// a widget of one family names only that family's views (`crate::split`).
    pub view: fn() -> Html,
}

impl PartialEq for PieceProps {
    fn eq(&self, other: &Self) -> bool {
        // The view is the piece's: comparing the pieces compares the views.
        self.piece == other.piece
            && self.in_view == other.in_view
            && self.placeholder == other.placeholder
            && self.host == other.host
    }
}

/// One piece, rendered into a new placeholder off the page; once its first render is complete
/// the new placeholder takes the prerendered one's place, so the reader never sees a half-built
/// piece or an empty gap.
#[component]
pub fn PieceRoot(props: &PieceProps) -> Html {
    let piece = props.piece;
    let in_view = props.in_view;
    let placeholder = props.placeholder.clone();
    let host = props.host.clone();
    use_effect_with((), move |_| {
        let _ = host.set_attribute("data-live", "true");
        let _ = placeholder.replace_with_with_node_1(&host);
        became_live(piece, in_view);
    });
    (props.view)()
}

pub(crate) fn became_live(piece: Piece, in_view: bool) {
    crate::dom::performance_mark(&format!("youcpu-live:{}", piece.id()));
    // A piece above the target may have grown or shrunk (its state came from the URL).
    if PIN_TARGET.get() {
        crate::dom::scroll_to_hash();
    }
    let (all, view) = PENDING.get();
    let all = all.saturating_sub(1);
    let view = if in_view {
        view.saturating_sub(1)
    } else {
        view
    };
    PENDING.set((all, view));
    if in_view && view == 0 {
        view_live();
    }
    if all == 0 {
        all_live();
    }
}

/// Marks the moment every piece in view at start is live (`youcpu-view-live`), once for the
/// page: the shell may have marked it already (`<html data-view-live>`).
fn view_live() {
    let Some(root) = crate::dom::document().and_then(|d| d.document_element()) else {
        return;
    };
    if !root.has_attribute("data-view-live") {
        let _ = root.set_attribute("data-view-live", "");
        crate::dom::performance_mark("youcpu-view-live");
    }
}

fn all_live() {
    PIN_TARGET.set(false);
    crate::dom::performance_mark("youcpu-live");
    if let Some(root) = crate::dom::document().and_then(|d| d.document_element()) {
        let _ = root.set_attribute("data-live", "all");
    }
}

/// The shell's part (`src/shell.rs`): brings the table of contents to life in place, and marks
/// `youcpu-view-live` when no widget shows in the viewport (the table of contents was then the
/// only live piece in view). Does nothing if the app got there first.
pub fn mount_shell() {
    let Some(toc) =
        crate::dom::document().and_then(|d| d.query_selector("[data-slot=\"toc\"]").ok().flatten())
    else {
        return;
    };
    if toc.has_attribute("data-live") {
        return;
    }
    crate::dom::performance_mark("youcpu-mount:toc");
    if crate::toc::enhance(&toc) {
        let _ = toc.set_attribute("data-live", "true");
        crate::dom::performance_mark("youcpu-live:toc");
    }
    let height = crate::dom::viewport_height();
    let widget_in_view = crate::dom::slots()
        .iter()
        .any(|s| s.id != Piece::Toc.id() && s.place.in_view(height));
    if !widget_in_view {
        view_live();
    }
}

/// Mounts every placeholder on the page, one per task, in [`mount_order`]. Returns false (and
/// does nothing) when the page has no placeholders (a build without the prerendered article).
pub fn mount_placeholders() -> bool {
    // The browser may not have scrolled to the link's target yet, or scrolled to where the
    // target was before the parts above it were laid out: scroll to it now, as the browser
    // keeps doing while a page loads, so the pieces measured as in view are the ones the
    // reader will see.
    if crate::dom::scroll_to_hash() {
        PIN_TARGET.set(true);
        crate::dom::on_first_reader_input(|| PIN_TARGET.set(false));
    }
    let all = crate::dom::slots();
    if all.is_empty() {
        return false;
    }
    // Pieces the shell brought to life already (the table of contents) are done.
    let found: Vec<crate::dom::Slot> = all
        .into_iter()
        .filter(|s| !s.element.has_attribute("data-live"))
        .collect();
    let height = crate::dom::viewport_height();
    let places: Vec<Place> = found.iter().map(|s| s.place).collect();
    let (order, in_view) = mount_order(&places, height);
    PENDING.set((found.len(), in_view));
    if in_view == 0 {
        view_live();
    }
    if found.is_empty() {
        all_live();
        return true;
    }
    let mut queue: Vec<Queued> = Vec::with_capacity(order.len());
    let mut found: Vec<Option<crate::dom::Slot>> = found.into_iter().map(Some).collect();
    for (n, i) in order.into_iter().enumerate() {
        if let Some(s) = found.get_mut(i).and_then(Option::take) {
            match Piece::from_id(&s.id) {
                Some(p) => queue.push((s.element, p, n < in_view)),
                None => {
                    // A placeholder this build does not know: leave its static HTML, count it done.
                    let (all, view) = PENDING.get();
                    PENDING.set((all.saturating_sub(1), view));
                }
            }
        }
    }
    queue.reverse();
    mount_next(queue);
    true
}

/// A placeholder waiting for its piece: the prerendered element, the piece, and whether it was
/// in view when mounting started.
type Queued = (web_sys::Element, Piece, bool);

fn mount_next(mut queue: Vec<Queued>) {
    let Some((placeholder, piece, in_view)) = queue.pop() else {
        return;
    };
    crate::dom::performance_mark(&format!("youcpu-mount:{}", piece.id()));
    match piece {
        // The contents are only enhanced in place: their text is often the largest block the
        // reader sees first, and painting it again would only delay that paint.
        Piece::Toc if crate::toc::enhance(&placeholder) => {
            let _ = placeholder.set_attribute("data-live", "true");
            became_live(piece, in_view);
        }
        Piece::Toc => render_piece(placeholder, piece, in_view, || html! { <Toc /> }),
        Piece::Widget(kind) => {
            #[cfg(all(feature = "split", target_arch = "wasm32"))]
            {
                // The widget's family may still have to be fetched: the next piece is mounted
                // once this one is, so a deep link's widget and the ones in view stay first.
                wasm_bindgen_futures::spawn_local(async move {
                    crate::split::mount(kind, placeholder, in_view).await;
                    then_next(queue);
                });
                return;
            }
            #[cfg(not(all(feature = "split", target_arch = "wasm32")))]
            match kind.view_in::<{ crate::widgets::Family::ANY }>() {
                Some(view) => render_piece(placeholder, piece, in_view, view),
                None => became_live(piece, in_view),
            }
        }
    }
    then_next(queue);
}

/// Mounts the rest of the queue from a new task.
fn then_next(queue: Vec<Queued>) {
    if !queue.is_empty() {
        gloo_timers::callback::Timeout::new(0, move || mount_next(queue)).forget();
    }
}

/// Renders `view` as `piece`'s own Yew root in place of its prerendered `placeholder` (see
/// [`PieceRoot`]).
pub fn render_piece(
    placeholder: web_sys::Element,
    piece: Piece,
    in_view: bool,
    view: fn() -> Html,
) {
    match crate::dom::new_slot(piece.id()) {
        Some(host) => {
            yew::Renderer::<PieceRoot>::with_root_and_props(
                host.clone(),
                PieceProps {
                    piece,
                    in_view,
                    placeholder,
                    host,
                    view,
                },
            )
            .render();
        }
        None => became_live(piece, in_view),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(top: f64, bottom: f64) -> Place {
        Place { top, bottom }
    }

    #[test]
    fn distance_to_the_viewport() {
        assert_eq!(at(-500.0, -100.0).distance(800.0), 100.0);
        assert_eq!(at(-500.0, 0.0).distance(800.0), 0.0);
        assert!(
            !at(-500.0, 0.0).in_view(800.0),
            "touching the top edge is not in view"
        );
        assert_eq!(at(-500.0, 1.0).distance(800.0), 0.0);
        assert!(at(-500.0, 1.0).in_view(800.0));
        assert_eq!(at(799.0, 900.0).distance(800.0), 0.0);
        assert!(at(799.0, 900.0).in_view(800.0));
        assert_eq!(at(800.0, 900.0).distance(800.0), 0.0);
        assert!(
            !at(800.0, 900.0).in_view(800.0),
            "touching the bottom edge is not in view"
        );
        assert_eq!(at(1000.0, 1400.0).distance(800.0), 200.0);
    }

    #[test]
    fn in_view_first_then_nearest() {
        let places = [
            at(-3000.0, -2000.0), // 2000 above
            at(-400.0, 100.0),    // in view
            at(300.0, 600.0),     // in view
            at(900.0, 1200.0),    // 100 below
            at(5000.0, 5600.0),   // 4200 below
            at(-600.0, -500.0),   // 500 above
            at(800.0, 1000.0),    // just below: distance 0, but not in view
        ];
        let (order, in_view) = mount_order(&places, 800.0);
        assert_eq!(order, [1, 2, 6, 3, 5, 0, 4]);
        assert_eq!(in_view, 2);
    }

    #[test]
    fn ties_and_odd_numbers_keep_document_order() {
        let places = [at(900.0, 1000.0), at(f64::NAN, f64::NAN), at(900.0, 1000.0)];
        let (order, in_view) = mount_order(&places, 800.0);
        assert_eq!(order, [0, 2, 1]);
        assert_eq!(in_view, 0);
        assert_eq!(mount_order(&[], 800.0), (vec![], 0));
    }

    #[test]
    fn every_piece_id_round_trips() {
        assert_eq!(Piece::from_id("toc"), Some(Piece::Toc));
        for &k in WidgetKind::ALL {
            assert_eq!(Piece::from_id(k.id()), Some(Piece::Widget(k)));
        }
        assert_eq!(Piece::from_id("nope"), None);
        let mut ids: Vec<&str> = WidgetKind::ALL.iter().map(|k| k.id()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), WidgetKind::ALL.len());
    }
}
