//! The page-walk widget driven through the DOM: an address walked through the simulated page
//! tables, the TLB hit on a second access, a bit of the address flipped in the picture by
//! pointer and a field moved by keys, faults and junk.

use crate::dom::*;
use wasm_bindgen_test::*;
use web_sys::Element;
use youcpu_web::widgets::WidgetKind;

/// The first element under `root` matching `selector`.
fn first(root: &Element, selector: &str) -> Element {
    root.query_selector(selector)
        .expect("valid selector")
        .unwrap_or_else(|| panic!("nothing matches {selector}"))
}

/// The picture's description (what a screen reader reads), which names every index.
fn desc(root: &Element) -> String {
    first(root, "[data-testid^='page-walk-diagram'] desc")
        .text_content()
        .unwrap_or_default()
}

/// A tap: pointer down and up on `el` without moving.
async fn tap(el: &Element) {
    for kind in ["pointerdown", "pointerup"] {
        let init = web_sys::PointerEventInit::new();
        init.set_bubbles(true);
        init.set_pointer_id(1);
        init.set_is_primary(true);
        let ev = web_sys::PointerEvent::new_with_event_init_dict(kind, &init).expect("event");
        el.dispatch_event(&ev).expect("dispatch");
        settle().await;
    }
}

#[wasm_bindgen_test]
async fn page_walk_walks_flips_a_bit_and_faults() {
    let root = mount(WidgetKind::PageWalk).await;
    // The default address, 0x7ffd1c2a3b40, walks four tables to frame 0x3b1.
    assert_eq!(text(&root, "pw-pa"), "0x3b1b40");
    assert_eq!(count(&root, "[data-testid='pw-walk'] tbody tr"), 4);
    click(&root, "pw-again").await;
    assert!(text(&root, "pw-result").contains("TLB hit"));

    // Bit 12 flipped in the picture: PT index 163 becomes 162, another mapped page.
    tap(&first(
        &root,
        "[data-testid^='page-walk-diagram'] [data-bit='12']",
    ))
    .await;
    assert_eq!(value(&root, "pw-va"), "0x7ffd1c2a2b40");
    assert!(desc(&root).contains("PT index 162"), "{}", desc(&root));
    assert_eq!(text(&root, "pw-pa"), "0x3b0b40");

    // Keys on the PML4 field: Home takes its index to 0 (nothing mapped there).
    let pml4 = first(
        &root,
        "[data-testid^='page-walk-diagram'] [data-field='PML4'] .pw-focus",
    );
    key(&pml4, "Home").await;
    assert!(desc(&root).contains("PML4 index 0,"), "{}", desc(&root));
    assert!(text(&root, "pw-fault").contains("present bit clear"));
    // The sign field: Enter breaks the canonical form, a general-protection fault.
    let sign = first(
        &root,
        "[data-testid^='page-walk-diagram'] [data-field='sign'] .pw-focus",
    );
    key(&sign, "Enter").await;
    assert!(text(&root, "pw-result").contains("General protection"));

    // A preset that writes to a read-only page.
    choose(&root, "pw-preset", "2").await;
    assert!(text(&root, "pw-fault").contains("read-only"));
    // Five levels: PML5 index 0x100 has no table, one row.
    type_into(&root, "pw-va", "0xff00000000000000").await;
    choose(&root, "pw-levels", "5").await;
    assert_eq!(count(&root, "[data-testid='pw-walk'] tbody tr"), 1);
    type_into(&root, "pw-va", "nonsense").await;
    assert!(text(&root, "pw-va-error").contains("not a 64-bit address"));
    root.remove();
}
