//! `rings`: the current privilege level read from CS, and one privileged instruction run in
//! ring 0 (it executes) or ring 3 (a #GP(0) is delivered through the IDT, the CPU switches to
//! the TSS.RSP0 stack and pushes a frame).

pub mod diagram;
pub mod state;
mod view;

pub use view::RingsWidget;

/// The widget's id: its `::: widget` name, `data-widget` and anchor `#widget-rings`.
pub const ID: &str = "rings";
/// The prefix of the URL keys it owns.
pub const PREFIX: Option<&str> = Some(<state::State as crate::ui::UrlState>::PREFIX);
