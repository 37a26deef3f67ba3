//! The trust list: which issuers and seal keys are trusted, for which qualifications, which time-stamping
//! authorities date the seals, and the annotation rule. It is published as a [`SignedTrustList`] signed by the
//! root key that verifiers pin.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use serde::{Deserialize, Serialize};

use crate::date::Date;
use crate::registry::IssuerKind;

/// The schema tag of the trust list payload. Version 2 added `time_stamp_authorities` (every seal is
/// time-stamped: PAdES B-T) and made `annotation_rule`'s numbers binding on verifier and issuer alike; version 3
/// added `status_signers` and `max_status_age` (the signed status snapshot, `crate::status_snapshot`).
pub const TRUST_LIST_SCHEMA: &str = "ecert.trust-list/3";
/// Bounds of [`TrustList::max_status_age`], in seconds: one minute to seven days.
pub const STATUS_AGE_BOUNDS: core::ops::RangeInclusive<i64> = 60..=7 * 86_400;
/// The schema tag of the signed envelope.
pub const SIGNED_TRUST_LIST_SCHEMA: &str = "ecert.signed-trust-list/1";
/// The only signature algorithm: ECDSA P-256 with SHA-256 over the payload bytes, DER signature.
pub const TRUST_LIST_ALGORITHM: &str = "ES256";
/// Largest signed trust list accepted, in bytes.
pub const MAX_TRUST_LIST_BYTES: usize = 1024 * 1024;

/// When a certificate needs an annotation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnnotationRule {
    /// Certificates issued on or after this date need a valid annotation (2021-12-17).
    pub required_from: Date,
    /// Issuer kinds whose certificates issued before `required_from` need none.
    pub exempt_before_for: Vec<IssuerKind>,
    /// Longest window of one annotation, in days.
    pub max_window_days: u16,
    /// At most this many annotations ...
    pub max_in_trailing_window: u8,
    /// ... within this many trailing days.
    pub trailing_window_days: u16,
}

impl AnnotationRule {
    /// The rule of 人社厅发〔2021〕97号 and the CPTA FAQ.
    pub fn official() -> AnnotationRule {
        AnnotationRule {
            // A literal, valid date.
            required_from: Date::new(2021, 12, 17).unwrap_or_else(|| unreachable!()),
            exempt_before_for: vec![IssuerKind::Association],
            max_window_days: crate::annotation::MAX_WINDOW_DAYS as u16,
            max_in_trailing_window: crate::annotation::MAX_IN_TRAILING_WINDOW as u8,
            trailing_window_days: crate::annotation::TRAILING_WINDOW_DAYS as u16,
        }
    }

    /// Whether the rule is within what the format allows: a window of 1 to 90 days (the notice's limit; a list
    /// may tighten it, never widen it), at least one annotation in a trailing window of at least one day.
    pub fn is_within_format(&self) -> bool {
        (1..=crate::annotation::MAX_WINDOW_DAYS).contains(&i64::from(self.max_window_days))
            && self.max_in_trailing_window >= 1
            && self.trailing_window_days >= 1
    }

    /// Whether a certificate issued on `issue_date` by an issuer of `kind` needs an annotation.
    pub fn requires_annotation(&self, issue_date: Date, kind: IssuerKind) -> bool {
        !(issue_date < self.required_from && self.exempt_before_for.contains(&kind))
    }
}

/// A seal key an issuer may sign certificates with, during a window.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrustedSeal {
    /// Lowercase hex SHA-256 of the seal certificate's SubjectPublicKeyInfo DER.
    pub key_id: String,
    /// The seal certificate, base64 DER.
    pub certificate: String,
    /// Signatures claimed at or after this instant (Unix seconds) ...
    pub use_from: i64,
    /// ... and before this one are accepted. After a rotation the old key's `use_until` is the rotation time;
    /// certificates it sealed before then stay valid.
    pub use_until: i64,
}

/// A time-stamping authority (RFC 3161) whose tokens date seal signatures: its certificate is issued by the
/// root with the TSA role (critical extended key usage id-kp-timeStamping only), and, like a seal, it is used
/// during a window: a token whose `genTime` falls outside it does not date anything.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrustedTimeStampAuthority {
    /// A short stable id (`ecert-tsa`, …).
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    /// Lowercase hex SHA-256 of the TSA certificate's SubjectPublicKeyInfo DER.
    pub key_id: String,
    /// The TSA certificate, base64 DER (issued by the root).
    pub certificate: String,
    /// Tokens with a `genTime` at or after this instant (Unix seconds) ...
    pub use_from: i64,
    /// ... and before this one are accepted.
    pub use_until: i64,
}

