//! The page: masthead, table of contents, and every part of the article with its widgets.

use crate::article::{Block, Part, PARTS};
use crate::mount::{slot, Piece};
use yew::prelude::*;

fn part_view(p: &'static Part) -> Html {
    let text = p.body();
    let body: Html = text
        .blocks
        .iter()
        .map(|b| match b {
            Block::Html(h) => Html::from_html_unchecked(AttrValue::Static(h)),
            Block::Widget(w) => slot(Piece::Widget(*w)),
            Block::Figure {
                kind,
                number,
                caption,
            } => html! {
                <figure class="figure" id={format!("figure-{}", kind.id())} data-figure={kind.id()}>
                    { kind.view() }
                    <figcaption>
                        <span class="fig-num">{ format!("Figure {number}.") }</span>{ " " }
                        { Html::from_html_unchecked(AttrValue::Static(caption)) }
                    </figcaption>
                </figure>
            },
        })
        .collect();
    html! {
        <section class="part" id={p.id} aria-labelledby={format!("{}-title", p.id)}>
            <h2 id={format!("{}-title", p.id)}>
                <span class="part-num">{ format!("Part {}", p.number) }</span>
                <a class="heading-link" href={format!("#{}", p.id)}>{ p.title }</a>
            </h2>
            <div class="lead">{ Html::from_html_unchecked(AttrValue::Static(text.summary)) }</div>
            { body }
        </section>
    }
}

/// The whole article.
#[component]
pub fn App() -> Html {
    // After the first render the parts exist: honour a deep link such as #timeslicing or
    // #widget-timeslice.
    use_effect_with((), |_| {
        crate::dom::scroll_to_hash();
    });
    html! {
        <>
            <a class="skip-link" href="#content">{ "Skip to the article" }</a>
            <div class="layout">
                <header class="masthead">
                    <p class="kicker">{ "An explorable explanation" }</p>
                    <h1>{ "You in CPU" }</h1>
                    <p class="dek">{ "What really happens when your computer runs a program, from the first instruction fetch to fork and copy-on-write, on a simulated x86-64 machine you can poke." }</p>
                </header>
                { slot(Piece::Toc) }
                <article id="content" class="article">
                    { for PARTS.iter().map(part_view) }
                </article>
            </div>
        </>
    }
}

/// Brings the page to life. The page arrives with the article prerendered (Trunk's post-build
/// hook runs `src/bin/prerender.rs`, which renders [`App`]); each live piece (the table of
/// contents and every widget) then gets its own Yew root in its placeholder, one per task, and
/// the static prose stays as it is (see [`crate::mount`]). The wasm never renders the prose
/// itself, so it does not carry it ([`crate::article::BODIES`] is left out by the linker).
pub fn mount() {
    install_panic_banner();
    if !crate::mount::mount_placeholders() {
        web_sys::console::error_1(
            &"You in CPU: the page has no prerendered article to bring to life (build it with \
              Trunk, whose post-build hook prerenders it)"
                .into(),
        );
    }
}

/// A panic in wasm ends the module: every widget stops answering. Rather than leave a page that
/// silently ignores the reader, say so in a banner at the top of the page (and in the console).
fn install_panic_banner() {
    std::panic::set_hook(Box::new(|info| {
        let msg = info.to_string();
        web_sys::console::error_1(&format!("You in CPU: {msg}").into());
        let Some(doc) = crate::dom::document() else {
            return;
        };
        let Ok(banner) = doc.create_element("div") else {
            return;
        };
        banner.set_class_name("panic-banner");
        let _ = banner.set_attribute("role", "alert");
        banner.set_text_content(Some(&format!(
            "Something went wrong inside the simulator, and the interactive parts of this page have stopped. \
             The text still reads fine; reload the page to start the widgets again. (Details: {msg})"
        )));
        if let Some(body) = doc.body() {
            let _ = body.prepend_with_node_1(&banner);
        }
    }));
}
