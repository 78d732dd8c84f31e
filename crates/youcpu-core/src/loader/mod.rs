//! Loading an ELF executable the way Linux's `load_elf_binary` (fs/binfmt_elf.c) does: check
//! the header, choose the load bias (0 for ET_EXEC, ELF_ET_DYN_BASE for PIE), map each PT_LOAD
//! with its permissions through the page tables, zero the tail of the last file page and map
//! anonymous pages for the rest of the BSS, map the PT_INTERP interpreter at its own base, set
//! the program break, and build the initial stack ([`stack`]).

pub mod pages;
pub mod stack;
pub mod steps;

use crate::linux::errno::Errno;
use crate::linux::mm::{
    page_up, AddressSpace, Prot, Vma, VmaKind, ELF_ET_DYN_BASE, MMAP_BASE, STACK_LIMIT, STACK_TOP,
};
use crate::mmu::phys::{OutOfMemory, PAGE_SIZE};
use crate::mmu::Mmu;
use goblin::container::{Container, Ctx, Endian};
use goblin::elf::header::{EM_X86_64, ET_DYN, ET_EXEC};
use goblin::elf::program_header::{ProgramHeader, PF_W, PF_X, PT_INTERP, PT_LOAD};
use goblin::elf::Elf;
use serde::Serialize;
use stack::{AuxProgram, StackLayout, StackParams};
use std::fmt;

pub use crate::linux::layout::MMAP_MIN_ADDR;

/// Largest executable accepted (bounds the work and the memory).
pub const MAX_FILE: usize = 64 << 20;

/// One mapped PT_LOAD segment, for widgets.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LoadedSegment {
    /// Start address (with the bias).
    pub vaddr: u64,
    /// Bytes from the file.
    pub filesz: u64,
    /// Bytes in memory (the rest is BSS, zeroed).
    pub memsz: u64,
    /// File offset.
    pub offset: u64,
    /// Permissions.
    pub prot: Prot,
    /// True for the interpreter's segments.
    pub interp: bool,
}

/// What loading produced.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LoadInfo {
    /// Where execution starts (the interpreter's entry for a dynamic program).
    pub start: u64,
    /// The program's own entry (AT_ENTRY).
    pub entry: u64,
    /// Load bias added to the program's addresses.
    pub bias: u64,
    /// The interpreter named by PT_INTERP.
    pub interp: Option<String>,
    /// The interpreter's base (AT_BASE), 0 without one.
    pub interp_base: u64,
    /// The program break after loading.
    pub brk: u64,
    /// Segments mapped.
    pub segments: Vec<LoadedSegment>,
    /// The initial stack.
    pub stack: StackLayout,
}

/// Why a program could not be loaded: the errno execve returns for it and one line that says
/// why. Shown as `why (ERRNO)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadError {
    /// What execve returns (`ENOEXEC` for a file no handler takes, `ELIBBAD` for a bad
    /// interpreter, `ENOMEM`, `E2BIG`, ...).
    pub errno: Errno,
    /// One line, without the errno.
    pub reason: String,
}

impl LoadError {
    /// An error with its errno and reason.
    pub fn new(errno: Errno, reason: impl Into<String>) -> Self {
        LoadError {
            errno,
            reason: reason.into(),
        }
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.reason, self.errno.name())
    }
}

impl std::error::Error for LoadError {}

impl From<LoadError> for String {
    fn from(e: LoadError) -> String {
        e.to_string()
    }
}

impl From<OutOfMemory> for LoadError {
    fn from(e: OutOfMemory) -> Self {
        LoadError::new(Errno::Enomem, e.to_string())
    }
}

struct Image<'a> {
    bytes: &'a [u8],
    e_type: u16,
    entry: u64,
    phoff: u64,
    phdrs: Vec<ProgramHeader>,
}

/// A path from the file, fit for a one-line message: control characters escaped (a PT_INTERP
/// may hold newlines), at most [`SHOWN_PATH_CHARS`] characters.
fn shown_path(name: &str) -> String {
    let escaped: String = name.escape_debug().collect();
    if escaped.chars().count() > SHOWN_PATH_CHARS {
        let head: String = escaped.chars().take(SHOWN_PATH_CHARS).collect();
        format!("{head}…")
    } else {
        escaped
    }
}

