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
use super::fs::FileSystem;
use super::namei::{open_exec, Cred, OpenError, Opened};

mod parse;

pub use parse::parse_registration;

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
    /// must come with their interpreter already opened (see [`register`]).
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

/// `bm_register_write`: parses a registration string (`create_entry`), opens the interpreter
/// now if the entry has 'F' (relative to `cwd`: a missing one is refused here), then checks
/// the entry's name is free (EEXIST) and adds it to `misc`.
pub fn register(
    misc: &mut MiscRegistry,
    fs: &dyn FileSystem,
    cwd: &[u8],
    cred: &Cred,
    registration: &[u8],
) -> Result<(), MiscError> {
    let mut entry = parse_registration(registration)?;
    // Linux 6.7+ opens the 'F' interpreter before looking the name up (measured: an 'F'
    // entry named "status" whose interpreter is a directory fails with EACCES, not EEXIST).
    if entry.flags.fix_binary {
        match open_exec(fs, cwd, &entry.interpreter, cred, false) {
            Ok(f) => entry.interp_file = Some(f),
            Err(OpenError::Errno(errno, why)) => {
                return Err(MiscError {
                    errno,
                    reason: format!("'F' opens the interpreter now: {why}"),
                })
            }
            Err(OpenError::Unavailable(m)) => {
                return Err(MiscError {
                    errno: Errno::Einval,
                    reason: m,
                })
            }
        }
    }
    misc.add(entry)
}

/// Whether a binfmt_misc entry would claim the file at `path` (absolute in `fs`, symbolic
/// links followed) when it is executed by that name: the widget's "which example files does
/// this registration claim". Files that cannot be opened are not claimed.
pub fn misc_claims(entry: &MiscEntry, fs: &dyn FileSystem, path: &[u8]) -> bool {
    let Ok(file) = open_exec(fs, b"/", path, &Cred::root(), true) else {
        return false;
    };
    let Ok(bytes) = fs.read_at(&file.path, 0, BINPRM_BUF_SIZE) else {
        return false;
    };
    entry.enabled && entry.matches(path, &super::script::buffer_of(&bytes))
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
}
