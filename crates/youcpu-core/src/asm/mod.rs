//! Part 1's assembler and disassembler: GAS Intel syntax to x86 machine code and back.
//!
//! - [`assemble`] turns one line (`add eax, 512`) into bytes (`05 00 02 00 00`), choosing the
//!   encoding GNU as picks (`as -msyntax=intel -mnaked-reg`), and lists every form it
//!   considered so a widget can show why.
//! - [`assemble_lines`] does a whole listing, each line placed after the previous one.
//! - [`build_program`] turns a whole source file (sections, labels, data) into a static ELF
//!   executable ([`program`]).
//! - [`disassemble`] turns bytes into instructions whose text assembles back to the same
//!   bytes, each with a byte-by-byte breakdown ([`Field`]: prefixes, REX, opcode, ModRM, SIB,
//!   displacement, immediate) for the widget to explain.
//!
//! Everything is bounded: lines of at most [`MAX_LINE_LEN`] bytes, at most
//! [`MAX_DISASM_BYTES`] bytes to disassemble; nothing panics on any input.

mod build;
mod disasm;
mod emit;
mod encode;
mod error;
mod fields;
mod forms;
mod lex;
mod lines;
pub mod listing;
mod mem;
mod operands;
mod parse;
pub mod program;
mod rank;
mod regs;
mod rewrite;

pub use disasm::{disassemble, disassemble_one, parse_hex, Decoded, DecodedItem};
pub use encode::{assemble, Assembled, Form};
pub use error::{AsmError, DisasmError};
pub use fields::{Field, FieldKind};
pub use lines::{assemble_lines, Line, MAX_LINES};
pub use operands::{Flow, Operand, OperandKind, Slot};
pub use program::{build_program, build_program_with, BuildError, BuildOptions, Program};

/// The longest line [`assemble`] accepts, in bytes.
pub const MAX_LINE_LEN: usize = 4096;
/// The most bytes [`disassemble`] accepts in one call.
pub const MAX_DISASM_BYTES: usize = 65536;

/// The CPU mode: 16-, 32- or 64-bit code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Bitness {
    /// Real mode / 16-bit code segments (`.code16`).
    B16,
    /// 32-bit protected mode (`as --32`).
    B32,
    /// 64-bit long mode (`as --64`).
    B64,
}

/// A number of bits that is not a CPU mode ([`Bitness::from_bits`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NotAMode(pub u64);

impl std::fmt::Display for NotAMode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} is not a CPU mode: use 16, 32 or 64", self.0)
    }
}

impl std::error::Error for NotAMode {}

impl Bitness {
    /// 16, 32 or 64.
    pub fn bits(self) -> u32 {
        match self {
            Bitness::B16 => 16,
            Bitness::B32 => 32,
            Bitness::B64 => 64,
        }
    }

    /// The mode for 16, 32 or 64; [`NotAMode`] otherwise.
    pub fn from_bits(bits: u64) -> Result<Self, NotAMode> {
        match bits {
            16 => Ok(Bitness::B16),
            32 => Ok(Bitness::B32),
            64 => Ok(Bitness::B64),
            _ => Err(NotAMode(bits)),
        }
    }

    /// The largest instruction address in this mode.
    pub fn max_ip(self) -> u64 {
        match self {
            Bitness::B16 => 0xffff,
            Bitness::B32 => 0xffff_ffff,
            Bitness::B64 => u64::MAX,
        }
    }
}

/// Shortens text quoted back in a message.
fn short(s: &str) -> String {
    crate::units::quote(s)
}

/// A value as hex, with its sign: `0x1ffffffff`, `-0x81`.
fn hex_i128(v: i128) -> String {
    if v < 0 {
        format!("-{:#x}", v.unsigned_abs())
    } else {
        format!("{v:#x}")
    }
}
