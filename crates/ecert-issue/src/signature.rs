//! The certification signature: a /Sig dictionary with fixed-size placeholders for /ByteRange and
//! /Contents, patched once the file is laid out, and the CMS SignedData over the two byte ranges.

use sha2::{Digest as _, Sha256};

/// Bytes reserved for the DER CMS in /Contents (written as twice as many hex digits).
pub const CONTENTS_RESERVED_BYTES: usize = 8192;
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

fn find_unique(hay: &[u8], needle: &[u8]) -> Option<usize> {
    let mut found = None;
    let mut start = 0;
    while let Some(pos) = hay.get(start..)?.windows(needle.len()).position(|w| w == needle) {
        if found.is_some() {
            return None;
        }
        found = Some(start + pos);
        start += pos + 1;
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
        let zeros = "0".repeat(CONTENTS_RESERVED_BYTES * 2);
        let contents_pattern = format!("<{zeros}>");
        let contents_start =
            find_unique(&pdf, contents_pattern.as_bytes()).ok_or(PlaceholderError::Placeholder("/Contents"))?;
        let contents_end = contents_start + contents_pattern.len();
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
        const HEX: &[u8; 16] = b"0123456789ABCDEF";
        let mut at = self.contents_start + 1;
        for b in cms_der {
            self.pdf[at] = HEX[usize::from(b >> 4)];
            self.pdf[at + 1] = HEX[usize::from(b & 15)];
            at += 2;
        }
        Ok(self.pdf)
    }
}
