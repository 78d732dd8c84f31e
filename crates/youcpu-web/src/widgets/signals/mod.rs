//! `signals`: a program's fault becomes a signal; the kernel builds a frame on the user stack
//! and runs the handler, which leaves by siglongjmp or rt_sigreturn. The picture is the stack,
//! byte range by byte range, read from the simulated memory at each moment.

pub mod diagram;
pub mod state;
mod view;

pub use view::SignalsWidget;

/// The widget's id: its `::: widget` name, `data-widget` and anchor `#widget-signals`.
pub const ID: &str = "signals";
/// The prefix of the URL keys it owns.
pub const PREFIX: Option<&str> = None;
