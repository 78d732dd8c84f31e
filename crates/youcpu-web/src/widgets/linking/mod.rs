//! `linking`: a static and a dynamic program side by side: what each file holds, what running it
//! maps where, and what several processes running the dynamic one share.

pub mod diagram;
pub mod state;
mod view;

pub use view::LinkingWidget;

/// The widget's id: its `::: widget` name, `data-widget` and anchor `#widget-linking`.
pub const ID: &str = "linking";
/// The prefix of the URL keys it owns.
pub const PREFIX: Option<&str> = Some(<state::State as crate::ui::UrlState>::PREFIX);
