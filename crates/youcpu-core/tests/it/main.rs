//! Every integration test of `youcpu-core`, in one test binary: each file was a test crate of
//! its own, and each of those linked iced-x86, goblin and proptest again (issue #20). A module
//! per concern, named as the files were (`cpu_*`, `elf_*`, `exec_*`, `linux_*`, `sched_*`,
//! `vm_*`, ...); `cargo test -p youcpu-core --test it linux_signals` runs one of them.
//! Helpers shared by several modules are the modules below the tests; those shared with the
//! CLI's tests are in the dev-only crate `youcpu-testkit`.

mod asm_disasm_oracle;
mod asm_errors;
mod asm_oracle;
mod asm_program;
mod asm_random_oracle;
mod cpu_features;
mod cpu_flags_native;
mod cpu_instructions_native;
mod cpu_interrupts;
mod cpu_loader;
mod cpu_mmu;
mod cpu_programs;
mod cpu_random_code;
mod cpu_run_loop;
mod cpu_sse_native;
mod cpu_sse_unmasked;
mod cpu_x87_native;
mod elf_malformed;
mod elf_map;
mod elf_names;
mod elf_readelf;
mod elf_writer;
mod exec_examples;
mod exec_kernel_errors;
mod exec_kernel_misc;
mod exec_kernel_misc_fuzz;
mod exec_kernel_script;
mod exec_model;
mod exec_shell;
mod fuzz_corpus;
mod linux_exec;
mod linux_hostfs;
mod linux_ldso;
mod linux_process_model;
mod linux_processes;
mod linux_procfs;
mod linux_signals;
mod linux_story;
mod linux_threads;
mod paging_walk;
mod run_facts;
mod sched_fair;
mod sched_kernel_oracle;
mod sched_naive;
mod sched_properties;
mod sched_smp;
mod sched_textbook;
mod vm_cow;
mod vm_faults;
mod vm_maps;
mod vm_mmap;
mod vm_pagemap;
mod vm_reclaim;
mod vm_segv;
mod wasm_parity;

// Shared helpers.
mod asm_cases;
mod elf_hello;
mod elf_tools;
mod gas;
mod harness;
mod recorded;
mod sse;
mod vm_model;
