//! Bytes in a text field: printable ASCII as is, escapes for the rest, so a reader can type
//! any file's contents.

/// Shows bytes as editable text: printable ASCII as is, and escapes for the rest
/// (`\r`, `\t`, `\0`, `\\`, `\xHH`); newlines stay newlines.
pub fn escape(bytes: &[u8]) -> String {
    let mut s = String::new();
    for &b in bytes {
        match b {
            b'\n' => s.push('\n'),
            b'\r' => s.push_str("\\r"),
            b'\t' => s.push_str("\\t"),
            0 => s.push_str("\\0"),
            b'\\' => s.push_str("\\\\"),
            0x20..=0x7e => s.push(b as char),
            _ => s.push_str(&format!("\\x{b:02x}")),
        }
    }
    s
}

/// The inverse of [`escape`]; other characters are stored as UTF-8. A bad escape is an error.
pub fn unescape(text: &str) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            let mut buf = [0u8; 4];
            out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            continue;
        }
        match chars.next() {
            Some('r') => out.push(b'\r'),
            Some('t') => out.push(b'\t'),
            Some('0') => out.push(0),
            Some('n') => out.push(b'\n'),
            Some('\\') => out.push(b'\\'),
            Some('x') => {
                let hex: String = chars.by_ref().take(2).collect();
                let v = u8::from_str_radix(&hex, 16).map_err(|_| {
                    format!("\\x{hex} is not a byte: write \\x followed by two hex digits")
                })?;
                out.push(v);
            }
            Some(other) => {
                return Err(format!(
                    "\\{other} is not an escape this editor knows (\\r \\t \\0 \\n \\\\ \\xHH)"
                ))
            }
            None => return Err("a lone \\ at the end: write \\\\ for a backslash".into()),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_round_trip() {
        for b in [
            b"#!/bin/sh\r\necho\t\\ \x00\xff".to_vec(),
            (0u8..=255).collect(),
        ] {
            assert_eq!(unescape(&escape(&b)), Ok(b));
        }
        assert!(unescape("\\q").is_err());
        assert!(unescape("\\xZZ").is_err());
        assert!(unescape("trailing \\").is_err());
    }
}
