//! Copying rows between shards during a move to more shards (docs/edge.md, "Moving to more shards"), and once from
//! the pre-shard tables of the control database into the shards ("Migrating to shards").
//!
//! One page: up to `limit` certificates of the source in 管理号 order after a cursor, with their copies; each row
//! whose home under the map's target list is another database is written there (`INSERT OR IGNORE`: a row already
//! there — dual-written by a registration during the move, or copied before — is kept; a revocation is carried over
//! by an UPDATE that only touches a row still 有效), and every certificate's 查询编号 index row is written to its
//! target shard. One D1 batch per target shard. Idempotent: a page copied twice changes nothing the second time.
//! A certificate's 加注 jobs and stored base PDF (issue 18) move with it, as read (`INSERT OR IGNORE`: a job changed
//! during the move was already put into its new home by that change).
//!
//! The holders' rows (`holder_index`, `accounts`, `sessions`) are placed by the holder key, not by a 管理号: they are
//! copied by their own pages ([`copy_holders_page`], cursor: the holder key in hex).

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

    // A certificate's jobs and stored base PDF (not in the pre-shard tables: issue 18 came later).
    let (job_rows, file_rows) = match source {
        Source::Legacy => (Vec::new(), Vec::new()),
        Source::Shard(..) => super::jobs::in_range(&db, after, &last).await?,
    };

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
            for j in job_rows.iter().filter(|j| j.management_number == row.management_number) {
                push(target, super::jobs::insert_row(&tdb, j, home)?);
            }
            for f in file_rows.iter().filter(|f| f.management_number == row.management_number) {
                push(target, super::jobs::insert_file_row(&tdb, f)?);
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

/// What one page of holder rows did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct HolderPage {
    /// Holder keys read from the source (with an index row or an account).
    pub read: usize,
    /// Holder keys whose rows were written to another shard.
    pub copied: usize,
    pub accounts: usize,
    pub sessions: usize,
    /// The cursor of the next page (the last holder key, hex); `None` at the end.
    pub next_after: Option<String>,
}

/// Copy one page of holder rows (holder index, account, sessions) of a shard of the map being moved from to the
/// holders' homes under the new list (`INSERT OR IGNORE`; idempotent). A session deleted during the move (logout,
/// account deletion) is deleted in both homes, so the copy, which reads the old home, does not bring it back.
pub async fn copy_holders_page(store: &Store, source_binding: &str, after: &str, limit: u32) -> ApiResult<HolderPage> {
    let map = store.map.clone();
    let list = match (map.state, &map.previous) {
        (MapState::Copying, Some(p)) => p,
        _ => {
            return Err(ApiError::new(
                409,
                "SHARD_MOVE_NOT_COPYING",
                "分片图不在复制阶段",
                "the shard map is not in its copying state",
            ));
        }
    };
    let index = list.iter().position(|s| s == source_binding).ok_or_else(|| {
        ApiError::invalid_field("source", "不是被迁出的分片", "not a shard of the map being moved from")
    })?;
    let count = list.len();
    let after_key = if after.is_empty() {
        vec![]
    } else {
        ecert_format::parse_status_id(after)
            .ok_or_else(|| ApiError::invalid_field("after", "应为64位十六进制", "64 hex digits"))?
            .to_vec()
    };
    let db = store.shard(source_binding)?;
    #[derive(serde::Deserialize)]
    struct Key {
        holder_key: String,
    }
    let keys: Vec<Key> = db
        .stmt(
            "SELECT lower(hex(holder_key)) AS holder_key FROM (\
               SELECT holder_key, shard_hash FROM holder_index UNION SELECT holder_key, shard_hash FROM accounts) \
             WHERE holder_key > ?1 AND shard_hash % ?2 = ?3 ORDER BY holder_key LIMIT ?4",
            &[super::blob(&after_key), int(count as i64), int(index as i64), int(i64::from(limit))],
        )?
        .all()
        .await
        .and_then(|r| r.results())
        .map_err(|e| db_error("copy: read holder keys", e))?;
    let mut page = HolderPage { read: keys.len(), ..HolderPage::default() };
    let Some(last) = keys.last().map(|k| k.holder_key.clone()) else {
        return Ok(page);
    };
    let mut batches: Vec<(String, Vec<D1PreparedStatement>)> = Vec::new();
    for k in &keys {
        let Some(hk) = ecert_format::parse_status_id(&k.holder_key) else { continue };
        let target = map.target(crate::holder::holder_slot(&hk));
        if target == source_binding {
            continue;
        }
        let key = super::blob(&hk);
        let tdb = store.shard(target)?;
        let mut stmts = Vec::new();
        #[derive(serde::Deserialize)]
        struct Number {
            management_number: String,
        }
        let numbers: Vec<Number> = db
            .stmt("SELECT management_number FROM holder_index WHERE holder_key = ?1", std::slice::from_ref(&key))?
            .all()
            .await
            .and_then(|r| r.results())
            .map_err(|e| db_error("copy: read holder index", e))?;
        for n in &numbers {
            stmts.push(super::holders::insert_index(&tdb, &hk, &n.management_number)?);
        }
        // The account and its sessions, as stored (hashes and salts are BLOBs: copied by SQL, never through JSON).
        let copied: Vec<serde_json::Value> = tdb
            .stmt("SELECT 1 AS x FROM accounts WHERE holder_key = ?1", std::slice::from_ref(&key))?
            .all()
            .await
            .and_then(|r| r.results())
            .map_err(|e| db_error("copy: read target account", e))?;
        let account = super::holders::account_row(&db, &hk).await?;
        if let Some(a) = account {
            if copied.is_empty() {
                page.accounts += 1;
            }
            stmts.push(super::holders::insert_account_row(&tdb, &hk, &a)?);
            for sess in super::holders::session_rows(&db, &hk).await? {
                stmts.push(super::holders::insert_session_row(&tdb, &hk, &sess)?);
                page.sessions += 1;
            }
        }
        page.copied += 1;
        match batches.iter_mut().find(|(s, _)| s == target) {
            Some((_, v)) => v.extend(stmts),
            None => batches.push((target.to_owned(), stmts)),
        }
    }
    let writes = batches.into_iter().map(|(shard, stmts)| async move {
        let db = store.shard(&shard)?;
        db.batch(stmts).await.map(|_| ())
    });
    for r in join_all(writes).await {
        r?;
    }
    page.next_after = (keys.len() == limit as usize).then_some(last);
    Ok(page)
}
