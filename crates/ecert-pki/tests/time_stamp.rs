//! RFC 3161 time-stamp tokens: ecert's own TSA against its strict reader, the seal's B-T attribute, the
//! request/response, and OpenSSL's `ts` as an independent party in both directions (it verifies our tokens, and
//! tokens from its responder, run with our TSA certificate, verify here).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

mod common;

use common::*;
use ecert_pki::cms_verify::parse_signed_data;
use ecert_pki::time_stamp_protocol::{request_der, request_nonce, token_from_response};
use ecert_pki::time_stamp_token::{self, LocalTsa, TimeStamper, issue_token};
use ecert_pki::{
    CertIssuer, PkiError, Profile, SigningKeyPair, build_certificate, certificate_to_pem, ecdsa_verify, oids,
    sign_detached, sign_detached_time_stamped,
};
use sha2::{Digest, Sha256};

const CONTENT: &[u8] = b"%PDF-1.7 signed bytes of a certificate";

fn sha256(b: &[u8]) -> [u8; 32] {
    Sha256::digest(b).into()
}

struct Tsa {
    key: SigningKeyPair,
    der: Vec<u8>,
}

/// A TSA certificate issued by `root` (Profile::TimeStampAuthority).
fn tsa(c: &Chain, label: &str) -> Tsa {
    let key = keypair(label);
    let der = build_certificate(
        &spec(label, "ecert 时间戳服务测试", "ecert 测试时间戳 TSA", Profile::TimeStampAuthority, 5),
        key.verifying_key(),
        CertIssuer::Ca { cert_der: &c.root_der, key: &c.root_key },
    )
    .unwrap();
    Tsa { key, der }
}

fn local<'a>(t: &'a Tsa, at: i64) -> LocalTsa<'a> {
    LocalTsa { key: &t.key, certificate_der: &t.der, gen_time_unix: at }
}

#[test]
fn the_tsa_certificate_has_the_rfc3161_profile() {
    let c = chain();
    let t = tsa(&c, "tsa-profile");
    let parsed = ecert_pki::ParsedCert::from_der(&t.der).unwrap();
    assert!(parsed.is_time_stamping_only(), "critical EKU id-kp-timeStamping only");
    assert!(!parsed.has_unknown_critical_extension(), "the TSA EKU is understood");
    assert!(!parsed.is_ca());
    assert!(parsed.key_usage().unwrap().digital_signature());
    ecert_pki::verify_issued_by(&parsed, &ecert_pki::ParsedCert::from_der(&c.root_der).unwrap()).unwrap();
    // A seal certificate is not a TSA: a token signed with a seal key is refused.
    let seal = ecert_pki::ParsedCert::from_der(&c.seal_der).unwrap();
    assert!(!seal.is_time_stamping_only());
    let not_a_tsa = LocalTsa { key: &c.seal_key, certificate_der: &c.seal_der, gen_time_unix: T0 };
    assert_eq!(not_a_tsa.time_stamp(&[7; 32]).unwrap_err(), PkiError::TimeStampSigner);
}

#[test]
fn a_local_token_verifies_and_states_its_time() {
    let c = chain();
    let t = tsa(&c, "tsa-local");
    let imprint = sha256(b"a signature value");
    let token = local(&t, T0 + 3600).time_stamp(&imprint).unwrap();
    let stamp = time_stamp_token::verify(&token, &imprint).unwrap();
    assert_eq!(stamp.gen_time, T0 + 3600);
    assert_eq!(stamp.tsa_certificate.der(), t.der.as_slice());
    assert_eq!(stamp.policy, time_stamp_token::ECERT_TSA_POLICY);
    // Another imprint: the token covers something else.
    assert_eq!(
        time_stamp_token::verify(&token, &sha256(b"another signature")).unwrap_err(),
        PkiError::TimeStampImprintMismatch
    );
    // Every single-byte change of the token is refused (no byte of it is unchecked).
    for i in 0..token.len() {
        let mut bad = token.clone();
        bad[i] ^= 0x01;
        assert!(time_stamp_token::verify(&bad, &imprint).is_err(), "flipped byte {i} still verifies");
    }
    // Trailing bytes are refused.
    let mut longer = token.clone();
    longer.push(0);
    assert!(time_stamp_token::verify(&longer, &imprint).is_err());
}

