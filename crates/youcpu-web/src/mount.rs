//! Brings the prerendered page to life one piece at a time, as the reader approaches it.
//!
//! The release build ships the whole article as static HTML (`src/bin/prerender.rs`). Each live
//! piece of it (the table of contents and every widget) sits in its own placeholder,
//! `<div class="slot" data-slot="ID">`. Rather than render the whole article again over the
//! static text (one long task that blocks the page while the wasm starts), the app mounts a
//! separate Yew root into each placeholder, each in its own task, and only the pieces the reader
//! is near (issue #18, "pay only for what is in view"): first the pieces in view (a deep link's
//! target before them), then each piece when it comes within [`NEAR_VIEWPORTS`] viewport heights
//! of the viewport (an `IntersectionObserver`), nearest first. A piece the reader never comes
//! near stays as prerendered: it already reads as text. The prose is never touched.
//!
//! What the page says about it:
//! - each live placeholder gets `data-live`; the performance timeline gets `youcpu-mount:ID` when
//!   a piece starts mounting and `youcpu-live:ID` when it is live;
//! - `youcpu-view-live` and `<html data-view-live>`: every piece in view at load (or the link's
//!   target) is live;
//! - `youcpu-live` and `<html data-live="near">`: the load's work is done, every piece within
//!   the mounting distance at load is live (at the top of the page, where no widget is near, the
//!   shell marks it at once and the app is not fetched); more pieces mount as the reader scrolls;
//! - `<html data-live="all">`: every piece on the page is live (the reader has been near all).
//!
//! Two wasm modules share the work: the shell (`src/shell.rs`, a few KiB) enhances the table of
//! contents, the only live piece in the first viewport of a page opened at its top, as soon as
//! the text is painted ([`mount_shell`]); the app (`src/main.rs`, the simulator and every
//! widget) is fetched when the reader comes within twice the mounting distance of a widget or
//! opens a link into the article (the boot script that `src/bin/prerender.rs` writes), and mounts
//! the rest ([`mount_placeholders`]), leaving pieces the shell already brought to life alone. In
//! the release build the app's widgets are split further, one part per widget family
//! (`src/split.rs`, tools/youcpu-split): mounting a widget first awaits its family's part,
//! fetched the first time one of its widgets comes near, and the next piece waits for it.

use crate::toc::Toc;
use crate::widgets::WidgetKind;
use std::cell::{Cell, RefCell};
use std::cmp::Ordering;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// How near the viewport a piece must come to be mounted, in viewport heights above or below it
/// (the observer's `rootMargin`). The boot script fetches the app at twice this distance
/// (`src/bin/prerender.rs`), so the main module is in by the time a widget needs it.
pub const NEAR_VIEWPORTS: f64 = 1.5;

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

impl Place {
    /// Whether it is within [`NEAR_VIEWPORTS`] viewport heights of the viewport `0..height`.
    pub fn near(self, height: f64) -> bool {
        self.distance(height) <= NEAR_VIEWPORTS * height
    }
}

/// The order to mount placeholders in, as indices into `places` (given in document order): the
/// link's `target` first if it is in view, then the others in view, in document order, then the
/// rest nearest first (ties in document order). Also returns how many were in view. Pure, so it
/// is unit-tested.
pub fn mount_order(places: &[Place], height: f64, target: Option<usize>) -> (Vec<usize>, usize) {
    let mut order: Vec<usize> = (0..places.len()).collect();
    let key = |i: usize| {
        places.get(i).map_or((true, true, f64::INFINITY), |p| {
            let in_view = p.in_view(height);
            (
                !in_view,
                !(in_view && target == Some(i)),
                p.distance(height),
            )
        })
    };
    order.sort_by(|&a, &b| {
        let (ka, kb) = (key(a), key(b));
        ka.0.cmp(&kb.0)
            .then(ka.1.cmp(&kb.1))
            .then(ka.2.partial_cmp(&kb.2).unwrap_or(Ordering::Equal))
            .then(a.cmp(&b))
    });
    let in_view = places.iter().filter(|p| p.in_view(height)).count();
    (order, in_view)
}

