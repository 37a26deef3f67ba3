//! Key pair, PKCS#8 / SPKI encodings, key ids, and ECDSA sign / verify.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

mod common;

use common::{keypair, sha256};
use ecert_pki::key::{hex_lower, spki_der_from_pem};
use ecert_pki::{PkiError, SigningKeyPair, spki_sha256_hex, verify_p256_sha256};

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
}

#[test]
fn entropy_rejects_zero_and_out_of_range_scalars() {
    assert_eq!(SigningKeyPair::from_entropy(&[0u8; 32]).unwrap_err(), PkiError::InvalidEntropy);
    assert_eq!(SigningKeyPair::from_entropy(&[0xff; 32]).unwrap_err(), PkiError::InvalidEntropy);
    // n itself (the group order) is rejected, n-1 accepted.
    let n = unhex("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551");
    let n: [u8; 32] = n.try_into().unwrap();
    assert_eq!(SigningKeyPair::from_entropy(&n).unwrap_err(), PkiError::InvalidEntropy);
    let mut n_minus_1 = n;
    n_minus_1[31] -= 1;
    assert!(SigningKeyPair::from_entropy(&n_minus_1).is_ok());
    let mut one = [0u8; 32];
    one[31] = 1;
    assert!(SigningKeyPair::from_entropy(&one).is_ok());
}

#[test]
fn pkcs8_pem_round_trip() {
    let k = keypair("pem");
    let pem = k.to_pkcs8_pem().unwrap();
    assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----\n"));
    let back = SigningKeyPair::from_pkcs8_pem(&pem).unwrap();
    assert_eq!(back.spki_der().unwrap(), k.spki_der().unwrap());
    // Wrong label and garbage are typed errors.
    let wrong = pem.replace("PRIVATE KEY", "PUBLIC KEY");
    assert!(matches!(SigningKeyPair::from_pkcs8_pem(&wrong), Err(PkiError::InvalidKey(_))));
    assert!(matches!(SigningKeyPair::from_pkcs8_pem("nope"), Err(PkiError::InvalidKey(_))));
}

#[test]
fn spki_pem_and_key_id() {
    let k = keypair("spki");
    let der = k.spki_der().unwrap();
    assert_eq!(der.len(), 91, "uncompressed P-256 SPKI is 91 bytes");
    let pem = k.spki_pem().unwrap();
    assert!(pem.starts_with("-----BEGIN PUBLIC KEY-----\n"));
    assert_eq!(spki_der_from_pem(&pem).unwrap(), der);
    let id = k.key_id().unwrap();
    assert_eq!(id, spki_sha256_hex(&der));
    assert_eq!(id, hex_lower(&sha256(&der)));
    assert_eq!(id.len(), 64);
    assert!(id.chars().all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c)));
    // Debug never prints the secret scalar.
    assert!(format!("{k:?}").contains(&id));
}

/// RFC 6979 A.2.5, P-256 / SHA-256 / "sample": proves deterministic nonces.
#[test]
fn rfc6979_test_vector() {
    let x: [u8; 32] = unhex("c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721").try_into().unwrap();
    let k = SigningKeyPair::from_entropy(&x).unwrap();
    let sig = k.sign_prehashed_der(b"sample").unwrap();
    let r = unhex("efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716");
    // The RFC's s is f7cb1c94…2f843acda8, above n/2; ecert writes its low-S twin n − s (one canonical signature).
    let s = unhex("0834e36ad29a83bf2bc9385e491d6099c8fdf9d1ed67aa7ea5f51f93782857a9");
    // SEQUENCE { INTEGER 00||r (top bit set), INTEGER s }.
    let mut expected = vec![0x30, 0x45, 0x02, 0x21, 0x00];
    expected.extend_from_slice(&r);
    expected.extend_from_slice(&[0x02, 0x20]);
    expected.extend_from_slice(&s);
    assert!(ecert_pki::ecdsa_verify::is_low_s(&expected));
    assert_eq!(sig, expected);
    assert_eq!(k.sign_digest_der(&sha256(b"sample")).unwrap(), expected);
    verify_p256_sha256(&k.spki_der().unwrap(), b"sample", &sig).unwrap();
}

