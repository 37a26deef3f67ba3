//! The registry's shards (docs/edge.md, "Shards"): the certificates, their copies and the 查询编号 index are split
//! across several D1 databases by a keyed hash, so a lookup, a revocation or a copy's state touches one shard.
//!
//! - **Placement**: `shard_hash(kind, value)` = HMAC-SHA256(`SHARD_KEY`, "ecert.shard/1\0" ‖ kind ‖ 0 ‖ value); its
//!   first 6 bytes (big-endian, [`slot`]) modulo the shard count pick the shard. A certificate and all its copies
//!   live in the shard of its 管理号; a 查询编号's index row in the shard of the 查询编号's own hash. The key is a
//!   secret, so nobody can choose numbers that all land in one shard.
//! - **The shard map** (control table `shard_maps`, else the `SHARDS` var): the ordered list of shard bindings, and
//!   during a move to more shards the list moved from, with a state ([`MapState`]). Kept per isolate for at most
//!   [`MAP_TTL_MS`]; a move waits longer than that between its steps.
//! - **Shadows**: a shard may keep rows that moved elsewhere (rows are never deleted); every scan filters
//!   `shard_hash % count = index`, and point reads go to the row's home shard.

use std::cell::RefCell;
use std::rc::Rc;

use hmac::{KeyInit as _, Mac as _};
use serde::Deserialize;
use sha2::Sha256;
use worker::Env;

use super::{Db, db_error};
use crate::error::{ApiError, ApiResult};

/// How long an isolate keeps the shard map before reading it again.
pub const MAP_TTL_MS: i64 = 2_000;
/// Most shards a map may list.
pub const MAX_SHARDS: usize = 64;
const SHARD_DOMAIN: &[u8] = b"ecert.shard/1\0";

/// What a shard hash is of.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    ManagementNumber,
    QueryNumber,
}

impl Kind {
    fn tag(self) -> &'static [u8] {
        match self {
            Kind::ManagementNumber => b"management_number",
            Kind::QueryNumber => b"query_number",
        }
    }
}

/// The keyed shard hash of a number.
pub fn shard_hash(key: &[u8], kind: Kind, value: &str) -> [u8; 32] {
    let Ok(mut mac) = hmac::Hmac::<Sha256>::new_from_slice(key) else {
        return [0; 32];
    };
    mac.update(SHARD_DOMAIN);
    mac.update(kind.tag());
    mac.update(b"\0");
    match kind {
        // 查询编号 are case-insensitive (the lookup folds them): the index row is keyed by the folded number, so any
        // spelling finds it and two numbers differing only in case cannot both be registered. The identity on
        // upper-case numbers (every one ecert issues), so existing rows keep their place.
        Kind::QueryNumber => mac.update(ecert_format::holder_input::fold_number(value).as_bytes()),
        Kind::ManagementNumber => mac.update(value.as_bytes()),
    }
    mac.finalize().into_bytes().into()
}

/// The placement number of a shard hash: its first 6 bytes, big-endian (0 ..= 2^48 - 1; stored as `shard_hash`).
pub fn slot(hash: &[u8; 32]) -> i64 {
    hash.iter().take(6).fold(0i64, |acc, b| (acc << 8) | i64::from(*b))
}

/// The index of the shard a slot lives in, among `count` shards.
pub fn index_of(slot: i64, count: usize) -> usize {
    usize::try_from(slot.rem_euclid(i64::try_from(count.max(1)).unwrap_or(1))).unwrap_or(0)
}

/// Where a map is in a move.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MapState {
    /// Reads and writes use `shards`.
    Active,
    /// A move is under way: reads use `previous` (complete), writes go to both (`previous` first).
    Copying,
    /// The copy is complete: reads use `shards`, falling back to `previous`; writes go to both (`shards` first).
    Switched,
}

impl MapState {
    pub fn name(self) -> &'static str {
        match self {
            MapState::Active => "active",
            MapState::Copying => "copying",
            MapState::Switched => "switched",
        }
    }

    pub fn parse(s: &str) -> Option<MapState> {
        match s {
            "active" => Some(MapState::Active),
            "copying" => Some(MapState::Copying),
            "switched" => Some(MapState::Switched),
            _ => None,
        }
    }
}

/// The shard map.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShardMap {
    /// 0: the `SHARDS` var (no map stored yet).
    pub version: i64,
    pub shards: Vec<String>,
    /// The map being moved from (`Copying`, `Switched`).
    pub previous: Option<Vec<String>>,
    pub state: MapState,
}

/// A shard binding name: `[A-Z][A-Z0-9_]*`, at most 64 characters.
pub fn is_binding_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_uppercase())
        && s.len() <= 64
        && chars.all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

/// Parse a comma-separated list of distinct binding names (1 ..= [`MAX_SHARDS`]).
pub fn parse_list(s: &str) -> Option<Vec<String>> {
    let list: Vec<String> = s.split(',').map(|p| p.trim().to_owned()).collect();
    let distinct = list.iter().enumerate().all(|(i, a)| list.iter().skip(i + 1).all(|b| a != b));
    (!list.is_empty() && list.len() <= MAX_SHARDS && distinct && list.iter().all(|n| is_binding_name(n)))
        .then_some(list)
}

