//! RFC 3161 time-stamp tokens: issuing one with a local time-stamping authority key, and reading one strictly.
//!
//! A token is a CMS SignedData (version 3) whose encapsulated content is a [`TstInfo`]; its SignerInfo carries
//! contentType = id-ct-TSTInfo, messageDigest = SHA-256(TSTInfo DER) and signingCertificateV2, and is signed with
//! ecdsa-with-SHA256 by a certificate whose only (critical) extended key usage is id-kp-timeStamping
//! (RFC 3161 §2.3). The token must carry exactly that one certificate (requests set `certReq`), so the verifier
//! can match it byte for byte against the trust list. This is the shape OpenSSL's `ts` responder produces with
//! `ess_cert_id_alg = sha256` (see the interoperability test).

use der::Encode as _;
use sha2::{Digest as _, Sha256};

use crate::cert_parsed::ParsedCert;
use crate::cms_sign::{Content, Signer, build_signed_data};
use crate::cms_verify::{Encapsulated, parse_shape};
use crate::error::{PkiError, Result};
use crate::key::SigningKeyPair;
use crate::tst_info::{MessageImprint, TstInfo, positive_int};

/// How far a seal's claimed `signingTime` may lie from its time-stamp's `genTime`, in seconds (5 minutes): the
/// signer asks for the token right after signing; a larger gap means the claimed time is not the real one.
pub const MAX_SIGNING_TIME_DRIFT: i64 = 300;

/// The policy OID ecert's own time-stamping authority issues tokens under: ETSI EN 319 421's best-practices
/// time-stamp policy (`itu-t(0) identified-organization(4) etsi(0) time-stamp-policy(2023) policy-identifiers(1)
/// best-practices-ts-policy(1)`).
pub const ECERT_TSA_POLICY: const_oid::ObjectIdentifier = const_oid::ObjectIdentifier::new_unwrap("0.4.0.2023.1.1");

/// Whatever produces time-stamp tokens for the issuer: its own TSA key ([`LocalTsa`]), or an RFC 3161 server
/// over HTTP (the CLI's client). Gets the SHA-256 imprint to time-stamp, returns the token (DER ContentInfo).
pub trait TimeStamper {
    /// Obtain a token over `imprint_sha256`.
    fn time_stamp(&self, imprint_sha256: &[u8; 32]) -> Result<Vec<u8>>;
}

/// A time-stamping authority whose key is at hand (the issuing side's own TSA). Pure: the time of the stamp is
/// the caller's `gen_time_unix`, the serial number is derived from the imprint and that time.
pub struct LocalTsa<'a> {
    /// The TSA's key.
    pub key: &'a SigningKeyPair,
    /// The TSA's certificate (critical EKU id-kp-timeStamping), DER.
    pub certificate_der: &'a [u8],
    /// The time written as `genTime` (Unix seconds; whole seconds).
    pub gen_time_unix: i64,
}

impl TimeStamper for LocalTsa<'_> {
    fn time_stamp(&self, imprint_sha256: &[u8; 32]) -> Result<Vec<u8>> {
        issue_token(self, imprint_sha256, None)
    }
}

