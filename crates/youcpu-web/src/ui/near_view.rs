//! A widget that fetches files (an example program, a C library) does it when it comes into
//! use, not at page load: [`use_near_view`].

use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// Calls `on` once, when the element has been in the viewport for a moment (checked a moment
/// after mounting and after each scroll): the widget comes into use, and only then fetches its
/// files. A reader, or a link's smooth scroll, passing by does not start it, so the page does
/// not grow under a scroll on its way elsewhere. An element not laid out yet (no size) is not
/// in view.
#[yew::hook]
pub fn use_near_view(node: NodeRef, on: Callback<()>) {
    use_effect_with((), move |_| {
        let in_view = move || {
            let h = web_sys::window()
                .and_then(|w| w.inner_height().ok())
                .and_then(|v| v.as_f64())
                .unwrap_or(800.0);
            node.cast::<web_sys::Element>().is_some_and(|e| {
                let r = e.get_bounding_client_rect();
                r.height() > 0.0 && r.bottom() > 0.0 && r.top() < h
            })
        };
        let done = Rc::new(std::cell::Cell::new(false));
        let pending: Rc<RefCell<Option<gloo_timers::callback::Timeout>>> = Rc::default();
        // Each scroll (and the first look) re-arms a check 300 ms later: still in view, start.
        let arm = {
            let pending = pending.clone();
            Rc::new(move || {
                let (in_view, done, on) = (in_view.clone(), done.clone(), on.clone());
                *pending.borrow_mut() = Some(gloo_timers::callback::Timeout::new(300, move || {
                    if in_view() && !done.replace(true) {
                        on.emit(());
                    }
                }));
            })
        };
        arm();
        let f = wasm_bindgen::closure::Closure::<dyn Fn()>::new(move || arm());
        let w = web_sys::window();
        if let Some(w) = &w {
            let _ = w.add_event_listener_with_callback("scroll", f.as_ref().unchecked_ref());
        }
        move || {
            pending.borrow_mut().take();
            if let Some(w) = w {
                let _ = w.remove_event_listener_with_callback("scroll", f.as_ref().unchecked_ref());
            }
        }
    });
}
