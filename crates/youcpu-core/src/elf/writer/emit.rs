//! Emitting the bytes: the ELF header, program headers, contents and section headers in the
//! file's byte order and class (gABI "ELF Header", "Program Header", "Sections").

use super::{layout, section_names, ExecutableSpec, Image, Segment, WriteError, Written, PAGE};
use super::{ET_EXEC, PT_LOAD};
use crate::elf::header::{Class, Endian};
use crate::elf::ByteRange;

/// Field writer in the file's byte order and class.
struct Out {
    buf: Vec<u8>,
    endian: Endian,
    class: Class,
}

impl Out {
    fn uint(&mut self, v: u64, len: usize) {
        let be = v.to_be_bytes();
        let be = be.get(8 - len..).unwrap_or_default();
        match self.endian {
            Endian::Big => self.buf.extend_from_slice(be),
            Endian::Little => self.buf.extend(be.iter().rev()),
        }
    }
    fn u16(&mut self, v: u16) {
        self.uint(u64::from(v), 2);
    }
    fn u32(&mut self, v: u32) {
        self.uint(u64::from(v), 4);
    }
    /// An address, offset or size: 4 or 8 bytes by class.
    fn word(&mut self, v: u64) {
        self.uint(v, self.class.word() as usize);
    }
    fn pad_to(&mut self, offset: u64) {
        let target = offset as usize;
        if self.buf.len() < target {
            self.buf.resize(target, 0);
        }
    }
}

