//! `youcpu exec`: the command-line contract, and its argv against the machine's own execve
//! (needs `cc`).

#![allow(clippy::unwrap_used)]

use youcpu_testkit::execve as common;

use common::{kernel, tools, Case, Scratch, Seen};
use serde_json::Value;
use std::os::unix::ffi::OsStrExt;
use std::process::Command;
use youcpu_testkit::process::Run;

fn youcpu(args: &[&[u8]]) -> (i32, Value, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_youcpu"))
        .args(args.iter().map(|a| std::ffi::OsStr::from_bytes(a)))
        .run_output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let json = serde_json::from_str(&stdout).unwrap_or(Value::Null);
    (
        out.status.code().unwrap_or(-1),
        json,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn strings(v: &Value) -> Vec<Vec<u8>> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().as_bytes().to_vec())
        .collect()
}

#[test]
fn argv_matches_the_kernel() {
    let dir = Scratch::new("cli");
    let rec = tools().recorder.as_os_str().as_bytes().to_vec();
    let r = String::from_utf8(rec.clone()).unwrap();
    let scripts = [
        format!("#!{r}\n"),
        format!("#!{r} -x  -y\t\n"),
        format!("#! \t{r}\targ\r\n"),
        format!("#!{r} {}\n", "z".repeat(300)),
        format!("#!/{}{r}\n", "/".repeat(260)),
        "#!\n".to_string(),
        "#!/nonexistent\n".to_string(),
        "plain text\n".to_string(),
    ];
    let mut checked = 0;
    for (i, body) in scripts.iter().enumerate() {
        let p = dir.file(&format!("s{i}"), body.as_bytes(), 0o755);
        let pb = p.as_os_str().as_bytes().to_vec();
        for (argv0, args) in [
            (None, vec![]),
            (Some(&b"zero"[..]), vec![&b"a b"[..], b"c"]),
        ] {
            let mut case = Case::new(&pb, &args);
            case.argv0 = argv0.map(<[u8]>::to_vec);
            let k = kernel(&case);
            let mut cli: Vec<&[u8]> = vec![b"exec", b"--json"];
            if let Some(a) = argv0 {
                cli.push(b"--argv0");
                cli.push(a);
            }
            cli.push(&pb);
            cli.extend(args.iter().copied());
            let (code, json, err) = youcpu(&cli);
            assert_eq!(code, 0, "{err}");
            match k {
                Seen::Ran { argv, execfn, .. } => {
                    assert_eq!(json["ok"], Value::Bool(true), "{json}");
                    assert_eq!(strings(&json["argv"]), argv, "script {body:?}");
                    assert_eq!(json["filename"].as_str().unwrap().as_bytes(), &execfn[..]);
                    assert_eq!(json["chain"][0]["binfmt"], "script");
                }
                Seen::Errno(n) => {
                    assert_eq!(json["ok"], Value::Bool(false), "{json}");
                    assert_eq!(
                        json["errno_number"],
                        Value::from(n),
                        "script {body:?}: {json}"
                    );
                }
                other => panic!("the recorder did not run: {other:?}"),
            }
            checked += 1;
        }
    }
    assert_eq!(checked, scripts.len() * 2);
}

#[test]
fn empty_argv_env_root_and_misc() {
    let dir = Scratch::new("cli2");
    let rec = tools().recorder.to_str().unwrap().to_string();
    let p = dir.file("s", format!("#!{rec} -q\n").as_bytes(), 0o755);
    let ps = p.to_str().unwrap();
    let (code, json, _) = youcpu(&[b"exec", b"--json", b"--no-argv", ps.as_bytes()]);
    assert_eq!(code, 0);
    let mut case = Case::new(ps, &[]);
    case.empty_argv = true;
    let Seen::Ran { argv, .. } = kernel(&case) else {
        panic!()
    };
    assert_eq!(strings(&json["argv"]), argv);
    // --env fills envp.
    let (_, json, _) = youcpu(&[
        b"exec",
        b"--json",
        b"--env",
        b"A=1",
        b"--env",
        b"B=",
        ps.as_bytes(),
    ]);
    assert_eq!(
        strings(&json["envp"]),
        vec![b"A=1".to_vec(), b"B=".to_vec()]
    );
    // --root: "/s" inside the scratch directory; its interpreter is outside, hence ENOENT.
    let (_, json, _) = youcpu(&[
        b"exec",
        b"--json",
        b"--root",
        dir.0.as_os_str().as_bytes(),
        b"/s",
    ]);
    assert_eq!(json["errno"], "ENOENT", "{json}");
    assert_eq!(
        json["chain"][0]["interp"].as_str().unwrap(),
        format!("{rec}")
    );
    // --misc: a magic entry claims the file before the script handler.
    let q = dir.file("magic", b"YCLIMAGIC rest", 0o755);
    let reg = format!(":t:M::YCLIMAGIC::{rec}:P");
    let (_, json, err) = youcpu(&[
        b"exec",
        b"--json",
        b"--misc",
        reg.as_bytes(),
        q.as_os_str().as_bytes(),
        b"x",
    ]);
    assert_eq!(json["chain"][0]["binfmt"], "misc", "{json} {err}");
    assert_eq!(json["preserve_argv0"], true);
    let qs = q.to_str().unwrap();
    assert_eq!(
        strings(&json["argv"]),
        vec![rec.as_bytes().to_vec(), qs.into(), qs.into(), b"x".to_vec()]
    );
    // --shell for a file execve refuses.
    let t = dir.file("text", b"echo hi\n", 0o755);
    let (_, json, _) = youcpu(&[
        b"exec",
        b"--json",
        b"--shell",
        b"dash",
        t.as_os_str().as_bytes(),
        b"1",
    ]);
    assert_eq!(json["errno"], "ENOEXEC");
    assert_eq!(json["shell"]["argv"][0], "/bin/sh");
    let b = dir.file("bin", b"\x01\x02\n", 0o755);
    let (_, json, _) = youcpu(&[
        b"exec",
        b"--json",
        b"--shell",
        b"bash",
        b.as_os_str().as_bytes(),
    ]);
    assert_eq!(json["shell"]["runs"], "script", "bash sees no NUL: {json}");
    let (_, json, _) = youcpu(&[
        b"exec",
        b"--json",
        b"--shell",
        b"dash",
        b.as_os_str().as_bytes(),
    ]);
    assert_eq!(
        json["shell"]["status"], 126,
        "dash sees a control byte: {json}"
    );
}

