//! The `annotation_jobs` and `certificate_files` tables of the shards (worker/migrations/shard/0002_holders.sql): a
//! certificate's 加注 jobs and its stored base PDF live in the certificate's shard, next to its copies, so finishing a
//! job (its copy registered, the job done) is one transaction. A job id does not name its shard: the signer's routes
//! find a job by asking every shard (one primary-key read each, in parallel), like `POST /v1/verify` finds a copy.

use futures_util::future::join_all;
use serde::Deserialize;
use worker::D1PreparedStatement;

use super::certificates::{self, CertificateRow};
use super::shards::Store;
use super::{Db, blob, db_error, int, opt_text, text};
use crate::error::{ApiError, ApiResult};

/// A stored job.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct JobRow {
    pub job_id: String,
    pub management_number: String,
    pub scenario: String,
    pub applied_on: String,
    pub valid_from: String,
    pub valid_until: String,
    /// `pending` | `done` | `failed`.
    pub state: String,
    /// `holder` | `import`.
    pub origin: String,
    pub created_at: i64,
    pub attempts: i64,
    pub lease_until: Option<i64>,
    pub leased_by: Option<String>,
    pub done_at: Option<i64>,
    pub annotation_number: Option<String>,
    /// Lowercase hex.
    pub status_id: Option<String>,
    pub pdf_sha256: Option<String>,
    pub pdf_deleted: i64,
    pub failure_reason: Option<String>,
}

macro_rules! job_columns {
    () => {
        "job_id, management_number, scenario, applied_on, valid_from, valid_until, state, origin, created_at, \
         attempts, lease_until, leased_by, done_at, annotation_number, \
         CASE WHEN status_id IS NULL THEN NULL ELSE lower(hex(status_id)) END AS status_id, \
         pdf_sha256, pdf_deleted, failure_reason"
    };
}

/// A job to create.
pub struct NewJob<'a> {
    pub job_id: &'a str,
    pub management_number: &'a str,
    pub scenario: &'a str,
    pub applied_on: &'a str,
    pub valid_from: &'a str,
    pub valid_until: &'a str,
    pub created_at: i64,
}

/// The INSERT OR IGNORE of a job row exactly as read (for a batch): puts it into a shard that may not hold it yet —
/// during a move to more shards, before a change to the row is written to its new home, so the change lands even
/// before the copy reaches the job, and a later copy of the old row cannot bring back its earlier state.
pub fn insert_row(db: &Db, job: &JobRow, slot: i64) -> ApiResult<D1PreparedStatement> {
    let status_id = match job.status_id.as_deref().filter(|h| !h.is_empty()) {
        Some(h) => blob(&ecert_format::parse_status_id(h).ok_or_else(|| db_error("job", "bad stored status id"))?),
        None => wasm_bindgen::JsValue::NULL,
    };
    let opt_int = |v: Option<i64>| v.map_or(wasm_bindgen::JsValue::NULL, int);
    db.stmt(
        "INSERT OR IGNORE INTO annotation_jobs (job_id, management_number, shard_hash, scenario, applied_on, valid_from, \
         valid_until, state, origin, created_at, attempts, lease_until, leased_by, done_at, annotation_number, status_id, \
         pdf_sha256, pdf_deleted, failure_reason) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)",
        &[
            text(&job.job_id),
            text(&job.management_number),
            int(slot),
            text(&job.scenario),
            text(&job.applied_on),
            text(&job.valid_from),
            text(&job.valid_until),
            text(&job.state),
            text(&job.origin),
            int(job.created_at),
            int(job.attempts),
            opt_int(job.lease_until),
            opt_text(job.leased_by.as_deref()),
            opt_int(job.done_at),
            opt_text(job.annotation_number.as_deref()),
            status_id,
            opt_text(job.pdf_sha256.as_deref()),
            int(job.pdf_deleted),
            opt_text(job.failure_reason.as_deref()),
        ],
    )
}

/// The INSERT OR IGNORE of a stored base PDF's row exactly as read (the copy into a new shard).
pub fn insert_file_row(db: &Db, f: &FileRow) -> ApiResult<D1PreparedStatement> {
    let id = ecert_format::parse_status_id(&f.status_id).ok_or_else(|| db_error("file", "bad stored status id"))?;
    db.stmt(
        "INSERT OR IGNORE INTO certificate_files (management_number, status_id, pdf_sha256, stored_at) \
         VALUES (?1, ?2, ?3, ?4)",
        &[text(&f.management_number), blob(&id), text(&f.pdf_sha256), int(f.stored_at)],
    )
}

