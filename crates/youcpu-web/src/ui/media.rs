//! Which of a picture's two layouts the page shows: the wide one on a desktop, the portrait one
//! on a phone. The prerendered page carries both and lets the style sheet pick
//! (`.diagram.d-narrow` / `.d-wide` in web/style.css); a live widget draws only the one in use,
//! so an input builds, diffs and patches one picture instead of two (issue #18: the hidden copy
//! was half of a page-walk bit flip's script time), and draws the other when the viewport
//! crosses the breakpoint.

/// The media query under which the narrow layout shows: the same width as the style sheet's.
pub const NARROW_QUERY: &str = "(max-width: 560px)";

/// Which layouts to draw: both (`None`: the server renderer, native tests, a browser without
/// `matchMedia`), or only the narrow (`Some(true)`) or the wide one (`Some(false)`).
pub fn draws(narrow_shown: Option<bool>, narrow: bool) -> bool {
    narrow_shown.is_none_or(|n| n == narrow)
}

/// Whether the viewport shows the narrow layout now, kept up to date by a `change` listener on
/// [`NARROW_QUERY`]'s `MediaQueryList` (CSSOM View, "matchMedia"); `None` outside a browser.
#[yew::hook]
pub fn use_narrow() -> Option<bool> {
    let shown = yew::use_state(query_now);
    {
        let shown = shown.clone();
        yew::use_effect_with((), move |_| {
            let listener = listen(move || shown.set(query_now()));
            // Dropping the listener removes it.
            move || {
                let _removed = listener;
            }
        });
    }
    *shown
}

#[cfg(target_arch = "wasm32")]
fn query_now() -> Option<bool> {
    crate::dom::window()
        .and_then(|w| w.match_media(NARROW_QUERY).ok().flatten())
        .map(|m| m.matches())
}

#[cfg(not(target_arch = "wasm32"))]
fn query_now() -> Option<bool> {
    None
}

/// A `change` listener on the query's list, removed when dropped.
#[cfg(target_arch = "wasm32")]
struct Listener {
    list: web_sys::MediaQueryList,
    closure: wasm_bindgen::closure::Closure<dyn Fn()>,
}

#[cfg(target_arch = "wasm32")]
impl Drop for Listener {
    fn drop(&mut self) {
        use wasm_bindgen::JsCast;
        let _ = self
            .list
            .remove_event_listener_with_callback("change", self.closure.as_ref().unchecked_ref());
    }
}

#[cfg(target_arch = "wasm32")]
fn listen(f: impl Fn() + 'static) -> Option<Listener> {
    use wasm_bindgen::JsCast;
    let list = crate::dom::window()?
        .match_media(NARROW_QUERY)
        .ok()
        .flatten()?;
    let closure = wasm_bindgen::closure::Closure::<dyn Fn()>::new(f);
    list.add_event_listener_with_callback("change", closure.as_ref().unchecked_ref())
        .ok()?;
    Some(Listener { list, closure })
}

/// Outside a browser there is nothing to listen to.
#[cfg(not(target_arch = "wasm32"))]
struct Listener;

#[cfg(not(target_arch = "wasm32"))]
fn listen(_f: impl Fn() + 'static) -> Option<Listener> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_layouts_outside_a_browser_one_inside() {
        assert!(draws(None, true) && draws(None, false));
        assert!(draws(Some(true), true) && !draws(Some(true), false));
        assert!(draws(Some(false), false) && !draws(Some(false), true));
        assert_eq!(query_now(), None);
    }

    #[test]
    fn the_query_is_the_style_sheets_breakpoint() {
        let css = include_str!("../../../../web/style.css");
        assert!(
            css.contains(&format!(
                "@media {NARROW_QUERY} {{\n  .diagram.d-wide {{ display: none; }}"
            )),
            "web/style.css shows .d-narrow under {NARROW_QUERY}"
        );
    }
}