/// The longest path [`shown_path`] shows, in characters.
const SHOWN_PATH_CHARS: usize = 120;

/// Checks the ELF header and reads the program headers of the program or, with `interp`,
/// of its interpreter. A file that is no x86-64 ELF executable is ENOEXEC for the program
/// (no handler takes it) and ELIBBAD for the interpreter (load_elf_binary: "Not an ELF
/// interpreter"); program headers past the end of the file are EIO (elf_read's short read).
fn parse<'a>(bytes: &'a [u8], what: &str, interp: bool) -> Result<Image<'a>, LoadError> {
    let bad = |reason: String| {
        let errno = if interp {
            Errno::Elibbad
        } else {
            Errno::Enoexec
        };
        LoadError::new(errno, format!("{what}: {reason}"))
    };
    if bytes.len() > MAX_FILE {
        // The model's bound on the work and memory of a load; Linux has none.
        return Err(LoadError::new(
            Errno::Efbig,
            format!(
                "{what}: file too large ({} bytes; the limit is {MAX_FILE})",
                bytes.len()
            ),
        ));
    }
    if bytes.get(..4) != Some(b"\x7fELF".as_slice()) {
        return Err(bad(
            "not an ELF file: the first bytes are not 7f 45 4c 46".into()
        ));
    }
    let h = Elf::parse_header(bytes).map_err(|e| bad(format!("bad ELF header: {e}")))?;
    if h.e_ident.get(4) != Some(&2) || h.e_ident.get(5) != Some(&1) {
        return Err(bad("not a 64-bit little-endian ELF".into()));
    }
    if h.e_machine != EM_X86_64 {
        return Err(bad(format!("built for machine {} not x86-64", h.e_machine)));
    }
    if h.e_type != ET_EXEC && h.e_type != ET_DYN {
        return Err(bad(format!(
            "ELF type {} is neither an executable nor a shared object",
            h.e_type
        )));
    }
    if h.e_phentsize != 56 || h.e_phnum == 0 || usize::from(h.e_phnum) > 65536 / 56 {
        return Err(bad(format!(
            "bad program header table ({} entries of {} bytes)",
            h.e_phnum, h.e_phentsize
        )));
    }
    let ctx = Ctx::new(Container::Big, Endian::Little);
    let beyond = || {
        LoadError::new(
            Errno::Eio,
            format!("{what}: program headers beyond the end of the file"),
        )
    };
    let off = usize::try_from(h.e_phoff).map_err(|_| beyond())?;
    let end = off
        .checked_add(usize::from(h.e_phnum) * 56)
        .filter(|&e| e <= bytes.len());
    if end.is_none() {
        return Err(beyond());
    }
    let phdrs = ProgramHeader::parse(bytes, off, usize::from(h.e_phnum), ctx)
        .map_err(|e| bad(format!("bad program headers: {e}")))?;
    Ok(Image {
        bytes,
        e_type: h.e_type,
        entry: h.e_entry,
        phoff: h.e_phoff,
        phdrs,
    })
}

/// Copies into pages just mapped; a failure is the kernel's own bug or a page it could not map
/// (clear_user's EFAULT in padzero).
fn poke(mm: &AddressSpace, mmu: &mut Mmu, vaddr: u64, data: &[u8]) -> Result<(), LoadError> {
    mm.poke(mmu, vaddr, data)
        .map_err(|m| LoadError::new(Errno::Efault, m.to_string()))
}

fn prot_of(ph: &ProgramHeader) -> Prot {
    // x86 pages are always readable when present.
    Prot {
        read: true,
        write: ph.p_flags & PF_W != 0,
        exec: ph.p_flags & PF_X != 0,
    }
}

