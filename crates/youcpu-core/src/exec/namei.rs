//! Opening a file for execution: the path walk and checks of `open_exec` / `do_open_execat`
//! (fs/exec.c), `link_path_walk` and `may_open` (fs/namei.c), `generic_permission`.
//!
//! What is modelled: absolute and relative paths (relative to the model's cwd), `.` and `..`,
//! repeated and trailing slashes, symbolic links (at most [`MAXSYMLINKS`] per lookup), search
//! permission on every directory walked, ENOTDIR for a non-directory used as one,
//! ENAMETOOLONG for a path of [`PATH_MAX`] bytes or more or a component over [`NAME_MAX`],
//! EACCES for a directory, a device/FIFO/socket, or a file without execute permission. Root
//! (uid 0, with CAP_DAC_OVERRIDE) may execute a regular file if any of its three x bits is set.
//! `noexec` mounts are refused when the filesystem reports them ([`FileSystem::noexec_mount`]).
//! Not modelled: ACLs, LSMs, `fs.protected_symlinks`, ETXTBSY.

use super::errno::Errno;
use super::fs::{FileKind, FileSystem, FsError, Meta};
use std::collections::VecDeque;

/// `PATH_MAX`: a path name, with its terminating NUL, must fit in 4096 bytes.
pub const PATH_MAX: usize = 4096;
/// `NAME_MAX`: the longest path component most filesystems (ext4, tmpfs) accept.
pub const NAME_MAX: usize = 255;
/// `MAXSYMLINKS`: symbolic links followed in one lookup before ELOOP.
pub const MAXSYMLINKS: usize = 40;

/// Who is calling execve: decides the permission checks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cred {
    /// The (effective, filesystem) user id; 0 has CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH.
    pub uid: u32,
    /// The group ids: the primary one and the supplementary ones.
    pub gids: Vec<u32>,
}

impl Cred {
    /// The superuser.
    pub fn root() -> Self {
        Cred {
            uid: 0,
            gids: vec![0],
        }
    }

    /// `generic_permission(inode, MAY_EXEC)` for a file or a directory.
    pub fn may_exec(&self, meta: &Meta) -> bool {
        if self.uid == 0 {
            // CAP_DAC_READ_SEARCH / CAP_DAC_OVERRIDE: directories are always searchable;
            // other files need at least one x bit (generic_permission).
            return meta.kind == FileKind::Directory || meta.mode & 0o111 != 0;
        }
        let bits = if meta.uid == self.uid {
            meta.mode >> 6
        } else if self.gids.contains(&meta.gid) {
            meta.mode >> 3
        } else {
            meta.mode
        };
        bits & 0o1 != 0
    }
}

/// A file opened for execution.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Opened {
    /// Its resolved absolute path (symbolic links followed).
    pub path: Vec<u8>,
    /// Its metadata.
    pub meta: Meta,
}

/// Why opening failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OpenError {
    /// The kernel's answer, with the reason in words.
    Errno(Errno, String),
    /// The simulator could not look at the filesystem.
    Unavailable(String),
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn join(dirs: &[Vec<u8>], name: &[u8]) -> Vec<u8> {
    let mut p = Vec::new();
    for d in dirs {
        p.push(b'/');
        p.extend_from_slice(d);
    }
    p.push(b'/');
    p.extend_from_slice(name);
    p
}

fn path_of(dirs: &[Vec<u8>]) -> Vec<u8> {
    if dirs.is_empty() {
        return b"/".to_vec();
    }
    let mut p = Vec::new();
    for d in dirs {
        p.push(b'/');
        p.extend_from_slice(d);
    }
    p
}

fn split(path: &[u8]) -> impl Iterator<Item = Vec<u8>> + '_ {
    path.split(|&b| b == b'/')
        .filter(|c| !c.is_empty())
        .map(<[u8]>::to_vec)
}

fn fs_err(e: FsError, path: &[u8]) -> OpenError {
    match e {
        FsError::NotFound => {
            OpenError::Errno(Errno::Enoent, format!("\"{}\" does not exist", lossy(path)))
        }
        FsError::Unavailable(m) => {
            OpenError::Unavailable(format!("cannot look at \"{}\": {m}", lossy(path)))
        }
    }
}

/// `do_open_execat(AT_FDCWD, name, 0)`: walks `name` (relative names start at `cwd`, an
/// absolute normalised directory path) and checks the result may be executed.
///
/// `from_user` is true for the path passed to execve: `getname` refuses an empty one with
/// ENOENT. Names the kernel makes itself (a `#!` interpreter) go through `getname_kernel`,
/// which accepts `""`: it resolves to the cwd, a directory, hence EACCES.
pub fn open_exec(
    fs: &dyn FileSystem,
    cwd: &[u8],
    name: &[u8],
    cred: &Cred,
    from_user: bool,
) -> Result<Opened, OpenError> {
    let Opened { path, meta } = walk(fs, cwd, name, cred, from_user)?;
    may_open_exec(fs, path, meta, cred)
}

/// Resolves a directory path (for example a working directory) to its absolute path without
/// symbolic links, with the same walk: ENOENT, ENOTDIR, EACCES (search), ELOOP.
pub fn resolve_dir(
    fs: &dyn FileSystem,
    cwd: &[u8],
    name: &[u8],
    cred: &Cred,
) -> Result<Vec<u8>, OpenError> {
    let Opened { path, meta } = walk(fs, cwd, name, cred, true)?;
    if meta.kind != FileKind::Directory {
        return Err(OpenError::Errno(
            Errno::Enotdir,
            format!("\"{}\" is not a directory", lossy(&path)),
        ));
    }
    Ok(path)
}

