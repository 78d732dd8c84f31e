//! cargo-fuzz target `sched_sim`: the logic is in fuzz/harness/sched_sim.rs, shared with the stable test
//! crates/youcpu-core/tests/fuzz_corpus.rs.

#![no_main]

#[path = "../harness/mod.rs"]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::sched_sim::run(data));
