//! Names for numeric ELF fields, spelled as GNU readelf 2.40 (`binutils/readelf.c`) prints them
//! with `-W`: segment types (`get_segment_type`), section types (`get_section_type_name`) and
//! section flag letters (`get_elf_section_flags`). Machine and file type names are ours (readelf
//! prints long descriptions there): see [`machine`] and [`file_type`].

/// `ELFOSABI_NONE`, `ELFOSABI_GNU`, `ELFOSABI_SOLARIS`, `ELFOSABI_FREEBSD`.
const OSABI_NONE: u8 = 0;
const OSABI_GNU: u8 = 3;
const OSABI_SOLARIS: u8 = 6;
const OSABI_FREEBSD: u8 = 9;

/// `e_machine` values that change how readelf names things.
const EM_MIPS: u16 = 8;
const EM_PARISC: u16 = 15;
const EM_PPC: u16 = 20;
const EM_ARM: u16 = 40;
const EM_IA_64: u16 = 50;
const EM_X86_64: u16 = 62;
const EM_L1OM: u16 = 180;
const EM_K1OM: u16 = 181;
const EM_AARCH64: u16 = 183;
const EM_RISCV: u16 = 243;
const EM_S390: u16 = 22;
const EM_TI_C6000: u16 = 140;

/// `%#x` in C: "0" for zero, "0x..." otherwise.
fn c_hex(v: u64) -> String {
    if v == 0 {
        "0".into()
    } else {
        format!("{v:#x}")
    }
}

/// `e_type` as "NONE", "REL", "EXEC", "DYN" or "CORE" (the word readelf prints first). Others:
/// "LOOS+0x…" (0xfe00-0xfeff), "LOPROC+0x…" (0xff00-0xffff), or "<unknown>: 0x…".
pub fn file_type(e_type: u16) -> String {
    match e_type {
        0 => "NONE".into(),
        1 => "REL".into(),
        2 => "EXEC".into(),
        3 => "DYN".into(),
        4 => "CORE".into(),
        0xfe00..=0xfeff => format!("LOOS+{}", c_hex(u64::from(e_type - 0xfe00))),
        0xff00..=0xffff => format!("LOPROC+{}", c_hex(u64::from(e_type - 0xff00))),
        _ => format!("<unknown>: {e_type:#x}"),
    }
}

/// `e_machine` as its `EM_` constant from `<elf.h>` without the prefix ("X86_64", "386",
/// "AARCH64", ...). Values not in the table are "<unknown>: 0x…".
pub fn machine(e_machine: u16) -> String {
    let name = match e_machine {
        0 => "NONE",
        2 => "SPARC",
        3 => "386",
        4 => "68K",
        6 => "IAMCU",
        8 => "MIPS",
        10 => "MIPS_RS3_LE",
        15 => "PARISC",
        18 => "SPARC32PLUS",
        20 => "PPC",
        21 => "PPC64",
        22 => "S390",
        40 => "ARM",
        42 => "SH",
        43 => "SPARCV9",
        50 => "IA_64",
        62 => "X86_64",
        140 => "TI_C6000",
        183 => "AARCH64",
        243 => "RISCV",
        247 => "BPF",
        258 => "LOONGARCH",
        _ => return format!("<unknown>: {e_machine:#x}"),
    };
    name.into()
}

/// `p_flags` as "rwx" with '-' for a missing permission (PF_R = 4, PF_W = 2, PF_X = 1).
pub fn segment_flags(p_flags: u32) -> String {
    let bit = |mask: u32, c: char| if p_flags & mask != 0 { c } else { '-' };
    [bit(4, 'r'), bit(2, 'w'), bit(1, 'x')].iter().collect()
}

