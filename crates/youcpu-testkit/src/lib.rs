#![doc = include_str!("../README.md")]

pub mod execve;
pub mod fuzz;
pub mod oracle;
pub mod process;
pub mod readelf;
