//! # ecert-status-filter
//!
//! The structure behind ecert's signed status snapshot (issue 15): over the set `S` of every issued certificate
//! copy (keys: SHA-256 digests of the sealed records), with `R ⊂ S` revoked, it answers "revoked?" exactly for
//! every key of `S`. Keys outside `S` get an arbitrary answer: the snapshot cannot tell a copy that was never
//! issued (that is what the registry's "not registered" is for).
//!
//! Two stages, each a 4-wise binary fuse table ([`fuse`]):
//! 1. an approximate membership filter of `R` with `f`-bit fingerprints: every revoked key passes, a key of
//!    `S \ R` passes with probability 2^-f;
//! 2. an exact 1-bit retrieval table over `R` and the keys of `S \ R` that passed stage 1: the stored bit is the
//!    answer.
//!
//! With `f` = 7 the size is ≈ 1.08 × (7·|R| + |R| + |S \ R|/128) bits: for 50 M copies with 0.5 % revoked ≈ 315 KiB
//! (information-theoretic bound ≈ 277 KiB, a Bloom-filter cascade as in CRLite ≈ 465 KiB). A delta for new
//! revocations is the same structure over them, with more fingerprint bits since it is small; a copy is revoked
//! if the snapshot or any later delta says so.
//!
//! Pure and `no_std`-friendly in spirit (no I/O, no clock); builds for wasm32. Construction retries with another
//! seed when a table does not peel.

#![forbid(unsafe_code)]

mod bit_table;
mod fuse;

use bit_table::BitTable;
use fuse::{Fuse, Item, mix};

/// Fingerprint bits of a full snapshot's first stage (the size optimum for |R|/|S| ≈ 0.5 %).
pub const SNAPSHOT_FINGERPRINT_BITS: u8 = 7;
/// Fingerprint bits of a delta's first stage (few keys against the whole universe).
pub const DELTA_FINGERPRINT_BITS: u8 = 12;
/// The wire format's magic and version.
const MAGIC: &[u8; 4] = b"ECSF";
const VERSION: u8 = 1;
/// Largest encoded filter accepted, in bytes.
pub const MAX_ENCODED_BYTES: usize = 64 * 1024 * 1024;
/// Seeds tried before giving up (each failure is rare; many in a row means duplicate keys).
const MAX_ATTEMPTS: u64 = 64;
/// Slots per key tried for each table, as offsets from the reference factor for its size (smallest first: a
/// little under the reference usually still peels, and every slot saved is 1–7 bits on the wire).
const SIZE_FACTOR_STEPS: [f64; 6] = [-0.015, 0.0, 0.02, 0.05, 0.1, 0.3];
/// Domain separation of the second stage's hash.
const STAGE2: u64 = 0x5354_4147_4532_0001;

/// A certificate copy's key: the SHA-256 digest of its sealed record.
pub type Key = [u8; 32];

/// Why a filter could not be built or read.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FilterError {
    /// No seed let both tables peel: the same key is both revoked and not revoked, or listed twice.
    #[error("the status filter could not be built (is a key both revoked and not revoked?)")]
    Unbuildable,
    /// The encoded form is not one this version writes.
    #[error("malformed status filter: {0}")]
    Malformed(&'static str),
}

/// The exact revoked / not-revoked structure.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatusFilter {
    seed: u64,
    fingerprint_bits: u8,
    stage1: Fuse,
    stage2: Fuse,
}

fn key_hash(key: &Key, seed: u64) -> u64 {
    let word = |i: usize| {
        let mut w = [0u8; 8];
        if let Some(src) = key.get(i * 8..i * 8 + 8) {
            w.copy_from_slice(src);
        }
        u64::from_le_bytes(w)
    };
    mix(word(0) ^ seed) ^ mix(word(1) ^ seed.rotate_left(29) ^ 0x243f_6a88_85a3_08d3).rotate_left(17)
}

fn fingerprint(hash: u64, bits: u8) -> u32 {
    ((hash ^ (hash >> 32)) & ((1u64 << bits) - 1)) as u32
}

fn build_table(items: &[Item], bits: u8) -> Option<Fuse> {
    // The reference implementation's factor for a 4-wise binary fuse filter of this many keys.
    let n = (items.len().max(2)) as f64;
    let reference = (0.77 + 0.305 * 600_000f64.ln() / n.ln()).max(1.075);
    SIZE_FACTOR_STEPS.iter().find_map(|&step| Fuse::build(items, bits, (reference + step).max(1.05)))
}

