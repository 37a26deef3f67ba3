//! PAdES B-B detached CMS: round trips, tampering, strictness, robustness,
//! and cross-checks with `openssl cms` in both directions.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

mod common;

use common::{Chain, T0, chain, chain_named, openssl, scratch_dir, sha256, tlv, tool};
use der::Encode;
use ecert_pki::cms_verify::{MAX_CERTIFICATES, MAX_CMS_DER_LEN, MAX_CMS_INPUT_LEN};
use ecert_pki::oids;
use ecert_pki::{ParsedCert, PkiError, SigningKeyPair, certificate_to_pem, parse_signed_data, sign_detached};

const CONTENT: &[u8] = b"%PDF-1.7 pretend byte ranges \xe4\xb8\xad\xe6\x96\x87 \x00\x01\x02";

fn signed(c: &Chain) -> Vec<u8> {
    sign_detached(sha256(CONTENT), T0 + 3600, &c.seal_der, &[&c.ca_der], &c.seal_key).unwrap()
}

#[test]
fn round_trip_exposes_everything() {
    let c = chain();
    let der = signed(&c);
    let cms = parse_signed_data(&der).unwrap();
    cms.verify(&sha256(CONTENT)).unwrap();
    assert_eq!(cms.der_len(), der.len());
    assert_eq!(cms.signer_certificate().der(), c.seal_der.as_slice());
    assert_eq!(cms.certificates().len(), 2);
    assert!(cms.certificates().iter().any(|p| p.der() == c.ca_der.as_slice()));
    assert_eq!(cms.message_digest(), Some(sha256(CONTENT).as_slice()));
    assert_eq!(cms.signing_time(), Some(T0 + 3600));
    assert_eq!(cms.content_type(), Some(oids::ID_DATA));
    assert_eq!(cms.signing_certificate_v2_hash(), Some(sha256(&c.seal_der).as_slice()));
    assert!(cms.signing_certificate_v2().unwrap().issuer_serial.is_some());
    // Deterministic (RFC 6979): same inputs, same bytes.
    assert_eq!(der, signed(&c));
}

#[test]
fn signed_attrs_are_der_sorted_and_signature_covers_set_encoding() {
    let c = chain();
    let cms = parse_signed_data(&signed(&c)).unwrap();
    let set = cms.signed_attrs_der();
    assert_eq!(set[0], 0x31);
    // Children in strictly ascending byte order (X.690 §11.6).
    let (_, body) = split_header(set);
    let mut rest = body;
    let mut prev: Option<&[u8]> = None;
    let mut count = 0;
    while !rest.is_empty() {
        let (one, tail) = split_tlv(rest);
        if let Some(p) = prev {
            assert!(p < one, "signed attributes not in DER order");
        }
        prev = Some(one);
        rest = tail;
        count += 1;
    }
    assert_eq!(count, 4, "exactly contentType, signingTime, messageDigest, signingCertificateV2");
    ecert_pki::verify_p256_sha256(&c.seal_key.spki_der().unwrap(), set, cms.signature()).unwrap();
}

#[test]
fn zero_padding_accepted_other_trailing_rejected() {
    let c = chain();
    let der = signed(&c);
    let mut padded = der.clone();
    padded.resize(der.len() + 8192, 0);
    let cms = parse_signed_data(&padded).unwrap();
    assert_eq!(cms.der_len(), der.len());
    cms.verify(&sha256(CONTENT)).unwrap();

    let mut junk = padded.clone();
    *junk.last_mut().unwrap() = 1;
    assert_eq!(parse_signed_data(&junk).unwrap_err(), PkiError::TrailingData);

    let huge = vec![0u8; MAX_CMS_INPUT_LEN + 1];
    assert!(matches!(parse_signed_data(&huge), Err(PkiError::TooLarge { .. })));
    // A header claiming a DER object bigger than the cap.
    let mut big = tlv(0x30, &vec![0u8; MAX_CMS_DER_LEN + 1]);
    big.truncate(MAX_CMS_DER_LEN + 10);
    assert!(parse_signed_data(&big).is_err());
    let big = tlv(0x30, &vec![0u8; MAX_CMS_DER_LEN + 1]);
    assert!(matches!(parse_signed_data(&big), Err(PkiError::TooLarge { .. })));
}

