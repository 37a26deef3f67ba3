//! The `certificates` and `query_index` tables of the shards (worker/migrations/shard/): registration, lookup by
//! number, revocation. A certificate lives in the shard of its 管理号 (`super::shards`); a 查询编号 is found through
//! its index row in the shard of the 查询编号's own hash. A certificate's copies (and so its status buckets) are in
//! `super::copies`. Keyed hashes are stored as 32-byte BLOBs and read back as lowercase hex.

use serde::Deserialize;
use wasm_bindgen::JsValue;
use worker::D1PreparedStatement;

use ecert_format::CertificateRecord;

use super::shards::{Kind, Store, slot};
use super::{Db, blob, db_error, int, opt_text, text};
use crate::crypto::{Field, id_mac, keyed_hash, name_mac};
use crate::error::ApiResult;

/// A stored certificate.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct CertificateRow {
    pub management_number: String,
    pub query_number: String,
    pub qualification_code: String,
    pub issuer_id: String,
    pub approval_date: String,
    pub issue_date: String,
    pub name_mac: String,
    pub id_mac: String,
    pub record_mac: String,
    pub registered_at: i64,
    pub revoked_at: Option<i64>,
    pub revocation_reason: Option<String>,
}

/// The columns of [`CertificateRow`], as a literal so whole queries can be built with `concat!`.
/// The hashes are read as hex whether stored as BLOBs (shards) or as hex text (the pre-shard `certificates` table of
/// the control database, read once by the copy into the shards).
macro_rules! columns {
    () => {
        "management_number, query_number, qualification_code, issuer_id, approval_date, issue_date, \
         CASE typeof(name_mac) WHEN 'blob' THEN lower(hex(name_mac)) ELSE name_mac END AS name_mac, \
         CASE typeof(id_mac) WHEN 'blob' THEN lower(hex(id_mac)) ELSE id_mac END AS id_mac, \
         CASE typeof(record_mac) WHEN 'blob' THEN lower(hex(record_mac)) ELSE record_mac END AS record_mac, \
         registered_at, revoked_at, revocation_reason"
    };
}
pub(crate) use columns;
const COLUMNS: &str = columns!();

/// What registration stores for a validated record: no plain name or ID number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewCertificate {
    pub management_number: String,
    pub query_number: String,
    pub qualification_code: String,
    pub issuer_id: String,
    pub approval_date: String,
    pub issue_date: String,
    pub name_mac: String,
    pub id_mac: String,
    pub record_mac: String,
}

impl NewCertificate {
    /// Derive the stored form of a validated record under the lookup key. The annotation is not part of the
    /// registration: every 加注件 of a certificate registers as the same certificate.
    pub fn from_record(record: &CertificateRecord, key: &[u8]) -> NewCertificate {
        let m = &record.management_number;
        let mut base = record.clone();
        base.annotation = None;
        NewCertificate {
            management_number: m.clone(),
            query_number: record.query_number.clone(),
            qualification_code: record.qualification.code.clone(),
            issuer_id: record.issuer.id.clone(),
            approval_date: record.approval_date.to_string(),
            issue_date: record.issue_date.to_string(),
            name_mac: name_mac(key, m, &record.holder.name),
            id_mac: id_mac(key, m, &record.holder.id_number),
            record_mac: keyed_hash(key, Field::Record, m, &base.to_json()),
        }
    }
}

