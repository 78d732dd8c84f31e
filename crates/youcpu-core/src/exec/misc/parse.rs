//! `create_entry` (fs/binfmt_misc.c): the registration string parser, replayed on the bytes
//! with the kernel's 8 bytes of delimiter padding, so it accepts and rejects exactly the
//! strings the kernel does.

use super::{MiscEntry, MiscError, MiscFlags, MiscMatch, MAX_REGISTER_LENGTH, MIN_REGISTER_LENGTH};
use crate::exec::binprm::BINPRM_BUF_SIZE;
use crate::exec::errno::Errno;

fn einval(reason: impl Into<String>) -> MiscError {
    MiscError {
        errno: Errno::Einval,
        reason: reason.into(),
    }
}

/// The registration bytes plus the kernel's 8 bytes of delimiter padding; reads past that
/// (which the kernel's walk never makes for a padded buffer) see NUL.
struct Walk {
    b: Vec<u8>,
}

impl Walk {
    fn at(&self, i: usize) -> u8 {
        self.b.get(i).copied().unwrap_or(0)
    }
    fn set(&mut self, i: usize, c: u8) {
        if let Some(x) = self.b.get_mut(i) {
            *x = c;
        }
    }
    /// `strchr(s, c)`: the first `c` at or after `from`, None if a NUL comes first.
    fn strchr(&self, from: usize, c: u8) -> Option<usize> {
        let mut i = from;
        while i < self.b.len() {
            let x = self.at(i);
            if x == c {
                return Some(i);
            }
            if x == 0 {
                return None;
            }
            i += 1;
        }
        None
    }
    fn cstr(&self, from: usize) -> Vec<u8> {
        self.b
            .get(from..)
            .unwrap_or(&[])
            .iter()
            .take_while(|&&c| c != 0)
            .copied()
            .collect()
    }
    /// `scanarg`: to the delimiter, checking every `\x` is followed by two hex digits;
    /// NUL-terminates the field and returns the index after it.
    fn scanarg(&mut self, mut s: usize, del: u8) -> Option<usize> {
        loop {
            if s >= self.b.len() {
                return None;
            }
            let c = self.at(s);
            s += 1;
            if c == del {
                break;
            }
            if c == b'\\' && self.at(s) == b'x' {
                s += 1;
                if !self.at(s).is_ascii_hexdigit() {
                    return None;
                }
                s += 1;
                if !self.at(s).is_ascii_hexdigit() {
                    return None;
                }
                s += 1;
            }
        }
        self.set(s - 1, 0);
        Some(s)
    }
}

fn hex(c: u8) -> Option<u8> {
    (c as char).to_digit(16).map(|d| d as u8)
}

/// `string_unescape(..., UNESCAPE_HEX)` on a C string: `\xH` or `\xHH` become one byte, any
/// other backslash is kept as it is.
fn unescape_hex(src: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(src.len());
    let mut i = 0;
    while let Some(&c) = src.get(i) {
        if c == b'\\' && src.get(i + 1).is_some() {
            i += 1;
            if src.get(i) == Some(&b'x') {
                if let Some(d1) = src.get(i + 1).copied().and_then(hex) {
                    let mut num = d1;
                    i += 2;
                    if let Some(d2) = src.get(i).copied().and_then(hex) {
                        num = (num << 4) | d2;
                        i += 1;
                    }
                    out.push(num);
                    continue;
                }
            }
            out.push(b'\\');
        }
        if let Some(&c) = src.get(i) {
            out.push(c);
        }
        i += 1;
    }
    out
}

/// `kstrtoint(s, 10, &v)`: optional sign, decimal digits, one optional trailing newline.
fn kstrtoint(s: &[u8]) -> Option<i32> {
    let (neg, rest) = match s.first() {
        Some(b'-') => (true, s.get(1..)?),
        Some(b'+') => (false, s.get(1..)?),
        _ => (false, s),
    };
    // kstrtoll parses "-" then kstrtoull, which itself accepts one '+': "-+5" is valid.
    let rest = if neg {
        rest.strip_prefix(b"+").unwrap_or(rest)
    } else {
        rest
    };
    let rest = rest.strip_suffix(b"\n").unwrap_or(rest);
    if rest.is_empty() || !rest.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut v: u64 = 0;
    for &d in rest {
        v = v.checked_mul(10)?.checked_add(u64::from(d - b'0'))?;
    }
    if neg {
        if v > 1 << 31 {
            return None;
        }
        Some((-(v as i64)) as i32)
    } else {
        i32::try_from(v).ok()
    }
}

