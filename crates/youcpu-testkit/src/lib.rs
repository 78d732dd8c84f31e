#![doc = include_str!("../README.md")]

// What needs a Unix host (processes, files, host tools) is not built for wasm32, where only
// `traces` is used (by the browser tests); `fields`, `ring3` and `rng` need no host either.
#[cfg(unix)]
pub mod execve;
pub mod fields;
#[cfg(unix)]
pub mod fuzz;
#[cfg(unix)]
pub mod oracle;
#[cfg(unix)]
pub mod process;
#[cfg(unix)]
pub mod readelf;
pub mod ring3;
pub mod rng;
pub mod traces;
