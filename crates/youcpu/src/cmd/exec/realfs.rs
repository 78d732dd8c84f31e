//! The real filesystem under a root directory, as a [`FileSystem`] for the execve model.
//! (Also compiled into youcpu-core's exec oracle tests, which include this file by path.)

use std::fs::File;
use std::io::{ErrorKind, Read, Seek, SeekFrom};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::MetadataExt;
use std::path::PathBuf;
use youcpu_core::exec::fs::{FileKind, FileSystem, FsError, Meta};

/// The files under `root`; the model's `/` is `root`.
pub struct RealFs {
    root: PathBuf,
}

impl RealFs {
    /// A view of the tree under `root` (`/` for the whole machine).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        RealFs { root: root.into() }
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
