//! The browser's example filesystem against the real kernel: the example tree is written to a
//! directory, its programs replaced by a static argv recorder, and every example is executed
//! inside a private user+mount namespace chrooted there (so `/bin/sh` in a `#!` line means the
//! example's `/bin/sh`), with and without the example binfmt_misc registrations. The model runs
//! on the in-memory copy. Needs `cc -static` and `unshare`; skipped otherwise.

#![allow(clippy::unwrap_used)]

use youcpu_testkit::execve as common;

use common::{kernel_with, model_on, request, sources, Case, Scratch, Seen};
use std::path::Path;
use std::process::Command;
use youcpu_core::exec::examples::{example_fs, tiny_elf, JAVA_REGISTRATION, PYC_REGISTRATION};
use youcpu_core::exec::fs::MemNode;
use youcpu_core::exec::misc::MiscRegistry;
use youcpu_core::exec::namei::Cred;
use youcpu_core::exec::register;
use youcpu_testkit::process::Run;

fn build_static(dir: &Path, name: &str, src: &str) -> Option<Vec<u8>> {
    let c = dir.join(format!("{name}.c"));
    youcpu_testkit::process::write(&c, src).unwrap();
    let out = dir.join(name);
    let ok = Command::new("cc")
        .arg("-static")
        .arg("-O1")
        .arg("-o")
        .arg(&out)
        .arg(&c)
        .run_status();
    if !matches!(ok, Ok(s) if s.success()) {
        return None;
    }
    Some(std::fs::read(out).unwrap())
}

#[test]
fn example_programs_are_runnable_elf_files() {
    let dir = Scratch::new("tiny");
    for (name, e_type) in [("exec", 2u16), ("dyn", 3)] {
        let p = dir.file(name, &tiny_elf(e_type, None), 0o755);
        // Retry on ETXTBSY: another test thread's child may briefly hold the file open.
        let mut st = Command::new(&p).run_status();
        for _ in 0..100 {
            if !matches!(&st, Err(e) if e.raw_os_error() == Some(26)) {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(5));
            st = Command::new(&p).run_status();
        }
        let st = st.unwrap();
        assert!(st.success(), "{name}: {st:?}");
    }
}

#[test]
fn every_example_in_a_chroot() {
    if !youcpu_testkit::oracle::namespace_available() {
        return;
    }
    let work = Scratch::new("examples");
    let (rec_src, run_src) = sources();
    let (Some(rec), Some(run)) = (
        build_static(&work.0, "rec", rec_src),
        build_static(&work.0, "run", run_src),
    ) else {
        youcpu_testkit::oracle::missing("cc cannot link static binaries here");
        return;
    };
    // The example tree, every ELF program replaced by the recorder.
    let mut fs = example_fs().unwrap();
    let elves: Vec<String> = fs
        .entries()
        .filter(|(_, e)| matches!(&e.node, MemNode::File(b) if b.starts_with(b"\x7fELF")))
        .map(|(p, _)| String::from_utf8(p.to_vec()).unwrap())
        .collect();
    for p in &elves {
        fs.insert(p, MemNode::File(rec.clone()), 0o755).unwrap();
    }
    fs.insert("/run", MemNode::File(run), 0o755).unwrap();
    fs.insert("/proc/sys/fs/binfmt_misc", MemNode::Dir, 0o755)
        .unwrap();
    let root = work.path("root");
    std::fs::create_dir_all(&root).unwrap();
    youcpu_testkit::execve::materialise(&fs, &root);
    // Which namespace features work here?
    let probe = Command::new("unshare")
        .args(["--user", "--map-root-user", "--mount"])
        .arg(format!("--root={}", root.display()))
        .args(["--wd=/home/user", "/run", "/bin/sh"])
        .run_output()
        .unwrap();
    if !String::from_utf8_lossy(&probe.stdout).starts_with("ARGC") {
        youcpu_testkit::oracle::missing(&format!(
            "cannot chroot in a user namespace here: {}",
            String::from_utf8_lossy(&probe.stderr).trim()
        ));
        return;
    }
    let mut paths: Vec<Vec<u8>> = fs
        .entries()
        .map(|(p, _)| p.to_vec())
        .filter(|p| p.starts_with(b"/home/user/") || p.starts_with(b"/usr/local/"))
        .collect();
    paths.extend([
        b"/bin/sh".to_vec(),
        b"missing".to_vec(),
        b"nested/level3".to_vec(),
        b"./hello.sh".to_vec(),
    ]);
    let mut failures = Vec::new();
    let mut total = 0;
    let mut seen = std::collections::BTreeMap::new();
    for regs in [vec![], vec![JAVA_REGISTRATION, PYC_REGISTRATION]] {
        let mut misc = MiscRegistry::default();
        for r in &regs {
            register(&mut misc, &fs, b"/home/user", &Cred::root(), r.as_bytes()).unwrap();
        }
        for p in &paths {
            for variant in 0..3 {
                let mut case = Case::new(p, &[b"a", b"b c"]);
                case.cwd = "/home/user".into();
                match variant {
                    1 => case.argv0 = Some(b"custom".to_vec()),
                    2 => case.empty_argv = true,
                    _ => {}
                }
                let mut cmd = Command::new("unshare");
                cmd.args(["--user", "--map-root-user", "--mount"])
                    .arg(format!("--root={}", root.display()))
                    .args(["--wd=/home/user", "/run"]);
                for r in &regs {
                    cmd.arg("-R").arg(r);
                }
                let k = kernel_with(cmd, &case);
                let mut req = request(&case);
                req.misc = misc.clone();
                let m = model_on(&fs, &req);
                total += 1;
                if variant == 0 {
                    seen.insert(
                        (String::from_utf8_lossy(p).into_owned(), regs.len()),
                        k.clone(),
                    );
                }
                if k != m {
                    failures.push(format!(
                        "{} (variant {variant}, {} registrations): kernel {k:?} model {m:?}",
                        String::from_utf8_lossy(p),
                        regs.len()
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {total} differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
    let _ = Seen::Errno(0);
}
