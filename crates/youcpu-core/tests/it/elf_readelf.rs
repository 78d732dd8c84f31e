//! Our parser against GNU readelf, field by field, on real files of this machine and on files
//! the toolchain builds at test time (needs Debian packages binutils, gcc, g++, musl-tools,
//! libc6-dev).

#![allow(clippy::unwrap_used)] // tests may unwrap

use crate::elf_tools as tools;
use youcpu_testkit::fields::Fields;
use youcpu_testkit::readelf;

use std::path::{Path, PathBuf};
use tools::{run, s, try_run, Scratch};
use youcpu_core::elf::{parse, ElfFile};

fn check(path: &Path) -> ElfFile {
    let bytes = std::fs::read(path).unwrap();
    let elf = parse(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let r = readelf::readelf(path);
    readelf::compare(&path.display().to_string(), &elf, &r);
    elf
}

#[test]
fn system_programs_and_libraries() {
    let ls = check(Path::new("/bin/ls"));
    assert_eq!(
        ls.interp.as_ref().unwrap().path,
        "/lib64/ld-linux-x86-64.so.2"
    );
    assert!(ls.needed().contains(&"libc.so.6"));
    check(Path::new("/bin/sh"));
    let ld = check(Path::new("/lib64/ld-linux-x86-64.so.2"));
    assert!(ld.interp.is_none());
    assert_eq!(ld.type_name(), "DYN");
    let libc = check(Path::new("/lib/x86_64-linux-gnu/libc.so.6"));
    assert_eq!(
        libc.dynamic
            .as_ref()
            .unwrap()
            .soname
            .as_ref()
            .unwrap()
            .value,
        "libc.so.6"
    );
}

/// ELF files found in system directories, in name order: a broad sample of real layouts.
fn sample(dir: &str, limit: usize) -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    paths.sort();
    paths
        .into_iter()
        .filter(|p| {
            let meta = std::fs::metadata(p);
            let small = meta
                .map(|m| m.is_file() && m.len() < 16 << 20)
                .unwrap_or(false);
            small
                && std::fs::read(p)
                    .map(|b| b.starts_with(b"\x7fELF"))
                    .unwrap_or(false)
        })
        .take(limit)
        .collect()
}

