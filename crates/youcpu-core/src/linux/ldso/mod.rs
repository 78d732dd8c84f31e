//! What the dynamic loader did for a program, read from a simulated run: the program is
//! started in the simulated kernel with the real `ld.so` (the file its `PT_INTERP` names) and
//! stopped when the processor first reaches the program's own entry point (`AT_ENTRY`), that
//! is, when `ld.so` has finished and jumps to `_start`. Then:
//!
//! - each object in the address space (the program, the interpreter, the libraries `ld.so`
//!   mapped with `mmap`, the vDSO) with its base address, read from the process's mappings;
//! - every dynamic relocation of each object (`.rela.dyn`, `.rela.plt`), with the value now in
//!   memory at its place: read from the simulated memory, not computed, so it is whatever the
//!   real `ld.so` wrote there;
//! - what each value points at: an object and, from its symbol tables, a symbol;
//! - the program's calls through the PLT: `call stub`, the stub's `jmp *slot(%rip)`, the GOT
//!   slot and the function it now holds.
//!
//! The relocation types are the System V AMD64 ABI's (§4.4.1, "Relocation Types"); the GOT
//! and PLT layout is its §5.2 ("Dynamic Linking").

use super::fs::memfs::{MemFs, ROOT};
use super::vma::VmaKind;
use super::{Config, Linux, ProcessState};
use crate::loader::ExecArgs;
use iced_x86::{Code, Decoder, DecoderOptions, Mnemonic, OpKind, Register};
use image::Image;

mod error;
mod image;
mod needs;
mod preview;
use needs::basename;
pub use needs::{needs, needs_named, not_dynamic, place, Needs};
pub use preview::preview;

pub use error::Error;

/// Most user instructions the run to the entry point may take (glibc's ld.so needs about
/// two hundred thousand, musl's a few thousand).
pub const MAX_INSTRUCTIONS: u64 = 50_000_000;
/// Where dropped libraries are put; `LD_LIBRARY_PATH` names it, so glibc's and musl's
/// loaders both search it first after the program's own run paths.
pub const LIB_DIR: &str = "/lib";
/// Where the program is put.
pub const PROGRAM_DIR: &str = "/bin";

/// A file given to the run: its name (a basename, or for the interpreter any path whose
/// basename matches the `PT_INTERP` one) and bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct File {
    /// The file's name.
    pub name: String,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

/// The value of the symbol `name` in an ELF file's symbol tables (the full one first, then the
/// dynamic one), if it has one.
pub fn symbol_value(bytes: &[u8], name: &str) -> Option<u64> {
    let img = Image::parse(bytes).ok()?;
    let mut syms = img.syms.iter().rev();
    syms.find(|s| s.name == name).map(|s| s.value)
}

/// What an object is in the process.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// The program (mapped by the kernel).
    Program,
    /// The interpreter named by `PT_INTERP` (mapped by the kernel; `AT_BASE`).
    Interpreter,
    /// A library `ld.so` opened and mapped.
    Library,
    /// The kernel's vDSO (`AT_SYSINFO_EHDR`).
    Vdso,
}

/// One object in the address space.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Object {
    /// Its path (as the process opened it), or `[vdso]`.
    pub name: String,
    /// What it is.
    pub role: Role,
    /// The load bias: what was added to the addresses in the file (0 for a non-PIE program).
    pub base: u64,
    /// The lowest mapped address.
    pub start: u64,
    /// One past the highest mapped address.
    pub end: u64,
    /// Its `DT_NEEDED` libraries.
    pub needed: Vec<String>,
    /// Relocations by type name, in order of first appearance.
    pub counts: Vec<(String, usize)>,
}

