//! `youcpu elf FILE`: the ELF header, segments and sections, named as readelf names them.

use crate::cli::{err, read_at_most, text_value, CliError, Output};
use serde_json::{json, Value};
use std::ffi::OsString;
use youcpu_core::elf::{parse_with_limits, ElfFile, Limits};
use youcpu_core::units::parse_int;

const USAGE: &str = "usage: youcpu elf [--json] [--max-size BYTES] FILE";

/// The CLI reads files up to 1 GiB by default (the browser's limit is 64 MiB).
const CLI_MAX_FILE_SIZE: u64 = 1 << 30;

/// Parses the arguments, reads the file and describes it.
pub fn run(args: Vec<OsString>) -> Result<Output, CliError> {
    use lexopt::prelude::*;
    let mut parser = lexopt::Parser::from_args(args);
    let mut path: Option<OsString> = None;
    let mut limits = Limits {
        max_file_size: CLI_MAX_FILE_SIZE,
        ..Limits::default()
    };
    while let Some(arg) = parser.next()? {
        match arg {
            Long("json") => {}
            Long("help") | Short('h') => {
                return Ok(Output::ok(USAGE.into(), json!({ "usage": USAGE })));
            }
            Long("max-size") => {
                let v = text_value(&mut parser, "max-size")?;
                let n = parse_int(&v, 1, i64::MAX).map_err(|e| err(format!("--max-size: {e}")))?;
                limits.max_file_size = n as u64;
            }
            Value(v) if path.is_none() => path = Some(v),
            _ => return Err(err(arg.unexpected())),
        }
    }
    let Some(path) = path else {
        return Err(err(USAGE));
    };
    let shown = path.to_string_lossy().into_owned();
    let bytes = read_file(&path, &shown, limits.max_file_size)?;
    let elf = parse_with_limits(&bytes, &limits).map_err(|e| err(format!("{shown}: {e}")))?;
    Ok(Output::ok(text(&elf), to_json(&elf)))
}

/// Reads at most `limit` bytes; a longer file is an error, found without reading it all.
fn read_file(path: &OsString, shown: &str, limit: u64) -> Result<Vec<u8>, CliError> {
    let file = std::fs::File::open(path).map_err(|e| err(format!("{shown}: {e}")))?;
    let meta = file.metadata().map_err(|e| err(format!("{shown}: {e}")))?;
    if meta.is_dir() {
        return Err(err(format!("{shown}: is a directory")));
    }
    read_at_most(file, limit)
        .map_err(|e| err(format!("{shown}: {e}")))?
        .ok_or_else(|| {
            err(format!(
                "{shown}: the file is larger than {limit} bytes (see --max-size)"
            ))
        })
}

/// The JSON document of the CLI contract, plus "needed" (the DT_NEEDED libraries).
pub fn to_json(elf: &ElfFile) -> Value {
    let segments: Vec<Value> = elf
        .segments
        .iter()
        .map(|s| {
            json!({
                "type": s.type_name,
                "offset": s.offset.value,
                "vaddr": s.vaddr.value,
                "paddr": s.paddr.value,
                "filesz": s.filesz.value,
                "memsz": s.memsz.value,
                "flags": s.flags_text,
                "align": s.align.value,
            })
        })
        .collect();
    let sections: Vec<Value> = elf
        .sections
        .iter()
        .map(|s| {
            json!({
                "name": s.name,
                "type": s.type_name,
                "addr": s.addr.value,
                "offset": s.offset.value,
                "size": s.size.value,
                "flags": s.flags_text,
            })
        })
        .collect();
    json!({
        "class": elf.class_bits(),
        "endian": elf.endian_name(),
        "type": elf.type_name(),
        "machine": elf.machine_name(),
        "entry": elf.header.entry.value,
        "interp": elf.interp.as_ref().map(|i| i.path.clone()),
        "needed": elf.needed(),
        "segments": segments,
        "sections": sections,
    })
}

fn text(elf: &ElfFile) -> String {
    let mut t = format!(
        "ELF{} {}-endian {} for {}, entry point {:#x}\n",
        elf.class_bits(),
        elf.endian_name(),
        elf.type_name(),
        elf.machine_name(),
        elf.header.entry.value
    );
    if let Some(i) = &elf.interp {
        t.push_str(&format!("program interpreter: {}\n", i.path));
    }
    let needed = elf.needed();
    if !needed.is_empty() {
        t.push_str(&format!("needed libraries: {}\n", needed.join(", ")));
    }
    t.push_str(&format!("\n{} segment(s):\n", elf.segments.len()));
    t.push_str(
        "  Type             Offset     VirtAddr           FileSiz    MemSiz     Flg  Align\n",
    );
    for s in &elf.segments {
        t.push_str(&format!(
            "  {:<16} {:#010x} {:#018x} {:#010x} {:#010x} {} {:#x}\n",
            s.type_name,
            s.offset.value,
            s.vaddr.value,
            s.filesz.value,
            s.memsz.value,
            s.flags_text,
            s.align.value
        ));
    }
    t.push_str(&format!("\n{} section(s):\n", elf.sections.len()));
    t.push_str("  [Nr] Name                 Type             Address            Offset     Size       Flg\n");
    for s in &elf.sections {
        t.push_str(&format!(
            "  [{:>2}] {:<20} {:<16} {:#018x} {:#010x} {:#010x} {}\n",
            s.index, s.name, s.type_name, s.addr.value, s.offset.value, s.size.value, s.flags_text
        ));
    }
    t
}
