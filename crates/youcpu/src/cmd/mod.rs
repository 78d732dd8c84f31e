//! Subcommands, one module each.

use crate::cli::{err, CliError, Output};
use std::ffi::OsString;

mod elf;
mod timeslice;

const USAGE: &str = "usage: youcpu <elf|timeslice> [options] [--json]";

/// Runs the subcommand named by the first argument.
pub fn dispatch(args: Vec<OsString>) -> Result<Output, CliError> {
    let mut it = args.into_iter();
    let Some(sub) = it.next() else {
        return Err(err(USAGE));
    };
    let rest: Vec<OsString> = it.collect();
    match sub.to_str() {
        Some("elf") => elf::run(rest),
        Some("timeslice") => timeslice::run(rest),
        Some("--help" | "-h" | "help") => Ok(Output::ok(
            USAGE.into(),
            serde_json::json!({ "usage": USAGE }),
        )),
        Some(other) => Err(err(format!(
            "unknown subcommand \"{}\"; {USAGE}",
            youcpu_core::units::quote(other)
        ))),
        None => Err(err(format!("the subcommand is not valid UTF-8; {USAGE}"))),
    }
}
