//! Open files: the system-wide table of open file descriptions (`struct file`, shared by
//! every descriptor that fork or dup made from one open) and each process's descriptor table
//! (`struct files_struct`, fs/file.c). Descriptors 0, 1 and 2 start on the console: standard
//! input reads [`super::Linux::stdin`], standard output and error are collected by
//! [`super::Linux`]. Files live in
//! an in-memory file system ([`memfs`]); [`pipe`]s connect processes; [`calls`] are the
//! system calls.

pub mod attr;
pub mod calls;
pub mod dir;
pub mod fd;
#[cfg(unix)]
pub mod host;
pub mod load;
pub mod memfs;
pub mod pipe;
pub mod poll;
pub mod procfs;
pub mod vfs;

use serde::Serialize;

/// Whether the console's streams are terminals (the CLI says so from its own descriptors 0, 1,
/// 2), and the window size a terminal reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Terminal {
    /// Standard input, output and error: a terminal?
    pub is_tty: [bool; 3],
    /// Rows and columns (TIOCGWINSZ).
    pub size: (u16, u16),
}

impl Default for Terminal {
    fn default() -> Self {
        Terminal {
            is_tty: [false; 3],
            size: (24, 80),
        }
    }
}

/// What an open file description refers to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FileKind {
    /// Standard input: [`super::Linux::stdin`], then end of file.
    Stdin,
    /// Standard output: bytes go to [`super::Linux::stdout`].
    Stdout,
    /// Standard error: bytes go to [`super::Linux::stderr`].
    Stderr,
    /// A file (or /dev/null) of the in-memory file system.
    File {
        /// Its inode.
        ino: usize,
    },
    /// A directory.
    Dir {
        /// Its inode.
        ino: usize,
    },
    /// The read end of a pipe.
    PipeRead {
        /// The pipe.
        pipe: usize,
    },
    /// The write end of a pipe.
    PipeWrite {
        /// The pipe.
        pipe: usize,
    },
    /// `/proc/PID/maps` ([`procfs`]): its text is made from the regions on every read.
    ProcMaps {
        /// The process whose regions it shows.
        pid: u32,
    },
}

/// One open file description (`struct file`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct OpenFile {
    /// What it is.
    pub kind: FileKind,
    /// Descriptors (in every process) that refer to it (`f_count`).
    pub refs: u32,
    /// The file position (`f_pos`), shared by every descriptor dup or fork made.
    pub pos: u64,
    /// The open flags kept after open (`f_flags`): access mode, O_APPEND, O_NONBLOCK.
    pub flags: u64,
}

/// Puts `item` in the first free slot of `v` (or a new one at the end); returns its index.
pub(crate) fn insert_slot<T>(v: &mut Vec<Option<T>>, item: T) -> usize {
    match v.iter().position(Option::is_none) {
        Some(i) => {
            if let Some(slot) = v.get_mut(i) {
                *slot = Some(item);
            }
            i
        }
        None => {
            v.push(Some(item));
            v.len() - 1
        }
    }
}

/// The system-wide table of open file descriptions, indexed by number.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct OpenFiles {
    files: Vec<Option<OpenFile>>,
}

impl OpenFiles {
    /// Opens a description with one reference; returns its number.
    pub fn open(&mut self, kind: FileKind, flags: u64) -> usize {
        let f = OpenFile {
            kind,
            refs: 1,
            pos: 0,
            flags,
        };
        insert_slot(&mut self.files, f)
    }

    /// The description `i`.
    pub fn get(&self, i: usize) -> Option<&OpenFile> {
        self.files.get(i).and_then(Option::as_ref)
    }

    /// The description `i`.
    pub fn get_mut(&mut self, i: usize) -> Option<&mut OpenFile> {
        self.files.get_mut(i).and_then(Option::as_mut)
    }

    /// One more descriptor refers to `i` (dup, fork).
    pub fn get_ref(&mut self, i: usize) {
        if let Some(Some(f)) = self.files.get_mut(i) {
            f.refs += 1;
        }
    }

    /// One descriptor fewer refers to `i`; the last one closes it (`fput`) and gets it back
    /// to release what it held.
    pub fn put(&mut self, i: usize) -> Option<OpenFile> {
        let slot = self.files.get_mut(i)?;
        let f = slot.as_mut()?;
        f.refs = f.refs.saturating_sub(1);
        if f.refs == 0 {
            slot.take()
        } else {
            None
        }
    }

    /// Open descriptions.
    pub fn len(&self) -> usize {
        self.files.iter().flatten().count()
    }

    /// True when nothing is open.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
