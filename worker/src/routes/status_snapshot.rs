//! `GET /v1/status/snapshot` and `GET /v1/status/delta`: the current signed status snapshot and the delta on top of
//! it (docs/edge.md, "Status snapshots"), exactly the bytes the publisher uploaded, with a strong ETag. After
//! fetching them a verifier needs no request about any single certificate to learn revocation.
//!
//! Which file is current comes through the shared cache ([`crate::edge_cache`]): at most `STATUS_MAX_STALE`
//! seconds after the D1 read behind it started, else one indexed D1 read. The bytes come from the isolate's memory,
//! else from the shared cache (by ETag: a file never changes under its ETag), else from R2 — checked against the
//! stored SHA-256 whenever they come from outside the isolate. `If-None-Match` reads no bytes at all.

use std::cell::RefCell;
use std::rc::Rc;

use serde::{Deserialize, Serialize};
use worker::{Request, Response};

use ecert_format::status_snapshot::STATUS_SNAPSHOT_MEDIA_TYPE;

use super::Ctx;
use crate::config;
use crate::crypto::sha256_hex;
use crate::edge_cache::{self, Source};
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

/// What the route needs of a current file (what the shared cache holds).
#[derive(Clone, Debug, Serialize, Deserialize)]
struct Served {
    sequence: i64,
    base_sequence: i64,
    issued_at: i64,
    sha256: String,
    etag: String,
    object_key: String,
}

impl From<Publication> for Served {
    fn from(p: Publication) -> Served {
        Served {
            sequence: p.sequence,
            base_sequence: p.base_sequence,
            issued_at: p.issued_at,
            sha256: p.sha256,
            etag: p.etag,
            object_key: p.object_key,
        }
    }
}

/// The current snapshot and delta (what the shared cache holds under [`edge_cache::KEY_STATUS_CURRENT`]).
#[derive(Clone, Debug, Serialize, Deserialize)]
struct CurrentFiles {
    snapshot: Option<Served>,
    delta: Option<Served>,
}

pub async fn get(req: &Request, ctx: &Ctx, which: Which) -> ApiResult<Response> {
    let bound = config::status_max_stale(&ctx.env);
    let (current, source) = edge_cache::current(ctx, edge_cache::KEY_STATUS_CURRENT, bound, async {
        let c = status_publications::current(&ctx.db).await?;
        Ok(CurrentFiles { snapshot: c.snapshot.map(Served::from), delta: c.delta.map(Served::from) })
    })
    .await?;
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
        let bytes = file_by(ctx, &publication.etag, &publication.sha256, &publication.object_key).await?;
        http::bytes(200, STATUS_SNAPSHOT_MEDIA_TYPE, bytes.as_ref().clone())?
    };
    http::set_header(&mut r, "etag", &publication.etag);
    http::set_header(&mut r, "cache-control", CACHE_CONTROL);
    http::set_header(&mut r, "x-ecert-status-sequence", &publication.sequence.to_string());
    http::set_header(&mut r, "x-ecert-status-base-sequence", &publication.base_sequence.to_string());
    http::set_header(&mut r, "x-ecert-status-issued-at", &publication.issued_at.to_string());
    http::set_header(&mut r, "x-ecert-edge-cache", Source::header(source));
    Ok(r)
}

/// The file's bytes: from the isolate's memory, else from the shared cache, else from R2 (checked against the stored
/// digest whenever they come from outside the isolate).
pub(crate) async fn file(ctx: &Ctx, p: &Publication) -> ApiResult<Rc<Vec<u8>>> {
    file_by(ctx, &p.etag, &p.sha256, &p.object_key).await
}

async fn file_by(ctx: &Ctx, etag: &str, sha256: &str, object_key: &str) -> ApiResult<Rc<Vec<u8>>> {
    if let Some(hit) = FILES.with(|f| f.borrow().iter().find(|(e, _)| e == etag).map(|(_, b)| b.clone())) {
        return Ok(hit);
    }
    let key = edge_cache::file_key(etag);
    let shared = edge_cache::get(&key).await.map(|e| e.body).filter(|b| sha256_hex(b) == sha256);
    let bytes = match shared {
        Some(b) => Rc::new(b),
        None => {
            let b = read_r2(ctx, object_key).await?;
            if sha256_hex(&b) != sha256 {
                return Err(ApiError::internal("status file", format!("{object_key} does not match its digest")));
            }
            edge_cache::put(ctx, key, b.clone(), edge_cache::now_ms(), edge_cache::FILE_MAX_AGE);
            Rc::new(b)
        }
    };
    FILES.with(|f| {
        let mut f = f.borrow_mut();
        f.retain(|(e, _)| e != etag);
        if f.len() >= KEEP {
            f.remove(0);
        }
        f.push((etag.to_owned(), bytes.clone()));
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
