//! `GET /v1/trust-list`: the current signed trust list, exactly the bytes published, with caching headers.
//!
//! Which list is current (and its bytes) comes through the shared cache ([`crate::edge_cache`]): at most
//! `STATUS_MAX_STALE` seconds after the D1 read behind it started, else from D1.

use serde::{Deserialize, Serialize};
use worker::{Request, Response};

use super::Ctx;
use crate::config;
use crate::edge_cache::{self, Source};
use crate::error::{ApiError, ApiResult};
use crate::http;
use crate::storage::trust_lists;
use crate::trust::if_none_match_matches;

/// Browsers and caches may reuse the list for 5 minutes, then revalidate with `If-None-Match`.
const CACHE_CONTROL: &str = "public, max-age=300, must-revalidate";

/// What the route needs of the current list (what the shared cache holds).
#[derive(Clone, Debug, Serialize, Deserialize)]
struct Current {
    sequence: i64,
    envelope: String,
    etag: String,
}

pub async fn get(req: &Request, ctx: &Ctx) -> ApiResult<Response> {
    let bound = config::status_max_stale(&ctx.env);
    let (current, source) = edge_cache::current(ctx, edge_cache::KEY_TRUST_LIST, bound, async {
        Ok(trust_lists::current(&ctx.db).await?.map(|s| Current {
            sequence: s.sequence,
            envelope: s.envelope,
            etag: s.etag,
        }))
    })
    .await?;
    let stored = current.ok_or_else(ApiError::trust_list_unavailable)?;
    let inm = req.headers().get("if-none-match").ok().flatten();
    let mut r = if inm.is_some_and(|h| if_none_match_matches(&h, &stored.etag)) {
        http::empty(304)?
    } else {
        http::bytes(200, "application/json; charset=utf-8", stored.envelope.into_bytes())?
    };
    http::set_header(&mut r, "etag", &stored.etag);
    http::set_header(&mut r, "cache-control", CACHE_CONTROL);
    http::set_header(&mut r, "x-ecert-trust-list-sequence", &stored.sequence.to_string());
    http::set_header(&mut r, "x-ecert-edge-cache", Source::header(source));
    Ok(r)
}
