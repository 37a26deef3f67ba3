//! The startxref / /Prev chain and the file tail are walked strictly.

mod common;

use common::*;
use ecert_pdf_structure::{Budget, walk};

#[test]
fn prev_pointing_to_itself_is_a_loop() {
    let mut w = minimal_pdf();
    w.object(2, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>");
    w.finish_table_opts(&TrailerOpts { prev: Prev::SelfOffset, ..Default::default() });
    assert_code(&w.buf, "PREV_LOOP");
}

#[test]
fn two_sections_pointing_at_each_other_is_a_loop() {
    let mut w = base_objects();
    w.finish_table_opts(&TrailerOpts { prev: Prev::Value(0), ..Default::default() });
    w.object(2, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>");
    let second = w.finish_table();
    // Patch the first trailer's /Prev to the second section.
    replace_once(&mut w.buf, b"/Prev 0000000000", format!("/Prev {second:010}").as_bytes());
    assert_code(&w.buf, "PREV_LOOP");
}

#[test]
fn prev_not_decreasing() {
    let mut w = base_objects();
    let len_guess = 2000;
    w.finish_table_opts(&TrailerOpts { prev: Prev::Value(len_guess), ..Default::default() });
    // A /Prev after its own section (but inside the file) is rejected before parsing it.
    let bad = w.xrefs[0] + 1;
    replace_once(&mut w.buf, format!("/Prev {len_guess:010}").as_bytes(), format!("/Prev {bad:010}").as_bytes());
    assert_code(&w.buf, "PREV_NOT_DECREASING");
}

#[test]
fn prev_forward_to_a_later_section() {
    // Newest -> oldest -> middle: the middle section lies after the oldest one.
    let mut w = base_objects();
    w.finish_table_opts(&TrailerOpts { prev: Prev::Value(0), ..Default::default() });
    w.object(2, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>");
    let middle = w.finish_table_opts(&TrailerOpts { prev: Prev::Omit, ..Default::default() });
    w.object(3, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 100 100] /Contents 4 0 R >>");
    w.finish_table_opts(&TrailerOpts { prev: Prev::Value(w.xrefs[0]), ..Default::default() });
    replace_once(&mut w.buf, b"/Prev 0000000000", format!("/Prev {middle:010}").as_bytes());
    assert_code(&w.buf, "PREV_NOT_DECREASING");
}

#[test]
fn prev_to_something_that_is_not_a_section() {
    let mut w = minimal_pdf();
    w.object(2, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>");
    w.finish_table_opts(&TrailerOpts { prev: Prev::Value(20), ..Default::default() });
    assert_code(&w.buf, "BAD_STARTXREF");
}

#[test]
fn startxref_out_of_range() {
    let mut w = minimal_pdf();
    let x = w.xrefs[0];
    let old = format!("startxref\n{x}\n");
    let new = format!("startxref\n{}\n", "9".repeat(old.len() - 11));
    replace_once(&mut w.buf, old.as_bytes(), new.as_bytes());
    assert_code(&w.buf, "OFFSET_OUT_OF_RANGE");
}

#[test]
fn startxref_not_pointing_at_a_section() {
    let mut w = minimal_pdf();
    let x = w.xrefs[0];
    let old = format!("startxref\n{x}\n");
    let new = format!("startxref\n{:0width$}\n", x - 1, width = x.to_string().len());
    replace_once(&mut w.buf, old.as_bytes(), new.as_bytes());
    assert!(walk_default(&w.buf).is_err());
}

#[test]
fn startxref_overflowing_number() {
    let mut w = minimal_pdf();
    let x = w.xrefs[0];
    let tail = format!("startxref\n{x}\n%%EOF\n");
    let len = w.buf.len();
    w.buf.truncate(len - tail.len());
    w.buf.extend_from_slice(b"startxref\n99999999999999999999999999\n%%EOF\n");
    assert_code(&w.buf, "BAD_STARTXREF");
}

#[test]
fn too_many_revisions() {
    let mut w = minimal_pdf();
    for _ in 0..16 {
        w.object(2, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>");
        w.finish_table();
    }
    assert_eq!(w.xrefs.len(), 17);
    assert_code(&w.buf, "TOO_MANY_REVISIONS");
    let budget = Budget { max_revisions: 17, ..Budget::default() };
    assert_eq!(walk(&w.buf, &budget).unwrap().revisions().len(), 17);
}

#[test]
fn encrypted_trailer() {
    let mut w = base_objects();
    w.finish_table_opts(&TrailerOpts { extra: " /Encrypt 9 0 R".into(), ..Default::default() });
    assert_code(&w.buf, "ENCRYPTED");
    // Also in an older trailer only.
    let mut w = base_objects();
    w.finish_table_opts(&TrailerOpts { extra: " /Encrypt << /Filter /Standard >>".into(), ..Default::default() });
    w.object(2, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>");
    w.finish_table();
    assert_code(&w.buf, "ENCRYPTED");
    // And in an xref stream dictionary.
    let mut w = base_objects();
    w.finish_stream(5, &TrailerOpts { extra: " /Encrypt 9 0 R".into(), ..Default::default() }, true);
    assert_code(&w.buf, "ENCRYPTED");
}

#[test]
fn hybrid_xref() {
    let mut w = base_objects();
    w.finish_table_opts(&TrailerOpts { extra: " /XRefStm 123".into(), ..Default::default() });
    assert_code(&w.buf, "HYBRID_XREF");
}

#[test]
fn trailing_bytes_after_eof() {
    for tail in [&b"x"[..], b"\n\n", b"\r\n\r\n", b" ", b"\n%comment\n", b"\x00"] {
        let mut w = minimal_pdf();
        w.buf.extend_from_slice(tail);
        assert_code(&w.buf, "TRAILING_DATA");
    }
    // More than 1 KiB of junk: the final %%EOF is not even searched that far.
    let mut w = minimal_pdf();
    w.buf.extend_from_slice(&[b'a'; 2048]);
    assert_code(&w.buf, "MISSING_EOF");
}

#[test]
fn appended_objects_without_xref_are_trailing_data() {
    let mut w = minimal_pdf();
    w.unlisted_object(5, 0, b"<< /Type /Annot /Subtype /Widget >>");
    assert_code(&w.buf, "TRAILING_DATA");
}

#[test]
fn bad_headers() {
    for head in [&b"%PDF-1.x\n"[..], b"%PDF-3.0\n", b"%PDF-2.1\n", b"%PDF-1.7 ", b" %PDF-1.7\n", b"%PDX-1.7\n"] {
        let mut w = minimal_pdf();
        w.buf.splice(0..9, head.iter().copied());
        assert_code(&w.buf, "BAD_HEADER");
    }
    let mut w = minimal_pdf();
    w.buf.splice(0..9, b"%PDF-2.0\r".iter().copied());
    assert_eq!(walk_default(&w.buf).unwrap().version().major, 2);
}

#[test]
fn file_size_budget() {
    let w = minimal_pdf();
    let budget = Budget { max_file_size: w.buf.len() - 1, ..Budget::default() };
    assert_eq!(walk(&w.buf, &budget).unwrap_err().code(), "FILE_TOO_LARGE");
}

#[test]
fn size_must_cover_entries_and_not_shrink() {
    let mut w = base_objects();
    w.finish_table_opts(&TrailerOpts { size: Some(4), ..Default::default() });
    assert_code(&w.buf, "BAD_SIZE");

    let mut w = minimal_pdf();
    w.object(2, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>");
    w.finish_table_opts(&TrailerOpts { size: Some(3), ..Default::default() });
    assert_code(&w.buf, "BAD_SIZE");
}

#[test]
fn root_must_be_a_catalog() {
    let mut w = PdfWriter::new();
    w.object(1, "<< /Type /Pages /Kids [] /Count 0 >>");
    w.finish_table();
    assert_code(&w.buf, "BAD_CATALOG");
    let mut w = PdfWriter::new();
    w.object(2, "<< /Type /Catalog >>");
    w.finish_table();
    assert_code(&w.buf, "BAD_CATALOG");
}
