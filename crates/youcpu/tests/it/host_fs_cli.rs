//! `youcpu run` on the host's file system: programs that create, seek, rename, unlink, list
//! and map files in a scratch directory leave the same output and the same tree as native runs
//! (built three ways: musl-gcc -static, gcc -static, gcc dynamic), and `--root DIR` keeps
//! every path the guest names inside DIR, checked against a native `chroot` where this
//! machine allows one.

#![allow(clippy::unwrap_used)] // tests may unwrap

use crate::common::{self, *};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use youcpu_testkit::process::Run;

fn tmp() -> PathBuf {
    scratch("hostfs")
}

/// A fresh empty directory under the scratch one.
fn fresh(name: &str) -> PathBuf {
    common::fresh("hostfs", name)
}

fn build(src: &str, how: &str) -> PathBuf {
    let exe = tmp().join(format!("{}-{how}", src.replace('.', "_")));
    let c = match how {
        "musl" => cc("musl-gcc", &["-O2", "-static"]),
        "static" => cc("gcc", &["-O2", "-static"]),
        _ => cc("gcc", &["-O2"]),
    };
    compile(c, &programs().join(src), &exe)
}

fn youcpu(args: &[&str]) -> Output {
    youcpu_with(args, &[("LANG", "C")])
}

/// Every file and directory under `dir`: relative path -> contents (None for a directory).
fn tree(dir: &Path) -> BTreeMap<String, Option<Vec<u8>>> {
    let mut out = BTreeMap::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            let rel = p.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
            let m = std::fs::symlink_metadata(&p).unwrap();
            if m.file_type().is_symlink() {
                // A link by its target (it may dangle or loop); its mode is always 0777.
                let t = std::fs::read_link(&p).unwrap();
                let mut v = b"symlink to ".to_vec();
                v.extend_from_slice(t.as_os_str().as_encoded_bytes());
                out.insert(rel, Some(v));
            } else if p.is_dir() {
                out.insert(rel, None);
                todo.push(p);
            } else {
                out.insert(rel, Some(std::fs::read(&p).unwrap()));
            }
        }
    }
    out
}

#[test]
fn files_and_directories_match_native_runs_in_the_same_tree() {
    let mut cases = 0;
    for src in ["files.c", "dirs.c", "mmapfile.c", "mmapshared.c", "links.c"] {
        for how in ["musl", "static", "dynamic"] {
            let exe = build(src, how);
            let native_dir = fresh(&format!("native-{src}-{how}"));
            let native = Command::new(&exe)
                .current_dir(&native_dir)
                .env_clear()
                .env("LANG", "C")
                .stdin(Stdio::null())
                .run_output()
                .unwrap();
            let sim_dir = fresh(&format!("sim-{src}-{how}"));
            let sim = youcpu(&["run", "--cwd", s(&sim_dir), s(&exe)]);
            let what = format!("{src} built {how}");
            assert_eq!(
                String::from_utf8_lossy(&sim.stdout),
                String::from_utf8_lossy(&native.stdout),
                "{what}"
            );
            assert_eq!(
                String::from_utf8_lossy(&sim.stderr),
                String::from_utf8_lossy(&native.stderr),
                "{what}"
            );
            assert_eq!(sim.status.code(), native.status.code(), "{what}");
            assert_eq!(tree(&sim_dir), tree(&native_dir), "{what}");
            cases += 1;
            if how == "musl" {
                // The same inside --root: the program is copied in, the root is the cwd.
                let root = fresh(&format!("root-{src}"));
                std::fs::copy(&exe, root.join("prog")).unwrap();
                let sim = youcpu(&["run", "--root", s(&root), "/prog"]);
                assert_eq!(sim.stdout, native.stdout, "{what} under --root");
                std::fs::remove_file(root.join("prog")).unwrap();
                assert_eq!(tree(&root), tree(&native_dir), "{what} under --root");
                cases += 1;
            }
        }
    }
    assert_eq!(cases, 20);
}

/// Lines of the escape program's output that a native chroot must print too (all but the
/// two where the simulator differs on purpose: /proc is not mounted in the chroot, and the
/// simulator's own limit on open host files).
fn comparable(out: &str) -> Vec<&str> {
    out.lines()
        .filter(|l| !l.starts_with("readlink /proc/self/exe") && !l.starts_with("opened "))
        .collect()
}

