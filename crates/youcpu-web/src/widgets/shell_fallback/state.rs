//! The shell-fallback comparison: one file run through a bare execve (as a C program would) and
//! from dash and bash, which retry a file the kernel refused with ENOEXEC. A pure reducer.

use std::rc::Rc;
use crate::ui::{Apply, PresetText, TextAction};
use youcpu_core::exec::examples::example_fs;
use youcpu_core::exec::fs::{MemFs, MemNode};
use youcpu_core::exec::shell::{from_shell, Fallback, Shell, ShellRun};
use youcpu_core::exec::{execve, ExecOutcome, ExecRequest};

/// Where the edited file lives.
pub const PATH: &str = "/home/user/myscript";
/// Longest content kept.
pub const MAX_TEXT: usize = 4096;

/// Starting contents, each with what it shows.
pub const PRESETS: &[(&str, &str)] = &[
    (
        "echo hello from a script with no #! line\n",
        "a text file with no #! line",
    ),
    ("#!/bin/sh\necho hello\n", "a proper script with #!"),
    ("\\x7fELF\\x02\\x01\\x01\\0garbage", "a damaged binary"),
    (
        "echo one\\x01two\n",
        "text with a control byte in its first line",
    ),
    ("", "an empty file"),
];

/// The three runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Runs {
    /// execve(2) alone.
    pub bare: ExecOutcome,
    /// From dash (Debian's /bin/sh).
    pub dash: ShellRun,
    /// From bash.
    pub bash: ShellRun,
}

/// An edit: the text as typed, or a preset.
pub type Action = TextAction;

/// The widget's state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct State {
    /// The content as typed.
    pub text: String,
    /// Why the content cannot be used.
    pub error: Option<String>,
    /// The last good runs.
    pub runs: Rc<Runs>,
}

fn runs_for(bytes: Vec<u8>) -> Runs {
    let mut fs: MemFs = example_fs().unwrap_or_default();
    let _ = fs.insert(PATH, MemNode::File(bytes), 0o755);
    let mut req = ExecRequest::new(
        b"./myscript",
        vec![b"./myscript".to_vec(), b"hi".to_vec()],
        Vec::new(),
    );
    req.cwd = b"/home/user".to_vec();
    Runs {
        bare: execve(&fs, &req),
        dash: from_shell(&fs, &req, Shell::Dash),
        bash: from_shell(&fs, &req, Shell::Bash),
    }
}

impl Default for State {
    fn default() -> Self {
        let mut s = State {
            text: String::new(),
            error: None,
            runs: Rc::new(runs_for(Vec::new())),
        };
        s.apply(Action::Preset(0));
        s
    }
}

/// A one-line summary of a shell run: what ran, or the status.
pub fn summary(r: &ShellRun) -> String {
    match (&r.execve.result, &r.fallback, r.error_status) {
        (Ok(l), _, _) => format!("runs {}", String::from_utf8_lossy(&l.executable)),
        (Err(_), Some(Fallback::Script { .. }), _) => "runs the file as a shell script".into(),
        (Err(_), Some(Fallback::Status { status, .. }), _) => format!("exit status {status}"),
        (Err(_), None, Some(s)) => format!("exit status {s}"),
        (Err(_), None, None) => "fails".into(),
    }
}

impl PresetText for State {
    const PREFIX: &'static str = "sf-";
    const KEY: &'static str = "file";
    const PRESETS: &'static [(&'static str, &'static str)] = PRESETS;
    const MAX_TEXT: usize = MAX_TEXT;

    fn text(&self) -> &str {
        &self.text
    }

    fn set_text(&mut self, text: String) {
        self.text = text;
        match crate::ui::unescape(&self.text) {
            Ok(b) => {
                self.error = None;
                self.runs = Rc::new(runs_for(b));
            }
            Err(e) => self.error = Some(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::UrlState;
    use youcpu_core::exec::Errno;

    #[test]
    fn text_without_shebang_fails_bare_but_runs_from_a_shell() {
        let s = State::default();
        assert_eq!(s.runs.bare.errno(), Some(Errno::Enoexec));
        assert_eq!(summary(&s.runs.dash), "runs the file as a shell script");
        assert_eq!(summary(&s.runs.bash), "runs the file as a shell script");
    }

    #[test]
    fn a_damaged_binary_is_status_126() {
        let mut s = State::default();
        s.apply(Action::Preset(2));
        assert_eq!(s.runs.bare.errno(), Some(Errno::Enoexec));
        assert_eq!(summary(&s.runs.dash), "exit status 126");
        assert_eq!(summary(&s.runs.bash), "exit status 126");
    }

    #[test]
    fn a_proper_script_runs_everywhere() {
        let mut s = State::default();
        s.apply(Action::Preset(1));
        assert!(s.runs.bare.result.is_ok());
        assert_eq!(summary(&s.runs.dash), "runs /bin/sh");
    }

    #[test]
    fn bad_escapes_keep_the_last_runs() {
        let mut s = State::default();
        let before = s.runs.clone();
        s.apply(Action::Text("\\q".into()));
        assert!(s.error.is_some());
        assert_eq!(s.runs, before);
        assert_eq!(State::from_query(&s.to_query().into()), s);
    }
}
