//! Cross-reference streams (ISO 32000-1 §7.5.8).
//!
//! All sizes implied by /Size, /W and /Index are checked against the budget before
//! anything is inflated or allocated; the stream must inflate to exactly the implied
//! size. Type-2 entries (objects inside object streams) are rejected: the ecert issuer
//! never writes object streams, and supporting them would widen the attack surface.

use std::collections::BTreeMap;

use crate::budget::Budget;
use crate::error::{Result, StructureError};
use crate::flate::{InflateError, inflate_zlib};
use crate::indirect_object::parse_indirect_body;
use crate::meter::DecompressMeter;
use crate::object::{Dictionary, IndirectObject, Object, Span};
use crate::object_header::parse_object_header;
use crate::predictor::unpredict_png;
use crate::stream_decode::{Predictor, decoding_of};
use crate::trailer::{read_size, reject_unsupported_trailer};
use crate::xref_entry::XrefEntry;
use crate::xref_section::{EntryAllowance, XrefKind, XrefSection, insert_entry};

/// Largest accepted width of each /W field: type, field 2, field 3.
const MAX_FIELD_WIDTH: [usize; 3] = [4, 8, 4];

/// Parses the xref stream object whose header starts at `offset`.
pub(crate) fn parse_xref_stream(
    bytes: &[u8],
    offset: usize,
    allowance: &mut EntryAllowance,
    budget: &Budget,
    meter: &DecompressMeter,
) -> Result<XrefSection> {
    let bad = StructureError::BadXrefStream { offset };
    let (id, body_at) = parse_object_header(bytes, offset).ok_or_else(|| bad.clone())?;
    let (object, end) = parse_indirect_body(bytes, offset, body_at, budget.depth_limit())?;
    let Object::Stream(stream) = object else {
        return Err(bad);
    };
    let dict = &stream.dict;
    reject_unsupported_trailer(dict)?;
    if dict.type_name() != Some(b"XRef".as_slice()) {
        return Err(bad);
    }
    let size = read_size(dict, offset, budget)?;
    let widths = read_widths(dict, offset, budget)?;
    let [w_type, w_field2, w_field3] = widths;
    let row = w_type.saturating_add(w_field2).saturating_add(w_field3);
    let subsections = read_index(dict, size, offset)?;
    let total = subsections
        .iter()
        .try_fold(0usize, |acc, &(_, count)| acc.checked_add(count))
        .ok_or(StructureError::ObjectBudget { limit: budget.max_objects })?;
    allowance.take(total)?;

    let decoding = decoding_of(dict)?;
    let png = match decoding.predictor {
        Predictor::None => None,
        Predictor::Png(p) if p.row_bytes == row && p.pixel_bytes == 1 => Some(p),
        Predictor::Png(_) => return Err(bad),
    };
    let stride = if png.is_some() { row.saturating_add(1) } else { row };
    let expected = total.checked_mul(stride).ok_or(StructureError::ObjectBudget { limit: budget.max_objects })?;
    let data = if decoding.flate {
        if expected > meter.remaining() {
            return Err(StructureError::DecompressionBudget { limit: meter.limit() });
        }
        let data = inflate_zlib(&stream.raw, expected).map_err(|e| match e {
            InflateError::TooLarge => bad.clone(),
            InflateError::Corrupt => StructureError::FlateError,
        })?;
        meter.charge(data.len())?;
        data
    } else {
        stream.raw.clone()
    };
    if data.len() != expected {
        return Err(bad);
    }
    let data = match png {
        Some(p) => unpredict_png(&data, p)?,
        None => data,
    };

    let mut entries = BTreeMap::new();
    let mut rows = data.chunks_exact(row.max(1));
    for (start, count) in subsections {
        for i in 0..count {
            let raw = rows.next().ok_or_else(|| bad.clone())?;
            let number = u32::try_from(i).ok().and_then(|i| start.checked_add(i)).ok_or_else(|| bad.clone())?;
            let entry = decode_row(raw, widths, number, offset)?;
            insert_entry(&mut entries, number, entry)?;
        }
    }
    let trailer = stream.dict.clone();
    let stream_object =
        IndirectObject { id, object: Object::Stream(stream), span: Span::new(offset, end), revision: 0 };
    Ok(XrefSection { kind: XrefKind::Stream, offset, entries, trailer, end, stream_object: Some(stream_object) })
}

