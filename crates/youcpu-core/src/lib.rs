#![doc = include_str!("../README.md")]

pub mod asm;
pub mod cpu;
pub mod elf;
pub mod exec;
pub mod linux;
pub mod loader;
pub mod machine;
pub mod mmu;
pub mod paging;
pub mod preempt;
pub mod sched;
pub mod units;
pub mod vm;
