//! Memory regions: the protection of a mapping and the `vm_area_struct` of a process
//! (include/linux/mm_types.h), shared by the kernel that runs programs ([`super::mm`]) and the
//! virtual-memory model of the widgets ([`crate::vm`]).

use crate::mmu::paging::PageFlags;
use crate::mmu::phys::PAGE_SIZE;
use serde::Serialize;

/// Page protection of a region: mmap's PROT_READ, PROT_WRITE, PROT_EXEC.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Prot {
    /// Readable.
    pub read: bool,
    /// Writable.
    pub write: bool,
    /// Executable.
    pub exec: bool,
}

impl Prot {
    /// Read only (PROT_READ: constants, a file mapped for reading).
    pub const R: Prot = Prot {
        read: true,
        write: false,
        exec: false,
    };

    /// Read and execute (PROT_READ | PROT_EXEC: a program's text).
    pub const RX: Prot = Prot {
        read: true,
        write: false,
        exec: true,
    };

    /// Read, write and execute (code that rewrites itself, the test machines' scratch page).
    pub const RWX: Prot = Prot {
        read: true,
        write: true,
        exec: true,
    };

    /// Read and write, no execute (the heap, the stack, data).
    pub const RW: Prot = Prot {
        read: true,
        write: true,
        exec: false,
    };

    /// From mmap's PROT_READ (1) | PROT_WRITE (2) | PROT_EXEC (4).
    pub fn from_bits(p: u64) -> Prot {
        Prot {
            read: p & 1 != 0,
            write: p & 2 != 0,
            exec: p & 4 != 0,
        }
    }

    /// PROT_NONE: no access at all.
    pub fn is_none(self) -> bool {
        !(self.read || self.write || self.exec)
    }

    /// The x86-64 page flags of a user page with this protection (x86 has no write-only or
    /// execute-only pages: any access implies read). PROT_NONE keeps the frame but takes
    /// away ring-3 access (U/S = 0).
    pub fn page_flags(self) -> PageFlags {
        PageFlags {
            write: self.write,
            user: !self.is_none(),
            exec: self.exec,
        }
    }

    /// As `/proc/PID/maps` shows it, with `p` (private) or `s` (shared): "r-xp".
    pub fn perms(self, shared: bool) -> String {
        let f = |b: bool, c: char| if b { c } else { '-' };
        format!(
            "{}{}{}{}",
            f(self.read, 'r'),
            f(self.write, 'w'),
            f(self.exec, 'x'),
            if shared { 's' } else { 'p' }
        )
    }
}

/// What a region holds and where its pages come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum VmaKind {
    /// A PT_LOAD segment of the program or interpreter, loaded when the program starts.
    Elf,
    /// The heap grown by brk.
    Brk,
    /// Anonymous memory: zero pages on first touch (BSS, mmap).
    Anon,
    /// A file mapping: pages read from the file on first touch. Bytes of the area past
    /// `file_bytes` are zero (the BSS part of the last file page, `padzero`).
    File {
        /// The file: in the kernel, its slot in the page cache ([`super::pagecache`]); in
        /// the widgets' model ([`crate::vm`]), its index in the system's file list.
        file: usize,
        /// File offset mapped at the VMA's start.
        offset: u64,
        /// How many bytes from the VMA's start come from the file.
        file_bytes: u64,
    },
    /// The stack: anonymous, grows down on faults below it (mm/mmap.c `expand_stack`).
    Stack,
}

impl VmaKind {
    /// The kind of the part of a region that begins `skip` bytes into it: a file region's
    /// part maps the file further on (what `__split_vma` and `move_vma` do to `vm_pgoff`).
    pub fn skipped(self, skip: u64) -> VmaKind {
        match self {
            VmaKind::File {
                file,
                offset,
                file_bytes,
            } => VmaKind::File {
                file,
                offset: offset + skip,
                file_bytes: file_bytes.saturating_sub(skip),
            },
            k => k,
        }
    }
}

/// One mapped region `[start, end)`, page aligned.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Vma {
    /// First address.
    pub start: u64,
    /// One past the last address.
    pub end: u64,
    /// Protection.
    pub prot: Prot,
    /// MAP_SHARED: writes are seen by every process mapping it, and fork shares the pages
    /// instead of copying them on write (mm/memory.c `copy_page_range`).
    pub shared: bool,
    /// VM_MAYWRITE: mprotect may make it writable. Only a shared mapping of a file not open
    /// for writing lacks it (mm/mmap.c `do_mmap` clears it), so mprotect's PROT_WRITE there
    /// fails with EACCES.
    #[serde(skip)]
    pub may_write: bool,
    /// VM_MAYEXEC: mprotect may make it executable. A mapping of a file on a `noexec` mount
    /// lacks it (mm/mmap.c `do_mmap`, `path_noexec`), so mprotect's PROT_EXEC there fails
    /// with EACCES.
    #[serde(skip)]
    pub may_exec: bool,
    /// Where the pages come from.
    pub kind: VmaKind,
    /// The name `/proc/PID/maps` shows: a file name, `[heap]`, `[stack]` or empty.
    pub name: String,
}

impl Vma {
    /// A private region with no name.
    pub fn new(start: u64, end: u64, prot: Prot, kind: VmaKind) -> Vma {
        Vma {
            start,
            end,
            prot,
            shared: false,
            may_write: true,
            may_exec: true,
            kind,
            name: String::new(),
        }
    }

    /// True when `va` lies inside.
    pub fn contains(&self, va: u64) -> bool {
        self.start <= va && va < self.end
    }

    /// Permissions as `/proc/PID/maps` shows them: "r-xp".
    pub fn perms(&self) -> String {
        self.prot.perms(self.shared)
    }
}

/// Rounds up to a page.
pub fn page_up(v: u64) -> u64 {
    v.saturating_add(PAGE_SIZE - 1) & !(PAGE_SIZE - 1)
}
