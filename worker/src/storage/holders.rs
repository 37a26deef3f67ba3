//! The holder tables of the shards (worker/migrations/shard/0002_holders.sql): `holder_index` (which certificates
//! are whose; written at certificate registration), `accounts` and `sessions`. A holder's rows live in the shard its
//! holder key's slot places (`crate::holder::holder_slot`); writes go to every shard the map writes that slot to
//! (during a move, both homes), reads to the shards it reads it from, in order.

use serde::Deserialize;
use worker::D1PreparedStatement;

use super::shards::Store;
use super::{Db, blob, db_error, int, text};
use crate::error::ApiResult;
use crate::holder::holder_slot;

/// The INSERT OR IGNORE of a holder index row into one shard (for a batch).
pub fn insert_index(db: &Db, holder_key: &[u8; 32], management_number: &str) -> ApiResult<D1PreparedStatement> {
    db.stmt(
        "INSERT OR IGNORE INTO holder_index (holder_key, management_number, shard_hash) VALUES (?1, ?2, ?3)",
        &[blob(holder_key), text(management_number), int(holder_slot(holder_key))],
    )
}

#[derive(Deserialize)]
struct Number {
    management_number: String,
}

/// The 管理号 of every certificate registered to this holder (one indexed read in the holder's shard; during a
/// move, the union of both homes).
pub async fn certificates_of(store: &Store, holder_key: &[u8; 32]) -> ApiResult<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for shard in store.map.read_at(holder_slot(holder_key)) {
        let rows: Vec<Number> = store
            .shard(shard)?
            .stmt(
                "SELECT management_number FROM holder_index WHERE holder_key = ?1 ORDER BY management_number",
                &[blob(holder_key)],
            )?
            .all()
            .await
            .and_then(|r| r.results())
            .map_err(|e| db_error("select holder index", e))?;
        for r in rows {
            if !out.contains(&r.management_number) {
                out.push(r.management_number);
            }
        }
    }
    Ok(out)
}

/// Whether this certificate is registered to this holder: the IDOR check of every holder route.
pub async fn owns(store: &Store, holder_key: &[u8; 32], management_number: &str) -> ApiResult<bool> {
    for shard in store.map.read_at(holder_slot(holder_key)) {
        let row: Option<Number> = store
            .shard(shard)?
            .stmt(
                "SELECT management_number FROM holder_index WHERE holder_key = ?1 AND management_number = ?2",
                &[blob(holder_key), text(management_number)],
            )?
            .first(None)
            .await
            .map_err(|e| db_error("select holder index", e))?;
        if row.is_some() {
            return Ok(true);
        }
    }
    Ok(false)
}

/// A stored account (the password fields as bytes).
#[derive(Clone, Debug)]
pub struct Account {
    pub name: String,
    pub id_tail: String,
    pub salt: Vec<u8>,
    pub hash: Vec<u8>,
    pub scheme: String,
    pub iterations: u32,
    pub notice_version: String,
    pub created_at: i64,
}

#[derive(Deserialize)]
struct AccountRow {
    name: String,
    id_tail: String,
    password_salt: String,
    password_hash: String,
    password_scheme: String,
    iterations: i64,
    notice_version: String,
    created_at: i64,
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len() / 2).filter_map(|i| s.get(2 * i..2 * i + 2).and_then(|b| u8::from_str_radix(b, 16).ok())).collect()
}

/// The account of this holder, if any.
pub async fn account(store: &Store, holder_key: &[u8; 32]) -> ApiResult<Option<Account>> {
    for shard in store.map.read_at(holder_slot(holder_key)) {
        let row: Option<AccountRow> = store
            .shard(shard)?
            .stmt(
                "SELECT name, id_tail, lower(hex(password_salt)) AS password_salt, \
                 lower(hex(password_hash)) AS password_hash, password_scheme, iterations, notice_version, created_at \
                 FROM accounts WHERE holder_key = ?1",
                &[blob(holder_key)],
            )?
            .first(None)
            .await
            .map_err(|e| db_error("select account", e))?;
        if let Some(r) = row {
            return Ok(Some(Account {
                name: r.name,
                id_tail: r.id_tail,
                salt: unhex(&r.password_salt),
                hash: unhex(&r.password_hash),
                scheme: r.password_scheme,
                iterations: u32::try_from(r.iterations).unwrap_or(0),
                notice_version: r.notice_version,
                created_at: r.created_at,
            }));
        }
    }
    Ok(None)
}

