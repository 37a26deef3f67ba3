//! The `certificate_copies` table (migration 0003): one row per issued copy — the base certificate and each 加注
//! copy — keyed by its status id (`ecert_format::copy_status_id`, 32 bytes, hex in every API). Revocation is per
//! certificate (`certificates.revoked_at`), so every query that needs a copy's state joins its certificate. Also
//! the status buckets (a range of ids) and the publisher's universe (every copy, paged by id).

use serde::Deserialize;
use worker::D1PreparedStatement;

use ecert_format::{CertificateStatus, parse_status_id};

use super::{Db, blob, db_error, int, opt_text, text};
use crate::error::ApiResult;

/// A copy to register.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewCopy {
    pub status_id: [u8; 32],
    /// `status_id` as lowercase hex.
    pub status_id_hex: String,
    pub management_number: String,
    /// 加注编号; `None` for the base copy.
    pub annotation_number: Option<String>,
}

/// A registered copy.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct CopyRow {
    /// Lowercase hex.
    pub status_id: String,
    pub management_number: String,
    pub annotation_number: Option<String>,
}

/// The copies of these certificates (at most 50 numbers per call).
pub async fn of_certificates(db: &Db, management_numbers: &[&str]) -> ApiResult<Vec<CopyRow>> {
    if management_numbers.is_empty() {
        return Ok(Vec::new());
    }
    let placeholders = (1..=management_numbers.len()).map(|i| format!("?{i}")).collect::<Vec<_>>().join(",");
    let sql = format!(
        "SELECT lower(hex(status_id)) AS status_id, management_number, annotation_number FROM certificate_copies \
         WHERE management_number IN ({placeholders}) ORDER BY management_number, annotation_number"
    );
    let params: Vec<_> = management_numbers.iter().map(|s| text(s)).collect();
    db.stmt(&sql, &params)?.all().await.and_then(|r| r.results()).map_err(|e| db_error("select copies", e))
}

/// The INSERT of one new copy (for a batch).
pub fn insert(db: &Db, c: &NewCopy, now: i64) -> ApiResult<D1PreparedStatement> {
    db.stmt(
        "INSERT INTO certificate_copies (status_id, management_number, annotation_number, registered_at) \
         VALUES (?1, ?2, ?3, ?4)",
        &[blob(&c.status_id), text(&c.management_number), opt_text(c.annotation_number.as_deref()), int(now)],
    )
}

/// The state of the certificate a copy belongs to.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct CopyStatus {
    pub management_number: String,
    pub revoked_at: Option<i64>,
    pub revocation_reason: Option<String>,
}

impl CopyStatus {
    pub fn status(&self) -> CertificateStatus {
        state(self.revoked_at, self.revocation_reason.clone())
    }
}

fn state(revoked_at: Option<i64>, reason: Option<String>) -> CertificateStatus {
    match (revoked_at, reason) {
        (Some(revoked_at), Some(reason)) => CertificateStatus::Revoked { revoked_at, reason },
        _ => CertificateStatus::Valid,
    }
}

/// The registered copy with this status id, with its certificate's state; `None` when the registry never issued it.
pub async fn find(db: &Db, status_id: &[u8; 32]) -> ApiResult<Option<CopyStatus>> {
    db.stmt(
        "SELECT c.management_number AS management_number, c.revoked_at AS revoked_at, \
         c.revocation_reason AS revocation_reason \
         FROM certificate_copies AS k JOIN certificates AS c ON c.management_number = k.management_number \
         WHERE k.status_id = ?1",
        &[blob(status_id)],
    )?
    .first(None)
    .await
    .map_err(|e| db_error("select copy", e))
}

/// One row of a status bucket read: the change sequence the read saw and, unless the bucket is empty, one entry.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
struct BucketRow {
    seq: i64,
    status_id: Option<String>,
    revoked_at: Option<i64>,
    revocation_reason: Option<String>,
}

/// One entry of a status bucket.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatusRow {
    /// Lowercase hex.
    pub status_id: String,
    pub status: CertificateStatus,
}

/// A status bucket as read, with the highest change sequence number (`status_versions`, migrations 0002/0003) of
/// the same snapshot: the rows hold every change numbered up to `seq`, and any later change to this bucket gets
/// a higher number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BucketRead {
    pub seq: i64,
    pub rows: Vec<StatusRow>,
}

/// The first and last possible status id of a bucket (4 lowercase hex characters, checked by the caller).
pub fn bucket_bounds(prefix: &str) -> Option<([u8; 32], [u8; 32])> {
    let low = parse_status_id(&format!("{prefix}{}", "0".repeat(60)))?;
    let high = parse_status_id(&format!("{prefix}{}", "f".repeat(60)))?;
    Some((low, high))
}

