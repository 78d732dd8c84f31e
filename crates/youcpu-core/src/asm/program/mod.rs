//! Whole programs: assembly source with sections, labels and data → a static x86-64 ELF
//! executable, the way `as` followed by `ld` (no libraries) would make it.
//!
//! # The source language
//!
//! GNU as Intel syntax (`.intel_syntax noprefix`), so the same file also builds with
//! `as prog.s -o prog.o && ld prog.o -o prog`:
//!
//! - one statement a line; `#` starts a comment; `name:` defines a label (before a statement
//!   or alone); `_start` is the entry point (the first byte of `.text` without it);
//! - sections: `.text` (instructions; read + execute), `.data` (read + write), `.bss` (zeroed,
//!   takes no room in the file), also as `.section .data` and so on;
//! - data: `.byte`, `.word`/`.short`, `.long`/`.int`, `.quad` (comma-separated values, which
//!   may be addresses: `.quad msg`), `.ascii "text"`, `.asciz`/`.string "text"` (with a NUL
//!   after), `.zero N`, `.skip N[, fill]`/`.space N[, fill]`; `.balign N`/`.align N` (N bytes,
//!   as on x86 ELF) and `.p2align P` (2^P bytes) pad to an absolute address multiple;
//! - constants: `NAME = EXPR`, `.equ NAME, EXPR`, `.set NAME, EXPR`, where `.` is the current
//!   address (`len = . - msg`); values are numbers (`0x1f`, `0b101`, `017`, `'a'`), symbols,
//!   `+ - *` and parentheses;
//! - accepted and ignored: `.globl`/`.global NAME`, `.intel_syntax noprefix`;
//! - how a symbol inside an instruction is read (branch target, `offset`, memory, `[rip + x]`)
//!   is described in [`operands`].
//!
//! # Layout
//!
//! Code, data and BSS are placed by the core's ELF writer ([`crate::elf::writer`]): headers and
//! `.text` in one `PT_LOAD` (r-x) at 0x400000, `.data` and `.bss` in a second (rw-) starting on
//! the page after the code's last page. Addresses depend on sizes and sizes (a jump's
//! encoding) on addresses, so the program is assembled again until nothing moves, at most
//! [`MAX_PASSES`] times.
//!
//! Errors name the line (1-based); every input gives a program or errors, never a panic.

pub mod expr;
pub mod operands;
pub mod source;

use super::{assemble, Bitness};
use crate::elf::writer::{layout, write_executable, ExecutableSpec, Layout, WriteError};
use expr::{eval, Val};
use operands::{is_register, resolve, Known};
use serde::Serialize;
use source::{parse_line, Parsed, Stmt};
use std::collections::HashMap;
use std::fmt;

/// Most bytes of source accepted.
pub const MAX_SOURCE: usize = 256 * 1024;
/// Most source lines accepted.
pub const MAX_SOURCE_LINES: usize = 10_000;
/// Most assembly passes before the addresses must have settled.
pub const MAX_PASSES: usize = 16;
/// Most errors reported (the rest are counted).
pub const MAX_ERRORS: usize = 50;
/// Most bytes of `.text` (and of `.data`).
pub const MAX_SECTION: u64 = 1 << 20;
/// Most bytes of `.bss`.
pub const MAX_BSS: u64 = 16 << 20;
/// Largest `.balign`.
pub const MAX_ALIGN: u64 = 4096;

/// A section of the program.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Section {
    /// Instructions (and read-only bytes), r-x.
    Text,
    /// Initialised data, rw-.
    Data,
    /// Zeroed data, rw-, no bytes in the file.
    Bss,
}

impl Section {
    /// `.text`, `.data` or `.bss`.
    pub fn name(self) -> &'static str {
        match self {
            Section::Text => ".text",
            Section::Data => ".data",
            Section::Bss => ".bss",
        }
    }
    fn index(self) -> usize {
        match self {
            Section::Text => 0,
            Section::Data => 1,
            Section::Bss => 2,
        }
    }
}

/// One problem, on one line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LineError {
    /// 1-based line number; 0 for the program as a whole.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for LineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            f.write_str(&self.message)
        } else {
            write!(f, "line {}: {}", self.line, self.message)
        }
    }
}

