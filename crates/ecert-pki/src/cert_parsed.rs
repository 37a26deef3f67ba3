//! A parsed X.509 certificate that keeps its original DER, for verifiers.

use der::{Decode, Encode};
use x509_cert::Certificate;

use crate::error::{PkiError, Result};
use crate::extensions::{self, ExtensionSummary, KeyUsageBits};
use crate::key::hex_lower;
use crate::name;
use crate::oids;
use crate::raw_der;
use crate::time::time_to_unix;

/// Largest certificate accepted (DER bytes).
pub const MAX_CERT_LEN: usize = 16 * 1024;

/// Where a certificate's signed part and identifying fields lie in its DER, found by walking the outer TLVs
/// only (no field is decoded). For cheap checks over many certificates, e.g. a trust list's key ids and
/// issuer names; [`ParsedCert::from_der`] is the full, strict decoding and uses the same walk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CertificateOutline<'a> {
    /// The TBSCertificate, exactly as encoded (what the issuer signed).
    pub tbs: &'a [u8],
    /// The issuer Name DER.
    pub issuer: &'a [u8],
    /// The subject Name DER.
    pub subject: &'a [u8],
    /// The SubjectPublicKeyInfo DER.
    pub spki: &'a [u8],
}

impl<'a> CertificateOutline<'a> {
    /// Locate the fields of a DER certificate (one TLV, nothing after it, at most [`MAX_CERT_LEN`]).
    pub fn locate(der: &'a [u8]) -> Result<Self> {
        if der.len() > MAX_CERT_LEN {
            return Err(PkiError::TooLarge { len: der.len(), limit: MAX_CERT_LEN });
        }
        let outer = raw_der::read_single_tlv(der, "certificate")?;
        let parts = raw_der::children(&outer, "certificate")?;
        let tbs = parts.first().ok_or(PkiError::Malformed("certificate"))?;
        let fields = raw_der::children(tbs, "tbsCertificate")?;
        let skip = usize::from(fields.first().map(|f| f.tag_byte) == Some(0xA0));
        let field = |i: usize| -> Result<&'a [u8]> {
            fields.get(skip.saturating_add(i)).map(|f| f.whole).ok_or(PkiError::Malformed("tbsCertificate"))
        };
        // serialNumber(0) signature(1) issuer(2) validity(3) subject(4) subjectPublicKeyInfo(5)
        Ok(Self { tbs: tbs.whole, issuer: field(2)?, subject: field(4)?, spki: field(5)? })
    }
}

/// A certificate decoded from DER, together with the exact bytes that signatures
/// and hashes are computed over.
#[derive(Debug, Clone)]
pub struct ParsedCert {
    der: Vec<u8>,
    tbs_der: Vec<u8>,
    issuer_der: Vec<u8>,
    subject_der: Vec<u8>,
    spki_der: Vec<u8>,
    cert: Certificate,
    serial: Vec<u8>,
    not_before: i64,
    not_after: i64,
    subject_cn: Option<String>,
    subject_o: Option<String>,
    issuer_cn: Option<String>,
    issuer_o: Option<String>,
    ext: ExtensionSummary,
}

impl ParsedCert {
    /// Parse a DER certificate (strict DER, no trailing bytes, at most [`MAX_CERT_LEN`]).
    pub fn from_der(der: &[u8]) -> Result<Self> {
        if der.len() > MAX_CERT_LEN {
            return Err(PkiError::TooLarge { len: der.len(), limit: MAX_CERT_LEN });
        }
        let cert = Certificate::from_der(der).map_err(|_| PkiError::Malformed("certificate"))?;
        Self::from_decoded(der, cert)
    }

    /// Wrap a certificate that a strict DER decoder (the CMS `SignedData` decoder) already decoded from exactly
    /// `der`, instead of decoding it a second time. Strict DER has one encoding per value, so the structure and
    /// the bytes agree; as a guard against pairing a structure with the wrong bytes, its encoded length must
    /// be `der`'s length.
    pub(crate) fn from_decoded(der: &[u8], cert: Certificate) -> Result<Self> {
        if cert.encoded_len().ok().and_then(|l| usize::try_from(l).ok()) != Some(der.len()) {
            return Err(PkiError::Malformed("certificate"));
        }
        // The raw TBSCertificate and its fields; never re-encode for signatures. (Also refuses over
        // MAX_CERT_LEN, for certificates that arrive already decoded.)
        let outline = CertificateOutline::locate(der)?;
        let (tbs_der, issuer_der) = (outline.tbs.to_vec(), outline.issuer.to_vec());
        let (subject_der, spki_der) = (outline.subject.to_vec(), outline.spki.to_vec());

        let tbs_cert = cert.tbs_certificate();
        let validity = tbs_cert.validity();
        let not_before = time_to_unix(&validity.not_before)?;
        let not_after = time_to_unix(&validity.not_after)?;
        let ext = match tbs_cert.extensions() {
            Some(list) => extensions::summarize(list)?,
            None => ExtensionSummary::default(),
        };
        let serial = tbs_cert.serial_number().as_bytes().to_vec();

        Ok(Self {
            der: der.to_vec(),
            tbs_der,
            issuer_der,
            subject_der,
            spki_der,
            subject_cn: name::common_name(tbs_cert.subject())?,
            subject_o: name::organization(tbs_cert.subject())?,
            issuer_cn: name::common_name(tbs_cert.issuer())?,
            issuer_o: name::organization(tbs_cert.issuer())?,
            serial,
            not_before,
            not_after,
            ext,
            cert,
        })
    }

