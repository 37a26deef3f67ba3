//! Stream compression at a level chosen for issuance throughput.

use std::io::Write as _;

use flate2::Compression;
use flate2::write::ZlibEncoder;
use lopdf::Stream;

/// zlib level: 6 gives nearly level 9's size at a fraction of its time on font subsets.
const LEVEL: u32 = 6;

/// Flate-compress a stream in place (if that makes it smaller).
pub fn compress(stream: &mut Stream) {
    if stream.dict.get(b"Filter").is_ok() {
        return;
    }
    let mut enc = ZlibEncoder::new(Vec::with_capacity(stream.content.len() / 2), Compression::new(LEVEL));
    if enc.write_all(&stream.content).is_err() {
        return;
    }
    if let Ok(compressed) = enc.finish()
        && compressed.len() + 19 < stream.content.len()
    {
        stream.dict.set("Filter", "FlateDecode");
        stream.set_content(compressed);
    }
}
