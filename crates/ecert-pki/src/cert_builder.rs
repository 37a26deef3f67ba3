//! Issuing X.509 v3 certificates for the three roles of the ecert hierarchy:
//! root CA, issuing CA, and document-seal (end-entity) certificates.
//!
//! `x509-cert` 0.3 keeps `TbsCertificate`'s fields crate-private (its builder
//! needs SHA-1 and the `signature` traits), so the TBSCertificate is encoded
//! here with a field-for-field mirror of RFC 5280's ASN.1 built from
//! `x509-cert`'s public component types, and the result is re-parsed with
//! `x509-cert` as a self-check.

use der::asn1::BitString;
use der::flagset::FlagSet;
use der::{Any, Decode, Encode, Sequence};
use p256::ecdsa::VerifyingKey;
use spki::{AlgorithmIdentifierOwned, SubjectPublicKeyInfoOwned};
use x509_cert::Version;
use x509_cert::ext::Extensions;
use x509_cert::ext::pkix::KeyUsages;
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::time::Validity;

use crate::cert_parsed::ParsedCert;
use crate::error::{PkiError, Result};
use crate::extensions::{self, key_identifier};
use crate::key::{SigningKeyPair, spki_der_of};
use crate::name::{NameSpec, build_name};
use crate::oids;
use crate::time::time_from_unix;

/// Which kind of certificate to issue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    /// Self-signed trust anchor: cA=TRUE (critical), KeyUsage keyCertSign|cRLSign (critical).
    Root,
    /// Issuing CA below the root: cA=TRUE, pathLen=0 (critical), keyCertSign|cRLSign (critical).
    IssuerCa,
    /// Document seal: cA=FALSE (critical), KeyUsage digitalSignature|nonRepudiation (critical).
    Seal,
    /// Time-stamping authority (RFC 3161 §2.3), issued by the root: cA=FALSE (critical), KeyUsage
    /// digitalSignature (critical), ExtendedKeyUsage {id-kp-timeStamping} (critical).
    TimeStampAuthority,
}

/// Everything that varies between certificates, apart from keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertSpec {
    /// Serial number entropy; the top bit is cleared so the INTEGER is positive.
    /// Must not be all zero.
    pub serial: [u8; 16],
    /// Subject name pieces.
    pub subject: NameSpec,
    /// notBefore, unix seconds (≥ 0). For a certificate signed by a CA, raised to the CA's notBefore if
    /// earlier (see [`validity_within_issuer`]).
    pub not_before_unix: i64,
    /// notAfter, unix seconds (≥ not_before_unix). For a certificate signed by a CA, lowered to the CA's
    /// notAfter if later: no certificate outlives the CA that signs it.
    pub not_after_unix: i64,
    /// Certificate role.
    pub profile: Profile,
}

/// Who signs the certificate.
#[derive(Debug, Clone, Copy)]
pub enum CertIssuer<'a> {
    /// Self-signed with this key ([`Profile::Root`] only). The subject public key must
    /// be this key's public key.
    SelfSigned(&'a SigningKeyPair),
    /// Signed by a CA: its certificate (DER) and its key ([`Profile::IssuerCa`] / [`Profile::Seal`]).
    Ca {
        /// The issuing CA's certificate, DER.
        cert_der: &'a [u8],
        /// The issuing CA's key; must match the certificate's public key.
        key: &'a SigningKeyPair,
    },
}

/// RFC 5280 TBSCertificate, v3 only (field order is the ASN.1 order).
#[derive(Sequence)]
struct TbsCertificateV3 {
    #[asn1(context_specific = "0", tag_mode = "EXPLICIT")]
    version: Version,
    serial_number: SerialNumber,
    signature: AlgorithmIdentifierOwned,
    /// Issuer Name, copied byte-for-byte from the issuer's certificate.
    issuer: Any,
    validity: Validity,
    subject: Name,
    subject_public_key_info: SubjectPublicKeyInfoOwned,
    #[asn1(context_specific = "3", tag_mode = "EXPLICIT")]
    extensions: Extensions,
}

