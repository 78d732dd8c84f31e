//! `scheduler`: one workload under several policies, a Gantt chart each, with metrics; CFS's
//! vruntime and EEVDF's lag over time for the focused policy.

pub mod job;
pub mod diagram;
pub mod state;
mod view;

pub use view::SchedulerWidget;
pub(crate) use view::gantt_body;

/// The widget's id: its `::: widget` name, `data-widget` and anchor `#widget-scheduler`.
pub const ID: &str = "scheduler";
/// The prefix of the URL keys it owns.
pub const PREFIX: Option<&str> = Some(<state::State as crate::ui::UrlState>::PREFIX);
