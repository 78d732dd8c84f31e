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
//! the browser, a tree kept in the kernel's own in-memory file system
//! ([`crate::linux::fs::memfs`]), and the simulated kernel's own file system through
//! [`crate::linux::fs::vfs::ExecView`], both inside the simulation and in the CLI (the host's
//! files under `--root`, the very layer `youcpu run` gives its programs). The result carries a [`trace::Step`] list for
//! widgets to step through.
//!
//! Choices the model makes, all measured against Linux 6.18 on x86-64:
//! - binfmt_misc is asked first: `init_misc_binfmt` uses `insert_binfmt`, so a magic entry can
//!   claim a `#!` script or an ELF file (the article's "script, misc, ELF" order is not the
//!   kernel's);
//! - the working directory is [`ExecRequest::cwd`] (`/` by default; the CLI uses its own, or `/`
//!   of `--root`); relative paths and relative `#!`/PT_INTERP interpreters start there;
//! - the argv+envp limit is computed from [`ExecRequest::stack_rlimit`] (8 MiB by default, which
//!   gives 2 MiB less 8 bytes per pointer) exactly as `bprm_stack_limits` does, and each
//!   string may be at most [`binprm::MAX_ARG_STRLEN`] bytes with its NUL;
//! - a `#!` line that names `""` (a NUL right after `#!`, no newline) opens the cwd, a
//!   directory: EACCES, as the kernel does;
//! - ELF files are checked up to the point of no return; later failures (bad segments) are
//!   Part 4's, and the model reports such files as loaded.
//!
//! Interactive helpers: [`misc::parse_registration`] (the kernel's verdict on a registration
//! string, with the reason), [`misc_claims`] (does an entry claim a file),
//! [`shell::from_shell`] (the same command run from dash or bash).

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
