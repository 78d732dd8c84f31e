//! The execve model on its own: the trace a widget steps through, the in-memory filesystem
//! against the real one, and properties over random inputs (nothing panics; the `#!` parser's
//! results obey the kernel's rules).

#![allow(clippy::unwrap_used)]

use proptest::prelude::*;
use youcpu_core::exec::binprm::BINPRM_BUF_SIZE;
use youcpu_core::exec::examples::{example_fs, JAVA_REGISTRATION, PYC_REGISTRATION};
use youcpu_core::exec::fs::{MemFs, MemNode};
use youcpu_core::exec::misc::{parse_registration, MiscRegistry};
use youcpu_core::exec::namei::Cred;
use youcpu_core::exec::script::{buffer_of, parse_shebang, ShebangVerdict};
use youcpu_core::exec::shell::{from_shell, Fallback, Shell};
use youcpu_core::exec::{execve, misc_claims, register, Binfmt, ExecRequest, StepKind};
use youcpu_core::linux::fs::vfs::ExecView;

fn req(path: &str, args: &[&str]) -> ExecRequest {
    let mut argv = vec![path.as_bytes().to_vec()];
    argv.extend(args.iter().map(|a| a.as_bytes().to_vec()));
    let mut r = ExecRequest::new(path.as_bytes(), argv, vec![]);
    r.cwd = b"/home/user".to_vec();
    r
}

#[test]
fn the_trace_shows_buffers_cuts_and_rewrites() {
    let fs = example_fs().unwrap();
    let out = execve(&fs, &req("/home/user/long-arg.sh", &["x"]));
    let bufs: Vec<_> = out
        .steps
        .iter()
        .filter(|s| s.kind == StepKind::ReadBuffer)
        .collect();
    assert_eq!(bufs.len(), 2, "the script, then its interpreter");
    assert!(bufs
        .iter()
        .all(|s| s.buf.as_ref().map(Vec::len) == Some(BINPRM_BUF_SIZE)));
    let claim = out
        .steps
        .iter()
        .find(|s| s.kind == StepKind::Claim && s.binfmt == Some(Binfmt::Script))
        .unwrap();
    let sb = claim.shebang.as_ref().unwrap();
    assert_eq!(sb.newline_at, None, "the line is longer than the buffer");
    assert_eq!(sb.line_end, BINPRM_BUF_SIZE - 1);
    let rewrite = out
        .steps
        .iter()
        .find(|s| s.kind == StepKind::Rewrite)
        .unwrap();
    assert_eq!(rewrite.argv.as_ref().unwrap()[0], b"/bin/sh");
    let done = out.result.unwrap();
    assert_eq!(
        done.elf_interp.as_deref(),
        Some(&b"/lib64/ld-linux-x86-64.so.2"[..])
    );
    assert_eq!(
        out.chain.iter().map(|l| l.binfmt).collect::<Vec<_>>(),
        vec![Binfmt::Script, Binfmt::Elf]
    );
    // Every failure ends with a Fail step carrying its errno.
    let bad = execve(&fs, &req("/home/user/nested/level7", &[]));
    let last = bad.steps.last().unwrap();
    assert_eq!((last.kind, last.errno), (StepKind::Fail, bad.errno()));
    assert_eq!(bad.chain.len(), 6);
}

#[test]
fn registrations_claim_example_files() {
    let fs = example_fs().unwrap();
    let java = parse_registration(JAVA_REGISTRATION.as_bytes()).unwrap();
    let pyc = parse_registration(PYC_REGISTRATION.as_bytes()).unwrap();
    let files: Vec<&[u8]> = vec![
        b"/home/user/Hello.class",
        b"/home/user/hello.pyc",
        b"/home/user/hello.sh",
    ];
    let claimed = |e| {
        files
            .iter()
            .map(|f| misc_claims(e, &fs, f))
            .collect::<Vec<_>>()
    };
    assert_eq!(claimed(&java), vec![true, false, false]);
    assert_eq!(claimed(&pyc), vec![false, true, false]);
    let mut r = req("/home/user/Hello.class", &["arg"]);
    register(
        &mut r.misc,
        &fs,
        b"/",
        &Cred::root(),
        JAVA_REGISTRATION.as_bytes(),
    )
    .unwrap();
    let out = execve(&fs, &r);
    assert_eq!(
        out.result.unwrap().argv,
        vec![
            b"/usr/bin/java".to_vec(),
            b"/home/user/Hello.class".to_vec(),
            b"arg".to_vec()
        ]
    );
}

#[test]
fn shell_fallback_from_the_examples() {
    let fs = example_fs().unwrap();
    let run = from_shell(&fs, &req("/home/user/no-shebang.sh", &["a"]), Shell::Dash);
    assert!(
        matches!(run.fallback, Some(Fallback::Script { ref argv, .. }) if argv[0] == b"/bin/sh")
    );
    let run = from_shell(&fs, &req("/home/user/blob.bin", &[]), Shell::Bash);
    assert!(matches!(
        run.fallback,
        Some(Fallback::Status { status: 126, .. })
    ));
    let run = from_shell(&fs, &req("/home/user/missing-interp.sh", &[]), Shell::Bash);
    assert_eq!(run.error_status, Some(127));
}

