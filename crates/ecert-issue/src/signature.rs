//! The certification signature: a /Sig dictionary with fixed-size placeholders for /ByteRange and
//! /Contents, patched once the file is laid out, and the CMS SignedData over the two byte ranges.

use sha2::{Digest as _, Sha256};

use ecert_format::sealed_file::CONTENTS_HEX_DIGITS;
/// Bytes reserved for the DER CMS in /Contents (written as twice as many hex digits): a format fact.
pub use ecert_format::sealed_file::CONTENTS_RESERVED_BYTES;
/// The placeholder written for /ByteRange; each of the last three numbers is padded to this width.
pub const BYTE_RANGE_PLACEHOLDER: &[u8] = b"[0 9999999999 9999999999 9999999999]";
const FIELD_WIDTH: usize = 10;

/// Why the placeholders could not be found or filled.
#[derive(Debug, thiserror::Error)]
pub enum PlaceholderError {
    #[error("签名占位符缺失或不唯一 / signature placeholder missing or not unique: {0}")]
    Placeholder(&'static str),
    #[error("签名数据超出预留空间 ({0} > {CONTENTS_RESERVED_BYTES}) / CMS larger than the reserved space")]
    TooLarge(usize),
}

/// Where `needle` occurs in `hay`, if it occurs exactly once. Only the first `PREFIX` bytes are searched
/// for (a searcher for the whole 16 KiB placeholder costs more to build than the search itself); the rest
/// is compared where the prefix matches.
fn find_unique(hay: &[u8], needle: &[u8]) -> Option<usize> {
    const PREFIX: usize = 64;
    let finder = memchr::memmem::Finder::new(&needle[..needle.len().min(PREFIX)]);
    let mut found = None;
    for at in finder.find_iter(hay) {
        if hay.get(at..at + needle.len()) == Some(needle) {
            if found.is_some() {
                return None;
            }
            found = Some(at);
        }
    }
    found
}

/// A laid-out file whose placeholders have been located and whose /ByteRange has been filled in.
pub struct Prepared {
    pdf: Vec<u8>,
    /// Offset of the `<` opening /Contents' hex string.
    contents_start: usize,
    /// Offset just after the closing `>`.
    contents_end: usize,
}

impl Prepared {
    /// Locate the placeholders in a serialised PDF and write the final /ByteRange.
    pub fn new(mut pdf: Vec<u8>) -> Result<Prepared, PlaceholderError> {
        // The document writer leaves /Contents as a literal string of zeros, `(00…0)`; it becomes the hex
        // string `<00…0>` of the same length.
        let mut contents_pattern = vec![b'0'; CONTENTS_RESERVED_BYTES * 2 + 2];
        contents_pattern[0] = b'(';
        contents_pattern[CONTENTS_RESERVED_BYTES * 2 + 1] = b')';
        let contents_start = find_unique(&pdf, &contents_pattern).ok_or(PlaceholderError::Placeholder("/Contents"))?;
        let contents_end = contents_start + contents_pattern.len();
        pdf[contents_start] = b'<';
        pdf[contents_end - 1] = b'>';
        let br = find_unique(&pdf, BYTE_RANGE_PLACEHOLDER).ok_or(PlaceholderError::Placeholder("/ByteRange"))?;
        let total = pdf.len();
        let mut text = String::from("[0");
        for v in [contents_start, contents_end, total - contents_end] {
            let s = v.to_string();
            if s.len() > FIELD_WIDTH {
                return Err(PlaceholderError::Placeholder("/ByteRange value too wide"));
            }
            text.push(' ');
            text.push_str(&s);
            text.push_str(&" ".repeat(FIELD_WIDTH - s.len()));
        }
        // Move the padding inside the brackets to the end so the array stays well-formed.
        let compact: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
        let mut patched = format!("{compact}]");
        while patched.len() < BYTE_RANGE_PLACEHOLDER.len() {
            patched.push(' ');
        }
        pdf[br..br + BYTE_RANGE_PLACEHOLDER.len()].copy_from_slice(patched.as_bytes());
        Ok(Prepared { pdf, contents_start, contents_end })
    }

    /// SHA-256 over the two signed ranges (everything but the /Contents hex string).
    pub fn signed_digest(&self) -> [u8; 32] {
        let mut h = Sha256::new();
        h.update(&self.pdf[..self.contents_start]);
        h.update(&self.pdf[self.contents_end..]);
        h.finalize().into()
    }

    /// Write the DER CMS into /Contents (hex, zero padded) and return the finished file.
    pub fn finish(mut self, cms_der: &[u8]) -> Result<Vec<u8>, PlaceholderError> {
        if cms_der.len() > CONTENTS_RESERVED_BYTES {
            return Err(PlaceholderError::TooLarge(cms_der.len()));
        }
        const HEX: &[u8; 16] = CONTENTS_HEX_DIGITS;
        let mut at = self.contents_start + 1;
        for b in cms_der {
            self.pdf[at] = HEX[usize::from(b >> 4)];
            self.pdf[at + 1] = HEX[usize::from(b & 15)];
            at += 2;
        }
        Ok(self.pdf)
    }
}
