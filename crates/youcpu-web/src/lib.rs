#![doc = include_str!("../README.md")]

pub mod app;
pub mod article;
pub mod dom;
pub mod figures;
pub mod mount;
#[cfg(feature = "split")]
mod split;
pub mod toc;
pub mod ui;
pub mod widgets;
