//! A small example filesystem for the browser widgets: ELF programs, a dynamic loader,
//! scripts that show each rule of the `#!` parser, and files for binfmt_misc to claim.

use super::fs::{MemFs, MemFsError, MemNode};
use crate::asm::{build_program_with, BuildError, BuildOptions};
use crate::elf::writer::{
    write_image, Image, Segment, EM_386, EM_X86_64, ET_DYN, ET_EXEC, PAGE as PAGE_4K, PT_DYNAMIC,
    PT_INTERP, PT_LOAD,
};
use crate::elf::{Class, Endian};

/// binfmt_misc registration for Java class files, by their magic number.
pub const JAVA_REGISTRATION: &str = ":Java:M::\\xca\\xfe\\xba\\xbe::/usr/bin/java:";
/// binfmt_misc registration for compiled Python files, by extension.
pub const PYC_REGISTRATION: &str = ":pyc:E::pyc::/usr/bin/python3:";

/// The dynamic loader the example programs name in PT_INTERP.
pub const LOADER: &str = "/lib64/ld-linux-x86-64.so.2";

const PAGE: u64 = PAGE_4K;

/// `mov edi, 0; mov eax, 60; syscall`: exit(0), the code of the small examples.
const EXIT_0: [u8; 12] = [0xbf, 0, 0, 0, 0, 0xb8, 60, 0, 0, 0, 0x0f, 0x05];

fn x86_64_image(e_type: u16, entry: u64, segments: Vec<Segment>) -> Image {
    Image {
        class: Class::Elf64,
        endian: Endian::Little,
        e_type,
        machine: EM_X86_64,
        entry,
        segments,
        contents: Vec::new(),
        size: 0,
    }
}

/// A PT_LOAD segment: `filesz` bytes of the file at `offset`, `memsz` bytes in memory at
/// `vaddr`, with `flags` PF_R 4 | PF_W 2 | PF_X 1 (gABI "Program Header").
fn load(flags: u32, offset: u64, vaddr: u64, filesz: u64, memsz: u64) -> Segment {
    Segment {
        p_type: PT_LOAD,
        flags,
        offset,
        vaddr,
        filesz,
        memsz,
        align: PAGE,
    }
}

/// The PT_INTERP segment of an interpreter path of `len` bytes (its NUL included) at
/// `offset` in the file, `vaddr` in memory (read-only, byte-aligned, as `ld` writes it).
fn interp_segment(offset: u64, vaddr: u64, len: u64) -> Segment {
    Segment {
        p_type: PT_INTERP,
        flags: 4,
        offset,
        vaddr,
        filesz: len,
        memsz: len,
        align: 1,
    }
}

fn c_string(s: &str) -> Vec<u8> {
    let mut v = s.as_bytes().to_vec();
    v.push(0);
    v
}

/// A minimal x86-64 ELF file: header, a PT_INTERP (if `interp` is given) and one PT_LOAD
/// covering the file, then the interpreter string and the code bytes (`exit(0)`).
pub fn tiny_elf(e_type: u16, interp: Option<&str>) -> Vec<u8> {
    let phnum = 1 + u64::from(interp.is_some());
    let interp_off = 64 + 56 * phnum;
    let interp_len = interp.map_or(0, |s| s.len() as u64 + 1);
    let code_off = interp_off + interp_len;
    let total = code_off + EXIT_0.len() as u64;
    let base: u64 = if e_type == ET_EXEC { 0x40_0000 } else { 0 };
    let mut segments = Vec::new();
    if interp.is_some() {
        segments.push(interp_segment(interp_off, base + interp_off, interp_len));
    }
    segments.push(load(5, 0, base, total, total));
    let mut image = x86_64_image(e_type, base + code_off, segments);
    if let Some(s) = interp {
        image.contents.push((interp_off, c_string(s)));
    }
    image.contents.push((code_off, EXIT_0.to_vec()));
    write_image(&image)
}

