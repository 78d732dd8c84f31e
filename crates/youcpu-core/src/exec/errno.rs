//! The error numbers execve can return: the kernel's one table, [`crate::linux::errno`].

pub use crate::linux::errno::Errno;