/// RFC 5280 Certificate with the TBSCertificate carried as already-encoded DER.
#[derive(Sequence)]
struct CertificateOut {
    tbs_certificate: Any,
    signature_algorithm: AlgorithmIdentifierOwned,
    signature: BitString,
}

fn ecdsa_with_sha256() -> AlgorithmIdentifierOwned {
    AlgorithmIdentifierOwned { oid: oids::ECDSA_WITH_SHA256, parameters: None }
}

/// Issue a certificate and return its DER.
///
/// The subject key is given as a `p256` verifying key; use
/// [`crate::key::p256_verifying_key_from_spki`] to get one from SPKI DER.
///
/// A certificate signed by a CA gets the requested validity nested inside the CA's own
/// ([`validity_within_issuer`]): cut to it, or refused with [`PkiError::InvalidValidity`] if nothing is left.
pub fn build_certificate(
    spec: &CertSpec,
    subject_public_key: &VerifyingKey,
    issuer: CertIssuer<'_>,
) -> Result<Vec<u8>> {
    if spec.not_before_unix > spec.not_after_unix {
        return Err(PkiError::InvalidValidity);
    }
    // The request itself must be representable, whatever nesting would make of it.
    time_from_unix(spec.not_before_unix)?;
    time_from_unix(spec.not_after_unix)?;
    let nested;
    let spec = match issuer {
        CertIssuer::Ca { cert_der, .. } => {
            let (not_before_unix, not_after_unix) =
                validity_within_issuer(spec.not_before_unix, spec.not_after_unix, cert_der)?;
            nested = CertSpec { not_before_unix, not_after_unix, ..spec.clone() };
            &nested
        }
        CertIssuer::SelfSigned(_) => spec,
    };
    let mut serial = spec.serial;
    if let Some(first) = serial.first_mut() {
        *first &= 0x7f;
    }
    if serial.iter().all(|&b| b == 0) {
        return Err(PkiError::Encoding("serial number must be non-zero"));
    }
    let serial_number = SerialNumber::new(&serial).map_err(|_| PkiError::Encoding("serial"))?;

    let subject = build_name(&spec.subject)?;
    let subject_der = subject.to_der().map_err(|_| PkiError::Encoding("subject"))?;
    let spki_der = spki_der_of(subject_public_key)?;
    let spki =
        SubjectPublicKeyInfoOwned::from_der(&spki_der).map_err(|_| PkiError::Encoding("subject public key info"))?;
    let ski = key_identifier(spki.subject_public_key.raw_bytes());

    // Issuer name, authority key id and signing key, by profile.
    let (issuer_name_der, aki, signer): (Vec<u8>, Vec<u8>, &SigningKeyPair) = match (spec.profile, issuer) {
        (Profile::Root, CertIssuer::SelfSigned(key)) => {
            if key.verifying_key() != subject_public_key {
                return Err(PkiError::InvalidKey("self-signed: subject key is not the signing key"));
            }
            (subject_der, ski.to_vec(), key)
        }
        (Profile::IssuerCa | Profile::Seal | Profile::TimeStampAuthority, CertIssuer::Ca { cert_der, key }) => {
            let ca = ParsedCert::from_der(cert_der)?;
            if ca.spki_der() != key.spki_der()?.as_slice() {
                return Err(PkiError::InvalidKey("issuer key does not match issuer certificate"));
            }
            if !ca.is_ca() {
                return Err(PkiError::IssuerNotCa);
            }
            if !ca.key_usage().is_some_and(|ku| ku.key_cert_sign()) {
                return Err(PkiError::IssuerKeyUsage);
            }
            if spec.profile == Profile::IssuerCa && ca.path_len() == Some(0) {
                return Err(PkiError::PathLenExceeded);
            }
            let aki = match ca.subject_key_id() {
                Some(id) => id.to_vec(),
                None => {
                    let ca_spki = SubjectPublicKeyInfoOwned::from_der(ca.spki_der())
                        .map_err(|_| PkiError::Malformed("issuer public key info"))?;
                    key_identifier(ca_spki.subject_public_key.raw_bytes()).to_vec()
                }
            };
            (ca.subject_der().to_vec(), aki, key)
        }
        (Profile::Root, CertIssuer::Ca { .. }) => {
            return Err(PkiError::Encoding("root profile must be self-signed"));
        }
        (Profile::IssuerCa | Profile::Seal | Profile::TimeStampAuthority, CertIssuer::SelfSigned(_)) => {
            return Err(PkiError::Encoding("only the root profile may be self-signed"));
        }
    };

    let (ca, path_len, usages): (bool, Option<u8>, FlagSet<KeyUsages>) = match spec.profile {
        Profile::Root => (true, None, KeyUsages::KeyCertSign | KeyUsages::CRLSign),
        Profile::IssuerCa => (true, Some(0), KeyUsages::KeyCertSign | KeyUsages::CRLSign),
        Profile::Seal => (false, None, KeyUsages::DigitalSignature | KeyUsages::NonRepudiation),
        Profile::TimeStampAuthority => (false, None, KeyUsages::DigitalSignature.into()),
    };
    let mut exts: Extensions = vec![
        extensions::basic_constraints(ca, path_len)?,
        extensions::key_usage(usages)?,
        extensions::subject_key_id(&ski)?,
        extensions::authority_key_id(&aki)?,
    ];
    if spec.profile == Profile::TimeStampAuthority {
        exts.push(extensions::time_stamping_eku()?);
    }

    let tbs = TbsCertificateV3 {
        version: Version::V3,
        serial_number,
        signature: ecdsa_with_sha256(),
        issuer: Any::from_der(&issuer_name_der).map_err(|_| PkiError::Malformed("issuer name"))?,
        validity: Validity::new(time_from_unix(spec.not_before_unix)?, time_from_unix(spec.not_after_unix)?),
        subject,
        subject_public_key_info: spki,
        extensions: exts,
    };
    let tbs_der = tbs.to_der().map_err(|_| PkiError::Encoding("tbsCertificate"))?;
    let signature = signer.sign_prehashed_der(&tbs_der)?;

    let cert = CertificateOut {
        tbs_certificate: Any::from_der(&tbs_der).map_err(|_| PkiError::Encoding("tbsCertificate"))?,
        signature_algorithm: ecdsa_with_sha256(),
        signature: BitString::from_bytes(&signature).map_err(|_| PkiError::Encoding("signature"))?,
    };
    let der = cert.to_der().map_err(|_| PkiError::Encoding("certificate"))?;

    // Self-check: x509-cert must accept what we produced, and the TBS must be ours.
    let parsed = ParsedCert::from_der(&der)?;
    if parsed.tbs_der() != tbs_der.as_slice() {
        return Err(PkiError::Encoding("certificate self-check"));
    }
    Ok(der)
}

/// The validity (notBefore, notAfter; unix seconds) that a certificate requested for `[not_before, not_after]`
/// gets when the CA whose certificate is `issuer_cert_der` signs it: the request cut to the CA's own validity,
/// so the certificate neither predates nor outlives its issuer (whatever the issuer: issuing CA, root).
/// [`build_certificate`] applies it to every CA-signed certificate; callers use it to know the result ahead.
///
/// Errors: [`PkiError::InvalidValidity`] if the request is inverted or lies wholly outside the CA's validity
/// (nothing left), or the issuer certificate's parse error.
pub fn validity_within_issuer(not_before: i64, not_after: i64, issuer_cert_der: &[u8]) -> Result<(i64, i64)> {
    let ca = ParsedCert::from_der(issuer_cert_der)?;
    let nested = (not_before.max(ca.not_before()), not_after.min(ca.not_after()));
    if not_before > not_after || nested.0 > nested.1 {
        return Err(PkiError::InvalidValidity);
    }
    Ok(nested)
}
