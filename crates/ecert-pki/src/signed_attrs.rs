//! The CMS signed-attribute set of a PAdES signature (and of a time-stamp token): building it for the
//! signer and reading it back, strictly, for the verifier.

use const_oid::ObjectIdentifier;
use der::asn1::{OctetString, SetOfVec};
use der::{Any, Decode, Encode};
use sha2::{Digest, Sha256};
use x509_cert::attr::{Attribute, Attributes};
use x509_cert::ext::pkix::name::GeneralName;
use x509_cert::time::Time;

use crate::cert_parsed::ParsedCert;
use crate::error::{PkiError, Result};
use crate::ess::{EssCertIdV2, IssuerSerial, SigningCertificateV2};
use crate::oids;
use crate::time::{time_from_unix, time_to_unix};

/// DER tag byte of a universal SET (what the signature covers).
pub const SET_TAG: u8 = 0x31;
/// DER tag byte of `[0] IMPLICIT` constructed (how signedAttrs appear in SignerInfo).
pub const IMPLICIT_0_TAG: u8 = 0xA0;

fn attribute(oid: ObjectIdentifier, value: &impl Encode, what: &'static str) -> Result<Attribute> {
    let der = value.to_der().map_err(|_| PkiError::Encoding(what))?;
    let any = Any::from_der(&der).map_err(|_| PkiError::Encoding(what))?;
    let values = SetOfVec::try_from(vec![any]).map_err(|_| PkiError::Encoding(what))?;
    Ok(Attribute { oid, values })
}

/// Build contentType(`content_type`: id-data for a seal, id-ct-TSTInfo for a time-stamp token), signingTime,
/// messageDigest and signingCertificateV2 for `signer`, as a DER SET OF (sorted by encoding).
pub fn build(
    content_type: ObjectIdentifier,
    content_sha256: &[u8; 32],
    signing_time_unix: i64,
    signer: &ParsedCert,
) -> Result<Attributes> {
    let tbs = signer.certificate().tbs_certificate();
    let cert_hash: [u8; 32] = Sha256::digest(signer.der()).into();
    let signing_cert = SigningCertificateV2 {
        certs: vec![EssCertIdV2 {
            hash_algorithm: None, // DEFAULT id-sha256: omitted in DER
            cert_hash: OctetString::new(cert_hash.as_slice()).map_err(|_| PkiError::Encoding("certHash"))?,
            issuer_serial: Some(IssuerSerial {
                issuer: vec![GeneralName::DirectoryName(tbs.issuer().clone())],
                serial_number: tbs.serial_number().clone(),
            }),
        }],
        policies: None,
    };
    let digest = OctetString::new(content_sha256.as_slice()).map_err(|_| PkiError::Encoding("messageDigest"))?;
    let attrs = vec![
        attribute(oids::ATTR_CONTENT_TYPE, &content_type, "contentType")?,
        attribute(oids::ATTR_SIGNING_TIME, &time_from_unix(signing_time_unix)?, "signingTime")?,
        attribute(oids::ATTR_MESSAGE_DIGEST, &digest, "messageDigest")?,
        attribute(oids::ATTR_SIGNING_CERTIFICATE_V2, &signing_cert, "signingCertificateV2")?,
    ];
    // SetOfVec sorts by DER encoding (tag, then length, then contents), as X.690 §11.6 requires.
    SetOfVec::try_from(attrs).map_err(|_| PkiError::Encoding("signed attributes"))
}

/// The values a verifier needs from the signed attributes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SignedAttrValues {
    /// contentType attribute.
    pub content_type: Option<ObjectIdentifier>,
    /// messageDigest attribute.
    pub message_digest: Option<Vec<u8>>,
    /// signingTime attribute, unix seconds.
    pub signing_time: Option<i64>,
    /// First ESSCertIDv2 of signingCertificateV2.
    pub signing_cert_v2: Option<EssCertIdV2>,
}

