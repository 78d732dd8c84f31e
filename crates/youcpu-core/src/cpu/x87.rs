//! The x87 FPU's state (Intel SDM vol. 1 §8.1): eight 80-bit data registers used as a stack
//! (TOP in the status word names ST(0)), the control word (exception masks, precision control,
//! rounding control), the status word (exception flags, stack fault, error summary, condition
//! codes C0-C3, TOP) and the tags (here one "not empty" bit per physical register; the full
//! two-bit tag word is computed from the contents when stored, as the hardware does for
//! FXSAVE's abridged form in reverse).

use super::fp::ext::Ext;

/// Status word bits.
pub mod sw {
    /// Invalid operation.
    pub const IE: u16 = 1 << 0;
    /// Stack fault (with IE: C1 tells overflow from underflow).
    pub const SF: u16 = 1 << 6;
    /// Error summary: an unmasked exception is pending.
    pub const ES: u16 = 1 << 7;
    /// Condition code C0.
    pub const C0: u16 = 1 << 8;
    /// C1.
    pub const C1: u16 = 1 << 9;
    /// C2.
    pub const C2: u16 = 1 << 10;
    /// TOP, bits 11-13.
    pub const TOP: u16 = 7 << 11;
    /// C3.
    pub const C3: u16 = 1 << 14;
    /// Busy (mirrors ES).
    pub const B: u16 = 1 << 15;
    /// The four condition codes.
    pub const CC: u16 = C0 | C1 | C2 | C3;
}

/// The x87 unit.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct X87 {
    /// Physical registers R0..R7.
    pub regs: [Ext; 8],
    /// The physical number of ST(0).
    pub top: u8,
    /// Control word.
    pub fcw: u16,
    /// Status word, TOP excluded (see [`X87::status`]).
    pub fsw: u16,
    /// Bit i set: physical register i holds a value (its tag is not "empty").
    pub valid: u8,
    /// Last instruction opcode (11 bits), as FNSTENV/FXSAVE store it (Intel SDM vol. 1
    /// §8.1.10): the low three bits of the first opcode byte (D8-DF) and the ModR/M byte.
    pub fop: u16,
    /// Last instruction pointer (FIP): the address of the last non-control x87 instruction
    /// (vol. 1 §8.1.8). FNSTENV/FNSAVE store its low 32 (16) bits, FXSAVE64 all 64.
    pub fip: u64,
    /// Last data (operand) pointer (FDP): the offset of that instruction's memory operand
    /// (vol. 1 §8.1.8); which instructions update it depends on the vendor (see
    /// [`crate::cpu::vendor`]).
    pub fdp: u64,
    /// The code segment selector of that instruction (FCS). The Intel profile stores it as
    /// zero (CPUID.(EAX=7,ECX=0):EBX bit 13, FCS and FDS deprecated) and never sets it; the AMD
    /// profile keeps CS here, as the EPYC it was checked on stores it.
    pub fcs: u16,
    /// The selector of the segment of that instruction's memory operand (FDS): AMD profile
    /// only, as [`X87::fcs`].
    pub fds: u16,
}

impl Default for X87 {
    /// The state after FNINIT (and at process start on Linux): FCW 0x037f, all empty.
    fn default() -> Self {
        X87 {
            regs: [Ext::default(); 8],
            top: 0,
            fcw: 0x037f,
            fsw: 0,
            valid: 0,
            fop: 0,
            fip: 0,
            fdp: 0,
            fcs: 0,
            fds: 0,
        }
    }
}

impl X87 {
    /// The status word with TOP.
    pub fn status(&self) -> u16 {
        (self.fsw & !sw::TOP) | (u16::from(self.top & 7) << 11)
    }

    /// Loads a status word (FLDENV/FRSTOR).
    pub fn set_status(&mut self, v: u16) {
        self.top = ((v >> 11) & 7) as u8;
        self.fsw = v & !sw::TOP;
    }

    /// The physical register of ST(i).
    #[inline]
    pub fn phys(&self, i: usize) -> usize {
        (usize::from(self.top) + i) & 7
    }

    /// True when ST(i) is empty.
    #[inline]
    pub fn empty(&self, i: usize) -> bool {
        self.valid & (1 << self.phys(i)) == 0
    }

    /// ST(i) (whatever it holds, even when empty).
    #[inline]
    pub fn st(&self, i: usize) -> Ext {
        self.regs[self.phys(i)]
    }

    /// Writes ST(i) and marks it valid.
    #[inline]
    pub fn set_st(&mut self, i: usize, v: Ext) {
        let p = self.phys(i);
        self.regs[p] = v;
        self.valid |= 1 << p;
    }

    /// Marks ST(i) empty (FFREE).
    pub fn free(&mut self, i: usize) {
        let p = self.phys(i);
        self.valid &= !(1 << p);
    }

    /// Decrements TOP and writes the new ST(0).
    pub fn push(&mut self, v: Ext) {
        self.top = self.top.wrapping_sub(1) & 7;
        self.set_st(0, v);
    }

    /// Marks ST(0) empty and increments TOP.
    pub fn pop(&mut self) {
        self.free(0);
        self.top = (self.top + 1) & 7;
    }

    /// The two-bit tag of physical register `p` (00 valid, 01 zero, 10 special, 11 empty).
    pub fn tag(&self, p: usize) -> u16 {
        if self.valid & (1 << p) == 0 {
            return 3;
        }
        let r = self.regs[p];
        let e = r.exp();
        if e == 0x7fff || r.is_unsupported() {
            2
        } else if e == 0 {
            if r.sig == 0 {
                1
            } else {
                2
            }
        } else {
            0
        }
    }

    /// The full tag word (FNSTENV, FNSAVE).
    pub fn tag_word(&self) -> u16 {
        (0..8).fold(0, |acc, p| acc | (self.tag(p) << (2 * p)))
    }

    /// Loads a full tag word: only "empty" matters, the rest follows the contents.
    pub fn set_tag_word(&mut self, t: u16) {
        self.valid = (0..8).fold(0u8, |acc, p| {
            if (t >> (2 * p)) & 3 == 3 {
                acc
            } else {
                acc | (1 << p)
            }
        });
    }

    /// The unmasked exceptions among `flags` (status word bits 0-5).
    pub fn unmasked(&self, flags: u16) -> u16 {
        flags & !self.fcw & 0x3f
    }
}
