//! Why a line of assembly or a run of bytes was refused: one value per reason, each with a
//! one-line message fit to show a reader.

use std::fmt;

/// An assembler error. `Display` gives the one-line message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AsmError {
    /// The line holds no instruction (it is empty or only a comment).
    Empty,
    /// The line is longer than [`super::MAX_LINE_LEN`] bytes.
    LineTooLong(usize),
    /// A character the syntax has no use for.
    BadChar(char),
    /// A token in a place where it makes no sense; the text says what was expected.
    Syntax(String),
    /// A number that is malformed or larger than 64 bits.
    BadNumber(String),
    /// The mnemonic is not an x86 instruction this assembler knows.
    UnknownMnemonic(String),
    /// The mnemonic exists, but not in this mode (e.g. `push eax` in 64-bit mode).
    NotInMode {
        /// The mnemonic as typed.
        mnemonic: String,
        /// 16, 32 or 64.
        bits: u32,
    },
    /// No form of the instruction takes this many operands.
    OperandCount {
        /// The mnemonic as typed.
        mnemonic: String,
        /// How many operands were given.
        given: usize,
        /// The operand counts the instruction does take, e.g. "2" or "1 or 2".
        expected: String,
    },
    /// An operand that names no register and is no number or memory reference.
    BadOperand(String),
    /// A memory reference the CPU cannot address (e.g. `[rax*3]`, `[rsp*2]`, mixed sizes).
    BadAddress(String),
    /// An immediate value too large for every form that would take it.
    ImmediateRange {
        /// The value as the reader typed it (normalised to hex).
        value: String,
        /// How many bits the slot holds, as text ("32 bits", "a sign-extended 32-bit field").
        fits: String,
    },
    /// The operands are each fine, but no form of the instruction takes them together.
    Combination {
        /// The mnemonic as typed.
        mnemonic: String,
        /// The operand forms that do exist, e.g. "r/m32, imm32; r32, r/m32".
        valid: String,
    },
    /// A memory operand without a size where several sizes would do (`add [rax], 1`).
    AmbiguousSize(String),
    /// A branch target out of reach of the only encodings the instruction has.
    BranchRange(String),
    /// Any other encoding failure, with the reason.
    Encode(String),
}

impl fmt::Display for AsmError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AsmError::Empty => write!(f, "no instruction on this line"),
            AsmError::LineTooLong(n) => write!(
                f,
                "the line is {n} bytes long; at most {} are accepted",
                super::MAX_LINE_LEN
            ),
            AsmError::BadChar(c) => write!(f, "unexpected character {c:?}"),
            AsmError::Syntax(s) => write!(f, "{s}"),
            AsmError::BadNumber(s) => write!(f, "bad number \"{s}\""),
            AsmError::UnknownMnemonic(m) => write!(f, "unknown mnemonic \"{m}\""),
            AsmError::NotInMode { mnemonic, bits } => {
                write!(f, "\"{mnemonic}\" does not exist in {bits}-bit mode")
            }
            AsmError::OperandCount {
                mnemonic,
                given,
                expected,
            } => write!(f, "\"{mnemonic}\" takes {expected} operand(s), not {given}"),
            AsmError::BadOperand(s) => write!(f, "bad operand: {s}"),
            AsmError::BadAddress(s) => write!(f, "bad memory operand: {s}"),
            AsmError::ImmediateRange { value, fits } => write!(f, "{value} does not fit in {fits}"),
            AsmError::Combination { mnemonic, valid } => write!(
                f,
                "invalid operands for \"{mnemonic}\"; its forms are: {valid}"
            ),
            AsmError::AmbiguousSize(m) => write!(
                f,
                "ambiguous operand size for \"{m}\": say byte/word/dword/qword ptr"
            ),
            AsmError::BranchRange(s) => write!(f, "{s}"),
            AsmError::Encode(s) => write!(f, "cannot encode: {s}"),
        }
    }
}

impl std::error::Error for AsmError {}

/// A disassembler error for one position in the byte stream.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DisasmError {
    /// The hex text is malformed.
    BadHex(String),
    /// More bytes than [`super::MAX_DISASM_BYTES`].
    TooManyBytes(usize),
    /// The bytes at this position are no valid instruction.
    Invalid,
    /// The input ends in the middle of an instruction.
    Truncated,
}

impl fmt::Display for DisasmError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DisasmError::BadHex(s) => write!(f, "{s}"),
            DisasmError::TooManyBytes(n) => write!(
                f,
                "{n} bytes given; at most {} are accepted",
                super::MAX_DISASM_BYTES
            ),
            DisasmError::Invalid => write!(f, "not a valid instruction"),
            DisasmError::Truncated => write!(f, "the bytes end in the middle of an instruction"),
        }
    }
}

impl std::error::Error for DisasmError {}
