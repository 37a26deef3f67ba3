//! One revision of the file: its byte span, cross-reference section and trailer.

use std::collections::BTreeMap;

use crate::object::{Dictionary, Span};
use crate::xref_entry::XrefEntry;
use crate::xref_section::XrefKind;

/// One revision (the original file or one incremental update), oldest first.
///
/// Revision `i` spans `[end of revision i-1, end_i)`, where `end_i` is just after the
/// `%%EOF` (and its optional EOL) that follows the revision's cross-reference section.
/// The first revision starts at 0 and the last one ends at the end of the file.
#[derive(Debug, Clone)]
pub struct Revision {
    pub(crate) index: usize,
    pub(crate) span: Span,
    pub(crate) eof_end: usize,
    pub(crate) xref_offset: usize,
    pub(crate) xref_kind: XrefKind,
    pub(crate) startxref: usize,
    pub(crate) trailer: Dictionary,
    pub(crate) entries: BTreeMap<u32, XrefEntry>,
}

impl Revision {
    /// Just after this revision's `%%EOF` marker, before its optional EOL (`span().end` minus that EOL).
    pub fn eof_end(&self) -> usize {
        self.eof_end
    }

    /// Position in [`crate::Document::revisions`] (0 = original file).
    pub fn index(&self) -> usize {
        self.index
    }

    /// The bytes this revision consists of.
    pub fn span(&self) -> Span {
        self.span
    }

    /// Offset of this revision's cross-reference section (table or stream object).
    pub fn xref_offset(&self) -> usize {
        self.xref_offset
    }

    /// Whether the section is a table or a stream.
    pub fn xref_kind(&self) -> XrefKind {
        self.xref_kind
    }

    /// The value after this revision's `startxref` (equal to [`Revision::xref_offset`]).
    pub fn startxref(&self) -> usize {
        self.startxref
    }

    /// The trailer dictionary (for xref streams: the stream dictionary).
    pub fn trailer(&self) -> &Dictionary {
        &self.trailer
    }

    /// This section's entries by object number (only the entries it lists).
    pub fn entries(&self) -> &BTreeMap<u32, XrefEntry> {
        &self.entries
    }

    /// The entry for one object number, if this section lists it.
    pub fn entry(&self, number: u32) -> Option<XrefEntry> {
        self.entries.get(&number).copied()
    }
}
