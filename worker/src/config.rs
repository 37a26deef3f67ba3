//! The worker's configuration: bindings, secrets and vars (see worker/wrangler.toml and docs/edge.md).

use crate::crypto::decode_spki;
use crate::error::{ApiError, ApiResult};

/// D1 binding name.
pub const DB_BINDING: &str = "DB";
/// R2 binding holding the status snapshot and delta files (`wrangler.toml`).
pub const STATUS_BUCKET_BINDING: &str = "STATUS";
/// R2 binding holding certificate PDFs: annotated copies (`annotated/<job_id>/<sha256>.pdf`) and base PDFs
/// (`base/<管理号>.pdf`) (`wrangler.toml`).
pub const CERTS_BUCKET_BINDING: &str = "CERTS";

/// The bucket of certificate PDFs ([`CERTS_BUCKET_BINDING`]); a missing binding is a configuration error.
pub fn certs_bucket(env: &worker::Env) -> ApiResult<worker::Bucket> {
    env.bucket(CERTS_BUCKET_BINDING)
        .map_err(|e| ApiError::misconfigured(&format!("R2 binding {CERTS_BUCKET_BINDING}: {e}")))
}
/// Largest PDF `POST /v1/verify` accepts by default: the core's own input limit (16 MiB).
pub const DEFAULT_MAX_VERIFY_BYTES: usize = ecert_verify::MAX_INPUT_BYTES;
/// Largest JSON body of any other endpoint (bulk registration included).
pub const MAX_JSON_BYTES: usize = 4 * 1024 * 1024;
/// Shortest admin token accepted in configuration (a shorter one is treated as unset).
pub const MIN_TOKEN_LEN: usize = 32;

/// How long the edge waits for a request body (vars `BODY_TIMEOUT_MS`, `BODY_DEADLINE_MS`): a body that stalls is
/// cut off with 408 instead of holding the connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BodyTimeouts {
    /// The longest wait for the next piece of the body (a stall).
    pub idle_ms: u64,
    /// The longest time for the whole body (a slow drip).
    pub total_ms: u64,
}

impl BodyTimeouts {
    pub const DEFAULT: BodyTimeouts = BodyTimeouts { idle_ms: 5_000, total_ms: 30_000 };
    /// Bounds accepted for either value (a value outside them is ignored: the default applies).
    pub const MIN_MS: u64 = 100;
    pub const MAX_MS: u64 = 120_000;

    /// From the two vars' texts (absent or out of bounds: the default; the total is never below the idle wait).
    pub fn parse(idle: Option<&str>, total: Option<&str>) -> BodyTimeouts {
        let ms = |s: Option<&str>| {
            s.and_then(|s| s.trim().parse::<u64>().ok()).filter(|n| (Self::MIN_MS..=Self::MAX_MS).contains(n))
        };
        let idle_ms = ms(idle).unwrap_or(Self::DEFAULT.idle_ms);
        let total_ms = ms(total).unwrap_or(Self::DEFAULT.total_ms).max(idle_ms);
        BodyTimeouts { idle_ms, total_ms }
    }
}

/// The body time limits configured for this worker.
pub fn body_timeouts(env: &worker::Env) -> BodyTimeouts {
    BodyTimeouts::parse(text(env, "BODY_TIMEOUT_MS").as_deref(), text(env, "BODY_DEADLINE_MS").as_deref())
}

/// The origins allowed to call `POST /v1/lookup` from a browser (var `LOOKUP_ALLOWED_ORIGINS`: origins such as
/// `https://hr.example` separated by commas or whitespace), lower-cased, without a trailing `/`. Entries that are
/// not an `http(s)://host[:port]` origin (a path, `*`, `null`) are ignored: no wildcard.
pub fn parse_origins(s: &str) -> Vec<String> {
    s.split(|c: char| c == ',' || c.is_whitespace())
        .map(|o| o.trim().trim_end_matches('/').to_ascii_lowercase())
        .filter(|o| {
            let rest = o.strip_prefix("https://").or_else(|| o.strip_prefix("http://"));
            rest.is_some_and(|r| !r.is_empty() && !r.contains(['/', '*', '?', '#', '@']))
        })
        .collect()
}