/// A key that signs status snapshots and deltas (`crate::status_snapshot`), during a window: a snapshot whose
/// `issued_at` falls outside it is not accepted. The root authorises it by listing it here; it never seals.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrustedStatusSigner {
    /// A short stable id (`ecert-status`, …), named by every snapshot it signs.
    pub id: String,
    pub name_zh: String,
    pub name_en: String,
    /// Lowercase hex SHA-256 of `public_key`.
    pub key_id: String,
    /// The P-256 public key, base64 SubjectPublicKeyInfo DER.
    pub public_key: String,
    /// Snapshots issued at or after this instant (Unix seconds) ...
    pub use_from: i64,
    /// ... and before this one are accepted.
    pub use_until: i64,
}

/// An issuer: the MOHRSS special seal, or an association.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrustedIssuer {
    /// The registry's issuer id (`mohrss`, `auction`, …).
    pub id: String,
    pub kind: IssuerKind,
    pub name_zh: String,
    pub name_en: String,
    pub seal_name_zh: String,
    /// The issuer CA certificate (issued by the root), base64 DER.
    pub ca_certificate: String,
    /// Qualification codes this issuer may seal.
    pub qualifications: Vec<String>,
    pub seals: Vec<TrustedSeal>,
}

/// The trust list payload.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrustList {
    /// Always [`TRUST_LIST_SCHEMA`].
    pub schema: String,
    /// Increases with every publication; verifiers refuse a list older than one they already hold.
    pub sequence: u64,
    /// Unix seconds.
    pub issued_at: i64,
    /// Unix seconds; after it a verifier should look for a newer list.
    pub next_update: i64,
    /// Lowercase hex SHA-256 of the root's SubjectPublicKeyInfo DER (the key that signs this list).
    pub root_key_id: String,
    pub annotation_rule: AnnotationRule,
    pub issuers: Vec<TrustedIssuer>,
    /// The time-stamping authorities whose tokens date seals (absent in a version 1 list, which is refused by
    /// its schema tag).
    pub time_stamp_authorities: Vec<TrustedTimeStampAuthority>,
    /// The keys that sign status snapshots.
    pub status_signers: Vec<TrustedStatusSigner>,
    /// How old a status snapshot may be (seconds between its `issued_at` and the time of check) before a
    /// verifier treats the status as unknown; within [`STATUS_AGE_BOUNDS`].
    pub max_status_age: i64,
}

impl TrustList {
    pub fn issuer(&self, id: &str) -> Option<&TrustedIssuer> {
        self.issuers.iter().find(|i| i.id == id)
    }

    /// The issuer and seal entry for a seal key id.
    pub fn seal_by_key_id(&self, key_id: &str) -> Option<(&TrustedIssuer, &TrustedSeal)> {
        self.issuers.iter().find_map(|i| i.seals.iter().find(|s| s.key_id == key_id).map(|s| (i, s)))
    }

    /// The time-stamping authority with this key id.
    pub fn time_stamp_authority_by_key_id(&self, key_id: &str) -> Option<&TrustedTimeStampAuthority> {
        self.time_stamp_authorities.iter().find(|t| t.key_id == key_id)
    }

    /// The status signer with this id.
    pub fn status_signer(&self, id: &str) -> Option<&TrustedStatusSigner> {
        self.status_signers.iter().find(|s| s.id == id)
    }

    /// Canonical JSON bytes of this payload.
    pub fn to_json(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }
}

/// The published form: payload bytes plus the root's signature over exactly those bytes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SignedTrustList {
    /// Always [`SIGNED_TRUST_LIST_SCHEMA`].
    pub schema: String,
    /// Always [`TRUST_LIST_ALGORITHM`].
    pub algorithm: String,
    /// The signer's key id (root SPKI SHA-256, hex).
    pub key_id: String,
    /// Base64 of the trust list JSON bytes.
    pub payload: String,
    /// Base64 of the DER ECDSA signature over the payload bytes.
    pub signature: String,
}

