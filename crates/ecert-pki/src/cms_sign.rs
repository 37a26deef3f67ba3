//! Producing CMS `SignedData`: the PAdES seal signature that goes into a PDF signature's `/Contents` (B-B without
//! a time-stamp, B-T with one), and — through the same builder — an RFC 3161 time-stamp token
//! ([`crate::time_stamp_token`]).

use cms::cert::{CertificateChoices, IssuerAndSerialNumber};
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{
    CertificateSet, EncapsulatedContentInfo, SignedData, SignerIdentifier, SignerInfo, SignerInfos,
};
use der::asn1::{OctetString, SetOfVec};
use der::{Any, Encode};
use sha2::{Digest as _, Sha256};
use spki::AlgorithmIdentifierOwned;
use x509_cert::attr::Attribute;

use crate::cert_parsed::ParsedCert;
use crate::cms_verify::{Encapsulated, MAX_CERTIFICATES, parse_signed_data};
use crate::error::{PkiError, Result};
use crate::key::SigningKeyPair;
use crate::oids;
use crate::signed_attrs;
use crate::time_stamp_token::{self, TimeStamper};
use crate::tst_info::any_of;

fn sha256_alg() -> AlgorithmIdentifierOwned {
    AlgorithmIdentifierOwned { oid: oids::SHA256, parameters: None }
}

/// What varies between a seal and a time-stamp token.
pub(crate) struct Content<'a> {
    pub(crate) shape: Encapsulated,
    /// The encapsulated content (a token's TSTInfo DER); `None` for a detached seal.
    pub(crate) econtent: Option<&'a [u8]>,
    /// SHA-256 of the signed content.
    pub(crate) sha256: [u8; 32],
}

/// The signer's certificate, its key and the certificates carried along.
pub(crate) struct Signer<'a> {
    pub(crate) cert_der: &'a [u8],
    pub(crate) extra_certs_der: &'a [&'a [u8]],
    pub(crate) key: &'a SigningKeyPair,
}

/// Build a SignedData (DER `ContentInfo`). `unsigned` is called with the signature value once it exists and
/// returns the SignerInfo's unsigned attributes (the seal's time-stamp token).
pub(crate) fn build_signed_data(
    content: &Content<'_>,
    signing_time_unix: i64,
    signer: &Signer<'_>,
    unsigned: &dyn Fn(&[u8]) -> Result<Vec<Attribute>>,
) -> Result<Vec<u8>> {
    let signer_cert = ParsedCert::from_der(signer.cert_der)?;
    if signer_cert.spki_der() != signer.key.spki_der()?.as_slice() {
        return Err(PkiError::InvalidKey("signing key does not match signer certificate"));
    }

    // Certificates: signer first, then extras; identical DER only once.
    let mut cert_ders: Vec<&[u8]> = vec![signer.cert_der];
    for extra in signer.extra_certs_der {
        if !cert_ders.contains(extra) {
            cert_ders.push(extra);
        }
    }
    if cert_ders.len() > MAX_CERTIFICATES {
        return Err(PkiError::TooManyCertificates(cert_ders.len()));
    }
    let mut certs = Vec::with_capacity(cert_ders.len());
    for der in &cert_ders {
        let parsed = if *der == signer.cert_der { signer_cert.clone() } else { ParsedCert::from_der(der)? };
        // CertificateSet holds decoded certificates; make sure re-encoding them
        // reproduces the exact bytes (signingCertificateV2 hashes the original DER).
        let reencoded = parsed.certificate().to_der().map_err(|_| PkiError::Encoding("certificate"))?;
        if reencoded.as_slice() != *der {
            return Err(PkiError::Encoding("certificate does not round-trip through DER"));
        }
        certs.push(CertificateChoices::Certificate(parsed.certificate().clone()));
    }

    let content_type = match content.shape {
        Encapsulated::DetachedData => oids::ID_DATA,
        Encapsulated::TstInfo => oids::ID_CT_TST_INFO,
    };
    let attrs = signed_attrs::build(content_type, &content.sha256, signing_time_unix, &signer_cert)?;
    // The signature covers the DER SET encoding (tag 0x31) of the attributes.
    let attrs_set_der = attrs.to_der().map_err(|_| PkiError::Encoding("signed attributes"))?;
    let signature = signer.key.sign_prehashed_der(&attrs_set_der)?;
    let unsigned_attrs = unsigned(&signature)?;

    let tbs = signer_cert.certificate().tbs_certificate();
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
        unsigned_attrs: if unsigned_attrs.is_empty() {
            None
        } else {
            Some(SetOfVec::try_from(unsigned_attrs).map_err(|_| PkiError::Encoding("unsigned attributes"))?)
        },
    };

    let (version, econtent) = match content.shape {
        Encapsulated::DetachedData => (CmsVersion::V1, None),
        Encapsulated::TstInfo => {
            let octets = OctetString::new(content.econtent.ok_or(PkiError::Encoding("TSTInfo"))?)
                .map_err(|_| PkiError::Encoding("TSTInfo"))?;
            (CmsVersion::V3, Some(Any::encode_from(&octets).map_err(|_| PkiError::Encoding("TSTInfo"))?))
        }
    };
    let signed_data = SignedData {
        version,
        digest_algorithms: SetOfVec::try_from(vec![sha256_alg()])
            .map_err(|_| PkiError::Encoding("digestAlgorithms"))?,
        encap_content_info: EncapsulatedContentInfo { econtent_type: content_type, econtent },
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
    content_info.to_der().map_err(|_| PkiError::Encoding("ContentInfo"))
}

