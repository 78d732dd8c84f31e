//! The app and the core in a real browser (headless Chromium, through wasm-bindgen-test), in one
//! test binary (issue #20): every widget mounted (`widgets`) and driven through the DOM as a
//! reader drives it, its results read back by `data-testid` (`asm`, `exec`, `memory`,
//! `processes`, `your_program`, `timeslice`, with the helpers in `dom`), and the floating-point corpus recorded on a real CPU replayed by the wasm build
//! (`fp_corpus`), and the core's step traces checked against the file the native tests check
//! (`traces`). `cargo test --target wasm32-unknown-unknown -p youcpu-web` runs them (the
//! runner is set in .cargo/config.toml); natively this crate is empty.
#![cfg(target_arch = "wasm32")]

use wasm_bindgen_test::wasm_bindgen_test_configure;

wasm_bindgen_test_configure!(run_in_browser);

mod asm;
mod dom;
mod exec;
mod fp_corpus;
mod memory;
mod processes;
mod timeslice;
mod traces;
mod widgets;
mod your_program;