/// `create_entry`: parses a registration string (the bytes written to `register`).
pub fn parse_registration(input: &[u8]) -> Result<MiscEntry, MiscError> {
    let count = input.len();
    if !(MIN_REGISTER_LENGTH..=MAX_REGISTER_LENGTH).contains(&count) {
        return Err(einval(format!(
            "the string is {count} bytes; the kernel takes {MIN_REGISTER_LENGTH} to {MAX_REGISTER_LENGTH}"
        )));
    }
    let del = input[0];
    // Linux 6.18 refuses a flag letter as the delimiter: its 8 bytes of padding would read as
    // flags past the end of the string (measured: "PbPEPPxxxPP/P" is EINVAL).
    if matches!(del, b'P' | b'O' | b'C' | b'F') {
        return Err(einval(format!(
            "the delimiter {:?} is a flag letter (P, O, C, F), which the kernel refuses",
            del as char
        )));
    }
    let mut w = Walk { b: input.to_vec() };
    w.b.extend_from_slice(&[del; 8]);
    let name_at = 1;
    let Some(p) = w.strchr(name_at, del) else {
        return Err(einval(
            "the name field never ends (a NUL byte comes before the next delimiter)",
        ));
    };
    w.set(p, 0);
    let mut p = p + 1;
    let name = w.cstr(name_at);
    if name.is_empty() {
        return Err(einval("the name is empty"));
    }
    if name == b"." || name == b".." {
        return Err(einval("the name may not be \".\" or \"..\""));
    }
    if name.contains(&b'/') {
        return Err(einval("the name may not contain '/'"));
    }
    let magic_type = match w.at(p) {
        b'E' => false,
        b'M' => true,
        other => {
            return Err(einval(format!(
                "the type is {:?}; it must be M (magic) or E (extension)",
                other as char
            )))
        }
    };
    p += 1;
    if w.at(p) != del {
        return Err(einval("the type field must be one letter, M or E"));
    }
    p += 1;
    let matcher;
    if magic_type {
        let Some(s) = w.strchr(p, del) else {
            return Err(einval("the offset field never ends"));
        };
        w.set(s, 0);
        let mut offset = 0i32;
        if p != s {
            let text = w.cstr(p);
            match kstrtoint(&text) {
                Some(v) if v >= 0 => offset = v,
                _ => {
                    return Err(einval(format!(
                        "the offset \"{}\" is not a non-negative decimal number",
                        String::from_utf8_lossy(&text)
                    )))
                }
            }
        }
        // `p = s; if (*p++) goto einval;`: always NUL here, since s was just cleared.
        p = s + 1;
        let magic_at = p;
        let Some(np) = w.scanarg(p, del) else {
            return Err(einval("the magic has a \\x not followed by two hex digits"));
        };
        p = np;
        if w.at(magic_at) == 0 {
            return Err(einval("the magic is empty"));
        }
        let mask_at = p;
        let Some(np) = w.scanarg(p, del) else {
            return Err(einval("the mask has a \\x not followed by two hex digits"));
        };
        p = np;
        let magic = unescape_hex(&w.cstr(magic_at));
        let mask = if w.at(mask_at) == 0 {
            None
        } else {
            Some(unescape_hex(&w.cstr(mask_at)))
        };
        if let Some(m) = &mask {
            if m.len() != magic.len() {
                return Err(einval(format!(
                    "the mask is {} bytes but the magic is {}: they must be the same length",
                    m.len(),
                    magic.len()
                )));
            }
        }
        let size = magic.len();
        let offset = offset as usize;
        if size > BINPRM_BUF_SIZE || BINPRM_BUF_SIZE - size < offset {
            return Err(einval(format!(
                "offset {offset} + magic length {size} = {} is past the {BINPRM_BUF_SIZE}-byte buffer",
                offset + size
            )));
        }
        matcher = MiscMatch::Magic {
            offset,
            magic,
            mask,
        };
    } else {
        // The offset field is skipped, whatever it holds.
        let Some(np) = w.strchr(p, del) else {
            return Err(einval("the offset field never ends"));
        };
        w.set(np, 0);
        p = np + 1;
        let ext_at = p;
        let Some(np) = w.strchr(p, del) else {
            return Err(einval("the extension field never ends"));
        };
        w.set(np, 0);
        p = np + 1;
        let ext = w.cstr(ext_at);
        if ext.is_empty() {
            return Err(einval("the extension is empty"));
        }
        if ext.contains(&b'/') {
            return Err(einval("the extension may not contain '/'"));
        }
        // The mask field is skipped too.
        let Some(np) = w.strchr(p, del) else {
            return Err(einval("the mask field never ends"));
        };
        w.set(np, 0);
        p = np + 1;
        matcher = MiscMatch::Extension(ext);
    }
    let interp_at = p;
    let Some(np) = w.strchr(p, del) else {
        return Err(einval(
            "the interpreter field never ends (no delimiter after it)",
        ));
    };
    w.set(np, 0);
    p = np + 1;
    let interpreter = w.cstr(interp_at);
    if interpreter.is_empty() {
        return Err(einval("the interpreter is empty"));
    }
    let mut flags = MiscFlags::default();
    loop {
        match w.at(p) {
            b'P' => flags.preserve_argv0 = true,
            b'O' => flags.open_binary = true,
            b'C' => {
                flags.credentials = true;
                flags.open_binary = true;
            }
            b'F' => flags.fix_binary = true,
            _ => break,
        }
        p += 1;
    }
    if w.at(p) == b'\n' {
        p += 1;
    }
    if p != count {
        let what = if p < count {
            format!(
                "unexpected {:?} in the flags (only P, O, C, F and one final newline)",
                w.at(p) as char
            )
        } else {
            "the string ends inside a field (too few delimiters)".to_string()
        };
        return Err(einval(what));
    }
    Ok(MiscEntry {
        name,
        matcher,
        interpreter,
        flags,
        enabled: true,
        interp_file: None,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn unescape_and_numbers() {
        assert_eq!(unescape_hex(b"\\x41\\x4"), b"A\x04");
        assert_eq!(unescape_hex(b"a\\b"), b"a\\b");
        assert_eq!(kstrtoint(b"+7"), Some(7));
        assert_eq!(kstrtoint(b"7\n"), Some(7));
        assert_eq!(kstrtoint(b"-0"), Some(0));
        assert_eq!(kstrtoint(b"0x10"), None);
        assert_eq!(kstrtoint(b"2147483648"), None);
        assert_eq!(
            crate::exec::misc::extension_of(b"/a.d/prog"),
            Some(&b"d/prog"[..])
        );
        assert_eq!(
            crate::exec::misc::extension_of(b"/x/.pyc"),
            Some(&b"pyc"[..])
        );
    }
}