impl StatusFilter {
    /// Build over `revoked` and every key `not_revoked()` yields (called once per attempt, so it can stream a
    /// large universe), with `fingerprint_bits` in the first stage.
    pub fn build<I>(revoked: &[Key], not_revoked: impl Fn() -> I, fingerprint_bits: u8) -> Result<Self, FilterError>
    where
        I: Iterator<Item = Key>,
    {
        if !(1..=24).contains(&fingerprint_bits) {
            return Err(FilterError::Malformed("fingerprint bits"));
        }
        for attempt in 0..MAX_ATTEMPTS {
            let seed = mix(attempt.wrapping_add(0x6563_6572_7473_6631));
            let mut stage1_items: Vec<Item> = revoked
                .iter()
                .map(|k| {
                    let h = key_hash(k, seed);
                    Item { hash: h, value: fingerprint(h, fingerprint_bits) }
                })
                .collect();
            stage1_items.sort_unstable_by_key(|i| i.hash);
            stage1_items.dedup_by_key(|i| i.hash);
            let Some(stage1) = build_table(&stage1_items, fingerprint_bits) else { continue };
            drop(stage1_items);
            let mut stage2_items: Vec<Item> =
                revoked.iter().map(|k| Item { hash: key_hash(k, seed ^ STAGE2), value: 1 }).collect();
            for k in not_revoked() {
                let h = key_hash(&k, seed);
                if stage1.lookup(h) == fingerprint(h, fingerprint_bits) {
                    stage2_items.push(Item { hash: key_hash(&k, seed ^ STAGE2), value: 0 });
                }
            }
            stage2_items.sort_unstable_by_key(|i| (i.hash, i.value));
            stage2_items.dedup_by_key(|i| (i.hash, i.value));
            let Some(stage2) = build_table(&stage2_items, 1) else { continue };
            return Ok(StatusFilter { seed, fingerprint_bits, stage1, stage2 });
        }
        Err(FilterError::Unbuildable)
    }

    /// Whether the copy with this key is revoked (exact for every key the filter was built over).
    pub fn is_revoked(&self, key: &Key) -> bool {
        let h = key_hash(key, self.seed);
        self.stage1.lookup(h) == fingerprint(h, self.fingerprint_bits)
            && self.stage2.lookup(key_hash(key, self.seed ^ STAGE2)) == 1
    }

    /// The encoded form: `ECSF`, version, seed, fingerprint bits, then each stage (segment length, segment-count
    /// length, slot count, slot bits, packed slots), all little-endian.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.encoded_len());
        out.extend_from_slice(MAGIC);
        out.push(VERSION);
        out.extend_from_slice(&self.seed.to_le_bytes());
        out.push(self.fingerprint_bits);
        for stage in [&self.stage1, &self.stage2] {
            out.extend_from_slice(&stage.segment_length.to_le_bytes());
            out.extend_from_slice(&stage.segment_count_length.to_le_bytes());
            out.extend_from_slice(&(stage.table.len() as u64).to_le_bytes());
            out.push(stage.table.bits());
            out.extend_from_slice(stage.table.as_bytes());
        }
        out
    }

    /// The length of [`Self::to_bytes`].
    pub fn encoded_len(&self) -> usize {
        4 + 1
            + 8
            + 1
            + [&self.stage1, &self.stage2].iter().map(|s| 4 + 4 + 8 + 1 + s.table.as_bytes().len()).sum::<usize>()
    }

    /// Read the encoded form, strictly: every length must be exactly what the geometry needs.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, FilterError> {
        if bytes.len() > MAX_ENCODED_BYTES {
            return Err(FilterError::Malformed("too large"));
        }
        let mut r = Reader(bytes);
        if r.take(4)? != MAGIC || r.u8()? != VERSION {
            return Err(FilterError::Malformed("not an ecert status filter of this version"));
        }
        let seed = r.u64()?;
        let fingerprint_bits = r.u8()?;
        let mut stage = |bits_expected: Option<u8>| -> Result<Fuse, FilterError> {
            let segment_length = r.u32()?;
            let segment_count_length = r.u32()?;
            let len = usize::try_from(r.u64()?).map_err(|_| FilterError::Malformed("slot count"))?;
            let bits = r.u8()?;
            if bits_expected.is_some_and(|b| b != bits) || !segment_length.is_power_of_two() {
                return Err(FilterError::Malformed("stage geometry"));
            }
            let want = u64::from(segment_count_length) + 3 * u64::from(segment_length);
            if u64::try_from(len).ok() != Some(want) || segment_count_length % segment_length != 0 {
                return Err(FilterError::Malformed("stage geometry"));
            }
            let table_len = len.checked_mul(usize::from(bits)).ok_or(FilterError::Malformed("slots"))?.div_ceil(8) + 4;
            let table =
                BitTable::from_bytes(len, bits, r.take(table_len)?.to_vec()).ok_or(FilterError::Malformed("slots"))?;
            Ok(Fuse { segment_length, segment_count_length, table })
        };
        let stage1 = stage(Some(fingerprint_bits))?;
        let stage2 = stage(Some(1))?;
        if !r.0.is_empty() {
            return Err(FilterError::Malformed("trailing bytes"));
        }
        Ok(StatusFilter { seed, fingerprint_bits, stage1, stage2 })
    }
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], FilterError> {
        if self.0.len() < n {
            return Err(FilterError::Malformed("truncated"));
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }
    fn u8(&mut self) -> Result<u8, FilterError> {
        self.take(1)?.first().copied().ok_or(FilterError::Malformed("truncated"))
    }
    fn u32(&mut self) -> Result<u32, FilterError> {
        let mut w = [0u8; 4];
        w.copy_from_slice(self.take(4)?);
        Ok(u32::from_le_bytes(w))
    }
    fn u64(&mut self) -> Result<u64, FilterError> {
        let mut w = [0u8; 8];
        w.copy_from_slice(self.take(8)?);
        Ok(u64::from_le_bytes(w))
    }
}