#[test]
fn bad_input_exits_1_with_a_message() {
    let bad: [&[&[u8]]; 11] = [
        &[b"exec"],
        &[b"exec", b"--json"],
        &[b"exec", b"--misc", b":x:Q::a::/i:", b"/bin/sh"],
        &[b"exec", b"--user", b"nobody", b"/bin/sh"],
        &[b"exec", b"--root", b"/nonexistent-root-dir", b"/bin/sh"],
        &[b"exec", b"--cwd", b"relative", b"/bin/sh"],
        &[b"exec", b"--cwd", b"/nonexistent-cwd", b"/bin/sh"],
        &[b"exec", b"--cwd", b"/bin/sh", b"/bin/sh"],
        &[b"exec", b"--env", b"NOEQUALS", b"/bin/sh"],
        &[b"exec", b"--no-argv", b"/bin/sh", b"arg"],
        &[b"exec", b"--shell", b"zsh", b"/bin/sh"],
    ];
    for args in bad {
        let (code, json, err) = youcpu(&[args, &[b"--json"]].concat());
        assert_eq!(code, 1, "{args:?}: {err}");
        assert!(json["error"].is_string(), "{args:?}: {json}");
        assert_eq!(err.lines().count(), 1, "one line on stderr: {err:?}");
    }
}

#[test]
fn text_output_names_the_chain() {
    let out = Command::new(env!("CARGO_BIN_EXE_youcpu"))
        .args(["exec", "/bin/sh", "-c", "true"])
        .run_output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("argv: [\"/bin/sh\", \"-c\", \"true\"]"),
        "{text}"
    );
}

/// A `noexec` mount, made in a private user+mount namespace where the CLI (the model with
/// `youcpu exec`, the simulated kernel with `youcpu run`) and the real execve all run.
#[test]
fn noexec_mounts_refuse_with_eacces() {
    let dir = Scratch::new("noexec");
    std::fs::create_dir_all(dir.path("no")).unwrap();
    std::fs::create_dir_all(dir.path("yes")).unwrap();
    let script = r#"
        D="$1"; REC="$2"; RUN="$3"; YOU="$4"
        mount -t tmpfs -o noexec none "$D/no" || exit 90
        mount -t tmpfs none "$D/yes" || exit 90
        for m in no yes; do
            cp "$REC" "$D/$m/rec" && chmod 755 "$D/$m/rec"
            printf '#!%s\n' "$D/$m/rec" > "$D/yes/via-$m" && chmod 755 "$D/yes/via-$m"
        done
        for f in "$D/no/rec" "$D/yes/rec" "$D/yes/via-no" "$D/yes/via-yes"; do
            echo "MODEL $("$YOU" exec --json "$f" | tr -d '\n' | sed 's/.*"errno": *"\([A-Z0-9]*\)".*/\1/;s/.*"ok": *true.*/OK/')"
            echo "KERNEL $("$RUN" "$f" | head -1 | sed 's/^ARGC.*/OK/;s/^ERRNO 13/EACCES/;s/^ERRNO 2$/ENOENT/')"
            echo "SIM $("$YOU" run "$RUN" "$f" 2>/dev/null | head -1 | sed 's/^ARGC.*/OK/;s/^ERRNO 13/EACCES/;s/^ERRNO 2$/ENOENT/')"
        done
    "#;
    let Some(text) = youcpu_testkit::oracle::in_mount_namespace(
        script,
        &[
            dir.0.as_os_str(),
            tools().recorder.as_os_str(),
            tools().runner.as_os_str(),
            env!("CARGO_BIN_EXE_youcpu").as_ref(),
        ],
    ) else {
        return;
    };
    let model: Vec<&str> = text
        .lines()
        .filter_map(|l| l.strip_prefix("MODEL "))
        .collect();
    let kernel: Vec<&str> = text
        .lines()
        .filter_map(|l| l.strip_prefix("KERNEL "))
        .collect();
    // The simulated kernel's execve (`youcpu run` of the runner) asks the same model
    // through the same host file system layer, noexec mounts included.
    let sim: Vec<&str> = text
        .lines()
        .filter_map(|l| l.strip_prefix("SIM "))
        .collect();
    assert_eq!(model, kernel, "{text}");
    assert_eq!(sim, kernel, "{text}");
    assert_eq!(kernel, ["EACCES", "OK", "EACCES", "OK"], "{text}");
}
