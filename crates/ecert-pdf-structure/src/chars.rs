//! PDF character classes (ISO 32000-1, 7.2.2).

/// PDF whitespace: NUL, HT, LF, FF, CR, SP.
pub(crate) const fn is_whitespace(b: u8) -> bool {
    matches!(b, 0 | 9 | 10 | 12 | 13 | 32)
}

/// PDF delimiters.
pub(crate) const fn is_delimiter(b: u8) -> bool {
    matches!(b, b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%')
}

/// Regular characters: neither whitespace nor delimiter.
pub(crate) const fn is_regular(b: u8) -> bool {
    !is_whitespace(b) && !is_delimiter(b)
}

/// End-of-line bytes.
pub(crate) const fn is_eol(b: u8) -> bool {
    matches!(b, b'\n' | b'\r')
}

/// Value of a hexadecimal digit.
pub(crate) const fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b.wrapping_sub(b'0')),
        b'a'..=b'f' => Some(b.wrapping_sub(b'a').wrapping_add(10)),
        b'A'..=b'F' => Some(b.wrapping_sub(b'A').wrapping_add(10)),
        _ => None,
    }
}
