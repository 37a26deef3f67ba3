//! A parsed cross-reference section (table or stream) and the dispatch between the two.

use std::collections::BTreeMap;

use crate::budget::Budget;
use crate::error::{Result, StructureError};
use crate::meter::DecompressMeter;
use crate::object::{Dictionary, IndirectObject};
use crate::xref_entry::XrefEntry;
use crate::{xref_stream, xref_table};

/// Which form a revision's cross-reference section has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum XrefKind {
    /// Classic `xref` table followed by `trailer`.
    Table,
    /// Cross-reference stream (`/Type /XRef`).
    Stream,
}

/// One cross-reference section as found at a `startxref`/`/Prev` offset.
#[derive(Debug)]
pub(crate) struct XrefSection {
    pub(crate) kind: XrefKind,
    pub(crate) offset: usize,
    pub(crate) entries: BTreeMap<u32, XrefEntry>,
    pub(crate) trailer: Dictionary,
    /// Just after the trailer dictionary (table) or `endobj` (stream).
    pub(crate) end: usize,
    /// The xref stream object itself (streams only).
    pub(crate) stream_object: Option<IndirectObject>,
}

/// Entries still allowed over the whole file, shared by all sections.
pub(crate) struct EntryAllowance {
    pub(crate) remaining: usize,
    pub(crate) limit: usize,
}

impl EntryAllowance {
    /// Takes `count` entries from the allowance, before anything is allocated for them.
    pub(crate) fn take(&mut self, count: usize) -> Result<()> {
        match self.remaining.checked_sub(count) {
            Some(r) => {
                self.remaining = r;
                Ok(())
            }
            None => Err(StructureError::ObjectBudget { limit: self.limit }),
        }
    }
}

/// Parses the section at `offset`: `xref` starts a table, a digit an xref stream.
pub(crate) fn parse_xref_section(
    bytes: &[u8],
    offset: usize,
    allowance: &mut EntryAllowance,
    budget: &Budget,
    meter: &DecompressMeter,
) -> Result<XrefSection> {
    match bytes.get(offset) {
        Some(b'x') => xref_table::parse_xref_table(bytes, offset, allowance, budget),
        Some(b'0'..=b'9') => xref_stream::parse_xref_stream(bytes, offset, allowance, budget, meter),
        Some(_) => Err(StructureError::BadStartxref { offset }),
        None => Err(StructureError::OffsetOutOfRange { offset }),
    }
}

/// Inserts an entry, rejecting a second entry for the same object number.
pub(crate) fn insert_entry(entries: &mut BTreeMap<u32, XrefEntry>, number: u32, entry: XrefEntry) -> Result<()> {
    match entries.entry(number) {
        std::collections::btree_map::Entry::Occupied(_) => Err(StructureError::DuplicateXrefEntry { object: number }),
        std::collections::btree_map::Entry::Vacant(v) => {
            v.insert(entry);
            Ok(())
        }
    }
}
