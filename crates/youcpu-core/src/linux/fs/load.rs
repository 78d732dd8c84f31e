//! Programs read from the file system: what fs/exec.c `do_open_execat` and fs/binfmt_elf.c
//! `load_elf_binary` read through the VFS before mapping (the executable, then the
//! interpreter its PT_INTERP names, opened with `open_exec` from the same root).

use super::vfs::ftype;
use crate::linux::errno::Errno;
use crate::linux::Linux;
use crate::loader::{ExecArgs, LoadError, LoadInfo, MAX_FILE};

impl Linux {
    /// The whole regular file at `path` (from the working directory), at most
    /// [`MAX_FILE`] bytes (EFBIG past it); EACCES for anything but a regular file, as
    /// `do_open_execat` refuses it.
    pub fn read_file(&mut self, path: &[u8]) -> Result<Vec<u8>, Errno> {
        let o = self.fs.open(self.cwd, path, 0, 0)?;
        let r = (|| {
            if o.dir {
                return Err(Errno::Eacces);
            }
            let st = self.fs.fstat(o.node, (0, 0))?;
            if st.mode & ftype::S_IFMT != ftype::S_IFREG {
                return Err(Errno::Eacces);
            }
            let mut out = Vec::new();
            loop {
                let chunk = self.fs.read(o.node, out.len() as u64, 1 << 20)?;
                if chunk.is_empty() {
                    return Ok(out);
                }
                out.extend_from_slice(&chunk);
                if out.len() > MAX_FILE {
                    return Err(Errno::Efbig);
                }
            }
        })();
        self.fs.close(o.node);
        r
    }

    /// execve of the program at `path` in the file system: reads it and, for a dynamically
    /// linked one, the interpreter its PT_INTERP names, and starts the process at the
    /// interpreter's entry (fs/binfmt_elf.c `load_elf_binary`). Errors say what failed and
    /// the errno execve would return.
    pub fn exec_file(&mut self, path: &[u8], args: &ExecArgs) -> Result<&LoadInfo, LoadError> {
        let shown = String::from_utf8_lossy(path).escape_debug().to_string();
        let program = self
            .read_file(path)
            .map_err(|e| LoadError::new(e, format!("cannot read {shown}: {}", e.message())))?;
        let interp = match crate::elf::parse(&program)
            .ok()
            .and_then(|f| f.interp)
            .map(|i| i.path.into_bytes())
        {
            Some(name) => {
                let bytes = self.read_file(&name).map_err(|e| {
                    LoadError::new(
                        e,
                        format!(
                            "{shown}: cannot open its interpreter {}: {}",
                            String::from_utf8_lossy(&name).escape_debug(),
                            e.message()
                        ),
                    )
                })?;
                Some(bytes)
            }
            None => None,
        };
        let exe = self
            .fs
            .canonical(self.cwd, path)
            .unwrap_or_else(|_| path.to_vec());
        self.exec(&program, interp.as_deref(), args)?;
        // /proc/self/exe names the file by its absolute path (fs/proc/base.c proc_exe_link
        // gives the opened file's path), whatever the caller typed.
        self.exe = exe;
        self.name_elf_regions();
        self.trace_exec(path, &args.argv);
        self.load
            .as_ref()
            .ok_or_else(|| LoadError::new(Errno::Efault, "the loader left no record"))
    }
}
