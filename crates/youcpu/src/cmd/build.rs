//! `youcpu build`: assembles a whole program (GNU as Intel syntax with `.text`/`.data`/`.bss`,
//! labels and data directives; see `youcpu_core::asm::program`) and writes a static x86-64
//! ELF executable, mode 0755, that runs on Linux and under `youcpu run`.
//!
//! `youcpu build [-o OUT] [--json] SRC` (`-` reads stdin). Without `-o` the output is SRC
//! without its extension (`hello.s` → `hello`), or `a.out` for stdin. Errors name the line;
//! the exit status is 1 with one line of message for any bad input.

use crate::cli::{err, read_at_most, CliError, Output};
use serde_json::json;
use std::ffi::OsString;
use std::path::PathBuf;
use youcpu_core::asm::build_program;
use youcpu_core::asm::program::MAX_SOURCE;

const USAGE: &str = "usage: youcpu build [-o OUT] [--json] SRC (SRC may be - for stdin)";

fn read_source(src: &OsString) -> Result<String, CliError> {
    let limit = MAX_SOURCE as u64;
    let bytes = if src == "-" {
        read_at_most(std::io::stdin().lock(), limit)
            .map_err(|e| err(format!("cannot read stdin: {e}")))?
    } else {
        let f = std::fs::File::open(src)
            .map_err(|e| err(format!("cannot read {}: {e}", src.to_string_lossy())))?;
        read_at_most(f, limit)
            .map_err(|e| err(format!("cannot read {}: {e}", src.to_string_lossy())))?
    };
    let bytes = bytes.ok_or_else(|| {
        err(format!(
            "the source is larger than {MAX_SOURCE} bytes, the limit"
        ))
    })?;
    String::from_utf8(bytes).map_err(|e| {
        err(format!(
            "the source is not UTF-8 text (byte {} is not)",
            e.utf8_error().valid_up_to()
        ))
    })
}

fn default_output(src: &OsString) -> PathBuf {
    if src == "-" {
        return PathBuf::from("a.out");
    }
    let p = PathBuf::from(src);
    let stem = p.with_extension("");
    if stem == p {
        // No extension: do not overwrite the source.
        p.with_extension("out")
    } else {
        stem
    }
}

/// Parses the arguments, builds, writes the file.
pub fn run(args: Vec<OsString>) -> Result<Output, CliError> {
    use lexopt::prelude::*;
    let mut parser = lexopt::Parser::from_args(args);
    let mut out: Option<PathBuf> = None;
    let mut src: Option<OsString> = None;
    while let Some(arg) = parser.next()? {
        match arg {
            Short('o') | Long("output") => out = Some(PathBuf::from(parser.value()?)),
            Long("json") => {}
            Value(v) if src.is_none() => src = Some(v),
            _ => return Err(err(arg.unexpected())),
        }
    }
    let Some(src) = src else {
        return Err(err(USAGE));
    };
    let text = read_source(&src)?;
    let shown = src.to_string_lossy().into_owned();
    let p = build_program(&text).map_err(|e| err(format!("{shown}: {e}")))?;
    let out = out.unwrap_or_else(|| default_output(&src));
    std::fs::write(&out, &p.elf)
        .map_err(|e| err(format!("cannot write {}: {e}", out.display())))?;
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o755))
            .map_err(|e| err(format!("cannot make {} executable: {e}", out.display())))?;
    }
    let l = &p.layout;
    let mut segments = vec![json!({
        "type": "PT_LOAD", "flags": "r-x", "vaddr": l.code_vaddr - l.code_offset,
        "offset": 0, "filesz": l.code_offset + p.text_size, "memsz": l.code_offset + p.text_size,
        "holds": "ELF header, program headers, .text",
    })];
    if p.data_size + p.bss_size > 0 {
        segments.push(json!({
            "type": "PT_LOAD", "flags": "rw-", "vaddr": l.data_vaddr, "offset": l.data_offset,
            "filesz": p.data_size, "memsz": p.data_size + p.bss_size,
            "holds": ".data and .bss (memsz - filesz zeroed bytes)",
        }));
    }
    let mut text = format!(
        "wrote {}: {} bytes, entry {:#x}{}\n",
        out.display(),
        p.elf.len(),
        p.entry,
        if p.entry_is_start {
            " (_start)"
        } else {
            " (first instruction; no _start)"
        }
    );
    text.push_str(&format!(
        "  .text {} bytes at {:#x} (r-x)\n",
        p.text_size, l.code_vaddr
    ));
    if p.data_size > 0 {
        text.push_str(&format!(
            "  .data {} bytes at {:#x} (rw-)\n",
            p.data_size, l.data_vaddr
        ));
    }
    if p.bss_size > 0 {
        text.push_str(&format!(
            "  .bss  {} bytes at {:#x} (rw-, zeroed, not in the file)\n",
            p.bss_size, l.bss_vaddr
        ));
    }
    let symbols: Vec<serde_json::Value> = p
        .symbols
        .iter()
        .map(|s| json!({"name": s.name, "value": s.value, "section": s.section.map(|x| x.name()), "line": s.line}))
        .collect();
    Ok(Output::ok(
        text,
        json!({
            "output": out.display().to_string(),
            "size": p.elf.len(),
            "entry": p.entry,
            "entry_is_start": p.entry_is_start,
            "text_size": p.text_size,
            "data_size": p.data_size,
            "bss_size": p.bss_size,
            "segments": segments,
            "symbols": symbols,
            "passes": p.passes,
        }),
    ))
}
