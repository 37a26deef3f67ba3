//! The worker's configuration: bindings, secrets and vars (see worker/wrangler.toml and docs/edge.md).

use crate::crypto::decode_spki;
use crate::error::{ApiError, ApiResult};

/// D1 binding name.
pub const DB_BINDING: &str = "DB";
/// R2 binding holding the status snapshot and delta files (`wrangler.toml`).
pub const STATUS_BUCKET_BINDING: &str = "STATUS";
/// Largest PDF `POST /v1/verify` accepts by default: the core's own input limit (16 MiB).
pub const DEFAULT_MAX_VERIFY_BYTES: usize = ecert_verify::MAX_INPUT_BYTES;
/// Largest JSON body of any other endpoint (bulk registration included).
pub const MAX_JSON_BYTES: usize = 4 * 1024 * 1024;
/// Shortest admin token accepted in configuration (a shorter one is treated as unset).
pub const MIN_TOKEN_LEN: usize = 32;

/// `count` requests per `window_seconds`, per client.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RateLimitSpec {
    pub count: u32,
    pub window_seconds: u32,
}

impl RateLimitSpec {
    /// Parse `COUNT/SECONDS`, e.g. `10/60`.
    pub fn parse(s: &str) -> Option<RateLimitSpec> {
        let (c, w) = s.trim().split_once('/')?;
        let count: u32 = c.trim().parse().ok()?;
        let window_seconds: u32 = w.trim().parse().ok()?;
        (count > 0 && (1..=86_400).contains(&window_seconds)).then_some(RateLimitSpec { count, window_seconds })
    }
}

/// Defaults when the vars are absent.
pub const DEFAULT_LOOKUP_LIMIT: RateLimitSpec = RateLimitSpec { count: 10, window_seconds: 60 };
pub const DEFAULT_VERIFY_LIMIT: RateLimitSpec = RateLimitSpec { count: 60, window_seconds: 60 };

fn text(env: &worker::Env, name: &str) -> Option<String> {
    // Secrets and plain vars are both string bindings; `secret` reads either.
    env.secret(name).ok().map(|s| s.to_string()).or_else(|| env.var(name).ok().map(|v| v.to_string()))
}

/// The key of the keyed hashes of names and ID numbers (secret `LOOKUP_KEY`).
pub fn lookup_key(env: &worker::Env) -> ApiResult<Vec<u8>> {
    match text(env, "LOOKUP_KEY") {
        Some(k) if k.len() >= 16 => Ok(k.into_bytes()),
        _ => Err(ApiError::misconfigured("LOOKUP_KEY secret missing or shorter than 16 bytes")),
    }
}

/// A configured admin token (`ADMIN_TOKEN`: every right; `AUDIT_TOKEN`: read the audit log only).
pub fn token(env: &worker::Env, name: &str) -> Option<String> {
    text(env, name).filter(|t| t.len() >= MIN_TOKEN_LEN)
}

/// The pinned root SubjectPublicKeyInfo (var `ROOT_SPKI`, PEM or base64 DER).
pub fn root_spki(env: &worker::Env) -> ApiResult<Vec<u8>> {
    text(env, "ROOT_SPKI")
        .as_deref()
        .and_then(decode_spki)
        .ok_or_else(|| ApiError::misconfigured("ROOT_SPKI var missing or not a PEM/base64 public key"))
}

pub fn rate_limit(env: &worker::Env, name: &str, default: RateLimitSpec) -> RateLimitSpec {
    text(env, name).as_deref().and_then(RateLimitSpec::parse).unwrap_or(default)
}

/// Default of `STATUS_MAX_STALE`: how old (seconds) a status bucket answer may be.
pub const DEFAULT_STATUS_MAX_STALE: u32 = 5;
/// Largest `STATUS_MAX_STALE` accepted.
pub const MAX_STATUS_MAX_STALE: u32 = 300;

/// Parse `STATUS_MAX_STALE`: whole seconds, 0 (no caching) to [`MAX_STATUS_MAX_STALE`].
pub fn parse_max_stale(s: &str) -> Option<u32> {
    s.trim().parse::<u32>().ok().filter(|n| *n <= MAX_STATUS_MAX_STALE)
}

/// How long a status bucket answer may be served after the D1 read that produced it started, in seconds
/// (var `STATUS_MAX_STALE`; the revocation visibility bound of docs/edge.md).
pub fn status_max_stale(env: &worker::Env) -> u32 {
    text(env, "STATUS_MAX_STALE").as_deref().and_then(parse_max_stale).unwrap_or(DEFAULT_STATUS_MAX_STALE)
}

pub fn max_verify_bytes(env: &worker::Env) -> usize {
    text(env, "MAX_VERIFY_BYTES")
        .and_then(|s| s.trim().parse::<usize>().ok())
        .filter(|n| *n > 0)
        // Above the core's limit a body would be read only to be refused as FILE_TOO_LARGE.
        .map(|n| n.min(ecert_verify::MAX_INPUT_BYTES))
        .unwrap_or(DEFAULT_MAX_VERIFY_BYTES)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_limit_spec() {
        assert_eq!(RateLimitSpec::parse("10/60"), Some(RateLimitSpec { count: 10, window_seconds: 60 }));
        assert_eq!(RateLimitSpec::parse(" 3 / 5 "), Some(RateLimitSpec { count: 3, window_seconds: 5 }));
        assert_eq!(RateLimitSpec::parse("0/60"), None);
        assert_eq!(RateLimitSpec::parse("10/0"), None);
        assert_eq!(RateLimitSpec::parse("10"), None);
        assert_eq!(RateLimitSpec::parse("x/60"), None);
    }

    #[test]
    fn max_stale() {
        assert_eq!(parse_max_stale("5"), Some(5));
        assert_eq!(parse_max_stale(" 0 "), Some(0));
        assert_eq!(parse_max_stale("300"), Some(300));
        assert_eq!(parse_max_stale("301"), None);
        assert_eq!(parse_max_stale("-1"), None);
        assert_eq!(parse_max_stale("5s"), None);
    }
}
