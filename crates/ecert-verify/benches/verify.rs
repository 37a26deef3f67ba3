//! In-process verify of a demo certificate against the floor: one SHA-256 over the file plus the two ECDSA
//! P-256 verifications any verifier of format v2 must do — the seal's signature and its RFC 3161 time-stamp's.
//! The one-verify floor of format v1 (B-B) is timed beside it, so the time-stamp's cost shows. Warm: the trust
//! list verified once, its seal chain checked on the first verify and kept. Cold: each iteration loads the trust list from its signed JSON
//! ([`VerifiedTrustList::from_signed_json`]: the root's signature, the CA certificates) and then verifies one
//! certificate, paying the seal chain's first-use checks too — what a process that verifies one file does.
//! Run through `scripts/bench-verify.sh`, which writes the demo and points `ECERT_BENCH_DEMO` at it.

// Bench setup code: a missing or broken demo directory should stop the run loudly.
#![allow(clippy::expect_used, clippy::unwrap_used, clippy::indexing_slicing)]

use std::path::PathBuf;

use criterion::{Criterion, criterion_group, criterion_main};
use ecert_format::StatusInput;
use ecert_verify::{VerifiedTrustList, VerifyOptions, verify};
use sha2::{Digest as _, Sha256};

fn demo_dir() -> PathBuf {
    match std::env::var_os("ECERT_BENCH_DEMO") {
        Some(d) => PathBuf::from(d),
        None => {
            eprintln!("set ECERT_BENCH_DEMO to an `ecert demo` output directory (scripts/bench-verify.sh does)");
            std::process::exit(2);
        }
    }
}

fn bench(c: &mut Criterion) {
    let dir = demo_dir();
    let root_pem = std::fs::read_to_string(dir.join("root-spki.pem")).expect("root-spki.pem");
    let root = ecert_pki::key::spki_der_from_pem(&root_pem).expect("root-spki.pem is a P-256 public key");
    let list = std::fs::read(dir.join("trust-list.json")).expect("trust-list.json");
    let trust = VerifiedTrustList::from_signed_json(&list, &root, 0).expect("trust list");
    let pdf = std::fs::read(dir.join("samples/valid-style1.pdf")).expect("sample");
    let at = std::env::var("ECERT_BENCH_AT").ok().and_then(|s| s.parse().ok()).unwrap_or(1_795_406_400);
    let options = VerifyOptions::default();
    assert!(verify(&pdf, &trust, at, &StatusInput::NotChecked, &options).is_valid(), "the sample must verify");

    // The floor's inputs: the CMS's signed attributes, signature and signer key.
    let k = pdf.windows(10).position(|w| w == b"/Contents<").expect("/Contents") + 10;
    let end = k + pdf[k..].iter().position(|&b| b == b'>').expect(">");
    let hex = &pdf[k..end];
    let der: Vec<u8> =
        hex.chunks(2).map(|p| u8::from_str_radix(std::str::from_utf8(p).unwrap_or("00"), 16).unwrap_or(0)).collect();
    let cms = ecert_pki::parse_signed_data(&der).expect("cms");
    let spki = cms.signer_certificate().spki_der().to_vec();
    let token_der = cms.unsigned_attributes()[0].values[0].clone();
    let token = ecert_pki::cms_verify::parse_shape(&token_der, ecert_pki::Encapsulated::TstInfo).expect("token");
    let tsa_spki = token.signer_certificate().spki_der().to_vec();

    let mut g = c.benchmark_group(format!("verify {} KB", pdf.len() / 1024));
    g.bench_function("floor: sha256(file) + 2 ECDSA verifies", |b| {
        b.iter(|| {
            let d = Sha256::digest(&pdf);
            std::hint::black_box(d);
            ecert_pki::verify_p256_sha256(&spki, cms.signed_attrs_der(), cms.signature()).expect("verify");
            ecert_pki::verify_p256_sha256(&tsa_spki, token.signed_attrs_der(), token.signature()).expect("verify")
        })
    });
    g.bench_function("v1 floor: sha256(file) + 1 ECDSA verify", |b| {
        b.iter(|| {
            let d = Sha256::digest(&pdf);
            std::hint::black_box(d);
            ecert_pki::verify_p256_sha256(&spki, cms.signed_attrs_der(), cms.signature()).expect("verify")
        })
    });
    g.bench_function("ecert_verify::verify", |b| {
        b.iter(|| std::hint::black_box(verify(&pdf, &trust, at, &StatusInput::NotChecked, &options)))
    });
    g.bench_function("cold: from_signed_json + ecert_verify::verify", |b| {
        b.iter(|| {
            let trust = VerifiedTrustList::from_signed_json(&list, &root, 0).expect("trust list");
            std::hint::black_box(verify(&pdf, &trust, at, &StatusInput::NotChecked, &options))
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
