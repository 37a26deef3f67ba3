//! End-to-end tests of the `ecert` binary: demo output validated by pdfsig and pyHanko, the embedded record,
//! key permissions, the annotation rules at their edges, and clear errors for bad input.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{demo, ecert, manifest, stderr, tool};

use ecert_format::{CertificateRecord, Registry, SignedTrustList};

#[test]
fn demo_writes_every_required_sample() {
    let m = manifest();
    let expected: Vec<&str> = m.samples.iter().map(|s| s.expected.as_str()).collect();
    for code in [
        "VALID",
        "ANNOTATION_EXPIRED",
        "ANNOTATION_NOT_YET_VALID",
        "ANNOTATION_MISSING",
        "SEAL_NOT_AUTHORIZED",
        "UNTRUSTED_SEAL",
    ] {
        assert!(expected.contains(&code), "no sample for {code}");
    }
    for f in [
        "valid-style1.pdf",
        "valid-style2.pdf",
        "pre-2021-association.pdf",
        "rare-name-ext-a.pdf",
        "rare-name-ext-b.pdf",
    ] {
        assert!(m.samples.iter().any(|s| s.file == f), "{f}");
    }
    for s in &m.samples {
        let bytes = std::fs::read(demo().join("samples").join(&s.file)).unwrap();
        assert!(bytes.starts_with(b"%PDF-1.7"), "{}", s.file);
    }
}

#[test]
fn every_sample_is_intact_in_pdfsig() {
    if !tool("pdfsig") {
        return;
    }
    for s in manifest().samples {
        let path = demo().join("samples").join(&s.file);
        let o = Command::new("pdfsig").arg(&path).output().unwrap();
        let out = String::from_utf8_lossy(&o.stdout);
        assert!(out.contains("Signature Validation: Signature is Valid."), "{}: {out}", s.file);
        assert!(out.contains("Total document signed"), "{}: {out}", s.file);
        assert!(out.contains("ETSI.CAdES.detached"), "{}: {out}", s.file);
        assert_eq!(out.matches("Signature #").count(), 1, "{}", s.file);
    }
}

#[test]
fn every_sample_validates_in_pyhanko_against_its_root() {
    if !tool("pyhanko") {
        return;
    }
    let root = demo().join("root.pem");
    let rogue_root = demo().join("untrusted-pki/root/cert.pem");
    for s in manifest().samples {
        let path = demo().join("samples").join(&s.file);
        // untrusted-seal.pdf is wholly the rogue PKI's; retired-seal.pdf is the demo root's (pyHanko knows no use
        // windows: only ecert's trust list retires a key).
        let rogue = s.file == "untrusted-seal.pdf";
        let anchor = if rogue { &rogue_root } else { &root };
        let o = Command::new("pyhanko")
            .args(["sign", "validate", "--no-revocation-check", "--trust-replace", "--trust"])
            .arg(anchor)
            .arg(&path)
            .output()
            .unwrap();
        let out = String::from_utf8_lossy(&o.stdout);
        assert!(o.status.success(), "{}: {out}{}", s.file, stderr(&o));
        // The seal intact and trusted, its RFC 3161 time-stamp intact and trusted (PAdES B-T), nothing after it.
        assert!(out.contains(":INTACT:TRUSTED,TIMESTAMP_TOKEN<INTACT:TRUSTED>,UNTOUCHED"), "{}: {out}", s.file);
        if rogue {
            // And against the real demo root it must not be trusted.
            let o = Command::new("pyhanko")
                .args(["sign", "validate", "--no-revocation-check", "--trust-replace", "--trust"])
                .arg(&root)
                .arg(&path)
                .output()
                .unwrap();
            assert!(
                !String::from_utf8_lossy(&o.stdout).contains(":TRUSTED,"),
                "untrusted sample trusted by the demo root"
            );
        }
    }
}

