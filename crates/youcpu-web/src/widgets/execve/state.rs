//! The execve explorer's state: an in-memory filesystem of example files (one of which the reader
//! edits), the path, argv and envp passed to execve, the simulated outcome with its steps, and how
//! far the reader has stepped. A pure reducer.

use std::rc::Rc;
use crate::ui::{escape, unescape, Apply, Query, UrlState};
use youcpu_core::exec::examples::example_fs;
use youcpu_core::exec::fs::{MemFs, MemNode};
use youcpu_core::exec::{execve, ExecOutcome, ExecRequest};

/// The working directory of the simulated caller.
pub const CWD: &str = "/home/user";
/// Most bytes of file content the editor keeps.
pub const MAX_CONTENT: usize = 4096;
/// Most argv or envp entries.
pub const MAX_ARGS: usize = 64;
/// Most characters per argv/envp text box.
pub const MAX_ARGS_TEXT: usize = 8192;

/// A file the example picker offers, with a sentence about what it shows.
pub struct Pick {
    /// Path in the example filesystem.
    pub path: &'static str,
    /// What it demonstrates.
    pub about: &'static str,
}

/// The example picker, in order.
pub const PICKS: &[Pick] = &[
    Pick {
        path: "/home/user/hello.sh",
        about: "an ordinary script: #!/bin/sh",
    },
    Pick {
        path: "/home/user/flags.py",
        about: "several flags after the interpreter become ONE argument",
    },
    Pick {
        path: "/home/user/tool.js",
        about: "#!/usr/bin/env node: env finds the interpreter",
    },
    Pick {
        path: "/home/user/tabs.sh",
        about: "tabs and spaces around the interpreter",
    },
    Pick {
        path: "/home/user/dos.sh",
        about: "Windows line endings: the CR stays in the path",
    },
    Pick {
        path: "/home/user/long-arg.sh",
        about: "a line longer than 256 bytes, cut in the argument",
    },
    Pick {
        path: "/home/user/long-interp.sh",
        about: "a line longer than 256 bytes, cut in the interpreter path",
    },
    Pick {
        path: "/home/user/empty-shebang.sh",
        about: "#! with nothing after it",
    },
    Pick {
        path: "/home/user/missing-interp.sh",
        about: "an interpreter that does not exist",
    },
    Pick {
        path: "/home/user/nested/level5",
        about: "scripts whose interpreters are scripts, five deep",
    },
    Pick {
        path: "/home/user/nested/level6",
        about: "six deep: one rewrite too many",
    },
    Pick {
        path: "/home/user/no-shebang.sh",
        about: "no #! line at all",
    },
    Pick {
        path: "/home/user/notes.txt",
        about: "a file without execute permission",
    },
    Pick {
        path: "/home/user/projects",
        about: "a directory",
    },
    Pick {
        path: "/usr/local/bin/hello-static",
        about: "a static ELF program",
    },
    Pick {
        path: "/usr/bin/python3",
        about: "a dynamic ELF program (PT_INTERP)",
    },
];

/// An edit or a click.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// Pick example i.
    Pick(usize),
    /// New path text.
    Path(String),
    /// New content for the file at the path.
    Content(String),
    /// Set or clear the file's execute permission.
    Executable(bool),
    /// New argv (one per line).
    Argv(String),
    /// New envp (one per line).
    Envp(String),
    /// Step forward.
    Next,
    /// Step back.
    Prev,
    /// Show every step.
    All,
    /// Back to the first step.
    First,
    /// Show the first n steps (a step clicked on the picture).
    Show(usize),
    /// Everything back to the first example.
    Reset,
}

/// The widget's state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct State {
    /// The filesystem, with the reader's edits.
    pub fs: Rc<MemFs>,
    /// The path passed to execve, as typed.
    pub path: String,
    /// The editor's text for the file at `path` (escaped), if it is a regular file.
    pub content: Option<String>,
    /// Why the content cannot be used.
    pub content_error: Option<String>,
    /// argv text, one argument per line.
    pub argv: String,
    /// envp text, one entry per line.
    pub envp: String,
    /// The simulated execve.
    pub outcome: Rc<ExecOutcome>,
    /// Steps shown so far (1-based count).
    pub shown: usize,
    /// A note when input was cut to the widget's limits.
    pub notice: Option<String>,
}

fn base_fs() -> MemFs {
    example_fs().unwrap_or_default()
}

fn lines(text: &str) -> Vec<Vec<u8>> {
    if text.is_empty() {
        return Vec::new();
    }
    text.split('\n')
        .take(MAX_ARGS)
        .map(|l| l.as_bytes().to_vec())
        .collect()
}