#[test]
fn tampered_content_is_digest_mismatch() {
    let c = chain();
    let cms = parse_signed_data(&signed(&c)).unwrap();
    let mut content = CONTENT.to_vec();
    content[5] ^= 0x20;
    assert_eq!(cms.verify(&sha256(&content)), Err(PkiError::DigestMismatch));
}

#[test]
fn tampered_signature_is_signature_invalid() {
    let c = chain();
    let der = signed(&c);
    let sig = parse_signed_data(&der).unwrap().signature().to_vec();
    let pos = der.windows(sig.len()).position(|w| w == sig.as_slice()).unwrap();
    let mut bad = der.clone();
    bad[pos + sig.len() - 1] ^= 0x01; // last byte of s
    let cms = parse_signed_data(&bad).unwrap();
    assert_eq!(cms.verify(&sha256(CONTENT)), Err(PkiError::SignatureInvalid));
}

#[test]
fn tampered_signed_attribute_is_caught() {
    let c = chain();
    let der = signed(&c);
    // Change the signing time inside the signed attributes: "250101010000Z" → "250101010001Z".
    let t = b"250101010000Z";
    let pos = der.windows(t.len()).position(|w| w == t).unwrap();
    let mut bad = der.clone();
    bad[pos + 11] = b'1';
    let cms = parse_signed_data(&bad).unwrap();
    assert_eq!(cms.signing_time(), Some(T0 + 3601));
    assert_eq!(cms.verify(&sha256(CONTENT)), Err(PkiError::SignatureInvalid));
}

#[test]
fn swapped_signer_certificate_is_rejected() {
    let c = chain();
    // Another seal certificate of the same length (same names; the signature's DER length varies with r and s,
    // so pick a tag whose certificate has the same length): different key and serial.
    let other = (0..64)
        .map(|i| chain_named(&format!("-other{i}")))
        .find(|o| o.seal_der.len() == c.seal_der.len())
        .expect("a same-length seal certificate");
    let der = signed(&c);

    // Replace the embedded seal certificate with the other one.
    let pos = der.windows(c.seal_der.len()).position(|w| w == c.seal_der.as_slice()).unwrap();
    let mut swapped = der.clone();
    swapped[pos..pos + c.seal_der.len()].copy_from_slice(&other.seal_der);
    // The sid no longer matches any certificate…
    assert_eq!(parse_signed_data(&swapped).unwrap_err(), PkiError::SignerCertMissing);

    // …and signing with a certificate that is not the key's is refused up front.
    assert!(matches!(
        sign_detached(sha256(CONTENT), T0, &other.seal_der, &[], &c.seal_key),
        Err(PkiError::InvalidKey(_))
    ));

    // A crafted CMS whose sid and certificate are the other seal's but whose
    // signingCertificateV2 names ours: caught by certHash.
    let mut craft = Craft::new(&c);
    craft.sid = sid_of(&other.seal_der);
    craft.certs = vec![other.seal_der.clone()];
    assert_eq!(verify_crafted(&craft, &c.seal_key), Err(PkiError::SigningCertV2Mismatch));
    // Same, but signingCertificateV2 fixed up: the signature (by our key) fails under their key.
    craft.attrs[3] = signing_cert_v2_attr(&other.seal_der);
    assert_eq!(verify_crafted(&craft, &c.seal_key), Err(PkiError::SignatureInvalid));
}

#[test]
fn self_signed_and_foreign_signers() {
    let c = chain();
    // A self-signed root cannot sign documents: its KeyUsage lacks digitalSignature.
    assert_eq!(
        sign_detached(sha256(CONTENT), T0, &c.root_der, &[], &c.root_key).unwrap_err(),
        PkiError::SignerKeyUsage
    );
    // An attacker with their own self-signed root and look-alike names produces a
    // CMS that is internally consistent (verify() passes) ...
    let attacker = chain_named("-attacker");
    let der = sign_detached(sha256(CONTENT), T0, &attacker.seal_der, &[&attacker.ca_der], &attacker.seal_key).unwrap();
    let cms = parse_signed_data(&der).unwrap();
    cms.verify(&sha256(CONTENT)).unwrap();
    assert_eq!(cms.signer_certificate().subject_cn(), Some("电子证书专用章"));
    // ... which is why the caller must chain the signer to the trusted CA: that fails.
    let real_ca = ParsedCert::from_der(&c.ca_der).unwrap();
    assert!(ecert_pki::verify_issued_by(cms.signer_certificate(), &real_ca).is_err());
    let embedded_ca = cms.certificates().iter().find(|p| p.is_ca()).unwrap();
    let real_root = ParsedCert::from_der(&c.root_der).unwrap();
    assert!(ecert_pki::verify_issued_by(embedded_ca, &real_root).is_err());
}

