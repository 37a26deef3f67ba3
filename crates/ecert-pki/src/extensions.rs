//! The certificate extensions this project issues (BasicConstraints, KeyUsage, SubjectKeyIdentifier,
//! AuthorityKeyIdentifier, and a time-stamping authority's ExtendedKeyUsage): building them and reading them
//! back.

use der::asn1::OctetString;
use der::flagset::FlagSet;
use der::{Decode, Encode};
use sha2::{Digest, Sha256};
use x509_cert::ext::Extension;
use x509_cert::ext::pkix::{
    AuthorityKeyIdentifier, BasicConstraints, ExtendedKeyUsage, KeyUsage, KeyUsages, SubjectKeyIdentifier,
};

use crate::error::{PkiError, Result};
use crate::oids;

/// Length of key identifiers produced here (RFC 7093 method 1: leftmost 160 bits
/// of the SHA-256 of the subjectPublicKey BIT STRING value).
pub const KEY_ID_LEN: usize = 20;

/// Key identifier of a public key: first 20 bytes of SHA-256 over the
/// subjectPublicKey BIT STRING contents (the SEC1 point), per RFC 7093 §2 method 1.
pub fn key_identifier(subject_public_key_bits: &[u8]) -> [u8; KEY_ID_LEN] {
    let digest: [u8; 32] = Sha256::digest(subject_public_key_bits).into();
    let mut out = [0u8; KEY_ID_LEN];
    for (dst, src) in out.iter_mut().zip(digest.iter()) {
        *dst = *src;
    }
    out
}

/// KeyUsage bits, numbered as in RFC 5280 (bit 0 = digitalSignature … bit 8 = decipherOnly).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct KeyUsageBits(pub u16);

impl KeyUsageBits {
    /// digitalSignature (0).
    pub const DIGITAL_SIGNATURE: u16 = 1 << 0;
    /// nonRepudiation / contentCommitment (1).
    pub const NON_REPUDIATION: u16 = 1 << 1;
    /// keyEncipherment (2).
    pub const KEY_ENCIPHERMENT: u16 = 1 << 2;
    /// dataEncipherment (3).
    pub const DATA_ENCIPHERMENT: u16 = 1 << 3;
    /// keyAgreement (4).
    pub const KEY_AGREEMENT: u16 = 1 << 4;
    /// keyCertSign (5).
    pub const KEY_CERT_SIGN: u16 = 1 << 5;
    /// cRLSign (6).
    pub const CRL_SIGN: u16 = 1 << 6;

    /// True if every bit of `mask` is set.
    pub fn contains(self, mask: u16) -> bool {
        self.0 & mask == mask
    }
    /// digitalSignature is set.
    pub fn digital_signature(self) -> bool {
        self.contains(Self::DIGITAL_SIGNATURE)
    }
    /// nonRepudiation (contentCommitment) is set.
    pub fn non_repudiation(self) -> bool {
        self.contains(Self::NON_REPUDIATION)
    }
    /// keyCertSign is set.
    pub fn key_cert_sign(self) -> bool {
        self.contains(Self::KEY_CERT_SIGN)
    }
    /// cRLSign is set.
    pub fn crl_sign(self) -> bool {
        self.contains(Self::CRL_SIGN)
    }
}

fn wrap(oid: const_oid::ObjectIdentifier, critical: bool, inner: &impl Encode) -> Result<Extension> {
    let der = inner.to_der().map_err(|_| PkiError::Encoding("extension"))?;
    Ok(Extension {
        extn_id: oid,
        critical,
        extn_value: OctetString::new(der).map_err(|_| PkiError::Encoding("extension"))?,
    })
}

/// BasicConstraints, always critical.
pub fn basic_constraints(ca: bool, path_len: Option<u8>) -> Result<Extension> {
    let bc = BasicConstraints { ca, path_len_constraint: path_len };
    wrap(oids::EXT_BASIC_CONSTRAINTS, true, &bc)
}

/// KeyUsage, always critical.
pub fn key_usage(bits: FlagSet<KeyUsages>) -> Result<Extension> {
    wrap(oids::EXT_KEY_USAGE, true, &KeyUsage(bits))
}

/// ExtendedKeyUsage {id-kp-timeStamping}, critical: the one purpose of a time-stamping authority's certificate
/// (RFC 3161 §2.3: "the corresponding certificate MUST contain only one instance of the extended key usage field
/// extension ... with KeyPurposeID having value id-kp-timeStamping. This extension MUST be critical.").
pub fn time_stamping_eku() -> Result<Extension> {
    wrap(oids::EXT_EXTENDED_KEY_USAGE, true, &ExtendedKeyUsage(vec![oids::KP_TIME_STAMPING]))
}

