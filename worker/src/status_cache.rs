//! The bounded-staleness cache of status buckets (docs/edge.md, "Status: k-anonymity buckets"). Pure: the clock
//! is passed in, so the bound is unit-tested natively.
//!
//! Each isolate keeps the serialised answer of the buckets it served recently, keyed by prefix, with the time
//! the D1 read that produced it *started*. The one rule: an answer is served only while
//! `now - read_started < max_stale`. A revocation committed (acknowledged with 201) at `t` is therefore in
//! every bucket answer served from `t + max_stale` on, by every isolate: any answer served then comes from a
//! read that started after the commit. Within the bound the cache refreshes ahead: past half of `max_stale` the
//! entry is still served but one request starts a background re-read, so steady traffic never waits for D1.
//! Memory is bounded by [`StatusCache::capacity`] entries.

use std::collections::HashMap;

/// Most buckets one isolate keeps (a few hundred bytes to a few KB each).
pub const DEFAULT_CAPACITY: usize = 4096;

/// One cached answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cached {
    /// The whole `ecert.status-bucket/1` JSON body, `as_of` included.
    pub body: Vec<u8>,
    /// Strong ETag of `body`.
    pub etag: String,
    /// When the D1 read that produced it started, Unix milliseconds.
    pub read_started_ms: i64,
}

impl Cached {
    /// Whole seconds an HTTP cache may still keep this answer without breaking the bound (`max-age`).
    pub fn max_age_seconds(&self, now_ms: i64, max_stale_ms: i64) -> i64 {
        ((self.read_started_ms + max_stale_ms - now_ms) / 1000).max(0)
    }
}

/// What to do with a request for a bucket.
#[derive(Debug, PartialEq, Eq)]
pub enum Decision {
    /// Serve the cached answer.
    Serve(Cached),
    /// Serve the cached answer and re-read the bucket in the background (this request is the one to do it).
    ServeAndRefresh(Cached),
    /// Nothing servable: read D1 now.
    Read,
}

struct Entry {
    cached: Cached,
    refreshing: bool,
}

/// Per-isolate cache of bucket answers.
pub struct StatusCache {
    entries: HashMap<String, Entry>,
    capacity: usize,
}

impl StatusCache {
    pub fn new(capacity: usize) -> StatusCache {
        StatusCache {
            entries: HashMap::new(),
            capacity: capacity.max(1),
        }
    }