/// A minimal i386 ELF executable (`exit(0)` by `int 0x80`), for the 32-bit compat handler.
pub fn tiny_elf32() -> Vec<u8> {
    // mov eax, 1; xor ebx, ebx; int 0x80
    let code: [u8; 9] = [0xb8, 1, 0, 0, 0, 0x31, 0xdb, 0xcd, 0x80];
    let base: u64 = 0x0804_8000;
    let code_off = 52 + 32;
    let total = code_off + code.len() as u64;
    write_image(&Image {
        class: Class::Elf32,
        endian: Endian::Little,
        e_type: ET_EXEC,
        machine: EM_386,
        entry: base + code_off,
        segments: vec![load(5, 0, base, total, total)],
        contents: vec![(code_off, code.to_vec())],
        size: total,
    })
}

/// A small position-independent ELF file (ET_DYN) laid out as `ld` lays one out: a read-only
/// page (headers, the PT_INTERP string, the dynamic strings), `code_pages` of code (r-x), and
/// a writable page with the dynamic table and `data` bytes (GOT and data), followed by `bss`
/// zero bytes. `needed` and `soname` go into the dynamic table (gABI "Dynamic Section":
/// DT_NEEDED, DT_SONAME, DT_STRTAB, DT_STRSZ, DT_NULL). The code is `exit(0)` followed by
/// `int3` bytes standing for the rest of the functions.
pub fn dynamic_elf(
    interp: Option<&str>,
    needed: Option<&str>,
    soname: Option<&str>,
    code_pages: u64,
    data: u64,
    bss: u64,
) -> Vec<u8> {
    use goblin::elf::dynamic::{DT_NEEDED, DT_NULL, DT_SONAME, DT_STRSZ, DT_STRTAB};
    let phnum: u64 = 4 + u64::from(interp.is_some());
    let interp_off = 64 + 56 * phnum;
    let interp_len = interp.map_or(0, |s| s.len() as u64 + 1);
    let mut dynstr = vec![0u8];
    let mut name_at = |s: Option<&str>| {
        s.map(|s| {
            let at = dynstr.len() as u64;
            dynstr.extend_from_slice(&c_string(s));
            at
        })
    };
    let needed_at = name_at(needed);
    let soname_at = name_at(soname);
    let dynstr_off = interp_off + interp_len;
    let ro_end = dynstr_off + dynstr.len() as u64;
    let code_off = PAGE;
    let code_len = code_pages.max(1) * PAGE - 64;
    let rw_off = code_off + code_pages.max(1) * PAGE;
    let mut dynamic: Vec<(u64, u64)> = Vec::new();
    if let Some(a) = needed_at {
        dynamic.push((DT_NEEDED, a));
    }
    if let Some(a) = soname_at {
        dynamic.push((DT_SONAME, a));
    }
    dynamic.push((DT_STRTAB, dynstr_off));
    dynamic.push((DT_STRSZ, dynstr.len() as u64));
    dynamic.push((DT_NULL, 0));
    let dyn_len = dynamic.len() as u64 * 16;
    let rw_filesz = dyn_len + data;
    let mut segments = Vec::new();
    if interp.is_some() {
        segments.push(interp_segment(interp_off, interp_off, interp_len));
    }
    segments.push(load(4, 0, 0, ro_end, ro_end));
    segments.push(load(5, code_off, code_off, code_len, code_len));
    segments.push(load(6, rw_off, rw_off, rw_filesz, rw_filesz + bss));
    segments.push(Segment {
        p_type: PT_DYNAMIC,
        flags: 6,
        offset: rw_off,
        vaddr: rw_off,
        filesz: dyn_len,
        memsz: dyn_len,
        align: 8,
    });
    let mut image = x86_64_image(ET_DYN, code_off, segments);
    if let Some(s) = interp {
        image.contents.push((interp_off, c_string(s)));
    }
    image.contents.push((dynstr_off, dynstr));
    let mut code = EXIT_0.to_vec();
    code.resize(code_len as usize, 0xcc);
    image.contents.push((code_off, code));
    let table: Vec<u8> = dynamic
        .iter()
        .flat_map(|&(tag, val)| tag.to_le_bytes().into_iter().chain(val.to_le_bytes()))
        .collect();
    image.contents.push((rw_off, table));
    image.size = rw_off + rw_filesz;
    write_image(&image)
}

/// A dynamic program of the widgets: needs `libc.so.6`, names [`LOADER`].
pub fn hello_dynamic() -> Vec<u8> {
    dynamic_elf(Some(LOADER), Some("libc.so.6"), None, 1, 64, 0)
}

