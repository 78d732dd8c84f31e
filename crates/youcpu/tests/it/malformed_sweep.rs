//! Every subcommand against a broad table of malformed invocations: unknown flags, missing
//! values, flags twice, absurd numbers (0, -1, 2^64, 1e400, NaN), empty and huge strings,
//! non-UTF-8 arguments, missing files, directories, /dev/null, /dev/zero, random bytes,
//! truncated ELFs and junk on stdin. Each case states the exit status it must have (1, or 0
//! where the input is in fact valid); a failure must print exactly one line on stderr, and with
//! `--json` an `{"error": ...}` document on stdout. Never status 101 (a Rust panic) or a
//! signal, and every case ends within [`CASE_TIMEOUT`].
//! Each case runs twice: as written and with `--json` after the subcommand.

#![allow(clippy::unwrap_used)] // tests may unwrap

use std::ffi::OsString;
use std::io::Write;
use std::os::unix::ffi::OsStringExt;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use youcpu_testkit::process::Run;
use youcpu_testkit::rng::{Rng, SplitMix64};

/// Longest any case may take (the slowest valid ones simulate for a moment).
const CASE_TIMEOUT: Duration = Duration::from_secs(30);

/// What a case must end with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Want {
    /// Exit status 0: the input is valid after all.
    Ok,
    /// Exit status 1 with a one-line message.
    Fail,
}

struct Case {
    args: Vec<OsString>,
    stdin: Vec<u8>,
    want: Want,
}

fn os(s: &str) -> OsString {
    OsString::from(s)
}

fn non_utf8() -> OsString {
    OsString::from_vec(vec![b'x', 0xff, 0xfe, b'y'])
}

/// Scratch files the cases point at.
struct Files {
    dir: PathBuf,
    missing: PathBuf,
    random: PathBuf,
    empty: PathBuf,
    elf: PathBuf,
    truncated: Vec<PathBuf>,
    script: PathBuf,
    source: PathBuf,
    bad_source: PathBuf,
    memory: PathBuf,
}

/// A tiny static x86-64 executable that exits 0: `mov eax, 60; xor edi, edi; syscall`.
fn tiny_elf() -> Vec<u8> {
    let mut elf = vec![0u8; 0x78];
    elf[..16].copy_from_slice(b"\x7fELF\x02\x01\x01\0\0\0\0\0\0\0\0\0");
    elf[16] = 2; // ET_EXEC
    elf[18] = 62; // EM_X86_64
    elf[20] = 1;
    elf[24..32].copy_from_slice(&0x40_0078u64.to_le_bytes()); // e_entry
    elf[32..40].copy_from_slice(&64u64.to_le_bytes()); // e_phoff
    elf[52] = 64; // e_ehsize
    elf[54] = 56; // e_phentsize
    elf[56] = 1; // e_phnum
    let ph = 64;
    elf[ph] = 1; // PT_LOAD
    elf[ph + 4] = 5; // R+X
    elf[ph + 16..ph + 24].copy_from_slice(&0x40_0000u64.to_le_bytes());
    elf[ph + 32..ph + 40].copy_from_slice(&0x88u64.to_le_bytes());
    elf[ph + 40..ph + 48].copy_from_slice(&0x88u64.to_le_bytes());
    elf.extend_from_slice(&[
        0xb8, 60, 0, 0, 0, 0x31, 0xff, 0x0f, 0x05, 0, 0, 0, 0, 0, 0, 0,
    ]);
    elf
}

fn files(root: &Path) -> Files {
    let w = |name: &str, data: &[u8]| {
        let p = root.join(name);
        youcpu_testkit::process::write(&p, data).unwrap();
        p
    };
    let mut rng = SplitMix64(2026);
    let elf = tiny_elf();
    let truncated = [0usize, 4, 16, 63, 64, 100, 0x77]
        .iter()
        .map(|&n| w(&format!("trunc{n}"), &elf[..n]))
        .collect();
    let dir = root.join("a-directory");
    std::fs::create_dir_all(&dir).unwrap();
    let script = w("script.sh", b"#!/bin/sh\necho hi\n");
    youcpu_testkit::process::chmod(&script, 0o755).unwrap();
    Files {
        dir,
        missing: root.join("does-not-exist"),
        random: w("random.bin", &rng.bytes(5000)),
        empty: w("empty", b""),
        elf: w("tiny.elf", &elf),
        truncated,
        script,
        source: w(
            "ok.s",
            b".intel_syntax noprefix\n.globl _start\n_start:\n mov eax, 60\n xor edi, edi\n syscall\n",
        ),
        bad_source: w("bad.s", b"_start:\n mov eax, [[[\n"),
        memory: w("memory.bin", &[0u8; 8192]),
    }
}

/// Absurd values for a numeric option.
fn absurd() -> Vec<OsString> {
    [
        "0",
        "-1",
        "18446744073709551616",
        "-9223372036854775809",
        "1e400",
        "NaN",
        "inf",
        "",
        " ",
        "0x",
        "0x1g",
        "١٢",
        "1.5.5",
        "--",
    ]
    .iter()
    .map(|s| os(s))
    .chain([non_utf8(), OsString::from("9".repeat(100_000))])
    .collect()
}

fn case(args: &[OsString], stdin: &[u8], want: Want) -> Case {
    Case {
        args: args.to_vec(),
        stdin: stdin.to_vec(),
        want,
    }
}

