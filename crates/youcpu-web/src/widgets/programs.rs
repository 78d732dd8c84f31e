//! The example programs several widgets run or show, built by our own code: a static
//! "hello, world" (the core's assembler and ELF writer), and a small dynamic program with the
//! model `libc.so.6` it needs (PT_INTERP, PT_DYNAMIC, DT_NEEDED).

use youcpu_core::asm::{build_program_with, BuildOptions};
use youcpu_core::exec::examples::LOADER;

const PAGE: u64 = 4096;

/// One example: a name, a sentence, and how to make its bytes.
pub struct Example {
    /// Shown in the picker.
    pub name: &'static str,
    /// What it shows.
    pub about: &'static str,
    /// Builds the file.
    pub build: fn() -> Result<Vec<u8>, String>,
}

/// Where the hello-world's data is placed (the page `ld` would give it).
pub const DATA_VADDR: u64 = 0x40_2000;
/// The greeting.
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
pub fn build_example(source: &str) -> Result<Vec<u8>, String> {
    let opts = BuildOptions {
        data_vaddr: Some(DATA_VADDR),
    };
    build_program_with(source, &opts)
        .map(|p| p.elf)
        .map_err(|e| e.to_string())
}

/// A static x86-64 "hello, world" assembled and linked by the core.
pub fn hello_static() -> Result<Vec<u8>, String> {
    build_example(HELLO_SOURCE)
}

fn put16(v: &mut Vec<u8>, x: u16) {
    v.extend_from_slice(&x.to_le_bytes());
}
fn put32(v: &mut Vec<u8>, x: u32) {
    v.extend_from_slice(&x.to_le_bytes());
}
fn put64(v: &mut Vec<u8>, x: u64) {
    v.extend_from_slice(&x.to_le_bytes());
}

/// A small position-independent ELF file (type DYN) laid out like `ld` output: a read-only
/// page (headers, PT_INTERP string, dynamic strings), `code_pages` of code (r-x), and a
/// writable page with the dynamic table and `data` bytes (GOT and data), followed by `bss`
/// zero bytes. `needed` and `soname` go into the dynamic table.
pub fn build_dyn(
    interp: Option<&str>,
    needed: Option<&str>,
    soname: Option<&str>,
    code_pages: u64,
    data: u64,
    bss: u64,
) -> Vec<u8> {
    let phnum: u64 = 4 + u64::from(interp.is_some());
    let interp_off = 64 + 56 * phnum;
    let interp_len = interp.map_or(0, |s| s.len() as u64 + 1);
    let mut dynstr = vec![0u8];
    let name_at = |s: Option<&str>, t: &mut Vec<u8>| {
        s.map(|s| {
            let at = t.len() as u64;
            t.extend_from_slice(s.as_bytes());
            t.push(0);
            at
        })
    };
    let needed_at = name_at(needed, &mut dynstr);
    let soname_at = name_at(soname, &mut dynstr);
    let dynstr_off = interp_off + interp_len;
    let ro_end = dynstr_off + dynstr.len() as u64;
    let code_off = PAGE;
    let code_len = code_pages.max(1) * PAGE - 64;
    let rw_off = code_off + code_pages.max(1) * PAGE;
    let mut dynamic: Vec<(u64, u64)> = Vec::new();
    if let Some(a) = needed_at {
        dynamic.push((1, a)); // DT_NEEDED
    }
    if let Some(a) = soname_at {
        dynamic.push((14, a)); // DT_SONAME
    }
    dynamic.push((5, dynstr_off)); // DT_STRTAB
    dynamic.push((10, dynstr.len() as u64)); // DT_STRSZ
    dynamic.push((0, 0)); // DT_NULL
    let dyn_len = dynamic.len() as u64 * 16;
    let rw_filesz = dyn_len + data;
    let entry = code_off;
    let mut v = Vec::new();
    v.extend_from_slice(&[0x7f, b'E', b'L', b'F', 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    put16(&mut v, 3);
    put16(&mut v, 62);
    put32(&mut v, 1);
    put64(&mut v, entry);
    put64(&mut v, 64);
    put64(&mut v, 0);
    put32(&mut v, 0);
    put16(&mut v, 64);
    put16(&mut v, 56);
    put16(&mut v, phnum as u16);
    put16(&mut v, 64);
    put16(&mut v, 0);
    put16(&mut v, 0);
    let ph = |v: &mut Vec<u8>, t: u32, f: u32, off: u64, fs: u64, ms: u64, al: u64| {
        put32(v, t);
        put32(v, f);
        put64(v, off);
        put64(v, off);
        put64(v, off);
        put64(v, fs);
        put64(v, ms);
        put64(v, al);
    };
    if interp.is_some() {
        ph(&mut v, 3, 4, interp_off, interp_len, interp_len, 1);
    }
    ph(&mut v, 1, 4, 0, ro_end, ro_end, PAGE);
    ph(&mut v, 1, 5, code_off, code_len, code_len, PAGE);
    ph(&mut v, 1, 6, rw_off, rw_filesz, rw_filesz + bss, PAGE);
    ph(&mut v, 2, 6, rw_off, dyn_len, dyn_len, 8);
    if let Some(s) = interp {
        v.extend_from_slice(s.as_bytes());
        v.push(0);
    }
    v.extend_from_slice(&dynstr);
    v.resize(code_off as usize, 0);
    // The code: exit(0), then int3 filler standing for the rest of the functions.
    v.extend_from_slice(&[0xbf, 0, 0, 0, 0, 0xb8, 60, 0, 0, 0, 0x0f, 0x05]);
    v.resize((code_off + code_len) as usize, 0xcc);
    v.resize(rw_off as usize, 0);
    for (t, val) in dynamic {
        put64(&mut v, t);
        put64(&mut v, val);
    }
    v.resize((rw_off + rw_filesz) as usize, 0);
    v
}

/// The dynamic program: needs libc.so.6, names the loader.
pub fn hello_dynamic() -> Vec<u8> {
    build_dyn(Some(LOADER), Some("libc.so.6"), None, 1, 64, 0)
}

/// The model C library: 6 pages of code, a page of data and a page of BSS.
pub fn model_libc() -> Vec<u8> {
    build_dyn(None, None, Some("libc.so.6"), 6, 512, PAGE)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The builder gives the very bytes the hand-assembled version (code lines + ELF writer)
    /// gave, with and without a BSS, so the widgets showing these files did not move.
    #[test]
    fn hello_is_the_hand_assembled_file() {
        use youcpu_core::asm::{assemble, Bitness};
        use youcpu_core::elf::writer::{write_executable, ExecutableSpec};
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