fn pick(list: &[String], slot: i64) -> &str {
    list.get(index_of(slot, list.len())).map_or("", String::as_str)
}

fn dedup<'a>(a: &'a str, b: &'a str) -> Vec<&'a str> {
    if a == b { vec![a] } else { vec![a, b] }
}

impl ShardMap {
    /// The list whose shards hold the complete registry now (what scans read).
    pub fn read_list(&self) -> &[String] {
        match (self.state, &self.previous) {
            (MapState::Copying, Some(p)) => p,
            _ => &self.shards,
        }
    }

    /// The shards to read a row of this slot from, in order (the first that has it answers).
    pub fn read_at(&self, slot: i64) -> Vec<&str> {
        match (self.state, &self.previous) {
            (MapState::Copying, Some(p)) => vec![pick(p, slot)],
            (MapState::Switched, Some(p)) => dedup(pick(&self.shards, slot), pick(p, slot)),
            _ => vec![pick(&self.shards, slot)],
        }
    }

    /// The shards a change to a row of this slot is written to, the authoritative one (read first) first.
    pub fn write_at(&self, slot: i64) -> Vec<&str> {
        match (self.state, &self.previous) {
            (MapState::Copying, Some(p)) => dedup(pick(p, slot), pick(&self.shards, slot)),
            (MapState::Switched, Some(p)) => dedup(pick(&self.shards, slot), pick(p, slot)),
            _ => vec![pick(&self.shards, slot)],
        }
    }

    /// Every shard of [`ShardMap::read_list`] with its index and the list's length (a scan reads each, keeping
    /// only rows with `shard_hash % count = index`).
    pub fn scan(&self) -> Vec<(&str, usize, usize)> {
        let list = self.read_list();
        list.iter().enumerate().map(|(i, s)| (s.as_str(), i, list.len())).collect()
    }

    /// Where a row of this slot lives once the move ends (the target of a copy).
    pub fn target(&self, slot: i64) -> &str {
        pick(&self.shards, slot)
    }
}

thread_local! {
    static MAP: RefCell<Option<(i64, Rc<ShardMap>)>> = const { RefCell::new(None) };
}

fn env_text(env: &Env, name: &str) -> Option<String> {
    env.secret(name).ok().map(|s| s.to_string()).or_else(|| env.var(name).ok().map(|v| v.to_string()))
}

/// The map of the `SHARDS` var (version 0).
pub fn configured_map(env: &Env) -> ApiResult<ShardMap> {
    let shards = env_text(env, "SHARDS")
        .as_deref()
        .and_then(parse_list)
        .ok_or_else(|| ApiError::misconfigured("SHARDS var missing or not a list of D1 binding names"))?;
    Ok(ShardMap { version: 0, shards, previous: None, state: MapState::Active })
}

#[derive(Deserialize)]
struct MapRow {
    version: i64,
    shards: String,
    previous: Option<String>,
    state: String,
}

/// The newest stored map, if any.
pub async fn stored_map(control: &Db) -> ApiResult<Option<ShardMap>> {
    let row: Option<MapRow> = control
        .stmt("SELECT version, shards, previous, state FROM shard_maps ORDER BY version DESC LIMIT 1", &[])?
        .first(None)
        .await
        .map_err(|e| db_error("shard map", e))?;
    let Some(row) = row else { return Ok(None) };
    let bad = || ApiError::internal("shard map", format!("stored map {} is malformed", row.version));
    Ok(Some(ShardMap {
        version: row.version,
        shards: parse_list(&row.shards).ok_or_else(bad)?,
        previous: match &row.previous {
            Some(p) => Some(parse_list(p).ok_or_else(bad)?),
            None => None,
        },
        state: MapState::parse(&row.state).ok_or_else(bad)?,
    }))
}

/// The current map: the isolate's copy when younger than [`MAP_TTL_MS`], else read again.
pub async fn current_map(env: &Env, control: &Db, now_ms: i64) -> ApiResult<Rc<ShardMap>> {
    if let Some(hit) =
        MAP.with(|m| m.borrow().as_ref().filter(|(at, _)| now_ms - *at < MAP_TTL_MS).map(|(_, map)| map.clone()))
    {
        return Ok(hit);
    }
    let map = Rc::new(match stored_map(control).await? {
        Some(m) => m,
        None => configured_map(env)?,
    });
    MAP.with(|m| *m.borrow_mut() = Some((now_ms, map.clone())));
    Ok(map)
}

/// Forget the isolate's map (after this isolate stored a new one).
pub fn forget_map() {
    MAP.with(|m| *m.borrow_mut() = None);
}

