//! `POST /v1/admin/certificates`: register issued certificates in bulk (`{"records": [ecert.record/1, …]}`).
//!
//! Every record is validated with ecert-format first (422 listing each bad record, nothing written), conflicts with
//! what is registered are refused (409 listing them, nothing written). Then the writes, per shard (docs/edge.md,
//! "Shards"): first the 查询编号 index rows of new certificates (one batch per shard: a 查询编号 taken meanwhile fails
//! it), then each certificate with its copies in its own shard (one batch per shard, a transaction each), then the
//! buckets' change numbers and one audit entry in the control database. Batches in different shards are not one
//! transaction: if one fails, the answer is an error and what the others wrote stays; registering the same records
//! again completes it (re-registering an identical record is a no-op: `unchanged`).
//!
//! Every record is also a certificate *copy* (docs/edge.md, "Certificate copies"): its status id is the digest of
//! its canonical bytes (`CertificateRecord::to_json`, exactly what the issuer seals). A record registers the
//! certificate (its base fields), the base copy (the record without its 加注: every certificate has one) and, when
//! it carries a 加注, that annotated copy too. The answer lists the status id of every copy the request named.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use worker::{Request, Response};

use ecert_format::{CertificateRecord, Registry, copy_status_id, copy_status_id_hex};

use super::super::Ctx;
use super::bilingual;
use crate::auth::Right;
use crate::config;
use crate::error::{ApiError, ApiResult, Message};
use crate::http;
use crate::storage::audit::{self, AuditEntry};
use crate::storage::certificates::{self, CertificateRow, NewCertificate};
use crate::storage::copies::{self, CopyRow, NewCopy};
use crate::storage::holders as holder_store;
use crate::storage::is_unique_violation;
use crate::storage::shards::{Kind, slot};

/// Most records in one request.
pub const MAX_RECORDS: usize = 500;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RegisterRequest {
    records: Vec<Value>,
}

#[derive(Serialize)]
struct Problem {
    index: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    management_number: Option<String>,
    code: &'static str,
    message: Message,
}

#[derive(Serialize)]
struct Registered {
    /// 管理号 of the certificates this request registered.
    created: Vec<String>,
    /// 管理号 of the certificates that were registered already.
    unchanged: Vec<String>,
    /// Every copy the request named (each record's base copy, and its annotated copy when it has a 加注), once.
    copies: Vec<CopyView>,
}

#[derive(Serialize)]
struct CopyView {
    management_number: String,
    /// 加注编号; `null` for the base copy.
    annotation_number: Option<String>,
    /// Lowercase hex `ecert_format::copy_status_id` of the copy's record bytes.
    status_id: String,
    /// `true` when this request registered it.
    created: bool,
}

/// The copies a record stands for: its base copy and, when it carries a 加注, itself.
fn copies_of(record: &CertificateRecord) -> Vec<NewCopy> {
    let mut base = record.clone();
    base.annotation = None;
    let mut out = vec![copy(&base.to_json(), &record.management_number, None)];
    if let Some(a) = &record.annotation {
        out.push(copy(&record.to_json(), &record.management_number, Some(a.number.clone())));
    }
    out
}

fn copy(bytes: &[u8], management_number: &str, annotation_number: Option<String>) -> NewCopy {
    NewCopy {
        status_id: copy_status_id(bytes),
        status_id_hex: copy_status_id_hex(bytes),
        management_number: management_number.to_owned(),
        annotation_number,
    }
}

