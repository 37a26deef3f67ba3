//! The `trust_lists` table: every published signed list; the current one has the highest sequence.

use serde::Deserialize;
use worker::D1PreparedStatement;

use super::{Db, db_error, int, text};
use crate::error::ApiResult;

#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct StoredTrustList {
    pub sequence: i64,
    /// The envelope JSON exactly as published.
    pub envelope: String,
    pub etag: String,
    pub issued_at: i64,
    pub next_update: i64,
    pub published_at: i64,
}

pub async fn current(db: &Db) -> ApiResult<Option<StoredTrustList>> {
    db.stmt(
        "SELECT sequence, envelope, etag, issued_at, next_update, published_at FROM trust_lists \
         ORDER BY sequence DESC LIMIT 1",
        &[],
    )?
    .first(None)
    .await
    .map_err(|e| db_error("current trust list", e))
}

/// The INSERT of a newly published list (fails on an existing sequence: the primary key).
#[allow(clippy::too_many_arguments)]
pub fn insert(
    db: &Db,
    sequence: u64,
    envelope: &str,
    etag: &str,
    issued_at: i64,
    next_update: i64,
    now: i64,
    by: &str,
) -> ApiResult<D1PreparedStatement> {
    db.stmt(
        "INSERT INTO trust_lists (sequence, envelope, etag, issued_at, next_update, published_at, published_by) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        &[
            int(i64::try_from(sequence).unwrap_or(i64::MAX)),
            text(envelope),
            text(etag),
            int(issued_at),
            int(next_update),
            int(now),
            text(by),
        ],
    )
}