/// The jobs and stored base PDFs of the certificates whose 管理号 is in (`after`, `last`], read from one shard (the
/// copy of a page of certificates into new shards).
pub async fn in_range(db: &Db, after: &str, last: &str) -> ApiResult<(Vec<JobRow>, Vec<FileRow>)> {
    let jobs: Vec<JobRow> = db
        .stmt(
            concat!(
                "SELECT ",
                job_columns!(),
                " FROM annotation_jobs WHERE management_number > ?1 AND management_number <= ?2"
            ),
            &[text(after), text(last)],
        )?
        .all()
        .await
        .and_then(|r| r.results())
        .map_err(|e| db_error("copy: read jobs", e))?;
    let files: Vec<FileRow> = db
        .stmt(
            "SELECT management_number, lower(hex(status_id)) AS status_id, pdf_sha256, stored_at \
             FROM certificate_files WHERE management_number > ?1 AND management_number <= ?2",
            &[text(after), text(last)],
        )?
        .all()
        .await
        .and_then(|r| r.results())
        .map_err(|e| db_error("copy: read files", e))?;
    Ok((jobs, files))
}

/// During a move, before changing jobs in a shard that may not hold them yet: the certificate row (the jobs' foreign
/// key) and the jobs as read, `INSERT OR IGNORE`.
async fn prelude(store: &Store, db: &Db, jobs: &[&JobRow], slot: i64) -> ApiResult<Vec<D1PreparedStatement>> {
    let mut out = Vec::new();
    let Some(first) = jobs.first() else { return Ok(out) };
    if let Some(cert) = certificates::by_number(store, &first.management_number).await? {
        out.push(certificates::insert(db, &cert, slot, true)?);
    }
    for j in jobs {
        out.push(insert_row(db, j, slot)?);
    }
    Ok(out)
}

/// The R2 key of a job's annotated PDF: `annotated/<job id>/<SHA-256 of the file>.pdf` — by content, so two racing
/// uploads of different files for one job never overwrite each other's object, and the job row (its `pdf_sha256`)
/// names the one that won.
pub fn pdf_key(job_id: &str, sha256: &str) -> String {
    format!("annotated/{job_id}/{sha256}.pdf")
}

/// The R2 key of a certificate's base PDF.
pub fn base_pdf_key(management_number: &str) -> String {
    format!("base/{management_number}.pdf")
}

/// Every job of these certificates, newest first (each from its certificate's shard).
pub async fn of_certificate(store: &Store, management_number: &str) -> ApiResult<Vec<JobRow>> {
    let mut out: Vec<JobRow> = Vec::new();
    for shard in store.map.read_at(store.slot_of(management_number)) {
        let rows: Vec<JobRow> = store
            .shard(shard)?
            .stmt(
                concat!(
                    "SELECT ",
                    job_columns!(),
                    " FROM annotation_jobs WHERE management_number = ?1 ORDER BY created_at DESC, job_id DESC"
                ),
                &[text(management_number)],
            )?
            .all()
            .await
            .and_then(|r| r.results())
            .map_err(|e| db_error("select jobs", e))?;
        for r in rows {
            if !out.iter().any(|o| o.job_id == r.job_id) {
                out.push(r);
            }
        }
    }
    out.sort_by(|a, b| b.created_at.cmp(&a.created_at).then_with(|| b.job_id.cmp(&a.job_id)));
    Ok(out)
}

/// The statements that put a certificate row into a shard that may not hold it yet (during a move), then run `stmt`.
fn with_certificate(
    db: &Db,
    row: &CertificateRow,
    slot: i64,
    first: bool,
    stmt: D1PreparedStatement,
) -> ApiResult<Vec<D1PreparedStatement>> {
    Ok(if first { vec![stmt] } else { vec![certificates::insert(db, row, slot, true)?, stmt] })
}

