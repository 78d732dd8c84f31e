//! `execve`: step through Linux's execve on an example filesystem: the file opened, the 256-byte
//! buffer, each binary-format handler's verdict, argv rewritten by `#!` lines, and the final
//! argv or the errno.

pub mod diagram;
pub mod state;
mod view;

pub use view::ExecveWidget;

/// The widget's id: its `::: widget` name, `data-widget` and anchor `#widget-execve`.
pub const ID: &str = "execve";
/// The prefix of the URL keys it owns.
pub const PREFIX: Option<&str> = Some(<state::State as crate::ui::UrlState>::PREFIX);
