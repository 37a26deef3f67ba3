//! The one ECDSA P-256 / SHA-256 verification every check in ecert goes through: trust-list signatures,
//! certificate chains and CMS signer infos.
//!
//! Parsing is shared and strict whatever does the arithmetic: the key is a P-256 point decoded by `p256`
//! (on the curve, not the identity), the signature strict DER with `r` and `s` in `[1, n)`. Only the
//! curve arithmetic has two implementations:
//!
//! * RustCrypto `p256` (pure Rust) — always compiled; the backend of the wasm builds (browser, edge).
//! * `ring` (feature `ring`) — its assembly P-256, ≈ 6× faster on x86-64 (65 µs against 380 µs per verify on
//!   the reference machine); the native CLI uses it, where four verifies per file dominate a run.
//!
//! Both receive exactly the same parsed `(key, message, r, s)`, so they accept exactly the same inputs;
//! a differential test over valid, altered and out-of-range signatures holds them to that.

use p256::ecdsa::signature::hazmat::PrehashVerifier as _;
use p256::ecdsa::{DerSignature, Signature, VerifyingKey};
use sha2::{Digest as _, Sha256};

use crate::error::{PkiError, Result};

/// A signature that passed the shared strict parse: DER that re-encodes to exactly its input, `r` and `s`
/// in `[1, n)`. Both low-S and high-S forms are accepted (as every X.509 verifier does).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParsedSignature(Signature);

impl ParsedSignature {
    /// Parse a DER `ECDSA-Sig-Value`.
    pub fn from_der(sig_der: &[u8]) -> Result<Self> {
        let der = DerSignature::from_bytes(sig_der).map_err(|_| PkiError::SignatureEncoding)?;
        // Belt and braces: the parsed signature must re-encode to exactly the input.
        if der.as_bytes() != sig_der {
            return Err(PkiError::SignatureEncoding);
        }
        Signature::try_from(der).map(Self).map_err(|_| PkiError::SignatureEncoding)
    }

    /// Whether `s ≤ n/2` (the low-S form; its twin `n − s` verifies as well).
    pub fn is_low_s(&self) -> bool {
        self.0.normalize_s() == self.0
    }

    /// `r ‖ s`, 32 bytes each, big-endian.
    pub fn to_fixed_bytes(&self) -> [u8; 64] {
        self.0.to_bytes().into()
    }
}

/// Whether a DER `ECDSA-Sig-Value` is well-formed (as [`ParsedSignature::from_der`] requires) and low-S.
pub fn is_low_s(sig_der: &[u8]) -> bool {
    ParsedSignature::from_der(sig_der).is_ok_and(|s| s.is_low_s())
}

/// Verify `sig` over SHA-256(`msg`) with `key`, on the backend this build was compiled with.
pub fn verify(key: &VerifyingKey, msg: &[u8], sig: &ParsedSignature) -> Result<()> {
    #[cfg(feature = "ring")]
    {
        verify_ring(key, msg, sig)
    }
    #[cfg(not(feature = "ring"))]
    {
        verify_rustcrypto(key, msg, sig)
    }
}

/// The pure-Rust backend (`p256`).
#[cfg_attr(all(feature = "ring", not(test)), allow(dead_code))]
pub(crate) fn verify_rustcrypto(key: &VerifyingKey, msg: &[u8], sig: &ParsedSignature) -> Result<()> {
    let digest = Sha256::digest(msg);
    key.verify_prehash(&digest, &sig.0).map_err(|_| PkiError::SignatureInvalid)
}

