//! The parts of an ELF64 little-endian file a dynamic loader reads, read directly from the
//! bytes (the layouts of the System V gABI, "Object Files": the file header, program headers,
//! the dynamic section, `Elf64_Rela` and `Elf64_Sym`), with every offset checked: a malformed
//! file gives less, never a panic. The full symbol tables come from the section headers, which a
//! loader never reads, only to name addresses.

/// One symbol.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sym {
    /// Its name.
    pub name: String,
    /// `st_value`.
    pub value: u64,
    /// `st_size`.
    pub size: u64,
    /// `st_info`: type in the low 4 bits, binding in the high 4.
    pub info: u8,
    /// `st_shndx` (0: undefined).
    pub shndx: u16,
}

/// One `Elf64_Rela`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rela {
    /// `r_offset`.
    pub offset: u64,
    /// The type (low 32 bits of `r_info`).
    pub kind: u32,
    /// The symbol index (high 32 bits).
    pub sym: u32,
    /// `r_addend`.
    pub addend: i64,
    /// From `DT_JMPREL` (the PLT's).
    pub plt: bool,
}

/// A program header's fields the loader uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Phdr {
    /// `p_type`.
    pub kind: u32,
    /// `p_flags`.
    pub flags: u32,
    /// `p_offset`.
    pub offset: u64,
    /// `p_vaddr`.
    pub vaddr: u64,
    /// `p_filesz`.
    pub filesz: u64,
    /// `p_memsz`.
    pub memsz: u64,
}

/// What was read.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Image {
    /// Program headers.
    pub phdrs: Vec<Phdr>,
    /// `PT_INTERP`'s path.
    pub interp: Option<String>,
    /// `DT_NEEDED`.
    pub needed: Vec<String>,
    /// `DT_SONAME`.
    pub soname: Option<String>,
    /// `DT_RPATH`.
    pub rpath: Option<String>,
    /// `DT_RUNPATH`.
    pub runpath: Option<String>,
    /// `DT_RELA` then `DT_JMPREL` entries, in table order.
    pub relocs: Vec<Rela>,
    /// The names of the relocations' symbols (`DT_SYMTAB`), by index.
    pub reloc_syms: Vec<Option<String>>,
    /// `.dynsym` then `.symtab` (from the section headers), defined symbols only.
    pub syms: Vec<Sym>,
}

const PT_LOAD: u32 = 1;
const PT_DYNAMIC: u32 = 2;
const PT_INTERP: u32 = 3;
/// Most entries read from any one table (a hostile header cannot make us allocate more).
const MAX_ENTRIES: u64 = 1 << 20;

fn u16_at(b: &[u8], at: u64) -> Option<u16> {
    let a = usize::try_from(at).ok()?;
    Some(u16::from_le_bytes(
        b.get(a..a.checked_add(2)?)?.try_into().ok()?,
    ))
}
fn u32_at(b: &[u8], at: u64) -> Option<u32> {
    let a = usize::try_from(at).ok()?;
    Some(u32::from_le_bytes(
        b.get(a..a.checked_add(4)?)?.try_into().ok()?,
    ))
}
fn u64_at(b: &[u8], at: u64) -> Option<u64> {
    let a = usize::try_from(at).ok()?;
    Some(u64::from_le_bytes(
        b.get(a..a.checked_add(8)?)?.try_into().ok()?,
    ))
}
/// The NUL-terminated string at `at`.
fn str_at(b: &[u8], at: u64) -> Option<String> {
    let s = b.get(usize::try_from(at).ok()?..)?;
    let end = s.iter().position(|&c| c == 0)?;
    Some(String::from_utf8_lossy(s.get(..end)?).into_owned())
}

impl Image {
    /// The file offset of address `v` (inside a `PT_LOAD`'s file bytes).
    pub fn offset_of(&self, v: u64) -> Option<u64> {
        self.phdrs
            .iter()
            .find(|p| p.kind == PT_LOAD && p.vaddr <= v && v - p.vaddr < p.filesz)
            .map(|p| p.offset + (v - p.vaddr))
    }

    /// Reads `bytes`. Errors: not an ELF64 little-endian file.
    pub fn parse(bytes: &[u8]) -> Result<Image, super::Error> {
        if bytes.get(..6) != Some(b"\x7fELF\x02\x01".as_slice()) {
            return Err(super::Error::NotElf64);
        }
        let mut img = Image::default();
        let phoff = u64_at(bytes, 32).unwrap_or(0);
        let phnum = u64::from(u16_at(bytes, 56).unwrap_or(0));
        for i in 0..phnum {
            let at = phoff.saturating_add(i * 56);
            let (Some(kind), Some(flags), Some(offset), Some(vaddr), Some(filesz), Some(memsz)) = (
                u32_at(bytes, at),
                u32_at(bytes, at + 4),
                u64_at(bytes, at + 8),
                u64_at(bytes, at + 16),
                u64_at(bytes, at + 32),
                u64_at(bytes, at + 40),
            ) else {
                return Err(super::Error::HeaderPastEnd { index: i });
            };
            img.phdrs.push(Phdr {
                kind,
                flags,
                offset,
                vaddr,
                filesz,
                memsz,
            });
        }
        img.interp = img
            .phdrs
            .iter()
            .find(|p| p.kind == PT_INTERP)
            .and_then(|p| str_at(bytes, p.offset))
            .filter(|s| !s.is_empty());
        img.dynamic(bytes);
        img.symbol_tables(bytes);
        Ok(img)
    }

