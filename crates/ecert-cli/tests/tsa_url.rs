//! `ecert issue` / `annotate --tsa-url`: the seal's time-stamp from an independent RFC 3161 implementation —
//! OpenSSL's `ts` responder behind a small HTTP server (tests/support/openssl_tsa.py), run with the TSA key and
//! certificate the PKI's root certified — and the result checked by `ecert verify`, pyHanko and pdfsig.

mod common;

use std::io::{BufRead as _, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};

use common::{ecert, stderr, tool};

/// The OpenSSL TSA server; killed when dropped.
struct OpensslTsa {
    child: Child,
    url: String,
}

impl Drop for OpensslTsa {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_openssl_tsa(pki: &Path, dir: &Path) -> OpensslTsa {
    let cnf = dir.join("ts.cnf");
    std::fs::write(dir.join("serial"), "01\n").unwrap();
    std::fs::write(
        &cnf,
        format!(
            "[tsa]\ndefault_tsa = tsa_config1\n[tsa_config1]\nserial = {d}/serial\nsigner_cert = {p}/tsa/cert.pem\n\
             signer_key = {p}/tsa/key.pem\nsigner_digest = sha256\ndefault_policy = 1.2.3.4.1\nother_policies = 1.2.3.4.2\n\
             digests = sha256\ness_cert_id_alg = sha256\ness_cert_id_chain = no\naccuracy = secs:1\nordering = no\n\
             tsa_name = no\n",
            d = dir.display(),
            p = pki.display()
        ),
    )
    .unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/openssl_tsa.py");
    let mut child = Command::new("python3")
        .arg(script)
        .arg(&cnf)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("start the OpenSSL TSA server");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let port = line.trim().strip_prefix("PORT ").unwrap_or_else(|| panic!("no port from the TSA server: {line:?}"));
    OpensslTsa { url: format!("http://127.0.0.1:{port}/tsa"), child }
}

#[test]
fn an_independent_rfc3161_server_dates_the_seal() {
    if !tool("openssl") || !tool("python3") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let pki = std::path::PathBuf::from(common::mohrss_pki(dir.path(), &[]));
    let p = pki.to_str().unwrap();
    let tsa = start_openssl_tsa(&pki, dir.path());
    let out = |n: &str| dir.path().join(n).to_string_lossy().into_owned();
    let issue = |url: &str, file: &str, mgmt: &str| {
        ecert(&[
            "issue",
            "--pki",
            p,
            "--qualification",
            "Q07",
            "--name",
            "张伟",
            "--id-number",
            "11010519491231002X",
            "--approval-date",
            "2025-01-10",
            "--issue-date",
            "2025-03-15",
            "--management-number",
            mgmt,
            "--tsa-url",
            url,
            "--out",
            &out(file),
        ])
    };
    let o = issue(&tsa.url, "c.pdf", "T0001");
    assert!(o.status.success(), "{}", stderr(&o));
    let o = ecert(&[
        "annotate",
        "--pki",
        p,
        "--management-number",
        "T0001",
        "--days",
        "30",
        "--tsa-url",
        &tsa.url,
        "--out",
        &out("a.pdf"),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));

    // ecert verify: VALID, sealed (per OpenSSL's token) within a minute of now.
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    let o = common::verify_in_pki(p, &["--json", &out("a.pdf")]);
    assert_eq!(o.status.code(), Some(0), "{}{}", String::from_utf8_lossy(&o.stdout), stderr(&o));
    let verdicts: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let seal = &verdicts[0]["verdict"]["seal"];
    assert!((seal["sealed_at"].as_i64().unwrap() - now).abs() < 120, "{seal}");
    assert_eq!(seal["tsa_id"], "ecert-tsa");

    // pyHanko: the seal and its time-stamp intact and trusted under the root.
    if tool("pyhanko") {
        let o = Command::new("pyhanko")
            .args(["sign", "validate", "--no-revocation-check", "--trust-replace", "--trust"])
            .arg(format!("{p}/root/cert.pem"))
            .arg(out("a.pdf"))
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&o.stdout);
        assert!(text.contains(":INTACT:TRUSTED,TIMESTAMP_TOKEN<INTACT:TRUSTED>,UNTOUCHED"), "{text}{}", stderr(&o));
    }
    if tool("pdfsig") {
        let o = Command::new("pdfsig").arg(out("a.pdf")).output().unwrap();
        let text = String::from_utf8_lossy(&o.stdout);
        assert!(text.contains("Signature Validation: Signature is Valid."), "{text}");
    }

    // A server that is not a TSA, and no server at all: a clear refusal, nothing written.
    drop(tsa);
    let o = issue("http://127.0.0.1:9/tsa", "none.pdf", "T0002");
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("time-stamp"), "{}", stderr(&o));
    assert!(!Path::new(&out("none.pdf")).exists());
}