/// `p_type` as `readelf -l` prints it.
pub fn segment_type(p_type: u32, machine: u16, osabi: u8) -> String {
    let fixed = match p_type {
        0 => Some("NULL"),
        1 => Some("LOAD"),
        2 => Some("DYNAMIC"),
        3 => Some("INTERP"),
        4 => Some("NOTE"),
        5 => Some("SHLIB"),
        6 => Some("PHDR"),
        7 => Some("TLS"),
        0x6474_e550 => Some("GNU_EH_FRAME"),
        0x6474_e551 => Some("GNU_STACK"),
        0x6474_e552 => Some("GNU_RELRO"),
        0x6474_e553 => Some("GNU_PROPERTY"),
        0x6474_e554 => Some("GNU_SFRAME"),
        0x65a3_dbe5 => Some("OPENBSD_MUTABLE"),
        0x65a3_dbe6 => Some("OPENBSD_RANDOMIZE"),
        0x65a3_dbe7 => Some("OPENBSD_WXNEEDED"),
        0x65a4_1be6 => Some("OPENBSD_BOOTDATA"),
        _ => None,
    };
    if let Some(name) = fixed {
        return name.into();
    }
    match p_type {
        0x7000_0000..=0x7fff_ffff => match proc_segment_type(p_type, machine) {
            Some(name) => name.into(),
            None => format!("LOPROC+{}", c_hex(u64::from(p_type - 0x7000_0000))),
        },
        0x6000_0000..=0x6fff_ffff => {
            if let Some(name) = os_segment_type(p_type, machine, osabi) {
                return name.into();
            }
            if (0x6474_e555..=0x6474_e555 + 0xfff).contains(&p_type) {
                format!("GNU_MBIND+{}", c_hex(u64::from(p_type - 0x6474_e555)))
            } else {
                format!("LOOS+{}", c_hex(u64::from(p_type - 0x6000_0000)))
            }
        }
        _ => format!("<unknown>: {p_type:x}"),
    }
}

/// Processor-specific segment types (`get_*_segment_type` in readelf.c).
fn proc_segment_type(p_type: u32, machine: u16) -> Option<&'static str> {
    let off = p_type - 0x7000_0000;
    match (machine, off) {
        (EM_AARCH64, 2) => Some("AARCH64_MEMTAG_MTE"),
        (EM_ARM, 1) => Some("EXIDX"),
        (EM_MIPS, 0) => Some("REGINFO"),
        (EM_MIPS, 1) => Some("RTPROC"),
        (EM_MIPS, 2) => Some("OPTIONS"),
        (EM_MIPS, 3) => Some("ABIFLAGS"),
        (EM_PARISC, 0) => Some("PARISC_ARCHEXT"),
        (EM_PARISC, 1) => Some("PARISC_UNWIND"),
        (EM_IA_64, 0) => Some("IA_64_ARCHEXT"),
        (EM_IA_64, 1) => Some("IA_64_UNWIND"),
        (EM_TI_C6000, 0) => Some("C6000_PHATTR"),
        (EM_RISCV, 3) => Some("RISCV_ATTRIBUT"),
        (EM_S390, 0) => Some("S390_PGSTE"),
        _ => None,
    }
}

/// OS-specific segment types that depend on the machine or the OS ABI.
fn os_segment_type(p_type: u32, machine: u16, osabi: u8) -> Option<&'static str> {
    let _ = machine;
    if osabi == OSABI_SOLARIS {
        return match p_type {
            0x6464_e550 => Some("PT_SUNW_UNWIND"),
            0x6ffffffa => Some("PT_SUNWBSS"),
            0x6ffffffb => Some("PT_SUNWSTACK"),
            0x6ffffffc => Some("PT_SUNWDTRACE"),
            0x6ffffffd => Some("PT_SUNWCAP"),
            _ => None,
        };
    }
    None
}

