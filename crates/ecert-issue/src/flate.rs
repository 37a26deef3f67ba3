//! Stream compression at a level chosen for issuance throughput.

use std::cell::RefCell;

use flate2::{Compress, Compression, FlushCompress, Status};
use lopdf::Stream;

/// zlib level: 6 gives nearly level 9's size at a fraction of its time on font subsets.
const LEVEL: u32 = 6;

thread_local! {
    /// One compressor per thread, reset between streams: a certificate has a handful of small streams, and
    /// setting up a fresh compressor (allocating and clearing its tables) cost more than compressing them.
    static COMPRESSOR: RefCell<Compress> = RefCell::new(Compress::new(Compression::new(LEVEL), true));
}

/// zlib-compress `data` completely.
fn zlib(data: &[u8]) -> Option<Vec<u8>> {
    COMPRESSOR.with(|cell| {
        let mut c = cell.try_borrow_mut().ok()?;
        c.reset();
        let mut out = Vec::with_capacity(data.len() / 2 + 64);
        loop {
            let consumed = usize::try_from(c.total_in()).ok()?;
            let input = data.get(consumed..)?;
            if out.capacity() == out.len() {
                out.reserve(out.len().max(1024));
            }
            match c.compress_vec(input, &mut out, FlushCompress::Finish).ok()? {
                Status::StreamEnd => return Some(out),
                Status::Ok | Status::BufError => {}
            }
        }
    })
}

/// Flate-compress a stream in place (if that makes it smaller).
pub fn compress(stream: &mut Stream) {
    if stream.dict.get(b"Filter").is_ok() {
        return;
    }
    if let Some(compressed) = zlib(&stream.content)
        && compressed.len() + 19 < stream.content.len()
    {
        stream.dict.set("Filter", "FlateDecode");
        stream.set_content(compressed);
    }
}

#[cfg(test)]
mod tests {
    use std::io::Read as _;

    use super::zlib;

    #[test]
    fn round_trips_and_the_reused_compressor_starts_clean() {
        let inputs: [Vec<u8>; 4] = [
            Vec::new(),
            b"BT /F0 12 Tf <0001> Tj ET".repeat(200),
            (0..100_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect(),
            b"short".to_vec(),
        ];
        for _ in 0..2 {
            for input in &inputs {
                let packed = zlib(input).expect("compress");
                let mut back = Vec::new();
                flate2::read::ZlibDecoder::new(packed.as_slice()).read_to_end(&mut back).expect("inflate");
                assert_eq!(&back, input);
            }
        }
        // Same input, same output, whatever was compressed before.
        assert_eq!(zlib(&inputs[1]), zlib(&inputs[1]));
    }
}
