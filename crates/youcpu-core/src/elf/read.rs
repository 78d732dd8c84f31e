//! Bounds-checked access to the file's bytes.

use super::ElfError;

/// The `len` bytes at `offset`, or an [`ElfError::OutOfFile`] naming `what`.
pub(crate) fn slice(
    bytes: &[u8],
    offset: u64,
    len: u64,
    what: impl FnOnce() -> String,
) -> Result<&[u8], ElfError> {
    let size = bytes.len() as u64;
    let range = offset
        .checked_add(len)
        .filter(|&end| end <= size)
        .and_then(|end| Some(usize::try_from(offset).ok()?..usize::try_from(end).ok()?));
    match range.and_then(|r| bytes.get(r)) {
        Some(s) => Ok(s),
        None => Err(ElfError::OutOfFile {
            what: what(),
            offset,
            len,
            size,
        }),
    }
}

/// The NUL-terminated string at `offset` in `table`: `Ok(Some(bytes))` without the NUL,
/// `Ok(None)` if the offset is past the table, `Err(())` if no NUL ends it.
pub(crate) fn cstr_at(table: &[u8], offset: u64) -> Result<Option<&[u8]>, ()> {
    let Ok(start) = usize::try_from(offset) else {
        return Ok(None);
    };
    let Some(rest) = table.get(start..) else {
        return Ok(None);
    };
    if rest.is_empty() {
        return Ok(None);
    }
    match rest.iter().position(|&b| b == 0) {
        Some(n) => Ok(rest.get(..n)),
        None => Err(()),
    }
}

/// Text for a name: UTF-8 as is, other bytes replaced by U+FFFD.
pub(crate) fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}
