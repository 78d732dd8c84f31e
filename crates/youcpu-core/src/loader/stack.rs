//! The initial process stack, laid out like fs/exec.c (strings) and fs/binfmt_elf.c
//! `create_elf_tables` (pointers and the auxiliary vector).
//!
//! From the top (`STACK_TOP`) down: 8 bytes of zero, the exec file name (AT_EXECFN), the envp
//! strings, the argv strings (so `argv[0]` is lowest), then 16-byte alignment, the platform
//! string "x86_64", 16 random bytes (AT_RANDOM), then argc | argv pointers | NULL | envp pointers | NULL |
//! auxv pairs | AT_NULL, with the stack pointer (pointing at argc) 16-byte aligned.

use super::LoadError;
use crate::linux::errno::Errno;
use serde::Serialize;

/// Auxiliary vector keys (include/uapi/linux/auxvec.h).
pub mod at {
    /// End of vector.
    pub const NULL: u64 = 0;
    /// Program headers address.
    pub const PHDR: u64 = 3;
    /// Size of one program header.
    pub const PHENT: u64 = 4;
    /// Number of program headers.
    pub const PHNUM: u64 = 5;
    /// Page size.
    pub const PAGESZ: u64 = 6;
    /// Interpreter base address.
    pub const BASE: u64 = 7;
    /// Flags.
    pub const FLAGS: u64 = 8;
    /// Program entry point.
    pub const ENTRY: u64 = 9;
    /// Real uid.
    pub const UID: u64 = 11;
    /// Effective uid.
    pub const EUID: u64 = 12;
    /// Real gid.
    pub const GID: u64 = 13;
    /// Effective gid.
    pub const EGID: u64 = 14;
    /// Platform string address.
    pub const PLATFORM: u64 = 15;
    /// CPU capability bits (CPUID.1:EDX).
    pub const HWCAP: u64 = 16;
    /// Clock ticks per second.
    pub const CLKTCK: u64 = 17;
    /// Secure mode (setuid).
    pub const SECURE: u64 = 23;
    /// Address of 16 random bytes.
    pub const RANDOM: u64 = 25;
    /// More capability bits.
    pub const HWCAP2: u64 = 26;
    /// rseq feature size.
    pub const RSEQ_FEATURE_SIZE: u64 = 27;
    /// rseq alignment.
    pub const RSEQ_ALIGN: u64 = 28;
    /// Exec file name address.
    pub const EXECFN: u64 = 31;
    /// vDSO address (the simulator maps a stub vDSO: an ELF header without segments).
    pub const SYSINFO_EHDR: u64 = 33;
    /// Minimal signal stack size.
    pub const MINSIGSTKSZ: u64 = 51;

    /// The key's name.
    pub fn name(k: u64) -> &'static str {
        match k {
            NULL => "AT_NULL",
            PHDR => "AT_PHDR",
            PHENT => "AT_PHENT",
            PHNUM => "AT_PHNUM",
            PAGESZ => "AT_PAGESZ",
            BASE => "AT_BASE",
            FLAGS => "AT_FLAGS",
            ENTRY => "AT_ENTRY",
            UID => "AT_UID",
            EUID => "AT_EUID",
            GID => "AT_GID",
            EGID => "AT_EGID",
            PLATFORM => "AT_PLATFORM",
            HWCAP => "AT_HWCAP",
            CLKTCK => "AT_CLKTCK",
            SECURE => "AT_SECURE",
            RANDOM => "AT_RANDOM",
            HWCAP2 => "AT_HWCAP2",
            RSEQ_FEATURE_SIZE => "AT_RSEQ_FEATURE_SIZE",
            RSEQ_ALIGN => "AT_RSEQ_ALIGN",
            EXECFN => "AT_EXECFN",
            SYSINFO_EHDR => "AT_SYSINFO_EHDR",
            MINSIGSTKSZ => "AT_MINSIGSTKSZ",
            _ => "AT_?",
        }
    }
}

