//! cargo-fuzz target `page_walk`: the logic is in crates/youcpu-testkit/src/fuzz/page_walk.rs, shared with the stable test
//! crates/youcpu-core/tests/it/fuzz_corpus.rs.

#![no_main]

use youcpu_testkit::fuzz as harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::page_walk::run(data));
