//! Every widget mounted in a real browser (headless Chromium via wasm-bindgen-test), as the
//! page mounts it: its frame and title render, Reset works; and the widgets of parts 1 to 3
//! driven through the DOM (fetch-execute, rings, syscall, fork-cow, elf-loader, demand-paging),
//! each answering with what its simulation computes (read back by `data-testid`).

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
async fn fetch_execute_steps_runs_and_refuses_junk() {
    let root = mount(WidgetKind::FetchExecute).await;
    assert!(text(&root, "fe-rip").contains("0x401000"));
    click(&root, "fe-step").await;
    click(&root, "fe-step").await;
    // The second instruction, as the CPU fetched and decoded it.
    assert_eq!(text(&root, "fe-fetched"), "b9 01 00 00 00");
    assert!(text(&root, "fe-decoded").contains("mov ecx, 0x1"));
    assert!(text(&root, "fe-changes").contains("rcx: 0x0 → 0x1"));
    click(&root, "fe-back").await;
    assert!(
        text(&root, "fe-count").starts_with("1 instruction"),
        "{}",
        text(&root, "fe-count")
    );
    click(&root, "fe-run").await;
    assert!(text(&root, "fe-notice").contains("exited with status 15"));
    assert!(text(&root, "fe-reg-rdi").contains("0xf"));
    // A line that is no instruction is marked; a good program runs again.
    type_into(&root, "fe-source", "mov eax, 2\nfrob rax\n").await;
    assert!(find(&root, "fe-error-1").is_some());
    assert!(by_testid(&root, "fe-step").has_attribute("disabled"));
    type_into(&root, "fe-source", "mov eax, 2\nadd eax, 512\nhlt").await;
    click(&root, "fe-run").await;
    assert!(text(&root, "fe-reg-rax").contains("0x202"));
    assert!(text(&root, "fe-notice").contains("killed by SIGSEGV"));
    root.remove();
}

#[wasm_bindgen_test]
async fn rings_faults_in_ring_3_and_executes_in_ring_0() {
    let root = mount(WidgetKind::Rings).await;
    // hlt in ring 3: #GP(0), the CPU switches to the kernel stack and saves the faulting RIP.
    assert!(
        text(&root, "rg-cs").contains("0x0033"),
        "{}",
        text(&root, "rg-cs")
    );
    assert!(text(&root, "rg-fault").contains("#GP(0)"));
    assert!(text(&root, "rg-newcpl").contains("CPL is now 0"));
    assert!(text(&root, "rg-frame").contains("0x401000"));
    // cli in ring 0: executed, IF cleared.
    choose(&root, "rg-op", "1").await;
    check(&root, "rg-ring-0", true).await;
    assert!(
        text(&root, "rg-cs").contains("0x0010"),
        "{}",
        text(&root, "rg-cs")
    );
    let outcome = text(&root, "rg-outcome");
    assert!(
        outcome.contains("Executed") && outcome.contains("IF: 1 → 0"),
        "{outcome}"
    );
    root.remove();
}

#[wasm_bindgen_test]
async fn syscall_runs_getpid_and_exit_through_syscall_and_int_0x80() {
    let root = mount(WidgetKind::Syscall).await;
    click(&root, "sc-sc-run").await;
    let log = text(&root, "sc-sc-log");
    assert!(log.contains("RIP = LSTAR = 0xffffffff81000000"), "{log}");
    assert!(
        log.contains("system call 39 (getpid) and returned 1 in rax"),
        "{log}"
    );
    assert!(log.contains("exited with status 1"), "{log}");
    click(&root, "sc-i80-run").await;
    let log = text(&root, "sc-i80-log");
    assert!(
        log.contains("vector 128") && log.contains("exited with status 1"),
        "{log}"
    );
    root.remove();
}

#[wasm_bindgen_test]
async fn fork_cow_shares_a_frame_until_a_write_copies_it() {
    let root = mount_at(WidgetKind::ForkCow, "?fc-ops=-").await;
    click(&root, "fc-page-1-data").await;
    click(&root, "fc-1-fork").await;
    assert!(find(&root, "fc-proc-2").is_some(), "a child appears");
    assert!(text(&root, "fc-shared").contains("pids 1, 2"));
    // The tables of numbers are built when their <details> opens.
    click(&root, "fc-tables").await;
    wait_until(5.0, "the page tables", || {
        root.query_selector("[data-testid^='fc-frame-1-']")
            .ok()
            .flatten()
            .is_some()
    })
    .await;
    let frame = |pid: u32| {
        root.query_selector(&format!("[data-testid^='fc-frame-{pid}-402000']"))
            .ok()
            .flatten()
            .and_then(|e| e.text_content())
            .expect("the data page's frame")
    };
    let parent = frame(1);
    assert_eq!(frame(2), parent, "after fork both map one frame");
    click(&root, "fc-page-2-data").await;
    assert_ne!(frame(2), parent, "the child's write copied the page");
    root.remove();
}

#[wasm_bindgen_test]
async fn elf_loader_maps_segments_and_builds_the_initial_stack() {
    let root = mount(WidgetKind::ElfLoader).await;
    assert!(text(&root, "el-step-0").contains("ELF64"));
    click(&root, "el-next").await;
    click(&root, "el-next").await;
    assert!(text(&root, "el-steps").contains("r-x"));
    type_into(&root, "el-argv", "./hello\nfirst\nsecond").await;
    click(&root, "el-end").await;
    // The stack's table is built when its <details> is opened.
    assert_eq!(count(&root, "[data-testid=el-stack]"), 0);
    click(&root, "el-stack-open").await;
    let stack = text(&root, "el-stack");
    for want in ["argc = 3", "AT_RANDOM", "\"second\""] {
        assert!(stack.contains(want), "{want} in {stack}");
    }
    // The PIE with an interpreter: a load bias and the loader named.
    choose(&root, "el-example", "2").await;
    click(&root, "el-end").await;
    let steps = text(&root, "el-steps");
    assert!(steps.contains("load bias of 0x"), "{steps}");
    assert!(
        steps.contains("PT_INTERP names /lib64/ld-linux-x86-64.so.2"),
        "{steps}"
    );
    root.remove();
}

#[wasm_bindgen_test]
async fn demand_paging_faults_pages_in_once() {
    let root = mount(WidgetKind::DemandPaging).await;
    click(&root, "dp-read-heap-start").await;
    assert!(text(&root, "dp-log").contains("heap is empty"));
    click(&root, "dp-brk").await;
    assert!(text(&root, "dp-maps").contains("[heap]"));
    click(&root, "dp-read-heap-start").await;
    assert_eq!(text(&root, "dp-outcome"), "fault: zero page");
    click(&root, "dp-read-heap-start").await;
    assert_eq!(text(&root, "dp-outcome"), "TLB hit");
    click(&root, "dp-write-below-stack").await;
    assert_eq!(text(&root, "dp-outcome"), "fault: stack growth");
    root.remove();
}
