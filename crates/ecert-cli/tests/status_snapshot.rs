//! Status and time you can trust (issue 15), through the `ecert` binary: each copy's status is bound to the
//! exact record it seals; revocation is checked offline from a signed snapshot (and delta) that the trust list
//! authorises; the snapshot's signed time is a floor under the device clock; a stale snapshot is no answer; a
//! receipt re-checks offline. Each rule with the forgery or mistake it stops.

mod common;

use std::path::Path;

use ecert_format::status_snapshot::{STATUS_SNAPSHOT_SCHEMA, SnapshotFile, SnapshotHeader, SnapshotKind};
use ecert_pki::SigningKeyPair;
use ecert_verify::VerifiedStatus;
use serde_json::Value;

use common::{ecert, mohrss_pki, stderr, verify_in_pki};

fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}

fn today() -> String {
    ecert_format::Date::in_china_at(now()).unwrap().to_string()
}

fn ok(args: &[&str]) -> String {
    let o = ecert(args);
    assert!(o.status.success(), "{args:?}: {}", stderr(&o));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Issue a certificate (issued and approved today, so the current seal may seal it) into `dir/<mgmt>.pdf`.
fn issue(pki: &str, dir: &Path, mgmt: &str, id_number: &str) -> String {
    let out = dir.join(format!("{mgmt}.pdf")).to_string_lossy().into_owned();
    let today = today();
    ok(&[
        "issue",
        "--pki",
        pki,
        "--qualification",
        "Q07",
        "--name",
        "测试",
        "--id-number",
        id_number,
        "--approval-date",
        &today,
        "--issue-date",
        &today,
        "--management-number",
        mgmt,
        "--out",
        &out,
    ]);
    out
}

fn annotate(pki: &str, dir: &Path, mgmt: &str, n: u32) -> String {
    let out = dir.join(format!("{mgmt}-a{n}.pdf")).to_string_lossy().into_owned();
    ok(&["annotate", "--pki", pki, "--management-number", mgmt, "--days", "30", "--out", &out]);
    out
}

/// `ecert status snapshot` at `at` (Unix seconds), with extra arguments; returns the file written.
fn snapshot(pki: &str, dir: &Path, name: &str, at: i64, extra: &[&str]) -> String {
    let out = dir.join(name).to_string_lossy().into_owned();
    let at = format!("@{at}");
    let mut args = vec!["status", "snapshot", "--pki", pki, "--out", &out, "--at", &at];
    args.extend_from_slice(extra);
    ok(&args);
    out
}

/// `ecert verify --json` of one file at `at` with `extra` arguments: (exit code, verdict).
fn verify(pki: &str, file: &str, at: i64, extra: &[&str]) -> (i32, Value) {
    let at = format!("@{at}");
    let mut args = vec!["--json", "--at", &at];
    args.extend_from_slice(extra);
    args.push(file);
    let o = verify_in_pki(pki, &args);
    let json: Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|_| panic!("{}", stderr(&o)));
    (o.status.code().unwrap(), json[0]["verdict"].clone())
}

fn check_code(v: &Value, id: &str) -> String {
    v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == id)
        .map(|c| c["code"].as_str().unwrap().to_owned())
        .unwrap()
}

struct Setup {
    _dir: tempfile::TempDir,
    pki: String,
    m1: String,
    m1a1: String,
    m1a2: String,
    m2a: String,
    t0: i64,
}

/// A PKI (trust list valid 60 days, status key), two certificates: M1 with two 加注 copies, M2 with one.
fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let t0 = now();
    let pki = mohrss_pki(dir.path(), &["--next-update-days", "60"]);
    let d = dir.path();
    let m1 = issue(&pki, d, "SNAP0001", "110101198804120213");
    let m1a1 = annotate(&pki, d, "SNAP0001", 1);
    let m1a2 = annotate(&pki, d, "SNAP0001", 2);
    issue(&pki, d, "SNAP0002", "110101199002140014");
    let m2a = annotate(&pki, d, "SNAP0002", 1);
    Setup { _dir: dir, pki, m1, m1a1, m1a2, m2a, t0 }
}

