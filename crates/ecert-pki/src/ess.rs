//! ESS `SigningCertificateV2` (RFC 5035 §3), the attribute that binds a CMS
//! signature to the signer's certificate (required by PAdES / CAdES).
//!
//! ```text
//! SigningCertificateV2 ::= SEQUENCE {
//!     certs        SEQUENCE OF ESSCertIDv2,
//!     policies     SEQUENCE OF PolicyInformation OPTIONAL }
//! ESSCertIDv2 ::= SEQUENCE {
//!     hashAlgorithm AlgorithmIdentifier DEFAULT {algorithm id-sha256},
//!     certHash      OCTET STRING,
//!     issuerSerial  IssuerSerial OPTIONAL }
//! IssuerSerial ::= SEQUENCE {
//!     issuer        GeneralNames,
//!     serialNumber  CertificateSerialNumber }
//! ```

use der::asn1::OctetString;
use der::{Any, Sequence};
use spki::AlgorithmIdentifierOwned;
use x509_cert::ext::pkix::name::GeneralNames;
use x509_cert::serial_number::SerialNumber;

/// `SigningCertificateV2`.
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct SigningCertificateV2 {
    /// The first entry identifies the signing certificate.
    pub certs: Vec<EssCertIdV2>,
    /// Policy information; not produced and rejected by the verifier.
    #[asn1(optional = "true")]
    pub policies: Option<Any>,
}

/// `ESSCertIDv2`.
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct EssCertIdV2 {
    /// Hash algorithm; absent means SHA-256 (the DER form for SHA-256).
    #[asn1(optional = "true")]
    pub hash_algorithm: Option<AlgorithmIdentifierOwned>,
    /// Hash of the complete certificate DER.
    pub cert_hash: OctetString,
    /// Issuer name and serial of the certificate.
    #[asn1(optional = "true")]
    pub issuer_serial: Option<IssuerSerial>,
}

/// `IssuerSerial`.
#[derive(Clone, Debug, PartialEq, Eq, Sequence)]
pub struct IssuerSerial {
    /// Issuer as GeneralNames (one directoryName).
    pub issuer: GeneralNames,
    /// Certificate serial number.
    pub serial_number: SerialNumber,
}