#[test]
fn duplicate_and_oversized_certificate_lists() {
    let c = chain();
    // Duplicates are dropped.
    let der =
        sign_detached(sha256(CONTENT), T0, &c.seal_der, &[&c.seal_der, &c.ca_der, &c.ca_der], &c.seal_key).unwrap();
    assert_eq!(parse_signed_data(&der).unwrap().certificates().len(), 2);
    // Too many certificates.
    let extra: Vec<Vec<u8>> = (0..MAX_CERTIFICATES).map(|i| chain_named(&format!("-x{i}")).ca_der).collect();
    let refs: Vec<&[u8]> = extra.iter().map(Vec::as_slice).collect();
    assert!(matches!(
        sign_detached(sha256(CONTENT), T0, &c.seal_der, &refs, &c.seal_key),
        Err(PkiError::TooManyCertificates(_))
    ));
    let mut craft = Craft::new(&c);
    craft.certs.extend(extra.iter().cloned());
    assert!(matches!(parse_signed_data(&craft.encode(&c.seal_key)), Err(PkiError::TooManyCertificates(_))));
    // The same certificate twice: ambiguous signer.
    let mut craft = Craft::new(&c);
    craft.certs.push(c.seal_der.clone());
    assert_eq!(parse_signed_data(&craft.encode(&c.seal_key)).unwrap_err(), PkiError::SignerCertAmbiguous);
    // No certificates at all.
    let mut craft = Craft::new(&c);
    craft.certs.clear();
    assert_eq!(parse_signed_data(&craft.encode(&c.seal_key)).unwrap_err(), PkiError::SignerCertMissing);
}

#[test]
fn crafted_baseline_verifies() {
    // Guards the crafting helper itself: unmodified, it must produce a valid CMS.
    let c = chain();
    let craft = Craft::new(&c);
    verify_crafted(&craft, &c.seal_key).unwrap();
}

#[test]
fn crafted_signed_attribute_violations() {
    let c = chain();
    let key = &c.seal_key;

    // Not in DER order (but correctly signed over exactly these bytes).
    let mut craft = Craft::new(&c);
    craft.attrs.swap(1, 2);
    assert!(matches!(verify_crafted(&craft, key), Err(PkiError::Malformed(_))));

    // Duplicate attribute type (two identical contentType attributes: still sorted).
    let mut craft = Craft::new(&c);
    let ct = craft.attrs[0].clone();
    craft.attrs.insert(0, ct);
    assert_eq!(verify_crafted(&craft, key), Err(PkiError::DuplicateAttribute));

    // An attribute with two values.
    let mut craft = Craft::new(&c);
    let t1 = tlv(0x17, b"250101000000Z");
    let t2 = tlv(0x17, b"250101000001Z");
    craft.attrs[1] = attr(&oids::ATTR_SIGNING_TIME, &[t1, t2]);
    assert_eq!(verify_crafted(&craft, key), Err(PkiError::AttributeValueCount));

    // Missing attributes.
    for (idx, name) in [(0, "contentType"), (2, "messageDigest"), (3, "signingCertificateV2")] {
        let mut craft = Craft::new(&c);
        craft.attrs.remove(idx);
        assert_eq!(verify_crafted(&craft, key), Err(PkiError::MissingAttribute(name)));
    }
    // signingTime is optional.
    let mut craft = Craft::new(&c);
    craft.attrs.remove(1);
    verify_crafted(&craft, key).unwrap();

    // contentType attribute other than id-data.
    let mut craft = Craft::new(&c);
    craft.attrs[0] = attr(&oids::ATTR_CONTENT_TYPE, &[oids::ID_SIGNED_DATA.to_der().unwrap()]);
    assert_eq!(verify_crafted(&craft, key), Err(PkiError::ContentTypeMismatch));

    // signingCertificateV2 over the wrong certificate.
    let mut craft = Craft::new(&c);
    craft.attrs[3] = signing_cert_v2_attr(&c.ca_der);
    assert_eq!(verify_crafted(&craft, key), Err(PkiError::SigningCertV2Mismatch));

    // No signed attributes at all.
    let mut craft = Craft::new(&c);
    craft.no_signed_attrs = true;
    assert_eq!(parse_signed_data(&craft.encode(key)).unwrap_err(), PkiError::SignedAttrsMissing);
}

