//! `POST /v1/admin/revocations`: revoke a certificate with a reason. Idempotent: revoking a revoked
//! certificate returns the existing revocation (200) and changes nothing. Revocation is per certificate: every copy
//! of it (the base certificate and each 加注 copy) is revoked with it — one UPDATE in the certificate's shard, which
//! holds its copies — and the answer lists their status ids. Then, in the control database, the buckets of its
//! copies get their change numbers and the audit entry is written; only then is the 201 sent.
//!
//! `revoked_at` must lie within [the certificate's approval date (00:00 China time), now + 300 s]: 422
//! `REVOKED_AT_OUT_OF_RANGE` otherwise. A time ahead of the edge's clock (clock skew, within the 300 s) is stored as
//! the edge's now, so no answer ever shows a revocation after its own `as_of`.

use serde::{Deserialize, Serialize};
use serde_json::json;
use worker::{Request, Response};

use super::super::Ctx;
use crate::auth::Right;
use crate::error::{ApiError, ApiResult};
use crate::http;
use crate::lookup::{StatusView, is_ecert_number};
use crate::storage::audit::{self, AuditEntry};
use crate::storage::certificates::{self, CertificateRow, Key};
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
    #[serde(default, deserialize_with = "integral_seconds")]
    revoked_at: Option<i64>,
}

/// A JSON integer, also when written with a zero fraction (`1700000000.0` is an integer to JSON Schema, which the
/// OpenAPI file's `integer` means); any other number is refused as the wrong type.
fn integral_seconds<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    let Some(n) = Option::<serde_json::Number>::deserialize(d)? else {
        return Ok(None);
    };
    if let Some(i) = n.as_i64() {
        return Ok(Some(i));
    }
    match n.as_f64() {
        // Exactly representable in i64: [-2^63, 2^63).
        #[allow(clippy::cast_possible_truncation)]
        Some(f) if f.fract() == 0.0 && (-9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0).contains(&f) => {
            Ok(Some(f as i64))
        }
        _ => Err(serde::de::Error::custom(format!("invalid type: number `{n}`, expected an integer (i64)"))),
    }
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
    if at > now + MAX_FUTURE_SKEW {
        return Err(out_of_range(at, None, now));
    }
    Ok((number, reason, at))
}

fn out_of_range(at: i64, approval: Option<(&str, i64)>, now: i64) -> ApiError {
    let (zh, en) = match approval {
        Some((date, start)) => (
            format!("撤销时间{at}早于证书的批准日期{date}（{start}）"),
            format!("revoked_at {at} is before the certificate's approval date {date} ({start})"),
        ),
        None => (
            format!("撤销时间{at}晚于当前时间{now}加{MAX_FUTURE_SKEW}秒"),
            format!("revoked_at {at} is later than now ({now}) + {MAX_FUTURE_SKEW} s"),
        ),
    };
    ApiError::new(422, "REVOKED_AT_OUT_OF_RANGE", zh, en)
        .with("field", "revoked_at")
        .with("earliest", approval.map_or(serde_json::Value::Null, |(_, s)| json!(s)))
        .with("latest", json!(now + MAX_FUTURE_SKEW))
}

/// The revocation time to store: within [approval date 00:00 China time, now + skew], else refused; a time ahead of
/// now (within the skew) is stored as now.
fn effective_revoked_at(at: i64, row: &CertificateRow, now: i64) -> ApiResult<i64> {
    let start = row
        .approval_date
        .parse::<ecert_format::Date>()
        .map_err(|_| ApiError::internal("revoke", "stored approval date unreadable"))?
        .china_start_unix();
    if at < start {
        return Err(out_of_range(at, Some((&row.approval_date, start)), now));
    }
    if at > now + MAX_FUTURE_SKEW {
        return Err(out_of_range(at, None, now));
    }
    Ok(at.min(now))
}

