//! The verdict: typed, serializable, with stable machine codes (`docs/verdict.md`).

use serde::{Deserialize, Serialize};

/// Schema tag of a serialized verdict.
pub const VERDICT_SCHEMA: &str = "ecert.verdict/1";

/// The overall result. Declared from the most severe to the least: the overall code of a verdict is the most
/// severe code any check produced.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum VerdictCode {
    Malformed,
    Encrypted,
    NotACertificate,
    SignatureInvalid,
    Modified,
    UntrustedSeal,
    SealNotAuthorized,
    /// An authentic seal over a record the registry never issued (asked online): an insider's forgery, or an
    /// issuer that sealed without registering.
    NotRegistered,
    Revoked,
    NonCanonical,
    AnnotationInvalid,
    AnnotationMissing,
    AnnotationExpired,
    AnnotationNotYetValid,
    TrustListExpired,
    StatusUnknown,
    Valid,
}

impl VerdictCode {
    /// Every code, most severe first.
    pub const ALL: [VerdictCode; 17] = [
        VerdictCode::Malformed,
        VerdictCode::Encrypted,
        VerdictCode::NotACertificate,
        VerdictCode::SignatureInvalid,
        VerdictCode::Modified,
        VerdictCode::UntrustedSeal,
        VerdictCode::SealNotAuthorized,
        VerdictCode::NotRegistered,
        VerdictCode::Revoked,
        VerdictCode::NonCanonical,
        VerdictCode::AnnotationInvalid,
        VerdictCode::AnnotationMissing,
        VerdictCode::AnnotationExpired,
        VerdictCode::AnnotationNotYetValid,
        VerdictCode::TrustListExpired,
        VerdictCode::StatusUnknown,
        VerdictCode::Valid,
    ];
}

impl VerdictCode {
    /// The stable machine string (`VALID`, `ANNOTATION_EXPIRED`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            VerdictCode::Malformed => "MALFORMED",
            VerdictCode::Encrypted => "ENCRYPTED",
            VerdictCode::NotACertificate => "NOT_A_CERTIFICATE",
            VerdictCode::SignatureInvalid => "SIGNATURE_INVALID",
            VerdictCode::Modified => "MODIFIED",
            VerdictCode::UntrustedSeal => "UNTRUSTED_SEAL",
            VerdictCode::SealNotAuthorized => "SEAL_NOT_AUTHORIZED",
            VerdictCode::NotRegistered => "NOT_REGISTERED",
            VerdictCode::Revoked => "REVOKED",
            VerdictCode::NonCanonical => "NON_CANONICAL",
            VerdictCode::AnnotationInvalid => "ANNOTATION_INVALID",
            VerdictCode::AnnotationMissing => "ANNOTATION_MISSING",
            VerdictCode::AnnotationExpired => "ANNOTATION_EXPIRED",
            VerdictCode::AnnotationNotYetValid => "ANNOTATION_NOT_YET_VALID",
            VerdictCode::TrustListExpired => "TRUST_LIST_EXPIRED",
            VerdictCode::StatusUnknown => "STATUS_UNKNOWN",
            VerdictCode::Valid => "VALID",
        }
    }

    /// The coarse state a user interface colours by.
    pub fn state(self) -> VerdictState {
        match self {
            VerdictCode::Malformed | VerdictCode::Encrypted => VerdictState::Broken,
            VerdictCode::NotACertificate => VerdictState::NotACertificate,
            VerdictCode::SignatureInvalid | VerdictCode::Modified | VerdictCode::NonCanonical => VerdictState::Modified,
            VerdictCode::UntrustedSeal | VerdictCode::SealNotAuthorized | VerdictCode::NotRegistered => {
                VerdictState::Untrusted
            }
            VerdictCode::Revoked => VerdictState::Revoked,
            VerdictCode::AnnotationInvalid
            | VerdictCode::AnnotationMissing
            | VerdictCode::AnnotationExpired
            | VerdictCode::AnnotationNotYetValid => VerdictState::AnnotationProblem,
            VerdictCode::TrustListExpired | VerdictCode::StatusUnknown => VerdictState::StatusUnknown,
            VerdictCode::Valid => VerdictState::Valid,
        }
    }
}

impl core::fmt::Display for VerdictCode {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a user interface shows in colour and words.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VerdictState {
    Valid,
    StatusUnknown,
    AnnotationProblem,
    Revoked,
    Untrusted,
    Modified,
    NotACertificate,
    Broken,
}

/// The checks, in the order they run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckId {
    Structure,
    Signature,
    Modification,
    Trust,
    /// The copy is byte for byte the shape the issuer writes (`canonical_form`).
    Canonical,
    Authorization,
    Record,
    Annotation,
    Status,
    /// The device clock against the signed time floor (the status snapshot's `issued_at`).
    Clock,
}

/// One check's outcome.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Pass,
    Fail,
    Warn,
    Skipped,
}

/// One check's own result: a stable code and a sentence in Chinese and English.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Check {
    pub id: CheckId,
    pub outcome: Outcome,
    /// Stable machine code of this check's result (`OK`, `DIGEST_MISMATCH`, `TRAILING_DATA`, …).
    pub code: String,
    pub zh: String,
    pub en: String,
    /// The overall code this check contributes when it fails (or warns with consequences).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub verdict: Option<VerdictCode>,
}