/// Malformed forms every subcommand must refuse: unknown flags, a non-UTF-8 flag, a huge one.
fn common_failures(sub: &str, valid_tail: &[OsString], stdin: &[u8]) -> Vec<Case> {
    let mut out = Vec::new();
    for bad in [
        os("--bogus"),
        os("--bogus=1"),
        os("-Z"),
        os("---"),
        os("--json=yes"),
        OsString::from_vec(b"--\xff".to_vec()),
        OsString::from(format!("--{}", "x".repeat(100_000))),
    ] {
        let mut args = vec![os(sub), bad];
        args.extend_from_slice(valid_tail);
        out.push(case(&args, stdin, Want::Fail));
    }
    out
}

fn p(path: &Path) -> OsString {
    path.as_os_str().to_owned()
}

mod cases;
use cases::cases;

struct Ran {
    code: Option<i32>,
    signal: Option<i32>,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
    took: Duration,
}

fn run(bin: &Path, cwd: &Path, args: &[OsString], stdin: &[u8]) -> Ran {
    let start = Instant::now();
    let mut child = Command::new(bin)
        .args(args)
        .current_dir(cwd)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .run_spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    let data = stdin.to_vec();
    // The child may stop reading early (it refuses the input): a broken pipe is fine.
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(&data);
    });
    let out_pipe = child.stdout.take().unwrap();
    let err_pipe = child.stderr.take().unwrap();
    let read_all = |mut r: Box<dyn std::io::Read + Send>| {
        std::thread::spawn(move || {
            let mut v = Vec::new();
            let _ = r.read_to_end(&mut v);
            v
        })
    };
    let out_t = read_all(Box::new(out_pipe));
    let err_t = read_all(Box::new(err_pipe));
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if start.elapsed() > CASE_TIMEOUT {
            let _ = child.kill();
            break child.wait().unwrap();
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let took = start.elapsed();
    let _ = writer.join();
    Ran {
        code: status.code(),
        signal: status.signal(),
        stdout: out_t.join().unwrap(),
        stderr: err_t.join().unwrap(),
        took,
    }
}

fn show(args: &[OsString]) -> String {
    args.iter()
        .map(|a| {
            let s = a.to_string_lossy();
            if s.len() > 40 {
                format!(
                    "{}…({} bytes)",
                    &s[..s.char_indices().nth(30).map_or(s.len(), |(i, _)| i)],
                    s.len()
                )
            } else {
                format!("{s:?}")
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn every_subcommand_answers_malformed_input_with_one_line_and_status_1() {
    let bin = Path::new(env!("CARGO_BIN_EXE_youcpu"));
    let scratch = std::env::temp_dir().join(format!("youcpu-sweep-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).unwrap();
    let f = files(&scratch);
    let all = cases(&f);
    let mut problems = Vec::new();
    let mut runs = 0;
    let mut per_sub = std::collections::BTreeMap::<String, usize>::new();
    let mut slowest = (Duration::ZERO, String::new());
    for c in &all {
        let sub = c
            .args
            .first()
            .map_or("(none)".to_string(), |a| a.to_string_lossy().into_owned());
        *per_sub.entry(sub).or_default() += 1;
        let mut variants = vec![(c.args.clone(), false)];
        let mut with_json = c.args.clone();
        with_json.insert(with_json.len().min(1), os("--json"));
        variants.push((with_json, true));
        for (args, json) in variants {
            runs += 1;
            let r = run(bin, &scratch, &args, &c.stdin);
            let what = format!("youcpu {} (stdin {} bytes)", show(&args), c.stdin.len());
            if r.took > slowest.0 {
                slowest = (r.took, what.clone());
            }
            if let Some(sig) = r.signal {
                problems.push(format!("{what}: killed by signal {sig} after {:?}", r.took));
                continue;
            }
            let want = match c.want {
                Want::Ok => 0,
                Want::Fail => 1,
            };
            if r.code != Some(want) {
                problems.push(format!(
                    "{what}: exit {:?}, want {want}; stderr {:?}",
                    r.code,
                    String::from_utf8_lossy(&r.stderr)
                        .chars()
                        .take(300)
                        .collect::<String>()
                ));
                continue;
            }
            if want == 0 && json && serde_json::from_slice::<serde_json::Value>(&r.stdout).is_err()
            {
                problems.push(format!("{what}: --json output is not JSON"));
            }
            if want == 1 {
                let err = String::from_utf8_lossy(&r.stderr);
                if !(err.starts_with("youcpu: ")
                    && err.ends_with('\n')
                    && err.matches('\n').count() == 1)
                {
                    problems.push(format!("{what}: stderr is not one line: {err:?}"));
                }
                if json {
                    let doc: serde_json::Value =
                        serde_json::from_slice(&r.stdout).unwrap_or(serde_json::Value::Null);
                    if !doc.get("error").is_some_and(serde_json::Value::is_string) {
                        problems.push(format!(
                            "{what}: stdout is not {{\"error\": ...}}: {:?}",
                            String::from_utf8_lossy(&r.stdout)
                                .chars()
                                .take(200)
                                .collect::<String>()
                        ));
                    }
                }
            }
        }
    }
    let _ = std::fs::remove_dir_all(&scratch);
    eprintln!(
        "{} cases, {runs} runs; per subcommand: {per_sub:?}; slowest {:?}: {}",
        all.len(),
        slowest.0,
        slowest.1
    );
    assert!(all.len() >= 500, "only {} cases", all.len());
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}
