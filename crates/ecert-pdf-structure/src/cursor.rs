//! A bounds-checked read position over the input bytes.
//!
//! Every method is total: reads past the end return `None`/`false`, never panic.

use crate::chars::{is_eol, is_regular, is_whitespace};

/// Longest decimal number the structure grammar accepts (offsets, counts, ids).
pub(crate) const MAX_DIGITS: usize = 19;

#[derive(Debug, Clone, Copy)]
pub(crate) struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Cursor<'a> {
    pub(crate) fn new(bytes: &'a [u8], pos: usize) -> Self {
        Self { bytes, pos }
    }

    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    pub(crate) fn set_pos(&mut self, pos: usize) {
        self.pos = pos;
    }

    pub(crate) fn at_end(&self) -> bool {
        self.pos >= self.bytes.len()
    }

    pub(crate) fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    pub(crate) fn peek_at(&self, ahead: usize) -> Option<u8> {
        self.bytes.get(self.pos.checked_add(ahead)?).copied()
    }

    pub(crate) fn advance(&mut self, n: usize) {
        self.pos = self.pos.saturating_add(n);
    }

    pub(crate) fn next_byte(&mut self) -> Option<u8> {
        let b = self.peek()?;
        self.advance(1);
        Some(b)
    }

    pub(crate) fn rest(&self) -> &'a [u8] {
        self.bytes.get(self.pos..).unwrap_or(&[])
    }

    pub(crate) fn starts_with(&self, lit: &[u8]) -> bool {
        self.rest().starts_with(lit)
    }

    /// Consumes `lit` if it is next.
    pub(crate) fn eat(&mut self, lit: &[u8]) -> bool {
        if self.starts_with(lit) {
            self.advance(lit.len());
            true
        } else {
            false
        }
    }

    /// Consumes keyword `kw` if it is next and is not followed by a regular character.
    pub(crate) fn eat_keyword(&mut self, kw: &[u8]) -> bool {
        if !self.starts_with(kw) {
            return false;
        }
        let after = self.pos.saturating_add(kw.len());
        match self.bytes.get(after) {
            Some(&b) if is_regular(b) => false,
            _ => {
                self.pos = after;
                true
            }
        }
    }

    /// Consumes one end of line: CR LF, LF or CR.
    pub(crate) fn eat_eol(&mut self) -> bool {
        self.eat(b"\r\n") || self.eat(b"\n") || self.eat(b"\r")
    }

    /// Skips whitespace; returns how many bytes were skipped.
    pub(crate) fn skip_whitespace(&mut self) -> usize {
        let start = self.pos;
        while let Some(b) = self.peek() {
            if !is_whitespace(b) {
                break;
            }
            self.advance(1);
        }
        self.pos.saturating_sub(start)
    }

    /// Skips a comment from `%` to (not including) the end of line, if one is next.
    pub(crate) fn skip_comment(&mut self) -> bool {
        if self.peek() != Some(b'%') {
            return false;
        }
        while let Some(b) = self.peek() {
            if is_eol(b) {
                break;
            }
            self.advance(1);
        }
        true
    }

    /// Skips any mix of whitespace and comments.
    pub(crate) fn skip_ws_and_comments(&mut self) {
        loop {
            let skipped = self.skip_whitespace();
            if !self.skip_comment() && skipped == 0 {
                break;
            }
        }
    }

    /// Reads an unsigned decimal number of 1..=`max_digits` digits (no sign).
    /// Leaves the cursor unchanged and returns `None` if there is none or it overflows.
    pub(crate) fn read_unsigned(&mut self, max_digits: usize) -> Option<u64> {
        let start = self.pos;
        let mut value: u64 = 0;
        let mut count: usize = 0;
        while let Some(b) = self.peek() {
            if !b.is_ascii_digit() {
                break;
            }
            count = count.saturating_add(1);
            if count > max_digits {
                self.pos = start;
                return None;
            }
            let digit = u64::from(b.wrapping_sub(b'0'));
            match value.checked_mul(10).and_then(|v| v.checked_add(digit)) {
                Some(v) => value = v,
                None => {
                    self.pos = start;
                    return None;
                }
            }
            self.advance(1);
        }
        if count == 0 {
            return None;
        }
        Some(value)
    }

    /// Reads an unsigned decimal number as a `usize`.
    pub(crate) fn read_usize(&mut self) -> Option<usize> {
        let start = self.pos;
        let v = self.read_unsigned(MAX_DIGITS)?;
        match usize::try_from(v) {
            Ok(v) => Some(v),
            Err(_) => {
                self.pos = start;
                None
            }
        }
    }
}
