//! The execve driver: `do_execveat_common` → `bprm_execve` → `exec_binprm` →
//! `search_binary_handler` (fs/exec.c), trying the handlers in the kernel's list order
//! (binfmt_misc, script, ELF, compat ELF) and following interpreter rewrites up to the
//! kernel's depth limit.

use super::binprm::{Binprm, BINPRM_BUF_SIZE, DEFAULT_STACK_RLIMIT, MODEL_MAX_STRINGS};
use super::elf::ElfClass;
use super::errno::Errno;
use super::fs::{FileSystem, FsError};
use super::misc::MiscRegistry;
use super::namei::{open_exec, Cred, OpenError, Opened};
use super::trace::{Binfmt, ChainLink, ExecOutcome, Failure, Loaded, Step, StepKind};

mod handlers;

/// `exec_binprm` allows depths 0..=5: a file plus five interpreter rewrites (measured on
/// Linux 6.18: five nested scripts run, six give ELOOP). The sixth rewrite fails.
pub const MAX_REWRITE_DEPTH: usize = 5;

/// What to execute, and in which setting.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExecRequest {
    /// The path passed to execve.
    pub path: Vec<u8>,
    /// argv (may be empty: the kernel then supplies `""`).
    pub argv: Vec<Vec<u8>>,
    /// envp.
    pub envp: Vec<Vec<u8>>,
    /// The calling process's working directory, an absolute path in the filesystem: relative
    /// paths (including relative `#!` interpreters) resolve from here.
    pub cwd: Vec<u8>,
    /// The caller's identity.
    pub cred: Cred,
    /// RLIMIT_STACK's soft limit in bytes (decides how much argv+envp may hold).
    pub stack_rlimit: u64,
    /// The registered binfmt_misc entries.
    pub misc: MiscRegistry,
}

impl ExecRequest {
    /// A request as root in `/`, with the default 8 MiB stack limit and no binfmt_misc entries.
    pub fn new(path: &[u8], argv: Vec<Vec<u8>>, envp: Vec<Vec<u8>>) -> Self {
        ExecRequest {
            path: path.to_vec(),
            argv,
            envp,
            cwd: b"/".to_vec(),
            cred: Cred::root(),
            stack_rlimit: DEFAULT_STACK_RLIMIT,
            misc: MiscRegistry::default(),
        }
    }
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// What one handler did.
enum Handled {
    /// -ENOEXEC: not this handler's file.
    Declined(String),
    /// An error that ends the exec.
    Failed(Failure, String),
    /// A rewrite: continue with this file.
    Next(Opened),
    /// The ELF handler accepted the file.
    Loaded {
        class: ElfClass,
        elf_interp: Option<Vec<u8>>,
    },
}

struct Run<'a> {
    fs: &'a dyn FileSystem,
    req: &'a ExecRequest,
    bprm: Binprm,
    file: Opened,
    chain: Vec<ChainLink>,
    steps: Vec<Step>,
}

fn open_failure(e: OpenError) -> (Failure, String) {
    match e {
        OpenError::Errno(n, why) => (Failure::Errno(n), why),
        OpenError::Unavailable(m) => (Failure::Unavailable(m.clone()), m),
    }
}

/// Simulates execve(2) on `fs`. Never panics; bounded by the depth limit, [`PATH_MAX`]-long
/// paths and [`MODEL_MAX_STRINGS`] strings.
///
/// [`PATH_MAX`]: super::namei::PATH_MAX
pub fn execve(fs: &dyn FileSystem, req: &ExecRequest) -> ExecOutcome {
    let mut steps = Vec::new();
    let fail = |steps: Vec<Step>, f: Failure| ExecOutcome {
        result: Err(f),
        chain: Vec::new(),
        steps,
    };
    let file = match open_exec(fs, &req.cwd, &req.path, &req.cred, true) {
        Ok(f) => f,
        Err(e) => {
            let (f, why) = open_failure(e);
            let mut s = Step::new(
                StepKind::Fail,
                0,
                None,
                format!("open \"{}\": {why}", lossy(&req.path)),
            );
            if let Failure::Errno(n) = &f {
                s.errno = Some(*n);
            }
            steps.push(s);
            return fail(steps, f);
        }
    };
    steps.push(Step::new(
        StepKind::Open,
        0,
        None,
        format!(
            "opened \"{}\" ({}) for execution",
            lossy(&req.path),
            lossy(&file.path)
        ),
    ));
    let mut bprm = Binprm::new(&req.path);
    let args = (|| {
        if req.argv.len() > MODEL_MAX_STRINGS || req.envp.len() > MODEL_MAX_STRINGS {
            return Err(Errno::E2big);
        }
        bprm.set_limits(req.argv.len(), req.envp.len(), req.stack_rlimit)?;
        bprm.copy_filename()?;
        bprm.copy_user_strings(&req.argv, &req.envp)
    })();
    if let Err(e) = args {
        let mut s = Step::new(
            StepKind::Fail,
            0,
            None,
            format!(
                "argv and envp do not fit: each string may take {} bytes with its NUL, and all of \
                 them {} bytes (a quarter of the {} KiB stack limit, at least 128 KiB, at most 6 MiB, \
                 less 8 bytes per pointer)",
                super::binprm::MAX_ARG_STRLEN,
                bprm.limit,
                req.stack_rlimit / 1024
            ),
        );
        s.errno = Some(e);
        steps.push(s);
        return fail(steps, Failure::Errno(e));
    }
    let mut s = Step::new(
        StepKind::Arguments,
        0,
        None,
        format!(
            "copied the filename, {} environment and {} argument strings: {} of {} bytes used{}",
            req.envp.len(),
            req.argv.len(),
            bprm.used,
            bprm.limit,
            if req.argv.is_empty() {
                "; argv was empty, so the kernel added \"\" as argv[0]"
            } else {
                ""
            }
        ),
    );
    s.argv = Some(bprm.argv.clone());
    steps.push(s);
    let mut run = Run {
        fs,
        req,
        bprm,
        file,
        chain: Vec::new(),
        steps,
    };
    let result = run.exec_binprm();
    ExecOutcome {
        result,
        chain: run.chain,
        steps: run.steps,
    }
}

