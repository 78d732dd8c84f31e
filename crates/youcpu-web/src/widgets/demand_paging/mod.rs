//! `demand-paging`: one process touches its heap, its stack, a mapped file and memory it does
//! not own; every first touch is a page fault the kernel resolves (or answers with SIGSEGV).

pub mod diagram;
pub mod state;
mod view;

pub use view::DemandPagingWidget;

/// The widget's id: its `::: widget` name, `data-widget` and anchor `#widget-demand-paging`.
pub const ID: &str = "demand-paging";
/// The prefix of the URL keys it owns.
pub const PREFIX: Option<&str> = Some(<state::State as crate::ui::UrlState>::PREFIX);
