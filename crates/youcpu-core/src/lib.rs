#![doc = include_str!("../README.md")]

pub mod elf;
pub mod sched;
pub mod units;
