//! The parser for one line of GAS Intel syntax: pseudo-prefixes (`{load}`), prefixes (`lock`,
//! `rep`...), the mnemonic and its operands, with memory operands and constant expressions
//! (`+ - *` and parentheses, as in gas/config/tc-i386-intel.c) folded into plain data.

use super::error::AsmError;
use super::lex::{tokenize, Tok};
use super::mem::{to_mem, Lin};
use super::regs;
use iced_x86::Register;

/// How deeply parentheses and unary signs may nest; deeper input is refused, not recursed into.
const MAX_DEPTH: usize = 32;
/// At most this many operands (x86 has at most 5).
const MAX_OPERANDS: usize = 5;
/// At most this many values after `.byte`.
pub const MAX_DATA_BYTES: usize = 64;

/// A memory reference `seg:[base + index*scale + disp]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mem {
    /// The segment override as written, if any.
    pub seg: Option<Register>,
    /// The base register (`rip` for rip-relative).
    pub base: Option<Register>,
    /// The index register.
    pub index: Option<Register>,
    /// 1, 2, 4 or 8.
    pub scale: u32,
    /// The displacement as written (for rip-relative: relative to the next instruction).
    pub disp: i128,
}

/// What an operand is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OpKind {
    /// A register.
    Reg(Register),
    /// A memory reference.
    Mem(Mem),
    /// A constant (an immediate, or an absolute branch target).
    Imm(i128),
    /// `$ + n`: a branch target relative to the start of this instruction.
    Rel(i128),
    /// `selector:offset`: a far branch target (`jmp 0x10:0x1000`).
    Far {
        /// The code segment selector.
        selector: i128,
        /// The offset within the segment.
        offset: i128,
    },
}

/// One operand with the size keyword written before it (`dword ptr` = 4), if any.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Operand {
    /// The operand itself.
    pub kind: OpKind,
    /// Size in bytes from a `byte/word/dword/... ptr` keyword.
    pub size: Option<u32>,
}

/// The GAS pseudo-prefixes that pick among equivalent encodings.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Pseudo {
    /// `{load}`: the ModRM reg field is the destination (e.g. 03 /r for add).
    pub load: bool,
    /// `{store}`: the ModRM r/m field is the destination (e.g. 01 /r for add).
    pub store: bool,
    /// `{disp8}`: an 8-bit displacement even when 0 would do.
    pub disp8: bool,
    /// `{disp32}`: a full-size displacement.
    pub disp32: bool,
}

/// Instruction prefixes written as words.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Prefixes {
    /// `lock`.
    pub lock: bool,
    /// `rep` / `repe` / `repz`.
    pub rep: bool,
    /// `repne` / `repnz`.
    pub repne: bool,
    /// A segment register written as a prefix word (`fs movsb`, `cs nop`): its byte is
    /// emitted as written, like GAS does.
    pub seg: Option<Register>,
    /// `data16` (or `data32`): a raw 66 byte.
    pub data: bool,
    /// `addr32` (or `addr16`): a raw 67 byte.
    pub addr: bool,
}

/// AVX-512 decorators (`zmm0{k1}{z}`, `[rax]{1to16}`), one set per instruction.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Evex {
    /// `{k1}`..`{k7}`: the opmask register.
    pub mask: Option<Register>,
    /// `{z}`: zeroing instead of merging.
    pub zeroing: bool,
    /// `{1toN}`: the memory operand is one element broadcast N times.
    pub broadcast: bool,
}

/// A parsed line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Statement {
    /// An instruction.
    Insn {
        /// Pseudo-prefixes.
        pseudo: Pseudo,
        /// Prefixes.
        prefixes: Prefixes,
        /// The mnemonic, lowercase.
        mnemonic: String,
        /// `short` was written before the first operand (GAS ignores it for constant targets).
        short: bool,
        /// The operands in Intel order (destination first).
        operands: Vec<Operand>,
        /// AVX-512 decorators.
        evex: Evex,
    },
    /// `.byte a, b, ...`: raw bytes.
    Bytes(Vec<u8>),
}