    pub fn capacity(&self) -> usize {
        self.capacity
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Decide how to answer a request for `prefix` at `now_ms`. `max_stale_ms` ≤ 0 disables the cache.
    pub fn decide(&mut self, prefix: &str, now_ms: i64, max_stale_ms: i64) -> Decision {
        let Some(e) = self.entries.get_mut(prefix) else {
            return Decision::Read;
        };
        let age = now_ms - e.cached.read_started_ms;
        if max_stale_ms <= 0 || !(0..max_stale_ms).contains(&age) {
            // Too old (or from the future: a clock step) — never served.
            self.entries.remove(prefix);
            return Decision::Read;
        }
        if age >= max_stale_ms / 2 && !e.refreshing {
            e.refreshing = true;
            return Decision::ServeAndRefresh(e.cached.clone());
        }
        Decision::Serve(e.cached.clone())
    }

    /// Keep an answer read from D1. An older read never replaces a newer one (a slow background refresh may
    /// finish after a later read). Evicts expired entries, then the oldest, to stay within capacity.
    pub fn store(&mut self, prefix: &str, cached: Cached, now_ms: i64, max_stale_ms: i64) {
        if max_stale_ms <= 0 {
            return;
        }
        if let Some(e) = self.entries.get_mut(prefix) {
            if e.cached.read_started_ms <= cached.read_started_ms {
                e.cached = cached;
            }
            e.refreshing = false;
            return;
        }
        if self.entries.len() >= self.capacity {
            self.entries
                .retain(|_, e| (0..max_stale_ms).contains(&(now_ms - e.cached.read_started_ms)));
        }
        if self.entries.len() >= self.capacity
            && let Some(oldest) = self
                .entries
                .iter()
                .min_by_key(|(_, e)| e.cached.read_started_ms)
                .map(|(k, _)| k.clone())
        {
            self.entries.remove(&oldest);
        }
        self.entries.insert(prefix.to_owned(), Entry { cached, refreshing: false });
    }

    /// A background refresh failed: let a later request try again (the entry still expires on time).
    pub fn refresh_failed(&mut self, prefix: &str) {
        if let Some(e) = self.entries.get_mut(prefix) {
            e.refreshing = false;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BOUND: i64 = 5_000;

    fn answer(read_started_ms: i64) -> Cached {
        Cached {
            body: format!("{{\"as_of\":{}}}", read_started_ms / 1000).into_bytes(),
            etag: format!("\"{read_started_ms}\""),
            read_started_ms,
        }
    }

    #[test]
    fn never_serves_an_answer_read_max_stale_or_longer_ago() {
        let mut c = StatusCache::new(16);
        assert_eq!(c.decide("ab12", 1_000, BOUND), Decision::Read);
        c.store("ab12", answer(1_000), 1_010, BOUND);
        // Every millisecond of the bound: served (fresh, then refresh-ahead) — and never at or after it.
        for now in 1_000..1_000 + BOUND {
            assert!(!matches!(c.decide("ab12", now, BOUND), Decision::Read), "{now}");
        }
        assert_eq!(c.decide("ab12", 1_000 + BOUND, BOUND), Decision::Read);
        // Expired entries are dropped, not revived.
        assert_eq!(c.decide("ab12", 1_000 + 1, BOUND), Decision::Read);
    }

    #[test]
    fn a_revocation_is_in_every_answer_served_max_stale_after_its_commit() {
        // A bucket read before the revocation, refreshed ahead by traffic every 300 ms, the refresh completing
        // 50 ms after it starts; the revocation commits at `commit`.
        let mut c = StatusCache::new(16);
        let commit = 7_777;
        let mut pending: Option<i64> = None;
        c.store("ab12", answer(0), 10, BOUND);
        let mut now = 0;
        while now < 40_000 {
            if let Some(started) = pending
                && now >= started + 50
            {
                c.store("ab12", answer(started), now, BOUND);
                pending = None;
            }
            let served = match c.decide("ab12", now, BOUND) {
                Decision::Serve(a) => a,
                Decision::ServeAndRefresh(a) => {
                    pending = Some(now);
                    a
                }
                Decision::Read => {
                    c.store("ab12", answer(now), now, BOUND);
                    answer(now)
                }
            };
            if now >= commit + BOUND {
                assert!(served.read_started_ms >= commit, "stale answer at {now}");
            }
            assert!(served.max_age_seconds(now, BOUND) * 1000 + now <= served.read_started_ms + BOUND);
            now += 300;
        }
    }

    #[test]
    fn refreshes_ahead_once_past_half_the_bound() {
        let mut c = StatusCache::new(16);
        c.store("ab12", answer(0), 0, BOUND);
        assert!(matches!(c.decide("ab12", BOUND / 2 - 1, BOUND), Decision::Serve(_)));
        assert!(matches!(c.decide("ab12", BOUND / 2, BOUND), Decision::ServeAndRefresh(_)));
        // One refresh at a time.
        assert!(matches!(c.decide("ab12", BOUND / 2 + 1, BOUND), Decision::Serve(_)));
        c.refresh_failed("ab12");
        assert!(matches!(c.decide("ab12", BOUND / 2 + 2, BOUND), Decision::ServeAndRefresh(_)));
        c.store("ab12", answer(BOUND / 2 + 2), BOUND / 2 + 60, BOUND);
        assert_eq!(c.decide("ab12", BOUND / 2 + 61, BOUND), Decision::Serve(answer(BOUND / 2 + 2)));
    }

    #[test]
    fn an_older_read_never_replaces_a_newer_one() {
        let mut c = StatusCache::new(16);
        c.store("ab12", answer(2_000), 2_050, BOUND);
        c.store("ab12", answer(1_000), 2_100, BOUND);
        assert_eq!(c.decide("ab12", 2_200, BOUND), Decision::Serve(answer(2_000)));
    }

    #[test]
    fn disabled_when_the_bound_is_zero() {
        let mut c = StatusCache::new(16);
        c.store("ab12", answer(0), 0, 0);
        assert!(c.is_empty());
        c.store("ab12", answer(0), 0, BOUND);
        assert_eq!(c.decide("ab12", 1, 0), Decision::Read);
    }

    #[test]
    fn a_clock_step_backwards_is_not_served() {
        let mut c = StatusCache::new(16);
        c.store("ab12", answer(10_000), 10_000, BOUND);
        assert_eq!(c.decide("ab12", 9_999, BOUND), Decision::Read);
    }

    #[test]
    fn bounded_memory() {
        let mut c = StatusCache::new(3);
        for (i, p) in ["0001", "0002", "0003"].into_iter().enumerate() {
            c.store(p, answer(i as i64), i as i64, BOUND);
        }
        // Full: the oldest goes.
        c.store("0004", answer(10), 10, BOUND);
        assert_eq!(c.len(), 3);
        assert_eq!(c.decide("0001", 11, BOUND), Decision::Read);
        // Full with expired entries: they go first.
        c.store("0005", answer(BOUND + 5), BOUND + 5, BOUND);
        assert_eq!(c.len(), 2);
        assert!(matches!(c.decide("0005", BOUND + 6, BOUND), Decision::Serve(_)));
    }
}
