//! The bounded-staleness cache of status buckets (docs/edge.md, "Status: k-anonymity buckets"). Pure: the clock
//! and the database's answers are passed in, so the bound is unit-tested natively.
//!
//! Each isolate keeps the answers of the buckets it served recently, keyed by prefix, each with the time the
//! D1 read behind it *started* and the change sequence number that read saw (`status_versions`, migration
//! 0002: every registration or revocation gives its bucket the next number, in the same transaction). The one
//! rule: an answer is served only while `now - read_started < max_stale`. A revocation committed (acknowledged
//! with 201) at `t` is therefore in every bucket answer served from `t + max_stale` on, by every isolate: any
//! answer served then reflects a snapshot taken after the commit.
//!
//! Keeping answers fresh without re-reading them: once any entry is past half of `max_stale`, one request
//! starts a *validation* (served from the cache meanwhile): one indexed read of the buckets changed after the
//! lowest sequence number the cache holds. An entry whose bucket has no change numbered after its own number is
//! exactly what a read would return now, so it counts as read at the validation's start; an entry whose bucket
//! changed is dropped and read again on its next request. So an isolate reads D1 about once per half bound for
//! all its buckets together — not once per bucket — and steady traffic never waits for D1. Memory is bounded
//! by [`StatusCache::capacity`] entries.

use std::collections::HashMap;

use ecert_format::StatusBucket;

use crate::trust::etag_of;

/// Most buckets one isolate keeps (a few hundred bytes to a few KB each).
pub const DEFAULT_CAPACITY: usize = 4096;

/// Most changed buckets one validation reads; more than that and the validation keeps nothing (the entries
/// then expire and are read again one by one).
pub const VALIDATION_LIMIT: u32 = 256;

/// A bucket as just read from D1.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fresh {
    /// The answer (its `as_of` is set from `read_started_ms` when it is serialised).
    pub bucket: StatusBucket,
    /// When the D1 read started, Unix milliseconds.
    pub read_started_ms: i64,
    /// The highest change sequence number of that read's snapshot: the answer holds every change numbered up to
    /// it, and any later change to this bucket has a higher number.
    pub seq: i64,
}

/// An answer as served.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cached {
    /// `ecert.status-bucket/2` JSON, its `as_of` the second `read_started_ms` falls in.
    pub body: Vec<u8>,
    /// Strong ETag of `body`.
    pub etag: String,
    /// When the D1 read (or validation) it reflects started, Unix milliseconds.
    pub read_started_ms: i64,
}

impl Cached {
    /// `bucket` as read (or validated) at `read_started_ms`; sets its `as_of` from that time.
    fn serialise(bucket: &mut StatusBucket, read_started_ms: i64) -> Result<Cached, serde_json::Error> {
        bucket.as_of = read_started_ms.div_euclid(1000);
        let body = serde_json::to_vec(bucket)?;
        Ok(Cached { etag: etag_of(&body), body, read_started_ms })
    }

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
    /// Serve the cached answer and validate the cache in the background (this request is the one to do it):
    /// read the buckets changed after `after`, then call [`StatusCache::validated`].
    ServeAndValidate { answer: Cached, after: i64 },
    /// Nothing servable: read D1 now.
    Read,
}

/// One bucket held: what was read, when, at which number; serialised once per read or renewal, when first served.
struct Entry {
    bucket: StatusBucket,
    read_started_ms: i64,
    seq: i64,
    served: Option<Cached>,
}

impl Entry {
    fn answer(&mut self) -> Result<&Cached, serde_json::Error> {
        let served = match self.served.take() {
            Some(served) => served,
            None => Cached::serialise(&mut self.bucket, self.read_started_ms)?,
        };
        Ok(self.served.insert(served))
    }
}

/// Per-isolate cache of bucket answers.
pub struct StatusCache {
    entries: HashMap<String, Entry>,
    capacity: usize,
    /// When the validation in flight started (a validation that never reports back blocks others for at most
    /// one bound).
    validating_since_ms: Option<i64>,
}

