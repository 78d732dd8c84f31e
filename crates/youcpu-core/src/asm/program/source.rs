//! Reading a source file into statements, once, before any address is known: labels,
//! section switches, data directives, constants and instruction text. The directive names and
//! meanings are GNU as's (binutils `as` manual, "Assembler Directives"); only the ones listed
//! in [`super`]'s documentation are accepted, each with a message naming the line otherwise.

use super::expr::{char_constant, symbol_char, symbol_start};
use super::Section;

/// What one line asks for (after its labels).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Stmt {
    /// Nothing (blank, comment, or an accepted no-op directive such as `.globl`).
    Nothing,
    /// An instruction, as text.
    Insn(String),
    /// `.text`, `.data`, `.bss`, `.section NAME`.
    Section(Section),
    /// `.byte`/`.word`/`.long`/`.quad`: expressions stored in `width` bytes each.
    Data {
        /// Bytes per value.
        width: u8,
        /// The expressions.
        exprs: Vec<String>,
    },
    /// `.ascii`/`.asciz`/`.string`: bytes already decoded.
    Bytes(Vec<u8>),
    /// `.zero N`, `.skip N [, fill]`, `.space N [, fill]`.
    Fill {
        /// How many bytes (an expression).
        count: String,
        /// The byte to repeat (an expression), zero when absent.
        fill: Option<String>,
    },
    /// `.balign N` / `.align N` / `.p2align P`: pad to a multiple of N (for `.p2align`, 2^P).
    Align {
        /// The expression.
        n: String,
        /// True for `.p2align` (the operand is a power of two).
        pow2: bool,
    },
    /// `NAME = EXPR`, `.equ NAME, EXPR`, `.set NAME, EXPR`.
    Equ {
        /// The name.
        name: String,
        /// The expression.
        expr: String,
    },
}

/// One line, read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Parsed {
    /// 1-based line number.
    pub line: usize,
    /// Labels defined at the start of the line (`a: b: insn`).
    pub labels: Vec<String>,
    /// The rest.
    pub stmt: Stmt,
}

/// Where a left-to-right scan of a line stands with respect to strings (GNU as manual §3.6.1.1:
/// `"` to `"`, a `\` escapes the next character) and character constants (§3.6.1.2: `'` and the
/// one character after it).
#[derive(Default)]
struct Quoting {
    in_str: bool,
    escaped: bool,
    after_quote: bool,
}

impl Quoting {
    /// Feeds the next character: true when it is part of a string or character constant
    /// (its opening and closing marks included), false when it is plain text.
    fn quoted(&mut self, c: char) -> bool {
        if self.in_str {
            if self.escaped {
                self.escaped = false;
            } else if c == '\\' {
                self.escaped = true;
            } else if c == '"' {
                self.in_str = false;
            }
            return true;
        }
        if self.after_quote {
            self.after_quote = false;
            return true;
        }
        match c {
            '"' => self.in_str = true,
            '\'' => self.after_quote = true,
            _ => return false,
        }
        true
    }
}

/// The line without its `#` comment (a `#` inside a string or character constant is kept).
pub fn strip_comment(line: &str) -> &str {
    let mut q = Quoting::default();
    for (i, c) in line.char_indices() {
        if !q.quoted(c) && c == '#' {
            return line.get(..i).unwrap_or_default();
        }
    }
    line
}

/// True when `w` is a whole symbol name.
pub fn is_symbol(w: &str) -> bool {
    let mut c = w.chars();
    matches!(c.next(), Some(ch) if symbol_start(ch)) && c.all(symbol_char) && w != "."
}

/// Splits `a, "b,c", 'd'` at top-level commas.
pub fn split_commas(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let (mut q, mut depth) = (Quoting::default(), 0i32);
    for c in s.chars() {
        if q.quoted(c) {
            cur.push(c);
            continue;
        }
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth -= 1,
            ',' if depth == 0 => {
                out.push(cur.trim().to_string());
                cur.clear();
                continue;
            }
            _ => {}
        }
        cur.push(c);
    }
    out.push(cur.trim().to_string());
    out
}

