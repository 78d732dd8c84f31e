//! Whether the page is as narrow as a phone: the widgets whose pictures have a portrait layout
//! draw only the layout that fits, and redraw when the width crosses the line (a phone turned,
//! a window resized). The same line as the style sheet's `d-wide` / `d-narrow` rules, which
//! pick between the two layouts of a figure (drawn at build time, so both are in the page).

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// The media query under which pictures take their narrow layout (`web/style.css` uses the
/// same width).
pub const NARROW: &str = "(max-width: 560px)";

fn query() -> Option<web_sys::MediaQueryList> {
    crate::dom::window().and_then(|w| w.match_media(NARROW).ok().flatten())
}

/// True while the page is narrow ([`NARROW`]); false outside a browser (the prerendered page
/// has the wide layout until the app takes over).
#[hook]
pub fn use_narrow() -> bool {
    let narrow = use_state(|| query().is_some_and(|q| q.matches()));
    {
        let narrow = narrow.clone();
        use_effect_with((), move |_| {
            let q = query();
            let listener = q.as_ref().map(|q| {
                let (q2, narrow) = (q.clone(), narrow.clone());
                let f = Closure::<dyn Fn()>::new(move || narrow.set(q2.matches()));
                q.set_onchange(Some(f.as_ref().unchecked_ref()));
                f
            });
            move || {
                if let Some(q) = q {
                    q.set_onchange(None);
                }
                drop(listener);
            }
        });
    }
    *narrow
}
