//! `youcpu run --trace`: the system calls a program makes, decoded as strace decodes them,
//! checked against `strace -f` on this machine for a static and a dynamic hello: the same
//! sequence of calls, and the same text for the calls whose arguments hold no addresses.

#![allow(clippy::unwrap_used)] // tests may unwrap

use crate::common::*;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use youcpu_testkit::process::Run;

fn tmp() -> PathBuf {
    scratch("trace")
}

fn build(name: &str, compiler: &str, flags: &[&str]) -> PathBuf {
    let src = tmp().join("hello.c");
    std::fs::write(
        &src,
        "#include <stdio.h>\nint main(void) { puts(\"hello\"); return 0; }\n",
    )
    .unwrap();
    compile(cc(compiler, flags), &src, &tmp().join(name))
}

fn youcpu(args: &[&str]) -> Output {
    youcpu_with(args, &[("LC_ALL", "C")])
}

/// strace's lines of `exe` (execve left out: the simulator shows the load as an event).
fn strace(exe: &Path) -> Vec<String> {
    let strace = ["/usr/bin/strace", "/bin/strace"]
        .into_iter()
        .find(|p| Path::new(p).exists())
        .expect("strace is not installed (apt install strace)");
    let log = tmp().join(format!(
        "{}.strace",
        exe.file_name().unwrap().to_string_lossy()
    ));
    let out = Command::new(strace)
        .args(["-f", "-qq", "-o"])
        .arg(&log)
        .arg(exe)
        .env_clear()
        .env("LC_ALL", "C")
        .stdin(Stdio::null())
        .run_output()
        .unwrap();
    assert!(out.status.success());
    std::fs::read_to_string(&log)
        .unwrap()
        .lines()
        // With -f and -o every line starts with the pid.
        .map(|l| {
            l.split_once(' ')
                .filter(|(pid, _)| pid.bytes().all(|b| b.is_ascii_digit()))
                // strace pads the pid column: the call starts after the spaces.
                .map_or(l, |(_, rest)| rest.trim_start())
        })
        .filter(|l| !l.starts_with("execve(") && !l.starts_with("+++"))
        .map(|l| {
            // "name(args)   = ret" with strace's column padding squeezed.
            match l.rsplit_once(" = ") {
                Some((call, ret)) => format!("{} = {ret}", call.trim_end()),
                None => l.to_string(),
            }
        })
        .collect()
}

fn name(line: &str) -> &str {
    line.split('(').next().unwrap_or("")
}

#[test]
fn syscall_sequences_match_strace() {
    let cases = [
        build("hello-static", "gcc", &["-O2", "-static"]),
        build("hello-musl", "musl-gcc", &["-O2", "-static"]),
        build("hello-dynamic", "gcc", &["-O2"]),
    ];
    for exe in &cases {
        let native = strace(exe);
        let out = youcpu(&["run", "--json", "--trace=syscalls", exe.to_str().unwrap()]);
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["stdout"], "hello\n");
        let sim: Vec<&serde_json::Value> = v["trace"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["kind"] == "syscall")
            .collect();
        let names: Vec<&str> = sim.iter().map(|e| e["name"].as_str().unwrap()).collect();
        let native_names: Vec<&str> = native.iter().map(|l| name(l)).collect();
        assert_eq!(names, native_names, "{}", exe.display());
        assert!(names.len() >= 3, "{names:?}");
        // Calls with no address among their arguments read exactly as strace prints them.
        let mut same_text = 0;
        for (e, n) in sim.iter().zip(&native) {
            let text = format!(
                "{}({}) = {}",
                e["name"].as_str().unwrap(),
                e["args"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|a| a.as_str().unwrap())
                    .collect::<Vec<_>>()
                    .join(", "),
                e["result"].as_str().unwrap()
            );
            if [
                "access",
                "openat",
                "close",
                "read",
                "pread64",
                "write",
                "writev",
                "exit_group",
            ]
            .contains(&e["name"].as_str().unwrap())
            {
                assert_eq!(&text, n, "{}", exe.display());
                same_text += 1;
            }
        }
        assert!(same_text >= 1, "{}", exe.display());
    }
    // The text form: one line per event on stderr, the program's output unchanged.
    let out = youcpu(&["run", "--trace", cases[2].to_str().unwrap()]);
    assert_eq!(String::from_utf8_lossy(&out.stdout), "hello\n");
    let err = String::from_utf8_lossy(&out.stderr);
    // The execve chain's verdicts come first (each handler offered the file in turn), then
    // the load.
    let mut lines = err.lines().skip_while(|l| l.contains("--- binfmt_"));
    assert!(
        err.lines()
            .next()
            .unwrap()
            .contains("--- binfmt_misc declined"),
        "{err}"
    );
    assert!(err.contains("--- binfmt_elf claimed"), "{err}");
    assert!(lines.next().unwrap().contains("--- exec "), "{err}");
    assert!(
        err.contains(
            "] openat(AT_FDCWD, \"/lib/x86_64-linux-gnu/libc.so.6\", O_RDONLY|O_CLOEXEC) = 3"
        ),
        "{err}"
    );
    assert!(err.contains("] write(1, \"hello\\n\", 6) = 6"), "{err}");
    assert!(err.trim_end().ends_with("+++ exited with 0 +++"), "{err}");
    // Faults and switches only when asked for; a bad category is refused.
    let out = youcpu(&["run", "--trace=faults", cases[0].to_str().unwrap()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("page fault at") && !err.contains("openat"),
        "{err}"
    );
    let out = youcpu(&["run", "--trace=mmap", cases[2].to_str().unwrap()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("] mmap(NULL, ") && err.contains("] mprotect(") && !err.contains("openat"),
        "{err}"
    );
    let out = youcpu(&["run", "--trace=bogus", cases[0].to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown trace category"));
}
