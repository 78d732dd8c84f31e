//! The kernel on the host file system (fs/host.rs) through whole programs: a process that
//! opens host files and exits without closing them leaves none open; children's files too.

#![allow(clippy::unwrap_used)] // tests may unwrap

use crate::harness;

use harness::Build;
use youcpu_core::linux::fs::host::HostFs;
use youcpu_core::linux::{Config, Linux, ProcessState};
use youcpu_core::loader::ExecArgs;

#[test]
fn no_host_file_stays_open_after_the_guest_exits() {
    let exe = harness::build("sysfuzz.c", Build::Musl);
    let root = harness::tmp().join("hostfs-root");
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(root.join("dir")).unwrap();
    std::fs::write(root.join("dir/f"), "x").unwrap();
    std::fs::copy(&exe, root.join("fuzz")).unwrap();
    let mut opened_during_runs = 0;
    for seed in 1..=4u64 {
        let mut l = Linux::new(&Config::default()).unwrap();
        l.set_fs(Box::new(HostFs::new(&root).unwrap()));
        let args = ExecArgs {
            argv: vec![
                b"/fuzz".to_vec(),
                seed.to_string().into_bytes(),
                b"3000".to_vec(),
            ],
            envp: Vec::new(),
            execfn: b"/fuzz".to_vec(),
            uid: 0,
            gid: 0,
            random_seed: seed,
        };
        l.exec_file(b"/fuzz", &args).unwrap();
        // Stop early: the files it opens first are open then.
        l.run(300_000);
        opened_during_runs += l.fs.open_files();
        l.run(1 << 32);
        assert_eq!(l.state, ProcessState::Exited { code: 0 }, "seed {seed}");
        assert!(
            String::from_utf8_lossy(&l.stdout).starts_with("made 3000 calls"),
            "seed {seed}"
        );
        assert_eq!(l.fs.open_files(), 0, "seed {seed}");
    }
    assert!(
        opened_during_runs > 0,
        "the fuzzer opened no host file at all"
    );
}