/// Why a program could not be built: the errors in line order (at most [`MAX_ERRORS`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BuildError {
    /// The errors.
    pub errors: Vec<LineError>,
    /// How many more there were.
    pub more: usize,
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.errors.first() {
            Some(e) => write!(f, "{e}")?,
            None => f.write_str("the program could not be built")?,
        }
        let others = self.errors.len().saturating_sub(1) + self.more;
        if others > 0 {
            write!(
                f,
                " (and {others} more error{})",
                if others == 1 { "" } else { "s" }
            )?;
        }
        Ok(())
    }
}

impl std::error::Error for BuildError {}

fn whole(message: impl Into<String>) -> BuildError {
    BuildError {
        errors: vec![LineError {
            line: 0,
            message: message.into(),
        }],
        more: 0,
    }
}

/// A symbol of the built program.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Symbol {
    /// Its name.
    pub name: String,
    /// Its value (an address for a label).
    pub value: u64,
    /// The section of a label; `None` for a constant.
    pub section: Option<Section>,
    /// The line defining it.
    pub line: usize,
}

/// One source line that produced bytes (or BSS room).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Listed {
    /// 1-based line number.
    pub line: usize,
    /// Its section.
    pub section: Section,
    /// Address of its first byte.
    pub addr: u64,
    /// Its bytes (empty in `.bss`).
    pub bytes: Vec<u8>,
    /// Its size in memory.
    pub size: u64,
}

/// A built program.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Program {
    /// The ELF file.
    #[serde(skip)]
    pub elf: Vec<u8>,
    /// Where the writer put everything.
    pub layout: Layout,
    /// The entry point.
    pub entry: u64,
    /// True when the entry is the `_start` label (else the first byte of `.text`).
    pub entry_is_start: bool,
    /// Bytes of `.text`, `.data` and `.bss`.
    pub text_size: u64,
    /// Bytes of `.data`.
    pub data_size: u64,
    /// Bytes of `.bss`.
    pub bss_size: u64,
    /// Labels and constants, in definition order.
    pub symbols: Vec<Symbol>,
    /// Lines that made bytes, in source order.
    pub listing: Vec<Listed>,
    /// Assembly passes it took.
    pub passes: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Label,
    Const,
}

/// Choices beyond the source.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BuildOptions {
    /// Where `.data` starts in memory; `None` lets the ELF writer pick the page after the code
    /// (see [`ExecutableSpec::data_vaddr`]).
    pub data_vaddr: Option<u64>,
}

/// Section start addresses for given section sizes.
fn section_bases(sizes: [u64; 3], opts: &BuildOptions) -> Result<([u64; 3], Layout), WriteError> {
    let [text, data, bss] = sizes;
    let mut spec = ExecutableSpec::x86_64(vec![0; text.max(1) as usize], vec![0; data as usize]);
    spec.bss_size = bss;
    spec.data_vaddr = opts.data_vaddr;
    let l = layout(&spec)?;
    Ok(([l.code_vaddr, l.data_vaddr, l.bss_vaddr], l))
}

struct Pass {
    values: HashMap<String, Val>,
    label_sections: HashMap<String, Section>,
    sections: [Vec<u8>; 2],
    bss: u64,
    listing: Vec<Listed>,
    errors: Vec<LineError>,
}

fn put(v: i128, width: u8) -> Result<Vec<u8>, String> {
    let bits = u32::from(width) * 8;
    let ok = if bits >= 64 {
        v >= i128::from(i64::MIN) && v <= i128::from(u64::MAX)
    } else {
        v >= -(1i128 << (bits - 1)) && v < (1i128 << bits)
    };
    if !ok {
        return Err(format!(
            "{v} does not fit in {width} byte{}",
            if width == 1 { "" } else { "s" }
        ));
    }
    Ok((v as u64)
        .to_le_bytes()
        .get(..usize::from(width))
        .unwrap_or_default()
        .to_vec())
}

