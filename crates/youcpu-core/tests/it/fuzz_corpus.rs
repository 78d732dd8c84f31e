//! Replays every committed fuzz corpus file (`fuzz/corpus/<target>/`, including the inputs that
//! once crashed a target) through the same harness functions the cargo-fuzz targets call, so
//! the corpora and crash regressions run on stable in the normal test command. The fuzzing
//! itself: `scripts/fuzz.sh` (nightly, cargo-fuzz), see fuzz/README.md.

use youcpu_testkit::fuzz as harness;

use std::path::PathBuf;

fn corpus_dir(target: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/corpus")
        .join(target)
}

fn replay(target: &str, run: fn(&[u8])) {
    let dir = corpus_dir(target);
    let entries = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e} (the corpus is committed)", dir.display()));
    let mut n = 0;
    for entry in entries {
        let path = entry
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .path();
        if !path.is_file() {
            continue;
        }
        let data = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let outcome = std::panic::catch_unwind(|| run(&data));
        assert!(outcome.is_ok(), "{target}: {} fails", path.display());
        n += 1;
    }
    assert!(n > 0, "{target}: the corpus {} is empty", dir.display());
    eprintln!("{target}: {n} corpus inputs replayed");
}

macro_rules! corpus_tests {
    ($($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                replay(stringify!($name), harness::$name::run);
            }
        )*
    };
}

corpus_tests!(
    asm_text,
    disasm,
    elf_parse,
    elf_load,
    misc_register,
    shebang,
    cpu_exec,
    cpu_simd,
    page_walk,
    sched_sim,
);

#[test]
fn every_target_has_a_test() {
    let names: Vec<&str> = harness::TARGETS.iter().map(|(n, _)| *n).collect();
    assert_eq!(names.len(), 10, "{names:?}");
    for n in names {
        assert!(corpus_dir(n).is_dir(), "{n} has no corpus directory");
    }
}
