//! What the ELF loader did, step by step, in sentences: the header checked, the load bias, each
//! PT_LOAD mapped and its BSS, the interpreter, every entry of the initial stack, the registers
//! at the start. [`trace`] runs [`load`] on a fresh simulated address space and
//! reads the steps off what it did (the segments it mapped, the bias, the stack it wrote), so the
//! ELF loader widget, the "your program" timeline and the CLI tell the same story.
//! (fs/binfmt_elf.c `load_elf_binary`; the stack layout of `create_elf_tables`.)

use super::stack::{at, RANDOM_SEED};
use super::{load, ExecArgs, LoadInfo};
use crate::elf::parse;
use crate::exec::examples::tiny_elf;
use crate::linux::mm::{page_up, AddressSpace, Prot, STACK_TOP};
use crate::mmu::Mmu;

/// Simulated physical memory for one load (frames are allocated lazily).
const PHYS: u64 = 64 << 20;
/// Most bytes of one stack entry kept in [`StackEntry::bytes`].
pub const MAX_SHOWN: usize = 24;

/// What a step does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StepKind {
    /// The header is checked.
    Header,
    /// The load bias is chosen.
    Bias,
    /// A PT_LOAD is mapped.
    Map,
    /// The BSS is zeroed.
    Bss,
    /// The interpreter is mapped.
    Interp,
    /// One entry of the initial stack is written.
    Stack,
    /// The registers are set.
    Start,
    /// Loading failed.
    Fail,
}

impl StepKind {
    /// Short label.
    pub fn label(self) -> &'static str {
        match self {
            StepKind::Header => "check header",
            StepKind::Bias => "load bias",
            StepKind::Map => "map segment",
            StepKind::Bss => "zero BSS",
            StepKind::Interp => "interpreter",
            StepKind::Stack => "stack",
            StepKind::Start => "start",
            StepKind::Fail => "refused",
        }
    }
}

/// One entry of the initial stack.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StackEntry {
    /// Lowest address.
    pub addr: u64,
    /// Size in bytes.
    pub len: u64,
    /// What it is.
    pub label: String,
    /// What kind of entry it is (for drawing it and following its pointer).
    pub kind: StackKind,
    /// Its first bytes (at most [`MAX_SHOWN`]).
    pub bytes: Vec<u8>,
}

/// What an entry of the initial stack holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StackKind {
    /// Zero bytes between two entries (alignment).
    Padding,
    /// Bytes that the pointers point at: a string (the file name, an argv or envp string, the
    /// platform), the 16 random bytes, or the 8-byte end marker at the top.
    Bytes,
    /// A word that points nowhere: argc, or the NULL that ends argv or envp.
    Word,
    /// An argv or envp pointer: its 8 bytes hold a string's address.
    Pointer,
    /// An auxiliary vector entry of this type (`at::*`): type, then value.
    Aux(u64),
}

impl StackEntry {
    /// Where in [`bytes`](Self::bytes) the entry holds an address inside the stack: 0 for an
    /// argv or envp pointer, 8 (the value) for AT_EXECFN, AT_RANDOM and AT_PLATFORM, whose
    /// values are the addresses of the file name, the random bytes and the platform string.
    pub fn pointer_at(&self) -> Option<usize> {
        match self.kind {
            StackKind::Pointer => Some(0),
            StackKind::Aux(at::EXECFN | at::RANDOM | at::PLATFORM) => Some(8),
            _ => None,
        }
    }
}

/// One step of the load.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadStep {
    /// What it does.
    pub kind: StepKind,
    /// A sentence.
    pub text: String,
    /// For stack steps, the entry written.
    pub entry: Option<StackEntry>,
}

/// `rwx` text of a protection, as `/proc/PID/maps` shows it (without the sharing letter).
pub fn perms(p: Prot) -> String {
    let mut text = p.perms(false);
    text.pop(); // the 'p' of a private mapping
    text
}

fn show(b: &[u8]) -> String {
    let s = String::from_utf8_lossy(b);
    let s: String = s.chars().take(40).collect();
    if b.len() > 40 {
        format!("\"{s}…\"")
    } else {
        format!("\"{s}\"")
    }
}

