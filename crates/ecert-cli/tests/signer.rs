//! `ecert signer` (the real binary) against a scripted stand-in for the edge's signer API (docs/holder.md):
//! a job sealed, spooled, uploaded and verifying VALID; a crash right after the seal leaves a spooled file and
//! one ledger entry, and the job claimed again uploads that same file (no second 加注, no second seal); the
//! issuing side's own ledger refusing a job reports it failed; upload refusals and network errors leave the job
//! spooled for a later claim; `--every` outlives an unreachable edge. The real edge on workerd is exercised by
//! tests/worker/signer.test.mjs.

mod common;

use std::collections::VecDeque;
use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{ecert, ecert_cmd, mohrss_pki, stderr, verify_in_pki};
use ecert_format::Date;
use sha2::{Digest as _, Sha256};

const TOKEN: &str = "test-signer-token-0123456789";

#[derive(Clone)]
struct FakeJob {
    json: serde_json::Value,
    leased_until: i64,
    done: Option<Vec<u8>>,
    failed: Option<String>,
}

#[derive(Default)]
struct State {
    jobs: Vec<FakeJob>,
    uploads: Vec<(String, Vec<u8>)>,
    fails: Vec<(String, String)>,
    /// Scripted answers for the next uploads (status, error code), before the normal behaviour.
    upload_script: VecDeque<(u16, &'static str)>,
    /// Scripted answers for the next claims.
    claim_script: VecDeque<u16>,
    requests: Vec<String>,
}

/// A stand-in for the edge's signer API: one thread, one request per connection.
struct FakeEdge {
    url: String,
    state: Arc<Mutex<State>>,
}

fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}

impl FakeEdge {
    fn start() -> FakeEdge {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let state = Arc::new(Mutex::new(State::default()));
        let s = state.clone();
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                let Ok(conn) = conn else { continue };
                let _ = serve(conn, &s);
            }
        });
        FakeEdge { url, state }
    }

    fn add_job(&self, id: &str, mgmt: &str, applied_on: Date, from: Date, until: Date) {
        self.state.lock().unwrap().jobs.push(FakeJob {
            json: serde_json::json!({
                "job_id": id, "management_number": mgmt, "scenario": "本人调用",
                "applied_on": applied_on.to_string(), "valid_from": from.to_string(), "valid_until": until.to_string(),
                "attempt": 0, "lease_until": 0,
            }),
            leased_until: 0,
            done: None,
            failed: None,
        });
    }

    fn expire_leases(&self) {
        for j in &mut self.state.lock().unwrap().jobs {
            j.leased_until = 0;
        }
    }

    fn uploads(&self) -> Vec<(String, Vec<u8>)> {
        self.state.lock().unwrap().uploads.clone()
    }

    fn fails(&self) -> Vec<(String, String)> {
        self.state.lock().unwrap().fails.clone()
    }

    fn job(&self, id: &str) -> FakeJob {
        self.state.lock().unwrap().jobs.iter().find(|j| j.json["job_id"] == id).unwrap().clone()
    }
}

