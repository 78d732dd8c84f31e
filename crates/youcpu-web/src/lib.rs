#![doc = include_str!("../README.md")]

pub mod app;
pub mod article;
pub mod dom;
pub mod figures;
pub mod mount;
pub mod toc;
pub mod ui;
pub mod widgets;
