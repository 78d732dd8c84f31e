//! Symbols inside an instruction, read the way GNU as reads them in Intel syntax
//! (gas/config/tc-i386-intel.c):
//!
//! - a branch or call target (`jmp again`, `call f`) is the symbol's address;
//! - `offset msg` is the address as an immediate (`mov esi, offset msg` is `be 00 20 40 00`);
//! - a bare address elsewhere is a memory operand: `mov rsi, msg` loads the 8 bytes at `msg`
//!   (`48 8b 34 25 ...`), exactly as GAS does;
//! - `[msg + 8]` and `[rbx + msg]` use the address as a displacement; `[rip + msg]` is
//!   rip-relative: the displacement is `msg` minus the address of the next instruction;
//! - a constant (`len = . - msg`, `.equ`) is a plain number. GAS reads a constant defined
//!   *after* the line as a memory operand (it does not know yet that it is a constant), which
//!   is never what was meant; we refuse that with a message instead.
//!
//! The result is instruction text with numbers in place of the symbols, which the one-line
//! assembler then encodes.

use super::expr::{eval, symbol_char, symbol_start, Val};
use super::source::char_constant_len;

/// A symbol's value and the line that defines it (for the defined-later check).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Known {
    /// Its value.
    pub val: Val,
    /// The line defining it.
    pub line: usize,
}

/// Words before the mnemonic that are prefixes, not the instruction.
const PREFIXES: &[&str] = &[
    "lock", "rep", "repe", "repz", "repne", "repnz", "data16", "data32", "addr16", "addr32",
];
/// Words in an operand that are neither registers nor symbols.
const KEYWORDS: &[&str] = &[
    "byte", "word", "dword", "fword", "qword", "mmword", "tbyte", "oword", "xmmword", "ymmword",
    "zmmword", "ptr", "offset", "short", "st",
];

fn is_branch(m: &str) -> bool {
    m.starts_with('j') || m.starts_with("loop") || m == "call" || m == "xbegin"
}

/// True for a register name or an operand keyword (`ptr`, `offset`, `qword`...).
pub fn is_reserved(w: &str) -> bool {
    let l = w.to_ascii_lowercase();
    KEYWORDS.contains(&l.as_str()) || super::super::regs::lookup(&l).is_some()
}

/// True when `w` names a register (so it cannot be a label).
pub fn is_register(w: &str) -> bool {
    super::super::regs::lookup(&w.to_ascii_lowercase()).is_some()
}

/// The identifier-like words of an operand with their byte ranges, skipping numbers,
/// character constants and `{...}` decorators.
fn words(op: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let b = op.as_bytes();
    let mut i = 0;
    while let Some(&c) = b.get(i) {
        if c == b'\'' {
            i += 1 + char_constant_len(op.get(i + 1..).unwrap_or_default());
        } else if c == b'{' {
            i = op
                .get(i..)
                .and_then(|r| r.find('}'))
                .map_or(b.len(), |e| i + e + 1);
        } else if c.is_ascii_digit() {
            while b
                .get(i)
                .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_')
            {
                i += 1;
            }
        } else if symbol_start(c as char) {
            let s = i;
            while b.get(i).is_some_and(|c| symbol_char(*c as char)) {
                i += 1;
            }
            out.push((s, i));
        } else {
            i += 1;
        }
    }
    out
}

fn num_text(n: i128) -> String {
    if n < 0 {
        format!("(-{:#x})", n.unsigned_abs())
    } else {
        format!("({n:#x})")
    }
}

/// What [`resolve`] made of a line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resolved {
    /// The instruction text with numbers for symbols.
    pub text: String,
    /// True when a displacement depends on the next instruction's address (`[rip + sym]`).
    pub rip_relative: bool,
}

