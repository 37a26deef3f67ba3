//! `ecert signer`: the issuing side's 加注 signer (docs/holder.md, "The signer"). It claims the edge's pending
//! 加注 jobs with a lease, checks each application again against the issuing side's own ledger (a compromised
//! edge cannot make it seal more than the trust list's rule allows: it reports `fail` instead), seals and
//! time-stamps the annotated copy with the seal key — which never leaves this side — spools the PDF to
//! `<pki>/signer/<job_id>.pdf` and records the ledger entry by job id, then uploads the file.
//!
//! Crash safety, per job: the ledger (one atomic write) is the commit point of the 加注编号, the spooled file
//! (temp file + rename) that of the seal, and only then is anything uploaded. A job claimed again — its lease
//! expired after a crash or a failed upload — reuses both: the same file is uploaded again, never a second
//! 加注 or a second seal. (Only if its spooled file was lost is the same record — same 加注编号 — sealed again.)

use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, anyhow, bail};
use clap::Args;
use ecert_format::annotation::{Annotation, Scenario, check_application};
use ecert_format::{AnnotationRule, CertificateRecord, Date, LedgerEntry, Registry};
use ecert_pki::ParsedCert;
use serde::Deserialize;
use sha2::{Digest as _, Sha256};

use crate::clock;
use crate::pki_store::PkiStore;
use crate::register::{self, JobEntry, Ledger, LedgerLock};
use crate::time_stamping::Tsa;

const HTTP_TIMEOUT: Duration = Duration::from_secs(60);
/// The longest answer read from the edge (job lists, errors).
const MAX_ANSWER: u64 = 1024 * 1024;
/// The longest pause between attempts after network errors.
const MAX_BACKOFF: Duration = Duration::from_secs(60);
/// The environment variable holding the signer's bearer token (the edge's `SIGNER_TOKEN`, right `sign`).
pub const TOKEN_ENV: &str = "ECERT_SIGNER_TOKEN";
/// Fault injection for tests: `seal` or `upload` aborts the process right after that step of a job.
pub const CRASH_ENV: &str = "ECERT_SIGNER_CRASH_AFTER";

#[derive(Args)]
pub struct SignerArgs {
    /// The edge's base URL (http://127.0.0.1:8787). The token comes from $ECERT_SIGNER_TOKEN.
    #[arg(long)]
    edge: String,
    /// The issuing side's PKI directory: seal keys, the register (`register/`), the 加注 ledger
    /// (`annotation-ledger.json`); spooled copies go to `signer/`.
    #[arg(long)]
    pki: PathBuf,
    /// The signed trust list whose 加注 rule is applied (default <pki>/trust-list.json, else
    /// <pki>/../trust-list.json as `ecert demo` lays it out). Required: without it the signer does not start.
    #[arg(long)]
    trust_list: Option<PathBuf>,
    /// Keep running: claim jobs every SECONDS (network errors are retried with backoff, never fatal).
    #[arg(long, conflicts_with = "once")]
    every: Option<u64>,
    /// Claim once, handle what was claimed, exit (the default without --every): 0 when every job was done or
    /// reported failed, 1 when one is left for a later claim.
    #[arg(long)]
    once: bool,
    /// Lease asked for each claim, in seconds (30–900): how long a job is this signer's before the edge hands
    /// it out again.
    #[arg(long, default_value_t = 300, value_parser = clap::value_parser!(u64).range(30..=900))]
    lease: u64,
    /// Most jobs per claim (1–20).
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u64).range(1..=20))]
    max: u64,
    /// An RFC 3161 time-stamping authority (http:// or https://) instead of the store's own (<pki>/tsa).
    #[arg(long)]
    tsa_url: Option<String>,
    /// Font file(s) to embed, PATH or PATH#FACE-INDEX, primary first (default: system CJK fonts).
    #[arg(long)]
    font: Vec<String>,
}

