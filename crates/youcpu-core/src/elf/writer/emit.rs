//! Emitting the bytes: the ELF header, program headers, contents and section headers in the
//! file's byte order and class (gABI "ELF Header", "Program Header", "Sections").

use super::{layout, section_names, ExecutableSpec, WriteError, Written, PAGE};
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
    // ELF header: gABI "ELF Header".
    let ei_class = if class == Class::Elf64 { 2 } else { 1 };
    let ei_data = if spec.endian == Endian::Little { 1 } else { 2 };
    o.buf
        .extend_from_slice(&[0x7f, b'E', b'L', b'F', ei_class, ei_data, 1, 0]);
    o.buf.extend_from_slice(&[0; 8]);
    o.u16(2); // ET_EXEC
    o.u16(spec.machine);
    o.u32(1); // EV_CURRENT
    o.word(l.entry);
    o.word(u64::from(class.ehdr_size())); // e_phoff: right after this header
    o.word(l.shoff);
    o.u32(0); // e_flags
    o.u16(class.ehdr_size());
    o.u16(class.phdr_size());
    o.u16(l.segments);
    o.u16(if spec.section_headers {
        class.shdr_size()
    } else {
        0
    });
    o.u16(l.shnum);
    o.u16(l.shnum.saturating_sub(1)); // .shstrtab is last
    let code_end = l.code_offset + spec.code.len() as u64;
    phdr(&mut o, 5, 0, spec.base, code_end, code_end);
    if l.segments == 2 {
        let data_len = spec.data.len() as u64;
        phdr(
            &mut o,
            6,
            l.data_offset,
            l.data_vaddr,
            data_len,
            data_len + spec.bss_size,
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

/// One program header: gABI "Program Header" field order for the class.
fn phdr(o: &mut Out, flags: u32, offset: u64, vaddr: u64, filesz: u64, memsz: u64) {
    o.u32(1); // PT_LOAD
    if o.class == Class::Elf64 {
        o.u32(flags);
    }
    o.word(offset);
    o.word(vaddr);
    o.word(vaddr); // p_paddr
    o.word(filesz);
    o.word(memsz);
    if o.class == Class::Elf32 {
        o.u32(flags);
    }
    o.word(PAGE);
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
