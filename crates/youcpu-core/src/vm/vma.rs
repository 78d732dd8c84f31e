//! The program images that exec maps (fs/binfmt_elf.c `load_elf_binary`); the virtual memory
//! areas themselves are the kernel's one type, [`crate::linux::vma`].

use super::VmError;
use crate::elf::{memory_map, parse};
use serde::Serialize;

pub use crate::linux::layout::{STACK_EXPAND, STACK_GUARD_GAP, STACK_LIMIT, STACK_TOP};
pub use crate::linux::vma::{Prot, Vma, VmaKind};

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
            let prot = Prot { read, write, exec };
            if s.file_end > s.start {
                let kind = VmaKind::File {
                    file,
                    offset: s.offset,
                    file_bytes: s.file_bytes,
                };
                v.push(Vma {
                    name: self.name.clone(),
                    ..Vma::new(s.start, s.file_end, prot, kind)
                });
            }
            if s.end > s.file_end {
                v.push(Vma::new(s.file_end, s.end, prot, VmaKind::Anon));
            }
        }
        let args = (self.arg_bytes + 0xfff) & !0xfff;
        v.push(Vma {
            name: "[stack]".into(),
            ..Vma::new(
                STACK_TOP - args.max(4096) - STACK_EXPAND,
                STACK_TOP,
                Prot::RW,
                VmaKind::Stack,
            )
        });
        v
    }
}
