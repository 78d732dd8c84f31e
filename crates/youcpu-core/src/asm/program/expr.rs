//! Expressions in directives and operands: numbers as GAS writes them (gas/expr.c `operand`:
//! `0x1f`, `0b101`, a leading `0` for octal, `'a'`), symbols, `.` (the current location), `+`,
//! `-`, `*` and parentheses. A value is a number plus how many times an address is counted in
//! it ("weight"): `msg + 2` is an address (weight 1), `end - msg` and `.equ` numbers are plain
//! constants (weight 0). GAS makes the same distinction between relocatable and absolute
//! expressions (gas/expr.c, "absolute section").

use super::super::lex::parse_number;

/// Deepest parenthesis/unary nesting accepted.
pub const MAX_DEPTH: usize = 32;

/// A symbol's value as an expression sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Val {
    /// The number (an address for labels).
    pub num: i128,
    /// How many times an address counts in it: 1 for a label, 0 for a constant.
    pub weight: i32,
}

impl Val {
    /// A plain number.
    pub fn konst(num: i128) -> Self {
        Val { num, weight: 0 }
    }
    /// An address.
    pub fn addr(num: u64) -> Self {
        Val {
            num: i128::from(num),
            weight: 1,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Tok {
    Num(i128),
    Sym(String),
    Dot,
    Op(char),
}

/// True for a character that may start a symbol name.
pub fn symbol_start(c: char) -> bool {
    c.is_ascii_alphabetic() || c == '_' || c == '.'
}

/// True for a character that may continue a symbol name.
pub fn symbol_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '$'
}

/// Reads a character constant after its opening quote: `a'`, `a` or `\n'`. Returns the value
/// and the number of bytes used (without the opening quote).
pub fn char_constant(rest: &str) -> Result<(i128, usize), String> {
    let mut it = rest.char_indices();
    let (v, mut used) = match it.next() {
        Some((_, '\\')) => {
            let (_, e) = it
                .next()
                .ok_or("a character constant ends after its backslash")?;
            let v = match e {
                'n' => 10,
                't' => 9,
                'r' => 13,
                '0' => 0,
                '\\' => 92,
                '\'' => 39,
                '"' => 34,
                other => return Err(format!("unknown escape \\{other} in a character constant")),
            };
            (v, 1 + e.len_utf8())
        }
        Some((_, c)) if c.is_ascii() => (i128::from(c as u8), 1),
        Some(_) => return Err("only ASCII characters may be quoted".into()),
        None => return Err("a quote with no character after it".into()),
    };
    if rest.get(used..).is_some_and(|r| r.starts_with('\'')) {
        used += 1;
    }
    Ok((v, used))
}

fn tokenize(text: &str) -> Result<Vec<Tok>, String> {
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(c) = text.get(i..).and_then(|r| r.chars().next()) {
        match c {
            ' ' | '\t' => i += 1,
            '+' | '-' | '*' | '(' | ')' => {
                out.push(Tok::Op(c));
                i += 1;
            }
            '\'' => {
                let (v, used) = char_constant(text.get(i + 1..).unwrap_or_default())?;
                out.push(Tok::Num(v));
                i += 1 + used;
            }
            '0'..='9' => {
                let start = i;
                while text
                    .as_bytes()
                    .get(i)
                    .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_')
                {
                    i += 1;
                }
                let n = parse_number(text.get(start..i).unwrap_or_default())
                    .map_err(|e| e.to_string())?;
                out.push(Tok::Num(n));
            }
            c if symbol_start(c) => {
                let start = i;
                while text
                    .get(i..)
                    .and_then(|r| r.chars().next())
                    .is_some_and(symbol_char)
                {
                    i += 1;
                }
                let w = text.get(start..i).unwrap_or_default();
                out.push(if w == "." {
                    Tok::Dot
                } else {
                    Tok::Sym(w.to_string())
                });
            }
            other => return Err(format!("unexpected \"{other}\" in an expression")),
        }
    }
    Ok(out)
}

/// Evaluates `text`. `lookup` gives a symbol's value or why it has none; `dot` is the value of
/// `.`. Numbers stay within 64 bits (as two's complement for negative ones).
pub fn eval(
    text: &str,
    dot: Val,
    lookup: &dyn Fn(&str) -> Result<Val, String>,
) -> Result<Val, String> {
    let toks = tokenize(text)?;
    if toks.is_empty() {
        return Err("expected a value".into());
    }
    let mut p = P {
        toks,
        pos: 0,
        depth: 0,
        dot,
        lookup,
    };
    let v = p.expr()?;
    if let Some(t) = p.toks.get(p.pos) {
        return Err(format!("unexpected {} after the value", show(t)));
    }
    if v.num > i128::from(u64::MAX) || v.num < i128::from(i64::MIN) {
        return Err(format!("{text} does not fit in 64 bits"));
    }
    Ok(v)
}

fn show(t: &Tok) -> String {
    match t {
        Tok::Num(n) => format!("the number {n}"),
        Tok::Sym(s) => format!("\"{s}\""),
        Tok::Dot => "\".\"".into(),
        Tok::Op(c) => format!("\"{c}\""),
    }
}

struct P<'a> {
    toks: Vec<Tok>,
    pos: usize,
    depth: usize,
    dot: Val,
    lookup: &'a dyn Fn(&str) -> Result<Val, String>,
}

impl P<'_> {
    fn peek_op(&self) -> Option<char> {
        match self.toks.get(self.pos) {
            Some(Tok::Op(c)) => Some(*c),
            _ => None,
        }
    }