/// Runs the loader on `bytes` (with a tiny stand-in interpreter, if the file names one) and
/// turns what it did into steps; the load's result, if it succeeded.
pub fn trace(
    bytes: &[u8],
    argv: &[Vec<u8>],
    envp: &[Vec<u8>],
    execfn: &str,
) -> (Vec<LoadStep>, Option<LoadInfo>) {
    let mut steps = Vec::new();
    let step = |kind, text: String| LoadStep {
        kind,
        text,
        entry: None,
    };
    match parse(bytes) {
        Ok(e) => steps.push(step(
            StepKind::Header,
            format!(
                "The first bytes are 7f 45 4c 46: ELF. Class ELF{}, {}-endian, type {}, machine {}, entry point {:#x}, {} program headers at file offset {}.",
                e.class_bits(),
                e.endian_name(),
                e.type_name(),
                e.machine_name(),
                e.header.entry.value,
                e.header.phnum.value,
                e.header.phoff.value
            ),
        )),
        Err(err) => {
            steps.push(step(
                StepKind::Fail,
                format!("The file is not a readable ELF file, so the ELF handler declines it (ENOEXEC): {err}"),
            ));
            return (steps, None);
        }
    }
    let mut mmu = Mmu::new(PHYS);
    let Ok(mut mm) = AddressSpace::new(&mut mmu, None) else {
        steps.push(step(StepKind::Fail, "out of simulated memory".into()));
        return (steps, None);
    };
    let stub = tiny_elf(3, None);
    let args = ExecArgs {
        argv: argv.to_vec(),
        envp: envp.to_vec(),
        execfn: execfn.as_bytes().to_vec(),
        uid: 1000,
        gid: 1000,
        random_seed: RANDOM_SEED,
    };
    let info = match load(&mut mmu, &mut mm, bytes, Some(&stub), &args) {
        Ok(i) => i,
        Err(m) => {
            steps.push(step(
                StepKind::Fail,
                format!("load_elf_binary refuses the file: {m}"),
            ));
            return (steps, None);
        }
    };
    steps.push(step(
        StepKind::Bias,
        if info.bias == 0 {
            "Type EXEC: the file's addresses are used as they are (load bias 0).".into()
        } else {
            format!(
                "Type DYN (position-independent): the kernel adds a load bias of {:#x} to every address in the file. This simulation turns randomisation off, so the bias is the fixed base; a real kernel randomises it on every run.",
                info.bias
            )
        },
    ));
    let mut bss = Vec::new();
    for s in &info.segments {
        let start = s.vaddr & !0xfff;
        let end = page_up(s.vaddr.saturating_add(s.memsz));
        let file_end = s.vaddr.saturating_add(s.filesz);
        let who = if s.interp {
            "interpreter's"
        } else {
            "program's"
        };
        let file_pages_end = if s.filesz == 0 {
            start
        } else {
            page_up(file_end)
        };
        let kind = if s.interp {
            StepKind::Interp
        } else {
            StepKind::Map
        };
        steps.push(step(
            kind,
            format!(
                "The {who} PT_LOAD: {:#x}–{:#x} mapped {} ({} page{}) from file offset {:#x}; {} bytes of file data start at {:#x}.",
                start,
                file_pages_end.max(start),
                perms(s.prot),
                (file_pages_end.saturating_sub(start)) / 4096,
                if file_pages_end.saturating_sub(start) == 4096 { "" } else { "s" },
                s.offset.saturating_sub(s.vaddr - start),
                s.filesz,
                s.vaddr
            ),
        ));
        if s.memsz > s.filesz {
            let tail = if s.filesz > 0 && file_end % 4096 != 0 {
                format!(
                    "the rest of the last file page, {:#x}–{:#x}, is cleared to zero",
                    file_end,
                    page_up(file_end)
                )
            } else {
                "no file page needs clearing".into()
            };
            let anon = if end > file_pages_end {
                format!(
                    "; {:#x}–{:#x} ({} pages) are anonymous zero pages, given memory only when first touched",
                    file_pages_end,
                    end,
                    (end - file_pages_end) / 4096
                )
            } else {
                String::new()
            };
            bss.push(step(
                StepKind::Bss,
                format!(
                    "The {who} segment at {:#x} is {} bytes in memory but {} in the file: {} bytes of BSS. {tail}{anon}.",
                    s.vaddr,
                    s.memsz,
                    s.filesz,
                    s.memsz - s.filesz
                ),
            ));
        }
        if !s.interp {
            steps.append(&mut bss);
        }
    }
    steps.append(&mut bss);
    if let Some(name) = &info.interp {
        // The interpreter header step goes before its segments: find the first Interp step.
        let pos = steps
            .iter()
            .position(|s| s.kind == StepKind::Interp)
            .unwrap_or(steps.len());
        steps.insert(
            pos,
            step(
                StepKind::Interp,
                format!(
                    "PT_INTERP names {name}. The kernel opens it and maps it at a base of its own, {:#x} (AT_BASE), just below the mmap area. (The loader here is a stand-in: a tiny shared object, since the real ld.so is not part of this page.)",
                    info.interp_base
                ),
            ),
        );
    } else {
        steps.push(step(
            StepKind::Interp,
            "No PT_INTERP: a static program. Nothing else is mapped, and the program itself runs first.".into(),
        ));
    }
    for e in stack_entries(&info, argv.len(), envp.len()) {
        steps.push(LoadStep {
            kind: StepKind::Stack,
            text: e.label.clone(),
            entry: Some(e),
        });
    }
    steps.push(step(
        StepKind::Start,
        format!(
            "RSP = {:#x} (pointing at argc, 16-byte aligned). RIP = {:#x}: {}",
            info.stack.sp,
            info.start,
            if info.interp.is_some() {
                format!(
                    "the interpreter's entry point. It will find the program through AT_PHDR and AT_ENTRY ({:#x}) and jump there when it is done.",
                    info.entry
                )
            } else {
                "the program's own entry point.".into()
            }
        ),
    ));
    (steps, Some(info))
}

