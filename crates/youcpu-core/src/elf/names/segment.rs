//! Segment (`p_type`) names, as readelf.c `get_segment_type`.

use super::*;

/// `p_type` as readelf's `get_segment_type` names it. (`readelf -l` prints it in a 14-column
/// field, so longer names appear cut there; this is the full name.)
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
            const MBIND_LO: u32 = 0x6474_e555;
            match osabi {
                OSABI_GNU | OSABI_FREEBSD if (MBIND_LO..=MBIND_LO + 0xfff).contains(&p_type) => {
                    return format!("GNU_MBIND+{}", c_hex(u64::from(p_type - MBIND_LO)));
                }
                OSABI_HPUX => {
                    if let Some(name) = hpux_segment_type(p_type, machine) {
                        return name.into();
                    }
                }
                OSABI_SOLARIS => {
                    if let Some(name) = solaris_segment_type(p_type) {
                        return name.into();
                    }
                }
                _ => {}
            }
            format!("LOOS+{}", c_hex(u64::from(p_type - 0x6000_0000)))
        }
        _ => format!("<unknown>: {p_type:x}"),
    }
}

/// Processor-specific segment types (`get_*_segment_type` in readelf.c).
fn proc_segment_type(p_type: u32, machine: u16) -> Option<&'static str> {
    let off = p_type - 0x7000_0000;
    match (machine, off) {
        (EM_AARCH64, 0) => Some("AARCH64_ARCHEXT"),
        (EM_AARCH64, 2) => Some("AARCH64_MEMTAG_MTE"),
        (EM_ARM, 1) => Some("EXIDX"),
        (EM_MIPS | EM_MIPS_RS3_LE, 0) => Some("REGINFO"),
        (EM_MIPS | EM_MIPS_RS3_LE, 1) => Some("RTPROC"),
        (EM_MIPS | EM_MIPS_RS3_LE, 2) => Some("OPTIONS"),
        (EM_MIPS | EM_MIPS_RS3_LE, 3) => Some("ABIFLAGS"),
        (EM_PARISC, 0) => Some("PARISC_ARCHEXT"),
        (EM_PARISC, 1) => Some("PARISC_UNWIND"),
        (EM_PARISC, 2) => Some("PARISC_WEAKORDER"),
        (EM_IA_64, 0) => Some("IA_64_ARCHEXT"),
        (EM_IA_64, 1) => Some("IA_64_UNWIND"),
        (EM_TI_C6000, 0) => Some("C6000_PHATTR"),
        (EM_S390 | EM_S390_OLD, 0) => Some("S390_PGSTE"),
        (EM_RISCV, 3) => Some("RISCV_ATTRIBUTES"),
        _ => None,
    }
}

/// HP-UX segment types (`get_hpux_segment_type`).
fn hpux_segment_type(p_type: u32, machine: u16) -> Option<&'static str> {
    match (machine, p_type - 0x6000_0000) {
        (EM_PARISC | EM_IA_64, 0) => Some("HP_TLS"),
        (EM_PARISC, 0x1) => Some("HP_CORE_NONE"),
        (EM_PARISC, 0x2) => Some("HP_CORE_VERSION"),
        (EM_PARISC, 0x3) => Some("HP_CORE_KERNEL"),
        (EM_PARISC, 0x4) => Some("HP_CORE_COMM"),
        (EM_PARISC, 0x5) => Some("HP_CORE_PROC"),
        (EM_PARISC, 0x6) => Some("HP_CORE_LOADABLE"),
        (EM_PARISC, 0x7) => Some("HP_CORE_STACK"),
        (EM_PARISC, 0x8) => Some("HP_CORE_SHM"),
        (EM_PARISC, 0x9) => Some("HP_CORE_MMF"),
        (EM_PARISC, 0x10) => Some("HP_PARALLEL"),
        (EM_PARISC, 0x11) => Some("HP_FASTBIND"),
        (EM_PARISC | EM_IA_64, 0x12) => Some("HP_OPT_ANNOT"),
        (EM_PARISC | EM_IA_64, 0x13) => Some("HP_HSL_ANNOT"),
        (EM_PARISC | EM_IA_64, 0x14) => Some("HP_STACK"),
        (EM_PARISC, 0x15) => Some("HP_CORE_UTSNAME"),
        _ => None,
    }
}

/// Solaris segment types (`get_solaris_segment_type`).
fn solaris_segment_type(p_type: u32) -> Option<&'static str> {
    match p_type {
        0x6464_e550 => Some("PT_SUNW_UNWIND"),
        0x6fff_fff7 => Some("PT_LOSUNW"),
        0x6fff_fffa => Some("PT_SUNWBSS"),
        0x6fff_fffb => Some("PT_SUNWSTACK"),
        0x6fff_fffc => Some("PT_SUNWDTRACE"),
        0x6fff_fffd => Some("PT_SUNWCAP"),
        0x6fff_ffff => Some("PT_HISUNW"),
        _ => None,
    }
}
