//! What the component tests share: mount a widget as the page does, drive it through the DOM as
//! a reader would (click, type, pick, tick), read it back by `data-testid`, and serve the
//! example programs the page fetches from `web/programs/` (the test runner's server has no
//! such folder, so `window.fetch` answers them from the files compiled into the test).

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement};
use yew::prelude::*;
use youcpu_web::widgets::WidgetKind;

#[derive(Properties, PartialEq)]
struct OneProps {
    kind: WidgetKind,
}

#[component]
fn One(props: &OneProps) -> Html {
    props.kind.view()
}

/// Mounts a fresh `kind` from a clean URL (widgets keep their state in the query).
pub async fn mount(kind: WidgetKind) -> Element {
    mount_at(kind, "").await
}

/// Mounts a fresh `kind` with `query` (`?key=value&…`, or empty) as the page's URL query, at
/// the top of the page so that a widget that waits to come into view starts.
pub async fn mount_at(kind: WidgetKind, query: &str) -> Element {
    let win = web_sys::window().expect("a window");
    let path = win.location().pathname().expect("pathname");
    win.history()
        .expect("history")
        .replace_state_with_url(&JsValue::NULL, "", Some(&format!("{path}{query}")))
        .expect("replaceState");
    let doc = win.document().expect("a document");
    let root = doc.create_element("div").expect("create div");
    doc.body()
        .expect("body")
        .prepend_with_node_1(&root)
        .expect("prepend");
    win.scroll_to_with_x_and_y(0.0, 0.0);
    yew::Renderer::<One>::with_root_and_props(root.clone(), OneProps { kind }).render();
    settle().await;
    root
}

/// Resolves after `ms` milliseconds (a timer task).
pub async fn sleep(ms: i32) {
    let tick = js_sys::Promise::new(&mut |resolve, _| {
        let _ = web_sys::window()
            .expect("a window")
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
    });
    let _ = wasm_bindgen_futures::JsFuture::from(tick).await;
}

/// Lets Yew render and any zero-delay timer task of the widget run.
pub async fn settle() {
    for _ in 0..3 {
        yew::scheduler::flush().await;
        sleep(0).await;
    }
    yew::scheduler::flush().await;
}

/// Waits (up to `secs` seconds) until `ready` holds, rendering and running timers meanwhile;
/// fails the test with `what` if it never does.
pub async fn wait_until(secs: f64, what: &str, mut ready: impl FnMut() -> bool) {
    let start = js_sys::Date::now();
    loop {
        settle().await;
        if ready() {
            return;
        }
        assert!(
            js_sys::Date::now() - start < secs * 1000.0,
            "gave up after {secs} s waiting for {what}"
        );
        sleep(20).await;
    }
}

/// The element with `data-testid="id"` under `root`, if any.
pub fn find(root: &Element, id: &str) -> Option<Element> {
    root.query_selector(&format!("[data-testid='{id}']"))
        .expect("valid selector")
}

/// The element with `data-testid="id"` under `root`.
pub fn by_testid(root: &Element, id: &str) -> Element {
    find(root, id).unwrap_or_else(|| panic!("no element with data-testid={id}"))
}

/// Its text.
pub fn text(root: &Element, id: &str) -> String {
    by_testid(root, id).text_content().unwrap_or_default()
}

/// How many elements under `root` match the CSS `selector`.
pub fn count(root: &Element, selector: &str) -> u32 {
    root.query_selector_all(selector)
        .map(|l| l.length())
        .unwrap_or(0)
}

/// Clicks the element, as a mouse would.
pub async fn click(root: &Element, id: &str) {
    click_el(&by_testid(root, id)).await;
}

/// Clicks `el` (an HTML element, or an SVG shape: see [`click_svg`]).
pub async fn click_el(el: &Element) {
    match el.clone().dyn_into::<HtmlElement>() {
        Ok(el) => {
            el.click();
            settle().await;
        }
        Err(el) => click_svg(&el).await,
    }
}

/// Sends a `click` event to an element that is not HTML (an SVG shape).
pub async fn click_svg(el: &Element) {
    let init = web_sys::MouseEventInit::new();
    init.set_bubbles(true);
    init.set_cancelable(true);
    let ev = web_sys::MouseEvent::new_with_mouse_event_init_dict("click", &init).expect("event");
    el.dispatch_event(&ev).expect("dispatch");
    settle().await;
}

/// The `value` of an input, text area or select.
pub fn value(root: &Element, id: &str) -> String {
    js_sys::Reflect::get(&by_testid(root, id), &"value".into())
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_default()
}

fn set_value(el: &Element, value: &str) {
    js_sys::Reflect::set(el, &"value".into(), &value.into()).expect("set value");
}

