//! `elf-loader`: step through `load_elf_binary` on an example or a file the reader opens: the
//! header check, the load bias, each PT_LOAD mapped, the BSS, the interpreter, then the initial
//! stack entry by entry from the top, and where RIP and RSP start.

pub mod diagram;
pub mod state;
mod view;

pub use view::ElfLoaderWidget;

/// The widget's id: its `::: widget` name, `data-widget` and anchor `#widget-elf-loader`.
pub const ID: &str = "elf-loader";
/// The prefix of the URL keys it owns.
pub const PREFIX: Option<&str> = Some(<state::State as crate::ui::UrlState>::PREFIX);
