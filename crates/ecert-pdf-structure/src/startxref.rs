//! The `startxref` / offset / `%%EOF` block that closes every revision.

use crate::chars::is_whitespace;
use crate::cursor::Cursor;
use crate::error::{Result, StructureError};

/// How far from the end of the file the final `%%EOF` is searched for.
pub(crate) const TAIL_WINDOW: usize = 1024;

/// A parsed `startxref` block.
#[derive(Debug, Clone, Copy)]
pub(crate) struct StartxrefBlock {
    /// Offset of the `startxref` keyword.
    pub(crate) keyword_at: usize,
    /// The offset value it announces.
    pub(crate) value: usize,
    /// Just after `%%EOF` and its optional single EOL: the end of the revision.
    pub(crate) end: usize,
    /// Just after `%%EOF`, before its EOL.
    pub(crate) eof_end: usize,
}

/// Parses `startxref` WS offset WS `%%EOF` [EOL] exactly at `pos`.
pub(crate) fn parse_startxref_block(bytes: &[u8], pos: usize) -> Result<StartxrefBlock> {
    let err = StructureError::BadStartxref { offset: pos };
    let mut cur = Cursor::new(bytes, pos);
    if !cur.eat(b"startxref") || cur.skip_whitespace() == 0 {
        return Err(err);
    }
    let value = cur.read_usize().ok_or_else(|| err.clone())?;
    if cur.skip_whitespace() == 0 || !cur.eat(b"%%EOF") {
        return Err(err);
    }
    let eof_end = cur.pos();
    cur.eat_eol();
    Ok(StartxrefBlock { keyword_at: pos, value, end: cur.pos(), eof_end })
}

/// Finds the file's final block: the last `%%EOF` within the last [`TAIL_WINDOW`]
/// bytes, followed by at most one EOL, preceded by its `startxref` line.
pub(crate) fn locate_final_startxref(bytes: &[u8]) -> Result<StartxrefBlock> {
    let window_start = bytes.len().saturating_sub(TAIL_WINDOW);
    let window = bytes.get(window_start..).unwrap_or(&[]);
    let eof_rel = rfind(window, b"%%EOF").ok_or(StructureError::MissingEof)?;
    let eof_at = window_start.saturating_add(eof_rel);
    let mut cur = Cursor::new(bytes, eof_at.saturating_add(5));
    cur.eat_eol();
    if !cur.at_end() {
        return Err(StructureError::TrailingData { offset: cur.pos() });
    }
    let before = window.get(..eof_rel).unwrap_or(&[]);
    let kw_rel = rfind(before, b"startxref").ok_or(StructureError::BadStartxref { offset: eof_at })?;
    let keyword_at = window_start.saturating_add(kw_rel);
    // The keyword must start a line (or at least follow whitespace).
    let preceded_ok = keyword_at.checked_sub(1).and_then(|p| bytes.get(p)).is_some_and(|&b| is_whitespace(b));
    if !preceded_ok {
        return Err(StructureError::BadStartxref { offset: keyword_at });
    }
    let block = parse_startxref_block(bytes, keyword_at)?;
    if block.end != bytes.len() {
        return Err(StructureError::BadStartxref { offset: keyword_at });
    }
    Ok(block)
}

/// Last occurrence of `needle` in `haystack`.
fn rfind(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return None;
    }
    haystack.windows(needle.len()).rposition(|w| w == needle)
}
