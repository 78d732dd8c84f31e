//! Virtual memory areas (include/linux/mm_types.h `vm_area_struct`) and the program images
//! that exec maps (fs/binfmt_elf.c `load_elf_binary`).

use super::VmError;
use crate::elf::{memory_map, parse};
use serde::Serialize;

/// `TASK_SIZE_MAX` with 4-level paging: the top of user space; the stack ends here when
/// randomisation is off.
pub const STACK_TOP: u64 = 0x7fff_ffff_f000;
/// RLIMIT_STACK's default: the stack may grow to 8 MiB.
pub const STACK_LIMIT: u64 = 8 << 20;
/// `stack_guard_gap`: 256 pages kept free below a growing stack (mm/mmap.c).
pub const STACK_GUARD_GAP: u64 = 256 << 12;
/// fs/exec.c `setup_arg_pages` grows the new stack by 128 KiB beyond the argument pages.
pub const STACK_EXPAND: u64 = 128 << 10;

/// Where a VMA's pages come from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum VmaKind {
    /// Anonymous memory: zero pages on first touch (BSS, heap, mmap).
    Anon,
    /// A private file mapping: pages read from the file on first touch. Bytes of the area past
    /// `file_bytes` are zero (the BSS part of the last file page, `padzero`).
    File {
        /// The file, by index in the system's file list.
        file: usize,
        /// File offset mapped at the VMA's start.
        offset: u64,
        /// How many bytes from the VMA's start come from the file.
        file_bytes: u64,
    },
    /// The stack: anonymous, grows down on faults below it (mm/mmap.c `expand_stack`).
    Stack,
}

/// One mapped region `[start, end)`, page aligned.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Vma {
    /// First address.
    pub start: u64,
    /// One past the last address.
    pub end: u64,
    /// Readable.
    pub read: bool,
    /// Writable (private: copy-on-write after fork).
    pub write: bool,
    /// Executable.
    pub exec: bool,
    /// Where the pages come from.
    pub kind: VmaKind,
    /// The name `/proc/PID/maps` shows: a file name, `[heap]`, `[stack]` or empty.
    pub name: String,
}

impl Vma {
    /// True when `va` lies inside.
    pub fn contains(&self, va: u64) -> bool {
        self.start <= va && va < self.end
    }

    /// Permissions as `/proc/PID/maps` shows them, private: "r-xp".
    pub fn perms(&self) -> String {
        let f = |b: bool, c: char| if b { c } else { '-' };
        format!(
            "{}{}{}p",
            f(self.read, 'r'),
            f(self.write, 'w'),
            f(self.exec, 'x')
        )
    }
}

/// A loadable segment of an image.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Segment {
    /// First address (page aligned).
    pub start: u64,
    /// End of the pages backed by the file.
    pub file_end: u64,
    /// End of the segment (page aligned); pages past `file_end` are anonymous (BSS).
    pub end: u64,
    /// File offset at `start`.
    pub offset: u64,
    /// Bytes from `start` that come from the file (`p_vaddr + p_filesz - start`).
    pub file_bytes: u64,
    /// Readable, writable, executable.
    pub rwx: (bool, bool, bool),
}

/// What exec maps: a file's segments, the initial stack and the heap start.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Image {
    /// The program's name (for the process table and maps).
    pub name: String,
    /// The file's bytes, read on demand by page faults.
    #[serde(skip)]
    pub bytes: Vec<u8>,
    /// Loadable segments.
    pub segments: Vec<Segment>,
    /// Bytes of arguments, environment and auxv at the top of the stack.
    pub arg_bytes: u64,
}

/// Most segments an image may have.
pub const MAX_SEGMENTS: usize = 64;

