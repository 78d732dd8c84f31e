//! The numbers the article quotes from simulated runs (`web/article/run-facts.txt`, put into the
//! prose as `{{run:KEY}}` by crates/youcpu-web/build.rs) re-derived from the simulator: if the
//! simulator, the example programs or the file change so that they disagree, this fails and
//! prints the file as it should be.

#![allow(clippy::unwrap_used)] // tests may unwrap

use std::path::{Path, PathBuf};
use std::process::Command;
use youcpu_core::linux::fs::memfs::{MemFs, ROOT};
use youcpu_core::linux::ldso::{symbol_value, File, Role, Run};
use youcpu_core::linux::trace::{Categories, EventKind};
use youcpu_core::linux::{Config, Linux, ProcessState};
use youcpu_core::loader::ExecArgs;
use youcpu_testkit::oracle;

fn web() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../web")
}

fn read(p: &str) -> Vec<u8> {
    std::fs::read(web().join(p)).unwrap()
}

/// What `ld-so` shows for hello-dyn: the loader's work up to the program's entry point.
fn ldso_facts(out: &mut Vec<(String, u64)>) {
    let libc = File {
        name: "ld-musl-x86_64.so.1".into(),
        bytes: read("programs/lib/ld-musl-x86_64.so.1"),
    };
    let r = Run::start("hello-dyn", &read("programs/bin/hello-dyn"), &[libc])
        .unwrap()
        .finish()
        .unwrap();
    let count = |role: Role| {
        let i = r.objects.iter().position(|o| o.role == role).unwrap();
        r.relocs.iter().filter(|x| x.object == i).count() as u64
    };
    out.push(("ldso.instructions".into(), r.instructions));
    out.push(("ldso.syscalls".into(), r.syscalls));
    out.push(("ldso.prog_relocs".into(), count(Role::Program)));
    out.push(("ldso.libc_relocs".into(), count(Role::Interpreter)));
}

/// Puts `bytes` at `path` (its directories made as needed).
fn put(fs: &mut MemFs, path: &str, bytes: &[u8]) {
    let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
    let (name, dirs) = parts.split_last().unwrap();
    let mut dir = ROOT;
    for d in dirs {
        dir = match fs.lookup(dir, d.as_bytes()).unwrap() {
            Some(i) => i,
            None => fs.mkdir(dir, d.as_bytes(), 0o755).unwrap(),
        };
    }
    let ino = fs.create(dir, name.as_bytes(), 0o755).unwrap();
    fs.write(ino, 0, bytes).unwrap();
}

/// The epilogue's run: `sh -c ./hello` in /home, where `hello` is hello-dyn, traced.
fn epilogue_run() -> (Linux, u64) {
    let mut fs = MemFs::new();
    put(&mut fs, "/bin/sh", &read("programs/bin/sh"));
    put(
        &mut fs,
        "/lib/ld-musl-x86_64.so.1",
        &read("programs/lib/ld-musl-x86_64.so.1"),
    );
    put(&mut fs, "/home/hello", &read("programs/bin/hello-dyn"));
    let mut l = Linux::new(&Config::default()).unwrap();
    l.set_fs(Box::new(fs));
    l.set_cwd(b"/home").unwrap();
    l.trace.start(Categories::ALL);
    let args = ExecArgs {
        argv: ["sh", "-c", "./hello"]
            .map(|s| s.as_bytes().to_vec())
            .to_vec(),
        envp: vec![b"PATH=/bin".to_vec()],
        execfn: b"/bin/sh".to_vec(),
        uid: 1000,
        gid: 1000,
        random_seed: 1,
    };
    l.exec_file(b"/bin/sh", &args).unwrap();
    // Run until the end, noting when the processor first reaches hello's main.
    let main = symbol_value(&read("programs/bin/hello-dyn"), "main").unwrap();
    let mut at_main = None;
    while l.state == ProcessState::Running && l.instructions() < 10_000_000 {
        if at_main.is_none() && l.exe.ends_with(b"/hello") && l.m.cpu.s.cs & 3 == 3 {
            let bias = l.load.as_ref().unwrap().bias;
            if l.m.cpu.s.rip == bias + main {
                at_main = Some(l.instructions());
            }
        }
        l.run(1);
    }
    assert_eq!(l.state, ProcessState::Exited { code: 0 });
    assert_eq!(l.stdout, b"hello, world\n");
    (l, at_main.expect("hello reached main"))
}