fn serve(conn: TcpStream, state: &Mutex<State>) -> std::io::Result<()> {
    conn.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(conn.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let mut parts = line.split_whitespace();
    let (method, path) = (parts.next().unwrap_or("").to_owned(), parts.next().unwrap_or("").to_owned());
    let (mut length, mut auth) = (0usize, String::new());
    loop {
        let mut h = String::new();
        reader.read_line(&mut h)?;
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        let (k, v) = h.split_once(':').unwrap_or((h, ""));
        match k.to_ascii_lowercase().as_str() {
            "content-length" => length = v.trim().parse().unwrap_or(0),
            "authorization" => auth = v.trim().to_owned(),
            _ => {}
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    let (status, answer) = respond(state, &method, &path, &auth, &body);
    let mut conn = conn;
    write!(
        conn,
        "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{answer}",
        answer.len()
    )?;
    conn.flush()
}

fn error(code: &str) -> String {
    // As the edge answers (worker/src/error.rs).
    serde_json::json!({ "code": code, "message": { "zh": "错误", "en": "error" } }).to_string()
}

fn respond(state: &Mutex<State>, method: &str, path: &str, auth: &str, body: &[u8]) -> (u16, String) {
    let mut st = state.lock().unwrap();
    st.requests.push(format!("{method} {path}"));
    if auth != format!("Bearer {TOKEN}") {
        return (401, error("UNAUTHORIZED"));
    }
    let segs: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match (method, segs.as_slice()) {
        ("POST", ["v1", "signer", "jobs", "claim"]) => {
            if let Some(code) = st.claim_script.pop_front() {
                return (code, error("SCRIPTED"));
            }
            let req: serde_json::Value = serde_json::from_slice(body).unwrap();
            let lease = req["lease_seconds"].as_i64().unwrap();
            let max = req["max"].as_u64().unwrap() as usize;
            let t = now();
            let mut out = Vec::new();
            for j in st.jobs.iter_mut().filter(|j| j.done.is_none() && j.failed.is_none() && j.leased_until <= t) {
                if out.len() == max {
                    break;
                }
                j.leased_until = t + lease;
                j.json["lease_until"] = (t + lease).into();
                j.json["attempt"] = (j.json["attempt"].as_u64().unwrap() + 1).into();
                out.push(j.json.clone());
            }
            (200, serde_json::json!({ "jobs": out }).to_string())
        }
        ("PUT", ["v1", "signer", "jobs", id, "pdf"]) => {
            let id = id.to_string();
            if let Some((code, err)) = st.upload_script.pop_front() {
                return (code, error(err));
            }
            let Some(j) = st.jobs.iter_mut().find(|j| j.json["job_id"] == id.as_str()) else {
                return (404, error("NOT_FOUND"));
            };
            match &j.done {
                Some(f) if f != body => return (409, error("JOB_ALREADY_DONE")),
                Some(_) => {}
                None => j.done = Some(body.to_vec()),
            }
            st.uploads.push((id.clone(), body.to_vec()));
            let sha: String = Sha256::digest(body).iter().map(|b| format!("{b:02x}")).collect();
            (200, serde_json::json!({ "job_id": id, "sha256": sha }).to_string())
        }
        ("POST", ["v1", "signer", "jobs", id, "fail"]) => {
            let id = id.to_string();
            let reason =
                serde_json::from_slice::<serde_json::Value>(body).unwrap()["reason"].as_str().unwrap().to_owned();
            let Some(j) = st.jobs.iter_mut().find(|j| j.json["job_id"] == id.as_str()) else {
                return (404, error("NOT_FOUND"));
            };
            j.failed = Some(reason.clone());
            st.fails.push((id.clone(), reason));
            (200, serde_json::json!({ "job_id": id, "state": "failed" }).to_string())
        }
        _ => (404, error("NOT_FOUND")),
    }
}

fn today() -> Date {
    Date::in_china_at(now()).unwrap()
}

/// A PKI with its trust list and one issued MOHRSS certificate (管理号 `mgmt`) in the register.
fn pki_with_certificate(dir: &Path, mgmt: &str) -> String {
    let pki = mohrss_pki(dir, &[]);
    let out = dir.join("base.pdf");
    let issue_date = today().add_days(-400).unwrap().to_string();
    let o = ecert(&[
        "issue",
        "--pki",
        &pki,
        "--qualification",
        "Q07",
        "--name",
        "测试",
        "--id-number",
        "11010519491231002X",
        "--approval-date",
        &issue_date,
        "--issue-date",
        &issue_date,
        "--management-number",
        mgmt,
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    pki
}

fn signer(edge: &FakeEdge, pki: &str, crash: Option<&str>, extra: &[&str]) -> Output {
    let mut c = ecert_cmd();
    c.args(["signer", "--edge", &edge.url, "--pki", pki, "--once", "--lease", "30"]).args(extra);
    c.env("ECERT_SIGNER_TOKEN", TOKEN);
    match crash {
        Some(point) => c.env("ECERT_SIGNER_CRASH_AFTER", point),
        None => c.env_remove("ECERT_SIGNER_CRASH_AFTER"),
    };
    c.output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn ledger(pki: &str) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(Path::new(pki).join("annotation-ledger.json")).unwrap()).unwrap()
}

fn spooled(pki: &str, job: &str) -> PathBuf {
    Path::new(pki).join("signer").join(format!("{job}.pdf"))
}

fn count_files(dir: &Path) -> usize {
    std::fs::read_dir(dir).map(|d| d.count()).unwrap_or(0)
}

fn window(days: i64) -> (Date, Date, Date) {
    let t = today();
    (t, t, t.add_days(days - 1).unwrap())
}

/// `ecert verify --json` of a file under the PKI's trust list: (verdict code, the JSON).
fn verify(pki: &str, pdf: &[u8], dir: &Path) -> (String, serde_json::Value) {
    let f = dir.join("downloaded.pdf");
    std::fs::write(&f, pdf).unwrap();
    let o = verify_in_pki(pki, &["--json", f.to_str().unwrap()]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|_| panic!("{}", stderr(&o)));
    (v[0]["verdict"]["code"].as_str().unwrap_or("").to_owned(), v)
}

#[test]
fn a_job_is_sealed_spooled_recorded_by_job_id_uploaded_and_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let pki = pki_with_certificate(dir.path(), "M0001");
    let edge = FakeEdge::start();
    let (applied, from, until) = window(30);
    edge.add_job("job_a", "M0001", applied, from, until);

    let o = signer(&edge, &pki, None, &[]);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("已盖章并上传") && stdout(&o).contains("M0001-A1"), "{}", stdout(&o));
    let uploads = edge.uploads();
    assert_eq!(uploads.len(), 1);
    assert_eq!(uploads[0].1, std::fs::read(spooled(&pki, "job_a")).unwrap(), "the upload is the spooled file");
    let l = ledger(&pki);
    assert_eq!(l["certificates"]["M0001"].as_array().unwrap().len(), 1);
    assert_eq!(l["jobs"]["job_a"]["number"], "M0001-A1");
    assert_eq!(l["certificates"]["M0001"][0]["valid_until"], until.to_string());
    let sha: String = Sha256::digest(&uploads[0].1).iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(l["jobs"]["job_a"]["sha256"], sha);
    let (code, v) = verify(&pki, &uploads[0].1, dir.path());
    assert_eq!(code, "VALID", "{v:#}");
    let text = v.to_string();
    assert!(text.contains("M0001-A1") && text.contains(&until.to_string()), "{v:#}");

    // Nothing left to claim: a second run claims nothing and says so.
    let o = signer(&edge, &pki, None, &[]);
    assert!(o.status.success());
    assert!(stdout(&o).contains("没有待处理的加注任务"), "{}", stdout(&o));
    assert_eq!(edge.uploads().len(), 1);
}

#[test]
fn a_crash_after_the_seal_is_finished_by_the_next_claim_with_the_same_file() {
    let dir = tempfile::tempdir().unwrap();
    let pki = pki_with_certificate(dir.path(), "M0002");
    let edge = FakeEdge::start();
    let (applied, from, until) = window(10);
    edge.add_job("job_b", "M0002", applied, from, until);

    let o = signer(&edge, &pki, Some("seal"), &[]);
    assert!(!o.status.success(), "the process was aborted");
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt as _;
        assert_eq!(o.status.signal(), Some(6), "SIGABRT: {}", stderr(&o));
    }
    assert!(edge.uploads().is_empty(), "nothing uploaded before the crash");
    assert!(edge.job("job_b").done.is_none());
    let spool = std::fs::read(spooled(&pki, "job_b")).unwrap();
    assert!(spool.starts_with(b"%PDF-"));
    let copies = count_files(&Path::new(&pki).join("copies"));
    assert_eq!(ledger(&pki)["certificates"]["M0002"].as_array().unwrap().len(), 1);
    // No leftover temp file beside it.
    let names: Vec<String> = std::fs::read_dir(Path::new(&pki).join("signer"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, vec!["job_b.pdf".to_owned()]);

    // The lease still holds: another signer claims nothing.
    let o = signer(&edge, &pki, None, &[]);
    assert!(o.status.success());
    assert!(stdout(&o).contains("没有待处理的加注任务"), "{}", stdout(&o));
    assert!(edge.uploads().is_empty());

    // The lease expires; the job is claimed again and the spooled file goes up — not sealed again.
    edge.expire_leases();
    let o = signer(&edge, &pki, None, &[]);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("未再次盖章") && stdout(&o).contains("M0002-A1"), "{}", stdout(&o));
    assert!(stdout(&o).contains("第2次 attempt 2"), "{}", stdout(&o));
    let uploads = edge.uploads();
    assert_eq!(uploads.len(), 1);
    assert_eq!(uploads[0].1, spool, "the very file sealed before the crash");
    assert_eq!(ledger(&pki)["certificates"]["M0002"].as_array().unwrap().len(), 1, "one ledger entry");
    assert_eq!(count_files(&Path::new(&pki).join("copies")), copies, "no second copy sealed");
    let (code, v) = verify(&pki, &uploads[0].1, dir.path());
    assert_eq!(code, "VALID", "{v:#}");

    // A later application for the same certificate gets the next number.
    edge.add_job("job_c", "M0002", applied, from, until);
    let o = signer(&edge, &pki, None, &[]);
    assert!(stdout(&o).contains("M0002-A2"), "{}", stdout(&o));
    assert_eq!(ledger(&pki)["certificates"]["M0002"].as_array().unwrap().len(), 2);
}

#[test]
fn a_crash_after_the_upload_and_a_done_job_elsewhere_count_as_done() {
    let dir = tempfile::tempdir().unwrap();
    let pki = pki_with_certificate(dir.path(), "M0003");
    let edge = FakeEdge::start();
    let (applied, from, until) = window(5);
    edge.add_job("job_d", "M0003", applied, from, until);
    let o = signer(&edge, &pki, Some("upload"), &[]);
    assert!(!o.status.success());
    assert_eq!(edge.uploads().len(), 1, "uploaded before the crash");
    assert!(edge.job("job_d").done.is_some());

    // The edge answers JOB_ALREADY_DONE (another file for a done job): done, not an error.
    edge.add_job("job_e", "M0003", applied, from, until);
    edge.state.lock().unwrap().upload_script.push_back((409, "JOB_ALREADY_DONE"));
    let o = signer(&edge, &pki, None, &[]);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("任务已在边缘完成"), "{}", stdout(&o));

    // A job the edge has as failed (JOB_FAILED) is not retried either.
    edge.add_job("job_x", "M0003", applied, from, until);
    edge.state.lock().unwrap().upload_script.push_back((409, "JOB_FAILED"));
    let o = signer(&edge, &pki, None, &[]);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("边缘已将任务标记为失败"), "{}", stdout(&o));
}

