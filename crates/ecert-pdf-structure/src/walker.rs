//! The strict walk: header, final `startxref`, /Prev chain, revisions, objects.

use std::collections::{BTreeMap, BTreeSet};

use crate::budget::Budget;
use crate::coverage::check_coverage;
use crate::cursor::Cursor;
use crate::document::Document;
use crate::error::{Result, StructureError};
use crate::file_header::parse_file_header;
use crate::indirect_object::parse_indirect_body;
use crate::meter::DecompressMeter;
use crate::object::{IndirectObject, Span};
use crate::object_header::parse_object_header;
use crate::revision::Revision;
use crate::startxref::{StartxrefBlock, locate_final_startxref, parse_startxref_block};
use crate::trailer::{TrailerInfo, check_trailer};
use crate::xref_entry::XrefEntry;
use crate::xref_section::{EntryAllowance, XrefSection, parse_xref_section};

/// One link of the /Prev chain before revisions are laid out.
struct ChainLink {
    section: XrefSection,
    block: StartxrefBlock,
    info: TrailerInfo,
}

/// Walks `bytes` strictly and returns the verified structure.
///
/// Nothing is repaired. In order: size budget; `%PDF-1.x`/`%PDF-2.0` header; the final
/// `%%EOF` (in the last 1 KiB, at most one EOL after it) and its `startxref`; the chain
/// of cross-reference sections via /Prev (each /Prev strictly below the section that
/// names it, no revisits, at most `max_revisions`); each section followed directly by
/// its own `startxref` block naming it; revisions laid out back to back; per revision,
/// every in-use entry inside the revision, unique offsets, an exact `N G obj` header at
/// each offset, a parseable object, no overlaps, no unaccounted bytes; trailer /Size
/// never shrinking and covering all entries; /Root resolving to a catalog in every
/// revision.
pub fn walk(bytes: &[u8], budget: &Budget) -> Result<Document> {
    if bytes.len() > budget.max_file_size {
        return Err(StructureError::FileTooLarge { size: bytes.len(), limit: budget.max_file_size });
    }
    let version = parse_file_header(bytes)?;
    let final_block = locate_final_startxref(bytes)?;
    let meter = DecompressMeter::new(budget.max_decompressed);
    let chain = walk_chain(bytes, final_block, budget, &meter)?;
    let (revisions, objects) = lay_out_revisions(bytes, chain, budget)?;
    let document = Document::new(version, bytes.len(), revisions, objects, budget.clone(), meter);
    for index in 0..document.revisions().len() {
        document.catalog(index)?;
    }
    Ok(document)
}

/// Follows startxref and /Prev from the newest section; returns links newest first.
fn walk_chain(
    bytes: &[u8],
    final_block: StartxrefBlock,
    budget: &Budget,
    meter: &DecompressMeter,
) -> Result<Vec<ChainLink>> {
    let mut allowance = EntryAllowance { remaining: budget.max_objects, limit: budget.max_objects };
    let mut chain: Vec<ChainLink> = Vec::new();
    let mut seen: Vec<usize> = Vec::new();
    let mut next = final_block.value;
    // Bounded by max_revisions.
    loop {
        if chain.len() >= budget.max_revisions {
            return Err(StructureError::TooManyRevisions { limit: budget.max_revisions });
        }
        if next >= bytes.len() {
            return Err(StructureError::OffsetOutOfRange { offset: next });
        }
        seen.push(next);
        let section = parse_xref_section(bytes, next, &mut allowance, budget, meter)?;
        let mut cur = Cursor::new(bytes, section.end);
        cur.skip_whitespace();
        let block = parse_startxref_block(bytes, cur.pos())?;
        if block.value != next {
            return Err(StructureError::BadStartxref { offset: block.keyword_at });
        }
        if chain.is_empty() && block.keyword_at != final_block.keyword_at {
            // The newest section is not the one closing the file.
            return Err(StructureError::StrayData { offset: block.end });
        }
        let info = check_trailer(&section.trailer, next, budget)?;
        let prev = info.prev;
        chain.push(ChainLink { section, block, info });
        match prev {
            None => return Ok(chain),
            Some(p) if seen.contains(&p) => return Err(StructureError::PrevLoop { offset: p }),
            Some(p) if p >= next => return Err(StructureError::PrevNotDecreasing { offset: p }),
            Some(p) => next = p,
        }
    }
}