#[test]
fn a_b_t_seal_carries_exactly_one_token_over_its_signature() {
    let c = chain();
    let t = tsa(&c, "tsa-bt");
    let der = sign_detached_time_stamped(
        sha256(CONTENT),
        T0 + 60,
        &c.seal_der,
        &[&c.ca_der],
        &c.seal_key,
        &local(&t, T0 + 61),
    )
    .unwrap();
    let cms = parse_signed_data(&der).unwrap();
    cms.verify(&sha256(CONTENT)).unwrap();
    let attrs = cms.unsigned_attributes();
    assert_eq!(attrs.len(), 1);
    assert_eq!(attrs[0].oid, oids::ATTR_SIGNATURE_TIME_STAMP_TOKEN);
    assert_eq!(attrs[0].values.len(), 1);
    let stamp = time_stamp_token::verify(&attrs[0].values[0], &sha256(cms.signature())).unwrap();
    assert_eq!(stamp.gen_time, T0 + 61);
    assert!(!cms.has_crls());
    assert!(ecdsa_verify::is_low_s(cms.signature()), "the issuer writes low-S signatures");
    // B-B has none.
    let bb = parse_signed_data(&sign_detached(sha256(CONTENT), T0, &c.seal_der, &[&c.ca_der], &c.seal_key).unwrap())
        .unwrap();
    assert!(bb.unsigned_attributes().is_empty());
}

#[test]
fn the_signer_refuses_a_token_far_from_its_signing_time_or_over_something_else() {
    let c = chain();
    let t = tsa(&c, "tsa-drift");
    let late = local(&t, T0 + time_stamp_token::MAX_SIGNING_TIME_DRIFT + 1);
    assert_eq!(
        sign_detached_time_stamped(sha256(CONTENT), T0, &c.seal_der, &[&c.ca_der], &c.seal_key, &late).unwrap_err(),
        PkiError::SigningTimeDrift
    );
    // A stamper that answers with a token for another imprint (a replayed token).
    struct Replay(Vec<u8>);
    impl TimeStamper for Replay {
        fn time_stamp(&self, _: &[u8; 32]) -> ecert_pki::Result<Vec<u8>> {
            Ok(self.0.clone())
        }
    }
    let other = local(&t, T0).time_stamp(&[9; 32]).unwrap();
    assert_eq!(
        sign_detached_time_stamped(sha256(CONTENT), T0, &c.seal_der, &[&c.ca_der], &c.seal_key, &Replay(other))
            .unwrap_err(),
        PkiError::TimeStampImprintMismatch
    );
}

#[test]
fn request_and_response_round_trip_with_nonce_checks() {
    let c = chain();
    let t = tsa(&c, "tsa-protocol");
    let imprint = sha256(b"sig");
    let nonce = [0x81, 2, 3, 4, 5, 6, 7, 8];
    let req = request_der(&imprint, &nonce).unwrap();
    assert_eq!(req[0], 0x30);
    let token = issue_token(&local(&t, T0), &imprint, Some(&request_nonce(&nonce).unwrap())).unwrap();
    let response = |status: u8, token: Option<&[u8]>| {
        let status_info = tlv(0x30, &tlv(0x02, &[status]));
        let mut body = status_info;
        if let Some(t) = token {
            body.extend_from_slice(t);
        }
        tlv(0x30, &body)
    };
    let (got, stamp) = token_from_response(&response(0, Some(&token)), &imprint, &nonce).unwrap();
    assert_eq!(got, token);
    assert_eq!(stamp.gen_time, T0);
    assert!(matches!(
        token_from_response(&response(2, None), &imprint, &nonce).unwrap_err(),
        PkiError::TimeStampFailed(_)
    ));
    assert!(matches!(
        token_from_response(&response(0, None), &imprint, &nonce).unwrap_err(),
        PkiError::TimeStampFailed(_)
    ));
    assert!(matches!(
        token_from_response(&response(0, Some(&token)), &imprint, &[9; 8]).unwrap_err(),
        PkiError::TimeStampFailed(_)
    ));
    assert_eq!(
        token_from_response(&response(0, Some(&token)), &sha256(b"other"), &nonce).unwrap_err(),
        PkiError::TimeStampImprintMismatch
    );
}

/// Files for OpenSSL: the TSA certificate and key, the root, and a `ts` configuration.
fn openssl_tsa_files(dir: &std::path::Path, c: &Chain, t: &Tsa) {
    std::fs::write(dir.join("tsa.pem"), certificate_to_pem(&t.der).unwrap()).unwrap();
    std::fs::write(dir.join("tsa-key.pem"), t.key.to_pkcs8_pem().unwrap().as_bytes()).unwrap();
    std::fs::write(dir.join("root.pem"), certificate_to_pem(&c.root_der).unwrap()).unwrap();
    std::fs::write(dir.join("serial"), "01\n").unwrap();
    let cnf = format!(
        "[tsa]\ndefault_tsa = tsa_config1\n[tsa_config1]\nserial = {d}/serial\nsigner_cert = {d}/tsa.pem\n\
         signer_key = {d}/tsa-key.pem\nsigner_digest = sha256\ndefault_policy = 1.2.3.4.1\nother_policies = 1.2.3.4.2\n\
         digests = sha256\ness_cert_id_alg = sha256\ness_cert_id_chain = no\naccuracy = secs:1\nordering = no\n\
         tsa_name = no\n",
        d = dir.display()
    );
    std::fs::write(dir.join("ts.cnf"), cnf).unwrap();
}