#[test]
fn embedded_record_equals_the_issued_record() {
    if !tool("qpdf") {
        return;
    }
    // retired-seal.pdf deliberately carries another holder under a registered 管理号 (a forgery).
    for s in manifest().samples.into_iter().filter(|s| s.file != "retired-seal.pdf") {
        let path = demo().join("samples").join(&s.file);
        let o = Command::new("qpdf").arg("--show-attachment=ecert-record.json").arg(&path).output().unwrap();
        assert!(o.status.success(), "{}: {}", s.file, stderr(&o));
        let record = CertificateRecord::from_json(&o.stdout, Registry::builtin()).expect("valid record");
        let registered: CertificateRecord = serde_json::from_slice(
            &std::fs::read(demo().join("pki/register").join(format!("{}.json", s.management_number))).unwrap(),
        )
        .unwrap();
        let mut without_annotation = record.clone();
        without_annotation.annotation = None;
        assert_eq!(without_annotation, registered, "{}", s.file);
        match s.expected.as_str() {
            "ANNOTATION_MISSING" => assert!(record.annotation.is_none()),
            "ANNOTATION_EXPIRED" | "ANNOTATION_NOT_YET_VALID" => assert!(record.annotation.is_some()),
            _ => {}
        }
    }
}

#[test]
fn rare_characters_are_embedded_and_extractable() {
    if !tool("pdftotext") || !tool("pdffonts") || !tool("pdftoppm") {
        return;
    }
    for (file, name) in [("rare-name-ext-a.pdf", "刘䶮"), ("rare-name-ext-b.pdf", "王𠈌")] {
        let path = demo().join("samples").join(file);
        let text = Command::new("pdftotext").arg(&path).arg("-").output().unwrap();
        let text = String::from_utf8_lossy(&text.stdout);
        assert!(text.contains(name), "{file}: {name} not extractable: {text}");
        let fonts = Command::new("pdffonts").arg(&path).output().unwrap();
        let fonts = String::from_utf8_lossy(&fonts.stdout);
        for line in fonts.lines().skip(2) {
            assert!(line.contains(" yes "), "font not embedded: {line}");
        }
        // It renders: a PNG page with red seal pixels and dark text.
        let out = tempfile::tempdir().unwrap();
        let prefix = out.path().join("page");
        let o = Command::new("pdftoppm").args(["-r", "40", "-png"]).arg(&path).arg(&prefix).output().unwrap();
        assert!(o.status.success(), "{}", stderr(&o));
        let png = std::fs::read(out.path().join("page-1.png")).unwrap();
        assert!(png.len() > 10_000, "rendered page is suspiciously small");
    }
}

#[test]
fn trust_list_verifies_under_the_root_and_records_rotation() {
    let spki_pem = std::fs::read_to_string(demo().join("root-spki.pem")).unwrap();
    let b64: String = spki_pem.lines().filter(|l| !l.starts_with("-----")).collect();
    use base64::Engine as _;
    let spki = base64::engine::general_purpose::STANDARD.decode(b64).unwrap();
    let signed = SignedTrustList::from_json(&std::fs::read(demo().join("trust-list.json")).unwrap()).unwrap();
    let list = signed.verify(&spki, 0).expect("trust list verifies");
    assert_eq!(list.issuers.len(), 8);
    let mohrss = list.issuer("mohrss").unwrap();
    assert_eq!(mohrss.qualifications.len(), 24);
    assert_eq!(mohrss.seals.len(), 2);
    // Rotation: the first seal's window ends where the second's begins.
    assert_eq!(mohrss.seals[0].use_until, mohrss.seals[1].use_from);
    for i in list.issuers.iter().filter(|i| i.id != "mohrss") {
        assert_eq!(i.qualifications.len(), 1, "{}", i.id);
    }
    // A tampered payload or another root is refused.
    let mut tampered = signed.clone();
    tampered.payload.replace_range(10..11, if &tampered.payload[10..11] == "A" { "B" } else { "A" });
    assert!(tampered.verify(&spki, 0).is_err());
    assert!(signed.verify(&spki, list.sequence + 1).is_err(), "rollback must be refused");
}

#[cfg(unix)]
#[test]
fn private_keys_are_0600() {
    use std::os::unix::fs::PermissionsExt as _;
    let mut n = 0;
    let mut stack = vec![demo().join("pki")];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.file_name().unwrap().to_string_lossy().ends_with("key.pem") {
                assert_eq!(std::fs::metadata(&p).unwrap().permissions().mode() & 0o777, 0o600, "{}", p.display());
                n += 1;
            }
        }
    }
    assert_eq!(n, 1 + 1 + 1 + 8 + 16, "root, TSA, status key, 8 issuer CAs, 16 seals");
}

