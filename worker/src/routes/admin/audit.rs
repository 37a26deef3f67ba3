//! `GET /v1/admin/audit?limit=N&before=ID`: the audit log, newest first (admin or auditor token).

use serde::Deserialize;
use serde_json::{Value, json};
use worker::{Request, Response};

use super::super::Ctx;
use crate::auth::Right;
use crate::error::{ApiError, ApiResult};
use crate::http;
use crate::storage::audit;

const DEFAULT_LIMIT: u32 = 100;
const MAX_LIMIT: u32 = 500;

#[derive(Deserialize)]
struct Query {
    limit: Option<String>,
    before: Option<String>,
}

pub async fn audit(req: &mut Request, ctx: &Ctx) -> ApiResult<Response> {
    ctx.authorize(req, Right::ReadAudit)?;
    let q: Query = req.query().map_err(|_| ApiError::bad_request("查询参数无效", "invalid query parameters"))?;
    let limit = match q.limit.as_deref() {
        None => DEFAULT_LIMIT,
        Some(s) => s.parse::<u32>().ok().filter(|n| (1..=MAX_LIMIT).contains(n)).ok_or_else(|| {
            ApiError::invalid_field("limit", &format!("应为1至{MAX_LIMIT}"), &format!("must be 1 to {MAX_LIMIT}"))
        })?,
    };
    let before = match q.before.as_deref() {
        None => None,
        Some(s) => Some(
            s.parse::<i64>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| ApiError::invalid_field("before", "应为正整数", "must be a positive integer"))?,
        ),
    };
    let rows = audit::list(&ctx.db, limit, before).await?;
    let next_before = (rows.len() == limit as usize).then(|| rows.last().map(|r| r.id)).flatten();
    let entries: Vec<Value> = rows
        .into_iter()
        .map(|r| {
            json!({
                "id": r.id, "at": r.at, "actor": r.actor, "request_id": r.request_id, "action": r.action, "target": r.target,
                "detail": serde_json::from_str::<Value>(&r.detail).unwrap_or(Value::String(r.detail)),
            })
        })
        .collect();
    let mut resp = http::json(200, &json!({ "entries": entries, "next_before": next_before }))?;
    http::set_header(&mut resp, "cache-control", "no-store");
    Ok(resp)
}
