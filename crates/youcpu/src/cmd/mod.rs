//! Subcommands, one module each.

use crate::cli::{err, CliError, Output};
use std::ffi::OsString;

mod asm;
mod build;
mod disasm;
mod elf;
mod exec;
mod run;
mod sched;
mod timeslice;
mod translate;

const USAGE: &str =
    "usage: youcpu <asm|build|disasm|elf|exec|run|sched|timeslice|translate> [options] [--json]";

/// Runs the subcommand named by the first argument.
pub fn dispatch(args: Vec<OsString>) -> Result<Output, CliError> {
    let mut it = args.into_iter();
    let Some(sub) = it.next() else {
        return Err(err(USAGE));
    };
    let rest: Vec<OsString> = it.collect();
    match sub.to_str() {
        Some("asm") => asm::run(rest),
        Some("build") => build::run(rest),
        Some("disasm") => disasm::run(rest),
        Some("elf") => elf::run(rest),
        Some("exec") => exec::run(rest),
        Some("run") => run::run(rest),
        Some("sched") => sched::run(rest),
        Some("timeslice") => timeslice::run(rest),
        Some("translate") => translate::run(rest),
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
