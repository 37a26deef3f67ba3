//! `POST /v1/lookup`: 证书查验 — 姓名 + 证件号码 + 管理号 or 查询编号 → the certificate's authoritative fields and
//! status. Rate-limited per client before anything else is looked at.

use worker::{Request, Response};

use ecert_format::Registry;

use super::Ctx;
use crate::config::{self, DEFAULT_LOOKUP_LIMIT};
use crate::crypto::{Field, ct_eq, keyed_hash};
use crate::error::{ApiError, ApiResult, NotFoundReason};
use crate::http;
use crate::lookup::{CertificateNumber, LookupRequest, result_for};
use crate::rate_limit;
use crate::storage::certificates::{self, Key};

pub async fn post(req: &mut Request, ctx: &Ctx) -> ApiResult<Response> {
    let key = config::lookup_key(&ctx.env)?;
    let spec = config::rate_limit(&ctx.env, "LOOKUP_RATE_LIMIT", DEFAULT_LOOKUP_LIMIT);
    rate_limit::check(&ctx.db, "lookup", &ctx.client(req), &key, spec, ctx.now).await?;

    let lookup = http::read_json::<LookupRequest>(req).await?.validate()?;
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
    let name_mac = keyed_hash(&key, Field::Name, &scope, lookup.name.as_bytes());
    let id_mac = keyed_hash(&key, Field::IdNumber, &scope, lookup.id_number.as_str().as_bytes());
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
