//! Checks that every byte of a revision is accounted for.
//!
//! Inside a revision, bytes not belonging to a listed object or to the cross-reference
//! section (through `%%EOF`) may only be whitespace or comments. An `N G obj` header
//! there is an object the revision's xref does not list (e.g. appended without an xref
//! of its own); anything else is stray data. A `%%EOF` comment there is stray data too
//! (it would split revisions differently for other readers), and so is a comment that
//! is not closed by an end of line before the next object. Stream data and strings of
//! listed objects are not scanned: their contents are data, not structure.

use crate::cursor::Cursor;
use crate::error::{Result, StructureError};
use crate::object::Span;
use crate::object_header::looks_like_object_header;

/// Checks that `gap` holds only whitespace and comments.
pub(crate) fn check_gap(bytes: &[u8], gap: Span) -> Result<()> {
    let limited = bytes.get(..gap.end).ok_or(StructureError::StrayData { offset: gap.start })?;
    let mut cur = Cursor::new(limited, gap.start);
    // Each iteration consumes at least one byte or returns.
    loop {
        cur.skip_whitespace();
        let at = cur.pos();
        match cur.peek() {
            None => return Ok(()),
            Some(b'%') => {
                if cur.starts_with(b"%%EOF") {
                    return Err(StructureError::StrayData { offset: at });
                }
                cur.skip_comment();
                // A comment must end inside the gap: otherwise the next structure
                // would start on a comment line, which lenient readers would skip.
                if cur.at_end() {
                    return Err(StructureError::StrayData { offset: at });
                }
            }
            Some(_) => {
                return Err(if looks_like_object_header(limited, at) {
                    StructureError::UnreferencedObject { offset: at }
                } else {
                    StructureError::StrayData { offset: at }
                });
            }
        }
    }
}

/// Sorts `spans`, checks that they neither overlap each other nor leave `within`, and
/// checks every gap between them (including before the first and after the last).
pub(crate) fn check_coverage(bytes: &[u8], within: Span, spans: &mut [Span]) -> Result<()> {
    spans.sort_unstable();
    let mut covered_to = within.start;
    for span in spans.iter() {
        if span.start < covered_to {
            return Err(StructureError::OverlappingObjects { offset: span.start });
        }
        check_gap(bytes, Span::new(covered_to, span.start))?;
        covered_to = span.end;
    }
    if covered_to > within.end {
        return Err(StructureError::OverlappingObjects { offset: within.end });
    }
    check_gap(bytes, Span::new(covered_to, within.end))
}