#[test]
fn revocation_is_checked_offline_from_the_signed_snapshot_and_delta_for_every_copy() {
    let s = setup();
    let d = Path::new(&s.pki).parent().unwrap().to_path_buf();
    let sealed_by = now() + 5;
    // Every copy has its own status id, and the register of copies holds each.
    let ids: Vec<String> = [&s.m1, &s.m1a1, &s.m1a2, &s.m2a]
        .iter()
        .map(|f| verify(&s.pki, f, sealed_by, &[]).1["status_id"].as_str().unwrap().to_owned())
        .collect();
    let mut unique = ids.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 4, "{ids:?}");
    for id in &ids {
        assert!(Path::new(&s.pki).join("copies").join(format!("{id}.json")).exists(), "{id}");
    }
    // Without a snapshot: "not checked", which the CLI says.
    let (_, v) = verify(&s.pki, &s.m2a, sealed_by, &[]);
    assert_eq!((v["code"].as_str(), check_code(&v, "status").as_str()), (Some("VALID"), "STATUS_NOT_CHECKED"));
    assert_eq!(check_code(&v, "clock"), "NO_TIME_FLOOR");

    // A snapshot made before the copies were sealed can't answer for them: STATUS_UNKNOWN, never green.
    let s1 = snapshot(&s.pki, &d, "s1.bin", s.t0 - 30, &[]);
    let (code, v) = verify(&s.pki, &s.m2a, sealed_by, &["--status", &s1]);
    assert_eq!((code, v["code"].as_str()), (10, Some("STATUS_UNKNOWN")));
    assert_eq!(check_code(&v, "status"), "STATUS_NOT_COVERED");
    assert_eq!(v["status"]["state"], "not_covered");

    // A delta covers the copies issued since: not revoked, from the snapshot, offline.
    let d2 = snapshot(&s.pki, &d, "d2.bin", sealed_by + 10, &["--delta"]);
    let (code, v) = verify(&s.pki, &s.m2a, sealed_by + 20, &["--status", &s1, "--status-delta", &d2]);
    assert_eq!((code, v["code"].as_str()), (0, Some("VALID")), "{v:#}");
    assert_eq!((v["status"]["state"].as_str(), v["status"]["source"].as_str()), (Some("valid"), Some("snapshot")));
    assert_eq!(v["status"]["snapshot"]["sequence"], 2);

    // Revoking M1 (a cumulative delta) revokes every copy of it — the base and both 加注 copies — and no other.
    let d3 = snapshot(&s.pki, &d, "d3.bin", sealed_by + 30, &["--delta", "--revoke", "SNAP0001"]);
    for f in [&s.m1, &s.m1a1, &s.m1a2] {
        let (code, v) = verify(&s.pki, f, sealed_by + 40, &["--status", &s1, "--status-delta", &d3]);
        assert_eq!((code, v["code"].as_str()), (12, Some("REVOKED")), "{f}: {v:#}");
        assert_eq!(check_code(&v, "status"), "REVOKED");
        assert!(v["summary"]["zh"].as_str().unwrap().contains("已撤销"), "{}", v["summary"]["zh"]);
    }
    let (code, _) = verify(&s.pki, &s.m2a, sealed_by + 40, &["--status", &s1, "--status-delta", &d3]);
    assert_eq!(code, 0);

    // The next full snapshot keeps the revocation (the local register remembers it).
    let s4 = snapshot(&s.pki, &d, "s4.bin", sealed_by + 50, &[]);
    let (code, _) = verify(&s.pki, &s.m1a2, sealed_by + 60, &["--status", &s4]);
    assert_eq!(code, 12);
    let (code, _) = verify(&s.pki, &s.m2a, sealed_by + 60, &["--status", &s4]);
    assert_eq!(code, 0);

    // A delta does not go with another snapshot; a snapshot is never taken for a delta.
    let o = verify_in_pki(&s.pki, &["--status", &s4, "--status-delta", &d3, &s.m2a]);
    assert!(stderr(&o).contains("STATUS_DELTA_MISMATCH"), "{}", stderr(&o));
    let o = verify_in_pki(&s.pki, &["--status", &d3, &s.m2a]);
    assert!(stderr(&o).contains("STATUS_DELTA_MISMATCH"), "{}", stderr(&o));

    // A verifier that holds snapshot 4 refuses snapshot 1 (rollback).
    let list = std::fs::read(format!("{}/trust-list.json", s.pki)).unwrap();
    let root = ecert_pki::key::spki_der_from_pem(&std::fs::read_to_string(format!("{}/root/spki.pem", s.pki)).unwrap())
        .unwrap();
    let trust = ecert_verify::VerifiedTrustList::from_signed_json(&list, &root, 0).unwrap();
    let held = VerifiedStatus::new(&trust, &std::fs::read(&s4).unwrap(), None, 0).unwrap();
    let old = VerifiedStatus::new(&trust, &std::fs::read(&s1).unwrap(), None, held.sequence());
    assert_eq!(old.unwrap_err().code(), "STATUS_SNAPSHOT_ROLLBACK");
}

