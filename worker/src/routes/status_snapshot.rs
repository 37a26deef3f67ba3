//! `GET /v1/status/snapshot` and `GET /v1/status/delta`: the current signed status snapshot and the delta on top of
//! it (docs/edge.md, "Status snapshots"), exactly the bytes the publisher uploaded, with a strong ETag. After
//! fetching them a verifier needs no request about any single certificate to learn revocation.
//!
//! Which file is current is one indexed D1 read per request; the bytes come from R2 and are kept in the isolate by
//! ETag (a file never changes under its ETag), so a repeated request costs no R2 read, and `If-None-Match` no R2
//! read at all.

use std::cell::RefCell;
use std::rc::Rc;

use worker::{Request, Response};

use ecert_format::status_snapshot::STATUS_SNAPSHOT_MEDIA_TYPE;

use super::Ctx;
use crate::config;
use crate::crypto::sha256_hex;
use crate::error::{ApiError, ApiResult};
use crate::http;
use crate::storage::status_publications::{self, Publication};
use crate::trust::if_none_match_matches;

/// Browsers and caches may reuse a file for a minute, then revalidate (a 304 costs one D1 read). A revocation
/// reaches verifiers within the publisher's interval plus this.
pub const CACHE_CONTROL: &str = "public, max-age=60";
/// Files kept per isolate (the current snapshot and delta, and the ones just replaced).
const KEEP: usize = 4;

thread_local! {
    static FILES: RefCell<Vec<(String, Rc<Vec<u8>>)>> = const { RefCell::new(Vec::new()) };
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Which {
    Snapshot,
    Delta,
}

pub async fn get(req: &Request, ctx: &Ctx, which: Which) -> ApiResult<Response> {
    let current = status_publications::current(&ctx.db).await?;
    let publication = match which {
        Which::Snapshot => current.snapshot.ok_or_else(|| {
            ApiError::new(404, "NO_STATUS_SNAPSHOT", "尚未发布状态快照", "no status snapshot has been published")
        })?,
        Which::Delta => current.delta.ok_or_else(|| {
            ApiError::new(404, "NO_STATUS_DELTA", "当前状态快照没有增量", "the current status snapshot has no delta")
        })?,
    };
    let inm = req.headers().get("if-none-match").ok().flatten();
    let mut r = if inm.is_some_and(|h| if_none_match_matches(&h, &publication.etag)) {
        http::empty(304)?
    } else {
        let bytes = file(ctx, &publication).await?;
        http::bytes(200, STATUS_SNAPSHOT_MEDIA_TYPE, bytes.as_ref().clone())?
    };
    http::set_header(&mut r, "etag", &publication.etag);
    http::set_header(&mut r, "cache-control", CACHE_CONTROL);
    http::set_header(&mut r, "x-ecert-status-sequence", &publication.sequence.to_string());
    http::set_header(&mut r, "x-ecert-status-base-sequence", &publication.base_sequence.to_string());
    http::set_header(&mut r, "x-ecert-status-issued-at", &publication.issued_at.to_string());
    Ok(r)
}

/// The file's bytes: from the isolate's memory, else from R2 (checked against the stored digest once).
pub(crate) async fn file(ctx: &Ctx, p: &Publication) -> ApiResult<Rc<Vec<u8>>> {
    if let Some(hit) = FILES.with(|f| f.borrow().iter().find(|(etag, _)| *etag == p.etag).map(|(_, b)| b.clone())) {
        return Ok(hit);
    }
    let bytes = Rc::new(read_r2(ctx, &p.object_key).await?);
    if sha256_hex(&bytes) != p.sha256 {
        return Err(ApiError::internal("status file", format!("{} does not match its digest", p.object_key)));
    }
    FILES.with(|f| {
        let mut f = f.borrow_mut();
        f.retain(|(etag, _)| *etag != p.etag);
        if f.len() >= KEEP {
            f.remove(0);
        }
        f.push((p.etag.clone(), bytes.clone()));
    });
    Ok(bytes)
}

async fn read_r2(ctx: &Ctx, key: &str) -> ApiResult<Vec<u8>> {
    let bucket = ctx
        .env
        .bucket(config::STATUS_BUCKET_BINDING)
        .map_err(|e| ApiError::misconfigured(&format!("R2 binding {}: {e}", config::STATUS_BUCKET_BINDING)))?;
    let object = bucket
        .get(key)
        .execute()
        .await
        .map_err(|e| ApiError::internal("r2 get", e))?
        .ok_or_else(|| ApiError::internal("r2 get", format!("{key} missing")))?;
    let body = object.body().ok_or_else(|| ApiError::internal("r2 get", format!("{key} has no body")))?;
    body.bytes().await.map_err(|e| ApiError::internal("r2 body", e))
}

/// A current file for `POST /v1/verify`: its ETag (which names the bytes) and the bytes.
pub type CurrentFile = (String, Rc<Vec<u8>>);

/// The current snapshot and delta, for `POST /v1/verify`: `None` when no snapshot is published.
pub async fn current_files(ctx: &Ctx) -> ApiResult<Option<(CurrentFile, Option<CurrentFile>)>> {
    let current = status_publications::current(&ctx.db).await?;
    let Some(snapshot) = current.snapshot else {
        return Ok(None);
    };
    let snapshot = (snapshot.etag.clone(), file(ctx, &snapshot).await?);
    let delta = match current.delta {
        Some(d) => Some((d.etag.clone(), file(ctx, &d).await?)),
        None => None,
    };
    Ok(Some((snapshot, delta)))
}
