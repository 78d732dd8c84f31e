//! The widgets of "many programs at once" driven through the DOM: preemption, process-tree,
//! scheduler and signals. Each check reads what the simulated machine or scheduler computed
//! (the task on the CPU, CR3, a reaped pid, an average turnaround, a signal frame's bytes).

use crate::dom::*;
use wasm_bindgen_test::*;
use web_sys::Element;
use youcpu_web::widgets::WidgetKind;

#[wasm_bindgen_test]
async fn preemption_steps_to_a_timer_interrupt_that_switches_task_and_cr3() {
    let root = mount(WidgetKind::Preemption).await;
    assert_eq!(text(&root, "pe-who"), "the kernel");
    click(&root, "pe-step-switch").await;
    assert!(
        text(&root, "preemption-live").starts_with("Boot: the kernel starts task 1"),
        "{}",
        text(&root, "preemption-live")
    );
    assert_eq!(text(&root, "pe-who"), "task 1");
    assert!(
        text(&root, "pe-cpl").starts_with("3 (CS 0x"),
        "{}",
        text(&root, "pe-cpl")
    );
    let cr3 = text(&root, "pe-cr3");
    click(&root, "pe-step-switch").await;
    assert!(
        text(&root, "preemption-live").starts_with("Timer: task 1 → task 2"),
        "{}",
        text(&root, "preemption-live")
    );
    assert_eq!(text(&root, "pe-who"), "task 2");
    assert_ne!(
        text(&root, "pe-cr3"),
        cr3,
        "each task has its own page tables"
    );
    let log = text(&root, "pe-log");
    assert!(log.contains("IDT vector 32"), "{log}");
    assert!(log.contains("iretq to RIP 0x400000 in ring 3"), "{log}");

    // A period that is no number is refused with a message.
    type_into(&root, "pe-period", "soon").await;
    assert!(!text(&root, "pe-period-error").is_empty());
    root.remove();
}

#[wasm_bindgen_test]
async fn preemption_run_advances_every_counter() {
    let root = mount(WidgetKind::Preemption).await;
    let counter = |i: usize| -> u64 {
        text(&root, &format!("pe-counter-{i}"))
            .replace(',', "")
            .parse()
            .expect("a count")
    };
    click(&root, "pe-run").await;
    wait_until(30.0, "every task to count", || {
        (0..3).all(|i| counter(i) > 0)
    })
    .await;
    click(&root, "pe-pause").await;
    assert!(text(&root, "pe-console").contains('A'));
    root.remove();
}

#[wasm_bindgen_test]
async fn process_tree_forks_execs_exits_and_reaps() {
    let root = mount_at(WidgetKind::ProcessTree, "?pt-ops=-").await;
    assert!(text(&root, "pt-proc-1").contains("init"));
    click(&root, "pt-script").await; // init forks
    click(&root, "pt-script").await; // the child execs sh
    assert!(text(&root, "pt-proc-2").contains("sh"));
    click(&root, "pt-script").await; // sh forks
    click(&root, "pt-script").await; // the child execs hello
    assert!(text(&root, "pt-proc-3").contains("hello"));
    click(&root, "pt-script").await; // hello exits
    assert!(text(&root, "pt-state-3").contains("zombie"));
    let node3 = by_testid(&root, "pt-node-3");
    assert!(
        node3
            .get_attribute("aria-label")
            .unwrap_or_default()
            .contains("zombie, child of pid 2"),
        "{:?}",
        node3.get_attribute("aria-label")
    );
    click(&root, "pt-script").await; // sh waits
    assert!(find(&root, "pt-node-3").is_none(), "reaped");
    assert!(text(&root, "pt-log").contains("reaps pid 3"));

    // An orphan: the shell forks, then exits; its child is adopted by pid 1.
    click(&root, "pt-node-2").await;
    click(&root, "pt-2-fork").await;
    click(&root, "pt-node-2").await;
    click(&root, "pt-2-exit").await;
    assert!(text(&root, "pt-log").contains("adopted by pid 1"));
    click(&root, "pt-node-1").await;
    click(&root, "pt-1-wait").await;
    assert!(find(&root, "pt-node-2").is_none());
    assert!(by_testid(&root, "pt-node-4")
        .get_attribute("aria-label")
        .unwrap_or_default()
        .contains("child of pid 1"));
    root.remove();
}

