//! What the files alone say before any run: the objects a dynamic program brings in (itself,
//! the loader its `PT_INTERP` names, the `DT_NEEDED` libraries given), each one's span in its
//! file's addresses and its relocations counted by type, read from the ELF files with the same
//! parser the run's report uses. Bases, and the values `ld.so` writes, come only from the run.

use super::image::Image;
use super::{basename, plt_calls, type_name, File, Object, Reloc, Report, Role};

/// PT_LOAD (ELF gABI, "Program Header").
const PT_LOAD: u32 = 1;

/// The report the files give before `ld.so` runs: `program` first, then the loader and the
/// libraries of `files` it needs (the vDSO is the kernel's and no file: it is left out); every
/// base is 0 (not chosen yet), each relocation's `addr` its place in its file's addresses and its
/// value unknown; the program's PLT calls at their file addresses. Errors: the program is not an
/// ELF file this can read.
pub fn preview(name: &str, program: &[u8], files: &[File]) -> Result<Report, super::Error> {
    let img = Image::parse(program)?;
    let interp = img.interp.as_deref().map(basename).map(str::to_string);
    let mut objects: Vec<(Object, Image, &[u8])> = Vec::new();
    let object = |name: &str, role: Role, img: &Image| {
        let loads = img.phdrs.iter().filter(|p| p.kind == PT_LOAD);
        let start = loads.clone().map(|p| p.vaddr).min().unwrap_or(0);
        let end = loads
            .map(|p| p.vaddr.saturating_add(p.memsz))
            .max()
            .unwrap_or(0);
        Object {
            name: name.to_string(),
            role,
            base: 0,
            start,
            end,
            needed: img.needed.clone(),
            counts: Vec::new(),
        }
    };
    objects.push((object(name, Role::Program, &img), img.clone(), program));
    // The loader, then each library given, in DT_NEEDED order (a library's own needs are not
    // followed here: ld.so does that in the run).
    let wanted = interp.iter().cloned().chain(img.needed.iter().cloned());
    for (k, want) in wanted.enumerate() {
        let Some(f) = files.iter().find(|f| basename(&f.name) == want) else {
            continue;
        };
        if objects.iter().any(|(o, _, _)| basename(&o.name) == want) {
            continue;
        }
        let Ok(lib) = Image::parse(&f.bytes) else {
            continue;
        };
        let role = if k == 0 && interp.is_some() {
            Role::Interpreter
        } else {
            Role::Library
        };
        objects.push((object(&f.name, role, &lib), lib, &f.bytes));
    }
    let mut report = Report {
        objects: Vec::new(),
        relocs: Vec::new(),
        calls: Vec::new(),
        instructions: 0,
        syscalls: 0,
        entry: 0,
    };
    for (i, (o, img, _)) in objects.iter().enumerate() {
        let mut o = o.clone();
        for r in &img.relocs {
            let kind = type_name(r.kind);
            match o.counts.iter_mut().find(|(k, _)| *k == kind) {
                Some((_, n)) => *n += 1,
                None => o.counts.push((kind.clone(), 1)),
            }
            report.relocs.push(Reloc {
                object: i,
                offset: r.offset,
                addr: r.offset,
                kind,
                symbol: img
                    .reloc_syms
                    .get(r.sym as usize)
                    .cloned()
                    .flatten()
                    .filter(|_| r.sym != 0),
                addend: r.addend,
                plt: r.plt,
                value: None,
                target: None,
            });
        }
        report.objects.push(o);
    }
    if let Some((_, img, bytes)) = objects.first() {
        report.calls = plt_calls(img, bytes, 0, &report.relocs);
    }
    Ok(report)
}
