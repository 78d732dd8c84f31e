//! The binfmt_misc registration checker: a registration string, the kernel's verdict on it (or
//! the exact check that refuses it), the example files the entry would claim, and the argv each
//! one's interpreter would receive. A pure reducer.

use std::rc::Rc;
use crate::ui::{Apply, PresetText, TextAction};
use youcpu_core::exec::examples::{example_fs, JAVA_REGISTRATION, PYC_REGISTRATION};
use youcpu_core::exec::fs::{MemFs, MemNode};
use youcpu_core::exec::misc::{parse_registration, MiscEntry, MiscRegistry};
use youcpu_core::exec::{execve, ExecOutcome, ExecRequest};

/// Longest registration text kept (the kernel's own limit is 1920 bytes).
pub const MAX_TEXT: usize = 4096;

/// Ready-made registrations, each with what it shows.
pub const PRESETS: &[(&str, &str)] = &[
    (
        JAVA_REGISTRATION,
        "Java class files, by their magic bytes CA FE BA BE",
    ),
    (PYC_REGISTRATION, "compiled Python, by the .pyc extension"),
    (
        ":Java:M::\\xca\\xfe\\xba\\xbe::/usr/bin/java:P",
        "the same with flag P: argv[0] is preserved",
    ),
    (
        ":elfcheck:M::\\x7fELF::/usr/bin/python3:",
        "a magic that also claims every ELF program",
    ),
    (":bad:X::abc::/bin/sh:", "an unknown type letter"),
    (
        ":nomask:M::\\xca\\xfe:\\xff::/usr/bin/java:",
        "a mask shorter than the magic",
    ),
    (
        ":Java:M::\\xca\\xfe\\xba\\xbe::/usr/bin/java:Q",
        "an unknown flag",
    ),
];

/// One example file the entry claims.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Claim {
    /// The file.
    pub path: String,
    /// What execve does with it while the entry is registered.
    pub outcome: ExecOutcome,
}

/// The verdict on the registration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Accepted: the entry, its status text, and the example files it claims.
    Accepted {
        /// The parsed entry.
        entry: MiscEntry,
        /// What `cat /proc/sys/fs/binfmt_misc/NAME` would show.
        status: String,
        /// The example files it claims.
        claims: Vec<Claim>,
    },
    /// Refused: the errno write(2) returns and why.
    Refused {
        /// "EINVAL", ...
        errno: String,
        /// Which check failed.
        reason: String,
    },
}

/// An edit: the text as typed, or a preset.
pub type Action = TextAction;

/// The widget's state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct State {
    /// The registration string as typed.
    pub text: String,
    /// The verdict.
    pub verdict: Rc<Verdict>,
}

impl Default for State {
    fn default() -> Self {
        let mut s = State {
            text: String::new(),
            verdict: Rc::new(Verdict::Refused {
                errno: String::new(),
                reason: String::new(),
            }),
        };
        s.apply(Action::Preset(0));
        s
    }
}

/// The regular files of the example filesystem, sorted.
fn example_files(fs: &MemFs) -> Vec<String> {
    let mut v: Vec<String> = fs
        .entries()
        .filter(|(_, e)| matches!(e.node, MemNode::File(_)))
        .map(|(p, _)| String::from_utf8_lossy(&p).into_owned())
        .collect();
    v.sort();
    v
}

