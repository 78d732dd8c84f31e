//! `process-tree`: from boot to pid 1, to a shell that forks and execs a command, which exits
//! and is reaped; the tree of processes with their states, and the kernel's steps.

pub mod diagram;
pub mod state;
mod view;

pub use view::ProcessTreeWidget;

/// The widget's id: its `::: widget` name, `data-widget` and anchor `#widget-process-tree`.
pub const ID: &str = "process-tree";
/// The prefix of the URL keys it owns.
pub const PREFIX: Option<&str> = Some(<state::State as crate::ui::UrlState>::PREFIX);
