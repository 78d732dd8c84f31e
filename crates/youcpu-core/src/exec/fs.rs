//! The filesystem the model looks files up in: a small trait, and the browser's in-memory
//! trees ([`MemFs`], kept in the simulated kernel's own in-memory file system). (The
//! simulated kernel's file systems implement it through
//! [`crate::linux::fs::vfs::ExecView`], the host's files included.)
//!
//! Paths handed to a [`FileSystem`] are always absolute, normalised (`/a/b`, no `.`, `..`, `//`
//! or trailing `/`) and free of symbolic links in their parent components: the model's own
//! path walk ([`super::namei`]) resolves those, as the kernel's `link_path_walk` does.

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
    /// A character device of the kind of `/dev/null` (exec always refuses these).
    Device,
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

/// The most entries a [`MemFs`] holds (the kernel's in-memory file system's inode limit).
pub const MEMFS_MAX_ENTRIES: usize = kernel::MAX_INODES;
/// The largest file a [`MemFs`] holds, in bytes.
pub const MEMFS_MAX_FILE: usize = 1 << 20;

/// Why a [`MemFs`] edit was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemFsError(pub String);

use crate::linux::fs::memfs::{self as kernel, Node, ROOT};

/// A tree of files for the execve widgets, kept in the simulated kernel's own in-memory
/// file system ([`kernel::MemFs`], the one the browser's kernel runs programs on), and
/// edited by absolute path: entries are put with their owner and mode, and missing
/// directories made on the way. `/` always exists.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemFs {
    fs: kernel::MemFs,
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

/// The components of a normalised path (none for `/`).
fn components(path: &[u8]) -> impl Iterator<Item = &[u8]> {
    path.split(|&b| b == b'/').filter(|c| !c.is_empty())
}

fn show(path: &[u8]) -> String {
    String::from_utf8_lossy(path).into_owned()
}

impl MemFs {
    /// An empty filesystem holding only `/` (mode 0755, owned by root).
    pub fn new() -> Self {
        let mut fs = kernel::MemFs::empty();
        fs.set_owner(ROOT, 0, 0);
        MemFs { fs }
    }

    /// The tree as the kernel's file system keeps it.
    pub fn kernel(&self) -> &kernel::MemFs {
        &self.fs
    }

    /// The inode of a normalised path, no symbolic link followed (a link in the middle of
    /// the path is not a directory: none).
    fn find(&self, path: &[u8]) -> Option<usize> {
        let mut ino = ROOT;
        for c in components(path) {
            ino = self.fs.lookup(ino, c).ok()??;
        }
        Some(ino)
    }

    /// The entry of inode `ino`.
    fn entry(&self, ino: usize) -> Option<MemEntry> {
        let i = self.fs.get(ino)?;
        let node = match &i.node {
            Node::File { data } => MemNode::File(data.clone()),
            Node::Dir { .. } => MemNode::Dir,
            Node::Symlink { target } => MemNode::Symlink(target.clone()),
            Node::Null => MemNode::Device,
        };
        Some(MemEntry {
            node,
            mode: i.perm,
            uid: i.owner.0.unwrap_or(0),
            gid: i.owner.1.unwrap_or(0),
        })
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
        let Some(norm) = normalise(path) else {
            return Err(MemFsError(format!(
                "\"{}\" is not an absolute path without \"..\"",
                show(path)
            )));
        };
        let parts: Vec<&[u8]> = components(&norm).collect();
        let Some((name, dirs)) = parts.split_last() else {
            return Err(MemFsError(
                "\"/\" is always a directory and cannot be replaced".into(),
            ));
        };
        if let MemNode::File(bytes) = &node {
            if bytes.len() > MEMFS_MAX_FILE {
                return Err(MemFsError(format!(
                    "\"{}\" is {} bytes; the in-memory filesystem holds files up to {MEMFS_MAX_FILE}",
                    show(&norm),
                    bytes.len()
                )));
            }
        }
        // The directories on the way: existing ones must be directories; count the rest.
        let mut dir = Some(ROOT);
        let mut missing = 0;
        let mut walked = Vec::new();
        for d in dirs {
            walked.push(b'/');
            walked.extend_from_slice(d);
            dir = match dir {
                Some(at) => match self.fs.lookup(at, d).ok().flatten() {
                    Some(i) if self.fs.is_dir(i) => Some(i),
                    Some(_) => {
                        return Err(MemFsError(format!(
                            "\"{}\" is not a directory",
                            show(&walked)
                        )))
                    }
                    None => {
                        missing += 1;
                        None
                    }
                },
                None => {
                    missing += 1;
                    None
                }
            };
        }
        let existing = dir.and_then(|d| self.fs.lookup(d, name).ok().flatten());
        let added = missing + usize::from(existing.is_none());
        if self.fs.inode_count() + added > MEMFS_MAX_ENTRIES {
            return Err(MemFsError(format!(
                "the in-memory filesystem holds at most {MEMFS_MAX_ENTRIES} entries"
            )));
        }
        let failed = |e: crate::linux::errno::Errno| {
            MemFsError(format!("\"{}\": {}", show(&norm), e.message()))
        };
        let mut at = ROOT;
        for d in dirs {
            at = match self.fs.lookup(at, d).ok().flatten() {
                Some(i) => i,
                None => {
                    let i = self.fs.mkdir(at, d, 0o755).map_err(failed)?;
                    self.fs.set_owner(i, 0, 0);
                    i
                }
            };
        }
        // A directory put over a directory keeps what it holds; anything else replaces.
        let ino = match (existing, &node) {
            (Some(i), MemNode::Dir) if self.fs.is_dir(i) => i,
            (old, _) => {
                if old.is_some() {
                    self.remove_at(at, name);
                }
                match node {
                    MemNode::File(bytes) => {
                        let i = self.fs.create(at, name, mode).map_err(failed)?;
                        self.fs.write(i, 0, &bytes).map_err(failed)?;
                        i
                    }
                    MemNode::Dir => self.fs.mkdir(at, name, mode).map_err(failed)?,
                    MemNode::Symlink(target) => {
                        self.fs.symlink(at, name, &target).map_err(failed)?
                    }
                    MemNode::Device => self.fs.mknod_null(at, name, mode).map_err(failed)?,
                }
            }
        };
        self.fs.set_perm(ino, mode);
        self.fs.set_owner(ino, uid, gid);
        Ok(())
    }

