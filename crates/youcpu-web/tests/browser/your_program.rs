//! The your-program widget driven through the DOM: an example picked and run in the simulated
//! kernel (its files fetched by the widget's own code, answered from `web/programs/`), its
//! output read from the console; input and arguments change what the program prints.

use crate::dom::*;
use wasm_bindgen_test::*;
use web_sys::Element;
use youcpu_web::widgets::WidgetKind;

/// Waits until the run has ended with `status` in the status line, and returns the console.
async fn finished(root: &Element, status: &str) -> String {
    wait_until(90.0, status, || text(root, "yp-status").contains(status)).await;
    text(root, "yp-console")
}

#[wasm_bindgen_test]
async fn examples_run_to_their_output() {
    serve_programs();
    let root = mount(WidgetKind::YourProgram).await;
    // The default example: hello-dyn, through musl's loader.
    click(&root, "yp-run").await;
    assert_eq!(
        finished(&root, "Exited with status 0").await,
        "hello, world\n"
    );

    // upper: standard input back in capitals, and its byte count on standard error.
    choose(&root, "yp-example", "4").await;
    finished(&root, "Exited with status 0").await;
    type_into(&root, "yp-stdin", "mixed Case 123\n").await;
    click(&root, "yp-run").await;
    wait_until(90.0, "upper's output", || {
        text(&root, "yp-console").contains("MIXED")
    })
    .await;
    assert_eq!(
        finished(&root, "Exited with status 0").await,
        "MIXED CASE 123\n15 bytes\n"
    );

    // args with arguments typed in.
    choose(&root, "yp-example", "5").await;
    finished(&root, "Exited with status 0").await;
    type_into(&root, "yp-args", "one two").await;
    click(&root, "yp-run").await;
    wait_until(90.0, "args' output", || {
        text(&root, "yp-console").contains("two")
    })
    .await;
    let out = finished(&root, "Exited with status 0").await;
    assert!(
        out.ends_with("argv[1] = \"one\"\nargv[2] = \"two\"\n"),
        "{out}"
    );

    // The #! script: the kernel runs /bin/args with the line's argument, then the script.
    choose(&root, "yp-example", "6").await;
    wait_until(90.0, "the script's output", || {
        text(&root, "yp-console").contains("from-script")
    })
    .await;
    let out = finished(&root, "Exited with status 0").await;
    assert!(out.contains("argv[1] = \"--from-script\"\n"), "{out}");

    // segv: the kernel delivers SIGSEGV with the faulting address, the handler jumps out.
    choose(&root, "yp-example", "3").await;
    wait_until(90.0, "segv's output", || {
        text(&root, "yp-console").contains("caught")
    })
    .await;
    assert_eq!(
        finished(&root, "Exited with status 0").await,
        "reading address 0x10\ncaught SIGSEGV at address 0x10, and carried on\n"
    );
    root.remove();
}