/// Parses one line. Empty lines and comment-only lines give [`AsmError::Empty`].
pub fn parse_line(line: &str) -> Result<Statement, AsmError> {
    if line.len() > super::MAX_LINE_LEN {
        return Err(AsmError::LineTooLong(line.len()));
    }
    // The VIA PadLock names objdump prints with a hyphen (`xstore-rng`, `xcrypt-ecb`), which
    // GAS also takes.
    let lower = line.to_ascii_lowercase();
    let line = if lower.contains("xstore-rng") || lower.contains("xcrypt-") {
        std::borrow::Cow::Owned(
            lower
                .replace("xstore-rng", "xstorerng")
                .replace("xcrypt-", "xcrypt"),
        )
    } else {
        std::borrow::Cow::Borrowed(line)
    };
    let toks = tokenize(&line)?;
    let mut p = Parser {
        toks,
        pos: 0,
        depth: 0,
    };
    let mut pseudo = Pseudo::default();
    let mut prefixes = Prefixes::default();
    let mnemonic = loop {
        match p.next() {
            None => {
                return if pseudo == Pseudo::default() && prefixes == Prefixes::default() {
                    Err(AsmError::Empty)
                } else {
                    Err(AsmError::Syntax(
                        "a prefix with no instruction after it".into(),
                    ))
                }
            }
            Some(Tok::Brace(name)) => match name.as_str() {
                "load" => pseudo.load = true,
                "store" => pseudo.store = true,
                "disp8" => pseudo.disp8 = true,
                "disp32" => pseudo.disp32 = true,
                _ => {
                    return Err(AsmError::Syntax(format!(
                    "unknown pseudo-prefix {{{}}}; known: {{load}} {{store}} {{disp8}} {{disp32}}",
                    super::short(&name)
                )))
                }
            },
            Some(Tok::Ident(w)) => {
                let before = prefixes;
                match w.as_str() {
                    "lock" => prefixes.lock = true,
                    "rep" | "repe" | "repz" => prefixes.rep = true,
                    "repne" | "repnz" => prefixes.repne = true,
                    "data16" | "data32" => prefixes.data = true,
                    "addr16" | "addr32" => prefixes.addr = true,
                    "cs" | "ds" | "es" | "fs" | "gs" | "ss"
                        if matches!(p.peek(), Some(Tok::Ident(_))) && prefixes.seg.is_none() =>
                    {
                        prefixes.seg = regs::lookup(&w)
                    }
                    "cs" | "ds" | "es" | "fs" | "gs" | "ss" if prefixes.seg.is_some() => {}
                    _ => break w,
                }
                // GAS: "same type of prefix used twice".
                if prefixes == before
                    || (before.rep || before.repne)
                        && (prefixes.rep != before.rep || prefixes.repne != before.repne)
                {
                    return Err(AsmError::Syntax(format!(
                        "prefix \"{w}\" repeats one already given"
                    )));
                }
            }
            Some(t) => {
                return Err(AsmError::Syntax(format!(
                    "expected a mnemonic, found {}",
                    describe(&t)
                )))
            }
        }
    };
    if mnemonic == ".byte" {
        return p.data_bytes().map(Statement::Bytes);
    }
    if mnemonic.starts_with('.') {
        return Err(AsmError::Syntax(format!(
            "directive {} is not supported (only .byte)",
            super::short(&mnemonic)
        )));
    }
    let mut operands = Vec::new();
    let mut evex = Evex::default();
    let mut short = false;
    if p.peek().is_some() {
        if p.peek_ident("short") {
            p.pos += 1;
            short = true;
        }
        loop {
            if operands.len() == MAX_OPERANDS {
                return Err(AsmError::Syntax(format!(
                    "more than {MAX_OPERANDS} operands"
                )));
            }
            operands.push(p.operand()?);
            p.decorators(&mut evex)?;
            match p.next() {
                None => break,
                Some(Tok::Punct(',')) => continue,
                Some(t) => {
                    return Err(AsmError::Syntax(format!(
                        "expected \",\" or the end of the line, found {}",
                        describe(&t)
                    )))
                }
            }
        }
    }
    Ok(Statement::Insn {
        pseudo,
        prefixes,
        mnemonic,
        short,
        operands,
        evex,
    })
}

/// Names a token for a message.
fn describe(t: &Tok) -> String {
    match t {
        Tok::Ident(s) => format!("\"{}\"", super::short(s)),
        Tok::Num(n) => format!("the number {n}"),
        Tok::Punct(c) => format!("\"{c}\""),
        Tok::Brace(b) => format!("\"{{{}}}\"", super::short(b)),
    }
}

/// Size keywords before `ptr` (gas/config/tc-i386-intel.c i386_types).
fn size_keyword(w: &str) -> Option<u32> {
    Some(match w {
        "byte" => 1,
        "word" => 2,
        "dword" => 4,
        "fword" => 6,
        "qword" | "mmword" => 8,
        "tbyte" => 10,
        "oword" | "xmmword" => 16,
        "ymmword" => 32,
        "zmmword" => 64,
        _ => return None,
    })
}

