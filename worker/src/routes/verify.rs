//! `POST /v1/verify`: a PDF in, the verdict of the core (`ecert-verify`, the same code the widget runs) out. The
//! status rests on both sources the edge holds: the current signed status snapshot (+ delta) from R2, verified
//! under the current trust list exactly as a browser would (its signed time is the floor of the time of check),
//! and the exact registry — the copy's status id (the digest of the sealed record) looked up in
//! `certificate_copies`, so a record that was never issued, even under a real 管理号, is `NOT_REGISTERED`. The
//! verdict is the answer whatever it says (200); errors are only about the request (413, 415, 429) or the edge
//! (503 without a usable trust list).

use std::cell::RefCell;
use std::rc::Rc;

use worker::{Request, Response};

use ecert_format::{StatusInput, parse_status_id};
use ecert_verify::{Budget, StatusEvidence, VerifiedStatus, VerifiedTrustList, VerifyOptions, verify_with};

use super::{Ctx, status_snapshot};
use crate::config;
use crate::error::worker_log;
use crate::error::{ApiError, ApiResult};
use crate::http;
use crate::rate_limit::{self, Limiter};
use crate::storage::{copies, trust_lists};

/// The verified status files of this isolate: (trust-list ETag, snapshot ETag, delta ETag) → verified.
type StatusKey = (String, String, Option<String>);

thread_local! {
    /// The verified current trust list of this isolate, keyed by its ETag: re-verified only when it changes.
    static TRUST: RefCell<Option<(String, Rc<VerifiedTrustList>)>> = const { RefCell::new(None) };
    /// The verified current snapshot (+ delta), re-verified only when one of them or the trust list changes.
    static STATUS: RefCell<Option<(StatusKey, Option<Rc<VerifiedStatus>>)>> = const { RefCell::new(None) };
}

/// The current published trust list, verified under the pinned root (cached per isolate by its ETag), with its ETag.
pub(crate) async fn trust_list(ctx: &Ctx) -> ApiResult<(String, Rc<VerifiedTrustList>)> {
    let stored = trust_lists::current(&ctx.db).await?.ok_or_else(ApiError::trust_list_unavailable)?;
    if let Some(hit) =
        TRUST.with(|t| t.borrow().as_ref().filter(|(etag, _)| *etag == stored.etag).map(|(_, v)| v.clone()))
    {
        return Ok((stored.etag, hit));
    }
    let root = config::root_spki(&ctx.env)?;
    let verified = VerifiedTrustList::from_signed_json(stored.envelope.as_bytes(), &root, 0).map_err(|e| {
        ApiError::internal("stored trust list refused by the core", e.code()).with("trust_list_error", e.code())
    })?;
    let verified = Rc::new(verified);
    TRUST.with(|t| *t.borrow_mut() = Some((stored.etag.clone(), verified.clone())));
    Ok((stored.etag, verified))
}

/// The current snapshot (+ delta) verified under `trust`; `None` when none is published or it does not verify
/// (then the registry alone answers, and the edge logs why). The outcome is kept per isolate until the trust list,
/// the snapshot or the delta changes, a refusal too.
pub(crate) async fn snapshot(ctx: &Ctx, trust_etag: &str, trust: &VerifiedTrustList) -> Option<Rc<VerifiedStatus>> {
    let ((snapshot_etag, snapshot), delta) = match status_snapshot::current_files(ctx).await {
        Ok(Some(files)) => files,
        Ok(None) => return None,
        Err(e) => {
            worker_log(&format!("status snapshot unavailable for /v1/verify: {}", e.code));
            return None;
        }
    };
    let key: StatusKey = (trust_etag.to_owned(), snapshot_etag, delta.as_ref().map(|(etag, _)| etag.clone()));
    if let Some(hit) = STATUS.with(|s| s.borrow().as_ref().filter(|(k, _)| *k == key).map(|(_, v)| v.clone())) {
        return hit;
    }
    let verified = match VerifiedStatus::new(trust, &snapshot, delta.as_ref().map(|(_, d)| d.as_slice()), 0) {
        Ok(v) => Some(Rc::new(v)),
        Err(e) => {
            worker_log(&format!(
                "the current status snapshot does not verify under the current trust list: {}",
                e.code()
            ));
            None
        }
    };
    STATUS.with(|s| *s.borrow_mut() = Some((key, verified.clone())));
    verified
}

/// What the registry says about the copy with this status id (hex): its certificate's state, or never issued.
async fn status_of(ctx: &Ctx, status_id: &str) -> StatusInput {
    let Some(id) = parse_status_id(status_id) else {
        return StatusInput::Unavailable { reason: "bad status id".into() };
    };
    let store = match ctx.store().await {
        Ok(s) => s,
        Err(e) => return StatusInput::Unavailable { reason: e.code.to_owned() },
    };
    match copies::find(&store, &id).await {
        Ok(Some(copy)) => StatusInput::Known { status: copy.status(), as_of: ctx.now },
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
    rate_limit::check(&ctx.env, Limiter::VerifyClient, ctx.client(req)).await?;
    let pdf = http::read_body(req, limit).await?;
    let (trust_etag, trust) = trust_list(ctx).await?;
    let snapshot = snapshot(ctx, &trust_etag, &trust).await;

    let options =
        VerifyOptions { budget: Budget { max_file_size: limit, ..Budget::default() }, ..VerifyOptions::default() };
    // The copy's status id comes out of the verification (the digest of the record it seals); the registry is then
    // asked for exactly that copy and the verdict made with both sources. Two passes over the file: the core has no
    // way to re-evaluate a verdict's status alone.
    let evidence = StatusEvidence { snapshot: snapshot.as_deref(), registry: &StatusInput::NotChecked };
    let mut verdict = verify_with(&pdf, &trust, ctx.now, &evidence, &options);
    if let Some(id) = verdict.status_id.clone() {
        let registry = status_of(ctx, &id).await;
        verdict = verify_with(
            &pdf,
            &trust,
            ctx.now,
            &StatusEvidence { snapshot: snapshot.as_deref(), registry: &registry },
            &options,
        );
    }
    let mut r = http::bytes(200, "application/json; charset=utf-8", verdict.to_json().into_bytes())?;
    http::set_header(&mut r, "cache-control", "no-store");
    Ok(r)
}
