//! `fetch-execute`: a short program assembled into a simulated process and run one instruction
//! at a time: the bytes fetched at RIP, the instruction decoded from them, and what executing it
//! changed in the registers and flags.

pub mod diagram;
pub mod embed;
mod fp;
pub mod parts;
pub mod state;
mod view;

pub use view::FetchExecuteWidget;

/// The widget's id: its `::: widget` name, `data-widget` and anchor `#widget-fetch-execute`.
pub const ID: &str = "fetch-execute";
/// The prefix of the URL keys it owns.
pub const PREFIX: Option<&str> = Some(<state::State as crate::ui::UrlState>::PREFIX);
