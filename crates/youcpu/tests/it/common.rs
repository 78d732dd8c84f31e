//! What the CLI's test modules share: a scratch directory per module, the C programs of the
//! core's tests, compiling one of them, running `youcpu` under a clean environment or with
//! standard input, and the CLI's output contracts (a JSON document, a one-line error).

use serde_json::Value;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use youcpu_testkit::process::Run;

/// The core crate's C test programs (`crates/youcpu-core/tests/programs`).
pub fn programs() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../youcpu-core/tests/programs")
}

/// This process's scratch directory for the module `name` (created if need be).
pub fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("youcpu-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&d).expect("a scratch directory");
    d
}

/// Compiles `src` to `exe` with the compiler command `cc` (its flags already given), and
/// fails the test with the compiler's message if it cannot.
pub fn compile(mut cc: Command, src: &Path, exe: &Path) -> PathBuf {
    let out = cc
        .arg("-o")
        .arg(exe)
        .arg(src)
        .run_output()
        .expect("compiler");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    exe.to_path_buf()
}

/// `cc flags…`, for [`compile`].
pub fn cc(cc: &str, flags: &[&str]) -> Command {
    let mut c = Command::new(cc);
    c.args(flags);
    c
}

/// Runs `youcpu args` with an empty environment plus `env`, standard input from /dev/null.
pub fn youcpu_with(args: &[&str], env: &[(&str, &str)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_youcpu"))
        .args(args)
        .env_clear()
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .run_output()
        .expect("youcpu runs")
}

/// A path as the `&str` an argument list wants.
pub fn s(p: &Path) -> &str {
    p.to_str().expect("a UTF-8 path")
}

/// A fresh empty directory `name` under the module's scratch directory.
pub fn fresh(module: &str, name: &str) -> PathBuf {
    let d = scratch(module).join(name);
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("a fresh directory");
    d
}

/// Runs `c` with `input` on its standard input, capturing its output. The input is written
/// from a thread, so a child that stops reading early (it refuses the input) cannot block it.
pub fn with_stdin(mut c: Command, input: &[u8]) -> Output {
    let mut child = c
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .run_spawn()
        .expect("the command starts");
    let mut pipe = child.stdin.take().expect("a stdin pipe");
    let data = input.to_vec();
    let feeder = std::thread::spawn(move || {
        let _ = pipe.write_all(&data);
    });
    let out = child.wait_with_output().expect("the command ends");
    feeder.join().expect("the input written");
    out
}

/// The JSON document a successful run printed (exit status 0, or the test fails showing its
/// standard error).
pub fn ok_json(out: Output) -> Value {
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("a JSON document")
}

/// The CLI's error contract for `args`: exit status 1 and one line on standard error that
/// contains `want`; with `--json` after the command word, exit status 1 and an
/// `{"error": ...}` document that contains it too.
pub fn fails_cleanly(youcpu: impl Fn(&[&str]) -> Output, args: &[&str], want: &str) {
    let out = youcpu(args);
    assert_eq!(out.status.code(), Some(1), "{args:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(want),
        "{args:?}: {err:?} should contain {want:?}"
    );
    assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: {err}");
    let mut json = args.to_vec();
    json.insert(1.min(json.len()), "--json");
    let out = youcpu(&json);
    assert_eq!(out.status.code(), Some(1), "{json:?}");
    let v: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|_| panic!("{json:?}: {}", String::from_utf8_lossy(&out.stdout)));
    let msg = v["error"].as_str().unwrap_or_default();
    assert!(msg.contains(want), "{json:?}: {v}");
}
