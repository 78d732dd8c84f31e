#![doc = include_str!("../README.md")]

pub mod cpu;
pub mod elf;
pub mod exec;
pub mod mmu;
pub mod sched;
pub mod units;
