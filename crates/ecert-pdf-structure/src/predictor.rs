//! PNG predictors (ISO 32000-1 §7.4.4.4, /Predictor 10..=15).

use crate::error::{Result, StructureError};

/// Row geometry of predicted data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PngParams {
    /// Bytes per row, without the tag byte.
    pub(crate) row_bytes: usize,
    /// Bytes per complete pixel (at least 1).
    pub(crate) pixel_bytes: usize,
}

impl PngParams {
    /// Geometry from /Colors, /BitsPerComponent, /Columns; `None` if out of range.
    pub(crate) fn new(colors: usize, bits: usize, columns: usize) -> Option<Self> {
        let bits_per_pixel = colors.checked_mul(bits)?;
        let row_bits = bits_per_pixel.checked_mul(columns)?;
        let row_bytes = row_bits.div_ceil(8);
        let pixel_bytes = bits_per_pixel.div_ceil(8).max(1);
        (row_bytes > 0).then_some(Self { row_bytes, pixel_bytes })
    }
}

/// Reverses PNG row filters (None, Sub, Up, Average, Paeth; per-row tag byte).
///
/// Output is never larger than the input.
pub(crate) fn unpredict_png(data: &[u8], params: PngParams) -> Result<Vec<u8>> {
    let stride = params.row_bytes.checked_add(1).ok_or(StructureError::PredictorError)?;
    if data.len().checked_rem(stride) != Some(0) {
        return Err(StructureError::PredictorError);
    }
    if data.is_empty() {
        return Ok(Vec::new());
    }
    // From here data.len() >= stride, so the row buffers are bounded by the input.
    let rows = data.len().checked_div(stride).ok_or(StructureError::PredictorError)?;
    let mut out: Vec<u8> = Vec::with_capacity(rows.saturating_mul(params.row_bytes));
    let mut prev = vec![0u8; params.row_bytes];
    let mut row = vec![0u8; params.row_bytes];
    for chunk in data.chunks_exact(stride) {
        let Some((&tag, input)) = chunk.split_first() else {
            return Err(StructureError::PredictorError);
        };
        for (i, &x) in input.iter().enumerate() {
            let left = i.checked_sub(params.pixel_bytes);
            let a = left.and_then(|j| row.get(j)).copied().unwrap_or(0);
            let b = prev.get(i).copied().unwrap_or(0);
            let c = left.and_then(|j| prev.get(j)).copied().unwrap_or(0);
            let value = match tag {
                0 => x,
                1 => x.wrapping_add(a),
                2 => x.wrapping_add(b),
                3 => x.wrapping_add(average(a, b)),
                4 => x.wrapping_add(paeth(a, b, c)),
                _ => return Err(StructureError::PredictorError),
            };
            if let Some(slot) = row.get_mut(i) {
                *slot = value;
            }
        }
        out.extend_from_slice(&row);
        core::mem::swap(&mut prev, &mut row);
    }
    Ok(out)
}

/// floor((a + b) / 2) without overflow.
fn average(a: u8, b: u8) -> u8 {
    (a & b).wrapping_add((a ^ b) >> 1)
}

/// The PNG Paeth predictor. All intermediate values stay within -510..=510.
fn paeth(a: u8, b: u8, c: u8) -> u8 {
    let (a16, b16, c16) = (i16::from(a), i16::from(b), i16::from(c));
    let p = a16.wrapping_add(b16).wrapping_sub(c16);
    let pa = p.wrapping_sub(a16).wrapping_abs();
    let pb = p.wrapping_sub(b16).wrapping_abs();
    let pc = p.wrapping_sub(c16).wrapping_abs();
    if pa <= pb && pa <= pc {
        a
    } else if pb <= pc {
        b
    } else {
        c
    }
}