/// A synthetic universe for tests and the benchmark: key `i` (not SHA-256, but as uniform for these purposes).
pub fn synthetic_key(i: u64) -> Key {
    let mut k = [0u8; 32];
    for (j, chunk) in k.chunks_exact_mut(8).enumerate() {
        chunk.copy_from_slice(&mix(i.wrapping_mul(4).wrapping_add(j as u64) ^ 0x7374_6174_7573_0001).to_le_bytes());
    }
    k
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    fn universe(n: u64, every: u64) -> (Vec<Key>, impl Fn() -> std::vec::IntoIter<Key>) {
        let revoked: Vec<Key> = (0..n).filter(|i| mix(*i).is_multiple_of(every)).map(synthetic_key).collect();
        let valid: Vec<Key> = (0..n).filter(|i| !mix(*i).is_multiple_of(every)).map(synthetic_key).collect();
        (revoked, move || valid.clone().into_iter())
    }

    #[test]
    fn exact_for_every_issued_copy() {
        for (n, every) in [(1u64, 1u64), (10, 3), (5_000, 200), (200_000, 200), (50_000, 2)] {
            let (revoked, valid) = universe(n, every);
            let f = StatusFilter::build(&revoked, &valid, SNAPSHOT_FINGERPRINT_BITS).unwrap();
            let f = StatusFilter::from_bytes(&f.to_bytes()).unwrap();
            assert!(revoked.iter().all(|k| f.is_revoked(k)), "n {n}: a revoked copy read as not revoked");
            assert!(valid().all(|k| !f.is_revoked(&k)), "n {n}: a valid copy read as revoked");
        }
    }

    #[test]
    fn nothing_revoked_and_everything_revoked() {
        let keys: Vec<Key> = (0..1000).map(synthetic_key).collect();
        let none = StatusFilter::build(&[], || keys.clone().into_iter(), 7).unwrap();
        assert!(keys.iter().all(|k| !none.is_revoked(k)));
        let all = StatusFilter::build(&keys, std::iter::empty, 7).unwrap();
        assert!(keys.iter().all(|k| all.is_revoked(k)));
    }

    #[test]
    fn a_key_both_revoked_and_valid_cannot_be_built() {
        let keys: Vec<Key> = (0..100).map(synthetic_key).collect();
        let k0 = keys[0];
        assert_eq!(
            StatusFilter::build(&keys[..10], move || std::iter::once(k0), 7).unwrap_err(),
            FilterError::Unbuildable
        );
    }

    #[test]
    fn the_encoding_is_strict() {
        let (revoked, valid) = universe(2000, 20);
        let bytes = StatusFilter::build(&revoked, &valid, 7).unwrap().to_bytes();
        assert!(StatusFilter::from_bytes(&bytes).is_ok());
        for cut in [0, 3, 5, 13, 20, bytes.len() - 1] {
            assert!(StatusFilter::from_bytes(&bytes[..cut]).is_err(), "cut at {cut}");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(StatusFilter::from_bytes(&longer).is_err());
        let mut other_version = bytes.clone();
        other_version[4] = 2;
        assert!(StatusFilter::from_bytes(&other_version).is_err());
        let mut bad_bits = bytes.clone();
        bad_bits[13] = 9;
        assert!(StatusFilter::from_bytes(&bad_bits).is_err());
    }
}