/// One relocation and what is in memory at its place now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reloc {
    /// The object (index into [`Report::objects`]) whose table lists it.
    pub object: usize,
    /// `r_offset`: the place, as an address in the file.
    pub offset: u64,
    /// The place in the process (offset + the object's base).
    pub addr: u64,
    /// `R_X86_64_...`.
    pub kind: String,
    /// The symbol it names, if any.
    pub symbol: Option<String>,
    /// `r_addend`.
    pub addend: i64,
    /// True for the PLT's relocations (`.rela.plt`, `DT_JMPREL`).
    pub plt: bool,
    /// The 8 bytes now at [`Reloc::addr`] (None if that memory cannot be read).
    pub value: Option<u64>,
    /// What the value points at.
    pub target: Option<Target>,
}

/// An address inside an object, with the symbol there if one is known.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// The object (index into [`Report::objects`]).
    pub object: usize,
    /// The address minus the object's base.
    pub offset: u64,
    /// A symbol starting exactly there.
    pub symbol: Option<String>,
}

/// A call from the program through the PLT (or straight through a GOT slot).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PltCall {
    /// The call instruction's address in the process.
    pub site: u64,
    /// The function around the call site (from the program's symbol table), if known.
    pub caller: Option<String>,
    /// A tail call: `jmp` to the stub rather than `call`.
    pub jump: bool,
    /// The PLT stub called (None for `call *slot(%rip)`).
    pub stub: Option<u64>,
    /// The GOT slot the stub jumps through.
    pub slot: u64,
    /// Index into [`Report::relocs`] of the slot's relocation.
    pub reloc: usize,
}

/// Everything read from the run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    /// The program first, then the others in address order.
    pub objects: Vec<Object>,
    /// Every dynamic relocation of every object, object by object in table order.
    pub relocs: Vec<Reloc>,
    /// The program's calls through its PLT, in address order.
    pub calls: Vec<PltCall>,
    /// User instructions retired before the program's entry point.
    pub instructions: u64,
    /// System calls made before it (by the kernel's exec and `ld.so`).
    pub syscalls: u64,
    /// The program's entry point (`AT_ENTRY`).
    pub entry: u64,
}

/// A run in progress: the simulated kernel and where it must stop.
pub struct Run {
    linux: Linux,
    entry: u64,
    program_path: String,
    files: Vec<(String, Vec<u8>)>,
}

fn put(fs: &mut MemFs, path: &str, bytes: &[u8], perm: u32) -> Result<(), Error> {
    let failed = |e| Error::Place {
        path: path.to_string(),
        errno: Some(e),
    };
    let mut dir = ROOT;
    let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
    let Some((name, dirs)) = parts.split_last() else {
        return Err(Error::Place {
            path: path.to_string(),
            errno: None,
        });
    };
    for d in dirs {
        dir = match fs.lookup(dir, d.as_bytes()) {
            Ok(Some(i)) => i,
            _ => fs.mkdir(dir, d.as_bytes(), 0o755).map_err(failed)?,
        };
    }
    if fs.lookup(dir, name.as_bytes()).ok().flatten().is_some() {
        return Ok(()); // the first file given under a name wins
    }
    let ino = fs.create(dir, name.as_bytes(), perm).map_err(failed)?;
    fs.write(ino, 0, bytes).map_err(failed)?;
    Ok(())
}

impl Run {
    /// Puts the program at `/bin/NAME`, its interpreter at the path its `PT_INTERP` names,
    /// and the other files in [`LIB_DIR`], and execs the program there with
    /// `LD_LIBRARY_PATH=/lib`. Errors: what the kernel would refuse (no interpreter, not an
    /// ELF file...), in words.
    pub fn start(name: &str, program: &[u8], files: &[File]) -> Result<Run, Error> {
        let need = needs(program, files)?;
        if let Some(why) = not_dynamic(&need) {
            return Err(Error::NotDynamic(why));
        }
        let interp = need.interp.clone().unwrap_or_default();
        let mut fs = MemFs::new();
        let name = basename(name);
        let name = if name.is_empty() { "program" } else { name };
        let program_path = format!("{PROGRAM_DIR}/{name}");
        put(&mut fs, &program_path, program, 0o755)?;
        let mut placed = vec![(program_path.clone(), program.to_vec())];
        for f in files {
            let base = basename(&f.name);
            let path = if base == basename(&interp) {
                interp.clone()
            } else {
                format!("{LIB_DIR}/{base}")
            };
            put(&mut fs, &path, &f.bytes, 0o755)?;
            placed.push((path, f.bytes.clone()));
        }
        let mut linux = Linux::new(&Config::default()).map_err(Error::Kernel)?;
        linux.set_fs(Box::new(fs));
        let args = ExecArgs {
            argv: vec![program_path.clone().into_bytes()],
            envp: vec![format!("LD_LIBRARY_PATH={LIB_DIR}").into_bytes()],
            execfn: program_path.clone().into_bytes(),
            uid: 1000,
            gid: 1000,
            random_seed: 1,
        };
        if !need.interp_given {
            return Err(Error::NoInterpreter {
                program: name.to_string(),
                interp,
            });
        }
        let entry = linux
            .exec_file(program_path.as_bytes(), &args)
            .map_err(Error::Load)?
            .entry;
        Ok(Run {
            linux,
            entry,
            program_path,
            files: placed,
        })
    }

