//! `GET /v1/scope`: the verification scope — the 31 qualifications, their issuers, and the seals of the
//! current trust list.
//!
//! The built answer comes through the shared cache ([`crate::edge_cache`]): at most `STATUS_MAX_STALE` seconds
//! after the D1 read behind it started; a miss reads the trust list, verifies it under the pinned root and builds.

use serde::{Deserialize, Serialize};
use worker::{Request, Response};

use ecert_format::{IssuerKind, Registry};

use super::Ctx;
use crate::config;
use crate::edge_cache::{self, Source};
use crate::error::{ApiError, ApiResult};
use crate::http;
use crate::trust::{self, etag_of, if_none_match_matches};

/// Browsers and caches may reuse the scope for 5 minutes.
const CACHE_CONTROL: &str = "public, max-age=300";

/// The built answer (what the shared cache holds): its JSON and the strong ETag of those bytes.
#[derive(Serialize, Deserialize)]
struct Built {
    json: String,
    etag: String,
}

#[derive(Serialize)]
struct Scope<'a> {
    schema: &'static str,
    /// The current trust list's sequence and times; `null` before one is published.
    trust_list: Option<TrustListInfo>,
    issuers: Vec<IssuerScope<'a>>,
    qualifications: Vec<QualificationScope<'a>>,
}

#[derive(Serialize)]
struct TrustListInfo {
    sequence: u64,
    issued_at: i64,
    next_update: i64,
}

#[derive(Serialize)]
struct IssuerScope<'a> {
    id: &'a str,
    kind: IssuerKind,
    name_zh: &'a str,
    name_en: &'a str,
    seal_name_zh: &'a str,
    qualifications: Vec<&'a str>,
    seals: Vec<SealScope>,
}

#[derive(Serialize)]
struct SealScope {
    key_id: String,
    use_from: i64,
    use_until: i64,
}

#[derive(Serialize)]
struct QualificationScope<'a> {
    code: &'a str,
    style: u8,
    issuer: &'a str,
    name_zh: &'a str,
    name_en: &'a str,
    authorities_zh: &'a [String],
}

pub async fn get(req: &Request, ctx: &Ctx) -> ApiResult<Response> {
    let bound = config::status_max_stale(&ctx.env);
    let (built, source) = edge_cache::current(ctx, edge_cache::KEY_SCOPE, bound, build(ctx)).await?;
    let inm = req.headers().get("if-none-match").ok().flatten();
    let mut r = if inm.is_some_and(|h| if_none_match_matches(&h, &built.etag)) {
        http::empty(304)?
    } else {
        http::bytes(200, "application/json; charset=utf-8", built.json.into_bytes())?
    };
    http::set_header(&mut r, "etag", &built.etag);
    http::set_header(&mut r, "cache-control", CACHE_CONTROL);
    http::set_header(&mut r, "x-ecert-edge-cache", Source::header(source));
    Ok(r)
}

async fn build(ctx: &Ctx) -> ApiResult<Built> {
    let registry = Registry::builtin();
    let root = config::root_spki(&ctx.env)?;
    let current = trust::current_verified(&ctx.db, &root).await?;
    let list = current.as_ref().map(|(_, l)| l);
    let issuers = registry
        .issuers
        .iter()
        .map(|i| IssuerScope {
            id: &i.id,
            kind: i.kind,
            name_zh: &i.name_zh,
            name_en: &i.name_en,
            seal_name_zh: &i.seal_name_zh,
            qualifications: registry.qualifications_of(&i.id).map(|q| q.code.as_str()).collect(),
            seals: list
                .and_then(|l| l.issuer(&i.id))
                .map(|t| {
                    t.seals
                        .iter()
                        .map(|s| SealScope { key_id: s.key_id.clone(), use_from: s.use_from, use_until: s.use_until })
                        .collect()
                })
                .unwrap_or_default(),
        })
        .collect();
    let qualifications = registry
        .qualifications
        .iter()
        .map(|q| QualificationScope {
            code: &q.code,
            style: u8::from(q.style),
            issuer: &q.issuer,
            name_zh: &q.name_zh,
            name_en: &q.name_en,
            authorities_zh: &q.authorities_zh,
        })
        .collect();
    let scope = Scope {
        schema: "ecert.scope/1",
        trust_list: list.map(|l| TrustListInfo {
            sequence: l.sequence,
            issued_at: l.issued_at,
            next_update: l.next_update,
        }),
        issuers,
        qualifications,
    };
    let json = serde_json::to_string(&scope).map_err(|e| ApiError::internal("serialise scope", e))?;
    Ok(Built { etag: etag_of(json.as_bytes()), json })
}
