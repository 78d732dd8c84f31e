//! The readelf oracle: runs GNU readelf (binutils) on a file, parses its text output, and
//! compares it field by field with our parser.

#![allow(dead_code, clippy::unwrap_used)]

use crate::process::Run;
use std::path::Path;
use std::process::Command;
use youcpu_core::elf::ElfFile;

/// What `readelf -W -h -l -S` and `readelf -W -d` say about a file.
#[derive(Debug, Default)]
pub struct Readelf {
    /// `Class:`, as 32 or 64.
    pub class: u32,
    /// `Data:` (the byte order line).
    pub endian: String,
    /// `OS/ABI:`, as printed.
    pub osabi_line: String,
    /// `EI_VERSION` ("1 (current)") and `e_version` ("0x1"): both lines say "Version:".
    pub ident_version: u64,
    /// `Version:` of the file (`e_version`).
    pub version: u64,
    /// `ABI Version:`.
    pub abi_version: u64,
    /// `Type:`, its first word (EXEC, DYN, ...).
    pub type_word: String,
    /// `Machine:`, as printed.
    pub machine_line: String,
    /// `Entry point address:`.
    pub entry: u64,
    /// `Start of program headers:`.
    pub phoff: u64,
    /// `Start of section headers:`.
    pub shoff: u64,
    /// `Flags:`.
    pub flags: u64,
    /// `Size of this header:`.
    pub ehsize: u64,
    /// `Size of program headers:`.
    pub phentsize: u64,
    /// "Number of program headers", resolved (readelf prints "65535 (N)" for PN_XNUM).
    pub phnum: u64,
    /// `Size of section headers:`.
    pub shentsize: u64,
    /// `Number of section headers:`.
    pub shnum: u64,
    /// `Section header string table index:`.
    pub shstrndx: u64,
    /// The program headers, in order.
    pub segments: Vec<RSeg>,
    /// The interpreter readelf names for PT_INTERP, if any.
    pub interp: Option<String>,
    /// The section headers, in order.
    pub sections: Vec<RSec>,
    /// DT_NEEDED entries, in order.
    pub needed: Vec<String>,
    /// DT_SONAME.
    pub soname: Option<String>,
    /// DT_RPATH.
    pub rpath: Option<String>,
    /// DT_RUNPATH.
    pub runpath: Option<String>,
    /// Everything readelf printed, for failure messages.
    pub raw: String,
}

/// One program header line of `readelf -l`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RSeg {
    /// The segment type as readelf names it (LOAD, INTERP, ...).
    pub type_name: String,
    /// `Offset`.
    pub offset: u64,
    /// `VirtAddr`.
    pub vaddr: u64,
    /// `PhysAddr`.
    pub paddr: u64,
    /// `FileSiz`.
    pub filesz: u64,
    /// `MemSiz`.
    pub memsz: u64,
    /// "r-x" style, converted from readelf's "R E".
    pub flags: String,
    /// `Align`.
    pub align: u64,
}

/// One section header line of `readelf -S`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RSec {
    /// The section index.
    pub index: u64,
    /// `Name`.
    pub name: String,
    /// `Type`.
    pub type_name: String,
    /// `Address`.
    pub addr: u64,
    /// `Off`.
    pub offset: u64,
    /// `Size`.
    pub size: u64,
    /// `ES`.
    pub entsize: u64,
    /// `Flg`.
    pub flags: String,
    /// `Lk`.
    pub link: u64,
    /// `Inf`.
    pub info: u64,
    /// `Al`.
    pub align: u64,
}

fn hex(s: &str) -> u64 {
    let s = s.trim();
    let s = s.strip_prefix("0x").unwrap_or(s);
    u64::from_str_radix(s, 16).unwrap_or_else(|e| panic!("not hex: {s:?}: {e}"))
}

/// The first number in "64 (bytes into file)" or the one in parentheses in "0 (123)".
fn count(s: &str) -> u64 {
    let s = s.trim();
    if let (Some(a), Some(b)) = (s.find('('), s.find(')')) {
        if let Ok(n) = s[a + 1..b].trim().parse::<u64>() {
            return n;
        }
    }
    let first = s.split_whitespace().next().unwrap_or("");
    if let Some(h) = first.strip_prefix("0x") {
        return u64::from_str_radix(h, 16).unwrap();
    }
    first
        .parse()
        .unwrap_or_else(|e| panic!("not a number: {s:?}: {e}"))
}

