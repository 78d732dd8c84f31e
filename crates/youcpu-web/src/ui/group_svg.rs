//! An interactive picture drawn wide or narrow: an `<svg role="group">` with one set of
//! pointer and key listeners on it ([`group_svg`], [`Listeners`]), and [`hit`], which finds the
//! part of the picture an event reached (one handler on the `<svg>`, not one per shape).

use yew::prelude::*;

/// The value of `attr` on the nearest element at or above the event's target that has it: how
/// the widgets find which part of the picture an event hit (one handler on the `<svg>`, not
/// one per shape).
pub fn hit(e: &Event, attr: &str) -> Option<String> {
    #[cfg(target_arch = "wasm32")]
    {
        use wasm_bindgen::JsCast;
        let el = e.target()?.dyn_into::<web_sys::Element>().ok()?;
        el.closest(&format!("[{attr}]")).ok()??.get_attribute(attr)
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        let _ = (e, attr);
        None
    }
}

/// An interactive picture: an `<svg role="group">` (its parts are controls, which an
/// `role="img"` may not hold) with a title and a description, drawn wide or narrow.
#[allow(clippy::too_many_arguments)]
pub fn group_svg(
    id: &str,
    class: &'static str,
    narrow: bool,
    title: &'static str,
    desc: String,
    (w, h): (f64, f64),
    listeners: Listeners,
    body: Html,
) -> Html {
    let id = if narrow {
        format!("{id}-narrow")
    } else {
        id.to_string()
    };
    html! {
        <svg class={format!("diagram {class} {}", if narrow { "d-narrow" } else { "d-wide" })}
            data-testid={id.clone()} viewBox={format!("0 0 {} {}", w, h.ceil())}
            role="group" aria-labelledby={format!("{id}-t {id}-d")} xmlns="http://www.w3.org/2000/svg"
            onpointerdown={listeners.down} onpointermove={listeners.moved} onpointerup={listeners.up}
            onpointercancel={listeners.cancel} onclick={listeners.click} onkeydown={listeners.key}>
            <title id={format!("{id}-t")}>{ title }</title>
            <desc id={format!("{id}-d")}>{ desc }</desc>
            { body }
        </svg>
    }
}

/// The handlers a widget puts on its picture (each optional).
#[derive(Clone, Default)]
pub struct Listeners {
    /// Pointer pressed.
    pub down: Option<Callback<PointerEvent>>,
    /// Pointer moved.
    pub moved: Option<Callback<PointerEvent>>,
    /// Pointer released.
    pub up: Option<Callback<PointerEvent>>,
    /// Pointer lost (the gesture was taken over, e.g. by a scroll).
    pub cancel: Option<Callback<PointerEvent>>,
    /// A click.
    pub click: Option<Callback<MouseEvent>>,
    /// A key.
    pub key: Option<Callback<KeyboardEvent>>,
}