/// A fresh PKI (root, all issuers, one seal each) for tests that write.
fn fresh_pki() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let pki = dir.path().join("pki").to_string_lossy().into_owned();
    for args in [
        vec!["keygen", "root", "--pki", &pki, "--valid-from", "2019-01-01"],
        vec!["keygen", "issuer", "--pki", &pki, "--issuer", "all", "--valid-from", "2019-01-01"],
        vec!["keygen", "tsa", "--pki", &pki, "--use-from", "2019-01-02", "--use-until", "2036-01-01"],
        vec!["keygen", "seal", "--pki", &pki, "--issuer", "mohrss", "--use-from", "2021-12-17"],
        vec!["keygen", "seal", "--pki", &pki, "--issuer", "auction", "--use-from", "2019-01-02"],
    ] {
        let o = ecert(&args);
        assert!(o.status.success(), "{args:?}: {}", stderr(&o));
    }
    (dir, pki)
}

fn issue_args<'a>(pki: &'a str, out: &'a str, id: &'a str, mgmt: &'a str) -> Vec<&'a str> {
    vec![
        "issue",
        "--pki",
        pki,
        "--qualification",
        "Q07",
        "--name",
        "测试",
        "--id-number",
        id,
        "--approval-date",
        "2023-01-10",
        "--issue-date",
        "2023-03-15",
        "--management-number",
        mgmt,
        "--signing-time",
        "2023-03-15",
        "--out",
        out,
    ]
}

#[test]
fn issue_and_annotate_rules_at_their_edges() {
    let (dir, pki) = fresh_pki();
    let out = dir.path().join("c.pdf").to_string_lossy().into_owned();
    let o = ecert(&issue_args(&pki, &out, "11010519491231002X", "M0001"));
    assert!(o.status.success(), "{}", stderr(&o));
    let ann = |days: &str, today: &str, n: usize| {
        let out = dir.path().join(format!("a{n}.pdf")).to_string_lossy().into_owned();
        ecert(&[
            "annotate",
            "--pki",
            &pki,
            "--management-number",
            "M0001",
            "--days",
            days,
            "--today",
            today,
            "--out",
            &out,
        ])
    };
    // Window: 91 days refused, 90 accepted.
    let o = ann("91", "2026-09-01", 0);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("最长为90天"), "{}", stderr(&o));
    assert!(ann("90", "2026-09-01", 1).status.success());
    assert!(ann("30", "2026-10-01", 2).status.success());
    assert!(ann("30", "2026-11-29", 3).status.success());
    // A 4th within the trailing 90 days (2026-09-01 is day 1 of the window ending 2026-11-29) is refused ...
    let o = ann("30", "2026-11-29", 4);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("最多3次"), "{}", stderr(&o));
    // ... and allowed the day after the oldest leaves the window (2026-09-01 + 90 days = 2026-11-30).
    assert!(ann("30", "2026-11-30", 5).status.success());
    // Unknown scenario.
    let o = ecert(&[
        "annotate",
        "--pki",
        &pki,
        "--management-number",
        "M0001",
        "--days",
        "5",
        "--scenario",
        "他人调用",
        "--out",
        &out,
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("本人调用"));
    let ledger: serde_json::Value =
        serde_json::from_slice(&std::fs::read(Path::new(&pki).join("annotation-ledger.json")).unwrap()).unwrap();
    assert_eq!(ledger["certificates"]["M0001"].as_array().unwrap().len(), 4);
}

