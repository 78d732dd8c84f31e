//! execve's errors: the model against the machine's execve on path, permission, argument-size
//! and ELF-header cases (needs `cc`; the non-root cases need to run as root to drop to uid
//! 65534, and are skipped with a message otherwise).

#![allow(clippy::unwrap_used)]

use youcpu_testkit::execve as common;

use common::{agree_all, stack_rlimit, tools, Case, Scratch, Seen};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use youcpu_core::exec::binprm::{ARG_MAX, MAX_ARG_STRLEN, STK_LIM};
use youcpu_testkit::process::Run;

fn b(p: &Path) -> Vec<u8> {
    p.as_os_str().as_bytes().to_vec()
}

fn cat(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

/// Asserts the kernel answered each of these errnos at least once (the cases reach them).
fn covered(seen: &[Seen], errnos: &[(i32, &str)]) {
    for &(n, name) in errnos {
        assert!(seen.contains(&Seen::Errno(n)), "{name} covered");
    }
}

fn chmod(p: &Path, mode: u32) {
    youcpu_testkit::process::chmod(p, mode).unwrap();
}

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .map(|l| l.split_whitespace().nth(2) == Some("0"))
        })
        .unwrap_or(false)
}

#[test]
fn path_lookup_errors() {
    let dir = Scratch::new("path");
    let rec = b(&tools().recorder);
    let d = b(&dir.0);
    let file = dir.file("file", b"#!/bin/true\n", 0o755);
    dir.file("noexec", &cat(&[b"#!", &rec, b"\n"]), 0o644);
    for (name, mode) in [("x-user", 0o100), ("x-group", 0o010), ("x-other", 0o001)] {
        dir.file(name, &cat(&[b"#!", &rec, b"\n"]), mode);
    }
    std::fs::create_dir_all(dir.path("sub")).unwrap();
    // A directory nobody may search: root passes anyway (CAP_DAC_READ_SEARCH).
    std::fs::create_dir_all(dir.path("closed")).unwrap();
    dir.file("closed/s", &cat(&[b"#!", &rec, b"\n"]), 0o755);
    chmod(&dir.path("closed"), 0o000);
    std::os::unix::fs::symlink("loop2", dir.path("loop1")).unwrap();
    std::os::unix::fs::symlink("loop1", dir.path("loop2")).unwrap();
    std::os::unix::fs::symlink("missing", dir.path("dangling")).unwrap();
    std::os::unix::fs::symlink("sub", dir.path("to-dir")).unwrap();
    std::os::unix::fs::symlink(&tools().recorder, dir.path("chain0")).unwrap();
    for i in 1..=41 {
        std::os::unix::fs::symlink(format!("chain{}", i - 1), dir.path(&format!("chain{i}")))
            .unwrap();
    }
    let fifo = dir.path("fifo");
    assert!(std::process::Command::new("mkfifo")
        .arg(&fifo)
        .run_status()
        .unwrap()
        .success());
    chmod(&fifo, 0o755);
    let rec_slash = cat(&[&rec, b"/"]);
    std::os::unix::fs::symlink(
        std::ffi::OsStr::from_bytes(&rec_slash),
        dir.path("to-rec-slash"),
    )
    .unwrap();
    std::os::unix::fs::symlink("/", dir.path("to-root")).unwrap();
    std::os::unix::fs::symlink(".", dir.path("to-dot")).unwrap();
    std::os::unix::fs::symlink(&tools().recorder, dir.path("to-rec")).unwrap();
    let long_component = vec![b'n'; 256];
    let max_component = vec![b'n'; 255];
    let mut long_path = b"/".repeat(4096 - rec.len());
    long_path.extend_from_slice(&rec);
    let mut just_fits = b"/".repeat(4095 - rec.len());
    just_fits.extend_from_slice(&rec);
    let paths: Vec<(&str, Vec<u8>)> = vec![
        ("missing file", cat(&[&d, b"/nope"])),
        (
            "symlink to a file, target with a trailing slash",
            cat(&[&d, b"/to-rec-slash"]),
        ),
        ("symlink to /", cat(&[&d, b"/to-root"])),
        ("symlink to .", cat(&[&d, b"/to-dot"])),
        ("symlink to a file, then /", cat(&[&d, b"/to-rec/"])),
        ("symlink to a file, then /.", cat(&[&d, b"/to-rec/."])),
        ("file then /.", cat(&[&rec, b"/."])),
        ("file then /..", cat(&[&rec, b"/.."])),
        ("directory then /..", cat(&[&d, b"/sub/.."])),
        ("through a symlink to .", b"to-dot/to-rec".to_vec()),
        ("doubled slashes, relative", b".//to-rec".to_vec()),
        (
            "through a mode-000 directory as root",
            cat(&[&d, b"/closed/s"]),
        ),
        ("missing directory", cat(&[&d, b"/nodir/x"])),
        ("file used as a directory", cat(&[&b(&file), b"/x"])),
        ("file with a trailing slash", cat(&[&b(&file), b"/"])),
        ("directory", d.clone()),
        ("directory with a trailing slash", cat(&[&d, b"/sub/"])),
        ("root", b"/".to_vec()),
        ("dot", b".".to_vec()),
        ("dot-dot", b"..".to_vec()),
        ("empty path", Vec::new()),
        ("no x bit", cat(&[&d, b"/noexec"])),
        ("only the user x bit", cat(&[&d, b"/x-user"])),
        ("only the group x bit", cat(&[&d, b"/x-group"])),
        ("only the other x bit", cat(&[&d, b"/x-other"])),
        ("fifo", b(&fifo)),
        ("symlink loop", cat(&[&d, b"/loop1"])),
        ("symlink loop in the middle", cat(&[&d, b"/loop1/x"])),
        ("dangling symlink", cat(&[&d, b"/dangling"])),
        ("symlink to a directory", cat(&[&d, b"/to-dir"])),
        ("40 symlinks", cat(&[&d, b"/chain40"])),
        ("41 symlinks", cat(&[&d, b"/chain41"])),
        ("component of 256 bytes", cat(&[&d, b"/", &long_component])),
        ("component of 255 bytes", cat(&[&d, b"/", &max_component])),
        ("path of 4096 bytes", long_path),
        ("path of 4095 bytes", just_fits),
        (
            "relative, through ..",
            cat(&[b"../", tools().dir.file_name().unwrap().as_bytes(), b"/rec"]),
        ),
    ];
    let mut cases: Vec<(String, Case)> = paths
        .into_iter()
        .map(|(w, p)| (w.to_string(), Case::new(p, &[b"arg"])))
        .collect();
    for c in &mut cases {
        c.1.cwd = dir.0.clone();
    }
    let seen = agree_all(cases);
    covered(
        &seen,
        &[(20, "ENOTDIR"), (36, "ENAMETOOLONG"), (40, "ELOOP")],
    );
}