/// One pass over the statements with the previous pass's symbol values and section bases.
fn pass(
    lines: &[Parsed],
    defs: &HashMap<String, (Kind, usize)>,
    old: &HashMap<String, Val>,
    bases: [u64; 3],
) -> Pass {
    let mut p = Pass {
        values: HashMap::new(),
        label_sections: HashMap::new(),
        sections: [Vec::new(), Vec::new()],
        bss: 0,
        listing: Vec::new(),
        errors: Vec::new(),
    };
    let mut cur = Section::Text;
    for l in lines {
        let size_of = |p: &Pass, s: Section| match s {
            Section::Bss => p.bss,
            s => p.sections.get(s.index()).map_or(0, |v| v.len() as u64),
        };
        let addr = bases
            .get(cur.index())
            .copied()
            .unwrap_or(0)
            .wrapping_add(size_of(&p, cur));
        for name in &l.labels {
            p.values.insert(name.clone(), Val::addr(addr));
            p.label_sections.insert(name.clone(), cur);
        }
        let values = &p.values;
        let lookup = |w: &str| -> Result<Known, String> {
            let Some(&(_, line)) = defs.get(w) else {
                return Err(if is_register(w) {
                    format!("{w} is a register and cannot be used here")
                } else {
                    format!("{w} is not defined (no label \"{w}:\" and no constant \"{w} = ...\")")
                });
            };
            let val = values
                .get(w)
                .or_else(|| old.get(w))
                .copied()
                .unwrap_or(Val::konst(0));
            Ok(Known { val, line })
        };
        let plain = |w: &str| lookup(w).map(|k| k.val);
        let konst = |text: &str, what: &str| -> Result<i128, String> {
            let v = eval(text, Val::addr(addr), &plain)?;
            if v.weight != 0 {
                return Err(format!("{what} must be a number, not an address"));
            }
            Ok(v.num)
        };
        let out: Result<(Vec<u8>, u64), String> = match &l.stmt {
            Stmt::Nothing => Ok((Vec::new(), 0)),
            Stmt::Section(s) => {
                cur = *s;
                Ok((Vec::new(), 0))
            }
            Stmt::Equ { name, expr } => match eval(expr, Val::addr(addr), &plain) {
                Ok(v) if v.weight == 0 || v.weight == 1 => {
                    p.values.insert(name.clone(), v);
                    Ok((Vec::new(), 0))
                }
                Ok(_) => Err(format!(
                    "{name}: the value is neither an address nor a number"
                )),
                Err(e) => Err(e),
            },
            Stmt::Insn(_) | Stmt::Data { .. } | Stmt::Bytes(_) if cur == Section::Bss => Err(
                ".bss holds only zeroed room (.zero, .skip, .balign): put this in .data or .text"
                    .into(),
            ),
            Stmt::Insn(text) if cur == Section::Data => Err(format!(
                "\"{}\" is in .data: instructions belong in .text",
                crate::units::quote(text)
            )),
            Stmt::Insn(text) => {
                // First with a stand-in next address (only the length matters), then, for a
                // [rip + symbol], again with the real one.
                let first = resolve(text, l.line, addr, addr, &lookup).and_then(|r| {
                    assemble(&r.text, Bitness::B64, addr)
                        .map(|a| (r, a.bytes))
                        .map_err(|e| e.to_string())
                });
                match first {
                    Ok((r, bytes)) if r.rip_relative => {
                        let next = addr.wrapping_add(bytes.len() as u64);
                        resolve(text, l.line, addr, next, &lookup).and_then(|r| {
                            assemble(&r.text, Bitness::B64, addr)
                                .map(|a| (a.bytes.len() as u64, a.bytes))
                                .map_err(|e| e.to_string())
                        })
                    }
                    Ok((_, bytes)) => Ok((bytes.len() as u64, bytes)),
                    Err(e) => Err(e),
                }
                .map(|(n, b)| (b, n))
            }
            Stmt::Data { width, exprs } => {
                let mut b = Vec::new();
                let mut err = None;
                for e in exprs {
                    match eval(e, Val::addr(addr), &plain) {
                        Ok(v) if v.weight == 0 || (v.weight == 1 && *width == 8) => {
                            match put(v.num, *width) {
                                Ok(x) => b.extend(x),
                                Err(m) => {
                                    err = Some(m);
                                    break;
                                }
                            }
                        }
                        Ok(_) => {
                            err = Some(format!(
                                "\"{}\": an address takes 8 bytes: use .quad",
                                crate::units::quote(e)
                            ));
                            break;
                        }
                        Err(m) => {
                            err = Some(m);
                            break;
                        }
                    }
                }
                match err {
                    Some(m) => Err(m),
                    None => {
                        let n = b.len() as u64;
                        Ok((b, n))
                    }
                }
            }
            Stmt::Bytes(b) => Ok((b.clone(), b.len() as u64)),
            Stmt::Fill { count, fill } => konst(count, "the count").and_then(|n| {
                let limit = if cur == Section::Bss {
                    MAX_BSS
                } else {
                    MAX_SECTION
                };
                if n < 0 || n > i128::from(limit) {
                    return Err(format!(
                        "{n} bytes: the count must be from 0 to {limit} in {}",
                        cur.name()
                    ));
                }
                let f = match fill {
                    Some(f) => konst(f, "the fill byte")?,
                    None => 0,
                };
                if !(-128..=255).contains(&f) {
                    return Err(format!("the fill value {f} is not a byte"));
                }
                if cur == Section::Bss {
                    if f != 0 {
                        return Err(".bss is zeroed: no fill value".into());
                    }
                    return Ok((Vec::new(), n as u64));
                }
                Ok((vec![f as u8; n as usize], n as u64))
            }),
            Stmt::Align { n, pow2 } => konst(n, "the alignment").and_then(|n| {
                let n = if *pow2 {
                    if !(0..=12).contains(&n) {
                        return Err(format!(".p2align {n}: the power must be from 0 to 12"));
                    }
                    1i128 << n
                } else {
                    n
                };
                if n < 1 || n > i128::from(MAX_ALIGN) || (n & (n - 1)) != 0 {
                    return Err(format!(
                        "alignment {n} is not a power of two from 1 to {MAX_ALIGN}"
                    ));
                }
                let n = n as u64;
                let pad = addr.next_multiple_of(n).wrapping_sub(addr);
                // GAS pads code with no-ops and data with zeros.
                let fill = if cur == Section::Text { 0x90 } else { 0 };
                if cur == Section::Bss {
                    Ok((Vec::new(), pad))
                } else {
                    Ok((vec![fill; pad as usize], pad))
                }
            }),
        };
        match out {
            Ok((bytes, size)) => {
                if size == 0 {
                    continue;
                }
                let limit = if cur == Section::Bss {
                    MAX_BSS
                } else {
                    MAX_SECTION
                };
                if size_of(&p, cur) + size > limit {
                    p.errors.push(LineError {
                        line: l.line,
                        message: format!("{} grows past its limit of {limit} bytes", cur.name()),
                    });
                    break;
                }
                match cur {
                    Section::Bss => p.bss += size,
                    s => {
                        if let Some(v) = p.sections.get_mut(s.index()) {
                            v.extend_from_slice(&bytes);
                        }
                    }
                }
                p.listing.push(Listed {
                    line: l.line,
                    section: cur,
                    addr,
                    bytes,
                    size,
                });
            }
            Err(message) => p.errors.push(LineError {
                line: l.line,
                message,
            }),
        }
    }
    p
}

