//! Typed errors with stable machine-readable codes.

use core::fmt;

use crate::object::ObjectId;

/// Everything that can make [`crate::walk`] or a [`crate::Document`] query fail.
///
/// The walker fails closed: anything it cannot verify exactly is one of these.
/// Each variant has a stable code ([`StructureError::code`]) meant for machines
/// and logs, and a short English description ([`StructureError::description`]).
/// Offsets are byte offsets into the input file.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum StructureError {
    /// The input is larger than [`crate::Budget::max_file_size`].
    FileTooLarge {
        /// Input size in bytes.
        size: usize,
        /// The configured limit.
        limit: usize,
    },
    /// The file does not start with `%PDF-1.x` or `%PDF-2.0` followed by an end of line.
    BadHeader,
    /// No `%%EOF` marker in the last 1 KiB of the file.
    MissingEof,
    /// Bytes after the last `%%EOF` and its end of line.
    TrailingData {
        /// First unexpected byte.
        offset: usize,
    },
    /// The `startxref` / offset / `%%EOF` block is malformed or not where it must be.
    BadStartxref {
        /// Where the problem was seen.
        offset: usize,
    },
    /// An offset (startxref, /Prev) points outside the file.
    OffsetOutOfRange {
        /// The offending offset value.
        offset: usize,
    },
    /// A classic cross-reference table is malformed.
    BadXrefTable {
        /// Where the problem was seen.
        offset: usize,
    },
    /// A cross-reference entry is malformed or has an illegal value.
    BadXrefEntry {
        /// Where the problem was seen (section offset for xref streams).
        offset: usize,
    },
    /// The same object number appears twice in one cross-reference section.
    DuplicateXrefEntry {
        /// The object number.
        object: u32,
    },
    /// A cross-reference stream is malformed (dictionary, /W, /Index, decoded size).
    BadXrefStream {
        /// Offset of the xref stream object.
        offset: usize,
    },
    /// A cross-reference stream /W entry or row width exceeds the allowed width.
    XrefStreamWidth {
        /// Offset of the xref stream object.
        offset: usize,
    },
    /// A trailer dictionary is missing a required entry or has one of the wrong type.
    BadTrailer {
        /// Offset of the cross-reference section owning the trailer.
        offset: usize,
    },
    /// /Size is missing, too small for the entries, or smaller than an earlier revision's.
    BadSize {
        /// Offset of the cross-reference section.
        offset: usize,
    },
    /// A trailer has /Encrypt: encrypted documents are not accepted.
    Encrypted,
    /// A trailer has /XRefStm (hybrid-reference file): not accepted.
    HybridXref,
    /// A cross-reference stream has a type-2 entry (object in an object stream): not supported.
    UnsupportedObjectStream {
        /// The object number stored in an object stream.
        object: u32,
    },
    /// A /Prev offset was already visited.
    PrevLoop {
        /// The repeated offset.
        offset: usize,
    },
    /// A /Prev offset is not strictly less than the offset of the section holding it.
    PrevNotDecreasing {
        /// The /Prev value.
        offset: usize,
    },
    /// More revisions than [`crate::Budget::max_revisions`].
    TooManyRevisions {
        /// The configured limit.
        limit: usize,
    },
    /// A revision's cross-reference section starts before the previous revision ends.
    RevisionOverlap {
        /// Offset of the cross-reference section.
        offset: usize,
    },
    /// An in-use entry points outside the byte span of its own revision.
    EntryOutsideRevision {
        /// The object number.
        object: u32,
        /// The entry's offset.
        offset: usize,
    },
    /// Two in-use entries of one revision share an offset.
    DuplicateOffset {
        /// The shared offset.
        offset: usize,
    },
    /// The bytes at an entry's offset are not exactly `N G obj` for that entry.
    ObjectHeaderMismatch {
        /// The entry's offset.
        offset: usize,
        /// Object the entry announced.
        expected: ObjectId,
    },
    /// Two objects of one revision (or an object and the xref section) overlap.
    OverlappingObjects {
        /// Start of the later of the overlapping items.
        offset: usize,
    },
    /// An `N G obj` header inside a revision that its cross-reference section does not list.
    UnreferencedObject {
        /// Offset of the header.
        offset: usize,
    },
    /// Bytes inside a revision that are neither a listed object, its xref section,
    /// whitespace nor a comment.
    StrayData {
        /// First such byte.
        offset: usize,
    },
    /// PDF syntax error while parsing an object.
    Syntax {
        /// Where the problem was seen.
        offset: usize,
    },
    /// Arrays/dictionaries nested deeper than [`crate::Budget::max_depth`].
    DepthExceeded {
        /// Where the limit was hit.
        offset: usize,
    },
    /// A dictionary has the same key twice.
    DuplicateKey {
        /// Offset of the repeated key.
        offset: usize,
    },
    /// A stream's /Length is missing, not a direct non-negative integer, runs past the end,
    /// or is not followed by `endstream`.
    BadStreamLength {
        /// Offset of the stream's object header.
        offset: usize,
    },
    /// /Size or the number of cross-reference entries exceeds [`crate::Budget::max_objects`].
    ObjectBudget {
        /// The configured limit.
        limit: usize,
    },
    /// Decoding would exceed [`crate::Budget::max_decompressed`].
    DecompressionBudget {
        /// The configured limit.
        limit: usize,
    },
    /// Corrupt Flate data (bad zlib header, bad checksum, truncated, or junk after the end).
    FlateError,
    /// A stream filter other than FlateDecode, several filters, or an external stream.
    UnsupportedFilter,
    /// A predictor other than none/PNG, or bad predictor parameters.
    UnsupportedPredictor,
    /// Predicted data whose length or row tags are inconsistent.
    PredictorError,
    /// No in-use object with that id as of the requested revision.
    ObjectNotFound {
        /// The requested object.
        id: ObjectId,
    },
    /// Reference chain too long while resolving.
    ReferenceChain {
        /// The object where resolution stopped.
        id: ObjectId,
    },
    /// The revision index does not exist.
    NoSuchRevision {
        /// The requested index.
        index: usize,
    },
    /// /Root does not resolve to a dictionary with /Type /Catalog.
    BadCatalog {
        /// Revision whose trailer /Root is bad.
        revision: usize,
    },
    /// /ByteRange is not four non-negative direct integers starting with 0 and in order.
    BadByteRange,
    /// The /ByteRange gap is not exactly the /Contents hex string.
    ByteRangeGap,
    /// The /ByteRange does not end exactly at the end of the signature's revision.
    ByteRangeEnd,
}