/// Every copy whose status id starts with `prefix` (4 lowercase hex characters, checked by the caller) with its
/// certificate's state, and the change sequence of that snapshot — one statement, so one snapshot. The ids are a
/// range of the primary key.
pub async fn bucket(db: &Db, prefix: &str) -> ApiResult<BucketRead> {
    let (low, high) = bucket_bounds(prefix).ok_or_else(|| db_error("status bucket", "bad prefix"))?;
    let rows: Vec<BucketRow> = db
        .stmt(
            "SELECT v.seq AS seq, nullif(lower(hex(b.status_id)), '') AS status_id, b.revoked_at AS revoked_at, \
             b.revocation_reason AS revocation_reason \
             FROM (SELECT coalesce(max(seq), 0) AS seq FROM status_versions) AS v \
             LEFT JOIN (SELECT k.status_id, c.revoked_at, c.revocation_reason \
                        FROM certificate_copies AS k JOIN certificates AS c \
                        ON c.management_number = k.management_number \
                        WHERE k.status_id BETWEEN ?1 AND ?2) AS b \
             ORDER BY b.status_id",
            &[blob(&low), blob(&high)],
        )?
        .all()
        .await
        .and_then(|r| r.results())
        .map_err(|e| db_error("status bucket", e))?;
    let seq = rows.first().map(|r| r.seq).ok_or_else(|| db_error("status bucket", "no sequence row"))?;
    Ok(BucketRead {
        seq,
        rows: rows
            .into_iter()
            .filter_map(|r| {
                Some(StatusRow { status_id: r.status_id?, status: state(r.revoked_at, r.revocation_reason) })
            })
            .collect(),
    })
}

/// The buckets whose latest change is numbered after `after`, in sequence order, at most `limit` of them.
pub async fn buckets_changed_after(db: &Db, after: i64, limit: u32) -> ApiResult<Vec<(String, i64)>> {
    #[derive(Deserialize)]
    struct Row {
        prefix: String,
        seq: i64,
    }
    let rows: Vec<Row> = db
        .stmt(
            "SELECT prefix, seq FROM status_versions WHERE seq > ?1 ORDER BY seq LIMIT ?2",
            &[int(after), int(i64::from(limit))],
        )?
        .all()
        .await
        .and_then(|r| r.results())
        .map_err(|e| db_error("status versions", e))?;
    Ok(rows.into_iter().map(|r| (r.prefix, r.seq)).collect())
}

/// The status ids (hex) of every copy of a certificate.
pub async fn ids_of(db: &Db, management_number: &str) -> ApiResult<Vec<String>> {
    Ok(of_certificates(db, &[management_number]).await?.into_iter().map(|c| c.status_id).collect())
}

/// One copy of the universe.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct UniverseRow {
    /// Lowercase hex.
    pub status_id: String,
    pub registered_at: i64,
    pub revoked_at: Option<i64>,
}

/// Copies in status id order, after `after` (exclusive) when given, at most `limit`: the status publisher's view
/// of every issued copy, one page at a time.
pub async fn universe(db: &Db, after: Option<&[u8; 32]>, limit: u32) -> ApiResult<Vec<UniverseRow>> {
    const SELECT: &str = "SELECT lower(hex(k.status_id)) AS status_id, k.registered_at AS registered_at, \
                          c.revoked_at AS revoked_at \
                          FROM certificate_copies AS k JOIN certificates AS c \
                          ON c.management_number = k.management_number";
    let stmt = match after {
        Some(after) => db.stmt(
            &format!("{SELECT} WHERE k.status_id > ?1 ORDER BY k.status_id LIMIT ?2"),
            &[blob(after), int(i64::from(limit))],
        )?,
        None => db.stmt(&format!("{SELECT} ORDER BY k.status_id LIMIT ?1"), &[int(i64::from(limit))])?,
    };
    stmt.all().await.and_then(|r| r.results()).map_err(|e| db_error("status universe", e))
}

/// How many registered certificates have no copy yet (registered before migration 0003 and not registered
/// again since): their copies are missing from buckets, snapshots and `POST /v1/verify`.
pub async fn certificates_without_copies(db: &Db) -> ApiResult<i64> {
    #[derive(Deserialize)]
    struct Row {
        n: i64,
    }
    let row: Option<Row> = db
        .stmt(
            "SELECT count(*) AS n FROM certificates AS c \
             WHERE NOT EXISTS (SELECT 1 FROM certificate_copies AS k WHERE k.management_number = c.management_number)",
            &[],
        )?
        .first(None)
        .await
        .map_err(|e| db_error("certificates without copies", e))?;
    Ok(row.map_or(0, |r| r.n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds() {
        let (low, high) = bucket_bounds("ab12").unwrap();
        assert_eq!(&low[..3], &[0xab, 0x12, 0x00]);
        assert_eq!(&high[..3], &[0xab, 0x12, 0xff]);
        assert!(low.iter().skip(2).all(|b| *b == 0) && high.iter().skip(2).all(|b| *b == 0xff));
        assert!(bucket_bounds("AB12").is_none());
    }
}
