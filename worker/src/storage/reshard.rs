//! Copying rows between shards during a move to more shards (docs/edge.md, "Moving to more shards"), and once from
//! the pre-shard tables of the control database into the shards ("Migrating to shards").
//!
//! One page: up to `limit` certificates of the source in 管理号 order after a cursor, with their copies; each row
//! whose home under the map's target list is another database is written there (`INSERT OR IGNORE`: a row already
//! there — dual-written by a registration during the move, or copied before — is kept; a revocation is carried over
//! by an UPDATE that only touches a row still 有效), and every certificate's 查询编号 index row is written to its
//! target shard. One D1 batch per target shard. Idempotent: a page copied twice changes nothing the second time.

use futures_util::future::join_all;
use serde::Serialize;
use worker::D1PreparedStatement;

use super::certificates::{self, CertificateRow, columns};
use super::copies::{self, CopyRow};
use super::shards::{Kind, MapState, Store, slot};
use super::{Db, db_error, int, text};
use crate::error::{ApiError, ApiResult};

/// Most certificates per page.
pub const MAX_COPY_LIMIT: u32 = 200;

/// What one page did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct CopyPage {
    /// Certificates read from the source.
    pub read: usize,
    /// Certificates written to another shard (inserted, or their revocation carried over, or already there).
    pub copied: usize,
    /// Copies written with them.
    pub copies: usize,
    /// The cursor of the next page; `None` at the end.
    pub next_after: Option<String>,
}

/// Where a page is read from.
enum Source {
    /// The pre-shard tables of the control database (hex text hashes; no shard hash column).
    Legacy,
    /// A shard of the list being moved from: only the rows whose home it is (index, count).
    Shard(usize, usize),
}

/// Copy one page from `source` (a shard binding of the map being moved from, or `DB` for the pre-shard tables) to
/// the shards of the current map.
pub async fn copy_page(store: &Store, source_binding: &str, after: &str, limit: u32) -> ApiResult<CopyPage> {
    let map = store.map.clone();
    let source = if source_binding == crate::config::DB_BINDING {
        Source::Legacy
    } else {
        let list = match (map.state, &map.previous) {
            (MapState::Copying, Some(p)) => p,
            _ => {
                return Err(ApiError::new(
                    409,
                    "SHARD_MOVE_NOT_COPYING",
                    "分片图不在复制阶段，只能从控制库的旧表复制",
                    "the shard map is not in its copying state; only the control database's pre-shard tables can be copied",
                ));
            }
        };
        let index = list.iter().position(|s| s == source_binding).ok_or_else(|| {
            ApiError::invalid_field("source", "不是被迁出的分片", "not a shard of the map being moved from")
        })?;
        Source::Shard(index, list.len())
    };
    let db: Db = match source {
        Source::Legacy => store.shard(crate::config::DB_BINDING)?,
        Source::Shard(..) => store.shard(source_binding)?,
    };
    let rows: Vec<CertificateRow> = match source {
        Source::Legacy => db.stmt(
            concat!(
                "SELECT ",
                columns!(),
                " FROM certificates WHERE management_number > ?1 ORDER BY management_number LIMIT ?2"
            ),
            &[text(after), int(i64::from(limit))],
        )?,
        Source::Shard(index, count) => db.stmt(
            concat!(
                "SELECT ",
                columns!(),
                " FROM certificates WHERE management_number > ?1 AND shard_hash % ?3 = ?4 \
                 ORDER BY management_number LIMIT ?2"
            ),
            &[text(after), int(i64::from(limit)), int(count as i64), int(index as i64)],
        )?,
    }
    .all()
    .await
    .and_then(|r| r.results())
    .map_err(|e| db_error("copy: read certificates", e))?;
    let Some(last) = rows.last().map(|r| r.management_number.clone()) else {
        return Ok(CopyPage::default());
    };
    let copy_rows: Vec<CopyRow> = db
        .stmt(
            "SELECT lower(hex(status_id)) AS status_id, management_number, \
             nullif(annotation_number, '') AS annotation_number, registered_at FROM certificate_copies \
             WHERE management_number > ?1 AND management_number <= ?2",
            &[text(after), text(&last)],
        )?
        .all()
        .await
        .and_then(|r| r.results())
        .map_err(|e| db_error("copy: read copies", e))?;

    let mut batches: Vec<(String, Vec<D1PreparedStatement>)> = Vec::new();
    let mut push = |shard: &str, stmt: D1PreparedStatement| match batches.iter_mut().find(|(s, _)| s == shard) {
        Some((_, v)) => v.push(stmt),
        None => batches.push((shard.to_owned(), vec![stmt])),
    };
    let mut page = CopyPage { read: rows.len(), ..CopyPage::default() };
    let mut prefixes = Vec::new();
    for row in &rows {
        let home = store.slot_of(&row.management_number);
        let target = map.target(home);
        let moves = match source {
            Source::Legacy => true,
            Source::Shard(..) => target != source_binding,
        };
        if moves {
            let tdb = store.shard(target)?;
            push(target, certificates::insert(&tdb, row, home, true)?);
            if let (Some(at), Some(reason)) = (row.revoked_at, row.revocation_reason.as_deref()) {
                push(target, certificates::revoke(&tdb, &row.management_number, at, reason)?);
            }
            for c in copy_rows.iter().filter(|c| c.management_number == row.management_number) {
                let id = ecert_format::parse_status_id(&c.status_id)
                    .ok_or_else(|| db_error("copy", "bad stored copy id"))?;
                push(
                    target,
                    copies::insert(
                        &tdb,
                        &id,
                        &c.management_number,
                        c.annotation_number.as_deref(),
                        c.registered_at,
                        true,
                    )?,
                );
                prefixes.push(c.status_id.clone());
                page.copies += 1;
            }
            page.copied += 1;
        }
        let qhash = store.hash(Kind::QueryNumber, &row.query_number);
        let qtarget = map.target(slot(&qhash));
        let qdb = store.shard(qtarget)?;
        push(qtarget, certificates::insert_query_index(&qdb, &qhash, &row.management_number, true)?);
    }
    let writes = batches.into_iter().map(|(shard, stmts)| async move {
        let db = store.shard(&shard)?;
        db.batch(stmts).await.map(|_| ())
    });
    for r in join_all(writes).await {
        r?;
    }
    // New copies in the target shards change their buckets (from the pre-shard tables they appear for the first time).
    if let Some(stmt) = copies::bump(&store.control, &prefixes)? {
        store.control.batch(vec![stmt]).await?;
    }
    page.next_after = (rows.len() == limit as usize).then_some(last);
    Ok(page)
}
