//! The registry's shard map and moving to more shards (docs/edge.md, "Moving to more shards"):
//!
//! - `GET /v1/admin/shards`: the current map (`version`, `state`, `shards`, `previous`) and how long isolates may
//!   keep an older one (`map_ttl_ms`).
//! - `POST /v1/admin/shards {"version": V, "state": S, "shards": [...]}`: the next step of a move, from the map of
//!   version `V - 1` (optimistic: a concurrent step fails with 409): `active → copying` with the new list (writes
//!   then go to both, reads to the old); `copying → switched` (reads the new list first, the old as fallback);
//!   `switched → active` (the new list alone); `copying → active` with the old list aborts.
//! - `POST /v1/admin/shards/copy {"source": BINDING, "after": CURSOR, "limit": N}`: copy one page (`storage::reshard`).

use serde::Deserialize;
use serde_json::json;
use worker::{Request, Response};

use super::super::Ctx;
use crate::auth::Right;
use crate::error::{ApiError, ApiResult};
use crate::http;
use crate::storage::audit::{self, AuditEntry};
use crate::storage::reshard::{self, MAX_COPY_LIMIT};
use crate::storage::shards::{self, MAP_TTL_MS, MapState, ShardMap, is_binding_name};
use crate::storage::{int, is_unique_violation, text};

