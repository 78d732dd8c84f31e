//! Every widget mounted in a real browser (headless Chromium via wasm-bindgen-test), as the
//! page mounts it: its frame and title render, Reset works, and the simulating widgets answer a
//! reader's click with what their simulation computes (read back by `data-testid`).

use crate::dom::*;
use wasm_bindgen_test::*;
use youcpu_web::widgets::WidgetKind;

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
