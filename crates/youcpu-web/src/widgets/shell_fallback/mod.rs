//! `shell-fallback`: the same file through a bare execve and from two shells.

pub mod diagram;
pub mod state;
mod view;

pub use view::ShellFallbackWidget;

/// The widget's id: its `::: widget` name, `data-widget` and anchor `#widget-shell-fallback`.
pub const ID: &str = "shell-fallback";
/// The prefix of the URL keys it owns.
pub const PREFIX: Option<&str> = Some(<state::State as crate::ui::UrlState>::PREFIX);