impl StructureError {
    /// Stable machine-readable code, e.g. `"TRAILING_DATA"`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::FileTooLarge { .. } => "FILE_TOO_LARGE",
            Self::BadHeader => "BAD_HEADER",
            Self::MissingEof => "MISSING_EOF",
            Self::TrailingData { .. } => "TRAILING_DATA",
            Self::BadStartxref { .. } => "BAD_STARTXREF",
            Self::OffsetOutOfRange { .. } => "OFFSET_OUT_OF_RANGE",
            Self::BadXrefTable { .. } => "BAD_XREF_TABLE",
            Self::BadXrefEntry { .. } => "BAD_XREF_ENTRY",
            Self::DuplicateXrefEntry { .. } => "DUPLICATE_XREF_ENTRY",
            Self::BadXrefStream { .. } => "BAD_XREF_STREAM",
            Self::XrefStreamWidth { .. } => "XREF_STREAM_WIDTH",
            Self::BadTrailer { .. } => "BAD_TRAILER",
            Self::BadSize { .. } => "BAD_SIZE",
            Self::Encrypted => "ENCRYPTED",
            Self::HybridXref => "HYBRID_XREF",
            Self::UnsupportedObjectStream { .. } => "UNSUPPORTED_OBJECT_STREAM",
            Self::PrevLoop { .. } => "PREV_LOOP",
            Self::PrevNotDecreasing { .. } => "PREV_NOT_DECREASING",
            Self::TooManyRevisions { .. } => "TOO_MANY_REVISIONS",
            Self::RevisionOverlap { .. } => "REVISION_OVERLAP",
            Self::EntryOutsideRevision { .. } => "ENTRY_OUTSIDE_REVISION",
            Self::DuplicateOffset { .. } => "DUPLICATE_OFFSET",
            Self::ObjectHeaderMismatch { .. } => "OBJECT_HEADER_MISMATCH",
            Self::OverlappingObjects { .. } => "OVERLAPPING_OBJECTS",
            Self::UnreferencedObject { .. } => "UNREFERENCED_OBJECT",
            Self::StrayData { .. } => "STRAY_DATA",
            Self::Syntax { .. } => "SYNTAX",
            Self::DepthExceeded { .. } => "DEPTH_EXCEEDED",
            Self::DuplicateKey { .. } => "DUPLICATE_KEY",
            Self::BadStreamLength { .. } => "BAD_STREAM_LENGTH",
            Self::ObjectBudget { .. } => "OBJECT_BUDGET",
            Self::DecompressionBudget { .. } => "DECOMPRESSION_BUDGET",
            Self::FlateError => "FLATE_ERROR",
            Self::UnsupportedFilter => "UNSUPPORTED_FILTER",
            Self::UnsupportedPredictor => "UNSUPPORTED_PREDICTOR",
            Self::PredictorError => "PREDICTOR_ERROR",
            Self::ObjectNotFound { .. } => "OBJECT_NOT_FOUND",
            Self::ReferenceChain { .. } => "REFERENCE_CHAIN",
            Self::NoSuchRevision { .. } => "NO_SUCH_REVISION",
            Self::BadCatalog { .. } => "BAD_CATALOG",
            Self::BadByteRange => "BAD_BYTE_RANGE",
            Self::ByteRangeGap => "BYTE_RANGE_GAP",
            Self::ByteRangeEnd => "BYTE_RANGE_END",
        }
    }

    /// Short English description of the error kind.
    pub fn description(&self) -> &'static str {
        match self {
            Self::FileTooLarge { .. } => "file larger than the size budget",
            Self::BadHeader => "missing or malformed %PDF-x.y header",
            Self::MissingEof => "no %%EOF marker in the last 1 KiB",
            Self::TrailingData { .. } => "bytes after the final %%EOF",
            Self::BadStartxref { .. } => "malformed or misplaced startxref block",
            Self::OffsetOutOfRange { .. } => "offset outside the file",
            Self::BadXrefTable { .. } => "malformed cross-reference table",
            Self::BadXrefEntry { .. } => "malformed cross-reference entry",
            Self::DuplicateXrefEntry { .. } => "object listed twice in one xref section",
            Self::BadXrefStream { .. } => "malformed cross-reference stream",
            Self::XrefStreamWidth { .. } => "xref stream /W too wide",
            Self::BadTrailer { .. } => "trailer missing a required entry or of wrong type",
            Self::BadSize { .. } => "bad trailer /Size",
            Self::Encrypted => "encrypted document",
            Self::HybridXref => "hybrid-reference file (/XRefStm)",
            Self::UnsupportedObjectStream { .. } => "objects in object streams are not supported",
            Self::PrevLoop { .. } => "/Prev chain loops",
            Self::PrevNotDecreasing { .. } => "/Prev not strictly before its section",
            Self::TooManyRevisions { .. } => "more revisions than the budget allows",
            Self::RevisionOverlap { .. } => "revision starts before the previous one ends",
            Self::EntryOutsideRevision { .. } => "xref entry points outside its revision",
            Self::DuplicateOffset { .. } => "two xref entries share an offset",
            Self::ObjectHeaderMismatch { .. } => "object header does not match xref entry",
            Self::OverlappingObjects { .. } => "objects overlap",
            Self::UnreferencedObject { .. } => "object not listed in its revision's xref",
            Self::StrayData { .. } => "unexpected bytes inside a revision",
            Self::Syntax { .. } => "PDF syntax error",
            Self::DepthExceeded { .. } => "nesting deeper than the budget allows",
            Self::DuplicateKey { .. } => "duplicate dictionary key",
            Self::BadStreamLength { .. } => "bad stream /Length or missing endstream",
            Self::ObjectBudget { .. } => "more objects than the budget allows",
            Self::DecompressionBudget { .. } => "decompressed data over budget",
            Self::FlateError => "corrupt Flate data",
            Self::UnsupportedFilter => "unsupported stream filter",
            Self::UnsupportedPredictor => "unsupported predictor",
            Self::PredictorError => "inconsistent predicted data",
            Self::ObjectNotFound { .. } => "object not found",
            Self::ReferenceChain { .. } => "reference chain too long",
            Self::NoSuchRevision { .. } => "no such revision",
            Self::BadCatalog { .. } => "/Root is not a catalog dictionary",
            Self::BadByteRange => "malformed /ByteRange",
            Self::ByteRangeGap => "/ByteRange gap is not exactly /Contents",
            Self::ByteRangeEnd => "/ByteRange does not end at its revision's end",
        }
    }

    /// The file offset the error refers to, when it has one.
    pub fn offset(&self) -> Option<usize> {
        match *self {
            Self::TrailingData { offset }
            | Self::BadStartxref { offset }
            | Self::OffsetOutOfRange { offset }
            | Self::BadXrefTable { offset }
            | Self::BadXrefEntry { offset }
            | Self::BadXrefStream { offset }
            | Self::XrefStreamWidth { offset }
            | Self::BadTrailer { offset }
            | Self::BadSize { offset }
            | Self::PrevLoop { offset }
            | Self::PrevNotDecreasing { offset }
            | Self::RevisionOverlap { offset }
            | Self::EntryOutsideRevision { offset, .. }
            | Self::DuplicateOffset { offset }
            | Self::ObjectHeaderMismatch { offset, .. }
            | Self::OverlappingObjects { offset }
            | Self::UnreferencedObject { offset }
            | Self::StrayData { offset }
            | Self::Syntax { offset }
            | Self::DepthExceeded { offset }
            | Self::DuplicateKey { offset }
            | Self::BadStreamLength { offset } => Some(offset),
            _ => None,
        }
    }
}

impl fmt::Display for StructureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code(), self.description())?;
        if let Some(offset) = self.offset() {
            write!(f, " (offset {offset})")?;
        }
        Ok(())
    }
}

impl std::error::Error for StructureError {}

/// Result alias used throughout the crate.
pub type Result<T> = core::result::Result<T, StructureError>;
