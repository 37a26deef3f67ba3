//! The `certificates` table: registration, lookup by number, revocation. A certificate's copies (and so its status
//! buckets) are in `super::copies`.

use serde::Deserialize;
use wasm_bindgen::JsValue;
use worker::D1PreparedStatement;

use ecert_format::CertificateRecord;

use super::{Db, db_error, int, opt_text, text};
use crate::crypto::{Field, keyed_hash};
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
macro_rules! columns {
    () => {
        "management_number, query_number, qualification_code, issuer_id, approval_date, issue_date, \
         name_mac, id_mac, record_mac, registered_at, revoked_at, revocation_reason"
    };
}
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
            name_mac: keyed_hash(key, Field::Name, m, record.holder.name.as_bytes()),
            id_mac: keyed_hash(key, Field::IdNumber, m, record.holder.id_number.as_bytes()),
            record_mac: keyed_hash(key, Field::Record, m, &base.to_json()),
        }
    }
}

/// A unique key a certificate is looked up by. The column comes from the variant, never from input; only the
/// value is bound as a parameter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Key<'a> {
    /// 管理号 (the primary key).
    ManagementNumber(&'a str),
    /// 查询编号.
    QueryNumber(&'a str),
}

impl Key<'_> {
    /// The whole SELECT for this key, fixed at compile time.
    fn sql(self) -> &'static str {
        match self {
            Key::ManagementNumber(_) => {
                concat!("SELECT ", columns!(), " FROM certificates WHERE management_number = ?1")
            }
            Key::QueryNumber(_) => concat!("SELECT ", columns!(), " FROM certificates WHERE query_number = ?1"),
        }
    }

    fn value(self) -> JsValue {
        match self {
            Key::ManagementNumber(v) | Key::QueryNumber(v) => text(v),
        }
    }
}

/// The certificate with this 管理号 or 查询编号, if registered.
pub async fn find(db: &Db, key: Key<'_>) -> ApiResult<Option<CertificateRow>> {
    db.stmt(key.sql(), &[key.value()])?.first(None).await.map_err(|e| db_error("select certificate", e))
}

/// The rows already registered under any of these 管理号 or 查询编号 (at most 50 of each per call).
pub async fn existing(db: &Db, management_numbers: &[&str], query_numbers: &[&str]) -> ApiResult<Vec<CertificateRow>> {
    let placeholders =
        |start: usize, n: usize| (start..start + n).map(|i| format!("?{i}")).collect::<Vec<_>>().join(",");
    let m = placeholders(1, management_numbers.len());
    let q = placeholders(1 + management_numbers.len(), query_numbers.len());
    let sql = format!(
        "SELECT {COLUMNS} FROM certificates WHERE management_number IN ({m}) OR query_number IN ({q})",
        m = if m.is_empty() { "NULL".into() } else { m },
        q = if q.is_empty() { "NULL".into() } else { q },
    );
    let params: Vec<_> = management_numbers.iter().chain(query_numbers).map(|s| text(s)).collect();
    db.stmt(&sql, &params)?.all().await.and_then(|r| r.results()).map_err(|e| db_error("select existing", e))
}

/// The INSERT of one new certificate (for a batch).
pub fn insert(db: &Db, c: &NewCertificate, now: i64) -> ApiResult<D1PreparedStatement> {
    db.stmt(
        "INSERT INTO certificates (management_number, query_number, qualification_code, issuer_id, approval_date, \
         issue_date, name_mac, id_mac, record_mac, registered_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        &[
            text(&c.management_number),
            text(&c.query_number),
            text(&c.qualification_code),
            text(&c.issuer_id),
            text(&c.approval_date),
            text(&c.issue_date),
            text(&c.name_mac),
            text(&c.id_mac),
            text(&c.record_mac),
            int(now),
        ],
    )
}

/// The UPDATE that revokes a certificate still 有效; it returns the 管理号 of the row it revoked, none if the
/// certificate was already revoked.
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
    fn each_key_selects_every_column_by_its_own_column() {
        for (key, column) in
            [(Key::ManagementNumber("x"), "management_number"), (Key::QueryNumber("x"), "query_number")]
        {
            assert_eq!(key.sql(), format!("SELECT {COLUMNS} FROM certificates WHERE {column} = ?1"));
        }
    }
}
