//! `youcpu translate`: walks a page table stored in a file of raw physical memory.
//!
//! Semantics (also in the README): level 0 is the root table, at physical address
//! `root_pfn << offset_bits`. The index of level `i` is taken from the VA top level first, above
//! the `offset_bits` page offset. Each entry is `pte_bytes` little-endian bytes at
//! `table_base + index * pte_bytes`; it is valid when bit `present_bit` is set, and its frame
//! number is `(entry >> pfn_shift) & (2^pfn_bits - 1)`. The next table (or the page) starts at
//! `pfn << offset_bits`, and `pa = (pfn << offset_bits) | offset`. No permission or huge-page
//! bits are interpreted. With the x86-64 layout (four or five levels of 9 bits, 12 offset bits,
//! 8-byte entries) a VA must be canonical, else its result is the fault "non-canonical"; with any
//! other layout a VA wider than the address width is an error. An entry address past the end of
//! the file is an error naming it. Entries are read from the file as needed, so its size is not
//! limited.

use crate::cli::{err, text_value, CliError, Output};
use serde_json::json;
use std::ffi::OsString;
use std::fs::File;
use std::os::unix::fs::FileExt;
use youcpu_core::paging::{walk, Access, FaultKind, Format, HighBits, PhysMemory};
use youcpu_core::units::{parse_address, parse_int, parse_int_list, quote};

/// Most virtual addresses in one call.
pub const MAX_VAS: usize = 65536;

const USAGE: &str =
    "usage: youcpu translate [--levels 9,9,9,9] [--offset-bits 12] [--pte-bytes 8] \
[--present-bit 0] [--pfn-shift 12] [--pfn-bits 40] --memory FILE --root-pfn N [--json] VA... \
(N and each VA: decimal, or hex after 0x; a _ may stand between two digits)";

/// The memory file, read entry by entry.
struct FileMemory {
    file: File,
    size: u64,
}

impl PhysMemory for FileMemory {
    fn read_phys(&self, addr: u64, buf: &mut [u8]) -> bool {
        if addr
            .checked_add(buf.len() as u64)
            .is_none_or(|e| e > self.size)
        {
            return false;
        }
        self.file.read_exact_at(buf, addr).is_ok()
    }

    fn write_phys(&mut self, _addr: u64, _data: &[u8]) -> bool {
        false
    }
}

fn small(parser: &mut lexopt::Parser, flag: &str, min: i64, max: i64) -> Result<u8, CliError> {
    let v = text_value(parser, flag)?;
    let n = parse_int(&v, min, max).map_err(|e| err(format!("--{flag}: {e}")))?;
    u8::try_from(n).map_err(|_| err(format!("--{flag}: {n} is out of range")))
}

