//! Seeding real history (docs/holder.md "Admin additions"): `PUT /v1/admin/certificates/{管理号}/pdf` stores the base
//! PDF of a certificate that needs no 加注; `POST /v1/admin/annotations?applied_on=YYYY-MM-DD` imports an annotated
//! copy sealed earlier on the issuing side as a done job (its copy registered if it is not yet). Both verify the file
//! like an upload (`crate::upload`) and check it is the registered certificate; both are idempotent.

use serde_json::json;
use sha2::{Digest as _, Sha256};
use worker::{Request, Response};

use ecert_format::Date;

use super::super::Ctx;
use crate::auth::Right;
use crate::config;
use crate::error::{ApiError, ApiResult};
use crate::http;
use crate::storage::audit::{self, AuditEntry};
use crate::storage::certificates;
use crate::storage::copies;
use crate::storage::jobs::{self, NewJob};
use crate::upload;

fn annotation_required() -> ApiError {
    ApiError::new(
        409,
        "ANNOTATION_REQUIRED",
        "该证书须加注后使用，不提供基础证书下载",
        "this certificate needs an annotation; its base file is not offered for download",
    )
}

fn not_registered() -> ApiError {
    ApiError::new(404, "NOT_FOUND", "该管理号未登记", "no certificate is registered under this management number")
}

/// `PUT /v1/admin/certificates/{管理号}/pdf`.
pub async fn put_base_pdf(req: &mut Request, ctx: &Ctx, management_number: &str) -> ApiResult<Response> {
    let principal = ctx.authorize(req, Right::RegisterCertificates)?;
    upload::require_pdf(req)?;
    let store = ctx.store().await?;
    if !ecert_format::record::valid_number(management_number) {
        return Err(not_registered());
    }
    let cert = certificates::by_number(&store, management_number).await?.ok_or_else(not_registered)?;
    // Only a certificate that needs no 加注 (decided as for the holder's view: the trust list's rule).
    let (_, trust) = crate::routes::verify::trust_list(ctx).await?;
    if crate::routes::holder::annotation_required(&trust, &cert)? {
        return Err(annotation_required());
    }
    let pdf = http::read_body(req, config::max_verify_bytes(&ctx.env)).await?;
    let key = config::lookup_key(&ctx.env)?;
    let accepted = upload::verify(ctx, &pdf, &upload::registry_answer(&cert, ctx.now)).await?;
    upload::check_same_certificate(&accepted.record, &cert, &key)?;
    if accepted.record.annotation.is_some() {
        return Err(upload::rejected(
            "ANNOTATED",
            "这是加注件，不是基础证书",
            "this is an annotated copy, not the base certificate",
            None,
        ));
    }
    // Its base file verifies VALID without a 加注.
    if accepted.verdict != ecert_verify::VerdictCode::Valid {
        return Err(annotation_required());
    }
    let registered = copies::of_certificates(&store, &[management_number]).await?;
    if !registered.iter().any(|c| c.annotation_number.is_none() && c.status_id == accepted.status_id_hex) {
        return Err(upload::rejected(
            "NOT_THE_BASE_COPY",
            "文件不是登记的基础件",
            "the file is not the registered base copy",
            None,
        ));
    }
    let existing = jobs::base_file(&store, management_number).await?;
    if existing.as_ref().is_some_and(|f| f.pdf_sha256 == accepted.sha256) {
        return http::json(
            200,
            &json!({ "management_number": management_number, "status_id": accepted.status_id_hex, "sha256": accepted.sha256, "created": false }),
        );
    }
    config::certs_bucket(&ctx.env)?
        .put(jobs::base_pdf_key(management_number), pdf)
        .execute()
        .await
        .map_err(|e| ApiError::internal("r2 put", e))?;
    jobs::put_base_file(&store, &cert, &accepted.status_id, &accepted.sha256, ctx.now).await?;
    store
        .control
        .batch(vec![audit::append(
            &store.control,
            &AuditEntry {
                at: ctx.now,
                actor: principal.name,
                request_id: &ctx.request_id,
                action: "base_pdf",
                target: management_number,
                detail: json!({ "status_id": accepted.status_id_hex, "sha256": accepted.sha256 }),
            },
        )?])
        .await?;
    http::json(
        201,
        &json!({ "management_number": management_number, "status_id": accepted.status_id_hex, "sha256": accepted.sha256, "created": true }),
    )
}

/// The id of an imported job: derived from the copy's status id, so importing the same copy twice is one job.
fn import_job_id(status_id: &[u8; 32]) -> String {
    let mut h = Sha256::new();
    h.update(b"ecert.import-job/1\0");
    h.update(status_id);
    ecert_format::trust_list::hex(&h.finalize()).chars().take(32).collect()
}

