//! One link of certificate-chain verification: "was `child` issued by `issuer`?".
//!
//! No clock here: callers check validity periods with [`ParsedCert::is_valid_at`]
//! using a time they trust.

use crate::cert_parsed::ParsedCert;
use crate::error::{PkiError, Result};
use crate::key::verify_p256_sha256;

/// Check that `issuer` issued `child`:
///
/// * `child`'s issuer Name is byte-identical to `issuer`'s subject Name;
/// * `child` is signed with ecdsa-with-SHA256 (absent parameters, inner == outer);
/// * the signature over `child`'s exact TBSCertificate bytes verifies with
///   `issuer`'s P-256 key;
/// * `issuer` is a CA (BasicConstraints cA) whose KeyUsage includes keyCertSign;
/// * if both are present, `child`'s AuthorityKeyIdentifier equals `issuer`'s
///   SubjectKeyIdentifier;
/// * if `child` is itself a CA, `issuer`'s pathLenConstraint is not 0;
/// * neither certificate has a critical extension this crate does not understand.
pub fn verify_issued_by(child: &ParsedCert, issuer: &ParsedCert) -> Result<()> {
    if child.has_unknown_critical_extension() || issuer.has_unknown_critical_extension() {
        return Err(PkiError::UnsupportedCriticalExtension);
    }
    if child.issuer_der() != issuer.subject_der() {
        return Err(PkiError::IssuerNameMismatch);
    }
    if !child.is_ecdsa_sha256_signed() {
        return Err(PkiError::UnsupportedAlgorithm("certificate signature algorithm"));
    }
    if !issuer.is_ca() {
        return Err(PkiError::IssuerNotCa);
    }
    if !issuer.key_usage().is_some_and(|ku| ku.key_cert_sign()) {
        return Err(PkiError::IssuerKeyUsage);
    }
    if let (Some(aki), Some(ski)) = (child.authority_key_id(), issuer.subject_key_id())
        && aki != ski
    {
        return Err(PkiError::KeyIdMismatch);
    }
    // A self-issued certificate (the root checking itself) does not count
    // towards the path length.
    if child.is_ca() && !child.is_self_issued() && issuer.path_len() == Some(0) {
        return Err(PkiError::PathLenExceeded);
    }
    let sig = child.signature_bytes().ok_or(PkiError::Malformed("certificate signature bit string"))?;
    verify_p256_sha256(issuer.spki_der(), child.tbs_der(), sig)
}