thread_local! {
    /// Placeholders not yet live, and how many of the ones in view at start are not yet live.
    static PENDING: Cell<(usize, usize)> = const { Cell::new((0, 0)) };
    /// Whether to keep the link's target in place while pieces go live: until the reader
    /// scrolls, clicks or types, or the load's work is done, as a browser does while a page loads.
    static PIN_TARGET: Cell<bool> = const { Cell::new(false) };
    /// The pieces waiting to be mounted, and what is mounting.
    static QUEUE: RefCell<Queue> = RefCell::new(Queue::default());
}

/// A placeholder waiting for its piece.
struct Queued {
    /// The prerendered placeholder.
    element: web_sys::Element,
    piece: Piece,
    /// Whether it was in view when mounting started.
    in_view: bool,
    /// Mounted before every piece of a higher rank: the link's target and the pieces in view at
    /// start by their [`mount_order`], the ones the reader comes near later after them (rank
    /// `usize::MAX`), nearest first.
    rank: usize,
}

/// The mounting queue: pieces are added when they come near, and mounted one per task.
#[derive(Default)]
struct Queue {
    waiting: Vec<Queued>,
    /// A piece is being mounted (its family's part may still be on its way).
    busy: bool,
    /// The observer has reported once: the pieces near the viewport at load are queued.
    reported: bool,
    /// Watches the pieces not yet queued.
    observer: Option<web_sys::IntersectionObserver>,
}

/// Which queued piece to mount next, as an index into `keys`: each piece's rank (the link's
/// target and the pieces in view at load by their [`mount_order`], the pieces the reader comes
/// near later after them, all of the same rank) and its distance from the viewport now. Lowest
/// rank first, then nearest, then the one queued first. Pure, so it is unit-tested.
pub fn next_in_queue(keys: &[(usize, f64)]) -> Option<usize> {
    (0..keys.len()).min_by(|&a, &b| {
        let (ka, kb) = (keys[a], keys[b]);
        ka.0.cmp(&kb.0)
            .then(ka.1.partial_cmp(&kb.1).unwrap_or(Ordering::Equal))
            .then(a.cmp(&b))
    })
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

/// The `<html>` element.
fn root() -> Option<web_sys::Element> {
    crate::dom::document().and_then(|d| d.document_element())
}

/// Sets `attribute` on `<html>` to `value` and adds the performance mark `mark`, unless the
/// attribute is there already (once for the page: the shell may have got there first).
fn mark_once(attribute: &str, value: &str, mark: &str) {
    if let Some(root) = root().filter(|r| !r.has_attribute(attribute)) {
        let _ = root.set_attribute(attribute, value);
        crate::dom::performance_mark(mark);
    }
}

/// Marks the moment every piece in view at start is live (`youcpu-view-live`,
/// `<html data-view-live>`).
fn view_live() {
    mark_once("data-view-live", "", "youcpu-view-live");
}

/// Marks the moment the load's work is done (`youcpu-live`, `<html data-live="near">`): every
/// piece near the viewport at load is live. The shell marks it when no widget is near.
fn load_done() {
    PIN_TARGET.set(false);
    mark_once("data-live", "near", "youcpu-live");
}

/// Every piece on the page is live: nothing left to watch.
fn all_live() {
    load_done();
    if let Some(o) = QUEUE.with(|q| q.borrow_mut().observer.take()) {
        o.disconnect();
    }
    if let Some(root) = root() {
        let _ = root.set_attribute("data-live", "all");
    }
}

/// The shell's part (`src/shell.rs`): brings the table of contents to life in place, and marks
/// `youcpu-view-live` when no widget shows in the viewport (the table of contents was then the
/// only live piece in view), and `youcpu-live` when no widget is near it (the app has nothing to
/// mount until the reader scrolls). Does nothing if the app got there first.
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
    let widgets: Vec<Place> = crate::dom::slots()
        .into_iter()
        .filter(|s| s.id != Piece::Toc.id())
        .map(|s| s.place)
        .collect();
    if !widgets.iter().any(|p| p.in_view(height)) {
        view_live();
    }
    // A link into the article brings the app whatever is near (its target may not be laid out
    // where it will be yet).
    let hash = crate::dom::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default();
    if hash.len() <= 1 && !widgets.iter().any(|p| p.near(height)) {
        load_done();
    }
}