#[test]
fn interpreter_errors() {
    let dir = Scratch::new("interp");
    let rec = b(&tools().recorder);
    let d = b(&dir.0);
    dir.file("noexec-interp", &cat(&[b"#!", &rec, b"\n"]), 0o644);
    std::fs::create_dir_all(dir.path("adir")).unwrap();
    std::os::unix::fs::symlink("l2", dir.path("l1")).unwrap();
    std::os::unix::fs::symlink("l1", dir.path("l2")).unwrap();
    let fifo = dir.path("fifo");
    assert!(std::process::Command::new("mkfifo")
        .arg(&fifo)
        .run_status()
        .unwrap()
        .success());
    let interps: Vec<(&str, Vec<u8>)> = vec![
        ("missing interpreter", cat(&[&d, b"/none"])),
        ("interpreter is a directory", cat(&[&d, b"/adir"])),
        ("interpreter not executable", cat(&[&d, b"/noexec-interp"])),
        ("interpreter path through a file", cat(&[&rec, b"/x"])),
        ("interpreter symlink loop", cat(&[&d, b"/l1"])),
        ("interpreter is a fifo", b(&fifo)),
        (
            "interpreter component too long",
            cat(&[&d, b"/", &[b'z'; 256]]),
        ),
        ("interpreter with CR", cat(&[&rec, b"\r"])),
        ("relative interpreter missing from cwd", b"rec".to_vec()),
        ("interpreter is the root directory", b"/".to_vec()),
        ("interpreter with a trailing slash", cat(&[&rec, b"/"])),
        (
            "interpreter through ..",
            cat(&[
                &d,
                b"/../",
                dir.0.file_name().unwrap().as_bytes(),
                b"/adir/../none",
            ]),
        ),
    ];
    let mut cases = Vec::new();
    for (i, (what, interp)) in interps.into_iter().enumerate() {
        let p = dir.file(&format!("s{i}"), &cat(&[b"#!", &interp, b"\n"]), 0o755);
        let mut c = Case::new(b(&p), &[]);
        c.cwd = dir.0.clone();
        cases.push((what.to_string(), c));
    }
    // The script itself: not executable, or a directory.
    dir.file("script-noexec", &cat(&[b"#!", &rec, b"\n"]), 0o600);
    let mut c = Case::new(cat(&[&d, b"/script-noexec"]), &[]);
    c.cwd = dir.0.clone();
    cases.push(("script without x bit".into(), c));
    agree_all(cases);
}