/// What the epilogue tells: the shell forks, the child execs hello, which ld.so starts, and so on.
fn epilogue_facts(out: &mut Vec<(String, u64)>) {
    let (l, at_main) = epilogue_run();
    let ev = &l.trace.events;
    let exec = ev
        .iter()
        .position(|e| matches!(&e.kind, EventKind::Exec { path, .. } if path == "./hello"))
        .unwrap();
    let child = ev[exec].pid;
    let start = ev[exec].instructions;
    let hello = &ev[exec + 1..];
    let end = hello
        .iter()
        .find(|e| e.pid == child && matches!(e.kind, EventKind::Exited { .. }))
        .unwrap()
        .instructions;
    let count = |evs: &[youcpu_core::linux::trace::Event], f: &dyn Fn(&EventKind) -> bool| {
        evs.iter().filter(|e| e.pid == child && f(&e.kind)).count() as u64
    };
    let syscall = |k: &EventKind| matches!(k, EventKind::Syscall { .. });
    let fault = |k: &EventKind| matches!(k, EventKind::Fault { .. });
    out.push(("epi.forks".into(), l.forks));
    out.push(("epi.hello_to_main".into(), at_main - start));
    out.push(("epi.hello_instructions".into(), end - start));
    out.push(("epi.after_main".into(), end - at_main));
    out.push(("epi.all_instructions".into(), l.instructions()));
    out.push(("epi.syscalls".into(), l.syscalls.len() as u64));
    out.push(("epi.hello_syscalls".into(), count(hello, &syscall)));
    out.push(("epi.hello_faults".into(), count(hello, &fault)));
    out.push((
        "epi.all_faults".into(),
        ev.iter().filter(|e| fault(&e.kind)).count() as u64,
    ));
    out.push(("epi.bytes".into(), l.stdout.len() as u64));
}

/// The same command natively under `strace -f -c`: the same system calls, call for call (the
/// simulated run starts the shell without an execve system call, where strace counts the one
/// that started it; strace -c does not list exit_group).
#[test]
fn the_epilogue_run_makes_the_native_system_calls() {
    let dir = std::env::temp_dir().join(format!("youcpu-epilogue-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    youcpu_testkit::process::write_exe(dir.join("hello"), read("programs/bin/hello-dyn")).unwrap();
    let host_musl = std::fs::read("/lib/ld-musl-x86_64.so.1");
    if host_musl.ok().as_deref() != Some(&read("programs/lib/ld-musl-x86_64.so.1")[..]) {
        oracle::missing(
            "this machine's musl loader (/lib/ld-musl-x86_64.so.1, the same as web/programs/lib)",
        );
        return;
    }
    let out = match Command::new("strace")
        .args(["-f", "-c", "-o"])
        .arg(dir.join("counts"))
        .arg(web().join("programs/bin/sh"))
        .args(["-c", "./hello"])
        .current_dir(&dir)
        .env_clear()
        .env("PATH", "/bin")
        .output()
    {
        Ok(o) => o,
        Err(e) => {
            oracle::missing(&format!("strace ({e})"));
            return;
        }
    };
    assert_eq!(out.stdout, b"hello, world\n");
    let table = std::fs::read_to_string(dir.join("counts")).unwrap();
    let mut native: Vec<(String, u64)> = table
        .lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            let calls = f.get(3)?.parse::<u64>().ok()?;
            let name = f.last()?;
            (*name != "total").then(|| (name.to_string(), calls))
        })
        .collect();
    native.sort();
    let (l, _) = epilogue_run();
    let mut sim: Vec<(String, u64)> = Vec::new();
    for s in &l.syscalls {
        match sim.iter_mut().find(|(n, _)| n == s.name) {
            Some((_, c)) => *c += 1,
            None => sim.push((s.name.to_string(), 1)),
        }
    }
    if let Some((_, c)) = sim.iter_mut().find(|(n, _)| n == "execve") {
        *c += 1;
    }
    // strace -c leaves out exit_group, which never returns: one per process here.
    let exits = sim.iter().position(|(n, _)| n == "exit_group").unwrap();
    assert_eq!(sim.remove(exits).1, 2);
    sim.sort();
    assert_eq!(
        sim, native,
        "system calls by name: simulated, native (strace -f -c)\n{table}"
    );
}

#[test]
fn the_article_quotes_the_simulator() {
    let mut facts = Vec::new();
    ldso_facts(&mut facts);
    epilogue_facts(&mut facts);
    let path = web().join("article/run-facts.txt");
    let text = std::fs::read_to_string(&path).unwrap();
    let header: String = text
        .lines()
        .take_while(|l| l.starts_with('#'))
        .map(|l| format!("{l}\n"))
        .collect();
    let mut want = header;
    for (k, v) in &facts {
        want.push_str(&format!("{k} = {v}\n"));
    }
    assert!(
        text == want,
        "web/article/run-facts.txt disagrees with the simulator; it should read:\n{want}"
    );
}
