//! A signed status snapshot (and delta) verified under the trust list: the offline answer to "was this copy
//! revoked?", and signed time that the time of check never goes below (docs/format.md, "Status snapshot").
//!
//! [`VerifiedStatus`] can only be built by verifying the files, so [`crate::verify_with`] can never be handed an
//! unverified snapshot.

use ecert_format::status_snapshot::{SnapshotError, SnapshotFile, SnapshotHeader, SnapshotKind};
use ecert_status_filter::StatusFilter;

use crate::trust::VerifiedTrustList;

/// One verified file.
#[derive(Debug)]
struct VerifiedFile {
    file: SnapshotFile,
    filter: StatusFilter,
}

/// A snapshot, optionally with the delta that extends it, both signed by a status signer of the trust list that
/// was in use when each was issued.
#[derive(Debug)]
pub struct VerifiedStatus {
    snapshot: VerifiedFile,
    delta: Option<VerifiedFile>,
}

/// What the snapshot says about one copy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SnapshotAnswer {
    /// The copy is revoked.
    Revoked,
    /// The copy is not revoked (exact for every copy the registry issued before the cover time).
    NotRevoked,
    /// The copy was sealed after the newest file's `covers_sealed_before`: the snapshot can't answer for it.
    NotCovered,
}

/// The signed facts a receipt keeps about the snapshot a verdict rests on.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SnapshotEvidence {
    /// The signed header, base64 (`ecert.status-snapshot/1` JSON, exactly as signed).
    pub header: String,
    /// The status signer's DER ECDSA signature over the header, base64.
    pub signature: String,
}

fn verify_file(trust: &VerifiedTrustList, bytes: &[u8]) -> Result<VerifiedFile, SnapshotError> {
    let file = SnapshotFile::parse(bytes)?;
    let (signer, spki) = trust.status_signer(&file.header.signer).ok_or(SnapshotError::UnknownSigner)?;
    file.verify_signature(spki, signer.use_from, signer.use_until)?;
    let filter = StatusFilter::from_bytes(&file.filter).map_err(|e| SnapshotError::Malformed(e.to_string()))?;
    Ok(VerifiedFile { file, filter })
}

impl VerifiedStatus {
    /// Verify a snapshot and, optionally, a delta on top of it, under `trust`. `min_sequence` is the newest
    /// sequence the caller already holds (0 if none): an older snapshot is refused (rollback).
    pub fn new(
        trust: &VerifiedTrustList,
        snapshot: &[u8],
        delta: Option<&[u8]>,
        min_sequence: u64,
    ) -> Result<VerifiedStatus, SnapshotError> {
        let snapshot = verify_file(trust, snapshot)?;
        if snapshot.file.header.kind != SnapshotKind::Snapshot {
            return Err(SnapshotError::DeltaMismatch);
        }
        let delta = delta.map(|d| verify_file(trust, d)).transpose()?;
        if let Some(d) = &delta {
            let (h, base) = (&d.file.header, &snapshot.file.header);
            if h.kind != SnapshotKind::Delta
                || h.base_sequence != base.sequence
                || h.issued_at < base.issued_at
                || h.covers_sealed_before < base.covers_sealed_before
            {
                return Err(SnapshotError::DeltaMismatch);
            }
        }
        let status = VerifiedStatus { snapshot, delta };
        if status.sequence() < min_sequence {
            return Err(SnapshotError::Rollback);
        }
        Ok(status)
    }

    /// The newest file's header (the delta's when there is one).
    pub fn newest(&self) -> &SnapshotHeader {
        &self.delta.as_ref().unwrap_or(&self.snapshot).file.header
    }

    /// The snapshot's header.
    pub fn snapshot_header(&self) -> &SnapshotHeader {
        &self.snapshot.file.header
    }

    /// The newest sequence held.
    pub fn sequence(&self) -> u64 {
        self.newest().sequence
    }

    /// The signed time of the newest file: the floor of the time of check.
    pub fn issued_at(&self) -> i64 {
        self.newest().issued_at
    }

    /// The newest file's signed header and signature, for receipts.
    pub fn evidence(&self) -> SnapshotEvidence {
        use base64::Engine as _;
        let b64 = base64::engine::general_purpose::STANDARD;
        let file = &self.delta.as_ref().unwrap_or(&self.snapshot).file;
        SnapshotEvidence { header: b64.encode(&file.header_bytes), signature: b64.encode(&file.signature) }
    }

    /// Whether the copy with status id `id`, sealed (time-stamped) at `sealed_at`, is revoked. A copy sealed
    /// before the snapshot's cover time: revoked if the snapshot or the delta says so. Sealed after it but
    /// before the delta's: the delta alone answers (the snapshot never saw it). Later: not covered.
    pub fn lookup(&self, id: &[u8; 32], sealed_at: i64) -> SnapshotAnswer {
        let answer = |revoked: bool| if revoked { SnapshotAnswer::Revoked } else { SnapshotAnswer::NotRevoked };
        let base = &self.snapshot;
        if sealed_at < base.file.header.covers_sealed_before {
            let in_delta = self.delta.as_ref().is_some_and(|d| d.filter.is_revoked(id));
            return answer(base.filter.is_revoked(id) || in_delta);
        }
        match &self.delta {
            Some(d) if sealed_at < d.file.header.covers_sealed_before => answer(d.filter.is_revoked(id)),
            _ => SnapshotAnswer::NotCovered,
        }
    }
}
