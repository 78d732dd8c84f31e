//! What a dynamic program lacks, where the loader looks and where a dropped file goes.

use super::{needs_named, place, Needs};

const MUSL: &str = "/lib/ld-musl-x86_64.so.1";
const GLIBC: &str = "/lib64/ld-linux-x86-64.so.2";

fn program(interp: &str, needed: &[&str], given: &[&str], interp_given: bool) -> Needs {
    let owned = |v: &[&str]| v.iter().map(|s| s.to_string()).collect();
    Needs {
        interp: Some(interp.into()),
        interp_given,
        needed: owned(needed),
        given: owned(given),
        ..Needs::default()
    }
}

#[test]
fn musl_answers_for_its_own_parts_even_before_its_loader_is_given() {
    // musl's load_library returns the loader itself for libc.so, libm.so.6, ...: no file
    // is ever opened for them, so only the loader is to be given.
    let n = program(
        MUSL,
        &["libc.so", "libm.so.6", "libcrypto.so.3", "libc"],
        &[],
        false,
    );
    assert_eq!(n.missing(), ["libcrypto.so.3", "libc"]);
    assert_eq!(n.missing_files(), [MUSL, "libcrypto.so.3", "libc"]);
    let given = program(MUSL, &["libc.so"], &[], true);
    assert!(given.missing_files().is_empty());
}

#[test]
fn glibc_needs_each_library_as_a_file() {
    let n = program(GLIBC, &["libc.so.6", "libm.so.6"], &["libm.so.6"], true);
    assert_eq!(n.missing_files(), ["libc.so.6"]);
    assert!(!n.musl());
}

#[test]
fn the_search_order_is_each_loaders() {
    let mut musl = program(MUSL, &[], &[], true);
    musl.rpath = Some("/r".into());
    // musl: LD_LIBRARY_PATH before the run path (ldso/dynlink.c load_library).
    assert_eq!(musl.search()[..2], ["LD_LIBRARY_PATH", "DT_RPATH /r"]);
    musl.runpath = Some("/u".into());
    assert_eq!(musl.search()[..2], ["LD_LIBRARY_PATH", "DT_RUNPATH /u"]);
    assert!(musl.search()[2].contains("/usr/local/lib"));
    let mut glibc = program(GLIBC, &[], &[], true);
    glibc.rpath = Some("/r".into());
    // glibc: DT_RPATH first, unless there is a DT_RUNPATH (ld.so(8)).
    assert_eq!(glibc.search()[..2], ["DT_RPATH /r", "LD_LIBRARY_PATH"]);
    glibc.runpath = Some("/u".into());
    assert_eq!(glibc.search()[..2], ["LD_LIBRARY_PATH", "DT_RUNPATH /u"]);
    assert!(glibc.search()[2].contains("/etc/ld.so.cache"));
    assert_eq!(glibc.run_paths(), ["/r", "/u"]);
}

#[test]
fn dropped_files_go_where_the_loader_looks() {
    assert_eq!(place("x/ld-musl-x86_64.so.1", Some(MUSL)), MUSL);
    assert_eq!(place("libgreet.so", Some(MUSL)), "/lib/libgreet.so");
    assert_eq!(
        place("libc.so.6", Some(GLIBC)),
        "/lib/x86_64-linux-gnu/libc.so.6"
    );
    assert_eq!(place("hello", Some(GLIBC)), "/bin/hello");
    assert_eq!(place("", None), "/bin/");
}

#[test]
fn a_static_program_links_nothing_and_junk_is_an_error() {
    let stat = crate::asm::build_program("_start:\n  mov eax, 60\n  syscall\n")
        .expect("the static program assembles")
        .elf;
    let n = needs_named(&stat, &["libc.so"]).expect("our own ELF file reads");
    assert!(!n.is_dynamic());
    assert!(n.missing_files().is_empty());
    assert!(needs_named(b"\x7fELF junk", &[]).is_err());
}