#[test]
fn crafted_structure_violations() {
    let c = chain();
    let key = &c.seal_key;
    let sha1 = tlv(0x30, &tlv(0x06, &[0x2b, 0x0e, 0x03, 0x02, 0x1a]));

    let mut craft = Craft::new(&c);
    craft.digest_algs = tlv(0x31, &sha1);
    assert!(matches!(parse_signed_data(&craft.encode(key)), Err(PkiError::UnsupportedAlgorithm(_))));

    let mut craft = Craft::new(&c);
    craft.si_digest_alg = sha1.clone();
    assert!(matches!(parse_signed_data(&craft.encode(key)), Err(PkiError::UnsupportedAlgorithm(_))));

    // ecdsa-with-SHA256 with NULL parameters, and ecdsa-with-SHA384.
    let mut craft = Craft::new(&c);
    let mut alg = oids::ECDSA_WITH_SHA256.to_der().unwrap();
    alg.extend_from_slice(&[0x05, 0x00]);
    craft.sig_alg = tlv(0x30, &alg);
    assert!(matches!(parse_signed_data(&craft.encode(key)), Err(PkiError::UnsupportedAlgorithm(_))));
    let mut craft = Craft::new(&c);
    craft.sig_alg = tlv(0x30, &tlv(0x06, &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x03]));
    assert!(matches!(parse_signed_data(&craft.encode(key)), Err(PkiError::UnsupportedAlgorithm(_))));

    // Attached content.
    let mut craft = Craft::new(&c);
    let mut encap = oids::ID_DATA.to_der().unwrap();
    encap.extend(tlv(0xA0, &tlv(0x04, CONTENT)));
    craft.encap = tlv(0x30, &encap);
    assert_eq!(parse_signed_data(&craft.encode(key)).unwrap_err(), PkiError::NotDetached);

    // eContentType other than id-data.
    let mut craft = Craft::new(&c);
    craft.encap = tlv(0x30, &oids::ID_SIGNED_DATA.to_der().unwrap());
    assert_eq!(parse_signed_data(&craft.encode(key)).unwrap_err(), PkiError::ContentTypeMismatch);

    // Outer content type other than id-signedData.
    let mut craft = Craft::new(&c);
    craft.outer_type = oids::ID_DATA.to_der().unwrap();
    assert_eq!(parse_signed_data(&craft.encode(key)).unwrap_err(), PkiError::ContentTypeMismatch);

    // Versions.
    let mut craft = Craft::new(&c);
    craft.version = vec![0x02, 0x01, 0x03];
    assert_eq!(parse_signed_data(&craft.encode(key)).unwrap_err(), PkiError::UnsupportedVersion);
    let mut craft = Craft::new(&c);
    craft.si_version = vec![0x02, 0x01, 0x03];
    assert_eq!(parse_signed_data(&craft.encode(key)).unwrap_err(), PkiError::UnsupportedVersion);

    // Two SignerInfos / zero SignerInfos.
    let mut craft = Craft::new(&c);
    craft.signer_info_copies = 2;
    assert_eq!(parse_signed_data(&craft.encode(key)).unwrap_err(), PkiError::SignerInfoCount(2));
    let mut craft = Craft::new(&c);
    craft.signer_info_copies = 0;
    assert_eq!(parse_signed_data(&craft.encode(key)).unwrap_err(), PkiError::SignerInfoCount(0));

    // SubjectKeyIdentifier sid.
    let mut craft = Craft::new(&c);
    let ski = ParsedCert::from_der(&c.seal_der).unwrap().subject_key_id().unwrap().to_vec();
    craft.sid = tlv(0x80, &ski);
    assert_eq!(parse_signed_data(&craft.encode(key)).unwrap_err(), PkiError::UnsupportedSignerIdentifier);
}

#[test]
fn truncation_never_panics() {
    let c = chain();
    let der = signed(&c);
    for end in 0..der.len() {
        assert!(parse_signed_data(&der[..end]).is_err(), "truncated at {end} parsed");
    }
}