#[test]
fn the_snapshots_signed_time_is_a_floor_under_a_clock_set_back_and_an_old_snapshot_is_no_answer() {
    let s = setup();
    let d = Path::new(&s.pki).parent().unwrap().to_path_buf();
    let sealed_by = now() + 5;
    // 40 days on, the registry's snapshot says M2's copy is not revoked; its 30-day 加注 has expired.
    let later = sealed_by + 40 * 86_400;
    let snap = snapshot(&s.pki, &d, "later.bin", later, &[]);
    // The attack: the device clock set back to the day of issue. Without a snapshot it works…
    let (code, v) = verify(&s.pki, &s.m2a, sealed_by, &[]);
    assert_eq!((code, v["code"].as_str()), (0, Some("VALID")));
    // …with one, the time of check is the snapshot's signed time: the 加注 is expired, and the clock reported.
    let (code, v) = verify(&s.pki, &s.m2a, sealed_by, &["--status", &snap]);
    assert_eq!((code, v["code"].as_str()), (11, Some("ANNOTATION_EXPIRED")), "{v:#}");
    assert_eq!(check_code(&v, "clock"), "CLOCK_BEHIND");
    assert_eq!(
        (v["clock"].as_i64(), v["time_floor"].as_i64(), v["checked_at"].as_i64()),
        (Some(sealed_by), Some(later), Some(later))
    );
    let clock = v["checks"].as_array().unwrap().iter().find(|c| c["id"] == "clock").unwrap().clone();
    assert_eq!(clock["outcome"], "warn");
    assert!(clock["zh"].as_str().unwrap().contains("早于状态快照的签名时间"), "{clock}");
    // A correct clock: the clock check passes.
    let (_, v) = verify(&s.pki, &s.m2a, later + 10, &["--status", &snap]);
    assert_eq!(check_code(&v, "clock"), "OK");

    // Freshness: the trust list allows a snapshot one day old; older is STATUS_UNKNOWN with the next step.
    let fresh = snapshot(&s.pki, &d, "fresh.bin", sealed_by + 60, &[]);
    let (code, v) = verify(&s.pki, &s.m2a, sealed_by + 60 + 86_400, &["--status", &fresh]);
    assert_eq!((code, v["code"].as_str()), (0, Some("VALID")));
    let (code, v) = verify(&s.pki, &s.m2a, sealed_by + 60 + 86_401, &["--status", &fresh]);
    assert_eq!((code, v["code"].as_str()), (10, Some("STATUS_UNKNOWN")));
    assert_eq!(check_code(&v, "status"), "STATUS_STALE");
    assert!(v["summary"]["zh"].as_str().unwrap().contains("联网更新状态后再核验"), "{}", v["summary"]["zh"]);
    // The trust list sets that age.
    let listed: Value = serde_json::from_slice(
        &base64_decode(&serde_json::from_slice::<Value>(&std::fs::read(format!("{}/trust-list.json", s.pki)).unwrap()).unwrap()["payload"]),
    )
    .unwrap();
    assert_eq!(listed["max_status_age"], 86_400);
    assert_eq!(listed["status_signers"][0]["id"], "ecert-status");
}