fn resolve(path: &str) -> String {
    if path.starts_with('/') {
        path.to_string()
    } else {
        format!("{CWD}/{}", path.trim_start_matches("./"))
    }
}

impl Default for State {
    fn default() -> Self {
        let mut s = State {
            fs: Rc::new(base_fs()),
            path: String::new(),
            content: None,
            content_error: None,
            argv: String::new(),
            envp: "PATH=/usr/bin:/bin\nHOME=/home/user".into(),
            outcome: Rc::new(ExecOutcome {
                result: Err(youcpu_core::exec::Failure::Unavailable(String::new())),
                chain: Vec::new(),
                steps: Vec::new(),
            }),
            shown: 0,
            notice: None,
        };
        s.pick(0);
        s
    }
}

impl State {
    fn pick(&mut self, i: usize) {
        let Some(p) = PICKS.get(i) else { return };
        self.fs = Rc::new(base_fs());
        let rel = p
            .path
            .strip_prefix(&format!("{CWD}/"))
            .map(|r| format!("./{r}"));
        self.path = rel.unwrap_or_else(|| p.path.to_string());
        self.argv = format!("{}\nworld", self.path);
        self.load_content();
        self.run();
    }

    fn load_content(&mut self) {
        self.content_error = None;
        self.content = match self.fs.get(&resolve(&self.path)) {
            Some(e) => match &e.node {
                MemNode::File(b) => Some(escape(b)),
                _ => None,
            },
            None => None,
        };
    }

    /// Whether the file at the path has any execute bit.
    pub fn executable(&self) -> Option<bool> {
        self.fs
            .get(&resolve(&self.path))
            .and_then(|e| match e.node {
                MemNode::File(_) => Some(e.mode & 0o111 != 0),
                _ => None,
            })
    }

    fn write_file(&mut self, bytes: Vec<u8>, mode: u32) {
        let mut fs = (*self.fs).clone();
        match fs.insert(&resolve(&self.path), MemNode::File(bytes), mode) {
            Ok(()) => self.fs = Rc::new(fs),
            Err(e) => self.content_error = Some(e.0),
        }
    }

    fn run(&mut self) {
        let mut req = ExecRequest::new(self.path.as_bytes(), lines(&self.argv), lines(&self.envp));
        req.cwd = CWD.as_bytes().to_vec();
        self.outcome = Rc::new(execve(&*self.fs, &req));
        self.shown = 1;
    }


    /// True when every step is shown (the result is then shown too).
    pub fn finished(&self) -> bool {
        self.shown >= self.outcome.steps.len()
    }


}

impl UrlState for State {
    const PREFIX: &'static str = "ex-";

    /// Builds the state a link describes.
    fn from_query(q: &Query) -> Self {
        let mut s = State::default();
        let get = |k: &str| q.text(k);
        if let Some(p) = get("path") {
            if let Some(i) = PICKS.iter().position(|x| resolve(&p) == x.path) {
                s.pick(i);
            }
            s.apply(Action::Path(p));
        }
        if let Some(c) = get("file") {
            s.apply(Action::Content(c));
        }
        if get("noexec").as_deref() == Some("1") {
            s.apply(Action::Executable(false));
        }
        if let Some(a) = get("argv") {
            s.apply(Action::Argv(a));
        }
        if let Some(e) = get("envp") {
            s.apply(Action::Envp(e));
        }
        s
    }

    /// The keys that reproduce this state: the example, or the edited path/content/argv/envp.
    fn to_query(&self) -> Vec<(String, String)> {
        let d = State::default();
        let mut out = Vec::new();
        if self.path != d.path {
            out.push(("path".into(), self.path.clone()));
        }
        if self.content != d.content {
            if let Some(c) = &self.content {
                out.push(("file".into(), c.clone()));
            }
        }
        if self.executable() == Some(false) && d.executable() != Some(false) {
            out.push(("noexec".into(), "1".into()));
        }
        if self.argv != d.argv {
            out.push(("argv".into(), self.argv.clone()));
        }
        if self.envp != d.envp {
            out.push(("envp".into(), self.envp.clone()));
        }
        out
    }
}

impl Apply for State {
    type Action = Action;