    /// Runs at most `budget` more user instructions. Ok(true) once the processor is at the
    /// program's entry point; an error if the process ended first (`ld.so`'s message, from
    /// its standard error, says why) or took more than [`MAX_INSTRUCTIONS`].
    pub fn advance(&mut self, budget: u64) -> Result<bool, Error> {
        let l = &mut self.linux;
        let limit = l.instructions().saturating_add(budget);
        loop {
            if l.m.cpu.s.rip == self.entry && l.m.cpu.s.cs & 3 == 3 {
                return Ok(true);
            }
            if l.state != ProcessState::Running {
                let said = String::from_utf8_lossy(&l.stderr).trim().to_string();
                let how = match &l.state {
                    ProcessState::Exited { code } => format!("exited with status {code}"),
                    ProcessState::Killed { reason, .. } => format!("was killed: {reason}"),
                    ProcessState::Crashed { reason } => format!("crashed: {reason}"),
                    ProcessState::Running => String::new(),
                };
                return Err(Error::Ended { how, said });
            }
            if l.instructions() >= MAX_INSTRUCTIONS {
                return Err(Error::TooLong);
            }
            if l.instructions() >= limit {
                return Ok(false);
            }
            l.run(1);
        }
    }

    /// The simulated kernel (to run the program on past its entry point).
    pub fn linux(&mut self) -> &mut Linux {
        &mut self.linux
    }

    /// User instructions so far.
    pub fn instructions(&self) -> u64 {
        self.linux.instructions()
    }

    /// Runs to the entry point at once (for tests and the CLI).
    pub fn finish(mut self) -> Result<Report, Error> {
        while !self.advance(1 << 20)? {}
        Ok(self.report())
    }

    /// What the loader did, read from the stopped process (call after [`Run::advance`]
    /// returned Ok(true)).
    pub fn report(&mut self) -> Report {
        let objects = self.objects();
        let mut report = Report {
            objects: Vec::new(),
            relocs: Vec::new(),
            calls: Vec::new(),
            instructions: self.linux.instructions(),
            syscalls: self.linux.syscall_count,
            entry: self.entry,
        };
        let parsed: Vec<Option<Image>> = objects
            .iter()
            .map(|(_, bytes)| bytes.as_deref().and_then(|b| Image::parse(b).ok()))
            .collect();
        report.objects = objects.iter().map(|(o, _)| o.clone()).collect();
        for (i, img) in parsed.iter().enumerate() {
            let Some(img) = img else { continue };
            if let Some(o) = report.objects.get_mut(i) {
                o.needed = img.needed.clone();
            }
            let base = report.objects.get(i).map_or(0, |o| o.base);
            for r in &img.relocs {
                let addr = base.wrapping_add(r.offset);
                let mut buf = [0u8; 8];
                let value = self
                    .linux
                    .m
                    .mmu
                    .read_bytes(addr, &mut buf, false)
                    .ok()
                    .map(|()| u64::from_le_bytes(buf));
                let symbol = img
                    .reloc_syms
                    .get(r.sym as usize)
                    .cloned()
                    .flatten()
                    .filter(|_| r.sym != 0);
                report.relocs.push(Reloc {
                    object: i,
                    offset: r.offset,
                    addr,
                    kind: type_name(r.kind),
                    symbol,
                    addend: r.addend,
                    plt: r.plt,
                    value,
                    target: None,
                });
            }
        }
        for r in &mut report.relocs {
            if is_address(&r.kind) {
                r.target = r.value.and_then(|v| locate(&report.objects, &parsed, v));
            }
        }
        for (i, o) in report.objects.iter_mut().enumerate() {
            for r in report.relocs.iter().filter(|r| r.object == i) {
                match o.counts.iter_mut().find(|(k, _)| *k == r.kind) {
                    Some((_, n)) => *n += 1,
                    None => o.counts.push((r.kind.clone(), 1)),
                }
            }
        }
        if let (Some(Some(img)), Some((_, Some(bytes)))) = (parsed.first(), objects.first()) {
            let base = report.objects.first().map_or(0, |o| o.base);
            report.calls = plt_calls(img, bytes, base, &report.relocs);
        }
        report
    }

