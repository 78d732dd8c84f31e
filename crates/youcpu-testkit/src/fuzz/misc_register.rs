//! The binfmt_misc registration parser (`create_entry` in fs/binfmt_misc.c, modelled in
//! `exec::misc`): the first input line is written to the model's `register` file, the rest is a
//! file executed afterwards so a registered entry gets to match (by magic or extension) and
//! its interpreter gets run. Invariants: refusals carry an errno and a one-line reason; an
//! accepted entry's status text is the kernel's multi-line format; execve ends in a program
//! or an errno, with a bounded chain of handlers.

use super::check_message;
use youcpu_core::exec::examples::example_fs;
use youcpu_core::exec::fs::MemNode;
use youcpu_core::exec::misc::{parse_registration, MiscMatch, MiscRegistry};
use youcpu_core::exec::namei::Cred;
use youcpu_core::exec::{execve, register, ExecRequest};

/// Runs one input.
pub fn run(data: &[u8]) {
    let cut = data.iter().position(|&b| b == b'\n').unwrap_or(data.len());
    let (reg, file) = data.split_at(cut);
    let file = file.get(1..).unwrap_or_default();
    let entry = match parse_registration(reg) {
        Ok(e) => e,
        Err(e) => {
            check_message("parse_registration", &e.reason);
            return;
        }
    };
    let status = entry.status_text();
    assert!(
        status.starts_with("enabled\n") || status.starts_with("disabled\n"),
        "{status:?}"
    );
    let _ = entry.flags.letters();
    let Ok(mut fs) = example_fs() else {
        panic!("the example filesystem does not build");
    };
    let mut misc = MiscRegistry::default();
    if let Err(e) = register(&mut misc, &fs, b"/", &Cred::root(), reg) {
        check_message("register", &e.reason);
        return;
    }
    // Name the file so an extension entry can claim it (a name cannot hold '/' or NUL).
    let name = match &entry.matcher {
        MiscMatch::Extension(e) => {
            let e: Vec<u8> = e
                .iter()
                .copied()
                .filter(|&b| b != b'/' && b != 0)
                .take(64)
                .collect();
            format!("f.{}", String::from_utf8_lossy(&e))
        }
        MiscMatch::Magic { .. } => "f".to_string(),
    };
    let path = format!("/tmp/{name}");
    if fs
        .insert(&path, MemNode::File(file.to_vec()), 0o755)
        .is_err()
    {
        return;
    }
    let mut req = ExecRequest::new(path.as_bytes(), vec![name.into_bytes()], Vec::new());
    req.misc = misc;
    let out = execve(&fs, &req);
    assert!(
        out.chain.len() <= 16,
        "{} handlers claimed",
        out.chain.len()
    );
    if let Err(f) = &out.result {
        let _ = format!("{f:?}");
    }
}
