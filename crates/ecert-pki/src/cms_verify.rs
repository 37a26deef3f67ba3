//! Strict, fail-closed parsing and verification of the CMS `SignedData` this project deals in: the detached
//! seal signature produced by [`crate::cms_sign::sign_detached`] (PAdES), and the RFC 3161 time-stamp token
//! inside it ([`crate::time_stamp_token`]).
//!
//! Only two shapes parse: ContentInfo(id-signedData) → SignedData with SHA-256 digests, embedded X.509
//! certificates and exactly one SignerInfo v1 (IssuerAndSerialNumber, ecdsa-with-SHA256, signed attributes
//! present), carrying either detached id-data (version 1: a seal) or an attached id-ct-TSTInfo (version 3, RFC
//! 5652 §5.1: a time-stamp token). Everything else is an error.
//!
//! What parses is not yet the one canonical copy the issuer writes: unsigned attributes, CRLs, the order and
//! choice of certificates and high-S signatures are reported ([`SignedCms::unsigned_attributes`],
//! [`SignedCms::has_crls`], [`SignedCms::certificates`], [`crate::ecdsa_verify::is_low_s`]) for the verifier to
//! judge; they do not make the signature invalid.

use cms::cert::CertificateChoices;
use cms::content_info::{CmsVersion, ContentInfo};
use cms::signed_data::{SignedData, SignerIdentifier};
use const_oid::ObjectIdentifier;
use der::{Decode, Encode};
use spki::AlgorithmIdentifierOwned;

use crate::cert_parsed::ParsedCert;
use crate::error::{PkiError, Result};
use crate::ess::EssCertIdV2;
use crate::key::verify_p256_sha256;
use crate::oids;
use crate::raw_der::{self, Tlv};
use crate::signed_attrs::{self, IMPLICIT_0_TAG, SET_TAG, SignedAttrValues};

/// Largest CMS DER object accepted (bytes, excluding zero padding).
pub const MAX_CMS_DER_LEN: usize = 64 * 1024;
/// Largest input accepted, including trailing zero padding (a PDF `/Contents` slot).
pub const MAX_CMS_INPUT_LEN: usize = 1024 * 1024;
/// Most certificates accepted in `SignedData.certificates`.
pub const MAX_CERTIFICATES: usize = 8;

/// DER tag byte of `[0] IMPLICIT` certificates in SignedData.
const CERTIFICATES_TAG: u8 = 0xA0;

/// What a SignedData encapsulates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encapsulated {
    /// Detached id-data, SignedData version 1: a PAdES seal over the PDF's byte ranges.
    DetachedData,
    /// Attached id-ct-TSTInfo, SignedData version 3: an RFC 3161 time-stamp token.
    TstInfo,
}

impl Encapsulated {
    fn content_type(self) -> ObjectIdentifier {
        match self {
            Encapsulated::DetachedData => oids::ID_DATA,
            Encapsulated::TstInfo => oids::ID_CT_TST_INFO,
        }
    }
    fn version(self) -> CmsVersion {
        match self {
            Encapsulated::DetachedData => CmsVersion::V1,
            Encapsulated::TstInfo => CmsVersion::V3,
        }
    }
}

/// One unsigned attribute of the SignerInfo: its type and the DER of each value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnsignedAttribute {
    /// The attribute type.
    pub oid: ObjectIdentifier,
    /// Each value's DER, in the order they were encoded.
    pub values: Vec<Vec<u8>>,
}

/// A parsed CMS signature, ready for [`SignedCms::verify`].
#[derive(Debug, Clone)]
pub struct SignedCms {
    der_len: usize,
    encapsulated: Encapsulated,
    econtent: Option<Vec<u8>>,
    unsigned_attrs: Vec<UnsignedAttribute>,
    has_crls: bool,
    certificates: Vec<ParsedCert>,
    signer: ParsedCert,
    signed_attrs_der: Vec<u8>,
    signature: Vec<u8>,
    attrs: SignedAttrValues,
}