fn base64_decode(v: &Value) -> Vec<u8> {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.decode(v.as_str().unwrap()).unwrap()
}

#[test]
fn forged_and_tampered_snapshots_are_refused() {
    let s = setup();
    let d = Path::new(&s.pki).parent().unwrap().to_path_buf();
    let at = now() + 60;
    let genuine = std::fs::read(snapshot(&s.pki, &d, "genuine.bin", at, &["--revoke", "SNAP0002"])).unwrap();
    let refused = |bytes: &[u8], code: &str| {
        let path = d.join("forged.bin");
        std::fs::write(&path, bytes).unwrap();
        let o = verify_in_pki(&s.pki, &["--status", path.to_str().unwrap(), &s.m2a]);
        assert_eq!(o.status.code(), Some(2), "{code}: {}", stderr(&o));
        assert!(stderr(&o).contains(code), "{code}: {}", stderr(&o));
    };
    // One flipped bit in the filter (to un-revoke a copy).
    let mut flipped = genuine.clone();
    *flipped.last_mut().unwrap() ^= 1;
    refused(&flipped, "STATUS_SNAPSHOT_FILTER_MISMATCH");
    // The holder's own snapshot that revokes nothing, signed with a key of their own under the registry's signer id.
    let file = SnapshotFile::parse(&genuine).unwrap();
    let attacker = SigningKeyPair::from_entropy(&[7u8; 32]).unwrap();
    let clean_filter = ecert_status_filter::StatusFilter::build(&[], std::iter::empty, 7).unwrap().to_bytes();
    let header = SnapshotHeader {
        revoked: 0,
        filter_sha256: SnapshotFile::filter_digest(&clean_filter),
        filter_len: clean_filter.len() as u64,
        ..file.header.clone()
    };
    let forged =
        SnapshotFile::new(&header, attacker.sign_prehashed_der(&header.to_json()).unwrap(), clean_filter.clone());
    refused(&forged.to_bytes(), "STATUS_SNAPSHOT_BAD_SIGNATURE");
    // The same under a signer id the trust list does not have.
    let other = SnapshotHeader { signer: "attacker".into(), ..header.clone() };
    let forged =
        SnapshotFile::new(&other, attacker.sign_prehashed_der(&other.to_json()).unwrap(), clean_filter.clone());
    refused(&forged.to_bytes(), "STATUS_SIGNER_UNKNOWN");
    // Signed by the registry's real status key, but dated outside its use window (before it was created).
    let key_pem = std::fs::read_to_string(format!("{}/status/key.pem", s.pki)).unwrap();
    let key = SigningKeyPair::from_pkcs8_pem(&key_pem).unwrap();
    let early = SnapshotHeader { issued_at: now() - 86_400, covers_sealed_before: now() - 86_400, ..header.clone() };
    let file = SnapshotFile::new(&early, key.sign_prehashed_der(&early.to_json()).unwrap(), clean_filter.clone());
    refused(&file.to_bytes(), "STATUS_SIGNER_NOT_IN_USE");
    // Not a snapshot at all, and a header that is not the schema's.
    refused(b"%PDF-1.7", "STATUS_SNAPSHOT_MALFORMED");
    let v2 = SnapshotHeader { schema: "ecert.status-snapshot/2".into(), ..header.clone() };
    let file = SnapshotFile::new(&v2, key.sign_prehashed_der(&v2.to_json()).unwrap(), clean_filter);
    refused(&file.to_bytes(), "STATUS_SNAPSHOT_VERSION");
    // The genuine one still works: M2's copy is revoked.
    let path = d.join("genuine.bin");
    let (code, _) = verify(&s.pki, &s.m2a, at + 10, &["--status", path.to_str().unwrap()]);
    assert_eq!(code, 12);
    assert_eq!(STATUS_SNAPSHOT_SCHEMA, "ecert.status-snapshot/1");
    assert_eq!(SnapshotKind::Snapshot, file_kind(&genuine));
}

fn file_kind(bytes: &[u8]) -> SnapshotKind {
    SnapshotFile::parse(bytes).unwrap().header.kind
}

