//! The seal's signature: /ByteRange placement, the CMS SignedData over the signed bytes, and whether the signing
//! key is a trusted seal that was in use at the claimed signing time.

use ecert_format::trust_list::key_id_of_spki;
use ecert_format::{TrustedIssuer, TrustedSeal};
use ecert_pdf_structure::{Dictionary, Object, Revision, SignedRanges, check_byte_range};
use ecert_pki::{ParsedCert, PkiError, SignedCms, parse_signed_data};
use sha2::{Digest as _, Sha256};

use crate::trust::VerifiedTrustList;

/// Largest /Contents accepted (the issuer reserves 8 KiB).
const MAX_CMS_BYTES: usize = 64 * 1024;
/// How far a claimed signing time may lie after the time of check (clock skew), in seconds.
const MAX_FUTURE_SKEW: i64 = 300;

/// A signature whose CMS verified over exactly the bytes its /ByteRange names.
#[derive(Debug)]
pub struct VerifiedSignature {
    pub ranges: SignedRanges,
    pub cms: SignedCms,
}

/// Why the signature failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignatureError {
    /// /ByteRange or /Contents placement (structure code: BAD_BYTE_RANGE, BYTE_RANGE_GAP, BYTE_RANGE_END).
    Placement(&'static str),
    /// /Contents empty, null, not a string, or too large.
    NoContents,
    /// The CMS does not parse under the strict profile (SHA-256, ecdsa-with-SHA256, one signer, …).
    Cms(PkiError),
    /// messageDigest differs from the hash of the signed bytes.
    DigestMismatch,
    /// Any other CMS check (signature value, signingCertificateV2, contentType).
    Invalid(PkiError),
}

impl SignatureError {
    /// Stable code.
    pub fn code(&self) -> &'static str {
        match self {
            SignatureError::Placement(code) => code,
            SignatureError::NoContents => "CONTENTS_MISSING",
            SignatureError::Cms(_) => "CMS_MALFORMED",
            SignatureError::DigestMismatch => "DIGEST_MISMATCH",
            SignatureError::Invalid(_) => "CMS_SIGNATURE_INVALID",
        }
    }

    /// English detail.
    pub fn detail(&self) -> String {
        match self {
            SignatureError::Placement(code) => format!("/ByteRange does not frame this signature's /Contents ({code})"),
            SignatureError::NoContents => "/Contents is empty, null or not a hex string".into(),
            SignatureError::Cms(e) => format!("the CMS signature does not parse: {e}"),
            SignatureError::DigestMismatch => "the signed bytes do not hash to the signed messageDigest".into(),
            SignatureError::Invalid(e) => format!("the CMS signature does not verify: {e}"),
        }
    }
}

/// Check placement and CMS of the signature dictionary `sig` of `revision` in `pdf`.
pub fn verify_signature(
    pdf: &[u8],
    sig: &Dictionary,
    revision: &Revision,
) -> Result<VerifiedSignature, SignatureError> {
    let ranges = check_byte_range(sig, revision).map_err(|e| SignatureError::Placement(e.code()))?;
    let contents = match sig.get(b"Contents") {
        Some(Object::String(s)) if !s.bytes.is_empty() && s.bytes.len() <= MAX_CMS_BYTES => &s.bytes,
        _ => return Err(SignatureError::NoContents),
    };
    let cms = parse_signed_data(contents).map_err(SignatureError::Cms)?;
    let first = pdf.get(ranges.first.start..ranges.first.end).ok_or(SignatureError::Placement("BAD_BYTE_RANGE"))?;
    let second = pdf.get(ranges.second.start..ranges.second.end).ok_or(SignatureError::Placement("BAD_BYTE_RANGE"))?;
    let mut h = Sha256::new();
    h.update(first);
    h.update(second);
    let digest: [u8; 32] = h.finalize().into();
    cms.verify(&digest).map_err(|e| match e {
        PkiError::DigestMismatch => SignatureError::DigestMismatch,
        other => SignatureError::Invalid(other),
    })?;
    Ok(VerifiedSignature { ranges, cms })
}

/// A seal the trust list vouches for at the claimed signing time.
#[derive(Debug, Clone, Copy)]
pub struct TrustedSigner<'a> {
    pub issuer: &'a TrustedIssuer,
    pub seal: &'a TrustedSeal,
    pub cert: &'a ParsedCert,
    pub signing_time: i64,
}

/// Why the signer is not trusted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TrustFailure {
    /// The certificate in the PDF signs itself and is not in the trust list.
    SelfSigned { key_id: String },
    /// The key is not a seal in the trust list.
    NotListed { key_id: String },
    /// No signingTime attribute: the use window cannot be checked.
    NoSigningTime,
    /// The claimed signing time is after the time of check.
    SigningTimeInFuture { signing_time: i64 },
    /// The SignedData carries a certificate that is neither the seal's nor its issuer CA's from the trust list.
    ForeignCertificate,
    /// The key was not in use, or its certificate not valid, at the claimed signing time.
    OutsideUseWindow { signing_time: i64, use_from: i64, use_until: i64 },
}

impl TrustFailure {
    /// Stable code.
    pub fn code(&self) -> &'static str {
        match self {
            TrustFailure::SelfSigned { .. } => "SELF_SIGNED_SEAL",
            TrustFailure::NotListed { .. } => "SEAL_NOT_IN_TRUST_LIST",
            TrustFailure::NoSigningTime => "NO_SIGNING_TIME",
            TrustFailure::SigningTimeInFuture { .. } => "SIGNING_TIME_IN_FUTURE",
            TrustFailure::OutsideUseWindow { .. } => "SEAL_NOT_VALID_AT_SIGNING_TIME",
            TrustFailure::ForeignCertificate => "FOREIGN_CERTIFICATE",
        }
    }
}

/// Decide whether the CMS signer is a trusted seal at its claimed signing time. Only the certificate bytes
/// listed in the verified trust list count; certificates carried in the PDF are never trusted by themselves.
pub fn evaluate_signer<'a>(
    cms: &SignedCms,
    trust: &'a VerifiedTrustList,
    at_unix: i64,
) -> Result<TrustedSigner<'a>, TrustFailure> {
    let signer = cms.signer_certificate();
    let key_id = key_id_of_spki(signer.spki_der());
    let Some((issuer, seal, cert)) = trust.seal_for_certificate(signer.der()) else {
        return Err(if signer.is_self_issued() {
            TrustFailure::SelfSigned { key_id }
        } else {
            TrustFailure::NotListed { key_id }
        });
    };
    // Nothing else may ride along: every certificate in the SignedData is the seal's or its issuer CA's, byte
    // for byte as the trust list has them.
    let ca = trust.ca_certificate_of(&issuer.id);
    if cms.certificates().iter().any(|c| c.der() != signer.der() && Some(c.der()) != ca) {
        return Err(TrustFailure::ForeignCertificate);
    }
    let signing_time = cms.signing_time().ok_or(TrustFailure::NoSigningTime)?;
    if signing_time > at_unix.saturating_add(MAX_FUTURE_SKEW) {
        return Err(TrustFailure::SigningTimeInFuture { signing_time });
    }
    if signing_time < seal.use_from || signing_time >= seal.use_until || !cert.is_valid_at(signing_time) {
        return Err(TrustFailure::OutsideUseWindow {
            signing_time,
            use_from: seal.use_from,
            use_until: seal.use_until,
        });
    }
    Ok(TrustedSigner { issuer, seal, cert, signing_time })
}
