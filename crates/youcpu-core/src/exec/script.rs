//! `#!` scripts: the parse of `load_script` in fs/binfmt_script.c (Linux 5.1 and later, as in
//! 6.x), replayed byte for byte on the 256-byte buffer.
//!
//! The rules that fall out of the kernel code:
//! - the file must start with `#!` at offset 0;
//! - the line ends at the first `\n` in the buffer, but the search stops at a NUL byte;
//! - without a newline the line is cut: the last buffer byte (offset 255) is dropped, and if the
//!   interpreter name has no space, tab or NUL after it inside the buffer it may have been cut
//!   too, so the kernel refuses with ENOEXEC rather than run a truncated path;
//! - spaces and tabs (only those; CR is an ordinary byte) separate; trailing ones are trimmed;
//! - everything after the interpreter name and its separators is ONE argument;
//! - the strings are C strings: a NUL ends them early, which can leave an empty argument.

use super::binprm::BINPRM_BUF_SIZE;

/// What the `#!` line says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shebang {
    /// The interpreter path (may be empty when a NUL follows `#!` without a newline).
    pub interp: Vec<u8>,
    /// The optional argument.
    pub arg: Option<Vec<u8>>,
    /// Offset of the `\n` that ended the line, if one was found before any NUL.
    pub newline_at: Option<usize>,
    /// Offset where the kernel put the NUL that ends the line (after trimming spaces/tabs).
    pub line_end: usize,
    /// Offset of the interpreter name.
    pub interp_at: usize,
    /// Offset of the argument, if any.
    pub arg_at: Option<usize>,
}

/// The verdict of the `#!` parser.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ShebangVerdict {
    /// The buffer does not start with `#!`: not a script (ENOEXEC, next handler).
    NotScript,
    /// A `#!` line the kernel refuses with ENOEXEC, and why.
    Refused(String),
    /// A usable `#!` line.
    Script(Shebang),
}

fn spacetab(c: u8) -> bool {
    c == b' ' || c == b'\t'
}

fn at(buf: &[u8; BINPRM_BUF_SIZE], i: usize) -> u8 {
    buf.get(i).copied().unwrap_or(0)
}

/// `next_non_spacetab(first, last)`, inclusive of `last`.
fn next_non_spacetab(buf: &[u8; BINPRM_BUF_SIZE], first: usize, last: usize) -> Option<usize> {
    (first..=last).find(|&i| !spacetab(at(buf, i)))
}

/// `next_terminator(first, last)`: the next space, tab or NUL, inclusive of `last`.
fn next_terminator(buf: &[u8; BINPRM_BUF_SIZE], first: usize, last: usize) -> Option<usize> {
    (first..=last).find(|&i| {
        let c = at(buf, i);
        spacetab(c) || c == 0
    })
}

/// `strnchr(buf, 256, '\n')`: the first newline, but the search ends at a NUL.
fn strnchr_newline(buf: &[u8; BINPRM_BUF_SIZE]) -> Option<usize> {
    for (i, &c) in buf.iter().enumerate() {
        if c == 0 {
            return None;
        }
        if c == b'\n' {
            return Some(i);
        }
    }
    None
}

fn cstr(buf: &[u8; BINPRM_BUF_SIZE], from: usize) -> Vec<u8> {
    buf.get(from..)
        .unwrap_or(&[])
        .iter()
        .take_while(|&&c| c != 0)
        .copied()
        .collect()
}