    /// The objects in the address space, with the bytes of the file each maps (None for the
    /// vDSO, whose bytes are read from memory instead).
    fn objects(&mut self) -> Vec<(Object, Option<Vec<u8>>)> {
        let l = &mut self.linux;
        let load = l.load.clone();
        let mut out: Vec<(Object, Option<Vec<u8>>)> = Vec::new();
        let bytes_of = |path: &str, files: &[(String, Vec<u8>)]| {
            files
                .iter()
                .find(|(p, _)| p == path)
                .map(|(_, b)| b.clone())
        };
        // The kernel's mappings (VmaKind::Elf): the program and the interpreter, told apart by
        // where their bases are (fs/binfmt_elf.c maps both; AT_BASE is the interpreter's).
        let interp_path = load.as_ref().and_then(|i| i.interp.clone());
        let interp_base = load.as_ref().map_or(0, |i| i.interp_base);
        let bias = load.as_ref().map_or(0, |i| i.bias);
        let mut prog = Object {
            name: self.program_path.clone(),
            role: Role::Program,
            base: bias,
            start: u64::MAX,
            end: 0,
            needed: Vec::new(),
            counts: Vec::new(),
        };
        let mut interp = Object {
            name: interp_path.clone().unwrap_or_default(),
            role: Role::Interpreter,
            base: interp_base,
            ..prog.clone()
        };
        let vdso = load.as_ref().and_then(|i| {
            i.stack
                .auxv
                .iter()
                .find(|(t, _)| *t == crate::loader::stack::at::SYSINFO_EHDR)
                .map(|(_, v)| *v)
        });
        let mut libs: Vec<(usize, Object)> = Vec::new();
        for v in &l.mm.vmas {
            match v.kind {
                VmaKind::Elf if vdso.is_some_and(|d| v.contains(d)) => {}
                VmaKind::Elf => {
                    let o = if interp_base != 0 && v.start >= interp_base {
                        &mut interp
                    } else {
                        &mut prog
                    };
                    o.start = o.start.min(v.start);
                    o.end = o.end.max(v.end);
                }
                VmaKind::File { file, offset, .. } => {
                    let name = l
                        .cached_node(file)
                        .and_then(|n| l.fs.node_path(n))
                        .map(|p| String::from_utf8_lossy(&p).into_owned())
                        .unwrap_or_default();
                    let o = match libs.iter_mut().find(|(f, _)| *f == file) {
                        Some((_, o)) => o,
                        None => {
                            libs.push((
                                file,
                                Object {
                                    name,
                                    role: Role::Library,
                                    base: u64::MAX,
                                    start: u64::MAX,
                                    end: 0,
                                    needed: Vec::new(),
                                    counts: Vec::new(),
                                },
                            ));
                            match libs.last_mut() {
                                Some((_, o)) => o,
                                None => continue,
                            }
                        }
                    };
                    if offset == 0 {
                        o.base = o.base.min(v.start);
                    }
                    o.start = o.start.min(v.start);
                    o.end = o.end.max(v.end);
                }
                _ => {}
            }
        }
        let files = &self.files;
        out.push((prog.clone(), bytes_of(&prog.name, files)));
        let mut rest: Vec<(Object, Option<Vec<u8>>)> = Vec::new();
        if interp_base != 0 && interp.end > 0 {
            let b = bytes_of(&interp.name, files);
            rest.push((interp, b));
        }
        for (_, mut o) in libs {
            let b = bytes_of(&o.name, files);
            // The file's first PT_LOAD starts at p_vaddr (page-rounded) = offset 0.
            if let Some(first) = b
                .as_deref()
                .and_then(|b| Image::parse(b).ok())
                .and_then(|e| {
                    e.phdrs
                        .iter()
                        .find(|p| p.kind == 1)
                        .map(|p| p.vaddr & !0xfff)
                })
            {
                o.base = o.base.wrapping_sub(first);
            }
            if o.base == u64::MAX {
                o.base = o.start;
            }
            rest.push((o, b));
        }
        if let Some(v) = vdso {
            let end = l.mm.find(v).map_or(v, |m| m.end);
            let mut b = vec![0u8; (end - v).min(1 << 16) as usize];
            let bytes = l.m.mmu.read_bytes(v, &mut b, false).ok().map(|()| b);
            rest.push((
                Object {
                    name: "[vdso]".into(),
                    role: Role::Vdso,
                    base: v,
                    start: v,
                    end,
                    needed: Vec::new(),
                    counts: Vec::new(),
                },
                bytes,
            ));
        }
        rest.sort_by_key(|(o, _)| o.start);
        out.extend(rest);
        out
    }
}