/// Parses the arguments and walks each VA.
pub fn run(args: Vec<OsString>) -> Result<Output, CliError> {
    use lexopt::prelude::*;
    let mut parser = lexopt::Parser::from_args(args);
    let mut fmt = Format::plain(vec![9; 4], 12, 8, 0, 12, 40);
    let mut memory: Option<OsString> = None;
    let mut root: Option<u64> = None;
    let mut vas: Vec<(String, u64)> = Vec::new();
    while let Some(arg) = parser.next()? {
        match arg {
            Long("levels") => {
                let v = text_value(&mut parser, "levels")?;
                let list = parse_int_list(&v, 1, 32)
                    .map_err(|(i, e)| err(format!("--levels: level {i}: {e}")))?;
                fmt.levels = list.into_iter().map(|b| b as u8).collect();
            }
            Long("offset-bits") => fmt.offset_bits = small(&mut parser, "offset-bits", 1, 30)?,
            Long("pte-bytes") => fmt.pte_bytes = small(&mut parser, "pte-bytes", 1, 8)?,
            Long("present-bit") => fmt.present_bit = small(&mut parser, "present-bit", 0, 63)?,
            Long("pfn-shift") => fmt.pfn_shift = small(&mut parser, "pfn-shift", 0, 63)?,
            Long("pfn-bits") => fmt.pfn_bits = small(&mut parser, "pfn-bits", 1, 64)?,
            Long("memory") => memory = Some(parser.value()?),
            Long("root-pfn") => {
                let v = text_value(&mut parser, "root-pfn")?;
                root = Some(parse_address(&v).map_err(|e| err(format!("--root-pfn: {e}")))?);
            }
            Long("json") => {}
            Long("help") | Short('h') => {
                return Ok(Output::ok(USAGE.into(), json!({ "usage": USAGE })));
            }
            Value(v) => {
                let s = v
                    .into_string()
                    .map_err(|_| err("a virtual address is not valid UTF-8"))?;
                let va = parse_address(&s).map_err(|e| err(format!("VA: {e}")))?;
                if vas.len() >= MAX_VAS {
                    return Err(err(format!("too many VAs: at most {MAX_VAS}")));
                }
                vas.push((s, va));
            }
            _ => return Err(err(arg.unexpected())),
        }
    }
    if fmt.levels.is_empty() {
        return Err(err(
            "--levels: give the index bits of each level, root first, e.g. 9,9,9,9",
        ));
    }
    fmt.validate().map_err(|e| err(format!("{e}; {USAGE}")))?;
    fmt.high_bits = if fmt.is_x86_layout() {
        HighBits::Canonical
    } else {
        HighBits::Zero
    };
    let Some(path) = memory else {
        return Err(err(format!("--memory FILE is required; {USAGE}")));
    };
    let Some(root) = root else {
        return Err(err(format!("--root-pfn N is required; {USAGE}")));
    };
    if root
        .checked_shl(u32::from(fmt.offset_bits))
        .is_none_or(|b| b >> fmt.offset_bits != root)
    {
        return Err(err(format!(
            "--root-pfn {root:#x}: the root table address overflows 64 bits"
        )));
    }
    if vas.is_empty() {
        return Err(err(format!("give at least one VA; {USAGE}")));
    }
    let shown = quote(&path.to_string_lossy());
    let file = File::open(&path).map_err(|e| err(format!("--memory {shown}: {e}")))?;
    let meta = file
        .metadata()
        .map_err(|e| err(format!("--memory {shown}: {e}")))?;
    if !meta.is_file() {
        return Err(err(format!("--memory {shown}: not a regular file")));
    }
    let mut mem = FileMemory {
        file,
        size: meta.len(),
    };
    let width = fmt.va_bits();
    let mut out = Vec::with_capacity(vas.len());
    let mut text = String::new();
    for (s, va) in &vas {
        let w = walk(&fmt, &mut mem, root, *va, &Access::inspect());
        let steps: Vec<serde_json::Value> = w
            .steps
            .iter()
            .map(|st| {
                json!({
                    "level": st.level, "index": st.index, "entry_addr": st.entry_addr,
                    "entry": st.entry, "present": st.present, "pfn": st.pfn,
                })
            })
            .collect();
        text.push_str(&format!("VA {va:#x}\n"));
        for st in &w.steps {
            text.push_str(&format!(
                "  level {}: index {} -> entry at {:#x} = {:#x} ({}, pfn {:#x})\n",
                st.level,
                st.index,
                st.entry_addr,
                st.entry,
                if st.present { "present" } else { "not present" },
                st.pfn
            ));
        }
        let item = match w.result {
            Ok(t) => {
                text.push_str(&format!("  -> PA {:#x}\n", t.pa));
                json!({ "va": va, "walk": steps, "pa": t.pa })
            }
            Err(f) => {
                let kind = match f.kind {
                    FaultKind::NotPresent => "not-present",
                    FaultKind::NonCanonical if fmt.high_bits == HighBits::Canonical => {
                        "non-canonical"
                    }
                    FaultKind::NonCanonical => {
                        return Err(err(format!(
                            "VA {} ({va:#x}) does not fit in the {width}-bit address space",
                            quote(s)
                        )))
                    }
                    FaultKind::OutOfMemory => {
                        let level = f.level.unwrap_or(0);
                        let at = entry_addr_at(&fmt, root, &w.steps, &w.indices, level);
                        return Err(err(format!(
                            "VA {va:#x}: the level-{level} entry at {at} is past the end of {shown} ({} bytes)",
                            mem.size
                        )));
                    }
                    other => return Err(err(format!("VA {va:#x}: {}", other.describe()))),
                };
                text.push_str(&format!("  -> fault: {kind}\n"));
                json!({ "va": va, "walk": steps, "fault": kind })
            }
        };
        out.push(item);
    }
    Ok(Output::ok(text, serde_json::Value::Array(out)))
}

/// The address of the entry the walk could not read, for the error message.
fn entry_addr_at(
    fmt: &Format,
    root: u64,
    steps: &[youcpu_core::paging::Step],
    idx: &[u64],
    level: usize,
) -> String {
    let base = match level.checked_sub(1).and_then(|l| steps.get(l)) {
        Some(prev) => prev.pfn.checked_shl(u32::from(fmt.offset_bits)),
        None => root.checked_shl(u32::from(fmt.offset_bits)),
    };
    let index = idx.get(level).copied().unwrap_or(0);
    match base.and_then(|b| b.checked_add(index.checked_mul(u64::from(fmt.pte_bytes))?)) {
        Some(a) => format!("{a:#x}"),
        None => "an address beyond 2^64".into(),
    }
}
