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

/// A small deterministic generator (splitmix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
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
    let mut rng = Rng(2026);
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

fn cases(f: &Files) -> Vec<Case> {
    let mut c = Vec::new();
    let s = |v: &[&str]| -> Vec<OsString> { v.iter().map(|x| os(x)).collect() };
    let junk_stdin: Vec<Vec<u8>> = {
        let mut rng = Rng(7);
        vec![
            Vec::new(),
            b"\0\0\0\n".to_vec(),
            rng.bytes(3000),
            vec![0xff; 500],
            "mov eax, 1\n".repeat(20).into_bytes(),
            "x".repeat(200_000).into_bytes(),
            "\n".repeat(150_000).into_bytes(),
            "🦀 ünïcödé\r\n\t".repeat(100).into_bytes(),
        ]
    };

    // The dispatcher.
    c.push(case(&[], b"", Want::Fail));
    c.push(case(&s(&["bogus"]), b"", Want::Fail));
    c.push(case(&[os("")], b"", Want::Fail));
    c.push(case(&[non_utf8()], b"", Want::Fail));
    c.push(case(&s(&["--help"]), b"", Want::Ok));
    c.push(case(&s(&["ASM"]), b"", Want::Fail));

    // asm: stdin is the program; per-line errors are output (status 0), only unusable input
    // (too much of it, bad options) fails.
    c.extend(common_failures("asm", &[], b"nop\n"));
    for stdin in &junk_stdin {
        // 200,000 bytes on one line and 150,000 empty lines are within the input limit (4 MiB)
        // but the second is over the line limit (100,000 lines).
        let want = if stdin.iter().filter(|&&b| b == b'\n').count() > 100_000 {
            Want::Fail
        } else {
            Want::Ok
        };
        c.push(case(&s(&["asm"]), stdin, want));
        c.push(case(&s(&["asm", "--explain"]), stdin, want));
    }
    c.push(case(&s(&["asm"]), &vec![b'a'; (4 << 20) + 10], Want::Fail));
    for v in absurd() {
        c.push(case(
            &[os("asm"), os("--bits"), v.clone()],
            b"nop\n",
            Want::Fail,
        ));
        let want = if v == "0" { Want::Ok } else { Want::Fail }; // address 0 is fine
        c.push(case(&[os("asm"), os("--ip"), v], b"nop\n", want));
    }
    for ok in ["0", "0x0", "0xffffffffffffffff", "18446744073709551615"] {
        c.push(case(&s(&["asm", "--ip", ok]), b"jmp $+2\n", Want::Ok));
    }
    c.push(case(
        &s(&["asm", "--bits", "16", "--ip", "0x10000"]),
        b"nop\n",
        Want::Fail,
    ));
    c.push(case(&s(&["asm", "--bits"]), b"nop\n", Want::Fail));
    c.push(case(&s(&["asm", "--ip"]), b"nop\n", Want::Fail));
    c.push(case(
        &s(&["asm", "--bits", "32", "--bits", "64"]),
        b"nop\n",
        Want::Ok,
    ));
    c.push(case(&s(&["asm", "stray"]), b"nop\n", Want::Fail));

    // disasm: hex on the command line or stdin.
    c.extend(common_failures("disasm", &s(&["90"]), b""));
    for stdin in &junk_stdin {
        let hexish = stdin
            .iter()
            .all(|b| b.is_ascii_hexdigit() || b" ,\n\r\t".contains(b));
        let want = if hexish && !stdin.is_empty() && stdin.iter().any(u8::is_ascii_hexdigit) {
            Want::Ok
        } else {
            Want::Fail
        };
        c.push(case(&s(&["disasm", "-"]), stdin, want));
        // Without `-` stdin is not read: no bytes given.
        c.push(case(&s(&["disasm"]), stdin, Want::Fail));
    }
    c.push(case(&s(&["disasm", "-"]), b"90 0f 05 c3", Want::Ok));
    // 30,000 bytes are within the limit (65,536); 70,000 are not.
    c.push(case(
        &s(&["disasm", "-"]),
        "90 ".repeat(30_000).as_bytes(),
        Want::Ok,
    ));
    c.push(case(
        &s(&["disasm", "-"]),
        "90".repeat(70_000).as_bytes(),
        Want::Fail,
    ));
    c.push(case(&s(&["disasm", "0f"]), b"", Want::Ok)); // a truncated instruction is output
    c.push(case(&s(&["disasm", "ff", "ff", "ff"]), b"", Want::Ok));
    for bad in ["zz", "9", "0x", "", "90 9"] {
        c.push(case(&s(&["disasm", bad]), b"", Want::Fail));
    }
    c.push(case(&[os("disasm"), non_utf8()], b"", Want::Fail));
    for v in absurd() {
        c.push(case(
            &[os("disasm"), os("--bits"), v.clone(), os("90")],
            b"",
            Want::Fail,
        ));
        let want = if v == "0" { Want::Ok } else { Want::Fail };
        c.push(case(&[os("disasm"), os("--ip"), v, os("90")], b"", want));
    }
    c.push(case(
        &s(&["disasm", "--explain", "--bits", "16", "66", "90"]),
        b"",
        Want::Ok,
    ));
    c.push(case(&s(&["disasm", "90", "--bits"]), b"", Want::Fail));

    // elf: a file name and --max-size.
    c.extend(common_failures("elf", &[p(&f.elf)], b""));
    c.push(case(&[os("elf"), p(&f.elf)], b"", Want::Ok));
    c.push(case(&s(&["elf"]), b"", Want::Fail));
    for path in [&f.missing, &f.dir, &f.random, &f.empty] {
        c.push(case(&[os("elf"), p(path)], b"", Want::Fail));
    }
    for t in &f.truncated {
        c.push(case(&[os("elf"), p(t)], b"", Want::Fail));
    }
    c.push(case(&s(&["elf", "/dev/null"]), b"", Want::Fail));
    c.push(case(
        &s(&["elf", "/dev/zero", "--max-size", "4096"]),
        b"",
        Want::Fail,
    ));
    c.push(case(&s(&["elf", "/dev/zero"]), b"", Want::Fail)); // refused at 1 GiB, read lazily
    c.push(case(&s(&["elf", ""]), b"", Want::Fail));
    c.push(case(&[os("elf"), non_utf8()], b"", Want::Fail));
    c.push(case(&[os("elf"), p(&f.elf), p(&f.elf)], b"", Want::Fail));
    for v in absurd() {
        c.push(case(
            &[os("elf"), os("--max-size"), v, p(&f.elf)],
            b"",
            Want::Fail,
        ));
    }
    c.push(case(
        &[os("elf"), os("--max-size"), os("10"), p(&f.elf)],
        b"",
        Want::Fail,
    ));
    c.push(case(
        &[os("elf"), p(&f.elf), os("--max-size")],
        b"",
        Want::Fail,
    ));

    // exec: simulated execve on real files (nothing runs).
    c.extend(common_failures("exec", &[p(&f.elf)], b""));
    c.push(case(&[os("exec"), p(&f.elf)], b"", Want::Ok));
    c.push(case(&[os("exec"), p(&f.script), os("arg")], b"", Want::Ok));
    c.push(case(&s(&["exec"]), b"", Want::Fail));
    // A refused execve is a result, not a usage error: exec reports the errno (ENOENT,
    // EACCES, ENOEXEC) and exits 0, as its README says; only bad options exit 1.
    for path in [&f.missing, &f.dir, &f.random, &f.empty] {
        c.push(case(&[os("exec"), p(path)], b"", Want::Ok));
    }
    c.push(case(&s(&["exec", "/dev/null"]), b"", Want::Ok));
    c.push(case(&s(&["exec", "/dev/zero"]), b"", Want::Ok));
    c.push(case(&s(&["exec", ""]), b"", Want::Ok));
    for flag in [
        "--root", "--cwd", "--argv0", "--env", "--misc", "--user", "--shell",
    ] {
        // A missing value is refused; after PATH a flag is the program's argument.
        c.push(case(&[os("exec"), os(flag)], b"", Want::Fail));
        c.push(case(&[os("exec"), p(&f.elf), os(flag)], b"", Want::Ok));
    }
    for v in absurd() {
        c.push(case(
            &[os("exec"), os("--user"), v.clone(), p(&f.elf)],
            b"",
            Want::Fail,
        ));
        c.push(case(
            &[os("exec"), os("--misc"), v.clone(), p(&f.elf)],
            b"",
            Want::Fail,
        ));
        c.push(case(
            &[os("exec"), os("--shell"), v, p(&f.elf)],
            b"",
            Want::Fail,
        ));
    }
    c.push(case(
        &[os("exec"), os("--root"), p(&f.missing), p(&f.elf)],
        b"",
        Want::Fail,
    ));
    c.push(case(
        &[os("exec"), os("--root"), p(&f.random), p(&f.elf)],
        b"",
        Want::Fail,
    ));
    c.push(case(
        &[os("exec"), os("--env"), os("NOEQUALS"), p(&f.elf)],
        b"",
        Want::Fail,
    ));
    c.push(case(
        &[
            os("exec"),
            os("--user"),
            os("0:0"),
            os("--user"),
            os("1:1"),
            p(&f.elf),
        ],
        b"",
        Want::Ok,
    ));
    c.push(case(
        &[os("exec"), os("--argv0"), non_utf8(), p(&f.elf)],
        b"",
        Want::Ok,
    ));
    c.push(case(
        &[os("exec"), os("--no-argv"), p(&f.elf)],
        b"",
        Want::Ok,
    ));
    c.push(case(
        &[os("exec"), p(&f.elf), OsString::from("a".repeat(100_000))],
        b"",
        Want::Ok,
    ));

    // run: a static ELF under the simulator.
    c.extend(common_failures("run", &[p(&f.elf)], b""));
    c.push(case(&[os("run"), p(&f.elf)], b"", Want::Ok));
    c.push(case(&s(&["run"]), b"", Want::Fail));
    for path in [&f.missing, &f.dir, &f.random, &f.empty, &f.script] {
        c.push(case(&[os("run"), p(path)], b"", Want::Fail));
    }
    for t in &f.truncated {
        c.push(case(&[os("run"), p(t)], b"", Want::Fail));
    }
    c.push(case(&s(&["run", "/dev/null"]), b"", Want::Fail));
    c.push(case(&s(&["run", "/dev/zero"]), b"", Want::Fail));
    c.push(case(&s(&["run", ""]), b"", Want::Fail));
    c.push(case(&[os("run"), non_utf8()], b"", Want::Fail));
    for v in absurd() {
        c.push(case(
            &[os("run"), os("--max-steps"), v, p(&f.elf)],
            b"",
            Want::Fail,
        ));
    }
    c.push(case(
        &[os("run"), p(&f.elf), os("--max-steps")],
        b"",
        Want::Ok,
    )); // the guest's argument
    c.push(case(
        &[os("run"), os("--max-steps"), os("1"), p(&f.elf)],
        b"",
        Want::Fail,
    )); // budget hit

    // build: assembly source to an ELF file (written into the scratch directory).
    c.extend(common_failures("build", &[p(&f.source)], b""));
    c.push(case(
        &[os("build"), p(&f.source), os("-o"), os("out.elf")],
        b"",
        Want::Ok,
    ));
    c.push(case(
        &s(&["build", "-", "-o", "stdin.elf"]),
        b"_start:\n ret\n",
        Want::Ok,
    ));
    c.push(case(&s(&["build"]), b"", Want::Fail));
    for path in [&f.missing, &f.dir, &f.random, &f.bad_source, &f.elf] {
        c.push(case(
            &[os("build"), p(path), os("-o"), os("x.elf")],
            b"",
            Want::Fail,
        ));
    }
    c.push(case(
        &[os("build"), p(&f.empty), os("-o"), os("x.elf")],
        b"",
        Want::Fail,
    ));
    c.push(case(
        &s(&["build", "/dev/null", "-o", "x.elf"]),
        b"",
        Want::Fail,
    ));
    c.push(case(
        &s(&["build", "/dev/zero", "-o", "x.elf"]),
        b"",
        Want::Fail,
    ));
    for stdin in &junk_stdin {
        // Twenty `mov eax, 1` lines are a program (entry at the start of .text).
        let want = if stdin.starts_with(b"mov eax, 1\n") {
            Want::Ok
        } else {
            Want::Fail
        };
        c.push(case(&s(&["build", "-", "-o", "j.elf"]), stdin, want));
    }
    c.push(case(
        &[os("build"), p(&f.source), os("-o")],
        b"",
        Want::Fail,
    ));
    c.push(case(
        &[os("build"), p(&f.source), os("-o"), p(&f.dir)],
        b"",
        Want::Fail,
    ));
    c.push(case(
        &[
            os("build"),
            p(&f.source),
            os("-o"),
            os("/nonexistent-dir/x"),
        ],
        b"",
        Want::Fail,
    ));
    c.push(case(
        &[os("build"), p(&f.source), os("-o"), os("")],
        b"",
        Want::Fail,
    ));
    c.push(case(
        &[os("build"), p(&f.source), p(&f.source)],
        b"",
        Want::Fail,
    ));

    // sched: a workload under a policy.
    let good = s(&["--policy", "rr", "--jobs", "5,3,8", "--quantum", "2"]);
    c.extend(common_failures("sched", &good, b""));
    let mut g = vec![os("sched")];
    g.extend(good.clone());
    c.push(case(&g, b"", Want::Ok));
    c.push(case(&s(&["sched"]), b"", Want::Fail));
    c.push(case(&s(&["sched", "--policy", "fifo"]), b"", Want::Fail));
    c.push(case(
        &s(&["sched", "--policy", "rr", "--jobs", "5,3"]),
        b"",
        Want::Ok,
    )); // the default quantum
    for flag in [
        "--policy",
        "--jobs",
        "--arrivals",
        "--quantum",
        "--target-latency",
        "--min-granularity",
        "--switch-cost",
        "--nice",
        "--tick",
        "--base-slice",
        "--horizon",
    ] {
        c.push(case(
            &[os("sched"), os("--jobs"), os("5,3"), os(flag)],
            b"",
            Want::Fail,
        ));
        for v in absurd() {
            let (policy, jobs) = match flag {
                "--target-latency" | "--min-granularity" => ("rr-latency", "5,3"),
                "--nice" | "--tick" => ("cfs", "5,3"),
                "--base-slice" => ("eevdf", "5,3"),
                "--policy" => ("fifo", "5,3"),
                _ => ("rr", "5,3"),
            };
            let mut args = s(&["sched", "--policy", policy, "--jobs", jobs]);
            if policy == "rr" && flag != "--quantum" {
                args.extend(s(&["--quantum", "2"]));
            }
            args.push(os(flag));
            args.push(v.clone());
            // "0" is a valid switch cost, and a horizon of 0 stops at once with every job
            // unfinished; "0" as an arrival list or nice list is refused for 2 jobs.
            let want = if v == "0" && matches!(flag, "--switch-cost" | "--horizon") {
                Want::Ok
            } else {
                Want::Fail
            };
            c.push(case(&args, b"", want));
        }
    }
    c.push(case(
        &s(&[
            "sched", "--policy", "fifo", "--jobs", "5", "--policy", "sjf",
        ]),
        b"",
        Want::Ok,
    ));
    c.push(case(
        &s(&["sched", "--policy", "fifo", "--jobs", &",".repeat(120_000)]),
        b"",
        Want::Fail,
    ));
    c.push(case(
        &s(&[
            "sched",
            "--policy",
            "rr",
            "--quantum",
            "1",
            "--jobs",
            "1099511627776,1099511627776",
        ]),
        b"",
        Want::Fail, // more than the simulator's event budget
    ));
    c.push(case(
        &s(&["sched", "--policy", "fifo", "--jobs", "5", "extra"]),
        b"",
        Want::Fail,
    ));

    // timeslice: CFS slices for N tasks.
    c.extend(common_failures("timeslice", &s(&["--tasks", "3"]), b""));
    c.push(case(&s(&["timeslice", "--tasks", "3"]), b"", Want::Ok));
    c.push(case(
        &s(&["timeslice", "--tasks", "3", "--tasks", "4"]),
        b"",
        Want::Ok,
    ));
    c.push(case(
        &s(&["timeslice", "--tasks", "3", "--nice", "0,5,-3"]),
        b"",
        Want::Ok,
    ));
    c.push(case(
        &s(&["timeslice", "--nice", "0,5,-3"]),
        b"",
        Want::Fail,
    )); // needs --tasks
    for flag in [
        "--tasks",
        "--latency-ms",
        "--min-granularity-ms",
        "--cpus",
        "--nice",
    ] {
        c.push(case(
            &[os("timeslice"), os("--tasks"), os("2"), os(flag)],
            b"",
            Want::Fail,
        ));
        for v in absurd() {
            let mut args = s(&["timeslice"]);
            if flag != "--tasks" && flag != "--nice" {
                args.extend(s(&["--tasks", "2"]));
            }
            args.push(os(flag));
            args.push(v.clone());
            // --nice without --tasks is refused even when the list is good.
            c.push(case(&args, b"", Want::Fail));
        }
    }
    c.push(case(
        &s(&["timeslice", "--tasks", "2", "stray"]),
        b"",
        Want::Fail,
    ));

    // translate: a page walk over a memory file.
    let mem = p(&f.memory);
    let tr = |extra: &[OsString]| -> Vec<OsString> {
        let mut a = vec![
            os("translate"),
            os("--memory"),
            mem.clone(),
            os("--root-pfn"),
            os("0"),
        ];
        a.extend_from_slice(extra);
        a
    };
    c.extend(common_failures("translate", &tr(&[os("0x1000")])[1..], b""));
    c.push(case(&tr(&[os("0x1000")]), b"", Want::Ok));
    c.push(case(&tr(&[]), b"", Want::Fail));
    c.push(case(&s(&["translate", "0x1000"]), b"", Want::Fail));
    for path in [&f.missing, &f.dir, &f.empty, &f.random] {
        // Missing, a directory, or too short for the walk's entries: all refused.
        let want = Want::Fail;
        c.push(case(
            &[
                os("translate"),
                os("--memory"),
                p(path),
                os("--root-pfn"),
                os("0"),
                os("0x1000"),
            ],
            b"",
            want,
        ));
    }
    for dev in ["/dev/null", "/dev/zero"] {
        c.push(case(
            &s(&["translate", "--memory", dev, "--root-pfn", "0", "0x1000"]),
            b"",
            Want::Fail,
        ));
    }
    for flag in [
        "--levels",
        "--offset-bits",
        "--pte-bytes",
        "--present-bit",
        "--pfn-shift",
        "--pfn-bits",
        "--root-pfn",
    ] {
        c.push(case(&tr(&[os("0x1000"), os(flag)]), b"", Want::Fail));
        for v in absurd() {
            // 0 is a valid present bit, pfn shift and root frame.
            let want = if v == "0" && matches!(flag, "--present-bit" | "--pfn-shift" | "--root-pfn")
            {
                Want::Ok
            } else {
                Want::Fail
            };
            c.push(case(&tr(&[os(flag), v, os("0x1000")]), b"", want));
        }
    }
    for va in absurd() {
        let want = if va == "0" { Want::Ok } else { Want::Fail };
        c.push(case(&tr(&[va]), b"", want));
    }
    c.push(case(
        &tr(&[os("--levels"), os(&"9,".repeat(50_000)), os("0")]),
        b"",
        Want::Fail,
    ));
    c.push(case(
        &tr(&[os("--root-pfn"), os("0xffffffffffffffff"), os("0")]),
        b"",
        Want::Fail,
    ));
    c
}

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
