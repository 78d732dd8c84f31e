//! A small example filesystem for the browser widgets: ELF programs, a dynamic loader,
//! scripts that show each rule of the `#!` parser, and files for binfmt_misc to claim.

use super::fs::{MemFs, MemFsError, MemNode};

/// binfmt_misc registration for Java class files, by their magic number.
pub const JAVA_REGISTRATION: &str = ":Java:M::\\xca\\xfe\\xba\\xbe::/usr/bin/java:";
/// binfmt_misc registration for compiled Python files, by extension.
pub const PYC_REGISTRATION: &str = ":pyc:E::pyc::/usr/bin/python3:";

/// The dynamic loader the example programs name in PT_INTERP.
pub const LOADER: &str = "/lib64/ld-linux-x86-64.so.2";

fn put16(v: &mut Vec<u8>, x: u16) {
    v.extend_from_slice(&x.to_le_bytes());
}
fn put32(v: &mut Vec<u8>, x: u32) {
    v.extend_from_slice(&x.to_le_bytes());
}
fn put64(v: &mut Vec<u8>, x: u64) {
    v.extend_from_slice(&x.to_le_bytes());
}

/// A minimal x86-64 ELF file: header, a PT_INTERP (if `interp` is given) and one PT_LOAD
/// covering the file, then the interpreter string and the code bytes (`exit(0)`).
pub fn tiny_elf(e_type: u16, interp: Option<&str>) -> Vec<u8> {
    let phnum: u16 = if interp.is_some() { 2 } else { 1 };
    let interp_off = 64 + 56 * u64::from(phnum);
    let interp_len = interp.map_or(0, |s| s.len() as u64 + 1);
    let code_off = interp_off + interp_len;
    // mov edi, 0; mov eax, 60; syscall
    let code: [u8; 12] = [0xbf, 0, 0, 0, 0, 0xb8, 60, 0, 0, 0, 0x0f, 0x05];
    let total = code_off + code.len() as u64;
    let base: u64 = if e_type == 2 { 0x40_0000 } else { 0 };
    let mut v = Vec::with_capacity(total as usize);
    v.extend_from_slice(&[0x7f, b'E', b'L', b'F', 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    put16(&mut v, e_type);
    put16(&mut v, 62);
    put32(&mut v, 1);
    put64(&mut v, base + code_off);
    put64(&mut v, 64);
    put64(&mut v, 0);
    put32(&mut v, 0);
    put16(&mut v, 64);
    put16(&mut v, 56);
    put16(&mut v, phnum);
    put16(&mut v, 64);
    put16(&mut v, 0);
    put16(&mut v, 0);
    if interp.is_some() {
        put32(&mut v, 3);
        put32(&mut v, 4);
        put64(&mut v, interp_off);
        put64(&mut v, base + interp_off);
        put64(&mut v, base + interp_off);
        put64(&mut v, interp_len);
        put64(&mut v, interp_len);
        put64(&mut v, 1);
    }
    put32(&mut v, 1);
    put32(&mut v, 5);
    put64(&mut v, 0);
    put64(&mut v, base);
    put64(&mut v, base);
    put64(&mut v, total);
    put64(&mut v, total);
    put64(&mut v, 0x1000);
    if let Some(s) = interp {
        v.extend_from_slice(s.as_bytes());
        v.push(0);
    }
    v.extend_from_slice(&code);
    v
}

/// A minimal i386 ELF executable (`exit(0)` by `int 0x80`), for the 32-bit compat handler.
pub fn tiny_elf32() -> Vec<u8> {
    // mov eax, 1; xor ebx, ebx; int 0x80
    let code: [u8; 9] = [0xb8, 1, 0, 0, 0, 0x31, 0xdb, 0xcd, 0x80];
    let base: u32 = 0x0804_8000;
    let total = 52 + 32 + code.len() as u32;
    let mut v = Vec::with_capacity(total as usize);
    v.extend_from_slice(&[0x7f, b'E', b'L', b'F', 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    put16(&mut v, 2);
    put16(&mut v, 3);
    put32(&mut v, 1);
    put32(&mut v, base + 52 + 32);
    put32(&mut v, 52);
    put32(&mut v, 0);
    put32(&mut v, 0);
    put16(&mut v, 52);
    put16(&mut v, 32);
    put16(&mut v, 1);
    put16(&mut v, 40);
    put16(&mut v, 0);
    put16(&mut v, 0);
    for x in [1, 0, base, base, total, total, 5, 0x1000] {
        put32(&mut v, x);
    }
    v.extend_from_slice(&code);
    v
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