struct Parser {
    toks: Vec<Tok>,
    pos: usize,
    depth: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
    }
    fn peek_at(&self, k: usize) -> Option<&Tok> {
        self.toks.get(self.pos + k)
    }
    fn peek_ident(&self, w: &str) -> bool {
        matches!(self.peek(), Some(Tok::Ident(s)) if s == w)
    }
    fn next(&mut self) -> Option<Tok> {
        let t = self.toks.get(self.pos).cloned();
        if t.is_some() {
            self.pos += 1;
        }
        t
    }
    fn expect(&mut self, c: char) -> Result<(), AsmError> {
        match self.next() {
            Some(Tok::Punct(d)) if d == c => Ok(()),
            Some(t) => Err(AsmError::Syntax(format!(
                "expected \"{c}\", found {}",
                describe(&t)
            ))),
            None => Err(AsmError::Syntax(format!(
                "expected \"{c}\" before the end of the line"
            ))),
        }
    }

    fn data_bytes(&mut self) -> Result<Vec<u8>, AsmError> {
        let mut out = Vec::new();
        loop {
            let v = self.expr()?;
            if !v.is_const() {
                return Err(AsmError::Syntax(".byte takes numbers only".into()));
            }
            if !(-128..=255).contains(&v.konst) {
                return Err(AsmError::ImmediateRange {
                    value: super::hex_i128(v.konst),
                    fits: "8 bits".into(),
                });
            }
            if out.len() == MAX_DATA_BYTES {
                return Err(AsmError::Syntax(format!(
                    "more than {MAX_DATA_BYTES} bytes on one .byte line"
                )));
            }
            out.push(v.konst as u8);
            match self.next() {
                None => return Ok(out),
                Some(Tok::Punct(',')) => continue,
                Some(t) => {
                    return Err(AsmError::Syntax(format!(
                        "expected \",\" or the end of the line, found {}",
                        describe(&t)
                    )))
                }
            }
        }
    }

    /// operand := [size ptr] [seg ":"] ( "[" expr "]" | expr )
    /// `{k1}` `{z}` `{1to16}` after an operand.
    fn decorators(&mut self, evex: &mut Evex) -> Result<(), AsmError> {
        while let Some(Tok::Brace(d)) = self.peek().cloned() {
            self.pos += 1;
            match d.as_str() {
                "z" => evex.zeroing = true,
                b if b
                    .strip_prefix("1to")
                    .is_some_and(|n| n.parse::<u32>().is_ok()) =>
                {
                    evex.broadcast = true
                }
                k => match regs::lookup(k).filter(|r| r.is_k() && *r != Register::K0) {
                    Some(r) if evex.mask.is_none() => evex.mask = Some(r),
                    _ => {
                        return Err(AsmError::Syntax(format!(
                            "unknown decorator {{{}}}: use {{k1}}..{{k7}}, {{z}} or {{1toN}}",
                            super::short(k)
                        )))
                    }
                },
            }
        }
        Ok(())
    }

    fn operand(&mut self) -> Result<Operand, AsmError> {
        let mut size = None;
        if let Some(Tok::Ident(w)) = self.peek() {
            if let Some(s) = size_keyword(w) {
                let w = w.clone();
                if matches!(self.peek_at(1), Some(Tok::Ident(p)) if p == "ptr") {
                    self.pos += 2;
                    size = Some(s);
                } else {
                    // GAS reads a bare "dword" as a constant; demand the unambiguous form.
                    return Err(AsmError::Syntax(format!(
                        "write \"{w} ptr\", not \"{w}\" alone"
                    )));
                }
            }
        }
        let mut seg = None;
        if let (Some(Tok::Ident(w)), Some(Tok::Punct(':'))) = (self.peek(), self.peek_at(1)) {
            if let Some(r) = regs::lookup(w).filter(|r| r.is_segment_register()) {
                seg = Some(r);
                self.pos += 2;
            }
        }
        let bracket = matches!(self.peek(), Some(Tok::Punct('[')));
        let v = if bracket {
            self.pos += 1;
            let v = self.expr()?;
            self.expect(']')?;
            // GAS allows "[rax] + 8" and "[rax][rbx]"; accept a trailing "+ n".
            let mut v = v;
            while let Some(Tok::Punct(c @ ('+' | '-' | '['))) = self.peek().cloned() {
                self.pos += 1;
                let rhs = if c == '[' {
                    let r = self.expr()?;
                    self.expect(']')?;
                    r
                } else {
                    self.term()?
                };
                v = v.add(rhs, if c == '-' { -1 } else { 1 })?;
            }
            v
        } else {
            self.expr()?
        };
        if bracket || seg.is_some() {
            let mem = to_mem(v, seg)?;
            return Ok(Operand {
                kind: OpKind::Mem(mem),
                size,
            });
        }
        if v.is_const() && matches!(self.peek(), Some(Tok::Punct(':'))) {
            self.pos += 1;
            let off = self.expr()?;
            if !off.is_const() {
                return Err(AsmError::BadOperand(
                    "a far target is selector:offset, two numbers".into(),
                ));
            }
            return Ok(Operand {
                kind: OpKind::Far {
                    selector: v.konst,
                    offset: off.konst,
                },
                size,
            });
        }
        let kind = if v.dollar != 0 {
            if v.dollar != 1 || !v.regs.is_empty() {
                return Err(AsmError::Syntax(
                    "use \"$\" only as \"$ + n\" in a branch target".into(),
                ));
            }
            OpKind::Rel(v.konst)
        } else if v.regs.is_empty() {
            OpKind::Imm(v.konst)
        } else if let [(r, 1, false)] = v.regs.as_slice() {
            if v.konst != 0 {
                return Err(AsmError::BadOperand(format!(
                    "\"{} + {}\" needs brackets to be a memory operand",
                    regs::name(*r),
                    v.konst
                )));
            }
            if matches!(r, Register::RIP | Register::EIP) {
                return Err(AsmError::BadOperand(format!(
                    "{} can only be used inside [ ]",
                    regs::name(*r)
                )));
            }
            OpKind::Reg(*r)
        } else {
            return Err(AsmError::BadOperand(
                "registers in an expression need brackets: [ ... ]".into(),
            ));
        };
        Ok(Operand { kind, size })
    }

    /// expr := term (("+" | "-") term)*
    fn expr(&mut self) -> Result<Lin, AsmError> {
        let mut v = self.term()?;
        while let Some(Tok::Punct(c @ ('+' | '-'))) = self.peek().cloned() {
            self.pos += 1;
            let rhs = self.term()?;
            v = v.add(rhs, if c == '-' { -1 } else { 1 })?;
        }
        Ok(v)
    }

    /// term := unary ("*" unary)*
    fn term(&mut self) -> Result<Lin, AsmError> {
        let mut v = self.unary()?;
        while let Some(Tok::Punct('*')) = self.peek() {
            self.pos += 1;
            let rhs = self.unary()?;
            v = v.mul(rhs)?;
        }
        Ok(v)
    }

    /// unary := ("-" | "+") unary | primary
    fn unary(&mut self) -> Result<Lin, AsmError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(AsmError::Syntax(format!(
                "expression nested more than {MAX_DEPTH} deep"
            )));
        }
        let r = match self.peek() {
            Some(Tok::Punct('-')) => {
                self.pos += 1;
                self.unary().and_then(|v| Lin::default().add(v, -1))
            }
            Some(Tok::Punct('+')) => {
                self.pos += 1;
                self.unary()
            }
            _ => self.primary(),
        };
        self.depth -= 1;
        r
    }

    /// primary := number | register | "st(" n ")" | "$" | "(" expr ")"
    fn primary(&mut self) -> Result<Lin, AsmError> {
        match self.next() {
            Some(Tok::Num(n)) => Ok(Lin {
                konst: n,
                ..Lin::default()
            }),
            Some(Tok::Punct('$')) => Ok(Lin {
                dollar: 1,
                ..Lin::default()
            }),
            Some(Tok::Punct('(')) => {
                let v = self.expr()?;
                self.expect(')')?;
                Ok(v)
            }
            Some(Tok::Ident(w)) => {
                if w == "st" && matches!(self.peek(), Some(Tok::Punct('('))) {
                    self.pos += 1;
                    let n = match self.next() {
                        Some(Tok::Num(n)) if (0..8).contains(&n) => n,
                        _ => return Err(AsmError::BadOperand("st(i) needs i from 0 to 7".into())),
                    };
                    self.expect(')')?;
                    let r = regs::lookup(&format!("st{n}"))
                        .ok_or_else(|| AsmError::BadOperand("st(i) needs i from 0 to 7".into()))?;
                    return Ok(Lin {
                        regs: vec![(r, 1, false)],
                        ..Lin::default()
                    });
                }
                match regs::lookup(&w) {
                    Some(r) => Ok(Lin {
                        regs: vec![(r, 1, false)],
                        ..Lin::default()
                    }),
                    None if size_keyword(&w).is_some() || w == "ptr" => {
                        Err(AsmError::Syntax(format!(
                            "\"{w}\" must come first in the operand, as in \"dword ptr [rax]\""
                        )))
                    }
                    None => Err(AsmError::BadOperand(format!(
                        "\"{}\" is not a register (labels and symbols are not supported)",
                        super::short(&w)
                    ))),
                }
            }
            Some(t) => Err(AsmError::Syntax(format!(
                "expected a value, found {}",
                describe(&t)
            ))),
            None => Err(AsmError::Syntax(
                "expected a value before the end of the line".into(),
            )),
        }
    }
}
