//! Every integration test of the `youcpu` command-line tool, in one test binary (issue #20): each
//! file was a test crate of its own, linking the core and its dependencies again. A module per
//! command (`asm_cli`, `elf_cli`, `exec_cli`, `run_cli`, ...); `cargo test -p youcpu --test it
//! run_cli` runs one of them. Helpers shared with the core's tests are in `youcpu-testkit`; those the
//! modules here share (scratch directories, compiling a test program, running `youcpu`) in
//! `common`.

mod address_cli;
mod asm_cli;
mod build_cli;
mod common;
mod dynamic_cli;
mod elf_cli;
mod exec_cli;
mod host_fs_cli;
mod malformed_sweep;
mod run_cli;
mod sched_cli;
mod story_cli;
mod timeslice_cli;
mod trace_cli;
mod translate_cli;
