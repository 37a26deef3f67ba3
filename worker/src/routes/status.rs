//! `GET /v1/status/{prefix}`: the k-anonymity status bucket, the optional online registry check. The client sends
//! only the first 4 hex characters of its copy's status id (the digest of the exact sealed record) and picks its
//! own entry out of the answer — every registered copy in that bucket — so the edge never learns which copy is
//! being checked, and a copy absent from its bucket was never issued (docs/edge.md).
//!
//! Answers are cached per isolate with bounded staleness (`status_cache`): an answer is served only while the
//! D1 read (or cache validation) it reflects started less than `STATUS_MAX_STALE` seconds ago (default 5), its
//! `as_of` is that start, and `Cache-Control: max-age` lets HTTP caches keep it only for what is left of the
//! bound. So a revocation acknowledged at `t` is in every status answer from `t + STATUS_MAX_STALE` on. The
//! cache is kept fresh by one background validation per half bound (which buckets changed since the cache's
//! reads), not by reading every bucket again.

use std::cell::RefCell;

use worker::{Request, Response};

use ecert_format::status::{STATUS_BUCKET_SCHEMA, is_status_prefix};
use ecert_format::{StatusBucket, StatusEntry};

use super::Ctx;
use crate::config;
use crate::error::{ApiError, ApiResult};
use crate::http;
use crate::status_cache::{Cached, DEFAULT_CAPACITY, Decision, Fresh, StatusCache, VALIDATION_LIMIT};
use crate::storage::shards::Store;
use crate::storage::{Db, copies};
use crate::trust::if_none_match_matches;

thread_local! {
    static CACHE: RefCell<StatusCache> = RefCell::new(StatusCache::new(DEFAULT_CAPACITY));
}

fn now_ms() -> i64 {
    i64::try_from(worker::Date::now().as_millis()).unwrap_or(0)
}

pub async fn get(req: &Request, prefix: &str, ctx: &Ctx) -> ApiResult<Response> {
    if !is_status_prefix(prefix) {
        return Err(ApiError::new(
            400,
            "INVALID_PREFIX",
            "前缀应为4位小写十六进制字符",
            "the prefix must be exactly 4 lowercase hexadecimal characters",
        ));
    }
    let max_stale_ms = i64::from(config::status_max_stale(&ctx.env)) * 1000;
    let decision = CACHE.with(|c| c.borrow_mut().decide(prefix, now_ms(), max_stale_ms));
    let answer = match decision {
        Decision::Serve(a) => a,
        Decision::ServeAndValidate { answer, after } => {
            let env = ctx.env.clone();
            ctx.event.wait_until(async move {
                let started_ms = now_ms();
                // The change numbers live in the control database (docs/edge.md, "Shards").
                let changed = match env.d1(config::DB_BINDING) {
                    Ok(db) => copies::buckets_changed_after(&Db(db), after, VALIDATION_LIMIT).await.ok(),
                    Err(_) => None,
                };
                CACHE.with(|c| {
                    let mut c = c.borrow_mut();
                    match changed {
                        Some(changed) => c.validated(started_ms, after, &changed),
                        None => c.validation_failed(),
                    }
                });
            });
            answer
        }
        Decision::Read => {
            let fresh = read(&ctx.store().await?, prefix).await?;
            CACHE
                .with(|c| c.borrow_mut().store(prefix, fresh, now_ms(), max_stale_ms))
                .map_err(|e| ApiError::internal("serialise status bucket", e))?
        }
    };
    respond(req, answer, max_stale_ms)
}

/// Read the bucket from every shard (its change number from the control database first); `as_of` will be when the
/// read started.
async fn read(store: &Store, prefix: &str) -> ApiResult<Fresh> {
    let read_started_ms = now_ms();
    let read = copies::bucket(store, prefix).await?;
    let entries = read.rows.into_iter().map(|r| StatusEntry { id: r.status_id, status: r.status }).collect();
    let bucket = StatusBucket {
        schema: STATUS_BUCKET_SCHEMA.to_owned(),
        prefix: prefix.to_owned(),
        as_of: read_started_ms.div_euclid(1000),
        entries,
    };
    Ok(Fresh { bucket, read_started_ms, seq: read.seq })
}

fn respond(req: &Request, answer: Cached, max_stale_ms: i64) -> ApiResult<Response> {
    let cache_control = if max_stale_ms > 0 {
        // Shared and private caches may keep it only for what is left of the bound.
        format!("public, max-age={}", answer.max_age_seconds(now_ms(), max_stale_ms))
    } else {
        "no-store".to_owned()
    };
    let inm = req.headers().get("if-none-match").ok().flatten();
    let mut r = if inm.is_some_and(|h| if_none_match_matches(&h, &answer.etag)) {
        http::empty(304)?
    } else {
        http::bytes(200, "application/json; charset=utf-8", answer.body)?
    };
    http::set_header(&mut r, "etag", &answer.etag);
    http::set_header(&mut r, "cache-control", &cache_control);
    Ok(r)
}
