//! What a dynamic program asks for before it can run (`PT_INTERP`, `DT_NEEDED`, its run
//! paths), which of the given files provide it, where its loader looks and where a dropped
//! file goes.

use super::image::Image;
use super::{Error, File, LIB_DIR, PROGRAM_DIR};

/// What a dynamic program asks for before it can run, checked against the files given.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Needs {
    /// `PT_INTERP`: the loader's path.
    pub interp: Option<String>,
    /// Whether a file with the interpreter's basename was given.
    pub interp_given: bool,
    /// `DT_NEEDED`: the libraries, in order.
    pub needed: Vec<String>,
    /// Those of [`Needs::needed`] given as files (by name).
    pub given: Vec<String>,
    /// `DT_SONAME`: set in shared libraries (glibc's `libc.so.6` has a `PT_INTERP` too, so
    /// that it can be run, but it is a library).
    pub soname: Option<String>,
    /// `DT_RPATH`: glibc searches it before `LD_LIBRARY_PATH` (unless there is a
    /// `DT_RUNPATH`), musl after it.
    pub rpath: Option<String>,
    /// `DT_RUNPATH`: searched after `LD_LIBRARY_PATH`.
    pub runpath: Option<String>,
}

impl Needs {
    /// The needed libraries not given. musl's loader is also its C library and answers
    /// for `libc.so` itself (musl ldso/dynlink.c `load_library` treats the names of its own
    /// parts, `libc`, `libpthread`, `libm`, `libdl`, `librt`, `libutil`, `libxnet`, as
    /// already loaded), so with a musl interpreter those are not missing.
    pub fn missing(&self) -> Vec<String> {
        let musl = self.musl();
        self.needed
            .iter()
            .filter(|n| !self.given.contains(n))
            .filter(|n| !(musl && musl_builtin(n)))
            .cloned()
            .collect()
    }

    /// Every file still to be given: the interpreter first (the kernel's `execve` needs it
    /// before any library is looked for), then [`Needs::missing`].
    pub fn missing_files(&self) -> Vec<String> {
        let interp = self.interp.iter().filter(|_| !self.interp_given).cloned();
        interp.chain(self.missing()).collect()
    }

    /// The interpreter is musl's (`ld-musl-ARCH.so.1`, which is also its C library).
    pub fn musl(&self) -> bool {
        let interp = self.interp.as_deref();
        interp.is_some_and(|p| basename(p).starts_with("ld-musl-"))
    }

    /// It links dynamically: it names an interpreter or a library.
    pub fn is_dynamic(&self) -> bool {
        self.interp.is_some() || !self.needed.is_empty()
    }

    /// Its run paths, `DT_RPATH` then `DT_RUNPATH`.
    pub fn run_paths(&self) -> Vec<String> {
        self.rpath.iter().chain(&self.runpath).cloned().collect()
    }

    /// Where its loader looks for a library, in order, in words. glibc (ld.so(8), "the
    /// shared objects needed by a program are searched for in the following order"):
    /// `DT_RPATH` if there is no `DT_RUNPATH`, `LD_LIBRARY_PATH`, `DT_RUNPATH`,
    /// `/etc/ld.so.cache`, the default directories. musl (ldso/dynlink.c `load_library`):
    /// `LD_LIBRARY_PATH`, then the run path (`DT_RUNPATH` replacing `DT_RPATH`), then the
    /// directories in `/etc/ld-musl-x86_64.path` or its defaults.
    pub fn search(&self) -> Vec<String> {
        let mut s = Vec::new();
        let tag = |name: &str, v: &String| format!("{name} {v}");
        if self.musl() {
            s.push("LD_LIBRARY_PATH".to_string());
            match (&self.rpath, &self.runpath) {
                (_, Some(r)) => s.push(tag("DT_RUNPATH", r)),
                (Some(r), None) => s.push(tag("DT_RPATH", r)),
                (None, None) => {}
            }
            s.push("/etc/ld-musl-x86_64.path, else /lib:/usr/local/lib:/usr/lib".into());
            return s;
        }
        if let (Some(r), None) = (&self.rpath, &self.runpath) {
            s.push(tag("DT_RPATH", r));
        }
        s.push("LD_LIBRARY_PATH".to_string());
        s.extend(self.runpath.iter().map(|r| tag("DT_RUNPATH", r)));
        s.push(
            "/etc/ld.so.cache, then the default directories (/lib/x86_64-linux-gnu, \
             /usr/lib/x86_64-linux-gnu, /lib, /usr/lib on Debian and Ubuntu)"
                .into(),
        );
        s
    }
}