/// The stack's entries from the top down, with the padding between them.
pub fn stack_entries(info: &LoadInfo, argc: usize, envc: usize) -> Vec<StackEntry> {
    let l = &info.stack;
    let mut items: Vec<(u64, u64, String, StackKind)> = Vec::new();
    items.push((
        STACK_TOP - 8,
        8,
        "end marker: 8 zero bytes at the very top".into(),
        StackKind::Bytes,
    ));
    items.push((
        l.execfn,
        (STACK_TOP - 8).saturating_sub(l.execfn),
        "the file name passed to execve (AT_EXECFN points here)".into(),
        StackKind::Bytes,
    ));
    let strings = |ptrs: &[u64], name: &str, items: &mut Vec<(u64, u64, String, StackKind)>| {
        for (i, &p) in ptrs.iter().enumerate() {
            items.push((p, 0, format!("{name}[{i}] string"), StackKind::Bytes));
        }
    };
    strings(&l.envp_ptrs, "envp", &mut items);
    strings(&l.argv_ptrs, "argv", &mut items);
    items.push((
        l.platform,
        7,
        "platform string (AT_PLATFORM)".into(),
        StackKind::Bytes,
    ));
    items.push((
        l.random,
        16,
        "16 random bytes (AT_RANDOM)".into(),
        StackKind::Bytes,
    ));
    let words_at = |i: usize| l.sp + 8 * i as u64;
    items.push((words_at(0), 8, format!("argc = {argc}"), StackKind::Word));
    for i in 0..argc {
        items.push((
            words_at(1 + i),
            8,
            format!("argv[{i}] pointer"),
            StackKind::Pointer,
        ));
    }
    items.push((
        words_at(1 + argc),
        8,
        "NULL ending argv".into(),
        StackKind::Word,
    ));
    for i in 0..envc {
        items.push((
            words_at(2 + argc + i),
            8,
            format!("envp[{i}] pointer"),
            StackKind::Pointer,
        ));
    }
    items.push((
        words_at(2 + argc + envc),
        8,
        "NULL ending envp".into(),
        StackKind::Word,
    ));
    let aux0 = 3 + argc + envc;
    for (i, (k, v)) in l.auxv.iter().enumerate() {
        items.push((
            words_at(aux0 + 2 * i),
            16,
            format!("auxv: {} ({k}) = {v:#x}", at::name(*k)),
            StackKind::Aux(*k),
        ));
    }
    // String lengths: up to the NUL.
    let byte_at = |a: u64| {
        a.checked_sub(l.bottom)
            .and_then(|o| l.image.get(o as usize).copied())
    };
    for it in items.iter_mut() {
        if it.1 == 0 {
            let mut n = 0u64;
            while n < 4096 && byte_at(it.0 + n).is_some_and(|b| b != 0) {
                n += 1;
            }
            it.1 = n + 1;
        }
    }
    items.sort_by_key(|a| std::cmp::Reverse(a.0));
    let mut out = Vec::new();
    let mut above = STACK_TOP;
    for (addr, len, label, kind) in items {
        let end = addr.saturating_add(len);
        if end < above {
            out.push(entry(
                l,
                (end, above - end),
                "padding (zero)".into(),
                StackKind::Padding,
            ));
        }
        let mut label = label;
        if kind == StackKind::Bytes && label.ends_with("string") {
            let b: Vec<u8> = (0..len.saturating_sub(1).min(4096))
                .filter_map(|i| byte_at(addr + i))
                .collect();
            label = format!("{label} {}", show(&b));
        }
        out.push(entry(l, (addr, len), label, kind));
        above = addr.min(above);
    }
    out
}

