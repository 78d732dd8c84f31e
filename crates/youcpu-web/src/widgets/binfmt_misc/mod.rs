//! `binfmt-misc`: type a registration string and get the kernel's verdict, the entry it
//! creates, the example files it claims and the argv their interpreter receives.

pub mod diagram;
pub mod state;
mod view;

pub use view::BinfmtMiscWidget;

/// The widget's id: its `::: widget` name, `data-widget` and anchor `#widget-binfmt-misc`.
pub const ID: &str = "binfmt-misc";
/// The prefix of the URL keys it owns.
pub const PREFIX: Option<&str> = Some(<state::State as crate::ui::UrlState>::PREFIX);