/// A unique key a certificate is looked up by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Key<'a> {
    /// 管理号 (the primary key, and what places the certificate).
    ManagementNumber(&'a str),
    /// 查询编号 (through its index row).
    QueryNumber(&'a str),
}

const BY_NUMBER: &str = concat!("SELECT ", columns!(), " FROM certificates WHERE management_number = ?1");

/// A 32-byte hash given as 64 hex characters, as a BLOB parameter.
fn hash_blob(hex: &str) -> ApiResult<JsValue> {
    ecert_format::parse_status_id(hex).map(|b| blob(&b)).ok_or_else(|| db_error("hash", "not 64 hex characters"))
}

/// The certificate with this 管理号, read from its home shard (during a move: the shards the map says, in order).
pub async fn by_number(store: &Store, management_number: &str) -> ApiResult<Option<CertificateRow>> {
    for shard in store.map.read_at(store.slot_of(management_number)) {
        let db = store.shard(shard)?;
        let row: Option<CertificateRow> = db
            .stmt(BY_NUMBER, &[text(management_number)])?
            .first(None)
            .await
            .map_err(|e| db_error("select certificate", e))?;
        if row.is_some() {
            return Ok(row);
        }
    }
    Ok(None)
}

#[derive(Deserialize)]
struct Owner {
    management_number: String,
}

/// The 管理号 a 查询编号 is registered to, from its index row.
pub async fn owner_of_query(store: &Store, query_number: &str) -> ApiResult<Option<String>> {
    let hash = store.hash(Kind::QueryNumber, query_number);
    for shard in store.map.read_at(slot(&hash)) {
        let db = store.shard(shard)?;
        let row: Option<Owner> = db
            .stmt("SELECT management_number FROM query_index WHERE query_hash = ?1", &[blob(&hash)])?
            .first(None)
            .await
            .map_err(|e| db_error("select query index", e))?;
        if let Some(r) = row {
            return Ok(Some(r.management_number));
        }
    }
    Ok(None)
}

/// The certificate with this 管理号 or 查询编号, if registered: one shard for a 管理号; for a 查询编号 its index row's
/// shard, then the certificate's.
pub async fn find(store: &Store, key: Key<'_>) -> ApiResult<Option<CertificateRow>> {
    match key {
        Key::ManagementNumber(m) => by_number(store, m).await,
        Key::QueryNumber(q) => match owner_of_query(store, q).await? {
            Some(m) => Ok(by_number(store, &m).await?.filter(|r| r.query_number == q)),
            None => Ok(None),
        },
    }
}

/// Numbers per `IN (…)` query (D1 binds at most 100 parameters).
const CHUNK: usize = 50;

/// Group items by the shards they are read from (every shard of `read_at`, in order).
fn by_read_shard<'a, T: Copy>(store: &'a Store, items: &[(i64, T)]) -> Vec<(&'a str, Vec<T>)> {
    let mut groups: Vec<(&str, Vec<T>)> = Vec::new();
    for (slot, item) in items {
        for shard in store.map.read_at(*slot) {
            match groups.iter_mut().find(|(s, _)| *s == shard) {
                Some((_, v)) => v.push(*item),
                None => groups.push((shard, vec![*item])),
            }
        }
    }
    groups
}

/// The rows registered under any of these 管理号 (one query per shard and 50 numbers); during a move the first
/// shard in read order that has a number answers for it.
pub async fn existing(store: &Store, management_numbers: &[&str]) -> ApiResult<Vec<CertificateRow>> {
    let items: Vec<(i64, &str)> = management_numbers.iter().map(|m| (store.slot_of(m), *m)).collect();
    let mut found: Vec<(usize, CertificateRow)> = Vec::new();
    for (shard, numbers) in by_read_shard(store, &items) {
        let db = store.shard(shard)?;
        for chunk in numbers.chunks(CHUNK) {
            let placeholders = (1..=chunk.len()).map(|i| format!("?{i}")).collect::<Vec<_>>().join(",");
            let sql = format!("SELECT {COLUMNS} FROM certificates WHERE management_number IN ({placeholders})");
            let params: Vec<_> = chunk.iter().map(|s| text(s)).collect();
            let rows: Vec<CertificateRow> = db
                .stmt(&sql, &params)?
                .all()
                .await
                .and_then(|r| r.results())
                .map_err(|e| db_error("select existing", e))?;
            for row in rows {
                let rank = store.map.read_at(store.slot_of(&row.management_number)).iter().position(|s| *s == shard);
                let rank = rank.unwrap_or(usize::MAX);
                match found.iter_mut().find(|(_, r)| r.management_number == row.management_number) {
                    Some(prev) if prev.0 <= rank => {}
                    Some(prev) => *prev = (rank, row),
                    None => found.push((rank, row)),
                }
            }
        }
    }
    Ok(found.into_iter().map(|(_, r)| r).collect())
}

