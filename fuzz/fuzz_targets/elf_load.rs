//! cargo-fuzz target `elf_load`: the logic is in crates/youcpu-testkit/src/fuzz/elf_load.rs, shared with the stable test
//! crates/youcpu-core/tests/it/fuzz_corpus.rs.

#![no_main]

use youcpu_testkit::fuzz as harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::elf_load::run(data));