/// 40 files per directory by default; `YOUCPU_ELF_SAMPLE=N` checks N per directory (e.g. 100000
/// for every ELF file there) and `YOUCPU_ELF_DIRS=dir:dir:...` picks other directories.
#[test]
fn sample_of_system_files() {
    let per_dir = std::env::var("YOUCPU_ELF_SAMPLE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(40);
    let mut n = 0;
    let default = "/usr/bin:/usr/lib/x86_64-linux-gnu:/usr/sbin:/usr/libexec:/usr/lib/gcc/x86_64-linux-gnu/12";
    let dirs = std::env::var("YOUCPU_ELF_DIRS").unwrap_or_else(|_| default.to_string());
    for dir in dirs.split(':') {
        for p in sample(dir, per_dir) {
            check(&p);
            n += 1;
        }
    }
    assert!(n >= 40.min(per_dir), "only {n} ELF files found");
    eprintln!("{n} files agree with readelf");
}

#[test]
fn programs_built_by_the_toolchain() {
    let t = Scratch::new("built");
    let c = t.write("hello.c", tools::HELLO_C.as_bytes());
    let lib = t.write("lib.c", tools::LIB_C.as_bytes());

    let pie = t.path("pie");
    run("gcc", &["-O1", "-o", s(&pie), s(&c)]);
    let e = check(&pie);
    assert_eq!(e.type_name(), "DYN");

    let nopie = t.path("nopie");
    run("gcc", &["-O1", "-no-pie", "-o", s(&nopie), s(&c)]);
    assert_eq!(check(&nopie).type_name(), "EXEC");

    let stat = t.path("static");
    run("gcc", &["-O1", "-static", "-o", s(&stat), s(&c)]);
    let e = check(&stat);
    assert!(e.interp.is_none() && e.dynamic.is_none());
    assert!(e.segments.iter().any(|s| s.type_name == "TLS"));

    let static_pie = t.path("static-pie");
    run("gcc", &["-O1", "-static-pie", "-o", s(&static_pie), s(&c)]);
    check(&static_pie);

    let musl = t.path("musl");
    run("musl-gcc", &["-O1", "-static", "-o", s(&musl), s(&c)]);
    check(&musl);

    let obj = t.path("hello.o");
    run("gcc", &["-O1", "-c", "-o", s(&obj), s(&c)]);
    let e = check(&obj);
    assert_eq!(e.type_name(), "REL");
    assert!(e.segments.is_empty());
    assert!(e.sections.iter().any(|s| s.type_name == "RELA"));

    let stripped = t.path("stripped");
    run("strip", &["-o", s(&stripped), s(&pie)]);
    let e = check(&stripped);
    assert!(e.sections.iter().all(|s| s.type_name != "SYMTAB"));

    let stripped_all = t.path("stripped-all");
    run(
        "objcopy",
        &[
            "--strip-all",
            "--remove-section=.comment",
            s(&nopie),
            s(&stripped_all),
        ],
    );
    check(&stripped_all);

    let so = t.path("libdemo.so");
    run(
        "gcc",
        &[
            "-shared",
            "-fPIC",
            "-Wl,-soname,libdemo.so.1",
            "-Wl,-rpath,/opt/demo",
            "-Wl,--enable-new-dtags",
            "-o",
            s(&so),
            s(&lib),
        ],
    );
    let e = check(&so);
    let d = e.dynamic.as_ref().unwrap();
    assert_eq!(d.runpath.as_ref().unwrap().value, "/opt/demo");

    let so_rpath = t.path("librpath.so");
    run(
        "gcc",
        &[
            "-shared",
            "-fPIC",
            "-Wl,-rpath,/opt/old",
            "-Wl,--disable-new-dtags",
            "-o",
            s(&so_rpath),
            s(&lib),
        ],
    );
    assert_eq!(
        check(&so_rpath).dynamic.unwrap().rpath.unwrap().value,
        "/opt/old"
    );

    let user = t.path("uses-lib");
    let libdir = format!("-L{}", t.0.display());
    run(
        "gcc",
        &[
            "-o",
            s(&user),
            s(&c),
            "-Wl,--no-as-needed",
            &libdir,
            "-ldemo",
            "-lm",
        ],
    );
    let e = check(&user);
    assert!(e.needed().contains(&"libdemo.so.1"));

    // C++ templates and inline functions give COMDAT section groups (GROUP, flag G).
    let cc = t.write("groups.cc", tools::GROUPS_CC.as_bytes());
    let cobj = t.path("groups.o");
    run("g++", &["-O0", "-c", "-o", s(&cobj), s(&cc)]);
    let e = check(&cobj);
    assert!(e.sections.iter().any(|s| s.type_name == "GROUP"));
    assert!(e.sections.iter().any(|s| s.flags_text.contains('G')));

    // Debug info and compressed sections (flag C), merge strings (M S).
    let dbg = t.path("debug.o");
    run("gcc", &["-g", "-gz=zlib", "-c", "-o", s(&dbg), s(&c)]);
    let e = check(&dbg);
    assert!(e.sections.iter().any(|s| s.flags_text.contains('C')));
}

#[test]
fn thirty_two_bit_files() {
    let t = Scratch::new("x32");
    let asm = t.write("hello32.s", tools::HELLO_32_S.as_bytes());
    let obj = t.path("hello32.o");
    run("as", &["--32", "-o", s(&obj), s(&asm)]);
    let e = check(&obj);
    assert_eq!((e.class_bits(), e.machine_name().as_str()), (32, "386"));
    let exe = t.path("hello32");
    run("ld", &["-m", "elf_i386", "-o", s(&exe), s(&obj)]);
    let e = check(&exe);
    assert_eq!(e.type_name(), "EXEC");
    // x32 (ELF32 for x86-64).
    let x32 = t.path("hellox32.o");
    run("as", &["--x32", "-o", s(&x32), s(&asm)]);
    assert_eq!(check(&x32).machine_name(), "X86_64");

    // gcc -m32 needs gcc-multilib; use it when it is there.
    let c = t.write("hello.c", tools::HELLO_C.as_bytes());
    let m32 = t.path("m32");
    if try_run("gcc", &["-m32", "-o", s(&m32), s(&c)]) {
        check(&m32);
    }

    // objcopy cannot change the byte order of x86 files ("unable to change endianness"), so
    // big-endian files come from the writer (tests/it/elf_writer.rs) and tests/it/elf_names.rs.
}

/// The file with the field at `range` set to `value` (little-endian files only).
fn patched(bytes: &[u8], range: youcpu_core::elf::ByteRange, value: u64) -> Vec<u8> {
    let mut b = bytes.to_vec();
    youcpu_core::elf::writer::patch(&mut b, range, value, youcpu_core::elf::Endian::Little)
        .unwrap();
    b
}

/// Unusual but valid layouts, each checked against readelf: no section name table, an empty
/// one, and the extended numbering escapes (e_shnum 0, SHN_XINDEX, PN_XNUM).
#[test]
fn unusual_headers_read_the_same_in_readelf() {
    let t = Scratch::new("unusual");
    let file = std::fs::read("/bin/true").unwrap();
    let elf = parse(&file).unwrap();
    let h = &elf.header;
    let s0 = &elf.sections[0];
    let strtab = &elf.sections[usize::from(h.shstrndx.value)];
    let n = elf.sections.len() as u64;
    let variants = [
        ("no-shstrtab", patched(&file, h.shstrndx.bytes, 0)),
        ("empty-shstrtab", patched(&file, strtab.size.bytes, 0)),
        (
            "shnum-escaped",
            patched(&patched(&file, h.shnum.bytes, 0), s0.size.bytes, n),
        ),
        (
            "shstrndx-escaped",
            patched(
                &patched(&file, h.shstrndx.bytes, 0xffff),
                s0.link.bytes,
                u64::from(h.shstrndx.value),
            ),
        ),
        (
            "phnum-escaped",
            patched(
                &patched(&file, h.phnum.bytes, 0xffff),
                s0.info.bytes,
                elf.segments.len() as u64,
            ),
        ),
        (
            "no-sections",
            patched(&patched(&file, h.shoff.bytes, 0), h.shnum.bytes, 0),
        ),
    ];
    for (name, bytes) in variants {
        let p = t.write(name, &bytes);
        let e = check(&p);
        if name.ends_with("shstrtab") {
            assert!(
                e.sections
                    .iter()
                    .all(|s| s.name == youcpu_core::elf::NO_STRINGS),
                "{name}"
            );
        }
    }
}

/// A core dump of a crashed process (type CORE: PT_NOTE and PT_LOAD segments whose file size
/// is often 0, no sections). Where the kernel puts it depends on
/// /proc/sys/kernel/core_pattern (core(5)): a pattern without '/' is a file name in the
/// crashing process's working directory (its text up to the first '%' is a literal prefix;
/// with core_uses_pid the kernel appends ".PID"); a pattern piped to systemd-coredump is read
/// back with `coredumpctl dump PID`. Any other place (an absolute directory, apport) is not
/// looked for: the test reports the oracle missing, which fails under the test command.
#[test]
fn core_dump_from_the_kernel() {
    let pattern = std::fs::read_to_string("/proc/sys/kernel/core_pattern").unwrap_or_default();
    let pattern = pattern.trim();
    let t = Scratch::new("core");
    let c = t.write(
        "abort.c",
        b"#include <stdlib.h>\nint main(void) { abort(); }\n",
    );
    let exe = t.path("abort");
    run("gcc", &["-o", s(&exe), s(&c)]);
    let script = format!(
        "cd {} && ulimit -c unlimited && exec ./abort",
        t.0.display()
    );
    let Some(place) = core_place(pattern) else {
        youcpu_testkit::oracle::missing(&format!(
            "a core file: core_pattern is {pattern:?}, neither a file name in the working \
             directory nor systemd-coredump with coredumpctl"
        ));
        return;
    };
    let child = std::process::Command::new("sh")
        .args(["-c", &script])
        .spawn()
        .unwrap();
    // `exec` keeps the shell's process: the pid the kernel names the core by.
    let pid = child.id();
    let _ = child.wait_with_output().unwrap();
    let core = match place {
        CorePlace::WorkingDirectory(prefix) => std::fs::read_dir(&t.0)
            .unwrap()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .find(|p| {
                p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with(&prefix))
            })
            .expect("the kernel wrote no core file"),
        CorePlace::Coredumpctl => {
            let out = t.path("core.dumped");
            let pid = pid.to_string();
            run("coredumpctl", &["-q", "dump", &pid, "-o", s(&out)]);
            out
        }
    };
    let e = check(&core);
    assert_eq!(e.type_name(), "CORE");
    assert!(e.segments.iter().any(|s| s.type_name == "NOTE"));
    assert!(e
        .segments
        .iter()
        .any(|s| s.is_load() && s.filesz.value == 0));
}

