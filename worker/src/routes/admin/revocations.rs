//! `POST /v1/admin/revocations`: revoke a certificate with a reason. Idempotent: revoking a revoked
//! certificate returns the existing revocation (200) and changes nothing; a new revocation is committed to D1
//! together with its audit entry before the 201 is sent. Revocation is per certificate: every copy of it (the base
//! certificate and each 加注 copy) is revoked with it, and the answer lists their status ids.

use serde::{Deserialize, Serialize};
use serde_json::json;
use worker::{Request, Response};

use super::super::Ctx;
use crate::auth::Right;
use crate::error::{ApiError, ApiResult};
use crate::http;
use crate::lookup::{StatusView, is_ecert_number};
use crate::storage::audit::{self, AuditEntry};
use crate::storage::certificates::{self, Key};
use crate::storage::copies;

/// Longest reason, in characters.
pub const MAX_REASON_CHARS: usize = 200;
/// How far in the future a `revoked_at` may lie (clock skew between issuer and edge), in seconds.
const MAX_FUTURE_SKEW: i64 = 300;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RevokeRequest {
    management_number: String,
    reason: String,
    #[serde(default)]
    revoked_at: Option<i64>,
}

#[derive(Serialize)]
struct Revoked {
    management_number: String,
    /// The status ids of every registered copy of the certificate, all revoked with it.
    copies: Vec<String>,
    status: StatusView,
    /// `true` when this request revoked it, `false` when it already was.
    created: bool,
}

/// Check the request's fields; returns (management number, reason, revoked_at).
fn validate(r: RevokeRequest, now: i64) -> ApiResult<(String, String, i64)> {
    let number = r.management_number.trim().to_owned();
    if !is_ecert_number(&number) {
        return Err(ApiError::invalid_field(
            "management_number",
            "管理号应为1-32位字母、数字或连字符",
            "1-32 ASCII letters, digits or hyphens",
        ));
    }
    let reason = r.reason.trim().to_owned();
    let n = reason.chars().count();
    if n == 0 || n > MAX_REASON_CHARS || reason.chars().any(char::is_control) {
        return Err(ApiError::invalid_field(
            "reason",
            &format!("撤销原因应为1-{MAX_REASON_CHARS}个字符，且不含控制字符"),
            &format!("1-{MAX_REASON_CHARS} characters without control characters"),
        ));
    }
    let at = r.revoked_at.unwrap_or(now);
    if !(1_000_000_000..=now + MAX_FUTURE_SKEW).contains(&at) {
        return Err(ApiError::invalid_field(
            "revoked_at",
            "撤销时间无效或晚于当前时间",
            "not a Unix time, or in the future",
        ));
    }
    Ok((number, reason, at))
}

pub async fn revoke(req: &mut Request, ctx: &Ctx) -> ApiResult<Response> {
    let principal = ctx.authorize(req, Right::Revoke)?;
    let (number, reason, at) = validate(http::read_json(req).await?, ctx.now)?;
    let row = certificates::find(&ctx.db, Key::ManagementNumber(&number)).await?.ok_or_else(|| {
        ApiError::new(
            404,
            "NOT_REGISTERED",
            "该管理号未登记",
            "no certificate is registered under this management number",
        )
    })?;

    let mut created = false;
    if row.revoked_at.is_none() {
        let entry = AuditEntry {
            at: ctx.now,
            actor: principal.name,
            action: "revoke",
            target: &number,
            detail: json!({ "revoked_at": at, "reason": reason }),
        };
        let results = ctx
            .db
            .batch(vec![
                certificates::revoke(&ctx.db, &number, at, &reason)?,
                audit::append_if_previous_changed_one(&ctx.db, &entry)?,
            ])
            .await?;
        // The UPDATE returns the row it changed (none when already revoked). Not D1's `meta.changes`: that
        // also counts the rows the status_versions trigger writes.
        created =
            results.first().and_then(|r| r.results::<serde_json::Value>().ok()).is_some_and(|rows| rows.len() == 1);
    }
    // Answer with what D1 now holds (ours, or the revocation that was already there / won a race).
    let row = certificates::find(&ctx.db, Key::ManagementNumber(&number))
        .await?
        .ok_or_else(|| ApiError::internal("revoke", "row vanished"))?;
    if row.revoked_at.is_none() {
        return Err(ApiError::internal("revoke", "revocation not visible after commit"));
    }
    let body = Revoked {
        management_number: row.management_number.clone(),
        copies: copies::ids_of(&ctx.db, &row.management_number).await?,
        status: StatusView::of(&row),
        created,
    };
    let mut r = http::json(if created { 201 } else { 200 }, &body)?;
    http::set_header(&mut r, "cache-control", "no-store");
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(m: &str, reason: &str, at: Option<i64>) -> RevokeRequest {
        RevokeRequest { management_number: m.into(), reason: reason.into(), revoked_at: at }
    }

    #[test]
    fn validation() {
        let now = 1_795_400_000;
        assert_eq!(
            validate(r(" 202303151001 ", " 证书信息有误 ", None), now).unwrap(),
            ("202303151001".into(), "证书信息有误".into(), now)
        );
        assert!(validate(r("202303151001", "x", Some(now + 301)), now).is_err());
        assert!(validate(r("202303151001", "x", Some(5)), now).is_err());
        assert!(validate(r("管理号", "x", None), now).is_err());
        assert!(validate(r("1", "", None), now).is_err());
        assert!(validate(r("1", "a\nb", None), now).is_err());
        assert!(validate(r("1", &"字".repeat(201), None), now).is_err());
        assert!(validate(r("1", &"字".repeat(200), None), now).is_ok());
    }
}