    fn expr(&mut self) -> Result<Val, String> {
        let mut v = self.term()?;
        while let Some(c @ ('+' | '-')) = self.peek_op() {
            self.pos += 1;
            let r = self.term()?;
            v = if c == '+' {
                Val {
                    num: v.num.wrapping_add(r.num),
                    weight: v.weight + r.weight,
                }
            } else {
                Val {
                    num: v.num.wrapping_sub(r.num),
                    weight: v.weight - r.weight,
                }
            };
            clamp(&mut v)?;
        }
        Ok(v)
    }

    fn term(&mut self) -> Result<Val, String> {
        let mut v = self.unary()?;
        while self.peek_op() == Some('*') {
            self.pos += 1;
            let r = self.unary()?;
            if v.weight != 0 || r.weight != 0 {
                return Err("an address cannot be multiplied".into());
            }
            v = Val::konst(v.num.wrapping_mul(r.num));
            clamp(&mut v)?;
        }
        Ok(v)
    }

    fn unary(&mut self) -> Result<Val, String> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(format!("expression nested more than {MAX_DEPTH} deep"));
        }
        let r = match self.peek_op() {
            Some('-') => {
                self.pos += 1;
                self.unary().map(|v| Val {
                    num: -v.num,
                    weight: -v.weight,
                })
            }
            Some('+') => {
                self.pos += 1;
                self.unary()
            }
            _ => self.primary(),
        };
        self.depth -= 1;
        r
    }

    fn primary(&mut self) -> Result<Val, String> {
        let t = self.toks.get(self.pos).cloned();
        self.pos += 1;
        match t {
            Some(Tok::Num(n)) => Ok(Val::konst(n)),
            Some(Tok::Dot) => Ok(self.dot),
            Some(Tok::Sym(s)) => (self.lookup)(&s),
            Some(Tok::Op('(')) => {
                let v = self.expr()?;
                match self.toks.get(self.pos) {
                    Some(Tok::Op(')')) => {
                        self.pos += 1;
                        Ok(v)
                    }
                    _ => Err("\"(\" without a closing \")\"".into()),
                }
            }
            Some(t) => Err(format!("expected a value, found {}", show(&t))),
            None => Err("expected a value before the end".into()),
        }
    }
}

/// Keeps intermediate values in a range where the arithmetic cannot overflow.
fn clamp(v: &mut Val) -> Result<(), String> {
    if v.num.unsigned_abs() > 1u128 << 100 || v.weight.abs() > 1000 {
        return Err("the value is far beyond 64 bits".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(text: &str) -> Result<Val, String> {
        eval(text, Val::addr(0x1000), &|s| match s {
            "msg" => Ok(Val::addr(0x2000)),
            "end" => Ok(Val::addr(0x200e)),
            "n" => Ok(Val::konst(3)),
            _ => Err(format!("unknown symbol {s}")),
        })
    }

    #[test]
    fn numbers_symbols_and_weights() {
        assert_eq!(
            ev("0x10 + 010 + 0b11 + 'a'"),
            Ok(Val::konst(16 + 8 + 3 + 97))
        );
        assert_eq!(ev("end - msg"), Ok(Val::konst(14)));
        assert_eq!(ev("msg + n * 2"), Ok(Val::addr(0x2006)));
        assert_eq!(ev(". - msg"), Ok(Val::konst(0x1000 - 0x2000)));
        assert_eq!(ev("-(n)"), Ok(Val::konst(-3)));
        assert_eq!(ev("'\\n'"), Ok(Val::konst(10)));
        assert!(ev("msg * 2").is_err());
        assert!(ev("nope").expect_err("refused").contains("nope"));
        assert!(ev("(1").is_err());
        assert!(ev("1 2").is_err());
        assert!(ev("").is_err());
        assert!(ev(&"(".repeat(100)).is_err());
        assert!(ev("0xffffffffffffffff * 0xffffffffffffffff").is_err());
    }
}
