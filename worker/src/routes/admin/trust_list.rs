//! `PUT /v1/admin/trust-list`: publish a new signed trust list. It must verify under the pinned root
//! (`ROOT_SPKI`), carry a sequence above the current one (the same sequence with the same bytes is an
//! idempotent no-op), and name only issuers and qualifications the registry knows.

use serde_json::json;
use worker::{Request, Response};

use ecert_format::trust_list::MAX_TRUST_LIST_BYTES;
use ecert_verify::VerifiedTrustList;

use super::super::Ctx;
use crate::auth::Right;
use crate::config;
use crate::error::{ApiError, ApiResult};
use crate::http;
use crate::storage::audit::{self, AuditEntry};
use crate::storage::{is_unique_violation, trust_lists};
use crate::trust::{self, etag_of};

pub async fn publish_trust_list(req: &mut Request, ctx: &Ctx) -> ApiResult<Response> {
    let principal = ctx.authorize(req, Right::PublishTrustList)?;
    let root = config::root_spki(&ctx.env)?;
    let body = http::read_body(req, MAX_TRUST_LIST_BYTES).await?;
    let text = String::from_utf8(body).map_err(|_| ApiError::malformed_json("not UTF-8"))?;
    // Strict: a repeated key is 400 DUPLICATE_KEY here too, before the core sees the envelope.
    http::parse_json_value(text.as_bytes())?;

    let current = trust_lists::current(&ctx.db).await?;
    let held = current.as_ref().map_or(0, |c| u64::try_from(c.sequence).unwrap_or(0));
    // The core's own verification (signature, rollback, key ids, registry references) and every seal's
    // certificate and chain (a verifier checks those on first use), so the edge never publishes a list with a
    // seal a verifier would not trust; then the edge's own sequence bound.
    let verified = VerifiedTrustList::from_signed_json(text.as_bytes(), &root, held).map_err(|e| trust::refuse(&e))?;
    verified.check_every_seal().map_err(|e| trust::refuse(&e))?;
    let list = verified.list();
    trust::check_content(list)?;

    let etag = etag_of(text.as_bytes());
    if let Some(c) = &current
        && u64::try_from(c.sequence).ok() == Some(list.sequence)
    {
        return if c.envelope == text {
            let mut r = http::json(200, &json!({ "sequence": list.sequence, "etag": etag, "published": false }))?;
            http::set_header(&mut r, "etag", &etag);
            Ok(r)
        } else {
            Err(ApiError::new(
                409,
                "TRUST_LIST_SEQUENCE_TAKEN",
                format!("序号{}已发布了不同的信任列表", list.sequence),
                format!("a different trust list was already published with sequence {}", list.sequence),
            ))
        };
    }

    let sequence = list.sequence.to_string();
    let statements = vec![
        trust_lists::insert(
            &ctx.db,
            list.sequence,
            &text,
            &etag,
            list.issued_at,
            list.next_update,
            ctx.now,
            principal.name,
        )?,
        audit::append(
            &ctx.db,
            &AuditEntry {
                at: ctx.now,
                actor: principal.name,
                request_id: &ctx.request_id,
                action: "publish_trust_list",
                target: &sequence,
                detail: json!({ "sequence": list.sequence, "previous": held, "etag": etag, "issuers": list.issuers.len() }),
            },
        )?,
    ];
    if let Err(e) = ctx.db.0.batch(statements).await {
        let t = e.to_string();
        return Err(if is_unique_violation(&t) {
            ApiError::new(
                409,
                "TRUST_LIST_SEQUENCE_TAKEN",
                "并发发布了相同序号的信任列表",
                "a concurrent publication took this sequence",
            )
        } else {
            ApiError::internal("publish trust list", t)
        });
    }
    // Committed: this data centre's shared cache forgets what was current (others within the bound).
    crate::edge_cache::purge_publications().await;
    let mut r = http::json(
        201,
        &json!({ "sequence": list.sequence, "etag": etag, "published": true, "issued_at": list.issued_at, "next_update": list.next_update }),
    )?;
    http::set_header(&mut r, "etag", &etag);
    Ok(r)
}
