//! The execve driver: `do_execveat_common` → `bprm_execve` → `exec_binprm` →
//! `search_binary_handler` (fs/exec.c), trying the handlers in the kernel's list order
//! (binfmt_misc, script, ELF, compat ELF) and following interpreter rewrites up to the
//! kernel's depth limit.

use super::binprm::{Binprm, BINPRM_BUF_SIZE, DEFAULT_STACK_RLIMIT, MODEL_MAX_STRINGS};
use super::elf::{self, ElfClass};
use super::errno::Errno;
use super::fs::{FileSystem, FsError};
use super::misc::{MiscError, MiscRegistry};
use super::namei::{open_exec, Cred, OpenError, Opened};
use super::script::{parse_shebang, ShebangVerdict};
use super::trace::{Binfmt, ChainLink, ExecOutcome, Failure, Loaded, Step, StepKind};

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

    fn rewrite_step(&mut self, binfmt: Binfmt, text: String) {
        let mut s = Step::new(StepKind::Rewrite, self.bprm.depth, Some(binfmt), text);
        s.argv = Some(self.bprm.argv.clone());
        self.steps.push(s);
    }

    fn load_script(&mut self) -> Handled {
        let sb = match parse_shebang(&self.bprm.buf) {
            ShebangVerdict::NotScript => {
                return Handled::Declined("does not start with \"#!\"".into())
            }
            ShebangVerdict::Refused(why) => {
                return Handled::Declined(format!("a #! line, but {why}"))
            }
            ShebangVerdict::Script(sb) => sb,
        };
        let mut s = Step::new(
            StepKind::Claim,
            self.bprm.depth,
            Some(Binfmt::Script),
            format!(
                "#! line{}: interpreter \"{}\"{}",
                match sb.newline_at {
                    Some(n) => format!(" ends at the newline at offset {n}"),
                    None => format!(
                        " has no newline before offset {BINPRM_BUF_SIZE} (or a NUL): cut at {}",
                        sb.line_end
                    ),
                },
                lossy(&sb.interp),
                match &sb.arg {
                    Some(a) => format!(", one argument \"{}\"", lossy(a)),
                    None => ", no argument".into(),
                }
            ),
        );
        s.shebang = Some(sb.clone());
        self.steps.push(s);
        self.chain.push(ChainLink {
            binfmt: Binfmt::Script,
            file: self.bprm.interp.clone(),
            interp: Some(sb.interp.clone()),
            arg: sb.arg.clone(),
            misc_entry: None,
        });
        // argv: drop argv[0], then push (in reverse) the script's name, the argument, the
        // interpreter: [interp, arg?, script, argv[1..]].
        self.bprm.remove_arg_zero();
        let script = self.bprm.interp.clone();
        let pushed = (|| {
            self.bprm.push_front(&script)?;
            if let Some(a) = &sb.arg {
                self.bprm.push_front(a)?;
            }
            self.bprm.push_front(&sb.interp)
        })();
        if let Err(e) = pushed {
            return Handled::Failed(
                Failure::Errno(e),
                "the rewritten argv no longer fits: E2BIG".into(),
            );
        }
        self.rewrite_step(
            Binfmt::Script,
            "argv[0] dropped; interpreter, argument (if any) and the script's path put in front"
                .into(),
        );
        self.bprm.interp = sb.interp.clone();
        self.open_interpreter(Binfmt::Script, &sb.interp)
    }

    fn open_interpreter(&mut self, binfmt: Binfmt, name: &[u8]) -> Handled {
        match open_exec(self.fs, &self.req.cwd, name, &self.req.cred, false) {
            Ok(f) => {
                self.steps.push(Step::new(
                    StepKind::Open,
                    self.bprm.depth,
                    Some(binfmt),
                    format!(
                        "opened the interpreter \"{}\" ({})",
                        lossy(name),
                        lossy(&f.path)
                    ),
                ));
                Handled::Next(f)
            }
            Err(e) => {
                let (f, why) = open_failure(e);
                Handled::Failed(
                    f,
                    format!("opening the interpreter \"{}\": {why}", lossy(name)),
                )
            }
        }
    }

    fn load_misc(&mut self) -> Handled {
        if self.req.misc.disabled {
            return Handled::Declined("binfmt_misc is disabled".into());
        }
        let Some(entry) = self.req.misc.find(&self.bprm.interp, &self.bprm.buf) else {
            return Handled::Declined(format!(
                "none of the {} registered binfmt_misc entries matches",
                self.req.misc.entries.iter().filter(|e| e.enabled).count()
            ));
        };
        let entry = entry.clone();
        self.steps.push(Step::new(
            StepKind::Claim,
            self.bprm.depth,
            Some(Binfmt::Misc),
            format!(
                "binfmt_misc entry \"{}\" matches; interpreter \"{}\", flags \"{}\"",
                lossy(&entry.name),
                lossy(&entry.interpreter),
                entry.flags.letters()
            ),
        ));
        self.chain.push(ChainLink {
            binfmt: Binfmt::Misc,
            file: self.bprm.interp.clone(),
            interp: Some(entry.interpreter.clone()),
            arg: None,
            misc_entry: Some(entry.name.clone()),
        });
        if entry.flags.preserve_argv0 {
            self.bprm.preserve_argv0 = true;
        } else {
            self.bprm.remove_arg_zero();
        }
        if entry.flags.open_binary {
            self.bprm.execfd = Some(self.file.path.clone());
        }
        let binary = self.bprm.interp.clone();
        let pushed = (|| {
            self.bprm.push_front(&binary)?;
            self.bprm.push_front(&entry.interpreter)
        })();
        if let Err(e) = pushed {
            return Handled::Failed(
                Failure::Errno(e),
                "the rewritten argv no longer fits: E2BIG".into(),
            );
        }
        self.rewrite_step(
            Binfmt::Misc,
            if entry.flags.preserve_argv0 {
                "'P': argv[0] kept; the binary's path and the interpreter put in front".into()
            } else {
                "argv[0] dropped; the binary's path and the interpreter put in front".into()
            },
        );
        self.bprm.interp = entry.interpreter.clone();
        if entry.flags.credentials {
            self.bprm.execfd_creds = true;
        }
        match &entry.interp_file {
            Some(f) if entry.flags.fix_binary => {
                self.steps.push(Step::new(
                    StepKind::Open,
                    self.bprm.depth,
                    Some(Binfmt::Misc),
                    format!(
                        "'F': using the interpreter opened at registration ({})",
                        lossy(&f.path)
                    ),
                ));
                Handled::Next(f.clone())
            }
            _ => self.open_interpreter(Binfmt::Misc, &entry.interpreter),
        }
    }

    fn load_elf(&mut self, class: ElfClass) -> Handled {
        let binfmt = if class == ElfClass::Elf64 {
            Binfmt::Elf
        } else {
            Binfmt::CompatElf
        };
        let h = match elf::check_header(class, &self.bprm.buf) {
            Ok(h) => h,
            Err(r) => return Handled::Declined(r.reason),
        };
        let size = match elf::phdrs_size(class, &h) {
            Ok(s) => s,
            Err(why) => return Handled::Declined(why),
        };
        let ph_bytes = match self.fs.read_at(&self.file.path, h.e_phoff, size) {
            Ok(b) => b,
            Err(e) => {
                return Handled::Failed(fs_failure(e), "cannot read the program headers".into())
            }
        };
        if ph_bytes.len() != size {
            return Handled::Declined(format!(
                "the program headers ({size} bytes at offset {}) are past the end of the file",
                h.e_phoff
            ));
        }
        let mut elf_interp = None;
        for ph in elf::phdrs(class, &ph_bytes) {
            if ph.p_type != elf::PT_INTERP {
                continue;
            }
            if ph.p_filesz > super::namei::PATH_MAX as u64 || ph.p_filesz < 2 {
                return Handled::Failed(
                    Failure::Errno(Errno::Enoexec),
                    format!("PT_INTERP is {} bytes; it must be 2 to 4096", ph.p_filesz),
                );
            }
            let len = ph.p_filesz as usize;
            let raw = match self.fs.read_at(&self.file.path, ph.p_offset, len) {
                Ok(b) => b,
                Err(e) => return Handled::Failed(fs_failure(e), "cannot read PT_INTERP".into()),
            };
            if raw.len() != len {
                return Handled::Failed(
                    Failure::Errno(Errno::Eio),
                    "PT_INTERP runs past the end of the file: EIO".into(),
                );
            }
            if raw.last() != Some(&0) {
                return Handled::Failed(
                    Failure::Errno(Errno::Enoexec),
                    "PT_INTERP's last byte is not a NUL".into(),
                );
            }
            let name: Vec<u8> = raw.iter().take_while(|&&c| c != 0).copied().collect();
            let interp = match open_exec(self.fs, &self.req.cwd, &name, &self.req.cred, false) {
                Ok(f) => f,
                Err(e) => {
                    let (f, why) = open_failure(e);
                    return Handled::Failed(
                        f,
                        format!("opening the ELF interpreter \"{}\": {why}", lossy(&name)),
                    );
                }
            };
            let hsize = elf::header_size(class);
            let ib = match self.fs.read_at(&interp.path, 0, hsize) {
                Ok(b) => b,
                Err(e) => {
                    return Handled::Failed(fs_failure(e), "cannot read the ELF interpreter".into())
                }
            };
            if ib.len() != hsize {
                return Handled::Failed(
                    Failure::Errno(Errno::Eio),
                    format!(
                        "the ELF interpreter is shorter than an ELF header ({hsize} bytes): EIO"
                    ),
                );
            }
            let mut ibuf = [0u8; BINPRM_BUF_SIZE];
            for (d, s) in ibuf.iter_mut().zip(&ib) {
                *d = *s;
            }
            let ih = elf::header(class, &ibuf);
            let (_, _, machine) = match class {
                ElfClass::Elf64 => (64, 56, elf::EM_X86_64),
                ElfClass::Elf32 => (52, 32, elf::EM_386),
            };
            if ibuf.get(..4) != Some(&b"\x7fELF"[..]) || ih.e_machine != machine {
                return Handled::Failed(
                    Failure::Errno(Errno::Elibbad),
                    format!(
                        "the ELF interpreter \"{}\" is not an ELF file for this machine: ELIBBAD",
                        lossy(&name)
                    ),
                );
            }
            let ok = elf::phdrs_size(class, &ih).ok().and_then(|n| {
                self.fs
                    .read_at(&interp.path, ih.e_phoff, n)
                    .ok()
                    .filter(|b| b.len() == n)
            });
            if ok.is_none() {
                return Handled::Failed(
                    Failure::Errno(Errno::Elibbad),
                    format!(
                        "the ELF interpreter \"{}\" has unusable program headers: ELIBBAD",
                        lossy(&name)
                    ),
                );
            }
            elf_interp = Some(name);
            break;
        }
        self.chain.push(ChainLink {
            binfmt,
            file: self.bprm.interp.clone(),
            interp: elf_interp.clone(),
            arg: None,
            misc_entry: None,
        });
        self.steps.push(Step::new(
            StepKind::Claim,
            self.bprm.depth,
            Some(binfmt),
            match &elf_interp {
                Some(i) => format!(
                    "a valid ELF; PT_INTERP names the dynamic loader \"{}\"",
                    lossy(i)
                ),
                None => "a valid ELF without PT_INTERP (statically linked)".into(),
            },
        ));
        Handled::Loaded { class, elf_interp }
    }
}

