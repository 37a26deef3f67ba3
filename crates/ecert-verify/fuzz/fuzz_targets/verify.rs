#![no_main]
//! The whole verifier on arbitrary bytes, under a trust list signed by a fixed fuzzing root: it must return a
//! verdict, never panic, and never say VALID (no seal is trusted by this list).

use std::sync::OnceLock;

use ecert_format::{AnnotationRule, SignedTrustList, StatusInput, TrustList};
use ecert_verify::{VerifiedTrustList, VerifyOptions, VerdictCode};
use libfuzzer_sys::fuzz_target;

fn trust() -> &'static VerifiedTrustList {
    static T: OnceLock<VerifiedTrustList> = OnceLock::new();
    T.get_or_init(|| {
        let key = ecert_pki::SigningKeyPair::from_entropy(&[7u8; 32]).expect("key");
        let spki = key.spki_der().expect("spki");
        let list = TrustList {
            schema: ecert_format::trust_list::TRUST_LIST_SCHEMA.into(),
            sequence: 1,
            issued_at: 0,
            next_update: i64::MAX,
            root_key_id: ecert_format::trust_list::key_id_of_spki(&spki),
            annotation_rule: AnnotationRule::official(),
            issuers: vec![],
        };
        let payload = list.to_json();
        let sig = key.sign_prehashed_der(&payload).expect("sign");
        let signed = SignedTrustList::new(&payload, &sig, &spki);
        VerifiedTrustList::from_signed_json(signed.to_json_pretty().as_bytes(), &spki, 0).expect("trust list")
    })
}

fuzz_target!(|data: &[u8]| {
    let v = ecert_verify::verify(data, trust(), 1_795_406_400, &StatusInput::NotChecked, &VerifyOptions::default());
    assert_ne!(v.code, VerdictCode::Valid);
});
