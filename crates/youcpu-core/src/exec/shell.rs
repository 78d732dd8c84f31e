//! The shell's fallback when execve fails (POSIX XCU 2.9.1.1 "Command Search and Execution"):
//! on ENOEXEC a shell runs the file as a shell script, unless it looks binary, in which case
//! the exit status is 126. Other errors give 126 or 127.
//!
//! The two shells on a Debian system decide "binary" differently, and both are modelled:
//! - **dash 0.5.12** (`/bin/sh`): looks at the first line within the first
//!   [`DASH_SAMPLE`] bytes; a byte 0x00–0x08, 0x10–0x1a, 0x1c–0x1f or 0x7f there makes it
//!   binary. (Measured on this machine's dash, byte by byte; the oracle test re-checks every
//!   byte value.) Otherwise dash re-executes `/bin/sh` with argv `[/bin/sh, path, args...]`
//!   (`tryexec` in dash's exec.c). Status for other errors: 127 for ENOENT, ENOTDIR, ELOOP,
//!   ENAMETOOLONG, 126 for the rest (`shellexec`).
//! - **bash 5.2**: reads [`BASH_SAMPLE`] bytes (`shell_execve` in execute_cmd.c; 128 measured
//!   here: a NUL at offset 127 of the first line is binary, at 128 it is not). An empty
//!   file is success (status 0) without running anything. `check_binary_file`: an ELF magic,
//!   or a NUL before the end of the first line (the first two lines if the file starts with
//!   `#!`), is binary → "cannot execute binary file", 126. Otherwise bash runs the file in a
//!   subshell as a script, `$0` = the path. Other errors: 127 for ENOENT, 126 for the rest.

/// How many bytes dash looks at.
pub const DASH_SAMPLE: usize = 128;
/// How many bytes bash 5.2 looks at (measured; older bash read 80).
pub const BASH_SAMPLE: usize = 128;

/// Which shell.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shell {
    /// dash, Debian's `/bin/sh`.
    Dash,
    /// GNU bash.
    Bash,
}

impl Shell {
    /// "dash" or "bash".
    pub fn name(self) -> &'static str {
        match self {
            Shell::Dash => "dash",
            Shell::Bash => "bash",
        }
    }

    /// How many leading bytes of the file the shell reads to decide.
    pub fn sample_len(self) -> usize {
        match self {
            Shell::Dash => DASH_SAMPLE,
            Shell::Bash => BASH_SAMPLE,
        }
    }
}

/// What the shell does after execve failed with ENOEXEC.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fallback {
    /// The file is run as a shell script.
    Script {
        /// For dash, the argv of the `/bin/sh` it executes; for bash, `$0` followed by the
        /// positional parameters of the subshell.
        argv: Vec<Vec<u8>>,
        /// In words.
        how: String,
    },
    /// Nothing runs; the command's status is this.
    Status {
        /// 0 (bash, empty file) or 126 (binary).
        status: u8,
        /// Why, and the shell's message.
        why: String,
    },
}

/// dash's "binary" bytes.
pub fn dash_bad_byte(c: u8) -> bool {
    matches!(c, 0x00..=0x08 | 0x10..=0x1a | 0x1c..=0x1f | 0x7f)
}

/// Where the shell saw a binary byte, if it did (`head` is the file's first bytes; more than
/// the sample is ignored).
pub fn binary_at(shell: Shell, head: &[u8]) -> Option<usize> {
    let sample = head
        .get(..head.len().min(shell.sample_len()))
        .unwrap_or(head);
    match shell {
        Shell::Dash => {
            for (i, &c) in sample.iter().enumerate() {
                if c == b'\n' {
                    return None;
                }
                if dash_bad_byte(c) {
                    return Some(i);
                }
            }
            None
        }
        Shell::Bash => {
            if sample.starts_with(b"\x7fELF") {
                return Some(0);
            }
            let mut lines = if sample.starts_with(b"#!") { 2 } else { 1 };
            for (i, &c) in sample.iter().enumerate() {
                if c == b'\n' {
                    lines -= 1;
                    if lines == 0 {
                        return None;
                    }
                }
                if c == 0 {
                    return Some(i);
                }
            }
            None
        }
    }
}

