//! The narrated run ([`youcpu_core::linux::narrate`]) of each example program the "your
//! program" widget offers (web/programs): run in the simulated kernel over its in-memory file
//! system, as the page runs them, and checked against the same binaries run natively on this
//! machine (their output and exit status, and for the `#!` script the argv the real kernel
//! builds), then the events and sentences the story tells.

#![allow(clippy::unwrap_used, clippy::expect_used)] // tests may unwrap

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use youcpu_core::linux::errno::Errno;
use youcpu_core::linux::narrate::{self, Moment, Stage};
use youcpu_core::linux::trace::{Categories, EventKind};
use youcpu_core::linux::{Config, Error, Linux, ProcessState};
use youcpu_core::loader::stack::RANDOM_SEED;
use youcpu_core::loader::ExecArgs;
use youcpu_testkit::process::Run;

fn programs() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../web/programs")
}

/// The files of web/programs where the page puts them: bin/* in /bin, the loader in /lib,
/// the script at /bin/script.
fn install(l: &mut Linux) {
    let dir = programs();
    for e in std::fs::read_dir(dir.join("bin")).unwrap() {
        let e = e.unwrap();
        let name = e.file_name().into_string().unwrap();
        let bytes = std::fs::read(e.path()).unwrap();
        l.install_file(format!("/bin/{name}").as_bytes(), &bytes, 0o755)
            .unwrap();
    }
    let ld = std::fs::read(dir.join("lib/ld-musl-x86_64.so.1")).unwrap();
    l.install_file(b"/lib/ld-musl-x86_64.so.1", &ld, 0o755)
        .unwrap();
    let script = std::fs::read(dir.join("script")).unwrap();
    l.install_file(b"/bin/script", &script, 0o755).unwrap();
}

struct Sim {
    linux: Linux,
    story: Vec<Moment>,
}

fn simulate(path: &str, argv: &[&str], stdin: &[u8], timer: Option<u64>) -> Sim {
    let mut linux = Linux::new(&Config {
        timer_period: timer,
        ..Config::default()
    })
    .unwrap();
    install(&mut linux);
    linux.stdin = stdin.to_vec();
    linux.trace.start(Categories::ALL);
    let args = ExecArgs {
        argv: argv.iter().map(|a| a.as_bytes().to_vec()).collect(),
        envp: vec![b"PATH=/bin".to_vec()],
        execfn: path.as_bytes().to_vec(),
        uid: 1000,
        gid: 1000,
        random_seed: RANDOM_SEED,
    };
    linux.spawn(path.as_bytes(), &args).unwrap();
    assert!(linux.run(200_000_000), "{path} did not finish");
    let story = narrate::narrate(&linux.trace.events);
    Sim { linux, story }
}

/// The binary run natively with `argv` (argv[0] as given) and `stdin`: stdout, stderr and
/// the status a shell reports.
fn native(exe: &Path, argv: &[&str], stdin: &[u8]) -> (String, String, i32) {
    use std::os::unix::process::CommandExt;
    use std::os::unix::process::ExitStatusExt;
    let mut c = Command::new(exe);
    c.arg0(argv[0])
        .args(&argv[1..])
        .env_clear()
        .env("PATH", "/bin")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = c.run_spawn().unwrap();
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    let out = child.wait_with_output().unwrap();
    let status = out
        .status
        .code()
        .unwrap_or_else(|| 128 + out.status.signal().unwrap_or(0));
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        status,
    )
}

/// strace's lines for `exe` run natively (the call and its result, one space around `=`),
/// or None (after saying so) when strace is missing.
fn strace(exe: &Path) -> Option<Vec<String>> {
    let Some(strace) = ["/usr/bin/strace", "/bin/strace"]
        .into_iter()
        .find(|p| Path::new(p).exists())
    else {
        youcpu_testkit::oracle::missing("strace (apt install strace)");
        return None;
    };
    let out = Command::new(strace)
        .args(["-qq", "-o", "/dev/stderr"])
        .arg(exe)
        .env_clear()
        .stdin(Stdio::null())
        .run_output()
        .unwrap();
    Some(
        String::from_utf8_lossy(&out.stderr)
            .lines()
            .map(|l| match l.rsplit_once(") ") {
                Some((call, res)) => format!("{call}) {}", res.trim_start()),
                None => l.to_string(),
            })
            .collect(),
    )
}

fn status(l: &Linux) -> i32 {
    i32::from(l.state.shell_status().expect("the run ended"))
}

fn stdout(l: &Linux) -> String {
    String::from_utf8_lossy(&l.stdout).into_owned()
}

/// Pids differ between the machine and the simulation: `pid N` reads `pid #`.
fn without_pids(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find("pid ") {
        out.push_str(&rest[..i + 4]);
        rest = rest[i + 4..].trim_start_matches(|c: char| c.is_ascii_digit());
        out.push('#');
    }
    out.push_str(rest);
    out
}