/// Presses a policy's toggle if it is off.
async fn policy_on(root: &Element, key: &str) {
    let id = format!("sch-toggle-{key}");
    if by_testid(root, &id)
        .get_attribute("aria-pressed")
        .as_deref()
        != Some("true")
    {
        click(root, &id).await;
    }
}

/// Waits until the policy's metrics line contains `want`.
async fn metrics(root: &Element, key: &str, want: &str) {
    let id = format!("sch-metrics-{key}");
    wait_until(20.0, &format!("{key}: {want}"), || {
        find(root, &id).is_some_and(|e| e.text_content().unwrap_or_default().contains(want))
    })
    .await;
}

#[wasm_bindgen_test]
async fn scheduler_answers_a_changed_burst_and_nice_value() {
    let root = mount(WidgetKind::Scheduler).await;
    // Convoy (12, 2, 2 ms arriving at 0, 1, 2): FIFO turnarounds 12, 13, 14: average 13.
    metrics(&root, "fifo", "avg turnaround 13.0").await;
    policy_on(&root, "stcf").await;
    // STCF: B runs 1-3, C 3-5, A ends at 16: (16 + 2 + 3) / 3 = 7.
    metrics(&root, "stcf", "avg turnaround 7.0").await;

    // The long job shortened to 4 ms: FIFO A 0-4, B 4-6, C 6-8: (4 + 5 + 6) / 3 = 5.
    let chart = by_testid(&root, "sch-gantt-fifo").inner_html();
    type_into(&root, "sch-pattern-0", "4").await;
    metrics(&root, "fifo", "avg turnaround 5.0").await;
    assert_ne!(
        by_testid(&root, "sch-gantt-fifo").inner_html(),
        chart,
        "the chart redraws"
    );

    // A bad pattern: a message, and the last good run stays.
    type_into(&root, "sch-pattern-0", "io3").await;
    assert!(!text(&root, "sch-pattern-0-error").is_empty());
    assert!(text(&root, "sch-metrics-fifo").contains("avg turnaround 5.0"));
    type_into(&root, "sch-pattern-0", "12").await;
    metrics(&root, "fifo", "avg turnaround 13.0").await;

    // Nice matters to CFS, not to FIFO.
    policy_on(&root, "cfs").await;
    metrics(&root, "cfs", "avg turnaround").await;
    let (fifo, cfs) = (
        text(&root, "sch-metrics-fifo"),
        text(&root, "sch-metrics-cfs"),
    );
    type_into(&root, "sch-nice-0", "19").await;
    wait_until(20.0, "CFS to answer nice 19", || {
        text(&root, "sch-metrics-cfs") != cfs
    })
    .await;
    assert_eq!(text(&root, "sch-metrics-fifo"), fifo);
    type_into(&root, "sch-nice-0", "40").await;
    assert!(!text(&root, "sch-nice-0-error").is_empty());
    root.remove();
}

#[wasm_bindgen_test]
async fn signals_builds_the_frame_the_kernel_builds() {
    serve_programs();
    let root = mount(WidgetKind::Signals).await;
    wait_until(30.0, "the program to run", || {
        find(&root, "sg-moment-0").is_some()
    })
    .await;
    assert!(
        text(&root, "sg-now").contains("mov eax, dword ptr [0x10]"),
        "{}",
        text(&root, "sg-now")
    );
    assert!(text(&root, "sg-state").contains("pendingnone"));
    click(&root, "sg-next").await;
    assert!(
        text(&root, "sg-state").contains("pendingSIGSEGV"),
        "{}",
        text(&root, "sg-state")
    );
    click(&root, "sg-next").await;
    assert!(
        text(&root, "sg-now").contains("968-byte frame"),
        "{}",
        text(&root, "sg-now")
    );
    assert!(text(&root, "sg-state").contains("blockedSIGSEGV"));
    // si_addr holds the faulting address, 0x10, little-endian.
    let addr = root
        .query_selector(".sg-row[aria-label^='si_addr']")
        .expect("selector")
        .expect("an si_addr range");
    click_svg(&addr).await;
    assert_eq!(text(&root, "sg-hex"), "10 00 00 00 00 00 00 00");
    root.remove();
}
