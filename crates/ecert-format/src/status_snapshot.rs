//! The signed status snapshot (`ecert.status-snapshot/1`): the registry's revoked / not-revoked answer for every
//! issued certificate copy, in one compact file a verifier checks offline (docs/format.md, "Status snapshot").
//!
//! Wire form (binary, so the filter is not inflated by base64):
//!
//! ```text
//! "ECSS" | version (1 byte, = 1) | header length (u32 BE) | header (JSON) | signature length (u16 BE)
//!        | signature (DER ECDSA P-256 / SHA-256 over the header bytes) | filter (the rest: ecert-status-filter)
//! ```
//!
//! The header is what is signed; it binds the filter by its SHA-256 and length. A *snapshot* covers every copy the
//! registry issued before `covers_sealed_before`; a *delta* extends the snapshot `base_sequence` and is
//! cumulative (every revocation since that snapshot, and every copy issued since), so a verifier holds at most
//! one snapshot and one delta. The header's `issued_at` is signed time: verifiers never judge a certificate at an
//! earlier time than the newest snapshot or delta they hold.

use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use crate::trust_list::hex;

/// Schema tag of the signed header.
pub const STATUS_SNAPSHOT_SCHEMA: &str = "ecert.status-snapshot/1";
/// The file's magic bytes.
pub const STATUS_SNAPSHOT_MAGIC: &[u8; 4] = b"ECSS";
/// The wire format version.
pub const STATUS_SNAPSHOT_VERSION: u8 = 1;
/// Largest header accepted, in bytes.
pub const MAX_HEADER_BYTES: usize = 4096;
/// Largest snapshot file accepted, in bytes (a national snapshot is ≈ 320 KiB).
pub const MAX_SNAPSHOT_BYTES: usize = 16 * 1024 * 1024;
/// The media type the edge serves it with.
pub const STATUS_SNAPSHOT_MEDIA_TYPE: &str = "application/vnd.ecert.status-snapshot";

/// A full snapshot or a delta on top of one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SnapshotKind {
    /// Every issued copy: revoked or not.
    Snapshot,
    /// Since the snapshot `base_sequence`: every copy revoked since, and every copy issued since.
    Delta,
}

/// The signed header.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SnapshotHeader {
    /// Always [`STATUS_SNAPSHOT_SCHEMA`].
    pub schema: String,
    pub kind: SnapshotKind,
    /// The status signer (`status_signers` of the trust list) whose key signed this header.
    pub signer: String,
    /// Increases with every publication, snapshot or delta.
    pub sequence: u64,
    /// A snapshot: its own sequence. A delta: the snapshot it extends.
    pub base_sequence: u64,
    /// When the registry was read (Unix seconds): the time floor of every verifier that holds this file.
    pub issued_at: i64,
    /// Every copy sealed (by its time-stamp) before this instant was registered when the registry was read, so
    /// the answer for it is exact. Not after `issued_at`.
    pub covers_sealed_before: i64,
    /// Copies the structure answers for (a delta: every copy; its filter holds the changes).
    pub copies: u64,
    /// Of which revoked (a delta: revoked since the base, plus revoked among the copies issued since).
    pub revoked: u64,
    /// Lowercase hex SHA-256 of the filter bytes.
    pub filter_sha256: String,
    /// Length of the filter bytes.
    pub filter_len: u64,
}

/// A parsed (not yet verified) snapshot file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SnapshotFile {
    pub header: SnapshotHeader,
    /// The header exactly as signed.
    pub header_bytes: Vec<u8>,
    /// DER ECDSA signature over `header_bytes`.
    pub signature: Vec<u8>,
    /// The filter (`ecert_status_filter::StatusFilter` encoding), bound by `header.filter_sha256`.
    pub filter: Vec<u8>,
}

/// Why a snapshot file was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SnapshotError {
    #[error("状态快照过大 / the status snapshot is too large")]
    TooLarge,
    #[error("状态快照格式无效：{0} / malformed status snapshot: {0}")]
    Malformed(String),
    #[error("状态快照格式版本不受支持 / unsupported status snapshot version")]
    Version,
    #[error("状态快照的签名者不在信任列表中 / the status snapshot's signer is not in the trust list")]
    UnknownSigner,
    #[error("状态快照签名者在签发时间不可用 / the status signer was not in use when the snapshot was issued")]
    SignerNotInUse,
    #[error("状态快照签名无效 / the status snapshot signature does not verify")]
    BadSignature,
    #[error("状态快照内容与签名不符 / the status snapshot's filter does not match its signed digest")]
    FilterMismatch,
    #[error("状态增量与快照不配套 / the status delta does not extend this snapshot")]
    DeltaMismatch,
    #[error("状态快照早于已持有的版本（回滚）/ the status snapshot is older than one already held (rollback)")]
    Rollback,
}

