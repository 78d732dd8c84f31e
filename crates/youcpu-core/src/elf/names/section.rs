//! Section type (`sh_type`) names and flag (`sh_flags`) letters, as readelf.c
//! `get_section_type_name` and `get_elf_section_flags`.

use super::*;

/// `sh_type` as `readelf -S -W` prints it (`get_section_type_name`).
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
        0x7000_0000..=0x7fff_ffff => {
            if machine == EM_IA_64 {
                if let Some(name) = ia64_section_type(sh_type) {
                    return name;
                }
            } else if let Some(name) = proc_section_type(sh_type, machine) {
                return name.into();
            }
            format!("LOPROC+{}", c_hex(u64::from(sh_type - 0x7000_0000)))
        }
        0x6000_0000..=0x6fff_ffff => {
            let name = if machine == EM_IA_64 {
                ia64_section_type(sh_type)
            } else if osabi == OSABI_SOLARIS {
                solaris_section_type(sh_type).map(String::from)
            } else {
                match sh_type {
                    0x6fff_4700 => Some("GNU_INCREMENTAL_INPUTS".into()),
                    0x6fff_fff5 => Some("GNU_ATTRIBUTES".into()),
                    _ => None,
                }
            };
            name.unwrap_or_else(|| format!("LOOS+{}", c_hex(u64::from(sh_type - 0x6000_0000))))
        }
        0x8000_0000..=0xffff_ffff => format!("LOUSER+{}", c_hex(u64::from(sh_type - 0x8000_0000))),
        _ => format!("{sh_type:08x}: <unknown>"),
    }
}

/// Processor-specific section types (`get_*_section_type_name` in readelf.c).
fn proc_section_type(sh_type: u32, machine: u16) -> Option<&'static str> {
    const MIPS: [&str; 44] = [
        "MIPS_LIBLIST",
        "MIPS_MSYM",
        "MIPS_CONFLICT",
        "MIPS_GPTAB",
        "MIPS_UCODE",
        "MIPS_DEBUG",
        "MIPS_REGINFO",
        "MIPS_PACKAGE",
        "MIPS_PACKSYM",
        "MIPS_RELD",
        "",
        "MIPS_IFACE",
        "MIPS_CONTENT",
        "MIPS_OPTIONS",
        "",
        "",
        "MIPS_SHDR",
        "MIPS_FDESC",
        "MIPS_EXTSYM",
        "MIPS_DENSE",
        "MIPS_PDESC",
        "MIPS_LOCSYM",
        "MIPS_AUXSYM",
        "MIPS_OPTSYM",
        "MIPS_LOCSTR",
        "MIPS_LINE",
        "MIPS_RFDESC",
        "MIPS_DELTASYM",
        "MIPS_DELTAINST",
        "MIPS_DELTACLASS",
        "MIPS_DWARF",
        "MIPS_DELTADECL",
        "MIPS_SYMBOL_LIB",
        "MIPS_EVENTS",
        "MIPS_TRANSLATE",
        "MIPS_PIXIE",
        "MIPS_XLATE",
        "MIPS_XLATE_DEBUG",
        "MIPS_WHIRL",
        "MIPS_EH_REGION",
        "MIPS_XLATE_OLD",
        "MIPS_PDR_EXCEPTION",
        "MIPS_ABIFLAGS",
        "MIPS_XHASH",
    ];
    let off = sh_type - 0x7000_0000;
    match (machine, off) {
        (EM_MIPS | EM_MIPS_RS3_LE, _) => MIPS.get(off as usize).copied().filter(|n| !n.is_empty()),
        (EM_PARISC, 0) => Some("PARISC_EXT"),
        (EM_PARISC, 1) => Some("PARISC_UNWIND"),
        (EM_PARISC, 2) => Some("PARISC_DOC"),
        (EM_PARISC, 3) => Some("PARISC_ANNOT"),
        (EM_PARISC, 4) => Some("PARISC_DLKM"),
        (EM_PARISC, 8) => Some("PARISC_SYMEXTN"),
        (EM_PARISC, 9) => Some("PARISC_STUBS"),
        (EM_X86_64 | EM_L1OM | EM_K1OM, 1) => Some("X86_64_UNWIND"),
        (EM_AARCH64, 3) => Some("AARCH64_ATTRIBUTES"),
        (EM_ARM, 1) => Some("ARM_EXIDX"),
        (EM_ARM, 2) => Some("ARM_PREEMPTMAP"),
        (EM_ARM, 3) => Some("ARM_ATTRIBUTES"),
        (EM_ARM, 4) => Some("ARM_DEBUGOVERLAY"),
        (EM_ARM, 5) => Some("ARM_OVERLAYSECTION"),
        (EM_TI_C6000, 1) => Some("C6000_UNWIND"),
        (EM_TI_C6000, 2) => Some("C6000_PREEMPTMAP"),
        (EM_TI_C6000, 3) => Some("C6000_ATTRIBUTES"),
        (EM_TI_C6000, 0x0f00_0000) => Some("TI_ICODE"),
        (EM_TI_C6000, 0x0f00_0001) => Some("TI_XREF"),
        (EM_TI_C6000, 0x0f00_0002) => Some("TI_HANDLER"),
        (EM_TI_C6000, 0x0f00_0003) => Some("TI_INITINFO"),
        (EM_TI_C6000, 0x0f00_0004) => Some("TI_PHATTRS"),
        (EM_MSP430, 3) => Some("MSP430_ATTRIBUTES"),
        (EM_MSP430, 0x0f00_0005) => Some("MSP430_SEC_FLAGS"),
        (EM_MSP430, 0x0f00_0006) => Some("MSP430_SYM_ALIASES"),
        (EM_RISCV, 3) => Some("RISCV_ATTRIBUTES"),
        (EM_CSKY, 1) => Some("CSKY_ATTRIBUTES"),
        (EM_ARC | EM_ARC_COMPACT | EM_ARC_COMPACT2, 1) => Some("ARC_ATTRIBUTES"),
        _ => None,
    }
}