/// Whether a browser on `origin` may call a restricted endpoint: the worker's own origin always, else only the
/// configured ones.
pub fn origin_allowed(origin: &str, allowed: &[String], own_origin: Option<&str>) -> bool {
    let origin = origin.trim().to_ascii_lowercase();
    own_origin.is_some_and(|own| own.eq_ignore_ascii_case(&origin)) || allowed.contains(&origin)
}

/// `LOOKUP_ALLOWED_ORIGINS`, parsed (empty when unset: only same-origin pages and non-browser clients).
pub fn lookup_allowed_origins(env: &worker::Env) -> Vec<String> {
    text(env, "LOOKUP_ALLOWED_ORIGINS").as_deref().map(parse_origins).unwrap_or_default()
}

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

/// The server-side pepper of holder passwords and the key of CSRF tokens: the secret `PASSWORD_PEPPER` (≥ 16 bytes),
/// else derived from `LOOKUP_KEY` (HMAC-SHA256 of "ecert.password-pepper/1", like `SHARD_KEY`) — either way a Worker
/// secret, never in D1. Neither set: 500 `MISCONFIGURED` (fail closed). Changing it invalidates every password.
pub fn password_pepper(env: &worker::Env) -> ApiResult<Vec<u8>> {
    use hmac::{KeyInit as _, Mac as _};
    if let Some(k) = text(env, "PASSWORD_PEPPER").filter(|k| k.len() >= crate::holder::password::MIN_PEPPER_BYTES) {
        return Ok(k.into_bytes());
    }
    let lookup = lookup_key(env)
        .map_err(|_| ApiError::misconfigured("PASSWORD_PEPPER and LOOKUP_KEY missing or shorter than 16 bytes"))?;
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(&lookup)
        .map_err(|_| ApiError::misconfigured("LOOKUP_KEY unusable"))?;
    mac.update(b"ecert.password-pepper/1");
    Ok(mac.finalize().into_bytes().to_vec())
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

/// The operator table's text (var or secret `OPERATORS`, docs/edge.md "Operators").
pub fn operators_text(env: &worker::Env) -> Option<String> {
    text(env, "OPERATORS").filter(|s| !s.trim().is_empty())
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
    fn body_timeouts() {
        assert_eq!(BodyTimeouts::parse(None, None), BodyTimeouts::DEFAULT);
        assert_eq!(BodyTimeouts::parse(Some("1500"), None), BodyTimeouts { idle_ms: 1500, total_ms: 30_000 });
        assert_eq!(BodyTimeouts::parse(Some("1500"), Some("3000")), BodyTimeouts { idle_ms: 1500, total_ms: 3000 });
        // Out of bounds or not a number: the default; the total never below the idle wait.
        assert_eq!(BodyTimeouts::parse(Some("0"), Some("x")), BodyTimeouts::DEFAULT);
        assert_eq!(BodyTimeouts::parse(Some("999999"), None), BodyTimeouts::DEFAULT);
        assert_eq!(BodyTimeouts::parse(Some("8000"), Some("2000")), BodyTimeouts { idle_ms: 8000, total_ms: 8000 });
    }

    #[test]
    fn origins() {
        let list = parse_origins(
            "https://hr.example, HTTPS://Portal.Example:8443/ http://localhost:3000,*,null,https://x.example/path,",
        );
        assert_eq!(list, ["https://hr.example", "https://portal.example:8443", "http://localhost:3000"]);
        assert!(origin_allowed("https://hr.example", &list, None));
        assert!(origin_allowed("https://portal.example:8443", &list, None));
        assert!(!origin_allowed("https://hr.example.evil", &list, None));
        assert!(!origin_allowed("http://hr.example", &list, None));
        assert!(!origin_allowed("null", &list, None));
        assert!(!origin_allowed("https://evil.example", &[], None));
        assert!(origin_allowed("http://127.0.0.1:8787", &[], Some("http://127.0.0.1:8787")));
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
