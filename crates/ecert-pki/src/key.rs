//! P-256 key pairs: creation from caller-supplied entropy, PKCS#8 / SPKI
//! encodings, key ids, and ECDSA-with-SHA-256 signing and verification.

use p256::ecdsa::signature::hazmat::PrehashSigner;
use p256::ecdsa::{SigningKey, VerifyingKey};
use p256::pkcs8::{DecodePrivateKey, EncodePrivateKey, EncodePublicKey, LineEnding};
use sha2::{Digest, Sha256};
use spki::SubjectPublicKeyInfoRef;
use zeroize::Zeroizing;

use crate::ecdsa_verify::ParsedSignature;
use crate::error::{PkiError, Result};
use crate::oids;

/// PEM label of SubjectPublicKeyInfo public keys.
const PUBLIC_KEY_LABEL: &str = "PUBLIC KEY";

/// A P-256 ECDSA signing key with its public half.
///
/// Created from caller-supplied entropy (this crate never touches an RNG).
/// The secret scalar is zeroized on drop by `p256`.
#[derive(Clone)]
pub struct SigningKeyPair {
    signing: SigningKey,
}

impl core::fmt::Debug for SigningKeyPair {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // Never print the secret; the key id identifies the pair.
        f.debug_struct("SigningKeyPair").field("key_id", &self.key_id().unwrap_or_default()).finish()
    }
}

impl SigningKeyPair {
    /// Use 32 bytes of entropy as the big-endian secret scalar.
    ///
    /// Fails with [`PkiError::InvalidEntropy`] if the bytes are zero or not
    /// below the curve order (probability ≈ 2⁻³²); the caller retries with fresh
    /// entropy.
    pub fn from_entropy(bytes: &[u8; 32]) -> Result<Self> {
        let signing = SigningKey::from_slice(bytes).map_err(|_| PkiError::InvalidEntropy)?;
        Ok(Self { signing })
    }

    /// Wrap an existing `p256` signing key.
    pub fn from_signing_key(signing: SigningKey) -> Self {
        Self { signing }
    }

    /// Decode a PKCS#8 `-----BEGIN PRIVATE KEY-----` PEM document (P-256 only).
    pub fn from_pkcs8_pem(pem: &str) -> Result<Self> {
        let signing =
            SigningKey::from_pkcs8_pem(pem).map_err(|_| PkiError::InvalidKey("PKCS#8 PEM P-256 private key"))?;
        Ok(Self { signing })
    }

    /// Decode a PKCS#8 DER private key (P-256 only).
    pub fn from_pkcs8_der(der: &[u8]) -> Result<Self> {
        let signing =
            SigningKey::from_pkcs8_der(der).map_err(|_| PkiError::InvalidKey("PKCS#8 DER P-256 private key"))?;
        Ok(Self { signing })
    }

    /// Encode the private key as PKCS#8 PEM (`PRIVATE KEY`, LF line endings).
    /// The returned string is zeroized on drop.
    pub fn to_pkcs8_pem(&self) -> Result<Zeroizing<String>> {
        self.signing.to_pkcs8_pem(LineEnding::LF).map_err(|_| PkiError::Encoding("PKCS#8 private key"))
    }

    /// The `p256` verifying (public) key.
    pub fn verifying_key(&self) -> &VerifyingKey {
        self.signing.verifying_key()
    }

    /// SubjectPublicKeyInfo DER of the public key (id-ecPublicKey, secp256r1, uncompressed point).
    pub fn spki_der(&self) -> Result<Vec<u8>> {
        spki_der_of(self.verifying_key())
    }

    /// SubjectPublicKeyInfo PEM (`PUBLIC KEY`, LF line endings).
    pub fn spki_pem(&self) -> Result<String> {
        let der = self.spki_der()?;
        der::pem::encode_string(PUBLIC_KEY_LABEL, LineEnding::LF, &der)
            .map_err(|_| PkiError::Encoding("public key PEM"))
    }

    /// Stable key id: lowercase hex SHA-256 of the SPKI DER.
    pub fn key_id(&self) -> Result<String> {
        Ok(spki_sha256_hex(&self.spki_der()?))
    }

    /// ECDSA P-256 signature over `msg`, DER-encoded (`ECDSA-Sig-Value`).
    ///
    /// Despite the name (kept for API stability), `msg` is the *message*:
    /// it is hashed with SHA-256 here, then signed with a deterministic nonce
    /// (RFC 6979). Use [`Self::sign_digest_der`] to sign an existing digest.
    pub fn sign_prehashed_der(&self, msg: &[u8]) -> Result<Vec<u8>> {
        let digest: [u8; 32] = Sha256::digest(msg).into();
        self.sign_digest_der(&digest)
    }