/// Runs readelf with `args` on `path` and returns stdout; panics if readelf fails.
pub fn run(args: &[&str], path: &Path) -> String {
    let out = Command::new("readelf")
        .args(args)
        .arg(path)
        .run_output()
        .expect("readelf (Debian package binutils) must be installed");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Runs readelf on `path` and parses what it prints.
pub fn readelf(path: &Path) -> Readelf {
    let text = run(&["-W", "-h", "-l", "-S"], path);
    let mut r = parse_text(&text);
    parse_dynamic(&run(&["-W", "-d"], path), &mut r);
    r.raw = text;
    r
}

/// Parses `readelf -W -h -l -S` output.
pub fn parse_text(text: &str) -> Readelf {
    let mut r = Readelf::default();
    #[derive(PartialEq)]
    enum Part {
        Header,
        Sections,
        Segments,
        Other,
    }
    let mut part = Part::Other;
    for line in text.lines() {
        if line.starts_with("ELF Header:") {
            part = Part::Header;
            continue;
        }
        if line.starts_with("Section Headers:") {
            part = Part::Sections;
            continue;
        }
        if line.starts_with("Program Headers:") {
            part = Part::Segments;
            continue;
        }
        if line.starts_with("Key to Flags")
            || line.starts_with(" Section to Segment")
            || line.is_empty()
        {
            part = Part::Other;
            continue;
        }
        match part {
            Part::Header => header_line(line, &mut r),
            Part::Sections => {
                if line.trim_start().starts_with('[') && !line.contains("[Nr]") {
                    r.sections.push(section_line(line, r.class));
                }
            }
            Part::Segments => {
                let t = line.trim();
                if let Some(p) = t.strip_prefix("[Requesting program interpreter: ") {
                    r.interp = Some(p.trim_end_matches(']').to_string());
                } else if !t.starts_with("Type ") {
                    r.segments.push(segment_line(line));
                }
            }
            Part::Other => {}
        }
    }
    r
}

fn header_line(line: &str, r: &mut Readelf) {
    let Some((key, value)) = line.split_once(':') else {
        return;
    };
    let value = value.trim();
    match key.trim() {
        "Class" => r.class = if value == "ELF64" { 64 } else { 32 },
        "Data" => {
            r.endian = if value.contains("little") {
                "little"
            } else {
                "big"
            }
            .to_string();
        }
        "OS/ABI" => r.osabi_line = value.to_string(),
        "Version" if value.starts_with("0x") => r.version = hex(value),
        "Version" => r.ident_version = count(value),
        "ABI Version" => r.abi_version = count(value),
        "Type" => r.type_word = value.split_whitespace().next().unwrap_or("").to_string(),
        "Machine" => r.machine_line = value.to_string(),
        "Entry point address" => r.entry = hex(value),
        "Start of program headers" => r.phoff = count(value),
        "Start of section headers" => r.shoff = count(value),
        "Flags" => r.flags = hex(value.split(',').next().unwrap_or(value)),
        "Size of this header" => r.ehsize = count(value),
        "Size of program headers" => r.phentsize = count(value),
        "Number of program headers" => r.phnum = count(value),
        "Size of section headers" => r.shentsize = count(value),
        "Number of section headers" => r.shnum = count(value),
        "Section header string table index" => r.shstrndx = count(value),
        _ => {}
    }
}

/// "  LOAD           0x004000 0x...4000 0x...4000 0x015759 0x015759 R E 0x1000"
fn segment_line(line: &str) -> RSeg {
    let tokens: Vec<&str> = line.split_whitespace().collect();
    let first_hex = tokens
        .iter()
        .position(|t| t.starts_with("0x"))
        .unwrap_or_else(|| panic!("no offset in segment line {line:?}"));
    let type_name = tokens[..first_hex].join(" ");
    let nums: Vec<u64> = tokens[first_hex..first_hex + 5]
        .iter()
        .map(|t| hex(t))
        .collect();
    // The flags are the text between MemSiz and Align: "R E", "RW ", ...
    let memsz_tok = tokens[first_hex + 4];
    let align_tok = tokens[tokens.len() - 1];
    let after_memsz = {
        let mut pos = 0;
        for t in &tokens[..=first_hex + 4] {
            pos = line[pos..].find(t).unwrap() + pos + t.len();
        }
        let _ = memsz_tok;
        pos
    };
    let align_at = line.rfind(align_tok).unwrap();
    let flg = &line[after_memsz..align_at];
    let flags = format!(
        "{}{}{}",
        if flg.contains('R') { 'r' } else { '-' },
        if flg.contains('W') { 'w' } else { '-' },
        if flg.contains('E') { 'x' } else { '-' }
    );
    RSeg {
        type_name,
        offset: nums[0],
        vaddr: nums[1],
        paddr: nums[2],
        filesz: nums[3],
        memsz: nums[4],
        flags,
        align: hex(align_tok),
    }
}

fn is_hex(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_hexdigit())
}