impl StatusCache {
    pub fn new(capacity: usize) -> StatusCache {
        StatusCache { entries: HashMap::new(), capacity: capacity.max(1), validating_since_ms: None }
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
        let age = now_ms - e.read_started_ms;
        if max_stale_ms <= 0 || !(0..max_stale_ms).contains(&age) {
            // Too old (or from the future: a clock step) — never served.
            self.entries.remove(prefix);
            return Decision::Read;
        }
        let (answer, seq) = match e.answer() {
            Ok(a) => (a.clone(), e.seq),
            Err(_) => {
                self.entries.remove(prefix);
                return Decision::Read;
            }
        };
        let in_flight = self.validating_since_ms.is_some_and(|t| (0..max_stale_ms).contains(&(now_ms - t)));
        if age >= max_stale_ms / 2 && !in_flight {
            self.validating_since_ms = Some(now_ms);
            // The lowest number held: every entry can then be judged by the answer.
            let after = self.entries.values().map(|e| e.seq).min().unwrap_or(seq);
            return Decision::ServeAndValidate { answer, after };
        }
        Decision::Serve(answer)
    }

    /// Keep a bucket read from D1 and return its answer (served whether or not it is kept). An older read never
    /// replaces a newer one (a slow read may finish after a later one). Evicts expired entries, then the oldest,
    /// to stay within capacity.
    pub fn store(
        &mut self,
        prefix: &str,
        fresh: Fresh,
        now_ms: i64,
        max_stale_ms: i64,
    ) -> Result<Cached, serde_json::Error> {
        let Fresh { mut bucket, read_started_ms, seq } = fresh;
        let answer = Cached::serialise(&mut bucket, read_started_ms)?;
        if max_stale_ms <= 0 {
            return Ok(answer);
        }
        let entry = Entry { bucket, read_started_ms, seq, served: Some(answer.clone()) };
        if let Some(e) = self.entries.get_mut(prefix) {
            if e.read_started_ms <= read_started_ms {
                *e = entry;
            }
            return Ok(answer);
        }
        if self.entries.len() >= self.capacity {
            self.entries.retain(|_, e| (0..max_stale_ms).contains(&(now_ms - e.read_started_ms)));
        }
        if self.entries.len() >= self.capacity
            && let Some(oldest) = self.entries.iter().min_by_key(|(_, e)| e.read_started_ms).map(|(k, _)| k.clone())
        {
            self.entries.remove(&oldest);
        }
        self.entries.insert(prefix.to_owned(), entry);
        Ok(answer)
    }

    /// The answer of a validation that started at `started_ms` and read `changed`: the buckets whose latest
    /// change is numbered after `after` (prefix, number), in number order, as returned under
    /// [`VALIDATION_LIMIT`]. Entries whose bucket changed after their own number are dropped; the others are
    /// current as of the validation's snapshot and count as read at `started_ms` (serialised again when next
    /// served). A full answer (exactly the limit) may have left changes out, so nothing is renewed then.
    pub fn validated(&mut self, started_ms: i64, after: i64, changed: &[(String, i64)]) {
        self.validating_since_ms = None;
        if changed.len() >= VALIDATION_LIMIT as usize {
            return;
        }
        let latest: HashMap<&str, i64> = changed.iter().map(|(p, s)| (p.as_str(), *s)).collect();
        let seq_now = changed.iter().map(|(_, s)| *s).fold(after, i64::max);
        self.entries.retain(|prefix, e| {
            if latest.get(prefix.as_str()).is_some_and(|&changed_at| changed_at > e.seq) {
                return false;
            }
            // Only an entry the answer can judge (its number not below `after`), and only forwards in time.
            if e.seq >= after && e.read_started_ms < started_ms {
                e.read_started_ms = started_ms;
                e.seq = seq_now.max(e.seq);
                e.served = None;
            }
            true
        });
    }