/// Writes the executable described by `spec`.
pub fn write_executable(spec: &ExecutableSpec) -> Result<Written, WriteError> {
    let l = layout(spec)?;
    let class = spec.class;
    let mut o = Out {
        buf: Vec::with_capacity(l.file_size as usize),
        endian: spec.endian,
        class,
    };
    let sections: Vec<(&'static str, u32)>;
    let strtab: Vec<u8>;
    (strtab, sections) = if spec.section_headers {
        section_names(spec)
    } else {
        (Vec::new(), Vec::new())
    };
    header(
        &mut o,
        &Header {
            e_type: ET_EXEC,
            machine: spec.machine,
            entry: l.entry,
            phnum: l.segments,
            shoff: l.shoff,
            shentsize: if spec.section_headers {
                class.shdr_size()
            } else {
                0
            },
            shnum: l.shnum,
        },
    );
    let code_end = l.code_offset + spec.code.len() as u64;
    phdr(
        &mut o,
        &Segment {
            p_type: PT_LOAD,
            flags: 5,
            offset: 0,
            vaddr: spec.base,
            filesz: code_end,
            memsz: code_end,
            align: PAGE,
        },
    );
    if l.segments == 2 {
        let data_len = spec.data.len() as u64;
        phdr(
            &mut o,
            &Segment {
                p_type: PT_LOAD,
                flags: 6,
                offset: l.data_offset,
                vaddr: l.data_vaddr,
                filesz: data_len,
                memsz: data_len + spec.bss_size,
                align: PAGE,
            },
        );
    }
    o.pad_to(l.code_offset);
    o.buf.extend_from_slice(&spec.code);
    if l.segments == 2 {
        // Even a data segment with no file bytes (only BSS) keeps its p_offset inside the file.
        o.pad_to(l.data_offset);
        o.buf.extend_from_slice(&spec.data);
    }
    if spec.section_headers {
        let strtab_offset = o.buf.len() as u64;
        o.buf.extend_from_slice(&strtab);
        o.pad_to(l.shoff);
        o.buf
            .extend(std::iter::repeat_n(0, class.shdr_size() as usize)); // SHT_NULL
        let data_len = spec.data.len() as u64;
        for (name, at) in &sections {
            let s = match *name {
                ".text" => Shdr {
                    name: *at,
                    ty: 1,
                    flags: 6,
                    addr: l.code_vaddr,
                    offset: l.code_offset,
                    size: spec.code.len() as u64,
                    align: 16,
                },
                ".data" => Shdr {
                    name: *at,
                    ty: 1,
                    flags: 3,
                    addr: l.data_vaddr,
                    offset: l.data_offset,
                    size: data_len,
                    align: 1,
                },
                ".bss" => Shdr {
                    name: *at,
                    ty: 8,
                    flags: 3,
                    addr: l.bss_vaddr,
                    offset: l.data_offset + data_len,
                    size: spec.bss_size,
                    align: 1,
                },
                _ => Shdr {
                    name: *at,
                    ty: 3,
                    flags: 0,
                    addr: 0,
                    offset: strtab_offset,
                    size: strtab.len() as u64,
                    align: 1,
                },
            };
            shdr(&mut o, &s);
        }
    }
    Ok(Written {
        bytes: o.buf,
        layout: l,
    })
}

/// The fields of an ELF header that differ between files (gABI "ELF Header"); the rest follow
/// from the class: program headers right after the header, no flags, `.shstrtab` last.
struct Header {
    e_type: u16,
    machine: u16,
    entry: u64,
    phnum: u16,
    shoff: u64,
    shentsize: u16,
    shnum: u16,
}

fn header(o: &mut Out, h: &Header) {
    let ei_class = if o.class == Class::Elf64 { 2 } else { 1 };
    let ei_data = if o.endian == Endian::Little { 1 } else { 2 };
    o.buf
        .extend_from_slice(&[0x7f, b'E', b'L', b'F', ei_class, ei_data, 1, 0]);
    o.buf.extend_from_slice(&[0; 8]);
    o.u16(h.e_type);
    o.u16(h.machine);
    o.u32(1); // EV_CURRENT
    o.word(h.entry);
    o.word(u64::from(o.class.ehdr_size())); // e_phoff: right after this header
    o.word(h.shoff);
    o.u32(0); // e_flags
    o.u16(o.class.ehdr_size());
    o.u16(o.class.phdr_size());
    o.u16(h.phnum);
    o.u16(h.shentsize);
    o.u16(h.shnum);
    o.u16(h.shnum.saturating_sub(1)); // .shstrtab is last
}

/// One program header: gABI "Program Header" field order for the class.
fn phdr(o: &mut Out, s: &Segment) {
    o.u32(s.p_type);
    if o.class == Class::Elf64 {
        o.u32(s.flags);
    }
    o.word(s.offset);
    o.word(s.vaddr);
    o.word(s.vaddr); // p_paddr
    o.word(s.filesz);
    o.word(s.memsz);
    if o.class == Class::Elf32 {
        o.u32(s.flags);
    }
    o.word(s.align);
}

/// Writes a file given as its program headers and the bytes they describe: for the small
/// hand-laid-out examples (a PT_INTERP with no dynamic table, an ET_DYN library with its
/// PT_DYNAMIC, an i386 program), which need exactly the segments they show and no more. The
/// header and the program headers come first; each piece of `image.contents` is placed at its
/// offset, zeros between; the file is `image.size` bytes long (or longer, if a piece ends later).
pub fn write_image(image: &Image) -> Vec<u8> {
    let mut o = Out {
        buf: Vec::with_capacity(image.size as usize),
        endian: image.endian,
        class: image.class,
    };
    header(
        &mut o,
        &Header {
            e_type: image.e_type,
            machine: image.machine,
            entry: image.entry,
            phnum: u16::try_from(image.segments.len()).unwrap_or(u16::MAX),
            shoff: 0,
            // As `ld` and the hand-made examples give it, even with no section headers.
            shentsize: image.class.shdr_size(),
            shnum: 0,
        },
    );
    for seg in &image.segments {
        phdr(&mut o, seg);
    }
    for (offset, bytes) in &image.contents {
        let at = *offset as usize;
        if o.buf.len() < at + bytes.len() {
            o.buf.resize(at + bytes.len(), 0);
        }
        if let Some(dst) = o.buf.get_mut(at..at + bytes.len()) {
            dst.copy_from_slice(bytes);
        }
    }
    o.pad_to(image.size);
    o.buf
}

struct Shdr {
    name: u32,
    ty: u32,
    flags: u64,
    addr: u64,
    offset: u64,
    size: u64,
    align: u64,
}

fn shdr(o: &mut Out, s: &Shdr) {
    o.u32(s.name);
    o.u32(s.ty);
    o.word(s.flags);
    o.word(s.addr);
    o.word(s.offset);
    o.word(s.size);
    o.u32(0); // sh_link
    o.u32(0); // sh_info
    o.word(s.align);
    o.word(0); // sh_entsize
}

/// Overwrites the field at `range` (1, 2, 4 or 8 bytes) with `value` in `endian` order: for
/// experiments that edit one header field and watch what changes.
pub fn patch(
    bytes: &mut [u8],
    range: ByteRange,
    value: u64,
    endian: Endian,
) -> Result<(), WriteError> {
    let len = range.len();
    if !matches!(len, 1 | 2 | 4 | 8) {
        return Err(WriteError::BadPatch(format!(
            "a field is 1, 2, 4 or 8 bytes, not {len}"
        )));
    }
    if len < 8 && value >> (len * 8) != 0 {
        return Err(WriteError::BadPatch(format!(
            "{value:#x} does not fit in {len} bytes"
        )));
    }
    let (Ok(start), Ok(end)) = (usize::try_from(range.start), usize::try_from(range.end)) else {
        return Err(WriteError::BadPatch("the range is outside the file".into()));
    };
    let Some(dst) = bytes.get_mut(start..end) else {
        return Err(WriteError::BadPatch(format!(
            "bytes {start}..{end} are outside the file"
        )));
    };
    let be = value.to_be_bytes();
    let src = be.get(8 - len as usize..).unwrap_or_default();
    for (i, d) in dst.iter_mut().enumerate() {
        let k = match endian {
            Endian::Big => i,
            Endian::Little => src.len() - 1 - i,
        };
        *d = src.get(k).copied().unwrap_or(0);
    }
    Ok(())
}