fn is_sha256(alg: &AlgorithmIdentifierOwned) -> bool {
    // RFC 5754: parameters absent (preferred) or NULL must both be accepted.
    alg.oid == oids::SHA256 && alg.parameters.as_ref().is_none_or(|p| p.is_null())
}

/// Child TLVs of `parent`, which must carry `tag`.
fn expect_children<'a>(parent: &Tlv<'a>, tag: u8, what: &'static str) -> Result<Vec<Tlv<'a>>> {
    if parent.tag_byte != tag {
        return Err(PkiError::Malformed(what));
    }
    raw_der::children(parent, what)
}

/// The exact bytes the structured decoder saw, located by walking the raw DER:
/// (certificate TLVs, signedAttrs `[0]` TLV).
fn raw_parts(der: &[u8]) -> Result<(Vec<&[u8]>, Tlv<'_>)> {
    let ci = raw_der::read_single_tlv(der, "ContentInfo")?;
    let ci_fields = expect_children(&ci, 0x30, "ContentInfo")?;
    let explicit = ci_fields.get(1).ok_or(PkiError::Malformed("ContentInfo"))?;
    let sd = match expect_children(explicit, 0xA0, "ContentInfo content")?.as_slice() {
        [one] => *one,
        _ => return Err(PkiError::Malformed("ContentInfo content")),
    };
    let sd_fields = expect_children(&sd, 0x30, "SignedData")?;

    let certs = match sd_fields.iter().find(|f| f.tag_byte == CERTIFICATES_TAG) {
        Some(set) => raw_der::children(set, "certificates")?.into_iter().map(|c| c.whole).collect(),
        None => Vec::new(),
    };

    let signer_infos = sd_fields.last().ok_or(PkiError::Malformed("SignedData"))?;
    let signer_info = match expect_children(signer_infos, SET_TAG, "signerInfos")?.as_slice() {
        [one] => *one,
        other => return Err(PkiError::SignerInfoCount(other.len())),
    };
    let si_fields = expect_children(&signer_info, 0x30, "SignerInfo")?;
    // version(0) sid(1) digestAlgorithm(2) [0] signedAttrs(3)
    let attrs = si_fields.get(3).filter(|f| f.tag_byte == IMPLICIT_0_TAG).ok_or(PkiError::SignedAttrsMissing)?;
    Ok((certs, *attrs))
}

/// The signature value of a raw certificate: the content of its last field (a BIT STRING), after the
/// unused-bits octet.
fn raw_signature_value(cert: &[u8]) -> Result<&[u8]> {
    let tlv = raw_der::read_single_tlv(cert, "certificate")?;
    let fields = raw_der::children(&tlv, "certificate")?;
    match fields.as_slice() {
        [_, _, signature] if signature.tag_byte == 0x03 => match signature.value.split_first() {
            Some((0, bits)) => Ok(bits),
            _ => Err(PkiError::Malformed("certificate signature")),
        },
        _ => Err(PkiError::Malformed("certificate")),
    }
}

/// Parse a detached CMS signature (DER `ContentInfo`), optionally followed by
/// zero bytes only (PDF `/Contents` padding).
///
/// Rejects: inputs over [`MAX_CMS_INPUT_LEN`] or DER objects over
/// [`MAX_CMS_DER_LEN`]; non-zero trailing bytes; non-DER encodings; content types
/// other than id-signedData / id-data; attached content; versions other than 1;
/// digest algorithms other than SHA-256; signature algorithms other than
/// ecdsa-with-SHA256 (absent parameters); anything but exactly one SignerInfo;
/// a SubjectKeyIdentifier sid; missing signed attributes; duplicate attribute
/// types or attributes without exactly one value; more than [`MAX_CERTIFICATES`]
/// certificates; a signer certificate that is missing or ambiguous.
pub fn parse_signed_data(input: &[u8]) -> Result<SignedCms> {
    parse_shape(input, Encapsulated::DetachedData)
}

