//! `GET /v1/status/{prefix}`: the k-anonymity status bucket. The client sends only the first 4 hex characters
//! of the certificate's status id and picks its own entry out of the answer, so the edge never learns which
//! certificate is being checked (docs/edge.md).

use worker::Response;

use ecert_format::status::{STATUS_BUCKET_SCHEMA, is_status_prefix};
use ecert_format::{CertificateStatus, StatusBucket, StatusEntry};

use super::Ctx;
use crate::error::{ApiError, ApiResult};
use crate::http;
use crate::storage::certificates;

pub async fn get(prefix: &str, ctx: &Ctx) -> ApiResult<Response> {
    if !is_status_prefix(prefix) {
        return Err(ApiError::new(
            400,
            "INVALID_PREFIX",
            "前缀应为4位小写十六进制字符",
            "the prefix must be exactly 4 lowercase hexadecimal characters",
        ));
    }
    let rows = certificates::bucket(&ctx.db, prefix).await?;
    let entries = rows
        .into_iter()
        .map(|r| StatusEntry {
            id: r.status_id,
            status: match (r.revoked_at, r.revocation_reason) {
                (Some(revoked_at), Some(reason)) => CertificateStatus::Revoked { revoked_at, reason },
                _ => CertificateStatus::Valid,
            },
        })
        .collect();
    let bucket = StatusBucket {
        schema: STATUS_BUCKET_SCHEMA.to_owned(),
        prefix: prefix.to_owned(),
        as_of: ctx.now,
        entries,
    };
    let mut r = http::json(200, &bucket)?;
    // A revocation must show at once: no shared caching of buckets.
    http::set_header(&mut r, "cache-control", "no-store");
    Ok(r)
}