#[test]
fn a_receipt_rechecks_offline_and_says_what_it_proves() {
    let s = setup();
    let d = Path::new(&s.pki).parent().unwrap().to_path_buf();
    let at = now() + 60;
    let snap = snapshot(&s.pki, &d, "snap.bin", at, &["--revoke", "SNAP0001"]);
    let receipts = d.join("receipts");
    let at_s = format!("@{}", at + 10);
    let o = verify_in_pki(
        &s.pki,
        &["--at", &at_s, "--status", &snap, "--receipt-dir", receipts.to_str().unwrap(), &s.m2a, &s.m1a1],
    );
    assert_eq!(o.status.code(), Some(12), "{}", stderr(&o));
    let r2 = receipts.join("SNAP0002-a1.receipt.json");
    let r1 = receipts.join("SNAP0001-a1.receipt.json");
    let receipt: Value = serde_json::from_slice(&std::fs::read(&r2).unwrap()).unwrap();
    assert_eq!(receipt["schema"], "ecert.receipt/1");
    assert_eq!(receipt["verdict"]["code"], "VALID");
    assert_eq!(receipt["status"]["snapshot"]["sequence"], 1);
    assert!(receipt["status"]["snapshot"]["header"].as_str().unwrap().len() > 100);
    assert_eq!(receipt["certificate"]["management_number"], "SNAP0002");
    assert_eq!(receipt["file"]["sha256"].as_str().unwrap().len(), 64);
    let root = format!("{}/root/spki.pem", s.pki);
    let check = |args: &[&str]| {
        let mut all = vec!["receipt", "verify", "--root", root.as_str()];
        all.extend_from_slice(args);
        let o = ecert(&all);
        (o.status.code().unwrap(), String::from_utf8_lossy(&o.stdout).into_owned())
    };
    // Alone: the trust list and the snapshot's signature check out; the limits are stated.
    let (code, out) = check(&[r2.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("TRUST_LIST_OK") && out.contains("SNAPSHOT_SIGNED"), "{out}");
    assert!(out.contains("回执不能证明"), "{out}");
    // With its file and snapshot: the same verdict, revocation included.
    let (code, out) = check(&[r2.to_str().unwrap(), &s.m2a, "--status", &snap]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("FILE_MATCHES") && out.contains("VERDICT_REPRODUCED"), "{out}");
    let (code, out) = check(&[r1.to_str().unwrap(), &s.m1a1, "--status", &snap]);
    assert_eq!(code, 0, "{out}");
    // Another file: not the one checked.
    let (code, out) = check(&[r2.to_str().unwrap(), &s.m1a1]);
    assert_eq!(code, 1);
    assert!(out.contains("FILE_DIFFERS"), "{out}");
    // A receipt edited to say VALID for the revoked copy: re-checking with the snapshot disagrees.
    let mut edited: Value = serde_json::from_slice(&std::fs::read(&r1).unwrap()).unwrap();
    edited["verdict"]["code"] = "VALID".into();
    edited["status"]["state"] = "valid".into();
    let e = d.join("edited.json");
    std::fs::write(&e, serde_json::to_vec(&edited).unwrap()).unwrap();
    let (code, out) = check(&[e.to_str().unwrap(), &s.m1a1, "--status", &snap]);
    assert_eq!(code, 1);
    assert!(out.contains("VERDICT_DIFFERS"), "{out}");
    // A receipt whose snapshot header was swapped for another's: the signature no longer matches it.
    let mut swapped: Value = serde_json::from_slice(&std::fs::read(&r2).unwrap()).unwrap();
    swapped["status"]["snapshot"]["sequence"] = 9.into();
    std::fs::write(&e, serde_json::to_vec(&swapped).unwrap()).unwrap();
    let (code, out) = check(&[e.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(out.contains("SNAPSHOT_INVALID"), "{out}");
    // Under another root, nothing holds.
    let other = tempfile::tempdir().unwrap();
    let other_pki = mohrss_pki(other.path(), &[]);
    let o = ecert(&["receipt", "verify", "--root", &format!("{other_pki}/root/spki.pem"), r2.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stdout).contains("TRUST_LIST_INVALID"));
}
