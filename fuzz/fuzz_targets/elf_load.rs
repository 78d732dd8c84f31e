//! cargo-fuzz target `elf_load`: the logic is in fuzz/harness/elf_load.rs, shared with the stable test
//! crates/youcpu-core/tests/fuzz_corpus.rs.

#![no_main]

#[path = "../harness/mod.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::elf_load::run(data));
