//! The one long-mode boot path: what arch/x86/kernel/head_64.S, `syscall_init`
//! (arch/x86/kernel/cpu/common.c) and `idt_setup_*` (arch/x86/kernel/idt.c) leave in the CPU
//! before the first process runs. Both kernels on the simulated CPU boot through it: the Rust
//! kernel of [`super::Linux`] and the assembly kernel of [`crate::preempt`].

use super::layout::{KERNEL_CS, USER_CS};
use crate::cpu::interrupt::{gate, Gate};
use crate::cpu::state::{cr, rflags, DescriptorTable, State};
use crate::mmu::phys::PhysMem;

/// SYSCALL's RFLAGS mask as Linux sets it (arch/x86/kernel/cpu/common.c syscall_init).
pub const LINUX_FMASK: u64 = rflags::CF
    | rflags::PF
    | rflags::AF
    | rflags::ZF
    | rflags::SF
    | rflags::TF
    | rflags::IF
    | rflags::DF
    | rflags::OF
    | rflags::IOPL
    | rflags::NT
    | rflags::RF
    | rflags::AC
    | rflags::ID;

/// CR0 as Linux runs: protected mode, paging, write protection in ring 0, and the FPU bits
/// ET (4) and NE (5) (arch/x86/include/asm/processor-flags.h CR0_STATE).
pub const CR0: u64 = cr::CR0_PE | cr::CR0_WP | cr::CR0_PG | (1 << 4) | (1 << 5);
/// CR4: PAE (long mode), OSFXSR and OSXMMEXCPT (SSE on, arch/x86/kernel/fpu/init.c) and
/// FSGSBASE (bit 16, arch/x86/kernel/cpu/common.c).
pub const CR4: u64 = cr::CR4_PAE | cr::CR4_OSFXSR | (1 << 10) | (1 << 16);

/// Where the kernel's entry points and tables are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BootParams {
    /// The first page tables (CR3).
    pub cr3: u64,
    /// The IDT's virtual address (one page: 256 gates).
    pub idt: u64,
    /// `entry_SYSCALL_64` (LSTAR).
    pub syscall_entry: u64,
    /// The ring-0 stack for the first entry from ring 3 (TSS.RSP0).
    pub rsp0: u64,
}

/// Long mode with paging in ring 0: CS/SS, EFER (SCE, LME, LMA, NXE), the SYSCALL MSRs, CR0,
/// CR4, CR3, IDTR and TSS.RSP0. The caller then syncs the MMU (`Cpu::sync_paging`).
pub fn enter_long_mode(s: &mut State, p: &BootParams) {
    s.cs = KERNEL_CS;
    s.ss = super::layout::KERNEL_DS;
    s.efer = cr::EFER_SCE | cr::EFER_LME | cr::EFER_LMA | cr::EFER_NXE;
    // STAR[63:48] + 16 is SYSRET's CS, + 8 its SS (Intel SDM vol. 2 SYSRET).
    s.star = (u64::from(USER_CS - 16) << 48) | (u64::from(KERNEL_CS) << 32);
    s.lstar = p.syscall_entry;
    s.fmask = LINUX_FMASK;
    s.cr0 = CR0;
    s.cr4 = CR4;
    s.cr3 = p.cr3;
    s.idtr = DescriptorTable {
        base: p.idt,
        limit: 4095,
    };
    s.tss_rsp0 = p.rsp0;
}

/// One 64-bit interrupt gate into the kernel code segment.
pub fn interrupt_gate(handler: u64, dpl: u8) -> Gate {
    Gate {
        offset: handler,
        selector: KERNEL_CS,
        ist: 0,
        kind: gate::INTERRUPT,
        dpl,
        present: true,
    }
}

/// Writes gate `v` of the IDT whose page is at physical address `idt_phys`.
pub fn write_gate(phys: &mut PhysMem, idt_phys: u64, v: u8, g: &Gate) {
    phys.write(idt_phys + 16 * u64::from(v), &g.encode());
}
