//! Slots of `bits` bits (1–32) packed little-endian into bytes: the fuse tables' storage and wire form.

/// A packed table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct BitTable {
    bits: u8,
    len: usize,
    bytes: Vec<u8>,
}

impl BitTable {
    /// `len` zero slots of `bits` bits.
    pub(crate) fn new(len: usize, bits: u8) -> BitTable {
        let total = len.saturating_mul(usize::from(bits));
        BitTable { bits, len, bytes: vec![0; total.div_ceil(8) + 4] }
    }

    /// From its wire bytes; `None` when they are not exactly what `len` slots of `bits` need.
    pub(crate) fn from_bytes(len: usize, bits: u8, bytes: Vec<u8>) -> Option<BitTable> {
        let want = len.checked_mul(usize::from(bits))?.div_ceil(8) + 4;
        (bytes.len() == want && (1..=32).contains(&bits)).then_some(BitTable { bits, len, bytes })
    }

    pub(crate) fn bits(&self) -> u8 {
        self.bits
    }
    pub(crate) fn len(&self) -> usize {
        self.len
    }
    pub(crate) fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    fn mask(&self) -> u64 {
        (1u64 << self.bits) - 1
    }

    /// Slot `i` (0 outside the table).
    pub(crate) fn get(&self, i: usize) -> u32 {
        if i >= self.len {
            return 0;
        }
        let bit = i * usize::from(self.bits);
        let at = bit / 8;
        let mut w = [0u8; 8];
        if let Some(src) = self.bytes.get(at..(at + 8).min(self.bytes.len()))
            && let Some(d) = w.get_mut(..src.len())
        {
            d.copy_from_slice(src);
        }
        ((u64::from_le_bytes(w) >> (bit % 8)) & self.mask()) as u32
    }

    /// Set slot `i` (ignored outside the table).
    pub(crate) fn set(&mut self, i: usize, value: u32) {
        if i >= self.len {
            return;
        }
        let bit = i * usize::from(self.bits);
        let at = bit / 8;
        let end = (at + 8).min(self.bytes.len());
        let mask = self.mask();
        let Some(dst) = self.bytes.get_mut(at..end) else { return };
        let mut w = [0u8; 8];
        if let Some(d) = w.get_mut(..dst.len()) {
            d.copy_from_slice(dst);
        }
        let mut word = u64::from_le_bytes(w);
        let shift = bit % 8;
        word &= !(mask << shift);
        word |= (u64::from(value) & mask) << shift;
        let n = dst.len();
        if let Some(src) = word.to_le_bytes().get(..n) {
            dst.copy_from_slice(src);
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn slots_round_trip_at_every_width() {
        for bits in 1..=32u8 {
            let mut t = BitTable::new(1000, bits);
            let mask = if bits == 32 { u32::MAX } else { (1u32 << bits) - 1 };
            for i in 0..1000 {
                t.set(i, (i as u32).wrapping_mul(2_654_435_761) & mask);
            }
            for i in 0..1000 {
                assert_eq!(t.get(i), (i as u32).wrapping_mul(2_654_435_761) & mask, "bits {bits} slot {i}");
            }
            let again = BitTable::from_bytes(1000, bits, t.as_bytes().to_vec()).unwrap();
            assert_eq!(again, t);
            assert!(BitTable::from_bytes(1001, bits, t.as_bytes().to_vec()).is_none() || bits < 8);
        }
    }
}
