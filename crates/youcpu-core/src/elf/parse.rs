//! The whole parse, in the order a reader (or the kernel) meets the structures.

use super::dynamic::{find_interp, summarize_dynamic, DynamicSummary, Interp};
use super::header::{parse_header, ElfHeader};
use super::sections::{parse_sections, resolve_counts, Section};
use super::segments::{parse_segments, Segment};
use super::{names, ByteRange, ElfError, Limits};
use serde::Serialize;

/// One step of the parse, for a widget to replay: what was read, where, and what it means.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Step {
    /// Short title, e.g. "ELF header".
    pub title: String,
    /// One sentence of explanation with the values found.
    pub detail: String,
    /// The bytes read in this step, if any.
    pub bytes: Option<ByteRange>,
}

/// A parsed ELF file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ElfFile {
    /// File size in bytes.
    pub size: u64,
    /// The ELF header.
    pub header: ElfHeader,
    /// The program headers, in file order.
    pub segments: Vec<Segment>,
    /// The section headers, in file order (section 0 included when present).
    pub sections: Vec<Section>,
    /// The program interpreter (`PT_INTERP`), if any.
    pub interp: Option<Interp>,
    /// The dynamic section summary (`PT_DYNAMIC`), if any.
    pub dynamic: Option<DynamicSummary>,
    /// What was read, in order.
    pub steps: Vec<Step>,
    /// Oddities that do not stop the parse (readelf reads such files too), one sentence each.
    pub warnings: Vec<String>,
}

impl ElfFile {
    /// 32 or 64.
    pub fn class_bits(&self) -> u32 {
        self.header.class.value.bits()
    }

    /// "little" or "big".
    pub fn endian_name(&self) -> &'static str {
        self.header.endian.value.name()
    }

    /// `e_type` as "EXEC", "DYN", ... ([`names::file_type`]).
    pub fn type_name(&self) -> String {
        names::file_type(self.header.e_type.value)
    }

    /// `e_machine` as "X86_64", "386", ... ([`names::machine`]).
    pub fn machine_name(&self) -> String {
        names::machine(self.header.machine.value)
    }

    /// `EI_OSABI` as readelf names it ([`names::osabi_name`]).
    pub fn osabi_name(&self) -> String {
        names::osabi_name(self.header.osabi.value, self.header.machine.value)
    }

    /// The libraries named by `DT_NEEDED`, in order.
    pub fn needed(&self) -> Vec<&str> {
        self.dynamic
            .as_ref()
            .map(|d| d.needed.iter().map(|s| s.value.as_str()).collect())
            .unwrap_or_default()
    }

    /// An estimate of the heap memory this value holds, in bytes (vectors and strings).
    pub fn heap_bytes(&self) -> u64 {
        use std::mem::size_of;
        let s = |x: &String| x.capacity() as u64;
        let mut n = (self.segments.capacity() * size_of::<Segment>()
            + self.sections.capacity() * size_of::<Section>()
            + self.steps.capacity() * size_of::<Step>()) as u64;
        n += self
            .segments
            .iter()
            .map(|g| s(&g.type_name) + s(&g.flags_text))
            .sum::<u64>();
        n += self
            .sections
            .iter()
            .map(|x| s(&x.name) + s(&x.type_name) + s(&x.flags_text))
            .sum::<u64>();
        n += self
            .steps
            .iter()
            .map(|x| s(&x.title) + s(&x.detail))
            .sum::<u64>();
        if let Some(i) = &self.interp {
            n += s(&i.path);
        }
        if let Some(d) = &self.dynamic {
            n += (d.entries.capacity() * size_of::<super::dynamic::DynEntry>()) as u64;
            n += d.entries.iter().map(|e| s(&e.tag_name)).sum::<u64>();
            n += (d.needed.capacity() * size_of::<super::DynString>()) as u64;
            let strings = d
                .needed
                .iter()
                .chain(&d.soname)
                .chain(&d.rpath)
                .chain(&d.runpath);
            n += strings.map(|x| s(&x.value)).sum::<u64>();
        }
        n
    }
}