#[test]
fn noise_and_mutations_never_panic_nor_verify() {
    let c = chain();
    let der = signed(&c);
    let digest = sha256(CONTENT);
    let mut rng = common::Rng(0xdead_beef_cafe_f00d);
    for _ in 0..300 {
        let n = rng.below(3000);
        let noise = rng.bytes(n);
        if let Ok(cms) = parse_signed_data(&noise) {
            assert!(cms.verify(&digest).is_err());
        }
        // Random noise behind a plausible header.
        let mut framed = vec![0x30, 0x82, 0x05, 0xdc];
        framed.extend(rng.bytes(1500));
        let _ = parse_signed_data(&framed);
    }
    // Single-byte mutations anywhere must never verify (or panic).
    for _ in 0..1500 {
        let mut m = der.clone();
        let i = rng.below(m.len());
        m[i] ^= (rng.next_u64() as u8) | 1;
        if let Ok(cms) = parse_signed_data(&m) {
            let ok = cms.verify(&digest).is_ok();
            // The only harmless places are bytes outside the signed/hashed data that
            // change nothing verifiable: there are none in this format except the
            // CA certificate (not hashed by signingCertificateV2).
            if ok {
                let ca_pos = der.windows(c.ca_der.len()).position(|w| w == c.ca_der.as_slice()).unwrap();
                assert!((ca_pos..ca_pos + c.ca_der.len()).contains(&i), "mutation at {i} still verifies");
            }
        }
    }
}

