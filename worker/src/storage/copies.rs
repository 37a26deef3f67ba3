//! The `certificate_copies` table of the shards: one row per issued copy — the base certificate and each 加注 copy —
//! keyed by its status id (`ecert_format::copy_status_id`, 32 bytes, hex in every API), in its certificate's shard
//! (so a revocation, per certificate, revokes every copy in one transaction, and every query that needs a copy's
//! state joins its certificate in the same shard). Also the status buckets (a range of ids, read from every shard)
//! and the publisher's universe (every copy, paged by id, merged across shards). The buckets' change numbers
//! (`status_versions`) are in the control database.

use futures_util::future::join_all;
use serde::Deserialize;
use worker::D1PreparedStatement;

use ecert_format::{CertificateStatus, parse_status_id};

use super::shards::Store;
use super::{Db, blob, db_error, int, text};
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
    pub registered_at: i64,
}

/// Numbers per `IN (…)` query (D1 binds at most 100 parameters).
const CHUNK: usize = 50;

/// The copies of these certificates, each read from its certificate's shard (during a move, every shard the map
/// reads it from; a copy found twice is listed once).
pub async fn of_certificates(store: &Store, management_numbers: &[&str]) -> ApiResult<Vec<CopyRow>> {
    let mut groups: Vec<(&str, Vec<&str>)> = Vec::new();
    for m in management_numbers {
        for shard in store.map.read_at(store.slot_of(m)) {
            match groups.iter_mut().find(|(s, _)| *s == shard) {
                Some((_, v)) => v.push(m),
                None => groups.push((shard, vec![m])),
            }
        }
    }
    let mut out: Vec<CopyRow> = Vec::new();
    for (shard, numbers) in groups {
        let db = store.shard(shard)?;
        for chunk in numbers.chunks(CHUNK) {
            let placeholders = (1..=chunk.len()).map(|i| format!("?{i}")).collect::<Vec<_>>().join(",");
            let sql = format!(
                "SELECT lower(hex(status_id)) AS status_id, management_number, \
                 nullif(annotation_number, '') AS annotation_number, registered_at FROM certificate_copies \
                 WHERE management_number IN ({placeholders}) ORDER BY management_number, annotation_number"
            );
            let params: Vec<_> = chunk.iter().map(|s| text(s)).collect();
            let rows: Vec<CopyRow> = db
                .stmt(&sql, &params)?
                .all()
                .await
                .and_then(|r| r.results())
                .map_err(|e| db_error("select copies", e))?;
            for r in rows {
                if !out.iter().any(|o| o.status_id == r.status_id) {
                    out.push(r);
                }
            }
        }
    }
    Ok(out)
}

