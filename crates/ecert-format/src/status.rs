//! Certificate status (有效 / 已撤销) as the registry publishes it, and as a verifier receives it.
//!
//! Every certificate *copy* — the base certificate and each 加注 copy — has its own status id: the SHA-256 of the
//! exact record bytes it seals ([`copy_status_id`]). The registry knows the id of every copy it issued; revoking a
//! certificate revokes all of its copies. Since the id is a digest of the whole record (holder's name, ID number,
//! dates, annotation), knowing a 管理号 does not let anyone compute it, and a published id or prefix cannot be
//! inverted to a 管理号 or a holder by enumerating 管理号s.
//!
//! Verifiers learn revocation offline from the signed status snapshot (`crate::status_snapshot`). The optional
//! online check asks the edge for a *bucket* — every copy whose id starts with a short hex prefix — so the edge
//! learns only the prefix, shared at national scale by about 1 500 copies (k-anonymity; docs/edge.md).

use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use crate::trust_list::hex;

/// Schema tag of a status bucket.
pub const STATUS_BUCKET_SCHEMA: &str = "ecert.status-bucket/2";
/// Domain separation for [`copy_status_id`].
pub const STATUS_ID_DOMAIN: &[u8] = b"ecert.status/2\0";
/// Hex characters of the id a client reveals when asking for a bucket (16 bits: 65 536 buckets).
pub const STATUS_PREFIX_HEX_LEN: usize = 4;

/// A certificate copy's status id: SHA-256 of [`STATUS_ID_DOMAIN`] ‖ the record bytes embedded in its sealed
/// revision (`ecert-record.json`, exactly as sealed).
pub fn copy_status_id(record_bytes: &[u8]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(STATUS_ID_DOMAIN);
    h.update(record_bytes);
    h.finalize().into()
}

/// [`copy_status_id`] as lowercase hex (its form in JSON, URLs and verdicts).
pub fn copy_status_id_hex(record_bytes: &[u8]) -> String {
    hex(&copy_status_id(record_bytes))
}

/// Parse a 64-character lowercase hex status id.
pub fn parse_status_id(s: &str) -> Option<[u8; 32]> {
    if s.len() != 64 || !s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, o) in out.iter_mut().enumerate() {
        *o = u8::from_str_radix(s.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

/// The bucket prefix of a status id (its first [`STATUS_PREFIX_HEX_LEN`] hex characters).
pub fn status_prefix(status_id: &str) -> &str {
    status_id.get(..STATUS_PREFIX_HEX_LEN).unwrap_or(status_id)
}

/// Whether `s` is a well-formed bucket prefix (exactly [`STATUS_PREFIX_HEX_LEN`] lowercase hex characters).
pub fn is_status_prefix(s: &str) -> bool {
    s.len() == STATUS_PREFIX_HEX_LEN && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// The registry's word on one certificate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case", deny_unknown_fields)]
pub enum CertificateStatus {
    /// 有效.
    Valid,
    /// 已撤销, since `revoked_at` (Unix seconds), for `reason`.
    Revoked { revoked_at: i64, reason: String },
}

/// One certificate's status inside a bucket.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusEntry {
    /// The copy's full status id ([`copy_status_id_hex`]).
    pub id: String,
    #[serde(flatten)]
    pub status: CertificateStatus,
}

/// Every registered certificate whose status id starts with `prefix`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusBucket {
    /// Always [`STATUS_BUCKET_SCHEMA`].
    pub schema: String,
    pub prefix: String,
    /// The answer holds every registration and revocation committed before this time (Unix seconds): the start
    /// of the database read behind it, which a caching edge may serve for a bounded time after (docs/edge.md).
    pub as_of: i64,
    pub entries: Vec<StatusEntry>,
}

impl StatusBucket {
    /// Parse a bucket, refusing other schemas.
    pub fn from_json(bytes: &[u8]) -> Result<StatusBucket, String> {
        let b: StatusBucket = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
        if b.schema != STATUS_BUCKET_SCHEMA {
            return Err(format!("unsupported status bucket schema {:?}", b.schema));
        }
        Ok(b)
    }

    /// What this bucket says about the copy with status id `id` (hex): [`StatusInput::Known`] or, when the
    /// bucket does not hold it (or is for another prefix), [`StatusInput::NotRegistered`] /
    /// [`StatusInput::Unavailable`].
    pub fn status_of(&self, id: &str) -> StatusInput {
        if status_prefix(id) != self.prefix {
            return StatusInput::Unavailable { reason: "status bucket is for another prefix".into() };
        }
        match self.entries.iter().find(|e| e.id == id) {
            Some(e) => StatusInput::Known { status: e.status.clone(), as_of: self.as_of },
            None => StatusInput::NotRegistered { as_of: self.as_of },
        }
    }
}

/// What the caller of the verifier knows about the certificate's status. The verifier core never fetches it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum StatusInput {
    /// No status source configured: the verdict says "status not checked".
    #[default]
    NotChecked,
    /// A status source is configured but gave no usable answer (unreachable, error): "status unknown".
    Unavailable { reason: String },
    /// The registry never issued this copy (its record digest is not registered), though the registry was
    /// asked: `NOT_REGISTERED`.
    NotRegistered { as_of: i64 },
    /// The registry's answer.
    Known { status: CertificateStatus, as_of: i64 },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_is_domain_separated_sha256_of_the_record_bytes() {
        let id = copy_status_id_hex(br#"{"schema":"ecert.record/1"}"#);
        assert_eq!(id.len(), 64);
        assert_ne!(id, hex(&Sha256::digest(br#"{"schema":"ecert.record/1"}"#)));
        assert_ne!(id, copy_status_id_hex(br#"{"schema":"ecert.record/1" }"#));
        assert_eq!(parse_status_id(&id), Some(copy_status_id(br#"{"schema":"ecert.record/1"}"#)));
        assert_eq!(parse_status_id(&id.to_uppercase()), None);
        assert_eq!(parse_status_id(&id[..63]), None);
        assert!(is_status_prefix(status_prefix(&id)));
        assert!(!is_status_prefix("ABCD"));
        assert!(!is_status_prefix("abc"));
    }

    #[test]
    fn bucket_lookup() {
        let id = copy_status_id_hex(b"one");
        let other = copy_status_id_hex(b"two");
        let bucket = StatusBucket {
            schema: STATUS_BUCKET_SCHEMA.into(),
            prefix: status_prefix(&id).into(),
            as_of: 10,
            entries: vec![StatusEntry {
                id: id.clone(),
                status: CertificateStatus::Revoked { revoked_at: 5, reason: "r".into() },
            }],
        };
        let json = serde_json::to_vec(&bucket).unwrap();
        let text = String::from_utf8(json.clone()).unwrap();
        assert!(text.contains(r#""state":"revoked""#), "{text}");
        let back = StatusBucket::from_json(&json).unwrap();
        assert_eq!(
            back.status_of(&id),
            StatusInput::Known { status: CertificateStatus::Revoked { revoked_at: 5, reason: "r".into() }, as_of: 10 }
        );
        let expect_other = if status_prefix(&other) == status_prefix(&id) {
            StatusInput::NotRegistered { as_of: 10 }
        } else {
            StatusInput::Unavailable { reason: "status bucket is for another prefix".into() }
        };
        assert_eq!(back.status_of(&other), expect_other);
        assert!(StatusBucket::from_json(br#"{"schema":"x","prefix":"0000","as_of":1,"entries":[]}"#).is_err());
    }
}
