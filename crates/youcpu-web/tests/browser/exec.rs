//! The widgets of "running a program" driven through the DOM: binfmt-misc, execve,
//! shell-fallback, elf-inspector, linking and ld-so. Each check reads a value the simulated
//! kernel or the ELF parser computed (an argv, an errno, an interpreter path, a relocation).

use crate::dom::*;
use wasm_bindgen_test::*;
use web_sys::Element;
use youcpu_web::widgets::WidgetKind;

/// The argv shown once execve has finished, as `"a" "b"` items.
fn argv(root: &Element) -> Vec<String> {
    let list = by_testid(root, "ex-argv")
        .query_selector_all("li code")
        .expect("selector");
    (0..list.length())
        .filter_map(|i| list.item(i).and_then(|n| n.text_content()))
        .collect()
}

/// Reveals every step of the execve widget (one per timer task) and waits for the last.
async fn all_steps(root: &Element) {
    if find(root, "ex-all").is_some_and(|b| !b.has_attribute("disabled")) {
        click(root, "ex-all").await;
    }
    wait_until(10.0, "every execve step", || {
        let t = text(root, "ex-counter");
        let mut w = t.split_whitespace();
        let (shown, total) = (w.nth(1), w.nth(1));
        shown.is_some() && shown == total
    })
    .await;
}