/// An x86-64 relocation type's name (System V AMD64 ABI §4.4.1, Table 4.9), the ones a dynamic
/// loader meets; others by number.
fn type_name(t: u32) -> String {
    let name = match t {
        0 => "NONE",
        1 => "64",
        5 => "COPY",
        6 => "GLOB_DAT",
        7 => "JUMP_SLOT",
        8 => "RELATIVE",
        16 => "DTPMOD64",
        17 => "DTPOFF64",
        18 => "TPOFF64",
        36 => "TLSDESC",
        37 => "IRELATIVE",
        38 => "RELATIVE64",
        _ => return format!("type {t}"),
    };
    format!("R_X86_64_{name}")
}

/// Types whose value is an address (the others, such as the TLS ones, are offsets or
/// module numbers).
fn is_address(kind: &str) -> bool {
    matches!(
        kind,
        "R_X86_64_RELATIVE"
            | "R_X86_64_GLOB_DAT"
            | "R_X86_64_JUMP_SLOT"
            | "R_X86_64_64"
            | "R_X86_64_IRELATIVE"
    )
}

/// The object holding `addr` and the symbol defined exactly there (dynamic symbols first,
/// then the full symbol table; sections and files are skipped; a global name wins over a
/// local one).
fn locate(objects: &[Object], parsed: &[Option<Image>], addr: u64) -> Option<Target> {
    let i = objects
        .iter()
        .position(|o| o.start <= addr && addr < o.end)?;
    let o = objects.get(i)?;
    let offset = addr.wrapping_sub(o.base);
    let symbol = parsed.get(i).and_then(Option::as_ref).and_then(|img| {
        let mut best: Option<(&str, bool)> = None;
        for s in &img.syms {
            // STT_NOTYPE, STT_OBJECT, STT_FUNC, STT_GNU_IFUNC (gABI "Symbol Table").
            if s.value != offset || !matches!(s.info & 0xf, 0..=2 | 10) {
                continue;
            }
            let global = s.info >> 4 != 0; // not STB_LOCAL
            if best.is_none_or(|(_, g)| global && !g) {
                best = Some((&s.name, global));
            }
        }
        best.map(|(n, _)| n.to_string())
    });
    Some(Target {
        object: i,
        offset,
        symbol,
    })
}

