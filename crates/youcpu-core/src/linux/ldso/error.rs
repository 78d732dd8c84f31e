//! Why the run to the program's entry point could not start or did not get there, typed
//! (the page shows it with `Display`).

use crate::linux::errno::Errno;
use std::fmt;

/// Why [`super::needs`], [`super::Run::start`] or [`super::Run::advance`] failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Error {
    /// Not a 64-bit little-endian ELF file.
    NotElf64,
    /// Program header `index` lies past the end of the file.
    HeaderPastEnd {
        /// Its index.
        index: u64,
    },
    /// Not a dynamically linked program ([`super::not_dynamic`] says why).
    NotDynamic(&'static str),
    /// A file could not be put into the in-memory tree (no errno: not a file name).
    Place {
        /// Where it was to go.
        path: String,
        /// What the file system said.
        errno: Option<Errno>,
    },
    /// The kernel did not boot.
    Kernel(crate::linux::Error),
    /// The program's dynamic loader was not among the files.
    NoInterpreter {
        /// The program.
        program: String,
        /// The loader its `PT_INTERP` names.
        interp: String,
    },
    /// The kernel's loader refused the program.
    Load(crate::loader::LoadError),
    /// The process ended before the entry point.
    Ended {
        /// How ("exited with status 127", "was killed: ...").
        how: String,
        /// What `ld.so` wrote to standard error (trimmed; may be empty).
        said: String,
    },
    /// [`super::MAX_INSTRUCTIONS`] ran without reaching the entry point.
    TooLong,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::NotElf64 => {
                f.write_str("not an ELF file ld.so could load (a 64-bit little-endian one)")
            }
            Error::HeaderPastEnd { index } => {
                write!(f, "program header {index} lies beyond the end of the file")
            }
            Error::NotDynamic(why) => f.write_str(why),
            Error::Place { path, errno: None } => write!(f, "{path}: not a file name"),
            Error::Place {
                path,
                errno: Some(e),
            } => write!(f, "{path}: {e}"),
            Error::Kernel(e) => e.fmt(f),
            Error::NoInterpreter { program, interp } => write!(
                f,
                "{program} needs its dynamic loader {interp}, which was not given: the kernel's execve would fail with ENOENT"
            ),
            Error::Load(e) => e.fmt(f),
            Error::Ended { how, said } if said.is_empty() => write!(
                f,
                "the process {how} before reaching the program's entry point"
            ),
            Error::Ended { how, said } => write!(
                f,
                "the dynamic loader said: {said} (the process {how} before reaching the program's entry point)"
            ),
            Error::TooLong => write!(
                f,
                "the dynamic loader ran {} instructions without reaching the program's entry point",
                super::MAX_INSTRUCTIONS
            ),
        }
    }
}

impl std::error::Error for Error {}