#[wasm_bindgen_test]
async fn binfmt_misc_claims_the_class_file_and_refuses_a_bad_entry() {
    let root = mount(WidgetKind::BinfmtMisc).await;
    let claims = text(&root, "bm-claims");
    assert!(
        claims.contains(r#""/usr/bin/java", "/home/user/Hello.class", "arg1""#),
        "{claims}"
    );
    // Type E (extension) with an offset: the kernel's parser refuses it.
    type_into(&root, "bm-text", ":x:E::py/c::/usr/bin/python3:").await;
    assert_eq!(text(&root, "bm-errno"), "EINVAL");
    assert!(text(&root, "bm-reason").len() > 10);
    // A well-formed extension entry is accepted again.
    type_into(&root, "bm-text", ":py:E::py::/usr/bin/python3:").await;
    assert!(find(&root, "bm-errno").is_none(), "accepted");
    assert!(
        text(&root, "bm-status").contains("interpreter /usr/bin/python3"),
        "{}",
        text(&root, "bm-status")
    );
    // Junk: a message, not a panic.
    for junk in ["", ":", "\u{0}\u{0}", ":a:M:99999999999:x::/i:"] {
        type_into(&root, "bm-text", junk).await;
        assert!(!text(&root, "bm-errno").is_empty(), "no errno for {junk:?}");
    }
    root.remove();
}

#[wasm_bindgen_test]
async fn execve_rewrites_argv_for_a_shebang_and_refuses_a_file_without_x() {
    let root = mount(WidgetKind::Execve).await;
    assert!(text(&root, "ex-counter").starts_with("step 1 of "));
    click(&root, "ex-next").await;
    assert!(text(&root, "ex-counter").starts_with("step 2 of "));
    all_steps(&root).await;
    assert_eq!(
        argv(&root),
        [r#""/bin/sh""#, r#""./hello.sh""#, r#""world""#]
    );

    // Everything after the interpreter's name is one argument.
    type_into(
        &root,
        "ex-content",
        "#!/usr/bin/env node --trace\necho hi\n",
    )
    .await;
    all_steps(&root).await;
    assert_eq!(
        argv(&root),
        [
            r#""/usr/bin/env""#,
            r#""node --trace""#,
            r#""./hello.sh""#,
            r#""world""#
        ]
    );

    // No execute permission: EACCES.
    check(&root, "ex-x", false).await;
    all_steps(&root).await;
    assert_eq!(text(&root, "ex-errno"), "EACCES");

    // A path that names nothing: ENOENT.
    check(&root, "ex-x", true).await;
    type_into(&root, "ex-path", "./no-such-file").await;
    all_steps(&root).await;
    assert_eq!(text(&root, "ex-errno"), "ENOENT");
    root.remove();
}

#[wasm_bindgen_test]
async fn execve_stops_five_levels_of_interpreters_with_eloop() {
    let root = mount(WidgetKind::Execve).await;
    choose(&root, "ex-pick", "10").await;
    all_steps(&root).await;
    assert_eq!(text(&root, "ex-errno"), "ELOOP");
    root.remove();
}

#[wasm_bindgen_test]
async fn shell_fallback_runs_a_file_without_shebang_from_a_shell_only() {
    let root = mount(WidgetKind::ShellFallback).await;
    assert!(text(&root, "sf-bare-summary").contains("ENOEXEC"));
    assert_eq!(
        text(&root, "sf-dash-summary"),
        "runs the file as a shell script"
    );
    choose(&root, "sf-preset", "2").await;
    assert_eq!(text(&root, "sf-bash-summary"), "exit status 126");
    type_into(&root, "sf-text", "#!/bin/sh\necho hello\n").await;
    assert_eq!(text(&root, "sf-bare-summary"), "runs /bin/sh");
    root.remove();
}

/// Opens `bytes` as the file `name` through the file input `id`, as a reader picking it would.
async fn open_file(root: &Element, id: &str, name: &str, bytes: &[u8]) {
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let file = web_sys::File::new_with_u8_array_sequence(&parts, name).expect("a File");
    let dt = web_sys::DataTransfer::new().expect("a DataTransfer");
    dt.items().add_with_file(&file).expect("add the file");
    let input = by_testid(root, id);
    js_sys::Reflect::set(&input, &"files".into(), &dt.files().expect("files").into())
        .expect("set files");
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    let ev = web_sys::Event::new_with_event_init_dict("change", &init).expect("event");
    input.dispatch_event(&ev).expect("dispatch");
}

#[wasm_bindgen_test]
async fn elf_inspector_reads_an_opened_file_and_refuses_junk() {
    let root = mount(WidgetKind::ElfInspector).await;
    assert_eq!(text(&root, "elf-type"), "EXEC");
    assert_eq!(text(&root, "elf-interp"), "none (static)");

    // hello-dyn, as `readelf -hlW web/programs/bin/hello-dyn` reads it: a PIE whose entry is
    // 0x1067, four LOAD segments, musl's loader as its interpreter.
    let hello_dyn = include_bytes!("../../../../web/programs/bin/hello-dyn");
    open_file(&root, "elf-file", "hello-dyn", hello_dyn).await;
    wait_until(5.0, "the file read", || {
        text(&root, "elf-source").contains("read in your browser")
    })
    .await;
    assert_eq!(text(&root, "elf-type"), "DYN");
    assert_eq!(text(&root, "elf-entry"), "0x1067");
    assert_eq!(text(&root, "elf-interp"), "/lib/ld-musl-x86_64.so.1");
    click(&root, "elf-tab-segments").await;
    let loads = root
        .query_selector_all("[data-testid='elf-segments-table'] tbody tr th")
        .expect("selector");
    let loads = (0..loads.length())
        .filter(|&i| loads.item(i).and_then(|n| n.text_content()).as_deref() == Some("LOAD"))
        .count();
    assert_eq!(loads, 4);

    open_file(&root, "elf-file", "junk.bin", b"not an elf file at all").await;
    wait_until(5.0, "the junk refused", || {
        find(&root, "elf-error").is_some()
    })
    .await;
    assert!(text(&root, "elf-error").starts_with("Not a readable ELF file"));
    root.remove();
}

#[wasm_bindgen_test]
async fn linking_maps_libc_into_the_dynamic_process_and_shares_its_pages() {
    let root = mount(WidgetKind::Linking).await;
    assert!(text(&root, "ln-file-static").contains("PT_INTERPnone"));
    let dynamic = text(&root, "ln-file-dynamic");
    assert!(
        dynamic.contains("libc.so.6") && dynamic.contains("ld-linux-x86-64"),
        "{dynamic}"
    );
    assert!(text(&root, "ln-map-dynamic").contains("libc.so.6 segment"));
    assert!(!text(&root, "ln-map-static").contains("libc"));
    let shared = |t: &str| -> u64 {
        let at = t.find(" shared pages").expect("a shared-page count");
        t[..at]
            .rsplit(|c: char| !c.is_ascii_digit())
            .next()
            .and_then(|n| n.parse().ok())
            .expect("a number")
    };
    let two = text(&root, "ln-totals");
    choose(&root, "ln-procs", "4").await;
    let four = text(&root, "ln-totals");
    assert!(four.starts_with("4 processes"), "{four}");
    assert_eq!(
        shared(&two),
        shared(&four),
        "more processes share the same pages"
    );
    assert_ne!(two, four, "but add private ones");
    root.remove();
}

/// A number the article quotes from a simulated run (web/article/run-facts.txt, which a native
/// test re-computes).
fn run_fact(key: &str) -> String {
    include_str!("../../../../web/article/run-facts.txt")
        .lines()
        .filter_map(|l| l.split_once('='))
        .find(|(k, _)| k.trim() == key)
        .map(|(_, v)| v.trim().to_string())
        .unwrap_or_else(|| panic!("no {key} in run-facts.txt"))
}

#[wasm_bindgen_test]
async fn ld_so_runs_musls_loader_and_resolves_puts_through_its_got_slot() {
    serve_programs();
    let root = mount(WidgetKind::LdSo).await;
    wait_until(60.0, "ld.so to reach the entry point", || {
        find(&root, "ld-summary").is_some() || find(&root, "ld-error").is_some()
    })
    .await;
    assert!(
        find(&root, "ld-error").is_none(),
        "{}",
        root.text_content().unwrap_or_default()
    );
    let summary = text(&root, "ld-summary");
    let ran = format!(
        "ran {} instructions and made {} system calls",
        run_fact("ldso.instructions"),
        run_fact("ldso.syscalls")
    );
    assert!(summary.contains(&ran), "{summary}");
    let picked = text(&root, "ld-picked");
    assert!(
        picked.starts_with("JUMP_SLOT puts at 0x")
            && picked.contains("(hello-dyn + 0x4000) now holds 0x")
            && picked.contains("= puts in ld-musl-x86_64.so.1"),
        "{picked}"
    );
    click(&root, "ld-next").await;
    assert_ne!(text(&root, "ld-picked"), picked, "Next picks another slot");
    root.remove();
}
