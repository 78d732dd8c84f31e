//! The host's mounts (proc(5) `/proc/self/mountinfo`): where exec is forbidden (fs/exec.c
//! `path_noexec`), for the execve model's view of the host's files.

use std::os::unix::ffi::OsStrExt;
use std::path::Path;

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

/// The mounts of this process (`/proc/self/mountinfo`, proc(5)): point, and noexec or not.
pub(super) fn read() -> Vec<(Vec<u8>, bool)> {
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

/// Whether the host path `real` lies on a noexec mount: the mount in effect there is the
/// last-mounted of the longest mount points above it.
pub(super) fn noexec(mounts: &[(Vec<u8>, bool)], real: &Path) -> bool {
    let real = real.as_os_str().as_bytes();
    let under = |point: &[u8]| {
        real.starts_with(point)
            && (point == b"/" || real.len() == point.len() || real.get(point.len()) == Some(&b'/'))
    };
    let mut best: Option<(usize, bool)> = None;
    for (point, noexec) in mounts {
        if under(point) && best.is_none_or(|(len, _)| point.len() >= len) {
            best = Some((point.len(), *noexec));
        }
    }
    best.is_some_and(|(_, n)| n)
}