/// Create a holder's job unless the certificate already has `max` jobs not failed applied on or after
/// `window_start` (checked and inserted in one statement, so two concurrent applications cannot both pass).
/// `Ok(false)`: refused by the count (nothing written).
pub async fn insert_counted(
    store: &Store,
    cert: &CertificateRow,
    job: &NewJob<'_>,
    window_start: &str,
    max: i64,
) -> ApiResult<bool> {
    let slot = store.slot_of(job.management_number);
    for (i, shard) in store.map.write_at(slot).into_iter().enumerate() {
        let db = store.shard(shard)?;
        let params = [
            text(job.job_id),
            text(job.management_number),
            int(slot),
            text(job.scenario),
            text(job.applied_on),
            text(job.valid_from),
            text(job.valid_until),
            int(job.created_at),
            text(window_start),
            int(max),
        ];
        let stmt = if i == 0 {
            db.stmt(
                "INSERT INTO annotation_jobs (job_id, management_number, shard_hash, scenario, applied_on, valid_from, \
                 valid_until, state, origin, created_at) \
                 SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, 'pending', 'holder', ?8 \
                 WHERE (SELECT count(*) FROM annotation_jobs WHERE management_number = ?2 AND state != 'failed' \
                        AND applied_on >= ?9) < ?10 RETURNING job_id",
                &params,
            )?
        } else {
            db.stmt(
                "INSERT OR IGNORE INTO annotation_jobs (job_id, management_number, shard_hash, scenario, applied_on, \
                 valid_from, valid_until, state, origin, created_at) \
                 SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, 'pending', 'holder', ?8 WHERE ?9 IS NOT NULL AND ?10 IS NOT NULL",
                &params,
            )?
        };
        let results = db.batch(with_certificate(&db, cert, slot, i == 0, stmt)?).await?;
        if i == 0 {
            let inserted = results
                .last()
                .map(|r| r.results::<serde_json::Value>().map(|v| !v.is_empty()).unwrap_or(false))
                .unwrap_or(false);
            if !inserted {
                return Ok(false);
            }
        }
    }
    Ok(true)
}

/// The job with this id, wherever it lives (every shard of the map asked in parallel; shadows filtered).
pub async fn find(store: &Store, job_id: &str) -> ApiResult<Option<JobRow>> {
    let reads = store.map.scan().into_iter().map(|(shard, index, count)| async move {
        store
            .shard(shard)?
            .stmt(
                concat!("SELECT ", job_columns!(), " FROM annotation_jobs WHERE job_id = ?1 AND shard_hash % ?2 = ?3"),
                &[text(job_id), int(count as i64), int(index as i64)],
            )?
            .first::<JobRow>(None)
            .await
            .map_err(|e| db_error("select job", e))
    });
    let mut found = None;
    for r in join_all(reads).await {
        if let Some(j) = r? {
            found.get_or_insert(j);
        }
    }
    Ok(found)
}

/// Pending jobs whose lease is free at `now` (none, or expired), oldest first, at most `max` (from every shard).
pub async fn claimable(store: &Store, now: i64, max: usize) -> ApiResult<Vec<JobRow>> {
    let reads = store.map.scan().into_iter().map(|(shard, index, count)| async move {
        store
            .shard(shard)?
            .stmt(
                concat!(
                    "SELECT ",
                    job_columns!(),
                    " FROM annotation_jobs WHERE state = 'pending' AND (lease_until IS NULL OR lease_until <= ?1) \
                     AND shard_hash % ?2 = ?3 ORDER BY created_at, job_id LIMIT ?4"
                ),
                &[int(now), int(count as i64), int(index as i64), int(max as i64)],
            )?
            .all()
            .await
            .and_then(|r| r.results::<JobRow>())
            .map_err(|e| db_error("select claimable jobs", e))
    });
    let mut out = Vec::new();
    for r in join_all(reads).await {
        out.extend(r?);
    }
    out.sort_by(|a, b| a.created_at.cmp(&b.created_at).then_with(|| a.job_id.cmp(&b.job_id)));
    out.truncate(max);
    Ok(out)
}

/// Lease a job to `operator` until `lease_until`, if it is still pending and its lease free at `now` (one UPDATE,
/// so two signers never both get it). The leased row, or `None` when another signer took it first.
pub async fn lease(
    store: &Store,
    job: &JobRow,
    now: i64,
    lease_until: i64,
    operator: &str,
) -> ApiResult<Option<JobRow>> {
    let slot = store.slot_of(&job.management_number);
    let mut leased = None;
    for (i, shard) in store.map.write_at(slot).into_iter().enumerate() {
        let db = store.shard(shard)?;
        let stmt = db.stmt(
            concat!(
                "UPDATE annotation_jobs SET lease_until = ?3, leased_by = ?4, attempts = attempts + 1 \
                 WHERE job_id = ?1 AND state = 'pending' AND (lease_until IS NULL OR lease_until <= ?2) RETURNING ",
                job_columns!()
            ),
            &[text(&job.job_id), int(now), int(lease_until), text(operator)],
        )?;
        let row = if i == 0 {
            stmt.first::<JobRow>(None).await.map_err(|e| db_error("lease job", e))?
        } else {
            let mut stmts = prelude(store, &db, &[job], slot).await?;
            stmts.push(stmt);
            db.batch(stmts).await?;
            None
        };
        if i == 0 {
            match row {
                Some(r) => leased = Some(r),
                None => return Ok(None),
            }
        }
    }
    Ok(leased)
}