#[test]
fn root_confines_every_path_the_guest_names() {
    let exe = build("escape.c", "musl");
    // Outside the root: a secret the guest must never read, remove or write next to.
    let outside = fresh("outside");
    std::fs::write(outside.join("secret"), "OUTSIDE\n").unwrap();
    let setup = |root: &Path| {
        std::fs::create_dir_all(root.join("etc")).unwrap();
        std::fs::create_dir_all(root.join("deep")).unwrap();
        std::fs::write(root.join("etc/secret"), "inside\n").unwrap();
        std::fs::write(root.join("ROOT_MARKER"), "").unwrap();
        std::fs::copy(&exe, root.join("escape")).unwrap();
        let link = |target: &str, name: &str| {
            std::os::unix::fs::symlink(target, root.join(name)).unwrap();
        };
        link(s(&outside), "abs_link");
        link(&format!("../../../../../../..{}", s(&outside)), "rel_link");
        link("/etc/secret", "etc_link");
        link("loop_b", "loop_a");
        link("loop_a", "loop_b");
    };
    let parent = fresh("jail");
    let root = parent.join("root");
    setup(&root);
    let before_parent = tree(&parent.join("..").join("outside"));
    let sim = youcpu(&["run", "--root", s(&root), "/escape"]);
    let out = String::from_utf8_lossy(&sim.stdout).into_owned();
    assert_eq!(
        sim.status.code(),
        Some(0),
        "{out}\n{}",
        String::from_utf8_lossy(&sim.stderr)
    );
    for want in [
        "open /etc/secret: \"inside\"",
        "open ../../../../../../etc/secret: \"inside\"",
        "open /../../etc/secret: \"inside\"",
        "open /abs_link/secret: No such file or directory",
        "open /rel_link/secret: No such file or directory",
        "open /etc_link: \"inside\"",
        // musl's strerror text for ELOOP.
        "open /loop_a: Symbolic link loop",
        "open /deep/../../../etc/secret: \"inside\"",
        "opendir /..: ",
        "/ and /../.. same inode: 1",
        "cwd after chdir(..) x10: /\n",
        "chdir /abs_link: -1",
        "create ../../created_outside: ok",
        "rename to ../../moved: 0",
        "mkdir /abs_link/newdir: No such file or directory",
        "unlink /rel_link/secret: No such file or directory",
        "chmod /abs_link/secret: No such file or directory",
        "chmod /etc_link: ok",
        "truncate /abs_link/secret: No such file or directory",
        "truncate ../../../etc/secret: ok",
        "link /abs_link/secret: No such file or directory",
        "linkat follow /abs_link: No such file or directory",
        "link to ../../hard: ok",
        "open /newlink: No such file or directory",
        "open /etc/secret: \"ins\"",
        "utimensat /abs_link/secret: No such file or directory",
        "readlink /proc/self/exe: /escape\n",
        "readlink /abs_link is the host's text: 1",
        "opened 768 at once, then Too many open files in system",
    ] {
        assert!(out.contains(want), "missing {want:?} in:\n{out}");
    }
    assert!(!out.contains("OUTSIDE"), "{out}");
    for l in out.lines().filter(|l| l.starts_with("opendir")) {
        assert!(l.ends_with("marker 1"), "{l}");
    }
    // Nothing changed outside the root; what the guest made is inside it.
    assert_eq!(tree(&parent.join("..").join("outside")), before_parent);
    assert_eq!(std::fs::read_dir(&parent).unwrap().count(), 1);
    assert!(root.join("moved").is_file());
    assert!(!outside.join("newdir").exists());
    assert!(root.join("hard").is_file() && root.join("abs_link2").is_symlink());
    // The same program under a native chroot (this machine's kernel as the oracle).
    let jail2 = fresh("jail2").join("root");
    setup(&jail2);
    let chroot = ["/usr/sbin/chroot", "/sbin/chroot", "/usr/bin/chroot"]
        .into_iter()
        .find(|p| Path::new(p).exists())
        .unwrap_or("chroot");
    let native = Command::new(chroot)
        .arg(&jail2)
        .arg("/escape")
        .env_clear()
        .run_output();
    match native {
        Ok(n) if n.status.success() => {
            let nout = String::from_utf8_lossy(&n.stdout).into_owned();
            assert_eq!(comparable(&out), comparable(&nout));
        }
        // chroot needs privileges (root) this machine may not give.
        other => youcpu_testkit::oracle::missing(&format!(
            "a native chroot to compare the escape attempts with: {other:?}"
        )),
    }
}

