//! The logic of every fuzz target, shared by the cargo-fuzz binaries (`fuzz/fuzz_targets/`,
//! nightly, libFuzzer) and by the stable test `crates/youcpu-core/tests/it/fuzz_corpus.rs`, which
//! replays every committed corpus file through the same function. Each `run` takes raw bytes,
//! decodes them itself (no `arbitrary` crate, so the stable test needs nothing extra), and
//! panics only when an invariant breaks: libFuzzer then reports a crash.

#![allow(dead_code)] // each fuzz binary uses one target

pub mod asm_text;
pub mod cpu_exec;
pub mod cpu_simd;
pub mod disasm;
pub mod elf_load;
pub mod elf_parse;
pub mod input;
pub mod misc_register;
pub mod page_walk;
pub mod sched_sim;
pub mod shebang;

/// A target's function: one input, a panic when an invariant breaks.
pub type Target = fn(&[u8]);

/// Every target: its corpus directory name under `fuzz/corpus/` and its function.
pub const TARGETS: &[(&str, Target)] = &[
    ("asm_text", asm_text::run),
    ("disasm", disasm::run),
    ("elf_parse", elf_parse::run),
    ("elf_load", elf_load::run),
    ("misc_register", misc_register::run),
    ("shebang", shebang::run),
    ("cpu_exec", cpu_exec::run),
    ("cpu_simd", cpu_simd::run),
    ("page_walk", page_walk::run),
    ("sched_sim", sched_sim::run),
];

/// An error message the UI and CLI can show on one line: not empty, no line break.
pub fn check_message(what: &str, m: &str) {
    assert!(!m.trim().is_empty(), "{what}: empty error message");
    assert!(
        !m.contains('\n'),
        "{what}: error message spans lines: {m:?}"
    );
}

/// Where the CPU targets place an input's code.
pub const SCRATCH_CODE: u64 = 0x40_0000;

thread_local! {
    static SCRATCH: Option<youcpu_core::linux::Linux> = scratch_base(SCRATCH_CODE);
}

/// The process the CPU targets start every input from: 8 MiB of memory, a read-write-execute
/// code page at `code` (inputs may rewrite their own code) and a read-write page after it.
/// `None` if the kernel model does not boot.
fn scratch_base(code: u64) -> Option<youcpu_core::linux::Linux> {
    use crate::ring3::{RW, RWX};
    use youcpu_core::linux::{Config, Linux};
    let mut l = Linux::new(&Config {
        memory_limit: 8 << 20,
        ..Config::default()
    })
    .ok()?;
    l.mm.map_now(&mut l.m.mmu, code, RWX).ok()?;
    l.mm.map_now(&mut l.m.mmu, code + 0x1000, RW).ok()?;
    Some(l)
}

/// A copy of the scratch process (code page at [`SCRATCH_CODE`]), booted once per thread.
fn scratch() -> youcpu_core::linux::Linux {
    SCRATCH
        .with(|b| b.clone())
        .unwrap_or_else(|| panic!("the kernel model does not boot"))
}