fn find<'a>(story: &'a [Moment], what: &str) -> Vec<&'a Moment> {
    story.iter().filter(|m| m.what == what).collect()
}

fn check_common(sim: &Sim) {
    // Every moment is in order of instructions and links to a known section.
    let mut last = 0;
    for m in &sim.story {
        assert!(m.instructions >= last, "out of order: {}", m.line);
        last = m.instructions;
        assert!(narrate::ANCHORS.contains(&m.anchor), "{}", m.anchor);
        assert!(!m.sentence.is_empty());
    }
    // The first moments are the execve chain, the load and the stack, before any instruction.
    let first = sim.story.first().unwrap();
    assert_eq!(first.stage, Stage::Exec, "{}", first.line);
    assert_eq!(first.instructions, 0);
    let stack = find(&sim.story, "stack");
    assert!(!stack.is_empty());
    assert_eq!(stack[0].instructions, 0);
}

#[test]
fn hello_static_writes_and_exits_as_natively() {
    let exe = programs().join("bin/hello");
    let (out, _, code) = native(&exe, &["/bin/hello"], b"");
    let sim = simulate("/bin/hello", &["/bin/hello"], b"", None);
    assert_eq!(stdout(&sim.linux), out);
    assert_eq!(status(&sim.linux), code);
    check_common(&sim);
    let elf = find(&sim.story, "binfmt_elf");
    assert!(elf.iter().any(|m| m.sentence.contains("claimed")));
    let loads = find(&sim.story, "PT_LOAD");
    let count = sim.linux.load.as_ref().unwrap().segments.len();
    assert_eq!(loads.len(), count);
    assert!(loads.iter().all(|m| m.sentence.contains("/bin/hello")));
    // musl's stdio writes with writev; the call reads as strace shows it natively.
    let w = find(&sim.story, "writev");
    assert_eq!(w.len(), 1);
    if let Some(lines) = strace(&exe) {
        let native = lines.iter().find(|l| l.starts_with("writev(")).unwrap();
        assert!(
            w[0].sentence.starts_with(&format!("pid 1: {native}.")),
            "{}\n{native}",
            w[0].sentence
        );
    }
    let exit = find(&sim.story, "exit_group");
    assert!(
        exit[0].sentence.contains("exit_group(0)"),
        "{}",
        exit[0].sentence
    );
}