#[test]
fn permissions_as_an_unprivileged_user() {
    if !is_root() {
        youcpu_testkit::oracle::missing("the unprivileged cases need root to switch to uid 65534");
        return;
    }
    let dir = Scratch::new("perm");
    chmod(&dir.0, 0o755);
    let rec = b(&tools().recorder);
    let d = b(&dir.0);
    let body = cat(&[b"#!", &rec, b"\n"]);
    let modes = [
        0o755, 0o711, 0o701, 0o700, 0o744, 0o754, 0o745, 0o610, 0o601, 0o000, 0o4755,
    ];
    let mut cases = Vec::new();
    for (gid, group_tag) in [(0u32, "root group"), (65534, "user's group")] {
        for mode in modes {
            let name = format!("m{mode:o}-g{gid}");
            let p = dir.file(&name, &body, 0o644);
            std::os::unix::fs::chown(&p, Some(0), Some(gid)).unwrap();
            chmod(&p, mode);
            let mut c = Case::new(b(&p), &[b"u"]);
            c.user = Some((65534, 65534));
            c.cwd = dir.0.clone();
            cases.push((format!("mode {mode:o}, {group_tag}, as uid 65534"), c));
        }
    }
    // Directories on the way: search permission.
    for mode in [0o700, 0o711, 0o701, 0o710, 0o755, 0o754] {
        let sub = dir.path(&format!("dir{mode:o}"));
        std::fs::create_dir_all(&sub).unwrap();
        let p = dir.file(&format!("dir{mode:o}/s"), &body, 0o755);
        chmod(&sub, mode);
        let mut c = Case::new(b(&p), &[]);
        c.user = Some((65534, 65534));
        cases.push((format!("directory mode {mode:o} on the path"), c));
    }
    // An interpreter only root may run; a file the user owns.
    let private = dir.file("private-interp", &body, 0o700);
    let s = dir.file("uses-private", &cat(&[b"#!", &b(&private), b"\n"]), 0o755);
    let mut c = Case::new(b(&s), &[]);
    c.user = Some((65534, 65534));
    cases.push(("interpreter not executable by the user".into(), c));
    let own = dir.file("own", &body, 0o100);
    std::os::unix::fs::chown(&own, Some(65534), Some(65534)).unwrap();
    let mut c = Case::new(b(&own), &[]);
    c.user = Some((65534, 65534));
    cases.push(("owner x bit only, file owned by the user".into(), c));
    let _ = d;
    agree_all(cases);
}

#[test]
fn argument_list_too_long() {
    let dir = Scratch::new("e2big");
    let rec = b(&tools().recorder);
    let limit = (STK_LIM / 4 * 3).min(stack_rlimit() / 4).max(ARG_MAX);
    let script = dir.file("s", &cat(&[b"#!", &rec, b" an-argument\n"]), 0o755);
    let mut cases = Vec::new();
    for n in [
        MAX_ARG_STRLEN - 2,
        MAX_ARG_STRLEN - 1,
        MAX_ARG_STRLEN,
        MAX_ARG_STRLEN + 1,
    ] {
        let mut c = Case::new(&rec, &[]);
        c.big_args = vec![n];
        cases.push((format!("one argument of {n} bytes"), c));
        let mut c = Case::new(&rec, &[]);
        c.big_env = vec![n];
        cases.push((format!("one environment string of {n} bytes"), c));
    }
    // The total, to the byte: filename + argv + envp strings (with NULs) against the limit
    // less 8 bytes per pointer.
    for (target, path) in [(&rec, &rec), (&b(&script), &b(&script))] {
        let argc = 1 + 20;
        let ptrs = 8 * argc as u64;
        let fixed = (path.len() + 1) as u64 + (target.len() + 1) as u64 + 19 * (100_000 + 1);
        let last = limit - ptrs - fixed - 1;
        for delta in [-1i64, 0, 1] {
            let mut c = Case::new(path, &[]);
            let mut sizes = vec![100_000usize; 19];
            sizes.push((last as i64 + delta) as usize);
            c.big_args = sizes;
            cases.push((
                format!("total at limit {delta:+} for {}", common::show(path)),
                c,
            ));
        }
    }
    // Many tiny arguments: the pointer space counts too.
    let per = 8 + 2;
    let many = ((limit as usize) - rec.len() - 1 - (rec.len() + 1) - 8) / per;
    for extra in [-1i64, 0, 1, 2] {
        let mut c = Case::new(&rec, &[]);
        c.many_args = (many as i64 + extra) as usize;
        cases.push((format!("{} one-byte arguments", c.many_args), c));
    }
    let seen = agree_all(cases);
    assert!(seen.contains(&Seen::Errno(7)));
    assert!(seen.iter().any(|s| matches!(s, Seen::Ran { .. })));
}