    /// The dynamic section: names, run paths, relocation tables (gABI "Dynamic Section").
    fn dynamic(&mut self, bytes: &[u8]) {
        let Some(d) = self.phdrs.iter().find(|p| p.kind == PT_DYNAMIC).copied() else {
            return;
        };
        let mut tags: Vec<(u64, u64)> = Vec::new();
        for i in 0..(d.filesz / 16).min(MAX_ENTRIES) {
            let at = d.offset.saturating_add(i * 16);
            let (Some(tag), Some(val)) = (u64_at(bytes, at), u64_at(bytes, at + 8)) else {
                break;
            };
            if tag == 0 {
                break;
            }
            tags.push((tag, val));
        }
        let get = |t: u64| tags.iter().find(|(k, _)| *k == t).map(|(_, v)| *v);
        let strtab = get(5).and_then(|v| self.offset_of(v));
        let string = |v: u64| strtab.and_then(|s| str_at(bytes, s.checked_add(v)?));
        for &(tag, val) in &tags {
            match tag {
                1 => self.needed.extend(string(val)),
                14 => self.soname = string(val),
                15 => self.rpath = string(val),
                29 => self.runpath = string(val),
                _ => {}
            }
        }
        // DT_RELA/DT_RELASZ, then DT_JMPREL/DT_PLTRELSZ when DT_PLTREL is DT_RELA (7).
        let mut tables = vec![(get(7), get(8), false)];
        if get(20).is_none_or(|k| k == 7) {
            tables.push((get(23), get(2), true));
        }
        let symtab = get(6).and_then(|v| self.offset_of(v));
        for (addr, size, plt) in tables {
            let (Some(at), Some(size)) = (addr.and_then(|a| self.offset_of(a)), size) else {
                continue;
            };
            for i in 0..(size / 24).min(MAX_ENTRIES) {
                let e = at.saturating_add(i * 24);
                let (Some(offset), Some(info), Some(addend)) = (
                    u64_at(bytes, e),
                    u64_at(bytes, e + 8),
                    u64_at(bytes, e + 16),
                ) else {
                    break;
                };
                let sym = (info >> 32) as u32;
                self.relocs.push(Rela {
                    offset,
                    kind: info as u32,
                    sym,
                    addend: addend as i64,
                    plt,
                });
            }
        }
        // The relocations' symbol names, from DT_SYMTAB and DT_STRTAB.
        let most = self.relocs.iter().map(|r| r.sym).max().unwrap_or(0);
        self.reloc_syms = (0..=u64::from(most).min(MAX_ENTRIES))
            .map(|i| {
                let name = u32_at(bytes, symtab?.checked_add(i * 24)?)?;
                string(u64::from(name)).filter(|n| !n.is_empty())
            })
            .collect();
    }

    /// `.dynsym` (SHT_DYNSYM, 11) and `.symtab` (SHT_SYMTAB, 2) from the section headers, with
    /// the string tables their `sh_link` names.
    fn symbol_tables(&mut self, bytes: &[u8]) {
        let shoff = u64_at(bytes, 40).unwrap_or(0);
        let shnum = u64::from(u16_at(bytes, 60).unwrap_or(0));
        let sh = |i: u64, field: u64| u64_at(bytes, shoff.saturating_add(i * 64 + field));
        let sh32 = |i: u64, field: u64| u32_at(bytes, shoff.saturating_add(i * 64 + field));
        if shoff == 0 {
            return;
        }
        for want in [11, 2] {
            for i in 0..shnum {
                if sh32(i, 4) != Some(want) {
                    continue;
                }
                let (Some(off), Some(size), Some(link)) = (sh(i, 24), sh(i, 32), sh32(i, 40))
                else {
                    continue;
                };
                let Some(stroff) = sh(u64::from(link), 24) else {
                    continue;
                };
                for k in 1..(size / 24).min(MAX_ENTRIES) {
                    let e = off.saturating_add(k * 24);
                    let (Some(name), Some(info), Some(shndx), Some(value), Some(size)) = (
                        u32_at(bytes, e),
                        bytes
                            .get(usize::try_from(e + 4).unwrap_or(usize::MAX))
                            .copied(),
                        u16_at(bytes, e + 6),
                        u64_at(bytes, e + 8),
                        u64_at(bytes, e + 16),
                    ) else {
                        break;
                    };
                    if shndx == 0 {
                        continue;
                    }
                    let Some(name) = str_at(bytes, stroff.saturating_add(u64::from(name)))
                        .filter(|n| !n.is_empty())
                    else {
                        continue;
                    };
                    self.syms.push(Sym {
                        name,
                        value,
                        size,
                        info,
                        shndx,
                    });
                }
            }
        }
    }
}