/// Create an account (and its first session) in every shard the holder's slot is written to. `Ok(false)`: an account
/// for this holder exists already (nothing written).
pub async fn create(store: &Store, holder_key: &[u8; 32], account: &Account, session: &NewSession) -> ApiResult<bool> {
    for (i, shard) in store.map.write_at(holder_slot(holder_key)).into_iter().enumerate() {
        let db = store.shard(shard)?;
        let verb = if i == 0 { "INSERT" } else { "INSERT OR IGNORE" };
        let insert = db.stmt(
            &format!(
                "{verb} INTO accounts (holder_key, shard_hash, name, id_tail, password_salt, password_hash, \
                 password_scheme, iterations, notice_version, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
            ),
            &[
                blob(holder_key),
                int(holder_slot(holder_key)),
                text(&account.name),
                text(&account.id_tail),
                blob(&account.salt),
                blob(&account.hash),
                text(&account.scheme),
                int(i64::from(account.iterations)),
                text(&account.notice_version),
                int(account.created_at),
            ],
        )?;
        let stmts = vec![insert, insert_session(&db, holder_key, session)?];
        if let Err(e) = db.0.batch(stmts).await {
            let text = e.to_string();
            if i == 0 && super::is_unique_violation(&text) {
                return Ok(false);
            }
            return Err(db_error("create account", text));
        }
    }
    Ok(true)
}

/// A session to store.
pub struct NewSession {
    pub token_hash: [u8; 32],
    pub created_at: i64,
    pub expires_at: i64,
}

fn insert_session(db: &Db, holder_key: &[u8; 32], s: &NewSession) -> ApiResult<D1PreparedStatement> {
    db.stmt(
        "INSERT INTO sessions (token_hash, holder_key, created_at, last_seen, expires_at) VALUES (?1, ?2, ?3, ?3, ?4)",
        &[blob(&s.token_hash), blob(holder_key), int(s.created_at), int(s.expires_at)],
    )
}

/// Store a new session of an existing account. During a move, the account row (the session's foreign key) is put
/// into the holder's new home first, as stored in the authoritative one.
pub async fn add_session(store: &Store, holder_key: &[u8; 32], s: &NewSession) -> ApiResult<()> {
    let shards = store.map.write_at(holder_slot(holder_key));
    let mut stored: Option<StoredAccount> = None;
    for (i, shard) in shards.into_iter().enumerate() {
        let db = store.shard(shard)?;
        if i == 0 {
            stored = account_row(&db, holder_key).await?;
            // The holder's sessions past their 12 h go with the new one (expired rows are otherwise deleted only
            // when presented).
            let prune = db.stmt(
                "DELETE FROM sessions WHERE holder_key = ?1 AND expires_at <= ?2",
                &[blob(holder_key), int(s.created_at)],
            )?;
            db.batch(vec![prune, insert_session(&db, holder_key, s)?]).await?;
        } else {
            let mut stmts = Vec::new();
            if let Some(a) = &stored {
                stmts.push(insert_account_row(&db, holder_key, a)?);
            }
            stmts.push(insert_session(&db, holder_key, s)?);
            db.batch(stmts).await?;
        }
    }
    Ok(())
}

/// A stored session, with its holder's key (hex) and account fields for the session view.
#[derive(Clone, Debug, Deserialize)]
pub struct SessionRow {
    pub holder_key: String,
    pub created_at: i64,
    pub last_seen: i64,
    pub expires_at: i64,
    pub name: String,
    pub id_tail: String,
    pub notice_version: String,
}

/// The session with this token hash, in the shards of `slot` (the cookie's), with its account.
pub async fn session(store: &Store, slot: i64, token_hash: &[u8; 32]) -> ApiResult<Option<SessionRow>> {
    for shard in store.map.read_at(slot) {
        let row: Option<SessionRow> = store
            .shard(shard)?
            .stmt(
                "SELECT lower(hex(s.holder_key)) AS holder_key, s.created_at AS created_at, s.last_seen AS last_seen, \
                 s.expires_at AS expires_at, a.name AS name, a.id_tail AS id_tail, a.notice_version AS notice_version \
                 FROM sessions AS s JOIN accounts AS a ON a.holder_key = s.holder_key WHERE s.token_hash = ?1",
                &[blob(token_hash)],
            )?
            .first(None)
            .await
            .map_err(|e| db_error("select session", e))?;
        if row.is_some() {
            return Ok(row);
        }
    }
    Ok(None)
}

