//! Resource limits for walking one untrusted file.

/// Upper bounds that [`crate::walk`] and [`crate::Document`] enforce before doing work.
///
/// All limits are checked before the corresponding allocation happens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Budget {
    /// Largest accepted input, in bytes. Default 16 MiB.
    pub max_file_size: usize,
    /// Most revisions (cross-reference sections in the /Prev chain). Default 16.
    pub max_revisions: usize,
    /// Largest trailer /Size, and most cross-reference entries over all revisions.
    /// Default 10 000.
    pub max_objects: usize,
    /// Deepest nesting of arrays/dictionaries inside one object. Default 64.
    /// Values above [`Budget::HARD_MAX_DEPTH`] are treated as that.
    pub max_depth: usize,
    /// Total bytes produced by Flate decoding over the document's lifetime
    /// (xref streams during the walk plus every [`crate::Document::decode_stream`]).
    /// Default 8 MiB.
    pub max_decompressed: usize,
    /// Widest accepted cross-reference stream row (sum of /W), in bytes. Default 16.
    /// Each /W field is also capped individually at 4, 8 and 4 bytes.
    pub max_xref_stream_width: usize,
}

impl Budget {
    /// Ceiling on [`Budget::max_depth`] whatever the configuration says.
    pub const HARD_MAX_DEPTH: usize = 1024;

    /// The effective nesting limit.
    pub(crate) fn depth_limit(&self) -> usize {
        self.max_depth.min(Self::HARD_MAX_DEPTH)
    }
}

impl Default for Budget {
    fn default() -> Self {
        Self {
            max_file_size: 16 * 1024 * 1024,
            max_revisions: 16,
            max_objects: 10_000,
            max_depth: 64,
            max_decompressed: 8 * 1024 * 1024,
            max_xref_stream_width: 16,
        }
    }
}