/// "  [ 1] .interp           PROGBITS        0000000000000318 000318 00001c 00   A  0   0  1"
fn section_line(line: &str, class: u32) -> RSec {
    let close = line.find(']').unwrap();
    let index: u64 = line[line.find('[').unwrap() + 1..close]
        .trim()
        .parse()
        .unwrap();
    let rest = &line[close + 2..];
    // Names are left-justified in 17 columns; a longer name runs on to the next space.
    let name_end = if rest.len() > 17 {
        17 + rest[17..].find(' ').unwrap_or(0)
    } else {
        rest.len()
    };
    let name = rest[..name_end].trim_end().to_string();
    let tail = &rest[name_end..];
    let t: Vec<&str> = tail.split_whitespace().collect();
    let n = t.len();
    let width = if class == 64 { 16 } else { 8 };
    let addr_ok = |i: usize| i >= 1 && t[i].len() == width && is_hex(t[i]);
    // With flags, Address is 8 tokens from the end; without, 7.
    let (addr_at, flags) = if n >= 9 && addr_ok(n - 8) {
        (n - 8, t[n - 4].to_string())
    } else if n >= 8 && addr_ok(n - 7) {
        (n - 7, String::new())
    } else {
        panic!("cannot parse section line {line:?}")
    };
    RSec {
        index,
        name,
        type_name: t[..addr_at].join(" "),
        addr: hex(t[addr_at]),
        offset: hex(t[addr_at + 1]),
        size: hex(t[addr_at + 2]),
        entsize: hex(t[addr_at + 3]),
        flags,
        link: t[n - 3].parse().unwrap(),
        info: t[n - 2].parse().unwrap(),
        align: t[n - 1].parse().unwrap(),
    }
}

/// " 0x0000000000000001 (NEEDED)             Shared library: [libc.so.6]"
fn parse_dynamic(text: &str, r: &mut Readelf) {
    for line in text.lines() {
        let bracket = || {
            let a = line.find('[')?;
            let b = line.rfind(']')?;
            Some(line[a + 1..b].to_string())
        };
        if line.contains("(NEEDED)") {
            r.needed.push(bracket().unwrap());
        } else if line.contains("(SONAME)") {
            r.soname = bracket();
        } else if line.contains("(RPATH)") {
            r.rpath = bracket();
        } else if line.contains("(RUNPATH)") {
            r.runpath = bracket();
        }
    }
}

/// readelf's `Machine:` description for the `e_machine` names we test.
pub fn machine_description(name: &str) -> Option<&'static str> {
    Some(match name {
        "X86_64" => "Advanced Micro Devices X86-64",
        "386" => "Intel 80386",
        "AARCH64" => "AArch64",
        "ARM" => "ARM",
        "RISCV" => "RISC-V",
        "PPC64" => "PowerPC64",
        "PPC" => "PowerPC",
        "S390" => "IBM S/390",
        "MIPS" => "MIPS R3000",
        "SPARC" => "Sparc",
        "SPARCV9" => "Sparc v9",
        "IA_64" => "Intel IA-64",
        "NONE" => "None",
        _ => return None,
    })
}

/// Compares every field readelf shows with ours; panics listing the differences.
pub fn compare(what: &str, elf: &ElfFile, r: &Readelf) {
    let diffs = differences(elf, r);
    assert!(
        diffs.is_empty(),
        "{what}: differs from readelf:\n{}\n--- readelf said:\n{}",
        diffs.join("\n"),
        r.raw
    );
}

