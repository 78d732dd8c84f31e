//! cargo-fuzz target `elf_parse`: the logic is in fuzz/harness/elf_parse.rs, shared with the stable test
//! crates/youcpu-core/tests/fuzz_corpus.rs.

#![no_main]

#[path = "../harness/mod.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::elf_parse::run(data));
