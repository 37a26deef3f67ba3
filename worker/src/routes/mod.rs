//! Request handlers, one module per endpoint group, and the dispatcher that runs them.

mod admin;
mod lookup;
mod scope;
mod status;
mod status_snapshot;
mod trust_list;
pub(crate) mod verify;

use worker::{Context, Env, Request, Response};

use crate::auth::{self, Principal, Right};
use crate::config;
use crate::error::{ApiError, ApiResult};
use crate::http;
use crate::router::{self, Route};
use crate::storage::Db;
use crate::storage::shards::Store;

/// What every handler gets besides the request.
pub struct Ctx {
    pub env: Env,
    pub db: Db,
    /// Unix seconds at the start of the request.
    pub now: i64,
    /// The fetch event's context, for work that outlives the response (`wait_until`).
    pub event: Context,
    /// The edge's id of this request (the audit log records it).
    pub request_id: String,
}

impl Ctx {
    /// The registry: control database, shard map (kept per isolate for at most `shards::MAP_TTL_MS`) and the shards.
    pub async fn store(&self) -> ApiResult<Store> {
        Store::open(&self.env, i64::try_from(worker::Date::now().as_millis()).unwrap_or(0)).await
    }

    /// Authenticate the request's bearer token and require `right`.
    pub fn authorize(&self, req: &Request, right: Right) -> ApiResult<Principal> {
        let header = req.headers().get("authorization").ok().flatten();
        let admin = config::token(&self.env, "ADMIN_TOKEN");
        let audit = config::token(&self.env, "AUDIT_TOKEN");
        let principal = auth::authenticate(header.as_deref(), admin.as_deref(), audit.as_deref())?;
        principal.require(right)?;
        Ok(principal)
    }

    /// The client address for rate limiting (set by the Cloudflare edge, and by workerd locally).
    pub fn client(&self, req: &Request) -> String {
        req.headers().get("cf-connecting-ip").ok().flatten().unwrap_or_else(|| "unknown".to_owned())
    }
}

/// The request's id: Cloudflare's `cf-ray` when present, else 16 random hex digits.
fn request_id(req: &Request) -> String {
    req.headers().get("cf-ray").ok().flatten().filter(|r| !r.is_empty() && r.len() <= 64).unwrap_or_else(|| {
        let a = (js_sys::Math::random() * 4_294_967_296.0) as u64;
        let b = (js_sys::Math::random() * 4_294_967_296.0) as u64;
        format!("{:016x}", (a << 32) | b)
    })
}

fn now_unix() -> i64 {
    i64::try_from(worker::Date::now().as_millis() / 1000).unwrap_or(0)
}

/// Run the request through the route table and its handler; every failure becomes a JSON error response.
pub async fn dispatch(mut req: Request, env: Env, event: Context) -> Response {
    let method = req.method();
    let route = match router::resolve(&method, &req.path()) {
        Ok(r) => r,
        Err(e) => return http::error_response(&e),
    };
    let public = route.is_public();
    let result = match env.d1(config::DB_BINDING) {
        Ok(db) => {
            let ctx = Ctx { env, db: Db(db), now: now_unix(), event, request_id: request_id(&req) };
            handle(&route, &mut req, &ctx).await
        }
        Err(e) => Err(ApiError::misconfigured(&format!("D1 binding {}: {e}", config::DB_BINDING))),
    };
    let mut resp = result.unwrap_or_else(|e| http::error_response(&e));
    if public {
        http::add_cors(&mut resp);
    }
    resp
}

async fn handle(route: &Route, req: &mut Request, ctx: &Ctx) -> ApiResult<Response> {
    match route {
        Route::Preflight => http::preflight(),
        Route::Noop => noop(ctx),
        Route::Scope => scope::get(ctx).await,
        Route::TrustList => trust_list::get(req, ctx).await,
        Route::Status(prefix) => status::get(req, prefix, ctx).await,
        Route::StatusSnapshot => status_snapshot::get(req, ctx, status_snapshot::Which::Snapshot).await,
        Route::StatusDelta => status_snapshot::get(req, ctx, status_snapshot::Which::Delta).await,
        Route::Lookup => lookup::post(req, ctx).await,
        Route::Verify => verify::post(req, ctx).await,
        Route::AdminCertificates => admin::register(req, ctx).await,
        Route::AdminRevocations => admin::revoke(req, ctx).await,
        Route::AdminTrustList => admin::publish_trust_list(req, ctx).await,
        Route::AdminAudit => admin::audit(req, ctx).await,
        Route::AdminStatusUniverse => admin::status_universe(req, ctx).await,
        Route::AdminStatusSnapshot => admin::publish_status(req, ctx).await,
        Route::AdminShards => admin::shards(req, ctx).await,
        Route::AdminShardsCopy => admin::copy_shard_page(req, ctx).await,
    }
}

/// `GET /v1/noop`: the same worker, routing and JSON path, no storage — the load test's baseline.
fn noop(ctx: &Ctx) -> ApiResult<Response> {
    let mut r = http::json(200, &serde_json::json!({ "ok": true, "now": ctx.now }))?;
    http::set_header(&mut r, "cache-control", "no-store");
    Ok(r)
}
