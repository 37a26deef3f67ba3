//! The crate's single error type.
//!
//! Every failure has its own variant so callers (and tests) can tell *why*
//! something was rejected; nothing in this crate panics on input.

/// Result alias used throughout `ecert-pki`.
pub type Result<T> = core::result::Result<T, PkiError>;

/// Everything that can go wrong while building, parsing or verifying keys,
/// certificates and CMS signatures.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PkiError {
    /// The structure could not be decoded or violates DER / the expected profile.
    /// The string says which part.
    #[error("malformed {0}")]
    Malformed(&'static str),

    /// The 32 entropy bytes are not a valid P-256 scalar (zero or ≥ n); retry with new entropy.
    #[error("entropy is not a valid P-256 private scalar; retry with fresh entropy")]
    InvalidEntropy,

    /// A private or public key could not be decoded or encoded.
    #[error("invalid key: {0}")]
    InvalidKey(&'static str),

    /// PEM armour is missing, broken or carries the wrong label.
    #[error("invalid PEM: {0}")]
    InvalidPem(&'static str),

    /// An algorithm (key, digest or signature) other than P-256 / SHA-256 /
    /// ecdsa-with-SHA256 was found. The string names the field.
    #[error("unsupported algorithm in {0}")]
    UnsupportedAlgorithm(&'static str),

    /// A value could not be encoded (e.g. a string too long for DER, or a time
    /// out of the representable range).
    #[error("cannot encode {0}")]
    Encoding(&'static str),

    /// A unix time is before 1970 or not representable in X.509 / CMS.
    #[error("time out of range")]
    TimeOutOfRange,

    /// `not_before` is after `not_after`.
    #[error("validity period is empty (not_before > not_after)")]
    InvalidValidity,

    /// The signature is not a strict-DER ECDSA signature.
    #[error("signature is not a strict DER ECDSA-Sig-Value")]
    SignatureEncoding,

    /// The signature does not verify with the given key.
    #[error("signature does not verify")]
    SignatureInvalid,

    /// Signing failed inside the ECDSA implementation (practically unreachable).
    #[error("signing failed")]
    SigningFailed,

    /// The input exceeds the crate's size cap.
    #[error("input too large ({len} bytes, limit {limit})")]
    TooLarge {
        /// Actual length in bytes.
        len: usize,
        /// Maximum accepted length in bytes.
        limit: usize,
    },

    /// Bytes other than zero padding follow the DER object.
    #[error("non-zero trailing data after the DER object")]
    TrailingData,

    /// More certificates are embedded than the cap allows.
    #[error("too many certificates ({0})")]
    TooManyCertificates(usize),

    // ---- certificate chain ----
    /// The child's issuer name differs from the issuer's subject name.
    #[error("issuer name does not match the issuing certificate's subject")]
    IssuerNameMismatch,

    /// The child's AuthorityKeyIdentifier differs from the issuer's SubjectKeyIdentifier.
    #[error("authority key identifier does not match the issuer's subject key identifier")]
    KeyIdMismatch,

    /// The issuing certificate is not a CA (BasicConstraints cA missing or false).
    #[error("issuing certificate is not a CA")]
    IssuerNotCa,

    /// The issuing certificate's KeyUsage lacks keyCertSign (or KeyUsage is absent).
    #[error("issuing certificate may not sign certificates (keyCertSign missing)")]
    IssuerKeyUsage,

    /// The issuer's pathLenConstraint forbids issuing this (CA) certificate.
    #[error("path length constraint of the issuer exceeded")]
    PathLenExceeded,

    /// A certificate carries a critical extension this crate does not understand.
    #[error("unsupported critical extension")]
    UnsupportedCriticalExtension,

    /// The same extension appears twice in one certificate.
    #[error("duplicate certificate extension")]
    DuplicateExtension,

    // ---- CMS ----
    /// ContentInfo / eContentType / contentType attribute is not what PAdES requires.
    #[error("unexpected content type")]
    ContentTypeMismatch,

    /// Encapsulated content is present: only detached signatures are accepted.
    #[error("signature is not detached (eContent present)")]
    NotDetached,

    /// The SignedData does not hold exactly one SignerInfo.
    #[error("expected exactly one SignerInfo, found {0}")]
    SignerInfoCount(usize),

    /// Version field of SignedData or SignerInfo is not 1.
    #[error("unsupported CMS version")]
    UnsupportedVersion,

    /// The signer identifier is not IssuerAndSerialNumber.
    #[error("signer identifier must be IssuerAndSerialNumber")]
    UnsupportedSignerIdentifier,

    /// No embedded certificate matches the SignerInfo's issuer and serial number.
    #[error("signer certificate not found among embedded certificates")]
    SignerCertMissing,

    /// More than one embedded certificate matches the SignerInfo's issuer and serial.
    #[error("signer certificate is ambiguous")]
    SignerCertAmbiguous,

    /// SignerInfo has no signed attributes.
    #[error("signed attributes missing")]
    SignedAttrsMissing,

    /// An attribute type occurs more than once in the signed attributes.
    #[error("duplicate signed attribute")]
    DuplicateAttribute,

    /// A signed attribute does not have exactly one value.
    #[error("signed attribute must have exactly one value")]
    AttributeValueCount,

    /// A required signed attribute is absent. The string names it.
    #[error("required signed attribute missing: {0}")]
    MissingAttribute(&'static str),

    /// The messageDigest attribute differs from the hash of the signed content.
    #[error("message digest does not match the content")]
    DigestMismatch,

    /// The signer certificate's KeyUsage allows neither digitalSignature nor nonRepudiation.
    #[error("signer certificate key usage does not allow signing")]
    SignerKeyUsage,

    /// signingCertificateV2 does not identify the signer certificate.
    #[error("signingCertificateV2 does not match the signer certificate")]
    SigningCertV2Mismatch,

    /// The time-stamp token's imprint is not the SHA-256 of what it should time-stamp (the seal's signature).
    #[error("the time-stamp token does not cover this signature")]
    TimeStampImprintMismatch,

    /// The time-stamp token's signer is not a time-stamping authority certificate (critical EKU
    /// id-kp-timeStamping only, KeyUsage digitalSignature) or is not the one certificate it carries.
    #[error("the time-stamp token is not signed by a time-stamping authority certificate")]
    TimeStampSigner,

    /// The time-stamping authority refused or did not answer with a token (RFC 3161 PKIStatus), or answered
    /// for another request (nonce, imprint).
    #[error("time-stamping authority: {0}")]
    TimeStampFailed(String),

    /// The signer's claimed signingTime and the time-stamp's genTime differ by more than
    /// [`crate::time_stamp_token::MAX_SIGNING_TIME_DRIFT`].
    #[error("the claimed signing time differs from the time-stamp by more than the allowed drift")]
    SigningTimeDrift,
}
