//! Bounded zlib/Flate inflation.

use miniz_oxide::inflate::TINFLStatus;
use miniz_oxide::inflate::core::{DecompressorOxide, decompress, inflate_flags};

use crate::chars::is_whitespace;

/// Why inflation stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum InflateError {
    /// The output would exceed the caller's limit.
    TooLarge,
    /// Bad zlib header, bad data, bad Adler-32, truncated input or junk after the end.
    Corrupt,
}

/// Inflates a zlib stream, never holding more than `max_out` output bytes.
///
/// The output buffer starts small and doubles, capped at `max_out`; reaching the cap
/// with output still pending is [`InflateError::TooLarge`]. Only whitespace may follow
/// the end of the zlib stream.
pub(crate) fn inflate_zlib(input: &[u8], max_out: usize) -> Result<Vec<u8>, InflateError> {
    let flags = inflate_flags::TINFL_FLAG_PARSE_ZLIB_HEADER
        | inflate_flags::TINFL_FLAG_COMPUTE_ADLER32
        | inflate_flags::TINFL_FLAG_USING_NON_WRAPPING_OUTPUT_BUF;
    let initial = input.len().saturating_mul(4).max(1024).min(max_out);
    let mut out = vec![0u8; initial];
    let mut decomp = Box::<DecompressorOxide>::default();
    let mut in_pos: usize = 0;
    let mut out_pos: usize = 0;
    // Each round either finishes, fails, or doubles the buffer towards `max_out`;
    // rounds without growth are bounded by the input length (progress is required).
    let mut stalled_rounds: usize = 0;
    loop {
        let rest = input.get(in_pos..).ok_or(InflateError::Corrupt)?;
        let (status, consumed, written) = decompress(&mut decomp, rest, &mut out, out_pos, flags);
        in_pos = in_pos.checked_add(consumed).ok_or(InflateError::Corrupt)?;
        out_pos = out_pos.checked_add(written).ok_or(InflateError::Corrupt)?;
        match status {
            TINFLStatus::Done => {
                let tail = input.get(in_pos..).ok_or(InflateError::Corrupt)?;
                if !tail.iter().all(|&b| is_whitespace(b)) {
                    return Err(InflateError::Corrupt);
                }
                out.truncate(out_pos);
                return Ok(out);
            }
            TINFLStatus::HasMoreOutput => {
                if out_pos < out.len() {
                    // Not full yet: must have made progress.
                    if consumed == 0 && written == 0 {
                        stalled_rounds = stalled_rounds.saturating_add(1);
                        if stalled_rounds > 2 {
                            return Err(InflateError::Corrupt);
                        }
                    }
                    continue;
                }
                if out.len() >= max_out {
                    return Err(InflateError::TooLarge);
                }
                let new_len = out.len().saturating_mul(2).max(1024).min(max_out);
                out.resize(new_len, 0);
            }
            _ => return Err(InflateError::Corrupt),
        }
    }
}
