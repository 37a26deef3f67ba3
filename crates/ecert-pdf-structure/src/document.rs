//! The verified structure and the per-revision resolved view.

use std::collections::BTreeMap;

use crate::budget::Budget;
use crate::error::{Result, StructureError};
use crate::file_header::PdfVersion;
use crate::meter::DecompressMeter;
use crate::object::{Dictionary, IndirectObject, Object, ObjectId, Stream};
use crate::revision::Revision;
use crate::stream_decode::decode_stream_data;
use crate::xref_entry::XrefEntry;

/// How an object number stands as of one revision.
#[derive(Debug, Clone, Copy)]
pub(crate) enum ObjectState<'a> {
    /// Never listed up to that revision.
    Absent,
    /// Latest entry is free.
    Free,
    /// Latest entry is in use.
    InUse(&'a IndirectObject),
}

/// A PDF file whose structure [`crate::walk`] has verified.
///
/// Owns copies of every parsed object; the input bytes are not retained.
#[derive(Debug)]
pub struct Document {
    version: PdfVersion,
    file_len: usize,
    revisions: Vec<Revision>,
    objects: Vec<BTreeMap<u32, IndirectObject>>,
    budget: Budget,
    meter: DecompressMeter,
}

impl Document {
    pub(crate) fn new(
        version: PdfVersion,
        file_len: usize,
        revisions: Vec<Revision>,
        objects: Vec<BTreeMap<u32, IndirectObject>>,
        budget: Budget,
        meter: DecompressMeter,
    ) -> Self {
        Self { version, file_len, revisions, objects, budget, meter }
    }

    /// The version from the `%PDF-` header.
    pub fn version(&self) -> PdfVersion {
        self.version
    }

    /// Length of the walked input.
    pub fn file_len(&self) -> usize {
        self.file_len
    }

    /// Revisions, oldest first. Never empty.
    pub fn revisions(&self) -> &[Revision] {
        &self.revisions
    }

    /// One revision.
    pub fn revision(&self, index: usize) -> Result<&Revision> {
        self.revisions.get(index).ok_or(StructureError::NoSuchRevision { index })
    }

    /// Index of the newest revision.
    pub fn last_revision(&self) -> usize {
        self.revisions.len().saturating_sub(1)
    }

    /// The trailer of revision `rev`.
    pub fn trailer(&self, rev: usize) -> Result<&Dictionary> {
        Ok(self.revision(rev)?.trailer())
    }

    /// State of object number `number` as of revision `rev`: the newest entry for it in
    /// revisions `rev, rev-1, ..., 0`.
    pub(crate) fn state(&self, rev: usize, number: u32) -> Result<ObjectState<'_>> {
        self.revision(rev)?;
        for r in (0..=rev).rev() {
            let entry = self.revisions.get(r).and_then(|revision| revision.entry(number));
            match entry {
                None => continue,
                Some(XrefEntry::Free { .. }) => return Ok(ObjectState::Free),
                Some(XrefEntry::InUse { .. }) => {
                    return self
                        .objects
                        .get(r)
                        .and_then(|m| m.get(&number))
                        .map(ObjectState::InUse)
                        .ok_or(StructureError::ObjectNotFound { id: (number, 0) });
                }
            }
        }
        Ok(ObjectState::Absent)
    }

    /// The indirect object `id` as of revision `rev` (resolved through that revision's
    /// xref, then earlier ones). A free entry, a different generation or no entry is
    /// `OBJECT_NOT_FOUND`.
    pub fn indirect_object(&self, rev: usize, id: ObjectId) -> Result<&IndirectObject> {
        match self.state(rev, id.0)? {
            ObjectState::InUse(object) if object.id == id => Ok(object),
            _ => Err(StructureError::ObjectNotFound { id }),
        }
    }

    /// The body of object `id` as of revision `rev`.
    pub fn object(&self, rev: usize, id: ObjectId) -> Result<&Object> {
        Ok(&self.indirect_object(rev, id)?.object)
    }

    /// Follows references from `object` (at most `max_depth` hops) as of revision `rev`.
    pub fn resolve<'a>(&'a self, rev: usize, object: &'a Object) -> Result<&'a Object> {
        let mut current = object;
        for _ in 0..=self.budget.depth_limit() {
            match current {
                Object::Reference(id) => current = self.object(rev, *id)?,
                other => return Ok(other),
            }
        }
        let id = current.as_reference().unwrap_or((0, 0));
        Err(StructureError::ReferenceChain { id })
    }

    /// The dictionary (or stream dictionary) `id` as of revision `rev`.
    pub fn dictionary(&self, rev: usize, id: ObjectId) -> Result<&Dictionary> {
        self.object(rev, id)?.as_dict().ok_or(StructureError::ObjectNotFound { id })
    }

    /// The document catalog of revision `rev`: its trailer /Root, which must be a
    /// dictionary with /Type /Catalog.
    pub fn catalog(&self, rev: usize) -> Result<&Dictionary> {
        let bad = StructureError::BadCatalog { revision: rev };
        let root = self.trailer(rev)?.get(b"Root").and_then(Object::as_reference).ok_or_else(|| bad.clone())?;
        match self.object(rev, root) {
            Ok(Object::Dictionary(d)) if d.type_name() == Some(b"Catalog".as_slice()) => Ok(d),
            _ => Err(bad),
        }
    }

    /// Decodes a stream's data: no filter, or FlateDecode with an optional PNG
    /// predictor; anything else is `UNSUPPORTED_FILTER` / `UNSUPPORTED_PREDICTOR`.
    ///
    /// Inflated bytes count against [`Budget::max_decompressed`] for the lifetime of
    /// this document (xref streams included); inflation stops, and nothing beyond the
    /// remaining budget is allocated, when it would be exceeded
    /// (`DECOMPRESSION_BUDGET`). Unfiltered data is returned as is and not counted.
    pub fn decode_stream(&self, stream: &Stream) -> Result<Vec<u8>> {
        decode_stream_data(stream, &self.meter)
    }

    /// Bytes of the decompression budget still available.
    pub fn decompression_remaining(&self) -> usize {
        self.meter.remaining()
    }

    /// All objects defined (listed in-use) by revision `rev` itself.
    pub fn objects_in_revision(&self, rev: usize) -> Result<impl Iterator<Item = &IndirectObject>> {
        self.revision(rev)?;
        Ok(self.objects.get(rev).into_iter().flat_map(|m| m.values()))
    }
}