    /// Applies one action.
    fn apply(&mut self, a: Action) {
        let clip = |t: String, max: usize, notice: &mut Option<String>| {
            if t.chars().count() > max {
                *notice = Some(format!("Input was cut to {max} characters."));
                t.chars().take(max).collect()
            } else {
                t
            }
        };
        match a {
            Action::Reset => {
                *self = State::default();
                return;
            }
            Action::Pick(i) => {
                self.notice = None;
                self.pick(i);
                return;
            }
            Action::Path(t) => {
                self.path = clip(t, 4096, &mut self.notice);
                self.load_content();
            }
            Action::Content(t) => {
                let t = clip(t, MAX_CONTENT, &mut self.notice);
                match unescape(&t) {
                    Ok(bytes) => {
                        self.content_error = None;
                        let mode = self.fs.get(&resolve(&self.path)).map_or(0o755, |e| e.mode);
                        self.write_file(bytes, mode);
                    }
                    Err(e) => self.content_error = Some(e),
                }
                self.content = Some(t);
            }
            Action::Executable(x) => {
                if let Some(MemNode::File(b)) =
                    self.fs.get(&resolve(&self.path)).map(|e| e.node.clone())
                {
                    self.write_file(b, if x { 0o755 } else { 0o644 });
                }
            }
            Action::Argv(t) => self.argv = clip(t, MAX_ARGS_TEXT, &mut self.notice),
            Action::Envp(t) => self.envp = clip(t, MAX_ARGS_TEXT, &mut self.notice),
            Action::Next => {
                self.shown = (self.shown + 1).min(self.outcome.steps.len().max(1));
                return;
            }
            Action::Prev => {
                self.shown = self.shown.saturating_sub(1).max(1);
                return;
            }
            Action::All => {
                self.shown = self.outcome.steps.len().max(1);
                return;
            }
            Action::First => {
                self.shown = 1;
                return;
            }
            Action::Show(n) => {
                self.shown = n.clamp(1, self.outcome.steps.len().max(1));
                return;
            }
        }
        self.run();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use youcpu_core::exec::Errno;

    fn argv(s: &State) -> Vec<String> {
        match &s.outcome.result {
            Ok(l) => l
                .argv
                .iter()
                .map(|a| String::from_utf8_lossy(a).into_owned())
                .collect(),
            Err(e) => vec![format!("{e:?}")],
        }
    }

    #[test]
    fn the_first_example_runs_sh_with_the_script_path() {
        let s = State::default();
        assert_eq!(argv(&s), ["/bin/sh", "./hello.sh", "world"]);
        assert_eq!(s.shown, 1);
    }

    #[test]
    fn flags_become_one_argument() {
        let mut s = State::default();
        s.apply(Action::Pick(1));
        assert_eq!(
            argv(&s),
            ["/usr/bin/python3", "-u -X dev", "./flags.py", "world"]
        );
    }

    #[test]
    fn editing_the_file_and_its_permission() {
        let mut s = State::default();
        s.apply(Action::Content("#!/bin/sh\\r\necho hi".into()));
        assert_eq!(
            s.outcome.errno(),
            Some(Errno::Enoent),
            "/bin/sh\\r does not exist"
        );
        s.apply(Action::Content(
            "#!/usr/bin/env  node --trace \t\n".into(),
        ));
        assert_eq!(
            argv(&s),
            ["/usr/bin/env", "node --trace", "./hello.sh", "world"]
        );
        s.apply(Action::Executable(false));
        assert_eq!(s.outcome.errno(), Some(Errno::Eacces));
        s.apply(Action::Content("bad \\escape".into()));
        assert!(s.content_error.is_some());
    }

    #[test]
    fn nesting_limit_and_stepping() {
        let mut s = State::default();
        s.apply(Action::Pick(10));
        assert_eq!(s.outcome.errno(), Some(Errno::Eloop));
        let n = s.outcome.steps.len();
        assert!(n > 6);
        s.apply(Action::Next);
        assert_eq!(s.shown, 2);
        s.apply(Action::All);
        assert!(s.finished());
        s.apply(Action::Next);
        assert_eq!(s.shown, n);
        s.apply(Action::First);
        s.apply(Action::Prev);
        assert_eq!(s.shown, 1);
        s.apply(Action::Show(3));
        assert_eq!(s.shown, 3);
        s.apply(Action::Show(usize::MAX));
        assert_eq!(s.shown, n);
        s.apply(Action::Show(0));
        assert_eq!(s.shown, 1);
    }

    #[test]
    fn empty_argv_gets_an_empty_argv0() {
        let mut s = State::default();
        s.apply(Action::Pick(14));
        s.apply(Action::Argv(String::new()));
        assert_eq!(argv(&s), [""]);
    }

    #[test]
    fn query_round_trip() {
        let mut s = State::default();
        s.apply(Action::Pick(4));
        s.apply(Action::Argv("x\ny z".into()));
        assert_eq!(State::from_query(&s.to_query().into()), s);
        let mut e = State::default();
        e.apply(Action::Content("#!/bin/sh -x\n".into()));
        e.apply(Action::Executable(false));
        assert_eq!(State::from_query(&e.to_query().into()), e);
    }
}
