//! The error numbers execve can return, with their x86-64 values and `strerror` texts
//! (include/uapi/asm-generic/errno-base.h and errno.h).

use std::fmt;

/// An errno value execve(2) can fail with in this model.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Errno {
    /// 2: a path component or the file does not exist.
    Enoent,
    /// 5: a short read of an ELF header or program header.
    Eio,
    /// 7: the argument and environment strings do not fit.
    E2big,
    /// 8: no handler recognised the file.
    Enoexec,
    /// 13: no execute permission, not a regular file, or a directory not searchable.
    Eacces,
    /// 17: a binfmt_misc entry of that name exists already.
    Eexist,
    /// 20: a path component used as a directory is not one.
    Enotdir,
    /// 22: a binfmt_misc registration string was rejected.
    Einval,
    /// 36: a path or one of its components is too long.
    Enametoolong,
    /// 40: too many symbolic links, or too many interpreter rewrites.
    Eloop,
    /// 80: the ELF interpreter named in PT_INTERP is not a usable ELF file.
    Elibbad,
}

impl Errno {
    /// Every value, for tables and tests.
    pub const ALL: [Errno; 11] = [
        Errno::Enoent,
        Errno::Eio,
        Errno::E2big,
        Errno::Enoexec,
        Errno::Eacces,
        Errno::Eexist,
        Errno::Enotdir,
        Errno::Einval,
        Errno::Enametoolong,
        Errno::Eloop,
        Errno::Elibbad,
    ];

    /// The symbolic name, e.g. `"ENOEXEC"`.
    pub fn name(self) -> &'static str {
        match self {
            Errno::Enoent => "ENOENT",
            Errno::Eio => "EIO",
            Errno::E2big => "E2BIG",
            Errno::Enoexec => "ENOEXEC",
            Errno::Eacces => "EACCES",
            Errno::Eexist => "EEXIST",
            Errno::Enotdir => "ENOTDIR",
            Errno::Einval => "EINVAL",
            Errno::Enametoolong => "ENAMETOOLONG",
            Errno::Eloop => "ELOOP",
            Errno::Elibbad => "ELIBBAD",
        }
    }

    /// The number on x86-64 Linux.
    pub fn number(self) -> i32 {
        match self {
            Errno::Enoent => 2,
            Errno::Eio => 5,
            Errno::E2big => 7,
            Errno::Enoexec => 8,
            Errno::Eacces => 13,
            Errno::Eexist => 17,
            Errno::Enotdir => 20,
            Errno::Einval => 22,
            Errno::Enametoolong => 36,
            Errno::Eloop => 40,
            Errno::Elibbad => 80,
        }
    }

    /// The errno with this x86-64 number, if the model knows it.
    pub fn from_number(n: i32) -> Option<Errno> {
        Errno::ALL.into_iter().find(|e| e.number() == n)
    }

    /// glibc's `strerror` text.
    pub fn message(self) -> &'static str {
        match self {
            Errno::Enoent => "No such file or directory",
            Errno::Eio => "Input/output error",
            Errno::E2big => "Argument list too long",
            Errno::Enoexec => "Exec format error",
            Errno::Eacces => "Permission denied",
            Errno::Eexist => "File exists",
            Errno::Enotdir => "Not a directory",
            Errno::Einval => "Invalid argument",
            Errno::Enametoolong => "File name too long",
            Errno::Eloop => "Too many levels of symbolic links",
            Errno::Elibbad => "Accessing a corrupted shared library",
        }
    }
}

impl fmt::Display for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.name(), self.message())
    }
}
