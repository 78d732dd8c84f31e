//! Dynamically linked programs under `youcpu run`, with the real ld.so and libraries of this
//! machine: its own tools (coreutils, grep, sed, awk, sort, sha256sum, ls, tr reading stdin)
//! and the C programs of tests/programs built with gcc without -static give exactly the
//! native stdout, stderr and exit status, under the same fixed environment (LC_ALL=C). A
//! tool that is missing fails the test: it never passes with fewer cases.

#![allow(clippy::unwrap_used)] // tests may unwrap

use crate::common::{self, *};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use youcpu_testkit::process::Run;

fn tmp() -> PathBuf {
    scratch("dynamic")
}

fn fresh(name: &str) -> PathBuf {
    common::fresh("dynamic", name)
}

const ENV: [(&str, &str); 3] = [
    ("LC_ALL", "C"),
    ("HOME", "/nonexistent"),
    ("PATH", "/usr/bin:/bin"),
];

/// Runs `argv` natively and under youcpu in `dir` with `input` on stdin; both must agree.
fn compare(dir: &Path, argv: &[&str], input: &[u8]) -> Output {
    assert!(
        Path::new(argv[0]).is_file(),
        "{} is not installed on this machine",
        argv[0]
    );
    let mut n = Command::new(argv[0]);
    n.args(&argv[1..]).current_dir(dir).env_clear().envs(ENV);
    let native = with_stdin(n, input);
    let mut y = Command::new(env!("CARGO_BIN_EXE_youcpu"));
    y.arg("run").arg("--clear-env");
    for (k, v) in ENV {
        y.arg("--env").arg(format!("{k}={v}"));
    }
    y.arg("--cwd").arg(dir).args(argv);
    let sim = with_stdin(y, input);
    let what = argv.join(" ");
    assert_eq!(
        String::from_utf8_lossy(&sim.stderr),
        String::from_utf8_lossy(&native.stderr),
        "stderr of {what}"
    );
    assert!(
        sim.stdout == native.stdout,
        "stdout of {what}: {} bytes, native {}\n{}",
        sim.stdout.len(),
        native.stdout.len(),
        String::from_utf8_lossy(&sim.stdout)
    );
    assert_eq!(sim.status.code(), native.status.code(), "status of {what}");
    native
}

/// 10,000 lines of pseudo-random numbers and words.
fn lines() -> Vec<u8> {
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    let mut out = Vec::new();
    for i in 0..10_000 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out.extend_from_slice(format!("{} word{} {:x}\n", x % 100_000, i % 37, x >> 40).as_bytes());
    }
    out
}

#[test]
fn this_machines_tools_match_native_runs() {
    let dir = fresh("tools");
    std::fs::write(dir.join("lines.txt"), lines()).unwrap();
    std::fs::create_dir(dir.join("sub")).unwrap();
    std::fs::write(dir.join("sub/a"), "alpha\n").unwrap();
    std::fs::write(dir.join("sub/b"), "beta\n").unwrap();
    let text = lines();
    let cases: Vec<(Vec<&str>, &[u8])> = vec![
        (vec!["/bin/echo", "hi"], b""),
        (vec!["/bin/true"], b""),
        (vec!["/bin/false"], b""),
        (vec!["/bin/ls", "."], b""),
        (vec!["/bin/ls", "-la", "sub"], b""),
        (vec!["/bin/ls", "/nonexistent"], b""),
        (vec!["/usr/bin/sort", "lines.txt"], b""),
        (
            vec!["/usr/bin/sort", "-n", "-r", "-k", "1,1", "lines.txt"],
            b"",
        ),
        (vec!["/usr/bin/sha256sum", "lines.txt"], b""),
        (vec!["/usr/bin/tr", "a-z", "A-Z"], &text),
        (vec!["/bin/grep", "-c", "word3", "lines.txt"], b""),
        (vec!["/bin/grep", "-n", "^99", "lines.txt"], b""),
        (vec!["/bin/sed", "-n", "s/word/W/p;50q", "lines.txt"], b""),
        (
            vec!["/usr/bin/awk", "{s += $1} END {print s, NR}", "lines.txt"],
            b"",
        ),
        (vec!["/usr/bin/wc", "lines.txt"], b""),
        (vec!["/usr/bin/head", "-c", "100"], &text),
        (vec!["/usr/bin/uniq", "-c"], b"a\na\nb\n"),
        (vec!["/usr/bin/cat", "sub/a", "sub/missing", "sub/b"], b""),
        (
            vec!["/usr/bin/stat", "-c", "%n %s %F %a", "lines.txt", "sub"],
            b"",
        ),
        (vec!["/usr/bin/md5sum"], &text),
    ];
    for (argv, input) in &cases {
        compare(&dir, argv, input);
    }
    assert_eq!(cases.len(), 20);
}

fn build_dynamic(src: &str, extra: &[&str]) -> PathBuf {
    // One file per build: tests run in parallel, and writing an executable another test is
    // running fails with ETXTBSY.
    static SEQ: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let exe = tmp().join(format!("{}-dyn-{n}", src.replace('.', "_")));
    let out = Command::new("gcc")
        .args(["-O2", "-o"])
        .arg(&exe)
        .arg(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../youcpu-core/tests/programs")
                .join(src),
        )
        .args(extra)
        .run_output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    exe
}