/// One job as the edge hands it out (`POST /v1/signer/jobs/claim`).
#[derive(Clone, Debug, Deserialize)]
pub struct Job {
    pub job_id: String,
    pub management_number: String,
    pub scenario: String,
    pub applied_on: Date,
    pub valid_from: Date,
    pub valid_until: Date,
    #[serde(default, alias = "attempts")]
    pub attempt: u64,
    #[serde(default)]
    pub lease_until: i64,
}

#[derive(Deserialize)]
struct Claimed {
    jobs: Vec<Job>,
}

/// Where to abort the process (fault injection for tests, `ECERT_SIGNER_CRASH_AFTER`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum CrashPoint {
    Seal,
    Upload,
}

fn crash_point(value: Option<&str>) -> Result<Option<CrashPoint>> {
    match value {
        None | Some("") => Ok(None),
        Some("seal") => Ok(Some(CrashPoint::Seal)),
        Some("upload") => Ok(Some(CrashPoint::Upload)),
        Some(other) => bail!("{CRASH_ENV} 只能是 seal 或 upload / must be seal or upload, not {other:?}"),
    }
}

fn crash_if(configured: Option<CrashPoint>, here: CrashPoint, job: &Job) {
    if configured == Some(here) {
        eprintln!(
            "{CRASH_ENV}={}: 模拟崩溃 simulated crash after the {} of job {}",
            if here == CrashPoint::Seal { "seal" } else { "upload" },
            if here == CrashPoint::Seal { "seal" } else { "upload" },
            job.job_id
        );
        std::process::abort();
    }
}

/// What the issuing side made of a job.
#[derive(Debug)]
pub enum Prepared {
    /// The sealed copy, spooled; `reused` when it was spooled by an earlier attempt (not sealed again).
    Spooled { pdf: Vec<u8>, number: String, reused: bool },
    /// The issuing side refuses the job (reported to the edge as failed): why, zh / en.
    Refused(String),
}

/// The issuing side's state the signer works from: the PKI, the rule, the TSA, the fonts.
pub struct Local {
    pki: PathBuf,
    store: PkiStore,
    rule: AnnotationRule,
    tsa: Tsa,
    fonts: Vec<String>,
}

impl Local {
    /// Open the PKI and its signed trust list (verified under the PKI's own root); refuses to start without one.
    pub fn open(pki: &Path, trust_list: Option<&Path>, tsa_url: Option<String>, fonts: Vec<String>) -> Result<Local> {
        let store = PkiStore::new(pki);
        let root_spki = ParsedCert::from_der(&store.root_cert()?)
            .context("根证书无效 / invalid root certificate")?
            .spki_der()
            .to_vec();
        let list_path = match trust_list {
            Some(p) => p.to_path_buf(),
            None => {
                let own = pki.join("trust-list.json");
                let beside = pki.join("..").join("trust-list.json");
                if !own.exists() && beside.exists() { beside } else { own }
            }
        };
        let bytes = std::fs::read(&list_path).with_context(|| {
            format!("无法读取信任列表 / cannot read the trust list {} (--trust-list)", list_path.display())
        })?;
        let list = ecert_format::trust_list::SignedTrustList::from_json(&bytes)
            .map_err(|e| anyhow!("{e}"))
            .and_then(|s| s.verify(&root_spki, 0).map_err(|e| anyhow!("{e}")))
            .with_context(|| {
                format!(
                    "信任列表无效或不是本PKI的根所签 / the trust list {} is invalid or not signed by this PKI's root",
                    list_path.display()
                )
            })?;
        let tsa = Tsa::choose(&store, tsa_url)?;
        Ok(Local { pki: pki.to_path_buf(), store, rule: list.annotation_rule, tsa, fonts })
    }

    fn ledger_path(&self) -> PathBuf {
        self.pki.join("annotation-ledger.json")
    }

    /// The spooled copy of a job.
    pub fn spool_path(&self, job_id: &str) -> PathBuf {
        self.pki.join("signer").join(format!("{job_id}.pdf"))
    }