/// Issue a token over `imprint_sha256` (echoing `nonce`, if any).
pub fn issue_token(tsa: &LocalTsa<'_>, imprint_sha256: &[u8; 32], nonce: Option<&[u8]>) -> Result<Vec<u8>> {
    let cert = ParsedCert::from_der(tsa.certificate_der)?;
    if !cert.is_time_stamping_only() {
        return Err(PkiError::TimeStampSigner);
    }
    let secs = u64::try_from(tsa.gen_time_unix).map_err(|_| PkiError::TimeOutOfRange)?;
    let gen_time = der::asn1::GeneralizedTime::from_unix_duration(core::time::Duration::from_secs(secs))
        .map_err(|_| PkiError::TimeOutOfRange)?;
    let mut serial_hash = Sha256::new();
    serial_hash.update(imprint_sha256);
    serial_hash.update(tsa.gen_time_unix.to_be_bytes());
    serial_hash.update(nonce.unwrap_or_default());
    let serial: [u8; 32] = serial_hash.finalize().into();
    let info = TstInfo {
        version: 1,
        policy: ECERT_TSA_POLICY,
        message_imprint: MessageImprint::sha256(imprint_sha256)?,
        serial_number: positive_int(serial.get(..16).unwrap_or_default())?,
        gen_time,
        accuracy: None,
        ordering: None,
        nonce: nonce.map(positive_int).transpose()?,
    };
    let info_der = info.to_der().map_err(|_| PkiError::Encoding("TSTInfo"))?;
    let content =
        Content { shape: Encapsulated::TstInfo, econtent: Some(&info_der), sha256: Sha256::digest(&info_der).into() };
    let signer = Signer { cert_der: tsa.certificate_der, extra_certs_der: &[], key: tsa.key };
    let token = build_signed_data(&content, tsa.gen_time_unix, &signer, &|_| Ok(Vec::new()))?;
    verify(&token, imprint_sha256)?;
    Ok(token)
}

/// A token that verified: signed by the one certificate it carries, which is a TSA certificate, over a
/// TSTInfo that time-stamps the expected imprint. Whether that TSA is trusted, and whether its certificate was
/// valid at `gen_time`, is the caller's (trust list's) decision.
#[derive(Debug, Clone)]
pub struct VerifiedTimeStamp {
    /// `genTime`, Unix seconds.
    pub gen_time: i64,
    /// The TSA certificate that signed the token (byte-exact as carried).
    pub tsa_certificate: ParsedCert,
    /// The TSA's policy.
    pub policy: const_oid::ObjectIdentifier,
    /// The token's serial number (hex).
    pub serial_hex: String,
    /// The nonce echoed, if any (INTEGER content octets).
    pub nonce: Option<Vec<u8>>,
}

/// Parse and verify a token (DER ContentInfo) that must time-stamp `expected_imprint` (SHA-256).
pub fn verify(token_der: &[u8], expected_imprint: &[u8; 32]) -> Result<VerifiedTimeStamp> {
    let cms = parse_shape(token_der, Encapsulated::TstInfo)?;
    if cms.der_len() != token_der.len() {
        return Err(PkiError::TrailingData);
    }
    // No unsigned attributes and no CRLs in a token; its only certificate is its signer's.
    if !cms.unsigned_attributes().is_empty() || cms.has_crls() {
        return Err(PkiError::Malformed("time-stamp token: unexpected unsigned attributes or CRLs"));
    }
    let signer = cms.signer_certificate();
    if cms.certificates().len() != 1 {
        return Err(PkiError::TimeStampSigner);
    }
    if !signer.is_time_stamping_only()
        || signer.is_ca()
        || signer.has_unknown_critical_extension()
        || !signer.key_usage().is_some_and(|ku| ku.digital_signature())
    {
        return Err(PkiError::TimeStampSigner);
    }
    let info_der = cms.econtent().ok_or(PkiError::Malformed("TSTInfo"))?;
    let digest: [u8; 32] = Sha256::digest(info_der).into();
    cms.verify(&digest)?;
    let info = TstInfo::from_der_strict(info_der)?;
    let imprint = info.message_imprint.sha256_digest().ok_or(PkiError::UnsupportedAlgorithm("messageImprint"))?;
    if imprint != expected_imprint.as_slice() {
        return Err(PkiError::TimeStampImprintMismatch);
    }
    Ok(VerifiedTimeStamp {
        gen_time: info.gen_time_unix()?,
        tsa_certificate: signer.clone(),
        policy: info.policy,
        serial_hex: info.serial_hex(),
        nonce: info.nonce.as_ref().map(|n| n.as_bytes().to_vec()),
    })
}