    /// ECDSA P-256 signature over an existing SHA-256 digest (RFC 6979 nonce), DER-encoded, in its low-S form
    /// (`s ≤ n/2`): of the two values that verify, ecert writes only the low one, and its verifier takes only
    /// that one for a seal (one canonical file).
    pub fn sign_digest_der(&self, sha256_digest: &[u8; 32]) -> Result<Vec<u8>> {
        let sig: p256::ecdsa::Signature =
            self.signing.sign_prehash(sha256_digest).map_err(|_| PkiError::SigningFailed)?;
        Ok(sig.normalize_s().to_der().as_bytes().to_vec())
    }
}

/// SubjectPublicKeyInfo DER of a P-256 verifying key.
pub fn spki_der_of(key: &VerifyingKey) -> Result<Vec<u8>> {
    key.to_public_key_der().map(|doc| doc.as_bytes().to_vec()).map_err(|_| PkiError::Encoding("SubjectPublicKeyInfo"))
}

/// Decode a `-----BEGIN PUBLIC KEY-----` PEM into SPKI DER, checking it is a P-256 key.
pub fn spki_der_from_pem(pem: &str) -> Result<Vec<u8>> {
    let (label, der) = der::pem::decode_vec(pem.as_bytes()).map_err(|_| PkiError::InvalidPem("armour"))?;
    if label != PUBLIC_KEY_LABEL {
        return Err(PkiError::InvalidPem("expected PUBLIC KEY label"));
    }
    p256_verifying_key_from_spki(&der)?;
    Ok(der)
}

/// Lowercase hex SHA-256 of SPKI DER: the stable key id used across ecert.
pub fn spki_sha256_hex(spki_der: &[u8]) -> String {
    hex_lower(&Sha256::digest(spki_der))
}

/// Lowercase hex of arbitrary bytes.
pub fn hex_lower(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len().saturating_mul(2));
    for &b in bytes {
        for nibble in [b >> 4, b & 0x0f] {
            s.push(char::from_digit(u32::from(nibble), 16).unwrap_or('0'));
        }
    }
    s
}

/// Parse SPKI DER, insisting on id-ecPublicKey with the secp256r1 named curve.
pub fn p256_verifying_key_from_spki(spki_der: &[u8]) -> Result<VerifyingKey> {
    let spki = SubjectPublicKeyInfoRef::try_from(spki_der).map_err(|_| PkiError::Malformed("SubjectPublicKeyInfo"))?;
    if spki.algorithm.oid != oids::EC_PUBLIC_KEY {
        return Err(PkiError::UnsupportedAlgorithm("public key algorithm"));
    }
    let curve = spki.algorithm.parameters.as_ref().and_then(|p| p.decode_as::<const_oid::ObjectIdentifier>().ok());
    if curve != Some(oids::SECP256R1) {
        return Err(PkiError::UnsupportedAlgorithm("public key curve"));
    }
    let point = spki.subject_public_key.as_bytes().ok_or(PkiError::Malformed("public key bit string"))?;
    VerifyingKey::from_sec1_bytes(point).map_err(|_| PkiError::InvalidKey("P-256 point"))
}

/// Verify an ECDSA P-256 / SHA-256 signature.
///
/// * `spki_der` must be a P-256 SubjectPublicKeyInfo (anything else:
///   [`PkiError::UnsupportedAlgorithm`]).
/// * `sig_der` must be strict DER (`SEQUENCE { INTEGER r, INTEGER s }`, minimal
///   encodings, no trailing bytes, `r` and `s` in `[1, n)`): otherwise
///   [`PkiError::SignatureEncoding`]. Both low-S and high-S forms are accepted.
/// * `msg` is hashed with SHA-256 here.
pub fn verify_p256_sha256(spki_der: &[u8], msg: &[u8], sig_der: &[u8]) -> Result<()> {
    let key = p256_verifying_key_from_spki(spki_der)?;
    verify_p256_sha256_with_key(&key, msg, sig_der)
}

/// [`verify_p256_sha256`] with an already decoded key.
pub fn verify_p256_sha256_with_key(key: &VerifyingKey, msg: &[u8], sig_der: &[u8]) -> Result<()> {
    let sig = ParsedSignature::from_der(sig_der)?;
    crate::ecdsa_verify::verify(key, msg, &sig)
}
