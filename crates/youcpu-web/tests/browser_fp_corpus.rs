//! The SSE/MMX corpus recorded on the real CPU (crates/youcpu-core/tests/corpus/sse.bin)
//! replayed by the wasm32 build in a real browser: the page computes exactly what the CLI and
//! the CPU compute (the native test `recorded_sse_corpus_replays` replays the same file).
#![cfg(target_arch = "wasm32")]

use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn recorded_sse_corpus_replays_in_the_browser() {
    let data = include_bytes!("../../youcpu-core/tests/corpus/sse.bin");
    match youcpu_core::cpu::replay::replay_sse_corpus(data) {
        Ok(n) => assert!(n > 5000, "too few recorded cases: {n}"),
        Err(e) => panic!("{e}"),
    }
}