/// /W: three direct non-negative integers within [`MAX_FIELD_WIDTH`], summing to at
/// most `budget.max_xref_stream_width`, with a non-empty field 2.
fn read_widths(dict: &Dictionary, offset: usize, budget: &Budget) -> Result<[usize; 3]> {
    let bad = StructureError::BadXrefStream { offset };
    let too_wide = StructureError::XrefStreamWidth { offset };
    let Some(Object::Array(items)) = dict.get(b"W") else {
        return Err(bad);
    };
    let [a, b, c] = items.as_slice() else {
        return Err(bad);
    };
    let mut widths = [0usize; 3];
    for ((slot, item), cap) in widths.iter_mut().zip([a, b, c]).zip(MAX_FIELD_WIDTH) {
        let w = item.as_integer().ok_or_else(|| bad.clone())?;
        let w = usize::try_from(w).map_err(|_| bad.clone())?;
        if w > cap {
            return Err(too_wide);
        }
        *slot = w;
    }
    let [w0, w1, w2] = widths;
    let sum = w0.saturating_add(w1).saturating_add(w2);
    if sum > budget.max_xref_stream_width {
        return Err(too_wide);
    }
    if w1 == 0 {
        return Err(bad);
    }
    Ok(widths)
}

/// /Index: pairs (first object, count), default `[0 Size]`; every run within /Size.
fn read_index(dict: &Dictionary, size: usize, offset: usize) -> Result<Vec<(u32, usize)>> {
    let bad = StructureError::BadXrefStream { offset };
    let Some(index) = dict.get(b"Index") else {
        let _ = u32::try_from(size).map_err(|_| bad.clone())?;
        return Ok(vec![(0, size)]);
    };
    let Object::Array(items) = index else {
        return Err(bad);
    };
    if items.is_empty() || items.len() % 2 != 0 {
        return Err(bad);
    }
    let mut runs = Vec::with_capacity(items.len() / 2);
    for pair in items.chunks_exact(2) {
        let [first, count] = pair else {
            return Err(bad);
        };
        let first = first.as_integer().and_then(|v| usize::try_from(v).ok()).ok_or_else(|| bad.clone())?;
        let count = count.as_integer().and_then(|v| usize::try_from(v).ok()).ok_or_else(|| bad.clone())?;
        let end = first.checked_add(count).ok_or_else(|| bad.clone())?;
        if end > size {
            return Err(StructureError::BadSize { offset });
        }
        let first = u32::try_from(first).map_err(|_| bad.clone())?;
        runs.push((first, count));
    }
    Ok(runs)
}

/// Big-endian unsigned field.
fn field(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0u64, |acc, &b| (acc << 8) | u64::from(b))
}

/// One row: type (default 1 when /W[0] is 0), then two fields.
fn decode_row(raw: &[u8], widths: [usize; 3], number: u32, offset: usize) -> Result<XrefEntry> {
    let bad = StructureError::BadXrefEntry { offset };
    let [w0, w1, _] = widths;
    let (type_bytes, rest) = raw.split_at_checked(w0).ok_or_else(|| bad.clone())?;
    let (f2_bytes, f3_bytes) = rest.split_at_checked(w1).ok_or_else(|| bad.clone())?;
    let kind = if w0 == 0 { 1 } else { field(type_bytes) };
    let f2 = field(f2_bytes);
    let f3 = field(f3_bytes);
    let generation = u16::try_from(f3).map_err(|_| bad.clone())?;
    match kind {
        0 => Ok(XrefEntry::Free { next: u32::try_from(f2).map_err(|_| bad.clone())?, generation }),
        1 if number != 0 => Ok(XrefEntry::InUse { offset: usize::try_from(f2).map_err(|_| bad.clone())?, generation }),
        2 => Err(StructureError::UnsupportedObjectStream { object: number }),
        _ => Err(bad),
    }
}
