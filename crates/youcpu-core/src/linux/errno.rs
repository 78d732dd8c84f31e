//! The error numbers the kernels here return, with their x86-64 values and glibc's `strerror`
//! texts (include/uapi/asm-generic/errno-base.h and errno.h). One table for the system calls of
//! [`super::Linux`], the execve model of [`crate::exec`] and the widgets.

use std::fmt;

macro_rules! errnos {
    ($($(#[$doc:meta])* $v:ident = $n:expr, $name:expr, $msg:expr;)*) => {
        /// An errno value.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Errno {
            $($(#[$doc])* $v,)*
        }

        impl Errno {
            /// Every value, in number order.
            pub const ALL: &'static [Errno] = &[$(Errno::$v,)*];

            /// The symbolic name, e.g. `"ENOEXEC"`.
            pub const fn name(self) -> &'static str {
                match self { $(Errno::$v => $name,)* }
            }

            /// The number on x86-64 Linux.
            pub const fn number(self) -> i32 {
                match self { $(Errno::$v => $n,)* }
            }

            /// glibc's `strerror` text.
            pub const fn message(self) -> &'static str {
                match self { $(Errno::$v => $msg,)* }
            }
        }
    };
}

errnos! {
    /// 1: the caller lacks the privilege.
    Eperm = 1, "EPERM", "Operation not permitted";
    /// 2: a path component or the file does not exist.
    Enoent = 2, "ENOENT", "No such file or directory";
    /// 3: no such process.
    Esrch = 3, "ESRCH", "No such process";
    /// 4: interrupted by a signal.
    Eintr = 4, "EINTR", "Interrupted system call";
    /// 5: a short read of an ELF header or program header.
    Eio = 5, "EIO", "Input/output error";
    /// 6: no such device or address.
    Enxio = 6, "ENXIO", "No such device or address";
    /// 7: the argument and environment strings do not fit.
    E2big = 7, "E2BIG", "Argument list too long";
    /// 8: no handler recognised the file.
    Enoexec = 8, "ENOEXEC", "Exec format error";
    /// 9: not an open file descriptor (or not open for this access).
    Ebadf = 9, "EBADF", "Bad file descriptor";
    /// 10: no child to wait for.
    Echild = 10, "ECHILD", "No child processes";
    /// 11: try again (a process limit, a non-blocking call that would block).
    Eagain = 11, "EAGAIN", "Resource temporarily unavailable";
    /// 12: out of memory.
    Enomem = 12, "ENOMEM", "Cannot allocate memory";
    /// 13: no execute permission, not a regular file, or a directory not searchable.
    Eacces = 13, "EACCES", "Permission denied";
    /// 14: a pointer argument points outside the address space.
    Efault = 14, "EFAULT", "Bad address";
    /// 16: busy (renaming `.` or `..`).
    Ebusy = 16, "EBUSY", "Device or resource busy";
    /// 17: the name exists already.
    Eexist = 17, "EEXIST", "File exists";
    /// 18: a rename or link across file systems.
    Exdev = 18, "EXDEV", "Invalid cross-device link";
    /// 19: the file cannot be mapped.
    Enodev = 19, "ENODEV", "No such device";
    /// 20: a path component used as a directory is not one.
    Enotdir = 20, "ENOTDIR", "Not a directory";
    /// 21: a directory where a file was needed.
    Eisdir = 21, "EISDIR", "Is a directory";
    /// 22: an argument was rejected.
    Einval = 22, "EINVAL", "Invalid argument";
    /// 23: the system-wide limit on open files (the host files the simulator keeps open).
    Enfile = 23, "ENFILE", "Too many open files in system";
    /// 24: the file-descriptor table is full.
    Emfile = 24, "EMFILE", "Too many open files";
    /// 25: not a terminal.
    Enotty = 25, "ENOTTY", "Inappropriate ioctl for device";
    /// 27: the file (or the output) is too large.
    Efbig = 27, "EFBIG", "File too large";
    /// 28: the file system is full.
    Enospc = 28, "ENOSPC", "No space left on device";
    /// 29: lseek on a pipe.
    Espipe = 29, "ESPIPE", "Illegal seek";
    /// 30: a read-only file system.
    Erofs = 30, "EROFS", "Read-only file system";
    /// 31: too many links.
    Emlink = 31, "EMLINK", "Too many links";
    /// 32: write to a pipe nobody reads.
    Epipe = 32, "EPIPE", "Broken pipe";
    /// 34: a result out of range.
    Erange = 34, "ERANGE", "Numerical result out of range";
    /// 36: a path or one of its components is too long.
    Enametoolong = 36, "ENAMETOOLONG", "File name too long";
    /// 38: the system call is not implemented.
    Enosys = 38, "ENOSYS", "Function not implemented";
    /// 39: the directory is not empty.
    Enotempty = 39, "ENOTEMPTY", "Directory not empty";
    /// 40: too many symbolic links, or too many interpreter rewrites.
    Eloop = 40, "ELOOP", "Too many levels of symbolic links";
    /// 75: a value too large for its type.
    Eoverflow = 75, "EOVERFLOW", "Value too large for defined data type";
    /// 80: the ELF interpreter named in PT_INTERP is not a usable ELF file.
    Elibbad = 80, "ELIBBAD", "Accessing a corrupted shared library";
    /// 95: an operation the object does not support.
    Eopnotsupp = 95, "EOPNOTSUPP", "Operation not supported";
}

impl Errno {
    /// The errno with this x86-64 number, if the table has it.
    pub fn from_number(n: i32) -> Option<Errno> {
        Errno::ALL.iter().copied().find(|e| e.number() == n)
    }

    /// What a system call leaves in RAX for this error: `-errno`.
    pub const fn ret(self) -> i64 {
        -(self.number() as i64)
    }
}

impl fmt::Display for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.name(), self.message())
    }
}

#[cfg(test)]
mod tests {
    use super::Errno;

    #[test]
    fn numbers_are_sorted_unique_and_round_trip() {
        for w in Errno::ALL.windows(2) {
            assert!(w[0].number() < w[1].number(), "{:?}", w);
        }
        for &e in Errno::ALL {
            assert_eq!(Errno::from_number(e.number()), Some(e));
            assert_eq!(e.ret(), -i64::from(e.number()));
        }
        assert_eq!(Errno::from_number(0), None);
    }
}
