//! Every object sits exactly where its own revision's xref says, and nothing else does.

mod common;

use common::*;

#[test]
fn later_revision_pointing_into_earlier_bytes() {
    let mut w = minimal_pdf();
    // Re-list object 3 at its original offset: shadowing old bytes is not allowed.
    let old_offset = w.buf.windows(8).position(|x| x == b"3 0 obj\n").unwrap();
    w.object(2, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>");
    w.entry(3, 0, old_offset);
    w.finish_table();
    assert_code(&w.buf, "ENTRY_OUTSIDE_REVISION");
}

#[test]
fn earlier_revision_pointing_ahead() {
    let mut w = base_objects();
    w.entry(5, 0, 0); // placeholder, patched below
    w.finish_table();
    let ahead = w.object(5, "<< /Type /Annot /Subtype /Widget >>");
    w.finish_table();
    replace_once(&mut w.buf, &entry_text(0, 0), &entry_text(ahead, 0));
    assert_code(&w.buf, "ENTRY_OUTSIDE_REVISION");
}

#[test]
fn entry_beyond_end_of_file() {
    let mut w = base_objects();
    w.entry(5, 0, 9_999_999);
    w.finish_table();
    assert_code(&w.buf, "ENTRY_OUTSIDE_REVISION");
}

#[test]
fn duplicate_offsets() {
    let mut w = base_objects();
    let two = w.pending.iter().find(|e| e.0 == 2).unwrap().2;
    w.entry(5, 0, two);
    w.finish_table();
    assert_code(&w.buf, "DUPLICATE_OFFSET");
}

#[test]
fn header_mismatch_at_offset() {
    // Off by one byte.
    let mut w = base_objects();
    let three = w.pending.iter().find(|e| e.0 == 3).unwrap().2;
    w.entry(3, 0, three + 1);
    w.finish_table();
    assert_code(&w.buf, "OBJECT_HEADER_MISMATCH");

    // Pointing at whitespace before the header (header must start exactly there).
    let mut w = PdfWriter::new();
    w.raw(b"\n");
    let at = w.pos();
    w.unlisted_object(1, 0, b"<< /Type /Catalog >>");
    w.entry(1, 0, at - 1);
    w.finish_table();
    assert_code(&w.buf, "OBJECT_HEADER_MISMATCH");

    // Wrong generation.
    let mut w = base_objects();
    let three = w.pending.iter().find(|e| e.0 == 3).unwrap().2;
    w.entry(3, 1, three);
    w.finish_table();
    assert_code(&w.buf, "OBJECT_HEADER_MISMATCH");

    // Wrong number.
    let mut w = base_objects();
    let three = w.pending.iter().find(|e| e.0 == 3).unwrap().2;
    w.pending.retain(|e| e.0 != 3);
    w.entry(7, 0, three);
    w.finish_table();
    assert_code(&w.buf, "OBJECT_HEADER_MISMATCH");

    // Two spaces in the header.
    let mut w = PdfWriter::new();
    let at = w.pos();
    w.raw(b"1  0 obj\n<< /Type /Catalog >>\nendobj\n");
    w.entry(1, 0, at);
    w.finish_table();
    assert_code(&w.buf, "OBJECT_HEADER_MISMATCH");
}

#[test]
fn object_hidden_inside_another_objects_stream() {
    let mut w = base_objects();
    let s = w.stream(5, "", b"6 0 obj\n<< /Hidden true >>\nendobj\n");
    let hidden = s + w.buf[s..].windows(7).position(|x| x == b"6 0 obj").unwrap();
    w.entry(6, 0, hidden);
    w.finish_table();
    assert_code(&w.buf, "OVERLAPPING_OBJECTS");
}

#[test]
fn unreferenced_object_in_update_with_its_own_xref() {
    let mut w = minimal_pdf();
    w.object(2, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>");
    w.unlisted_object(7, 0, b"<< /Type /Annot /Subtype /Widget >>");
    w.finish_table();
    assert_code(&w.buf, "UNREFERENCED_OBJECT");
}

#[test]
fn appended_revision_without_its_own_xref() {
    // Revision 2 adds an object and a copy of revision 1's startxref/%%EOF but no xref;
    // revision 3's /Prev skips it. Its bytes fall into revision 3 and are caught there.
    let mut w = minimal_pdf();
    let first = w.xrefs[0];
    w.unlisted_object(7, 0, b"<< /Type /Annot /Subtype /Widget >>");
    w.raw(format!("startxref\n{first}\n%%EOF\n").as_bytes());
    w.object(2, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>");
    w.finish_table();
    assert_code(&w.buf, "UNREFERENCED_OBJECT");

    // Same without the object: the stray startxref/%%EOF block is still rejected.
    let mut w = minimal_pdf();
    w.raw(format!("startxref\n{first}\n%%EOF\n").as_bytes());
    w.object(2, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>");
    w.finish_table();
    assert_code(&w.buf, "STRAY_DATA");
}

#[test]
fn bytes_between_objects() {
    let mut w = base_objects();
    w.raw(b"garbage\n");
    w.finish_table();
    assert_code(&w.buf, "STRAY_DATA");

    // A %%EOF comment inside a revision.
    let mut w = base_objects();
    w.raw(b"%%EOF\n");
    w.finish_table();
    assert_code(&w.buf, "STRAY_DATA");

    // Ordinary comments and whitespace are fine.
    let mut w = base_objects();
    w.raw(b"% a comment\r\n\t\x0c \n");
    w.finish_table();
    walk_default(&w.buf).expect("comments are allowed between objects");
}

#[test]
fn object_zero_in_use() {
    let mut w = base_objects();
    w.finish_table();
    replace_once(&mut w.buf, b"0000000000 65535 f\r\n", b"0000000000 00000 n\r\n");
    assert_code(&w.buf, "BAD_XREF_ENTRY");
}

#[test]
fn duplicate_entry_in_one_section() {
    let mut w = base_objects();
    w.finish_table();
    // Turn "1 4\n" (objects 1..=4) into a subsection that overlaps "0 1": "0 5" would
    // shift everything, so instead duplicate via a second subsection header.
    let x = w.xrefs[0];
    let tail = w.buf.split_off(x);
    let text = String::from_utf8_lossy(&tail).to_string();
    let dup = text.replacen("trailer", "3 1\n0000000099 00000 n\r\ntrailer", 1);
    w.buf.extend_from_slice(dup.as_bytes());
    assert_code(&w.buf, "DUPLICATE_XREF_ENTRY");
}

#[test]
fn revision_overlap_via_forged_eof_inside_object() {
    // A string containing a startxref/%%EOF block does not split revisions: the
    // section's own block must follow the trailer directly.
    let mut w = base_objects();
    w.object(5, "(startxref\n0\n%%EOF\n)");
    w.finish_table();
    walk_default(&w.buf).expect("strings are data");
}

#[test]
fn object_starting_on_a_comment_line() {
    // `%1 0 obj`: a lenient reader sees a comment, a strict one an object.
    let mut w = PdfWriter::new();
    w.raw(b"%");
    w.object(1, "<< /Type /Catalog >>");
    w.finish_table();
    assert_code(&w.buf, "STRAY_DATA");
}

#[test]
fn predictor_geometry_cannot_force_allocation() {
    // Huge /Columns with tiny data: rejected without allocating rows.
    let mut w = base_objects();
    w.stream(
        5,
        " /Filter /FlateDecode /DecodeParms << /Predictor 12 /Columns 16777216 /Colors 4 /BitsPerComponent 16 >>",
        &zlib(b"abc"),
    );
    w.finish_table();
    let doc = walk_default(&w.buf).unwrap();
    let s = doc.object(0, (5, 0)).unwrap().as_stream().unwrap();
    assert_eq!(doc.decode_stream(s).unwrap_err().code(), "PREDICTOR_ERROR");
}
