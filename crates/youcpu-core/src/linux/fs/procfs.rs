//! The per-process files of procfs the model serves (fs/proc/base.c `tid_base_stuff`):
//! `/proc/self/maps` and `/proc/PID/maps` of the caller, generated from its regions on every
//! read as fs/proc/task_mmu.c `show_map_vma` prints them, and `/proc/self/exe`, the program.
//! Any other path under `/proc/self/` or `/proc/PID/` is not modelled and fails with ENOENT:
//! it must never reach the host's `/proc`, which describes the simulator, not the guest.

use super::vfs::Stat;
use crate::linux::errno::Errno;
use crate::linux::mm::AddressSpace;
use crate::linux::vma::{Vma, VmaKind};
use crate::linux::Linux;

/// What a path under `/proc/self/` or `/proc/PID/` names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(in crate::linux) enum ProcPath {
    /// `maps` of this process (its thread-group id).
    Maps(u32),
    /// `exe`: the running program, by its absolute path.
    Exe(Vec<u8>),
}

/// The device number procfs files report (procfs is an anonymous super block: major 0; the
/// minor is the order of mounting, which varies by machine).
const PROC_DEV: u64 = 0x16;

/// The `/proc/PID/maps` name of `v` in `mm` (fs/proc/task_mmu.c `get_vma_name`): its own name
/// (a file's path, `[vdso]`, `[vvar]`, `[stack]`, `[heap]`), or for an anonymous region
/// overlapping the initial heap (`vma_is_initial_heap`: start < brk and end > start_brk)
/// `[heap]`; other anonymous regions have none.
pub fn shown_name<'a>(mm: &AddressSpace, v: &'a Vma) -> &'a str {
    if !v.name.is_empty() {
        return &v.name;
    }
    let anon = matches!(v.kind, VmaKind::Anon | VmaKind::Brk);
    if anon && v.start < mm.brk && v.end > mm.start_brk {
        "[heap]"
    } else {
        ""
    }
}

/// One line of `/proc/PID/maps` (fs/proc/task_mmu.c `show_vma_header_prefix`): start-end,
/// permissions, file offset, device major:minor, inode; then, when the region has a name,
/// spaces up to column 73 (`seq_setwidth` of 25 + 6 * sizeof(void *) - 1 columns, then
/// `seq_pad` adds one more) and the name.
pub fn maps_line(v: &Vma, offset: u64, dev: u64, ino: u64, name: &str) -> String {
    // glibc's <sys/sysmacros.h> major and minor of a user-space dev_t.
    let major = ((dev >> 8) & 0xfff) | ((dev >> 32) & !0xfff);
    let minor = (dev & 0xff) | ((dev >> 12) & !0xff);
    let mut s = format!(
        "{:08x}-{:08x} {} {:08x} {:02x}:{:02x} {} ",
        v.start,
        v.end,
        v.perms(),
        offset,
        major,
        minor,
        ino
    );
    if !name.is_empty() {
        while s.len() < 72 {
            s.push(' ');
        }
        s.push(' ');
        s.push_str(name);
    }
    s.push('\n');
    s
}

/// Splits an absolute path into its components, dropping empty ones and `.`.
fn components(path: &[u8]) -> Vec<&[u8]> {
    path.split(|&b| b == b'/')
        .filter(|c| !c.is_empty() && *c != b".")
        .collect()
}

impl Linux {
    /// The caller's thread-group id (what `/proc/self` names).
    fn own_tgid(&self) -> u32 {
        self.procs.get(&self.pid).map_or(self.pid, |p| p.tgid)
    }