/// Judges a registration string against the example filesystem.
pub fn judge(text: &str) -> Verdict {
    let entry = match parse_registration(text.as_bytes()) {
        Ok(e) => e,
        Err(e) => {
            return Verdict::Refused {
                errno: e.errno.name().to_string(),
                reason: e.reason,
            }
        }
    };
    let fs = example_fs().unwrap_or_default();
    let mut misc = MiscRegistry::default();
    if let Err(e) = misc.add(entry.clone()) {
        return Verdict::Refused {
            errno: e.errno.name().to_string(),
            reason: e.reason,
        };
    }
    let claims = example_files(&fs)
        .into_iter()
        .filter(|p| youcpu_core::exec::misc_claims(&entry, &fs, p.as_bytes()))
        .map(|path| {
            let mut req = ExecRequest::new(
                path.as_bytes(),
                vec![path.as_bytes().to_vec(), b"arg1".to_vec()],
                Vec::new(),
            );
            req.misc = misc.clone();
            Claim {
                outcome: execve(&fs, &req),
                path,
            }
        })
        .collect();
    Verdict::Accepted {
        status: entry.status_text(),
        entry,
        claims,
    }
}

impl PresetText for State {
    const PREFIX: &'static str = "bm-";
    const KEY: &'static str = "reg";
    const PRESETS: &'static [(&'static str, &'static str)] = PRESETS;
    const MAX_TEXT: usize = MAX_TEXT;

    fn text(&self) -> &str {
        &self.text
    }

    fn set_text(&mut self, text: String) {
        self.text = text;
        self.verdict = Rc::new(judge(&self.text));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::UrlState;

    fn claims(v: &Verdict) -> Vec<String> {
        match v {
            Verdict::Accepted { claims, .. } => claims.iter().map(|c| c.path.clone()).collect(),
            Verdict::Refused { reason, .. } => panic!("refused: {reason}"),
        }
    }

    fn argv(c: &Claim) -> Vec<String> {
        match &c.outcome.result {
            Ok(l) => l
                .argv
                .iter()
                .map(|a| String::from_utf8_lossy(a).into_owned())
                .collect(),
            Err(e) => vec![format!("{e:?}")],
        }
    }

    #[test]
    fn java_claims_the_class_file_and_passes_its_path() {
        let s = State::default();
        assert_eq!(claims(&s.verdict), ["/home/user/Hello.class"]);
        if let Verdict::Accepted { claims, status, .. } = s.verdict.as_ref() {
            assert_eq!(
                argv(&claims[0]),
                ["/usr/bin/java", "/home/user/Hello.class", "arg1"]
            );
            assert!(status.contains("magic cafebabe"), "{status}");
        }
    }

    #[test]
    fn preserve_argv0_keeps_the_original_argv0() {
        let mut s = State::default();
        s.apply(Action::Preset(2));
        if let Verdict::Accepted { claims, .. } = s.verdict.as_ref() {
            assert_eq!(
                argv(&claims[0]),
                [
                    "/usr/bin/java",
                    "/home/user/Hello.class",
                    "/home/user/Hello.class",
                    "arg1"
                ]
            );
        } else {
            panic!("refused");
        }
    }

    #[test]
    fn extension_entries_match_by_name() {
        let mut s = State::default();
        s.apply(Action::Preset(1));
        assert_eq!(claims(&s.verdict), ["/home/user/hello.pyc"]);
    }

    #[test]
    fn bad_registrations_are_refused_with_a_reason() {
        for (i, (text, _)) in PRESETS.iter().enumerate().skip(4) {
            let mut s = State::default();
            s.apply(Action::Preset(i));
            match s.verdict.as_ref() {
                Verdict::Refused { errno, reason } => {
                    assert_eq!(errno, "EINVAL", "{text}");
                    assert!(!reason.is_empty());
                }
                Verdict::Accepted { .. } => panic!("accepted {text}"),
            }
        }
        let mut s = State::default();
        for junk in [
            "",
            ":",
            "x".repeat(100_000).as_str(),
            "::::::::",
            "\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}\u{0}",
        ] {
            s.apply(Action::Text(junk.to_string()));
            assert!(
                matches!(s.verdict.as_ref(), Verdict::Refused { .. }),
                "{junk:?}"
            );
        }
    }

    #[test]
    fn query_round_trip() {
        let mut s = State::default();
        s.apply(Action::Preset(3));
        assert_eq!(State::from_query(&s.to_query().into()), s);
    }
}
