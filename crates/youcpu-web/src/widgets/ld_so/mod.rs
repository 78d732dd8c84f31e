//! `ld-so`: what the dynamic loader did before `main`, read from a simulated run of the real
//! `ld.so` on the example program or on one the reader drops with its libraries: each object
//! at its base, the relocations applied (counts by type, each one's value read from memory),
//! and one call followed from the PLT through its GOT slot to the function.

pub mod diagram;
pub mod state;
mod view;

pub use view::LdSoWidget;

/// The widget's id: its `::: widget` name, `data-widget` and anchor `#widget-ld-so`.
pub const ID: &str = "ld-so";
/// The prefix of the URL keys it owns.
pub const PREFIX: Option<&str> = Some(<state::State as crate::ui::UrlState>::PREFIX);
