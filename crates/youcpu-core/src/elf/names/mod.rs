//! Names for numeric ELF fields, spelled as GNU readelf 2.40 (`binutils/readelf.c`) prints them
//! with `-W`: segment types (`get_segment_type`), section types (`get_section_type_name`) and
//! section flag letters (`get_elf_section_flags`). Machine and file type names are ours (readelf
//! prints long descriptions there): see [`machine`] and [`file_type`].
//!
//! One file per table: [`segment_type`] (segment.rs), [`section_type`] and [`section_flags`]
//! (section.rs), [`machine`] (machine.rs, from glibc's `<elf.h>`).

mod machine;
mod section;
mod segment;

pub use machine::machine;
pub use section::{section_flags, section_type};
pub use segment::segment_type;

/// `ELFOSABI_NONE`, `ELFOSABI_GNU`, `ELFOSABI_SOLARIS`, `ELFOSABI_FREEBSD`.
const OSABI_NONE: u8 = 0;
const OSABI_HPUX: u8 = 1;
const OSABI_GNU: u8 = 3;
const OSABI_SOLARIS: u8 = 6;
const OSABI_FREEBSD: u8 = 9;

/// `e_machine` values that change how readelf names things.
const EM_MIPS: u16 = 8;
const EM_MIPS_RS3_LE: u16 = 10;
const EM_S390_OLD: u16 = 0xa390;
const EM_ARC: u16 = 45;
const EM_ARC_COMPACT: u16 = 93;
const EM_ARC_COMPACT2: u16 = 195;
const EM_MSP430: u16 = 105;
const EM_CSKY: u16 = 252;
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
/// "LOOS+0x…" (0xfe00-0xfeff), "LOPROC+0x…" (0xff00-0xffff), or `"<unknown>: 0x…"`.
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

/// `p_flags` as "rwx" with '-' for a missing permission (PF_R = 4, PF_W = 2, PF_X = 1).
pub fn segment_flags(p_flags: u32) -> String {
    let bit = |mask: u32, c: char| if p_flags & mask != 0 { c } else { '-' };
    [bit(4, 'r'), bit(2, 'w'), bit(1, 'x')].iter().collect()
}

/// `EI_OSABI` as `readelf -h` prints it (`get_osabi_name`); values from 64 up mean something
/// only for some machines; the rest are `"<unknown: N>"` in hex.
pub fn osabi_name(osabi: u8, machine: u16) -> String {
    let name = match osabi {
        0 => "UNIX - System V",
        1 => "UNIX - HP-UX",
        2 => "UNIX - NetBSD",
        3 => "UNIX - GNU",
        6 => "UNIX - Solaris",
        7 => "UNIX - AIX",
        8 => "UNIX - IRIX",
        9 => "UNIX - FreeBSD",
        10 => "UNIX - TRU64",
        11 => "Novell - Modesto",
        12 => "UNIX - OpenBSD",
        13 => "VMS - OpenVMS",
        14 => "HP - Non-Stop Kernel",
        15 => "AROS",
        16 => "FenixOS",
        17 => "Nuxi CloudABI",
        18 => "Stratus Technologies OpenVOS",
        64..=255 => match (machine, osabi) {
            (224, 64) => "AMD HSA",
            (224, 65) => "AMD PAL",
            (224, 66) => "AMD Mesa3D",
            (EM_ARM, 97) => "ARM",
            (EM_ARM, 65) => "ARM FDPIC",
            (EM_MSP430 | 0x1059 | 221, 255) => "Standalone App",
            (EM_TI_C6000, 64) => "Bare-metal C6000",
            (EM_TI_C6000, 65) => "Linux C6000",
            _ => return format!("<unknown: {osabi:x}>"),
        },
        _ => return format!("<unknown: {osabi:x}>"),
    };
    name.into()
}