/// The statement that marks a pending job done (for the batch that registers its copy).
pub fn complete(
    db: &Db,
    job_id: &str,
    now: i64,
    annotation_number: &str,
    status_id: &[u8; 32],
    pdf_sha256: &str,
) -> ApiResult<D1PreparedStatement> {
    db.stmt(
        "UPDATE annotation_jobs SET state = 'done', done_at = ?2, annotation_number = ?3, status_id = ?4, \
         pdf_sha256 = ?5, lease_until = NULL WHERE job_id = ?1 AND state = 'pending'",
        &[text(job_id), int(now), text(annotation_number), blob(status_id), text(pdf_sha256)],
    )
}

/// The statement that records an imported (earlier sealed) annotation as a done job.
#[allow(clippy::too_many_arguments)]
pub fn insert_done(
    db: &Db,
    job: &NewJob<'_>,
    slot: i64,
    annotation_number: &str,
    status_id: &[u8; 32],
    pdf_sha256: &str,
    or_ignore: bool,
) -> ApiResult<D1PreparedStatement> {
    let verb = if or_ignore { "INSERT OR IGNORE" } else { "INSERT" };
    db.stmt(
        &format!(
            "{verb} INTO annotation_jobs (job_id, management_number, shard_hash, scenario, applied_on, valid_from, \
             valid_until, state, origin, created_at, done_at, annotation_number, status_id, pdf_sha256) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'done', 'import', ?8, ?8, ?9, ?10, ?11)"
        ),
        &[
            text(job.job_id),
            text(job.management_number),
            int(slot),
            text(job.scenario),
            text(job.applied_on),
            text(job.valid_from),
            text(job.valid_until),
            int(job.created_at),
            text(annotation_number),
            blob(status_id),
            text(pdf_sha256),
        ],
    )
}

/// Mark a pending job failed with the signer's reason. `Ok(false)`: it was not pending.
pub async fn fail(store: &Store, job: &JobRow, reason: &str, now: i64) -> ApiResult<bool> {
    let slot = store.slot_of(&job.management_number);
    let mut changed = false;
    for (i, shard) in store.map.write_at(slot).into_iter().enumerate() {
        let db = store.shard(shard)?;
        let stmt = db.stmt(
            "UPDATE annotation_jobs SET state = 'failed', failure_reason = ?2, lease_until = NULL, done_at = NULL \
             WHERE job_id = ?1 AND state = 'pending' RETURNING job_id",
            &[text(&job.job_id), opt_text(Some(reason))],
        )?;
        if i == 0 {
            let row: Option<serde_json::Value> = stmt.first(None).await.map_err(|e| db_error("fail job", e))?;
            changed = row.is_some();
        } else {
            let mut stmts = prelude(store, &db, &[job], slot).await?;
            stmts.push(stmt);
            db.batch(stmts).await?;
        }
    }
    let _ = now;
    Ok(changed)
}

/// Jobs for operators: `pending` (not done, not failed), `failed`, or `overdue` (not done, created more than
/// `overdue_after` seconds before `now`), oldest first, at most `limit`.
pub async fn list(store: &Store, which: &str, now: i64, overdue_after: i64, limit: usize) -> ApiResult<Vec<JobRow>> {
    let (state, before) = match which {
        "pending" => ("pending", i64::MAX),
        "failed" => ("failed", i64::MAX),
        "overdue" => ("pending", now - overdue_after),
        _ => {
            return Err(ApiError::invalid_field(
                "state",
                "应为 overdue、pending 或 failed",
                "must be overdue, pending or failed",
            ));
        }
    };
    let reads = store.map.scan().into_iter().map(|(shard, index, count)| async move {
        store
            .shard(shard)?
            .stmt(
                concat!(
                    "SELECT ",
                    job_columns!(),
                    " FROM annotation_jobs WHERE state = ?1 AND created_at < ?2 AND shard_hash % ?3 = ?4 \
                     ORDER BY created_at, job_id LIMIT ?5"
                ),
                &[text(state), int(before), int(count as i64), int(index as i64), int(limit as i64)],
            )?
            .all()
            .await
            .and_then(|r| r.results::<JobRow>())
            .map_err(|e| db_error("list jobs", e))
    });
    let mut out = Vec::new();
    for r in join_all(reads).await {
        out.extend(r?);
    }
    out.sort_by(|a, b| a.created_at.cmp(&b.created_at).then_with(|| a.job_id.cmp(&b.job_id)));
    out.truncate(limit);
    Ok(out)
}

