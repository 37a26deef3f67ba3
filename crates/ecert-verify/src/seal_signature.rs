//! The seal's signature: /ByteRange placement, the CMS SignedData over the signed bytes, and whether the signing
//! key is a trusted seal that was in use when its trusted time-stamp says it sealed.

use ecert_format::trust_list::key_id_of_spki;
use ecert_format::{TrustedIssuer, TrustedSeal, TrustedTimeStampAuthority};
use ecert_pdf_structure::{Dictionary, Object, Revision, SignedRanges, check_byte_range};
use ecert_pki::{MAX_SIGNING_TIME_DRIFT, ParsedCert, PkiError, SignedCms, oids, parse_signed_data};
use sha2::{Digest as _, Sha256};

use crate::trust::VerifiedTrustList;

/// Largest /Contents accepted (the issuer reserves 8 KiB).
const MAX_CMS_BYTES: usize = 64 * 1024;
/// How far a time-stamp may lie after the time of check (clock skew), in seconds.
const MAX_FUTURE_SKEW: i64 = 300;

/// A signature whose CMS verified over exactly the bytes its /ByteRange names.
#[derive(Debug)]
pub struct VerifiedSignature {
    pub ranges: SignedRanges,
    pub cms: SignedCms,
    /// The CMS's DER as /Contents decodes to it (its zero padding left out).
    pub cms_der: Vec<u8>,
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
    let cms_der = contents.get(..cms.der_len()).unwrap_or_default().to_vec();
    Ok(VerifiedSignature { ranges, cms, cms_der })
}

/// A seal the trust list vouches for at the time its time-stamp proves.
#[derive(Debug, Clone, Copy)]
pub struct TrustedSigner<'a> {
    pub issuer: &'a TrustedIssuer,
    pub seal: &'a TrustedSeal,
    pub cert: &'a ParsedCert,
    /// The issuer CA's certificate, as the trust list has it.
    pub ca: &'a ParsedCert,
    /// The signer's own claim (signingTime), within [`MAX_SIGNING_TIME_DRIFT`] of `sealed_at`.
    pub signing_time: i64,
    /// When the seal was made, as the trusted time-stamp proves it (`genTime`): every date is judged at it.
    pub sealed_at: i64,
    /// The time-stamping authority that dated it.
    pub tsa: &'a TrustedTimeStampAuthority,
}

/// Why the signer is not trusted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TrustFailure {
    /// The certificate in the PDF signs itself and is not in the trust list.
    SelfSigned { key_id: String },
    /// The key is not a seal in the trust list.
    NotListed { key_id: String },
    /// The SignedData carries a certificate that is neither the seal's nor its issuer CA's from the trust list.
    ForeignCertificate,
    /// No signingTime attribute.
    NoSigningTime,
    /// No signature time-stamp token (PAdES B-T): nothing but the signer's claim dates the seal.
    TimeStampMissing,
    /// The time-stamp token does not parse, does not verify, or does not cover this signature.
    TimeStampInvalid { detail: String },
    /// The token's authority is not a time-stamping authority of the trust list (or its certificate is not one
    /// signed by the root).
    TimeStampAuthorityUntrusted,
    /// The authority was not in use, or its certificate not valid, at the token's time.
    TimeStampAuthorityNotValid { gen_time: i64 },
    /// The time-stamp lies after the time of check.
    TimeStampInFuture { gen_time: i64 },
    /// The claimed signing time and the time-stamp disagree by more than [`MAX_SIGNING_TIME_DRIFT`].
    SigningTimeMismatch { signing_time: i64, gen_time: i64 },
    /// The seal key was not in use, or its certificate not valid, when the time-stamp says it sealed.
    OutsideUseWindow { sealed_at: i64, use_from: i64, use_until: i64 },
    /// The issuer CA's certificate was not valid when the time-stamp says the seal was made.
    CaNotValid { sealed_at: i64 },
}