pub async fn register(req: &mut Request, ctx: &Ctx) -> ApiResult<Response> {
    let principal = ctx.authorize(req, Right::RegisterCertificates)?;
    let key = config::lookup_key(&ctx.env)?;
    let body: RegisterRequest = http::read_json(req).await?;
    if body.records.is_empty() || body.records.len() > MAX_RECORDS {
        return Err(ApiError::invalid_field(
            "records",
            &format!("应包含1至{MAX_RECORDS}条记录"),
            &format!("must hold 1 to {MAX_RECORDS} records"),
        ));
    }

    // 1. Validate every record.
    let registry = Registry::builtin();
    let mut problems = Vec::new();
    let mut new: Vec<(usize, NewCertificate)> = Vec::new();
    let mut named: Vec<(usize, NewCopy)> = Vec::new();
    // Each certificate's holder (docs/holder.md: holder_index), by 管理号.
    let mut holders: HashMap<String, [u8; 32]> = HashMap::new();
    for (index, value) in body.records.iter().enumerate() {
        let number = value.get("management_number").and_then(Value::as_str).map(str::to_owned);
        let bytes = serde_json::to_vec(value).unwrap_or_default();
        match CertificateRecord::from_json(&bytes, registry) {
            Ok(record) => {
                named.extend(copies_of(&record).into_iter().map(|c| (index, c)));
                if let Some(h) = crate::holder::holder_key_of_record(&key, &record) {
                    holders.insert(record.management_number.clone(), h);
                }
                new.push((index, NewCertificate::from_record(&record, &key)))
            }
            Err(e) => problems.push(Problem {
                index,
                management_number: number,
                code: "INVALID_RECORD",
                message: bilingual(&e.to_string()),
            }),
        }
    }
    if !problems.is_empty() {
        return Err(ApiError::new(
            422,
            "INVALID_RECORDS",
            "部分记录未通过校验，未登记任何记录",
            "some records are invalid; nothing was registered",
        )
        .with("errors", serde_json::to_value(&problems).unwrap_or(Value::Null)));
    }

    // 2. Duplicates inside the request: identical ones collapse, different ones conflict.
    let mut by_number: HashMap<&str, &NewCertificate> = HashMap::new();
    let mut by_query: HashMap<&str, &str> = HashMap::new();
    let mut unique: Vec<&NewCertificate> = Vec::new();
    for (index, c) in &new {
        match by_number.get(c.management_number.as_str()) {
            Some(prev) if prev.record_mac == c.record_mac => continue,
            Some(_) => problems.push(conflict(
                *index,
                &c.management_number,
                "管理号在本次请求中出现两次且内容不同",
                "the management number appears twice in this request with different content",
            )),
            None => {
                if let Some(other) = by_query.get(c.query_number.as_str())
                    && *other != c.management_number
                {
                    problems.push(conflict(
                        *index,
                        &c.management_number,
                        "查询编号与本次请求中另一证书重复",
                        "the query number is used by another certificate in this request",
                    ));
                    continue;
                }
                by_number.insert(&c.management_number, c);
                by_query.insert(&c.query_number, &c.management_number);
                unique.push(c);
            }
        }
    }

    // Copies: the same copy named twice collapses; two different copies for one 加注 (or two base copies of one
    // certificate: only when the certificate conflicts already) conflict.
    let mut copy_list: Vec<(usize, &NewCopy)> = Vec::new();
    for (index, c) in &named {
        if has_problem(&problems, &c.management_number) {
            continue;
        }
        match copy_list
            .iter()
            .find(|(_, k)| k.management_number == c.management_number && k.annotation_number == c.annotation_number)
        {
            Some((_, k)) if k.status_id == c.status_id => {}
            Some(_) => problems.push(conflict(
                *index,
                &c.management_number,
                "同一加注编号在本次请求中对应不同的证书内容",
                "the same annotation number appears twice in this request with different content",
            )),
            None => copy_list.push((*index, c)),
        }
    }

    // 3. Against what is registered (each number read from its own shard).
    let store = ctx.store().await?;
    let m: Vec<&str> = unique.iter().map(|c| c.management_number.as_str()).collect();
    let q: Vec<&str> = unique.iter().map(|c| c.query_number.as_str()).collect();
    let existing: Vec<CertificateRow> = certificates::existing(&store, &m).await?;
    let owners: Vec<(String, String)> = certificates::query_owners(&store, &q).await?;
    let index_of = |m: &str| new.iter().find(|(_, c)| c.management_number == m).map_or(0, |(i, _)| *i);
    let mut created = Vec::new();
    let mut unchanged = Vec::new();
    for c in &unique {
        let same_number = existing.iter().find(|r| r.management_number == c.management_number);
        let same_query = owners.iter().find(|(q, m)| *q == c.query_number && *m != c.management_number);
        match (same_number, same_query) {
            (_, Some(_)) => problems.push(conflict(
                index_of(&c.management_number),
                &c.management_number,
                "查询编号已被另一证书使用",
                "the query number is registered to another certificate",
            )),
            (Some(row), None) if row.record_mac == c.record_mac && row.query_number == c.query_number => {
                unchanged.push(*c)
            }
            (Some(_), None) => problems.push(conflict(
                index_of(&c.management_number),
                &c.management_number,
                "该管理号已登记了不同的证书内容",
                "the management number is registered with different content",
            )),
            (None, None) => created.push(*c),
        }
    }
    // The copies registered for these certificates.
    let registered: Vec<CopyRow> = copies::of_certificates(&store, &m).await?;
    let mut views = Vec::with_capacity(copy_list.len());
    let mut new_copies: Vec<&NewCopy> = Vec::new();
    for (index, c) in &copy_list {
        if has_problem(&problems, &c.management_number) {
            continue;
        }
        let same_slot = registered
            .iter()
            .find(|r| r.management_number == c.management_number && r.annotation_number == c.annotation_number);
        let created = match same_slot {
            Some(r) if r.status_id == c.status_id_hex => false,
            Some(_) => {
                problems.push(conflict(
                    *index,
                    &c.management_number,
                    if c.annotation_number.is_some() {
                        "该加注编号已登记了不同的加注件"
                    } else {
                        "该证书已登记了不同的基础件"
                    },
                    if c.annotation_number.is_some() {
                        "the annotation number is registered with a different annotated copy"
                    } else {
                        "the certificate is registered with a different base copy"
                    },
                ));
                continue;
            }
            None => {
                new_copies.push(c);
                true
            }
        };
        views.push(CopyView {
            management_number: c.management_number.clone(),
            annotation_number: c.annotation_number.clone(),
            status_id: c.status_id_hex.clone(),
            created,
        });
    }
    if !problems.is_empty() {
        return Err(conflicts(&problems));
    }

    // 4. Write, shard by shard: index rows, then certificates before their copies (the copies' foreign key); then the
    //    change numbers and the audit entry in the control database.
    if !created.is_empty() || !new_copies.is_empty() {
        // Index rows: the 查询编号 of each new certificate whose index row is not there yet (a retry after a partial
        // write finds its own row: `owners` names this 管理号).
        let mut index_batches: Vec<(&str, Vec<worker::D1PreparedStatement>)> = Vec::new();
        for c in &created {
            if owners.iter().any(|(q, m)| *q == c.query_number && *m == c.management_number) {
                continue;
            }
            let hash = store.hash(Kind::QueryNumber, &c.query_number);
            for (i, shard) in store.map.write_at(slot(&hash)).into_iter().enumerate() {
                let db = store.shard(shard)?;
                let stmt = certificates::insert_query_index(&db, &hash, &c.management_number, i > 0)?;
                push(&mut index_batches, shard, stmt);
            }
        }
        run_batches(&store, index_batches).await?;

        let mut batches: Vec<(&str, Vec<worker::D1PreparedStatement>)> = Vec::new();
        for c in &created {
            let home = store.slot_of(&c.management_number);
            for (i, shard) in store.map.write_at(home).into_iter().enumerate() {
                let db = store.shard(shard)?;
                push(&mut batches, shard, certificates::insert(&db, &c.row(ctx.now), home, i > 0)?);
            }
        }
        for c in &new_copies {
            let home = store.slot_of(&c.management_number);
            let registered_row = existing.iter().find(|r| r.management_number == c.management_number);
            for (i, shard) in store.map.write_at(home).into_iter().enumerate() {
                let db = store.shard(shard)?;
                // A new copy of a registered certificate, during a move: its new home may not hold the certificate
                // yet (the copy's foreign key): put it there first, as registered (kept if there already).
                if i > 0
                    && let Some(row) = registered_row
                {
                    push(&mut batches, shard, certificates::insert(&db, row, home, true)?);
                }
                let stmt = copies::insert(
                    &db,
                    &c.status_id,
                    &c.management_number,
                    c.annotation_number.as_deref(),
                    ctx.now,
                    i > 0,
                )?;
                push(&mut batches, shard, stmt);
            }
        }
        run_batches(&store, batches).await?;

        let numbers: Vec<&str> = created.iter().map(|c| c.management_number.as_str()).collect();
        let ids: Vec<String> = new_copies.iter().map(|c| c.status_id_hex.clone()).collect();
        let mut statements = Vec::with_capacity(2);
        if let Some(bump) = copies::bump(&store.control, &ids)? {
            statements.push(bump);
        }
        statements.push(audit::append(
            &store.control,
            &AuditEntry {
                at: ctx.now,
                actor: principal.name,
                request_id: &ctx.request_id,
                action: "register",
                target: &format!("{} certificate(s), {} copies", created.len(), new_copies.len()),
                detail: json!({ "management_numbers": numbers, "copies": ids }),
            },
        )?);
        store.control.batch(statements).await?;
    }
    // 5. The holder index of every certificate named (created or unchanged: re-registration fills it for
    //    certificates registered before it existed), in each holder's shard; INSERT OR IGNORE, so idempotent.
    let mut index_rows: Vec<(&str, Vec<worker::D1PreparedStatement>)> = Vec::new();
    for c in created.iter().chain(unchanged.iter()) {
        let Some(h) = holders.get(&c.management_number) else { continue };
        for shard in store.map.write_at(crate::holder::holder_slot(h)) {
            let db = store.shard(shard)?;
            push(&mut index_rows, shard, holder_store::insert_index(&db, h, &c.management_number)?);
        }
    }
    run_batches(&store, index_rows).await?;
    let status = if created.is_empty() && new_copies.is_empty() { 200 } else { 201 };
    let result = Registered {
        created: created.iter().map(|c| c.management_number.clone()).collect(),
        unchanged: unchanged.iter().map(|c| c.management_number.clone()).collect(),
        copies: views,
    };
    http::json(status, &result)
}

