//! execve inside the simulated Linux: a static C program (musl-gcc -static and gcc -static)
//! forks and execs another one, runs a `#!` script whose interpreter is that program, and
//! tries execve's refusals; run natively and in the simulator over the host's file system
//! (the same files, the same working directory), stdout, stderr and the exit status must
//! match.

#![allow(clippy::unwrap_used)] // tests may unwrap

use crate::harness;

use harness::{build, exec_args, host_vendor, test_env, tmp, Build};
use std::path::Path;
use std::process::Command;
use youcpu_core::linux::fs::host::HostFs;
use youcpu_core::linux::{Config, Linux, ProcessState};
use youcpu_testkit::process::Run;

#[test]
fn fork_exec_scripts_and_refusals_match_native() {
    for how in [Build::Musl, Build::Glibc] {
        let child = build("exec_child.c", how);
        let parent = build("exec_parent.c", how);
        let arg = child.to_string_lossy().into_owned();
        let dir = tmp().join(format!(
            "cwd-{}",
            parent.file_name().unwrap().to_string_lossy()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let native = Command::new(&parent)
            .arg(&arg)
            .env_clear()
            .envs(test_env())
            .current_dir(&dir)
            .run_output()
            .unwrap();
        let mut l = Linux::new(&Config {
            vendor: host_vendor(),
            ..Config::default()
        })
        .unwrap();
        l.set_fs(Box::new(HostFs::new(Path::new("/")).unwrap()));
        l.set_cwd(dir.to_string_lossy().as_bytes()).unwrap();
        l.exec(
            &std::fs::read(&parent).unwrap(),
            None,
            &exec_args(&parent, &[&arg]),
        )
        .unwrap();
        l.run(500_000_000);
        let status = match &l.state {
            ProcessState::Exited { code } => i32::from(*code),
            s => panic!("{how:?}: {s:?}"),
        };
        assert_eq!(
            String::from_utf8_lossy(&l.stdout),
            String::from_utf8_lossy(&native.stdout),
            "{how:?}: stdout"
        );
        assert_eq!(l.stderr, native.stderr, "{how:?}: stderr");
        assert_eq!(Some(status), native.status.code(), "{how:?}: status");
        let out = String::from_utf8_lossy(&l.stdout);
        assert!(
            out.contains("  child argc 6: [-x opt] [./script.sh] [s1] [fd=3] [fd=4]\n"),
            "{out}"
        );
        assert!(out.contains("  fd 3 open 1\n  fd 4 open 0\n"));
        assert!(out.contains("execve(\"junk.bin\"): -1 "));
        assert!(out.ends_with("vfork + execve: status 3\n"));
    }
}
