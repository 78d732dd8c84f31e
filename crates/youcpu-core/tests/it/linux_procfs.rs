//! `/proc/self/maps` against the kernel (fs/proc/task_mmu.c `show_map_vma`): a C program that
//! reads its own maps (tests/programs/procmaps.c, permissions and names per region) built with
//! musl and glibc, run natively and in the simulator; `/usr/bin/cat /proc/self/maps` (dynamic:
//! the program, ld.so and the libraries ld.so maps) line for line against the same command
//! run natively with ASLR off; and the per-process files the model does not serve, which must
//! fail with ENOENT instead of showing the simulator's own `/proc`.

#![allow(clippy::unwrap_used)] // tests may unwrap

use crate::harness;

use youcpu_core::linux::fs::host::HostFs;
use youcpu_core::linux::{Config, Linux, ProcessState};
use youcpu_core::loader::ExecArgs;
use youcpu_testkit::oracle;
use youcpu_testkit::process::Run;

#[test]
fn proc_self_maps_names_and_permissions_match_native() {
    let o = harness::compare_outcome("procmaps.c", &[]);
    for want in [
        "[heap]",
        "r-xp [vdso]",
        "rw-p [stack]",
        "maps: regular 1, size 0",
    ] {
        assert!(o.stdout.contains(want), "{want} missing:\n{}", o.stdout);
    }
    assert!(o.stdout.contains("lseek end: -1 Invalid argument"));
}

/// Runs `path` with `argv` in the simulator on the host's root file system.
fn sim_on_host(path: &str, argv: &[&str]) -> Linux {
    let mut l = Linux::new(&Config::default()).unwrap();
    l.set_fs(Box::new(HostFs::new(std::path::Path::new("/")).unwrap()));
    let args = ExecArgs {
        argv: argv.iter().map(|a| a.as_bytes().to_vec()).collect(),
        envp: Vec::new(),
        execfn: path.as_bytes().to_vec(),
        uid: 0,
        gid: 0,
        random_seed: 1,
    };
    l.exec_file(path.as_bytes(), &args).unwrap();
    l.run(1 << 32);
    assert_eq!(l.state, ProcessState::Exited { code: 0 });
    l
}

/// The lines to compare: not the vvar pages (their layout changed in 6.13, the model maps one
/// `[vvar]`), the stack (the model reserves the whole 8 MiB limit at once; Linux grows it)
/// nor `[vsyscall]` (the kernel's gate area, which the model does not have).
fn comparable(text: &str) -> Vec<String> {
    text.lines()
        .filter(|l| !l.contains("[vvar") && !l.ends_with("[stack]") && !l.ends_with("[vsyscall]"))
        .map(str::to_string)
        .collect()
}

#[test]
fn cat_proc_self_maps_matches_native_line_for_line() {
    let cat = "/usr/bin/cat";
    if !std::path::Path::new(cat).exists() {
        return oracle::missing("/usr/bin/cat (coreutils), a dynamically linked program");
    }
    let Ok(native) = std::process::Command::new("setarch")
        .args(["-R", cat, "/proc/self/maps"])
        .env_clear()
        .run_output()
    else {
        return oracle::missing("setarch (util-linux), to run natively with ASLR off");
    };
    assert!(native.status.success());
    let l = sim_on_host(cat, &[cat, "/proc/self/maps"]);
    let ours = String::from_utf8_lossy(&l.stdout);
    let theirs = String::from_utf8_lossy(&native.stdout);
    assert_eq!(
        comparable(&ours),
        comparable(&theirs),
        "ours:\n{ours}\nLinux:\n{theirs}"
    );
    assert!(ours.contains("/usr/bin/cat\n") && ours.contains("[heap]\n"));
}

#[test]
fn unmodelled_proc_files_are_enoent_not_the_hosts() {
    let cat = "/usr/bin/cat";
    if !std::path::Path::new(cat).exists() {
        return oracle::missing("/usr/bin/cat (coreutils), a dynamically linked program");
    }
    let pid = Config::default().pid;
    for path in [
        "/proc/self/status".to_string(),
        "/proc/self/mountinfo".to_string(),
        format!("/proc/{}/maps", pid + 1),
        format!("/proc/{pid}/environ"),
    ] {
        let mut l = Linux::new(&Config::default()).unwrap();
        l.set_fs(Box::new(HostFs::new(std::path::Path::new("/")).unwrap()));
        let args = ExecArgs {
            argv: vec![cat.into(), path.clone().into_bytes()],
            envp: Vec::new(),
            execfn: cat.into(),
            uid: 0,
            gid: 0,
            random_seed: 1,
        };
        l.exec_file(cat.as_bytes(), &args).unwrap();
        l.run(1 << 32);
        assert_eq!(l.state, ProcessState::Exited { code: 1 }, "{path}");
        assert!(l.stdout.is_empty(), "{path}");
        assert_eq!(
            String::from_utf8_lossy(&l.stderr),
            format!("/usr/bin/cat: {path}: No such file or directory\n")
        );
    }
    // Its own pid's maps is the same file as /proc/self/maps.
    let by_pid = sim_on_host(cat, &[cat, &format!("/proc/{pid}/maps")]);
    let by_self = sim_on_host(cat, &[cat, "/proc/self/maps"]);
    assert_eq!(by_pid.stdout, by_self.stdout);
    assert!(!by_pid.stdout.is_empty());
}