    /// What `path` names under `/proc/self/` or `/proc/PID/`: None for any other path (the
    /// file system's), ENOENT for one the model does not serve (another process's files,
    /// or a file other than `maps` and `exe`). Only absolute paths are recognised.
    pub(in crate::linux) fn proc_path(&self, path: &[u8]) -> Option<Result<ProcPath, Errno>> {
        if path.first() != Some(&b'/') {
            return None;
        }
        let c = components(path);
        let (Some(&first), Some(&who), Some(&file)) = (c.first(), c.get(1), c.get(2)) else {
            return None;
        };
        if first != b"proc" {
            return None;
        }
        let me = self.own_tgid();
        let pid = if who == b"self" {
            me
        } else if who.iter().all(u8::is_ascii_digit) {
            match std::str::from_utf8(who).ok().and_then(|s| s.parse().ok()) {
                Some(p) => p,
                None => return Some(Err(Errno::Enoent)),
            }
        } else {
            return None;
        };
        if (pid != me && pid != self.pid) || c.len() != 3 {
            return Some(Err(Errno::Enoent));
        }
        Some(match file {
            b"maps" => Ok(ProcPath::Maps(me)),
            b"exe" if !self.exe.is_empty() => Ok(ProcPath::Exe(self.exe.clone())),
            _ => Err(Errno::Enoent),
        })
    }

    /// The text of `/proc/PID/maps` for process `pid`, as it is now (fs/proc/task_mmu.c
    /// `show_map_vma` per region, in address order), what a read of the file returns; empty
    /// when the process is gone.
    pub fn maps_text(&mut self, pid: u32) -> Vec<u8> {
        let running = pid == self.own_tgid();
        let mm = if running {
            Some(self.mm.clone())
        } else {
            self.procs
                .get(&pid)
                .and_then(|p| p.ctx.as_ref())
                .map(|c| c.mm.clone())
        };
        let Some(mm) = mm else {
            return Vec::new();
        };
        let ids = (self.uid as u32, self.gid as u32);
        let mut out = String::new();
        for v in &mm.vmas {
            let name = shown_name(&mm, v);
            let (offset, st) = match v.kind {
                VmaKind::File { file, offset, .. } => {
                    let st = self
                        .cached_node(file)
                        .and_then(|n| self.fs.fstat(n, ids).ok());
                    (offset, st)
                }
                VmaKind::Elf if name.starts_with('/') => {
                    let st = self.fs.stat(self.cwd, name.as_bytes(), true, ids).ok();
                    (self.elf_offset(running, v.start), st)
                }
                _ => (0, None),
            };
            let (dev, ino) = st.map_or((0, 0), |s| (s.dev, s.ino));
            out.push_str(&maps_line(v, offset, dev, ino, name));
        }
        out.into_bytes()
    }

    /// The file offset of the ELF page at `page` (its PT_LOAD's p_offset, page aligned, plus
    /// how far into the segment the page lies), known for the running process.
    fn elf_offset(&self, running: bool, page: u64) -> u64 {
        let Some(load) = self.load.as_ref().filter(|_| running) else {
            return 0;
        };
        load.segments
            .iter()
            .map(|s| crate::loader::pages::SegmentPages::of(s.vaddr, s.filesz, s.memsz, s.offset))
            .find(|p| p.start <= page && page < p.file_end)
            .map_or(0, |p| p.file_offset + (page - p.start))
    }

    /// The stat of `/proc/PID/maps` (fs/proc/base.c `pid_revalidate`, `proc_pid_make_inode`):
    /// a regular file, mode 0444, size 0, owned by the process's user.
    pub(in crate::linux) fn maps_stat(&self, pid: u32) -> Stat {
        Stat {
            dev: PROC_DEV,
            // fs/proc/inode.c: procfs inode numbers come from an ida; one per (pid, file).
            ino: 0x1000 + u64::from(pid) * 64 + 9,
            nlink: 1,
            mode: 0o100444,
            uid: self.uid as u32,
            gid: self.gid as u32,
            blksize: 1024,
            ..Stat::default()
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::linux::vma::Prot;

    #[test]
    fn lines_pad_the_name_to_column_74() {
        let v = Vma::new(0x400000, 0x401000, Prot::RW, VmaKind::Elf);
        let l = maps_line(&v, 0x1000, 0xfe00, 247030, "/usr/bin/cat");
        let head = "00400000-00401000 rw-p 00001000 fe:00 247030 ";
        assert_eq!(
            l,
            format!("{head}{}/usr/bin/cat\n", " ".repeat(73 - head.len()))
        );
        assert_eq!(l.find('/'), Some(73));
        let anon = maps_line(&v, 0, 0, 0, "");
        assert_eq!(anon, "00400000-00401000 rw-p 00000000 00:00 0 \n");
    }
}
