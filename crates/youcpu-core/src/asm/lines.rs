//! Assembling a listing: one instruction a line, each placed right after the previous one,
//! as `youcpu asm` and the widgets do.

use super::encode::{assemble, Assembled};
use super::error::AsmError;
use super::Bitness;
use serde::Serialize;

/// At most this many lines are assembled by [`assemble_lines`]; the rest are refused.
pub const MAX_LINES: usize = 100_000;

/// One line of a listing and what became of it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Line {
    /// The line as given (without its line break).
    pub source: String,
    /// The address of its first byte.
    pub ip: u64,
    /// The bytes and how they were chosen, or why the line was refused. A blank or
    /// comment-only line is `Ok` with no bytes, as in GAS.
    #[serde(serialize_with = "result_as_text")]
    pub result: Result<Assembled, AsmError>,
}

fn result_as_text<S: serde::Serializer>(
    r: &Result<Assembled, AsmError>,
    s: S,
) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut m = s.serialize_map(Some(1))?;
    match r {
        Ok(a) => m.serialize_entry("ok", a)?,
        Err(e) => m.serialize_entry("error", &e.to_string())?,
    }
    m.end()
}

/// Assembles `source` line by line from `ip` (a refused line takes no bytes). Lines past
/// [`MAX_LINES`] are refused with an error each, so the result always has one entry a line.
pub fn assemble_lines(source: &str, bits: Bitness, ip: u64) -> Vec<Line> {
    let mut at = ip & bits.max_ip();
    source
        .lines()
        .enumerate()
        .map(|(n, text)| {
            let result = if n >= MAX_LINES {
                Err(AsmError::Syntax(format!("more than {MAX_LINES} lines")))
            } else {
                match assemble(text, bits, at) {
                    Err(AsmError::Empty) => Ok(Assembled {
                        bytes: Vec::new(),
                        chosen: None,
                        considered: Vec::new(),
                        why: "no instruction on this line".into(),
                    }),
                    r => r,
                }
            };
            let line = Line {
                source: text.to_string(),
                ip: at,
                result,
            };
            if let Ok(a) = &line.result {
                at = at.wrapping_add(a.bytes.len() as u64) & bits.max_ip();
            }
            line
        })
        .collect()
}