    /// Check, seal and spool a job — or find it already spooled. Holds the ledger lock throughout.
    pub fn prepare(&self, job: &Job) -> Result<Prepared> {
        check_job_id(&job.job_id)?;
        let ledger_path = self.ledger_path();
        let _lock = LedgerLock::acquire(&ledger_path)?;
        let mut ledger = Ledger::load(&ledger_path)?;
        if let Some(done) = ledger.jobs.get(&job.job_id).cloned() {
            return self.spooled_again(job, &done, &mut ledger, &ledger_path);
        }
        let Some(scenario) = Scenario::parse(&job.scenario) else {
            return Ok(refused(format!(
                "不支持的使用场景“{}”，目前仅支持“本人调用” / unsupported scenario {:?}; only 本人调用 exists",
                job.scenario, job.scenario
            )));
        };
        let base = match self.base_record(&job.management_number)? {
            Ok(b) => b,
            Err(why) => return Ok(Prepared::Refused(why)),
        };
        let kind = Registry::builtin().issuer(&base.issuer.id).map(|i| i.kind).context("registry issuer")?;
        if !self.rule.requires_annotation(base.issue_date, kind) {
            return Ok(refused(
                "该证书为2021年12月17日前制发的协会证书，无需加注 / an association certificate issued before \
                 2021-12-17 needs no 加注"
                    .to_owned(),
            ));
        }
        let days = job.valid_from.days_until(job.valid_until) + 1;
        let history = ledger.history(&job.management_number);
        match check_application(&self.rule, history, base.issue_date, job.applied_on, job.valid_from, days) {
            Err(e) => return Ok(refused(e.to_string())),
            Ok(until) if until != job.valid_until => {
                return Ok(refused(format!(
                    "有效期不一致 / the window does not add up: {}–{}",
                    job.valid_from, job.valid_until
                )));
            }
            Ok(_) => {}
        }
        let number = format!("{}-A{}", job.management_number, history.len() + 1);
        let record = annotated(&base, scenario, job, &number)?;
        let pdf = self.seal(&record)?;
        // Commit the 加注 (the number is taken from here on), then the sealed file.
        ledger.certificates.entry(job.management_number.clone()).or_default().push(LedgerEntry {
            number: number.clone(),
            applied_on: job.applied_on,
            valid_from: job.valid_from,
            valid_until: job.valid_until,
        });
        ledger.jobs.insert(
            job.job_id.clone(),
            JobEntry {
                management_number: job.management_number.clone(),
                number: number.clone(),
                sha256: hex(&Sha256::digest(&pdf)),
                sealed_at: clock::now_unix(),
            },
        );
        ledger.save(&ledger_path)?;
        register::write_atomic(&self.spool_path(&job.job_id), &pdf)?;
        Ok(Prepared::Spooled { pdf, number, reused: false })
    }

    /// A job the ledger already holds: its spooled file, or (lost) the same record sealed again.
    fn spooled_again(&self, job: &Job, done: &JobEntry, ledger: &mut Ledger, ledger_path: &Path) -> Result<Prepared> {
        let entry = ledger.history(&done.management_number).iter().find(|e| e.number == done.number).cloned();
        let same = entry.is_some_and(|e| {
            done.management_number == job.management_number
                && e.applied_on == job.applied_on
                && e.valid_from == job.valid_from
                && e.valid_until == job.valid_until
        });
        if !same {
            return Ok(refused(format!(
                "任务编号 {} 已用于另一项加注（{}）/ job id {} was already used for another 加注 ({})",
                job.job_id, done.number, job.job_id, done.number
            )));
        };
        let path = self.spool_path(&job.job_id);
        match std::fs::read(&path) {
            Ok(pdf) if hex(&Sha256::digest(&pdf)) == done.sha256 => {
                return Ok(Prepared::Spooled { pdf, number: done.number.clone(), reused: true });
            }
            Ok(_) => eprintln!(
                "警告 warning: 暂存文件与台账不符，按同一加注编号重新盖章 / the spooled {} does not match the ledger: \
                 sealing the same 加注 ({}) again",
                path.display(),
                done.number
            ),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => eprintln!(
                "警告 warning: 暂存文件缺失，按同一加注编号重新盖章 / the spooled {} is missing: sealing the same \
                 加注 ({}) again",
                path.display(),
                done.number
            ),
            Err(e) => return Err(e).with_context(|| format!("无法读取 / cannot read {}", path.display())),
        }
        let Some(scenario) = Scenario::parse(&job.scenario) else {
            bail!("不支持的使用场景 / unsupported scenario {:?}", job.scenario);
        };
        let base = self.base_record(&job.management_number)?.map_err(|why| anyhow!(why))?;
        let record = annotated(&base, scenario, job, &done.number)?;
        let pdf = self.seal(&record)?;
        if let Some(j) = ledger.jobs.get_mut(&job.job_id) {
            j.sha256 = hex(&Sha256::digest(&pdf));
            j.sealed_at = clock::now_unix();
        }
        ledger.save(ledger_path)?;
        register::write_atomic(&path, &pdf)?;
        Ok(Prepared::Spooled { pdf, number: done.number.clone(), reused: false })
    }

