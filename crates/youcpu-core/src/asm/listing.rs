//! Small programs with labels, for every widget and machine that assembles one (the
//! preemption machine's kernel and processes, the ring-3 stepper of `fetch-execute`, `rings`
//! and `syscall`): `name:` defines a label at the next byte, and a label named in an operand is
//! replaced by its address before the line goes to our assembler ([`crate::asm::assemble`]).
//! Addresses are recomputed until they settle, as an assembler's relaxation passes do (a jump's
//! size depends on its distance).
//!
//! [`lay_out`] keeps every line with its own error (an editor marks them);
//! [`assemble_listing`] wants a program that assembles and says which line does not.

use crate::asm::{assemble, Bitness};
use serde::Serialize;

/// At most this many lines in one listing.
pub const MAX_LISTING_LINES: usize = 400;
/// At most this many passes before the label addresses must have settled.
const MAX_PASSES: usize = 8;

/// One line of an assembled listing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ListingLine {
    /// The address of its first byte.
    pub addr: u64,
    /// The line as written (comments kept).
    pub text: String,
    /// Its bytes (none for a label or a comment, or a refused line).
    pub bytes: Vec<u8>,
    /// Why the assembler refused it ([`lay_out`] only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// A listing and its machine code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Listing {
    /// Every line.
    pub lines: Vec<ListingLine>,
    /// The code, from the base address.
    pub code: Vec<u8>,
    /// Label names and addresses.
    pub labels: Vec<(String, u64)>,
}

impl Listing {
    /// The address of a label.
    pub fn label(&self, name: &str) -> Option<u64> {
        self.labels.iter().find(|(n, _)| n == name).map(|(_, a)| *a)
    }
}

fn is_ident_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_' || c == '.'
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '.'
}

/// Splits a line into (label, instruction) with the comment (`#` or `;`) removed.
fn split(line: &str) -> (Option<&str>, &str) {
    let code = line.split(['#', ';']).next().unwrap_or("").trim();
    if let Some((head, rest)) = code.split_once(':') {
        let head = head.trim();
        let mut chars = head.chars();
        if chars.next().is_some_and(is_ident_start) && chars.all(is_ident) {
            return (Some(head), rest.trim());
        }
    }
    (None, code)
}

/// Replaces label names in the operands (everything after the mnemonic) by their addresses.
fn substitute(insn: &str, labels: &[(String, u64)]) -> String {
    let (mnemonic, operands) = match insn.split_once(char::is_whitespace) {
        Some((m, o)) => (m, o),
        None => return insn.to_string(),
    };
    let mut out = String::with_capacity(insn.len() + 16);
    out.push_str(mnemonic);
    out.push(' ');
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        match labels.iter().find(|(n, _)| n == word) {
            Some((_, a)) => out.push_str(&format!("{a:#x}")),
            None => out.push_str(word),
        }
        word.clear();
    };
    let mut prev_ident = false;
    for c in operands.chars() {
        // A word starts with a letter, `_` or `.`; digits continue it (so `0x10` stays a number).
        if (word.is_empty() && !prev_ident && is_ident_start(c))
            || (!word.is_empty() && is_ident(c))
        {
            word.push(c);
            continue;
        }
        if !word.is_empty() {
            flush(&mut word, &mut out);
        }
        prev_ident = is_ident(c);
        out.push(c);
    }
    if !word.is_empty() {
        flush(&mut word, &mut out);
    }
    out
}

/// A listing laid out line by line, each with its bytes or its error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Draft {
    /// Every line (at most the `max_lines` asked for).
    pub lines: Vec<ListingLine>,
    /// Label names and their addresses.
    pub labels: Vec<(String, u64)>,
    /// Line number (from 1) and name of the first label defined twice.
    pub duplicate: Option<(usize, String)>,
    /// Whether the addresses settled within the passes allowed.
    pub settled: bool,
}

impl Draft {
    /// The machine code of every line, in order.
    pub fn code(&self) -> Vec<u8> {
        self.lines
            .iter()
            .flat_map(|l| l.bytes.iter().copied())
            .collect()
    }
}

/// Lays out the first `max_lines` lines of `source` from `base`: labels resolved, every line
/// assembled at its address, a refused line kept with its error (and no bytes).
pub fn lay_out(source: &str, base: u64, max_lines: usize) -> Draft {
    let text: Vec<&str> = source.lines().take(max_lines).collect();
    let mut labels: Vec<(String, u64)> = Vec::new();
    let mut duplicate = None;
    for (n, line) in text.iter().enumerate() {
        if let (Some(name), _) = split(line) {
            if labels.iter().any(|(l, _)| l == name) {
                duplicate.get_or_insert_with(|| (n + 1, name.to_string()));
            } else {
                labels.push((name.to_string(), base));
            }
        }
    }
    let mut lines = Vec::with_capacity(text.len());
    for _ in 0..MAX_PASSES {
        let mut at = base;
        lines.clear();
        let mut next = labels.clone();
        for line in &text {
            let (label, insn) = split(line);
            if let Some(name) = label {
                if let Some(e) = next.iter_mut().find(|(l, _)| l == name) {
                    e.1 = at;
                }
            }
            let (bytes, error) = if insn.is_empty() {
                (Vec::new(), None)
            } else {
                match assemble(&substitute(insn, &labels), Bitness::B64, at) {
                    Ok(a) => (a.bytes, None),
                    Err(e) => (Vec::new(), Some(e.to_string())),
                }
            };
            at = at.wrapping_add(bytes.len() as u64);
            lines.push(ListingLine {
                addr: at.wrapping_sub(bytes.len() as u64),
                text: (*line).to_string(),
                bytes,
                error,
            });
        }
        if next == labels {
            return Draft {
                lines,
                labels,
                duplicate,
                settled: true,
            };
        }
        labels = next;
    }
    Draft {
        lines,
        labels,
        duplicate,
        settled: false,
    }
}

