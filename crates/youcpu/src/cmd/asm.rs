//! `youcpu asm`: assembles stdin, one Intel-syntax instruction a line, as GNU as would.
//!
//! Text output: one line per input line, the bytes as lowercase hex separated by single spaces,
//! or `error: MESSAGE`. A blank or comment-only line assembles to no bytes (as in GAS) and
//! prints an empty line, so output line N always belongs to input line N. Each line is placed
//! at the address after the previous one (the first at `--ip`), which matters for branches.
//! `--explain` adds, per line, the form chosen and why (text: after a `#`; JSON: `why` and
//! `considered`, every form that fits with its bytes).
//! Per-line errors are output, not failure: the exit status is 1 only for unusable input
//! (bad options, more than MAX_INPUT bytes or MAX_LINES lines).

use crate::cli::{err, read_at_most, text_value, CliError, Output};
use serde_json::{json, Value};
use std::ffi::OsString;
use youcpu_core::asm::{assemble, AsmError, Bitness};

/// At most this much input is read.
const MAX_INPUT: u64 = 4 << 20;
/// At most this many lines are assembled.
const MAX_LINES: usize = 100_000;

/// The options `asm` and `disasm` share: `--bits`, `--ip`, `--explain` (and `--json`, which
/// `main` reads).
#[derive(Default)]
pub(crate) struct ModeArgs {
    bits: Option<String>,
    ip: Option<String>,
    /// `--explain` was given.
    pub explain: bool,
}

impl ModeArgs {
    /// The option's name if `arg` is one of the shared options.
    pub fn shared(arg: &lexopt::Arg) -> Option<&'static str> {
        match arg {
            lexopt::Arg::Long(n) => ["json", "explain", "bits", "ip"]
                .into_iter()
                .find(|k| k == n),
            _ => None,
        }
    }

    /// Takes the shared option `name` (reading its value, if it has one).
    pub fn set(&mut self, parser: &mut lexopt::Parser, name: &'static str) -> Result<(), CliError> {
        match name {
            "explain" => self.explain = true,
            "bits" => self.bits = Some(text_value(parser, "bits")?),
            "ip" => self.ip = Some(text_value(parser, "ip")?),
            _ => {} // --json: main reads it
        }
        Ok(())
    }

    /// The mode and start address (64-bit at 0 when not given).
    pub fn mode(&self) -> Result<(Bitness, u64), CliError> {
        let bits = self.bits.as_deref().map_or(Ok(Bitness::B64), parse_bits)?;
        let ip = self.ip.as_deref().map_or(Ok(0), |t| parse_ip(t, bits))?;
        Ok((bits, ip))
    }
}

/// Parses `--bits`.
fn parse_bits(v: &str) -> Result<Bitness, CliError> {
    let n: u64 = v.trim().parse().map_err(|_| {
        err(format!(
            "--bits: \"{}\" is not 16, 32 or 64",
            youcpu_core::units::quote(v)
        ))
    })?;
    Bitness::from_bits(n).map_err(|e| err(format!("--bits: {e}")))
}

/// Parses `--ip` by the core's address grammar ([`youcpu_core::units::address`]) and checks it
/// against the mode.
fn parse_ip(v: &str, bits: Bitness) -> Result<u64, CliError> {
    youcpu_core::units::parse_address_bits(v, bits.bits()).map_err(|e| err(format!("--ip: {e}")))
}

/// Lowercase hex bytes separated by single spaces.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Parses the arguments, reads stdin and assembles it.
pub fn run(args: Vec<OsString>) -> Result<Output, CliError> {
    let mut parser = lexopt::Parser::from_args(args);
    let mut opts = ModeArgs::default();
    while let Some(arg) = parser.next()? {
        match ModeArgs::shared(&arg) {
            Some(name) => opts.set(&mut parser, name)?,
            None => return Err(err(arg.unexpected())),
        }
    }
    let (bits, ip) = opts.mode()?;
    let input = read_at_most(std::io::stdin(), MAX_INPUT)
        .map_err(|e| err(format!("cannot read stdin: {e}")))?
        .ok_or_else(|| err(format!("the input is larger than {MAX_INPUT} bytes")))?;
    assemble_all(&input, bits, ip, opts.explain)
}

/// Assembles every line of `input`.
fn assemble_all(
    input: &[u8],
    bits: Bitness,
    start: u64,
    explain: bool,
) -> Result<Output, CliError> {
    let mut lines: Vec<&[u8]> = input.split(|b| *b == b'\n').collect();
    if lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    if lines.len() > MAX_LINES {
        return Err(err(format!(
            "{} lines given; at most {MAX_LINES} are accepted",
            lines.len()
        )));
    }
    let mut ip = start;
    let mut text = String::new();
    let mut out: Vec<Value> = Vec::new();
    for raw in lines {
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        let (source, result) = match std::str::from_utf8(raw) {
            Ok(s) => (s.to_string(), assemble(s, bits, ip)),
            Err(_) => (
                String::from_utf8_lossy(raw).into_owned(),
                Err(AsmError::Syntax("the line is not valid UTF-8".into())),
            ),
        };
        match result {
            Ok(a) => {
                let h = hex(&a.bytes);
                text.push_str(&h);
                let mut v = json!({ "source": source, "bytes": h });
                if explain {
                    if let Some(f) = &a.chosen {
                        text.push_str(&format!("    # {} ({}): {}", f.form, f.opcode, a.why));
                    }
                    if let Some(obj) = v.as_object_mut() {
                        obj.insert("why".into(), json!(a.why));
                        obj.insert(
                            "considered".into(),
                            json!(a
                                .considered
                                .iter()
                                .map(|f| json!({
                                    "form": f.form, "opcode": f.opcode, "bytes": hex(&f.bytes)
                                }))
                                .collect::<Vec<_>>()),
                        );
                    }
                }
                out.push(v);
                ip = ip.wrapping_add(a.bytes.len() as u64) & bits.max_ip();
            }
            Err(AsmError::Empty) => {
                out.push(json!({ "source": source, "bytes": "" }));
            }
            Err(e) => {
                let msg = e.to_string();
                text.push_str(&format!("error: {msg}"));
                out.push(json!({ "source": source, "error": msg }));
            }
        }
        text.push('\n');
    }
    Ok(Output::ok(text, Value::Array(out)))
}
