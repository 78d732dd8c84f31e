//! The real filesystem under a root directory, as a [`FileSystem`] for the execve model: what
//! `youcpu exec` runs the model on, and what the exec oracle tests compare the kernel with.
//! (Unix hosts only; the browser gives the model an in-memory tree instead.)

use super::fs::{FileKind, FileSystem, FsError, Meta};
use std::fs::File;
use std::io::{ErrorKind, Read, Seek, SeekFrom};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::MetadataExt;
use std::path::PathBuf;

/// The files under `root`; the model's `/` is `root`.
pub struct RealFs {
    root: PathBuf,
    /// Mount points (as real paths) and whether exec is forbidden there, in mount order.
    mounts: Vec<(Vec<u8>, bool)>,
}

/// Filesystems whose superblock forbids exec (`SB_I_NOEXEC`) whatever the mount options.
const NOEXEC_FS: [&str; 3] = ["proc", "sysfs", "binfmt_misc"];

/// Undoes mountinfo's octal escapes (`\040` for a space).
fn unescape(field: &str) -> Vec<u8> {
    let b = field.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        let octal = b
            .get(i + 1..i + 4)
            .filter(|d| d.iter().all(|x| (b'0'..=b'7').contains(x)));
        match octal {
            Some(d) if c == b'\\' => {
                out.push(
                    d.iter()
                        .fold(0u8, |v, x| v.wrapping_mul(8).wrapping_add(x - b'0')),
                );
                i += 4;
            }
            _ => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

/// The mounts of this process (`/proc/self/mountinfo`): point, and noexec or not.
fn read_mounts() -> Vec<(Vec<u8>, bool)> {
    let Ok(text) = std::fs::read_to_string("/proc/self/mountinfo") else {
        return Vec::new();
    };
    text.lines()
        .filter_map(|line| {
            let (left, right) = line.split_once(" - ")?;
            let fields: Vec<&str> = left.split(' ').collect();
            let point = unescape(fields.get(4)?);
            let opts = fields.get(5)?;
            let fstype = right.split(' ').next()?;
            let noexec = opts.split(',').any(|o| o == "noexec") || NOEXEC_FS.contains(&fstype);
            Some((point, noexec))
        })
        .collect()
}

impl RealFs {
    /// A view of the tree under `root` (`/` for the whole machine).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        RealFs {
            root: root.into(),
            mounts: read_mounts(),
        }
    }

    fn real(&self, path: &[u8]) -> PathBuf {
        let rel = path.strip_prefix(b"/").unwrap_or(path);
        self.root.join(std::ffi::OsStr::from_bytes(rel))
    }
}

fn io_err(e: std::io::Error, path: &[u8]) -> FsError {
    if e.kind() == ErrorKind::NotFound {
        FsError::NotFound
    } else {
        FsError::Unavailable(format!("{}: {e}", String::from_utf8_lossy(path)))
    }
}

impl FileSystem for RealFs {
    fn lstat(&self, path: &[u8]) -> Result<Meta, FsError> {
        let m = std::fs::symlink_metadata(self.real(path)).map_err(|e| io_err(e, path))?;
        let t = m.file_type();
        // Devices, FIFOs and sockets: exec refuses them all alike.
        let kind = if t.is_file() {
            FileKind::Regular
        } else if t.is_dir() {
            FileKind::Directory
        } else if t.is_symlink() {
            FileKind::Symlink
        } else {
            FileKind::Other
        };
        Ok(Meta {
            kind,
            mode: m.mode() & 0o7777,
            uid: m.uid(),
            gid: m.gid(),
            size: m.len(),
        })
    }

    fn read_link(&self, path: &[u8]) -> Result<Vec<u8>, FsError> {
        let t = std::fs::read_link(self.real(path)).map_err(|e| io_err(e, path))?;
        Ok(t.as_os_str().as_bytes().to_vec())
    }

    fn noexec_mount(&self, path: &[u8]) -> bool {
        let real = self.real(path);
        let real = real.as_os_str().as_bytes();
        let under = |point: &[u8]| {
            real.starts_with(point)
                && (point == b"/"
                    || real.len() == point.len()
                    || real.get(point.len()) == Some(&b'/'))
        };
        // The last-mounted of the longest matching mount points is the one in effect.
        let mut best: Option<(usize, bool)> = None;
        for (point, noexec) in &self.mounts {
            if under(point) && best.is_none_or(|(len, _)| point.len() >= len) {
                best = Some((point.len(), *noexec));
            }
        }
        best.is_some_and(|(_, n)| n)
    }

    fn read_at(&self, path: &[u8], offset: u64, len: usize) -> Result<Vec<u8>, FsError> {
        let mut f = File::open(self.real(path)).map_err(|e| io_err(e, path))?;
        let size = f.metadata().map_err(|e| io_err(e, path))?.len();
        if offset >= size {
            return Ok(Vec::new());
        }
        f.seek(SeekFrom::Start(offset))
            .map_err(|e| io_err(e, path))?;
        let want = len.min(usize::try_from(size - offset).unwrap_or(usize::MAX));
        let mut out = Vec::with_capacity(want);
        f.take(want as u64)
            .read_to_end(&mut out)
            .map_err(|e| io_err(e, path))?;
        Ok(out)
    }
}