fn push<'a>(
    batches: &mut Vec<(&'a str, Vec<worker::D1PreparedStatement>)>,
    shard: &'a str,
    stmt: worker::D1PreparedStatement,
) {
    match batches.iter_mut().find(|(s, _)| *s == shard) {
        Some((_, v)) => v.push(stmt),
        None => batches.push((shard, vec![stmt])),
    }
}

/// Run one batch per shard, in parallel; a uniqueness violation (a concurrent registration won) is a 409.
async fn run_batches(
    store: &crate::storage::shards::Store,
    batches: Vec<(&str, Vec<worker::D1PreparedStatement>)>,
) -> ApiResult<()> {
    let runs = batches.into_iter().map(|(shard, stmts)| async move {
        let db = store.shard(shard)?;
        db.0.batch(stmts).await.map(|_| ()).map_err(|e| {
            let text = e.to_string();
            if is_unique_violation(&text) {
                ApiError::new(
                    409,
                    "REGISTRATION_CONFLICT",
                    "登记时与并发请求冲突，请重试",
                    "a concurrent registration conflicted; retry",
                )
            } else {
                ApiError::internal("register batch", text)
            }
        })
    });
    for r in futures_util::future::join_all(runs).await {
        r?;
    }
    Ok(())
}

/// Whether a problem was already reported for this certificate (its copies then add nothing to the answer).
fn has_problem(problems: &[Problem], management_number: &str) -> bool {
    problems.iter().any(|p| p.management_number.as_deref() == Some(management_number))
}

