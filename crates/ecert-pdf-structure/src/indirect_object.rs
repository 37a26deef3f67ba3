//! Parsing one indirect object body (`... endobj`, with an optional stream).

use crate::cursor::Cursor;
use crate::error::{Result, StructureError};
use crate::object::{Object, Span, Stream};
use crate::object_parser::parse_direct_object;

/// Parses the body after an `N G obj` header that starts at `header_at`.
///
/// `body_at` is the position just after `obj`. Streams need a direct, non-negative
/// integer /Length, `stream` followed by CRLF or LF, exactly /Length data bytes,
/// an optional EOL, `endstream`; then `endobj`. Returns the object and the position
/// just after `endobj`.
pub(crate) fn parse_indirect_body(
    bytes: &[u8],
    header_at: usize,
    body_at: usize,
    max_depth: usize,
) -> Result<(Object, usize)> {
    let (object, span) = parse_direct_object(bytes, body_at, max_depth)?;
    let mut cur = Cursor::new(bytes, span.end);
    cur.skip_ws_and_comments();
    let object = if cur.eat_keyword(b"stream") {
        let Object::Dictionary(dict) = object else {
            return Err(StructureError::Syntax { offset: span.start });
        };
        if !(cur.eat(b"\r\n") || cur.eat(b"\n")) {
            return Err(StructureError::Syntax { offset: cur.pos() });
        }
        let bad_length = StructureError::BadStreamLength { offset: header_at };
        let length =
            dict.get_integer(b"Length").and_then(|l| usize::try_from(l).ok()).ok_or_else(|| bad_length.clone())?;
        let data_start = cur.pos();
        let data_end = data_start.checked_add(length).ok_or_else(|| bad_length.clone())?;
        let raw = bytes.get(data_start..data_end).ok_or_else(|| bad_length.clone())?.to_vec();
        cur.set_pos(data_end);
        cur.eat_eol();
        if !cur.eat_keyword(b"endstream") {
            return Err(bad_length);
        }
        cur.skip_ws_and_comments();
        Object::Stream(Stream { dict, raw, data_span: Span::new(data_start, data_end) })
    } else {
        object
    };
    if !cur.eat_keyword(b"endobj") {
        return Err(StructureError::Syntax { offset: cur.pos() });
    }
    Ok((object, cur.pos()))
}