/// A sentence in both languages.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub zh: String,
    pub en: String,
}

/// Facts about the input file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileFacts {
    pub size: u64,
    /// Revisions found (0 when the structure could not be read).
    pub revisions: u32,
}

/// A qualification as the signed record names it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QualificationView {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    /// 1 (样式1) or 2 (样式2).
    pub style: u8,
}

/// The sealing issuer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuerView {
    pub id: String,
    pub kind: ecert_format::IssuerKind,
    pub name_zh: String,
    pub name_en: String,
}

/// The certificate's fields, from the signed record. Present only when the signature verifies and the seal
/// chains to the trust list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CertificateView {
    pub management_number: String,
    pub query_number: String,
    pub holder_name: String,
    /// Masked (first 3 and last 4 characters) unless the caller asked otherwise.
    pub id_number: String,
    pub id_number_masked: bool,
    pub sex: ecert_format::Sex,
    /// `YYYY-MM`.
    pub birth: String,
    pub approval_date: String,
    pub issue_date: String,
    pub qualification: QualificationView,
    pub issuer: IssuerView,
}

/// The seal that signed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SealView {
    pub issuer_id: String,
    pub seal_name_zh: String,
    /// Lowercase hex SHA-256 of the seal key's SubjectPublicKeyInfo.
    pub key_id: String,
    pub subject_cn: String,
    /// The signing time the signature claims (Unix seconds): within minutes of `sealed_at`.
    pub signing_time: i64,
    /// When the seal was made, as its trusted RFC 3161 time-stamp proves (`genTime`, Unix seconds).
    pub sealed_at: i64,
    /// The trust list's id of the time-stamping authority that dated it.
    pub tsa_id: String,
    /// Its name (Chinese).
    pub tsa_name_zh: String,
    pub certificate_not_before: i64,
    pub certificate_not_after: i64,
}

/// The 加注 as evaluated at the time of check.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnnotationView {
    /// `valid` | `expired` | `not_yet_valid` | `missing` | `not_required`.
    pub state: String,
    pub scenario: Option<String>,
    pub valid_from: Option<String>,
    pub valid_until: Option<String>,
    pub number: Option<String>,
    pub days_left: Option<i64>,
    pub days_ago: Option<i64>,
    pub days_until: Option<i64>,
}

/// The status snapshot a status rests on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SnapshotView {
    /// The newest file's sequence (a delta's when one is held).
    pub sequence: u64,
    /// Its signed issue time (Unix seconds).
    pub issued_at: i64,
    /// The status signer's id.
    pub signer: String,
    /// The signed header and its signature (base64), for receipts.
    #[serde(flatten)]
    pub evidence: crate::status_evidence::SnapshotEvidence,
}

/// The status, from the signed snapshot and/or the registry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusView {
    /// `not_checked` | `unknown` | `stale` | `not_covered` | `not_registered` | `valid` | `revoked`.
    pub state: String,
    /// Where the answer came from: `snapshot` (offline, signed), `registry` (asked online), both, or `none`.
    pub source: String,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub as_of: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub revoked_at: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub reason: Option<String>,
    /// The snapshot held, if any (whatever it answered).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub snapshot: Option<SnapshotView>,
}

/// One revision appended after the certified one, described plainly.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Modification {
    /// 1 for the first update after the certified revision (0), …; `null` when the appended bytes do not even
    /// form a readable revision.
    pub revision: Option<u32>,
    pub zh: String,
    pub en: String,
}

/// The whole verdict.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verdict {
    /// Always [`VERDICT_SCHEMA`].
    pub schema: String,
    pub code: VerdictCode,
    pub state: VerdictState,
    /// The reason in one plain sentence.
    pub summary: Summary,
    /// The time of check, Unix seconds: the device clock, or the signed time floor when the clock is earlier.
    pub checked_at: i64,
    /// The device clock as given by the caller (Unix seconds).
    pub clock: i64,
    /// The signed time floor (the status snapshot's `issued_at`), when a snapshot was held.
    pub time_floor: Option<i64>,
    pub file: FileFacts,
    pub checks: Vec<Check>,
    pub certificate: Option<CertificateView>,
    pub seal: Option<SealView>,
    pub annotation: Option<AnnotationView>,
    pub status: StatusView,
    /// The copy's status id — lowercase hex SHA-256("ecert.status/2\0" ‖ the sealed record bytes) — when the
    /// record was read from an authentic signed revision.
    pub status_id: Option<String>,
    pub modifications: Vec<Modification>,
}

impl Verdict {
    /// Whether the verdict is a plain pass (`VALID`).
    pub fn is_valid(&self) -> bool {
        self.code == VerdictCode::Valid
    }

    /// The result of one check, if it ran.
    pub fn check(&self, id: CheckId) -> Option<&Check> {
        self.checks.iter().find(|c| c.id == id)
    }

    /// Serialize to JSON (never fails for this type).
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}