impl SnapshotError {
    /// Stable machine code.
    pub fn code(&self) -> &'static str {
        match self {
            SnapshotError::TooLarge => "STATUS_SNAPSHOT_TOO_LARGE",
            SnapshotError::Malformed(_) => "STATUS_SNAPSHOT_MALFORMED",
            SnapshotError::Version => "STATUS_SNAPSHOT_VERSION",
            SnapshotError::UnknownSigner => "STATUS_SIGNER_UNKNOWN",
            SnapshotError::SignerNotInUse => "STATUS_SIGNER_NOT_IN_USE",
            SnapshotError::BadSignature => "STATUS_SNAPSHOT_BAD_SIGNATURE",
            SnapshotError::FilterMismatch => "STATUS_SNAPSHOT_FILTER_MISMATCH",
            SnapshotError::DeltaMismatch => "STATUS_DELTA_MISMATCH",
            SnapshotError::Rollback => "STATUS_SNAPSHOT_ROLLBACK",
        }
    }
}

fn malformed(what: &str) -> SnapshotError {
    SnapshotError::Malformed(what.to_owned())
}

impl SnapshotHeader {
    /// Canonical JSON bytes (compact, fields in declaration order): what is signed.
    pub fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// Internal consistency: schema, sequences, times.
    pub fn check(&self) -> Result<(), SnapshotError> {
        if self.schema != STATUS_SNAPSHOT_SCHEMA {
            return Err(SnapshotError::Version);
        }
        let base_ok = match self.kind {
            SnapshotKind::Snapshot => self.base_sequence == self.sequence,
            SnapshotKind::Delta => self.base_sequence < self.sequence,
        };
        if !base_ok {
            return Err(malformed("base_sequence"));
        }
        if self.covers_sealed_before > self.issued_at {
            return Err(malformed("covers_sealed_before is after issued_at"));
        }
        if self.revoked > self.copies {
            return Err(malformed("more revoked than copies"));
        }
        Ok(())
    }
}

impl SnapshotFile {
    /// Assemble a file from its signed header, signature and filter.
    pub fn new(header: &SnapshotHeader, signature: Vec<u8>, filter: Vec<u8>) -> SnapshotFile {
        SnapshotFile { header: header.clone(), header_bytes: header.to_json(), signature, filter }
    }

    /// The header [`filter_sha256`](SnapshotHeader::filter_sha256) for these filter bytes.
    pub fn filter_digest(filter: &[u8]) -> String {
        hex(&Sha256::digest(filter))
    }

    /// The wire bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(11 + self.header_bytes.len() + self.signature.len() + self.filter.len());
        out.extend_from_slice(STATUS_SNAPSHOT_MAGIC);
        out.push(STATUS_SNAPSHOT_VERSION);
        out.extend_from_slice(&(self.header_bytes.len() as u32).to_be_bytes());
        out.extend_from_slice(&self.header_bytes);
        out.extend_from_slice(&(self.signature.len() as u16).to_be_bytes());
        out.extend_from_slice(&self.signature);
        out.extend_from_slice(&self.filter);
        out
    }

    /// Parse the wire bytes: framing, header shape and consistency, and the filter's digest. The signature is
    /// checked by the verifier against the trust list's status signers.
    pub fn parse(bytes: &[u8]) -> Result<SnapshotFile, SnapshotError> {
        if bytes.len() > MAX_SNAPSHOT_BYTES {
            return Err(SnapshotError::TooLarge);
        }
        let (magic, rest) = bytes.split_at_checked(4).ok_or_else(|| malformed("truncated"))?;
        if magic != STATUS_SNAPSHOT_MAGIC {
            return Err(malformed("not a status snapshot"));
        }
        let (&version, rest) = rest.split_first().ok_or_else(|| malformed("truncated"))?;
        if version != STATUS_SNAPSHOT_VERSION {
            return Err(SnapshotError::Version);
        }
        let (len, rest) = rest.split_at_checked(4).ok_or_else(|| malformed("truncated"))?;
        let header_len = u32::from_be_bytes(len.try_into().map_err(|_| malformed("truncated"))?) as usize;
        if header_len > MAX_HEADER_BYTES {
            return Err(malformed("header too large"));
        }
        let (header_bytes, rest) = rest.split_at_checked(header_len).ok_or_else(|| malformed("truncated"))?;
        let (len, rest) = rest.split_at_checked(2).ok_or_else(|| malformed("truncated"))?;
        let sig_len = u16::from_be_bytes(len.try_into().map_err(|_| malformed("truncated"))?) as usize;
        let (signature, filter) = rest.split_at_checked(sig_len).ok_or_else(|| malformed("truncated"))?;
        let header: SnapshotHeader =
            serde_json::from_slice(header_bytes).map_err(|e| SnapshotError::Malformed(e.to_string()))?;
        // One canonical encoding of the header: the bytes signed are exactly the struct's serialisation.
        if header.to_json() != header_bytes {
            return Err(malformed("header is not in canonical form"));
        }
        header.check()?;
        if header.filter_len != filter.len() as u64 || header.filter_sha256 != Self::filter_digest(filter) {
            return Err(SnapshotError::FilterMismatch);
        }
        Ok(SnapshotFile {
            header,
            header_bytes: header_bytes.to_vec(),
            signature: signature.to_vec(),
            filter: filter.to_vec(),
        })
    }

    /// Verify the header's signature with a status signer's public key (SPKI DER), and that the signer was in
    /// use at `issued_at` (`use_from` ≤ issued_at < `use_until`).
    pub fn verify_signature(&self, spki_der: &[u8], use_from: i64, use_until: i64) -> Result<(), SnapshotError> {
        if !(use_from..use_until).contains(&self.header.issued_at) {
            return Err(SnapshotError::SignerNotInUse);
        }
        verify_header_signature(&self.header_bytes, &self.signature, spki_der)
    }
}

