//! Runs GNU as (binutils) on a list of Intel-syntax lines and reports, per line, the bytes it
//! emitted at which address, or its error/warning. Each line gets a label; lines GAS refuses
//! are blanked and the file re-assembled, then linked with ld at a fixed address so constant
//! branch targets resolve, and the bytes are read back from the linked ELF with goblin.

#![allow(dead_code)]

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use youcpu_testkit::process::Run;

/// For an immediate we refuse as too wide for its slot: the value as written, the slot's
/// width N and the value reduced modulo 2^N, which is what GAS keeps (often without a
/// warning: `add al, -129` is `04 7f`). `None` for any other error.
pub fn truncated(err: &youcpu_core::asm::AsmError) -> Option<(&str, u32, u128)> {
    let youcpu_core::asm::AsmError::ImmediateRange { value, fits } = err else {
        return None;
    };
    let n = fits.strip_suffix(" bits")?.parse::<u32>().ok()?;
    let neg = value.starts_with('-');
    let mag =
        u128::from_str_radix(value.trim_start_matches('-').trim_start_matches("0x"), 16).ok()?;
    let m = 1u128 << n;
    let reduced = if neg { (m - mag % m) % m } else { mag % m };
    Some((value, n, reduced))
}

/// What GAS did with one line.
#[derive(Clone, Debug)]
pub struct GasLine {
    /// The address of the line's first byte after linking.
    pub ip: u64,
    /// The bytes, if GAS accepted the line.
    pub bytes: Option<Vec<u8>>,
    /// GAS's error message, if it refused the line.
    pub error: Option<String>,
    /// GAS's warning, if any (e.g. "0x100 shortened to 0x0").
    pub warning: Option<String>,
}