    /// The base record from the register; `Err(why)` when the issuing side does not know the certificate or it
    /// is revoked here (a refusal, reported to the edge), `Err` outside for a local fault.
    fn base_record(&self, management_number: &str) -> Result<Result<CertificateRecord, String>> {
        let valid_name =
            !management_number.is_empty() && management_number.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
        if !valid_name || !register::register_dir(&self.pki).join(format!("{management_number}.json")).exists() {
            return Ok(Err(format!(
                "签发方登记簿中没有管理号为 {management_number} 的证书 / the issuing side's register has no \
                 certificate {management_number}"
            )));
        }
        if crate::status_snapshot_builder::load_local_revocations(&self.pki)?.contains(management_number) {
            return Ok(Err(format!(
                "证书 {management_number} 已撤销，不能加注 / certificate {management_number} is revoked: no 加注"
            )));
        }
        Ok(Ok(register::load_record(&self.pki, management_number)?))
    }

    fn seal(&self, record: &CertificateRecord) -> Result<Vec<u8>> {
        let fonts = crate::fonts::font_book_for(&self.fonts, Some(&[record.holder.name.as_str()]))?;
        // Sealed now: the time-stamp (own TSA or remote) dates it now.
        crate::issuing::seal_record(&self.store, &fonts, record, clock::now_unix(), &self.tsa)
    }
}

fn refused(why: String) -> Prepared {
    Prepared::Refused(why)
}

/// The base record with the job's 加注.
fn annotated(base: &CertificateRecord, scenario: Scenario, job: &Job, number: &str) -> Result<CertificateRecord> {
    let mut record = base.clone();
    record.annotation = Some(Annotation {
        scenario,
        valid_from: job.valid_from,
        valid_until: job.valid_until,
        number: number.to_owned(),
    });
    record.validate(Registry::builtin())?;
    Ok(record)
}

/// A job id names a file and a URL path segment: 1–128 of `A-Z a-z 0-9 _ -`.
pub fn check_job_id(id: &str) -> Result<()> {
    if id.is_empty() || id.len() > 128 || !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
        bail!("无效的任务编号 / invalid job id {id:?}");
    }
    Ok(())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// An edge answer that is not a success.
#[derive(Debug)]
enum EdgeError {
    /// Worth trying again: no connection, timeout, 429, 5xx.
    Transient(anyhow::Error),
    /// The edge's considered answer: status and its error code.
    Answer { status: u16, code: String, body: String },
}

impl std::fmt::Display for EdgeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EdgeError::Transient(e) => write!(f, "{e:#}"),
            EdgeError::Answer { status, body, .. } => write!(f, "HTTP {status} {body}"),
        }
    }
}

struct Edge {
    base: String,
    token: String,
    agent: ureq::Agent,
}

impl Edge {
    fn new(base: &str, token: String) -> Edge {
        let agent =
            ureq::Agent::config_builder().timeout_global(Some(HTTP_TIMEOUT)).http_status_as_error(false).build().into();
        Edge { base: base.trim_end_matches('/').to_owned(), token, agent }
    }