/// Finds the program header of type `t` in a 64-bit ELF; returns its file offset.
fn phdr_offset(elf: &[u8], t: u32) -> Option<usize> {
    let phoff = u64::from_le_bytes(elf[32..40].try_into().unwrap()) as usize;
    let phnum = u16::from_le_bytes(elf[56..58].try_into().unwrap()) as usize;
    (0..phnum)
        .map(|i| phoff + 56 * i)
        .find(|&o| u32::from_le_bytes(elf[o..o + 4].try_into().unwrap()) == t)
}

#[test]
fn elf_header_checks_and_pt_interp() {
    let dir = Scratch::new("elf");
    let rec_path = tools().recorder.clone();
    let rec = std::fs::read(&rec_path).unwrap();
    let mut cases = Vec::new();
    let add = |name: &str, bytes: Vec<u8>, cases: &mut Vec<(String, Case)>| {
        let p = dir.file(name, &bytes, 0o755);
        cases.push((name.to_string(), Case::new(b(&p), &[b"e"])));
    };
    let set16 =
        |v: &mut Vec<u8>, at: usize, x: u16| v[at..at + 2].copy_from_slice(&x.to_le_bytes());
    let set64 =
        |v: &mut Vec<u8>, at: usize, x: u64| v[at..at + 8].copy_from_slice(&x.to_le_bytes());
    add("copy", rec.clone(), &mut cases);
    for cut in [3, 4, 16, 63, 64, 65, 100, 400] {
        add(&format!("truncated-{cut}"), rec[..cut].to_vec(), &mut cases);
    }
    for (name, at, val) in [
        ("type-rel", 16, 1u16),
        ("type-core", 16, 4),
        ("type-exec", 16, 2),
        ("machine-i386", 18, 3),
        ("machine-arm", 18, 40),
        ("phentsize-55", 54, 55),
        ("phnum-0", 56, 0),
        ("phnum-73", 56, 73),
        ("phnum-74", 56, 74),
    ] {
        let mut v = rec.clone();
        set16(&mut v, at, val);
        add(name, v, &mut cases);
    }
    let mut v = rec.clone();
    set64(&mut v, 32, 1 << 40);
    add("phoff-far", v, &mut cases);
    // Program headers of up to 64 KiB are read: pad the file so they exist.
    for n in [1170u16, 1171] {
        let mut v = rec.clone();
        set16(&mut v, 56, n);
        let old_phoff = u64::from_le_bytes(v[32..40].try_into().unwrap()) as usize;
        let old_n = u16::from_le_bytes(rec[56..58].try_into().unwrap()) as usize;
        let new_phoff = v.len();
        let table = rec[old_phoff..old_phoff + 56 * old_n].to_vec();
        v.extend_from_slice(&table);
        v.resize(new_phoff + 56 * n as usize + 8, 0);
        set64(&mut v, 32, new_phoff as u64);
        add(&format!("phnum-{n}-moved-table"), v, &mut cases);
    }
    let mut v = rec.clone();
    v[4] = 1;
    add("class-32-machine-64", v, &mut cases);
    // PT_INTERP edits.
    let pi = phdr_offset(&rec, 3).expect("the recorder is dynamically linked");
    let ioff = u64::from_le_bytes(rec[pi + 8..pi + 16].try_into().unwrap()) as usize;
    let isz = u64::from_le_bytes(rec[pi + 32..pi + 40].try_into().unwrap()) as usize;
    for (name, filesz) in [
        ("interp-size-1", 1u64),
        ("interp-size-4097", 4097),
        ("interp-no-nul", isz as u64 - 1),
    ] {
        let mut v = rec.clone();
        set64(&mut v, pi + 32, filesz);
        add(name, v, &mut cases);
    }
    let mut v = rec.clone();
    set64(&mut v, pi + 8, 1 << 40);
    add("interp-offset-far", v, &mut cases);
    // Same-length replacement interpreters under /tmp.
    let stem = format!("/tmp/yci{}-", std::process::id());
    type Make = Box<dyn Fn(&Path)>;
    let targets: Vec<(&str, Make)> = vec![
        ("missing", Box::new(|_p: &Path| {})),
        (
            "text",
            Box::new(|p: &Path| {
                youcpu_testkit::process::write(p, b"#!/bin/sh\n").unwrap();
                chmod(p, 0o755);
            }),
        ),
        (
            "short",
            Box::new(|p: &Path| {
                youcpu_testkit::process::write(p, b"\x7fELF\x02\x01\x01").unwrap();
                chmod(p, 0o755);
            }),
        ),
        (
            "noexec",
            Box::new(|p: &Path| {
                std::fs::copy(&tools().recorder, p).unwrap();
                chmod(p, 0o644);
            }),
        ),
        (
            "dir",
            Box::new(|p: &Path| std::fs::create_dir_all(p).unwrap()),
        ),
        (
            "relocatable",
            Box::new(|p: &Path| {
                let mut v = std::fs::read(&tools().recorder).unwrap();
                v[18] = 40;
                youcpu_testkit::process::write(p, v).unwrap();
                chmod(p, 0o755);
            }),
        ),
        (
            "itself",
            Box::new(|p: &Path| {
                std::fs::copy(&tools().recorder, p).unwrap();
                chmod(p, 0o755);
            }),
        ),
    ];
    let mut made = Vec::new();
    for (i, (name, make)) in targets.iter().enumerate() {
        let mut path = format!("{stem}{i}");
        while path.len() < isz - 1 {
            path.push('x');
        }
        if path.len() != isz - 1 {
            youcpu_testkit::oracle::missing(&format!(
                "interpreter replacement {name}: a scratch path ({stem}N) no longer than the \
                 recorder's PT_INTERP ({} bytes)",
                isz - 1
            ));
            continue;
        }
        let p = Path::new(&path).to_path_buf();
        let _ = std::fs::remove_dir_all(&p);
        let _ = std::fs::remove_file(&p);
        make(&p);
        made.push(p);
        let mut v = rec.clone();
        v[ioff..ioff + isz - 1].copy_from_slice(path.as_bytes());
        add(&format!("interp-{name}"), v, &mut cases);
    }
    // A relative PT_INTERP resolves from the process's cwd: a copy of the real loader under a
    // name as long as the original, found only when the cwd is the scratch directory.
    let orig = String::from_utf8(rec[ioff..ioff + isz - 1].to_vec()).unwrap();
    // The recorder runs natively, so its loader exists.
    {
        let loader = std::fs::canonicalize(&orig)
            .unwrap_or_else(|e| panic!("the recorder's loader {orig}: {e}"));
        let mut rel = String::from("ld-relative-");
        while rel.len() < isz - 1 {
            rel.push('x');
        }
        std::fs::copy(&loader, dir.path(&rel)).unwrap();
        chmod(&dir.path(&rel), 0o755);
        let mut v = rec.clone();
        v[ioff..ioff + isz - 1].copy_from_slice(rel.as_bytes());
        let p = dir.file("interp-relative", &v, 0o755);
        let mut here = Case::new(b(&p), &[b"r"]);
        here.cwd = dir.0.clone();
        cases.push(("relative PT_INTERP, found from the cwd".into(), here));
        cases.push((
            "relative PT_INTERP, cwd elsewhere".into(),
            Case::new(b(&p), &[b"r"]),
        ));
    }
    let result = std::panic::catch_unwind(|| agree_all(cases));
    for p in made {
        let _ = std::fs::remove_dir_all(&p);
        let _ = std::fs::remove_file(&p);
    }
    let seen = result.unwrap();
    covered(&seen, &[(80, "ELIBBAD"), (5, "EIO"), (8, "ENOEXEC")]);
}