#[test]
fn the_issuing_sides_ledger_refusing_a_job_reports_it_failed() {
    let dir = tempfile::tempdir().unwrap();
    let pki = pki_with_certificate(dir.path(), "M0004");
    let t = today();
    // Three 加注 in the trailing 90 days already in the issuing side's own ledger (the edge may not know them).
    let entries: Vec<serde_json::Value> = [-80, -40, -1]
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let day = t.add_days(*d).unwrap().to_string();
            serde_json::json!({"number": format!("M0004-A{}", i + 1), "applied_on": day, "valid_from": day, "valid_until": day})
        })
        .collect();
    let l = serde_json::json!({"schema": "ecert.annotation-ledger/1", "certificates": {"M0004": entries}});
    std::fs::write(Path::new(&pki).join("annotation-ledger.json"), l.to_string()).unwrap();
    let edge = FakeEdge::start();
    let (applied, from, until) = window(30);
    edge.add_job("job_many", "M0004", applied, from, until);
    edge.add_job("job_unknown", "M9999", applied, from, until);
    edge.add_job("job_long", "M0004", applied, from, t.add_days(90).unwrap());

    let o = signer(&edge, &pki, None, &[]);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    let fails = edge.fails();
    let reason = |id: &str| fails.iter().find(|(j, _)| j == id).map(|(_, r)| r.clone()).unwrap_or_default();
    let next = t.add_days(-80 + 90).unwrap().to_string();
    assert!(reason("job_many").contains("最多3次") && reason("job_many").contains(&next), "{fails:?}");
    assert!(reason("job_unknown").contains("登记簿中没有"), "{fails:?}");
    assert!(reason("job_long").contains("90"), "{fails:?}");
    assert_eq!(stdout(&o).matches("签发方拒绝，已报告失败").count(), 3, "{}", stdout(&o));
    assert!(edge.uploads().is_empty());
    assert!(!Path::new(&pki).join("signer").exists(), "nothing spooled");
    assert_eq!(ledger(&pki)["certificates"]["M0004"].as_array().unwrap().len(), 3, "ledger unchanged");

    // A revoked certificate (the issuing side's revocations) is refused too.
    std::fs::write(Path::new(&pki).join("revoked.json"), r#"["M0004"]"#).unwrap();
    std::fs::write(
        Path::new(&pki).join("annotation-ledger.json"),
        br#"{"schema":"ecert.annotation-ledger/1","certificates":{}}"#,
    )
    .unwrap();
    edge.add_job("job_revoked", "M0004", applied, from, until);
    let o = signer(&edge, &pki, None, &[]);
    assert!(o.status.success());
    assert!(edge.fails().iter().any(|(j, r)| j == "job_revoked" && r.contains("已撤销")), "{:?}", edge.fails());
}