/// Decodes one `"..."` string literal (GAS escapes: `\n \t \r \b \f \\ \" \0`, octal `\NNN`,
/// hex `\xHH`) and returns its bytes and what follows it.
fn string_literal(s: &str) -> Result<(Vec<u8>, &str), String> {
    let body = s
        .strip_prefix('"')
        .ok_or("expected a string in double quotes")?;
    let mut out = Vec::new();
    let mut it = body.char_indices().peekable();
    while let Some((i, c)) = it.next() {
        match c {
            '"' => return Ok((out, body.get(i + 1..).unwrap_or_default())),
            '\\' => {
                let Some((_, e)) = it.next() else {
                    return Err("the string ends after a backslash".into());
                };
                match e {
                    'n' => out.push(b'\n'),
                    't' => out.push(b'\t'),
                    'r' => out.push(b'\r'),
                    'b' => out.push(8),
                    'f' => out.push(12),
                    '\\' => out.push(b'\\'),
                    '"' => out.push(b'"'),
                    '\'' => out.push(b'\''),
                    '0'..='7' => {
                        let mut v = e.to_digit(8).unwrap_or(0);
                        for _ in 0..2 {
                            match it.peek() {
                                Some((_, d @ '0'..='7')) => {
                                    v = v * 8 + d.to_digit(8).unwrap_or(0);
                                    it.next();
                                }
                                _ => break,
                            }
                        }
                        out.push((v & 0xff) as u8);
                    }
                    'x' | 'X' => {
                        let mut v = 0u32;
                        let mut n = 0;
                        while let Some((_, d)) = it.peek() {
                            match d.to_digit(16) {
                                Some(x) if n < 2 => {
                                    v = v * 16 + x;
                                    n += 1;
                                    it.next();
                                }
                                _ => break,
                            }
                        }
                        if n == 0 {
                            return Err("\\x needs hex digits".into());
                        }
                        out.push(v as u8);
                    }
                    other => return Err(format!("unknown escape \\{other} in a string")),
                }
            }
            c => {
                let mut b = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut b).as_bytes());
            }
        }
    }
    Err("the string has no closing quote".into())
}

/// The bytes of `.ascii "a", "b"` (each with a NUL after it when `nul`).
fn strings(args: &str, nul: bool) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    let mut rest = args.trim();
    if rest.is_empty() {
        return Err("expected a string in double quotes".into());
    }
    loop {
        let (b, after) = string_literal(rest)?;
        out.extend(b);
        if nul {
            out.push(0);
        }
        let after = after.trim_start();
        if after.is_empty() {
            return Ok(out);
        }
        rest = after
            .strip_prefix(',')
            .ok_or("expected \",\" between strings")?
            .trim_start();
    }
}

/// The directives accepted, for messages.
pub const DIRECTIVES: &str = ".text .data .bss .section .globl .global .intel_syntax .byte .word .short .value .long .int .quad .ascii .asciz .string .zero .skip .space .balign .align .p2align .equ .set";

fn section_named(name: &str) -> Result<Section, String> {
    match name {
        ".text" => Ok(Section::Text),
        ".data" => Ok(Section::Data),
        ".bss" => Ok(Section::Bss),
        other => Err(format!(
            "section \"{}\" is not supported: use .text, .data or .bss",
            crate::units::quote(other)
        )),
    }
}

fn directive(name: &str, args: &str) -> Result<Stmt, String> {
    let lower = name.to_ascii_lowercase();
    let data = |width: u8| -> Result<Stmt, String> {
        let exprs = split_commas(args);
        if exprs.iter().any(String::is_empty) {
            return Err(format!("{lower} needs values separated by commas"));
        }
        Ok(Stmt::Data { width, exprs })
    };
    Ok(match lower.as_str() {
        ".text" | ".data" | ".bss" => {
            if !args.trim().is_empty() {
                return Err(format!("{lower} takes no operands here"));
            }
            Stmt::Section(section_named(&lower)?)
        }
        ".section" => {
            let first = split_commas(args).into_iter().next().unwrap_or_default();
            Stmt::Section(section_named(&first)?)
        }
        ".globl" | ".global" => {
            if !split_commas(args).iter().all(|s| is_symbol(s)) {
                return Err(format!("{lower} needs symbol names"));
            }
            Stmt::Nothing
        }
        ".intel_syntax" => match args.trim() {
            "" | "noprefix" => Stmt::Nothing,
            _ => {
                return Err("only .intel_syntax noprefix is supported (registers without %)".into())
            }
        },
        ".att_syntax" => {
            return Err("AT&T syntax is not supported: write Intel syntax".into());
        }
        ".byte" => data(1)?,
        ".word" | ".short" | ".value" => data(2)?,
        ".long" | ".int" => data(4)?,
        ".quad" => data(8)?,
        ".ascii" => Stmt::Bytes(strings(args, false)?),
        ".asciz" | ".string" => Stmt::Bytes(strings(args, true)?),
        ".zero" | ".skip" | ".space" => {
            let mut parts = split_commas(args).into_iter();
            let count = parts.next().unwrap_or_default();
            if count.is_empty() {
                return Err(format!("{lower} needs a byte count"));
            }
            let fill = parts.next();
            if lower == ".zero" && fill.is_some() || parts.next().is_some() {
                return Err(format!("too many operands for {lower}"));
            }
            Stmt::Fill { count, fill }
        }
        ".balign" | ".align" | ".p2align" => {
            let parts = split_commas(args);
            let n = parts.first().cloned().unwrap_or_default();
            if n.is_empty() || parts.len() > 1 {
                return Err(format!("{lower} takes one operand (the alignment)"));
            }
            Stmt::Align {
                n,
                pow2: lower == ".p2align",
            }
        }
        ".equ" | ".set" => {
            let parts = split_commas(args);
            match parts.as_slice() {
                [name, expr] if is_symbol(name) && !expr.is_empty() => Stmt::Equ {
                    name: name.clone(),
                    expr: expr.clone(),
                },
                _ => return Err(format!("{lower} needs NAME, VALUE")),
            }
        }
        _ => {
            return Err(format!(
                "directive {} is not supported; these are: {DIRECTIVES}",
                crate::units::quote(name)
            ))
        }
    })
}

