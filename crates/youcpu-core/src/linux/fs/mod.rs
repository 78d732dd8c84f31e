//! Open files: the system-wide table of open file descriptions (`struct file`, shared by
//! every descriptor that fork or dup made from one open) and each process's descriptor table
//! (`struct files_struct`, fs/file.c). Descriptors 0, 1 and 2 start on the console: standard
//! input is empty, standard output and error are collected by [`super::Linux`].

pub mod fd;

use serde::Serialize;

/// What an open file description refers to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FileKind {
    /// Standard input: empty (reads return end of file).
    Stdin,
    /// Standard output: bytes go to [`super::Linux::stdout`].
    Stdout,
    /// Standard error: bytes go to [`super::Linux::stderr`].
    Stderr,
}

/// One open file description.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct OpenFile {
    /// What it is.
    pub kind: FileKind,
    /// Descriptors (in every process) that refer to it (`f_count`).
    pub refs: u32,
}

/// The system-wide table of open file descriptions, indexed by number.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct OpenFiles {
    files: Vec<Option<OpenFile>>,
}

impl OpenFiles {
    /// Opens a description with one reference; returns its number.
    pub fn open(&mut self, kind: FileKind) -> usize {
        let f = OpenFile { kind, refs: 1 };
        match self.files.iter().position(Option::is_none) {
            Some(i) => {
                if let Some(slot) = self.files.get_mut(i) {
                    *slot = Some(f);
                }
                i
            }
            None => {
                self.files.push(Some(f));
                self.files.len() - 1
            }
        }
    }

    /// The description `i`.
    pub fn get(&self, i: usize) -> Option<&OpenFile> {
        self.files.get(i).and_then(Option::as_ref)
    }

    /// One more descriptor refers to `i` (dup, fork).
    pub fn get_ref(&mut self, i: usize) {
        if let Some(Some(f)) = self.files.get_mut(i) {
            f.refs += 1;
        }
    }

    /// One descriptor fewer refers to `i`; the last one closes it (`fput`).
    pub fn put(&mut self, i: usize) {
        if let Some(slot) = self.files.get_mut(i) {
            if let Some(f) = slot {
                f.refs = f.refs.saturating_sub(1);
                if f.refs == 0 {
                    *slot = None;
                }
            }
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
