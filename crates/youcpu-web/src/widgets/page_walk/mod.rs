//! `page-walk`: a virtual address split into table indices and offset, and the walk from CR3,
//! table by table, to the physical address (or the fault), with the TLB in front.

pub mod diagram;
pub mod state;
mod view;

pub use view::PageWalkWidget;

/// The widget's id: its `::: widget` name, `data-widget` and anchor `#widget-page-walk`.
pub const ID: &str = "page-walk";
/// The prefix of the URL keys it owns.
pub const PREFIX: Option<&str> = Some(<state::State as crate::ui::UrlState>::PREFIX);