impl Image {
    /// An image from an x86-64 ELF executable (non-PIE addresses as written; the loader
    /// `memory_map` gives the pages of each PT_LOAD).
    pub fn from_elf(name: &str, bytes: Vec<u8>, arg_bytes: u64) -> Result<Image, VmError> {
        let elf = parse(&bytes).map_err(|e| VmError::BadImage(e.to_string()))?;
        // ET_EXEC only: a PIE's load bias and a PT_INTERP loader are not modelled here.
        if elf.header.e_type.value != 2 {
            return Err(VmError::BadImage(format!(
                "e_type {} is not ET_EXEC (2): position-independent programs are not modelled",
                elf.header.e_type.value
            )));
        }
        if elf.interp.is_some() {
            return Err(VmError::BadImage(
                "the program needs a dynamic loader (PT_INTERP), which is not modelled".into(),
            ));
        }
        let map = memory_map(&elf, 4096).ok_or_else(|| VmError::BadImage("page size".into()))?;
        let mut segments = Vec::new();
        for r in map {
            if !r.aligned {
                return Err(VmError::BadImage(format!(
                    "segment {} has p_offset and p_vaddr that disagree modulo the page size",
                    r.segment
                )));
            }
            let f = r.flags_text.as_bytes(); // "r-x" style
            let has = |i: usize, c: u8| f.get(i) == Some(&c);
            segments.push(Segment {
                start: r.start,
                file_end: r.file_end,
                end: r.end,
                offset: r.file_offset,
                file_bytes: r.zero_from.saturating_sub(r.start),
                rwx: (has(0, b'r'), has(1, b'w'), has(2, b'x')),
            });
        }
        Image::new(name, bytes, segments, arg_bytes)
    }

    /// An image from explicit segments (checked: page aligned, ordered, below the stack).
    pub fn new(
        name: &str,
        bytes: Vec<u8>,
        segments: Vec<Segment>,
        arg_bytes: u64,
    ) -> Result<Image, VmError> {
        if segments.len() > MAX_SEGMENTS {
            return Err(VmError::BadImage(format!(
                "{} segments; at most {MAX_SEGMENTS}",
                segments.len()
            )));
        }
        let mut prev = 0;
        for s in &segments {
            let aligned = (s.start | s.file_end | s.end) & 0xfff == 0;
            if !aligned || s.start > s.file_end || s.file_end > s.end || s.start < prev {
                return Err(VmError::BadImage(format!(
                    "segment at {:#x}..{:#x} is not page aligned and ordered",
                    s.start, s.end
                )));
            }
            if s.end > STACK_TOP - STACK_LIMIT - STACK_GUARD_GAP {
                return Err(VmError::BadImage(format!(
                    "segment end {:#x} runs into the stack area",
                    s.end
                )));
            }
            prev = s.end;
        }
        if arg_bytes > STACK_LIMIT / 4 {
            return Err(VmError::BadImage(format!(
                "{arg_bytes} bytes of arguments; at most {}",
                STACK_LIMIT / 4
            )));
        }
        Ok(Image {
            name: name.to_string(),
            bytes,
            segments,
            arg_bytes,
        })
    }

    /// The heap's start: the page after the last segment (mm->start_brk without randomisation).
    pub fn brk_start(&self) -> u64 {
        self.segments
            .iter()
            .map(|s| s.end)
            .max()
            .unwrap_or(0x40_0000)
    }

    /// The VMAs exec creates: per segment a file part and an anonymous BSS part, then the
    /// stack (argument pages plus [`STACK_EXPAND`]). `file` is this image's file index.
    pub fn vmas(&self, file: usize) -> Vec<Vma> {
        let mut v = Vec::new();
        for s in &self.segments {
            let (read, write, exec) = s.rwx;
            if s.file_end > s.start {
                v.push(Vma {
                    start: s.start,
                    end: s.file_end,
                    read,
                    write,
                    exec,
                    kind: VmaKind::File {
                        file,
                        offset: s.offset,
                        file_bytes: s.file_bytes,
                    },
                    name: self.name.clone(),
                });
            }
            if s.end > s.file_end {
                v.push(Vma {
                    start: s.file_end,
                    end: s.end,
                    read,
                    write,
                    exec,
                    kind: VmaKind::Anon,
                    name: String::new(),
                });
            }
        }
        let args = (self.arg_bytes + 0xfff) & !0xfff;
        v.push(Vma {
            start: STACK_TOP - args.max(4096) - STACK_EXPAND,
            end: STACK_TOP,
            read: true,
            write: true,
            exec: false,
            kind: VmaKind::Stack,
            name: "[stack]".into(),
        });
        v
    }
}
