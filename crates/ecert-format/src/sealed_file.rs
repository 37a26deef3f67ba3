//! What the issuer writes into every sealed PDF byte for byte, so that a verifier can accept exactly that file
//! and nothing equivalent-looking (docs/format.md, "One canonical file").

/// Bytes reserved for the DER CMS in the signature's /Contents, written as twice as many uppercase hex digits:
/// the CMS first, then `0` up to the end.
pub const CONTENTS_RESERVED_BYTES: usize = 8192;

/// The hex digits the issuer writes for the CMS (`0-9`, `A-F`).
pub const CONTENTS_HEX_DIGITS: &[u8; 16] = b"0123456789ABCDEF";

/// Whether `token` (the /Contents string from its `<` through its `>`) is exactly what the issuer writes for a
/// CMS of `der`: `<`, the uppercase hex of `der`, `0` padding to [`CONTENTS_RESERVED_BYTES`] × 2 digits, `>`.
pub fn contents_as_issued(token: &[u8], der: &[u8]) -> bool {
    let Some(inner) = token.strip_prefix(b"<").and_then(|t| t.strip_suffix(b">")) else {
        return false;
    };
    if inner.len() != CONTENTS_RESERVED_BYTES * 2 || der.len() > CONTENTS_RESERVED_BYTES {
        return false;
    }
    let (hex, padding) = inner.split_at(der.len() * 2);
    let hex_ok = hex.chunks_exact(2).zip(der).all(|(pair, b)| {
        pair.first() == CONTENTS_HEX_DIGITS.get(usize::from(b >> 4))
            && pair.get(1) == CONTENTS_HEX_DIGITS.get(usize::from(b & 15))
    });
    hex_ok && padding.iter().all(|&c| c == b'0')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(hex: &str) -> Vec<u8> {
        let mut t = b"<".to_vec();
        t.extend_from_slice(hex.as_bytes());
        t.resize(CONTENTS_RESERVED_BYTES * 2 + 1, b'0');
        t.push(b'>');
        t
    }

    #[test]
    fn only_the_issued_spelling_is_accepted() {
        let der = [0x30, 0xab, 0x0f];
        assert!(contents_as_issued(&token("30AB0F"), &der));
        assert!(!contents_as_issued(&token("30ab0f"), &der), "lowercase hex");
        let mut spaced = token("30AB0F");
        spaced[10] = b' ';
        assert!(!contents_as_issued(&spaced, &der), "whitespace in the padding");
        let mut other_pad = token("30AB0F");
        other_pad[20] = b'F';
        assert!(!contents_as_issued(&other_pad, &der), "non-zero padding");
        let mut short = token("30AB0F");
        short.remove(30);
        assert!(!contents_as_issued(&short, &der), "shorter slot");
        assert!(!contents_as_issued(&token("30AB0E"), &der), "other bytes");
        assert!(!contents_as_issued(b"<>", &[]), "empty slot");
    }
}
