//! The widgets' code, split by family (issue #18, "pay only for what is in view"; the release
//! build's `split` feature).
//!
//! Each family of widgets ([`Family`]) has one entry point here, an async function marked
//! `#[wasm_split(NAME)]` (the `wasm-splitter` crate, Dioxus's Rust-level wasm splitter). The
//! macro turns a call of it into an import from `./__wasm_split.js`, which fetches the family's
//! part (`NAME.wasm`) the first time it is called, and the function's body into an export that
//! only that part carries. After the build, `wasm-split-cli` reads the linker's relocations
//! and moves everything reachable only from one entry point into that family's part, code used
//! by several families into shared parts, and leaves the rest (mounting, the table of contents)
//! in the main module; the release build's post-build step runs it (`youcpu-split`).
//!
//! The macro expands to `extern "C"` declarations and calls of them, hence the one allowance of
//! unsafe code in this crate.
#![allow(unsafe_code)]

use crate::mount::{became_live, render_piece, Piece};
use crate::widgets::{Family, WidgetKind};
use wasm_split::wasm_split;

/// Mounts `kind`'s widget into its prerendered `placeholder`, fetching its family's part first
/// if no widget of the family was mounted yet.
pub async fn mount(kind: WidgetKind, placeholder: web_sys::Element, in_view: bool) {
    let job = Job {
        kind,
        placeholder,
        in_view,
    };
    match kind.family() {
        Family::Cpu => cpu(job).await,
        Family::Sched => sched(job).await,
        Family::Exec => exec(job).await,
        Family::Paging => paging(job).await,
        Family::Programs => programs(job).await,
    }
}

/// One widget to mount.
struct Job {
    kind: WidgetKind,
    placeholder: web_sys::Element,
    in_view: bool,
}

impl Job {
    /// Mounts the widget with the views of family `F` (the only ones this instance names).
    fn run<const F: u8>(self) {
        let piece = Piece::Widget(self.kind);
        match self.kind.view_in::<F>() {
            Some(view) => render_piece(self.placeholder, piece, self.in_view, view),
            None => became_live(piece, self.in_view),
        }
    }
}

#[wasm_split(cpu)]
async fn cpu(job: Job) {
    job.run::<{ Family::Cpu as u8 }>();
}

#[wasm_split(sched)]
async fn sched(job: Job) {
    job.run::<{ Family::Sched as u8 }>();
}

#[wasm_split(exec)]
async fn exec(job: Job) {
    job.run::<{ Family::Exec as u8 }>();
}

#[wasm_split(paging)]
async fn paging(job: Job) {
    job.run::<{ Family::Paging as u8 }>();
}

#[wasm_split(programs)]
async fn programs(job: Job) {
    job.run::<{ Family::Programs as u8 }>();
}