/// Verify a detached header signature (the form a receipt keeps) with a status signer's key (SPKI DER).
pub fn verify_header_signature(header_bytes: &[u8], signature: &[u8], spki_der: &[u8]) -> Result<(), SnapshotError> {
    let key = ecert_pki::key::p256_verifying_key_from_spki(spki_der).map_err(|_| SnapshotError::UnknownSigner)?;
    ecert_pki::verify_p256_sha256_with_key(&key, header_bytes, signature).map_err(|_| SnapshotError::BadSignature)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(kind: SnapshotKind, filter: &[u8]) -> SnapshotHeader {
        SnapshotHeader {
            schema: STATUS_SNAPSHOT_SCHEMA.into(),
            kind,
            signer: "ecert-status".into(),
            sequence: 7,
            base_sequence: if kind == SnapshotKind::Snapshot { 7 } else { 5 },
            issued_at: 1_800_000_000,
            covers_sealed_before: 1_800_000_000,
            copies: 10,
            revoked: 1,
            filter_sha256: SnapshotFile::filter_digest(filter),
            filter_len: filter.len() as u64,
        }
    }

    #[test]
    fn round_trip_and_framing_errors() {
        let filter = b"ECSF-filter-bytes".to_vec();
        let file = SnapshotFile::new(&header(SnapshotKind::Snapshot, &filter), vec![0x30, 0x00], filter.clone());
        let bytes = file.to_bytes();
        assert_eq!(SnapshotFile::parse(&bytes).unwrap(), file);
        // Every truncation is an error, never a panic.
        for n in 0..bytes.len() {
            assert!(SnapshotFile::parse(&bytes[..n]).is_err(), "truncated to {n}");
        }
        // A changed filter byte no longer matches the signed digest.
        let mut tampered = bytes.clone();
        *tampered.last_mut().unwrap() ^= 1;
        assert_eq!(SnapshotFile::parse(&tampered), Err(SnapshotError::FilterMismatch));
        // Appended bytes are part of the filter, so they do not match either.
        let mut longer = bytes.clone();
        longer.push(0);
        assert_eq!(SnapshotFile::parse(&longer), Err(SnapshotError::FilterMismatch));
        let mut v2 = bytes.clone();
        v2[4] = 2;
        assert_eq!(SnapshotFile::parse(&v2), Err(SnapshotError::Version));
    }

    #[test]
    fn header_must_be_canonical_and_consistent() {
        let filter = b"f".to_vec();
        let h = header(SnapshotKind::Delta, &filter);
        let mut file = SnapshotFile::new(&h, vec![], filter.clone());
        assert!(SnapshotFile::parse(&file.to_bytes()).is_ok());
        // Same fields, other spelling (whitespace): refused, so one header has one signed form.
        let text = String::from_utf8(file.header_bytes.clone()).unwrap().replacen(',', ", ", 1);
        file.header_bytes = text.into_bytes();
        assert!(matches!(SnapshotFile::parse(&file.to_bytes()), Err(SnapshotError::Malformed(_))));
        for bad in [
            SnapshotHeader { base_sequence: 7, ..h.clone() },
            SnapshotHeader { kind: SnapshotKind::Snapshot, ..h.clone() },
            SnapshotHeader { covers_sealed_before: h.issued_at + 1, ..h.clone() },
            SnapshotHeader { revoked: 11, ..h.clone() },
        ] {
            assert!(bad.check().is_err(), "{bad:?}");
        }
        assert_eq!(
            SnapshotHeader { schema: "ecert.status-snapshot/2".into(), ..h }.check(),
            Err(SnapshotError::Version)
        );
    }
}