/// The same tree on disk and in memory gives the same answers.
#[test]
fn memfs_and_the_real_filesystem_agree() {
    let fs = example_fs().unwrap();
    let root = std::env::temp_dir().join(format!("youcpu-exec-memfs-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    youcpu_testkit::execve::materialise(&fs, &root);
    let real = ExecView::host(&root).expect("the tree on the host");
    let mut paths: Vec<Vec<u8>> = fs.entries().map(|(p, _)| p.to_vec()).collect();
    paths.extend([
        b"".to_vec(),
        b"nested/../hello.sh".to_vec(),
        b"/home/user/hello.sh/".to_vec(),
        b"loop-a".to_vec(),
    ]);
    for p in paths {
        for cred in [
            Cred::root(),
            Cred {
                uid: 1000,
                gids: vec![1000],
            },
        ] {
            let mut r = req("", &["a"]);
            r.path = p.clone();
            r.cred = cred;
            let a = execve(&fs, &r);
            let b = execve(&real, &r);
            assert_eq!(
                (a.result, a.chain),
                (b.result, b.chain),
                "{}",
                String::from_utf8_lossy(&p)
            );
        }
    }
    let _ = std::fs::remove_dir_all(&root);
}

fn spacetab(c: u8) -> bool {
    c == b' ' || c == b'\t'
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    /// Whatever the first bytes, the parser's answer obeys the kernel's rules.
    #[test]
    fn shebang_results_obey_the_rules(tail in proptest::collection::vec(
        prop_oneof![Just(b' '), Just(b'\t'), Just(b'\n'), Just(b'\r'), Just(0u8), Just(b'a'), Just(b'/'), any::<u8>()],
        0..300,
    )) {
        let mut bytes = b"#!".to_vec();
        bytes.extend_from_slice(&tail);
        let buf = buffer_of(&bytes);
        if let ShebangVerdict::Script(sb) = parse_shebang(&buf) {
            prop_assert!(!sb.interp.iter().any(|&c| spacetab(c) || c == 0));
            prop_assert!(sb.line_end < BINPRM_BUF_SIZE);
            prop_assert!(sb.interp_at >= 2 && sb.interp_at <= sb.line_end);
            if let Some(arg) = &sb.arg {
                prop_assert!(!arg.first().copied().is_some_and(spacetab));
                prop_assert!(!arg.contains(&0) && !arg.contains(&b'\n'));
                if sb.newline_at.is_some() {
                    prop_assert!(!arg.last().copied().is_some_and(spacetab));
                }
            }
            if let Some(n) = sb.newline_at {
                prop_assert!(!buf[..n].contains(&0));
            } else {
                // No newline before a NUL or the end: the interpreter name was terminated inside
                // the buffer, by a space, tab or NUL.
                prop_assert!(sb.interp_at + sb.interp.len() < BINPRM_BUF_SIZE);
            }
        }
    }

}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    /// Random files, argv and paths never make the model panic, and a success ends in ELF.
    #[test]
    fn execve_never_panics(
        content in proptest::collection::vec(any::<u8>(), 0..400),
        prefix in prop_oneof![Just(b"#!".to_vec()), Just(b"\x7fELF".to_vec()), Just(Vec::new())],
        mode in 0u32..0o1000,
        path in proptest::collection::vec(prop_oneof![Just(b'/'), Just(b'.'), Just(b'f'), any::<u8>()], 0..20),
        argv in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..5), 0..4),
        uid in prop_oneof![Just(0u32), Just(1000u32)],
    ) {
        let mut fs = MemFs::new();
        let mut bytes = prefix;
        bytes.extend_from_slice(&content);
        fs.insert("/f", MemNode::File(bytes), mode).unwrap();
        fs.insert("/d/f", MemNode::File(b"#!/f\n".to_vec()), 0o755).unwrap();
        fs.insert("/l", MemNode::Symlink(b"f".to_vec()), 0o777).unwrap();
        for p in [path.clone(), b"/f".to_vec(), b"/d/f".to_vec(), b"/l".to_vec()] {
            let mut r = ExecRequest::new(&p, argv.clone(), vec![b"A=1".to_vec()]);
            r.cred = Cred { uid, gids: vec![uid] };
            let out = execve(&fs, &r);
            prop_assert!(!out.steps.is_empty());
            if out.result.is_ok() {
                prop_assert!(matches!(out.chain.last().map(|l| l.binfmt), Some(Binfmt::Elf | Binfmt::CompatElf)));
            }
            for sh in [Shell::Dash, Shell::Bash] {
                let _ = from_shell(&fs, &r, sh);
            }
        }
    }

    /// Random registration strings never panic; accepted ones respect the kernel's limits.
    #[test]
    fn registrations_never_panic(s in proptest::collection::vec(
        prop_oneof![Just(b':'), Just(b'\\'), Just(b'x'), Just(b'M'), Just(b'E'), Just(b'P'), Just(b'f'), any::<u8>()],
        0..60,
    )) {
        if let Ok(e) = parse_registration(&s) {
            prop_assert!(!e.name.is_empty() && !e.interpreter.is_empty());
            if let youcpu_core::exec::misc::MiscMatch::Magic { offset, magic, mask } = &e.matcher {
                prop_assert!(offset + magic.len() <= BINPRM_BUF_SIZE && !magic.is_empty());
                prop_assert!(mask.as_ref().is_none_or(|m| m.len() == magic.len()));
            }
            let mut reg = MiscRegistry::default();
            let _ = register(&mut reg, &MemFs::new(), b"/", &Cred::root(), &s);
        }
    }
}
