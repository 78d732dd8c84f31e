//! Assembling a listing with labels for the preemption machine: `name:` defines a label at the
//! next byte, and a label named in an operand is replaced by its address before the line goes to
//! our assembler ([`crate::asm::assemble`]). Addresses are recomputed until they settle, as an
//! assembler's relaxation passes do.

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
    /// Its bytes (none for a label or a comment).
    pub bytes: Vec<u8>,
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

/// Assembles `source` at `base`; the code may take at most `max_bytes`.
pub fn assemble_listing(source: &str, base: u64, max_bytes: usize) -> Result<Listing, String> {
    let count = source.lines().count();
    if count > MAX_LISTING_LINES {
        return Err(format!(
            "the listing has {count} lines; at most {MAX_LISTING_LINES} are accepted"
        ));
    }
    let mut labels: Vec<(String, u64)> = Vec::new();
    for (n, line) in source.lines().enumerate() {
        if let (Some(name), _) = split(line) {
            if labels.iter().any(|(l, _)| l == name) {
                return Err(format!(
                    "line {}: the label `{name}` is defined twice",
                    n + 1
                ));
            }
            labels.push((name.to_string(), base));
        }
    }
    for _ in 0..MAX_PASSES {
        let mut at = base;
        let mut lines = Vec::with_capacity(count);
        let mut code = Vec::new();
        let mut next = labels.clone();
        for (n, text) in source.lines().enumerate() {
            let (label, insn) = split(text);
            if let Some(name) = label {
                if let Some(e) = next.iter_mut().find(|(l, _)| l == name) {
                    e.1 = at;
                }
            }
            let bytes = if insn.is_empty() {
                Vec::new()
            } else {
                assemble(&substitute(insn, &labels), Bitness::B64, at)
                    .map_err(|e| format!("line {} `{}`: {e}", n + 1, text.trim()))?
                    .bytes
            };
            code.extend_from_slice(&bytes);
            if code.len() > max_bytes {
                return Err(format!(
                    "the code is longer than its {max_bytes}-byte page (line {})",
                    n + 1
                ));
            }
            lines.push(ListingLine {
                addr: at,
                text: text.to_string(),
                bytes: bytes.clone(),
            });
            at = at.wrapping_add(bytes.len() as u64);
        }
        if next == labels {
            return Ok(Listing {
                lines,
                code,
                labels,
            });
        }
        labels = next;
    }
    Err(format!(
        "label addresses did not settle in {MAX_PASSES} passes"
    ))
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
    fn errors_name_the_line() {
        let e = assemble_listing("nop\nfrobnicate rax\n", 0, 4096).unwrap_err();
        assert!(e.starts_with("line 2"), "{e}");
        let e = assemble_listing("a:\na:\n", 0, 4096).unwrap_err();
        assert!(e.contains("twice"), "{e}");
        let e = assemble_listing("nop\nnop\n", 0, 1).unwrap_err();
        assert!(e.contains("1-byte"), "{e}");
    }
}
