//! PEM armour for certificates (`-----BEGIN CERTIFICATE-----`).

use der::pem::LineEnding;

use crate::cert_parsed::ParsedCert;
use crate::error::{PkiError, Result};

/// PEM label of X.509 certificates.
const CERTIFICATE_LABEL: &str = "CERTIFICATE";

/// Wrap certificate DER in PEM (LF line endings). The DER is checked to be a certificate.
pub fn certificate_to_pem(der: &[u8]) -> Result<String> {
    ParsedCert::from_der(der)?;
    der::pem::encode_string(CERTIFICATE_LABEL, LineEnding::LF, der).map_err(|_| PkiError::Encoding("certificate PEM"))
}

/// Unwrap one PEM certificate to DER, checking label and contents.
pub fn certificate_from_pem(pem: &str) -> Result<Vec<u8>> {
    let (label, der) = der::pem::decode_vec(pem.as_bytes()).map_err(|_| PkiError::InvalidPem("armour"))?;
    if label != CERTIFICATE_LABEL {
        return Err(PkiError::InvalidPem("expected CERTIFICATE label"));
    }
    ParsedCert::from_der(&der)?;
    Ok(der)
}
