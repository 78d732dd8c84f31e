//! The shebang handler (`load_script`, fs/binfmt_script.c) through the execve model: up to
//! three files `/tmp/s0..s2`, the first always starting with `#!`, so scripts can name each
//! other (and the example filesystem's interpreters, ELF files and symlinks). Invariants: the
//! model never exceeds the kernel's rewrite depth (five); when `/tmp/s0`'s line is a usable
//! shebang and the exec succeeds, the script's path is in the new argv (binfmt_script keeps it,
//! as fs/binfmt_script.c does); refusals read as one line.

use youcpu_core::exec::examples::example_fs;
use youcpu_core::exec::execve::MAX_REWRITE_DEPTH;
use youcpu_core::exec::fs::MemNode;
use youcpu_core::exec::script::{buffer_of, parse_shebang, ShebangVerdict};
use youcpu_core::exec::{execve, ExecRequest};

/// Separates the files in the input.
pub const SEPARATOR: &[u8] = b"\n--\n";

/// Runs one input.
pub fn run(data: &[u8]) {
    let Ok(mut fs) = example_fs() else {
        panic!("the example filesystem does not build");
    };
    let mut files: Vec<Vec<u8>> = Vec::new();
    let mut rest = data;
    while files.len() < 2 {
        match rest.windows(SEPARATOR.len()).position(|w| w == SEPARATOR) {
            Some(i) => {
                files.push(rest.get(..i).unwrap_or_default().to_vec());
                rest = rest.get(i + SEPARATOR.len()..).unwrap_or_default();
            }
            None => break,
        }
    }
    files.push(rest.to_vec());
    if let Some(first) = files.first_mut() {
        first.splice(0..0, *b"#!");
    }
    for (i, f) in files.iter().enumerate() {
        let mode = if f.get(2) == Some(&b'x') {
            0o644
        } else {
            0o755
        };
        if fs
            .insert(&format!("/tmp/s{i}"), MemNode::File(f.clone()), mode)
            .is_err()
        {
            panic!("cannot add /tmp/s{i}");
        }
    }
    let verdict = files.first().map(|f| parse_shebang(&buffer_of(f)));
    if let Some(ShebangVerdict::Refused(why)) = &verdict {
        super::check_message("parse_shebang", why);
    }
    let req = ExecRequest::new(
        b"/tmp/s0",
        vec![b"s0".to_vec(), b"one".to_vec()],
        vec![b"PATH=/bin".to_vec()],
    );
    let out = execve(&fs, &req);
    assert!(
        out.chain.len() <= MAX_REWRITE_DEPTH + 2,
        "{} handlers in the chain",
        out.chain.len()
    );
    if let (Some(ShebangVerdict::Script(_)), Ok(loaded)) = (&verdict, &out.result) {
        assert!(
            loaded.argv.iter().any(|a| a.as_slice() == b"/tmp/s0"),
            "argv {:?} lost the script path",
            loaded.argv
        );
    }
}
