//! The status publisher's two endpoints (docs/edge.md, "Status snapshots"):
//!
//! - `GET /v1/admin/status/universe?after=<64 hex>&limit=N`: every registered copy in status id order, one page at
//!   a time, as fixed 49-byte records ([`UNIVERSE_RECORD_LEN`]): what `ecert status publish` builds the snapshot
//!   from. A page merges a range read of every shard; it may hold fewer than `limit` copies and still be followed
//!   by another (`x-ecert-next-after` says so).
//! - `PUT /v1/admin/status/snapshot`: a signed snapshot or delta file. It must pass the verifier's own check under
//!   the current published trust list (`VerifiedStatus::new`: framing, signer listed and in its use window,
//!   signature, filter; a delta together with the current snapshot it must extend), carry a sequence above every
//!   one published (and an `issued_at` not before theirs nor in the future). The bytes go
//!   to R2, the pointer and the audit entry to D1 (one batch); `GET /v1/status/snapshot` and `/v1/status/delta`
//!   serve them.

use serde::Deserialize;
use serde_json::json;
use worker::{Request, Response};

use ecert_format::parse_status_id;
use ecert_format::status_snapshot::{
    MAX_SNAPSHOT_BYTES, STATUS_SNAPSHOT_MEDIA_TYPE, SnapshotError, SnapshotFile, SnapshotKind,
};
use ecert_verify::VerifiedStatus;

use super::super::{Ctx, status_snapshot, verify};
use super::bilingual;
use crate::auth::Right;
use crate::config;
use crate::crypto::sha256_hex;
use crate::error::{ApiError, ApiResult};
use crate::http;
use crate::storage::audit::{self, AuditEntry};
use crate::storage::status_publications::{self, kind_name};
use crate::storage::{copies, is_unique_violation};
use crate::trust::{MAX_SEQUENCE, etag_of};

/// Media type of a universe page.
pub const UNIVERSE_MEDIA_TYPE: &str = "application/vnd.ecert.status-universe";
/// Bytes per copy in a universe page: status id (32) | flags (1: bit 0 = revoked) | registered_at (i64 BE) |
/// revoked_at (i64 BE, 0 while 有效).
pub const UNIVERSE_RECORD_LEN: usize = 49;
const DEFAULT_UNIVERSE_LIMIT: u32 = 10_000;
const MAX_UNIVERSE_LIMIT: u32 = 50_000;
/// How far a snapshot's signed `issued_at` may lie ahead of the edge's clock (it becomes every verifier's time
/// floor, so a file from the future would make them judge certificates at a time that has not come).
const MAX_FUTURE_SKEW: i64 = 300;

#[derive(Deserialize)]
struct UniverseQuery {
    after: Option<String>,
    limit: Option<String>,
}

pub async fn status_universe(req: &mut Request, ctx: &Ctx) -> ApiResult<Response> {
    ctx.authorize(req, Right::PublishStatus)?;
    let q: UniverseQuery =
        req.query().map_err(|_| ApiError::bad_request("查询参数无效", "invalid query parameters"))?;
    let limit = match q.limit.as_deref() {
        None => DEFAULT_UNIVERSE_LIMIT,
        Some(s) => s.parse::<u32>().ok().filter(|n| (1..=MAX_UNIVERSE_LIMIT).contains(n)).ok_or_else(|| {
            ApiError::invalid_field(
                "limit",
                &format!("应为1至{MAX_UNIVERSE_LIMIT}"),
                &format!("must be 1 to {MAX_UNIVERSE_LIMIT}"),
            )
        })?,
    };
    let after = match q.after.as_deref() {
        None => None,
        Some(s) => Some(parse_status_id(s).ok_or_else(|| {
            ApiError::invalid_field(
                "after",
                "应为64位小写十六进制状态标识",
                "must be a 64-character lowercase hex status id",
            )
        })?),
    };
    // Everything committed before the request started is in this page (or, for ids before `after`, in an earlier
    // page read later still): copies are never deleted and revocations never undone.
    let as_of = ctx.now;
    let store = ctx.store().await?;
    let without_copies = match after {
        None => Some(copies::certificates_without_copies(&store).await?),
        Some(_) => None,
    };
    let (rows, more) = copies::universe(&store, after.as_ref(), limit).await?;
    let mut body = Vec::with_capacity(rows.len() * UNIVERSE_RECORD_LEN);
    for r in &rows {
        let id = parse_status_id(&r.status_id).ok_or_else(|| ApiError::internal("universe", "bad stored id"))?;
        body.extend_from_slice(&id);
        body.push(u8::from(r.revoked_at.is_some()));
        body.extend_from_slice(&r.registered_at.to_be_bytes());
        body.extend_from_slice(&r.revoked_at.unwrap_or(0).to_be_bytes());
    }
    let mut resp = http::bytes(200, UNIVERSE_MEDIA_TYPE, body)?;
    http::set_header(&mut resp, "cache-control", "no-store");
    http::set_header(&mut resp, "x-ecert-as-of", &as_of.to_string());
    http::set_header(&mut resp, "x-ecert-copies", &rows.len().to_string());
    if more && let Some(last) = rows.last() {
        http::set_header(&mut resp, "x-ecert-next-after", &last.status_id);
    }
    if let Some(n) = without_copies {
        http::set_header(&mut resp, "x-ecert-certificates-without-copies", &n.to_string());
    }
    Ok(resp)
}