impl Run<'_> {
    fn fail(&mut self, binfmt: Option<Binfmt>, f: Failure, why: String) -> Result<Loaded, Failure> {
        let mut s = Step::new(StepKind::Fail, self.bprm.depth, binfmt, why);
        if let Failure::Errno(n) = &f {
            s.errno = Some(*n);
        }
        self.steps.push(s);
        Err(f)
    }

    fn exec_binprm(&mut self) -> Result<Loaded, Failure> {
        // `bprm->executable` is set: the binary is held for AT_EXECFD.
        let mut held_executable = false;
        loop {
            let depth = self.bprm.depth;
            if depth > MAX_REWRITE_DEPTH {
                return self.fail(
                    None,
                    Failure::Errno(Errno::Eloop),
                    format!(
                        "{depth} interpreter rewrites: the kernel allows {MAX_REWRITE_DEPTH} (exec_binprm's depth limit)"
                    ),
                );
            }
            // prepare_binprm: the first 256 bytes, zero-padded.
            let bytes = match self.fs.read_at(&self.file.path, 0, BINPRM_BUF_SIZE) {
                Ok(b) => b,
                Err(FsError::NotFound) => {
                    return self.fail(
                        None,
                        Failure::Unavailable("the file vanished while reading".into()),
                        "the file vanished".into(),
                    )
                }
                Err(FsError::Unavailable(m)) => {
                    let msg = format!("cannot read \"{}\": {m}", lossy(&self.file.path));
                    return self.fail(None, Failure::Unavailable(msg.clone()), msg);
                }
            };
            self.bprm.buf = [0; BINPRM_BUF_SIZE];
            for (d, s) in self.bprm.buf.iter_mut().zip(&bytes) {
                *d = *s;
            }
            let mut s =
                Step::new(
                    StepKind::ReadBuffer,
                    depth,
                    None,
                    format!(
                    "read the first {} bytes of \"{}\" into the {BINPRM_BUF_SIZE}-byte buffer{}",
                    bytes.len(),
                    lossy(&self.bprm.interp),
                    if bytes.len() < BINPRM_BUF_SIZE { " (the rest is zeros)" } else { "" }
                ),
                );
            s.buf = Some(self.bprm.buf.to_vec());
            self.steps.push(s);
            let mut next = None;
            for fmt in Binfmt::ORDER {
                let handled = match fmt {
                    Binfmt::Misc => self.load_misc(),
                    Binfmt::Script => self.load_script(),
                    Binfmt::Elf => self.load_elf(ElfClass::Elf64),
                    Binfmt::CompatElf => self.load_elf(ElfClass::Elf32),
                };
                match handled {
                    Handled::Declined(why) => {
                        self.steps
                            .push(Step::new(StepKind::Decline, depth, Some(fmt), why));
                    }
                    Handled::Failed(f, why) => return self.fail(Some(fmt), f, why),
                    Handled::Loaded { class, elf_interp } => {
                        let loaded = Loaded {
                            filename: self.bprm.filename.clone(),
                            executable: self.file.path.clone(),
                            class,
                            elf_interp,
                            argv: self.bprm.argv.clone(),
                            envp: self.bprm.envp.clone(),
                            preserve_argv0: self.bprm.preserve_argv0,
                            execfd: self.bprm.execfd.clone(),
                        };
                        let mut s = Step::new(
                            StepKind::Done,
                            depth,
                            Some(fmt),
                            format!(
                                "\"{}\" starts with argc = {}",
                                lossy(&loaded.executable),
                                loaded.argv.len()
                            ),
                        );
                        s.argv = Some(loaded.argv.clone());
                        self.steps.push(s);
                        return Ok(loaded);
                    }
                    Handled::Next(file) => {
                        next = Some(file);
                        break;
                    }
                }
            }
            let Some(file) = next else {
                return self.fail(
                    None,
                    Failure::Errno(Errno::Enoexec),
                    "no handler recognised the file: ENOEXEC (a shell would now run it as a shell script)".into(),
                );
            };
            // exec_binprm: with an 'O' entry the opened binary becomes bprm->executable;
            // a second rewrite after that has nowhere to keep the file: ENOEXEC.
            if self.bprm.execfd.is_some() {
                if held_executable {
                    return self.fail(
                    None,
                    Failure::Errno(Errno::Enoexec),
                    "a rewrite after a binfmt_misc 'O'/'C' entry: the kernel already holds the \
                     binary for AT_EXECFD and refuses with ENOEXEC"
                            .into(),
                    );
                }
                held_executable = true;
            }
            self.file = file;
            self.bprm.depth += 1;
        }
    }
}

fn fs_failure(e: FsError) -> Failure {
    match e {
        FsError::NotFound => Failure::Unavailable("the file vanished while reading".into()),
        FsError::Unavailable(m) => Failure::Unavailable(m),
    }
}
