//! What the CLI's test modules share: a scratch directory per module, the C programs of the
//! core's tests, compiling one of them, and running `youcpu` under a clean environment.

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