#[test]
fn cli_options_for_the_environment_and_the_working_directory() {
    let dir = fresh("opts");
    std::fs::write(dir.join("f"), "x").unwrap();
    let out = youcpu(&[
        "run",
        "--clear-env",
        "--env",
        "A=1",
        "--env",
        "B=2",
        "--env",
        "A=3",
        "/usr/bin/env",
    ]);
    assert_eq!(String::from_utf8_lossy(&out.stdout), "B=2\nA=3\n");
    let out = youcpu(&["run", "--cwd", s(&dir), "/bin/ls"]);
    assert_eq!(String::from_utf8_lossy(&out.stdout), "f\n");
    let out = youcpu(&["run", "--root", s(&dir), "--cwd", "/", "/bin/ls"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("ENOENT"));
    for (args, want) in [
        (vec!["run", "--env", "NOEQUALS", "/bin/true"], "--env"),
        (
            vec!["run", "--root", "/nonexistent/dir", "/bin/true"],
            "--root",
        ),
        (
            vec!["run", "--cwd", "/nonexistent/dir", "/bin/true"],
            "--cwd",
        ),
        (vec!["run", "/dev/zero"], "EACCES"),
    ] {
        let out = youcpu(&args);
        assert_eq!(out.status.code(), Some(1), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(want), "{args:?}: {err}");
    }
    // Standard input reaches the guest.
    let mut child = Command::new(env!("CARGO_BIN_EXE_youcpu"))
        .args(["run", "--clear-env", "/usr/bin/tr", "a-z", "A-Z"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"piped text\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "PIPED TEXT\n");
}

#[test]
fn a_syscall_fuzzer_stays_inside_the_root_and_never_panics() {
    let exe = build("sysfuzz.c", "musl");
    let outside = fresh("fuzz-outside");
    std::fs::write(outside.join("secret"), "OUTSIDE\n").unwrap();
    let before = tree(&outside);
    let parent = fresh("fuzz-jail");
    let mut calls = 0u64;
    for seed in 1..=6u64 {
        let root = parent.join(format!("root{seed}"));
        std::fs::create_dir_all(root.join("etc")).unwrap();
        std::fs::create_dir_all(root.join("dir")).unwrap();
        std::fs::write(root.join("etc/secret"), "inside\n").unwrap();
        std::fs::write(root.join("dir/f"), "file\n").unwrap();
        std::fs::copy(&exe, root.join("fuzz")).unwrap();
        std::os::unix::fs::symlink(&outside, root.join("abs_link")).unwrap();
        std::os::unix::fs::symlink(
            format!("../../../../../../..{}", s(&outside)),
            root.join("rel_link"),
        )
        .unwrap();
        std::os::unix::fs::symlink("loop_a", root.join("loop_a")).unwrap();
        std::os::unix::fs::symlink("/etc/secret", root.join("etc_link")).unwrap();
        let n = 8_000;
        let out = youcpu(&[
            "run",
            "--root",
            s(&root),
            "--max-steps",
            "4000000000",
            "/fuzz",
            &seed.to_string(),
            &n.to_string(),
        ]);
        let text = String::from_utf8_lossy(&out.stdout);
        assert_eq!(
            out.status.code(),
            Some(0),
            "seed {seed}: {text}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            text.starts_with(&format!("made {n} calls")),
            "seed {seed}: {text}"
        );
        calls += n;
        assert_eq!(tree(&outside), before, "seed {seed} changed the outside");
    }
    // Only the roots were touched in the jail's parent.
    assert_eq!(std::fs::read_dir(&parent).unwrap().count(), 6);
    assert_eq!(calls, 48_000);
}

/// PROT_EXEC on a file of a `noexec` mount, made in a private user+mount namespace where the
/// program runs natively and under `youcpu run` (musl and glibc static builds): mmap gives
/// EPERM and mprotect EACCES (no VM_MAYEXEC), as on the file of an ordinary mount they
/// succeed.
#[test]
fn prot_exec_on_a_noexec_mount_is_refused_as_linux_refuses_it() {
    let dir = fresh("noexec");
    std::fs::create_dir_all(dir.join("no")).unwrap();
    std::fs::create_dir_all(dir.join("yes")).unwrap();
    let musl = build("mmapexec.c", "musl");
    let glibc = build("mmapexec.c", "static");
    let script = r#"
        D="$1"; YOU="$2"; shift 2
        mount -t tmpfs -o noexec none "$D/no" || exit 90
        mount -t tmpfs none "$D/yes" || exit 90
        for m in no yes; do
            echo data > "$D/$m/f"
            for p in "$@"; do
                echo "NATIVE $m"; "$p" "$D/$m/f"; echo "status $?"
                echo "SIM $m"; "$YOU" run "$p" "$D/$m/f"; echo "status $?"
            done
        done
    "#;
    let args = [s(&dir), env!("CARGO_BIN_EXE_youcpu"), s(&musl), s(&glibc)];
    let args: Vec<&std::ffi::OsStr> = args.iter().map(|a| a.as_ref()).collect();
    let Some(text) = youcpu_testkit::oracle::in_mount_namespace(script, &args) else {
        return;
    };
    // Per build and mount: the native run, then the simulated one.
    let runs: Vec<&str> = text.split("NATIVE ").skip(1).collect();
    assert_eq!(runs.len(), 4, "{text}");
    for run in runs {
        let (native, sim) = run.split_once("SIM ").unwrap();
        assert_eq!(sim, native, "{text}");
    }
    assert!(
        text.contains(
            "NATIVE no\nmmap private PROT_EXEC: Operation not permitted\nmmap private PROT_READ: ok\nmprotect private PROT_EXEC: Permission denied\n"
        ),
        "{text}"
    );
    assert!(
        text.contains("NATIVE yes\nmmap private PROT_EXEC: ok\n"),
        "{text}"
    );
}
