#![doc = include_str!("../README.md")]

pub mod app;
pub mod article;
pub mod dom;
pub mod figures;
pub mod mount;
#[cfg(all(feature = "split", target_arch = "wasm32"))]
mod split;
pub mod toc;
pub mod ui;
pub mod widgets;
