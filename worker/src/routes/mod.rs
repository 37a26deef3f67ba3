//! Request handlers, one module per endpoint group, and the dispatcher that runs them.

mod admin;
mod holder;
mod lookup;
mod scope;
mod signer;
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

    /// Authenticate the request's bearer token against the named operators (`OPERATORS`, and the older
    /// `ADMIN_TOKEN` / `AUDIT_TOKEN`) and require `right`. The principal's `name` is the operator's.
    pub fn authorize(&self, req: &Request, right: Right) -> ApiResult<Principal> {
        let header = req.headers().get("authorization").ok().flatten();
        let operators = config::operators_text(&self.env);
        let admin = config::token(&self.env, "ADMIN_TOKEN");
        let audit = config::token(&self.env, "AUDIT_TOKEN");
        let signer = config::token(&self.env, "SIGNER_TOKEN");
        let table = auth::operator_table_with_signer(
            operators.as_deref(),
            admin.as_deref(),
            audit.as_deref(),
            signer.as_deref(),
        )?;
        let principal = auth::authenticate(header.as_deref(), table)?;
        principal.require(right)?;
        crate::error::worker_info(&format!("request {}: operator {} ({right:?})", self.request_id, principal.name));
        Ok(principal)
    }

    /// The client's rate-limit key: its IPv4 address or IPv6 /64 ([`crate::rate_limit::client_key`]) from
    /// `CF-Connecting-IP` (set by the Cloudflare edge; passed through by workerd locally).
    pub fn client(&self, req: &Request) -> String {
        let address = req.headers().get("cf-connecting-ip").ok().flatten().unwrap_or_else(|| "unknown".to_owned());
        crate::rate_limit::client_key(&address)
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

/// How a response may be read cross-origin.
enum Cors {
    /// Admin endpoints: no CORS headers.
    None,
    /// Public endpoints the widget needs: `*`.
    Any,
    /// Lookup: only the request's origin, when allowed (or no browser origin at all).
    Origin(Option<String>),
}

/// Run the request through the route table and its handler; every failure becomes a JSON error response carrying
/// the request id (except lookup's `NOT_FOUND`, whose body must be the same bytes whatever the miss), and every
/// response an `x-request-id` header.
pub async fn dispatch(mut req: Request, env: Env, event: Context) -> Response {
    let request_id = request_id(&req);
    http::set_body_timeouts(config::body_timeouts(&env));
    // The method token as sent: workers-rs's `Method` turns unknown methods into GET.
    let method = router::Method::parse(&req.inner().method());
    let result = match router::resolve(method, &req.path()) {
        Ok(route) => {
            let (cors, checked) = origin_policy(&route, &req, &env);
            let result = match checked {
                Err(e) => Err(e),
                Ok(()) => match env.d1(config::DB_BINDING) {
                    Ok(db) => {
                        let ctx = Ctx { env, db: Db(db), now: now_unix(), event, request_id: request_id.clone() };
                        handle(&route, &mut req, &ctx).await
                    }
                    Err(e) => Err(ApiError::misconfigured(&format!("D1 binding {}: {e}", config::DB_BINDING))),
                },
            };
            (result, cors)
        }
        Err(e) => (Err(e), Cors::None),
    };
    let (result, cors) = result;
    let mut resp = result.unwrap_or_else(|e| {
        let e = if e.code == "NOT_FOUND" { e } else { e.with("request_id", request_id.as_str()) };
        http::error_response(&e)
    });
    match cors {
        Cors::None => {}
        Cors::Any => http::add_cors(&mut resp),
        Cors::Origin(origin) => http::add_cors_origin(&mut resp, origin.as_deref()),
    }
    http::set_header(&mut resp, "x-request-id", &request_id);
    resp
}

/// The CORS policy of a route, and whether this request may proceed: a lookup (or its preflight) carrying an
/// `Origin` that is neither the worker's own nor listed in `LOOKUP_ALLOWED_ORIGINS` is 403 `ORIGIN_NOT_ALLOWED`,
/// with no `Access-Control-Allow-Origin`, before anything is counted or read.
fn origin_policy(route: &Route, req: &Request, env: &Env) -> (Cors, ApiResult<()>) {
    if !route.is_public() {
        return (Cors::None, Ok(()));
    }
    if !(route.origin_restricted() || *route == Route::LookupPreflight) {
        return (Cors::Any, Ok(()));
    }
    let Some(origin) = req.headers().get("origin").ok().flatten() else {
        // Not a browser's cross-origin request (curl, a server): nothing to allow or refuse.
        return (Cors::Origin(None), Ok(()));
    };
    let own = req.url().ok().map(|u| u.origin().ascii_serialization());
    if config::origin_allowed(&origin, &config::lookup_allowed_origins(env), own.as_deref()) {
        (Cors::Origin(Some(origin)), Ok(()))
    } else {
        (Cors::Origin(None), Err(ApiError::origin_not_allowed()))
    }
}

async fn handle(route: &Route, req: &mut Request, ctx: &Ctx) -> ApiResult<Response> {
    match route {
        Route::Preflight => http::preflight(),
        Route::LookupPreflight => http::lookup_preflight(),
        Route::Noop => noop(ctx),
        Route::Scope => scope::get(req, ctx).await,
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
        Route::AdminJobs => admin::jobs(req, ctx).await,
        Route::AdminCertificatePdf(m) => admin::put_base_pdf(req, ctx, m).await,
        Route::AdminAnnotations => admin::import_annotation(req, ctx).await,
        Route::HolderRegister => holder::register(req, ctx).await,
        Route::HolderLogin => holder::login(req, ctx).await,
        Route::HolderLogout => holder::logout(req, ctx).await,
        Route::HolderSession => holder::session_info(req, ctx).await,
        Route::HolderCertificates => holder::certificates(req, ctx).await,
        Route::HolderApply(m) => holder::apply(req, ctx, m).await,
        Route::HolderAnnotationPdf(m, job) => holder::annotation_pdf(req, ctx, m, job).await,
        Route::HolderBasePdf(m) => holder::base_pdf(req, ctx, m).await,
        Route::HolderDeleteAccount => holder::delete_account(req, ctx).await,
        Route::SignerClaim => signer::claim(req, ctx).await,
        Route::SignerUpload(job) => signer::upload(req, ctx, job).await,
        Route::SignerFail(job) => signer::fail(req, ctx, job).await,
    }
}

/// `GET /v1/noop`: the same worker, routing and JSON path, no storage — the load test's baseline.
fn noop(ctx: &Ctx) -> ApiResult<Response> {
    let mut r = http::json(200, &serde_json::json!({ "ok": true, "now": ctx.now }))?;
    http::set_header(&mut r, "cache-control", "no-store");
    Ok(r)
}