/// Parse the signed attributes from their DER SET encoding (tag 0x31), insisting
/// that the bytes are exactly DER (sorted, minimal), that no attribute type
/// repeats and that every attribute has exactly one value.
pub fn parse(set_der: &[u8]) -> Result<SignedAttrValues> {
    let attrs = Attributes::from_der(set_der).map_err(|_| PkiError::Malformed("signed attributes"))?;
    // `der` sorts SET OF on decode instead of rejecting misordered input, so a
    // re-encoding that differs means the original was not DER.
    let canonical = attrs.to_der().map_err(|_| PkiError::Malformed("signed attributes"))?;
    if canonical != set_der {
        return Err(PkiError::Malformed("signed attributes are not in DER form"));
    }
    if attrs.is_empty() {
        return Err(PkiError::Malformed("signed attributes are empty"));
    }

    let mut out = SignedAttrValues::default();
    for (i, attr) in attrs.iter().enumerate() {
        if attrs.iter().take(i).any(|earlier| earlier.oid == attr.oid) {
            return Err(PkiError::DuplicateAttribute);
        }
        let value = match attr.values.as_slice() {
            [one] => one,
            _ => return Err(PkiError::AttributeValueCount),
        };
        match attr.oid {
            oid if oid == oids::ATTR_CONTENT_TYPE => {
                let ct: ObjectIdentifier = value.decode_as().map_err(|_| PkiError::Malformed("contentType"))?;
                out.content_type = Some(ct);
            }
            oid if oid == oids::ATTR_MESSAGE_DIGEST => {
                let md: OctetString = value.decode_as().map_err(|_| PkiError::Malformed("messageDigest"))?;
                out.message_digest = Some(md.as_bytes().to_vec());
            }
            oid if oid == oids::ATTR_SIGNING_TIME => {
                let t: Time = value.decode_as().map_err(|_| PkiError::Malformed("signingTime"))?;
                out.signing_time = Some(time_to_unix(&t)?);
            }
            oid if oid == oids::ATTR_SIGNING_CERTIFICATE_V2 => {
                let sc: SigningCertificateV2 =
                    value.decode_as().map_err(|_| PkiError::Malformed("signingCertificateV2"))?;
                if sc.policies.is_some() {
                    return Err(PkiError::Malformed("signingCertificateV2 policies unsupported"));
                }
                let first =
                    sc.certs.into_iter().next().ok_or(PkiError::Malformed("signingCertificateV2 without certs"))?;
                if let Some(alg) = &first.hash_algorithm {
                    let null_or_absent = alg.parameters.as_ref().is_none_or(|p| p.is_null());
                    if alg.oid != oids::SHA256 || !null_or_absent {
                        return Err(PkiError::UnsupportedAlgorithm("ESSCertIDv2 hashAlgorithm"));
                    }
                }
                out.signing_cert_v2 = Some(first);
            }
            // Other attributes are allowed (e.g. CMSAlgorithmProtection) but must still
            // obey the uniqueness and single-value rules above.
            _ => {}
        }
    }
    Ok(out)
}

/// Check that `id` identifies `signer`: certHash is SHA-256 of the certificate
/// DER and, if present, issuerSerial is exactly one directoryName equal to the
/// certificate's issuer plus its serial number.
pub fn check_signing_cert(id: &EssCertIdV2, signer: &ParsedCert) -> Result<()> {
    let expected: [u8; 32] = Sha256::digest(signer.der()).into();
    if id.cert_hash.as_bytes() != expected.as_slice() {
        return Err(PkiError::SigningCertV2Mismatch);
    }
    if let Some(is) = &id.issuer_serial {
        let tbs = signer.certificate().tbs_certificate();
        let issuer_ok = matches!(
            is.issuer.as_slice(),
            [GeneralName::DirectoryName(name)] if name == tbs.issuer()
        );
        if !issuer_ok || &is.serial_number != tbs.serial_number() {
            return Err(PkiError::SigningCertV2Mismatch);
        }
    }
    Ok(())
}
