//! The handlers' work on the `linux_binprm` during a simulated execve: `load_script`
//! (fs/binfmt_script.c), `load_misc_binary` (fs/binfmt_misc.c) and the first part of
//! `load_elf_binary` (fs/binfmt_elf.c), each recording its steps in the trace.

use super::{fs_failure, open_failure, Handled, Run};
use crate::exec::binprm::BINPRM_BUF_SIZE;
use crate::exec::elf::{self, ElfClass};
use crate::exec::errno::Errno;
use crate::exec::namei::open_exec;
use crate::exec::script::{parse_shebang, ShebangVerdict};
use crate::exec::trace::{Binfmt, ChainLink, Failure, Step, StepKind};

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

impl Run<'_> {
    fn rewrite_step(&mut self, binfmt: Binfmt, text: String) {
        let mut s = Step::new(StepKind::Rewrite, self.bprm.depth, Some(binfmt), text);
        s.argv = Some(self.bprm.argv.clone());
        self.steps.push(s);
    }

    /// Puts `names` in front of argv one by one, each before the ones already there (so the
    /// last ends up first, the order fs/binfmt_script.c and fs/binfmt_misc.c push them in with
    /// `copy_string_kernel`), and records the rewritten argv; E2BIG when they no longer fit.
    fn push_front_all(
        &mut self,
        binfmt: Binfmt,
        names: &[&[u8]],
        text: String,
    ) -> Result<(), Handled> {
        for name in names {
            if let Err(e) = self.bprm.push_front(name) {
                return Err(Handled::Failed(
                    Failure::Errno(e),
                    "the rewritten argv no longer fits: E2BIG".into(),
                ));
            }
        }
        self.rewrite_step(binfmt, text);
        Ok(())
    }

    pub(super) fn load_script(&mut self) -> Handled {
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
        let mut names: Vec<&[u8]> = vec![&script];
        names.extend(sb.arg.as_deref());
        names.push(&sb.interp);
        if let Err(failed) = self.push_front_all(
            Binfmt::Script,
            &names,
            "argv[0] dropped; interpreter, argument (if any) and the script's path put in front"
                .into(),
        ) {
            return failed;
        }
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

    pub(super) fn load_misc(&mut self) -> Handled {
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
        if let Err(failed) = self.push_front_all(
            Binfmt::Misc,
            &[&binary, &entry.interpreter],
            if entry.flags.preserve_argv0 {
                "'P': argv[0] kept; the binary's path and the interpreter put in front".into()
            } else {
                "argv[0] dropped; the binary's path and the interpreter put in front".into()
            },
        ) {
            return failed;
        }
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

    pub(super) fn load_elf(&mut self, class: ElfClass) -> Handled {
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
            Err(why) => return Handled::Declined(why.to_string()),
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
            if ph.p_filesz > crate::exec::namei::PATH_MAX as u64 || ph.p_filesz < 2 {
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