/// Values the kernel would take from the CPU and the credentials.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StackParams {
    /// argv strings.
    pub argv: Vec<Vec<u8>>,
    /// envp strings.
    pub envp: Vec<Vec<u8>>,
    /// The file name given to execve (AT_EXECFN).
    pub execfn: Vec<u8>,
    /// AT_UID/AT_EUID.
    pub uid: u64,
    /// AT_GID/AT_EGID.
    pub gid: u64,
    /// The 16 AT_RANDOM bytes.
    pub random: [u8; 16],
}

/// Where things went, for widgets and tests.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StackLayout {
    /// The initial RSP (points at argc).
    pub sp: u64,
    /// Address of each argv string.
    pub argv_ptrs: Vec<u64>,
    /// Address of each envp string.
    pub envp_ptrs: Vec<u64>,
    /// The auxiliary vector (key, value), AT_NULL last.
    pub auxv: Vec<(u64, u64)>,
    /// Address of AT_EXECFN's string.
    pub execfn: u64,
    /// Address of the platform string.
    pub platform: u64,
    /// Address of the random bytes.
    pub random: u64,
    /// The lowest address written.
    pub bottom: u64,
    /// The bytes from `bottom` up to the top of the stack.
    #[serde(skip)]
    pub image: Vec<u8>,
}

/// Largest total size of the argument and environment strings accepted (the kernel's limit
/// is a quarter of the stack rlimit: 2 MiB by default).
pub const MAX_ARG_BYTES: usize = 2 << 20;

/// Program facts the auxiliary vector reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct AuxProgram {
    /// AT_PHDR.
    pub phdr: u64,
    /// AT_PHNUM.
    pub phnum: u64,
    /// AT_BASE (0 without interpreter).
    pub base: u64,
    /// AT_ENTRY (the program's entry, not the interpreter's).
    pub entry: u64,
    /// AT_SYSINFO_EHDR: the vDSO's address, when one is mapped.
    pub vdso: Option<u64>,
}

/// AT_HWCAP the simulated CPU reports: CPUID.1:EDX, as Linux passes it (arch/x86/include/asm/elf.h
/// `ELF_HWCAP`), i.e. `cpu::exec::LEAF1_EDX`.
pub const HWCAP: u64 = crate::cpu::exec::LEAF1_EDX as u64;
/// AT_HWCAP2: bit 1 = FSGSBASE usable (the kernel enables it).
pub const HWCAP2: u64 = 0x2;
/// AT_MINSIGSTKSZ of the simulated CPU (legacy SSE frame, no AVX state).
pub const MINSIGSTKSZ: u64 = 2048;