#[test]
fn names_beyond_the_primary_face_are_printed_from_the_fallback() {
    // 𪜀 (U+2A700, CJK Extension C) is not in Noto Serif CJK SC; BabelStone Han has it. The fallback face is
    // loaded only when a name needs it — a single certificate and a batch both find it.
    if !tool("pdftotext") || !tool("pdffonts") {
        return;
    }
    let (dir, pki) = fresh_pki();
    let single = dir.path().join("single.pdf").to_string_lossy().into_owned();
    let mut args = issue_args(&pki, &single, "11010519491231002X", "F0001");
    let at = args.iter().position(|a| *a == "测试").unwrap();
    args[at] = "王𪜀";
    let o = ecert(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    let csv = dir.path().join("batch.csv");
    std::fs::write(
        &csv,
        "qualification,name,id_number,sex,birth,approval_date,issue_date,management_number,query_number\n\
         Q07,李𪜀,11010519491231002X,,,2023-01-10,2023-03-15,F0002,\n\
         Q07,张伟,11010519491231002X,,,2023-01-10,2023-03-15,F0003,\n",
    )
    .unwrap();
    let batch = dir.path().join("batch");
    let o = ecert(&[
        "issue",
        "--pki",
        &pki,
        "--csv",
        csv.to_str().unwrap(),
        "--out-dir",
        batch.to_str().unwrap(),
        "--no-progress",
        "--signing-time",
        "2023-03-15",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    for (path, name, fallback) in [
        (PathBuf::from(&single), "王𪜀", true),
        (batch.join("F0002.pdf"), "李𪜀", true),
        (batch.join("F0003.pdf"), "张伟", false),
    ] {
        let text = Command::new("pdftotext").arg(&path).arg("-").output().unwrap();
        assert!(String::from_utf8_lossy(&text.stdout).contains(name), "{name} not extractable");
        let fonts = String::from_utf8_lossy(&Command::new("pdffonts").arg(&path).output().unwrap().stdout).into_owned();
        assert_eq!(fonts.contains("BabelStoneHan"), fallback, "{name}: {fonts}");
    }
}

#[test]
fn bad_input_gets_a_clear_message_and_nonzero_exit() {
    let (dir, pki) = fresh_pki();
    let out = dir.path().join("x.pdf").to_string_lossy().into_owned();
    let mut args = issue_args(&pki, &out, "11010519491231002X", "M0002");
    args[4] = "Q99";
    let o = ecert(&args);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("未知的职业资格"), "{}", stderr(&o));

    let o = ecert(&issue_args(&pki, &out, "110105194912310021", "M0003"));
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("校验码"), "{}", stderr(&o));

    let mut args = issue_args(&pki, &out, "11010519491231002X", "M0004");
    args[10] = "2023-04-01"; // approval after issue
    let o = ecert(&args);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("晚于制发日期"), "{}", stderr(&o));

    let empty = dir.path().join("empty").to_string_lossy().into_owned();
    let o = ecert(&issue_args(&empty, &out, "11010519491231002X", "M0005"));
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(e.contains("缺少") || e.contains("没有可用印章") || e.contains("没有时间戳服务密钥"), "{e}");
    assert!(!stderr(&o).contains("panicked"));

    // Keys are never printed.
    let o = ecert(&["keygen", "seal", "--pki", &pki, "--issuer", "banking"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let all = format!("{}{}", String::from_utf8_lossy(&o.stdout), stderr(&o));
    assert!(!all.contains("PRIVATE KEY"));
}

#[test]
fn csv_batch_reports_bad_rows_and_continues_or_stops() {
    let (dir, pki) = fresh_pki();
    let csv = dir.path().join("batch.csv");
    std::fs::write(
        &csv,
        "qualification,name,id_number,sex,birth,approval_date,issue_date,management_number,query_number\n\
         Q07,甲,11010519491231002X,,,2023-01-10,2023-03-15,B001,\n\
         Q07,乙,110105194912310021,,,2023-01-10,2023-03-15,B002,\n\
         Q07,丙,11010519491231002X,,\n\
         Q25,丁,11010519491231002X,,,2023-01-10,2023-03-15,B004,\n",
    )
    .unwrap();
    let out = dir.path().join("out").to_string_lossy().into_owned();
    let o = ecert(&[
        "issue",
        "--pki",
        &pki,
        "--csv",
        csv.to_str().unwrap(),
        "--out-dir",
        &out,
        "--no-progress",
        "--signing-time",
        "2023-03-15",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("第3行") && err.contains("校验码"), "{err}");
    assert!(err.contains("第4行"), "{err}");
    assert!(Path::new(&out).join("B001.pdf").exists());
    assert!(Path::new(&out).join("B004.pdf").exists());
    assert!(!Path::new(&out).join("B002.pdf").exists());

    let out2 = dir.path().join("out2").to_string_lossy().into_owned();
    let o = ecert(&[
        "issue",
        "--pki",
        &pki,
        "--csv",
        csv.to_str().unwrap(),
        "--out-dir",
        &out2,
        "--no-progress",
        "--on-error",
        "stop",
        "--signing-time",
        "2023-03-15",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(stderr(&o).matches("行 line").count(), 1, "stop reports the first bad row only: {}", stderr(&o));
}
