//! `GET /v1/trust-list`: the current signed trust list, exactly the bytes published, with caching headers.

use worker::{Request, Response};

use super::Ctx;
use crate::error::{ApiError, ApiResult};
use crate::http;
use crate::storage::trust_lists;
use crate::trust::if_none_match_matches;

/// Browsers and caches may reuse the list for 5 minutes, then revalidate with `If-None-Match`.
const CACHE_CONTROL: &str = "public, max-age=300, must-revalidate";

pub async fn get(req: &Request, ctx: &Ctx) -> ApiResult<Response> {
    let stored = trust_lists::current(&ctx.db).await?.ok_or_else(ApiError::trust_list_unavailable)?;
    let inm = req.headers().get("if-none-match").ok().flatten();
    let mut r = if inm.is_some_and(|h| if_none_match_matches(&h, &stored.etag)) {
        http::empty(304)?
    } else {
        http::bytes(200, "application/json; charset=utf-8", stored.envelope.into_bytes())?
    };
    http::set_header(&mut r, "etag", &stored.etag);
    http::set_header(&mut r, "cache-control", CACHE_CONTROL);
    http::set_header(&mut r, "x-ecert-trust-list-sequence", &stored.sequence.to_string());
    Ok(r)
}
