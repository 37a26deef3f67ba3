//! A 4-wise binary fuse table of `bits`-bit values (Graf & Lemire, "Binary Fuse Filters: Fast and Smaller Than
//! Xor Filters", 2022): each key hashes to four slots in four consecutive segments, and the XOR of its slots is
//! the key's value. Built by peeling; a construction that does not peel is retried by the caller with another
//! seed. Used with a hash fingerprint as the value (an approximate membership filter) and with one stored bit
//! (an exact retrieval table).
//!
//! `xorf` implements binary fuse filters too, but only with 8-, 16- and 32-bit fingerprints derived from the key;
//! the revocation structure needs 7-bit fingerprints and 1-bit stored values to fit its size goal.

use crate::bit_table::BitTable;

/// Keys per slot bound: the table has `SIZE_FACTOR × n` slots (rounded up to whole segments).
const ARITY: usize = 4;

/// One key to place: its 64-bit hash and the value its slots must XOR to (fits in `bits`).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Item {
    pub(crate) hash: u64,
    pub(crate) value: u32,
}

/// A built table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Fuse {
    pub(crate) segment_length: u32,
    pub(crate) segment_count_length: u32,
    pub(crate) table: BitTable,
}

/// The murmur3 64-bit finaliser.
pub(crate) fn mix(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

impl Fuse {
    /// The table's four slots for a key hash.
    pub(crate) fn slots(&self, hash: u64) -> [usize; ARITY] {
        slots(hash, self.segment_length, self.segment_count_length)
    }

    /// The XOR of a key's slots: its value, if it was placed.
    pub(crate) fn lookup(&self, hash: u64) -> u32 {
        self.slots(hash).iter().fold(0, |acc, &s| acc ^ self.table.get(s))
    }

    /// Place `items` (distinct hashes) in a table of `bits`-bit slots, `size_factor` slots per key. `None`: the
    /// keys did not peel (retry with another seed, or a larger factor).
    pub(crate) fn build(items: &[Item], bits: u8, size_factor: f64) -> Option<Fuse> {
        let n = items.len();
        let (segment_length, array_length) = geometry(n, size_factor);
        let segment_count_length = u32::try_from(array_length.checked_sub((ARITY - 1) * segment_length)?).ok()?;
        let segment_length = u32::try_from(segment_length).ok()?;
        // Per slot: (count << 2) | XOR of the slot indices (0..4) of the keys in it; XOR of their hashes and values.
        let mut count = vec![0u32; array_length];
        let mut hashes = vec![0u64; array_length];
        let mut values = vec![0u32; array_length];
        for item in items {
            for (j, s) in slots(item.hash, segment_length, segment_count_length).into_iter().enumerate() {
                let c = count.get_mut(s)?;
                *c = (*c + 4) ^ j as u32;
                *hashes.get_mut(s)? ^= item.hash;
                *values.get_mut(s)? ^= item.value;
            }
        }
        let mut queue: Vec<usize> = (0..array_length).filter(|&s| count.get(s).is_some_and(|c| c >> 2 == 1)).collect();
        let mut order: Vec<(u64, u32, usize)> = Vec::with_capacity(n);
        while let Some(s) = queue.pop() {
            let c = *count.get(s)?;
            if c >> 2 != 1 {
                continue;
            }
            let (hash, value, found) = (*hashes.get(s)?, *values.get(s)?, (c & 3) as usize);
            order.push((hash, value, found));
            for (j, q) in slots(hash, segment_length, segment_count_length).into_iter().enumerate() {
                let cq = count.get_mut(q)?;
                *cq = (*cq - 4) ^ j as u32;
                *hashes.get_mut(q)? ^= hash;
                *values.get_mut(q)? ^= value;
                if j != found && *cq >> 2 == 1 {
                    queue.push(q);
                }
            }
        }
        if order.len() != n {
            return None;
        }
        let mut table = BitTable::new(array_length, bits);
        for &(hash, value, found) in order.iter().rev() {
            let s = slots(hash, segment_length, segment_count_length);
            let others = s.iter().enumerate().filter(|&(j, _)| j != found).fold(0, |acc, (_, &q)| acc ^ table.get(q));
            table.set(*s.get(found)?, value ^ others);
        }
        Some(Fuse { segment_length, segment_count_length, table })
    }
}

/// Segment length (a power of two) and table length for `n` keys at `size_factor` slots per key.
fn geometry(n: usize, size_factor: f64) -> (usize, usize) {
    let n_f = (n.max(2)) as f64;
    // The reference implementation's rule for arity 4, capped at 2^18.
    let exp = (n_f.ln() / 2.91_f64.ln() - 0.5).floor().clamp(1.0, 18.0) as u32;
    let segment_length = 1usize << exp;
    let capacity = ((n_f * size_factor).round() as usize).max(segment_length);
    let segment_count = capacity.div_ceil(segment_length).saturating_sub(ARITY - 1).max(1);
    (segment_length, (segment_count + ARITY - 1) * segment_length)
}

/// Four slots in four consecutive segments: the first segment from the hash's high bits (a multiply-shift over
/// the segments' range), each next one offset inside its segment by other bits of a second mix.
fn slots(hash: u64, segment_length: u32, segment_count_length: u32) -> [usize; ARITY] {
    let h0 = ((u128::from(hash) * u128::from(segment_count_length)) >> 64) as u64;
    let mask = u64::from(segment_length - 1);
    let offsets = mix(hash ^ 0x9e37_79b9_7f4a_7c15);
    let len = u64::from(segment_length);
    let h1 = (h0 + len) ^ (offsets & mask);
    let h2 = (h0 + 2 * len) ^ ((offsets >> 21) & mask);
    let h3 = (h0 + 3 * len) ^ ((offsets >> 42) & mask);
    [h0 as usize, h1 as usize, h2 as usize, h3 as usize]
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn every_placed_key_reads_back_its_value() {
        for (n, bits) in [(1usize, 7u8), (10, 1), (1000, 7), (100_000, 1), (50_000, 12)] {
            let items: Vec<Item> = (0..n as u64)
                .map(|i| Item { hash: mix(i + 1), value: (mix(i ^ 77) & ((1 << bits) - 1)) as u32 })
                .collect();
            let fuse = (1.075..1.3).step_by_f(0.01).into_iter().find_map(|f| Fuse::build(&items, bits, f)).unwrap();
            for it in &items {
                assert_eq!(fuse.lookup(it.hash), it.value, "n {n} bits {bits}");
            }
        }
    }

    trait StepF {
        fn step_by_f(self, step: f64) -> Vec<f64>;
    }
    impl StepF for core::ops::Range<f64> {
        fn step_by_f(self, step: f64) -> Vec<f64> {
            let mut v = Vec::new();
            let mut x = self.start;
            while x < self.end {
                v.push(x);
                x += step;
            }
            v
        }
    }
}
