//! The `status_publications` table (migration 0003): every status snapshot and delta the publisher uploaded. The
//! bytes are in R2; a row says where, with the signed header's facts and the ETag, so which file is current is one
//! indexed read.

use serde::Deserialize;
use worker::D1PreparedStatement;

use ecert_format::status_snapshot::{SnapshotHeader, SnapshotKind};

use super::{Db, db_error, int, text};
use crate::error::ApiResult;

/// A stored publication.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct Publication {
    pub sequence: i64,
    pub kind: String,
    pub base_sequence: i64,
    pub issued_at: i64,
    pub size: i64,
    pub sha256: String,
    pub etag: String,
    pub object_key: String,
}

macro_rules! columns {
    () => {
        "sequence, kind, base_sequence, issued_at, size, sha256, etag, object_key"
    };
}

/// What is current: the newest snapshot, the newest delta on top of it, and the highest sequence and latest
/// `issued_at` ever published (a new file must exceed the one and not go below the other).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Current {
    pub snapshot: Option<Publication>,
    pub delta: Option<Publication>,
    pub max_sequence: i64,
    pub max_issued_at: i64,
}

/// The current snapshot and delta, in one read (one snapshot of the database).
pub async fn current(db: &Db) -> ApiResult<Current> {
    #[derive(Deserialize)]
    struct Row {
        role: String,
        sequence: i64,
        kind: String,
        base_sequence: i64,
        issued_at: i64,
        size: i64,
        sha256: String,
        etag: String,
        object_key: String,
    }
    let rows: Vec<Row> = db
        .stmt(
            concat!(
                "WITH s AS (SELECT ",
                columns!(),
                " FROM status_publications WHERE kind = 'snapshot' ORDER BY sequence DESC LIMIT 1), ",
                "d AS (SELECT ",
                columns!(),
                " FROM status_publications WHERE kind = 'delta' AND base_sequence = (SELECT sequence FROM s) \
                 ORDER BY sequence DESC LIMIT 1), ",
                "m AS (SELECT coalesce(max(sequence), 0) AS sequence, 'max' AS kind, 0 AS base_sequence, \
                 coalesce(max(issued_at), 0) AS issued_at, 0 AS size, '' AS sha256, '' AS etag, '' AS object_key \
                 FROM status_publications) ",
                "SELECT 'snapshot' AS role, * FROM s UNION ALL SELECT 'delta' AS role, * FROM d \
                 UNION ALL SELECT 'max' AS role, * FROM m"
            ),
            &[],
        )?
        .all()
        .await
        .and_then(|r| r.results())
        .map_err(|e| db_error("current status publication", e))?;
    let mut out = Current::default();
    for r in rows {
        let p = Publication {
            sequence: r.sequence,
            kind: r.kind,
            base_sequence: r.base_sequence,
            issued_at: r.issued_at,
            size: r.size,
            sha256: r.sha256,
            etag: r.etag,
            object_key: r.object_key,
        };
        match r.role.as_str() {
            "snapshot" => out.snapshot = Some(p),
            "delta" => out.delta = Some(p),
            _ => {
                out.max_sequence = p.sequence;
                out.max_issued_at = p.issued_at;
            }
        }
    }
    Ok(out)
}

/// The publication with this sequence, if any.
pub async fn by_sequence(db: &Db, sequence: i64) -> ApiResult<Option<Publication>> {
    db.stmt(concat!("SELECT ", columns!(), " FROM status_publications WHERE sequence = ?1"), &[int(sequence)])?
        .first(None)
        .await
        .map_err(|e| db_error("status publication", e))
}

/// The INSERT of a new publication (fails on an existing sequence: the primary key).
#[allow(clippy::too_many_arguments)]
pub fn insert(
    db: &Db,
    h: &SnapshotHeader,
    size: usize,
    sha256: &str,
    etag: &str,
    object_key: &str,
    now: i64,
    by: &str,
) -> ApiResult<D1PreparedStatement> {
    let n = |v: u64| int(i64::try_from(v).unwrap_or(i64::MAX));
    db.stmt(
        "INSERT INTO status_publications (sequence, kind, base_sequence, signer, issued_at, covers_sealed_before, \
         copies, revoked, size, sha256, etag, object_key, published_at, published_by) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
        &[
            n(h.sequence),
            text(kind_name(h.kind)),
            n(h.base_sequence),
            text(&h.signer),
            int(h.issued_at),
            int(h.covers_sealed_before),
            n(h.copies),
            n(h.revoked),
            n(size as u64),
            text(sha256),
            text(etag),
            text(object_key),
            int(now),
            text(by),
        ],
    )
}

/// The stored name of a kind.
pub fn kind_name(kind: SnapshotKind) -> &'static str {
    match kind {
        SnapshotKind::Snapshot => "snapshot",
        SnapshotKind::Delta => "delta",
    }
}