/// The widgets' model C library: 6 pages of code, a page of data and a page of BSS.
pub fn model_libc() -> Vec<u8> {
    dynamic_elf(None, None, Some("libc.so.6"), 6, 512, PAGE)
}

/// Where the hello-world's data is placed (the page `ld` would give it).
pub const DATA_VADDR: u64 = 0x40_2000;
/// The hello-world's greeting.
pub const GREETING: &[u8] = b"Hello, world!\n";

/// The hello-world example's source, for the core's program builder.
pub const HELLO_SOURCE: &str = ".data
msg: .ascii \"Hello, world!\\n\"
len = . - msg
.text
_start:
    mov eax, 1
    mov edi, 1
    mov esi, offset msg
    mov edx, len
    syscall
    mov eax, 60
    xor edi, edi
    syscall
";

/// Builds `source` as the examples are built: data at [`DATA_VADDR`].
pub fn build_example(source: &str) -> Result<Vec<u8>, BuildError> {
    let opts = BuildOptions {
        data_vaddr: Some(DATA_VADDR),
    };
    build_program_with(source, &opts).map(|p| p.elf)
}

/// A static x86-64 "hello, world" assembled and linked by the core.
pub fn hello_static() -> Result<Vec<u8>, BuildError> {
    build_example(HELLO_SOURCE)
}

/// The example tree. Everything is owned by root; scripts are mode 0755 unless the example is
/// about permissions.
pub fn example_fs() -> Result<MemFs, MemFsError> {
    let mut fs = MemFs::new();
    let dynamic = tiny_elf(3, Some(LOADER));
    for prog in [
        "/bin/sh",
        "/bin/bash",
        "/usr/bin/env",
        "/usr/bin/python3",
        "/usr/bin/java",
        "/usr/bin/node",
    ] {
        fs.insert(prog, MemNode::File(dynamic.clone()), 0o755)?;
    }
    fs.insert(
        "/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2",
        MemNode::File(tiny_elf(3, None)),
        0o755,
    )?;
    fs.insert(
        LOADER,
        MemNode::Symlink(b"/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2".to_vec()),
        0o777,
    )?;
    fs.insert(
        "/usr/local/bin/hello-static",
        MemNode::File(tiny_elf(2, None)),
        0o755,
    )?;
    let home = "/home/user";
    let text = |s: &str| MemNode::File(s.as_bytes().to_vec());
    fs.insert(
        &format!("{home}/hello.sh"),
        text("#!/bin/sh\necho hello\n"),
        0o755,
    )?;
    fs.insert(
        &format!("{home}/flags.py"),
        text("#!/usr/bin/python3 -u -X dev\nprint('hi')\n"),
        0o755,
    )?;
    fs.insert(
        &format!("{home}/tool.js"),
        text("#!/usr/bin/env node\nconsole.log(1)\n"),
        0o755,
    )?;
    fs.insert(
        &format!("{home}/dos.sh"),
        text("#!/bin/sh\r\necho hi\r\n"),
        0o755,
    )?;
    fs.insert(
        &format!("{home}/dos-arg.sh"),
        text("#!/bin/sh -e\r\necho hi\r\n"),
        0o755,
    )?;
    fs.insert(
        &format!("{home}/tabs.sh"),
        text("#!\t /bin/sh \t-x  -v \t\necho hi\n"),
        0o755,
    )?;
    fs.insert(
        &format!("{home}/empty-shebang.sh"),
        text("#!\necho hi\n"),
        0o755,
    )?;
    fs.insert(
        &format!("{home}/spaces-shebang.sh"),
        text("#!    \necho hi\n"),
        0o755,
    )?;
    let mut long_arg = String::from("#!/bin/sh -c ");
    while long_arg.len() < 300 {
        long_arg.push_str("echo-long-argument ");
    }
    long_arg.push('\n');
    fs.insert(&format!("{home}/long-arg.sh"), text(&long_arg), 0o755)?;
    let mut long_interp = String::from("#!/");
    while long_interp.len() < 300 {
        long_interp.push_str("very-long-directory-name/");
    }
    long_interp.push_str("sh\n");
    fs.insert(&format!("{home}/long-interp.sh"), text(&long_interp), 0o755)?;
    fs.insert(
        &format!("{home}/missing-interp.sh"),
        text("#!/usr/bin/no-such-interpreter\n"),
        0o755,
    )?;
    fs.insert(
        &format!("{home}/no-shebang.sh"),
        text("echo run by the shell\n"),
        0o755,
    )?;
    fs.insert(&format!("{home}/notes.txt"), text("not a program\n"), 0o644)?;
    fs.insert(&format!("{home}/projects"), MemNode::Dir, 0o755)?;
    fs.insert(
        &format!("{home}/blob.bin"),
        MemNode::File(vec![0x13, 0x37, 0x00, 0xff, 0x42, b'\n']),
        0o755,
    )?;
    fs.insert(
        &format!("{home}/bin-link"),
        MemNode::Symlink(b"/usr/local/bin/hello-static".to_vec()),
        0o777,
    )?;
    fs.insert(
        &format!("{home}/loop-a"),
        MemNode::Symlink(b"loop-b".to_vec()),
        0o777,
    )?;
    fs.insert(
        &format!("{home}/loop-b"),
        MemNode::Symlink(b"loop-a".to_vec()),
        0o777,
    )?;
    // A chain of scripts, each the interpreter of the next: level1 → /bin/sh.
    fs.insert(&format!("{home}/nested/level1"), text("#!/bin/sh\n"), 0o755)?;
    for n in 2..=7 {
        fs.insert(
            &format!("{home}/nested/level{n}"),
            text(&format!("#!{home}/nested/level{}\n", n - 1)),
            0o755,
        )?;
    }
    let mut class = vec![0xca, 0xfe, 0xba, 0xbe, 0x00, 0x00, 0x00, 0x41];
    class.extend_from_slice(b"\x00\x1dHello");
    fs.insert(&format!("{home}/Hello.class"), MemNode::File(class), 0o755)?;
    fs.insert(
        &format!("{home}/hello.pyc"),
        MemNode::File(b"\xcb\x0d\x0d\x0a\0\0\0\0".to_vec()),
        0o755,
    )?;
    Ok(fs)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn example_fs_builds() {
        let fs = example_fs().unwrap();
        assert!(fs.get("/home/user/nested/level7").is_some());
        assert_eq!(tiny_elf(2, None).len(), 64 + 56 + 12);
    }
}

