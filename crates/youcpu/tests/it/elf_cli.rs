//! `youcpu elf`: the JSON contract checked against readelf on real files, the error contract
//! (exit 1, one line, `{"error": ...}` with --json, never a panic or a signal), and a memory
//! bound under `prlimit --as`. Needs Debian packages binutils, gcc and util-linux.

#![allow(clippy::unwrap_used)] // tests may unwrap

use youcpu_testkit::readelf;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use youcpu_testkit::process::Run;

fn youcpu(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_youcpu"))
        .args(args)
        .run_output()
        .unwrap()
}

fn json_of(path: &Path) -> Value {
    crate::common::ok_json(youcpu(&["elf", "--json", path.to_str().unwrap()]))
}

fn scratch(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("youcpu-elf-cli-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// The JSON document against readelf's view of the same file.
fn check_against_readelf(path: &Path) {
    let j = json_of(path);
    let r = readelf::readelf(path);
    let what = path.display();
    assert_eq!(j["class"], r.class, "{what}: class");
    assert_eq!(j["endian"], r.endian.as_str(), "{what}: endian");
    assert_eq!(j["type"], r.type_word.as_str(), "{what}: type");
    if let Some(desc) = readelf::machine_description(j["machine"].as_str().unwrap()) {
        assert_eq!(desc, r.machine_line, "{what}: machine");
    }
    assert_eq!(j["entry"], r.entry, "{what}: entry");
    assert_eq!(
        j["interp"].as_str().map(String::from),
        r.interp,
        "{what}: interp"
    );
    let needed: Vec<String> = j["needed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    assert_eq!(needed, r.needed, "{what}: needed");
    let segs = j["segments"].as_array().unwrap();
    assert_eq!(segs.len(), r.segments.len(), "{what}: segments");
    for (s, rs) in segs.iter().zip(&r.segments) {
        let ty: String = s["type"].as_str().unwrap().chars().take(14).collect();
        assert_eq!(ty.trim_end(), rs.type_name, "{what}: segment type");
        for (k, v) in [
            ("offset", rs.offset),
            ("vaddr", rs.vaddr),
            ("paddr", rs.paddr),
            ("filesz", rs.filesz),
            ("memsz", rs.memsz),
            ("align", rs.align),
        ] {
            assert_eq!(s[k], v, "{what}: segment {k}");
        }
        assert_eq!(s["flags"], rs.flags.as_str(), "{what}: segment flags");
    }
    let secs = j["sections"].as_array().unwrap();
    assert_eq!(secs.len(), r.sections.len(), "{what}: sections");
    for (s, rs) in secs.iter().zip(&r.sections) {
        assert_eq!(s["name"], rs.name.as_str(), "{what}: section name");
        assert_eq!(
            s["type"],
            rs.type_name.as_str(),
            "{what}: section {} type",
            rs.name
        );
        assert_eq!(s["addr"], rs.addr, "{what}: section {} addr", rs.name);
        assert_eq!(s["offset"], rs.offset, "{what}: section {} offset", rs.name);
        assert_eq!(s["size"], rs.size, "{what}: section {} size", rs.name);
        assert_eq!(
            s["flags"],
            rs.flags.as_str(),
            "{what}: section {} flags",
            rs.name
        );
    }
}

#[test]
fn json_matches_readelf_on_real_files() {
    for p in [
        "/bin/ls",
        "/bin/sh",
        "/lib64/ld-linux-x86-64.so.2",
        "/lib/x86_64-linux-gnu/libc.so.6",
    ] {
        check_against_readelf(Path::new(p));
    }
    let d = scratch("built");
    let c = d.join("t.c");
    youcpu_testkit::process::write(&c, "int x = 1; int main(void) { return x; }\n").unwrap();
    let builds: [(&str, &[&str]); 3] = [("static", &["-static"]), ("obj.o", &["-c"]), ("pie", &[])];
    for (name, flags) in builds {
        let out = d.join(name);
        let st = Command::new("gcc")
            .args(flags)
            .arg("-o")
            .arg(&out)
            .arg(&c)
            .run_status()
            .unwrap();
        assert!(st.success());
        check_against_readelf(&out);
    }
    let stripped = d.join("stripped");
    assert!(Command::new("strip")
        .arg("-o")
        .arg(&stripped)
        .arg(d.join("pie"))
        .run_status()
        .unwrap()
        .success());
    check_against_readelf(&stripped);
    let j = json_of(&d.join("obj.o"));
    assert_eq!(
        (j["type"].as_str(), j["interp"].is_null()),
        (Some("REL"), true)
    );
    let _ = std::fs::remove_dir_all(&d);
}

#[test]
fn help_prints_the_usage() {
    let out = youcpu(&["elf", "--help"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).contains("usage: youcpu elf [--json]"));
}

#[test]
fn text_output_names_the_parts() {
    let out = youcpu(&["elf", "/bin/ls"]);
    assert_eq!(out.status.code(), Some(0));
    let t = String::from_utf8(out.stdout).unwrap();
    assert!(t.starts_with("ELF64 little-endian DYN for X86_64"), "{t}");
    assert!(
        t.contains("program interpreter: /lib64/ld-linux-x86-64.so.2"),
        "{t}"
    );
    assert!(
        t.contains("GNU_STACK") && t.contains(".text") && t.contains("r-x"),
        "{t}"
    );
}

/// Bad input: exit status 1, one line on stderr, `{"error": ...}` on stdout with --json.
fn refused(args: &[&str], want: &str) {
    for json in [false, true] {
        let mut a: Vec<&str> = vec!["elf"];
        if json {
            a.push("--json");
        }
        a.extend_from_slice(args);
        let out = youcpu(&a);
        assert_eq!(
            out.status.code(),
            Some(1),
            "{a:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(err.lines().count(), 1, "{a:?}: {err}");
        assert!(
            err.starts_with("youcpu: ") && err.contains(want),
            "{a:?}: {err:?} should say {want:?}"
        );
        if json {
            let v: Value = serde_json::from_slice(&out.stdout).unwrap();
            assert!(v["error"].as_str().unwrap().contains(want), "{v}");
        }
    }
}

#[test]
fn bad_input_is_a_one_line_error() {
    let d = scratch("bad");
    let empty = d.join("empty");
    youcpu_testkit::process::write(&empty, b"").unwrap();
    let script = d.join("script");
    youcpu_testkit::process::write(&script, b"#!/bin/sh\necho hi\n").unwrap();
    let ls = std::fs::read("/bin/ls").unwrap();
    let cut = d.join("cut");
    youcpu_testkit::process::write(&cut, &ls[..100]).unwrap();
    let mut evil = ls.clone();
    evil[60] = 0; // e_shnum = 0: the count moves to section 0's sh_size
    evil[61] = 0;
    let shoff = u64::from_le_bytes(ls[40..48].try_into().unwrap()) as usize;
    evil[shoff + 32..shoff + 40].copy_from_slice(&(1u64 << 40).to_le_bytes());
    let evil_path = d.join("evil");
    youcpu_testkit::process::write(&evil_path, &evil).unwrap();
    let s = |p: &Path| p.to_str().unwrap().to_string();
    refused(&[], "usage: youcpu elf");
    refused(
        &["/nonexistent/file"],
        "/nonexistent/file: No such file or directory",
    );
    refused(&["/tmp"], "/tmp: is a directory");
    refused(
        &[&s(&empty)],
        "the file is truncated: the ELF magic needs 4 bytes but the file has 0",
    );
    refused(&[&s(&script)], "not an ELF file");
    refused(&[&s(&cut)], "runs past the end of the file");
    refused(
        &[&s(&evil_path)],
        "too many section headers: 1099511627776 (the limit is 131072)",
    );
    refused(&["/bin/ls", "/bin/sh"], "unexpected argument");
    refused(&["--frobnicate", "/bin/ls"], "--frobnicate");
    refused(&["--max-size", "1000", "/bin/ls"], "larger than 1000 bytes");
    refused(&["--max-size", "zero", "/bin/ls"], "--max-size");
    let _ = std::fs::remove_dir_all(&d);
}

/// Mutated files under a 256 MiB address-space limit: the tool answers (0 or 1) instead of
/// being killed, so it never tries to allocate for an absurd count or size.
#[test]
fn mutated_files_stay_within_a_memory_limit() {
    let d = scratch("prlimit");
    let ls = std::fs::read("/bin/ls").unwrap();
    let mut state = 7u64;
    let mut next = move || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        state >> 33
    };
    let shoff = u64::from_le_bytes(ls[40..48].try_into().unwrap()) as usize;
    for i in 0..40 {
        let mut b = ls.clone();
        for _ in 0..6 {
            let at = if i % 2 == 0 {
                next() as usize % 4096
            } else {
                shoff + next() as usize % (ls.len() - shoff)
            };
            b[at] = next() as u8;
        }
        // Half the files also get an all-ones count or size somewhere in the ELF header.
        if i % 4 == 1 {
            let f = [32usize, 40, 56, 60]
                .get(next() as usize % 4)
                .copied()
                .unwrap_or(56);
            b[f] = 0xff;
            b[f + 1] = 0xff;
        }
        let p = d.join(format!("m{i}"));
        youcpu_testkit::process::write(&p, &b).unwrap();
        let out = Command::new("prlimit")
            .arg(format!("--as={}", 256u64 << 20))
            .arg(env!("CARGO_BIN_EXE_youcpu"))
            .args(["elf", "--json"])
            .arg(&p)
            .run_output()
            .unwrap();
        let code = out.status.code();
        assert!(
            matches!(code, Some(0 | 1)),
            "mutation {i}: status {:?}, stderr {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v.get("error").is_some(), code == Some(1));
    }
    let _ = std::fs::remove_dir_all(&d);
}