/// The `ring` backend: the same point, handed over uncompressed, and the same `r ‖ s`.
#[cfg(feature = "ring")]
pub(crate) fn verify_ring(key: &VerifyingKey, msg: &[u8], sig: &ParsedSignature) -> Result<()> {
    use ring::signature::{ECDSA_P256_SHA256_FIXED, UnparsedPublicKey};
    let point = key.to_sec1_point(false);
    UnparsedPublicKey::new(&ECDSA_P256_SHA256_FIXED, point.as_bytes())
        .verify(msg, &sig.to_fixed_bytes())
        .map_err(|_| PkiError::SignatureInvalid)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use crate::key::SigningKeyPair;

    /// A deterministic byte stream (xorshift64*) for keys and messages.
    struct Bytes(u64);
    impl Bytes {
        fn fill(&mut self, out: &mut [u8]) {
            for b in out {
                self.0 ^= self.0 << 13;
                self.0 ^= self.0 >> 7;
                self.0 ^= self.0 << 17;
                *b = (self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 56) as u8;
            }
        }
    }

    fn key_pair(secret: &[u8; 32]) -> SigningKeyPair {
        SigningKeyPair::from_entropy(secret).unwrap()
    }

    fn parsed(pair: &SigningKeyPair, msg: &[u8]) -> ParsedSignature {
        ParsedSignature::from_der(&pair.sign_prehashed_der(msg).unwrap()).unwrap()
    }

    fn from_fixed(bytes: &[u8; 64]) -> Option<ParsedSignature> {
        Signature::from_slice(bytes).ok().map(ParsedSignature)
    }

    /// `n − s`: the other valid form of the same signature.
    fn high_s(sig: &ParsedSignature) -> ParsedSignature {
        let (r, s) = sig.0.split_scalars();
        ParsedSignature(Signature::from_scalars(r, -*s).unwrap())
    }

    /// Every (key, message, signature) the differential test tries: valid signatures and their high-S twins,
    /// each bit of `r ‖ s` flipped, the message and the key changed, and the extremes of the scalar range.
    fn cases() -> Vec<(VerifyingKey, Vec<u8>, ParsedSignature, bool)> {
        let mut rng = Bytes(0x9e37_79b9_7f4a_7c15);
        let mut secrets: Vec<[u8; 32]> = Vec::new();
        let mut one = [0u8; 32];
        one[31] = 1; // the key whose public point is the generator itself
        secrets.push(one);
        for _ in 0..6 {
            let mut s = [0u8; 32];
            rng.fill(&mut s);
            secrets.push(s);
        }
        let pairs: Vec<SigningKeyPair> = secrets.iter().map(key_pair).collect();
        let mut out = Vec::new();
        for (i, pair) in pairs.iter().enumerate() {
            let key = *pair.verifying_key();
            let mut msg = vec![0u8; 1 + i * 37];
            rng.fill(&mut msg);
            let sig = parsed(pair, &msg);
            out.push((key, msg.clone(), sig, true));
            out.push((key, msg.clone(), high_s(&sig), true));
            let fixed = sig.to_fixed_bytes();
            for bit in 0..512 {
                let mut flipped = fixed;
                flipped[bit / 8] ^= 1 << (bit % 8);
                if let Some(s) = from_fixed(&flipped) {
                    out.push((key, msg.clone(), s, false));
                }
            }
            let mut other_msg = msg.clone();
            other_msg[0] ^= 0x80;
            out.push((key, other_msg, sig, false));
            let other_key = *pairs[(i + 1) % pairs.len()].verifying_key();
            out.push((other_key, msg.clone(), sig, false));
            let mut extremes = Vec::new();
            let n_minus_1 = -p256::Scalar::ONE;
            for r in [p256::Scalar::ONE, n_minus_1] {
                for s in [p256::Scalar::ONE, n_minus_1] {
                    extremes.push(Signature::from_scalars(r, s).unwrap());
                }
            }
            for s in extremes {
                out.push((key, msg.clone(), ParsedSignature(s), false));
            }
        }
        out
    }

    #[test]
    fn the_pure_backend_accepts_exactly_the_valid_signatures() {
        for (key, msg, sig, valid) in cases() {
            assert_eq!(verify_rustcrypto(&key, &msg, &sig).is_ok(), valid, "{sig:?}");
        }
    }

    #[cfg(feature = "ring")]
    #[test]
    fn ring_and_the_pure_backend_agree_on_every_case() {
        let cases = cases();
        assert!(cases.len() > 3000, "the case list is the point of this test");
        for (key, msg, sig, valid) in cases {
            let pure = verify_rustcrypto(&key, &msg, &sig);
            let ring = verify_ring(&key, &msg, &sig);
            assert_eq!(pure, ring, "{sig:?}");
            assert_eq!(ring.is_ok(), valid, "{sig:?}");
        }
    }

    #[test]
    fn non_canonical_or_out_of_range_der_is_refused_before_any_backend() {
        let pair = key_pair(&[7u8; 32]);
        let der = pair.sign_prehashed_der(b"m").unwrap();
        // A trailing byte, and r = 0.
        let mut trailing = der.clone();
        trailing.push(0);
        assert_eq!(ParsedSignature::from_der(&trailing), Err(PkiError::SignatureEncoding));
        let zero_r = [0x30, 0x06, 0x02, 0x01, 0x00, 0x02, 0x01, 0x01];
        assert_eq!(ParsedSignature::from_der(&zero_r), Err(PkiError::SignatureEncoding));
        // r = n (the group order) is out of range.
        let mut n_r = vec![0x30, 0x26, 0x02, 0x21, 0x00];
        n_r.extend_from_slice(&[
            0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xbc, 0xe6,
            0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
        ]);
        n_r.extend_from_slice(&[0x02, 0x01, 0x01]);
        assert_eq!(ParsedSignature::from_der(&n_r), Err(PkiError::SignatureEncoding));
        assert!(ParsedSignature::from_der(&der).is_ok());
    }
}
