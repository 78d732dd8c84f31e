//! The `asm` widget driven through the DOM: assembly typed in gives the bytes GNU as emits
//! (the encoder's, not text written in the page), bytes typed in give the instructions back,
//! junk gives a message, and a whole program built and run prints what it writes.

use crate::dom::*;
use wasm_bindgen_test::*;
use web_sys::Element;
use youcpu_web::widgets::WidgetKind;

/// The bytes shown for line `i`, as `05 00 02 00 00`.
fn bytes(root: &Element, i: usize) -> String {
    let row = by_testid(root, &format!("asm-bytes-{i}"));
    let chips = row.query_selector_all(".byte").expect("selector");
    (0..chips.length())
        .filter_map(|k| chips.item(k).and_then(|n| n.text_content()))
        .collect::<Vec<_>>()
        .join(" ")
}

#[wasm_bindgen_test]
async fn typed_instructions_show_their_encodings_and_junk_a_message() {
    let root = mount(WidgetKind::Asm).await;
    type_into(&root, "asm-source", "add eax, 512").await;
    assert_eq!(bytes(&root, 0), "05 00 02 00 00");

    type_into(
        &root,
        "asm-source",
        "add ebx, 128\nmov rax, 0x80000000\nfrobnicate rax\nsyscall",
    )
    .await;
    assert_eq!(bytes(&root, 0), "81 c3 80 00 00 00");
    assert_eq!(bytes(&root, 1), "48 b8 00 00 00 80 00 00 00 00");
    assert!(
        text(&root, "asm-error-2").contains("frobnicate"),
        "{}",
        text(&root, "asm-error-2")
    );
    assert_eq!(
        bytes(&root, 3),
        "0f 05",
        "the lines after the junk still assemble"
    );

    // A row picked: each byte explained (opcode, ModRM, immediate).
    click(&root, "asm-row-0").await;
    assert_eq!(text(&root, "asm-detail-text"), "add ebx, 0x80");
    assert!(count(&root, "[data-testid='asm-fields'] tr") >= 3);

    // More junk: a message each time, never a panic.
    for junk in [
        "mov",
        "add eax,",
        "jmp 0xffffffffffffffffff",
        "\u{0}\u{7f}",
        "mov rax, [rax+rax*3]",
    ] {
        type_into(&root, "asm-source", junk).await;
        assert!(
            text(&root, "asm-error-0").starts_with("error:"),
            "no message for {junk:?}"
        );
    }
    root.remove();
}

#[wasm_bindgen_test]
async fn typed_bytes_decode_and_bad_hex_is_reported() {
    let root = mount(WidgetKind::Asm).await;
    click(&root, "asm-mode-dis").await;
    type_into(&root, "asm-hex", "05 00 02 00 00 c3").await;
    assert_eq!(text(&root, "asm-text-0"), "add eax, 0x200");
    assert_eq!(text(&root, "asm-text-1"), "ret");
    // The same bytes in 16-bit mode are another instruction (an imm16 operand).
    choose(&root, "asm-bits", "16").await;
    assert_eq!(text(&root, "asm-text-0"), "add ax, 0x200");
    type_into(&root, "asm-hex", "05 0").await;
    assert!(text(&root, "asm-hex-error").contains("odd number"));
    type_into(&root, "asm-hex", "zz").await;
    assert!(!text(&root, "asm-hex-error").is_empty());
    root.remove();
}

#[wasm_bindgen_test]
async fn an_edited_program_builds_runs_and_prints() {
    let root = mount(WidgetKind::Asm).await;
    click(&root, "asm-mode-build").await;
    let src = value(&root, "asm-program");
    assert!(src.contains("Hello, world!"), "{src}");
    let edited = src
        .replace("Hello, world!", "Hi from my own ELF")
        .replace("xor edi, edi        # exit status 0", "mov edi, 42");
    assert_ne!(edited, src);
    type_into(&root, "asm-program", &edited).await;
    click(&root, "asm-build-run").await;
    wait_until(20.0, "the run to end", || {
        find(&root, "asm-build-exit").is_some()
    })
    .await;
    assert_eq!(text(&root, "asm-build-stdout"), "Hi from my own ELF\n");
    assert_eq!(text(&root, "asm-build-exit"), "exited with status 42");
    assert_eq!(text(&root, "asm-build-steps"), "8");
    // The calls as strace writes them (the core's trace decoded the buffer when it was written).
    let call = text(&root, "asm-build-syscall-0");
    assert!(
        call.starts_with(r#"write(1, "Hi from my own ELF\n", 19) = 19"#),
        "{call}"
    );
    let exit = text(&root, "asm-build-syscall-1");
    assert!(exit.starts_with("exit(42) = ?"), "{exit}");

    // Junk: a line-numbered error, no run.
    type_into(&root, "asm-program", ".text\n_start:\n  frobnicate\n").await;
    click(&root, "asm-build-run").await;
    wait_until(5.0, "the build error", || {
        find(&root, "asm-build-errors").is_some()
    })
    .await;
    assert!(
        text(&root, "asm-build-error-3").contains("frobnicate"),
        "{}",
        text(&root, "asm-build-errors")
    );
    root.remove();
}