    /// Removes `name` from directory `dir`, everything under it first.
    fn remove_at(&mut self, dir: usize, name: &[u8]) {
        let Some(ino) = self.fs.lookup(dir, name).ok().flatten() else {
            return;
        };
        if self.fs.is_dir(ino) {
            let children: Vec<Vec<u8>> = self
                .fs
                .list(ino)
                .unwrap_or_default()
                .into_iter()
                .map(|(n, _, _)| n)
                .filter(|n| n != b"." && n != b"..")
                .collect();
            for c in children {
                self.remove_at(ino, &c);
            }
        }
        let _ = self.fs.remove(dir, name, self.fs.is_dir(ino));
    }

    /// Removes an entry (and everything under it, for a directory).
    pub fn remove(&mut self, path: &str) {
        let Some(norm) = normalise(path.as_bytes()) else {
            return;
        };
        let parts: Vec<&[u8]> = components(&norm).collect();
        let Some((name, _)) = parts.split_last() else {
            return;
        };
        let parent_len = norm.len() - name.len() - 1;
        let Some(dir) = self.find(norm.get(..parent_len).unwrap_or_default()) else {
            return;
        };
        self.remove_at(dir, name);
    }

    /// The entry at a path, if any (no symbolic links are followed).
    pub fn get(&self, path: &str) -> Option<MemEntry> {
        let ino = self.find(&normalise(path.as_bytes())?)?;
        self.entry(ino)
    }

    /// Every path and entry, sorted by path.
    pub fn entries(&self) -> impl Iterator<Item = (Vec<u8>, MemEntry)> {
        let mut out = Vec::new();
        let mut todo = vec![(b"/".to_vec(), ROOT)];
        while let Some((path, ino)) = todo.pop() {
            if let Some(e) = self.entry(ino) {
                out.push((path.clone(), e));
            }
            if !self.fs.is_dir(ino) {
                continue;
            }
            for (name, child, _) in self.fs.list(ino).unwrap_or_default() {
                if name == b"." || name == b".." {
                    continue;
                }
                let mut p = if path == b"/" {
                    Vec::new()
                } else {
                    path.clone()
                };
                p.push(b'/');
                p.extend_from_slice(&name);
                todo.push((p, child));
            }
        }
        out.sort_by(|a, b| a.0.cmp(&b.0));
        out.into_iter()
    }
}

impl FileSystem for MemFs {
    fn lstat(&self, path: &[u8]) -> Result<Meta, FsError> {
        let e = self
            .find(path)
            .and_then(|i| self.entry(i))
            .ok_or(FsError::NotFound)?;
        let (kind, size) = match &e.node {
            MemNode::File(b) => (FileKind::Regular, b.len() as u64),
            MemNode::Dir => (FileKind::Directory, 0),
            MemNode::Symlink(t) => (FileKind::Symlink, t.len() as u64),
            MemNode::Device => (FileKind::Other, 0),
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
        let ino = self.find(path).ok_or(FsError::NotFound)?;
        match self.fs.get(ino).map(|i| &i.node) {
            Some(Node::Symlink { target }) => Ok(target.clone()),
            Some(_) => Err(FsError::Unavailable("not a symbolic link".into())),
            None => Err(FsError::NotFound),
        }
    }

    fn read_at(&self, path: &[u8], offset: u64, len: usize) -> Result<Vec<u8>, FsError> {
        let ino = self.find(path).ok_or(FsError::NotFound)?;
        match self.fs.get(ino).map(|i| &i.node) {
            Some(Node::File { .. }) => self
                .fs
                .read(ino, offset, len)
                .map(<[u8]>::to_vec)
                .map_err(|e| FsError::Unavailable(e.to_string())),
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
