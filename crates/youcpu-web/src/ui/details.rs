//! A `<details>` whose content is built only while it is open.

use yew::prelude::*;

/// Whether a `<details>` is open, and the `ontoggle` listener that keeps it so: a widget builds
/// the details' content only while this is true. Closed, a table of numbers rebuilt on every
/// step (fork-cow's page tables, the elf-loader's stack bytes) was DOM for no one to see, made in
/// the reader's input task (issue #18). The prerendered page (`ssr`) always has the content, so a
/// reader without JavaScript can open it.
#[hook]
pub fn use_details_open() -> (bool, Callback<Event>) {
    let open = use_state(|| false);
    let on_toggle = {
        let open = open.clone();
        Callback::from(move |e: Event| {
            if let Some(d) = e.target_dyn_into::<web_sys::Element>() {
                open.set(d.has_attribute("open"));
            }
        })
    };
    (*open || cfg!(feature = "ssr"), on_toggle)
}