/// Maps the PT_LOAD segments of `img` at `bias`; returns the highest end of file data and of
/// memory (elf_bss / elf_brk).
fn map_segments(
    mmu: &mut Mmu,
    mm: &mut AddressSpace,
    img: &Image,
    bias: u64,
    interp: bool,
    out: &mut Vec<LoadedSegment>,
) -> Result<u64, LoadError> {
    let mut brk = 0u64;
    for ph in img.phdrs.iter().filter(|p| p.p_type == PT_LOAD) {
        if ph.p_filesz > ph.p_memsz {
            return Err(LoadError::new(
                Errno::Einval,
                "a PT_LOAD segment has p_filesz > p_memsz",
            ));
        }
        let vaddr = ph
            .p_vaddr
            .checked_add(bias)
            .ok_or_else(|| LoadError::new(Errno::Einval, "segment address overflows"))?;
        let vend = vaddr
            .checked_add(ph.p_memsz)
            .filter(|&e| e <= STACK_TOP)
            .ok_or_else(|| {
                LoadError::new(
                    Errno::Enomem,
                    format!("segment at {vaddr:#x} does not fit below the top of user space"),
                )
            })?;
        if ph.p_offset % PAGE_SIZE != ph.p_vaddr % PAGE_SIZE {
            return Err(LoadError::new(
                Errno::Einval,
                format!(
                    "segment at {vaddr:#x}: file offset and address disagree modulo the page size"
                ),
            ));
        }
        if ph
            .p_offset
            .checked_add(ph.p_filesz)
            .is_none_or(|e| e > img.bytes.len() as u64)
        {
            // Linux maps such a segment and a touch past the end of the file raises SIGBUS;
            // this loader copies the file's bytes, so it refuses the file instead.
            return Err(LoadError::new(
                Errno::Enoexec,
                format!("segment at {vaddr:#x} extends past the end of the file"),
            ));
        }
        let prot = prot_of(ph);
        let start = vaddr & !(PAGE_SIZE - 1);
        if start < MMAP_MIN_ADDR {
            return Err(LoadError::new(
                Errno::Eperm,
                format!("segment at {vaddr:#x} lies below vm.mmap_min_addr ({MMAP_MIN_ADDR:#x})"),
            ));
        }
        let file_end = vaddr + ph.p_filesz;
        // elf_map (see [`pages`]): the file pages are mapped now; the anonymous BSS pages
        // after them (vm_brk in the kernel) get a frame on first touch, through the
        // page-fault handler.
        let pages = pages::SegmentPages::of(vaddr, ph.p_filesz, ph.p_memsz, ph.p_offset);
        let (end, file_base) = (pages.end, pages.file_offset);
        let mut a = start;
        while a < end.min(pages.file_end) {
            mm.map_now(mmu, a, prot)?;
            if ph.p_filesz > 0 {
                let o = (file_base + (a - start)) as usize;
                let n = (PAGE_SIZE as usize).min(img.bytes.len().saturating_sub(o));
                if let Some(src) = img.bytes.get(o..o + n) {
                    poke(mm, mmu, a, src)?;
                }
            }
            a += PAGE_SIZE;
        }
        // padzero: clear from the end of the file data to the end of its page when BSS follows.
        if ph.p_memsz > ph.p_filesz && ph.p_filesz > 0 && !file_end.is_multiple_of(PAGE_SIZE) {
            let n = (PAGE_SIZE - file_end % PAGE_SIZE) as usize;
            poke(mm, mmu, file_end, &vec![0u8; n])?;
        }
        mm.carve(start, end);
        // fs/binfmt_elf.c elf_load: the file pages are a mapping of the file (named after it
        // by [`crate::linux`]'s exec); the BSS pages past them are anonymous (vm_brk_flags).
        let file_end = pages.file_end.min(end);
        if file_end > start {
            mm.add(Vma::new(start, file_end, prot, VmaKind::Elf));
        }
        if end > file_end {
            mm.add(Vma::new(file_end, end, prot, VmaKind::Elf));
        }
        out.push(LoadedSegment {
            vaddr,
            filesz: ph.p_filesz,
            memsz: ph.p_memsz,
            offset: ph.p_offset,
            prot,
            interp,
        });
        brk = brk.max(vend);
    }
    if brk == 0 {
        return Err(LoadError::new(
            Errno::Enoexec,
            "no PT_LOAD segment: nothing to map",
        ));
    }
    Ok(brk)
}