/// `sh_type` as `readelf -S -W` prints it.
pub fn section_type(sh_type: u32, machine: u16, osabi: u8) -> String {
    let fixed = match sh_type {
        0 => Some("NULL"),
        1 => Some("PROGBITS"),
        2 => Some("SYMTAB"),
        3 => Some("STRTAB"),
        4 => Some("RELA"),
        5 => Some("HASH"),
        6 => Some("DYNAMIC"),
        7 => Some("NOTE"),
        8 => Some("NOBITS"),
        9 => Some("REL"),
        10 => Some("SHLIB"),
        11 => Some("DYNSYM"),
        14 => Some("INIT_ARRAY"),
        15 => Some("FINI_ARRAY"),
        16 => Some("PREINIT_ARRAY"),
        17 => Some("GROUP"),
        18 => Some("SYMTAB SECTION INDICES"),
        19 => Some("RELR"),
        0x6fff_fff4 => Some("GNU_SFRAME"),
        0x6fff_fff5 => Some("GNU_ATTRIBUTES"),
        0x6fff_fff6 => Some("GNU_HASH"),
        0x6fff_fff7 => Some("GNU_LIBLIST"),
        0x6fff_fffd => Some("VERDEF"),
        0x6fff_fffe => Some("VERNEED"),
        0x6fff_ffff => Some("VERSYM"),
        0x6fff_fff0 => Some("VERSYM"),
        0x6fff_fffc => Some("VERDEF"),
        0x7fff_fffd => Some("AUXILIARY"),
        0x7fff_ffff => Some("FILTER"),
        _ => None,
    };
    if let Some(name) = fixed {
        return name.into();
    }
    match sh_type {
        0x7000_0000..=0x7fff_ffff => match proc_section_type(sh_type, machine) {
            Some(name) => name.into(),
            None => format!("LOPROC+{}", c_hex(u64::from(sh_type - 0x7000_0000))),
        },
        0x6000_0000..=0x6fff_ffff => {
            let _ = osabi;
            format!("LOOS+{}", c_hex(u64::from(sh_type - 0x6000_0000)))
        }
        0x8000_0000..=0xffff_ffff => format!("LOUSER+{}", c_hex(u64::from(sh_type - 0x8000_0000))),
        _ => format!("<unknown>: {}", c_hex(u64::from(sh_type))),
    }
}

/// Processor-specific section types (`get_*_section_type_name` in readelf.c).
fn proc_section_type(sh_type: u32, machine: u16) -> Option<&'static str> {
    let off = sh_type - 0x7000_0000;
    match (machine, off) {
        (EM_X86_64 | EM_L1OM | EM_K1OM, 1) => Some("X86_64_UNWIND"),
        (EM_AARCH64, 3) => Some("AARCH64_ATTRIBUTES"),
        (EM_ARM, 1) => Some("ARM_EXIDX"),
        (EM_ARM, 2) => Some("ARM_PREEMPTMAP"),
        (EM_ARM, 3) => Some("ARM_ATTRIBUTES"),
        (EM_ARM, 4) => Some("ARM_DEBUGOVERLAY"),
        (EM_ARM, 5) => Some("ARM_OVERLAYSECTION"),
        (EM_RISCV, 3) => Some("RISCV_ATTRIBUTES"),
        _ => None,
    }
}

/// `sh_flags` as readelf's key letters, lowest bit first: W A X M S I L O G T C, then
/// machine letters (x86-64 'l' large, ARM 'y' purecode, PPC 'v' VLE), GNU 'R' (retain) and 'D'
/// (mbind), 'o' for other OS bits, 'E' (exclude), 'p' for other processor bits, 'x' unknown.
pub fn section_flags(sh_flags: u64, machine: u16, osabi: u8) -> String {
    const MASKOS: u64 = 0x0ff0_0000;
    const MASKPROC: u64 = 0xf000_0000;
    let mut out = String::new();
    let mut rest = sh_flags;
    while rest != 0 {
        let flag = rest & rest.wrapping_neg();
        rest &= !flag;
        let c = match flag {
            0x1 => 'W',
            0x2 => 'A',
            0x4 => 'X',
            0x10 => 'M',
            0x20 => 'S',
            0x40 => 'I',
            0x80 => 'L',
            0x100 => 'O',
            0x200 => 'G',
            0x400 => 'T',
            0x800 => 'C',
            0x8000_0000 => 'E',
            0x1000_0000 if matches!(machine, EM_X86_64 | EM_L1OM | EM_K1OM) => 'l',
            0x2000_0000 if machine == EM_ARM => 'y',
            0x1000_0000 if machine == EM_PPC => 'v',
            f if f & MASKOS != 0 => {
                let gnu = matches!(osabi, OSABI_NONE | OSABI_GNU | OSABI_FREEBSD);
                if gnu && f == 0x0020_0000 {
                    'R'
                } else if gnu && f == 0x0100_0000 {
                    'D'
                } else {
                    rest &= !MASKOS;
                    'o'
                }
            }
            f if f & MASKPROC != 0 => {
                rest &= !MASKPROC;
                'p'
            }
            _ => 'x',
        };
        out.push(c);
    }
    out
}