/// SubjectKeyIdentifier (non-critical).
pub fn subject_key_id(key_id: &[u8]) -> Result<Extension> {
    let ski = SubjectKeyIdentifier(OctetString::new(key_id).map_err(|_| PkiError::Encoding("key identifier"))?);
    wrap(oids::EXT_SUBJECT_KEY_ID, false, &ski)
}

/// AuthorityKeyIdentifier with only `keyIdentifier` (non-critical).
pub fn authority_key_id(key_id: &[u8]) -> Result<Extension> {
    let aki = AuthorityKeyIdentifier {
        key_identifier: Some(OctetString::new(key_id).map_err(|_| PkiError::Encoding("key identifier"))?),
        authority_cert_issuer: None,
        authority_cert_serial_number: None,
    };
    wrap(oids::EXT_AUTHORITY_KEY_ID, false, &aki)
}

/// What a certificate's extensions say, as far as this project cares.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ExtensionSummary {
    /// BasicConstraints cA (false if the extension is absent).
    pub is_ca: bool,
    /// BasicConstraints pathLenConstraint.
    pub path_len: Option<u8>,
    /// KeyUsage bits, `None` if the extension is absent.
    pub key_usage: Option<KeyUsageBits>,
    /// SubjectKeyIdentifier bytes.
    pub subject_key_id: Option<Vec<u8>>,
    /// AuthorityKeyIdentifier keyIdentifier bytes.
    pub authority_key_id: Option<Vec<u8>>,
    /// Whether an ExtendedKeyUsage extension is present.
    pub has_extended_key_usage: bool,
    /// The ExtendedKeyUsage is critical and names exactly id-kp-timeStamping (RFC 3161 §2.3): a time-stamping
    /// authority's certificate.
    pub time_stamping_only: bool,
    /// A critical extension other than the ones above (or a critical EKU) was seen.
    pub has_unknown_critical: bool,
}

/// Read the extensions of a certificate. Duplicate extensions and undecodable
/// known extensions are errors; unknown ones are only recorded.
pub fn summarize(extensions: &[Extension]) -> Result<ExtensionSummary> {
    let mut out = ExtensionSummary::default();
    for (i, ext) in extensions.iter().enumerate() {
        if extensions.iter().take(i).any(|earlier| earlier.extn_id == ext.extn_id) {
            return Err(PkiError::DuplicateExtension);
        }
        let value = ext.extn_value.as_bytes();
        match ext.extn_id {
            oid if oid == oids::EXT_BASIC_CONSTRAINTS => {
                let bc = BasicConstraints::from_der(value).map_err(|_| PkiError::Malformed("basicConstraints"))?;
                out.is_ca = bc.ca;
                out.path_len = bc.path_len_constraint;
            }
            oid if oid == oids::EXT_KEY_USAGE => {
                let ku = KeyUsage::from_der(value).map_err(|_| PkiError::Malformed("keyUsage"))?;
                out.key_usage = Some(KeyUsageBits(ku.0.bits()));
            }
            oid if oid == oids::EXT_SUBJECT_KEY_ID => {
                let ski =
                    SubjectKeyIdentifier::from_der(value).map_err(|_| PkiError::Malformed("subjectKeyIdentifier"))?;
                out.subject_key_id = Some(ski.0.as_bytes().to_vec());
            }
            oid if oid == oids::EXT_AUTHORITY_KEY_ID => {
                let aki = AuthorityKeyIdentifier::from_der(value)
                    .map_err(|_| PkiError::Malformed("authorityKeyIdentifier"))?;
                out.authority_key_id = aki.key_identifier.map(|k| k.as_bytes().to_vec());
            }
            oid if oid == oids::EXT_EXTENDED_KEY_USAGE => {
                out.has_extended_key_usage = true;
                let eku = ExtendedKeyUsage::from_der(value).map_err(|_| PkiError::Malformed("extKeyUsage"))?;
                out.time_stamping_only = ext.critical && eku.0.as_slice() == [oids::KP_TIME_STAMPING];
                // A critical EKU is understood only in its one form: a TSA's.
                out.has_unknown_critical |= ext.critical && !out.time_stamping_only;
            }
            _ => out.has_unknown_critical |= ext.critical,
        }
    }
    Ok(out)
}