/// Where the vDSO goes for a static program: the first top-down mapping below the mmap base,
/// as on the real kernel with randomisation off (two pages of vDSO, six of vvar below them);
/// below the interpreter for a dynamic one.
pub const VDSO_BASE: u64 = MMAP_BASE - 2 * PAGE_SIZE;

/// Maps a stub vDSO: a valid ELF image with no symbols (one PT_LOAD over its two pages and a
/// PT_DYNAMIC holding only DT_NULL), so that a C library looking for vDSO functions
/// (glibc's `setup_vdso` and `dl_vdso_vsym`, musl's `vdsosym`) finds none and makes real
/// system calls; the vvar pages are reserved.
fn map_vdso(mmu: &mut Mmu, mm: &mut AddressSpace) -> Result<u64, LoadError> {
    // arch/x86/entry/vdso/vma.c map_vdso: the vvar pages and the vDSO go top-down below
    // what is mapped already (the interpreter), the vDSO above its vvar pages.
    let vdso_base = mm
        .find_free_topdown(8 * PAGE_SIZE, MMAP_BASE)
        .ok_or_else(|| LoadError::new(Errno::Enomem, "no room for the vDSO"))?
        + 6 * PAGE_SIZE;
    let prot = Prot::RX;
    for i in 0..2 {
        mm.map_now(mmu, vdso_base + i * PAGE_SIZE, prot)?;
    }
    let mut h = [0u8; 0x110];
    h[..7].copy_from_slice(b"\x7fELF\x02\x01\x01");
    h[16] = 3; // ET_DYN
    h[18] = 62; // EM_X86_64
    h[20] = 1; // EV_CURRENT
    h[32] = 64; // e_phoff
    h[52] = 64; // e_ehsize
    h[54] = 56; // e_phentsize
    h[56] = 2; // e_phnum
    h[58] = 64; // e_shentsize
    let phdr = |t: u32, flags: u32, off: u64, size: u64| {
        let mut p = [0u8; 56];
        p[..4].copy_from_slice(&t.to_le_bytes());
        p[4..8].copy_from_slice(&flags.to_le_bytes());
        for at in [8, 16, 24] {
            p[at..at + 8].copy_from_slice(&off.to_le_bytes()); // offset, vaddr, paddr
        }
        p[32..40].copy_from_slice(&size.to_le_bytes());
        p[40..48].copy_from_slice(&size.to_le_bytes());
        p[48..56].copy_from_slice(&PAGE_SIZE.to_le_bytes());
        p
    };
    // PT_LOAD (1, R+X) over both pages; PT_DYNAMIC (2, R) at 0x100: one DT_NULL entry.
    h[64..120].copy_from_slice(&phdr(1, 5, 0, 2 * PAGE_SIZE));
    h[120..176].copy_from_slice(&phdr(2, 4, 0x100, 16));
    poke(mm, mmu, vdso_base, &h)?;
    // arch/x86/entry/vdso/vma.c: the special mappings' names.
    mm.add(Vma {
        name: "[vdso]".into(),
        ..Vma::new(vdso_base, vdso_base + 2 * PAGE_SIZE, prot, VmaKind::Elf)
    });
    let vvar = Prot::R;
    mm.add(Vma {
        name: "[vvar]".into(),
        ..Vma::new(vdso_base - 6 * PAGE_SIZE, vdso_base, vvar, VmaKind::Anon)
    });
    Ok(vdso_base)
}

fn span(img: &Image) -> (u64, u64) {
    let loads = img.phdrs.iter().filter(|p| p.p_type == PT_LOAD);
    let lo = loads
        .clone()
        .map(|p| p.p_vaddr & !(PAGE_SIZE - 1))
        .min()
        .unwrap_or(0);
    let hi = loads
        .map(|p| p.p_vaddr.saturating_add(p.p_memsz))
        .max()
        .unwrap_or(0);
    (lo, hi)
}

/// The options execve gets from the caller.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExecArgs {
    /// argv.
    pub argv: Vec<Vec<u8>>,
    /// envp.
    pub envp: Vec<Vec<u8>>,
    /// The path given to execve (AT_EXECFN).
    pub execfn: Vec<u8>,
    /// uid and gid for the auxiliary vector.
    pub uid: u64,
    /// gid.
    pub gid: u64,
    /// Seed of the AT_RANDOM bytes.
    pub random_seed: u64,
}