/// Parse a CMS SignedData of the given shape (see [`parse_signed_data`] for the rules both shapes share).
pub fn parse_shape(input: &[u8], shape: Encapsulated) -> Result<SignedCms> {
    if input.len() > MAX_CMS_INPUT_LEN {
        return Err(PkiError::TooLarge { len: input.len(), limit: MAX_CMS_INPUT_LEN });
    }
    let der_len = raw_der::der_len_before_zero_padding(input, "ContentInfo")?;
    if der_len > MAX_CMS_DER_LEN {
        return Err(PkiError::TooLarge { len: der_len, limit: MAX_CMS_DER_LEN });
    }
    let der = input.get(..der_len).ok_or(PkiError::Malformed("ContentInfo"))?;

    // Structured, strict-DER decode first.
    let ci = ContentInfo::from_der(der).map_err(|_| PkiError::Malformed("ContentInfo"))?;
    if ci.content_type != oids::ID_SIGNED_DATA {
        return Err(PkiError::ContentTypeMismatch);
    }
    let sd: SignedData = ci.content.decode_as().map_err(|_| PkiError::Malformed("SignedData"))?;
    if sd.version != shape.version() {
        return Err(PkiError::UnsupportedVersion);
    }
    if sd.digest_algorithms.is_empty() || !sd.digest_algorithms.iter().all(is_sha256) {
        return Err(PkiError::UnsupportedAlgorithm("digestAlgorithms"));
    }
    if sd.encap_content_info.econtent_type != shape.content_type() {
        return Err(PkiError::ContentTypeMismatch);
    }
    let econtent = match (shape, &sd.encap_content_info.econtent) {
        (Encapsulated::DetachedData, None) => None,
        (Encapsulated::DetachedData, Some(_)) => return Err(PkiError::NotDetached),
        (Encapsulated::TstInfo, None) => return Err(PkiError::Malformed("time-stamp token without TSTInfo")),
        (Encapsulated::TstInfo, Some(any)) => {
            let octets: der::asn1::OctetString =
                any.decode_as().map_err(|_| PkiError::Malformed("encapsulated TSTInfo"))?;
            Some(octets.into_bytes().into_vec())
        }
    };
    let signer_info = match sd.signer_infos.0.as_slice() {
        [one] => one,
        other => return Err(PkiError::SignerInfoCount(other.len())),
    };
    if signer_info.version != CmsVersion::V1 {
        return Err(PkiError::UnsupportedVersion);
    }
    let SignerIdentifier::IssuerAndSerialNumber(sid) = &signer_info.sid else {
        return Err(PkiError::UnsupportedSignerIdentifier);
    };
    if !is_sha256(&signer_info.digest_alg) {
        return Err(PkiError::UnsupportedAlgorithm("SignerInfo digestAlgorithm"));
    }
    let sig_alg = &signer_info.signature_algorithm;
    if sig_alg.oid != oids::ECDSA_WITH_SHA256 || sig_alg.parameters.is_some() {
        return Err(PkiError::UnsupportedAlgorithm("SignerInfo signatureAlgorithm"));
    }
    if signer_info.signed_attrs.is_none() {
        return Err(PkiError::SignedAttrsMissing);
    }
    let unsigned_attrs = match &signer_info.unsigned_attrs {
        None => Vec::new(),
        Some(attrs) => attrs
            .iter()
            .map(|a| {
                let values = a
                    .values
                    .iter()
                    .map(|v| v.to_der().map_err(|_| PkiError::Malformed("unsigned attribute")))
                    .collect::<Result<Vec<_>>>()?;
                Ok(UnsignedAttribute { oid: a.oid, values })
            })
            .collect::<Result<Vec<_>>>()?,
    };
    let has_crls = sd.crls.is_some();
    let cert_choices = sd.certificates.map(|c| c.0.into_vec()).unwrap_or_default();
    if cert_choices.len() > MAX_CERTIFICATES {
        return Err(PkiError::TooManyCertificates(cert_choices.len()));
    }
    let decoded = cert_choices
        .into_iter()
        .map(|c| match c {
            CertificateChoices::Certificate(cert) => Ok(cert),
            _ => Err(PkiError::Malformed("non-X.509 certificate choice")),
        })
        .collect::<Result<Vec<_>>>()?;

    // Exact bytes: certificates (hashed by signingCertificateV2) and signed
    // attributes (covered by the signature) are never re-encoded.
    let (raw_certs, raw_attrs) = raw_parts(der)?;
    if raw_certs.len() != decoded.len() {
        return Err(PkiError::Malformed("certificates"));
    }
    // Each certificate was decoded (strictly) with the SignedData, but `der` sorts a SET OF as it decodes, so
    // the decoded list is a permutation of the file's certificates, not necessarily in the file's order. Pair
    // each raw certificate with a decoded one of the same length and signature value. Two different raw
    // certificates sharing that fingerprint are refused; otherwise every candidate is the decoding of the same
    // bytes, so the pair is the raw bytes' own decoding (no re-encoding, no second decode). The file's order is
    // kept for the canonical-form check.
    let fingerprints = raw_certs.iter().map(|raw| raw_signature_value(raw)).collect::<Result<Vec<_>>>()?;
    let mut decoded: Vec<Option<cms::cert::x509::Certificate>> = decoded.into_iter().map(Some).collect();
    let certificates = raw_certs
        .iter()
        .zip(&fingerprints)
        .map(|(&raw, &fingerprint)| {
            let same_fingerprint =
                raw_certs.iter().zip(&fingerprints).filter(|(r, f)| r.len() == raw.len() && **f == fingerprint);
            if same_fingerprint.clone().any(|(r, _)| *r != raw) {
                return Err(PkiError::Malformed("certificates"));
            }
            let cert = decoded
                .iter_mut()
                .find(|slot| {
                    slot.as_ref().is_some_and(|c| {
                        c.encoded_len().ok().and_then(|l| usize::try_from(l).ok()) == Some(raw.len())
                            && c.signature().as_bytes() == Some(fingerprint)
                    })
                })
                .and_then(Option::take)
                .ok_or(PkiError::Malformed("certificates"))?;
            ParsedCert::from_decoded(raw, cert)
        })
        .collect::<Result<Vec<_>>>()?;

    let mut matches = certificates.iter().filter(|c| {
        let tbs = c.certificate().tbs_certificate();
        tbs.issuer() == &sid.issuer && tbs.serial_number() == &sid.serial_number
    });
    let signer = match (matches.next(), matches.next()) {
        (Some(cert), None) => cert.clone(),
        (None, _) => return Err(PkiError::SignerCertMissing),
        (Some(_), Some(_)) => return Err(PkiError::SignerCertAmbiguous),
    };

    // The signature is over the SET encoding: same bytes with the tag 0xA0 → 0x31.
    let mut signed_attrs_der = raw_attrs.whole.to_vec();
    match signed_attrs_der.first_mut() {
        Some(tag) => *tag = SET_TAG,
        None => return Err(PkiError::SignedAttrsMissing),
    }
    let attrs = signed_attrs::parse(&signed_attrs_der)?;

    Ok(SignedCms {
        der_len,
        encapsulated: shape,
        econtent,
        unsigned_attrs,
        has_crls,
        certificates,
        signer,
        signed_attrs_der,
        signature: signer_info.signature.as_bytes().to_vec(),
        attrs,
    })
}

