//! `timeslice`: the CFS scheduling period and each task's slice, as Linux computes them.

pub mod diagram;
pub mod state;
mod view;

pub use view::TimesliceWidget;

/// The widget's id: its `::: widget` name, `data-widget` and anchor `#widget-timeslice`.
pub const ID: &str = "timeslice";
/// The prefix of the URL keys it owns.
pub const PREFIX: Option<&str> = Some(<state::State as crate::ui::UrlState>::PREFIX);