    /// A validation failed: let a later request try again (entries still expire on time).
    pub fn validation_failed(&mut self) {
        self.validating_since_ms = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ecert_format::status::STATUS_BUCKET_SCHEMA;
    use ecert_format::{CertificateStatus, StatusEntry};

    const BOUND: i64 = 5_000;

    fn bucket(prefix: &str, revoked: &[&str]) -> StatusBucket {
        StatusBucket {
            schema: STATUS_BUCKET_SCHEMA.to_owned(),
            prefix: prefix.to_owned(),
            as_of: 0,
            entries: revoked
                .iter()
                .map(|id| StatusEntry {
                    id: (*id).to_owned(),
                    status: CertificateStatus::Revoked { revoked_at: 1, reason: "r".into() },
                })
                .collect(),
        }
    }

    fn answer(read_started_ms: i64) -> Fresh {
        answer_at("ab12", read_started_ms, 0)
    }

    fn answer_at(prefix: &str, read_started_ms: i64, seq: i64) -> Fresh {
        Fresh { bucket: bucket(prefix, &[]), read_started_ms, seq }
    }

    /// The answer served for `fresh`.
    fn served(mut fresh: Fresh) -> Cached {
        Cached::serialise(&mut fresh.bucket, fresh.read_started_ms).unwrap()
    }

    fn parsed(c: &Cached) -> StatusBucket {
        StatusBucket::from_json(&c.body).unwrap()
    }

    impl StatusCache {
        /// `store`, in tests that only keep answers.
        fn keep(&mut self, prefix: &str, fresh: Fresh, now_ms: i64, max_stale_ms: i64) {
            self.store(prefix, fresh, now_ms, max_stale_ms).unwrap();
        }
    }

    #[test]
    fn never_serves_an_answer_read_max_stale_or_longer_ago() {
        let mut c = StatusCache::new(16);
        assert_eq!(c.decide("ab12", 1_000, BOUND), Decision::Read);
        c.keep("ab12", answer(1_000), 1_010, BOUND);
        // Every millisecond of the bound: served (fresh, then with one validation) — never at or after it.
        for now in 1_000..1_000 + BOUND {
            assert!(!matches!(c.decide("ab12", now, BOUND), Decision::Read), "{now}");
        }
        assert_eq!(c.decide("ab12", 1_000 + BOUND, BOUND), Decision::Read);
        // Expired entries are dropped, not revived.
        assert_eq!(c.decide("ab12", 1_000 + 1, BOUND), Decision::Read);
    }

    #[test]
    fn as_of_and_etag_follow_the_read_time() {
        let a = served(answer(12_345));
        assert_eq!(parsed(&a).as_of, 12);
        assert_ne!(a.etag, served(answer(13_000)).etag);
        assert_eq!(parsed(&served(answer(-1))).as_of, -1);
        // What store returns is what is then served.
        let mut c = StatusCache::new(16);
        assert_eq!(c.store("ab12", answer(12_345), 12_345, BOUND).unwrap(), a);
        assert_eq!(c.decide("ab12", 12_346, BOUND), Decision::Serve(a));
    }

    /// A small model of D1: buckets with revoked ids, `status_versions`, and reads that see a snapshot.
    struct Db {
        seq: i64,
        versions: HashMap<String, i64>,
        revoked: HashMap<String, Vec<String>>,
    }

    impl Db {
        fn revoke(&mut self, prefix: &str, id: &str) {
            self.seq += 1;
            self.versions.insert(prefix.into(), self.seq);
            self.revoked.entry(prefix.into()).or_default().push(id.into());
        }
        fn read(&self, prefix: &str, now: i64) -> Fresh {
            let ids: Vec<&str> =
                self.revoked.get(prefix).map(|v| v.iter().map(String::as_str).collect()).unwrap_or_default();
            Fresh { bucket: bucket(prefix, &ids), read_started_ms: now, seq: self.seq }
        }
        fn changed_after(&self, after: i64) -> Vec<(String, i64)> {
            let mut v: Vec<(String, i64)> =
                self.versions.iter().filter(|(_, s)| **s > after).map(|(p, s)| (p.clone(), *s)).collect();
            v.sort_by_key(|(_, s)| *s);
            v.truncate(VALIDATION_LIMIT as usize);
            v
        }
    }

    #[test]
    fn a_revocation_is_in_every_answer_served_max_stale_after_its_commit() {
        // Three hot buckets asked in turn every 100 ms, validations answered 50 ms after they start (from the
        // snapshot at their start); revocations commit in two of them at different times.
        let prefixes = ["ab12", "cd34", "ef56"];
        let commits = [(7_777, "ab12", "id-1"), (19_001, "ef56", "id-2")];
        let mut db = Db { seq: 10, versions: HashMap::new(), revoked: HashMap::new() };
        let mut c = StatusCache::new(16);
        // A validation in flight: (started, after, the changes its snapshot saw).
        type Pending = (i64, i64, Vec<(String, i64)>);
        let mut pending: Option<Pending> = None;
        let (mut reads, mut validations) = (0, 0);
        let mut now = 0;
        while now < 60_000 {
            for &(at, p, id) in &commits {
                if now == at - at % 100 {
                    db.revoke(p, id);
                }
            }
            if let Some((started, _, _)) = &pending
                && now >= started + 50
            {
                let (started, after, changed) = pending.take().unwrap();
                c.validated(started, after, &changed);
            }
            let p = prefixes[(now / 100) as usize % prefixes.len()];
            let served = match c.decide(p, now, BOUND) {
                Decision::Serve(a) => a,
                Decision::ServeAndValidate { answer, after } => {
                    validations += 1;
                    pending = Some((now, after, db.changed_after(after)));
                    answer
                }
                Decision::Read => {
                    reads += 1;
                    c.store(p, db.read(p, now), now, BOUND).unwrap()
                }
            };
            for &(at, bp, id) in &commits {
                if bp == p && now >= at + BOUND {
                    assert!(parsed(&served).entries.iter().any(|e| e.id == id), "{p} at {now}: stale, misses {id}");
                }
            }
            assert!(served.max_age_seconds(now, BOUND) * 1000 + now <= served.read_started_ms + BOUND);
            assert!(now - served.read_started_ms < BOUND);
            now += 100;
        }
        // Each bucket read once, then again only after its change; about one validation per half bound.
        assert_eq!(reads, 3 + commits.len(), "reads");
        assert!((20..=26).contains(&validations), "validations: {validations}");
    }

    #[test]
    fn validation_keeps_unchanged_entries_and_drops_changed_ones() {
        let mut c = StatusCache::new(16);
        c.keep("ab12", answer_at("ab12", 0, 5), 0, BOUND);
        c.keep("cd34", answer_at("cd34", 100, 7), 100, BOUND);
        c.keep("ef56", answer_at("ef56", 200, 7), 200, BOUND);
        let Decision::ServeAndValidate { after, .. } = c.decide("ab12", BOUND / 2, BOUND) else {
            panic!("past half the bound: validate");
        };
        assert_eq!(after, 5, "the lowest number held");
        // One validation at a time.
        assert!(matches!(c.decide("cd34", BOUND / 2 + 1, BOUND), Decision::Serve(_)));
        // ab12 changed at 6 (after its read at 5): dropped; cd34's change at 7 is already in its answer: kept.
        c.validated(2_600, after, &[("ab12".into(), 6), ("cd34".into(), 7)]);
        assert_eq!(c.decide("ab12", 2_601, BOUND), Decision::Read);
        let Decision::Serve(cd) = c.decide("cd34", 2_601, BOUND) else { panic!("kept") };
        assert_eq!((cd.read_started_ms, c.entries["cd34"].seq, parsed(&cd).as_of), (2_600, 7, 2));
        // Renewed: served until 2 600 + the bound, not 100 + the bound.
        assert!(matches!(
            c.decide("ef56", 2_600 + BOUND - 1, BOUND),
            Decision::Serve(_) | Decision::ServeAndValidate { .. }
        ));
    }

    #[test]
    fn a_full_validation_answer_keeps_nothing_new() {
        let mut c = StatusCache::new(16);
        c.keep("ab12", answer_at("ab12", 0, 1), 0, BOUND);
        let Decision::ServeAndValidate { after, .. } = c.decide("ab12", BOUND / 2, BOUND) else { panic!() };
        let many: Vec<(String, i64)> = (0..VALIDATION_LIMIT as i64).map(|i| (format!("{i:04x}"), i + 2)).collect();
        c.validated(2_600, after, &many);
        // Not renewed (the answer may have left out a change to ab12): it expires at its own read time.
        assert!(!matches!(c.decide("ab12", BOUND - 1, BOUND), Decision::Read));
        assert_eq!(c.decide("ab12", BOUND, BOUND), Decision::Read);
    }

    #[test]
    fn an_entry_older_than_the_validation_baseline_is_not_renewed() {
        // A read that started before an earlier validation but was stored after it holds a lower number than
        // the next validation asks from, if that validation's baseline came from other entries — it must not
        // be renewed on an answer that cannot speak for it.
        let mut c = StatusCache::new(16);
        c.keep("cd34", answer_at("cd34", 1_000, 3), 1_000, BOUND);
        c.validated(2_000, 9, &[]);
        let Decision::Serve(cd) = c.decide("cd34", 2_001, BOUND) else { panic!() };
        assert_eq!(cd.read_started_ms, 1_000);
        // From the future (a clock step back): never moves a read time backwards either.
        c.validated(500, 0, &[]);
        let Decision::Serve(cd) = c.decide("cd34", 2_002, BOUND) else { panic!() };
        assert_eq!(cd.read_started_ms, 1_000);
    }

    #[test]
    fn a_validation_that_never_reports_blocks_others_for_one_bound_at_most() {
        let mut c = StatusCache::new(16);
        c.keep("ab12", answer(0), 0, BOUND);
        assert!(matches!(c.decide("ab12", BOUND / 2, BOUND), Decision::ServeAndValidate { .. }));
        c.keep("cd34", answer_at("cd34", BOUND, 0), BOUND, BOUND);
        assert!(matches!(c.decide("cd34", BOUND + BOUND / 2 - 1, BOUND), Decision::Serve(_)));
        assert!(matches!(c.decide("cd34", BOUND + BOUND / 2, BOUND), Decision::ServeAndValidate { .. }));
        c.validation_failed();
        c.keep("ef56", answer_at("ef56", 2 * BOUND, 0), 2 * BOUND, BOUND);
        assert!(matches!(c.decide("ef56", 2 * BOUND + BOUND / 2, BOUND), Decision::ServeAndValidate { .. }));
    }

    #[test]
    fn an_older_read_never_replaces_a_newer_one() {
        let mut c = StatusCache::new(16);
        c.keep("ab12", answer(2_000), 2_050, BOUND);
        c.keep("ab12", answer(1_000), 2_100, BOUND);
        assert_eq!(c.decide("ab12", 2_200, BOUND), Decision::Serve(served(answer(2_000))));
    }

    #[test]
    fn disabled_when_the_bound_is_zero() {
        let mut c = StatusCache::new(16);
        c.keep("ab12", answer(0), 0, 0);
        assert!(c.is_empty());
        c.keep("ab12", answer(0), 0, BOUND);
        assert_eq!(c.decide("ab12", 1, 0), Decision::Read);
    }

    #[test]
    fn a_clock_step_backwards_is_not_served() {
        let mut c = StatusCache::new(16);
        c.keep("ab12", answer(10_000), 10_000, BOUND);
        assert_eq!(c.decide("ab12", 9_999, BOUND), Decision::Read);
    }

    #[test]
    fn bounded_memory() {
        let mut c = StatusCache::new(3);
        for (i, p) in ["0001", "0002", "0003"].into_iter().enumerate() {
            c.keep(p, answer_at(p, i as i64, 0), i as i64, BOUND);
        }
        // Full: the oldest goes.
        c.keep("0004", answer_at("0004", 10, 0), 10, BOUND);
        assert_eq!(c.len(), 3);
        assert_eq!(c.decide("0001", 11, BOUND), Decision::Read);
        // Full with expired entries: they go first.
        c.keep("0005", answer_at("0005", BOUND + 5, 0), BOUND + 5, BOUND);
        assert_eq!(c.len(), 2);
        assert!(matches!(c.decide("0005", BOUND + 6, BOUND), Decision::Serve(_)));
    }
}
