//! The `N G obj` header that must start exactly at an xref entry's offset.

use crate::cursor::Cursor;
use crate::object::ObjectId;

/// Parses `N G obj` starting exactly at `offset` (no leading whitespace), with single
/// spaces between the tokens and `obj` not followed by a regular character.
///
/// Returns the id and the position just after `obj`, or `None` if the bytes differ.
pub(crate) fn parse_object_header(bytes: &[u8], offset: usize) -> Option<(ObjectId, usize)> {
    let mut cur = Cursor::new(bytes, offset);
    let number = u32::try_from(cur.read_unsigned(10)?).ok()?;
    if !cur.eat(b" ") {
        return None;
    }
    let generation = u16::try_from(cur.read_unsigned(5)?).ok()?;
    if !cur.eat(b" ") || !cur.eat_keyword(b"obj") {
        return None;
    }
    Some(((number, generation), cur.pos()))
}

/// Loose check used when scanning uncovered bytes: digits, whitespace, digits,
/// whitespace, `obj`. Anything looking like an object header is reported as one.
pub(crate) fn looks_like_object_header(bytes: &[u8], offset: usize) -> bool {
    let mut cur = Cursor::new(bytes, offset);
    cur.read_unsigned(usize::MAX).is_some()
        && cur.skip_whitespace() > 0
        && cur.read_unsigned(usize::MAX).is_some()
        && cur.skip_whitespace() > 0
        && cur.starts_with(b"obj")
}
