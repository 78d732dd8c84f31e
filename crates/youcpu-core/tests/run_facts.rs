//! The numbers the article quotes from simulated runs (`web/article/run-facts.txt`, put into the
//! prose as `{{run:KEY}}` by crates/youcpu-web/build.rs) re-derived from the simulator: if the
//! simulator, the example programs or the file change so that they disagree, this fails and
//! prints the file as it should be.

#![allow(clippy::unwrap_used)] // tests may unwrap

use std::path::{Path, PathBuf};
use youcpu_core::linux::ldso::{File, Role, Run};

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

#[test]
fn the_article_quotes_the_simulator() {
    let mut facts = Vec::new();
    ldso_facts(&mut facts);
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
