//! Producing a PAdES B-B detached CMS `SignedData` (the bytes that go into a
//! PDF signature's `/Contents`).

use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{
    CertificateSet, EncapsulatedContentInfo, SignedData, SignerIdentifier, SignerInfo, SignerInfos,
};
use der::asn1::{OctetString, SetOfVec};
use der::{Any, Encode};
use spki::AlgorithmIdentifierOwned;

use crate::cert_parsed::ParsedCert;
use crate::cms_verify::{MAX_CERTIFICATES, parse_signed_data};
use crate::error::{PkiError, Result};
use crate::key::SigningKeyPair;
use crate::oids;
use crate::signed_attrs;

fn sha256_alg() -> AlgorithmIdentifierOwned {
    AlgorithmIdentifierOwned { oid: oids::SHA256, parameters: None }
}

/// Build a detached CMS SignedData (DER `ContentInfo`) over content whose
/// SHA-256 is `content_sha256`.
///
/// * SignedData v1, digestAlgorithms {sha256}, eContentType id-data without eContent;
/// * certificates: the signer certificate plus `extra_certs_der` (e.g. the issuing
///   CA), duplicates dropped, at most [`MAX_CERTIFICATES`];
/// * one SignerInfo v1 identified by IssuerAndSerialNumber, with signed attributes
///   contentType, signingTime, messageDigest and signingCertificateV2 in DER order,
///   signed with ecdsa-with-SHA256 over their DER SET encoding.
///
/// `key` must be the key of `signer_cert_der`. The output is parsed and verified
/// with [`parse_signed_data`] before it is returned.
pub fn sign_detached(
    content_sha256: [u8; 32],
    signing_time_unix: i64,
    signer_cert_der: &[u8],
    extra_certs_der: &[&[u8]],
    key: &SigningKeyPair,
) -> Result<Vec<u8>> {
    let signer = ParsedCert::from_der(signer_cert_der)?;
    if signer.spki_der() != key.spki_der()?.as_slice() {
        return Err(PkiError::InvalidKey("signing key does not match signer certificate"));
    }

    // Certificates: signer first, then extras; identical DER only once.
    let mut cert_ders: Vec<&[u8]> = vec![signer_cert_der];
    for extra in extra_certs_der {
        if !cert_ders.contains(extra) {
            cert_ders.push(extra);
        }
    }
    if cert_ders.len() > MAX_CERTIFICATES {
        return Err(PkiError::TooManyCertificates(cert_ders.len()));
    }
    let mut certs = Vec::with_capacity(cert_ders.len());
    for der in &cert_ders {
        let parsed = if *der == signer_cert_der { signer.clone() } else { ParsedCert::from_der(der)? };
        // CertificateSet holds decoded certificates; make sure re-encoding them
        // reproduces the exact bytes (signingCertificateV2 hashes the original DER).
        let reencoded = parsed.certificate().to_der().map_err(|_| PkiError::Encoding("certificate"))?;
        if reencoded.as_slice() != *der {
            return Err(PkiError::Encoding("certificate does not round-trip through DER"));
        }
        certs.push(CertificateChoices::Certificate(parsed.certificate().clone()));
    }

    let attrs = signed_attrs::build(&content_sha256, signing_time_unix, &signer)?;
    // The signature covers the DER SET encoding (tag 0x31) of the attributes.
    let attrs_set_der = attrs.to_der().map_err(|_| PkiError::Encoding("signed attributes"))?;
    let signature = key.sign_prehashed_der(&attrs_set_der)?;

    let tbs = signer.certificate().tbs_certificate();
    let signer_info = SignerInfo {
        version: CmsVersion::V1,
        sid: SignerIdentifier::IssuerAndSerialNumber(IssuerAndSerialNumber {
            issuer: tbs.issuer().clone(),
            serial_number: tbs.serial_number().clone(),
        }),
        digest_alg: sha256_alg(),
        signed_attrs: Some(attrs),
        signature_algorithm: AlgorithmIdentifierOwned { oid: oids::ECDSA_WITH_SHA256, parameters: None },
        signature: OctetString::new(signature).map_err(|_| PkiError::Encoding("signature"))?,
        unsigned_attrs: None,
    };

    let signed_data = SignedData {
        version: CmsVersion::V1,
        digest_algorithms: SetOfVec::try_from(vec![sha256_alg()])
            .map_err(|_| PkiError::Encoding("digestAlgorithms"))?,
        encap_content_info: EncapsulatedContentInfo { econtent_type: oids::ID_DATA, econtent: None },
        certificates: Some(CertificateSet(SetOfVec::try_from(certs).map_err(|_| PkiError::Encoding("certificates"))?)),
        crls: None,
        signer_infos: SignerInfos(
            SetOfVec::try_from(vec![signer_info]).map_err(|_| PkiError::Encoding("signerInfos"))?,
        ),
    };
    let content_info = ContentInfo {
        content_type: oids::ID_SIGNED_DATA,
        content: Any::encode_from(&signed_data).map_err(|_| PkiError::Encoding("SignedData"))?,
    };
    let der = content_info.to_der().map_err(|_| PkiError::Encoding("ContentInfo"))?;

    // Self-check with the strict verifier: catches any encoding drift between
    // what was signed and what was emitted.
    parse_signed_data(&der)?.verify(&content_sha256)?;
    Ok(der)
}
