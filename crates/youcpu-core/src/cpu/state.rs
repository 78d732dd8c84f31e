//! Architectural state of one x86-64 core: registers, flags, control registers and MSRs.
//!
//! Intel SDM vol. 1 §3.4 (registers), vol. 3 §2.5 (control registers), §5.8.8 (SYSCALL MSRs).

use serde::Serialize;

/// RFLAGS bits (Intel SDM vol. 1 §3.4.3).
pub mod rflags {
    /// Carry flag.
    pub const CF: u64 = 1 << 0;
    /// Always-one reserved bit 1.
    pub const FIXED: u64 = 1 << 1;
    /// Parity flag (even number of set bits in the low byte of the result).
    pub const PF: u64 = 1 << 2;
    /// Auxiliary carry (carry out of bit 3).
    pub const AF: u64 = 1 << 4;
    /// Zero flag.
    pub const ZF: u64 = 1 << 6;
    /// Sign flag.
    pub const SF: u64 = 1 << 7;
    /// Trap flag (single step).
    pub const TF: u64 = 1 << 8;
    /// Interrupt enable flag.
    pub const IF: u64 = 1 << 9;
    /// Direction flag (string instructions go down when set).
    pub const DF: u64 = 1 << 10;
    /// Overflow flag.
    pub const OF: u64 = 1 << 11;
    /// I/O privilege level (two bits): which CPL may do port I/O; NOT the current ring.
    pub const IOPL: u64 = 3 << 12;
    /// Nested task.
    pub const NT: u64 = 1 << 14;
    /// Resume flag.
    pub const RF: u64 = 1 << 16;
    /// Alignment check / access control.
    pub const AC: u64 = 1 << 18;
    /// CPUID-detection bit.
    pub const ID: u64 = 1 << 21;
    /// The six arithmetic status flags.
    pub const STATUS: u64 = CF | PF | AF | ZF | SF | OF;
    /// Bits that POPF/IRETQ/SYSRET may change at all (the rest are reserved).
    pub const WRITABLE: u64 =
        STATUS | TF | IF | DF | IOPL | NT | RF | AC | ID | (1 << 19) | (1 << 20);
}

/// Control register bits used by the model (Intel SDM vol. 3 §2.5).
pub mod cr {
    /// CR0.PE: protected mode.
    pub const CR0_PE: u64 = 1 << 0;
    /// CR0.WP: supervisor writes honour read-only pages.
    pub const CR0_WP: u64 = 1 << 16;
    /// CR0.PG: paging.
    pub const CR0_PG: u64 = 1 << 31;
    /// CR4.PAE.
    pub const CR4_PAE: u64 = 1 << 5;
    /// CR4.OSFXSR: SSE enabled by the OS.
    pub const CR4_OSFXSR: u64 = 1 << 9;
    /// CR4.LA57: 5-level paging.
    pub const CR4_LA57: u64 = 1 << 12;
    /// EFER.SCE: SYSCALL enable.
    pub const EFER_SCE: u64 = 1 << 0;
    /// EFER.LME: long mode enable.
    pub const EFER_LME: u64 = 1 << 8;
    /// EFER.LMA: long mode active.
    pub const EFER_LMA: u64 = 1 << 10;
    /// EFER.NXE: execute-disable bit honoured in page tables.
    pub const EFER_NXE: u64 = 1 << 11;
}

/// MSR numbers (Intel SDM vol. 4).
pub mod msr {
    /// IA32_EFER.
    pub const EFER: u32 = 0xC000_0080;
    /// IA32_STAR: SYSCALL/SYSRET segment selectors.
    pub const STAR: u32 = 0xC000_0081;
    /// IA32_LSTAR: 64-bit SYSCALL entry point.
    pub const LSTAR: u32 = 0xC000_0082;
    /// IA32_FMASK: RFLAGS bits cleared by SYSCALL.
    pub const FMASK: u32 = 0xC000_0084;
    /// IA32_FS_BASE.
    pub const FS_BASE: u32 = 0xC000_0100;
    /// IA32_GS_BASE.
    pub const GS_BASE: u32 = 0xC000_0101;
    /// IA32_KERNEL_GS_BASE (swapped in by SWAPGS).
    pub const KERNEL_GS_BASE: u32 = 0xC000_0102;
}

/// Names of the 16 general registers, in encoding order.
pub const GPR_NAMES: [&str; 16] = [
    "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi", "r8", "r9", "r10", "r11", "r12", "r13",
    "r14", "r15",
];

/// Index of RAX in [`State::gpr`].
pub const RAX: usize = 0;
/// Index of RCX.
pub const RCX: usize = 1;
/// Index of RDX.
pub const RDX: usize = 2;
/// Index of RBX.
pub const RBX: usize = 3;
/// Index of RSP.
pub const RSP: usize = 4;
/// Index of RBP.
pub const RBP: usize = 5;
/// Index of RSI.
pub const RSI: usize = 6;
/// Index of RDI.
pub const RDI: usize = 7;
/// Index of R8.
pub const R8: usize = 8;
/// Index of R9.
pub const R9: usize = 9;
/// Index of R10.
pub const R10: usize = 10;
/// Index of R11.
pub const R11: usize = 11;