/// For each of these 查询编号 that has an index row: (查询编号, the 管理号 it names).
pub async fn query_owners(store: &Store, query_numbers: &[&str]) -> ApiResult<Vec<(String, String)>> {
    #[derive(Deserialize)]
    struct Row {
        query_hash: String,
        management_number: String,
    }
    let hashed: Vec<(String, &str)> =
        query_numbers.iter().map(|q| (ecert_format::trust_list::hex(&store.hash(Kind::QueryNumber, q)), *q)).collect();
    let items: Vec<(i64, usize)> = hashed
        .iter()
        .enumerate()
        .map(|(i, (h, _))| (ecert_format::parse_status_id(h).map_or(0, |b| slot(&b)), i))
        .collect();
    let mut out: Vec<(String, String)> = Vec::new();
    for (shard, indices) in by_read_shard(store, &items) {
        let db = store.shard(shard)?;
        for chunk in indices.chunks(CHUNK) {
            let placeholders = (1..=chunk.len()).map(|i| format!("?{i}")).collect::<Vec<_>>().join(",");
            let sql = format!(
                "SELECT lower(hex(query_hash)) AS query_hash, management_number FROM query_index \
                 WHERE query_hash IN ({placeholders})"
            );
            let params = chunk
                .iter()
                .filter_map(|i| hashed.get(*i))
                .map(|(h, _)| hash_blob(h))
                .collect::<ApiResult<Vec<_>>>()?;
            let rows: Vec<Row> = db
                .stmt(&sql, &params)?
                .all()
                .await
                .and_then(|r| r.results())
                .map_err(|e| db_error("select query index", e))?;
            for r in rows {
                if let Some((_, q)) = hashed.iter().find(|(h, _)| *h == r.query_hash)
                    && !out.iter().any(|(oq, _)| oq == q)
                {
                    out.push(((*q).to_owned(), r.management_number));
                }
            }
        }
    }
    Ok(out)
}

/// The INSERT of a certificate row into a shard (for a batch): a new registration (`revoked` none), or a row copied
/// from another shard with its revocation (`or_ignore`: a row already there is kept).
pub fn insert(db: &Db, row: &CertificateRow, shard_slot: i64, or_ignore: bool) -> ApiResult<D1PreparedStatement> {
    let verb = if or_ignore { "INSERT OR IGNORE" } else { "INSERT" };
    db.stmt(
        &format!(
            "{verb} INTO certificates (management_number, query_number, shard_hash, qualification_code, issuer_id, \
             approval_date, issue_date, name_mac, id_mac, record_mac, registered_at, revoked_at, revocation_reason) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"
        ),
        &[
            text(&row.management_number),
            text(&row.query_number),
            int(shard_slot),
            text(&row.qualification_code),
            text(&row.issuer_id),
            text(&row.approval_date),
            text(&row.issue_date),
            hash_blob(&row.name_mac)?,
            hash_blob(&row.id_mac)?,
            hash_blob(&row.record_mac)?,
            int(row.registered_at),
            row.revoked_at.map_or(JsValue::NULL, int),
            opt_text(row.revocation_reason.as_deref()),
        ],
    )
}

impl NewCertificate {
    /// The row a registration at `now` stores.
    pub fn row(&self, now: i64) -> CertificateRow {
        CertificateRow {
            management_number: self.management_number.clone(),
            query_number: self.query_number.clone(),
            qualification_code: self.qualification_code.clone(),
            issuer_id: self.issuer_id.clone(),
            approval_date: self.approval_date.clone(),
            issue_date: self.issue_date.clone(),
            name_mac: self.name_mac.clone(),
            id_mac: self.id_mac.clone(),
            record_mac: self.record_mac.clone(),
            registered_at: now,
            revoked_at: None,
            revocation_reason: None,
        }
    }
}

/// The INSERT of a 查询编号's index row (`or_ignore`: an existing row is kept; otherwise a taken 查询编号 fails the
/// batch with a uniqueness violation).
pub fn insert_query_index(
    db: &Db,
    query_hash: &[u8; 32],
    management_number: &str,
    or_ignore: bool,
) -> ApiResult<D1PreparedStatement> {
    let verb = if or_ignore { "INSERT OR IGNORE" } else { "INSERT" };
    db.stmt(
        &format!("{verb} INTO query_index (query_hash, management_number) VALUES (?1, ?2)"),
        &[blob(query_hash), text(management_number)],
    )
}

/// The UPDATE that revokes a certificate still 有效; it returns the 管理号 of the row it revoked, none if the
/// certificate was already revoked (or is not in this shard).
pub fn revoke(db: &Db, management_number: &str, revoked_at: i64, reason: &str) -> ApiResult<D1PreparedStatement> {
    db.stmt(
        "UPDATE certificates SET revoked_at = ?2, revocation_reason = ?3 \
         WHERE management_number = ?1 AND revoked_at IS NULL RETURNING management_number",
        &[text(management_number), int(revoked_at), opt_text(Some(reason))],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_select_reads_every_column_by_the_number() {
        assert_eq!(BY_NUMBER, format!("SELECT {COLUMNS} FROM certificates WHERE management_number = ?1"));
        assert!(COLUMNS.contains("lower(hex(name_mac))"));
    }
}
