//! The widgets' code, split by family (issue #18, "pay only for what is in view"; the release
//! build's `split` feature).
//!
//! Each family of widgets ([`Family`]) has one entry point here, in the shape Dioxus's
//! `#[wasm_split(NAME)]` macro (wasm-split-macro 0.7.10) writes and its splitter reads: a call
//! goes through an import from `./__wasm_split.js`, whose loader fetches the family's part the
//! first time (the `wasm-splitter` runtime awaits it), and the body is an export that only that
//! part carries. After the build, `tools/youcpu-split` reads the linker's relocations and moves
//! everything reachable only from one entry point into that family's part, leaving the rest
//! (mounting, the table of contents, and all code two families share) in the main module.
//!
//! Written out here rather than with the macro so that a part that cannot be fetched leaves its
//! widgets as the prerendered page shows them (the macro panics, which would stop every widget).
//! The imports and the export are `extern "C"`, hence the one allowance of unsafe code in this
//! crate.
#![allow(unsafe_code)]

use crate::mount::{became_live, render_piece, Piece};
use crate::widgets::{Family, WidgetKind};
use std::ffi::c_void;
use std::future::Future;
use std::pin::Pin;
use wasm_splitter::LazySplitLoader;

/// Mounts `kind`'s widget into its prerendered `placeholder`, fetching its family's part first
/// if no widget of the family was mounted yet.
pub async fn mount(kind: WidgetKind, placeholder: web_sys::Element, in_view: bool) {
    let job = Job {
        kind,
        placeholder,
        in_view,
    };
    let mounted = match kind.family() {
        Family::Cpu => cpu::run(job).await,
        Family::Sched => sched::run(job).await,
        Family::Exec => exec::run(job).await,
        Family::Paging => paging::run(job).await,
        Family::Programs => programs::run(job).await,
    };
    if !mounted {
        // The loader said why on the console; the widget stays as prerendered.
        web_sys::console::error_1(
            &format!("You in CPU: the {} widget stays static", kind.id()).into(),
        );
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

/// What an entry point returns: the mounting, to be awaited.
type Mounting = Pin<Box<dyn Future<Output = ()>>>;
/// The callback a part's loader calls when the part is loaded (or not).
type LoadCallback = unsafe extern "C" fn(*const c_void, bool);

/// One family's entry point: a module `$family` with `run(job)`, which fetches the part named
/// `$name` the first time and mounts the job's widget with that family's views. The names are
/// the splitter's: `__wasm_split_00___NAME___00_{import,export}_HASH_FN` for the entry point
/// and `__wasm_split_load_NAME_HASH_FN` for its loader (here HASH is `youcpu`, FN the name).
macro_rules! family {
    ($family:ident, $name:literal, $variant:ident) => {
        mod $family {
            use super::*;

            /// The entry point's body, which only the family's part carries.
            #[allow(improper_ctypes_definitions)]
            #[export_name = concat!("__wasm_split_00___", $name, "___00_export_youcpu_", $name)]
            pub extern "C" fn export(job: Job) -> Mounting {
                Box::pin(async move { job.run::<{ Family::$variant as u8 }>() })
            }

            #[link(wasm_import_module = "./__wasm_split.js")]
            extern "C" {
                #[link_name = concat!("__wasm_split_load_", $name, "_youcpu_", $name)]
                fn load(callback: LoadCallback, data: *const c_void);
                #[allow(improper_ctypes)]
                #[link_name = concat!("__wasm_split_00___", $name, "___00_import_youcpu_", $name)]
                fn import(job: Job) -> Mounting;
            }

            thread_local! {
                static LOADER: LazySplitLoader = unsafe { LazySplitLoader::new(load) };
            }

            /// Mounts the job's widget once the part is loaded; false if it could not be.
            pub async fn run(job: Job) -> bool {
                if !LazySplitLoader::ensure_loaded(&LOADER).await {
                    return false;
                }
                unsafe { import(job) }.await;
                true
            }
        }
    };
}

family!(cpu, "cpu", Cpu);
family!(sched, "sched", Sched);
family!(exec, "exec", Exec);
family!(paging, "paging", Paging);
family!(programs, "programs", Programs);
