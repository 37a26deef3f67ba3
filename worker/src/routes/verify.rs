//! `POST /v1/verify`: a PDF in, the verdict of the core (`ecert-verify`, the same code the widget runs) out,
//! with the status filled from D1. The verdict is the answer whatever it says (200); errors are only about the
//! request (413, 415, 429) or the edge (503 without a usable trust list).

use std::cell::RefCell;
use std::rc::Rc;

use worker::{Request, Response};

use ecert_format::{CertificateStatus, StatusInput};
use ecert_verify::{Budget, VerifiedTrustList, VerifyOptions, apply_status, verify};

use super::Ctx;
use crate::config::{self, DEFAULT_VERIFY_LIMIT};
use crate::error::{ApiError, ApiResult};
use crate::http;
use crate::rate_limit;
use crate::storage::certificates::{self, Key};
use crate::storage::trust_lists;

thread_local! {
    /// The verified current trust list of this isolate, keyed by its ETag: re-verified only when it changes.
    static TRUST: RefCell<Option<(String, Rc<VerifiedTrustList>)>> = const { RefCell::new(None) };
}

async fn trust_list(ctx: &Ctx) -> ApiResult<Rc<VerifiedTrustList>> {
    let stored = trust_lists::current(&ctx.db).await?.ok_or_else(ApiError::trust_list_unavailable)?;
    if let Some(hit) =
        TRUST.with(|t| t.borrow().as_ref().filter(|(etag, _)| *etag == stored.etag).map(|(_, v)| v.clone()))
    {
        return Ok(hit);
    }
    let root = config::root_spki(&ctx.env)?;
    let verified = VerifiedTrustList::from_signed_json(stored.envelope.as_bytes(), &root, 0).map_err(|e| {
        ApiError::internal("stored trust list refused by the core", e.code()).with("trust_list_error", e.code())
    })?;
    let verified = Rc::new(verified);
    TRUST.with(|t| *t.borrow_mut() = Some((stored.etag, verified.clone())));
    Ok(verified)
}

/// What D1 says about the certificate with this status id.
async fn status_of(ctx: &Ctx, status_id: &str) -> StatusInput {
    match certificates::find(&ctx.db, Key::StatusId(status_id)).await {
        Ok(Some(row)) => StatusInput::Known {
            status: match (row.revoked_at, row.revocation_reason) {
                (Some(revoked_at), Some(reason)) => CertificateStatus::Revoked { revoked_at, reason },
                _ => CertificateStatus::Valid,
            },
            as_of: ctx.now,
        },
        Ok(None) => StatusInput::NotRegistered { as_of: ctx.now },
        Err(e) => StatusInput::Unavailable { reason: e.code.to_owned() },
    }
}

pub async fn post(req: &mut Request, ctx: &Ctx) -> ApiResult<Response> {
    let limit = config::max_verify_bytes(&ctx.env);
    match http::content_type(req).as_deref() {
        Some("application/pdf") | Some("application/octet-stream") => {}
        _ => return Err(ApiError::unsupported_media_type("application/pdf")),
    }
    let key = config::lookup_key(&ctx.env)?;
    let spec = config::rate_limit(&ctx.env, "VERIFY_RATE_LIMIT", DEFAULT_VERIFY_LIMIT);
    rate_limit::check(&ctx.db, "verify", &ctx.client(req), &key, spec, ctx.now).await?;
    let pdf = http::read_body(req, limit).await?;
    let trust = trust_list(ctx).await?;

    let options =
        VerifyOptions { budget: Budget { max_file_size: limit, ..Budget::default() }, ..VerifyOptions::default() };
    let mut verdict = verify(&pdf, &trust, ctx.now, &StatusInput::NotChecked, &options);
    if let Some(id) = verdict.status_id.clone() {
        let status = status_of(ctx, &id).await;
        apply_status(&mut verdict, &status);
    }
    let mut r = http::bytes(200, "application/json; charset=utf-8", verdict.to_json().into_bytes())?;
    http::set_header(&mut r, "cache-control", "no-store");
    Ok(r)
}
