//! Path resolution on the host's tree under the root (fs/namei.c `link_path_walk`,
//! `walk_component`, `pick_link`, `filename_parentat`): see the module above.

use super::*;

/// The components of a resolved guest path.
pub(super) fn components(p: &[u8]) -> Vec<Vec<u8>> {
    p.split(|&c| c == b'/')
        .filter(|c| !c.is_empty())
        .map(<[u8]>::to_vec)
        .collect()
}

pub(super) fn join(parts: &[Vec<u8>]) -> Vec<u8> {
    let mut p = Vec::new();
    for c in parts {
        p.push(b'/');
        p.extend_from_slice(c);
    }
    p
}

/// A resolved path: its components, and whether the last one exists on the host (with its
/// metadata, not following a symbolic link there).
pub(super) struct Walked {
    pub(super) parts: Vec<Vec<u8>>,
    pub(super) last: Option<Metadata>,
}

impl HostFs {
    /// Path resolution (fs/namei.c `link_path_walk` + `walk_component` + `pick_link`):
    /// returns the resolved components. `follow`: a symbolic link as the last component is
    /// followed. A trailing slash requires a directory and follows a last link.
    pub(super) fn walk(&self, base: usize, path: &[u8], follow: bool) -> Result<Walked, Errno> {
        if path.is_empty() {
            return Err(Errno::Enoent);
        }
        if path.len() >= PATH_MAX {
            return Err(Errno::Enametoolong);
        }
        let trailing = path.last() == Some(&b'/');
        let mut parts = if path.first() == Some(&b'/') {
            Vec::new()
        } else {
            components(self.node_path(base).ok_or(Errno::Ebadf)?)
        };
        let mut rest: std::collections::VecDeque<Vec<u8>> = components(path).into();
        let mut links = 0u32;
        let mut last: Option<Metadata> = if rest.is_empty() {
            Some(std::fs::symlink_metadata(self.host(&parts)).map_err(|e| errno_of(&e))?)
        } else {
            None
        };
        while let Some(c) = rest.pop_front() {
            let is_last = rest.is_empty();
            if c.len() > NAME_MAX {
                return Err(Errno::Enametoolong);
            }
            if c == b"." || c == b".." {
                if c == b".." {
                    // follow_dotdot: the root is its own parent.
                    parts.pop();
                }
                if is_last {
                    last = Some(
                        std::fs::symlink_metadata(self.host(&parts)).map_err(|e| errno_of(&e))?,
                    );
                }
                continue;
            }
            parts.push(c);
            let m = match std::fs::symlink_metadata(self.host(&parts)) {
                Ok(m) => m,
                Err(e) if is_last && e.kind() == std::io::ErrorKind::NotFound => {
                    last = None;
                    break;
                }
                Err(e) => return Err(errno_of(&e)),
            };
            if m.file_type().is_symlink() && (!is_last || follow || trailing) {
                links += 1;
                if links > MAXSYMLINKS {
                    return Err(Errno::Eloop);
                }
                let target = std::fs::read_link(self.host(&parts)).map_err(|e| errno_of(&e))?;
                let t = target.as_os_str().as_bytes();
                if t.is_empty() {
                    return Err(Errno::Enoent);
                }
                parts.pop();
                if t.first() == Some(&b'/') {
                    // An absolute target starts again at the guest's root (nd_jump_root).
                    parts.clear();
                }
                let mut spliced: std::collections::VecDeque<Vec<u8>> = components(t).into();
                if spliced.is_empty() {
                    // A link to "/": the root itself.
                    spliced.push_back(b".".to_vec());
                }
                spliced.extend(rest.drain(..));
                rest = spliced;
                continue;
            }
            if !is_last && !m.is_dir() {
                return Err(Errno::Enotdir);
            }
            if is_last {
                last = Some(m);
            }
        }
        if trailing {
            match &last {
                Some(m) if !m.is_dir() => return Err(Errno::Enotdir),
                _ => {}
            }
        }
        Ok(Walked { parts, last })
    }

    /// Resolves and requires the path to exist.
    pub(super) fn existing(
        &self,
        base: usize,
        path: &[u8],
        follow: bool,
    ) -> Result<(Walked, Metadata), Errno> {
        let w = self.walk(base, path, follow)?;
        let m = w.last.clone().ok_or(Errno::Enoent)?;
        Ok((w, m))
    }

    /// The resolved parent and last name of a path that names an entry to create or remove
    /// (fs/namei.c `filename_parentat`): `.`/`..`/`/` as the last component are refused
    /// with `dots`.
    pub(super) fn parent_of(&self, base: usize, path: &[u8], dots: Errno) -> Result<Walked, Errno> {
        let last = path
            .split(|&c| c == b'/')
            .rev()
            .find(|c| !c.is_empty())
            .unwrap_or(b"");
        if last.is_empty() || last == b"." || last == b".." {
            return Err(dots);
        }
        self.walk(base, path, false)
    }
}
