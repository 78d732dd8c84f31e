//! What an oracle test does when the tool it compares against is missing.
//!
//! The test command (`scripts/test.sh`) sets `YOUCPU_STRICT_ORACLES=1` and installs every tool
//! the oracle tests use (`scripts/setup.sh`): there, a missing tool fails its test, so a green
//! run always means every oracle was consulted. Run by hand without the variable (a quick
//! `cargo test` on a machine without, say, zsh), the test says what it skipped and returns.

use std::process::Command;

/// The variable the test command sets.
pub const STRICT: &str = "YOUCPU_STRICT_ORACLES";

/// Whether every oracle must be present (the test command's mode).
pub fn strict() -> bool {
    std::env::var_os(STRICT).is_some_and(|v| v == "1")
}

/// An oracle this test needs is missing (`what` says which and why): under the test command
/// the test fails here; otherwise this prints `skipped: WHAT` and the caller returns.
#[track_caller]
pub fn missing(what: &str) {
    if strict() {
        panic!(
            "oracle missing: {what} ({STRICT}=1: the test command requires every oracle; \
             scripts/setup.sh installs them)"
        );
    }
    eprintln!("skipped: {what}");
}

/// Runs the tests of the current test binary whose names contain `filter` (tests marked
/// `#[ignore]` because they must not touch the host) inside a private user and mount namespace
/// (`unshare --user --map-root-user --mount`), where they may mount their own instance of a
/// namespaced filesystem such as binfmt_misc (Linux 6.7 and later) without changing the
/// host's. Panics with their output if they fail; reports a missing `unshare` or a kernel that
/// refuses the namespace through [`missing`] (and then returns `false`).
pub fn in_private_namespace(filter: &str) -> bool {
    let exe = match std::env::current_exe() {
        Ok(e) => e,
        Err(e) => panic!("the test binary's path: {e}"),
    };
    if !namespace_available() {
        return false;
    }
    let out = crate::process::Run::run_output(
        Command::new("unshare")
            .args(["--user", "--map-root-user", "--mount", "--"])
            .arg(exe)
            .args([filter, "--ignored", "--test-threads=1", "--nocapture"])
            .env("YOUCPU_IN_PRIVATE_NAMESPACE", "1"),
    )
    .unwrap_or_else(|e| panic!("unshare: {e}"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "in the private namespace:\n{text}");
    assert!(
        text.contains("test result: ok") && !text.contains(" 0 passed"),
        "no test named like {filter:?} ran in the private namespace:\n{text}"
    );
    eprint!("{text}");
    true
}

/// Whether `unshare --user --map-root-user --mount` works here (util-linux is installed and
/// the kernel grants an unprivileged user namespace); if not, says so through [`missing`].
pub fn namespace_available() -> bool {
    let probe = Command::new("unshare")
        .args(["--user", "--map-root-user", "--mount", "true"])
        .output();
    match probe {
        Err(e) => {
            missing(&format!("unshare cannot be run ({e}); it is in util-linux"));
            false
        }
        Ok(o) if !o.status.success() => {
            missing(&format!(
                "this kernel refuses a private user and mount namespace: {}",
                String::from_utf8_lossy(&o.stderr).trim()
            ));
            false
        }
        Ok(_) => true,
    }
}

/// Runs the shell `script` (`$1`... are `args`) as root of a private user and mount namespace,
/// where it may mount a tmpfs of its own (`mount -t tmpfs -o noexec none DIR`) without
/// touching the host's mounts, and returns its standard output. A missing `unshare`, a kernel
/// that refuses the namespace, or a script that exits 90 (its way to say the mount was
/// refused) go through [`missing`] (then `None`); any other failure of the script panics with
/// its output.
pub fn in_mount_namespace(script: &str, args: &[&std::ffi::OsStr]) -> Option<String> {
    if !namespace_available() {
        return None;
    }
    let out = crate::process::Run::run_output(
        Command::new("unshare")
            .args([
                "--user",
                "--map-root-user",
                "--mount",
                "sh",
                "-c",
                script,
                "sh",
            ])
            .args(args),
    )
    .unwrap_or_else(|e| panic!("unshare: {e}"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    if out.status.code() == Some(90) {
        missing(&format!("cannot mount tmpfs in a user namespace: {stderr}"));
        return None;
    }
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "the script in the private namespace failed ({}):\n{stdout}{stderr}",
        out.status
    );
    Some(stdout)
}

/// Whether this process is a test run by [`in_private_namespace`] (an `#[ignore]`d test that
/// must touch only a private namespace checks this first and refuses to run on the host).
pub fn inside_private_namespace() -> bool {
    std::env::var_os("YOUCPU_IN_PRIVATE_NAMESPACE").is_some()
}