/// Types `value` into an input or text area (its whole content), as a reader would.
pub async fn type_into(root: &Element, id: &str, value: &str) {
    let el = by_testid(root, id);
    set_value(&el, value);
    let init = web_sys::InputEventInit::new();
    init.set_bubbles(true);
    let ev = web_sys::InputEvent::new_with_event_init_dict("input", &init).expect("event");
    el.dispatch_event(&ev).expect("dispatch");
    settle().await;
}

/// Picks the option whose value is `value` in a select (or sets an input and commits it).
pub async fn choose(root: &Element, id: &str, value: &str) {
    let el = by_testid(root, id);
    set_value(&el, value);
    assert_eq!(
        js_sys::Reflect::get(&el, &"value".into())
            .ok()
            .and_then(|v| v.as_string())
            .as_deref(),
        Some(value),
        "{id} has no option {value:?}"
    );
    change(&el).await;
}

/// Sends a `change` event.
async fn change(el: &Element) {
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    let ev = web_sys::Event::new_with_event_init_dict("change", &init).expect("event");
    el.dispatch_event(&ev).expect("dispatch");
    settle().await;
}

/// Ticks or unticks a checkbox or picks a radio button (a click, when its state differs).
pub async fn check(root: &Element, id: &str, on: bool) {
    let el = by_testid(root, id);
    let checked = || {
        js_sys::Reflect::get(&el, &"checked".into())
            .ok()
            .and_then(|v| v.as_bool())
            .unwrap_or(false)
    };
    if checked() != on {
        click_el(&el).await;
    }
    assert_eq!(checked(), on, "{id} checked");
}

/// Presses `key` on the element (a `keydown` that bubbles).
pub async fn key(el: &Element, key: &str) {
    let init = web_sys::KeyboardEventInit::new();
    init.set_key(key);
    init.set_bubbles(true);
    init.set_cancelable(true);
    let ev =
        web_sys::KeyboardEvent::new_with_keyboard_event_init_dict("keydown", &init).expect("event");
    el.dispatch_event(&ev).expect("dispatch");
    settle().await;
}

/// The files under `web/programs/` the widgets fetch, by the path the page asks for.
const PROGRAMS: &[(&str, &[u8])] = &[
    (
        "programs/bin/args",
        include_bytes!("../../../../web/programs/bin/args"),
    ),
    (
        "programs/bin/fork",
        include_bytes!("../../../../web/programs/bin/fork"),
    ),
    (
        "programs/bin/hello",
        include_bytes!("../../../../web/programs/bin/hello"),
    ),
    (
        "programs/bin/hello-dyn",
        include_bytes!("../../../../web/programs/bin/hello-dyn"),
    ),
    (
        "programs/bin/segv",
        include_bytes!("../../../../web/programs/bin/segv"),
    ),
    (
        "programs/bin/sh",
        include_bytes!("../../../../web/programs/bin/sh"),
    ),
    (
        "programs/bin/sigframe",
        include_bytes!("../../../../web/programs/bin/sigframe"),
    ),
    (
        "programs/bin/upper",
        include_bytes!("../../../../web/programs/bin/upper"),
    ),
    (
        "programs/lib/ld-musl-x86_64.so.1",
        include_bytes!("../../../../web/programs/lib/ld-musl-x86_64.so.1"),
    ),
    (
        "programs/script",
        include_bytes!("../../../../web/programs/script"),
    ),
];

/// Makes `window.fetch` answer `programs/…` with the files of `web/programs/` as the site
/// serves them (404 for anything else), so the widgets' own fetch code runs unchanged.
pub fn serve_programs() {
    let win = web_sys::window().expect("a window");
    let fetch = Closure::<dyn Fn(JsValue) -> js_sys::Promise>::new(|url: JsValue| {
        let url = url.as_string().unwrap_or_default();
        let found = PROGRAMS
            .iter()
            .find(|(path, _)| url.trim_start_matches("./").trim_start_matches('/') == *path);
        let resp = match found {
            Some((_, bytes)) => {
                let body = js_sys::Uint8Array::from(*bytes);
                web_sys::Response::new_with_opt_buffer_source(Some(&body))
            }
            None => {
                let init = web_sys::ResponseInit::new();
                init.set_status(404);
                web_sys::Response::new_with_opt_str_and_init(Some("not found"), &init)
            }
        };
        let resp: JsValue = resp.expect("a Response").into();
        js_sys::Promise::resolve(&resp)
    });
    js_sys::Reflect::set(&win, &"fetch".into(), fetch.as_ref()).expect("replace fetch");
    fetch.forget();
}