/// Loads `program` (and `interp_file`, the bytes of its PT_INTERP, when it has one) into `mm`.
pub fn load(
    mmu: &mut Mmu,
    mm: &mut AddressSpace,
    program: &[u8],
    interp_file: Option<&[u8]>,
    args: &ExecArgs,
) -> Result<LoadInfo, LoadError> {
    let img = parse(program, "program", false)?;
    let interp_name = match img.phdrs.iter().find(|p| p.p_type == PT_INTERP) {
        Some(ph) => {
            // load_elf_binary (fs/binfmt_elf.c): a PT_INTERP longer than PATH_MAX is -ENOEXEC.
            if ph.p_filesz > crate::exec::namei::PATH_MAX as u64 {
                return Err(LoadError::new(
                    Errno::Enoexec,
                    format!(
                        "PT_INTERP is {} bytes, longer than PATH_MAX ({})",
                        ph.p_filesz,
                        crate::exec::namei::PATH_MAX
                    ),
                ));
            }
            let o = ph.p_offset as usize;
            let raw = img
                .bytes
                .get(o..o.saturating_add(ph.p_filesz as usize))
                .ok_or_else(|| LoadError::new(Errno::Enoexec, "PT_INTERP lies outside the file"))?;
            if raw.last() != Some(&0) || raw.len() < 2 {
                return Err(LoadError::new(
                    Errno::Enoexec,
                    "PT_INTERP is not a NUL-terminated path",
                ));
            }
            Some(String::from_utf8_lossy(raw.get(..raw.len() - 1).unwrap_or_default()).into_owned())
        }
        None => None,
    };
    // load_elf_binary: ET_EXEC at its link address; ET_DYN at ELF_ET_DYN_BASE (no
    // randomisation), aligned to the largest p_align.
    let (lo, _) = span(&img);
    let bias = if img.e_type == ET_DYN {
        let align = img
            .phdrs
            .iter()
            .filter(|p| p.p_type == PT_LOAD)
            .map(|p| p.p_align)
            .max()
            .unwrap_or(PAGE_SIZE)
            .max(PAGE_SIZE);
        let align = if align.is_power_of_two() {
            align
        } else {
            PAGE_SIZE
        };
        (ELF_ET_DYN_BASE & !(align - 1)).wrapping_sub(lo)
    } else {
        0
    };
    let mut segments = Vec::new();
    let brk_end = map_segments(mmu, mm, &img, bias, false, &mut segments)?;
    mm.start_brk = page_up(brk_end);
    mm.brk = mm.start_brk;
    // AT_PHDR: the address where the program headers are mapped (inside the PT_LOAD that
    // covers e_phoff).
    let phdr = img
        .phdrs
        .iter()
        .find(|p| {
            p.p_type == PT_LOAD && p.p_offset <= img.phoff && img.phoff < p.p_offset + p.p_filesz
        })
        .map(|p| p.p_vaddr + (img.phoff - p.p_offset) + bias)
        .unwrap_or(0);
    let entry = img.entry.wrapping_add(bias);
    let mut start = entry;
    let mut interp_base = 0;
    if let Some(name) = &interp_name {
        let name = shown_path(name);
        let Some(bytes) = interp_file else {
            return Err(LoadError::new(
                Errno::Enoent,
                format!("the program is dynamically linked: the kernel would load its interpreter {name}, which was not provided"),
            ));
        };
        let ii = parse(bytes, &name, true)?;
        let (ilo, ihi) = span(&ii);
        let size = page_up(ihi.saturating_sub(ilo));
        let base = if ii.e_type == ET_DYN {
            mm.find_free_topdown(size, MMAP_BASE)
                .ok_or_else(|| LoadError::new(Errno::Enomem, "no room for the interpreter"))?
        } else {
            ilo
        };
        let ibias = base.wrapping_sub(ilo);
        let iend = map_segments(mmu, mm, &ii, ibias, true, &mut segments)?;
        let _ = iend;
        interp_base = base;
        start = ii.entry.wrapping_add(ibias);
    }
    let vdso = map_vdso(mmu, mm)?;
    let params = StackParams {
        argv: args.argv.clone(),
        envp: args.envp.clone(),
        execfn: args.execfn.clone(),
        uid: args.uid,
        gid: args.gid,
        random: stack::random_bytes(args.random_seed),
    };
    let phnum = img.phdrs.len() as u64;
    let layout = stack::build(
        STACK_TOP,
        &params,
        AuxProgram {
            phdr,
            phnum,
            base: interp_base,
            entry,
            vdso: Some(vdso),
        },
    )?;
    let stack_prot = Prot::RW;
    let mut a = layout.bottom & !(PAGE_SIZE - 1);
    while a < STACK_TOP {
        mm.map_now(mmu, a, stack_prot)?;
        a += PAGE_SIZE;
    }
    poke(mm, mmu, layout.bottom, &layout.image)?;
    // fs/proc/task_mmu.c: the region holding mm->start_stack is `[stack]`.
    mm.add(Vma {
        name: "[stack]".into(),
        ..Vma::new(
            STACK_TOP - STACK_LIMIT,
            STACK_TOP,
            stack_prot,
            VmaKind::Stack,
        )
    });
    Ok(LoadInfo {
        start,
        entry,
        bias,
        interp: interp_name,
        interp_base,
        brk: mm.brk,
        segments,
        stack: layout,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use crate::exec::examples::tiny_elf;
    use crate::linux::{Config, Linux};

    use super::LoadError;
    use crate::linux::errno::Errno;

    fn load(program: &[u8], interp: Option<&[u8]>) -> Result<(), LoadError> {
        let mut l = Linux::new(&Config {
            memory_limit: 8 << 20,
            ..Config::default()
        })
        .expect("a kernel");
        let args = super::ExecArgs {
            argv: vec![b"p".to_vec()],
            envp: Vec::new(),
            execfn: b"p".to_vec(),
            uid: 0,
            gid: 0,
            random_seed: 1,
        };
        l.exec(program, interp, &args).map(|_| ())
    }

    #[test]
    fn interpreter_names_in_errors_are_one_line_and_bounded() {
        // Found by fuzzing (fuzz/corpus/elf_load/crash-interp-name): a PT_INTERP holding
        // newlines and kilobytes of bytes went verbatim into the error message.
        let name = format!("/lib/ld\n{}", "x".repeat(3000));
        let elf = tiny_elf(3, Some(&name));
        for interp in [None, Some(&b"not an ELF file"[..])] {
            let e = load(&elf, interp).unwrap_err().to_string();
            assert!(!e.is_empty() && !e.contains('\n'), "{e:?}");
            assert!(e.len() < 400, "{} bytes: {e:?}", e.len());
            assert!(e.contains("/lib/ld\\n"), "{e:?}");
        }
    }

    #[test]
    fn pt_interp_longer_than_path_max_is_enoexec() {
        let elf = tiny_elf(3, Some(&"/".repeat(5000)));
        let e = load(&elf, Some(b"x")).unwrap_err();
        assert_eq!(e.errno, Errno::Enoexec, "{e}");
        assert!(e.reason.contains("PATH_MAX"), "{e}");
    }

    #[test]
    fn errors_carry_the_errno_execve_returns() {
        // A program that is no ELF file: no handler takes it.
        assert_eq!(
            load(b"#!/bin/sh\n", None).unwrap_err().errno,
            Errno::Enoexec
        );
        // A dynamic program whose interpreter is no ELF file: load_elf_binary's ELIBBAD.
        let elf = tiny_elf(3, Some("/lib/ld.so"));
        let e = load(&elf, Some(b"not an ELF file")).unwrap_err();
        assert_eq!(e.errno, Errno::Elibbad, "{e}");
        assert_eq!(e.to_string(), format!("{} (ELIBBAD)", e.reason));
        // Without the interpreter's bytes the kernel could not open it.
        assert_eq!(load(&elf, None).unwrap_err().errno, Errno::Enoent);
    }
}
