//! `youcpu run` end to end: guest output and exit status become ours, JSON report, the step
//! budget, signals, and one-line errors for bad input. Programs are built at test time with
//! gcc / musl-gcc from the core crate's tests/programs.

#![allow(clippy::unwrap_used)] // tests may unwrap

use crate::common::*;
use std::path::PathBuf;
use std::process::{Command, Output};
use youcpu_testkit::process::Run;

fn tmp() -> PathBuf {
    scratch("run-cli")
}

fn build(src: &str, compiler: &str, flags: &[&str]) -> PathBuf {
    let exe = tmp().join(src.replace('.', "_"));
    compile(cc(compiler, flags), &programs().join(src), &exe)
}

fn youcpu(args: &[&str]) -> Output {
    youcpu_with(args, &[("LANG", "C")])
}

#[test]
fn musl_hello_output_and_status_match_a_native_run() {
    let exe = build("hello.c", "musl-gcc", &["-O2", "-static"]);
    let native = Command::new(&exe)
        .args(["x", "y"])
        .env_clear()
        .env("LANG", "C")
        .run_output()
        .unwrap();
    let sim = youcpu(&["run", s(&exe), "x", "y"]);
    assert_eq!(
        String::from_utf8_lossy(&sim.stdout),
        String::from_utf8_lossy(&native.stdout)
    );
    assert_eq!(sim.status.code(), Some(3));
    assert_eq!(native.status.code(), Some(3));
    assert!(
        sim.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&sim.stderr)
    );
}

#[test]
fn json_report() {
    let exe = build("hello.c", "musl-gcc", &["-O2", "-static"]);
    let out = youcpu(&["run", "--json", s(&exe), "--json-is-a-guest-arg-too"]);
    assert_eq!(out.status.code(), Some(3));
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
    assert_eq!(j["exit_code"], 3);
    assert!(j["stdout"].as_str().unwrap().starts_with("hello, world\n"));
    assert_eq!(j["stderr"], "");
    assert!(j["instructions"].as_u64().unwrap() > 1000);
    let calls = j["syscalls"].as_array().unwrap();
    let names: Vec<&str> = calls.iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(names.first(), Some(&"arch_prctl"));
    assert!(names.contains(&"writev") && names.contains(&"ioctl"));
    assert_eq!(names.last(), Some(&"exit_group"));
    let ioctl = calls.iter().find(|c| c["name"] == "ioctl").unwrap();
    assert_eq!(ioctl["ret"], -25, "ENOTTY");
    assert!(calls.iter().all(|c| c["nr"].is_u64()));
}

#[test]
fn killed_guest_exits_like_a_shell_reports_it() {
    let exe = build(
        "segv.c",
        "gcc",
        &[
            "-O2",
            "-static",
            "-nostdlib",
            "-ffreestanding",
            "-fno-builtin",
            "-fno-stack-protector",
            "-mgeneral-regs-only",
        ],
    );
    let out = youcpu(&["run", s(&exe)]);
    assert_eq!(out.status.code(), Some(139));
    assert_eq!(out.stdout, b"before\n");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("SIGSEGV") && err.contains("#PF"), "{err}");
    let out = youcpu(&["run", "--json", s(&exe)]);
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (j["exit_code"].as_u64(), j["signal"].as_u64()),
        (Some(139), Some(11))
    );
    let exe = build("divzero.S", "gcc", &["-nostdlib", "-static"]);
    assert_eq!(youcpu(&["run", s(&exe)]).status.code(), Some(136));
}

#[test]
fn step_budget_stops_runaway_programs() {
    let exe = build("forever.S", "gcc", &["-nostdlib", "-static"]);
    let out = youcpu(&["run", "--max-steps", "10000", s(&exe)]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("step budget") && err.contains("10000"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1);
    let out = youcpu(&["run", "--json", "--max-steps", "500", s(&exe)]);
    assert_eq!(out.status.code(), Some(1));
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(j["error"].as_str().unwrap().contains("step budget"));
}

#[test]
fn exit_status_passes_through() {
    let exe = build("exit42.S", "gcc", &["-nostdlib", "-static"]);
    let out = youcpu(&["run", s(&exe)]);
    assert_eq!((out.status.code(), out.stdout.len()), (Some(42), 0));
}

/// `--cpu` picks the vendor profile: CPUID's string and the flags DIV leaves undefined. The
/// default is this machine's vendor, so a native run of the same program agrees with it.
#[test]
fn cpu_vendor_profiles_and_the_host_default() {
    let exe = build("vendor.S", "gcc", &["-nostdlib", "-static"]);
    let intel = youcpu(&["run", "--cpu", "intel", s(&exe)]);
    assert_eq!(
        (intel.stdout.as_slice(), intel.status.code()),
        (&b"GenuineIntel"[..], Some(0x44))
    );
    let amd = youcpu(&["run", "--cpu", "AMD", s(&exe)]);
    assert_eq!(
        (amd.stdout.as_slice(), amd.status.code()),
        (&b"AuthenticAMD"[..], Some(16))
    );
    let native = Command::new(&exe).run_output().unwrap();
    let default = youcpu(&["run", s(&exe)]);
    assert_eq!(
        (default.stdout.as_slice(), default.status.code()),
        (native.stdout.as_slice(), native.status.code()),
        "the default profile is this machine's vendor"
    );
    let j = youcpu(&["run", "--json", "--cpu", "amd", s(&exe)]);
    let v: serde_json::Value = serde_json::from_slice(&j.stdout).unwrap();
    assert_eq!(
        (v["cpu"].as_str(), v["exit_code"].as_i64()),
        (Some("amd"), Some(16))
    );
}

#[test]
fn bad_input_is_a_one_line_error() {
    let exe = build("exit42.S", "gcc", &["-nostdlib", "-static"]);
    let text = tmp().join("not-elf.txt");
    youcpu_testkit::process::write(&text, "hello\n").unwrap();
    let dynamic = tmp().join("dynamic");
    assert!(Command::new("gcc")
        .args(["-O2", "-o"])
        .arg(&dynamic)
        .arg(programs().join("hello.c"))
        .run_status()
        .unwrap()
        .success());
    // A dynamically linked hello runs with ld.so and libc.so.6 from this machine.
    let native = Command::new(&dynamic)
        .env_clear()
        .env("LANG", "C")
        .run_output()
        .unwrap();
    let sim = youcpu(&["run", s(&dynamic)]);
    assert_eq!(sim.stdout, native.stdout);
    assert_eq!(sim.status.code(), native.status.code());
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["run"], "usage"),
        (vec!["run", "/nonexistent/program"], "cannot read"),
        (vec!["run", s(&text)], "not an ELF"),
        (vec!["run", "--max-steps", "0", s(&exe)], "max-steps"),
        (vec!["run", "--max-steps", "lots", s(&exe)], "max-steps"),
        (vec!["run", "--bogus", s(&exe)], "bogus"),
        (vec!["run", "--cpu", "via", s(&exe)], "unknown CPU vendor"),
        (vec!["run", "--cpu"], "cpu"),
    ];
    for (args, want) in cases {
        fails_cleanly(youcpu, &args, want);
    }
}

#[test]
fn standard_input_and_fork_reach_the_guest() {
    use std::io::Write;
    let exe = build("stdin.c", "musl-gcc", &["-O2", "-static"]);
    let mut child = Command::new(env!("CARGO_BIN_EXE_youcpu"))
        .args(["run", s(&exe)])
        .env_clear()
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .run_spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"one two\nthree\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "ONE TWO\nTHREE\n2 lines, 3 words\nchild read 0\n"
    );
    assert_eq!(out.status.code(), Some(0));
}
