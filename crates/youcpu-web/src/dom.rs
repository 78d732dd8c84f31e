//! Small, panic-free helpers around the browser DOM.

use wasm_bindgen::JsCast;
use web_sys::{Event, HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement, InputEvent};

/// The current `window`, if there is one. There is none natively (the prerenderer and the
/// native tests), where calling into JavaScript at all would panic.
pub fn window() -> Option<web_sys::Window> {
    #[cfg(target_arch = "wasm32")]
    {
        web_sys::window()
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        None
    }
}

/// The current document.
pub fn document() -> Option<web_sys::Document> {
    window().and_then(|w| w.document())
}

/// The text of the `<input>` or `<textarea>` an input event came from ("" otherwise).
pub fn input_text(e: &InputEvent) -> String {
    event_value(e)
}

/// The value of the input, textarea or select an event came from ("" otherwise).
pub fn event_value(e: &Event) -> String {
    let Some(t) = e.target() else {
        return String::new();
    };
    if let Some(i) = t.dyn_ref::<HtmlInputElement>() {
        i.value()
    } else if let Some(a) = t.dyn_ref::<HtmlTextAreaElement>() {
        a.value()
    } else if let Some(s) = t.dyn_ref::<HtmlSelectElement>() {
        s.value()
    } else {
        String::new()
    }
}

/// The page's query string without the leading `?` ("" when unavailable).
pub fn location_search() -> String {
    window()
        .and_then(|w| w.location().search().ok())
        .map(|s| s.trim_start_matches('?').to_string())
        .unwrap_or_default()
}

/// Replaces the query string (keeping path and hash) without adding a history entry.
pub fn replace_search(query: &str) {
    let Some(w) = window() else { return };
    let loc = w.location();
    let path = loc.pathname().unwrap_or_default();
    let hash = loc.hash().unwrap_or_default();
    let url = if query.is_empty() {
        format!("{path}{hash}")
    } else {
        format!("{path}?{query}{hash}")
    };
    if loc
        .search()
        .ok()
        .as_deref()
        .map(|s| s.trim_start_matches('?'))
        == Some(query)
    {
        return;
    }
    if let Ok(h) = w.history() {
        let _ = h.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
    }
}

/// The absolute URL of the page with the given fragment.
pub fn url_with_hash(hash: &str) -> String {
    let Some(w) = window() else {
        return String::new();
    };
    let loc = w.location();
    let origin = loc.origin().unwrap_or_default();
    let path = loc.pathname().unwrap_or_default();
    let search = loc.search().unwrap_or_default();
    format!("{origin}{path}{search}#{hash}")
}

/// Copies text to the clipboard (best effort; the promise's outcome is ignored).
pub fn copy_to_clipboard(text: &str) {
    if let Some(w) = window() {
        let _ = w.navigator().clipboard().write_text(text);
    }
}

/// A `blob:` URL for bytes made in the page (nothing leaves the browser), for a download
/// link; `None` natively or if the browser refuses. Free it with [`revoke_object_url`].
pub fn object_url(bytes: &[u8]) -> Option<String> {
    window()?;
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let blob = web_sys::Blob::new_with_u8_array_sequence(&parts).ok()?;
    web_sys::Url::create_object_url_with_blob(&blob).ok()
}

/// Frees a URL made by [`object_url`].
pub fn revoke_object_url(url: &str) {
    if window().is_some() {
        let _ = web_sys::Url::revoke_object_url(url);
    }
}

/// Focuses the `<textarea>` with this id and selects `start..end` (UTF-16 offsets, as the
/// DOM counts them); does nothing natively or if there is no such textarea.
pub fn select_in_textarea(id: &str, start: u32, end: u32) {
    let Some(el) = document().and_then(|d| d.get_element_by_id(id)) else {
        return;
    };
    if let Some(t) = el.dyn_ref::<HtmlTextAreaElement>() {
        let _ = t.focus();
        let _ = t.set_selection_range(start, end);
    }
}

/// A placeholder for a live piece of the page (see [`crate::mount`]).
pub struct Slot {
    /// Its `data-slot` value.
    pub id: String,
    /// The placeholder element.
    pub element: web_sys::Element,
    /// Where its content is relative to the viewport.
    pub place: crate::mount::Place,
}

/// Every `[data-slot]` placeholder, in document order (none natively).
pub fn slots() -> Vec<Slot> {
    let Some(list) = document().and_then(|d| d.query_selector_all("[data-slot]").ok()) else {
        return Vec::new();
    };
    (0..list.length())
        .filter_map(|i| list.item(i))
        .filter_map(|n| n.dyn_into::<web_sys::Element>().ok())
        .filter_map(|element| {
            let id = element.get_attribute("data-slot")?;
            // The placeholder itself has `display: contents` and so no box: measure what is in it.
            let rect = element
                .first_element_child()
                .unwrap_or_else(|| element.clone())
                .get_bounding_client_rect();
            let place = crate::mount::Place {
                top: rect.top(),
                bottom: rect.bottom(),
            };
            Some(Slot { id, element, place })
        })
        .collect()
}

/// Scrolls the element the URL's fragment names (`#timeslicing`, `#widget-asm`) into view at
/// once, as the browser does for a link. Returns whether there was such an element.
pub fn scroll_to_hash() -> bool {
    let Some(w) = window() else {
        return false;
    };
    let hash = w.location().hash().unwrap_or_default();
    let id = hash.trim_start_matches('#');
    if id.is_empty() {
        return false;
    }
    let Some(el) = w.document().and_then(|d| d.get_element_by_id(id)) else {
        return false;
    };
    // Not with smooth scrolling: parts rendered on the way would move the target while an
    // animation ran.
    let opts = web_sys::ScrollIntoViewOptions::new();
    opts.set_behavior(web_sys::ScrollBehavior::Instant);
    opts.set_block(web_sys::ScrollLogicalPosition::Start);
    el.scroll_into_view_with_scroll_into_view_options(&opts);
    true
}

/// Calls `f` once, the first time the reader scrolls, clicks, touches or presses a key.
pub fn on_first_reader_input(f: impl Fn() + 'static) {
    let Some(w) = window() else { return };
    let cb = wasm_bindgen::closure::Closure::<dyn Fn()>::new(f);
    for ev in ["wheel", "touchstart", "mousedown", "keydown"] {
        let _ = w.add_event_listener_with_callback(ev, cb.as_ref().unchecked_ref());
    }
    // Lives as long as the page: four listeners, once.
    cb.forget();
}

/// A new, detached placeholder `<div class="slot" data-slot="ID">` (None natively).
pub fn new_slot(id: &str) -> Option<web_sys::Element> {
    let el = document()?.create_element("div").ok()?;
    el.set_class_name("slot");
    el.set_attribute("data-slot", id).ok()?;
    Some(el)
}

/// The viewport's height in CSS pixels (0 natively).
pub fn viewport_height() -> f64 {
    window()
        .and_then(|w| w.inner_height().ok())
        .and_then(|h| h.as_f64())
        .unwrap_or(0.0)
}

/// Adds a mark to the page's performance timeline (best effort).
pub fn performance_mark(name: &str) {
    if let Some(p) = window().and_then(|w| w.performance()) {
        let _ = p.mark(name);
    }
}