/// Replaces the symbols of instruction `text` on line `line` at address `ip`; `next_ip` is the
/// address after it (for `[rip + sym]`; any value of the right length works for a first try).
pub fn resolve(
    text: &str,
    line: usize,
    ip: u64,
    next_ip: u64,
    lookup: &dyn Fn(&str) -> Result<Known, String>,
) -> Result<Resolved, String> {
    // Split off prefixes and the mnemonic.
    let mut rest = text.trim_start();
    let mut head = String::new();
    let mnemonic = loop {
        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let (w, after) = rest.split_at(end);
        head.push_str(w);
        head.push(' ');
        rest = after.trim_start();
        let l = w.to_ascii_lowercase();
        if !(PREFIXES.contains(&l.as_str()) || l.starts_with('{')) || rest.is_empty() {
            break l;
        }
    };
    if rest.is_empty() {
        return Ok(Resolved {
            text: text.to_string(),
            rip_relative: false,
        });
    }
    let mut rip_relative = false;
    let mut ops = Vec::new();
    for op in super::source::split_commas(rest) {
        let ws = words(&op);
        let syms: Vec<(usize, usize)> = ws
            .iter()
            .copied()
            .filter(|&(s, e)| {
                let w = op.get(s..e).unwrap_or_default();
                w == "." || !is_reserved(w)
            })
            .collect();
        if syms.is_empty() {
            ops.push(op);
            continue;
        }
        let word = |(s, e): (usize, usize)| op.get(s..e).unwrap_or_default();
        let value = |w: &str| -> Result<Known, String> {
            if w == "." {
                Ok(Known {
                    val: Val::addr(ip),
                    line,
                })
            } else {
                lookup(w)
            }
        };
        if op.contains('[') {
            let has_rip = ws.iter().any(|&r| word(r).eq_ignore_ascii_case("rip"));
            let mut out = String::new();
            let mut at = 0;
            for &(s, e) in &syms {
                let k = value(word((s, e)))?;
                out.push_str(op.get(at..s).unwrap_or_default());
                let n = if has_rip && k.val.weight == 1 {
                    rip_relative = true;
                    k.val.num - i128::from(next_ip)
                } else {
                    k.val.num
                };
                out.push_str(&num_text(n));
                at = e;
            }
            out.push_str(op.get(at..).unwrap_or_default());
            ops.push(out);
            continue;
        }
        // No brackets: [SIZE ptr] [offset] EXPR.
        let mut size = String::new();
        let mut body: &str = &op;
        if let (Some(&a), Some(&b)) = (ws.first(), ws.get(1)) {
            if is_reserved(word(a)) && word(b).eq_ignore_ascii_case("ptr") && a.0 == 0 {
                size = op.get(..b.1).unwrap_or_default().to_string();
                body = op.get(b.1..).unwrap_or_default();
            }
        }
        let mut offset = false;
        let trimmed = body.trim_start();
        if trimmed.len() > 6
            && trimmed
                .get(..6)
                .is_some_and(|w| w.eq_ignore_ascii_case("offset"))
            && trimmed.get(6..).is_some_and(|r| r.starts_with([' ', '\t']))
        {
            offset = true;
            body = trimmed.get(6..).unwrap_or_default();
        }
        if let Some(r) = words(body)
            .into_iter()
            .map(|(s, e)| body.get(s..e).unwrap_or_default())
            .find(|w| is_register(w))
        {
            return Err(format!(
                "\"{}\": a register and a symbol in one operand need brackets, as in [{r} + ...]",
                crate::units::quote(op.trim())
            ));
        }
        let later = std::cell::Cell::new(None::<(String, usize)>);
        let v = eval(body, Val::addr(ip), &|w| {
            let k = value(w)?;
            if k.val.weight == 0 && k.line > line {
                later.set(Some((w.to_string(), k.line)));
            }
            Ok(k.val)
        })?;
        let shown = crate::units::quote(body.trim());
        if is_branch(&mnemonic) {
            if v.weight > 1 || v.weight < 0 || v.num < 0 {
                return Err(format!("\"{shown}\" is not an address to jump to"));
            }
            // As `$ + n` from this instruction's address: GAS's form for a target it can
            // relax (loop and jrcxz have only an 8-bit displacement and refuse a plain number).
            let n = v.num - i128::from(ip);
            ops.push(if n < 0 {
                format!("{size}$ - {:#x}", n.unsigned_abs())
            } else {
                format!("{size}$ + {n:#x}")
            });
        } else if offset || v.weight == 0 {
            if v.weight != 0 && v.weight != 1 {
                return Err(format!("\"{shown}\" is neither an address nor a number"));
            }
            if let (Some((name, at)), false) = (later.take(), offset) {
                return Err(format!(
                    "{name} is defined later (line {at}); GNU as would read it here as a memory address: define it before this line"
                ));
            }
            ops.push(format!("{size}{}", num_text(v.num)));
        } else if v.weight == 1 {
            ops.push(format!("{size}[{}]", num_text(v.num)));
        } else {
            return Err(format!("\"{shown}\" is neither an address nor a number"));
        }
    }
    Ok(Resolved {
        text: format!("{}{}", head, ops.join(", ")),
        rip_relative,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(text: &str) -> Result<String, String> {
        resolve(text, 5, 0x401000, 0x401007, &|w| match w {
            "msg" => Ok(Known {
                val: Val::addr(0x402000),
                line: 1,
            }),
            "len" => Ok(Known {
                val: Val::konst(14),
                line: 2,
            }),
            "back" => Ok(Known {
                val: Val::addr(0x400ff0),
                line: 1,
            }),
            "later" => Ok(Known {
                val: Val::konst(3),
                line: 9,
            }),
            _ => Err(format!("{w} is not defined")),
        })
        .map(|r| r.text)
    }

    #[test]
    fn symbols_read_as_gas_reads_them() {
        assert_eq!(r("mov edx, len").as_deref(), Ok("mov edx, (0xe)"));
        assert_eq!(
            r("mov esi, offset msg").as_deref(),
            Ok("mov esi, (0x402000)")
        );
        assert_eq!(r("mov rsi, msg").as_deref(), Ok("mov rsi, [(0x402000)]"));
        assert_eq!(
            r("mov al, byte ptr msg+1").as_deref(),
            Ok("mov al, byte ptr[(0x402001)]")
        );
        assert_eq!(
            r("lea rsi, [rip + msg]").as_deref(),
            Ok("lea rsi, [rip + (0xff9)]")
        );
        assert_eq!(
            r("mov byte ptr [rbx + msg], 'a'").as_deref(),
            Ok("mov byte ptr [rbx + (0x402000)], 'a'")
        );
        assert_eq!(r("jmp msg").as_deref(), Ok("jmp $ + 0x1000"));
        assert_eq!(r("loop back").as_deref(), Ok("loop $ - 0x10"));
        assert_eq!(r("jmp .").as_deref(), Ok("jmp $ + 0x0"));
        assert_eq!(r("rep movsb").as_deref(), Ok("rep movsb"));
        assert_eq!(r("add rax, 5").as_deref(), Ok("add rax, 5"));
        assert!(r("mov edx, later").expect_err("refused").contains("line 9"));
        assert!(r("mov edx, nothere")
            .expect_err("refused")
            .contains("nothere"));
        assert!(r("mov rax, rbx + msg")
            .expect_err("refused")
            .contains("brackets"));
        assert!(r("mov rax, msg + msg").is_err());
    }
}