/// Mounts the placeholders on the page as the reader comes near them, one per task: the ones in
/// view now at once, in [`mount_order`], the others when they come within [`NEAR_VIEWPORTS`] of
/// the viewport. Returns false (and does nothing) when the page has no placeholders (a build
/// without the prerendered article).
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
    // Pieces the shell brought to life already (the table of contents) are done; a placeholder
    // this build does not know keeps its static HTML.
    let found: Vec<(crate::dom::Slot, Piece)> = all
        .into_iter()
        .filter(|s| !s.element.has_attribute("data-live"))
        .filter_map(|s| Piece::from_id(&s.id).map(|p| (s, p)))
        .collect();
    let height = crate::dom::viewport_height();
    let places: Vec<Place> = found.iter().map(|(s, _)| s.place).collect();
    let target = link_target().and_then(|t| {
        found
            .iter()
            .position(|(s, _)| s.element.contains(Some(t.as_ref())))
    });
    let (order, in_view) = mount_order(&places, height, target);
    PENDING.set((found.len(), in_view));
    if in_view == 0 {
        view_live();
    }
    if found.is_empty() {
        all_live();
        return true;
    }
    let mut found: Vec<Option<(crate::dom::Slot, Piece)>> = found.into_iter().map(Some).collect();
    let mut later = Vec::new();
    QUEUE.with(|q| {
        let mut q = q.borrow_mut();
        for (n, i) in order.into_iter().enumerate() {
            if let Some((s, piece)) = found.get_mut(i).and_then(Option::take) {
                if n < in_view {
                    q.waiting.push(Queued {
                        element: s.element,
                        piece,
                        in_view: true,
                        rank: n,
                    });
                } else {
                    later.push(s.element);
                }
            }
        }
    });
    watch(&later);
    pump();
    true
}

/// The element the URL's fragment names, if any.
fn link_target() -> Option<web_sys::Element> {
    let w = crate::dom::window()?;
    let hash = w.location().hash().ok()?;
    let id = hash.trim_start_matches('#');
    if id.is_empty() {
        return None;
    }
    w.document()?.get_element_by_id(id)
}

/// What the observer watches for a placeholder: its content (the placeholder itself has
/// `display: contents` and so no box).
fn watched(placeholder: &web_sys::Element) -> web_sys::Element {
    placeholder
        .first_element_child()
        .unwrap_or_else(|| placeholder.clone())
}

/// Queues each of `placeholders` when it comes near the viewport. Without an observer (an old
/// browser), they are queued at once, nearest first, as before pieces followed the reader.
fn watch(placeholders: &[web_sys::Element]) {
    let report = wasm_bindgen::closure::Closure::<dyn Fn(js_sys::Array)>::new(near_now);
    let init = web_sys::IntersectionObserverInit::new();
    init.set_root_margin(&format!("{}% 0px", NEAR_VIEWPORTS * 100.0));
    let observer =
        web_sys::IntersectionObserver::new_with_options(report.as_ref().unchecked_ref(), &init);
    // Lives as long as the page: one observer.
    report.forget();
    match observer {
        Ok(o) => {
            for p in placeholders {
                o.observe(&watched(p));
            }
            QUEUE.with(|q| q.borrow_mut().observer = Some(o));
        }
        Err(_) => QUEUE.with(|q| {
            let mut q = q.borrow_mut();
            q.reported = true;
            for p in placeholders {
                if let Some(piece) = p
                    .get_attribute("data-slot")
                    .and_then(|id| Piece::from_id(&id))
                {
                    q.waiting.push(Queued {
                        element: p.clone(),
                        piece,
                        in_view: false,
                        rank: usize::MAX,
                    });
                }
            }
        }),
    }
}

/// The observer's report: queues the pieces that came near, stops watching them, and mounts.
fn near_now(entries: js_sys::Array) {
    QUEUE.with(|q| {
        let mut q = q.borrow_mut();
        q.reported = true;
        for e in entries.iter() {
            let Ok(e) = e.dyn_into::<web_sys::IntersectionObserverEntry>() else {
                continue;
            };
            if !e.is_intersecting() {
                continue;
            }
            let content = e.target();
            let Some(placeholder) = content
                .closest("[data-slot]")
                .ok()
                .flatten()
                .filter(|p| !p.has_attribute("data-live"))
            else {
                continue;
            };
            if let Some(o) = &q.observer {
                o.unobserve(&content);
            }
            let Some(piece) = placeholder
                .get_attribute("data-slot")
                .and_then(|id| Piece::from_id(&id))
            else {
                continue;
            };
            q.waiting.push(Queued {
                element: placeholder,
                piece,
                in_view: false,
                rank: usize::MAX,
            });
        }
    });
    pump();
}

