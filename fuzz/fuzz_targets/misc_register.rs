//! cargo-fuzz target `misc_register`: the logic is in fuzz/harness/misc_register.rs, shared with the stable test
//! crates/youcpu-core/tests/fuzz_corpus.rs.

#![no_main]

#[path = "../harness/mod.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::misc_register::run(data));
