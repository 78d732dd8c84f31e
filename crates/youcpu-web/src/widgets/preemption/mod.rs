//! `preemption`: two or three processes running real instructions on the simulated CPU, and a
//! small kernel whose timer handler and sched_yield path (ring-0 x86-64 code) save registers on
//! the task's kernel stack, switch CR3 and the stack, and return into the next task. Preemptive
//! (timer on) or cooperative (processes yield; a runaway freezes everything).

pub mod diagram;
pub mod state;
mod view;

pub use view::PreemptionWidget;

/// The widget's id: its `::: widget` name, `data-widget` and anchor `#widget-preemption`.
pub const ID: &str = "preemption";
/// The prefix of the URL keys it owns.
pub const PREFIX: Option<&str> = Some(<state::State as crate::ui::UrlState>::PREFIX);
