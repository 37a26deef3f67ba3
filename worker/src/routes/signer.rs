//! The signer API (`/v1/signer/*`, operator right `sign`; docs/holder.md): the issuing side's `ecert signer` claims
//! pending 加注 jobs with a lease, seals each (the seal key never reaches the edge) and uploads the PDF, or reports a
//! job it refuses as failed.
//!
//! An upload is verified like `POST /v1/verify` (`crate::upload`), must be the job's certificate with the job's
//! scenario and window, and then — in this order — is stored in R2 (`annotated/<job_id>/<sha256>.pdf`), and its copy
//! registered and the job marked done in one transaction of the certificate's shard; the buckets' change numbers and
//! the audit entry follow in the control database. Idempotent by job id: the same file again answers as the first
//! time; another file for a done job is 409. Nothing is stored for a refused upload; an upload whose D1 transaction
//! fails after the R2 write leaves the job pending and deletes its object again (best effort; an object left behind
//! by a crash in between is never served: only the file a done job names is).

use serde::{Deserialize, Serialize};
use serde_json::json;
use worker::{Request, Response};

use super::Ctx;
use crate::auth::Right;
use crate::config;
use crate::error::{ApiError, ApiResult};
use crate::http;
use crate::storage::audit::{self, AuditEntry};
use crate::storage::certificates;
use crate::storage::copies;
use crate::storage::jobs::{self, JobRow};
use crate::upload;

/// Most jobs per claim.
pub const MAX_CLAIM: usize = 20;
/// Lease bounds, seconds.
pub const LEASE_SECONDS: std::ops::RangeInclusive<i64> = 30..=900;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ClaimRequest {
    #[serde(default = "one", deserialize_with = "http::integral")]
    max: i64,
    #[serde(default = "default_lease", deserialize_with = "http::integral")]
    lease_seconds: i64,
}

fn one() -> i64 {
    1
}
fn default_lease() -> i64 {
    300
}

#[derive(Serialize)]
struct ClaimedJob {
    job_id: String,
    management_number: String,
    scenario: String,
    applied_on: String,
    valid_from: String,
    valid_until: String,
    /// 1 for the first claim, 2 after a lease expired once, …
    attempt: i64,
    lease_until: i64,
}

/// `POST /v1/signer/jobs/claim`: pending jobs and jobs whose lease expired, oldest first, leased to this operator.
pub async fn claim(req: &mut Request, ctx: &Ctx) -> ApiResult<Response> {
    let principal = ctx.authorize(req, Right::Sign)?;
    let body: ClaimRequest = http::read_json(req).await?;
    let max = usize::try_from(body.max).ok().filter(|m| (1..=MAX_CLAIM).contains(m)).ok_or_else(|| {
        ApiError::invalid_field("max", &format!("应为1至{MAX_CLAIM}"), &format!("must be 1 to {MAX_CLAIM}"))
    })?;
    if !LEASE_SECONDS.contains(&body.lease_seconds) {
        return Err(ApiError::invalid_field("lease_seconds", "应为30至900秒", "must be 30 to 900 seconds"));
    }
    let store = ctx.store().await?;
    let lease_until = ctx.now + body.lease_seconds;
    let mut out = Vec::new();
    // Candidates beyond `max`: another signer may take some between the read and the lease.
    for job in jobs::claimable(&store, ctx.now, max * 2).await? {
        if out.len() >= max {
            break;
        }
        if let Some(j) = jobs::lease(&store, &job, ctx.now, lease_until, principal.name).await? {
            out.push(ClaimedJob {
                job_id: j.job_id,
                management_number: j.management_number,
                scenario: j.scenario,
                applied_on: j.applied_on,
                valid_from: j.valid_from,
                valid_until: j.valid_until,
                attempt: j.attempts,
                lease_until,
            });
        }
    }
    let mut r = http::json(200, &json!({ "jobs": out }))?;
    http::set_header(&mut r, "cache-control", "no-store");
    Ok(r)
}

