//! Every widget mounted in a real browser (headless Chromium via wasm-bindgen-test), as the
//! page mounts it: its frame and title render, Reset works, and the simulating widgets answer a
//! reader's click with what their simulation computes (read back by `data-testid`).

use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
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
async fn mount(kind: WidgetKind) -> Element {
    let win = web_sys::window().expect("a window");
    let path = win.location().pathname().expect("pathname");
    win.history()
        .expect("history")
        .replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&path))
        .expect("replaceState");
    let doc = win.document().expect("a document");
    let root = doc.create_element("div").expect("create div");
    doc.body()
        .expect("body")
        .append_child(&root)
        .expect("append");
    yew::Renderer::<One>::with_root_and_props(root.clone(), OneProps { kind }).render();
    settle().await;
    root
}

/// Lets Yew render and any zero-delay timer task of the widget run.
async fn settle() {
    for _ in 0..3 {
        yew::scheduler::flush().await;
        let tick = js_sys::Promise::new(&mut |resolve, _| {
            let _ = web_sys::window()
                .expect("a window")
                .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 0);
        });
        let _ = wasm_bindgen_futures::JsFuture::from(tick).await;
    }
    yew::scheduler::flush().await;
}

fn by_testid(root: &Element, id: &str) -> Element {
    root.query_selector(&format!("[data-testid='{id}']"))
        .expect("valid selector")
        .unwrap_or_else(|| panic!("no element with data-testid={id}"))
}

fn text(root: &Element, id: &str) -> String {
    by_testid(root, id).text_content().unwrap_or_default()
}

async fn click(root: &Element, id: &str) {
    let el: HtmlElement = by_testid(root, id).dyn_into().expect("an HTML element");
    el.click();
    settle().await;
}

#[wasm_bindgen_test]
async fn every_widget_mounts_in_its_frame_and_resets() {
    for &kind in WidgetKind::ALL {
        let id = kind.id();
        let root = mount(kind).await;
        let frame = root
            .query_selector(&format!("[data-widget='{id}']"))
            .ok()
            .flatten()
            .unwrap_or_else(|| panic!("{id}: no frame"));
        let title = frame
            .query_selector("h4")
            .ok()
            .flatten()
            .and_then(|h| h.text_content())
            .unwrap_or_default();
        assert!(title.len() > 3, "{id}: title {title:?}");
        let before = frame.inner_html().len();
        assert!(before > 200, "{id}: the widget renders its body");
        click(&root, &format!("{id}-reset")).await;
        assert!(
            root.query_selector(&format!("[data-widget='{id}']"))
                .ok()
                .flatten()
                .is_some(),
            "{id}: still there after Reset"
        );
        root.remove();
    }
}

#[wasm_bindgen_test]
async fn fetch_execute_steps_one_instruction() {
    let root = mount(WidgetKind::FetchExecute).await;
    let before = text(&root, "fe-count");
    click(&root, "fe-step").await;
    let after = text(&root, "fe-count");
    assert_ne!(before, after, "the counter moves on a step");
    assert!(!text(&root, "fe-decoded").trim().is_empty());
    root.remove();
}

#[wasm_bindgen_test]
async fn rings_runs_the_privileged_instruction_in_the_ring_chosen() {
    let root = mount(WidgetKind::Rings).await;
    click(&root, "rg-ring-0").await;
    assert!(text(&root, "rg-cs").contains("CPL"), "CS shows the CPL");
    let outcome = text(&root, "rg-outcome");
    assert!(!outcome.trim().is_empty(), "an outcome is shown in ring 0");
    root.remove();
}

#[wasm_bindgen_test]
async fn syscall_runs_exit_through_syscall() {
    let root = mount(WidgetKind::Syscall).await;
    let before = text(&root, "sc-sc-log");
    click(&root, "sc-sc-run").await;
    let after = text(&root, "sc-sc-log");
    assert_ne!(before, after);
    assert!(after.contains("exit"), "{after}");
    root.remove();
}

#[wasm_bindgen_test]
async fn fork_cow_forks_a_second_process() {
    let root = mount(WidgetKind::ForkCow).await;
    let had_two = root
        .query_selector("[data-testid='fc-proc-2']")
        .ok()
        .flatten()
        .is_some();
    click(&root, "fc-1-fork").await;
    let procs = root
        .query_selector_all("[data-testid^='fc-proc-']")
        .map(|l| l.length())
        .unwrap_or(0);
    assert!(procs >= 2, "a child appears (had pid 2 before: {had_two})");
    root.remove();
}

#[wasm_bindgen_test]
async fn elf_loader_takes_a_step() {
    let root = mount(WidgetKind::ElfLoader).await;
    let before = text(&root, "el-steps");
    click(&root, "el-next").await;
    assert_ne!(before, text(&root, "el-steps"));
    root.remove();
}

#[wasm_bindgen_test]
async fn demand_paging_faults_a_page_in() {
    let root = mount(WidgetKind::DemandPaging).await;
    let before = root.inner_html();
    click(&root, "dp-read-heap-start").await;
    assert_ne!(
        before,
        root.inner_html(),
        "a first touch changes the picture"
    );
    root.remove();
}
