//! Signature /ByteRange checks against raw file offsets.

use crate::error::{Result, StructureError};
use crate::object::{Dictionary, Object, Span, StringFormat};
use crate::revision::Revision;

/// The two signed ranges of a signature and the excluded /Contents token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SignedRanges {
    /// `[0, b)`: from the start of the file to the `<` of /Contents.
    pub first: Span,
    /// `[c, c+d)`: from just after the `>` of /Contents to the end of the revision.
    pub second: Span,
    /// `[b, c)`: the /Contents hex string token, `<` through `>`.
    pub contents: Span,
}

/// The absolute byte span of `key`'s value in a parsed dictionary (for a string: its
/// delimiters included).
pub fn locate_value_span(dict: &Dictionary, key: &[u8]) -> Option<Span> {
    dict.value_span(key)
}

/// Checks a signature dictionary's /ByteRange against the revision that contains it.
///
/// Requires: /ByteRange is a direct array of exactly four direct non-negative integers
/// `[a b c d]` with `a == 0` and `a + b <= c` (`BAD_BYTE_RANGE`); the gap `[b, c)` is
/// exactly the direct hexadecimal /Contents string token of this dictionary and lies
/// inside `revision` (`BYTE_RANGE_GAP`); `c + d` is the end of `revision`
/// or just after its `%%EOF` marker, before the marker's optional EOL (`BYTE_RANGE_END`): writers that sign
/// a file without a final EOL and later append an update separate it with one. Pass the dictionary as parsed from `revision` so its spans are
/// that revision's bytes.
pub fn check_byte_range(sig_dict: &Dictionary, revision: &Revision) -> Result<SignedRanges> {
    let Some(Object::Array(items)) = sig_dict.get(b"ByteRange") else {
        return Err(StructureError::BadByteRange);
    };
    let mut values = [0usize; 4];
    if items.len() != values.len() {
        return Err(StructureError::BadByteRange);
    }
    for (slot, item) in values.iter_mut().zip(items) {
        let v = item.as_integer().ok_or(StructureError::BadByteRange)?;
        *slot = usize::try_from(v).map_err(|_| StructureError::BadByteRange)?;
    }
    let [a, b, c, d] = values;
    let first_end = a.checked_add(b).ok_or(StructureError::BadByteRange)?;
    if a != 0 || first_end > c {
        return Err(StructureError::BadByteRange);
    }
    let entry = sig_dict.get_entry(b"Contents").ok_or(StructureError::ByteRangeGap)?;
    let is_hex = matches!(&entry.value, Object::String(s) if s.format == StringFormat::Hexadecimal);
    let gap = Span::new(b, c);
    if !is_hex || entry.span != gap || b < revision.span().start || c > revision.span().end {
        return Err(StructureError::ByteRangeGap);
    }
    let end = c.checked_add(d).ok_or(StructureError::BadByteRange)?;
    if end != revision.span().end && end != revision.eof_end() {
        return Err(StructureError::ByteRangeEnd);
    }
    Ok(SignedRanges { first: Span::new(0, b), second: Span::new(c, end), contents: gap })
}