fn job_not_found() -> ApiError {
    ApiError::new(404, "NOT_FOUND", "没有这个加注任务", "no such annotation job")
}

/// A job id as the edge makes them: 32 lowercase hex digits.
pub fn valid_job_id(s: &str) -> bool {
    s.len() == 32 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

async fn find_job(ctx: &Ctx, job_id: &str) -> ApiResult<(crate::storage::shards::Store, JobRow)> {
    if !valid_job_id(job_id) {
        return Err(job_not_found());
    }
    let store = ctx.store().await?;
    let job = jobs::find(&store, job_id).await?.ok_or_else(job_not_found)?;
    Ok((store, job))
}

fn already_done() -> ApiError {
    ApiError::new(409, "JOB_ALREADY_DONE", "该加注任务已完成", "this annotation job is already done")
}

fn job_failed() -> ApiError {
    ApiError::new(409, "JOB_FAILED", "该加注任务已标记为失败", "this annotation job was reported failed")
}

fn done_answer(job: &JobRow) -> ApiResult<Response> {
    http::json(
        200,
        &json!({
            "job_id": job.job_id,
            "status_id": job.status_id,
            "annotation_number": job.annotation_number,
            "sha256": job.pdf_sha256,
        }),
    )
}

/// `PUT /v1/signer/jobs/{job_id}/pdf`.
pub async fn upload(req: &mut Request, ctx: &Ctx, job_id: &str) -> ApiResult<Response> {
    let principal = ctx.authorize(req, Right::Sign)?;
    upload::require_pdf(req)?;
    let (store, job) = find_job(ctx, job_id).await?;
    let pdf = http::read_body(req, config::max_verify_bytes(&ctx.env)).await?;
    let sha = crate::crypto::sha256_hex(&pdf);
    match job.state.as_str() {
        "done" if job.pdf_sha256.as_deref() == Some(sha.as_str()) => return done_answer(&job),
        "done" => return Err(already_done()),
        "failed" => return Err(job_failed()),
        _ => {}
    }
    let cert = certificates::by_number(&store, &job.management_number)
        .await?
        .ok_or_else(|| ApiError::internal("upload", "the job's certificate is not registered"))?;
    let key = config::lookup_key(&ctx.env)?;
    let accepted = upload::verify(ctx, &pdf, &upload::registry_answer(&cert, ctx.now)).await?;
    upload::check_same_certificate(&accepted.record, &cert, &key)?;
    let Some(a) = accepted.record.annotation.as_ref() else {
        return Err(upload::rejected("NOT_ANNOTATED", "文件没有加注", "the file carries no annotation", None));
    };
    if a.scenario.zh() != job.scenario
        || a.valid_from.to_string() != job.valid_from
        || a.valid_until.to_string() != job.valid_until
    {
        return Err(upload::rejected(
            "WINDOW_MISMATCH",
            &format!("加注（{}，{} 至 {}）与任务不符", a.scenario.zh(), a.valid_from, a.valid_until),
            &format!("the annotation ({}, {} to {}) is not the job's", a.scenario.zh(), a.valid_from, a.valid_until),
            None,
        ));
    }
    // A 加注编号 registered with another copy, or done by another job, is not this one.
    let registered = copies::of_certificates(&store, &[job.management_number.as_str()]).await?;
    let new_copy = upload::check_annotation_number(&registered, &a.number, &accepted)?;

    // 1. The file, under the job's key.
    let bucket = config::certs_bucket(&ctx.env)?;
    bucket.put(jobs::pdf_key(&job.job_id, &sha), pdf).execute().await.map_err(|e| ApiError::internal("r2 put", e))?;

    // 2. The copy and the job, one transaction per home shard (the authoritative one first).
    let slot = store.slot_of(&job.management_number);
    for (i, shard) in store.map.write_at(slot).into_iter().enumerate() {
        let db = store.shard(shard)?;
        let mut stmts = jobs::ensure_certificate(&db, &cert, slot, i == 0)?;
        if i > 0 {
            // During a move: the job as read, into its new home first (so the change below lands there).
            stmts.push(jobs::insert_row(&db, &job, slot)?);
        }
        stmts.push(copies::insert(&db, &accepted.status_id, &job.management_number, Some(&a.number), ctx.now, true)?);
        stmts.push(jobs::complete(&db, &job.job_id, ctx.now, &a.number, &accepted.status_id, &sha)?);
        if let Err(e) = db.0.batch(stmts).await {
            // Nothing stays stored for an upload that did not complete (the job is still pending): the object goes
            // (best effort; a retry overwrites it anyway, and it is served only once the job is done).
            if i == 0 {
                let _ = bucket.delete(jobs::pdf_key(&job.job_id, &sha)).await;
            }
            let text = e.to_string();
            return Err(if crate::storage::is_unique_violation(&text) {
                upload::rejected(
                    "ANNOTATION_NUMBER_TAKEN",
                    "该加注编号已由其他任务完成",
                    "another job is done with this annotation number",
                    None,
                )
            } else {
                ApiError::internal("complete job", text)
            });
        }
    }
    let done = jobs::find(&store, &job.job_id).await?.ok_or_else(job_not_found)?;
    if done.state != "done" || done.pdf_sha256.as_deref() != Some(sha.as_str()) {
        // A concurrent upload of another file finished first.
        return Err(already_done());
    }

    // 3. Buckets and audit.
    let mut statements = Vec::with_capacity(2);
    if new_copy && let Some(bump) = copies::bump(&store.control, std::slice::from_ref(&accepted.status_id_hex))? {
        statements.push(bump);
    }
    statements.push(audit::append(
        &store.control,
        &AuditEntry {
            at: ctx.now,
            actor: principal.name,
            request_id: &ctx.request_id,
            action: "annotation_done",
            target: &job.management_number,
            detail: json!({ "job_id": job.job_id, "annotation_number": a.number, "status_id": accepted.status_id_hex,
                            "sha256": sha, "attempt": job.attempts }),
        },
    )?);
    store.control.batch(statements).await?;
    done_answer(&done)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FailRequest {
    reason: String,
}

/// `POST /v1/signer/jobs/{job_id}/fail`: the issuing side refuses the job (e.g. its own ledger disagrees).
pub async fn fail(req: &mut Request, ctx: &Ctx, job_id: &str) -> ApiResult<Response> {
    let principal = ctx.authorize(req, Right::Sign)?;
    let body: FailRequest = http::read_json(req).await?;
    let reason = body.reason.trim();
    if reason.is_empty() || reason.chars().count() > 500 {
        return Err(ApiError::invalid_field("reason", "应为1至500个字符", "must be 1 to 500 characters"));
    }
    let (store, job) = find_job(ctx, job_id).await?;
    match job.state.as_str() {
        "done" => return Err(already_done()),
        "failed" => {}
        _ => {
            if !jobs::fail(&store, &job, reason, ctx.now).await? {
                let again = jobs::find(&store, job_id).await?.ok_or_else(job_not_found)?;
                if again.state == "done" {
                    return Err(already_done());
                }
            }
            store
                .control
                .batch(vec![audit::append(
                    &store.control,
                    &AuditEntry {
                        at: ctx.now,
                        actor: principal.name,
                        request_id: &ctx.request_id,
                        action: "annotation_failed",
                        target: &job.management_number,
                        detail: json!({ "job_id": job.job_id, "reason": reason }),
                    },
                )?])
                .await?;
        }
    }
    http::json(200, &json!({ "job_id": job.job_id, "state": "failed" }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn job_ids() {
        assert!(valid_job_id("0123456789abcdef0123456789abcdef"));
        assert!(!valid_job_id("0123456789ABCDEF0123456789abcdef"));
        assert!(!valid_job_id("0123456789abcdef"));
        assert!(!valid_job_id("../../etc/passwd"));
    }
}
