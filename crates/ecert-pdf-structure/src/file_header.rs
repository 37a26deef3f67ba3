//! The `%PDF-x.y` header at offset 0.

use crate::error::{Result, StructureError};

/// A PDF version from the file header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct PdfVersion {
    /// Major version (1 or 2).
    pub major: u8,
    /// Minor version.
    pub minor: u8,
}

/// Checks that the file starts with `%PDF-1.x` (x a digit) or `%PDF-2.0`, immediately
/// followed by CR or LF.
pub(crate) fn parse_file_header(bytes: &[u8]) -> Result<PdfVersion> {
    let head = bytes.get(..9).ok_or(StructureError::BadHeader)?;
    let (prefix, rest) = head.split_at(5);
    if prefix != b"%PDF-" {
        return Err(StructureError::BadHeader);
    }
    let version = match rest {
        [b'1', b'.', minor @ b'0'..=b'9', eol] | [b'2', b'.', minor @ b'0', eol] if matches!(eol, b'\r' | b'\n') => {
            let major = if rest.first() == Some(&b'2') { 2 } else { 1 };
            PdfVersion { major, minor: minor.wrapping_sub(b'0') }
        }
        _ => return Err(StructureError::BadHeader),
    };
    Ok(version)
}
