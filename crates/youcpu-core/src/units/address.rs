//! The one grammar for a typed address, shared by `youcpu asm --ip`/`disasm --ip`,
//! `youcpu translate` (its VAs and `--root-pfn`) and the page-walk widget.
//!
//! Grammar (surrounding white space is ignored):
//!
//! ```text
//! address := "0x" hex-digits | "0X" hex-digits | dec-digits
//! hex-digits := hex ( "_"? hex )*        dec-digits := dec ( "_"? dec )*
//! ```
//!
//! So `0x7ffd_1c2a_3b40`, `4096` and `1_000` are addresses; a sign (`+1`, `-1`), an empty
//! number (`0x`), a `_` that does not stand between two digits (`_1`, `1_`, `0x_1`, `1__0`),
//! white space inside, other bases (`0o17`, `0b1`) and suffixes (`10h`) are not. The value must
//! fit in 64 bits; [`parse_address_bits`] narrows that to a mode's address space. Whether an
//! address is canonical (SDM vol. 1 §3.3.7.1) is not the parser's business: the page walk reports
//! a non-canonical address as its fault, which is what those views teach.

use super::quote;
use std::fmt;

/// Why a typed address was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AddressError {
    /// Nothing was typed.
    Empty,
    /// The text does not follow the grammar (the quoted text is shortened by [`quote`]).
    NotAnAddress(String),
    /// The number is larger than the address space of `bits` bits.
    Beyond {
        /// The quoted text.
        value: String,
        /// The width of the address space: 16, 32 or 64 (or any width up to 64).
        bits: u32,
    },
}

impl fmt::Display for AddressError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AddressError::Empty => write!(f, "enter an address, e.g. 0x7ffd1c2a3b40"),
            AddressError::NotAnAddress(s) => write!(
                f,
                "\"{s}\" is not a 64-bit address: write decimal digits, or hex digits after 0x \
                 (a _ may stand between two digits)"
            ),
            AddressError::Beyond { value, bits } => {
                write!(f, "{value} is beyond the {bits}-bit address space")
            }
        }
    }
}

impl std::error::Error for AddressError {}

/// Parses an address by the grammar above into a 64-bit value.
pub fn parse_address(text: &str) -> Result<u64, AddressError> {
    parse_address_bits(text, 64)
}

/// Parses an address and checks it fits in `bits` bits (1..=64; a larger width counts as 64).
pub fn parse_address_bits(text: &str, bits: u32) -> Result<u64, AddressError> {
    let t = text.trim();
    if t.is_empty() {
        return Err(AddressError::Empty);
    }
    let (radix, body) = match t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        Some(h) => (16, h),
        None => (10, t),
    };
    let bad = || AddressError::NotAnAddress(quote(text));
    let beyond = |bits| AddressError::Beyond {
        value: quote(text),
        bits,
    };
    let mut value: u64 = 0;
    let mut prev_digit = false;
    let mut overflow = false;
    let mut chars = body.chars().peekable();
    if chars.peek().is_none() {
        return Err(bad());
    }
    while let Some(c) = chars.next() {
        if c == '_' {
            // A `_` stands between two digits: one before it, one after it.
            if !prev_digit || !chars.peek().is_some_and(|n| n.is_digit(radix)) {
                return Err(bad());
            }
            prev_digit = false;
            continue;
        }
        let d = c.to_digit(radix).ok_or_else(bad)?;
        prev_digit = true;
        match value
            .checked_mul(u64::from(radix))
            .and_then(|v| v.checked_add(u64::from(d)))
        {
            Some(v) => value = v,
            // Keep reading: a later bad character makes the text not an address at all.
            None => overflow = true,
        }
    }
    let bits = bits.clamp(1, 64);
    if overflow {
        return Err(beyond(64));
    }
    if bits < 64 && value >> bits != 0 {
        return Err(beyond(bits));
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepted_forms() {
        let cases: &[(&str, u64)] = &[
            ("0", 0),
            ("4096", 4096),
            ("0x1000", 0x1000),
            ("0X1000", 0x1000),
            ("0xAbCd", 0xabcd),
            ("  0x7ffd1c2a3b40\t", 0x7ffd_1c2a_3b40),
            ("0x7ffd_1c2a_3b40", 0x7ffd_1c2a_3b40),
            ("0xffff_ffff_ffff_ffff", u64::MAX),
            ("18446744073709551615", u64::MAX),
            ("1_000", 1000),
            ("007", 7),
            ("0x0000000000000000000001", 1),
        ];
        for &(text, want) in cases {
            assert_eq!(parse_address(text), Ok(want), "{text:?}");
        }
    }

    #[test]
    fn refused_forms() {
        assert_eq!(parse_address(""), Err(AddressError::Empty));
        assert_eq!(parse_address("   "), Err(AddressError::Empty));
        for text in [
            "0x",
            "0X",
            "x10",
            "+1",
            "-1",
            "0x+1",
            "0x-1",
            "_1",
            "1_",
            "1__0",
            "0x_1",
            "0x1_",
            "1 000",
            "0x 10",
            "0o17",
            "0b1",
            "10h",
            "1e3",
            "1.0",
            "0x1g",
            "abc",
            "nonsense",
            "٣",
            "0x１",
            "0xffff_ffff_ffff_ffff_",
            "99999999999999999999x",
        ] {
            assert!(
                matches!(parse_address(text), Err(AddressError::NotAnAddress(_))),
                "{text:?}"
            );
        }
        for text in [
            "0x1_0000_0000_0000_0000",
            "18446744073709551616",
            &"9".repeat(1000),
        ] {
            assert!(
                matches!(
                    parse_address(text),
                    Err(AddressError::Beyond { bits: 64, .. })
                ),
                "{text:?}"
            );
        }
    }

    #[test]
    fn narrower_spaces() {
        assert_eq!(parse_address_bits("0xffff", 16), Ok(0xffff));
        assert_eq!(
            parse_address_bits("0x10000", 16),
            Err(AddressError::Beyond {
                value: "0x10000".into(),
                bits: 16
            })
        );
        assert_eq!(parse_address_bits("4294967295", 32), Ok(u32::MAX.into()));
        assert!(parse_address_bits("4294967296", 32).is_err());
        assert_eq!(parse_address_bits("0x1", 0), Ok(1));
        assert_eq!(parse_address_bits("1", 200), Ok(1));
    }

    #[test]
    fn messages() {
        assert_eq!(
            parse_address("nonsense").expect_err("refused").to_string(),
            "\"nonsense\" is not a 64-bit address: write decimal digits, or hex digits after 0x \
             (a _ may stand between two digits)"
        );
        assert_eq!(
            parse_address_bits("0x10000", 16)
                .expect_err("refused")
                .to_string(),
            "0x10000 is beyond the 16-bit address space"
        );
        assert_eq!(
            parse_address("").expect_err("refused").to_string(),
            "enter an address, e.g. 0x7ffd1c2a3b40"
        );
    }

    #[test]
    fn every_rendering_round_trips() {
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..2000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            for v in [x, x >> (x % 64), x & 0xffff] {
                let hex = format!("{v:x}");
                let grouped: String = hex
                    .chars()
                    .rev()
                    .collect::<Vec<_>>()
                    .chunks(4)
                    .map(|c| c.iter().rev().collect::<String>())
                    .rev()
                    .collect::<Vec<_>>()
                    .join("_");
                for text in [
                    format!("{v}"),
                    format!("{v:#x}"),
                    format!("0X{v:X}"),
                    format!("0x{grouped}"),
                ] {
                    assert_eq!(parse_address(&text), Ok(v), "{text}");
                }
            }
        }
    }
}
