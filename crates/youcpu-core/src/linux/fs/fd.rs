//! A process's file-descriptor table (fs/file.c: `alloc_fd` takes the lowest free number,
//! `dup_fd` copies the table at fork, `close_fd`).

use super::{FileKind, OpenFiles};
use crate::linux::errno::Errno;
use serde::Serialize;

/// RLIMIT_NOFILE's usual soft limit: descriptors 0 to 1023.
pub const MAX_FDS: usize = 1024;

/// One descriptor.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Fd {
    /// The open file description it refers to.
    pub file: usize,
    /// FD_CLOEXEC.
    pub cloexec: bool,
}

/// Descriptor number -> open file description.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct FdTable {
    fds: Vec<Option<Fd>>,
}

impl FdTable {
    /// Descriptors 0, 1 and 2 on the console (what a terminal's shell hands a program).
    pub fn console(files: &mut OpenFiles) -> FdTable {
        let mut t = FdTable::default();
        for (k, acc) in [
            (FileKind::Stdin, 0),
            (FileKind::Stdout, 1),
            (FileKind::Stderr, 1),
        ] {
            let f = files.open(k, acc);
            t.fds.push(Some(Fd {
                file: f,
                cloexec: false,
            }));
        }
        t
    }

    /// The descriptor `fd`, if open.
    pub fn get(&self, fd: u64) -> Option<Fd> {
        usize::try_from(fd)
            .ok()
            .and_then(|i| self.fds.get(i))
            .copied()
            .flatten()
    }

    /// Installs `file` at the lowest free number (`alloc_fd`); None when the table is full.
    pub fn install(&mut self, file: usize, cloexec: bool) -> Option<u64> {
        let i = match self.fds.iter().position(Option::is_none) {
            Some(i) => i,
            None if self.fds.len() < MAX_FDS => {
                self.fds.push(None);
                self.fds.len() - 1
            }
            None => return None,
        };
        if let Some(slot) = self.fds.get_mut(i) {
            *slot = Some(Fd { file, cloexec });
        }
        Some(i as u64)
    }

    /// Puts `file` at `fd` (dup2), returning what was there; None when `fd` is out of range.
    pub fn install_at(&mut self, fd: u64, file: usize, cloexec: bool) -> Option<Option<Fd>> {
        let i = usize::try_from(fd).ok().filter(|&i| i < MAX_FDS)?;
        if self.fds.len() <= i {
            self.fds.resize(i + 1, None);
        }
        let slot = self.fds.get_mut(i)?;
        Some(slot.replace(Fd { file, cloexec }))
    }

    /// Removes descriptor `fd`, returning it.
    pub fn remove(&mut self, fd: u64) -> Option<Fd> {
        let i = usize::try_from(fd).ok()?;
        self.fds.get_mut(i).and_then(Option::take)
    }

    /// A copy for a child (`dup_fd`): every open description gains a reference.
    pub fn fork(&self, files: &mut OpenFiles) -> FdTable {
        for f in self.fds.iter().flatten() {
            files.get_ref(f.file);
        }
        self.clone()
    }

    /// Takes every descriptor out (at exit: `exit_files`); the caller puts their files.
    pub fn take_all(&mut self) -> Vec<usize> {
        self.fds.drain(..).flatten().map(|f| f.file).collect()
    }

    /// Takes out the descriptors marked close-on-exec.
    pub fn take_cloexec(&mut self) -> Vec<usize> {
        let mut out = Vec::new();
        for slot in &mut self.fds {
            if slot.is_some_and(|f| f.cloexec) {
                out.extend(slot.take().map(|f| f.file));
            }
        }
        out
    }

    /// Sets or clears FD_CLOEXEC; false when `fd` is not open.
    pub fn set_cloexec(&mut self, fd: u64, on: bool) -> bool {
        let slot = usize::try_from(fd).ok().and_then(|i| self.fds.get_mut(i));
        match slot {
            Some(Some(f)) => {
                f.cloexec = on;
                true
            }
            _ => false,
        }
    }

    /// The lowest free descriptor at or above `min` for `file` (F_DUPFD).
    pub fn install_from(&mut self, min: u64, file: usize, cloexec: bool) -> Option<u64> {
        let min = usize::try_from(min).ok().filter(|&m| m < MAX_FDS)?;
        if self.fds.len() < min {
            self.fds.resize(min, None);
        }
        let i = (min..MAX_FDS).find(|&i| self.fds.get(i).is_none_or(Option::is_none))?;
        if self.fds.len() <= i {
            self.fds.resize(i + 1, None);
        }
        let slot = self.fds.get_mut(i)?;
        *slot = Some(Fd { file, cloexec });
        Some(i as u64)
    }

    /// Open descriptors.
    pub fn count(&self) -> usize {
        self.fds.iter().flatten().count()
    }
}

impl super::super::Linux {
    /// dup(fd) (32): the lowest free descriptor, on the same open file description.
    pub(in super::super) fn dup(&mut self, fd: u64) -> i64 {
        let Some(f) = self.fds.get(fd) else {
            return Errno::Ebadf.ret();
        };
        match self.fds.install(f.file, false) {
            Some(n) => {
                self.files.get_ref(f.file);
                n as i64
            }
            None => Errno::Emfile.ret(),
        }
    }

    /// dup2(old, new) (33, `legacy` = true) and dup3(old, new, flags) (292): `new` closed
    /// first if open; dup2 with old == new checks old, dup3 then fails with EINVAL; dup3
    /// accepts only O_CLOEXEC.
    pub(in super::super) fn dup3(&mut self, old: u64, new: u64, flags: u64, legacy: bool) -> i64 {
        const O_CLOEXEC: u64 = 0o2000000;
        if !legacy && flags & !O_CLOEXEC != 0 {
            return Errno::Einval.ret();
        }
        let Some(f) = self.fds.get(old) else {
            return Errno::Ebadf.ret();
        };
        if old == new {
            return if legacy {
                new as i64
            } else {
                Errno::Einval.ret()
            };
        }
        if new >= MAX_FDS as u64 {
            return Errno::Ebadf.ret();
        }
        self.files.get_ref(f.file);
        match self.fds.install_at(new, f.file, flags & O_CLOEXEC != 0) {
            Some(prev) => {
                if let Some(p) = prev {
                    self.fput(p.file);
                }
                new as i64
            }
            None => {
                self.fput(f.file);
                Errno::Ebadf.ret()
            }
        }
    }
}