/// Parses `bytes` with the default [`Limits`] (64 MiB).
pub fn parse(bytes: &[u8]) -> Result<ElfFile, ElfError> {
    parse_with_limits(bytes, &Limits::default())
}

/// Parses `bytes`, refusing files and tables larger than `limits`.
pub fn parse_with_limits(bytes: &[u8], limits: &Limits) -> Result<ElfFile, ElfError> {
    let size = bytes.len() as u64;
    if size > limits.max_file_size {
        return Err(ElfError::TooLarge {
            size,
            limit: limits.max_file_size,
        });
    }
    let mut steps = Vec::new();
    let (header, ctx) = parse_header(bytes)?;
    let class = header.class.value;
    steps.push(Step {
        title: "ELF header".into(),
        detail: format!(
            "{}-bit, {}-endian {} file for {}; execution starts at {:#x}",
            class.bits(),
            header.endian.value.name(),
            names::file_type(header.e_type.value),
            names::machine(header.machine.value),
            header.entry.value
        ),
        bytes: Some(ByteRange::at(0, u64::from(class.ehdr_size()))),
    });

    let counts = resolve_counts(bytes, &header, ctx)?;
    if counts.segments > limits.max_segments {
        return Err(ElfError::TooMany {
            what: "program headers",
            count: counts.segments,
            limit: limits.max_segments,
        });
    }
    if counts.sections > limits.max_sections {
        return Err(ElfError::TooMany {
            what: "section headers",
            count: counts.sections,
            limit: limits.max_sections,
        });
    }

    let segments = parse_segments(bytes, &header, ctx, counts.segments)?;
    steps.push(Step {
        title: "Program headers".into(),
        detail: format!(
            "{} program header(s) of {} bytes at offset {:#x}; {} PT_LOAD segment(s) to map",
            segments.len(),
            class.phdr_size(),
            header.phoff.value,
            segments.iter().filter(|s| s.is_load()).count()
        ),
        bytes: table_range(header.phoff.value, segments.len(), class.phdr_size()),
    });

    for s in segments.iter().filter(|s| s.is_load()) {
        let bss = s.memsz.value.saturating_sub(s.filesz.value);
        steps.push(Step {
            title: format!("PT_LOAD (program header {})", s.index),
            detail: format!(
                "map {:#x} bytes of the file from offset {:#x} at address {:#x}, {}{}",
                s.filesz.value,
                s.offset.value,
                s.vaddr.value,
                s.flags_text,
                if bss > 0 {
                    format!("; then {bss:#x} zero bytes (BSS)")
                } else {
                    String::new()
                }
            ),
            bytes: Some(s.header),
        });
    }

    let sections = parse_sections(bytes, &header, ctx, &counts)?;
    steps.push(Step {
        title: "Section headers".into(),
        detail: format!(
            "{} section header(s) of {} bytes at offset {:#x}; names from section {}",
            sections.len(),
            class.shdr_size(),
            header.shoff.value,
            counts.shstrndx
        ),
        bytes: table_range(header.shoff.value, sections.len(), class.shdr_size()),
    });

    let mut warnings = Vec::new();
    let interp = find_interp(bytes, &segments, &mut warnings)?;
    if let Some(i) = &interp {
        steps.push(Step {
            title: "Program interpreter".into(),
            detail: format!(
                "PT_INTERP asks the kernel to load {} and start there",
                i.path
            ),
            bytes: Some(i.bytes),
        });
    }
    let dynamic = summarize_dynamic(bytes, &header, ctx, &segments)?;
    if let Some(d) = &dynamic {
        let needed: Vec<&str> = d.needed.iter().map(|s| s.value.as_str()).collect();
        steps.push(Step {
            title: "Dynamic section".into(),
            detail: format!(
                "{} entries; needed libraries: {}",
                d.entries.len(),
                needed.join(", ")
            ),
            bytes: segments.get(d.segment).map(|s| s.contents),
        });
    }
    Ok(ElfFile {
        size,
        header,
        segments,
        sections,
        interp,
        dynamic,
        steps,
        warnings,
    })
}

fn table_range(offset: u64, count: usize, entsize: u16) -> Option<ByteRange> {
    (count > 0).then(|| ByteRange::at(offset, count as u64 * u64::from(entsize)))
}
