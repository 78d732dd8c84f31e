//! The shell fallback after execve fails, against the machine's own dash (`/bin/sh`) and bash:
//! which files each shell runs as a script (and with which argv), which it calls binary
//! (status 126), and the statuses for other errors. Needs `cc`, `dash` and `bash`; a missing
//! shell is skipped with a message.

#![allow(clippy::unwrap_used)]

use youcpu_testkit::execve as common;

use common::{model, Case, Scratch, Seen};
use std::os::unix::ffi::OsStrExt;
use std::process::Command;
use youcpu_core::exec::shell::{enoexec_fallback, error_status, Fallback, Shell};
use youcpu_testkit::process::Run;

const ARGS: [&str; 2] = ["a1", "b2"];

/// What the shell did: exit status, and the ARG/CMD lines the script printed if it ran.
#[derive(Debug, PartialEq, Eq)]
struct Outcome {
    status: i32,
    ran: bool,
    args: Vec<String>,
    cmdline: Vec<String>,
}

fn run_shell(shell: Shell, path: &[u8], cwd: &std::path::Path) -> Outcome {
    let run = || {
        Command::new(shell.name())
            .arg("-c")
            .arg("\"$0\" \"$@\"")
            .arg(std::ffi::OsStr::from_bytes(path))
            .args(ARGS)
            .current_dir(cwd)
            .env_clear()
            .env("PATH", "/usr/bin:/bin")
            .run_output()
            .unwrap()
    };
    // ETXTBSY: a file this process just wrote may still be open in a child another test thread
    // forked; that is about the test, not the file, so wait and retry.
    let mut out = run();
    for _ in 0..100 {
        if !String::from_utf8_lossy(&out.stderr).contains("Text file busy") {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
        out = run();
    }
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    // bash runs the script in a subshell of itself: its command line stays bash's own.
    let cmd_prefix = if shell == Shell::Dash {
        "CMD "
    } else {
        "\u{0}none"
    };
    Outcome {
        status: out.status.code().unwrap_or(-1),
        ran: text.lines().any(|l| l == "RAN"),
        args: text
            .lines()
            .filter_map(|l| l.strip_prefix("ARG "))
            .map(str::to_string)
            .collect(),
        cmdline: text
            .lines()
            .filter_map(|l| l.strip_prefix(cmd_prefix))
            .map(str::to_string)
            .collect(),
    }
}

/// What the model predicts for the same command.
fn predict(shell: Shell, path: &[u8], cwd: &std::path::Path) -> Outcome {
    let args: Vec<Vec<u8>> = ARGS.iter().map(|a| a.as_bytes().to_vec()).collect();
    let mut case = Case::new(path, &[b"a1", b"b2"]);
    case.cwd = cwd.to_path_buf();
    let none = Outcome {
        status: 0,
        ran: false,
        args: vec![],
        cmdline: vec![],
    };
    match model(&case) {
        Seen::Errno(8) => {
            let full = cwd.join(std::ffi::OsStr::from_bytes(path));
            let head = std::fs::read(&full).unwrap();
            match enoexec_fallback(shell, path, &args, &head) {
                Fallback::Script { argv, .. } => {
                    let s = |v: &[Vec<u8>]| {
                        v.iter()
                            .map(|a| String::from_utf8_lossy(a).into_owned())
                            .collect::<Vec<_>>()
                    };
                    match shell {
                        Shell::Dash => Outcome {
                            status: 0,
                            ran: true,
                            args: s(&argv[1..]),
                            cmdline: s(&argv),
                        },
                        Shell::Bash => Outcome {
                            status: 0,
                            ran: true,
                            args: s(&argv),
                            cmdline: vec![],
                        },
                    }
                }
                Fallback::Status { status, .. } => Outcome {
                    status: i32::from(status),
                    ..none
                },
            }
        }
        Seen::Errno(e) => {
            let errno = youcpu_core::exec::Errno::from_number(e).unwrap();
            Outcome {
                status: i32::from(error_status(shell, errno)),
                ..none
            }
        }
        other => panic!("these files are not meant to run directly: {other:?}"),
    }
}

fn shells() -> Vec<Shell> {
    let mut v = Vec::new();
    for sh in [Shell::Dash, Shell::Bash] {
        if Command::new(sh.name())
            .arg("-c")
            .arg("true")
            .run_status()
            .map(|s| s.success())
            .unwrap_or(false)
        {
            v.push(sh);
        } else {
            youcpu_testkit::oracle::missing(&format!("{} is not installed", sh.name()));
        }
    }
    v
}

const BODY: &str = "printf 'RAN\\n'; printf 'ARG %s\\n' \"$0\" \"$@\"; tr '\\0' '\\n' < /proc/$$/cmdline | sed 's/^/CMD /'\n";

fn check_files(files: Vec<(String, Vec<u8>)>, extra: &[(&str, Vec<u8>)]) {
    let dir = Scratch::new("shell");
    let mut names = Vec::new();
    for (name, first) in &files {
        let mut bytes = first.clone();
        bytes.extend_from_slice(BODY.as_bytes());
        dir.file(name, &bytes, 0o755);
        names.push(format!("./{name}").into_bytes());
    }
    for (p, _) in extra {
        names.push(p.as_bytes().to_vec());
    }
    let mut failures = Vec::new();
    let mut binary = 0;
    for sh in shells() {
        for path in &names {
            let got = run_shell(sh, path, &dir.0);
            let want = predict(sh, path, &dir.0);
            if got.status == 126 && !got.ran {
                binary += 1;
            }
            // A script that ran may end with any status; compare what it printed.
            let same = if want.ran {
                got.ran && got.args == want.args && got.cmdline == want.cmdline
            } else {
                got == want
            };
            if !same {
                failures.push(format!(
                    "{} {}: shell {got:?}, model {want:?}",
                    sh.name(),
                    String::from_utf8_lossy(path)
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(
        binary > 0 || shells().is_empty(),
        "some files are binary to the shells"
    );
}

#[test]
fn every_byte_value_in_the_first_line() {
    let mut files = Vec::new();
    for b in 0u8..=255 {
        if b == b'\n' {
            continue;
        }
        files.push((format!("byte{b:02x}"), vec![b'#', b' ', b, b'\n']));
    }
    check_files(files, &[]);
}

#[test]
fn sample_windows_lines_and_special_files() {
    let mut files = Vec::new();
    for k in [
        76usize, 77, 78, 79, 80, 81, 124, 125, 126, 127, 128, 129, 200,
    ] {
        for b in [0u8, 1, 0x7f] {
            let mut line = vec![b'#'];
            line.resize(k, b'a');
            line.push(b);
            line.push(b'\n');
            files.push((format!("at{k}-{b:02x}"), line));
        }
    }
    let specials: Vec<(&str, Vec<u8>)> = vec![
        ("nul-second-line", b"# ok\n\0\n".to_vec()),
        ("nul-third-line", b"# ok\n# ok\n\0\n".to_vec()),
        ("bang-spaces-nul-second", b"#!   \n\0\n".to_vec()),
        ("bang-spaces-nul-third", b"#!   \n# x\n\0\n".to_vec()),
        ("elf-magic-text", b"\x7fELF\n".to_vec()),
        ("elf-magic-later", b"# \x7fELF\n".to_vec()),
        ("cr-line", b"# windows\r\n".to_vec()),
        ("esc-line", b"# \x1b[1mbold\x1b[0m\n".to_vec()),
        ("utf8-line", "# h\u{e9}llo\n".as_bytes().to_vec()),
        ("ctrl-at-start", b"\x02\n".to_vec()),
    ];
    for (n, b) in specials {
        files.push((n.to_string(), b));
    }
    // Files the shells get other errors for.
    let extra: Vec<(&str, Vec<u8>)> = vec![
        ("./missing", vec![]),
        ("./byte-not-there/x", vec![]),
        ("/", vec![]),
    ];
    check_files(files, &extra);
}

#[test]
fn empty_file_and_error_statuses() {
    let dir = Scratch::new("shell-err");
    dir.file("empty", b"", 0o755);
    dir.file("plain", b"echo hi\n", 0o755);
    dir.file("noexec", b"echo hi\n", 0o644);
    std::os::unix::fs::symlink("loop", dir.path("loop")).unwrap();
    let long = format!("./{}", "n".repeat(300));
    let paths = [
        "./empty",
        "./noexec",
        "./plain/x",
        "./loop",
        "./nonexistent",
        long.as_str(),
        "./sub",
    ];
    std::fs::create_dir_all(dir.path("sub")).unwrap();
    let mut failures = Vec::new();
    for sh in shells() {
        for p in paths {
            let got = run_shell(sh, p.as_bytes(), &dir.0);
            let want = predict(sh, p.as_bytes(), &dir.0);
            // The empty file prints nothing even when it "runs": compare statuses.
            let same = got.status == want.status && (!got.ran || want.ran);
            if !same {
                failures.push(format!("{} {p}: shell {got:?}, model {want:?}", sh.name()));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
