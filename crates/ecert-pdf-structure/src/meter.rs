//! Accounting of decoded bytes against [`crate::Budget::max_decompressed`].

use core::sync::atomic::{AtomicUsize, Ordering};

use crate::error::{Result, StructureError};

/// Counts bytes produced by Flate decoding for one document.
///
/// Instance state only (no globals); atomic so that a `Document` stays `Sync`.
#[derive(Debug)]
pub(crate) struct DecompressMeter {
    limit: usize,
    used: AtomicUsize,
}

impl DecompressMeter {
    pub(crate) fn new(limit: usize) -> Self {
        Self { limit, used: AtomicUsize::new(0) }
    }

    /// The configured total.
    pub(crate) fn limit(&self) -> usize {
        self.limit
    }

    /// Bytes that may still be produced.
    pub(crate) fn remaining(&self) -> usize {
        self.limit.saturating_sub(self.used.load(Ordering::SeqCst))
    }

    /// Records `n` produced bytes; fails if that would pass the limit.
    pub(crate) fn charge(&self, n: usize) -> Result<()> {
        self.used
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |used| {
                used.checked_add(n).filter(|&total| total <= self.limit)
            })
            .map(|_| ())
            .map_err(|_| StructureError::DecompressionBudget { limit: self.limit })
    }
}
