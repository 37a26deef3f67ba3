//! Minimal walking over raw DER bytes.
//!
//! Signatures cover *exact* bytes (the TBSCertificate, the signed attributes),
//! so verifiers must not re-encode parsed structures. These helpers slice the
//! original TLVs out of a buffer instead. Header parsing is delegated to `der`,
//! which enforces DER length rules.

use der::{Decode, Header, Reader, SliceReader};

use crate::error::{PkiError, Result};

/// One TLV located inside a buffer.
#[derive(Debug, Clone, Copy)]
pub struct Tlv<'a> {
    /// The first (identifier) octet. Only low-tag-number form is produced by `der`'s
    /// header parser for the tags this crate looks at.
    pub tag_byte: u8,
    /// The complete encoding: identifier, length and value.
    pub whole: &'a [u8],
    /// Just the value octets.
    pub value: &'a [u8],
}

/// Read one TLV from the start of `input`; return it and the bytes after it.
pub fn read_tlv<'a>(input: &'a [u8], what: &'static str) -> Result<(Tlv<'a>, &'a [u8])> {
    let malformed = |_| PkiError::Malformed(what);
    let mut reader = SliceReader::new(input).map_err(malformed)?;
    let header = Header::decode(&mut reader).map_err(malformed)?;
    let value = reader.read_slice(header.length()).map_err(malformed)?;
    let end = usize::try_from(reader.position()).map_err(malformed)?;
    let (whole, rest) = input.split_at_checked(end).ok_or(PkiError::Malformed(what))?;
    let tag_byte = *whole.first().ok_or(PkiError::Malformed(what))?;
    Ok((Tlv { tag_byte, whole, value }, rest))
}

/// Read exactly one TLV spanning all of `input`.
pub fn read_single_tlv<'a>(input: &'a [u8], what: &'static str) -> Result<Tlv<'a>> {
    let (tlv, rest) = read_tlv(input, what)?;
    if !rest.is_empty() {
        return Err(PkiError::Malformed(what));
    }
    Ok(tlv)
}

/// Split the value of a constructed TLV into its child TLVs.
pub fn children<'a>(parent: &Tlv<'a>, what: &'static str) -> Result<Vec<Tlv<'a>>> {
    let mut out = Vec::new();
    let mut rest = parent.value;
    while !rest.is_empty() {
        let (child, tail) = read_tlv(rest, what)?;
        out.push(child);
        rest = tail;
    }
    Ok(out)
}

/// Length of the single DER object at the start of `input`, accepting only
/// 0x00 bytes after it (PDF `/Contents` is zero-padded).
pub fn der_len_before_zero_padding(input: &[u8], what: &'static str) -> Result<usize> {
    let (tlv, rest) = read_tlv(input, what)?;
    if rest.iter().any(|&b| b != 0) {
        return Err(PkiError::TrailingData);
    }
    Ok(tlv.whole.len())
}
