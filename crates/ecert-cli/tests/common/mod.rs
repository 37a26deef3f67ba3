//! What the `ecert` binary's test files share: running the binary, the optional external validators, and one
//! demo (PKI, trust list, samples with their manifest) per test binary.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

/// The demo's "today".
pub const TODAY: &str = "2026-11-23";

pub fn ecert(args: &[&str]) -> Output {
    ecert_cmd().args(args).output().expect("run ecert")
}

/// The `ecert` binary as a command, its state (the trust-list rollback floor of `ecert verify`) in a directory
/// of this test binary's own, never the user's.
pub fn ecert_cmd() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_ecert"));
    c.env("XDG_STATE_HOME", state_home());
    c
}

/// The XDG_STATE_HOME of the tests' `ecert` runs: one temporary directory per test binary.
pub fn state_home() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| tempfile::tempdir().expect("tempdir").keep())
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// External validators are required when ECERT_REQUIRE_VALIDATORS is set (the test script sets it to 1 after
/// installing them): a missing tool fails the test. Otherwise a missing tool skips that check with a message.
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

/// One demo shared by the tests that only read it.
pub fn demo() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tempdir").keep().join("demo");
        let o = ecert(&["demo", "--out", dir.to_str().unwrap(), "--today", TODAY]);
        assert!(o.status.success(), "demo failed: {}", stderr(&o));
        dir
    })
}

#[derive(serde::Deserialize)]
pub struct Manifest {
    pub samples: Vec<ManifestSample>,
}

#[derive(serde::Deserialize)]
pub struct ManifestSample {
    pub file: String,
    pub expected: String,
    pub management_number: String,
    pub holder_name: String,
}

pub fn manifest() -> Manifest {
    serde_json::from_slice(&std::fs::read(demo().join("samples/manifest.json")).unwrap()).unwrap()
}

/// A minimal PKI in `dir/pki` made with the CLI (root, MOHRSS CA, TSA, one MOHRSS seal, status key) and its trust list,
/// `trust_list_args` appended to `ecert trust-list`. Returns the PKI path.
pub fn mohrss_pki(dir: &Path, trust_list_args: &[&str]) -> String {
    let pki = dir.join("pki").to_string_lossy().into_owned();
    let p = pki.as_str();
    let mut trust_list = vec!["trust-list", "--pki", p];
    trust_list.extend_from_slice(trust_list_args);
    for args in [
        vec!["keygen", "root", "--pki", p],
        vec!["keygen", "issuer", "--pki", p, "--issuer", "mohrss"],
        vec!["keygen", "tsa", "--pki", p],
        vec!["keygen", "seal", "--pki", p, "--issuer", "mohrss"],
        vec!["keygen", "status", "--pki", p],
        trust_list,
    ] {
        let o = ecert(&args);
        assert!(o.status.success(), "{args:?}: {}", stderr(&o));
    }
    pki
}

/// `ecert verify` under the trust list and root of the PKI at `pki` (a state file beside it), then `args`.
pub fn verify_in_pki(pki: &str, args: &[&str]) -> Output {
    let (list, root, floor) =
        (format!("{pki}/trust-list.json"), format!("{pki}/root/spki.pem"), format!("{pki}/../floor"));
    let mut all = vec!["verify", "--trust-list", &list, "--root", &root, "--state-file", &floor];
    all.extend_from_slice(args);
    ecert(&all)
}
