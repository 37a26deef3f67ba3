//! # ecert-worker
//!
//! The ecert edge: a Cloudflare Worker (workers-rs) over D1 that answers what a browser cannot know by itself —
//! the verification scope, the current signed trust list, certificate status (k-anonymity buckets), third-party
//! lookup (证书查验), programmatic verification, and issuer administration. See docs/edge.md and
//! docs/openapi.yaml.
//!
//! Layout: `router` (method + path → route), `routes/` (one module per endpoint group), `storage/` (all SQL),
//! `auth`, `rate_limit`, `crypto`, `lookup` and `trust` (pure rules), `http` and `error` (wire format).

// Tests may unwrap; the worker itself may not (workspace lints in Cargo.toml).
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing))]

pub mod auth;
pub mod config;
pub mod crypto;
mod edge_cache;
pub mod error;
pub mod holder;
pub mod http;
pub mod lookup;
pub mod rate_limit;
pub mod router;
mod routes;
pub mod status_cache;
pub mod storage;
pub mod trust;
mod upload;
mod webcrypto;

use worker::{Context, Env, Request, Response, Result, event};

#[event(fetch)]
async fn fetch(req: Request, env: Env, ctx: Context) -> Result<Response> {
    Ok(routes::dispatch(req, env, ctx).await)
}