/// Why a listing did not assemble ([`assemble_listing`]): each cause names the line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ListingError {
    /// More than [`MAX_LISTING_LINES`] lines.
    TooManyLines {
        /// How many there are.
        count: usize,
    },
    /// A label defined twice (the second time on `line`).
    DuplicateLabel {
        /// 1-based line number.
        line: usize,
        /// The label.
        name: String,
    },
    /// A line that does not assemble.
    Line {
        /// 1-based line number.
        line: usize,
        /// Its text, trimmed.
        text: String,
        /// The assembler's message.
        message: String,
    },
    /// The code grew past `max_bytes` at `line`.
    TooLong {
        /// The room for the code.
        max_bytes: usize,
        /// 1-based line number.
        line: usize,
    },
    /// Label addresses kept moving (instruction sizes depend on them).
    Unsettled,
}

impl std::fmt::Display for ListingError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ListingError::TooManyLines { count } => write!(
                f,
                "the listing has {count} lines; at most {MAX_LISTING_LINES} are accepted"
            ),
            ListingError::DuplicateLabel { line, name } => {
                write!(f, "line {line}: the label `{name}` is defined twice")
            }
            ListingError::Line {
                line,
                text,
                message,
            } => write!(f, "line {line} `{text}`: {message}"),
            ListingError::TooLong { max_bytes, line } => write!(
                f,
                "the code is longer than its {max_bytes}-byte page (line {line})"
            ),
            ListingError::Unsettled => {
                write!(f, "label addresses did not settle in {MAX_PASSES} passes")
            }
        }
    }
}

impl std::error::Error for ListingError {}

/// Assembles `source` at `base`; the code may take at most `max_bytes`. The error names the
/// first line that is wrong.
pub fn assemble_listing(
    source: &str,
    base: u64,
    max_bytes: usize,
) -> Result<Listing, ListingError> {
    let count = source.lines().count();
    if count > MAX_LISTING_LINES {
        return Err(ListingError::TooManyLines { count });
    }
    let draft = lay_out(source, base, MAX_LISTING_LINES);
    if let Some((n, name)) = &draft.duplicate {
        return Err(ListingError::DuplicateLabel {
            line: *n,
            name: name.clone(),
        });
    }
    let mut size = 0;
    for (n, l) in draft.lines.iter().enumerate() {
        if let Some(e) = &l.error {
            return Err(ListingError::Line {
                line: n + 1,
                text: l.text.trim().to_string(),
                message: e.to_string(),
            });
        }
        size += l.bytes.len();
        if size > max_bytes {
            return Err(ListingError::TooLong {
                max_bytes,
                line: n + 1,
            });
        }
    }
    if !draft.settled {
        return Err(ListingError::Unsettled);
    }
    let code = draft.code();
    Ok(Listing {
        lines: draft.lines,
        code,
        labels: draft.labels,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn labels_resolve_forward_and_back() {
        let l = assemble_listing("top:\n  jmp end\n  nop\nend: jmp top\n", 0x1000, 4096).unwrap();
        assert_eq!(l.label("top"), Some(0x1000));
        // jmp rel32 (5 bytes) + nop: `end` is at 0x1006.
        assert_eq!(l.label("end"), Some(0x1006));
        assert_eq!(&l.code[..5], &[0xe9, 0x01, 0, 0, 0]);
        assert_eq!(&l.code[6..], &[0xe9, 0xf5, 0xff, 0xff, 0xff]);
    }

    #[test]
    fn numbers_and_registers_are_not_labels() {
        let labels = vec![("r8x".to_string(), 0x10), ("x".to_string(), 0x20)];
        assert_eq!(substitute("mov rax, 0x10", &labels), "mov rax, 0x10");
        assert_eq!(substitute("lea rsi, [x]", &labels), "lea rsi, [0x20]");
    }

    #[test]
    fn a_draft_keeps_every_line_with_its_own_error() {
        let d = lay_out("start: nop\nfrob rax\n  jmp start ; back\n", 0x40_1000, 10);
        assert_eq!(d.lines.len(), 3);
        assert_eq!(d.lines[0].bytes, [0x90]);
        assert!(d.lines[1].error.is_some() && d.lines[1].bytes.is_empty());
        assert_eq!(d.lines[2].addr, 0x40_1001);
        // A label becomes a number, and GAS gives a jump to a number the rel32 form.
        assert_eq!(d.lines[2].bytes, [0xe9, 0xfa, 0xff, 0xff, 0xff]);
        assert!(d.settled && d.duplicate.is_none());
        let d = lay_out("a:\nnop\na: nop\n", 0, 10);
        assert_eq!(d.duplicate, Some((3, "a".to_string())));
        assert_eq!(lay_out("nop\nnop\nnop\n", 0, 2).lines.len(), 2);
    }

    #[test]
    fn errors_name_the_line() {
        let e = assemble_listing("nop\nfrobnicate rax\n", 0, 4096).unwrap_err();
        assert!(matches!(&e, ListingError::Line { line: 2, .. }), "{e}");
        assert!(
            e.to_string().starts_with("line 2 `frobnicate rax`: "),
            "{e}"
        );
        let e = assemble_listing("a:\na:\n", 0, 4096).unwrap_err();
        assert!(
            matches!(&e, ListingError::DuplicateLabel { line: 2, name } if name == "a"),
            "{e}"
        );
        let e = assemble_listing("nop\nnop\n", 0, 1).unwrap_err();
        assert_eq!(
            e,
            ListingError::TooLong {
                max_bytes: 1,
                line: 2
            }
        );
    }
}