/// The fallback for a file execve refused with ENOEXEC: `path` as the shell passed it, `args`
/// the command's arguments after the name, `head` the file's first bytes.
pub fn enoexec_fallback(shell: Shell, path: &[u8], args: &[Vec<u8>], head: &[u8]) -> Fallback {
    let show = String::from_utf8_lossy(path).into_owned();
    if shell == Shell::Bash && head.is_empty() {
        return Fallback::Status {
            status: 0,
            why: "bash treats an empty file as a successful script".into(),
        };
    }
    if let Some(at) = binary_at(shell, head) {
        let msg = match shell {
            Shell::Dash => format!("dash: {show}: Exec format error"),
            Shell::Bash => format!("bash: {show}: cannot execute binary file: Exec format error"),
        };
        return Fallback::Status {
            status: 126,
            why: format!(
                "byte {at} makes the file look binary to {}; {msg}",
                shell.name()
            ),
        };
    }
    let mut argv = Vec::with_capacity(args.len() + 2);
    let how = match shell {
        Shell::Dash => {
            argv.push(b"/bin/sh".to_vec());
            "dash executes /bin/sh with the file as its script".to_string()
        }
        Shell::Bash => "bash runs the file in a subshell of itself; $0 is the path".to_string(),
    };
    argv.push(path.to_vec());
    argv.extend(args.iter().cloned());
    Fallback::Script { argv, how }
}

/// The exit status a shell gives for an execve error other than ENOEXEC.
pub fn error_status(shell: Shell, errno: super::errno::Errno) -> u8 {
    use super::errno::Errno;
    match (shell, errno) {
        (Shell::Dash, Errno::Enoent | Errno::Enotdir | Errno::Eloop | Errno::Enametoolong) => 127,
        (Shell::Bash, Errno::Enoent) => 127,
        _ => 126,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn samples() {
        assert_eq!(binary_at(Shell::Dash, b"echo\x01"), Some(4));
        assert_eq!(binary_at(Shell::Dash, b"echo\n\x01"), None);
        assert_eq!(binary_at(Shell::Dash, b"echo \x1b[1m"), None);
        assert_eq!(binary_at(Shell::Bash, b"echo\x01"), None);
        assert_eq!(binary_at(Shell::Bash, b"#!x\n\0"), Some(4));
        assert_eq!(binary_at(Shell::Bash, b"x\n\0"), None);
        assert_eq!(binary_at(Shell::Bash, b"\x7fELF"), Some(0));
        let mut long = vec![b'a'; 128];
        long.push(0);
        assert_eq!(binary_at(Shell::Bash, &long), None);
        assert_eq!(binary_at(Shell::Dash, &long[1..]), Some(127));
    }
}

/// A command run from a shell: the execve, and what the shell does when it fails.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShellRun {
    /// The execve the shell makes first.
    pub execve: super::trace::ExecOutcome,
    /// After ENOEXEC: the fallback.
    pub fallback: Option<Fallback>,
    /// After another error: the shell's exit status.
    pub error_status: Option<u8>,
}

/// What `shell` does with the command `req.path req.argv[1..]`: execve, then on ENOEXEC the
/// fallback decided from the file's first bytes, on other errors the status.
pub fn from_shell(
    fs: &dyn super::fs::FileSystem,
    req: &super::execve::ExecRequest,
    shell: Shell,
) -> ShellRun {
    let out = super::execve::execve(fs, req);
    let args = req.argv.get(1..).unwrap_or(&[]);
    let (fallback, error_status) = match out.errno() {
        None => (None, None),
        Some(super::errno::Errno::Enoexec) => {
            let head = super::namei::open_exec(fs, &req.cwd, &req.path, &req.cred, true)
                .ok()
                .and_then(|f| fs.read_at(&f.path, 0, shell.sample_len()).ok())
                .unwrap_or_default();
            (Some(enoexec_fallback(shell, &req.path, args, &head)), None)
        }
        Some(e) => (None, Some(error_status(shell, e))),
    };
    ShellRun {
        execve: out,
        fallback,
        error_status,
    }
}