/// Where the .text section is linked for each mode.
pub fn base_for(bits: u32) -> u64 {
    if bits == 16 {
        0x1000
    } else {
        0x400000
    }
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A fresh scratch directory under the system temp dir.
pub fn scratch() -> PathBuf {
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let d = std::env::temp_dir().join(format!("youcpu-asm-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&d).expect("create a scratch directory");
    d
}

fn run(cmd: &mut Command) -> std::process::Output {
    cmd.run_output().unwrap_or_else(|e| {
        panic!("cannot run {cmd:?}: {e} (these tests need GNU binutils: apt-get install binutils)")
    })
}

/// Assembles `lines` with `as -msyntax=intel -mnaked-reg` in `bits` mode.
pub fn run_gas(lines: &[String], bits: u32) -> Vec<GasLine> {
    let dir = scratch();
    let src = dir.join("t.s");
    let obj = dir.join("t.o");
    let elf = dir.join("t.elf");
    // `.intel_syntax noprefix` as well as the flags: binutils 2.40 only parses `fs:[rax]`
    // segment overrides when the directive is present.
    let header = match bits {
        16 => ".intel_syntax noprefix\n.code16\n",
        _ => ".intel_syntax noprefix\n",
    };
    let header_lines = header.lines().count();
    let mut errors: HashMap<usize, String> = HashMap::new();
    let mut warnings: HashMap<usize, String> = HashMap::new();
    let base = base_for(bits);
    for _link in 0..4 {
        for _round in 0..8 {
            let mut s = String::from(header);
            for (i, l) in lines.iter().enumerate() {
                if errors.contains_key(&i) {
                    s.push_str(&format!("L{i}:\n"));
                } else {
                    s.push_str(&format!("L{i}: {l}\n"));
                }
            }
            s.push_str(&format!("L{}:\n", lines.len()));
            youcpu_testkit::process::write(&src, s).expect("write the source");
            let out = run(Command::new("as")
                .arg(if bits == 64 { "--64" } else { "--32" })
                .args(["-msyntax=intel", "-mnaked-reg", "-o"])
                .arg(&obj)
                .arg(&src));
            let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
            warnings.clear();
            let mut new_errors = 0;
            for l in stderr.lines() {
                let Some(rest) = l.strip_prefix(&format!("{}:", src.display())) else {
                    continue;
                };
                let Some((num, msg)) = rest.split_once(": ") else {
                    continue;
                };
                let Ok(n) = num.parse::<usize>() else {
                    continue;
                };
                let Some(i) = n.checked_sub(header_lines + 1) else {
                    continue;
                };
                // binutils 2.40 can also die on a line ("Internal error in build_modrm_byte"):
                // that line is refused too.
                let msg = if msg.starts_with("Internal error") {
                    format!("Error: {msg}")
                } else {
                    msg.to_string()
                };
                if let Some(m) = msg.strip_prefix("Error: ") {
                    if let std::collections::hash_map::Entry::Vacant(e) = errors.entry(i) {
                        e.insert(m.to_string());
                        new_errors += 1;
                    }
                } else if let Some(m) = msg.strip_prefix("Warning: ") {
                    warnings.insert(i, m.to_string());
                }
            }
            if out.status.success() {
                // GAS reads an unknown name (`rcx` in 32-bit mode, `st` alone) as a symbol and
                // leaves a relocation: such a line names no instruction we know; count it refused.
                let undefined = lines_with_undefined_symbols(&obj);
                let fresh: Vec<usize> = undefined
                    .into_iter()
                    .filter(|i| !errors.contains_key(i))
                    .collect();
                if fresh.is_empty() {
                    break;
                }
                for i in fresh {
                    errors.insert(i, "refers to an undefined symbol".into());
                }
                continue;
            }
            if new_errors == 0 {
                // A fixup error names a section offset, not a line ("value of 7ffffffe too
                // large for field of 2 bytes at 00000c63"): assemble with -Z (write the object
                // anyway) to map the offset to its line through the labels.
                let offsets: Vec<u64> = stderr
                    .lines()
                    .filter(|l| l.contains("Error:"))
                    .filter_map(|l| l.rsplit(" at ").next())
                    .filter_map(|h| u64::from_str_radix(h.trim(), 16).ok())
                    .collect();
                assert!(
                    !offsets.is_empty(),
                    "as failed without a line error:\n{stderr}"
                );
                run(Command::new("as")
                    .arg(if bits == 64 { "--64" } else { "--32" })
                    .args(["-msyntax=intel", "-mnaked-reg", "-Z", "-o"])
                    .arg(&obj)
                    .arg(&src));
                let labels = label_offsets(&obj);
                for off in offsets {
                    if let Some(&(_, i)) = labels.iter().rev().find(|(a, _)| *a <= off) {
                        errors.insert(i, "value too large for its field".into());
                    }
                }
            }
        }
        let out = run(Command::new("ld")
            .args(["-m", if bits == 64 { "elf_x86_64" } else { "elf_i386" }])
            .arg(format!("-Ttext=0x{base:x}"))
            .args(["-e", "0", "-o"])
            .arg(&elf)
            .arg(&obj));
        if out.status.success() {
            break;
        }
        // A branch to a constant GAS accepted but ld cannot reach ("relocation truncated to
        // fit"): the line is refused at link time; mark it and go again.
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        let offsets: Vec<u64> = stderr
            .split("(.text+0x")
            .skip(1)
            .filter_map(|t| {
                t.split(')')
                    .next()
                    .and_then(|h| u64::from_str_radix(h, 16).ok())
            })
            .collect();
        assert!(!offsets.is_empty(), "ld failed: {stderr}");
        let labels = label_offsets(&obj);
        for off in offsets {
            if let Some(&(_, i)) = labels.iter().rev().find(|(a, _)| *a <= off) {
                errors.insert(
                    i,
                    "branch target out of reach (ld: relocation truncated to fit)".into(),
                );
            }
        }
    }
    let data = std::fs::read(&elf).expect("read the linked file");
    let parsed = goblin::elf::Elf::parse(&data).expect("parse the linked file");
    let text = parsed
        .section_headers
        .iter()
        .find(|sh| parsed.shdr_strtab.get_at(sh.sh_name) == Some(".text"))
        .expect("a .text section");
    let tstart = text.sh_offset as usize;
    let tbytes = &data[tstart..tstart + text.sh_size as usize];
    let mut addr: HashMap<usize, u64> = HashMap::new();
    for sym in parsed.syms.iter() {
        if let Some(name) = parsed.strtab.get_at(sym.st_name) {
            if let Some(n) = name.strip_prefix('L').and_then(|n| n.parse::<usize>().ok()) {
                addr.insert(n, sym.st_value);
            }
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    (0..lines.len())
        .map(|i| {
            let a = addr[&i];
            let b = addr[&(i + 1)];
            let off = (a - text.sh_addr) as usize;
            let bytes =
                (!errors.contains_key(&i)).then(|| tbytes[off..off + (b - a) as usize].to_vec());
            GasLine {
                ip: a,
                bytes,
                error: errors.get(&i).cloned(),
                warning: warnings.get(&i).cloned(),
            }
        })
        .collect()
}

/// (offset, line index) of every `L<i>` label in the object, sorted.
fn label_offsets(obj: &std::path::Path) -> Vec<(u64, usize)> {
    let data = std::fs::read(obj).expect("read the object");
    let elf = goblin::elf::Elf::parse(&data).expect("parse the object");
    let mut labels: Vec<(u64, usize)> = Vec::new();
    for sym in elf.syms.iter() {
        if let Some(n) = elf
            .strtab
            .get_at(sym.st_name)
            .and_then(|n| n.strip_prefix('L'))
            .and_then(|n| n.parse().ok())
        {
            labels.push((sym.st_value, n));
        }
    }
    labels.sort_unstable();
    labels
}

/// Indexes of the `L<i>` lines holding a relocation against an undefined symbol.
fn lines_with_undefined_symbols(obj: &std::path::Path) -> Vec<usize> {
    let data = std::fs::read(obj).expect("read the object");
    let elf = goblin::elf::Elf::parse(&data).expect("parse the object");
    let labels = label_offsets(obj);
    let mut out = Vec::new();
    for (_, rels) in elf.shdr_relocs.iter() {
        for r in rels.iter() {
            let Some(sym) = elf.syms.get(r.r_sym) else {
                continue;
            };
            let named = elf
                .strtab
                .get_at(sym.st_name)
                .is_some_and(|n| !n.is_empty());
            if sym.st_shndx == 0 && named {
                if let Some(&(_, i)) = labels.iter().rev().find(|(a, _)| *a <= r.r_offset) {
                    out.push(i);
                }
            }
        }
    }
    out
}

/// Lowercase hex, space-separated.
pub fn hex(b: &[u8]) -> String {
    b.iter()
        .map(|x| format!("{x:02x}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// One instruction as objdump decodes it.
#[derive(Clone, Debug)]
pub struct ObjdumpInsn {
    /// Address.
    pub ip: u64,
    /// Length in bytes.
    pub len: usize,
    /// objdump's text, e.g. "add    eax,0x200".
    pub text: String,
}

/// Decodes raw `bytes` placed at `base` with `objdump -D -b binary -M intel`.
pub fn objdump(bytes: &[u8], bits: u32, base: u64) -> Vec<ObjdumpInsn> {
    let dir = scratch();
    let bin = dir.join("t.bin");
    youcpu_testkit::process::write(&bin, bytes).expect("write the bytes");
    let (arch, opts) = match bits {
        // Intel64, not AMD64: in 64-bit mode Intel CPUs (this machine's vendor, and iced's
        // default) ignore 66 on near branches (`66 e8 rel32`).
        64 => ("i386:x86-64", "intel,intel64"),
        32 => ("i386", "intel"),
        _ => ("i8086", "intel"),
    };
    let out = run(Command::new("objdump")
        .args(["-D", "-b", "binary", "-m", arch, "-M", opts, "-w"])
        .arg(format!("--adjust-vma=0x{base:x}"))
        .arg(&bin));
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        out.status.success(),
        "objdump failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let mut v = Vec::new();
    for line in text.lines() {
        let mut parts = line.split('\t');
        let (Some(addr), Some(hexb)) = (parts.next(), parts.next()) else {
            continue;
        };
        let Some(addr) = addr.trim().strip_suffix(':') else {
            continue;
        };
        let Ok(ip) = u64::from_str_radix(addr, 16) else {
            continue;
        };
        let len = hexb.split_whitespace().count();
        let asm = parts.collect::<Vec<_>>().join("\t").trim().to_string();
        v.push(ObjdumpInsn { ip, len, text: asm });
    }
    v
}