#[test]
fn static_binaries() {
    let dir = Scratch::new("static");
    let src = tools().dir.join("rec.c");
    let mut cases = Vec::new();
    for (cc, flags) in [
        ("cc", vec!["-static"]),
        ("musl-gcc", vec!["-static"]),
        ("cc", vec!["-static-pie"]),
    ] {
        let out = dir.path(&format!("rec-{cc}{}", flags.join("")));
        let ok = std::process::Command::new(cc)
            .args(&flags)
            .arg("-o")
            .arg(&out)
            .arg(&src)
            .run_status()
            .map(|s| s.success())
            .unwrap_or(false);
        if !ok {
            youcpu_testkit::oracle::missing(&format!(
                "{cc} {flags:?} cannot build a static binary here"
            ));
            continue;
        }
        cases.push((format!("{cc} {flags:?}"), Case::new(b(&out), &[b"s"])));
    }
    agree_all(cases);
}

#[test]
fn elf32_through_the_compat_handler() {
    use youcpu_core::exec::examples::tiny_elf32;
    let dir = Scratch::new("elf32");
    let base = tiny_elf32();
    let mut cases = Vec::new();
    let mut add = |name: &str, v: Vec<u8>| {
        let p = dir.file(name, &v, 0o755);
        cases.push((name.to_string(), Case::new(b(&p), &[])));
    };
    add("i386", base.clone());
    for (name, at, val) in [
        ("machine-x86-64", 18usize, 62u16),
        ("machine-arm", 18, 40),
        ("type-rel", 16, 1),
        ("type-dyn", 16, 3),
        ("phentsize-56", 42, 56),
        ("phnum-0", 44, 0),
        ("phnum-2048", 44, 2048),
        ("phnum-2049", 44, 2049),
    ] {
        let mut v = base.clone();
        v[at..at + 2].copy_from_slice(&val.to_le_bytes());
        if name.starts_with("phnum-2") {
            v.resize(52 + 32 * 2049 + 8, 0);
        }
        add(name, v);
    }
    let mut v = base.clone();
    v[4] = 2;
    add("class-64-machine-386", v);
    add("truncated-60", base[..60].to_vec());
    let seen = agree_all(cases);
    assert!(seen.contains(&Seen::Exited(0)), "the i386 program ran");
}

