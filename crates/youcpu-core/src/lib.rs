#![doc = include_str!("../README.md")]

pub mod sched;
pub mod units;
