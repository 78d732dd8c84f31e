//! The timeslice widget mounted in a real browser (headless Chromium via wasm-bindgen-test):
//! render, type into inputs as a reader would, read the results by `data-testid`.

use crate::dom::*;
use wasm_bindgen_test::*;
use web_sys::Element;
use youcpu_web::widgets::WidgetKind;

/// Mounts a fresh widget (from a clean URL query: the widget keeps its state there).
async fn mount() -> Element {
    crate::dom::mount(WidgetKind::Timeslice).await
}

#[wasm_bindgen_test]
async fn task_count_changes_period_and_slices() {
    let root = mount().await;
    assert!(root
        .query_selector("[data-widget='timeslice']")
        .ok()
        .flatten()
        .is_some());
    assert_eq!(text(&root, "ts-period"), "6 ms");
    assert_eq!(text(&root, "ts-slice-0"), "1.999999");

    type_into(&root, "ts-tasks", "12").await;
    assert_eq!(text(&root, "ts-period"), "9 ms");
    assert_eq!(text(&root, "ts-slice-11"), "0.75");
    let regime = by_testid(&root, "ts-regime");
    assert_eq!(
        regime.get_attribute("data-regime").as_deref(),
        Some("min-granularity")
    );

    // Four CPUs scale both tunables by 3.
    type_into(&root, "ts-cpus", "4").await;
    assert_eq!(text(&root, "ts-scaled-latency"), "18 ms");
    assert_eq!(text(&root, "ts-scaled-granularity"), "2.25 ms");
}

#[wasm_bindgen_test]
async fn junk_shows_a_message_and_keeps_the_last_chart() {
    let root = mount().await;
    type_into(&root, "ts-tasks", "2").await;
    let before = text(&root, "ts-slice-0");
    for junk in ["", "-4", "0", "1000000000", "twelve", "１２"] {
        type_into(&root, "ts-tasks", junk).await;
        assert!(
            !text(&root, "ts-tasks-error").is_empty(),
            "no message for {junk:?}"
        );
        assert_eq!(
            text(&root, "ts-slice-0"),
            before,
            "chart changed on {junk:?}"
        );
    }
    type_into(&root, "ts-tasks", "2").await;
    assert!(text(&root, "ts-tasks-error").is_empty());

    type_into(&root, "ts-nice-1", "25").await;
    assert!(text(&root, "ts-nice-1-error").contains("-20 and 19"));
    type_into(&root, "ts-nice-1", "5").await;
    // nice 0 vs nice 5: weights 1024 and 335 share 6 ms; by hand with the kernel's inverse,
    // inv = (2^32-1)/1359 = 3160388, 6e6 * 335 * inv >> 32 = 1479028.
    assert_eq!(text(&root, "ts-slice-1"), "1.479028");
}
