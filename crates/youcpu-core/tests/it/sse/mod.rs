//! The operand tables and instruction forms of `cpu_sse_native.rs`.

pub mod forms;
pub mod tables;