fn conflict(index: usize, number: &str, zh: &str, en: &str) -> Problem {
    Problem { index, management_number: Some(number.to_owned()), code: "CONFLICT", message: Message::new(zh, en) }
}

fn conflicts(problems: &[Problem]) -> ApiError {
    ApiError::new(
        409,
        "REGISTRATION_CONFLICT",
        "部分记录与已登记的证书冲突，未登记任何记录",
        "some records conflict with registered certificates; nothing was registered",
    )
    .with("errors", serde_json::to_value(problems).unwrap_or(Value::Null))
}

#[cfg(test)]
mod tests {
    use super::*;

    const RECORD: &str = r#"{"schema":"ecert.record/1","management_number":"202106301003","query_number":"C671465719968016","qualification":{"code":"Q30","name_zh":"税务师","name_en":"Certified Tax Agent"},"holder":{"name":"王芳","id_number":"110101198507210247","sex":"female","birth":"1985-07"},"approval_date":"2021-05-20","issue_date":"2021-06-30","issuer":{"id":"tax-agents","name_zh":"中国注册税务师协会"},"annotation":null}"#;

    #[test]
    fn a_record_names_its_base_copy_and_its_annotated_copy() {
        let registry = Registry::builtin();
        let base = CertificateRecord::from_json(RECORD.as_bytes(), registry).unwrap();
        // The canonical bytes are what the issuer seals: the id of the record as sealed.
        assert_eq!(base.to_json(), RECORD.as_bytes());
        let copies = copies_of(&base);
        assert_eq!(copies.len(), 1);
        assert_eq!(copies[0].status_id, copy_status_id(RECORD.as_bytes()));
        assert_eq!(copies[0].status_id_hex, copy_status_id_hex(RECORD.as_bytes()));
        assert_eq!(copies[0].annotation_number, None);

        let annotated_json = RECORD.replace(
            r#""annotation":null"#,
            r#""annotation":{"scenario":"本人调用","valid_from":"2021-06-30","valid_until":"2021-07-30","number":"A1"}"#,
        );
        let annotated = CertificateRecord::from_json(annotated_json.as_bytes(), registry).unwrap();
        let copies = copies_of(&annotated);
        assert_eq!(copies.len(), 2);
        assert_eq!(
            copies[0].status_id,
            copy_status_id(RECORD.as_bytes()),
            "the base copy, computed from the annotated record"
        );
        assert_eq!(copies[1].status_id, copy_status_id(annotated_json.as_bytes()));
        assert_eq!(copies[1].annotation_number.as_deref(), Some("A1"));
        assert!(copies.iter().all(|c| c.management_number == "202106301003"));
    }
}