/// IA-64 section types (`get_ia64_section_type_name`): with top byte 0x78 the next byte is an
/// OS ABI, named as `readelf -h` names it.
fn ia64_section_type(sh_type: u32) -> Option<String> {
    if sh_type & 0xff00_0000 == 0x7800_0000 {
        return Some(osabi_name(((sh_type >> 16) & 0xff) as u8, EM_IA_64));
    }
    let name = match sh_type {
        0x7000_0000 => "IA_64_EXT",
        0x7000_0001 => "IA_64_UNWIND",
        0x7900_0000 => "IA_64_PRIORITY_INIT",
        0x6000_0000 => "VMS_TRACE",
        0x6000_0001 => "VMS_TIE_SIGNATURES",
        0x6000_0002 => "VMS_DEBUG",
        0x6000_0003 => "VMS_DEBUG_STR",
        0x6000_0004 => "VMS_LINKAGES",
        0x6000_0005 => "VMS_SYMBOL_VECTOR",
        0x6000_0006 => "VMS_FIXUP",
        _ => return None,
    };
    Some(name.into())
}

/// Solaris section types (`get_solaris_section_type`).
fn solaris_section_type(sh_type: u32) -> Option<&'static str> {
    const NAMES: [&str; 18] = [
        "SUNW_ancillary",
        "SUNW_capchain",
        "SUNW_capinfo",
        "SUNW_symsort",
        "SUNW_tlssort",
        "SUNW_LDYNSYM",
        "SUNW_dof",
        "SUNW_cap",
        "SUNW_SIGNATURE",
        "SUNW_ANNOTATE",
        "SUNW_DEBUGSTR",
        "SUNW_DEBUG",
        "SUNW_move",
        "SUNW_COMDAT",
        "SUNW_syminfo",
        "SUNW_verdef",
        "SUNW_verneed",
        "SUNW_versym",
    ];
    let i = sh_type.checked_sub(0x6fff_ffee)?;
    NAMES.get(i as usize).copied()
}

/// `sh_flags` as readelf's key letters (`get_elf_section_flags`), lowest bit first: W A X M S I
/// L O G T C E; machine letters (x86-64 'l' large, ARM 'y' purecode, PPC 'v' VLE); GNU 'R'
/// (retain, GNU and FreeBSD ABIs) and 'D' (mbind, also the System V ABI); 'o' once for the other
/// OS bits, 'p' once for the other processor bits, 'x' for each unknown bit. As in readelf, 'p'
/// also drops every bit above 31 (C's `~SHF_MASKPROC` is a 32-bit unsigned value).
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
                let gnu = matches!(osabi, OSABI_GNU | OSABI_FREEBSD);
                if gnu && f == 0x0020_0000 {
                    'R'
                } else if (gnu || osabi == OSABI_NONE) && f == 0x0100_0000 {
                    'D'
                } else {
                    rest &= !MASKOS;
                    'o'
                }
            }
            f if f & MASKPROC != 0 => {
                rest &= !MASKPROC & 0xffff_ffff;
                'p'
            }
            _ => 'x',
        };
        out.push(c);
    }
    out
}
