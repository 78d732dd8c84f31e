//! Parsing and formatting of numbers typed by readers, with messages fit to show them.
//!
//! Every parser here takes arbitrary text (it may be empty, huge, or not a number at all) and
//! returns a value or a [`UnitError`] that says what was wrong; none of them panics.

use std::fmt;

pub mod address;
pub use address::{parse_address, parse_address_bits, AddressError};

/// Why a typed value was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UnitError {
    /// Nothing was typed.
    Empty,
    /// The text is not a number of the expected kind.
    NotANumber(String),
    /// A minus sign where only non-negative values make sense.
    Negative,
    /// More decimal places than the unit can hold.
    TooPrecise(String),
    /// The value is beyond what the field accepts.
    OutOfRange {
        /// A short rendering of what was typed.
        value: String,
        /// The smallest accepted value, as text.
        min: String,
        /// The largest accepted value, as text.
        max: String,
    },
}

/// At most this many characters of a refused value are quoted back.
const QUOTE_MAX: usize = 24;

/// Shortens a refused value for an error message.
pub fn quote(s: &str) -> String {
    let t = s.trim();
    if t.chars().count() <= QUOTE_MAX {
        t.to_string()
    } else {
        let head: String = t.chars().take(QUOTE_MAX).collect();
        format!("{head}…")
    }
}

impl fmt::Display for UnitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UnitError::Empty => write!(f, "enter a value"),
            UnitError::NotANumber(s) => write!(f, "\"{s}\" is not a number"),
            UnitError::Negative => write!(f, "must not be negative"),
            UnitError::TooPrecise(s) => {
                write!(
                    f,
                    "\"{s}\" has more than 6 decimal places (1 ns is the smallest step)"
                )
            }
            UnitError::OutOfRange { value, min, max } => {
                write!(f, "{value} is outside {min}..{max}")
            }
        }
    }
}

impl std::error::Error for UnitError {}

/// Parses a non-negative decimal number of milliseconds ("6", "0.75", "1.5e0" is refused) into
/// whole nanoseconds. At most 6 decimal places; at most `max_ns`.
pub fn parse_ms(text: &str, max_ns: u64) -> Result<u64, UnitError> {
    let t = text.trim();
    if t.is_empty() {
        return Err(UnitError::Empty);
    }
    if t.starts_with('-') {
        return Err(UnitError::Negative);
    }
    let t2 = t.strip_prefix('+').unwrap_or(t);
    let (int_part, frac_part) = match t2.split_once('.') {
        Some((i, f)) => (i, f),
        None => (t2, ""),
    };
    let digits_ok = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if (int_part.is_empty() && frac_part.is_empty())
        || !digits_ok(int_part)
        || !digits_ok(frac_part)
    {
        return Err(UnitError::NotANumber(quote(text)));
    }
    if frac_part.len() > 6 && frac_part[6..].bytes().any(|b| b != b'0') {
        return Err(UnitError::TooPrecise(quote(text)));
    }
    let out_of_range = || UnitError::OutOfRange {
        value: format!("{} ms", quote(text)),
        min: "0".into(),
        max: format_ms(max_ns),
    };
    let int_trim = int_part.trim_start_matches('0');
    if int_trim.len() > 12 {
        return Err(out_of_range());
    }
    let whole: u64 = if int_trim.is_empty() {
        0
    } else {
        int_trim.parse().map_err(|_| out_of_range())?
    };
    let mut frac_ns: u64 = 0;
    for i in 0..6 {
        let d = frac_part
            .as_bytes()
            .get(i)
            .map_or(0, |b| u64::from(b - b'0'));
        frac_ns = frac_ns * 10 + d;
    }
    let ns = whole
        .checked_mul(1_000_000)
        .and_then(|v| v.checked_add(frac_ns))
        .ok_or_else(out_of_range)?;
    if ns > max_ns {
        return Err(out_of_range());
    }
    Ok(ns)
}

