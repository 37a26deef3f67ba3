//! `POST /v1/lookup`: 证书查验 — 姓名 + 证件号码 + 管理号 or 查询编号 → the certificate's authoritative fields and
//! status. Rate-limited per client (its IPv4 address or IPv6 /64) before anything else is looked at, then per
//! 管理号 / 查询编号 asked about; neither limit writes to the database.

use worker::{Request, Response};

use ecert_format::Registry;

use super::Ctx;
use crate::config;
use crate::crypto::{ct_eq, id_mac, name_mac};
use crate::error::{ApiError, ApiResult, NotFoundReason};
use crate::http;
use crate::lookup::{CertificateNumber, LookupRequest, result_for};
use crate::rate_limit::{self, Limiter};
use crate::storage::certificates::{self, Key};

pub async fn post(req: &mut Request, ctx: &Ctx) -> ApiResult<Response> {
    let key = config::lookup_key(&ctx.env)?;
    rate_limit::check(&ctx.env, Limiter::LookupClient, ctx.client(req)).await?;

    let lookup = http::read_json::<LookupRequest>(req).await?.validate()?;
    // Per certificate asked about (registered or not: a 429 here tells nothing about the number).
    let number_key = match &lookup.number {
        CertificateNumber::Management(m) => rate_limit::number_key("m", m),
        CertificateNumber::Query(q) => rate_limit::number_key("q", q),
    };
    rate_limit::check(&ctx.env, Limiter::LookupNumber, number_key).await?;
    let store = ctx.store().await?;
    let row = match &lookup.number {
        CertificateNumber::Management(m) => certificates::find(&store, Key::ManagementNumber(m)).await?,
        CertificateNumber::Query(q) => certificates::find(&store, Key::QueryNumber(q)).await?,
    };
    // Hash and compare whether or not a row was found, so a miss costs the same as a mismatch.
    let scope = match (&row, &lookup.number) {
        (Some(r), _) => r.management_number.clone(),
        (None, CertificateNumber::Management(s) | CertificateNumber::Query(s)) => s.clone(),
    };
    let name_mac = name_mac(&key, &scope, &lookup.name);
    let id_mac = id_mac(&key, &scope, lookup.id_number.as_str());
    let (stored_name, stored_id) = row.as_ref().map_or(("", ""), |r| (r.name_mac.as_str(), r.id_mac.as_str()));
    let name_ok = ct_eq(name_mac.as_bytes(), stored_name.as_bytes());
    let id_ok = ct_eq(id_mac.as_bytes(), stored_id.as_bytes());
    match row {
        Some(row) if name_ok & id_ok => {
            let result = result_for(&row, &lookup, Registry::builtin(), ctx.now)?;
            let mut r = http::json(200, &result)?;
            http::set_header(&mut r, "cache-control", "no-store");
            Ok(r)
        }
        _ => Err(ApiError::lookup_not_found(NotFoundReason::NoMatch)),
    }
}