/// A refused file: 422 with the core's stable code (413 when too large).
fn refuse(e: &SnapshotError) -> ApiError {
    match e {
        SnapshotError::TooLarge => ApiError::payload_too_large(MAX_SNAPSHOT_BYTES),
        _ => {
            let m = bilingual(&e.to_string());
            ApiError::new(422, e.code(), m.zh, m.en)
        }
    }
}

fn conflict(code: &'static str, zh: String, en: String) -> ApiError {
    ApiError::new(409, code, zh, en)
}

/// A delta that does not extend the current snapshot (`held`, if any).
fn delta_mismatch(base: u64, held: Option<i64>) -> ApiError {
    let held = held.map_or_else(|| "none".to_owned(), |b| b.to_string());
    conflict(
        "STATUS_DELTA_MISMATCH",
        format!("状态增量基于快照{base}，当前快照为{held}"),
        format!("the delta extends snapshot {base}, the current snapshot is {held}"),
    )
}

pub async fn publish_status(req: &mut Request, ctx: &Ctx) -> ApiResult<Response> {
    let principal = ctx.authorize(req, Right::PublishStatus)?;
    match http::content_type(req).as_deref() {
        Some(t) if t == STATUS_SNAPSHOT_MEDIA_TYPE || t == "application/octet-stream" => {}
        _ => return Err(ApiError::unsupported_media_type(STATUS_SNAPSHOT_MEDIA_TYPE)),
    }
    let body = http::read_body(req, MAX_SNAPSHOT_BYTES).await?;
    let file = SnapshotFile::parse(&body).map_err(|e| refuse(&e))?;
    let h = &file.header;

    // Authentic first: signed by a status signer of the current published trust list, in its use window — checked
    // by the verifier's own `VerifiedStatus::new`, so the edge never serves a file a verifier would refuse (a filter
    // that does not decode; a delta whose signed times or cover go back from its snapshot's).
    let (_, trust) = verify::trust_list(ctx).await?;
    let base_sequence = i64::try_from(h.base_sequence).unwrap_or(i64::MAX);
    let checked = match h.kind {
        SnapshotKind::Snapshot => VerifiedStatus::new(&trust, &body, None, 0).map(|_| ()),
        SnapshotKind::Delta => {
            let base = status_publications::by_sequence(&ctx.db, base_sequence).await?.filter(|p| p.kind == "snapshot");
            let Some(base) = base else {
                return Err(delta_mismatch(h.base_sequence, None));
            };
            let base_bytes = status_snapshot::file(ctx, &base).await?;
            VerifiedStatus::new(&trust, &base_bytes, Some(&body), 0).map(|_| ())
        }
    };
    checked.map_err(|e| match e {
        SnapshotError::DeltaMismatch => conflict(
            "STATUS_DELTA_MISMATCH",
            "状态增量的签发时间或覆盖时间早于其快照".to_owned(),
            "the delta's issued_at or covers_sealed_before is before its snapshot's".to_owned(),
        ),
        e => refuse(&e),
    })?;
    if h.issued_at > ctx.now + MAX_FUTURE_SKEW {
        return Err(ApiError::new(
            422,
            "STATUS_SNAPSHOT_FROM_FUTURE",
            "状态快照的签发时间晚于当前时间",
            "the status snapshot's issued_at lies in the future",
        ));
    }
    if h.sequence == 0 || h.sequence > MAX_SEQUENCE {
        return Err(ApiError::new(
            422,
            "STATUS_SNAPSHOT_MALFORMED",
            format!("状态快照序号{}超出范围", h.sequence),
            format!("sequence {} out of range", h.sequence),
        ));
    }
    let sequence = i64::try_from(h.sequence).unwrap_or(i64::MAX);
    let sha256 = sha256_hex(&body);
    let etag = etag_of(&body);

    // Order: a higher sequence than any published, time never going back, a delta on the current snapshot.
    let current = status_publications::current(&ctx.db).await?;
    if sequence <= current.max_sequence {
        return match status_publications::by_sequence(&ctx.db, sequence).await? {
            Some(p) if p.sha256 == sha256 => {
                let mut r = http::json(
                    200,
                    &json!({ "sequence": h.sequence, "kind": kind_name(h.kind), "etag": etag, "published": false }),
                )?;
                http::set_header(&mut r, "etag", &etag);
                Ok(r)
            }
            Some(_) => Err(conflict(
                "STATUS_SEQUENCE_TAKEN",
                format!("序号{}已发布了不同的状态文件", h.sequence),
                format!("a different status file was already published with sequence {}", h.sequence),
            )),
            None => Err(conflict(
                "STATUS_SNAPSHOT_ROLLBACK",
                format!("序号{}不高于已发布的序号{}", h.sequence, current.max_sequence),
                format!("sequence {} is not above the latest published, {}", h.sequence, current.max_sequence),
            )),
        };
    }
    if h.issued_at < current.max_issued_at {
        return Err(conflict(
            "STATUS_SNAPSHOT_ROLLBACK",
            format!("签发时间{}早于已发布文件的{}", h.issued_at, current.max_issued_at),
            format!("issued_at {} is before that of a published file, {}", h.issued_at, current.max_issued_at),
        ));
    }
    if h.kind == SnapshotKind::Delta && current.snapshot.as_ref().map(|s| s.sequence) != Some(base_sequence) {
        return Err(delta_mismatch(h.base_sequence, current.snapshot.as_ref().map(|s| s.sequence)));
    }

    // The bytes to R2 under a key no other file can have (sequence and digest), then the pointer to D1.
    let object_key = format!("status/{:020}-{}.ecss", h.sequence, sha256.get(..32).unwrap_or_default());
    let bucket = ctx
        .env
        .bucket(config::STATUS_BUCKET_BINDING)
        .map_err(|e| ApiError::misconfigured(&format!("R2 binding {}: {e}", config::STATUS_BUCKET_BINDING)))?;
    bucket.put(&object_key, body.clone()).execute().await.map_err(|e| ApiError::internal("r2 put", e))?;
    let kind = kind_name(h.kind);
    let statements = vec![
        status_publications::insert(&ctx.db, h, body.len(), &sha256, &etag, &object_key, ctx.now, principal.name)?,
        audit::append(
            &ctx.db,
            &AuditEntry {
                at: ctx.now,
                actor: principal.name,
                request_id: &ctx.request_id,
                action: "publish_status",
                target: &h.sequence.to_string(),
                detail: json!({
                    "kind": kind, "sequence": h.sequence, "base_sequence": h.base_sequence, "signer": h.signer,
                    "issued_at": h.issued_at, "copies": h.copies, "revoked": h.revoked, "size": body.len(),
                    "etag": etag,
                }),
            },
        )?,
    ];
    if let Err(e) = ctx.db.0.batch(statements).await {
        let t = e.to_string();
        return Err(if is_unique_violation(&t) {
            conflict(
                "STATUS_SEQUENCE_TAKEN",
                "并发发布了相同序号的状态文件".to_owned(),
                "a concurrent publication took this sequence".to_owned(),
            )
        } else {
            ApiError::internal("publish status", t)
        });
    }
    // Committed: this data centre's shared cache forgets what was current (others within the bound).
    crate::edge_cache::purge_publications().await;
    let mut r = http::json(
        201,
        &json!({
            "sequence": h.sequence, "kind": kind, "base_sequence": h.base_sequence, "issued_at": h.issued_at,
            "etag": etag, "size": body.len(), "published": true,
        }),
    )?;
    http::set_header(&mut r, "etag", &etag);
    Ok(r)
}
