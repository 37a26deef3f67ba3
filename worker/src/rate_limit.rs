//! Per-client rate limits on the endpoints that could be used to enumerate certificates (lookup) or to burn
//! CPU (verify): fixed windows counted in D1, so the limit holds across isolates. The client is the
//! `CF-Connecting-IP` address, stored only as a keyed hash.

use crate::config::RateLimitSpec;
use crate::crypto::{Field, keyed_hash};
use crate::error::{ApiError, ApiResult};
use crate::storage::{Db, rate_limits};

/// The window containing `now`: its start, and the seconds left until it ends (at least 1).
pub fn window(spec: RateLimitSpec, now: i64) -> (i64, u64) {
    let w = i64::from(spec.window_seconds);
    let start = now - now.rem_euclid(w);
    (start, u64::try_from(start + w - now).unwrap_or(1).max(1))
}

/// The counter key: endpoint plus a keyed hash of the client address.
pub fn bucket_key(endpoint: &str, client: &str, key: &[u8]) -> String {
    let h = keyed_hash(key, Field::Client, endpoint, client.as_bytes());
    format!("{endpoint}:{}", h.get(..32).unwrap_or(&h))
}

/// Count this request; `Err(429)` with `Retry-After` once the client is over the limit.
pub async fn check(db: &Db, endpoint: &str, client: &str, key: &[u8], spec: RateLimitSpec, now: i64) -> ApiResult<()> {
    let (start, retry_after) = window(spec, now);
    let bucket = bucket_key(endpoint, client, key);
    let count = rate_limits::increment(db, &bucket, start).await?;
    if count == 1 {
        // First request of a new window for this client: a cheap moment to drop expired windows (a day is the
        // longest window allowed).
        rate_limits::prune(db, now - 86_400).await?;
    }
    if count > i64::from(spec.count) { Err(ApiError::rate_limited(retry_after)) } else { Ok(()) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows() {
        let spec = RateLimitSpec { count: 10, window_seconds: 60 };
        assert_eq!(window(spec, 120), (120, 60));
        assert_eq!(window(spec, 179), (120, 1));
        assert_eq!(window(spec, 150), (120, 30));
        let k = bucket_key("lookup", "127.0.0.1", b"key");
        assert!(k.starts_with("lookup:") && k.len() == "lookup:".len() + 32);
        assert_ne!(k, bucket_key("lookup", "127.0.0.2", b"key"));
        assert_ne!(k, bucket_key("verify", "127.0.0.1", b"key"));
    }
}
