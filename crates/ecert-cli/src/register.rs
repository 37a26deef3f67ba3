//! The issuer's register of issued certificates (`<pki>/register/<管理号>.json`) and the annotation ledger
//! (`<pki>/annotation-ledger.json`). Annotation works from these, never from a PDF handed in.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, bail};
use ecert_format::{CertificateRecord, LedgerEntry, Registry};
use serde::{Deserialize, Serialize};

pub const LEDGER_SCHEMA: &str = "ecert.annotation-ledger/1";

pub fn register_dir(pki: &Path) -> PathBuf {
    pki.join("register")
}

/// Write a file atomically (temp file + rename).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir)?;
    }
    let tmp = path.with_extension(format!("tmp-{}", std::process::id()));
    fs::write(&tmp, bytes).with_context(|| format!("无法写入 / cannot write {}", tmp.display()))?;
    fs::rename(&tmp, path).with_context(|| format!("无法写入 / cannot write {}", path.display()))?;
    Ok(())
}

/// Record an issued certificate (the base record, without annotation).
pub fn save_record(pki: &Path, record: &CertificateRecord) -> Result<()> {
    let mut base = record.clone();
    base.annotation = None;
    let path = register_dir(pki).join(format!("{}.json", record.management_number));
    write_atomic(&path, &serde_json::to_vec_pretty(&base)?)
}

/// The register of issued copies: one file per sealed copy (the base certificate and each 加注 copy), named by
/// its status id and holding exactly the record bytes it seals.
pub fn copies_dir(pki: &Path) -> PathBuf {
    pki.join("copies")
}

/// Record a sealed copy; returns its status id (hex).
pub fn save_copy(pki: &Path, record: &CertificateRecord) -> Result<String> {
    let bytes = record.to_json();
    let id = ecert_format::copy_status_id_hex(&bytes);
    write_atomic(&copies_dir(pki).join(format!("{id}.json")), &bytes)?;
    Ok(id)
}

/// Every copy in the register: (status id, 管理号), sorted by id.
pub fn load_copies(pki: &Path) -> Result<Vec<([u8; 32], String)>> {
    let mut out = Vec::new();
    let dir = copies_dir(pki);
    let entries = match fs::read_dir(&dir) {
        Ok(rd) => rd,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
        Err(e) => return Err(e).with_context(|| format!("无法读取 / cannot read {}", dir.display())),
    };
    for entry in entries {
        let path = entry?.path();
        if path.extension().is_none_or(|x| x != "json") {
            continue;
        }
        let bytes = fs::read(&path)?;
        let record = CertificateRecord::from_json(&bytes, Registry::builtin())
            .with_context(|| format!("副本记录无效 / invalid copy {}", path.display()))?;
        out.push((ecert_format::copy_status_id(&bytes), record.management_number));
    }
    out.sort();
    Ok(out)
}

pub fn load_record(pki: &Path, management_number: &str) -> Result<CertificateRecord> {
    if !management_number.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') || management_number.is_empty() {
        bail!("无效的管理号 / invalid management number {management_number:?}");
    }
    let path = register_dir(pki).join(format!("{management_number}.json"));
    let bytes = fs::read(&path).with_context(|| {
        format!(
            "登记簿中没有管理号为 {management_number} 的证书 / no certificate {management_number} in the register ({})",
            path.display()
        )
    })?;
    Ok(CertificateRecord::from_json(&bytes, Registry::builtin())?)
}

/// The annotation ledger.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Ledger {
    pub schema: String,
    pub certificates: BTreeMap<String, Vec<LedgerEntry>>,
    /// The 加注 that `ecert signer` made for the edge's jobs, by job id (each also one entry in `certificates`):
    /// a job claimed again reuses its entry and spooled file, never a second 加注. Absent in older ledgers.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub jobs: BTreeMap<String, JobEntry>,
}

/// What the signer recorded for one edge job.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JobEntry {
    pub management_number: String,
    /// The 加注编号 (`{管理号}-A{n}`) of the copy sealed for the job.
    pub number: String,
    /// Lowercase hex SHA-256 of the spooled PDF (`<pki>/signer/<job_id>.pdf`).
    pub sha256: String,
    /// When it was sealed (Unix seconds).
    pub sealed_at: i64,
}

impl Ledger {
    pub fn load(path: &Path) -> Result<Ledger> {
        match fs::read(path) {
            Ok(bytes) => {
                let l: Ledger = serde_json::from_slice(&bytes)
                    .with_context(|| format!("加注台账无效 / invalid ledger {}", path.display()))?;
                if l.schema != LEDGER_SCHEMA {
                    bail!("加注台账版本不受支持 / unsupported ledger schema {:?}", l.schema);
                }
                Ok(l)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                Ok(Ledger { schema: LEDGER_SCHEMA.to_owned(), certificates: BTreeMap::new(), jobs: BTreeMap::new() })
            }
            Err(e) => Err(e).with_context(|| format!("无法读取加注台账 / cannot read {}", path.display())),
        }
    }
    pub fn save(&self, path: &Path) -> Result<()> {
        write_atomic(path, &serde_json::to_vec_pretty(self)?)
    }
    pub fn history(&self, management_number: &str) -> &[LedgerEntry] {
        self.certificates.get(management_number).map(Vec::as_slice).unwrap_or(&[])
    }
}

/// An exclusive lock on a ledger for one read-check-write (`ecert annotate`, `ecert signer`): two processes on
/// the same PKI cannot both count the same history and each add a 加注. An advisory `flock` on `<ledger>.lock`,
/// released when dropped or when the process dies (a killed signer leaves no stale lock).
pub struct LedgerLock {
    _file: fs::File,
}

impl LedgerLock {
    pub fn acquire(ledger: &Path) -> Result<LedgerLock> {
        if let Some(dir) = ledger.parent() {
            fs::create_dir_all(dir)?;
        }
        let path = ledger.with_extension("lock");
        let file = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .with_context(|| format!("无法打开台账锁 / cannot open the ledger lock {}", path.display()))?;
        file.lock().with_context(|| format!("无法锁定加注台账 / cannot lock the ledger {}", path.display()))?;
        Ok(LedgerLock { _file: file })
    }
}
