//! `youcpu build` end to end (source → ELF file, mode 0755, that runs natively and under
//! `youcpu run` alike; one-line errors naming the line), and `youcpu run` on dynamically
//! linked programs: run with their interpreter read from the file system.

#![allow(clippy::unwrap_used)] // tests may unwrap

use crate::common::*;
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use youcpu_testkit::process::Run;

fn tmp() -> PathBuf {
    scratch("build-cli")
}

fn youcpu(args: &[&str]) -> Output {
    youcpu_with(args, &[])
}

const HELLO: &str = "# hello, world
.data
msg: .ascii \"Hello from youcpu build\\n\"
len = . - msg
.bss
scratch: .zero 64
.text
.globl _start
_start:
    mov eax, 1
    mov edi, 1
    lea rsi, [rip + msg]
    mov edx, len
    syscall
    mov eax, 60
    mov edi, 5
    syscall
";

#[test]
fn builds_a_program_that_runs_natively_and_simulated() {
    let src = tmp().join("hello.s");
    youcpu_testkit::process::write(&src, HELLO).unwrap();
    let out = youcpu(&["build", s(&src)]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let exe = tmp().join("hello");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("wrote") && text.contains(".bss  64 bytes"),
        "{text}"
    );
    let mode = std::fs::metadata(&exe).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o755);
    let native = Command::new(&exe).run_output().unwrap();
    assert_eq!(native.stdout, b"Hello from youcpu build\n");
    assert_eq!(native.status.code(), Some(5));
    let sim = youcpu(&["run", s(&exe)]);
    assert_eq!(sim.stdout, native.stdout);
    assert_eq!(sim.status.code(), Some(5));
    // JSON: the segments made and the symbols.
    let other = tmp().join("other");
    let out = youcpu(&["build", "--json", "-o", s(&other), s(&src)]);
    assert_eq!(out.status.code(), Some(0));
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(j["segments"].as_array().unwrap().len(), 2);
    assert_eq!(j["segments"][0]["flags"], "r-x");
    assert_eq!(j["segments"][1]["flags"], "rw-");
    assert_eq!(j["segments"][1]["memsz"], 24 + 64);
    assert_eq!(j["bss_size"], 64);
    assert_eq!(
        j["size"].as_u64(),
        Some(std::fs::metadata(&other).unwrap().len())
    );
    assert!(j["symbols"]
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x["name"] == "len" && x["value"] == 24));
    assert_eq!(std::fs::read(&other).unwrap(), std::fs::read(&exe).unwrap());
    // Standard input, default name a.out in the working directory.
    let dir = tmp().join("stdin");
    std::fs::create_dir_all(&dir).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_youcpu"))
        .args(["build", "-"])
        .current_dir(&dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .run_spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"mov eax, 60\nmov edi, 77\nsyscall\n")
        .unwrap();
    assert!(child.wait_with_output().unwrap().status.success());
    let st = Command::new(dir.join("a.out")).run_status().unwrap();
    assert_eq!(st.code(), Some(77));
}

#[test]
fn bad_input_is_one_line_naming_the_line() {
    let bad = tmp().join("bad.s");
    youcpu_testkit::process::write(&bad, "_start:\n    mov eax, 1\n    jmp nowhere\n    frob\n")
        .unwrap();
    let binary = tmp().join("binary.s");
    youcpu_testkit::process::write(&binary, [0xff, 0xfe, 0x00]).unwrap();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["build"], "usage"),
        (vec!["build", s(&bad)], "line 3: nowhere is not defined"),
        (vec!["build", "/nonexistent/x.s"], "cannot read"),
        (vec!["build", s(&binary)], "UTF-8"),
        (vec!["build", "--bogus", s(&bad)], "bogus"),
        (vec!["build", s(&bad), "extra"], "extra"),
    ];
    for (args, want) in cases {
        fails_cleanly(youcpu, &args, want);
    }
    let e = youcpu(&["build", s(&bad)]);
    assert!(String::from_utf8_lossy(&e.stderr).contains("and 1 more error"));
}

#[test]
fn a_dynamic_program_runs_with_its_interpreter() {
    // /bin/true and /bin/false from this machine, and a hand-made PIE naming the same
    // interpreter but without a dynamic section, on which ld.so itself crashes natively: the
    // status is the native one (128 + SIGSEGV).
    use std::os::unix::process::ExitStatusExt;
    let pie = tmp().join("tiny-pie");
    youcpu_testkit::process::write(
        &pie,
        youcpu_core::exec::examples::tiny_elf(3, Some(youcpu_core::exec::examples::LOADER)),
    )
    .unwrap();
    std::fs::set_permissions(&pie, std::fs::Permissions::from_mode(0o755)).unwrap();
    let n = Command::new(&pie).run_output().unwrap().status;
    let pie_status = n.code().or(n.signal().map(|s| 128 + s)).unwrap();
    for (prog, status) in [("/bin/true", 0), ("/bin/false", 1), (s(&pie), pie_status)] {
        let out = youcpu(&["run", prog]);
        assert_eq!(out.status.code(), Some(status), "{prog}");
        let out = youcpu(&["run", "--json", prog]);
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["exit_code"], status, "{prog}");
        // ld.so's own system calls came first: it opened the libraries it maps.
        let names: Vec<&str> = v["syscalls"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap())
            .collect();
        if prog == "/bin/true" {
            assert!(
                names.contains(&"openat") && names.contains(&"mmap"),
                "{names:?}"
            );
        }
    }
    // An interpreter that does not exist.
    let missing = tmp().join("missing-interp");
    youcpu_testkit::process::write(
        &missing,
        youcpu_core::exec::examples::tiny_elf(3, Some("/nonexistent/ld.so")),
    )
    .unwrap();
    let out = youcpu(&["run", s(&missing)]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("/nonexistent/ld.so") && err.contains("ENOENT"),
        "{err}"
    );
}
