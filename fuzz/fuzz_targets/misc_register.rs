//! cargo-fuzz target `misc_register`: the logic is in crates/youcpu-testkit/src/fuzz/misc_register.rs, shared with the stable test
//! crates/youcpu-core/tests/it/fuzz_corpus.rs.

#![no_main]

use youcpu_testkit::fuzz as harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::misc_register::run(data));
