//! The filesystem the model looks files up in: a small trait, and an in-memory implementation
//! for the browser. (The simulated kernel's file systems implement it through
//! [`crate::linux::fs::vfs::ExecView`], the host's files included.)
//!
//! Paths handed to a [`FileSystem`] are always absolute, normalised (`/a/b`, no `.`, `..`, `//`
//! or trailing `/`) and free of symbolic links in their parent components: the model's own
//! path walk ([`super::namei`]) resolves those, as the kernel's `link_path_walk` does.

use std::collections::BTreeMap;

/// The type of a directory entry (the `S_IFMT` bits).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    /// `S_IFREG`.
    Regular,
    /// `S_IFDIR`.
    Directory,
    /// `S_IFLNK`.
    Symlink,
    /// A device, FIFO or socket.
    Other,
}

/// What `lstat` says about an entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Meta {
    /// Its type.
    pub kind: FileKind,
    /// Permission bits (`0o7777`).
    pub mode: u32,
    /// Owner.
    pub uid: u32,
    /// Group.
    pub gid: u32,
    /// Size in bytes.
    pub size: u64,
}

/// Why a filesystem could not answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FsError {
    /// The entry does not exist (the model turns this into ENOENT).
    NotFound,
    /// The simulator itself could not look (for example no read permission on the real file);
    /// this is not something the kernel would report, so the model stops with this message.
    Unavailable(String),
}

/// Read-only access to a tree of files.
pub trait FileSystem {
    /// The entry at `path`, without following a final symbolic link.
    fn lstat(&self, path: &[u8]) -> Result<Meta, FsError>;
    /// The target of the symbolic link at `path`.
    fn read_link(&self, path: &[u8]) -> Result<Vec<u8>, FsError>;
    /// Up to `len` bytes of the regular file at `path`, starting at `offset` (fewer at the end
    /// of the file, none past it).
    fn read_at(&self, path: &[u8], offset: u64, len: usize) -> Result<Vec<u8>, FsError>;

    /// Whether the file at `path` is on a mount where nothing may be executed (`path_noexec`:
    /// a `noexec` mount, or a filesystem such as procfs that forbids it). None by default.
    fn noexec_mount(&self, _path: &[u8]) -> bool {
        false
    }
}

/// One entry of a [`MemFs`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MemNode {
    /// A regular file and its bytes.
    File(Vec<u8>),
    /// A directory.
    Dir,
    /// A symbolic link and its target.
    Symlink(Vec<u8>),
    /// A device or FIFO (exec always refuses these).
    Fifo,
}

/// An entry with its owner and permissions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemEntry {
    /// What it is.
    pub node: MemNode,
    /// Permission bits (`0o7777`).
    pub mode: u32,
    /// Owner.
    pub uid: u32,
    /// Group.
    pub gid: u32,
}

/// The most entries a [`MemFs`] holds (the browser keeps this small).
pub const MEMFS_MAX_ENTRIES: usize = 4096;
/// The largest file a [`MemFs`] holds, in bytes.
pub const MEMFS_MAX_FILE: usize = 1 << 20;

/// Why a [`MemFs`] edit was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemFsError(pub String);

/// An in-memory filesystem: a map from normalised absolute paths to entries. `/` always exists.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemFs {
    entries: BTreeMap<Vec<u8>, MemEntry>,
}

impl Default for MemFs {
    fn default() -> Self {
        MemFs::new()
    }
}

/// Normalises an absolute path lexically (`//`, `.`, trailing `/`; `..` is kept out: a MemFs
/// path names an entry, not a walk). Returns None for a relative path or one with `..`.
fn normalise(path: &[u8]) -> Option<Vec<u8>> {
    if path.first() != Some(&b'/') {
        return None;
    }
    let mut out = Vec::with_capacity(path.len());
    for comp in path.split(|&b| b == b'/') {
        match comp {
            b"" | b"." => {}
            b".." => return None,
            c => {
                out.push(b'/');
                out.extend_from_slice(c);
            }
        }
    }
    if out.is_empty() {
        out.push(b'/');
    }
    Some(out)
}

/// The parent of a normalised path (`/` for `/a`), None for `/`.
fn parent(path: &[u8]) -> Option<&[u8]> {
    if path == b"/" {
        return None;
    }
    let cut = path.iter().rposition(|&b| b == b'/')?;
    Some(if cut == 0 { b"/" } else { path.get(..cut)? })
}

impl MemFs {
    /// An empty filesystem holding only `/` (mode 0755, owned by root).
    pub fn new() -> Self {
        let mut entries = BTreeMap::new();
        entries.insert(
            b"/".to_vec(),
            MemEntry {
                node: MemNode::Dir,
                mode: 0o755,
                uid: 0,
                gid: 0,
            },
        );
        MemFs { entries }
    }

    /// Adds or replaces an entry owned by root, creating missing parent directories (0755).
    pub fn insert(&mut self, path: &str, node: MemNode, mode: u32) -> Result<(), MemFsError> {
        self.insert_owned(path.as_bytes(), node, mode, 0, 0)
    }

