//! binfmt_misc: parsing a registration string as `create_entry` in fs/binfmt_misc.c does,
//! registering it (`bm_register_write`), and matching files (`check_file` /
//! `search_binfmt_handler`).
//!
//! The string is `:name:type:offset:magic:mask:interpreter:flags`, the first byte being the
//! delimiter. The parser below replays the kernel's pointer walk over the bytes (with the same
//! 8 delimiter bytes of padding after them), so it accepts and rejects exactly the same strings;
//! each rejection is EINVAL, plus a sentence saying which check failed.

use super::binprm::BINPRM_BUF_SIZE;
use super::errno::Errno;
use super::namei::Opened;

/// `MAX_REGISTER_LENGTH`: the longest registration string.
pub const MAX_REGISTER_LENGTH: usize = 1920;
/// The shortest registration string (`count < 11` is refused).
pub const MIN_REGISTER_LENGTH: usize = 11;
/// The most entries the model's registry holds.
pub const MAX_MISC_ENTRIES: usize = 64;

/// How an entry recognises files.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MiscMatch {
    /// 'M': bytes at an offset of the 256-byte buffer, optionally under a mask.
    Magic {
        /// Offset in the buffer.
        offset: usize,
        /// The magic bytes (after `\xHH` unescaping).
        magic: Vec<u8>,
        /// The mask, as long as the magic; None compares exactly.
        mask: Option<Vec<u8>>,
    },
    /// 'E': the file name's extension (after the last `.` of the path, without the dot).
    Extension(Vec<u8>),
}

/// The flag letters of an entry.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MiscFlags {
    /// 'P' preserve-argv0: the original `argv[0]` stays, after the file name.
    pub preserve_argv0: bool,
    /// 'O' open-binary: the binary is passed to the interpreter as an open file (AT_EXECFD).
    pub open_binary: bool,
    /// 'C' credentials: setuid/setgid bits of the binary apply (implies 'O').
    pub credentials: bool,
    /// 'F' fix-binary: the interpreter is opened at registration time, not at each exec.
    pub fix_binary: bool,
}

impl MiscFlags {
    /// The letters as the kernel prints them in the entry's status file ("POCF" order).
    pub fn letters(&self) -> String {
        let mut s = String::new();
        for (on, c) in [
            (self.preserve_argv0, 'P'),
            (self.open_binary, 'O'),
            (self.credentials, 'C'),
            (self.fix_binary, 'F'),
        ] {
            if on {
                s.push(c);
            }
        }
        s
    }
}

/// A parsed registration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MiscEntry {
    /// The entry's name (its file under /proc/sys/fs/binfmt_misc).
    pub name: Vec<u8>,
    /// How it matches.
    pub matcher: MiscMatch,
    /// The interpreter path.
    pub interpreter: Vec<u8>,
    /// Its flags.
    pub flags: MiscFlags,
    /// Whether it is enabled (new entries are).
    pub enabled: bool,
    /// For 'F': the interpreter, opened when the entry was registered.
    pub interp_file: Option<Opened>,
}

/// A registration the kernel refuses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MiscError {
    /// What write(2) returns.
    pub errno: Errno,
    /// Which check failed, in words.
    pub reason: String,
}

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

impl MiscEntry {
    /// Whether this entry claims a file: `interp` is `bprm->interp` (the name the file was
    /// executed by), `buf` its first 256 bytes.
    pub fn matches(&self, interp: &[u8], buf: &[u8; BINPRM_BUF_SIZE]) -> bool {
        match &self.matcher {
            MiscMatch::Extension(ext) => extension_of(interp) == Some(ext.as_slice()),
            MiscMatch::Magic {
                offset,
                magic,
                mask,
            } => magic.iter().enumerate().all(|(j, &m)| {
                let b = buf.get(offset + j).copied().unwrap_or(0);
                let k = mask
                    .as_ref()
                    .and_then(|k| k.get(j).copied())
                    .unwrap_or(0xff);
                (b ^ m) & k == 0
            }),
        }
    }

    /// The status file text the kernel shows for this entry (`entry_status`).
    pub fn status_text(&self) -> String {
        let mut s = format!(
            "{}\ninterpreter {}\nflags: {}\n",
            if self.enabled { "enabled" } else { "disabled" },
            String::from_utf8_lossy(&self.interpreter),
            self.flags.letters()
        );
        match &self.matcher {
            MiscMatch::Extension(e) => {
                s.push_str(&format!("extension .{}\n", String::from_utf8_lossy(e)))
            }
            MiscMatch::Magic {
                offset,
                magic,
                mask,
            } => {
                s.push_str(&format!("offset {offset}\nmagic {}\n", hex_string(magic)));
                if let Some(m) = mask {
                    s.push_str(&format!("mask {}\n", hex_string(m)));
                }
            }
        }
        s
    }
}

/// Lower-case hex, as `bin2hex`.
pub fn hex_string(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// `strrchr(bprm->interp, '.') + 1`: what an 'E' entry compares with. Note it is the text
/// after the last dot of the whole path, so `/a.d/prog` has "extension" `d/prog` and matches
/// nothing.
pub fn extension_of(path: &[u8]) -> Option<&[u8]> {
    let dot = path.iter().rposition(|&c| c == b'.')?;
    path.get(dot + 1..)
}

/// The registered entries, newest first (the kernel adds at the head of its list and takes
/// the first match), and the global enable switch (`status`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MiscRegistry {
    /// The entries, newest first.
    pub entries: Vec<MiscEntry>,
    /// False after `echo 0 > status`: binfmt_misc then claims nothing.
    pub disabled: bool,
}