/// Parses a whole number in `min..=max` (decimal, optional sign).
pub fn parse_int(text: &str, min: i64, max: i64) -> Result<i64, UnitError> {
    let t = text.trim();
    if t.is_empty() {
        return Err(UnitError::Empty);
    }
    let body = t.strip_prefix(['-', '+']).unwrap_or(t);
    if body.is_empty() || !body.bytes().all(|b| b.is_ascii_digit()) {
        return Err(UnitError::NotANumber(quote(text)));
    }
    let range = || UnitError::OutOfRange {
        value: quote(text),
        min: min.to_string(),
        max: max.to_string(),
    };
    let v: i64 = t.parse().map_err(|_| range())?;
    if v < min || v > max {
        return Err(range());
    }
    Ok(v)
}

/// Parses a comma-separated list of whole numbers, each in `min..=max`. An error names the
/// position (1-based) of the bad item.
pub fn parse_int_list(text: &str, min: i64, max: i64) -> Result<Vec<i64>, (usize, UnitError)> {
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    text.split(',')
        .enumerate()
        .map(|(i, item)| parse_int(item, min, max).map_err(|e| (i + 1, e)))
        .collect()
}

/// Formats nanoseconds as milliseconds with no trailing zeros: 750000 -> "0.75 ms".
pub fn format_ms(ns: u64) -> String {
    format!("{} ms", ms_string(ns))
}

/// Nanoseconds as a millisecond number without unit or trailing zeros: 1999999 -> "1.999999".
pub fn ms_string(ns: u64) -> String {
    let whole = ns / 1_000_000;
    let frac = ns % 1_000_000;
    if frac == 0 {
        whole.to_string()
    } else {
        let f = format!("{frac:06}");
        format!("{whole}.{}", f.trim_end_matches('0'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_ms_accepts_plain_decimals() {
        assert_eq!(parse_ms("6", u64::MAX), Ok(6_000_000));
        assert_eq!(parse_ms(" 0.75 ", u64::MAX), Ok(750_000));
        assert_eq!(parse_ms(".5", u64::MAX), Ok(500_000));
        assert_eq!(parse_ms("3.", u64::MAX), Ok(3_000_000));
        assert_eq!(parse_ms("0.000001", u64::MAX), Ok(1));
        assert_eq!(parse_ms("1.0000000", u64::MAX), Ok(1_000_000));
        assert_eq!(parse_ms("+2", u64::MAX), Ok(2_000_000));
    }

    #[test]
    fn parse_ms_refuses_junk() {
        assert_eq!(parse_ms("", 10), Err(UnitError::Empty));
        assert_eq!(parse_ms("-1", 10), Err(UnitError::Negative));
        assert!(matches!(parse_ms("abc", 10), Err(UnitError::NotANumber(_))));
        assert!(matches!(parse_ms(".", 10), Err(UnitError::NotANumber(_))));
        assert!(matches!(parse_ms("1e3", 10), Err(UnitError::NotANumber(_))));
        assert!(matches!(parse_ms("NaN", 10), Err(UnitError::NotANumber(_))));
        assert!(matches!(
            parse_ms("0.0000001", 10),
            Err(UnitError::TooPrecise(_))
        ));
        assert!(matches!(
            parse_ms("99999999999999999999999", 10),
            Err(UnitError::OutOfRange { .. })
        ));
        assert!(matches!(
            parse_ms("11", 10_000_000),
            Err(UnitError::OutOfRange { .. })
        ));
        let long = "9".repeat(100_000);
        assert!(matches!(
            parse_ms(&long, 10),
            Err(UnitError::OutOfRange { .. })
        ));
    }

    #[test]
    fn parse_int_and_lists() {
        assert_eq!(parse_int("-20", -20, 19), Ok(-20));
        assert!(parse_int("20", -20, 19).is_err());
        assert!(parse_int("1000000000000000000000", 0, 10).is_err());
        assert!(parse_int("- 1", -5, 5).is_err());
        assert!(parse_int("٣", 0, 10).is_err());
        assert_eq!(parse_int_list("0, 5,-3", -20, 19), Ok(vec![0, 5, -3]));
        assert_eq!(parse_int_list("", -20, 19), Ok(vec![]));
        assert_eq!(parse_int_list("1,,2", -20, 19).map_err(|e| e.0), Err(2));
    }

    #[test]
    fn formats_ms() {
        assert_eq!(format_ms(750_000), "0.75 ms");
        assert_eq!(format_ms(6_000_000), "6 ms");
        assert_eq!(ms_string(1_999_999), "1.999999");
        assert_eq!(quote(&"x".repeat(100)).chars().count(), 25);
    }
}