/// Mounts the next piece (the nearest of those of the lowest rank) unless one is mounting;
/// when none is left and the observer has reported, the load's work is done.
fn pump() {
    let height = crate::dom::viewport_height();
    let next = QUEUE.with(|q| {
        let mut q = q.borrow_mut();
        if q.busy {
            return None;
        }
        let keys: Vec<(usize, f64)> = q
            .waiting
            .iter()
            .map(|w| {
                let r = watched(&w.element).get_bounding_client_rect();
                let place = Place {
                    top: r.top(),
                    bottom: r.bottom(),
                };
                (w.rank, place.distance(height))
            })
            .collect();
        let i = next_in_queue(&keys)?;
        q.busy = true;
        Some(q.waiting.swap_remove(i))
    });
    match next {
        Some(next) => mount(next),
        None => {
            let done = QUEUE.with(|q| {
                let q = q.borrow();
                q.reported && !q.busy && q.waiting.is_empty()
            });
            if done {
                load_done();
            }
        }
    }
}

/// Mounts one piece, then the next from a new task, so input is handled between mounts.
fn mount(next: Queued) {
    let Queued {
        element: placeholder,
        piece,
        in_view,
        ..
    } = next;
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
                    then_next();
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
    then_next();
}

/// The piece is mounted: mount the next from a new task.
fn then_next() {
    QUEUE.with(|q| q.borrow_mut().busy = false);
    gloo_timers::callback::Timeout::new(0, pump).forget();
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
        let (order, in_view) = mount_order(&places, 800.0, None);
        assert_eq!(order, [1, 2, 6, 3, 5, 0, 4]);
        assert_eq!(in_view, 2);
        // A link's target in view comes first; one out of view changes nothing.
        assert_eq!(
            mount_order(&places, 800.0, Some(2)).0,
            [2, 1, 6, 3, 5, 0, 4]
        );
        assert_eq!(
            mount_order(&places, 800.0, Some(4)).0,
            [1, 2, 6, 3, 5, 0, 4]
        );
    }

    #[test]
    fn ties_and_odd_numbers_keep_document_order() {
        let places = [at(900.0, 1000.0), at(f64::NAN, f64::NAN), at(900.0, 1000.0)];
        let (order, in_view) = mount_order(&places, 800.0, None);
        assert_eq!(order, [0, 2, 1]);
        assert_eq!(in_view, 0);
        assert_eq!(mount_order(&[], 800.0, None), (vec![], 0));
    }

    #[test]
    fn near_is_within_one_and_a_half_viewports() {
        assert!(at(100.0, 200.0).near(800.0));
        assert!(at(2000.0, 2400.0).near(800.0), "1200 px below");
        assert!(!at(2001.0, 2400.0).near(800.0));
        assert!(at(-1500.0, -1200.0).near(800.0), "1200 px above");
        assert!(!at(-1500.0, -1201.0).near(800.0));
        assert!(!at(f64::NAN, 1.0).near(800.0));
    }

    #[test]
    fn the_queue_takes_the_lowest_rank_then_the_nearest() {
        assert_eq!(next_in_queue(&[]), None);
        // The target (rank 0) before what is in view (1), both before later pieces.
        assert_eq!(
            next_in_queue(&[(usize::MAX, 0.0), (1, 0.0), (0, 0.0)]),
            Some(2)
        );
        // Later pieces by their distance now; ties (and distances the browser could not give)
        // in the order they were queued.
        let later = usize::MAX;
        assert_eq!(
            next_in_queue(&[(later, 900.0), (later, 10.0), (later, 10.0)]),
            Some(1)
        );
        assert_eq!(
            next_in_queue(&[(later, f64::INFINITY), (later, 5.0)]),
            Some(1)
        );
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
