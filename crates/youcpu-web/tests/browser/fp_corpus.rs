//! The SSE/MMX and x87 corpora recorded on the real CPU (crates/youcpu-core/tests/corpus/)
//! replayed by the wasm32 build in a real browser: the page computes exactly what the CLI and
//! the CPU compute (the native tests `recorded_sse_corpus_replays` and
//! `recorded_x87_corpus_replays` replay the same files). The transcendentals, which Intel
//! documents to within one ulp rather than to the bit, are held to that bound
//! (`recorded_x87_transcendental_corpus_replays_within_one_ulp` natively).

use wasm_bindgen_test::*;

#[wasm_bindgen_test]
fn recorded_sse_corpus_replays_in_the_browser() {
    let data = include_bytes!("../../../youcpu-core/tests/corpus/sse.bin");
    match youcpu_core::cpu::replay::replay_sse_corpus(data) {
        Ok(n) => assert!(n > 5000, "too few recorded cases: {n}"),
        Err(e) => panic!("{e}"),
    }
}

#[wasm_bindgen_test]
fn recorded_x87_corpus_replays_in_the_browser() {
    let data = include_bytes!("../../../youcpu-core/tests/corpus/x87.bin");
    match youcpu_core::cpu::replay::replay_x87_corpus(data) {
        Ok(n) => assert!(n > 2000, "too few recorded cases: {n}"),
        Err(e) => panic!("{e}"),
    }
}

#[wasm_bindgen_test]
fn recorded_x87_transcendentals_replay_in_the_browser_within_one_ulp() {
    let data = include_bytes!("../../../youcpu-core/tests/corpus/x87_transc.bin");
    match youcpu_core::cpu::replay::replay_x87_transcendentals(data, 1) {
        Ok(n) => assert!(n > 2000, "too few recorded cases: {n}"),
        Err(e) => panic!("{e}"),
    }
}