    fn answer(
        &self,
        url: &str,
        sent: std::result::Result<ureq::http::Response<ureq::Body>, ureq::Error>,
    ) -> std::result::Result<(u16, String), EdgeError> {
        let resp =
            sent.map_err(|e| EdgeError::Transient(anyhow!(e).context(format!("无法连接 / cannot reach {url}"))))?;
        let status = resp.status().as_u16();
        let mut body = String::new();
        resp.into_body()
            .into_reader()
            .take(MAX_ANSWER)
            .read_to_string(&mut body)
            .map_err(|e| EdgeError::Transient(anyhow!(e).context(format!("{url}: reading the answer"))))?;
        if (200..300).contains(&status) {
            return Ok((status, body));
        }
        if status == 429 || status >= 500 {
            return Err(EdgeError::Transient(anyhow!("{url}: HTTP {status} {}", snippet(&body))));
        }
        let code = serde_json::from_str::<serde_json::Value>(&body)
            .ok()
            // The edge's errors are `{code, message: {zh, en}}` (worker/src/error.rs); `{error: {code}}` read too.
            .and_then(|v| {
                v.pointer("/code").or_else(|| v.pointer("/error/code")).and_then(|c| c.as_str()).map(str::to_owned)
            })
            .unwrap_or_default();
        Err(EdgeError::Answer { status, code, body: snippet(&body) })
    }

    fn auth(&self) -> String {
        format!("Bearer {}", self.token)
    }

    fn claim(&self, max: u64, lease: u64) -> std::result::Result<Vec<Job>, EdgeError> {
        let url = format!("{}/v1/signer/jobs/claim", self.base);
        let body = serde_json::json!({ "max": max, "lease_seconds": lease }).to_string();
        let sent = self
            .agent
            .post(&url)
            .header("Authorization", &self.auth())
            .header("Content-Type", "application/json")
            .send(body.as_bytes());
        let (_, text) = self.answer(&url, sent)?;
        let claimed: Claimed = serde_json::from_str(&text).map_err(|e| EdgeError::Answer {
            status: 200,
            code: String::new(),
            body: format!("unexpected claim answer ({e}): {}", snippet(&text)),
        })?;
        Ok(claimed.jobs)
    }

    fn upload(&self, job_id: &str, pdf: &[u8]) -> std::result::Result<serde_json::Value, EdgeError> {
        let url = format!("{}/v1/signer/jobs/{job_id}/pdf", self.base);
        let sent = self
            .agent
            .put(&url)
            .header("Authorization", &self.auth())
            .header("Content-Type", "application/pdf")
            .send(pdf);
        let (_, text) = self.answer(&url, sent)?;
        Ok(serde_json::from_str(&text).unwrap_or(serde_json::Value::Null))
    }

    fn fail(&self, job_id: &str, reason: &str) -> std::result::Result<(), EdgeError> {
        let url = format!("{}/v1/signer/jobs/{job_id}/fail", self.base);
        let body = serde_json::json!({ "reason": reason }).to_string();
        let sent = self
            .agent
            .post(&url)
            .header("Authorization", &self.auth())
            .header("Content-Type", "application/json")
            .send(body.as_bytes());
        self.answer(&url, sent).map(|_| ())
    }
}

fn snippet(s: &str) -> String {
    let t: String = s.chars().take(600).collect();
    t.replace('\n', " ")
}

/// Try `op` again after transient errors (1 s, 2 s, 4 s, … apart) until `deadline`.
fn with_retries<T>(
    deadline: Instant,
    what: &str,
    mut op: impl FnMut() -> std::result::Result<T, EdgeError>,
) -> std::result::Result<T, EdgeError> {
    let mut pause = Duration::from_secs(1);
    loop {
        match op() {
            Err(EdgeError::Transient(e)) if Instant::now() + pause < deadline => {
                eprintln!(
                    "{what}：网络错误，{} 秒后重试 / network error, retrying in {pause:?}: {e:#}",
                    pause.as_secs()
                );
                std::thread::sleep(pause);
                pause = (pause * 2).min(MAX_BACKOFF);
            }
            other => return other,
        }
    }
}