pub async fn revoke(req: &mut Request, ctx: &Ctx) -> ApiResult<Response> {
    let principal = ctx.authorize(req, Right::Revoke)?;
    let (number, reason, at) = validate(http::read_json(req).await?, ctx.now)?;
    let store = ctx.store().await?;
    let row = certificates::find(&store, Key::ManagementNumber(&number)).await?.ok_or_else(|| {
        ApiError::new(
            404,
            "NOT_REGISTERED",
            "该管理号未登记",
            "no certificate is registered under this management number",
        )
    })?;

    let mut created = false;
    if row.revoked_at.is_none() {
        let at = effective_revoked_at(at, &row, ctx.now)?;
        // Every shard the map writes this certificate to (one, except during a move), the authoritative one first:
        // its UPDATE says whether this request revoked it (RETURNING the row it changed; none when already revoked).
        let home = store.slot_of(&number);
        for (i, shard) in store.map.write_at(home).into_iter().enumerate() {
            let db = store.shard(shard)?;
            // During a move the new home may not hold the row yet: put it there first (as read, 有效; kept if it is
            // there already), so the revocation lands and a later copy of the old row (INSERT OR IGNORE) cannot bring
            // back a 有效 row.
            let mut batch = Vec::with_capacity(2);
            if i > 0 {
                batch.push(certificates::insert(&db, &row, home, true)?);
            }
            batch.push(certificates::revoke(&db, &number, at, &reason)?);
            let results = db.batch(batch).await?;
            let changed =
                results.last().and_then(|r| r.results::<serde_json::Value>().ok()).is_some_and(|rows| rows.len() == 1);
            if i == 0 {
                created = changed;
            }
        }
        if created {
            // The buckets of its copies change, and the audit entry: both in the control database, before the 201.
            let ids = copies::ids_of(&store, &number).await?;
            let entry = AuditEntry {
                at: ctx.now,
                actor: principal.name,
                request_id: &ctx.request_id,
                action: "revoke",
                target: &number,
                detail: json!({ "revoked_at": at, "reason": reason }),
            };
            let mut statements = Vec::new();
            if let Some(bump) = copies::bump(&store.control, &ids)? {
                statements.push(bump);
            }
            statements.push(audit::append(&store.control, &entry)?);
            store.control.batch(statements).await?;
        }
    }
    // Answer with what the shard now holds (ours, or the revocation that was already there / won a race).
    let row = certificates::find(&store, Key::ManagementNumber(&number))
        .await?
        .ok_or_else(|| ApiError::internal("revoke", "row vanished"))?;
    if row.revoked_at.is_none() {
        return Err(ApiError::internal("revoke", "revocation not visible after commit"));
    }
    let body = Revoked {
        management_number: row.management_number.clone(),
        copies: copies::ids_of(&store, &row.management_number).await?,
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
        assert_eq!(validate(r("202303151001", "x", Some(now + 301)), now).unwrap_err().status, 422);
        assert!(validate(r("202303151001", "x", Some(now + 300)), now).is_ok());
        assert!(validate(r("管理号", "x", None), now).is_err());
        assert!(validate(r("1", "", None), now).is_err());
        assert!(validate(r("1", "a\nb", None), now).is_err());
        assert!(validate(r("1", &"字".repeat(201), None), now).is_err());
        assert!(validate(r("1", &"字".repeat(200), None), now).is_ok());
    }

    #[test]
    fn revoked_at_is_an_integer_however_written() {
        let at = |json: &str| http::parse_json::<RevokeRequest>(json.as_bytes()).map(|r| r.revoked_at);
        let body = |v: &str| format!(r#"{{"management_number":"1","reason":"x","revoked_at":{v}}}"#);
        assert_eq!(at(&body("-1241")).unwrap(), Some(-1241));
        assert_eq!(at(&body("-1241.0")).unwrap(), Some(-1241));
        assert_eq!(at(&body("1.7e9")).unwrap(), Some(1_700_000_000));
        assert_eq!(at(&body("null")).unwrap(), None);
        assert_eq!(at(r#"{"management_number":"1","reason":"x"}"#).unwrap(), None);
        for bad in ["1.5", "1e30", "\"1\"", "true"] {
            assert_eq!(at(&body(bad)).unwrap_err().code, "INVALID_REQUEST", "{bad}");
        }
    }

    #[test]
    fn revoked_at_within_approval_and_now() {
        let now = 1_795_400_000;
        let row = CertificateRow {
            management_number: "202303151001".into(),
            query_number: "Q".into(),
            qualification_code: "Q07".into(),
            issuer_id: "mohrss".into(),
            approval_date: "2021-12-17".into(),
            issue_date: "2021-12-20".into(),
            name_mac: String::new(),
            id_mac: String::new(),
            record_mac: String::new(),
            registered_at: now,
            revoked_at: None,
            revocation_reason: None,
        };
        // 2021-12-17 00:00 in China = 1 639 670 400.
        assert_eq!(effective_revoked_at(1_639_670_400, &row, now).unwrap(), 1_639_670_400);
        let e = effective_revoked_at(1_639_670_399, &row, now).unwrap_err();
        assert_eq!((e.status, e.code), (422, "REVOKED_AT_OUT_OF_RANGE"));
        // Ahead within the skew: stored as now, never after a later answer's as_of.
        assert_eq!(effective_revoked_at(now + 300, &row, now).unwrap(), now);
        assert_eq!(effective_revoked_at(now + 301, &row, now).unwrap_err().status, 422);
    }
}