#[test]
fn generated_paths() {
    let dir = Scratch::new("genpath");
    let rec = b(&tools().recorder);
    std::fs::create_dir_all(dir.path("sub/deeper")).unwrap();
    dir.file("file", &cat(&[b"#!", &rec, b"\n"]), 0o755);
    dir.file("sub/s", &cat(&[b"#!", &rec, b" -s\n"]), 0o755);
    dir.file("sub/noexec", b"#!/bin/true\n", 0o644);
    std::fs::copy(&tools().recorder, dir.path("sub/deeper/rec")).unwrap();
    for (link, target) in [
        ("to-sub", "sub"),
        ("to-file", "file"),
        ("to-dot", "."),
        ("to-up", ".."),
        ("abs-sub", &*dir.path("sub").to_string_lossy()),
        ("loop", "loop"),
        ("dangling", "nowhere"),
        ("sub/back", "../file"),
    ] {
        std::os::unix::fs::symlink(target, dir.path(link)).unwrap();
    }
    let parts: [&str; 14] = [
        ".", "..", "sub", "deeper", "rec", "s", "file", "to-sub", "to-file", "to-dot", "to-up",
        "abs-sub", "loop", "back",
    ];
    let mut seed: u64 = 0x5eed_1234_abcd_ef01;
    let mut next = |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n as u64) as usize
    };
    let mut cases = Vec::new();
    for i in 0..600 {
        let mut p = match next(3) {
            0 => b(&dir.0),
            1 => Vec::new(),
            _ => b"./".to_vec(),
        };
        for j in 0..1 + next(5) {
            if j > 0 || !p.is_empty() {
                p.extend_from_slice(if next(6) == 0 { b"//" } else { b"/" });
            }
            p.extend_from_slice(parts[next(parts.len())].as_bytes());
        }
        if next(8) == 0 {
            p.push(b'/');
        }
        let mut c = Case::new(&p, &[b"g"]);
        c.cwd = if next(4) == 0 {
            dir.path("sub")
        } else {
            dir.0.clone()
        };
        cases.push((format!("generated path {i}"), c));
    }
    let seen = agree_all(cases);
    let ran = seen
        .iter()
        .filter(|s| matches!(s, Seen::Ran { .. }))
        .count();
    assert!(ran > 10 && ran < 590, "both outcomes covered ({ran} ran)");
}
