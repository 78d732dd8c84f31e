//! Shared command-line plumbing: the error type, the output type, and argument helpers.

use std::ffi::OsString;
use std::fmt;

/// What a subcommand prints on success.
pub struct Output {
    /// Human-readable text (printed without `--json`).
    pub text: String,
    /// The JSON document (printed with `--json`).
    pub json: serde_json::Value,
    /// The process exit status.
    pub exit_code: u8,
}

impl Output {
    /// A successful result with exit status 0.
    pub fn ok(text: String, json: serde_json::Value) -> Self {
        Output {
            text,
            json,
            exit_code: 0,
        }
    }
}

/// A one-line error message; the process exits with status 1.
#[derive(Debug)]
pub struct CliError(pub String);

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<lexopt::Error> for CliError {
    fn from(e: lexopt::Error) -> Self {
        CliError(e.to_string())
    }
}

/// Makes a [`CliError`] from anything displayable.
pub fn err(msg: impl fmt::Display) -> CliError {
    CliError(msg.to_string())
}

/// Reads an option's value as UTF-8 text.
pub fn text_value(parser: &mut lexopt::Parser, flag: &str) -> Result<String, CliError> {
    let v: OsString = parser.value()?;
    v.into_string()
        .map_err(|_| err(format!("--{flag}: the value is not valid UTF-8")))
}

/// Reads at most `limit` bytes from `r`: `Ok(None)` if there is more (found without reading
/// it all; each command names the limit in its own words).
pub fn read_at_most(r: impl std::io::Read, limit: u64) -> std::io::Result<Option<Vec<u8>>> {
    use std::io::Read;
    let mut bytes = Vec::new();
    r.take(limit.saturating_add(1)).read_to_end(&mut bytes)?;
    Ok((bytes.len() as u64 <= limit).then_some(bytes))
}