#[test]
fn a_refused_or_failed_upload_leaves_the_job_spooled_for_the_next_claim() {
    let dir = tempfile::tempdir().unwrap();
    let pki = pki_with_certificate(dir.path(), "M0005");
    let edge = FakeEdge::start();
    let (applied, from, until) = window(7);
    edge.add_job("job_f", "M0005", applied, from, until);
    // The edge refuses the file (422): the job is left, exit 1, the file stays spooled.
    edge.state.lock().unwrap().upload_script.push_back((422, "UPLOAD_REJECTED"));
    let o = signer(&edge, &pki, None, &[]);
    assert_eq!(o.status.code(), Some(1), "{}{}", stdout(&o), stderr(&o));
    assert!(stderr(&o).contains("UPLOAD_REJECTED") && stderr(&o).contains("job_f.pdf"), "{}", stderr(&o));
    let spool = std::fs::read(spooled(&pki, "job_f")).unwrap();

    // Next claim: a 503 then success — retried within the run (backoff), the same file.
    edge.expire_leases();
    edge.state.lock().unwrap().upload_script.push_back((503, "UNAVAILABLE"));
    let started = Instant::now();
    let o = signer(&edge, &pki, None, &[]);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    assert!(started.elapsed() >= Duration::from_secs(1), "waited before retrying");
    assert!(stderr(&o).contains("重试"), "{}", stderr(&o));
    assert_eq!(edge.uploads(), vec![("job_f".to_owned(), spool)]);
    assert_eq!(ledger(&pki)["certificates"]["M0005"].as_array().unwrap().len(), 1);
}