/// Where the kernel leaves a core file for a core_pattern (core(5)), among the places the
/// test can read it from.
#[derive(Debug, PartialEq)]
enum CorePlace {
    /// A file in the working directory whose name starts with this literal prefix.
    WorkingDirectory(String),
    /// Piped to systemd-coredump, read back with coredumpctl.
    Coredumpctl,
}

fn core_place(pattern: &str) -> Option<CorePlace> {
    if let Some(pipe) = pattern.strip_prefix('|') {
        let has_ctl = std::process::Command::new("coredumpctl")
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success());
        return (pipe.contains("systemd-coredump") && has_ctl).then_some(CorePlace::Coredumpctl);
    }
    let prefix: String = pattern.chars().take_while(|&c| c != '%').collect();
    (!pattern.contains('/') && !prefix.is_empty()).then_some(CorePlace::WorkingDirectory(prefix))
}

#[test]
fn core_places_follow_core5() {
    let wd = |p: &str| Some(CorePlace::WorkingDirectory(p.into()));
    assert_eq!(core_place("core"), wd("core"));
    assert_eq!(core_place("core.%e.%p"), wd("core."));
    assert_eq!(core_place("/var/crash/core.%p"), None);
    assert_eq!(core_place("%e.core"), None);
    assert_eq!(core_place("|/usr/share/apport/apport -p%p"), None);
}