impl SignedCms {
    /// Length of the DER object (the input minus its zero padding).
    pub fn der_len(&self) -> usize {
        self.der_len
    }
    /// The encapsulated content (the TSTInfo DER of a time-stamp token; `None` for a detached seal).
    pub fn econtent(&self) -> Option<&[u8]> {
        self.econtent.as_deref()
    }
    /// The SignerInfo's unsigned attributes, as encoded.
    pub fn unsigned_attributes(&self) -> &[UnsignedAttribute] {
        &self.unsigned_attrs
    }
    /// Whether the SignedData carries a `crls` field (the issuer never writes one).
    pub fn has_crls(&self) -> bool {
        self.has_crls
    }
    /// The certificate matching the SignerInfo's issuer and serial number.
    pub fn signer_certificate(&self) -> &ParsedCert {
        &self.signer
    }
    /// All embedded certificates, in their DER SET order.
    pub fn certificates(&self) -> &[ParsedCert] {
        &self.certificates
    }
    /// The messageDigest attribute, if present.
    pub fn message_digest(&self) -> Option<&[u8]> {
        self.attrs.message_digest.as_deref()
    }
    /// The signingTime attribute as unix seconds, if present.
    pub fn signing_time(&self) -> Option<i64> {
        self.attrs.signing_time
    }
    /// The contentType attribute, if present.
    pub fn content_type(&self) -> Option<ObjectIdentifier> {
        self.attrs.content_type
    }
    /// certHash of the first ESSCertIDv2 in signingCertificateV2, if present.
    pub fn signing_certificate_v2_hash(&self) -> Option<&[u8]> {
        self.attrs.signing_cert_v2.as_ref().map(|id| id.cert_hash.as_bytes())
    }
    /// The first ESSCertIDv2 of signingCertificateV2, if present.
    pub fn signing_certificate_v2(&self) -> Option<&EssCertIdV2> {
        self.attrs.signing_cert_v2.as_ref()
    }
    /// DER SET encoding of the signed attributes: the exact bytes the signature covers.
    pub fn signed_attrs_der(&self) -> &[u8] {
        &self.signed_attrs_der
    }
    /// The DER ECDSA signature value.
    pub fn signature(&self) -> &[u8] {
        &self.signature
    }