fn view(map: &ShardMap) -> serde_json::Value {
    json!({
        "version": map.version, "state": map.state.name(), "shards": map.shards, "previous": map.previous,
        "map_ttl_ms": MAP_TTL_MS,
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Step {
    version: i64,
    state: String,
    #[serde(default)]
    shards: Option<Vec<String>>,
}

/// The map a step leads to from `current`, or why not.
fn next(current: &ShardMap, step: &Step) -> ApiResult<ShardMap> {
    let refuse = |zh: &str, en: &str| ApiError::new(409, "SHARD_MAP_STEP_REFUSED", zh, en);
    if step.version != current.version + 1 {
        return Err(refuse("分片图版本应为当前版本加一", "version must be the current version plus one")
            .with("current_version", current.version));
    }
    let state = MapState::parse(&step.state).ok_or_else(|| {
        ApiError::invalid_field("state", "应为active、copying或switched", "active, copying or switched")
    })?;
    let list = match &step.shards {
        Some(l) => {
            let joined = l.join(",");
            Some(shards::parse_list(&joined).filter(|p| p.iter().all(|n| is_binding_name(n))).ok_or_else(|| {
                ApiError::invalid_field("shards", "应为不重复的D1绑定名", "distinct D1 binding names")
            })?)
        }
        None => None,
    };
    let same = |l: &Option<Vec<String>>, want: &[String]| l.as_ref().is_none_or(|l| l == want);
    match (current.state, state) {
        (MapState::Active, MapState::Copying) => {
            let list = list
                .ok_or_else(|| ApiError::invalid_field("shards", "须给出新的分片列表", "the new list is required"))?;
            if list == current.shards {
                return Err(refuse("新分片列表与当前相同", "the new list is the current one"));
            }
            Ok(ShardMap {
                version: step.version,
                shards: list,
                previous: Some(current.shards.clone()),
                state: MapState::Copying,
            })
        }
        (MapState::Copying, MapState::Switched) if same(&list, &current.shards) => {
            Ok(ShardMap { version: step.version, state: MapState::Switched, ..current.clone() })
        }
        (MapState::Switched, MapState::Active) if same(&list, &current.shards) => Ok(ShardMap {
            version: step.version,
            shards: current.shards.clone(),
            previous: None,
            state: MapState::Active,
        }),
        (MapState::Copying, MapState::Active) => {
            let previous = current.previous.clone().unwrap_or_default();
            if !same(&list, &previous) {
                return Err(refuse("中止迁移只能回到原分片列表", "aborting a move returns to the previous list"));
            }
            Ok(ShardMap { version: step.version, shards: previous, previous: None, state: MapState::Active })
        }
        _ => Err(refuse("不允许的分片图状态转换", "this step is not allowed from the current state")
            .with("current_state", current.state.name())),
    }
}

pub async fn shards(req: &mut Request, ctx: &Ctx) -> ApiResult<Response> {
    let is_get = matches!(req.method(), worker::Method::Get | worker::Method::Head);
    if is_get {
        ctx.authorize(req, Right::ReadAudit)?;
        let store = ctx.store().await?;
        let map = match shards::stored_map(&store.control).await? {
            Some(m) => m,
            None => shards::configured_map(&ctx.env)?,
        };
        let mut r = http::json(200, &view(&map))?;
        http::set_header(&mut r, "cache-control", "no-store");
        return Ok(r);
    }
    let principal = ctx.authorize(req, Right::RegisterCertificates)?;
    let step: Step = http::read_json(req).await?;
    let store = ctx.store().await?;
    let current = match shards::stored_map(&store.control).await? {
        Some(m) => m,
        None => shards::configured_map(&ctx.env)?,
    };
    let map = next(&current, &step)?;
    for name in map.shards.iter().chain(map.previous.iter().flatten()) {
        store.shard(name).map_err(|_| {
            ApiError::invalid_field(
                "shards",
                &format!("未绑定的D1数据库{name}"),
                &format!("{name} is not a bound D1 database"),
            )
        })?;
    }
    let insert = store.control.stmt(
        "INSERT INTO shard_maps (version, shards, previous, state, created_at, created_by) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        &[
            int(map.version),
            text(&map.shards.join(",")),
            map.previous.as_ref().map_or(wasm_bindgen::JsValue::NULL, |p| text(&p.join(","))),
            text(map.state.name()),
            int(ctx.now),
            text(principal.name),
        ],
    )?;
    let entry = AuditEntry {
        at: ctx.now,
        actor: principal.name,
        request_id: &ctx.request_id,
        action: "shard_map",
        target: &map.version.to_string(),
        detail: view(&map),
    };
    if let Err(e) = store.control.0.batch(vec![insert, audit::append(&store.control, &entry)?]).await {
        let t = e.to_string();
        return Err(if is_unique_violation(&t) {
            ApiError::new(409, "SHARD_MAP_STEP_REFUSED", "并发修改了分片图", "a concurrent step took this version")
        } else {
            ApiError::internal("shard map", t)
        });
    }
    shards::forget_map();
    let mut r = http::json(201, &view(&map))?;
    http::set_header(&mut r, "cache-control", "no-store");
    Ok(r)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CopyRequest {
    source: String,
    #[serde(default)]
    after: String,
    #[serde(default)]
    limit: Option<u32>,
    /// `certificates` (default: certificates with their copies, 查询编号 index rows, 加注 jobs and base PDFs) or
    /// `holders` (holder index rows, accounts and sessions, paged by holder key).
    #[serde(default)]
    table: Option<String>,
}

pub async fn copy(req: &mut Request, ctx: &Ctx) -> ApiResult<Response> {
    ctx.authorize(req, Right::RegisterCertificates)?;
    let body: CopyRequest = http::read_json(req).await?;
    let limit = body.limit.unwrap_or(100);
    if !(1..=MAX_COPY_LIMIT).contains(&limit) {
        return Err(ApiError::invalid_field(
            "limit",
            &format!("应为1至{MAX_COPY_LIMIT}"),
            &format!("must be 1 to {MAX_COPY_LIMIT}"),
        ));
    }
    if !is_binding_name(&body.source) {
        return Err(ApiError::invalid_field("source", "应为D1绑定名", "a D1 binding name"));
    }
    let store = ctx.store().await?;
    let page = match body.table.as_deref() {
        None | Some("certificates") => {
            serde_json::to_value(reshard::copy_page(&store, &body.source, &body.after, limit).await?)
        }
        Some("holders") => {
            serde_json::to_value(reshard::copy_holders_page(&store, &body.source, &body.after, limit).await?)
        }
        Some(_) => {
            return Err(ApiError::invalid_field("table", "应为certificates或holders", "certificates or holders"));
        }
    }
    .map_err(|e| ApiError::internal("copy page", e))?;
    let mut r = http::json(200, &json!({ "map_version": store.map.version, "page": page }))?;
    http::set_header(&mut r, "cache-control", "no-store");
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(version: i64, state: MapState, shards: &str, previous: Option<&str>) -> ShardMap {
        ShardMap {
            version,
            shards: shards::parse_list(shards).unwrap(),
            previous: previous.map(|p| shards::parse_list(p).unwrap()),
            state,
        }
    }

    fn step(version: i64, state: &str, shards: Option<&str>) -> Step {
        Step { version, state: state.into(), shards: shards.map(|s| s.split(',').map(str::to_owned).collect()) }
    }

    #[test]
    fn a_move_goes_copying_switched_active() {
        let old = "A,B,C,D";
        let new = "A,B,C,D,E,F";
        let v0 = map(0, MapState::Active, old, None);
        let v1 = next(&v0, &step(1, "copying", Some(new))).unwrap();
        assert_eq!(v1, map(1, MapState::Copying, new, Some(old)));
        let v2 = next(&v1, &step(2, "switched", None)).unwrap();
        assert_eq!(v2, map(2, MapState::Switched, new, Some(old)));
        let v3 = next(&v2, &step(3, "active", None)).unwrap();
        assert_eq!(v3, map(3, MapState::Active, new, None));
        // Abort while copying: back to the old list.
        assert_eq!(next(&v1, &step(2, "active", Some(old))).unwrap(), map(2, MapState::Active, old, None));
        assert!(next(&v1, &step(2, "active", Some(new))).is_err());
        // Wrong version, skipped step, same list.
        assert_eq!(next(&v0, &step(2, "copying", Some(new))).unwrap_err().status, 409);
        assert!(next(&v0, &step(1, "switched", None)).is_err());
        assert!(next(&v0, &step(1, "copying", Some(old))).is_err());
        assert!(next(&v2, &step(3, "copying", Some(new))).is_err());
    }
}