/// Parses the buffer exactly as `load_script` does.
pub fn parse_shebang(buf: &[u8; BINPRM_BUF_SIZE]) -> ShebangVerdict {
    if buf[0] != b'#' || buf[1] != b'!' {
        return ShebangVerdict::NotScript;
    }
    let buf_end = BINPRM_BUF_SIZE - 1;
    let newline_at = strnchr_newline(buf);
    let mut i_end = match newline_at {
        Some(n) => n,
        None => {
            let Some(first) = next_non_spacetab(buf, 2, buf_end) else {
                return ShebangVerdict::Refused(
                    "no newline, and everything after \"#!\" is spaces or tabs".into(),
                );
            };
            if next_terminator(buf, first, buf_end).is_none() {
                return ShebangVerdict::Refused(format!(
                    "no newline in the first {BINPRM_BUF_SIZE} bytes and no space, tab or NUL after \
                     the interpreter name: the path may be cut, so the kernel will not run it"
                ));
            }
            buf_end
        }
    };
    // Trim trailing spaces/tabs (buf[1] is '!', so this stops by offset 2).
    while i_end > 2 && spacetab(at(buf, i_end - 1)) {
        i_end -= 1;
    }
    let i_name = match next_non_spacetab(buf, 2, i_end) {
        Some(n) if n != i_end => n,
        _ => return ShebangVerdict::Refused("the #! line names no interpreter".into()),
    };
    let mut work = *buf;
    let i_sep = next_terminator(buf, i_name, i_end);
    let mut i_arg = None;
    if let Some(sep) = i_sep {
        if at(buf, sep) != 0 {
            i_arg = next_non_spacetab(buf, sep, i_end);
        }
    }
    if let Some(w) = work.get_mut(i_end) {
        *w = 0;
    }
    if i_arg.is_some() {
        if let Some(w) = i_sep.and_then(|s| work.get_mut(s)) {
            *w = 0;
        }
    }
    ShebangVerdict::Script(Shebang {
        interp: cstr(&work, i_name),
        arg: i_arg.map(|a| cstr(&work, a)),
        newline_at,
        line_end: i_end,
        interp_at: i_name,
        arg_at: i_arg,
    })
}

/// Builds the 256-byte buffer the kernel would read from a file's first bytes.
pub fn buffer_of(bytes: &[u8]) -> [u8; BINPRM_BUF_SIZE] {
    let mut buf = [0u8; BINPRM_BUF_SIZE];
    for (d, s) in buf.iter_mut().zip(bytes) {
        *d = *s;
    }
    buf
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn parse(s: &[u8]) -> ShebangVerdict {
        parse_shebang(&buffer_of(s))
    }

    fn ok(s: &[u8]) -> (Vec<u8>, Option<Vec<u8>>) {
        match parse(s) {
            ShebangVerdict::Script(sb) => (sb.interp, sb.arg),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn basic_lines() {
        assert_eq!(ok(b"#!/bin/sh\n"), (b"/bin/sh".to_vec(), None));
        assert_eq!(
            ok(b"#! \t/bin/sh  -e  -x \t\n"),
            (b"/bin/sh".to_vec(), Some(b"-e  -x".to_vec()))
        );
        assert_eq!(
            ok(b"#!/bin/sh -x\r\n"),
            (b"/bin/sh".to_vec(), Some(b"-x\r".to_vec()))
        );
        assert_eq!(ok(b"#!/bin/sh\r\n"), (b"/bin/sh\r".to_vec(), None));
        assert_eq!(parse(b"echo hi\n"), ShebangVerdict::NotScript);
        assert!(matches!(parse(b"#!\n"), ShebangVerdict::Refused(_)));
        assert!(matches!(parse(b"#!   \t\n"), ShebangVerdict::Refused(_)));
    }

    #[test]
    fn no_newline_keeps_c_string_quirks() {
        // Trailing spaces without a newline are not trimmed away: an empty argument.
        assert_eq!(ok(b"#!/bin/sh   "), (b"/bin/sh".to_vec(), Some(Vec::new())));
        assert_eq!(ok(b"#!/bin/sh"), (b"/bin/sh".to_vec(), None));
        // "#!" alone: the interpreter is the empty string.
        assert_eq!(ok(b"#!"), (Vec::new(), None));
    }

    #[test]
    fn long_lines() {
        let mut line = b"#!/bin/sh ".to_vec();
        line.resize(300, b'a');
        let (i, a) = ok(&line);
        assert_eq!(i, b"/bin/sh");
        assert_eq!(a.map(|a| a.len()), Some(255 - 10));
        let mut line = b"#!/".to_vec();
        line.resize(300, b'b');
        assert!(matches!(parse(&line), ShebangVerdict::Refused(_)));
    }
}