/// Builds the stack image for `top` (the end of the stack region).
pub fn build(top: u64, p: &StackParams, prog: AuxProgram) -> Result<StackLayout, LoadError> {
    let total: usize = p
        .argv
        .iter()
        .chain(p.envp.iter())
        .map(|s| s.len() + 1)
        .sum::<usize>()
        + p.execfn.len()
        + 1;
    if total > MAX_ARG_BYTES {
        return Err(LoadError::new(
            Errno::E2big,
            format!(
                "argument list too long: {total} bytes of strings, the limit is {MAX_ARG_BYTES}"
            ),
        ));
    }
    if p.argv
        .iter()
        .chain(p.envp.iter())
        .chain(std::iter::once(&p.execfn))
        .any(|s| s.contains(&0))
    {
        // execve's strings end at their NUL, so a caller's string cannot hold one.
        return Err(LoadError::new(
            Errno::Einval,
            "an argument or environment string contains a NUL byte",
        ));
    }
    // fs/exec.c: bprm->p = vm_end - sizeof(void *); then the file name, envp, argv, each
    // copied top-down, so argv[0] ends up lowest.
    let mut pos = top - 8;
    let mut writes: Vec<(u64, Vec<u8>)> = Vec::new();
    let mut put_str = |pos: &mut u64, s: &[u8]| -> u64 {
        *pos -= s.len() as u64 + 1;
        let mut b = s.to_vec();
        b.push(0);
        writes.push((*pos, b));
        *pos
    };
    let execfn = put_str(&mut pos, &p.execfn);
    let mut envp_ptrs: Vec<u64> = p.envp.iter().rev().map(|s| put_str(&mut pos, s)).collect();
    envp_ptrs.reverse();
    let mut argv_ptrs: Vec<u64> = p.argv.iter().rev().map(|s| put_str(&mut pos, s)).collect();
    argv_ptrs.reverse();
    // create_elf_tables: p = arch_align_stack(p) (no randomisation: & ~15), platform string,
    // then the 16 random bytes.
    pos &= !15;
    let platform = put_str(&mut pos, b"x86_64");
    pos -= 16;
    let random = pos;
    writes.push((random, p.random.to_vec()));
    let mut auxv: Vec<(u64, u64)> = prog
        .vdso
        .map(|v| (at::SYSINFO_EHDR, v))
        .into_iter()
        .collect();
    auxv.extend([
        (at::MINSIGSTKSZ, MINSIGSTKSZ),
        (at::HWCAP, HWCAP),
        (at::PAGESZ, 4096),
        (at::CLKTCK, 100),
        (at::PHDR, prog.phdr),
        (at::PHENT, 56),
        (at::PHNUM, prog.phnum),
        (at::BASE, prog.base),
        (at::FLAGS, 0),
        (at::ENTRY, prog.entry),
        (at::UID, p.uid),
        (at::EUID, p.uid),
        (at::GID, p.gid),
        (at::EGID, p.gid),
        (at::SECURE, 0),
        (at::RANDOM, random),
        (at::HWCAP2, HWCAP2),
        (at::EXECFN, execfn),
        (at::PLATFORM, platform),
        (at::RSEQ_FEATURE_SIZE, 28),
        (at::RSEQ_ALIGN, 32),
        (at::NULL, 0),
    ]);
    let ei_words = auxv.len() as u64 * 2;
    let items = (p.argv.len() as u64 + 1) + (p.envp.len() as u64 + 1) + 1;
    let sp = (pos - ei_words * 8 - items * 8) & !15;
    let mut words: Vec<u64> = vec![p.argv.len() as u64];
    words.extend(&argv_ptrs);
    words.push(0);
    words.extend(&envp_ptrs);
    words.push(0);
    for (k, v) in &auxv {
        words.push(*k);
        words.push(*v);
    }
    let mut image = vec![0u8; (top - sp) as usize];
    for (i, w) in words.iter().enumerate() {
        let o = i * 8;
        if let Some(dst) = image.get_mut(o..o + 8) {
            dst.copy_from_slice(&w.to_le_bytes());
        }
    }
    for (a, b) in &writes {
        let o = (a - sp) as usize;
        if let Some(dst) = image.get_mut(o..o + b.len()) {
            dst.copy_from_slice(b);
        }
    }
    Ok(StackLayout {
        sp,
        argv_ptrs,
        envp_ptrs,
        auxv,
        execfn,
        platform,
        random,
        bottom: sp,
        image,
    })
}

/// The fixed seed of AT_RANDOM (the bytes are splitmix64 outputs of it), so runs repeat.
pub const RANDOM_SEED: u64 = 0x796f_7563_7075_2021;

/// 16 deterministic "random" bytes from `seed` (splitmix64).
pub fn random_bytes(seed: u64) -> [u8; 16] {
    let mut s = seed;
    let mut next = || {
        s = s.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = s;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    };
    let mut out = [0u8; 16];
    out[..8].copy_from_slice(&next().to_le_bytes());
    out[8..].copy_from_slice(&next().to_le_bytes());
    out
}