/// How a job ended in this run.
#[derive(Debug, PartialEq, Eq)]
enum Outcome {
    /// Done at the edge (uploaded now or earlier).
    Done,
    /// Refused here and reported failed at the edge.
    Failed,
    /// Not finished: the edge hands it out again when the lease expires.
    Left,
}

struct Runner {
    local: Local,
    edge: Edge,
    crash: Option<CrashPoint>,
    lease: u64,
    max: u64,
}

impl Runner {
    /// One claim and its jobs.
    fn round(&self, quiet_when_idle: bool) -> std::result::Result<Vec<Outcome>, EdgeError> {
        let jobs = self.edge.claim(self.max, self.lease)?;
        if jobs.is_empty() && !quiet_when_idle {
            println!("没有待处理的加注任务 no 加注 jobs to claim ({})", self.edge.base);
        }
        Ok(jobs.iter().map(|job| self.job(job)).collect())
    }

    fn job(&self, job: &Job) -> Outcome {
        // Work on a job only while its lease holds (a little margin): after that another signer may have it.
        let lease_left = job.lease_until.saturating_sub(clock::now_unix()).clamp(5, self.lease as i64) as u64;
        let deadline = Instant::now() + Duration::from_secs(lease_left.saturating_sub(5).max(5));
        let label = format!(
            "任务 job {} · {} · 第{}次 attempt {}",
            job.job_id, job.management_number, job.attempt, job.attempt
        );
        let prepared = match self.local.prepare(job) {
            Ok(p) => p,
            Err(e) => {
                eprintln!("未完成，租约到期后重试 not done, retried after the lease: {label}: {e:#}");
                return Outcome::Left;
            }
        };
        match prepared {
            Prepared::Refused(reason) => {
                match with_retries(deadline, &label, || self.edge.fail(&job.job_id, &reason)) {
                    Ok(()) => {
                        println!(
                            "签发方拒绝，已报告失败 refused by the issuing side, reported failed: {label}: {reason}"
                        );
                        Outcome::Failed
                    }
                    Err(e) => {
                        eprintln!(
                            "签发方拒绝，但未能报告 refused by the issuing side, could not report it: {label}: {reason} ({e})"
                        );
                        Outcome::Left
                    }
                }
            }
            Prepared::Spooled { pdf, number, reused } => {
                crash_if(self.crash, CrashPoint::Seal, job);
                let window = format!(
                    "{}至{}（{}天 days）",
                    job.valid_from.to_chinese(),
                    job.valid_until.to_chinese(),
                    job.valid_from.days_until(job.valid_until) + 1
                );
                let uploaded = with_retries(deadline, &label, || self.edge.upload(&job.job_id, &pdf));
                crash_if(self.crash, CrashPoint::Upload, job);
                let how = if reused {
                    "已重新上传暂存的加注件（未再次盖章） re-uploaded the spooled copy (not sealed again)"
                } else {
                    "已盖章并上传加注件 sealed and uploaded"
                };
                match uploaded {
                    Ok(answer) => {
                        let theirs = answer.get("annotation_number").and_then(|v| v.as_str()).unwrap_or("");
                        if !theirs.is_empty() && theirs != number {
                            eprintln!(
                                "警告 warning: 边缘记录的加注编号 {theirs} 与本地 {number} 不同 / the edge recorded \
                                 {theirs}, this side {number}"
                            );
                        }
                        println!("{how}: {label} · 加注编号 {number} · {window}");
                        Outcome::Done
                    }
                    Err(EdgeError::Answer { status: 409, code, .. }) if code == "JOB_ALREADY_DONE" => {
                        println!("任务已在边缘完成 already done at the edge: {label} · 加注编号 {number} · {window}");
                        Outcome::Done
                    }
                    Err(EdgeError::Answer { status: 409, code, .. }) if code == "JOB_FAILED" => {
                        println!(
                            "边缘已将任务标记为失败，不再上传 the edge has the job as failed, not uploaded: {label} · \
                             加注编号 {number} (kept in the ledger)"
                        );
                        Outcome::Failed
                    }
                    Err(e) => {
                        eprintln!(
                            "上传未完成，租约到期后重试（文件已暂存） upload not done, retried after the lease (file \
                             spooled at {}): {label}: {e}",
                            self.local.spool_path(&job.job_id).display()
                        );
                        Outcome::Left
                    }
                }
            }
        }
    }
}

