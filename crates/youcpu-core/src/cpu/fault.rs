//! Exceptions and interrupts as values (Intel SDM vol. 3 §6.3, table 6-1).

use serde::Serialize;
use std::fmt;

/// Vector numbers of the exceptions the model raises.
pub mod vector {
    /// #DE divide error.
    pub const DE: u8 = 0;
    /// #DB debug.
    pub const DB: u8 = 1;
    /// #BP breakpoint (INT3).
    pub const BP: u8 = 3;
    /// #UD invalid opcode.
    pub const UD: u8 = 6;
    /// #NM device not available.
    pub const NM: u8 = 7;
    /// #DF double fault.
    pub const DF: u8 = 8;
    /// #TS invalid TSS.
    pub const TS: u8 = 10;
    /// #NP segment not present.
    pub const NP: u8 = 11;
    /// #SS stack fault.
    pub const SS: u8 = 12;
    /// #GP general protection.
    pub const GP: u8 = 13;
    /// #PF page fault.
    pub const PF: u8 = 14;
    /// #MF x87 floating-point error (an unmasked x87 exception, reported at the next x87
    /// instruction).
    pub const MF: u8 = 16;
    /// #AC alignment check.
    pub const AC: u8 = 17;
    /// #XM SIMD floating-point exception (an unmasked MXCSR exception).
    pub const XM: u8 = 19;
    /// First vector free for external interrupts; the model's timer uses it.
    pub const TIMER: u8 = 32;
}

/// Page-fault error code bits (Intel SDM vol. 3 §4.7).
pub mod pf {
    /// P: the page was present (a protection violation), else not present.
    pub const P: u64 = 1 << 0;
    /// W/R: the access was a write.
    pub const W: u64 = 1 << 1;
    /// U/S: the access came from ring 3.
    pub const U: u64 = 1 << 2;
    /// RSVD: a reserved bit was set in a paging entry.
    pub const RSVD: u64 = 1 << 3;
    /// I/D: the access was an instruction fetch.
    pub const I: u64 = 1 << 4;
}

/// An exception raised by an instruction, before delivery through the IDT.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Fault {
    /// #DE: DIV/IDIV by zero or a quotient too large for the destination.
    DivideError,
    /// #UD: an instruction the model does not know or that is invalid here.
    InvalidOpcode {
        /// The instruction text (or bytes) and why.
        what: String,
    },
    /// #GP with its error code.
    GeneralProtection {
        /// The error code pushed (0 for most causes; a selector index otherwise).
        code: u64,
        /// Why, in words.
        why: String,
    },
    /// #PF: CR2 gets `addr`, the error code is pushed.
    PageFault {
        /// The faulting linear address.
        addr: u64,
        /// The error code ([`pf`] bits).
        code: u64,
    },
    /// #SS(0): a non-canonical stack address.
    StackFault {
        /// Why, in words.
        why: String,
    },
    /// #XM: an SSE instruction raised a floating-point exception that MXCSR leaves unmasked
    /// (Intel SDM vol. 3 §6.15, interrupt 19).
    SimdFloatingPoint {
        /// The unmasked exception flags (MXCSR bits 0-5).
        flags: u32,
    },
    /// #MF: an x87 instruction found an unmasked exception pending (status word ES set;
    /// Intel SDM vol. 1 §8.7, CR0.NE = 1 as Linux runs).
    FpuError,
    /// #BP from INT3 (a trap: the saved RIP is the next instruction).
    Breakpoint,
    /// INT n (a trap: the saved RIP is the next instruction).
    SoftwareInterrupt {
        /// The vector.
        vector: u8,
    },
}

impl Fault {
    /// The IDT vector this exception is delivered through.
    pub fn vector(&self) -> u8 {
        match self {
            Fault::DivideError => vector::DE,
            Fault::InvalidOpcode { .. } => vector::UD,
            Fault::GeneralProtection { .. } => vector::GP,
            Fault::PageFault { .. } => vector::PF,
            Fault::StackFault { .. } => vector::SS,
            Fault::SimdFloatingPoint { .. } => vector::XM,
            Fault::FpuError => vector::MF,
            Fault::Breakpoint => vector::BP,
            Fault::SoftwareInterrupt { vector } => *vector,
        }
    }

    /// The error code pushed on delivery, for the exceptions that push one.
    pub fn error_code(&self) -> Option<u64> {
        match self {
            Fault::GeneralProtection { code, .. } => Some(*code),
            Fault::PageFault { code, .. } => Some(*code),
            Fault::StackFault { .. } => Some(0),
            _ => None,
        }
    }

    /// True for traps (INT n, INT3), whose saved RIP is the next instruction.
    pub fn is_trap(&self) -> bool {
        matches!(self, Fault::Breakpoint | Fault::SoftwareInterrupt { .. })
    }

    /// A #GP(0) with a reason.
    pub fn gp(why: impl Into<String>) -> Fault {
        Fault::GeneralProtection {
            code: 0,
            why: why.into(),
        }
    }

    /// A #UD with a reason.
    pub fn ud(what: impl Into<String>) -> Fault {
        Fault::InvalidOpcode { what: what.into() }
    }

    /// The short mnemonic, e.g. `#PF`.
    pub fn mnemonic(&self) -> &'static str {
        match self {
            Fault::DivideError => "#DE",
            Fault::InvalidOpcode { .. } => "#UD",
            Fault::GeneralProtection { .. } => "#GP",
            Fault::PageFault { .. } => "#PF",
            Fault::StackFault { .. } => "#SS",
            Fault::SimdFloatingPoint { .. } => "#XM",
            Fault::FpuError => "#MF",
            Fault::Breakpoint => "#BP",
            Fault::SoftwareInterrupt { .. } => "INT",
        }
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Fault::DivideError => {
                f.write_str("#DE divide error (division by zero or quotient overflow)")
            }
            Fault::InvalidOpcode { what } => write!(f, "#UD invalid opcode: {what}"),
            Fault::GeneralProtection { code, why } => {
                write!(f, "#GP({code:#x}) general protection: {why}")
            }
            Fault::PageFault { addr, code } => {
                let present = if code & pf::P != 0 {
                    "protection violation"
                } else {
                    "page not present"
                };
                let access = if code & pf::I != 0 {
                    "instruction fetch"
                } else if code & pf::W != 0 {
                    "write"
                } else {
                    "read"
                };
                let ring = if code & pf::U != 0 { "user" } else { "kernel" };
                let rsvd = if code & pf::RSVD != 0 {
                    ", reserved bit set"
                } else {
                    ""
                };
                write!(f, "#PF page fault at {addr:#x} ({ring} {access}, {present}{rsvd}; error code {code:#x})")
            }
            Fault::StackFault { why } => write!(f, "#SS stack fault: {why}"),
            Fault::SimdFloatingPoint { flags } => write!(
                f,
                "#XM SIMD floating-point exception (unmasked MXCSR flags {flags:#x})"
            ),
            Fault::FpuError => {
                f.write_str("#MF x87 floating-point error (unmasked exception pending)")
            }
            Fault::Breakpoint => f.write_str("#BP breakpoint (int3)"),
            Fault::SoftwareInterrupt { vector } => write!(f, "software interrupt int {vector:#x}"),
        }
    }
}