/// A source file, extra compiler flags, arguments, standard input.
type Prog = (
    &'static str,
    &'static [&'static str],
    &'static [&'static str],
    &'static [u8],
);

#[test]
fn dynamic_glibc_builds_of_the_test_programs_match_native_runs() {
    let progs: [Prog; 20] = [
        ("hello.c", &[], &["one", "two words", ""], b""),
        ("float.c", &["-lm"], &[], b""),
        ("strfun.c", &[], &[], b""),
        ("simdstr.c", &[], &[], b""),
        ("vector.c", &["-O3", "-march=x86-64-v2"], &[], b""),
        ("files.c", &[], &[], b""),
        ("dirs.c", &[], &[], b""),
        (
            "stdin.c",
            &[],
            &[],
            b"first line\nsecond\n\nlast without newline",
        ),
        ("fork_wait.c", &[], &[], b""),
        ("fork_cow.c", &[], &[], b""),
        ("pipes.c", &[], &[], b""),
        ("pipeline.c", &[], &[], b""),
        ("poll.c", &[], &[], b""),
        ("wait_edge.c", &[], &[], b""),
        ("sleep.c", &[], &[], b""),
        ("vfork.c", &[], &[], b""),
        ("fork_stdio.c", &[], &[], b""),
        ("select.c", &[], &[], b""),
        ("rtsig.c", &[], &[], b""),
        ("sig_threads.c", &[], &[], b""),
    ];
    for (src, flags, args, input) in progs {
        let exe = build_dynamic(src, flags);
        let dir = fresh(&format!("prog-{src}"));
        let mut argv = vec![exe.to_str().unwrap()];
        argv.extend_from_slice(args);
        compare(&dir, &argv, input);
    }
}

#[test]
fn a_dynamic_program_ended_by_its_own_alarm_matches_the_native_run() {
    // alarm.c ends by its own SIGALRM, which `compare` cannot take (the native status is a
    // signal, youcpu's the shell's 128 + 14, and youcpu says why on stderr). Its children
    // sleep past an alarm whose SIGALRM one of them ignores: the idle clock must jump on to
    // the next sleeper's deadline (it once stopped there as a deadlock).
    use std::os::unix::process::ExitStatusExt;
    let exe = build_dynamic("alarm.c", &[]);
    let dir = fresh("prog-alarm");
    let mut n = Command::new(&exe);
    n.current_dir(&dir).env_clear().envs(ENV);
    let native = with_stdin(n, b"");
    let mut y = Command::new(env!("CARGO_BIN_EXE_youcpu"));
    y.arg("run").arg("--clear-env");
    for (k, v) in ENV {
        y.arg("--env").arg(format!("{k}={v}"));
    }
    y.arg("--cwd").arg(&dir).arg(&exe);
    let sim = with_stdin(y, b"");
    assert_eq!(
        String::from_utf8_lossy(&sim.stdout),
        String::from_utf8_lossy(&native.stdout)
    );
    assert!(native.stdout.ends_with(b"forked child's alarm: 0\n"));
    assert_eq!(native.status.signal(), Some(14));
    assert_eq!(sim.status.code(), Some(142));
    assert!(native.stderr.is_empty());
    let err = String::from_utf8_lossy(&sim.stderr);
    assert!(err.contains("SIGALRM") && err.lines().count() == 1, "{err}");
}

#[test]
fn mutated_dynamic_programs_never_panic_the_simulator() {
    // A dynamic hello with bytes of its ELF header, program headers and dynamic section
    // changed at random: the loader refuses it, ld.so refuses it, or the guest dies; youcpu
    // itself never panics (status 101) and always ends within the step budget.
    let exe = build_dynamic("hello.c", &[]);
    let good = std::fs::read(&exe).unwrap();
    let dynamic = {
        let f = youcpu_core::elf::parse(&good).unwrap();
        let d = f.segments.iter().find(|p| p.p_type.value == 2).unwrap();
        (d.offset.value as usize, d.filesz.value as usize)
    };
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let dir = fresh("mutants");
    let mut outcomes = std::collections::BTreeMap::new();
    let runs = 40;
    for i in 0..runs {
        let mut m = good.clone();
        for _ in 0..1 + next() % 4 {
            let at = match next() % 3 {
                0 => (next() % 64) as usize,
                1 => 64 + (next() % (56 * 13)) as usize,
                _ => dynamic.0 + (next() as usize % dynamic.1.max(1)),
            };
            if let Some(b) = m.get_mut(at) {
                *b = next() as u8;
            }
        }
        let path = dir.join(format!("m{i}"));
        std::fs::write(&path, &m).unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_youcpu"))
            .args([
                "run",
                "--max-steps",
                "3000000",
                "--clear-env",
                "--env",
                "LC_ALL=C",
            ])
            .arg(&path)
            .stdin(Stdio::null())
            .run_output()
            .unwrap();
        let code = out.status.code();
        assert!(
            code.is_some() && code != Some(101),
            "mutant {i}: {code:?} {}",
            String::from_utf8_lossy(&out.stderr)
        );
        *outcomes.entry(code).or_insert(0) += 1;
    }
    assert_eq!(outcomes.values().sum::<i32>(), runs);
    eprintln!("mutant outcomes (status: count): {outcomes:?}");
}