impl TrustFailure {
    /// Stable code.
    pub fn code(&self) -> &'static str {
        match self {
            TrustFailure::SelfSigned { .. } => "SELF_SIGNED_SEAL",
            TrustFailure::NotListed { .. } => "SEAL_NOT_IN_TRUST_LIST",
            TrustFailure::ForeignCertificate => "FOREIGN_CERTIFICATE",
            TrustFailure::NoSigningTime => "NO_SIGNING_TIME",
            TrustFailure::TimeStampMissing => "TIMESTAMP_MISSING",
            TrustFailure::TimeStampInvalid { .. } => "TIMESTAMP_INVALID",
            TrustFailure::TimeStampAuthorityUntrusted => "TSA_NOT_IN_TRUST_LIST",
            TrustFailure::TimeStampAuthorityNotValid { .. } => "TSA_NOT_VALID_AT_TIMESTAMP",
            TrustFailure::TimeStampInFuture { .. } => "TIMESTAMP_IN_FUTURE",
            TrustFailure::SigningTimeMismatch { .. } => "SIGNING_TIME_MISMATCH",
            TrustFailure::OutsideUseWindow { .. } => "SEAL_NOT_VALID_AT_SIGNING_TIME",
            TrustFailure::CaNotValid { .. } => "CA_NOT_VALID_AT_SIGNING_TIME",
        }
    }
}

/// The one time-stamp token of a seal's SignerInfo (`id-aa-signatureTimeStampToken` with exactly one value),
/// if there is one. Other unsigned attributes are the canonical-form check's concern.
pub fn time_stamp_token(cms: &SignedCms) -> Option<&[u8]> {
    let mut tokens = cms.unsigned_attributes().iter().filter(|a| a.oid == oids::ATTR_SIGNATURE_TIME_STAMP_TOKEN);
    match (tokens.next(), tokens.next()) {
        (Some(attr), None) => match attr.values.as_slice() {
            [one] => Some(one.as_slice()),
            _ => None,
        },
        _ => None,
    }
}

/// Decide whether the CMS signer is a trusted seal at the time its trusted time-stamp proves. Only the
/// certificate bytes listed in the verified trust list count; certificates carried in the PDF are never trusted
/// by themselves, and the signer's own signingTime only has to agree with the time-stamp.
///
/// Rules (docs/format.md, "Time of sealing"): the token covers SHA-256 of this SignerInfo's signature value and
/// verifies; its authority is a listed TSA whose certificate, signed by the root, is valid at `genTime`, which
/// lies in the TSA's use window and not after the time of check (+ [`MAX_FUTURE_SKEW`]); signingTime is within
/// [`MAX_SIGNING_TIME_DRIFT`] of `genTime`; at `genTime` the seal is in its use window and both its certificate
/// and its issuer CA's certificate are valid.
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
    // (Every listed issuer has its CA certificate: the list was refused otherwise.)
    let Some(ca) = trust.ca_certificate_of(&issuer.id) else {
        return Err(TrustFailure::NotListed { key_id });
    };
    if cms.certificates().iter().any(|c| c.der() != signer.der() && c.der() != ca.der()) {
        return Err(TrustFailure::ForeignCertificate);
    }
    let signing_time = cms.signing_time().ok_or(TrustFailure::NoSigningTime)?;

    // The time-stamp: the only evidence of when the seal was made.
    let token = time_stamp_token(cms).ok_or(TrustFailure::TimeStampMissing)?;
    let imprint: [u8; 32] = Sha256::digest(cms.signature()).into();
    let stamp = ecert_pki::time_stamp_token::verify(token, &imprint)
        .map_err(|e| TrustFailure::TimeStampInvalid { detail: e.to_string() })?;
    let gen_time = stamp.gen_time;
    let (tsa, tsa_cert) =
        trust.tsa_for_certificate(stamp.tsa_certificate.der()).ok_or(TrustFailure::TimeStampAuthorityUntrusted)?;
    if gen_time < tsa.use_from || gen_time >= tsa.use_until || !tsa_cert.is_valid_at(gen_time) {
        return Err(TrustFailure::TimeStampAuthorityNotValid { gen_time });
    }
    if gen_time > at_unix.saturating_add(MAX_FUTURE_SKEW) {
        return Err(TrustFailure::TimeStampInFuture { gen_time });
    }
    if signing_time.abs_diff(gen_time) > MAX_SIGNING_TIME_DRIFT.unsigned_abs() {
        return Err(TrustFailure::SigningTimeMismatch { signing_time, gen_time });
    }

    // Every certificate in the path, at the proven time.
    if gen_time < seal.use_from || gen_time >= seal.use_until || !cert.is_valid_at(gen_time) {
        return Err(TrustFailure::OutsideUseWindow {
            sealed_at: gen_time,
            use_from: seal.use_from,
            use_until: seal.use_until,
        });
    }
    if !ca.is_valid_at(gen_time) {
        return Err(TrustFailure::CaNotValid { sealed_at: gen_time });
    }
    Ok(TrustedSigner { issuer, seal, cert, ca, signing_time, sealed_at: gen_time, tsa })
}
