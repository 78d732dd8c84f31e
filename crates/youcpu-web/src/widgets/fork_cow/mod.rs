//! `fork-cow`: processes and the frames their pages map; fork shares every page, and the first
//! write to a shared page faults and copies it.

pub mod diagram;
pub mod state;
mod view;

pub use view::ForkCowWidget;

/// The widget's id: its `::: widget` name, `data-widget` and anchor `#widget-fork-cow`.
pub const ID: &str = "fork-cow";
/// The prefix of the URL keys it owns.
pub const PREFIX: Option<&str> = Some(<state::State as crate::ui::UrlState>::PREFIX);
