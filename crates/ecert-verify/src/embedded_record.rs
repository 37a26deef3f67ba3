//! Reads the machine-readable certificate record (`ecert-record.json`) from the certified revision's
//! /Names /EmbeddedFiles — never from text on the page, never from a later revision.

use ecert_format::record::RECORD_FILE_NAME;
use ecert_format::{CertificateRecord, Registry};
use ecert_pdf_structure::{Document, Object};

use crate::signature_field::resolve_dict;

/// Why the record could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordReadError {
    /// No embedded file named `ecert-record.json`.
    Missing,
    /// The embedded file's stream could not be decoded (code of the structure error).
    Undecodable(&'static str),
    /// Not a valid `ecert.record/1` record.
    Invalid(String),
}

impl RecordReadError {
    /// Stable code.
    pub fn code(&self) -> &'static str {
        match self {
            RecordReadError::Missing => "RECORD_MISSING",
            RecordReadError::Undecodable(_) => "RECORD_UNDECODABLE",
            RecordReadError::Invalid(_) => "RECORD_INVALID",
        }
    }

    /// English detail.
    pub fn detail(&self) -> String {
        match self {
            RecordReadError::Missing => format!("no embedded file {RECORD_FILE_NAME:?} in the signed revision"),
            RecordReadError::Undecodable(code) => format!("the embedded record stream does not decode ({code})"),
            RecordReadError::Invalid(e) => e.clone(),
        }
    }
}

/// Largest flat name array walked (pairs).
const MAX_NAMES: usize = 64;

/// Read and validate the record embedded in revision `rev`; with it, its exact bytes (which the copy's status id
/// digests).
pub fn read(doc: &Document, rev: usize, registry: &Registry) -> Result<(CertificateRecord, Vec<u8>), RecordReadError> {
    let catalog = doc.catalog(rev).map_err(|_| RecordReadError::Missing)?;
    let names = resolve_dict(doc, rev, catalog.get(b"Names")).ok_or(RecordReadError::Missing)?;
    let tree = resolve_dict(doc, rev, names.get(b"EmbeddedFiles")).ok_or(RecordReadError::Missing)?;
    // format v1 writes a flat name tree: /Names [ (ecert-record.json) filespec ].
    let pairs = match tree.get(b"Names").map(|n| doc.resolve(rev, n)) {
        Some(Ok(Object::Array(items))) => items,
        _ => return Err(RecordReadError::Missing),
    };
    let mut filespec = None;
    for pair in pairs.chunks(2).take(MAX_NAMES) {
        if let [Object::String(name), spec] = pair
            && name.bytes == RECORD_FILE_NAME.as_bytes()
        {
            if filespec.is_some() {
                return Err(RecordReadError::Invalid("two embedded records".into()));
            }
            filespec = Some(spec);
        }
    }
    let spec = resolve_dict(doc, rev, filespec).ok_or(RecordReadError::Missing)?;
    let ef = resolve_dict(doc, rev, spec.get(b"EF")).ok_or(RecordReadError::Missing)?;
    let stream = match ef.get(b"F").map(|f| doc.resolve(rev, f)) {
        Some(Ok(Object::Stream(s))) => s,
        _ => return Err(RecordReadError::Missing),
    };
    let bytes = doc.decode_stream(stream).map_err(|e| RecordReadError::Undecodable(e.code()))?;
    let record = CertificateRecord::from_json(&bytes, registry).map_err(|e| RecordReadError::Invalid(e.to_string()))?;
    Ok((record, bytes))
}