/// Why a trust list was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TrustListError {
    #[error("信任列表过大 / trust list too large")]
    TooLarge,
    #[error("信任列表格式无效：{0} / malformed trust list: {0}")]
    Malformed(String),
    #[error("信任列表格式版本不受支持 / unsupported trust list schema")]
    Schema,
    #[error("信任列表签名算法不受支持 / unsupported trust list signature algorithm")]
    Algorithm,
    #[error("信任列表并非由所固定的根密钥签发 / the trust list is not signed by the pinned root key")]
    WrongSigner,
    #[error("信任列表签名无效 / the trust list signature does not verify")]
    BadSignature,
    #[error("根公钥无效 / the pinned root key is not a P-256 public key")]
    BadRootKey,
    #[error(
        "信任列表版本{found}早于已持有的{held}（回滚） / trust list sequence {found} is older than the held {held} (rollback)"
    )]
    Rollback { found: u64, held: u64 },
}

/// Lowercase hex SHA-256 of a DER SubjectPublicKeyInfo: ecert's key id ([`ecert_pki::spki_sha256_hex`]).
pub fn key_id_of_spki(spki_der: &[u8]) -> String {
    ecert_pki::spki_sha256_hex(spki_der)
}

/// Lowercase hex of bytes (one implementation for the workspace: [`ecert_pki::key::hex_lower`]).
pub use ecert_pki::key::hex_lower as hex;

impl SignedTrustList {
    /// Wrap a payload and its signature.
    pub fn new(payload_json: &[u8], signature_der: &[u8], root_spki_der: &[u8]) -> SignedTrustList {
        SignedTrustList {
            schema: SIGNED_TRUST_LIST_SCHEMA.to_owned(),
            algorithm: TRUST_LIST_ALGORITHM.to_owned(),
            key_id: key_id_of_spki(root_spki_der),
            payload: B64.encode(payload_json),
            signature: B64.encode(signature_der),
        }
    }

    /// Parse the envelope from JSON bytes.
    pub fn from_json(bytes: &[u8]) -> Result<SignedTrustList, TrustListError> {
        if bytes.len() > MAX_TRUST_LIST_BYTES {
            return Err(TrustListError::TooLarge);
        }
        serde_json::from_slice(bytes).map_err(|e| TrustListError::Malformed(e.to_string()))
    }

    pub fn to_json_pretty(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Verify the envelope under the pinned root public key (SPKI DER) and return the payload.
    ///
    /// `min_sequence` is the sequence of the newest list the caller already trusts (0 if none).
    pub fn verify(&self, root_spki_der: &[u8], min_sequence: u64) -> Result<TrustList, TrustListError> {
        if self.schema != SIGNED_TRUST_LIST_SCHEMA {
            return Err(TrustListError::Schema);
        }
        if self.algorithm != TRUST_LIST_ALGORITHM {
            return Err(TrustListError::Algorithm);
        }
        let root_key_id = key_id_of_spki(root_spki_der);
        if self.key_id != root_key_id {
            return Err(TrustListError::WrongSigner);
        }
        let key =
            ecert_pki::key::p256_verifying_key_from_spki(root_spki_der).map_err(|_| TrustListError::BadRootKey)?;
        let payload = B64.decode(&self.payload).map_err(|e| TrustListError::Malformed(e.to_string()))?;
        let sig_der = B64.decode(&self.signature).map_err(|e| TrustListError::Malformed(e.to_string()))?;
        ecert_pki::verify_p256_sha256_with_key(&key, &payload, &sig_der).map_err(|_| TrustListError::BadSignature)?;
        let list: TrustList = serde_json::from_slice(&payload).map_err(|e| TrustListError::Malformed(e.to_string()))?;
        if list.schema != TRUST_LIST_SCHEMA {
            return Err(TrustListError::Schema);
        }
        if list.root_key_id != root_key_id {
            return Err(TrustListError::WrongSigner);
        }
        if list.sequence < min_sequence {
            return Err(TrustListError::Rollback { found: list.sequence, held: min_sequence });
        }
        Ok(list)
    }
}

/// Decode a base64 DER field of the trust list.
pub fn decode_der(b64: &str) -> Result<Vec<u8>, TrustListError> {
    B64.decode(b64).map_err(|e| TrustListError::Malformed(e.to_string()))
}

/// Encode DER for a trust list field.
pub fn encode_der(der: &[u8]) -> String {
    B64.encode(der)
}