/// Every field where our parse and readelf's output differ, one line each.
pub fn differences(elf: &ElfFile, r: &Readelf) -> Vec<String> {
    let mut d = Vec::new();
    let h = &elf.header;
    check(&mut d, "class", elf.class_bits(), r.class);
    check(&mut d, "endian", elf.endian_name(), r.endian.as_str());
    check(&mut d, "type", elf.type_name(), r.type_word.clone());
    if let Some(desc) = machine_description(&elf.machine_name()) {
        check(&mut d, "machine", desc, r.machine_line.as_str());
    }
    check(&mut d, "OS/ABI", elf.osabi_name(), r.osabi_line.clone());
    check(
        &mut d,
        "EI_VERSION",
        u64::from(h.ident_version.value),
        r.ident_version,
    );
    check(&mut d, "e_version", u64::from(h.version.value), r.version);
    check(
        &mut d,
        "ABI Version",
        u64::from(h.abi_version.value),
        r.abi_version,
    );
    check(&mut d, "entry", h.entry.value, r.entry);
    check(&mut d, "e_phoff", h.phoff.value, r.phoff);
    check(&mut d, "e_shoff", h.shoff.value, r.shoff);
    check(&mut d, "e_flags", u64::from(h.flags.value), r.flags);
    check(&mut d, "e_ehsize", u64::from(h.ehsize.value), r.ehsize);
    check(
        &mut d,
        "e_phentsize",
        u64::from(h.phentsize.value),
        r.phentsize,
    );
    check(
        &mut d,
        "e_shentsize",
        u64::from(h.shentsize.value),
        r.shentsize,
    );
    check(
        &mut d,
        "number of program headers",
        elf.segments.len() as u64,
        r.phnum,
    );
    check(
        &mut d,
        "number of section headers",
        elf.sections.len() as u64,
        r.shnum,
    );
    check(
        &mut d,
        "segment count",
        elf.segments.len(),
        r.segments.len(),
    );
    for (s, rs) in elf.segments.iter().zip(&r.segments) {
        // `readelf -l` prints the type in a 14-column field, cutting longer names.
        let got = RSeg {
            type_name: s
                .type_name
                .chars()
                .take(14)
                .collect::<String>()
                .trim_end()
                .to_string(),
            offset: s.offset.value,
            vaddr: s.vaddr.value,
            paddr: s.paddr.value,
            filesz: s.filesz.value,
            memsz: s.memsz.value,
            flags: s.flags_text.clone(),
            align: s.align.value,
        };
        check(&mut d, format!("segment {}", s.index), &got, rs);
    }
    check(
        &mut d,
        "interpreter",
        elf.interp.as_ref().map(|i| i.path.clone()),
        r.interp.clone(),
    );
    check(
        &mut d,
        "section count",
        elf.sections.len(),
        r.sections.len(),
    );
    for (s, rs) in elf.sections.iter().zip(&r.sections) {
        let got = RSec {
            index: s.index as u64,
            name: s.name.clone(),
            type_name: s.type_name.clone(),
            addr: s.addr.value,
            offset: s.offset.value,
            size: s.size.value,
            entsize: s.entsize.value,
            flags: s.flags_text.clone(),
            link: u64::from(s.link.value),
            info: u64::from(s.info.value),
            align: s.addralign.value,
        };
        check(&mut d, format!("section {}", s.index), &got, rs);
    }
    let needed: Vec<String> = elf.needed().iter().map(|s| s.to_string()).collect();
    check(&mut d, "DT_NEEDED", needed, r.needed.clone());
    let dynamic = elf.dynamic.as_ref();
    let get = |f: fn(&youcpu_core::elf::DynamicSummary) -> Option<String>| dynamic.and_then(f);
    check(
        &mut d,
        "DT_SONAME",
        get(|x| x.soname.as_ref().map(|s| s.value.clone())),
        r.soname.clone(),
    );
    check(
        &mut d,
        "DT_RPATH",
        get(|x| x.rpath.as_ref().map(|s| s.value.clone())),
        r.rpath.clone(),
    );
    check(
        &mut d,
        "DT_RUNPATH",
        get(|x| x.runpath.as_ref().map(|s| s.value.clone())),
        r.runpath.clone(),
    );
    d
}

fn check<T: PartialEq + std::fmt::Debug>(
    d: &mut Vec<String>,
    what: impl std::fmt::Display,
    ours: T,
    theirs: T,
) {
    if ours != theirs {
        d.push(format!("{what}: ours {ours:?}, readelf {theirs:?}"));
    }
}