#[test]
fn openssl_verifies_our_tokens() {
    if !tool("openssl") {
        return;
    }
    let dir = scratch_dir("ts-ours");
    let c = chain();
    let t = tsa(&c, "tsa-openssl-verifies");
    openssl_tsa_files(&dir, &c, &t);
    let data = b"the bytes whose hash is time-stamped";
    std::fs::write(dir.join("data"), data).unwrap();
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    let token = local(&t, now).time_stamp(&sha256(data)).unwrap();
    std::fs::write(dir.join("token.der"), &token).unwrap();
    let (ok, out) = openssl(
        &dir,
        &[
            "ts",
            "-verify",
            "-data",
            "data",
            "-in",
            "token.der",
            "-token_in",
            "-CAfile",
            "root.pem",
            "-untrusted",
            "tsa.pem",
        ],
    );
    assert!(ok && out.contains("Verification: OK"), "openssl ts -verify: {out}");
    // And refuses it for other data.
    std::fs::write(dir.join("other"), b"other bytes").unwrap();
    let (ok, _) = openssl(
        &dir,
        &[
            "ts",
            "-verify",
            "-data",
            "other",
            "-in",
            "token.der",
            "-token_in",
            "-CAfile",
            "root.pem",
            "-untrusted",
            "tsa.pem",
        ],
    );
    assert!(!ok, "openssl accepted a token for other data");
}

#[test]
fn tokens_from_openssls_responder_verify_here() {
    if !tool("openssl") {
        return;
    }
    let dir = scratch_dir("ts-theirs");
    let c = chain();
    let t = tsa(&c, "tsa-openssl-responds");
    openssl_tsa_files(&dir, &c, &t);
    let imprint = sha256(b"a seal's signature value");
    let nonce = [0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88];
    std::fs::write(dir.join("q.tsq"), request_der(&imprint, &nonce).unwrap()).unwrap();
    let (ok, out) = openssl(&dir, &["ts", "-reply", "-config", "ts.cnf", "-queryfile", "q.tsq", "-out", "r.tsr"]);
    assert!(ok, "openssl ts -reply: {out}");
    let response = std::fs::read(dir.join("r.tsr")).unwrap();
    let (token, stamp) = token_from_response(&response, &imprint, &nonce).unwrap();
    assert_eq!(stamp.tsa_certificate.der(), t.der.as_slice());
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    assert!((stamp.gen_time - now).abs() < 120, "genTime {} vs now {now}", stamp.gen_time);
    // The same token embedded in a seal (as `ecert issue --tsa-url` does) parses as a B-T seal.
    struct Fixed(Vec<u8>);
    impl TimeStamper for Fixed {
        fn time_stamp(&self, _: &[u8; 32]) -> ecert_pki::Result<Vec<u8>> {
            Ok(self.0.clone())
        }
    }
    // OpenSSL's token covers `imprint`, not this new signature: the signer refuses to embed it.
    assert_eq!(
        sign_detached_time_stamped(sha256(CONTENT), now, &c.seal_der, &[], &c.seal_key, &Fixed(token)).unwrap_err(),
        PkiError::TimeStampImprintMismatch
    );
}

#[test]
fn a_tstinfo_must_be_der() {
    use der::Encode as _;
    use ecert_pki::tst_info::{MessageImprint, TstInfo};
    let info = |ordering| TstInfo {
        version: 1,
        policy: time_stamp_token::ECERT_TSA_POLICY,
        message_imprint: MessageImprint::sha256(&[1; 32]).unwrap(),
        serial_number: der::asn1::Int::new(&[1]).unwrap(),
        gen_time: der::asn1::GeneralizedTime::from_unix_duration(std::time::Duration::from_secs(T0 as u64)).unwrap(),
        accuracy: None,
        ordering,
        nonce: None,
    };
    let good = info(None).to_der().unwrap();
    assert_eq!(TstInfo::from_der_strict(&good).unwrap().gen_time_unix().unwrap(), T0);
    assert!(TstInfo::from_der_strict(&info(Some(true)).to_der().unwrap()).is_ok());
    // DEFAULT FALSE written out: not DER.
    assert!(TstInfo::from_der_strict(&info(Some(false)).to_der().unwrap()).is_err());
    // A long-form length where the short form fits: not DER.
    let mut long = vec![0x30, 0x81, good[1]];
    long.extend_from_slice(&good[2..]);
    assert!(TstInfo::from_der_strict(&long).is_err());
    // Version 2, trailing bytes.
    let mut v2 = good.clone();
    let at = v2.windows(3).position(|w| w == [0x02, 0x01, 0x01]).unwrap();
    v2[at + 2] = 2;
    assert!(TstInfo::from_der_strict(&v2).is_err());
    let mut trailing = good.clone();
    trailing.push(0);
    assert!(TstInfo::from_der_strict(&trailing).is_err());
}
