//! The app's shared pieces, used by every widget and knowing none of them: the [`Frame`] around
//! a widget, the [`Diagram`] its picture is drawn in (with [`svg`] shapes), the interactive
//! [`group_svg`] drawn wide or narrow, [`Table`], labelled inputs ([`Field`],
//! [`LabelledInput`]), the [`FilePicker`], the [`Stepper`] and its live region, one background-run hook ([`use_background_run`]), a
//! `<details>` built only while open ([`use_details_open`]), state
//! kept in the URL ([`UrlState`], [`use_url_reducer`]) and one reducer for every widget state
//! that applies actions in place ([`Apply`], [`Reduced`]).
//!
//! Nothing here imports a widget or the registry (`crate::widgets`): widgets depend on `ui`,
//! never the other way round.

mod bytes;
mod details;
mod diagram;
mod field;
mod file;
mod frame;
mod group_svg;
mod media;
mod near_view;
mod preset;
mod reducer;
mod run;
mod stepper;
mod table;
pub mod url;

pub use bytes::{escape, unescape};
pub use details::use_details_open;
pub use diagram::{svg, Diagram};
pub use field::{Field, LabelledInput};
pub use file::{fetch_bytes, on_drop_file, read_first_file, too_large, FilePicker, FileRead};
pub use frame::Frame;
pub use group_svg::{group_svg, hit, Listeners};
pub use media::{draws, use_narrow, NARROW_QUERY};
pub use near_view::use_near_view;
pub use preset::{preset_picker, PresetText, TextAction};
pub use reducer::{Apply, Dispatch, Dispatcher, Handle, Reduced};
pub use run::{now_ms, use_background_run, Pace, Slice, FIRST_SLICE_MS, SLICE_MS};
pub use stepper::{Control, Stepper};
pub use table::{Col, Table};
pub use url::{use_url_reducer, Query, UrlState};
