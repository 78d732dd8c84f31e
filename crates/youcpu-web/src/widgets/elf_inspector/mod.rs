//! `elf-inspector`: open any ELF file (it never leaves the browser) or pick an example; see the
//! header, segments and sections as tables and the loadable segments as a memory map; hovering
//! or focusing a field highlights its bytes in the hex view.

pub mod examples;
pub mod state;
mod view;

pub use view::ElfInspectorWidget;

/// The widget's id: its `::: widget` name, `data-widget` and anchor `#widget-elf-inspector`.
pub const ID: &str = "elf-inspector";
/// The prefix of the URL keys it owns.
pub const PREFIX: Option<&str> = Some(<state::State as crate::ui::UrlState>::PREFIX);
