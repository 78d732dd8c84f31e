//! `your-program`: run an example or the reader's own x86-64 Linux program in the simulated
//! kernel, and watch the article's story happen to it: the execve chain, the segments and the
//! first stack, the loader, page faults, system calls, signals, forks and waits, preemptions,
//! each event told in a sentence linked to its section, on a timeline with a lane per stage.

pub mod diagram;
pub mod examples;
pub mod moment;
pub mod state;
mod story;
#[cfg(test)]
mod tests;
mod view;

pub use view::YourProgramWidget;

/// The widget's id: its `::: widget` name, `data-widget` and anchor `#widget-your-program`.
pub const ID: &str = "your-program";
/// The prefix of the URL keys it owns.
pub const PREFIX: Option<&str> = Some(<state::State as crate::ui::UrlState>::PREFIX);