#[test]
fn sign_verify_and_rejections() {
    let k = keypair("sv");
    let spki = k.spki_der().unwrap();
    let msg = "资格证书".as_bytes();
    let sig = k.sign_prehashed_der(msg).unwrap();
    assert_eq!(sig, k.sign_prehashed_der(msg).unwrap(), "deterministic");
    verify_p256_sha256(&spki, msg, &sig).unwrap();

    assert_eq!(verify_p256_sha256(&spki, b"other", &sig), Err(PkiError::SignatureInvalid));
    let other = keypair("other").spki_der().unwrap();
    assert_eq!(verify_p256_sha256(&other, msg, &sig), Err(PkiError::SignatureInvalid));

    // Trailing byte, truncated, and non-minimal length are encoding errors.
    let mut trailing = sig.clone();
    trailing.push(0);
    assert_eq!(verify_p256_sha256(&spki, msg, &trailing), Err(PkiError::SignatureEncoding));
    assert_eq!(verify_p256_sha256(&spki, msg, &sig[..sig.len() - 1]), Err(PkiError::SignatureEncoding));
    let mut long_form = vec![0x30, 0x81, sig[1]];
    long_form.extend_from_slice(&sig[2..]);
    assert_eq!(verify_p256_sha256(&spki, msg, &long_form), Err(PkiError::SignatureEncoding));
}

/// High-S signatures (s' = n - s) are accepted, as the brief allows.
#[test]
fn high_s_accepted() {
    let k = keypair("highs");
    let spki = k.spki_der().unwrap();
    let msg = b"high-s";
    let sig = k.sign_prehashed_der(msg).unwrap();
    // Parse r and s out of the strict DER.
    let (r, rest) = read_int(&sig[2..]);
    let (s, _) = read_int(rest);
    let n = unhex("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551");
    let s_neg = sub_be(&n, &s);
    let flipped = der_sig(&r, &s_neg);
    verify_p256_sha256(&spki, msg, &flipped).unwrap();
}

#[test]
fn non_p256_keys_rejected() {
    // Ed25519 SPKI.
    let mut ed = unhex("302a300506032b6570032100");
    ed.extend_from_slice(&[7u8; 32]);
    assert!(matches!(verify_p256_sha256(&ed, b"m", &[0x30, 0]), Err(PkiError::UnsupportedAlgorithm(_))));
    // EC key on secp384r1 (curve OID 1.3.132.0.34) with a dummy point.
    let mut p384 = unhex("3076301006072a8648ce3d020106052b81040022036200");
    p384.extend_from_slice(&[4u8; 97]);
    assert!(matches!(verify_p256_sha256(&p384, b"m", &[0x30, 0]), Err(PkiError::UnsupportedAlgorithm(_))));
    assert!(matches!(verify_p256_sha256(b"junk", b"m", &[0x30, 0]), Err(PkiError::Malformed(_))));
}

fn read_int(b: &[u8]) -> (Vec<u8>, &[u8]) {
    assert_eq!(b[0], 0x02);
    let len = b[1] as usize;
    let mut v = b[2..2 + len].to_vec();
    while v.len() > 1 && v[0] == 0 {
        v.remove(0);
    }
    (v, &b[2 + len..])
}

fn sub_be(a: &[u8], b: &[u8]) -> Vec<u8> {
    let mut bb = vec![0u8; a.len() - b.len()];
    bb.extend_from_slice(b);
    let mut out = vec![0u8; a.len()];
    let mut borrow = 0i16;
    for i in (0..a.len()).rev() {
        let mut d = a[i] as i16 - bb[i] as i16 - borrow;
        borrow = 0;
        if d < 0 {
            d += 256;
            borrow = 1;
        }
        out[i] = d as u8;
    }
    out
}

fn der_int(v: &[u8]) -> Vec<u8> {
    let mut v: Vec<u8> = v.iter().copied().skip_while(|&b| b == 0).collect();
    if v.is_empty() || v[0] & 0x80 != 0 {
        v.insert(0, 0);
    }
    common::tlv(0x02, &v)
}

fn der_sig(r: &[u8], s: &[u8]) -> Vec<u8> {
    let mut body = der_int(r);
    body.extend(der_int(s));
    common::tlv(0x30, &body)
}

#[test]
fn hex_lower_is_two_lowercase_digits_per_byte() {
    assert_eq!(hex_lower(&[]), "");
    assert_eq!(hex_lower(&[0x00, 0x0f, 0x10, 0xa5, 0xff]), "000f10a5ff");
    let all: Vec<u8> = (0..=255).collect();
    let s = hex_lower(&all);
    assert_eq!(s.len(), 512);
    for (i, pair) in s.as_bytes().chunks(2).enumerate() {
        assert_eq!(u8::from_str_radix(core::str::from_utf8(pair).unwrap(), 16).unwrap() as usize, i);
    }
}
