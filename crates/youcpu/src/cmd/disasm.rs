//! `youcpu disasm HEX`: decodes machine code into Intel-syntax lines that `youcpu asm` (and GNU
//! as) assemble back to the same bytes. `--explain` adds the byte-by-byte breakdown (and, in
//! JSON, `fields` and `note`: why a line needed a GAS pseudo-prefix or `.byte`).

use super::asm::{hex, ModeArgs};
use crate::cli::{err, read_at_most, CliError, Output};
use serde_json::json;
use std::ffi::OsString;
use youcpu_core::asm::{disassemble, parse_hex, Bitness, DecodedItem};

const USAGE: &str =
    "usage: youcpu disasm [--bits 16|32|64] [--ip ADDR] [--explain] [--json] HEX... (or - for stdin)";

/// At most this much hex text is read from stdin (3 characters a byte, and some slack).
const MAX_STDIN: u64 = 1 << 20;

fn read_stdin() -> Result<String, CliError> {
    let buf = read_at_most(std::io::stdin(), MAX_STDIN)
        .map_err(|e| err(format!("cannot read stdin: {e}")))?
        .ok_or_else(|| err(format!("the hex on stdin is longer than {MAX_STDIN} bytes")))?;
    String::from_utf8(buf).map_err(|_| err("the hex on stdin is not valid UTF-8"))
}

/// Parses the arguments and decodes the bytes.
pub fn run(args: Vec<OsString>) -> Result<Output, CliError> {
    use lexopt::prelude::*;
    let mut parser = lexopt::Parser::from_args(args);
    let mut opts = ModeArgs::default();
    let mut hex_parts: Vec<String> = Vec::new();
    while let Some(arg) = parser.next()? {
        if let Some(name) = ModeArgs::shared(&arg) {
            opts.set(&mut parser, name)?;
            continue;
        }
        match arg {
            Value(v) => hex_parts.push(
                v.into_string()
                    .map_err(|_| err("the hex bytes are not valid UTF-8"))?,
            ),
            _ => return Err(err(arg.unexpected())),
        }
    }
    let (bits, ip) = opts.mode()?;
    let explain = opts.explain;
    let text = if hex_parts.len() == 1 && hex_parts.first().is_some_and(|h| h == "-") {
        read_stdin()?
    } else {
        hex_parts.join(" ")
    };
    let bytes = parse_hex(&text).map_err(err)?;
    if bytes.is_empty() {
        return Err(err(format!("no bytes given; {USAGE}")));
    }
    let items = disassemble(&bytes, bits, ip).map_err(err)?;
    let width = if bits == Bitness::B64 { 16 } else { 8 };
    let mut text = String::new();
    let mut out: Vec<serde_json::Value> = Vec::new();
    for item in &items {
        match item {
            DecodedItem::Insn(d) => {
                text.push_str(&format!(
                    "{:0width$x}  {:<30} {}\n",
                    d.ip,
                    hex(&d.bytes),
                    d.text
                ));
                if let Some(n) = &d.note {
                    text.push_str(&format!("{:width$}  note: {n}\n", ""));
                }
                if explain {
                    for f in &d.fields {
                        let fb = d.bytes.get(f.start..f.start + f.len).unwrap_or_default();
                        text.push_str(&format!(
                            "{:width$}    {:<14} {:<8} {}\n",
                            "",
                            hex(fb),
                            f.label,
                            f.explain
                        ));
                    }
                }
                let mut v = json!({
                    "ip": d.ip,
                    "len": d.len,
                    "bytes": hex(&d.bytes),
                    "mnemonic": d.mnemonic,
                    "text": d.text,
                    "flow": d.flow,
                    "operands": d.operands,
                });
                if let (true, Some(obj)) = (explain, v.as_object_mut()) {
                    obj.insert("fields".into(), json!(d.fields));
                    if let Some(n) = &d.note {
                        obj.insert("note".into(), json!(n));
                    }
                }
                out.push(v);
            }
            DecodedItem::Bad { ip, bytes, error } => {
                text.push_str(&format!(
                    "{ip:0width$x}  {:<30} error: {error}\n",
                    hex(bytes)
                ));
                let mut v = json!({ "ip": ip, "error": error.to_string() });
                if let (true, Some(obj)) = (explain, v.as_object_mut()) {
                    obj.insert("bytes".into(), json!(hex(bytes)));
                }
                out.push(v);
            }
        }
    }
    Ok(Output::ok(text, serde_json::Value::Array(out)))
}
