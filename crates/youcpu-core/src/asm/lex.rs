//! The tokenizer for one line of GAS Intel-syntax assembly (`as -msyntax=intel -mnaked-reg`).
//!
//! Numbers follow GAS (gas/expr.c `operand`): `0x1f` hex, `0b101` binary, a leading `0` octal
//! (`010` is 8), otherwise decimal, and `'a'` a character constant. GAS has no `1fh` suffix form
//! in this mode (it reads `0ffh` as a local-label reference), so neither do we. `#` starts a
//! comment. Every path is bounded by the line length; nothing here can panic.

use super::error::AsmError;

/// One token of a line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Tok {
    /// A name: mnemonic, register, keyword or directive (`.byte`). Lowercased.
    Ident(String),
    /// A number literal; values up to 2^64 - 1.
    Num(i128),
    /// One of `+ - * [ ] : , ( ) } $`.
    Punct(char),
    /// `{...}`: a pseudo-prefix or an AVX-512 decorator, with what is inside (lowercase).
    Brace(String),
}

/// Splits `line` into tokens, stopping at a `#` comment.
pub fn tokenize(line: &str) -> Result<Vec<Tok>, AsmError> {
    let bytes = line.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b' ' | b'\t' | b'\r' | b'\n' => i += 1,
            b'#' => break,
            b';' => {
                return Err(AsmError::Syntax(
                    "\";\" separates statements in GAS; write one instruction per line (comments start with #)"
                        .into(),
                ))
            }
            b'{' => {
                // `{load}`, `{k1}`, `{z}`, `{1to16}`: one token with what is inside.
                let rest = line.get(i + 1..).unwrap_or_default();
                let Some(end) = rest.find('}') else {
                    return Err(AsmError::Syntax("\"{\" without a closing \"}\"".into()));
                };
                let inner = rest.get(..end).unwrap_or_default();
                out.push(Tok::Brace(inner.trim().to_ascii_lowercase()));
                i += end + 2;
            }
            b'+' | b'-' | b'*' | b'[' | b']' | b':' | b',' | b'(' | b')' | b'}' | b'$' => {
                out.push(Tok::Punct(b as char));
                i += 1;
            }
            b'\'' => {
                // A character constant: 'c' (GAS also accepts a missing closing quote).
                let c = *bytes.get(i + 1).ok_or_else(|| AsmError::Syntax("a quote with no character after it".into()))?;
                if !c.is_ascii() || c == b'\\' {
                    return Err(AsmError::Syntax("only plain ASCII characters may be quoted".into()));
                }
                out.push(Tok::Num(i128::from(c)));
                i += 2;
                if bytes.get(i) == Some(&b'\'') {
                    i += 1;
                }
            }
            b'0'..=b'9' => {
                let start = i;
                while bytes.get(i).is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_') {
                    i += 1;
                }
                let text = line.get(start..i).unwrap_or_default();
                out.push(Tok::Num(parse_number(text)?));
            }
            b'a'..=b'z' | b'A'..=b'Z' | b'_' | b'.' | b'@' => {
                let start = i;
                while bytes
                    .get(i)
                    .is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'@'))
                {
                    i += 1;
                }
                let text = line.get(start..i).unwrap_or_default();
                out.push(Tok::Ident(text.to_ascii_lowercase()));
            }
            _ => {
                let c = line.get(i..).and_then(|s| s.chars().next()).unwrap_or('?');
                return Err(AsmError::BadChar(c));
            }
        }
    }
    Ok(out)
}

/// Parses one number literal (no sign) the way GAS reads it.
pub fn parse_number(text: &str) -> Result<i128, AsmError> {
    let bad = || AsmError::BadNumber(super::short(text));
    let lower = text.to_ascii_lowercase();
    if let Some(stem) = lower
        .strip_suffix('h')
        .filter(|t| !t.starts_with("0x") && !t.is_empty())
    {
        if stem.bytes().all(|b| b.is_ascii_hexdigit()) {
            let stem = if stem.len() > 1 {
                stem.trim_start_matches('0')
            } else {
                stem
            };
            return Err(AsmError::Syntax(format!(
                "\"{}\": GAS has no h suffix in this syntax; write 0x{}",
                super::short(text),
                if stem.is_empty() { "0" } else { stem }
            )));
        }
    }
    let (digits, radix) = if let Some(h) = lower.strip_prefix("0x") {
        (h, 16)
    } else if let Some(b) = lower.strip_prefix("0b") {
        (b, 2)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (lower.get(1..).unwrap_or_default(), 8)
    } else {
        (lower.as_str(), 10)
    };
    if digits.is_empty() {
        return Err(bad());
    }
    let mut v: i128 = 0;
    for c in digits.chars() {
        let d = c.to_digit(radix).ok_or_else(|| {
            if c == 'h' && radix != 16 {
                AsmError::Syntax(format!(
                    "\"{}\": GAS has no h suffix in this syntax; write 0x{}",
                    super::short(text),
                    super::short(text.trim_end_matches(['h', 'H']))
                ))
            } else {
                bad()
            }
        })?;
        v = v * i128::from(radix) + i128::from(d);
        if v > i128::from(u64::MAX) {
            return Err(AsmError::Syntax(format!(
                "\"{}\" is more than 64 bits",
                super::short(text)
            )));
        }
    }
    Ok(v)
}
