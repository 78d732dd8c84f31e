//! The x86-64 user address-space layout with randomisation off, as every kernel model here
//! uses it (arch/x86/include/asm/page_64_types.h, arch/x86/mm/mmap.c, mm/mmap.c).

/// `TASK_SIZE_MAX` on x86-64 with 4-level paging: the top of user space (one guard page below
/// 2^47). The stack ends here when stack randomisation is off.
pub const STACK_TOP: u64 = 0x7fff_ffff_f000;
/// Largest stack (RLIMIT_STACK default, 8 MiB).
pub const STACK_LIMIT: u64 = 8 << 20;
/// `stack_guard_gap`: 256 pages kept free below a growing stack (mm/mmap.c).
pub const STACK_GUARD_GAP: u64 = 256 << 12;
/// fs/exec.c `setup_arg_pages` grows the new stack by 128 KiB beyond the argument pages.
pub const STACK_EXPAND: u64 = 128 << 10;
/// Where top-down mmap starts without randomisation: TASK_SIZE minus a 128 MiB gap
/// (arch/x86/mm/mmap.c mmap_base with the minimum gap).
pub const MMAP_BASE: u64 = STACK_TOP - (128 << 20);
/// ELF_ET_DYN_BASE on x86-64: 2/3 of TASK_SIZE, page aligned (where PIE programs go).
pub const ELF_ET_DYN_BASE: u64 = (STACK_TOP / 3 * 2) & !0xfff;
/// `vm.mmap_min_addr`'s default: nothing is mapped below 64 KiB.
pub const MMAP_MIN_ADDR: u64 = 0x1_0000;
/// Where a non-PIE x86-64 program's text starts (the linker's default).
pub const ELF_EXEC_BASE: u64 = 0x40_0000;

/// Linux's selectors (arch/x86/include/asm/segment.h): __KERNEL_CS.
pub const KERNEL_CS: u16 = 0x10;
/// __KERNEL_DS.
pub const KERNEL_DS: u16 = 0x18;
/// __USER_DS (RPL 3).
pub const USER_DS: u16 = 0x2b;
/// __USER_CS (RPL 3).
pub const USER_CS: u16 = 0x33;
/// The start of the kernel's text mapping (`__START_KERNEL_map` + 16 MiB, where
/// `_text` lands without KASLR).
pub const KERNEL_TEXT: u64 = 0xffff_ffff_8100_0000;
