//! /ByteRange checks against raw offsets.

mod common;

use common::*;
use ecert_pdf_structure::{Span, check_byte_range};

const PLACEHOLDER: &str = "[0 0000000000 0000000000 0000000000]";

/// A two-revision file whose revision 1 holds signature dictionary 6; `byte_range`
/// gets (b, c, d) of the correct range and returns the /ByteRange text to write.
fn signed_file(contents: &str, byte_range: impl Fn(usize, usize, usize) -> String) -> Vec<u8> {
    let mut w = minimal_pdf();
    w.object(5, "<< /Type /Annot /Subtype /Widget /FT /Sig /V 6 0 R /Rect [0 0 0 0] >>");
    let sig = w.object(
        6,
        &format!("<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /ByteRange {PLACEHOLDER} /Contents {contents} >>"),
    );
    w.finish_table();
    let open = sig + w.buf[sig..].windows(10).position(|x| x == b"/Contents ").unwrap() + 10;
    let close = open + contents.len();
    let (b, c, d) = (open, close, w.buf.len() - close);
    let mut text = byte_range(b, c, d);
    assert!(text.len() <= PLACEHOLDER.len());
    while text.len() < PLACEHOLDER.len() {
        text.push(' ');
    }
    replace_once(&mut w.buf, PLACEHOLDER.as_bytes(), text.as_bytes());
    w.buf
}

fn check(buf: &[u8]) -> Result<ecert_pdf_structure::SignedRanges, &'static str> {
    let doc = walk_default(buf).expect("file is structurally valid");
    let sig = doc.dictionary(1, (6, 0)).unwrap();
    check_byte_range(sig, &doc.revisions()[1]).map_err(|e| e.code())
}

fn hex() -> String {
    format!("<{}>", "0".repeat(64))
}

#[test]
fn correct_byte_range() {
    let buf = signed_file(&hex(), |b, c, d| format!("[0 {b} {c} {d}]"));
    let ranges = check(&buf).unwrap();
    assert_eq!(ranges.first.start, 0);
    assert_eq!(buf[ranges.contents.start], b'<');
    assert_eq!(buf[ranges.contents.end - 1], b'>');
    assert_eq!(ranges.first.end, ranges.contents.start);
    assert_eq!(ranges.second, Span::new(ranges.contents.end, buf.len()));
    // Zero-padded integers are integers too.
    let padded = signed_file(&hex(), |b, c, d| format!("[0 {b:010} {c:010} {d:010}]"));
    assert!(check(&padded).is_ok());
}

#[test]
fn wrong_byte_ranges() {
    type MakeRange<'a> = &'a dyn Fn(usize, usize, usize) -> String;
    let cases: [(MakeRange, &str); 9] = [
        (&|b, c, d| format!("[0 {} {c} {d}]", b + 1), "BYTE_RANGE_GAP"),
        (&|b, c, d| format!("[0 {} {c} {d}]", b - 1), "BYTE_RANGE_GAP"),
        (&|b, c, d| format!("[0 {b} {} {}]", c + 1, d - 1), "BYTE_RANGE_GAP"),
        (&|b, c, d| format!("[0 {b} {c} {}]", d - 2), "BYTE_RANGE_END"),
        (&|b, c, d| format!("[0 {b} {c} {}]", d + 1), "BYTE_RANGE_END"),
        (&|b, c, _| format!("[0 {b} {c}]"), "BAD_BYTE_RANGE"),
        (&|b, c, d| format!("[1 {b} {c} {d}]"), "BAD_BYTE_RANGE"),
        (&|b, c, d| format!("[0 {b} {c} -{d}]"), "BAD_BYTE_RANGE"),
        (&|b, c, d| format!("[0 {c} {b} {d}]"), "BAD_BYTE_RANGE"),
    ];
    for (make, code) in cases {
        let buf = signed_file(&hex(), make);
        assert_eq!(check(&buf).unwrap_err(), code);
    }
    // Ending just after `%%EOF`, before its EOL, is the revision's end too.
    let before_eol = signed_file(&hex(), |b, c, d| format!("[0 {b} {c} {}]", d - 1));
    assert!(before_eol.ends_with(b"%%EOF\n"));
    assert!(check(&before_eol).is_ok());
    let real = signed_file(&hex(), |b, c, d| format!("[0 {b} {c}.0 {d}]"));
    assert_eq!(check(&real).unwrap_err(), "BAD_BYTE_RANGE");
}

#[test]
fn contents_must_be_a_hex_string() {
    let literal = format!("({})", "0".repeat(64));
    let buf = signed_file(&literal, |b, c, d| format!("[0 {b} {c} {d}]"));
    assert_eq!(check(&buf).unwrap_err(), "BYTE_RANGE_GAP");
}

#[test]
fn byte_range_must_end_its_own_revision() {
    // A later update: the signature still covers exactly revision 1.
    let mut w = PdfWriter::new();
    w.buf = signed_file(&hex(), |b, c, d| format!("[0 {b} {c} {d}]"));
    w.xrefs = vec![walk_default(&w.buf).unwrap().revisions()[1].xref_offset()];
    w.size = 7;
    w.object(2, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>");
    w.finish_table();
    let doc = walk_default(&w.buf).unwrap();
    let sig = doc.dictionary(2, (6, 0)).unwrap();
    assert!(check_byte_range(sig, &doc.revisions()[1]).is_ok());
    assert_eq!(check_byte_range(sig, &doc.revisions()[2]).unwrap_err().code(), "BYTE_RANGE_GAP");
    assert_eq!(check_byte_range(sig, &doc.revisions()[0]).unwrap_err().code(), "BYTE_RANGE_GAP");
}

#[test]
fn contents_null_followed_by_padding_parses() {
    let padded = format!("null{}", " ".repeat(60));
    let buf = signed_file(&padded, |b, c, d| format!("[0 {b} {c} {d}]"));
    assert_eq!(check(&buf).unwrap_err(), "BYTE_RANGE_GAP");
    let padded = format!("null{}/M(D:20261123225030+08'00')", " ".repeat(16000));
    let buf = signed_file(&padded, |b, c, d| format!("[0 {b} {c} {d}]"));
    assert_eq!(check(&buf).unwrap_err(), "BYTE_RANGE_GAP");
}
