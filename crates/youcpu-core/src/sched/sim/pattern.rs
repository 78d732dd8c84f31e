//! The one syntax of a task's bursts, shared by `youcpu sched --jobs` and the scheduler
//! widget: CPU bursts and I/O waits alternate, starting and ending with CPU, separated by
//! spaces or colons. A wait may be marked `io` for the reader (`2 io3 2`), or left bare by its
//! place (`2:3:2`): both mean run 2, wait 3 for I/O, run 2. A CPU burst never carries `io`.

use super::workload::Burst;
use std::fmt;

/// Why a pattern was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PatternError {
    /// Nothing but separators.
    Empty,
    /// More bursts than allowed.
    TooMany {
        /// How many there were.
        count: usize,
        /// The most allowed.
        max: usize,
    },
    /// A time the caller's parser refused.
    Value {
        /// Its position, from 1.
        index: usize,
        /// The token as written.
        token: String,
        /// Why the parser refused it.
        why: String,
    },
    /// `ioN` where a CPU burst belongs (first, or right after a wait).
    IoInCpuPlace {
        /// Its position, from 1.
        index: usize,
    },
    /// The pattern ends with a wait.
    EndsWithIo,
}

impl fmt::Display for PatternError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PatternError::Empty => write!(f, "give the CPU time, e.g. 5, or a pattern like 2 io3 2"),
            PatternError::TooMany { count, max } => {
                write!(f, "{count} bursts is more than the {max} allowed")
            }
            PatternError::Value { index, token, why } => {
                write!(f, "burst {index} \"{}\": {why}", crate::units::quote(token))
            }
            PatternError::IoInCpuPlace { index } => write!(
                f,
                "burst {index} is an I/O wait where a CPU burst belongs: CPU bursts and I/O waits alternate, starting with CPU"
            ),
            PatternError::EndsWithIo => write!(f, "a task must end with a CPU burst, not an I/O wait"),
        }
    }
}

impl std::error::Error for PatternError {}

/// Parses a pattern of at most `max_bursts` bursts; `time` reads one number (without `io`)
/// and says why it refuses one.
pub fn parse_pattern<E: fmt::Display>(
    text: &str,
    max_bursts: usize,
    mut time: impl FnMut(&str) -> Result<u64, E>,
) -> Result<Vec<Burst>, PatternError> {
    let tokens: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || c == ':')
        .filter(|t| !t.is_empty())
        .collect();
    if tokens.is_empty() {
        return Err(PatternError::Empty);
    }
    if tokens.len() > max_bursts {
        return Err(PatternError::TooMany {
            count: tokens.len(),
            max: max_bursts,
        });
    }
    let mut out = Vec::with_capacity(tokens.len());
    for (i, token) in tokens.iter().enumerate() {
        let cpu_place = i % 2 == 0;
        let (marked_io, number) = match token.strip_prefix("io") {
            Some(rest) => (true, rest),
            None => (false, *token),
        };
        if marked_io && cpu_place {
            return Err(PatternError::IoInCpuPlace { index: i + 1 });
        }
        let v = time(number).map_err(|e| PatternError::Value {
            index: i + 1,
            token: (*token).to_string(),
            why: e.to_string(),
        })?;
        out.push(if cpu_place {
            Burst::Cpu(v)
        } else {
            Burst::Io(v)
        });
    }
    if matches!(out.last(), Some(Burst::Io(_))) {
        return Err(PatternError::EndsWithIo);
    }
    Ok(out)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::units::parse_int;

    fn ms(t: &str) -> Result<u64, crate::units::UnitError> {
        parse_int(t, 1, 10_000).map(|v| v as u64)
    }

    #[test]
    fn both_spellings_of_a_wait_mean_the_same() {
        let want = vec![Burst::Cpu(2), Burst::Io(3), Burst::Cpu(2)];
        for text in ["2 io3 2", "2:3:2", "2:io3:2", "  2  io3   2 ", "2 3 2"] {
            assert_eq!(parse_pattern(text, 16, ms).unwrap(), want, "{text:?}");
        }
        assert_eq!(parse_pattern("5", 16, ms).unwrap(), vec![Burst::Cpu(5)]);
    }

    #[test]
    fn bad_patterns_say_why() {
        assert_eq!(parse_pattern(" : ", 16, ms), Err(PatternError::Empty));
        assert_eq!(
            parse_pattern("io3 2", 16, ms),
            Err(PatternError::IoInCpuPlace { index: 1 })
        );
        assert_eq!(
            parse_pattern("2 3 io2", 16, ms),
            Err(PatternError::IoInCpuPlace { index: 3 })
        );
        assert_eq!(
            parse_pattern("2 io3", 16, ms),
            Err(PatternError::EndsWithIo)
        );
        assert_eq!(parse_pattern("2 3", 16, ms), Err(PatternError::EndsWithIo));
        assert!(matches!(
            parse_pattern("2 io0 2", 16, ms),
            Err(PatternError::Value { index: 2, .. })
        ));
        assert!(matches!(
            parse_pattern("x", 16, ms),
            Err(PatternError::Value { index: 1, .. })
        ));
        assert_eq!(
            parse_pattern(&"1 ".repeat(17), 16, ms),
            Err(PatternError::TooMany { count: 17, max: 16 })
        );
        let msg = parse_pattern("2 io0 2", 16, ms).unwrap_err().to_string();
        assert!(msg.starts_with("burst 2 \"io0\""), "{msg}");
    }
}
