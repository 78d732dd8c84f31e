#![doc = include_str!("../README.md")]

// What needs a Unix host (processes, files, host tools) is not built for wasm32, where only
// `traces` is used (by the browser tests).
#[cfg(unix)]
pub mod execve;
#[cfg(unix)]
pub mod fuzz;
#[cfg(unix)]
pub mod oracle;
#[cfg(unix)]
pub mod process;
#[cfg(unix)]
pub mod readelf;
pub mod traces;