/// The descriptor-table register for the IDT (Intel SDM vol. 3 §6.10).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct DescriptorTable {
    /// Linear address of the table.
    pub base: u64,
    /// Limit: size in bytes minus one.
    pub limit: u16,
}

/// Everything a program or an OS can observe about the core.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct State {
    /// RAX..R15 in encoding order (see [`GPR_NAMES`]).
    pub gpr: [u64; 16],
    /// Instruction pointer.
    pub rip: u64,
    /// RFLAGS (bit 1 always set).
    pub rflags: u64,
    /// CS selector; the current privilege level (CPL) is its low two bits.
    pub cs: u16,
    /// SS selector.
    pub ss: u16,
    /// FS base address (thread pointer on Linux, set by `arch_prctl(ARCH_SET_FS)`).
    pub fs_base: u64,
    /// GS base address.
    pub gs_base: u64,
    /// Kernel GS base (exchanged with `gs_base` by SWAPGS).
    pub kernel_gs_base: u64,
    /// XMM0..XMM15 (128 bits each).
    pub xmm: [u128; 16],
    /// CR0.
    pub cr0: u64,
    /// CR2: the linear address of the last page fault.
    pub cr2: u64,
    /// CR3: physical address of the top-level page table (bits 11:0 PCID/flags, ignored here).
    pub cr3: u64,
    /// CR4.
    pub cr4: u64,
    /// IA32_EFER.
    pub efer: u64,
    /// IA32_STAR.
    pub star: u64,
    /// IA32_LSTAR.
    pub lstar: u64,
    /// IA32_FMASK.
    pub fmask: u64,
    /// The IDT register.
    pub idtr: DescriptorTable,
    /// TSS.RSP0: the stack loaded on an interrupt or fault from ring 3 (Intel SDM vol. 3 §8.7).
    pub tss_rsp0: u64,
    /// MXCSR: the SSE unit's rounding mode (bits 14:13), FTZ (15), DAZ (6), exception masks
    /// (12:7) and sticky exception flags (5:0) (Intel SDM vol. 1 §10.2.3); the SSE executor
    /// (`cpu::exec::sse`) rounds by it and sets its flags.
    pub mxcsr: u32,
    /// Whose core this is where the manuals leave a result undefined (chosen when the
    /// machine is made; CPUID reports it).
    pub vendor: super::vendor::Vendor,
    /// The x87 FPU: its register stack, control, status and tag words (Intel SDM vol. 1
    /// §8.1). Last in the struct: the interpreter's hot fields come first.
    pub x87: super::x87::X87,
}

impl Default for State {
    fn default() -> Self {
        State {
            gpr: [0; 16],
            rip: 0,
            rflags: rflags::FIXED,
            cs: 0,
            ss: 0,
            fs_base: 0,
            gs_base: 0,
            kernel_gs_base: 0,
            xmm: [0; 16],
            cr0: 0,
            cr2: 0,
            cr3: 0,
            cr4: 0,
            efer: 0,
            star: 0,
            lstar: 0,
            fmask: 0,
            idtr: DescriptorTable::default(),
            tss_rsp0: 0,
            mxcsr: 0x1f80,
            vendor: super::vendor::Vendor::Intel,
            x87: super::x87::X87::default(),
        }
    }
}

impl State {
    /// The current privilege level: the low two bits of CS (0 = kernel, 3 = user).
    pub fn cpl(&self) -> u8 {
        (self.cs & 3) as u8
    }

    /// True when the status flag `bit` (one of [`rflags`]) is set.
    pub fn flag(&self, bit: u64) -> bool {
        self.rflags & bit != 0
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use crate::cpu::Cpu;
    use crate::mmu::Mmu;

    /// The x87 unit is part of the architectural state: a copy of `State` (what a context
    /// switch saves, what a snapshot shows) carries its stack, tags and control words.
    #[test]
    fn the_x87_unit_is_in_the_state_its_copies_and_its_serialisation() {
        let mut mmu = Mmu::new(1 << 20);
        let mut cpu = Cpu::new();
        assert_eq!(mmu.phys.alloc_frame().unwrap(), 1);
        // fld1; fldpi
        mmu.phys.write(0x1000, &[0xd9, 0xe8, 0xd9, 0xeb]);
        cpu.s.rip = 0x1000;
        cpu.step(&mut mmu).unwrap();
        cpu.step(&mut mmu).unwrap();
        let saved = cpu.s.clone();
        assert_eq!(saved.x87.valid.count_ones(), 2);
        assert_eq!(saved.x87.status() >> 11 & 7, 6, "TOP after two pushes");
        assert_eq!(saved.x87.st(1).approx_f64(), 1.0);
        let json = serde_json::to_value(&saved).unwrap();
        assert_eq!(json["x87"]["fcw"], 0x37f);
        assert_eq!(json["x87"]["top"], 6);
        // Restoring the copy brings the stack back.
        cpu.s.x87 = Default::default();
        cpu.s = saved;
        assert!(!cpu.s.x87.empty(0) && !cpu.s.x87.empty(1) && cpu.s.x87.empty(2));
    }
}