type RevisionObjects = BTreeMap<u32, IndirectObject>;

/// Turns the chain (newest first) into revisions (oldest first) and parses and checks
/// every object each revision lists.
fn lay_out_revisions(
    bytes: &[u8],
    mut chain: Vec<ChainLink>,
    budget: &Budget,
) -> Result<(Vec<Revision>, Vec<RevisionObjects>)> {
    chain.reverse();
    let mut revisions = Vec::with_capacity(chain.len());
    let mut objects = Vec::with_capacity(chain.len());
    let mut start: usize = 0;
    let mut last_size: usize = 0;
    for (index, link) in chain.into_iter().enumerate() {
        let ChainLink { section, block, info } = link;
        if section.offset < start {
            return Err(StructureError::RevisionOverlap { offset: section.offset });
        }
        let highest = section.entries.keys().next_back().copied();
        let beyond_size = highest.is_some_and(|n| usize::try_from(n).map_or(true, |n| n >= info.size));
        if info.size < last_size || beyond_size {
            return Err(StructureError::BadSize { offset: section.offset });
        }
        last_size = info.size;
        let span = Span::new(start, block.end);
        start = block.end;
        let revision_objects = parse_revision_objects(bytes, index, span, &section, budget)?;
        revisions.push(Revision {
            index,
            span,
            eof_end: block.eof_end,
            xref_offset: section.offset,
            xref_kind: section.kind,
            startxref: block.value,
            trailer: section.trailer,
            entries: section.entries,
        });
        objects.push(revision_objects);
    }
    if start != bytes.len() {
        return Err(StructureError::TrailingData { offset: start });
    }
    Ok((revisions, objects))
}

/// Parses every in-use object of one revision and checks placement and coverage.
fn parse_revision_objects(
    bytes: &[u8],
    index: usize,
    span: Span,
    section: &XrefSection,
    budget: &Budget,
) -> Result<RevisionObjects> {
    // Objects may not read past their revision.
    let limited = bytes.get(..span.end).ok_or(StructureError::OffsetOutOfRange { offset: span.end })?;
    let mut offsets = BTreeSet::new();
    let mut covered = vec![Span::new(section.offset, span.end)];
    let mut parsed = BTreeMap::new();
    for (&number, entry) in &section.entries {
        let XrefEntry::InUse { offset, generation } = *entry else {
            continue;
        };
        let id = (number, generation);
        if !span.contains(offset) {
            return Err(StructureError::EntryOutsideRevision { object: number, offset });
        }
        if !offsets.insert(offset) {
            return Err(StructureError::DuplicateOffset { offset });
        }
        if let Some(xref_object) = section.stream_object.as_ref().filter(|_| offset == section.offset) {
            // The xref stream listing itself: already parsed, covered by the section.
            if xref_object.id != id {
                return Err(StructureError::ObjectHeaderMismatch { offset, expected: id });
            }
            parsed.insert(number, IndirectObject { revision: index, ..xref_object.clone() });
            continue;
        }
        let header = parse_object_header(limited, offset);
        let Some((found, body_at)) = header.filter(|(found, _)| *found == id) else {
            return Err(StructureError::ObjectHeaderMismatch { offset, expected: id });
        };
        let (object, end) = parse_indirect_body(limited, offset, body_at, budget.depth_limit())?;
        covered.push(Span::new(offset, end));
        parsed.insert(number, IndirectObject { id: found, object, span: Span::new(offset, end), revision: index });
    }
    check_coverage(bytes, span, &mut covered)?;
    Ok(parsed)
}