/// Mark the stored PDFs of this certificate's jobs deleted (account deletion); returns the R2 keys of every done
/// job's file — those marked before too, so a deletion cut off between the mark and R2 is completed by the retry
/// (deleting a missing object is no error).
pub async fn forget_pdfs(store: &Store, management_number: &str) -> ApiResult<Vec<String>> {
    let jobs = of_certificate(store, management_number).await?;
    let ids: Vec<String> = jobs
        .iter()
        .filter(|j| j.state == "done")
        .filter_map(|j| j.pdf_sha256.as_deref().map(|sha| pdf_key(&j.job_id, sha)))
        .collect();
    if !jobs.iter().any(|j| j.state == "done" && j.pdf_deleted == 0) {
        return Ok(ids);
    }
    let slot = store.slot_of(management_number);
    for (i, shard) in store.map.write_at(slot).into_iter().enumerate() {
        let db = store.shard(shard)?;
        let mut stmts = Vec::new();
        if i > 0 {
            stmts = prelude(store, &db, &jobs.iter().collect::<Vec<_>>(), slot).await?;
        }
        stmts.push(db.stmt(
            "UPDATE annotation_jobs SET pdf_deleted = 1 WHERE management_number = ?1 AND state = 'done'",
            &[text(management_number)],
        )?);
        db.batch(stmts).await?;
    }
    Ok(ids)
}

/// A certificate's stored base PDF.
#[derive(Clone, Debug, Deserialize)]
pub struct FileRow {
    pub management_number: String,
    pub status_id: String,
    pub pdf_sha256: String,
    pub stored_at: i64,
}

/// The stored base PDF of a certificate, if any.
pub async fn base_file(store: &Store, management_number: &str) -> ApiResult<Option<FileRow>> {
    for shard in store.map.read_at(store.slot_of(management_number)) {
        let row: Option<FileRow> = store
            .shard(shard)?
            .stmt(
                "SELECT management_number, lower(hex(status_id)) AS status_id, pdf_sha256, stored_at \
                 FROM certificate_files WHERE management_number = ?1",
                &[text(management_number)],
            )?
            .first(None)
            .await
            .map_err(|e| db_error("select certificate file", e))?;
        if row.is_some() {
            return Ok(row);
        }
    }
    Ok(None)
}

/// Record (or replace) a certificate's base PDF.
pub async fn put_base_file(
    store: &Store,
    cert: &CertificateRow,
    status_id: &[u8; 32],
    pdf_sha256: &str,
    now: i64,
) -> ApiResult<()> {
    let slot = store.slot_of(&cert.management_number);
    for (i, shard) in store.map.write_at(slot).into_iter().enumerate() {
        let db = store.shard(shard)?;
        let stmt = db.stmt(
            "INSERT INTO certificate_files (management_number, status_id, pdf_sha256, stored_at) VALUES (?1, ?2, ?3, ?4) \
             ON CONFLICT (management_number) DO UPDATE SET status_id = ?2, pdf_sha256 = ?3, stored_at = ?4",
            &[text(&cert.management_number), blob(status_id), text(pdf_sha256), int(now)],
        )?;
        db.batch(with_certificate(&db, cert, slot, i == 0, stmt)?).await?;
    }
    Ok(())
}

/// The statements (per shard of the certificate's home, authoritative first) that put the certificate row there
/// when it may be missing, for a batch built by the caller.
pub fn ensure_certificate(
    db: &Db,
    cert: &CertificateRow,
    slot: i64,
    first: bool,
) -> ApiResult<Vec<D1PreparedStatement>> {
    if first { Ok(Vec::new()) } else { Ok(vec![certificates::insert(db, cert, slot, true)?]) }
}
