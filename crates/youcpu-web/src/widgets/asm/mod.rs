//! `asm`: assembly ↔ machine code, both directions, every byte explained; and a whole
//! program built into an ELF file and run ("Build and run").

pub mod build;
pub mod diagram;
mod run_view;
pub mod state;
mod view;

pub use view::AsmWidget;

/// The widget's id: its `::: widget` name, `data-widget` and anchor `#widget-asm`.
pub const ID: &str = "asm";
/// The prefix of the URL keys it owns.
pub const PREFIX: Option<&str> = Some(<state::State as crate::ui::UrlState>::PREFIX);
