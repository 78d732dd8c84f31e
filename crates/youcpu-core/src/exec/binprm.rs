//! The `linux_binprm` state of one execve (include/linux/binfmts.h) and the argument-page
//! accounting of fs/exec.c: `bprm_stack_limits`, `copy_strings`, `copy_string_kernel`,
//! `remove_arg_zero`.
//!
//! The kernel stores argv and envp as NUL-terminated strings packed at the top of the new
//! stack, `argv[0]` lowest. A binfmt rewrite removes `argv[0]` and pushes new strings below the
//! rest, so the model keeps argv as a list and counts the bytes the strings take.

use super::errno::Errno;

/// `BINPRM_BUF_SIZE`: how many bytes of the file the kernel reads for the handlers.
pub const BINPRM_BUF_SIZE: usize = 256;
/// `MAX_ARG_STRLEN` (32 pages): the longest single argument or environment string, NUL included.
pub const MAX_ARG_STRLEN: usize = 32 * 4096;
/// `ARG_MAX` in the kernel (32 pages): the least room argv+envp always get.
pub const ARG_MAX: u64 = 32 * 4096;
/// `_STK_LIM` (8 MiB): the strings never get more than 3/4 of it.
pub const STK_LIM: u64 = 8 << 20;
/// The default `RLIMIT_STACK` soft limit (8 MiB), used unless the caller gives another.
pub const DEFAULT_STACK_RLIMIT: u64 = 8 << 20;
/// The most argv or envp strings this model accepts (the kernel's `MAX_ARG_STRINGS` is
/// 0x7fffffff, but the byte limit stops real lists far earlier; this keeps the model bounded).
pub const MODEL_MAX_STRINGS: usize = 1 << 20;

/// The argument and environment state of one execve.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Binprm {
    /// `bprm->filename`: the path as passed to execve (becomes AT_EXECFN).
    pub filename: Vec<u8>,
    /// `bprm->interp`: the name of the file being handled now: the filename at first, then
    /// each interpreter a handler switched to. Scripts pass it as the script's path.
    pub interp: Vec<u8>,
    /// argv as it stands.
    pub argv: Vec<Vec<u8>>,
    /// envp (handlers never change it).
    pub envp: Vec<Vec<u8>>,
    /// The first 256 bytes of the file being handled, NUL-padded (`bprm->buf`).
    pub buf: [u8; BINPRM_BUF_SIZE],
    /// How many rewrites so far (the `depth` of `exec_binprm`).
    pub depth: usize,
    /// Bytes of strings the argument pages hold now (filename, envp, argv, NULs included).
    pub used: u64,
    /// The most bytes they may hold (`bprm->p - bprm->argmin`).
    pub limit: u64,
    /// BINPRM_FLAGS_PRESERVE_ARGV0: a binfmt_misc 'P' entry kept `argv[0]` (AT_FLAGS bit 0).
    pub preserve_argv0: bool,
    /// `have_execfd`: a binfmt_misc 'O'/'C' entry passes the opened binary as a file
    /// descriptor (AT_EXECFD) to the interpreter; this is the binary's path.
    pub execfd: Option<Vec<u8>>,
    /// `execfd_creds`: 'C' computes the credentials from the binary, not the interpreter.
    pub execfd_creds: bool,
}

impl Binprm {
    /// A fresh state for `filename` (the file is already opened).
    pub fn new(filename: &[u8]) -> Self {
        Binprm {
            filename: filename.to_vec(),
            interp: filename.to_vec(),
            argv: Vec::new(),
            envp: Vec::new(),
            buf: [0; BINPRM_BUF_SIZE],
            depth: 0,
            used: 0,
            limit: 0,
            preserve_argv0: false,
            execfd: None,
            execfd_creds: false,
        }
    }

    /// `bprm_stack_limits`: the room for strings, from the stack rlimit and the pointer count.
    pub fn set_limits(&mut self, argc: usize, envc: usize, stack_rlimit: u64) -> Result<(), Errno> {
        let limit = (STK_LIM / 4 * 3).min(stack_rlimit / 4).max(ARG_MAX);
        let ptrs = (argc.max(1) as u64)
            .saturating_add(envc as u64)
            .saturating_mul(8);
        if limit <= ptrs {
            return Err(Errno::E2big);
        }
        self.limit = limit - ptrs;
        Ok(())
    }

    fn account(&mut self, len_with_nul: u64) -> Result<(), Errno> {
        if len_with_nul > MAX_ARG_STRLEN as u64 {
            return Err(Errno::E2big);
        }
        let used = self.used.saturating_add(len_with_nul);
        if used > self.limit {
            return Err(Errno::E2big);
        }
        self.used = used;
        Ok(())
    }

    /// `copy_string_kernel` of the filename (it is stored first, highest on the stack).
    pub fn copy_filename(&mut self) -> Result<(), Errno> {
        self.account(self.filename.len() as u64 + 1)
    }

    /// `copy_strings` of the caller's envp and argv; then an empty argv gets `""` as `argv[0]`.
    pub fn copy_user_strings(&mut self, argv: &[Vec<u8>], envp: &[Vec<u8>]) -> Result<(), Errno> {
        for s in envp.iter().rev() {
            self.account(s.len() as u64 + 1)?;
        }
        self.envp = envp.to_vec();
        for s in argv.iter().rev() {
            self.account(s.len() as u64 + 1)?;
        }
        self.argv = argv.to_vec();
        if self.argv.is_empty() {
            self.push_front(b"")?;
        }
        Ok(())
    }

    /// `copy_string_kernel`: a handler puts a string in front of argv.
    pub fn push_front(&mut self, s: &[u8]) -> Result<(), Errno> {
        self.account(s.len() as u64 + 1)?;
        self.argv.insert(0, s.to_vec());
        Ok(())
    }

    /// `remove_arg_zero`: drops `argv[0]` (if any) and gives its bytes back.
    pub fn remove_arg_zero(&mut self) {
        if !self.argv.is_empty() {
            let s = self.argv.remove(0);
            self.used = self.used.saturating_sub(s.len() as u64 + 1);
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn limits_follow_the_rlimit() {
        let mut b = Binprm::new(b"/x");
        b.set_limits(1, 0, 8 << 20).unwrap();
        assert_eq!(b.limit, (2 << 20) - 8);
        b.set_limits(0, 0, 256 << 10).unwrap();
        assert_eq!(b.limit, ARG_MAX - 8);
        b.set_limits(1, 0, u64::MAX).unwrap();
        assert_eq!(b.limit, 6 * 1024 * 1024 - 8);
        assert_eq!(b.set_limits(20_000, 0, 0), Err(Errno::E2big));
    }

    #[test]
    fn one_string_may_be_max_arg_strlen_with_its_nul() {
        let mut b = Binprm::new(b"/x");
        b.set_limits(1, 0, 8 << 20).unwrap();
        assert!(b
            .copy_user_strings(&[vec![b'a'; MAX_ARG_STRLEN - 1]], &[])
            .is_ok());
        let mut b = Binprm::new(b"/x");
        b.set_limits(1, 0, 8 << 20).unwrap();
        assert_eq!(
            b.copy_user_strings(&[vec![b'a'; MAX_ARG_STRLEN]], &[]),
            Err(Errno::E2big)
        );
    }
}
