//! What the dynamic loader did, read from a simulated run (`linux::ldso`), against the real
//! thing: the relocation tables against `readelf -rW`, the objects' extents against
//! `readelf -lW`, the PLT call against `objdump -d` and `readelf --dyn-syms`, and every value
//! the simulated musl `ld.so` wrote against what the real one wrote in a native run of a
//! program that prints its own relocations (tests/programs/relocs.c, built with musl-gcc).
//! A tool that is missing fails under the test command (`oracle::missing`).

#![allow(clippy::unwrap_used)] // tests may unwrap

use std::path::{Path, PathBuf};
use std::process::Command;
use youcpu_core::linux::ldso::{needs, preview, File, Report, Role, Run};
use youcpu_testkit::oracle;
use youcpu_testkit::process::Run as _;

fn programs() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../web/programs")
}

fn libc() -> File {
    File {
        name: "ld-musl-x86_64.so.1".into(),
        bytes: std::fs::read(programs().join("lib/ld-musl-x86_64.so.1")).unwrap(),
    }
}

fn hello_dyn() -> Vec<u8> {
    std::fs::read(programs().join("bin/hello-dyn")).unwrap()
}

fn report(name: &str, program: &[u8], files: &[File]) -> Report {
    Run::start(name, program, files).unwrap().finish().unwrap()
}

fn tool(cmd: &str, args: &[&str]) -> Option<String> {
    match Command::new(cmd).args(args).output() {
        Ok(o) if o.status.success() => Some(String::from_utf8_lossy(&o.stdout).into_owned()),
        Ok(o) => panic!("{cmd} {args:?}: {}", String::from_utf8_lossy(&o.stderr)),
        Err(e) => {
            oracle::missing(&format!("{cmd} ({e}); it is in binutils"));
            None
        }
    }
}