/// Reads one line (`n` is its 1-based number).
pub fn parse_line(n: usize, text: &str) -> Result<Parsed, String> {
    let mut rest = strip_comment(text).trim();
    let mut labels = Vec::new();
    // Labels: `name:` (several may precede one statement).
    loop {
        let end = rest
            .char_indices()
            .find(|&(_, c)| !symbol_char(c))
            .map_or(rest.len(), |(i, _)| i);
        let word = rest.get(..end).unwrap_or_default();
        let after = rest.get(end..).unwrap_or_default();
        if !word.is_empty() && after.starts_with(':') && !after.starts_with("::") {
            if !is_symbol(word) {
                return Err(format!(
                    "\"{}\" is not a label name (letters, digits, _ and ., not starting with a digit)",
                    crate::units::quote(word)
                ));
            }
            labels.push(word.to_string());
            rest = after.get(1..).unwrap_or_default().trim_start();
            continue;
        }
        break;
    }
    let stmt = if rest.is_empty() {
        Stmt::Nothing
    } else if let Some((name, expr)) = rest.split_once('=').filter(|(name, expr)| {
        is_symbol(name.trim()) && !expr.starts_with('=') && !name.trim().contains(' ')
    }) {
        let expr = expr.trim();
        if expr.is_empty() {
            return Err(format!("{} = needs a value", name.trim()));
        }
        Stmt::Equ {
            name: name.trim().to_string(),
            expr: expr.to_string(),
        }
    } else if rest.starts_with('.') {
        let end = rest.find([' ', '\t']).unwrap_or(rest.len());
        let (name, args) = rest.split_at(end);
        directive(name, args.trim())?
    } else {
        if rest.starts_with('"') || rest.starts_with('\'') {
            return Err("a line cannot start with a quote".into());
        }
        if rest
            .match_indices(';')
            .any(|(i, _)| !(i > 0 && rest.get(i - 1..i) == Some("'")))
        {
            return Err(
                "\";\" separates statements in GAS; write one instruction per line (comments start with #)"
                    .into(),
            );
        }
        Stmt::Insn(rest.to_string())
    };
    Ok(Parsed {
        line: n,
        labels,
        stmt,
    })
}

/// A character constant's length in bytes after its opening quote (for scanners that skip
/// them); 1 when it is malformed (the assembler reports it later).
pub fn char_constant_len(rest: &str) -> usize {
    char_constant(rest).map_or(1, |(_, used)| used)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines() {
        let p = parse_line(3, "a: b:  mov eax, 1 # c").expect("parses");
        assert_eq!(p.labels, ["a", "b"]);
        assert_eq!(p.stmt, Stmt::Insn("mov eax, 1".into()));
        let p = parse_line(1, "msg: .asciz \"hi # there\\n\", \"x\"").expect("parses");
        assert_eq!(p.stmt, Stmt::Bytes(b"hi # there\n\0x\0".to_vec()));
        let p = parse_line(1, "len = . - msg").expect("parses");
        assert_eq!(
            p.stmt,
            Stmt::Equ {
                name: "len".into(),
                expr: ". - msg".into()
            }
        );
        let p = parse_line(1, ".quad 1, msg + 2").expect("parses");
        assert_eq!(
            p.stmt,
            Stmt::Data {
                width: 8,
                exprs: vec!["1".into(), "msg + 2".into()]
            }
        );
        assert_eq!(
            parse_line(1, "mov al, '#'").expect("parses").stmt,
            Stmt::Insn("mov al, '#'".into())
        );
        assert_eq!(
            parse_line(1, ".ascii \"\\101\\x42\\0\"")
                .expect("parses")
                .stmt,
            Stmt::Bytes(vec![b'A', b'B', 0])
        );
        for bad in [
            ".frob 1",
            ".section .rodata",
            ".ascii \"open",
            ".ascii hi",
            ".att_syntax",
            "1abc: nop",
            ".equ x",
            ".byte",
            ".ascii \"\\q\"",
        ] {
            assert!(parse_line(1, bad).is_err(), "{bad}");
        }
    }
}