/// Build a detached CMS SignedData (DER `ContentInfo`) over content whose SHA-256 is `content_sha256`, without
/// a time-stamp (PAdES B-B). ecert's verifier does not accept such a seal (every seal must be time-stamped:
/// [`sign_detached_time_stamped`]); this form exists for tests and for the forgeries they build.
///
/// * SignedData v1, digestAlgorithms {sha256}, eContentType id-data without eContent;
/// * certificates: the signer certificate plus `extra_certs_der` (e.g. the issuing
///   CA), duplicates dropped, at most [`MAX_CERTIFICATES`];
/// * one SignerInfo v1 identified by IssuerAndSerialNumber, with signed attributes
///   contentType, signingTime, messageDigest and signingCertificateV2 in DER order,
///   signed with ecdsa-with-SHA256 (low-S) over their DER SET encoding.
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
    let content = Content { shape: Encapsulated::DetachedData, econtent: None, sha256: content_sha256 };
    let signer = Signer { cert_der: signer_cert_der, extra_certs_der, key };
    let der = build_signed_data(&content, signing_time_unix, &signer, &|_| Ok(Vec::new()))?;
    // Self-check with the strict verifier: catches any encoding drift between
    // what was signed and what was emitted.
    parse_signed_data(&der)?.verify(&content_sha256)?;
    Ok(der)
}

/// As [`sign_detached`], plus the one unsigned attribute of a PAdES B-T seal: `id-aa-signatureTimeStampToken`
/// holding a token from `stamper` over SHA-256 of the SignerInfo's signature value (RFC 3161 Appendix A).
///
/// The token is checked before it is embedded: it must verify, cover this signature, and its `genTime` must be
/// within [`time_stamp_token::MAX_SIGNING_TIME_DRIFT`] of `signing_time_unix` (the verifier refuses a larger
/// gap). Whether its TSA is trusted is for the verifier's trust list to say.
pub fn sign_detached_time_stamped(
    content_sha256: [u8; 32],
    signing_time_unix: i64,
    signer_cert_der: &[u8],
    extra_certs_der: &[&[u8]],
    key: &SigningKeyPair,
    stamper: &dyn TimeStamper,
) -> Result<Vec<u8>> {
    let content = Content { shape: Encapsulated::DetachedData, econtent: None, sha256: content_sha256 };
    let signer = Signer { cert_der: signer_cert_der, extra_certs_der, key };
    let der = build_signed_data(&content, signing_time_unix, &signer, &|signature| {
        let imprint: [u8; 32] = Sha256::digest(signature).into();
        let token = stamper.time_stamp(&imprint)?;
        let stamp = time_stamp_token::verify(&token, &imprint)?;
        if stamp.gen_time.abs_diff(signing_time_unix) > time_stamp_token::MAX_SIGNING_TIME_DRIFT.unsigned_abs() {
            return Err(PkiError::SigningTimeDrift);
        }
        let values =
            SetOfVec::try_from(vec![any_of(&token, "time-stamp token")?]).map_err(|_| PkiError::Encoding("token"))?;
        Ok(vec![Attribute { oid: oids::ATTR_SIGNATURE_TIME_STAMP_TOKEN, values }])
    })?;
    parse_signed_data(&der)?.verify(&content_sha256)?;
    Ok(der)
}
