//! cargo-fuzz target `cpu_exec`: the logic is in fuzz/harness/cpu_exec.rs, shared with the stable test
//! crates/youcpu-core/tests/fuzz_corpus.rs.

#![no_main]

#[path = "../harness/mod.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::cpu_exec::run(data));