    /// The complete certificate DER, exactly as given.
    pub fn der(&self) -> &[u8] {
        &self.der
    }
    /// The TBSCertificate DER, exactly as it appears in the certificate.
    pub fn tbs_der(&self) -> &[u8] {
        &self.tbs_der
    }
    /// The subject Name DER, exactly as encoded.
    pub fn subject_der(&self) -> &[u8] {
        &self.subject_der
    }
    /// The issuer Name DER, exactly as encoded.
    pub fn issuer_der(&self) -> &[u8] {
        &self.issuer_der
    }
    /// SubjectPublicKeyInfo DER, exactly as encoded.
    pub fn spki_der(&self) -> &[u8] {
        &self.spki_der
    }
    /// The decoded `x509-cert` structure.
    pub fn certificate(&self) -> &Certificate {
        &self.cert
    }
    /// Subject common name (CN), if present.
    pub fn subject_cn(&self) -> Option<&str> {
        self.subject_cn.as_deref()
    }
    /// Subject organization (O), if present.
    pub fn subject_o(&self) -> Option<&str> {
        self.subject_o.as_deref()
    }
    /// Issuer common name (CN), if present.
    pub fn issuer_cn(&self) -> Option<&str> {
        self.issuer_cn.as_deref()
    }
    /// Issuer organization (O), if present.
    pub fn issuer_o(&self) -> Option<&str> {
        self.issuer_o.as_deref()
    }
    /// Serial number bytes (big-endian INTEGER contents as encoded).
    pub fn serial(&self) -> &[u8] {
        &self.serial
    }
    /// Serial number as lowercase hex without leading zero bytes.
    pub fn serial_hex(&self) -> String {
        let start = self.serial.iter().position(|&b| b != 0).unwrap_or(self.serial.len());
        let trimmed = self.serial.get(start..).unwrap_or_default();
        if trimmed.is_empty() { "00".into() } else { hex_lower(trimmed) }
    }
    /// notBefore as unix seconds.
    pub fn not_before(&self) -> i64 {
        self.not_before
    }
    /// notAfter as unix seconds.
    pub fn not_after(&self) -> i64 {
        self.not_after
    }
    /// Whether `unix_seconds` lies within [notBefore, notAfter] (inclusive, RFC 5280).
    pub fn is_valid_at(&self, unix_seconds: i64) -> bool {
        self.not_before <= unix_seconds && unix_seconds <= self.not_after
    }
    /// SubjectKeyIdentifier bytes, if the extension is present.
    pub fn subject_key_id(&self) -> Option<&[u8]> {
        self.ext.subject_key_id.as_deref()
    }
    /// AuthorityKeyIdentifier keyIdentifier bytes, if present.
    pub fn authority_key_id(&self) -> Option<&[u8]> {
        self.ext.authority_key_id.as_deref()
    }
    /// BasicConstraints cA.
    pub fn is_ca(&self) -> bool {
        self.ext.is_ca
    }
    /// BasicConstraints pathLenConstraint.
    pub fn path_len(&self) -> Option<u8> {
        self.ext.path_len
    }
    /// KeyUsage bits, `None` when the extension is absent.
    pub fn key_usage(&self) -> Option<KeyUsageBits> {
        self.ext.key_usage
    }
    /// Whether an ExtendedKeyUsage extension is present.
    pub fn has_extended_key_usage(&self) -> bool {
        self.ext.has_extended_key_usage
    }
    /// Whether the ExtendedKeyUsage is critical and exactly id-kp-timeStamping (a TSA certificate).
    pub fn is_time_stamping_only(&self) -> bool {
        self.ext.time_stamping_only
    }
    /// Whether a critical extension this crate does not interpret is present.
    pub fn has_unknown_critical_extension(&self) -> bool {
        self.ext.has_unknown_critical
    }
    /// True if the outer and inner signature algorithms are both
    /// ecdsa-with-SHA256 with absent parameters.
    pub fn is_ecdsa_sha256_signed(&self) -> bool {
        let outer = self.cert.signature_algorithm();
        let inner = self.cert.tbs_certificate().signature();
        outer.oid == oids::ECDSA_WITH_SHA256 && outer.parameters.is_none() && inner == outer
    }
    /// The raw signature bytes (BIT STRING contents), if the bit string is octet-aligned.
    pub fn signature_bytes(&self) -> Option<&[u8]> {
        self.cert.signature().as_bytes()
    }
    /// Whether subject and issuer names are byte-identical (self-issued).
    pub fn is_self_issued(&self) -> bool {
        self.subject_der == self.issuer_der
    }
}

/// DER re-encoding of a certificate (helper for callers holding an `x509-cert` value).
pub fn certificate_to_der(cert: &Certificate) -> Result<Vec<u8>> {
    cert.to_der().map_err(|_| PkiError::Encoding("certificate"))
}
