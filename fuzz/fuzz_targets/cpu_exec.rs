//! cargo-fuzz target `cpu_exec`: the logic is in crates/youcpu-testkit/src/fuzz/cpu_exec.rs, shared with the stable test
//! crates/youcpu-core/tests/it/fuzz_corpus.rs.

#![no_main]

use youcpu_testkit::fuzz as harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::cpu_exec::run(data));