#[cfg(test)]
mod hello_tests {
    use super::*;

    /// The builder gives the very bytes the hand-assembled version (code lines + ELF writer)
    /// gave, with and without a BSS, so the widgets showing these files did not move.
    #[test]
    fn hello_is_the_hand_assembled_file() {
        use crate::asm::{assemble, Bitness};
        use crate::elf::writer::{write_executable, ExecutableSpec};
        let lines = [
            "mov eax, 1",
            "mov edi, 1",
            "mov esi, 0x402000",
            "mov edx, 14",
            "syscall",
            "mov eax, 60",
            "xor edi, edi",
            "syscall",
        ];
        let code: Vec<u8> = lines
            .iter()
            .flat_map(|l| assemble(l, Bitness::B64, 0).expect(l).bytes)
            .collect();
        for bss in [0, 10_000] {
            let spec = ExecutableSpec {
                data_vaddr: Some(DATA_VADDR),
                bss_size: bss,
                ..ExecutableSpec::x86_64(code.clone(), GREETING.to_vec())
            };
            let want = write_executable(&spec).expect("writes").bytes;
            let got = if bss == 0 {
                hello_static()
            } else {
                build_example(&format!("{HELLO_SOURCE}.bss\n    .zero {bss}\n"))
            };
            assert_eq!(got.expect("builds"), want, "bss {bss}");
        }
    }

    /// The hello example is a real program: it runs on this machine and prints the greeting.
    #[cfg(all(unix, target_arch = "x86_64"))]
    #[test]
    fn hello_runs_natively() {
        use std::os::unix::fs::PermissionsExt;
        let bytes = hello_static().expect("builds");
        let dir = std::env::temp_dir().join(format!("youcpu-hello-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join("hello");
        std::fs::write(&path, &bytes).expect("write");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        let out = std::process::Command::new(&path).output().expect("runs");
        let _ = std::fs::remove_dir_all(&dir);
        assert_eq!(out.status.code(), Some(0));
        assert_eq!(out.stdout, GREETING);
    }
}
