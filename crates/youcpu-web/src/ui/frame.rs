//! The frame around every widget.

use yew::prelude::*;

/// Properties of the frame around every widget.
#[derive(Properties, PartialEq)]
pub struct FrameProps {
    /// The widget's id (its `data-widget` attribute, anchor `#widget-ID` and test-id prefix).
    pub id: &'static str,
    /// Its title, shown in the frame's header.
    pub title: AttrValue,
    /// A short line under the title.
    #[prop_or_default]
    pub subtitle: AttrValue,
    /// Called when the reader asks for the widget's defaults back.
    pub on_reset: Callback<()>,
    /// What a screen reader should announce about the widget's last step (a short sentence, or a
    /// summary while a simulation runs). `Some` gives the widget a polite live region.
    #[prop_or_default]
    pub live: Option<AttrValue>,
    /// The widget's body.
    pub children: Html,
}

/// The common frame: title, "copy link" (the current URL, with this widget's state, pointing at
/// this widget) and "reset".
#[component]
pub fn Frame(props: &FrameProps) -> Html {
    let id = props.id;
    let copied = use_state(|| false);
    let on_copy = {
        let copied = copied.clone();
        Callback::from(move |_: MouseEvent| {
            crate::ui::url::flush_query_writes();
            crate::dom::copy_to_clipboard(&crate::dom::url_with_hash(&format!("widget-{id}")));
            copied.set(true);
        })
    };
    let on_reset = {
        let cb = props.on_reset.clone();
        let copied = copied.clone();
        Callback::from(move |_: MouseEvent| {
            copied.set(false);
            cb.emit(());
        })
    };
    let heading_id = format!("widget-{id}-title");
    html! {
        <section class="widget" id={format!("widget-{id}")} data-widget={id} aria-labelledby={heading_id.clone()}>
            <header class="widget-head">
                <div>
                    <h4 id={heading_id}>{ props.title.clone() }</h4>
                    if !props.subtitle.is_empty() {
                        <p class="widget-sub">{ props.subtitle.clone() }</p>
                    }
                </div>
                <div class="widget-actions">
                    <button type="button" class="btn" data-testid={format!("{id}-copy-link")} onclick={on_copy}>
                        { if *copied { "Link copied" } else { "Copy link" } }
                    </button>
                    <button type="button" class="btn" data-testid={format!("{id}-reset")} onclick={on_reset}>{ "Reset" }</button>
                </div>
            </header>
            { props.children.clone() }
            if let Some(live) = &props.live {
                <p class="sr-only" role="status" aria-live="polite" data-testid={format!("{id}-live")}>{ live.clone() }</p>
            }
        </section>
    }
}