fn tmp() -> PathBuf {
    let d = std::env::temp_dir().join(format!("youcpu-ldso-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// `musl-gcc ARGS`, or None (reported missing) without it.
fn musl_gcc(args: &[&str]) -> Option<()> {
    match Command::new("musl-gcc").args(args).run_output() {
        Ok(o) if o.status.success() => Some(()),
        Ok(o) => panic!("musl-gcc {args:?}: {}", String::from_utf8_lossy(&o.stderr)),
        Err(e) => {
            oracle::missing(&format!("musl-gcc ({e}); it is in musl-tools"));
            None
        }
    }
}

/// readelf -rW: (offset, type, symbol) of each relocation, tables in file order.
fn readelf_relocs(path: &Path) -> Option<Vec<(u64, String, Option<String>)>> {
    let out = tool("readelf", &["-rW", path.to_str().unwrap()])?;
    let mut v = Vec::new();
    for line in out.lines() {
        let f: Vec<&str> = line.split_whitespace().collect();
        let Some(kind) = f.get(2).filter(|k| k.starts_with("R_X86_64_")) else {
            continue;
        };
        let off = u64::from_str_radix(f[0], 16).unwrap();
        // With a symbol: offset info type value name + addend; without: offset info type addend.
        let sym = (f.len() >= 7).then(|| f[4].to_string());
        v.push((off, kind.to_string(), sym));
    }
    Some(v)
}

fn ours(r: &Report, object: usize) -> Vec<(u64, String, Option<String>)> {
    r.relocs
        .iter()
        .filter(|x| x.object == object)
        .map(|x| (x.offset, x.kind.clone(), x.symbol.clone()))
        .collect()
}

#[test]
fn relocations_and_extents_match_readelf() {
    let r = report("hello-dyn", &hello_dyn(), &[libc()]);
    let libc_index = r
        .objects
        .iter()
        .position(|o| o.role == Role::Interpreter)
        .unwrap();
    assert_eq!(r.objects[0].role, Role::Program);
    assert_eq!(r.objects[0].name, "/bin/hello-dyn");
    assert_eq!(r.objects[libc_index].name, "/lib/ld-musl-x86_64.so.1");
    assert_eq!(r.objects[0].needed, ["libc.so"]);
    for (file, i) in [
        (programs().join("bin/hello-dyn"), 0),
        (programs().join("lib/ld-musl-x86_64.so.1"), libc_index),
    ] {
        let Some(want) = readelf_relocs(&file) else {
            return;
        };
        assert!(want.len() > 5, "{file:?}: readelf listed {}", want.len());
        assert_eq!(ours(&r, i), want, "{file:?}");
        // The counts drawn in the picture are the table's.
        let total: usize = r.objects[i].counts.iter().map(|(_, n)| n).sum();
        assert_eq!(total, want.len());
        // The object's extent: its base up to the end of its last PT_LOAD, page-rounded.
        let Some(l) = tool("readelf", &["-lW", file.to_str().unwrap()]) else {
            return;
        };
        let end = l
            .lines()
            .filter(|x| x.trim_start().starts_with("LOAD"))
            .map(|x| {
                let f: Vec<&str> = x.split_whitespace().collect();
                u64::from_str_radix(&f[2][2..], 16).unwrap()
                    + u64::from_str_radix(&f[5][2..], 16).unwrap()
            })
            .max()
            .unwrap();
        let o = &r.objects[i];
        assert_eq!(o.end - o.base, (end + 0xfff) & !0xfff, "{file:?}");
        assert_eq!(o.start, o.base, "{file:?}: its first PT_LOAD is at 0");
    }
    assert!(r.instructions > 1000 && r.syscalls > 0, "{r:?}");
}

#[test]
fn the_puts_call_matches_objdump_and_libc_symbols() {
    let r = report("hello-dyn", &hello_dyn(), &[libc()]);
    let prog = programs().join("bin/hello-dyn");
    let Some(dis) = tool("objdump", &["-d", prog.to_str().unwrap()]) else {
        return;
    };
    // "    105b:\te8 c0 ff ff ff       \tcall   1020 <puts@plt>"
    let line = dis
        .lines()
        .find(|l| l.contains("<puts@plt>") && l.contains("call"))
        .unwrap();
    let site = u64::from_str_radix(line.trim().split(':').next().unwrap(), 16).unwrap();
    let stub = u64::from_str_radix(
        line.split("call")
            .nth(1)
            .unwrap()
            .split_whitespace()
            .next()
            .unwrap(),
        16,
    )
    .unwrap();
    let base = r.objects[0].base;
    let c = r
        .calls
        .iter()
        .find(|c| r.relocs[c.reloc].symbol.as_deref() == Some("puts"))
        .unwrap();
    assert_eq!(c.site - base, site);
    assert_eq!(c.stub.map(|s| s - base), Some(stub));
    assert_eq!(c.caller.as_deref(), Some("main"));
    assert!(!c.jump);
    let slot = readelf_relocs(&prog)
        .unwrap()
        .into_iter()
        .find(|(_, k, s)| k == "R_X86_64_JUMP_SLOT" && s.as_deref() == Some("puts"))
        .unwrap()
        .0;
    assert_eq!(c.slot - base, slot);
    // The value in the slot: libc's base plus puts's value in libc's dynamic symbols.
    let lib = programs().join("lib/ld-musl-x86_64.so.1");
    let syms = tool("readelf", &["--dyn-syms", "-W", lib.to_str().unwrap()]).unwrap();
    let puts = syms
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>())
        .find(|f| f.len() >= 8 && f[7] == "puts" && f[6] != "UND")
        .map(|f| u64::from_str_radix(f[1], 16).unwrap())
        .unwrap();
    let reloc = &r.relocs[c.reloc];
    let libc = &r.objects[reloc.target.as_ref().unwrap().object];
    assert_eq!(libc.role, Role::Interpreter);
    assert_eq!(reloc.value, Some(libc.base + puts));
    assert_eq!(
        reloc.target.as_ref().unwrap().symbol.as_deref(),
        Some("puts")
    );
    // _start_c hands main to __libc_start_main through the PLT too (a tail call).
    assert!(r
        .calls
        .iter()
        .any(|c| r.relocs[c.reloc].symbol.as_deref() == Some("__libc_start_main")));
}

/// "prog+0x15e0", "libc+0x5cfc0" or "0x0": relocs.c's form of a value.
fn shown(r: &Report, v: u64) -> String {
    for (i, o) in r.objects.iter().enumerate() {
        let label = match o.role {
            Role::Program => "prog",
            Role::Interpreter => "libc",
            _ => continue,
        };
        let _ = i;
        if o.start <= v && v < o.end {
            return format!("{label}+{:#x}", v - o.base);
        }
    }
    // printf's %#llx prints zero without the prefix.
    if v == 0 {
        "0".into()
    } else {
        format!("{v:#x}")
    }
}

fn type_number(kind: &str) -> u32 {
    match kind {
        "R_X86_64_64" => 1,
        "R_X86_64_GLOB_DAT" => 6,
        "R_X86_64_JUMP_SLOT" => 7,
        "R_X86_64_RELATIVE" => 8,
        k => panic!("unexpected relocation type {k}"),
    }
}

#[test]
fn every_value_matches_what_musl_wrote_natively() {
    let dir = tmp();
    let exe = dir.join("relocs");
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/programs/relocs.c");
    let (Some(e), Some(s)) = (exe.to_str(), src.to_str()) else {
        panic!("paths")
    };
    if musl_gcc(&["-O2", "-Wall", "-Wextra", "-Werror", "-o", e, s]).is_none() {
        return;
    }
    // The native run uses this machine's musl loader: the same file the page ships.
    let host = Path::new("/lib/ld-musl-x86_64.so.1");
    assert_eq!(
        std::fs::read(host).unwrap(),
        libc().bytes,
        "web/programs/lib/ld-musl-x86_64.so.1 is not this machine's musl: rerun scripts/programs.sh"
    );
    let native = Command::new(&exe).run_output().unwrap();
    assert!(native.status.success());
    let native = String::from_utf8(native.stdout).unwrap();
    let bytes = std::fs::read(&exe).unwrap();
    let mut run = Run::start("relocs", &bytes, &[libc()]).unwrap();
    while !run.advance(1 << 20).unwrap() {}
    let r = run.report();
    let mut sim = String::new();
    for x in &r.relocs {
        let label = match r.objects[x.object].role {
            Role::Program => "prog",
            Role::Interpreter => "libc",
            _ => continue,
        };
        sim.push_str(&format!(
            "{label} {:#x} {} {} {}\n",
            x.offset,
            type_number(&x.kind),
            x.symbol.as_deref().unwrap_or(""),
            shown(&r, x.value.unwrap())
        ));
    }
    let n = native.lines().count();
    assert!(n > 100, "{native}");
    assert_eq!(
        sim, native,
        "what the simulated ld.so wrote, read at the entry point, against the native run"
    );
    // The program itself, run on in the simulator, prints the same values from inside.
    let l = run.linux();
    l.run(50_000_000);
    assert_eq!(String::from_utf8_lossy(&l.stdout), native);
}

#[test]
fn a_library_mapped_by_ld_so_and_one_missing() {
    let dir = tmp();
    let lib_src = dir.join("greet.c");
    let prog_src = dir.join("main.c");
    std::fs::write(
        &lib_src,
        "#include <stdio.h>\nint greeting = 42;\nvoid greet(const char *w) { printf(\"hello, %s %d\\n\", w, greeting); }\n",
    )
    .unwrap();
    std::fs::write(
        &prog_src,
        "void greet(const char *);\nint main(void) { greet(\"library\"); return 0; }\n",
    )
    .unwrap();
    let lib = dir.join("libgreet.so");
    let prog = dir.join("greeter");
    let s = |p: &Path| p.to_str().unwrap().to_string();
    if musl_gcc(&["-O2", "-shared", "-fPIC", "-o", &s(&lib), &s(&lib_src)]).is_none() {
        return;
    }
    musl_gcc(&[
        "-O2",
        "-o",
        &s(&prog),
        &s(&prog_src),
        "-L",
        &s(&dir),
        "-lgreet",
    ])
    .unwrap();
    let prog_bytes = std::fs::read(&prog).unwrap();
    let lib_file = File {
        name: "libgreet.so".into(),
        bytes: std::fs::read(&lib).unwrap(),
    };
    // Without the library: the check names it, and musl's ld.so itself says so.
    let n = needs(&prog_bytes, &[libc()]).unwrap();
    assert_eq!(n.missing(), ["libgreet.so"]);
    assert!(n.interp_given);
    let err = Run::start("greeter", &prog_bytes, &[libc()])
        .unwrap()
        .finish()
        .unwrap_err();
    let native = Command::new(&prog).env_clear().run_output().unwrap();
    // The same words, the program's path aside (the page puts it in /bin).
    let said = String::from_utf8_lossy(&native.stderr).replace(&s(&prog), "/bin/greeter");
    assert!(said.contains("libgreet.so"), "{said}");
    match &err {
        youcpu_core::linux::ldso::Error::Ended { said: ours, .. } => {
            assert_eq!(ours, said.trim(), "ours: {err}\nnative: {said}")
        }
        e => panic!("not the loader's own message: {e}"),
    }
    // Without the loader: the kernel's execve would fail.
    let err = Run::start("greeter", &prog_bytes, std::slice::from_ref(&lib_file))
        .err()
        .unwrap();
    assert_eq!(
        err,
        youcpu_core::linux::ldso::Error::NoInterpreter {
            program: "greeter".into(),
            interp: "/lib/ld-musl-x86_64.so.1".into()
        }
    );
    // With both: the library is mapped by ld.so's mmap, and greet resolves into it.
    let r = report("greeter", &prog_bytes, &[libc(), lib_file]);
    let li = r
        .objects
        .iter()
        .position(|o| o.role == Role::Library)
        .unwrap();
    assert_eq!(r.objects[li].name, "/lib/libgreet.so");
    assert_eq!(r.objects[li].base & 0xfff, 0);
    let want = readelf_relocs(&lib).unwrap();
    assert_eq!(ours(&r, li), want);
    let c = r
        .calls
        .iter()
        .find(|c| r.relocs[c.reloc].symbol.as_deref() == Some("greet"))
        .unwrap();
    let t = r.relocs[c.reloc].target.clone().unwrap();
    assert_eq!((t.object, t.symbol.as_deref()), (li, Some("greet")));
    // The library's own GOT entry for printf points into libc.
    let p = r
        .relocs
        .iter()
        .find(|x| x.object == li && x.symbol.as_deref() == Some("printf"))
        .unwrap();
    let pt = p.target.clone().unwrap();
    assert_eq!(r.objects[pt.object].role, Role::Interpreter);
    assert_eq!(pt.symbol.as_deref(), Some("printf"));
}

#[test]
fn bad_input_is_an_error_never_a_panic() {
    assert!(needs(b"junk", &[]).is_err());
    assert!(Run::start("junk", b"\x7fELF junk", &[]).is_err());
    let stat = std::fs::read(programs().join("bin/hello")).unwrap();
    assert!(matches!(
        Run::start("hello", &stat, &[]).err(),
        Some(youcpu_core::linux::ldso::Error::NotDynamic(why)) if why.contains("a static program")
    ));
    let n = needs(&stat, &[]).unwrap();
    assert!(!n.is_dynamic_program() && n.interp.is_none());
    let lib = needs(&libc().bytes, &[]).unwrap();
    assert!(!lib.is_dynamic_program());
    assert!(needs(&hello_dyn(), &[]).unwrap().is_dynamic_program());
    let dynp = hello_dyn();
    for cut in [64, 200, 0x240, 0x1000, 0x3000] {
        let _ = needs(&dynp[..cut], &[libc()]);
        if let Ok(run) = Run::start("cut", &dynp[..cut], &[libc()]) {
            let _ = run.finish();
        }
    }
    // A "loader" that is junk: the kernel refuses it.
    let junk = File {
        name: "ld-musl-x86_64.so.1".into(),
        bytes: b"not an ELF file".to_vec(),
    };
    assert!(Run::start("hello-dyn", &dynp, &[junk]).is_err());
}

/// Before any run, the files alone (`ldso::preview`) give the objects the run maps (the vDSO
/// aside), each one's relocations as `readelf -rW` lists them and as the run reports them
/// (counts by type included), its extent in its file's addresses, and the program's PLT calls
/// at the run's addresses less the program's base.
#[test]
fn the_files_alone_give_the_objects_relocations_and_calls_before_the_run() {
    let program = hello_dyn();
    let p = preview("hello-dyn", &program, &[libc()]).unwrap();
    let r = report("hello-dyn", &program, &[libc()]);
    let roles: Vec<Role> = p.objects.iter().map(|o| o.role).collect();
    assert_eq!(roles, [Role::Program, Role::Interpreter]);
    assert_eq!(p.objects[0].needed, ["libc.so"]);
    for (i, o) in p.objects.iter().enumerate() {
        let j = r.objects.iter().position(|x| x.role == o.role).unwrap();
        assert_eq!(o.counts, r.objects[j].counts, "{}", o.name);
        assert_eq!(ours(&p, i), ours(&r, j), "{}", o.name);
        assert_eq!(o.base, 0);
        assert_eq!(
            (o.end + 0xfff) & !0xfff,
            r.objects[j].end - r.objects[j].base,
            "{}",
            o.name
        );
        assert!(p
            .relocs
            .iter()
            .filter(|x| x.object == i)
            .all(|x| x.value.is_none()));
    }
    let Some(want) = readelf_relocs(&programs().join("bin/hello-dyn")) else {
        return;
    };
    assert_eq!(ours(&p, 0), want);
    let base = r.objects[0].base;
    let calls: Vec<(u64, Option<u64>, Option<String>)> = r
        .calls
        .iter()
        .map(|c| (c.site - base, c.stub.map(|s| s - base), c.caller.clone()))
        .collect();
    let before: Vec<(u64, Option<u64>, Option<String>)> = p
        .calls
        .iter()
        .map(|c| (c.site, c.stub, c.caller.clone()))
        .collect();
    assert!(!calls.is_empty());
    assert_eq!(before, calls);
    // A dropped program without its loader: only itself; junk: an error, no panic.
    let alone = preview("hello-dyn", &program, &[]).unwrap();
    assert_eq!(alone.objects.len(), 1);
    assert!(preview("junk", b"junk", &[]).is_err());
}