    /// Verify the signature against the SHA-256 of the signed content (the PDF
    /// byte ranges). Checks, in order:
    ///
    /// 1. contentType attribute present and equal to the encapsulated content type (id-data, id-ct-TSTInfo);
    /// 2. messageDigest attribute present and equal to `content_sha256` (for a token: of its TSTInfo);
    /// 3. signingCertificateV2 present, certHash = SHA-256(signer cert DER), and
    ///    issuerSerial (if present) names the signer certificate;
    /// 4. the signer certificate's KeyUsage (if present) allows
    ///    digitalSignature or nonRepudiation;
    /// 5. the ECDSA P-256 signature over the signed attributes' DER SET bytes
    ///    verifies with the signer certificate's key.
    ///
    /// Certificate-chain and validity-time checks are the caller's job
    /// ([`crate::cert_chain::verify_issued_by`], [`ParsedCert::is_valid_at`]).
    pub fn verify(&self, content_sha256: &[u8; 32]) -> Result<()> {
        match self.attrs.content_type {
            None => return Err(PkiError::MissingAttribute("contentType")),
            Some(ct) if ct != self.encapsulated.content_type() => return Err(PkiError::ContentTypeMismatch),
            Some(_) => {}
        }
        let digest = self.attrs.message_digest.as_deref().ok_or(PkiError::MissingAttribute("messageDigest"))?;
        if digest != content_sha256.as_slice() {
            return Err(PkiError::DigestMismatch);
        }
        let signer = &self.signer;
        let cert_id = self.attrs.signing_cert_v2.as_ref().ok_or(PkiError::MissingAttribute("signingCertificateV2"))?;
        signed_attrs::check_signing_cert(cert_id, signer)?;
        if let Some(ku) = signer.key_usage()
            && !ku.digital_signature()
            && !ku.non_repudiation()
        {
            return Err(PkiError::SignerKeyUsage);
        }
        verify_p256_sha256(signer.spki_der(), &self.signed_attrs_der, &self.signature)
    }
}