/// `POST /v1/admin/annotations?applied_on=YYYY-MM-DD`.
pub async fn import_annotation(req: &mut Request, ctx: &Ctx) -> ApiResult<Response> {
    let principal = ctx.authorize(req, Right::RegisterCertificates)?;
    upload::require_pdf(req)?;
    let url = req.url()?;
    let applied_on = url
        .query_pairs()
        .find(|(k, _)| k == "applied_on")
        .and_then(|(_, v)| v.parse::<Date>().ok())
        .ok_or_else(|| ApiError::invalid_field("applied_on", "应为YYYY-MM-DD日期", "must be a YYYY-MM-DD date"))?;
    let pdf = http::read_body(req, config::max_verify_bytes(&ctx.env)).await?;
    let store = ctx.store().await?;
    let key = config::lookup_key(&ctx.env)?;
    // The record names its certificate; read it first (verification under that certificate's registry answer).
    let probe = upload::verify(ctx, &pdf, &ecert_format::StatusInput::NotChecked).await?;
    let m = probe.record.management_number.clone();
    let cert = certificates::by_number(&store, &m).await?.ok_or_else(not_registered)?;
    let accepted = upload::verify(ctx, &pdf, &upload::registry_answer(&cert, ctx.now)).await?;
    upload::check_same_certificate(&accepted.record, &cert, &key)?;
    let sha = accepted.sha256.clone();
    let Some(a) = accepted.record.annotation.clone() else {
        return Err(upload::rejected("NOT_ANNOTATED", "文件没有加注", "the file carries no annotation", None));
    };
    if applied_on > a.valid_from || applied_on.days_until(a.valid_from) > ecert_format::annotation::MAX_START_DELAY_DAYS
    {
        return Err(ApiError::invalid_field(
            "applied_on",
            "申请日应在加注有效期开始日之前90天内",
            "must be on or before the window's first day, by at most 90 days",
        ));
    }
    let job_id = import_job_id(&accepted.status_id);
    let existing = jobs::of_certificate(&store, &m).await?;
    if let Some(j) = existing.iter().find(|j| j.annotation_number.as_deref() == Some(a.number.as_str())) {
        if j.pdf_sha256.as_deref() == Some(sha.as_str()) {
            return http::json(
                200,
                &json!({ "job_id": j.job_id, "status_id": accepted.status_id_hex, "annotation_number": a.number, "sha256": sha, "created": false }),
            );
        }
        return Err(ApiError::new(
            409,
            "JOB_ALREADY_DONE",
            "该加注编号已有其他加注件",
            "this annotation number has another file",
        ));
    }
    let registered = copies::of_certificates(&store, &[m.as_str()]).await?;
    let new_copy = upload::check_annotation_number(&registered, &a.number, &accepted)?;
    config::certs_bucket(&ctx.env)?
        .put(jobs::pdf_key(&job_id, &sha), pdf)
        .execute()
        .await
        .map_err(|e| ApiError::internal("r2 put", e))?;
    let (applied, from, until) = (applied_on.to_string(), a.valid_from.to_string(), a.valid_until.to_string());
    let job = NewJob {
        job_id: &job_id,
        management_number: &m,
        scenario: a.scenario.zh(),
        applied_on: &applied,
        valid_from: &from,
        valid_until: &until,
        // Ordered among the holder's jobs by its application day (noon China time, never after now).
        created_at: (applied_on.china_start_unix() + 12 * 3600).min(ctx.now),
    };
    let slot = store.slot_of(&m);
    for (i, shard) in store.map.write_at(slot).into_iter().enumerate() {
        let db = store.shard(shard)?;
        let mut stmts = jobs::ensure_certificate(&db, &cert, slot, i == 0)?;
        stmts.push(copies::insert(&db, &accepted.status_id, &m, Some(&a.number), ctx.now, true)?);
        stmts.push(jobs::insert_done(&db, &job, slot, &a.number, &accepted.status_id, &sha, i > 0)?);
        db.batch(stmts).await?;
    }
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
            action: "annotation_import",
            target: &m,
            detail: json!({ "job_id": job_id, "annotation_number": a.number, "status_id": accepted.status_id_hex, "applied_on": applied }),
        },
    )?);
    store.control.batch(statements).await?;
    http::json(
        201,
        &json!({ "job_id": job_id, "status_id": accepted.status_id_hex, "annotation_number": a.number, "sha256": sha, "created": true }),
    )
}