/// The key of the shard hashes: `SHARD_KEY` (≥ 16 bytes), else derived from `LOOKUP_KEY` (HMAC-SHA256 of
/// "ecert.shard-key/1"). Either way it may never change: it places every row.
pub fn shard_key(env: &Env) -> ApiResult<Vec<u8>> {
    if let Some(k) = env_text(env, "SHARD_KEY").filter(|k| k.len() >= 16) {
        return Ok(k.into_bytes());
    }
    let lookup = env_text(env, "LOOKUP_KEY")
        .filter(|k| k.len() >= 16)
        .ok_or_else(|| ApiError::misconfigured("SHARD_KEY and LOOKUP_KEY missing or shorter than 16 bytes"))?;
    let mut mac = hmac::Hmac::<Sha256>::new_from_slice(lookup.as_bytes())
        .map_err(|_| ApiError::misconfigured("LOOKUP_KEY unusable"))?;
    mac.update(b"ecert.shard-key/1");
    Ok(mac.finalize().into_bytes().to_vec())
}

/// The registry as one request sees it: the control database, the shard map and the key that places rows.
pub struct Store {
    env: Env,
    pub control: Db,
    pub map: Rc<ShardMap>,
    key: Vec<u8>,
}

impl Store {
    pub async fn open(env: &Env, now_ms: i64) -> ApiResult<Store> {
        let control = Db(env
            .d1(crate::config::DB_BINDING)
            .map_err(|e| ApiError::misconfigured(&format!("D1 binding {}: {e}", crate::config::DB_BINDING)))?);
        let map = current_map(env, &control, now_ms).await?;
        Ok(Store { env: env.clone(), control, map, key: shard_key(env)? })
    }

    /// The database behind a shard binding.
    pub fn shard(&self, binding: &str) -> ApiResult<Db> {
        self.env.d1(binding).map(Db).map_err(|e| ApiError::misconfigured(&format!("D1 shard binding {binding}: {e}")))
    }

    pub fn hash(&self, kind: Kind, value: &str) -> [u8; 32] {
        shard_hash(&self.key, kind, value)
    }

    /// The placement slot of a 管理号.
    pub fn slot_of(&self, management_number: &str) -> i64 {
        slot(&self.hash(Kind::ManagementNumber, management_number))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(state: MapState, shards: &str, previous: Option<&str>) -> ShardMap {
        ShardMap {
            version: 1,
            shards: parse_list(shards).unwrap(),
            previous: previous.map(|p| parse_list(p).unwrap()),
            state,
        }
    }

    #[test]
    fn hashes_are_keyed_and_spread() {
        let a = shard_hash(b"key-one-16-bytes", Kind::ManagementNumber, "2023031500001");
        assert_ne!(a, shard_hash(b"key-two-16-bytes", Kind::ManagementNumber, "2023031500001"));
        assert_ne!(a, shard_hash(b"key-one-16-bytes", Kind::QueryNumber, "2023031500001"));
        let q = shard_hash(b"key-one-16-bytes", Kind::QueryNumber, "C213875355877985");
        assert_eq!(q, shard_hash(b"key-one-16-bytes", Kind::QueryNumber, " c213875355877985"));
        assert!(slot(&a) >= 0 && slot(&a) < 1 << 48);
        let mut counts = [0usize; 4];
        for i in 0..4000 {
            let h = shard_hash(b"key-one-16-bytes", Kind::ManagementNumber, &format!("2023{i:09}"));
            counts[index_of(slot(&h), 4)] += 1;
        }
        assert!(counts.iter().all(|c| (850..1150).contains(c)), "{counts:?}");
    }

    #[test]
    fn list_parsing() {
        assert_eq!(parse_list("SHARD_0, SHARD_1").unwrap(), vec!["SHARD_0", "SHARD_1"]);
        assert!(parse_list("SHARD_0,SHARD_0").is_none());
        assert!(parse_list("").is_none());
        assert!(parse_list("shard_0").is_none());
        assert!(parse_list("SHARD-0").is_none());
    }

    #[test]
    fn reads_and_writes_through_a_move() {
        let old = "S0,S1,S2,S3";
        let new = "S0,S1,S2,S3,S4,S5,S6,S7";
        let slot = 13; // 13 % 4 = 1, 13 % 8 = 5
        let active = map(MapState::Active, old, None);
        assert_eq!(active.read_at(slot), vec!["S1"]);
        assert_eq!(active.write_at(slot), vec!["S1"]);
        let copying = map(MapState::Copying, new, Some(old));
        assert_eq!(copying.read_at(slot), vec!["S1"]);
        assert_eq!(copying.write_at(slot), vec!["S1", "S5"]);
        assert_eq!(copying.scan().len(), 4);
        assert_eq!(copying.target(slot), "S5");
        let switched = map(MapState::Switched, new, Some(old));
        assert_eq!(switched.read_at(slot), vec!["S5", "S1"]);
        assert_eq!(switched.write_at(slot), vec!["S5", "S1"]);
        assert_eq!(switched.scan().len(), 8);
        let done = map(MapState::Active, new, None);
        assert_eq!(done.read_at(slot), vec!["S5"]);
        // A row that stays: one shard only.
        assert_eq!(switched.write_at(9), vec!["S1"]);
    }
}
