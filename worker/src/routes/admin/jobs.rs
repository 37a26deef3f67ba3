//! `GET /v1/admin/jobs?state=overdue|pending|failed`: 加注 jobs for operators (admin, auditor) — the 24 h promise
//! monitored: `overdue` lists jobs not done 24 h after they were created. 管理号 and job facts only; nothing about
//! the holder.

use serde::Serialize;
use worker::{Request, Response};

use super::super::Ctx;
use crate::auth::Right;
use crate::error::ApiResult;
use crate::holder::jobs::OVERDUE_AFTER;
use crate::http;
use crate::storage::jobs;

/// Most jobs in one answer.
const LIMIT: usize = 500;

#[derive(Serialize)]
struct JobEntry {
    job_id: String,
    management_number: String,
    state: String,
    origin: String,
    scenario: String,
    applied_on: String,
    valid_from: String,
    valid_until: String,
    created_at: i64,
    age_seconds: i64,
    overdue: bool,
    attempts: i64,
    lease_until: Option<i64>,
    leased_by: Option<String>,
    failure_reason: Option<String>,
}

pub async fn list(req: &mut Request, ctx: &Ctx) -> ApiResult<Response> {
    ctx.authorize(req, Right::ReadJobs)?;
    let url = req.url()?;
    let which = url.query_pairs().find(|(k, _)| k == "state").map(|(_, v)| v.into_owned());
    let which = which.as_deref().unwrap_or("overdue");
    let store = ctx.store().await?;
    let rows = jobs::list(&store, which, ctx.now, OVERDUE_AFTER, LIMIT).await?;
    let entries: Vec<JobEntry> = rows
        .into_iter()
        .map(|j| JobEntry {
            overdue: j.state == "pending" && ctx.now - j.created_at > OVERDUE_AFTER,
            age_seconds: ctx.now - j.created_at,
            job_id: j.job_id,
            management_number: j.management_number,
            state: j.state,
            origin: j.origin,
            scenario: j.scenario,
            applied_on: j.applied_on,
            valid_from: j.valid_from,
            valid_until: j.valid_until,
            created_at: j.created_at,
            attempts: j.attempts,
            lease_until: j.lease_until,
            leased_by: j.leased_by,
            failure_reason: j.failure_reason,
        })
        .collect();
    let mut r = http::json(
        200,
        &serde_json::json!({ "state": which, "as_of": ctx.now, "overdue_after_seconds": OVERDUE_AFTER, "jobs": entries }),
    )?;
    http::set_header(&mut r, "cache-control", "no-store");
    Ok(r)
}
