//! Shared fixtures for the integration tests: deterministic keys, a
//! Root → IssuerCa → Seal chain, a tiny DER writer and a tiny PRNG.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use std::path::PathBuf;
use std::process::Command;

use ecert_pki::{CertIssuer, CertSpec, NameSpec, Profile, SigningKeyPair, build_certificate};
use sha2::{Digest, Sha256};

/// 2025-01-01T00:00:00Z.
pub const T0: i64 = 1_735_689_600;
/// One year in seconds (365 days).
pub const YEAR: i64 = 365 * 24 * 3600;

/// Deterministic key from a label (entropy = SHA-256(label || counter)).
pub fn keypair(label: &str) -> SigningKeyPair {
    for counter in 0u32.. {
        let mut h = Sha256::new();
        h.update(label.as_bytes());
        h.update(counter.to_be_bytes());
        let entropy: [u8; 32] = h.finalize().into();
        if let Ok(k) = SigningKeyPair::from_entropy(&entropy) {
            return k;
        }
    }
    unreachable!()
}

/// 16 serial bytes derived from a label.
pub fn serial(label: &str) -> [u8; 16] {
    let d: [u8; 32] = Sha256::digest(label.as_bytes()).into();
    d[..16].try_into().unwrap()
}

pub fn spec(label: &str, o: &str, cn: &str, profile: Profile, years: i64) -> CertSpec {
    CertSpec {
        serial: serial(label),
        subject: NameSpec::cn(o, cn),
        not_before_unix: T0,
        not_after_unix: T0 + years * YEAR,
        profile,
    }
}

/// Root → IssuerCa → Seal, with their keys.
pub struct Chain {
    pub root_key: SigningKeyPair,
    pub root_der: Vec<u8>,
    pub ca_key: SigningKeyPair,
    pub ca_der: Vec<u8>,
    pub seal_key: SigningKeyPair,
    pub seal_der: Vec<u8>,
}

pub fn chain() -> Chain {
    chain_named("")
}

/// A chain whose keys/serials are derived from `tag` (distinct tags → distinct keys).
pub fn chain_named(tag: &str) -> Chain {
    let root_key = keypair(&format!("root{tag}"));
    let ca_key = keypair(&format!("ca{tag}"));
    let seal_key = keypair(&format!("seal{tag}"));
    let root_der = build_certificate(
        &spec(&format!("root{tag}"), "中国职业资格测试根", "ecert 测试根 CA", Profile::Root, 30),
        root_key.verifying_key(),
        CertIssuer::SelfSigned(&root_key),
    )
    .unwrap();
    let ca_der = build_certificate(
        &spec(&format!("ca{tag}"), "人力资源和社会保障部测试", "ecert 签发 CA", Profile::IssuerCa, 10),
        ca_key.verifying_key(),
        CertIssuer::Ca { cert_der: &root_der, key: &root_key },
    )
    .unwrap();
    let seal_der = build_certificate(
        &spec(&format!("seal{tag}"), "某某职业技能鉴定中心", "电子证书专用章", Profile::Seal, 2),
        seal_key.verifying_key(),
        CertIssuer::Ca { cert_der: &ca_der, key: &ca_key },
    )
    .unwrap();
    Chain { root_key, root_der, ca_key, ca_der, seal_key, seal_der }
}

/// Is the external tool `name` (e.g. `openssl`) on PATH? When ECERT_REQUIRE_VALIDATORS is set (the test script
/// sets it to 1 after installing the tools) a missing tool fails the test; otherwise the caller skips its check
/// and a SKIPPED line is printed.
pub fn tool(name: &str) -> bool {
    let found = Command::new("sh")
        .args(["-c", &format!("command -v {name}")])
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    if !found {
        if validators_required() {
            panic!("{name} is required (ECERT_REQUIRE_VALIDATORS=1) but not installed");
        }
        eprintln!("SKIPPED: {name} not installed");
    }
    found
}

/// Whether ECERT_REQUIRE_VALIDATORS is set (to anything but empty or `0`).
fn validators_required() -> bool {
    std::env::var_os("ECERT_REQUIRE_VALIDATORS").is_some_and(|v| !v.is_empty() && v != "0")
}

/// Fresh, empty scratch directory for one test.
pub fn scratch_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ecert-pki-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Run openssl with args in `dir`; return (success, combined output).
pub fn openssl(dir: &PathBuf, args: &[&str]) -> (bool, String) {
    let out = Command::new("openssl").args(args).current_dir(dir).output().unwrap();
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.success(), text)
}

/// DER TLV with definite minimal length.
pub fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().position(|&b| b != 0).unwrap();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
    out.extend_from_slice(content);
    out
}

/// xorshift64* — deterministic noise for fuzz-style tests.
pub struct Rng(pub u64);
impl Rng {
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next_u64() as u8).collect()
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
}

pub fn sha256(data: &[u8]) -> [u8; 32] {
    Sha256::digest(data).into()
}