fn entry(
    l: &super::stack::StackLayout,
    (addr, len): (u64, u64),
    label: String,
    kind: StackKind,
) -> StackEntry {
    let o = addr.saturating_sub(l.bottom) as usize;
    let n = (len as usize).min(MAX_SHOWN);
    let bytes = l
        .image
        .get(o..o.saturating_add(n))
        .map(<[u8]>::to_vec)
        .unwrap_or_default();
    StackEntry {
        addr,
        len,
        label,
        kind,
        bytes,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::exec::examples::{hello_static, LOADER};

    fn kinds(steps: &[LoadStep]) -> Vec<StepKind> {
        let mut k: Vec<StepKind> = steps.iter().map(|s| s.kind).collect();
        k.dedup();
        k
    }

    #[test]
    fn a_static_program_is_checked_mapped_stacked_and_started() {
        let elf = hello_static().unwrap();
        let (steps, info) = trace(&elf, &[b"./hello".to_vec()], &[], "./hello");
        let info = info.unwrap();
        assert_eq!(
            kinds(&steps),
            [
                StepKind::Header,
                StepKind::Bias,
                StepKind::Map,
                StepKind::Interp,
                StepKind::Stack,
                StepKind::Start
            ]
        );
        assert_eq!(info.bias, 0);
        let maps = steps.iter().filter(|s| s.kind == StepKind::Map).count();
        assert_eq!(maps, info.segments.len());
        // The stack entries tile the stack from its top down to RSP, with no gap or overlap.
        let entries: Vec<&StackEntry> = steps.iter().filter_map(|s| s.entry.as_ref()).collect();
        let mut above = STACK_TOP;
        for e in &entries {
            assert_eq!(e.addr + e.len, above, "{}", e.label);
            above = e.addr;
        }
        assert_eq!(above, info.stack.sp);
        assert!(entries.iter().any(|e| e.label == "argc = 1"));
        assert!(steps
            .last()
            .unwrap()
            .text
            .contains("the program's own entry point"));
    }

    #[test]
    fn an_interpreter_and_a_bias_for_a_position_independent_file() {
        let elf = tiny_elf(3, Some(LOADER));
        let (steps, info) = trace(&elf, &[], &[], "./pie");
        let info = info.unwrap();
        assert!(info.bias != 0);
        assert!(steps
            .iter()
            .any(|s| s.kind == StepKind::Interp && s.text.contains(LOADER)));
        assert!(steps
            .last()
            .unwrap()
            .text
            .contains("interpreter's entry point"));
    }

    #[test]
    fn every_pointer_on_the_stack_points_at_the_bytes_it_names() {
        let elf = hello_static().unwrap();
        let (steps, _) = trace(
            &elf,
            &[b"./hello".to_vec(), b"x".to_vec()],
            &[b"A=1".to_vec()],
            "./hello",
        );
        let entries: Vec<&StackEntry> = steps.iter().filter_map(|s| s.entry.as_ref()).collect();
        let word =
            |e: &StackEntry, at: usize| u64::from_le_bytes(e.bytes[at..at + 8].try_into().unwrap());
        let mut targets = Vec::new();
        for e in entries.iter().filter(|e| e.pointer_at().is_some()) {
            let to = word(e, e.pointer_at().unwrap());
            let t = entries.iter().find(|t| t.addr == to).unwrap();
            assert_eq!(t.kind, StackKind::Bytes, "{} -> {}", e.label, t.label);
            targets.push(t.label.clone());
        }
        // argv[0], argv[1], envp[0], AT_EXECFN, AT_RANDOM, AT_PLATFORM.
        assert_eq!(targets.len(), 6, "{targets:?}");
        for (kind, start) in [
            (StackKind::Word, "argc = 2"),
            (StackKind::Word, "NULL ending envp"),
            (StackKind::Bytes, "end marker"),
            (StackKind::Bytes, "platform string"),
            (StackKind::Pointer, "envp[0] pointer"),
            (StackKind::Aux(super::at::RANDOM), "auxv: AT_RANDOM"),
            (StackKind::Padding, "padding"),
        ] {
            assert!(
                entries
                    .iter()
                    .any(|e| e.kind == kind && e.label.starts_with(start)),
                "{start}"
            );
        }
    }

    #[test]
    fn junk_is_refused_in_one_step() {
        let (steps, info) = trace(b"#!/bin/sh\n", &[], &[], "./x");
        assert!(info.is_none());
        assert_eq!(kinds(&steps), [StepKind::Fail]);
    }
}
