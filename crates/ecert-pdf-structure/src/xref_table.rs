//! Classic cross-reference tables (ISO 32000-1 §7.5.4).

use std::collections::BTreeMap;

use crate::budget::Budget;
use crate::cursor::Cursor;
use crate::error::{Result, StructureError};
use crate::object::Object;
use crate::object_parser::parse_direct_object;
use crate::trailer::reject_unsupported_trailer;
use crate::xref_entry::XrefEntry;
use crate::xref_section::{EntryAllowance, XrefKind, XrefSection, insert_entry};

/// Every table entry is exactly this long, EOL included.
const ENTRY_LEN: usize = 20;

/// Parses `xref`, its subsections and the `trailer` dictionary at `offset`.
///
/// Subsection headers are `start SP count` then optional spaces and an EOL.
/// Entries are `oooooooooo SP ggggg SP (n|f)` followed by one of the three legal
/// two-byte EOLs (SP CR, SP LF, CR LF). Object 0 may not be in use.
pub(crate) fn parse_xref_table(
    bytes: &[u8],
    offset: usize,
    allowance: &mut EntryAllowance,
    budget: &Budget,
) -> Result<XrefSection> {
    let bad = |at: usize| StructureError::BadXrefTable { offset: at };
    let mut cur = Cursor::new(bytes, offset);
    if !cur.eat(b"xref") || cur.skip_whitespace() == 0 {
        return Err(bad(offset));
    }
    let mut entries = BTreeMap::new();
    // Each iteration consumes a subsection header, so this is bounded by the input.
    loop {
        cur.skip_whitespace();
        if cur.starts_with(b"trailer") {
            break;
        }
        let header_at = cur.pos();
        let start = cur.read_unsigned(10).and_then(|v| u32::try_from(v).ok()).ok_or_else(|| bad(header_at))?;
        if !cur.eat(b" ") {
            return Err(bad(header_at));
        }
        let count = cur.read_usize().ok_or_else(|| bad(header_at))?;
        while cur.eat(b" ") {}
        if !cur.eat_eol() {
            return Err(bad(header_at));
        }
        // Budget and size checks before touching the entries.
        allowance.take(count)?;
        let needed = count.checked_mul(ENTRY_LEN).ok_or_else(|| bad(header_at))?;
        if cur.rest().len() < needed {
            return Err(bad(header_at));
        }
        for i in 0..count {
            let entry_at = cur.pos();
            let raw = cur.rest().get(..ENTRY_LEN).ok_or_else(|| bad(entry_at))?;
            let entry = parse_entry(raw).ok_or(StructureError::BadXrefEntry { offset: entry_at })?;
            let number = u32::try_from(i)
                .ok()
                .and_then(|i| start.checked_add(i))
                .ok_or(StructureError::BadXrefEntry { offset: entry_at })?;
            if number == 0 && matches!(entry, XrefEntry::InUse { .. }) {
                return Err(StructureError::BadXrefEntry { offset: entry_at });
            }
            insert_entry(&mut entries, number, entry)?;
            cur.advance(ENTRY_LEN);
        }
    }
    cur.eat(b"trailer");
    let (trailer, span) = parse_direct_object(bytes, cur.pos(), budget.depth_limit())?;
    let Object::Dictionary(trailer) = trailer else {
        return Err(StructureError::BadTrailer { offset });
    };
    reject_unsupported_trailer(&trailer)?;
    Ok(XrefSection { kind: XrefKind::Table, offset, entries, trailer, end: span.end, stream_object: None })
}

/// Decodes one 20-byte entry.
fn parse_entry(raw: &[u8]) -> Option<XrefEntry> {
    let [o0, o1, o2, o3, o4, o5, o6, o7, o8, o9, b' ', g0, g1, g2, g3, g4, b' ', kind, e0, e1] = *raw else {
        return None;
    };
    let field = decimal(&[o0, o1, o2, o3, o4, o5, o6, o7, o8, o9])?;
    let generation = u16::try_from(decimal(&[g0, g1, g2, g3, g4])?).ok()?;
    if !matches!([e0, e1], [b' ', b'\r'] | [b' ', b'\n'] | [b'\r', b'\n']) {
        return None;
    }
    match kind {
        b'n' => Some(XrefEntry::InUse { offset: usize::try_from(field).ok()?, generation }),
        b'f' => Some(XrefEntry::Free { next: u32::try_from(field).ok()?, generation }),
        _ => None,
    }
}

/// Fixed-width decimal field: all digits.
fn decimal(digits: &[u8]) -> Option<u64> {
    digits.iter().try_fold(0u64, |acc, &d| {
        if !d.is_ascii_digit() {
            return None;
        }
        acc.checked_mul(10)?.checked_add(u64::from(d.wrapping_sub(b'0')))
    })
}