#[test]
fn openssl_verifies_our_cms() {
    if !tool("openssl") {
        return;
    }
    let c = chain();
    let dir = scratch_dir("cms");
    let mut rng = common::Rng(42);
    for round in 0..3 {
        let len = 1 + rng.below(5000);
        let content = rng.bytes(len);
        let der = sign_detached(sha256(&content), T0 + round, &c.seal_der, &[&c.ca_der], &c.seal_key).unwrap();
        std::fs::write(dir.join("sig.der"), &der).unwrap();
        std::fs::write(dir.join("data.bin"), &content).unwrap();
        std::fs::write(dir.join("root.pem"), certificate_to_pem(&c.root_der).unwrap()).unwrap();
        let at = (T0 + 100).to_string();
        let (ok, out) = openssl(
            &dir,
            &[
                "cms",
                "-verify",
                "-binary",
                "-inform",
                "DER",
                "-in",
                "sig.der",
                "-content",
                "data.bin",
                "-CAfile",
                "root.pem",
                "-purpose",
                "any",
                "-attime",
                &at,
                "-out",
                "/dev/null",
            ],
        );
        assert!(ok, "openssl cms -verify failed:\n{out}");
        assert!(out.contains("Verification successful"), "{out}");

        // Wrong content must fail in openssl too.
        let mut wrong = content.clone();
        wrong[0] ^= 1;
        std::fs::write(dir.join("wrong.bin"), &wrong).unwrap();
        let (ok, out) = openssl(
            &dir,
            &[
                "cms",
                "-verify",
                "-binary",
                "-inform",
                "DER",
                "-in",
                "sig.der",
                "-content",
                "wrong.bin",
                "-CAfile",
                "root.pem",
                "-purpose",
                "any",
                "-attime",
                &at,
                "-out",
                "/dev/null",
            ],
        );
        assert!(!ok, "openssl verified wrong content:\n{out}");
    }
    // openssl's CAdES check of signingCertificateV2 also passes.
    let content = b"cades";
    let der = sign_detached(sha256(content), T0, &c.seal_der, &[&c.ca_der], &c.seal_key).unwrap();
    std::fs::write(dir.join("sig.der"), &der).unwrap();
    std::fs::write(dir.join("data.bin"), content).unwrap();
    let at = (T0 + 100).to_string();
    let (ok, out) = openssl(
        &dir,
        &[
            "cms",
            "-verify",
            "-cades",
            "-binary",
            "-inform",
            "DER",
            "-in",
            "sig.der",
            "-content",
            "data.bin",
            "-CAfile",
            "root.pem",
            "-purpose",
            "any",
            "-attime",
            &at,
            "-out",
            "/dev/null",
        ],
    );
    assert!(ok, "openssl cms -verify -cades failed:\n{out}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn we_verify_openssl_cades_signatures() {
    if !tool("openssl") {
        return;
    }
    let c = chain();
    let dir = scratch_dir("cms-openssl");
    let content = "由 OpenSSL 签名的内容".as_bytes();
    std::fs::write(dir.join("data.bin"), content).unwrap();
    std::fs::write(dir.join("seal.pem"), certificate_to_pem(&c.seal_der).unwrap()).unwrap();
    std::fs::write(dir.join("ca.pem"), certificate_to_pem(&c.ca_der).unwrap()).unwrap();
    std::fs::write(dir.join("seal.key"), c.seal_key.to_pkcs8_pem().unwrap().as_bytes()).unwrap();
    let (ok, out) = openssl(
        &dir,
        &[
            "cms",
            "-sign",
            "-binary",
            "-cades",
            "-nosmimecap",
            "-md",
            "sha256",
            "-in",
            "data.bin",
            "-signer",
            "seal.pem",
            "-inkey",
            "seal.key",
            "-certfile",
            "ca.pem",
            "-outform",
            "DER",
            "-out",
            "sig.der",
        ],
    );
    assert!(ok, "openssl cms -sign failed:\n{out}");
    let der = std::fs::read(dir.join("sig.der")).unwrap();
    let cms = parse_signed_data(&der).unwrap();
    cms.verify(&sha256(content)).unwrap();
    assert_eq!(cms.signer_certificate().der(), c.seal_der.as_slice());
    assert_eq!(cms.verify(&sha256(b"other")), Err(PkiError::DigestMismatch));
    let _ = std::fs::remove_dir_all(&dir);
}

// ---------------------------------------------------------------------------
// Helpers: split DER, and a raw CMS "crafter" to build non-conforming inputs.

fn split_header(b: &[u8]) -> (usize, &[u8]) {
    let (hl, len) = match b[1] {
        l if l < 0x80 => (2, l as usize),
        0x81 => (3, b[2] as usize),
        0x82 => (4, (b[2] as usize) << 8 | b[3] as usize),
        _ => panic!("unsupported length"),
    };
    (hl + len, &b[hl..hl + len])
}

fn split_tlv(b: &[u8]) -> (&[u8], &[u8]) {
    let (total, _) = split_header(b);
    b.split_at(total)
}

fn attr(oid: &der::asn1::ObjectIdentifier, values: &[Vec<u8>]) -> Vec<u8> {
    let mut body = oid.to_der().unwrap();
    body.extend(tlv(0x31, &values.concat()));
    tlv(0x30, &body)
}

fn signing_cert_v2_attr(cert_der: &[u8]) -> Vec<u8> {
    let ess_cert_id = tlv(0x30, &tlv(0x04, &sha256(cert_der)));
    let value = tlv(0x30, &tlv(0x30, &ess_cert_id));
    attr(&oids::ATTR_SIGNING_CERTIFICATE_V2, &[value])
}

fn sid_of(cert_der: &[u8]) -> Vec<u8> {
    let p = ParsedCert::from_der(cert_der).unwrap();
    let mut body = p.issuer_der().to_vec();
    body.extend(p.certificate().tbs_certificate().serial_number().to_der().unwrap());
    tlv(0x30, &body)
}

/// Every field of a detached SignedData as raw DER, re-assembled and re-signed on demand.
/// `der` sorts a SET OF while decoding: the certificates must still be paired with their own bytes, whatever
/// order the file has them in, and two different certificates that share a length and a signature value (the
/// pairing's fingerprint) are refused rather than guessed between.
#[test]
fn certificates_are_paired_with_their_own_bytes_in_any_order() {
    let c = chain();
    let sorted = {
        let mut v = vec![c.seal_der.clone(), c.ca_der.clone()];
        v.sort();
        v
    };
    let issued = Craft::new(&c).encode(&c.seal_key);
    // The same SignedData with its two certificates swapped (not DER order; the signature does not cover them).
    let at = issued.windows(sorted[0].len()).position(|w| w == sorted[0].as_slice()).unwrap();
    let mut swapped = issued.clone();
    let both = sorted[0].len() + sorted[1].len();
    swapped[at..at + both].copy_from_slice(&[sorted[1].clone(), sorted[0].clone()].concat());
    for (der, order) in [(&issued, [&sorted[0], &sorted[1]]), (&swapped, [&sorted[1], &sorted[0]])] {
        let cms = parse_signed_data(der).unwrap();
        let carried: Vec<&[u8]> = cms.certificates().iter().map(|p| p.der()).collect();
        assert!(carried == [order[0].as_slice(), order[1].as_slice()], "the file's order is kept");
        for p in cms.certificates() {
            let own = ecert_pki::ParsedCert::from_der(p.der()).unwrap();
            assert_eq!((p.serial(), p.not_after(), p.is_ca()), (own.serial(), own.not_after(), own.is_ca()));
        }
        assert!(cms.signer_certificate().der() == c.seal_der.as_slice());
        cms.verify(&sha256(CONTENT)).unwrap();
    }
    // The CA certificate and a twin of it: the last byte of its serial number changed, its signature value kept.
    let mut twin = c.ca_der.clone();
    let at = twin.windows(7).position(|w| w == [0xa0, 0x03, 0x02, 0x01, 0x02, 0x02, 0x10]).unwrap() + 7;
    twin[at + 15] ^= 1;
    let mut craft = Craft::new(&c);
    craft.certs.push(twin);
    assert_eq!(parse_signed_data(&craft.encode(&c.seal_key)).unwrap_err(), PkiError::Malformed("certificates"));
}

struct Craft {
    outer_type: Vec<u8>,
    version: Vec<u8>,
    digest_algs: Vec<u8>,
    encap: Vec<u8>,
    certs: Vec<Vec<u8>>,
    si_version: Vec<u8>,
    sid: Vec<u8>,
    si_digest_alg: Vec<u8>,
    /// contentType, signingTime, messageDigest, signingCertificateV2 — emitted in this order.
    attrs: Vec<Vec<u8>>,
    no_signed_attrs: bool,
    sig_alg: Vec<u8>,
    signer_info_copies: usize,
}

impl Craft {
    fn new(c: &Chain) -> Self {
        let sha256_alg = tlv(0x30, &oids::SHA256.to_der().unwrap());
        Craft {
            outer_type: oids::ID_SIGNED_DATA.to_der().unwrap(),
            version: vec![0x02, 0x01, 0x01],
            digest_algs: tlv(0x31, &sha256_alg),
            encap: tlv(0x30, &oids::ID_DATA.to_der().unwrap()),
            certs: vec![c.seal_der.clone(), c.ca_der.clone()],
            si_version: vec![0x02, 0x01, 0x01],
            sid: sid_of(&c.seal_der),
            si_digest_alg: sha256_alg,
            attrs: vec![
                attr(&oids::ATTR_CONTENT_TYPE, &[oids::ID_DATA.to_der().unwrap()]),
                attr(&oids::ATTR_SIGNING_TIME, &[tlv(0x17, b"250101000000Z")]),
                attr(&oids::ATTR_MESSAGE_DIGEST, &[tlv(0x04, &sha256(CONTENT))]),
                signing_cert_v2_attr(&c.seal_der),
            ],
            no_signed_attrs: false,
            sig_alg: tlv(0x30, &oids::ECDSA_WITH_SHA256.to_der().unwrap()),
            signer_info_copies: 1,
        }
    }

    fn encode(&self, key: &SigningKeyPair) -> Vec<u8> {
        let attrs_body = self.attrs.concat();
        let sig = key.sign_prehashed_der(&tlv(0x31, &attrs_body)).unwrap();
        let mut si = self.si_version.clone();
        si.extend(&self.sid);
        si.extend(&self.si_digest_alg);
        if !self.no_signed_attrs {
            si.extend(tlv(0xA0, &attrs_body));
        }
        si.extend(&self.sig_alg);
        si.extend(tlv(0x04, &sig));
        let si = tlv(0x30, &si);
        let signer_infos = tlv(0x31, &si.repeat(self.signer_info_copies));

        let mut sd = self.version.clone();
        sd.extend(&self.digest_algs);
        sd.extend(&self.encap);
        if !self.certs.is_empty() {
            // DER SET OF: sort the encodings.
            let mut certs = self.certs.clone();
            certs.sort();
            sd.extend(tlv(0xA0, &certs.concat()));
        }
        sd.extend(signer_infos);
        let mut ci = self.outer_type.clone();
        ci.extend(tlv(0xA0, &tlv(0x30, &sd)));
        tlv(0x30, &ci)
    }
}

fn verify_crafted(craft: &Craft, key: &SigningKeyPair) -> Result<(), PkiError> {
    parse_signed_data(&craft.encode(key))?.verify(&sha256(CONTENT))
}