pub fn run(args: SignerArgs) -> Result<ExitCode> {
    let token = std::env::var(TOKEN_ENV).unwrap_or_default();
    if token.trim().is_empty() {
        bail!("缺少签名方令牌：请设置环境变量 {TOKEN_ENV} / no signer token: set {TOKEN_ENV}");
    }
    let crash = crash_point(std::env::var(CRASH_ENV).ok().as_deref())?;
    let local = Local::open(&args.pki, args.trust_list.as_deref(), args.tsa_url.clone(), args.font.clone())?;
    let runner =
        Runner { local, edge: Edge::new(&args.edge, token.trim().to_owned()), crash, lease: args.lease, max: args.max };
    let Some(every) = args.every else {
        let outcomes = runner.round(false).map_err(|e| anyhow!("{}: {e}", runner.edge.base))?;
        return Ok(if outcomes.contains(&Outcome::Left) { ExitCode::from(1) } else { ExitCode::SUCCESS });
    };
    println!(
        "签名方已启动 signer started: {} · 每 {every} 秒领取 claims every {every} s · 租约 lease {} s",
        runner.edge.base, args.lease
    );
    let every = Duration::from_secs(every.max(1));
    let mut backoff = Duration::ZERO;
    loop {
        match runner.round(true) {
            Ok(outcomes) => {
                backoff = Duration::ZERO;
                // More may be waiting when a claim came back full.
                if outcomes.len() as u64 >= args.max && !outcomes.contains(&Outcome::Left) {
                    continue;
                }
            }
            Err(e) => {
                backoff = (backoff * 2).clamp(Duration::from_secs(1), MAX_BACKOFF);
                let wait = every.max(backoff).as_secs();
                eprintln!("领取任务失败，{wait} 秒后重试 / claiming failed, retrying in {wait} s: {e}");
            }
        }
        std::thread::sleep(every.max(backoff));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn job_ids_that_name_files_only() {
        assert!(check_job_id("j_0123-abcDEF").is_ok());
        for bad in ["", "../x", "a/b", "a.pdf", "a b", "ä", &"x".repeat(129)] {
            assert!(check_job_id(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_claimed_job_parses_with_unknown_fields() {
        let j: Job = serde_json::from_str(
            r#"{"job_id":"j1","management_number":"M1","scenario":"本人调用","applied_on":"2026-12-07",
                "valid_from":"2026-12-07","valid_until":"2027-01-05","attempt":2,"lease_until":1,"extra":true}"#,
        )
        .unwrap();
        assert_eq!(j.valid_from.days_until(j.valid_until) + 1, 30);
        assert_eq!(j.attempt, 2);
    }

    #[test]
    fn an_older_ledger_without_jobs_loads_and_saves_unchanged() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("annotation-ledger.json");
        let old = r#"{"schema":"ecert.annotation-ledger/1","certificates":{"M1":[{"number":"M1-A1","applied_on":"2026-11-01","valid_from":"2026-11-01","valid_until":"2026-11-30"}]}}"#;
        std::fs::write(&path, old).unwrap();
        let ledger = Ledger::load(&path).unwrap();
        assert!(ledger.jobs.is_empty());
        ledger.save(&path).unwrap();
        let again: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        assert!(again.get("jobs").is_none(), "no jobs key written for a ledger without jobs");
        assert_eq!(again["certificates"]["M1"].as_array().unwrap().len(), 1);
    }

    #[test]
    fn crash_points_are_exactly_seal_and_upload() {
        assert_eq!(crash_point(None).unwrap(), None);
        assert_eq!(crash_point(Some("")).unwrap(), None);
        assert_eq!(crash_point(Some("seal")).unwrap(), Some(CrashPoint::Seal));
        assert_eq!(crash_point(Some("upload")).unwrap(), Some(CrashPoint::Upload));
        assert!(crash_point(Some("after-seal")).is_err());
    }
}