/// Whether musl's loader answers for `name` itself: ldso/dynlink.c `load_library` matches
/// `lib` followed by one of its parts and a dot (`libc.`, `libpthread.`, `librt.`, `libm.`,
/// `libdl.`, `libutil.`, `libxnet.`), so `libc.so` and `libm.so.6` but not `libc` or
/// `libcrypto.so`.
fn musl_builtin(name: &str) -> bool {
    let parts = ["c", "pthread", "rt", "m", "dl", "util", "xnet"];
    let rest = name.strip_prefix("lib").unwrap_or_default();
    parts.iter().any(|p| {
        rest.strip_prefix(p)
            .is_some_and(|after| after.starts_with('.'))
    })
}

/// Where a file dropped beside a dynamic program goes: the loader `interp` names at that
/// path; a library (`*.so*`) where that loader looks first without `LD_LIBRARY_PATH` or a
/// run path (`/lib` for musl, the multiarch directory for glibc); anything else in
/// [`PROGRAM_DIR`].
pub fn place(name: &str, interp: Option<&str>) -> String {
    let base = basename(name);
    if let Some(i) = interp.filter(|i| basename(i) == base) {
        return i.to_string();
    }
    if base.contains(".so") {
        if interp.is_some_and(|i| i.contains("ld-linux")) {
            return format!("/lib/x86_64-linux-gnu/{base}");
        }
        return format!("{LIB_DIR}/{base}");
    }
    format!("{PROGRAM_DIR}/{base}")
}

pub(super) fn basename(p: &str) -> &str {
    p.rsplit('/').next().unwrap_or(p)
}

impl Needs {
    /// A program that a dynamic loader starts: it names an interpreter and is no library.
    pub fn is_dynamic_program(&self) -> bool {
        self.interp.is_some() && self.soname.is_none()
    }
}

/// Why a file is no dynamic program, in words (None if it is one).
pub fn not_dynamic(n: &Needs) -> Option<&'static str> {
    match (&n.interp, &n.soname) {
        (_, Some(_)) => Some("a shared library, not a program; give the program that needs it too"),
        (None, None) => Some(
            "it names no interpreter (PT_INTERP): a static program or a library, nothing for a dynamic loader to start",
        ),
        (Some(_), None) => None,
    }
}

/// Reads what `program` needs and which of `files` provide it. Errors: not an ELF file this
/// can read.
pub fn needs(program: &[u8], files: &[File]) -> Result<Needs, Error> {
    let names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
    needs_named(program, &names)
}

/// [`needs`] given only the files' names (a basename, or any path whose basename counts).
pub fn needs_named(program: &[u8], names: &[&str]) -> Result<Needs, Error> {
    let img = Image::parse(program)?;
    let names: Vec<&str> = names.iter().map(|n| basename(n)).collect();
    Ok(Needs {
        interp_given: img
            .interp
            .as_deref()
            .is_some_and(|i| names.contains(&basename(i))),
        given: img
            .needed
            .iter()
            .filter(|n| names.contains(&n.as_str()))
            .cloned()
            .collect(),
        needed: img.needed,
        interp: img.interp,
        soname: img.soname,
        rpath: img.rpath,
        runpath: img.runpath,
    })
}

#[cfg(test)]
mod tests;