fn finish_errors(mut errors: Vec<LineError>) -> BuildError {
    errors.sort_by_key(|e| e.line);
    let more = errors.len().saturating_sub(MAX_ERRORS);
    errors.truncate(MAX_ERRORS);
    BuildError { errors, more }
}

/// Assembles `source` and writes it as a static x86-64 ELF executable.
pub fn build_program(source: &str) -> Result<Program, BuildError> {
    build_program_with(source, &BuildOptions::default())
}

/// [`build_program`] with options.
pub fn build_program_with(source: &str, opts: &BuildOptions) -> Result<Program, BuildError> {
    if source.len() > MAX_SOURCE {
        return Err(whole(format!(
            "the source is {} bytes; the limit is {MAX_SOURCE}",
            source.len()
        )));
    }
    if source.lines().count() > MAX_SOURCE_LINES {
        return Err(whole(format!(
            "the source has more than {MAX_SOURCE_LINES} lines"
        )));
    }
    let mut errors = Vec::new();
    let mut lines = Vec::new();
    for (i, text) in source.lines().enumerate() {
        if text.len() > super::MAX_LINE_LEN {
            errors.push(LineError {
                line: i + 1,
                message: format!("the line is longer than {} bytes", super::MAX_LINE_LEN),
            });
            continue;
        }
        match parse_line(i + 1, text) {
            Ok(p) => lines.push(p),
            Err(message) => errors.push(LineError {
                line: i + 1,
                message,
            }),
        }
    }
    // Every symbol's definition, once.
    let mut defs: HashMap<String, (Kind, usize)> = HashMap::new();
    let mut order: Vec<String> = Vec::new();
    for l in &lines {
        let names = l
            .labels
            .iter()
            .map(|n| (n, Kind::Label))
            .chain(match &l.stmt {
                Stmt::Equ { name, .. } => Some((name, Kind::Const)),
                _ => None,
            });
        for (name, kind) in names {
            if operands::is_reserved(name) {
                errors.push(LineError {
                    line: l.line,
                    message: format!(
                        "{name} is a register name or a keyword and cannot be a symbol"
                    ),
                });
            } else if let Some((_, at)) = defs.get(name) {
                errors.push(LineError {
                    line: l.line,
                    message: format!("{name} is already defined on line {at}"),
                });
            } else {
                defs.insert(name.clone(), (kind, l.line));
                order.push(name.clone());
            }
        }
    }
    if !errors.is_empty() {
        return Err(finish_errors(errors));
    }
    let mut values: HashMap<String, Val> = HashMap::new();
    let (mut bases, _) = section_bases([1, 0, 0], opts).map_err(|e| whole(e.to_string()))?;
    for n in 1..=MAX_PASSES {
        let p = pass(&lines, &defs, &values, bases);
        let [text, data] = &p.sections;
        let sizes = [text.len() as u64, data.len() as u64, p.bss];
        let (new_bases, lay) = section_bases(sizes, opts).map_err(|e| whole(e.to_string()))?;
        let settled = new_bases == bases && p.values == values;
        bases = new_bases;
        values = p.values;
        if !settled {
            continue;
        }
        if !p.errors.is_empty() {
            return Err(finish_errors(p.errors));
        }
        let [text, data] = p.sections;
        if text.is_empty() {
            return Err(whole(
                "there are no instructions: put some in .text (the entry point is _start)",
            ));
        }
        let text_range = lay.code_vaddr..lay.code_vaddr + text.len() as u64;
        let (entry, entry_is_start) = match (defs.get("_start"), values.get("_start")) {
            (Some((Kind::Label, line)), Some(v)) => {
                let at = v.num as u64;
                if p.label_sections.get("_start") != Some(&Section::Text)
                    || !text_range.contains(&at)
                {
                    return Err(BuildError {
                        errors: vec![LineError {
                            line: *line,
                            message: "_start, the entry point, must label an instruction in .text"
                                .into(),
                        }],
                        more: 0,
                    });
                }
                (at, true)
            }
            _ => (lay.code_vaddr, false),
        };
        let spec = ExecutableSpec {
            entry_offset: entry - lay.code_vaddr,
            bss_size: sizes[2],
            data_vaddr: opts.data_vaddr,
            ..ExecutableSpec::x86_64(text, data)
        };
        let w = write_executable(&spec).map_err(|e| whole(e.to_string()))?;
        if [w.layout.code_vaddr, w.layout.data_vaddr, w.layout.bss_vaddr] != bases {
            return Err(whole(
                "the ELF writer placed the sections elsewhere than planned",
            ));
        }
        let symbols = order
            .iter()
            .filter_map(|name| {
                let (kind, line) = defs.get(name)?;
                let v = values.get(name)?;
                let section = match kind {
                    Kind::Const => None,
                    Kind::Label => p.label_sections.get(name).copied(),
                };
                Some(Symbol {
                    name: name.clone(),
                    value: v.num as u64,
                    section,
                    line: *line,
                })
            })
            .collect();
        return Ok(Program {
            elf: w.bytes,
            layout: w.layout,
            entry,
            entry_is_start,
            text_size: sizes[0],
            data_size: sizes[1],
            bss_size: sizes[2],
            symbols,
            listing: p.listing,
            passes: n,
        });
    }
    Err(whole(format!(
        "the addresses did not settle after {MAX_PASSES} passes (jumps keep changing size)"
    )))
}
