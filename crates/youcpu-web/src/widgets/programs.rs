//! The example programs the widgets offer in their pickers. The programs themselves are the
//! core's (`youcpu_core::exec::examples`): a static "hello, world" built by the core's assembler
//! and ELF writer, and a small dynamic program with the model `libc.so.6` it needs.

use youcpu_core::exec::examples;
pub use youcpu_core::exec::examples::{
    hello_dynamic, model_libc, DATA_VADDR, GREETING, HELLO_SOURCE,
};

/// One example: a name, a sentence, and how to make its bytes.
pub struct Example {
    /// Shown in the picker.
    pub name: &'static str,
    /// What it shows.
    pub about: &'static str,
    /// Builds the file.
    pub build: fn() -> Result<Vec<u8>, String>,
}

/// Builds `source` as the examples are built (data at [`DATA_VADDR`]), the error as a message.
pub fn build_example(source: &str) -> Result<Vec<u8>, String> {
    examples::build_example(source).map_err(|e| e.to_string())
}

/// The static "hello, world", the error as a message.
pub fn hello_static() -> Result<Vec<u8>, String> {
    build_example(HELLO_SOURCE)
}
