//! `syscall`: `exit(1)` through a libc-like wrapper and the `syscall` instruction (LSTAR, the
//! kernel's handler, the process ending), next to the legacy `int 0x80` gate.

pub mod state;
mod view;

pub use view::SyscallWidget;

/// The widget's id: its `::: widget` name, `data-widget` and anchor `#widget-syscall`.
pub const ID: &str = "syscall";
/// The prefix of the URL keys it owns.
pub const PREFIX: Option<&str> = None;
