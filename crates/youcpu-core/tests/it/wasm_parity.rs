//! The core's step traces on fixed inputs (`youcpu_testkit::traces`) match the recorded file
//! `tests/data/traces.txt`; the browser test computes the same lines in wasm32 and checks the
//! same file, so the page and the CLI are shown to compute the same things. After a deliberate
//! change to what the core does, `YOUCPU_RECORD=1` writes the file again (review its diff).

#![allow(clippy::unwrap_used)] // tests may unwrap

use std::path::Path;

#[test]
fn step_traces_match_the_recorded_file_that_the_browser_test_also_checks() {
    let lines = youcpu_testkit::traces::lines();
    let text = format!("{}\n", lines.join("\n"));
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/traces.txt");
    if std::env::var_os("YOUCPU_RECORD").is_some() {
        std::fs::write(&path, &text).unwrap();
    }
    // Every kind of trace is there, and the programs did what they do natively.
    for kind in ["execve ", "load ", "run ", "sched "] {
        assert!(
            lines.iter().filter(|l| l.starts_with(kind)).count() >= 4,
            "too few {kind}lines"
        );
    }
    let last = |name: &str| {
        lines
            .iter()
            .rfind(|l| l.starts_with(&format!("run {name}: ")))
            .unwrap()
            .clone()
    };
    assert!(
        last("hello").contains(r#"stdout "hello, world\n""#),
        "{}",
        last("hello")
    );
    assert!(
        last("segv").contains("caught SIGSEGV at address 0x10"),
        "{}",
        last("segv")
    );
    assert!(
        last("fork").contains("child exited with 7"),
        "{}",
        last("fork")
    );
    let recorded = std::fs::read_to_string(&path).unwrap_or_default();
    if recorded != text {
        let first = recorded
            .lines()
            .zip(text.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(recorded.lines().count().min(lines.len()));
        panic!(
            "the step traces differ from {} at line {}:\n recorded: {:?}\n computed: {:?}\n(YOUCPU_RECORD=1 records them again after a deliberate change)",
            path.display(),
            first + 1,
            recorded.lines().nth(first),
            text.lines().nth(first)
        );
    }
}