    /// Adds or replaces an entry with the given owner, creating missing parents (0755, root).
    pub fn insert_owned(
        &mut self,
        path: &[u8],
        node: MemNode,
        mode: u32,
        uid: u32,
        gid: u32,
    ) -> Result<(), MemFsError> {
        let show = String::from_utf8_lossy(path).into_owned();
        let Some(norm) = normalise(path) else {
            return Err(MemFsError(format!(
                "\"{show}\" is not an absolute path without \"..\""
            )));
        };
        if norm == b"/" {
            return Err(MemFsError(
                "\"/\" is always a directory and cannot be replaced".into(),
            ));
        }
        if let MemNode::File(bytes) = &node {
            if bytes.len() > MEMFS_MAX_FILE {
                return Err(MemFsError(format!(
                    "\"{show}\" is {} bytes; the in-memory filesystem holds files up to {MEMFS_MAX_FILE}",
                    bytes.len()
                )));
            }
        }
        let mut missing = Vec::new();
        let mut p = parent(&norm);
        while let Some(dir) = p {
            match self.entries.get(dir) {
                Some(MemEntry {
                    node: MemNode::Dir, ..
                }) => break,
                Some(_) => {
                    return Err(MemFsError(format!(
                        "\"{}\" is not a directory",
                        String::from_utf8_lossy(dir)
                    )))
                }
                None => missing.push(dir.to_vec()),
            }
            p = parent(dir);
        }
        let added = missing.len() + usize::from(!self.entries.contains_key(&norm));
        if self.entries.len() + added > MEMFS_MAX_ENTRIES {
            return Err(MemFsError(format!(
                "the in-memory filesystem holds at most {MEMFS_MAX_ENTRIES} entries"
            )));
        }
        for dir in missing {
            self.entries.insert(
                dir,
                MemEntry {
                    node: MemNode::Dir,
                    mode: 0o755,
                    uid: 0,
                    gid: 0,
                },
            );
        }
        self.entries.insert(
            norm,
            MemEntry {
                node,
                mode: mode & 0o7777,
                uid,
                gid,
            },
        );
        Ok(())
    }

    /// Removes an entry (and everything under it, for a directory).
    pub fn remove(&mut self, path: &str) {
        let Some(norm) = normalise(path.as_bytes()) else {
            return;
        };
        if norm == b"/" {
            return;
        }
        let mut prefix = norm.clone();
        prefix.push(b'/');
        self.entries
            .retain(|k, _| *k != norm && !k.starts_with(&prefix));
    }

    /// The entry at a path, if any (no symbolic links are followed).
    pub fn get(&self, path: &str) -> Option<&MemEntry> {
        self.entries.get(&normalise(path.as_bytes())?)
    }

    /// Every path and entry, sorted by path.
    pub fn entries(&self) -> impl Iterator<Item = (&[u8], &MemEntry)> {
        self.entries.iter().map(|(k, v)| (k.as_slice(), v))
    }
}

impl FileSystem for MemFs {
    fn lstat(&self, path: &[u8]) -> Result<Meta, FsError> {
        let e = self.entries.get(path).ok_or(FsError::NotFound)?;
        let (kind, size) = match &e.node {
            MemNode::File(b) => (FileKind::Regular, b.len() as u64),
            MemNode::Dir => (FileKind::Directory, 0),
            MemNode::Symlink(t) => (FileKind::Symlink, t.len() as u64),
            MemNode::Fifo => (FileKind::Other, 0),
        };
        Ok(Meta {
            kind,
            mode: e.mode,
            uid: e.uid,
            gid: e.gid,
            size,
        })
    }

    fn read_link(&self, path: &[u8]) -> Result<Vec<u8>, FsError> {
        match self.entries.get(path).map(|e| &e.node) {
            Some(MemNode::Symlink(t)) => Ok(t.clone()),
            Some(_) => Err(FsError::Unavailable("not a symbolic link".into())),
            None => Err(FsError::NotFound),
        }
    }

    fn read_at(&self, path: &[u8], offset: u64, len: usize) -> Result<Vec<u8>, FsError> {
        match self.entries.get(path).map(|e| &e.node) {
            Some(MemNode::File(b)) => {
                let start = usize::try_from(offset).unwrap_or(usize::MAX).min(b.len());
                let end = start.saturating_add(len).min(b.len());
                Ok(b.get(start..end).map(<[u8]>::to_vec).unwrap_or_default())
            }
            Some(_) => Err(FsError::Unavailable("not a regular file".into())),
            None => Err(FsError::NotFound),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn normalise_paths() {
        assert_eq!(normalise(b"//a/./b/"), Some(b"/a/b".to_vec()));
        assert_eq!(normalise(b"/"), Some(b"/".to_vec()));
        assert_eq!(normalise(b"a"), None);
        assert_eq!(normalise(b"/a/../b"), None);
        assert_eq!(parent(b"/a"), Some(&b"/"[..]));
        assert_eq!(parent(b"/a/b"), Some(&b"/a"[..]));
        assert_eq!(parent(b"/"), None);
    }

    #[test]
    fn insert_creates_parents_and_refuses_file_parents() {
        let mut fs = MemFs::new();
        fs.insert("/a/b/c", MemNode::File(b"hi".to_vec()), 0o755)
            .unwrap();
        assert_eq!(fs.lstat(b"/a/b").unwrap().kind, FileKind::Directory);
        assert!(fs.insert("/a/b/c/d", MemNode::Dir, 0o755).is_err());
        assert_eq!(fs.read_at(b"/a/b/c", 1, 10).unwrap(), b"i");
        assert_eq!(fs.read_at(b"/a/b/c", 9, 10).unwrap(), b"");
        fs.remove("/a");
        assert_eq!(fs.lstat(b"/a/b/c"), Err(FsError::NotFound));
    }
}
