//! The append-only `audit_log` table.

use serde::{Deserialize, Serialize};
use worker::D1PreparedStatement;

use super::{Db, db_error, int, text};
use crate::error::ApiResult;

/// One audit entry as returned by `GET /v1/admin/audit`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRow {
    pub id: i64,
    pub at: i64,
    pub actor: String,
    /// The edge's id of the request that made the change (`None` for entries from before migration 0004).
    pub request_id: Option<String>,
    pub action: String,
    pub target: String,
    /// JSON text as stored; parsed for the response by the route.
    pub detail: String,
}

/// An entry to append.
pub struct AuditEntry<'a> {
    pub at: i64,
    /// The operator's name.
    pub actor: &'a str,
    /// The edge's id of the request.
    pub request_id: &'a str,
    pub action: &'a str,
    pub target: &'a str,
    pub detail: serde_json::Value,
}

fn params(e: &AuditEntry<'_>) -> Vec<wasm_bindgen::JsValue> {
    vec![int(e.at), text(e.actor), text(e.action), text(e.target), text(&e.detail.to_string()), text(e.request_id)]
}

/// The INSERT of an entry (for a batch with the change it records).
pub fn append(db: &Db, e: &AuditEntry<'_>) -> ApiResult<D1PreparedStatement> {
    db.stmt(
        "INSERT INTO audit_log (at, actor, action, target, detail, request_id) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        &params(e),
    )
}

/// The INSERT of an entry that happens only if the batch's previous statement changed exactly one row, so a
/// no-op (e.g. a revocation that lost a race) leaves no entry.
pub fn append_if_previous_changed_one(db: &Db, e: &AuditEntry<'_>) -> ApiResult<D1PreparedStatement> {
    db.stmt(
        "INSERT INTO audit_log (at, actor, action, target, detail, request_id) \
         SELECT ?1, ?2, ?3, ?4, ?5, ?6 WHERE changes() = 1",
        &params(e),
    )
}

/// Entries newest first, with ids below `before` (if given), at most `limit`.
pub async fn list(db: &Db, limit: u32, before: Option<i64>) -> ApiResult<Vec<AuditRow>> {
    db.stmt(
        "SELECT id, at, actor, request_id, action, target, detail FROM audit_log WHERE id < ?1 ORDER BY id DESC LIMIT ?2",
        &[int(before.unwrap_or(i64::from(i32::MAX) * 1024)), int(i64::from(limit))],
    )?
    .all()
    .await
    .and_then(|r| r.results())
    .map_err(|e| db_error("audit list", e))
}