/// `link_path_walk` and the final lookup, following symbolic links all the way.
fn walk(
    fs: &dyn FileSystem,
    cwd: &[u8],
    name: &[u8],
    cred: &Cred,
    from_user: bool,
) -> Result<Opened, OpenError> {
    if name.is_empty() && from_user {
        return Err(OpenError::Errno(Errno::Enoent, "the path is empty".into()));
    }
    if name.len() >= PATH_MAX {
        return Err(OpenError::Errno(
            Errno::Enametoolong,
            format!(
                "the path is {} bytes; with its NUL it must fit in PATH_MAX = {PATH_MAX}",
                name.len()
            ),
        ));
    }
    let mut dirs: Vec<Vec<u8>> = if name.first() == Some(&b'/') {
        Vec::new()
    } else {
        split(cwd).collect()
    };
    let mut pending: VecDeque<Vec<u8>> = split(name).collect();
    // A trailing slash (or a name that is only slashes) asks for a directory.
    let mut want_dir = name.last() == Some(&b'/');
    let mut links = 0usize;
    let mut last_meta: Option<Meta> = None;
    if pending.is_empty() {
        last_meta = Some(lstat_dir(fs, &dirs)?);
    }
    while let Some(comp) = pending.pop_front() {
        let is_last = pending.is_empty();
        // may_lookup: search permission on the directory we are in.
        let here = lstat_dir(fs, &dirs)?;
        if !cred.may_exec(&here) {
            return Err(OpenError::Errno(
                Errno::Eacces,
                format!(
                    "no search (x) permission on directory \"{}\"",
                    lossy(&path_of(&dirs))
                ),
            ));
        }
        if comp == b"." {
            if is_last {
                last_meta = Some(here);
            }
            continue;
        }
        if comp == b".." {
            dirs.pop();
            if is_last {
                last_meta = Some(lstat_dir(fs, &dirs)?);
            }
            continue;
        }
        if comp.len() > NAME_MAX {
            return Err(OpenError::Errno(
                Errno::Enametoolong,
                format!(
                    "a path component is {} bytes; the limit is NAME_MAX = {NAME_MAX}",
                    comp.len()
                ),
            ));
        }
        let full = join(&dirs, &comp);
        let meta = fs.lstat(&full).map_err(|e| fs_err(e, &full))?;
        if meta.kind == FileKind::Symlink {
            // The final component is followed too: open_exec uses LOOKUP_FOLLOW.
            links += 1;
            if links > MAXSYMLINKS {
                return Err(OpenError::Errno(
                    Errno::Eloop,
                    format!("more than MAXSYMLINKS = {MAXSYMLINKS} symbolic links"),
                ));
            }
            let target = fs.read_link(&full).map_err(|e| fs_err(e, &full))?;
            if target.is_empty() {
                return Err(OpenError::Errno(
                    Errno::Enoent,
                    format!("symbolic link \"{}\" is empty", lossy(&full)),
                ));
            }
            if target.first() == Some(&b'/') {
                dirs.clear();
            }
            if is_last && target.last() == Some(&b'/') {
                want_dir = true;
            }
            let mut parts: VecDeque<Vec<u8>> = split(&target).collect();
            if parts.is_empty() {
                // A link to "/": the walk ends at the root directory.
                if is_last {
                    last_meta = Some(lstat_dir(fs, &dirs)?);
                }
                continue;
            }
            parts.extend(pending.drain(..));
            pending = parts;
            continue;
        }
        if (!is_last || want_dir) && meta.kind != FileKind::Directory {
            return Err(OpenError::Errno(
                Errno::Enotdir,
                format!("\"{}\" is used as a directory but is not one", lossy(&full)),
            ));
        }
        dirs.push(comp);
        if is_last {
            last_meta = Some(meta);
        }
    }
    let path = path_of(&dirs);
    let Some(meta) = last_meta else {
        return Err(OpenError::Unavailable(
            "internal: the walk ended without a file".into(),
        ));
    };
    Ok(Opened { path, meta })
}

/// `may_open(..., MAY_EXEC)` and `path_noexec`: only an executable regular file passes.
fn may_open_exec(
    fs: &dyn FileSystem,
    path: Vec<u8>,
    meta: Meta,
    cred: &Cred,
) -> Result<Opened, OpenError> {
    // may_open
    match meta.kind {
        FileKind::Directory => {
            return Err(OpenError::Errno(
                Errno::Eacces,
                format!("\"{}\" is a directory", lossy(&path)),
            ))
        }
        FileKind::Other | FileKind::Symlink => {
            return Err(OpenError::Errno(
                Errno::Eacces,
                format!("\"{}\" is not a regular file", lossy(&path)),
            ))
        }
        FileKind::Regular => {}
    }
    // may_open: `path_noexec` comes before the permission check.
    if fs.noexec_mount(&path) {
        return Err(OpenError::Errno(
            Errno::Eacces,
            format!("\"{}\" is on a noexec mount", lossy(&path)),
        ));
    }
    if !cred.may_exec(&meta) {
        let why = if cred.uid == 0 {
            "no execute (x) bit is set, and even root needs one".to_string()
        } else {
            format!(
                "mode {:04o} gives this user no execute (x) permission",
                meta.mode
            )
        };
        return Err(OpenError::Errno(
            Errno::Eacces,
            format!("\"{}\": {why}", lossy(&path)),
        ));
    }
    Ok(Opened { path, meta })
}

fn lstat_dir(fs: &dyn FileSystem, dirs: &[Vec<u8>]) -> Result<Meta, OpenError> {
    let p = path_of(dirs);
    fs.lstat(&p).map_err(|e| fs_err(e, &p))
}
