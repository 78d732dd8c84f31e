#![doc = include_str!("../README.md")]

mod cli;
mod cmd;

use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<std::ffi::OsString> = std::env::args_os().skip(1).collect();
    let json = args.iter().any(|a| a == "--json");
    match cmd::dispatch(args) {
        Ok(out) => {
            let mut stdout = std::io::stdout().lock();
            let text = if json {
                serde_json::to_string_pretty(&out.json)
                    .unwrap_or_else(|e| format!("{{\"error\": \"cannot encode output: {e}\"}}"))
            } else {
                out.text
            };
            // A closed pipe (`youcpu ... | head`) is not an error worth a message.
            let _ = writeln!(stdout, "{}", text.trim_end());
            ExitCode::from(out.exit_code)
        }
        Err(err) => {
            let msg = err.to_string().replace('\n', " ");
            if json {
                let _ = writeln!(std::io::stdout(), "{}", serde_json::json!({ "error": msg }));
            }
            let _ = writeln!(std::io::stderr(), "youcpu: {msg}");
            ExitCode::from(1)
        }
    }
}
