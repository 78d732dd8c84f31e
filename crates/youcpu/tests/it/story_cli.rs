//! `youcpu run --trace` tells the same story as the "your program" widget: each example
//! program of web/programs is run both ways, by the CLI over a directory holding the files
//! (`--root`) and by the core over its in-memory file system as the page runs it, and the
//! events (the JSON document's `trace`) and the lines (the text form's trace on stderr) must
//! be the same, event for event; the page's timeline is the narration of those events.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use youcpu_core::linux::narrate;
use youcpu_core::linux::trace::Categories;
use youcpu_core::linux::{Config, Linux};
use youcpu_core::loader::stack::RANDOM_SEED;
use youcpu_core::loader::ExecArgs;
use youcpu_testkit::process::Run;

fn programs() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../web/programs")
}

/// The files as the page places them: (path in the simulated tree, bytes).
fn files() -> Vec<(String, Vec<u8>)> {
    let dir = programs();
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir.join("bin")).unwrap() {
        let e = e.unwrap();
        let name = e.file_name().into_string().unwrap();
        out.push((format!("/bin/{name}"), std::fs::read(e.path()).unwrap()));
    }
    out.push((
        "/lib/ld-musl-x86_64.so.1".into(),
        std::fs::read(dir.join("lib/ld-musl-x86_64.so.1")).unwrap(),
    ));
    out.push((
        "/bin/script".into(),
        std::fs::read(dir.join("script")).unwrap(),
    ));
    out
}

/// Our uid and gid, which the CLI gives the guest (AT_UID, AT_GID in the first stack).
fn ids() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let field = |name: &str| -> u64 {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|r| r.split_whitespace().next())
            .unwrap()
            .parse()
            .unwrap()
    };
    (field("Uid:"), field("Gid:"))
}

fn core_events(path: &str, stdin: &[u8]) -> (Linux, serde_json::Value) {
    let mut l = Linux::new(&Config::default()).unwrap();
    for (p, b) in files() {
        l.install_file(p.as_bytes(), &b, 0o755).unwrap();
    }
    // Standard input arrives when the program first waits for it, then its end: as the CLI
    // passes a pipe's contents on (and as the page gives the reader's text).
    l.stdin_open = true;
    l.trace.start(Categories::ALL);
    let (uid, gid) = ids();
    let args = ExecArgs {
        argv: vec![path.as_bytes().to_vec()],
        envp: vec![b"PATH=/bin".to_vec()],
        execfn: path.as_bytes().to_vec(),
        uid,
        gid,
        random_seed: RANDOM_SEED,
    };
    l.spawn(path.as_bytes(), &args).unwrap();
    let mut input = vec![stdin.to_vec(), Vec::new()].into_iter();
    while !l.run(100_000_000) {
        assert!(l.awaiting_input, "{path} did not finish");
        l.feed_stdin(&input.next().unwrap_or_default());
    }
    let v = serde_json::to_value(&l.trace.events).unwrap();
    (l, v)
}

fn cli(root: &Path, json: bool, path: &str, stdin: &[u8]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_youcpu"));
    c.arg("run");
    if json {
        c.arg("--json");
    }
    c.args(["--trace=all", "--clear-env", "--env", "PATH=/bin", "--root"])
        .arg(root)
        .arg(path)
        .env_clear()
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = c.run_spawn().unwrap();
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn the_cli_trace_and_the_page_timeline_are_the_same_events() {
    let root = std::env::temp_dir().join(format!("youcpu-story-cli-{}", std::process::id()));
    for (p, b) in files() {
        let at = root.join(p.trim_start_matches('/'));
        std::fs::create_dir_all(at.parent().unwrap()).unwrap();
        youcpu_testkit::process::write_exe(&at, b).unwrap();
    }
    let cases: [(&str, &[u8]); 7] = [
        ("/bin/hello", b""),
        ("/bin/hello-dyn", b""),
        ("/bin/fork", b""),
        ("/bin/share", b""),
        ("/bin/segv", b""),
        ("/bin/upper", b"shout this\n"),
        ("/bin/script", b""),
    ];
    for (path, stdin) in cases {
        let (l, events) = core_events(path, stdin);
        let out = cli(&root, true, path, stdin);
        let v: serde_json::Value = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|_| panic!("{path}: {}", String::from_utf8_lossy(&out.stderr)));
        assert_eq!(v["stdout"], String::from_utf8_lossy(&l.stdout).as_ref());
        let cli_events = v["trace"].as_array().unwrap();
        let ours = events.as_array().unwrap();
        assert!(ours.len() > 10, "{path}: {} events", ours.len());
        for (i, (a, b)) in ours.iter().zip(cli_events).enumerate() {
            assert_eq!(a, b, "{path}: event {i}");
        }
        assert_eq!(ours.len(), cli_events.len(), "{path}");
        // The text form prints each event as the timeline's moment carries it.
        let text = cli(&root, false, path, stdin);
        let err = String::from_utf8_lossy(&text.stderr);
        let printed: Vec<&str> = err.lines().filter(|l| l.starts_with("[pid ")).collect();
        let story = narrate::narrate(&l.trace.events);
        let lines: Vec<&str> = story.iter().map(|m| m.line.as_str()).collect();
        assert_eq!(printed, lines, "{path}");
    }
    let _ = std::fs::remove_dir_all(&root);
}