impl MiscRegistry {
    /// The first enabled entry that claims the file, if binfmt_misc is enabled.
    pub fn find(&self, interp: &[u8], buf: &[u8; BINPRM_BUF_SIZE]) -> Option<&MiscEntry> {
        if self.disabled {
            return None;
        }
        self.entries
            .iter()
            .find(|e| e.enabled && e.matches(interp, buf))
    }

    /// Adds a parsed entry (`bm_register_write` after `create_entry`): a name already used,
    /// or `status`/`register`, is EEXIST; a name over 255 bytes is ENAMETOOLONG. 'F' entries
    /// must come with their interpreter already opened (see [`super::execve::register`]).
    pub fn add(&mut self, entry: MiscEntry) -> Result<(), MiscError> {
        self.check_name(&entry.name)?;
        if self.entries.len() >= MAX_MISC_ENTRIES {
            return Err(MiscError {
                errno: Errno::Einval,
                reason: format!("the model holds at most {MAX_MISC_ENTRIES} entries"),
            });
        }
        self.entries.insert(0, entry);
        Ok(())
    }

    /// The checks of the entry's file name in the binfmt_misc directory (`lookup_one_len`,
    /// then EEXIST for a name in use, `status` and `register` included).
    pub fn check_name(&self, name: &[u8]) -> Result<(), MiscError> {
        let entry_name = name;
        if entry_name.len() > super::namei::NAME_MAX {
            return Err(MiscError {
                errno: Errno::Enametoolong,
                reason: format!(
                    "the name is {} bytes; a file name holds at most 255",
                    entry_name.len()
                ),
            });
        }
        if entry_name == b"status"
            || entry_name == b"register"
            || self.entries.iter().any(|e| e.name == entry_name)
        {
            return Err(MiscError {
                errno: Errno::Eexist,
                reason: format!(
                    "/proc/sys/fs/binfmt_misc/{} exists already",
                    String::from_utf8_lossy(entry_name)
                ),
            });
        }
        Ok(())
    }

    /// Removes an entry by name (`echo -1 > name`); false if there was none.
    pub fn remove(&mut self, name: &[u8]) -> bool {
        let before = self.entries.len();
        self.entries.retain(|e| e.name != name);
        before != self.entries.len()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn rej(s: &str) -> String {
        match parse_registration(s.as_bytes()) {
            Err(e) => e.reason,
            Ok(e) => panic!("accepted {s:?}: {e:?}"),
        }
    }

    #[test]
    fn java_and_pyc_examples() {
        let e = parse_registration(b":Java:M::\\xca\\xfe\\xba\\xbe::/usr/bin/java:").unwrap();
        assert_eq!(
            e.matcher,
            MiscMatch::Magic {
                offset: 0,
                magic: vec![0xca, 0xfe, 0xba, 0xbe],
                mask: None
            }
        );
        let e = parse_registration(b":pyc:E::pyc::/usr/bin/python3:P\n").unwrap();
        assert_eq!(e.matcher, MiscMatch::Extension(b"pyc".to_vec()));
        assert!(e.flags.preserve_argv0);
        let e = parse_registration(b"|x|M|2|ab|\\xff\\x0f|/i|C").unwrap();
        assert!(e.flags.open_binary && e.flags.credentials);
        assert_eq!(
            e.matcher,
            MiscMatch::Magic {
                offset: 2,
                magic: b"ab".to_vec(),
                mask: Some(vec![0xff, 0x0f])
            }
        );
    }

    #[test]
    fn rejections() {
        assert!(
            rej(":a:M::x::/i").contains("few delimiters")
                || rej(":a:M::x::/i").contains("never ends")
        );
        assert!(rej("::M::abc::/bin/x:").contains("name is empty"));
        assert!(rej(":..:M::abc::/bin/x:").contains("\".\""));
        assert!(rej(":a/b:M::abc::/bin/x:").contains("'/'"));
        assert!(rej(":a:X::abc::/bin/x:").contains("type"));
        assert!(rej(":a:M:-1:abc::/bin/x:").contains("offset"));
        assert!(rej(":a:M:255:ab::/bin/x:").contains("past"));
        assert!(rej(":a:M::ab:\\xff::/bin/x:").contains("same length"));
        assert!(rej(":a:M::\\xZZ::/bin/x:").contains("hex"));
        assert!(rej(":a:M::ab:::").contains("interpreter is empty"));
        assert!(rej(":a:M::ab::/i:Q").contains("flags"));
        assert!(rej(":a:E::x/y::/i:").contains("'/'"));
        assert!(parse_registration(b":a:M:254:ab::/bin/x:").is_ok());
    }

    #[test]
    fn unescape_and_numbers() {
        assert_eq!(unescape_hex(b"\\x41\\x4"), b"A\x04");
        assert_eq!(unescape_hex(b"a\\b"), b"a\\b");
        assert_eq!(kstrtoint(b"+7"), Some(7));
        assert_eq!(kstrtoint(b"7\n"), Some(7));
        assert_eq!(kstrtoint(b"-0"), Some(0));
        assert_eq!(kstrtoint(b"0x10"), None);
        assert_eq!(kstrtoint(b"2147483648"), None);
        assert_eq!(extension_of(b"/a.d/prog"), Some(&b"d/prog"[..]));
        assert_eq!(extension_of(b"/x/.pyc"), Some(&b"pyc"[..]));
    }
}
