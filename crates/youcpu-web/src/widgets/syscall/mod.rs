//! `syscall`: `getpid()` and `exit(1)` through libc-like wrappers and the `syscall` instruction
//! (LSTAR, the kernel's handler, `sysret` back — or the process ending), drawn as a sequence
//! diagram, next to `exit` through the legacy `int 0x80` gate.

pub mod diagram;
pub mod state;
mod view;

pub use view::SyscallWidget;

/// The widget's id: its `::: widget` name, `data-widget` and anchor `#widget-syscall`.
pub const ID: &str = "syscall";
/// The prefix of the URL keys it owns.
pub const PREFIX: Option<&str> = None;
