//! The record of one simulated execve: the chain of handlers that claimed the file, and every
//! step taken, as data a widget can step through.

use super::elf::ElfClass;
use super::errno::Errno;
use super::script::Shebang;

/// A binary format handler, in the order the kernel tries them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Binfmt {
    /// fs/binfmt_misc.c (inserted at the head of the list, so tried first).
    Misc,
    /// fs/binfmt_script.c.
    Script,
    /// fs/binfmt_elf.c, 64-bit.
    Elf,
    /// fs/compat_binfmt_elf.c, 32-bit i386.
    CompatElf,
}

impl Binfmt {
    /// The kernel order.
    pub const ORDER: [Binfmt; 4] = [Binfmt::Misc, Binfmt::Script, Binfmt::Elf, Binfmt::CompatElf];

    /// Short name: "misc", "script", "elf", "compat_elf".
    pub fn name(self) -> &'static str {
        match self {
            Binfmt::Misc => "misc",
            Binfmt::Script => "script",
            Binfmt::Elf => "elf",
            Binfmt::CompatElf => "compat_elf",
        }
    }
}

/// One handler that claimed a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChainLink {
    /// The handler.
    pub binfmt: Binfmt,
    /// The file, by the name it was reached by (`bprm->interp`: the path given to execve,
    /// then each interpreter path as written).
    pub file: Vec<u8>,
    /// The interpreter it named (`#!` path, binfmt_misc interpreter, ELF PT_INTERP), if any.
    pub interp: Option<Vec<u8>>,
    /// The `#!` optional argument.
    pub arg: Option<Vec<u8>>,
    /// The binfmt_misc entry's name.
    pub misc_entry: Option<Vec<u8>>,
}

/// What kind of step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StepKind {
    /// Looking up and opening a file for execution.
    Open,
    /// Counting and copying argv/envp into the new stack's argument pages.
    Arguments,
    /// Reading the first 256 bytes into `bprm->buf`.
    ReadBuffer,
    /// A handler declined (ENOEXEC): the next one is tried.
    Decline,
    /// A handler claimed the file.
    Claim,
    /// argv was rewritten.
    Rewrite,
    /// The exec failed here.
    Fail,
    /// The final program is ready to run.
    Done,
}

/// One step, with a sentence saying what happened and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Step {
    /// What kind.
    pub kind: StepKind,
    /// The rewrite depth (0 for the file given to execve).
    pub depth: usize,
    /// The handler concerned.
    pub binfmt: Option<Binfmt>,
    /// The explanation.
    pub text: String,
    /// For [`StepKind::ReadBuffer`]: the 256 bytes.
    pub buf: Option<Vec<u8>>,
    /// For [`StepKind::Rewrite`] and [`StepKind::Arguments`]: argv afterwards.
    pub argv: Option<Vec<Vec<u8>>>,
    /// For a script claim: where the line was read and cut.
    pub shebang: Option<Shebang>,
    /// For [`StepKind::Fail`]: the errno.
    pub errno: Option<Errno>,
}

impl Step {
    /// A step with only a kind, depth, handler and text.
    pub fn new(
        kind: StepKind,
        depth: usize,
        binfmt: Option<Binfmt>,
        text: impl Into<String>,
    ) -> Self {
        Step {
            kind,
            depth,
            binfmt,
            text: text.into(),
            buf: None,
            argv: None,
            shebang: None,
            errno: None,
        }
    }
}

/// Why the simulated execve did not reach a program.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Failure {
    /// The kernel's error.
    Errno(Errno),
    /// The simulator could not read the filesystem (not something the kernel would say).
    Unavailable(String),
}

/// A successful exec: what the new program starts with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Loaded {
    /// `bprm->filename`, the path given to execve (AT_EXECFN, `/proc/self/comm`'s source).
    pub filename: Vec<u8>,
    /// The resolved path of the ELF file finally loaded.
    pub executable: Vec<u8>,
    /// Which ELF handler loaded it.
    pub class: ElfClass,
    /// Its PT_INTERP (the dynamic loader the kernel maps too), if any.
    pub elf_interp: Option<Vec<u8>>,
    /// argv as the program receives it.
    pub argv: Vec<Vec<u8>>,
    /// envp as the program receives it.
    pub envp: Vec<Vec<u8>>,
    /// AT_FLAGS has AT_FLAGS_PRESERVE_ARGV0 (a binfmt_misc 'P' entry ran).
    pub preserve_argv0: bool,
    /// With a binfmt_misc 'O'/'C' entry: the binary the kernel opened and passes as the file
    /// descriptor AT_EXECFD (argv still names it by path).
    pub execfd: Option<Vec<u8>>,
}

/// Everything a simulated execve produced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExecOutcome {
    /// The program, or why there is none.
    pub result: Result<Loaded, Failure>,
    /// The handlers that claimed a file, in order.
    pub chain: Vec<ChainLink>,
    /// Every step.
    pub steps: Vec<Step>,
}

impl ExecOutcome {
    /// The errno, if the exec failed with one.
    pub fn errno(&self) -> Option<Errno> {
        match &self.result {
            Err(Failure::Errno(e)) => Some(*e),
            _ => None,
        }
    }
}
