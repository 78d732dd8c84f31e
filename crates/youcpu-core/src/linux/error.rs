//! Why the simulated kernel could not boot, make a bare process or start a program: typed,
//! so that callers tell the causes apart by variant and show them with `Display` (the CLI's
//! one-line message, the page's notice), never by matching words.

use super::errno::Errno;
use super::mm::Unmapped;
use crate::loader::LoadError;
use crate::machine::timer::BadPeriod;
use crate::mmu::phys::OutOfMemory;
use std::fmt;

/// Why [`super::Linux::new`], [`super::Linux::bare`] or [`super::Linux::spawn`] failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Error {
    /// The simulated physical memory ran out (its limit is in the value).
    OutOfMemory(OutOfMemory),
    /// [`super::Config::timer_period`] is out of range.
    Timer(BadPeriod),
    /// A bare process's code does not fit its one page.
    CodeTooLong {
        /// The code's length in bytes.
        len: usize,
    },
    /// A bare process's code address or stack top is not page-aligned.
    Unaligned,
    /// The kernel wrote to a page that is not mapped.
    Unmapped(Unmapped),
    /// execve refuses the file: what it returns, and the model's reason.
    Refused {
        /// The path asked for.
        path: String,
        /// What execve returns.
        errno: Errno,
        /// Why, from the model's last step.
        reason: String,
    },
    /// The simulator itself could not look at a file (not something the kernel reports).
    Unavailable {
        /// The path asked for.
        path: String,
        /// What went wrong.
        why: String,
    },
    /// A file execve picked (the program, its interpreter) cannot be read.
    Read {
        /// The file.
        path: String,
        /// Why.
        errno: Errno,
        /// The program it was read for, when it is the interpreter.
        interp_of: Option<String>,
    },
    /// The loader refuses the program.
    Load(LoadError),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::OutOfMemory(e) => e.fmt(f),
            Error::Timer(e) => e.fmt(f),
            Error::CodeTooLong { len } => write!(
                f,
                "{len} bytes of code do not fit the one {}-byte page",
                crate::mmu::phys::PAGE_SIZE
            ),
            Error::Unaligned => f.write_str("the code and the stack top must be page-aligned"),
            Error::Unmapped(e) => e.fmt(f),
            Error::Refused {
                path,
                errno,
                reason,
            } => write!(
                f,
                "execve {path} fails with {} ({}): {reason}",
                errno.name(),
                errno.message()
            ),
            Error::Unavailable { path, why } => write!(f, "execve {path}: {why}"),
            Error::Read {
                path,
                errno,
                interp_of: None,
            } => write!(f, "cannot read {path}: {errno}"),
            Error::Read {
                path,
                errno,
                interp_of: Some(p),
            } => write!(f, "{p}: cannot open its interpreter {path}: {errno}"),
            Error::Load(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for Error {}

impl From<OutOfMemory> for Error {
    fn from(e: OutOfMemory) -> Self {
        Error::OutOfMemory(e)
    }
}

impl From<BadPeriod> for Error {
    fn from(e: BadPeriod) -> Self {
        Error::Timer(e)
    }
}

impl From<Unmapped> for Error {
    fn from(e: Unmapped) -> Self {
        Error::Unmapped(e)
    }
}

impl From<LoadError> for Error {
    fn from(e: LoadError) -> Self {
        Error::Load(e)
    }
}
