//! cargo-fuzz target `disasm`: the logic is in crates/youcpu-testkit/src/fuzz/disasm.rs, shared with the stable test
//! crates/youcpu-core/tests/it/fuzz_corpus.rs.

#![no_main]

use youcpu_testkit::fuzz as harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::disasm::run(data));
