//! The shared response cache of the public GET routes (trust list, scope, status snapshot and delta): Cloudflare's
//! Cache API (`caches.default`), which every isolate of a data centre shares (docs/edge.md, "Caching").
//!
//! Two kinds of entries, each under a synthetic URL of [`HOST`] (never fetched; only a key):
//!
//! - **current** entries (which trust list, scope answer, status files are current): each holds the time the D1
//!   read behind it started and is served only while that read is less than `STATUS_MAX_STALE` seconds old —
//!   the same rule as the status bucket cache ([`fresh`]). A publication therefore shows in every data centre
//!   within that bound; the admin route that publishes also deletes the entries ([`purge_publications`]), so in
//!   the data centre that took it the next request reads D1 (a read that raced the publication can still put the
//!   old answer back: that one, too, is served only within the bound). `STATUS_MAX_STALE=0`: no current entries.
//! - **file** entries: a status file's bytes under its ETag. A file never changes under its ETag, so these live
//!   for a day and need no purge; they are checked against the stored SHA-256 when read, like an R2 read.
//!
//! A cache that fails (or is a no-op, as on `*.workers.dev`) only costs the reads it would have saved: every
//! error here is logged and treated as a miss.

use serde::Serialize;
use serde::de::DeserializeOwned;
use worker::{Cache, Headers, Response};

use crate::routes::Ctx;

/// The origin of every cache key. `.invalid` (RFC 6761) can never be a real host.
pub const HOST: &str = "https://edge-cache.ecert.invalid";
/// The current trust list (or that none is published).
pub const KEY_TRUST_LIST: &str = "https://edge-cache.ecert.invalid/v1/trust-list";
/// The scope answer.
pub const KEY_SCOPE: &str = "https://edge-cache.ecert.invalid/v1/scope";
/// Which status snapshot and delta are current.
pub const KEY_STATUS_CURRENT: &str = "https://edge-cache.ecert.invalid/v1/status/current";
/// How long a file entry lives (it never changes under its ETag).
pub const FILE_MAX_AGE: u32 = 86_400;
/// The header of an entry holding the Unix time (ms) at which the D1 read behind it started.
const READ_AT: &str = "x-ecert-read-at-ms";

/// Whether an entry whose D1 read started at `read_at_ms` may still be served at `now_ms` under a bound of
/// `bound_s` seconds: strictly less than the bound old, never from the future, never with a bound of 0.
pub fn fresh(read_at_ms: u64, now_ms: u64, bound_s: u32) -> bool {
    bound_s > 0 && now_ms >= read_at_ms && now_ms - read_at_ms < u64::from(bound_s) * 1000
}

/// The key of a status file's entry: its ETag without quotes.
pub fn file_key(etag: &str) -> String {
    format!("{HOST}/v1/status/file/{}", etag.trim_matches('"'))
}

/// Unix time in milliseconds.
pub fn now_ms() -> u64 {
    worker::Date::now().as_millis()
}

/// Whether the response the handler gives came from the shared cache (`x-ecert-edge-cache: hit` or `miss`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    Hit,
    Miss,
}

impl Source {
    pub fn header(self) -> &'static str {
        match self {
            Source::Hit => "hit",
            Source::Miss => "miss",
        }
    }
}

/// A stored entry: its bytes and when the read behind it started.
pub struct Entry {
    pub body: Vec<u8>,
    pub read_at_ms: u64,
}

/// Look a key up. Errors are misses.
pub async fn get(key: &str) -> Option<Entry> {
    let cache = Cache::default();
    let mut resp = match cache.get(key, false).await {
        Ok(Some(r)) => r,
        Ok(None) => return None,
        Err(e) => {
            worker::console_warn!("edge cache get {key}: {e}");
            return None;
        }
    };
    let read_at_ms = resp.headers().get(READ_AT).ok().flatten().and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
    match resp.bytes().await {
        Ok(body) => Some(Entry { body, read_at_ms }),
        Err(e) => {
            worker::console_warn!("edge cache body {key}: {e}");
            None
        }
    }
}

/// Store `body` under `key` after the response is sent (`wait_until`), for `max_age_s` seconds at most.
pub fn put(ctx: &Ctx, key: String, body: Vec<u8>, read_at_ms: u64, max_age_s: u32) {
    if max_age_s == 0 {
        return;
    }
    ctx.event.wait_until(async move {
        let resp = (|| -> worker::Result<Response> {
            let h = Headers::new();
            h.set("cache-control", &format!("public, max-age={max_age_s}"))?;
            h.set("content-type", "application/octet-stream")?;
            h.set(READ_AT, &read_at_ms.to_string())?;
            Ok(Response::from_bytes(body)?.with_headers(h))
        })();
        let result = match resp {
            Ok(r) => Cache::default().put(key.as_str(), r).await,
            Err(e) => Err(e),
        };
        if let Err(e) = result {
            worker::console_warn!("edge cache put {key}: {e}");
        }
    });
}

/// A current value through the cache: the stored one while [`fresh`] under `bound_s`, else `read()` (its start
/// time recorded) stored for the next request. `bound_s == 0` reads every time and stores nothing.
pub async fn current<T, F>(ctx: &Ctx, key: &str, bound_s: u32, read: F) -> crate::error::ApiResult<(T, Source)>
where
    T: Serialize + DeserializeOwned,
    F: Future<Output = crate::error::ApiResult<T>>,
{
    if bound_s > 0
        && let Some(entry) = get(key).await
        && fresh(entry.read_at_ms, now_ms(), bound_s)
        && let Ok(value) = serde_json::from_slice::<T>(&entry.body)
    {
        return Ok((value, Source::Hit));
    }
    let started = now_ms();
    let value = read.await?;
    if bound_s > 0
        && let Ok(body) = serde_json::to_vec(&value)
    {
        put(ctx, key.to_owned(), body, started, bound_s);
    }
    Ok((value, Source::Miss))
}

/// Delete the current entries (trust list, scope, status files) in this data centre: called by the admin routes
/// after a publication committed, before they answer. Other data centres see it within the bound.
pub async fn purge_publications() {
    let cache = Cache::default();
    for key in [KEY_TRUST_LIST, KEY_SCOPE, KEY_STATUS_CURRENT] {
        if let Err(e) = cache.delete(key, false).await {
            worker::console_warn!("edge cache delete {key}: {e}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn freshness_is_the_bound() {
        // Served strictly less than the bound after the read started, never at or after it.
        assert!(fresh(10_000, 10_000, 5));
        assert!(fresh(10_000, 14_999, 5));
        assert!(!fresh(10_000, 15_000, 5));
        assert!(!fresh(10_000, 99_000, 5));
        // A bound of 0 serves nothing; an entry from the future (clock skew) is not trusted.
        assert!(!fresh(10_000, 10_000, 0));
        assert!(!fresh(10_001, 10_000, 5));
        // Any read start and any bound up to the maximum: never served at read + bound.
        for bound in [1, 5, 60, 300] {
            for read in [0, 1, 999, 1_700_000_000_123] {
                let limit = read + u64::from(bound) * 1000;
                assert!(fresh(read, limit - 1, bound));
                assert!(!fresh(read, limit, bound));
            }
        }
    }

    #[test]
    fn keys() {
        assert_eq!(file_key("\"0123abcd\""), "https://edge-cache.ecert.invalid/v1/status/file/0123abcd");
        for k in [KEY_TRUST_LIST, KEY_SCOPE, KEY_STATUS_CURRENT] {
            assert!(k.starts_with(HOST));
        }
    }
}
