//! Strict PDF structure walker for ecert certificate verification.
//!
//! [`walk`] checks the structure of an untrusted PDF byte string and returns a
//! [`Document`]: its revisions (original file plus incremental updates, oldest first),
//! each with byte span, cross-reference entries and trailer, and every object each
//! revision defines. Nothing is repaired: whatever is not exactly as expected is a
//! [`StructureError`] with a stable code.
//!
//! Properties:
//! - pure: no I/O, clock or global state; builds for `wasm32-unknown-unknown`;
//! - total: no panics on any input (no unwrap/indexing/unchecked arithmetic on input
//!   paths, enforced by lints), every loop bounded by the input or the [`Budget`],
//!   nesting handled on an explicit stack;
//! - budgeted: file size, revisions, objects, nesting and decompressed bytes are
//!   checked before the corresponding allocation.
//!
//! Not supported, rejected with a dedicated code: encryption (`ENCRYPTED`), hybrid
//! files with /XRefStm (`HYBRID_XREF`), objects in object streams
//! (`UNSUPPORTED_OBJECT_STREAM`: the ecert issuer never writes them), filters other
//! than FlateDecode (`UNSUPPORTED_FILTER`), indirect stream /Length
//! (`BAD_STREAM_LENGTH`), linearized files (their first-page section's /Prev points
//! forward: `PREV_NOT_DECREASING`).
//!
//! Objects are parsed by this crate's own strict parser (lopdf's parser is private and
//! repairs; its `Dictionary` silently merges duplicate keys and keeps no byte spans).

#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing,
        clippy::arithmetic_side_effects,
        clippy::unreachable,
        clippy::todo,
        clippy::unimplemented,
        clippy::cast_possible_truncation
    )
)]

mod budget;
mod byte_range;
mod changes;
mod chars;
mod coverage;
mod cursor;
mod document;
mod error;
mod file_header;
mod flate;
mod indirect_object;
mod meter;
mod object;
mod object_header;
mod object_parser;
mod predictor;
mod revision;
mod startxref;
mod stream_decode;
mod trailer;
mod walker;
mod xref_entry;
mod xref_section;
mod xref_stream;
mod xref_table;

pub use budget::Budget;
pub use byte_range::{SignedRanges, check_byte_range, locate_value_span};
pub use changes::{ChangeKind, ObjectChange, ObjectSummary};
pub use document::Document;
pub use error::{Result, StructureError};
pub use file_header::PdfVersion;
pub use object::{
    DictEntry, Dictionary, IndirectObject, Object, ObjectId, ObjectKind, PdfString, Span, Stream, StringFormat,
};
pub use revision::Revision;
pub use walker::walk;
pub use xref_entry::XrefEntry;
pub use xref_section::XrefKind;