/// A shared object with PT_INTERP and PT_DYNAMIC (DT_NEEDED x2, DT_SONAME, DT_RUNPATH) and no
/// section headers, so readelf -d has to go through the program headers as we do.
fn dynamic_object(wide: bool, big: bool) -> Vec<u8> {
    let mut o = Fields::new(big, wide);
    let w = if wide { 8u64 } else { 4 };
    let (ehsize, phsize) = if wide { (64u64, 56u64) } else { (52, 32) };
    let interp = b"/lib/ld-big.so.1\0";
    let strtab = b"\0libfoo.so.1\0libbar.so\0libme.so.7\0/opt/lib\0";
    let interp_off = ehsize + 3 * phsize;
    let strtab_off = interp_off + interp.len() as u64;
    let dyn_off = (strtab_off + strtab.len() as u64).div_ceil(w) * w;
    let dyns: [(u64, u64); 7] = [
        (1, 1),
        (1, 13),
        (14, 23),
        (29, 34),
        (5, 0x10000 + strtab_off),
        (10, strtab.len() as u64),
        (0, 0),
    ];
    let size = dyn_off + dyns.len() as u64 * 2 * w;
    o.buf.extend_from_slice(&[
        0x7f,
        b'E',
        b'L',
        b'F',
        if wide { 2 } else { 1 },
        if big { 2 } else { 1 },
        1,
        0,
    ]);
    o.buf.extend_from_slice(&[0; 8]);
    o.n(3, 2); // ET_DYN
    o.n(if wide { 21 } else { 20 }, 2); // PPC64 / PPC
    o.n(1, 4);
    o.w(0x10000);
    o.w(ehsize);
    o.w(0);
    o.n(0, 4);
    o.n(ehsize, 2);
    o.n(phsize, 2);
    o.n(3, 2);
    o.n(0, 2);
    o.n(0, 2);
    o.n(0, 2);
    let ph = |o: &mut Fields, ty: u64, off: u64, len: u64, flags: u64| {
        o.n(ty, 4);
        if wide {
            o.n(flags, 4);
        }
        o.w(off);
        o.w(0x10000 + off);
        o.w(0x10000 + off);
        o.w(len);
        o.w(len);
        if !wide {
            o.n(flags, 4);
        }
        o.w(if ty == 1 { 0x1000 } else { w });
    };
    ph(&mut o, 1, 0, size, 6);
    ph(&mut o, 3, interp_off, interp.len() as u64, 4);
    ph(&mut o, 2, dyn_off, dyns.len() as u64 * 2 * w, 6);
    o.buf.extend_from_slice(interp);
    o.buf.extend_from_slice(strtab);
    o.buf.resize(dyn_off as usize, 0);
    for (tag, val) in dyns {
        o.w(tag);
        o.w(val);
    }
    assert_eq!(o.buf.len() as u64, size);
    o.buf
}

#[test]
fn dynamic_section_in_every_class_and_byte_order() {
    let t = Scratch::new("dyn");
    for (wide, big) in [(true, true), (false, true), (true, false), (false, false)] {
        let p = t.write(&format!("dyn-{wide}-{big}"), &dynamic_object(wide, big));
        let e = check(&p);
        assert_eq!(e.needed(), ["libfoo.so.1", "libbar.so"]);
        let d = e.dynamic.as_ref().unwrap();
        assert_eq!(d.soname.as_ref().unwrap().value, "libme.so.7");
        assert_eq!(d.runpath.as_ref().unwrap().value, "/opt/lib");
        assert_eq!(e.interp.as_ref().unwrap().path, "/lib/ld-big.so.1");
    }
}