#[test]
fn hello_dyn_names_its_interpreter_and_maps_it() {
    // Natively through musl's loader run as a command (so the machine needs no musl).
    let dir = std::env::temp_dir().join(format!("youcpu-story-ld-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let ld = dir.join("ld-musl-x86_64.so.1");
    youcpu_testkit::process::write_exe(
        &ld,
        std::fs::read(programs().join("lib/ld-musl-x86_64.so.1")).unwrap(),
    )
    .unwrap();
    let exe = programs().join("bin/hello-dyn");
    let (out, _, code) = {
        let o = Command::new(&ld).arg(&exe).run_output().unwrap();
        (
            String::from_utf8_lossy(&o.stdout).into_owned(),
            (),
            o.status.code().unwrap(),
        )
    };
    let _ = std::fs::remove_dir_all(&dir);
    let sim = simulate("/bin/hello-dyn", &["/bin/hello-dyn"], b"", None);
    assert_eq!(stdout(&sim.linux), out);
    assert_eq!(status(&sim.linux), code);
    check_common(&sim);
    let exec = find(&sim.story, "execve");
    let e = exec.last().unwrap();
    assert!(
        e.sentence.contains("interpreter, /lib/ld-musl-x86_64.so.1"),
        "{}",
        e.sentence
    );
    let claimed = find(&sim.story, "binfmt_elf");
    assert!(claimed.iter().any(|m| m.sentence.contains("claimed")));
    // The program's segments and the loader's, each from its own file.
    let loads = find(&sim.story, "PT_LOAD");
    assert!(loads
        .iter()
        .any(|m| m.sentence.contains("of /bin/hello-dyn ")));
    assert!(loads
        .iter()
        .any(|m| m.sentence.contains("of /lib/ld-musl-x86_64.so.1 ")));
    let stack = find(&sim.story, "stack");
    assert!(
        stack[0].sentence.contains("AT_BASE = 0x"),
        "{}",
        stack[0].sentence
    );
    let w = find(&sim.story, "writev");
    if let Some(lines) = strace(&programs().join("bin/hello")) {
        let native = lines.iter().find(|l| l.starts_with("writev(")).unwrap();
        assert!(w[0].sentence.contains(native.as_str()), "{}", w[0].sentence);
    }
    assert!(find(&sim.story, "exit_group")[0]
        .sentence
        .contains("exit_group(0)"));
}

#[test]
fn fork_shows_the_child_its_copy_on_write_and_the_wait() {
    let exe = programs().join("bin/fork");
    let (out, _, code) = native(&exe, &["/bin/fork"], b"");
    let sim = simulate("/bin/fork", &["/bin/fork"], b"", None);
    assert_eq!(without_pids(&stdout(&sim.linux)), without_pids(&out));
    assert_eq!(status(&sim.linux), code);
    check_common(&sim);
    let tree = narrate::process_tree(&sim.linux.trace.events);
    assert_eq!(tree, vec![(1, 0), (2, 1)]);
    let fork = sim
        .story
        .iter()
        .find(|m| m.stage == Stage::Processes && m.sentence.contains("made a new process"))
        .unwrap();
    assert!(fork.sentence.contains("pid 2"), "{}", fork.sentence);
    let cow: Vec<_> = find(&sim.story, "copy-on-write")
        .into_iter()
        .filter(|m| m.pid == 2)
        .collect();
    assert!(!cow.is_empty(), "no copy-on-write in the child");
    assert!(cow.iter().all(|m| m.instructions > fork.instructions));
    assert!(cow.iter().any(|m| m.sentence.contains("[stack]")));
    let wait = find(&sim.story, "wait4");
    let collected = wait
        .iter()
        .find(|m| m.sentence.contains("collected pid 2"))
        .unwrap();
    assert!(
        collected
            .sentence
            .contains("[{WIFEXITED(s) && WEXITSTATUS(s) == 7}]"),
        "{}",
        collected.sentence
    );
    let child_exit = sim
        .story
        .iter()
        .find(|m| m.what == "exit" && m.pid == 2)
        .unwrap();
    assert!(child_exit.sentence.contains("exit status 7"));
    assert!(child_exit.instructions < collected.instructions);
}

#[test]
fn fork_with_a_timer_shows_preemptions() {
    // A timer every 20 instructions: the parent is preempted between fork and its wait.
    let sim = simulate("/bin/fork", &["/bin/fork"], b"", Some(20));
    let (out, _, _) = native(&programs().join("bin/fork"), &["/bin/fork"], b"");
    assert_eq!(without_pids(&stdout(&sim.linux)), without_pids(&out));
    let switches = find(&sim.story, "switch");
    assert!(!switches.is_empty());
    assert!(switches
        .iter()
        .all(|m| m.stage == Stage::Sched && m.sentence.contains("The timer interrupted")));
    assert_eq!(
        switches.len() as u64,
        sim.linux
            .trace
            .events
            .iter()
            .filter(|e| matches!(e.kind, EventKind::Switch { .. }))
            .count() as u64
    );
}

#[test]
fn segv_delivers_the_signal_to_its_handler() {
    let exe = programs().join("bin/segv");
    let (out, _, code) = native(&exe, &["/bin/segv"], b"");
    let sim = simulate("/bin/segv", &["/bin/segv"], b"", None);
    assert_eq!(stdout(&sim.linux), out);
    assert_eq!(status(&sim.linux), code);
    check_common(&sim);
    let sig = find(&sim.story, "SIGSEGV");
    assert_eq!(sig.len(), 1);
    assert!(
        sig[0].sentence.contains("si_addr 0x10"),
        "{}",
        sig[0].sentence
    );
    assert!(sig[0].sentence.contains("handler at 0x"));
    let act = find(&sim.story, "rt_sigaction");
    assert!(act.iter().any(|m| m.sentence.contains("SIGSEGV")));
    assert!(act[0].instructions < sig[0].instructions);
    assert!(matches!(sim.linux.state, ProcessState::Exited { code: 0 }));
}

#[test]
fn upper_reads_stdin_to_its_end() {
    let input = b"one line\nand another\n";
    let exe = programs().join("bin/upper");
    let (out, err, code) = native(&exe, &["/bin/upper"], input);
    let sim = simulate("/bin/upper", &["/bin/upper"], input, None);
    assert_eq!(stdout(&sim.linux), out);
    assert_eq!(String::from_utf8_lossy(&sim.linux.stderr), err);
    assert_eq!(status(&sim.linux), code);
    check_common(&sim);
    let reads = find(&sim.story, "read");
    assert!(reads.len() >= 2);
    assert!(reads
        .last()
        .unwrap()
        .sentence
        .contains("found its end (0 bytes)"));
    assert!(reads.iter().any(|m| m.sentence.contains("read 21 bytes")));
}

#[test]
fn script_is_rewritten_by_binfmt_script_as_the_kernel_does() {
    // The real kernel's rewrite, on a copy of the script whose #! names a path here.
    let dir = std::env::temp_dir().join(format!("youcpu-story-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let args = dir.join("args");
    youcpu_testkit::process::write_exe(&args, std::fs::read(programs().join("bin/args")).unwrap())
        .unwrap();
    let text = std::fs::read_to_string(programs().join("script")).unwrap();
    let here = text.replacen("#!/bin/args", &format!("#!{}", args.display()), 1);
    let script = dir.join("script");
    youcpu_testkit::process::write_exe(&script, here).unwrap();
    let (out, _, code) = native(&script, &[script.to_str().unwrap()], b"");
    let expected = out.replace(dir.to_str().unwrap(), "/bin");
    let sim = simulate("/bin/script", &["/bin/script"], b"", None);
    assert_eq!(stdout(&sim.linux), expected);
    assert_eq!(status(&sim.linux), code);
    check_common(&sim);
    let rewrote = sim
        .story
        .iter()
        .find(|m| m.what == "binfmt_script" && m.sentence.contains("rewrote"))
        .unwrap();
    assert!(
        rewrote
            .sentence
            .contains(r#"argv is now ["/bin/args", "--from-script", "/bin/script"]"#),
        "{}",
        rewrote.sentence
    );
    let exec = find(&sim.story, "execve");
    assert!(exec
        .last()
        .unwrap()
        .sentence
        .contains(r#"argv ["/bin/args", "--from-script", "/bin/script"]"#));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_missing_program_and_junk_fail_with_the_errno() {
    let mut l = Linux::new(&Config::default()).unwrap();
    install(&mut l);
    l.install_file(b"/bin/junk", b"\x01\x02 not a program", 0o755)
        .unwrap();
    let args = |p: &str| ExecArgs {
        argv: vec![p.as_bytes().to_vec()],
        envp: vec![],
        execfn: p.as_bytes().to_vec(),
        uid: 1000,
        gid: 1000,
        random_seed: RANDOM_SEED,
    };
    let e = l.spawn(b"/bin/nothing", &args("/bin/nothing")).unwrap_err();
    assert!(
        matches!(&e, Error::Refused { errno, .. } if *errno == Errno::Enoent),
        "{e}"
    );
    let e = l.spawn(b"/bin/junk", &args("/bin/junk")).unwrap_err();
    assert!(
        matches!(&e, Error::Refused { errno, .. } if *errno == Errno::Enoexec),
        "{e}"
    );
}

/// Each system call's strace text ([`EventKind::call_text`]), as the asm widget lists it, reads
/// as strace prints the same program run natively (the core's hello world, and calls given a
/// NULL buffer or a closed descriptor); a trace limited to one event keeps only the first and
/// counts the rest.
#[test]
fn call_texts_read_as_strace_prints_them_and_the_limit_keeps_the_first() {
    use youcpu_core::exec::examples::{build_example, HELLO_SOURCE};
    let run = |elf: &[u8], limit: usize| {
        let mut linux = Linux::new(&Config::default()).unwrap();
        linux.trace.limit = limit;
        linux.trace.start(Categories {
            syscalls: true,
            ..Categories::default()
        });
        let args = ExecArgs {
            argv: vec![b"./prog".to_vec()],
            envp: Vec::new(),
            execfn: b"./prog".to_vec(),
            uid: 1000,
            gid: 1000,
            random_seed: RANDOM_SEED,
        };
        linux.exec(elf, None, &args).unwrap();
        assert!(linux.run(1000));
        linux
    };
    let texts = |l: &Linux| -> Vec<String> {
        l.trace
            .events
            .iter()
            .filter_map(|e| e.kind.call_text())
            .collect()
    };
    let nulls = "mov eax, 1\nmov edi, 7\nxor esi, esi\nmov edx, 1\nsyscall\n\
                 mov eax, 1\nmov edi, 1\nsyscall\n\
                 xor eax, eax\nxor edi, edi\nsyscall\n\
                 mov eax, 60\nmov edi, 3\nsyscall\n";
    let dir = std::env::temp_dir().join(format!("youcpu-calltext-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (source, calls) in [(HELLO_SOURCE, 2), (nulls, 4)] {
        let elf = build_example(source).unwrap();
        let all = run(&elf, usize::MAX);
        let sim = texts(&all);
        assert_eq!(sim.len(), calls, "{sim:?}");
        let exe = dir.join("prog");
        youcpu_testkit::process::write_exe(&exe, &elf).unwrap();
        if let Some(lines) = strace(&exe) {
            let native: Vec<String> = lines
                .into_iter()
                .filter(|l| !l.starts_with("execve(") && !l.starts_with("+++"))
                .collect();
            assert_eq!(sim, native);
        }
        let one = run(&elf, 1);
        assert_eq!(one.trace.events.len(), 1);
        assert_eq!(one.trace.dropped, calls as u64 - 1);
        assert_eq!(one.trace.events[0].kind, all.trace.events[0].kind);
    }
    let _ = std::fs::remove_dir_all(&dir);
}