/// The program's PLT calls: every `jmp qword ptr [rip+d]` in its executable segments whose
/// slot is a relocated GOT entry is a PLT stub (SysV AMD64 ABI §5.2, Figure 5.2; with
/// `-z now` and `.plt.sec`/`.plt.got` the stub is the same jump); every `call` to a stub, or
/// `call qword ptr [rip+d]` on such a slot (`-fno-plt`), is a call site.
fn plt_calls(img: &Image, bytes: &[u8], base: u64, relocs: &[Reloc]) -> Vec<PltCall> {
    let slot_reloc = |slot: u64| {
        relocs
            .iter()
            .position(|r| r.object == 0 && r.offset == slot && r.symbol.is_some())
    };
    let mut stubs: Vec<(u64, u64, usize)> = Vec::new(); // (stub, slot, reloc)
    let mut calls: Vec<(u64, Option<u64>, u64, usize, bool)> = Vec::new();
    let mut near_calls: Vec<(u64, u64, bool)> = Vec::new(); // (site, target, jmp)
    for ph in img.phdrs.iter().filter(|p| p.kind == 1 && p.flags & 1 != 0) {
        let Some(code) = usize::try_from(ph.offset)
            .ok()
            .zip(usize::try_from(ph.filesz).ok())
            .and_then(|(o, n)| bytes.get(o..o.checked_add(n)?))
        else {
            continue;
        };
        let mut d = Decoder::with_ip(64, code, ph.vaddr, DecoderOptions::NONE);
        for ins in &mut d {
            if ins.code() == Code::INVALID {
                continue;
            }
            let rip_mem = ins.op_count() == 1
                && ins.op0_kind() == OpKind::Memory
                && ins.memory_base() == Register::RIP;
            match ins.mnemonic() {
                Mnemonic::Jmp if rip_mem => {
                    let slot = ins.memory_displacement64();
                    if let Some(r) = slot_reloc(slot) {
                        stubs.push((ins.ip(), slot, r));
                    }
                }
                Mnemonic::Call if rip_mem => {
                    let slot = ins.memory_displacement64();
                    if let Some(r) = slot_reloc(slot) {
                        calls.push((ins.ip(), None, slot, r, false));
                    }
                }
                Mnemonic::Call | Mnemonic::Jmp if ins.op0_kind() == OpKind::NearBranch64 => {
                    near_calls.push((
                        ins.ip(),
                        ins.near_branch64(),
                        ins.mnemonic() == Mnemonic::Jmp,
                    ));
                }
                _ => {}
            }
        }
    }
    // A stub may begin with `endbr64` (IBT, `.plt.sec`): a call lands on the stub's start,
    // up to 4 bytes before its jump.
    for (site, target, jump) in near_calls {
        if let Some(&(_, slot, r)) = stubs
            .iter()
            .find(|(s, _, _)| *s >= target && *s <= target.saturating_add(4))
        {
            calls.push((site, Some(target), slot, r, jump));
        }
    }
    calls.sort();
    calls
        .into_iter()
        .map(|(site, stub, slot, reloc, jump)| PltCall {
            site: site.wrapping_add(base),
            caller: function_at(img, site),
            jump,
            stub: stub.map(|s| s.wrapping_add(base)),
            slot: slot.wrapping_add(base),
            reloc,
        })
        .collect()
}

/// The function symbol whose range holds `addr` (file addresses); failing that, the nearest
/// function symbol of size 0 before it (hand-written code such as crtstuff's often has no
/// size).
fn function_at(img: &Image, addr: u64) -> Option<String> {
    let mut near: Option<(u64, &str)> = None;
    // STT_FUNC (2) symbols, the full table's first (it comes last in `syms`).
    for s in img.syms.iter().rev() {
        if s.info & 0xf != 2 || s.value > addr {
            continue;
        }
        if addr < s.value.saturating_add(s.size) {
            return Some(s.name.clone());
        }
        if s.size == 0 && near.is_none_or(|(v, _)| s.value > v) {
            near = Some((s.value, &s.name));
        }
    }
    near.map(|(_, n)| n.to_string())
}