#[test]
fn every_mode_outlives_an_unreachable_edge() {
    let dir = tempfile::tempdir().unwrap();
    let pki = pki_with_certificate(dir.path(), "M0006");
    let edge = FakeEdge::start();
    let (applied, from, until) = window(3);
    edge.add_job("job_g", "M0006", applied, from, until);
    {
        let mut st = edge.state.lock().unwrap();
        st.claim_script.extend([503, 503]);
    }
    let mut child: Child = ecert_cmd()
        .args(["signer", "--edge", &edge.url, "--pki", &pki, "--every", "1", "--lease", "30"])
        .env("ECERT_SIGNER_TOKEN", TOKEN)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while edge.job("job_g").done.is_none() && Instant::now() < deadline {
        assert!(child.try_wait().unwrap().is_none(), "the signer exited");
        std::thread::sleep(Duration::from_millis(200));
    }
    let done = edge.job("job_g").done.is_some();
    let alive = child.try_wait().unwrap().is_none();
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(done, "the job was done after the edge came back");
    assert!(alive, "still running");
    let claims = edge.state.lock().unwrap().requests.iter().filter(|r| r.ends_with("/claim")).count();
    assert!(claims >= 3, "claimed again after errors: {claims}");
}

#[test]
fn clear_errors_without_a_token_or_a_trust_list() {
    let dir = tempfile::tempdir().unwrap();
    let pki = pki_with_certificate(dir.path(), "M0007");
    let edge = FakeEdge::start();
    let o = ecert_cmd()
        .args(["signer", "--edge", &edge.url, "--pki", &pki, "--once"])
        .env_remove("ECERT_SIGNER_TOKEN")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("ECERT_SIGNER_TOKEN"), "{}", stderr(&o));

    std::fs::remove_file(Path::new(&pki).join("trust-list.json")).unwrap();
    let o = signer(&edge, &pki, None, &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("信任列表"), "{}", stderr(&o));
    assert!(edge.state.lock().unwrap().requests.is_empty(), "nothing claimed without a rule to check against");

    let o = ecert_cmd()
        .args(["signer", "--edge", &edge.url, "--pki", &pki, "--once"])
        .env("ECERT_SIGNER_TOKEN", "wrong")
        .env("ECERT_SIGNER_CRASH_AFTER", "later")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("seal 或 upload"), "{}", stderr(&o));
}