/// The INSERT of one copy into its certificate's shard (for a batch; `or_ignore`: a copy already there is kept).
pub fn insert(
    db: &Db,
    status_id: &[u8; 32],
    management_number: &str,
    annotation_number: Option<&str>,
    registered_at: i64,
    or_ignore: bool,
) -> ApiResult<D1PreparedStatement> {
    let verb = if or_ignore { "INSERT OR IGNORE" } else { "INSERT" };
    db.stmt(
        &format!(
            "{verb} INTO certificate_copies (status_id, management_number, annotation_number, registered_at) \
             VALUES (?1, ?2, ?3, ?4)"
        ),
        &[blob(status_id), text(management_number), text(annotation_number.unwrap_or("")), int(registered_at)],
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
/// A copy's id does not say its shard, so every shard is asked (in parallel; one primary-key read each).
pub async fn find(store: &Store, status_id: &[u8; 32]) -> ApiResult<Option<CopyStatus>> {
    let reads = store.map.scan().into_iter().map(|(shard, index, count)| async move {
        let db = store.shard(shard)?;
        db.stmt(
            "SELECT c.management_number AS management_number, c.revoked_at AS revoked_at, \
             c.revocation_reason AS revocation_reason \
             FROM certificate_copies AS k JOIN certificates AS c ON c.management_number = k.management_number \
             WHERE k.status_id = ?1 AND c.shard_hash % ?2 = ?3",
            &[blob(status_id), int(count as i64), int(index as i64)],
        )?
        .first::<CopyStatus>(None)
        .await
        .map_err(|e| db_error("select copy", e))
    });
    let mut found = None;
    for r in join_all(reads).await {
        if let Some(c) = r? {
            found.get_or_insert(c);
        }
    }
    Ok(found)
}

/// One entry of a status bucket.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatusRow {
    /// Lowercase hex.
    pub status_id: String,
    pub status: CertificateStatus,
}

/// A status bucket as read, with the highest change number (`status_versions`, control database) read *before* the
/// shards: every change numbered up to `seq` committed to its shard before its number was taken, so the rows hold
/// it; any later change to this bucket gets a higher number.
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

/// The highest change number of the status buckets.
pub async fn latest_change(control: &Db) -> ApiResult<i64> {
    #[derive(Deserialize)]
    struct Row {
        seq: i64,
    }
    let row: Option<Row> = control
        .stmt("SELECT coalesce(max(seq), 0) AS seq FROM status_versions", &[])?
        .first(None)
        .await
        .map_err(|e| db_error("status versions", e))?;
    Ok(row.map_or(0, |r| r.seq))
}

#[derive(Deserialize)]
struct BucketRow {
    status_id: String,
    revoked_at: Option<i64>,
    revocation_reason: Option<String>,
}

/// Every copy whose status id starts with `prefix` (4 lowercase hex characters, checked by the caller) with its
/// certificate's state: the change number first, then one range read of the primary key per shard, in parallel.
pub async fn bucket(store: &Store, prefix: &str) -> ApiResult<BucketRead> {
    let (low, high) = bucket_bounds(prefix).ok_or_else(|| db_error("status bucket", "bad prefix"))?;
    let seq = latest_change(&store.control).await?;
    let reads = store.map.scan().into_iter().map(|(shard, index, count)| async move {
        let db = store.shard(shard)?;
        db.stmt(
            "SELECT lower(hex(k.status_id)) AS status_id, c.revoked_at AS revoked_at, \
             c.revocation_reason AS revocation_reason \
             FROM certificate_copies AS k JOIN certificates AS c ON c.management_number = k.management_number \
             WHERE k.status_id BETWEEN ?1 AND ?2 AND c.shard_hash % ?3 = ?4",
            &[blob(&low), blob(&high), int(count as i64), int(index as i64)],
        )?
        .all()
        .await
        .and_then(|r| r.results::<BucketRow>())
        .map_err(|e| db_error("status bucket", e))
    });
    let mut rows: Vec<StatusRow> = Vec::new();
    for r in join_all(reads).await {
        rows.extend(
            r?.into_iter()
                .map(|r| StatusRow { status_id: r.status_id, status: state(r.revoked_at, r.revocation_reason) }),
        );
    }
    rows.sort_by(|a, b| a.status_id.cmp(&b.status_id));
    rows.dedup_by(|a, b| a.status_id == b.status_id);
    Ok(BucketRead { seq, rows })
}

/// The buckets whose latest change is numbered after `after`, in sequence order, at most `limit` of them.
pub async fn buckets_changed_after(control: &Db, after: i64, limit: u32) -> ApiResult<Vec<(String, i64)>> {
    #[derive(Deserialize)]
    struct Row {
        prefix: String,
        seq: i64,
    }
    let rows: Vec<Row> = control
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

/// The statement that gives each of these buckets (4 hex) the next change number, each its own (control database;
/// run after the shard committed the change and before it is acknowledged). `None` when there is none.
pub fn bump(control: &Db, prefixes: &[String]) -> ApiResult<Option<D1PreparedStatement>> {
    let mut p: Vec<&str> = prefixes.iter().filter_map(|s| s.get(..4)).collect();
    p.sort_unstable();
    p.dedup();
    if p.is_empty() {
        return Ok(None);
    }
    let list = serde_json::to_string(&p).unwrap_or_else(|_| "[]".to_owned());
    control
        .stmt(
            "INSERT INTO status_versions (prefix, seq) \
             SELECT value, (SELECT coalesce(max(seq), 0) FROM status_versions) + row_number() OVER (ORDER BY value) \
             FROM json_each(?1) WHERE true \
             ON CONFLICT (prefix) DO UPDATE SET seq = excluded.seq",
            &[text(&list)],
        )
        .map(Some)
}

/// The status ids (hex) of every copy of a certificate.
pub async fn ids_of(store: &Store, management_number: &str) -> ApiResult<Vec<String>> {
    Ok(of_certificates(store, &[management_number]).await?.into_iter().map(|c| c.status_id).collect())
}

/// One copy of the universe.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct UniverseRow {
    /// Lowercase hex.
    pub status_id: String,
    pub registered_at: i64,
    pub revoked_at: Option<i64>,
}

/// How many rows each shard is asked for to fill a page of `limit` across `shards` shards: ids are uniform, so
/// each shard holds about `limit / shards` of the next `limit`; a margin keeps short pages rare.
pub fn per_shard_limit(limit: u32, shards: usize) -> u32 {
    let n = u32::try_from(shards.max(1)).unwrap_or(1);
    (limit.div_ceil(n) + limit.div_ceil(n) / 4 + 16).min(limit)
}

/// Merge per-shard pages (each in id order, each marked full when it returned as many rows as asked) into one page
/// in id order: rows up to the smallest last id of a full page (beyond it a full shard may hold ids not read yet),
/// at most `limit`. Returns the rows and whether more may follow.
pub fn merge_pages(pages: Vec<(Vec<UniverseRow>, bool)>, limit: u32) -> (Vec<UniverseRow>, bool) {
    let cutoff: Option<String> = pages
        .iter()
        .filter(|(rows, full)| *full && !rows.is_empty())
        .filter_map(|(rows, _)| rows.last())
        .map(|r| r.status_id.clone())
        .min();
    let mut rows: Vec<UniverseRow> = pages
        .into_iter()
        .flat_map(|(rows, _)| rows)
        .filter(|r| cutoff.as_ref().is_none_or(|c| r.status_id <= *c))
        .collect();
    rows.sort_by(|a, b| a.status_id.cmp(&b.status_id));
    rows.dedup_by(|a, b| a.status_id == b.status_id);
    let truncated = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    (rows, truncated || cutoff.is_some())
}

/// Copies in status id order, after `after` (exclusive) when given, at most `limit`: the status publisher's view
/// of every issued copy, one page at a time — a range read of the primary key in every shard (in parallel), merged.
/// Returns the rows and whether another page may follow.
pub async fn universe(store: &Store, after: Option<&[u8; 32]>, limit: u32) -> ApiResult<(Vec<UniverseRow>, bool)> {
    let scan = store.map.scan();
    let per_shard = per_shard_limit(limit, scan.len());
    let reads = scan.into_iter().map(|(shard, index, count)| async move {
        let db = store.shard(shard)?;
        let rows: Vec<UniverseRow> = db
            .stmt(
                "SELECT lower(hex(k.status_id)) AS status_id, k.registered_at AS registered_at, \
                 c.revoked_at AS revoked_at \
                 FROM certificate_copies AS k JOIN certificates AS c ON c.management_number = k.management_number \
                 WHERE k.status_id > ?1 AND c.shard_hash % ?2 = ?3 ORDER BY k.status_id LIMIT ?4",
                &[blob(after.unwrap_or(&[0; 32])), int(count as i64), int(index as i64), int(i64::from(per_shard))],
            )?
            .all()
            .await
            .and_then(|r| r.results())
            .map_err(|e| db_error("status universe", e))?;
        let full = rows.len() == per_shard as usize;
        Ok::<_, crate::error::ApiError>((rows, full))
    });
    let mut pages = Vec::new();
    for r in join_all(reads).await {
        pages.push(r?);
    }
    // An id of 32 zero bytes is never issued (it is a SHA-256 output), so `> 0…0` is "from the start".
    Ok(merge_pages(pages, limit))
}

/// How many registered certificates have no copy yet (registered before migration 0003 and not registered
/// again since): their copies are missing from buckets, snapshots and `POST /v1/verify`. One read per shard.
pub async fn certificates_without_copies(store: &Store) -> ApiResult<i64> {
    #[derive(Deserialize)]
    struct Row {
        n: i64,
    }
    let reads = store.map.scan().into_iter().map(|(shard, index, count)| async move {
        let db = store.shard(shard)?;
        let row: Option<Row> = db
            .stmt(
                "SELECT count(*) AS n FROM certificates AS c WHERE c.shard_hash % ?1 = ?2 AND NOT EXISTS \
                 (SELECT 1 FROM certificate_copies AS k WHERE k.management_number = c.management_number)",
                &[int(count as i64), int(index as i64)],
            )?
            .first(None)
            .await
            .map_err(|e| db_error("certificates without copies", e))?;
        Ok::<_, crate::error::ApiError>(row.map_or(0, |r| r.n))
    });
    let mut n = 0;
    for r in join_all(reads).await {
        n += r?;
    }
    Ok(n)
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

    fn row(id: &str) -> UniverseRow {
        UniverseRow { status_id: id.repeat(64 / id.len()), registered_at: 1, revoked_at: None }
    }

    #[test]
    fn pages_merge_up_to_the_first_full_shard_end() {
        // Shard A returned a full page ending at 5…, shard B a short one: B's rows beyond 5… wait for the next page.
        let a = (vec![row("1"), row("3"), row("5")], true);
        let b = (vec![row("2"), row("6"), row("8")], false);
        let (rows, more) = merge_pages(vec![a, b], 10);
        let ids: Vec<_> = rows.iter().map(|r| &r.status_id[..1]).collect();
        assert_eq!(ids, ["1", "2", "3", "5"]);
        assert!(more);
        // No full page: everything, and the end.
        let (rows, more) = merge_pages(vec![(vec![row("1")], false), (vec![row("2")], false)], 10);
        assert_eq!((rows.len(), more), (2, false));
        // The limit cuts.
        let (rows, more) = merge_pages(vec![(vec![row("1"), row("2"), row("3")], false)], 2);
        assert_eq!((rows.len(), more), (2, true));
        assert_eq!(per_shard_limit(10_000, 4), 3141);
        assert_eq!(per_shard_limit(10, 1), 10);
    }
}