fn fs_failure(e: FsError) -> Failure {
    match e {
        FsError::NotFound => Failure::Unavailable("the file vanished while reading".into()),
        FsError::Unavailable(m) => Failure::Unavailable(m),
    }
}

/// `bm_register_write`: parses a registration string (`create_entry`), opens the interpreter
/// now if the entry has 'F' (relative to `cwd`: a missing one is refused here), then checks
/// the entry's name is free (EEXIST) and adds it to `misc`.
pub fn register(
    misc: &mut MiscRegistry,
    fs: &dyn FileSystem,
    cwd: &[u8],
    cred: &Cred,
    registration: &[u8],
) -> Result<(), MiscError> {
    let mut entry = super::misc::parse_registration(registration)?;
    // Linux 6.7+ opens the 'F' interpreter before looking the name up (measured: an 'F'
    // entry named "status" whose interpreter is a directory fails with EACCES, not EEXIST).
    if entry.flags.fix_binary {
        match open_exec(fs, cwd, &entry.interpreter, cred, false) {
            Ok(f) => entry.interp_file = Some(f),
            Err(OpenError::Errno(errno, why)) => {
                return Err(MiscError {
                    errno,
                    reason: format!("'F' opens the interpreter now: {why}"),
                })
            }
            Err(OpenError::Unavailable(m)) => {
                return Err(MiscError {
                    errno: Errno::Einval,
                    reason: m,
                })
            }
        }
    }
    misc.add(entry)
}

/// Whether a binfmt_misc entry would claim the file at `path` (absolute in `fs`, symbolic
/// links followed) when it is executed by that name: the widget's "which example files does
/// this registration claim". Files that cannot be opened are not claimed.
pub fn misc_claims(entry: &super::misc::MiscEntry, fs: &dyn FileSystem, path: &[u8]) -> bool {
    let Ok(file) = open_exec(fs, b"/", path, &Cred::root(), true) else {
        return false;
    };
    let Ok(bytes) = fs.read_at(&file.path, 0, BINPRM_BUF_SIZE) else {
        return false;
    };
    entry.enabled && entry.matches(path, &super::script::buffer_of(&bytes))
}
