//! Names for numeric ELF fields, spelled as GNU readelf 2.40 (`binutils/readelf.c`) prints them
//! with `-W`: segment types (`get_segment_type`), section types (`get_section_type_name`) and
//! section flag letters (`get_elf_section_flags`). Machine and file type names are ours (readelf
//! prints long descriptions there): see [`machine`] and [`file_type`].

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

/// `e_machine` as its `EM_` constant in glibc's `<elf.h>` without the prefix: "X86_64", "386",
/// "AARCH64", "ARM", "RISCV", "PPC64", "S390", "MIPS", ... (every `EM_` value defined there; a test
/// re-reads `/usr/include/elf.h`). Other values are `"<unknown>: 0x…"`.
pub fn machine(e_machine: u16) -> String {
    let name = match e_machine {
        0 => "NONE",
        1 => "M32",
        2 => "SPARC",
        3 => "386",
        4 => "68K",
        5 => "88K",
        6 => "IAMCU",
        7 => "860",
        8 => "MIPS",
        9 => "S370",
        10 => "MIPS_RS3_LE",
        15 => "PARISC",
        17 => "VPP500",
        18 => "SPARC32PLUS",
        19 => "960",
        20 => "PPC",
        21 => "PPC64",
        22 => "S390",
        23 => "SPU",
        36 => "V800",
        37 => "FR20",
        38 => "RH32",
        39 => "RCE",
        40 => "ARM",
        41 => "FAKE_ALPHA",
        42 => "SH",
        43 => "SPARCV9",
        44 => "TRICORE",
        45 => "ARC",
        46 => "H8_300",
        47 => "H8_300H",
        48 => "H8S",
        49 => "H8_500",
        50 => "IA_64",
        51 => "MIPS_X",
        52 => "COLDFIRE",
        53 => "68HC12",
        54 => "MMA",
        55 => "PCP",
        56 => "NCPU",
        57 => "NDR1",
        58 => "STARCORE",
        59 => "ME16",
        60 => "ST100",
        61 => "TINYJ",
        62 => "X86_64",
        63 => "PDSP",
        64 => "PDP10",
        65 => "PDP11",
        66 => "FX66",
        67 => "ST9PLUS",
        68 => "ST7",
        69 => "68HC16",
        70 => "68HC11",
        71 => "68HC08",
        72 => "68HC05",
        73 => "SVX",
        74 => "ST19",
        75 => "VAX",
        76 => "CRIS",
        77 => "JAVELIN",
        78 => "FIREPATH",
        79 => "ZSP",
        80 => "MMIX",
        81 => "HUANY",
        82 => "PRISM",
        83 => "AVR",
        84 => "FR30",
        85 => "D10V",
        86 => "D30V",
        87 => "V850",
        88 => "M32R",
        89 => "MN10300",
        90 => "MN10200",
        91 => "PJ",
        92 => "OPENRISC",
        93 => "ARC_COMPACT",
        94 => "XTENSA",
        95 => "VIDEOCORE",
        96 => "TMM_GPP",
        97 => "NS32K",
        98 => "TPC",
        99 => "SNP1K",
        100 => "ST200",
        101 => "IP2K",
        102 => "MAX",
        103 => "CR",
        104 => "F2MC16",
        105 => "MSP430",
        106 => "BLACKFIN",
        107 => "SE_C33",
        108 => "SEP",
        109 => "ARCA",
        110 => "UNICORE",
        111 => "EXCESS",
        112 => "DXP",
        113 => "ALTERA_NIOS2",
        114 => "CRX",
        115 => "XGATE",
        116 => "C166",
        117 => "M16C",
        118 => "DSPIC30F",
        119 => "CE",
        120 => "M32C",
        131 => "TSK3000",
        132 => "RS08",
        133 => "SHARC",
        134 => "ECOG2",
        135 => "SCORE7",
        136 => "DSP24",
        137 => "VIDEOCORE3",
        138 => "LATTICEMICO32",
        139 => "SE_C17",
        140 => "TI_C6000",
        141 => "TI_C2000",
        142 => "TI_C5500",
        143 => "TI_ARP32",
        144 => "TI_PRU",
        160 => "MMDSP_PLUS",
        161 => "CYPRESS_M8C",
        162 => "R32C",
        163 => "TRIMEDIA",
        164 => "QDSP6",
        165 => "8051",
        166 => "STXP7X",
        167 => "NDS32",
        168 => "ECOG1X",
        169 => "MAXQ30",
        170 => "XIMO16",
        171 => "MANIK",
        172 => "CRAYNV2",
        173 => "RX",
        174 => "METAG",
        175 => "MCST_ELBRUS",
        176 => "ECOG16",
        177 => "CR16",
        178 => "ETPU",
        179 => "SLE9X",
        180 => "L10M",
        181 => "K10M",
        183 => "AARCH64",
        185 => "AVR32",
        186 => "STM8",
        187 => "TILE64",
        188 => "TILEPRO",
        189 => "MICROBLAZE",
        190 => "CUDA",
        191 => "TILEGX",
        192 => "CLOUDSHIELD",
        193 => "COREA_1ST",
        194 => "COREA_2ND",
        195 => "ARCV2",
        196 => "OPEN8",
        197 => "RL78",
        198 => "VIDEOCORE5",
        199 => "78KOR",
        200 => "56800EX",
        201 => "BA1",
        202 => "BA2",
        203 => "XCORE",
        204 => "MCHP_PIC",
        205 => "INTELGT",
        210 => "KM32",
        211 => "KMX32",
        212 => "EMX16",
        213 => "EMX8",
        214 => "KVARC",
        215 => "CDP",
        216 => "COGE",
        217 => "COOL",
        218 => "NORC",
        219 => "CSR_KALIMBA",
        220 => "Z80",
        221 => "VISIUM",
        222 => "FT32",
        223 => "MOXIE",
        224 => "AMDGPU",
        243 => "RISCV",
        247 => "BPF",
        252 => "CSKY",
        258 => "LOONGARCH",
        0x9026 => "ALPHA",
        _ => return format!("<unknown>: {e_machine:#x}"),
    };
    name.into()
}

/// `p_flags` as "rwx" with '-' for a missing permission (PF_R = 4, PF_W = 2, PF_X = 1).
pub fn segment_flags(p_flags: u32) -> String {
    let bit = |mask: u32, c: char| if p_flags & mask != 0 { c } else { '-' };
    [bit(4, 'r'), bit(2, 'w'), bit(1, 'x')].iter().collect()
}

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
