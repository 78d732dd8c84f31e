//! Linux execve and its binary formats (Part 3 of the article).
//!
//! What happens between `execve(path, argv, envp)` and a program's first instruction, as the
//! 6.x kernel does it (fs/exec.c, fs/binfmt_script.c, fs/binfmt_misc.c, fs/binfmt_elf.c):
//!
//! 1. [`namei::open_exec`]: the path is looked up and the file opened for execution
//!    (ENOENT, ENOTDIR, EACCES, ELOOP, ENAMETOOLONG).
//! 2. [`binprm::Binprm`]: argv and envp are copied into the new stack's argument pages (E2BIG:
//!    one string may take 128 KiB, all of them a quarter of the stack rlimit; an empty argv
//!    gets `""`).
//! 3. [`execve::execve`]: the first 256 bytes are read, and the handlers are tried in the
//!    kernel's list order: [`misc`] (binfmt_misc, registered at the head), [`script`] (`#!`),
//!    [`elf`] (64-bit, then 32-bit compat). A handler that names an interpreter rewrites argv
//!    and the loop starts over on the interpreter, at most five times ([`execve::MAX_REWRITE_DEPTH`];
//!    the sixth is ELOOP). No handler: ENOEXEC, and a shell then applies [`shell`]'s fallback.
//!
//! Everything works on a [`fs::FileSystem`]: [`fs::MemFs`] (with [`examples::example_fs`]) in
//! the browser, the real filesystem in the CLI. The result carries a [`trace::Step`] list for
//! widgets to step through.

pub mod binprm;
pub mod elf;
pub mod errno;
pub mod examples;
pub mod execve;
pub mod fs;
pub mod misc;
pub mod namei;
pub mod script;
pub mod shell;
pub mod trace;

pub use errno::Errno;
pub use execve::{execve, ExecRequest};
pub use misc::{misc_claims, register};
pub use trace::{Binfmt, ChainLink, ExecOutcome, Failure, Loaded, Step, StepKind};