/// Record that a session was used at `now`.
pub async fn touch_session(store: &Store, slot: i64, token_hash: &[u8; 32], now: i64) -> ApiResult<()> {
    for shard in store.map.write_at(slot) {
        store
            .shard(shard)?
            .stmt("UPDATE sessions SET last_seen = ?2 WHERE token_hash = ?1", &[blob(token_hash), int(now)])?
            .run()
            .await
            .map_err(|e| db_error("touch session", e))?;
    }
    Ok(())
}

/// Delete one session (logout, or an expired one found).
pub async fn delete_session(store: &Store, slot: i64, token_hash: &[u8; 32]) -> ApiResult<()> {
    for shard in store.map.write_at(slot) {
        store
            .shard(shard)?
            .stmt("DELETE FROM sessions WHERE token_hash = ?1", &[blob(token_hash)])?
            .run()
            .await
            .map_err(|e| db_error("delete session", e))?;
    }
    Ok(())
}

/// Delete an account and every session of it (one batch per shard).
pub async fn delete_account(store: &Store, holder_key: &[u8; 32]) -> ApiResult<()> {
    for shard in store.map.write_at(holder_slot(holder_key)) {
        let db = store.shard(shard)?;
        let stmts = vec![
            db.stmt("DELETE FROM sessions WHERE holder_key = ?1", &[blob(holder_key)])?,
            db.stmt("DELETE FROM accounts WHERE holder_key = ?1", &[blob(holder_key)])?,
        ];
        db.batch(stmts).await?;
    }
    Ok(())
}

/// 32 bytes from 64 hex characters.
pub fn key_from_hex(s: &str) -> Option<[u8; 32]> {
    ecert_format::parse_status_id(s)
}

/// An account row as stored (the copy into a new shard during a move).
#[derive(Clone, Debug, Deserialize)]
pub struct StoredAccount {
    pub shard_hash: i64,
    pub name: String,
    pub id_tail: String,
    pub password_salt: String,
    pub password_hash: String,
    pub password_scheme: String,
    pub iterations: i64,
    pub notice_version: String,
    pub created_at: i64,
}

/// The account row of this holder in one shard.
pub async fn account_row(db: &Db, holder_key: &[u8; 32]) -> ApiResult<Option<StoredAccount>> {
    db.stmt(
        "SELECT shard_hash, name, id_tail, lower(hex(password_salt)) AS password_salt, \
         lower(hex(password_hash)) AS password_hash, password_scheme, iterations, notice_version, created_at \
         FROM accounts WHERE holder_key = ?1",
        &[blob(holder_key)],
    )?
    .first(None)
    .await
    .map_err(|e| db_error("copy: read account", e))
}

/// The INSERT OR IGNORE of an account row as read.
pub fn insert_account_row(db: &Db, holder_key: &[u8; 32], a: &StoredAccount) -> ApiResult<D1PreparedStatement> {
    db.stmt(
        "INSERT OR IGNORE INTO accounts (holder_key, shard_hash, name, id_tail, password_salt, password_hash, \
         password_scheme, iterations, notice_version, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        &[
            blob(holder_key),
            int(a.shard_hash),
            text(&a.name),
            text(&a.id_tail),
            blob(&unhex(&a.password_salt)),
            blob(&unhex(&a.password_hash)),
            text(&a.password_scheme),
            int(a.iterations),
            text(&a.notice_version),
            int(a.created_at),
        ],
    )
}

/// A session row as stored.
#[derive(Clone, Debug, Deserialize)]
pub struct SessionCopy {
    pub token_hash: String,
    pub created_at: i64,
    pub last_seen: i64,
    pub expires_at: i64,
}

/// The sessions of this holder in one shard.
pub async fn session_rows(db: &Db, holder_key: &[u8; 32]) -> ApiResult<Vec<SessionCopy>> {
    db.stmt(
        "SELECT lower(hex(token_hash)) AS token_hash, created_at, last_seen, expires_at FROM sessions \
         WHERE holder_key = ?1",
        &[blob(holder_key)],
    )?
    .all()
    .await
    .and_then(|r| r.results())
    .map_err(|e| db_error("copy: read sessions", e))
}

/// The INSERT OR IGNORE of a session row as read.
pub fn insert_session_row(db: &Db, holder_key: &[u8; 32], s: &SessionCopy) -> ApiResult<D1PreparedStatement> {
    db.stmt(
        "INSERT OR IGNORE INTO sessions (token_hash, holder_key, created_at, last_seen, expires_at) \
         VALUES (?1, ?2, ?3, ?4, ?5)",
        &[blob(&unhex(&s.token_hash)), blob(holder_key), int(s.created_at), int(s.last_seen), int(s.expires_at)],
    )
}
