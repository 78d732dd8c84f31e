//! cargo-fuzz target `shebang`: the logic is in crates/youcpu-testkit/src/fuzz/shebang.rs, shared with the stable test
//! crates/youcpu-core/tests/it/fuzz_corpus.rs.

#![no_main]

use youcpu_testkit::fuzz as harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::shebang::run(data));
