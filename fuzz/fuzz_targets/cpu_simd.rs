//! cargo-fuzz target `cpu_simd`: the logic is in fuzz/harness/cpu_simd.rs, shared with the stable
//! test crates/youcpu-core/tests/fuzz_corpus.rs.

#![no_main]

#[path = "../harness/mod.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::cpu_simd::run(data));
