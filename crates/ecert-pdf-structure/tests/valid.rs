//! Well-formed files walk, and the resolved view answers correctly.

mod common;

use common::*;
use ecert_pdf_structure::{ChangeKind, Object, Span, XrefEntry, XrefKind};

#[test]
fn single_revision() {
    let w = minimal_pdf();
    let doc = walk_default(&w.buf).expect("valid file");
    assert_eq!(doc.revisions().len(), 1);
    let rev = &doc.revisions()[0];
    assert_eq!(rev.span(), Span::new(0, w.buf.len()));
    assert_eq!(rev.xref_offset(), w.xrefs[0]);
    assert_eq!(rev.startxref(), w.xrefs[0]);
    assert_eq!(rev.xref_kind(), XrefKind::Table);
    assert_eq!(rev.entries().len(), 5);
    assert!(matches!(rev.entry(0), Some(XrefEntry::Free { generation: 65535, .. })));
    assert_eq!(doc.catalog(0).unwrap().get_name(b"Pages"), None);
    assert_eq!(doc.catalog(0).unwrap().get(b"Pages"), Some(&Object::Reference((2, 0))));
    let page = doc.dictionary(0, (3, 0)).unwrap();
    assert_eq!(page.type_name(), Some(b"Page".as_slice()));
    let contents = doc.object(0, (4, 0)).unwrap().as_stream().unwrap();
    assert_eq!(doc.decode_stream(contents).unwrap(), b"0 0 m 100 100 l S\n");
    assert_eq!(doc.object(0, (4, 1)).unwrap_err().code(), "OBJECT_NOT_FOUND");
    assert_eq!(doc.object(0, (9, 0)).unwrap_err().code(), "OBJECT_NOT_FOUND");
    assert_eq!(doc.trailer(0).unwrap().get_integer(b"Size"), Some(5));
    assert_eq!(doc.revision(1).unwrap_err().code(), "NO_SUCH_REVISION");
}

#[test]
fn eof_without_final_eol_and_with_crlf() {
    let mut w = minimal_pdf();
    w.buf.pop();
    walk_default(&w.buf).expect("no EOL after %%EOF");
    w.buf.extend_from_slice(b"\r\n");
    walk_default(&w.buf).expect("CRLF after %%EOF");
    w.buf.pop();
    walk_default(&w.buf).expect("CR after %%EOF");
}

#[test]
fn all_three_entry_eols() {
    for eol in [b" \r", b" \n", b"\r\n"] {
        let mut w = base_objects();
        w.entry_eol = eol;
        w.finish_table();
        walk_default(&w.buf).unwrap_or_else(|e| panic!("eol {eol:?}: {e}"));
    }
}

fn two_revisions() -> PdfWriter {
    let mut w = minimal_pdf();
    // Incremental update: page 3 overridden (adds /Annots), widget 5 and signature 6 added,
    // content stream 4 re-written unchanged.
    w.object(3, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R /Annots [5 0 R] >>");
    w.object(5, "<< /Type /Annot /Subtype /Widget /FT /Sig /Rect [0 0 0 0] /V 6 0 R >>");
    w.object(6, "<< /Type /Sig /Filter /Adobe.PPKLite >>");
    w.stream(4, " /Filter /FlateDecode", &zlib(b"0 0 m 100 100 l S\n"));
    w.finish_table();
    w
}

#[test]
fn incremental_update_and_changes() {
    let w = two_revisions();
    let doc = walk_default(&w.buf).expect("valid update");
    let revs = doc.revisions();
    assert_eq!(revs.len(), 2);
    assert_eq!(revs[0].span().end, revs[1].span().start);
    assert_eq!(revs[1].span().end, w.buf.len());
    assert_eq!(revs[1].trailer().get_integer(b"Prev"), Some(w.xrefs[0] as i64));

    // Object as of each revision.
    let old_page = doc.dictionary(0, (3, 0)).unwrap();
    let new_page = doc.dictionary(1, (3, 0)).unwrap();
    assert!(!old_page.contains_key(b"Annots"));
    assert!(new_page.contains_key(b"Annots"));
    assert_eq!(doc.object(0, (5, 0)).unwrap_err().code(), "OBJECT_NOT_FOUND");
    assert!(doc.object(1, (5, 0)).is_ok());
    // Unchanged objects resolve through the earlier revision.
    assert_eq!(doc.indirect_object(1, (2, 0)).unwrap().revision, 0);

    let changes = doc.changes_between(0, 1).unwrap();
    let summary: Vec<(u32, ChangeKind, bool)> = changes.iter().map(|c| (c.number, c.kind, c.identical)).collect();
    assert_eq!(
        summary,
        vec![
            (3, ChangeKind::Modified, false),
            (4, ChangeKind::Modified, true),
            (5, ChangeKind::Added, false),
            (6, ChangeKind::Added, false),
        ]
    );
    let widget = changes[2].new.as_ref().unwrap();
    assert_eq!(widget.type_name.as_deref(), Some(b"Annot".as_slice()));
    assert_eq!(widget.subtype_name.as_deref(), Some(b"Widget".as_slice()));
    assert_eq!(changes[0].old.as_ref().unwrap().type_name.as_deref(), Some(b"Page".as_slice()));
    assert_eq!(doc.changes_between(1, 0).unwrap_err().code(), "NO_SUCH_REVISION");
    assert_eq!(doc.changes_between(0, 2).unwrap_err().code(), "NO_SUCH_REVISION");
}

#[test]
fn deletion_is_reported() {
    let mut w = two_revisions();
    w.free(6, 1);
    w.finish_table();
    let doc = walk_default(&w.buf).unwrap();
    let changes = doc.changes_between(1, 2).unwrap();
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0].kind, ChangeKind::Deleted);
    assert_eq!(doc.object(2, (6, 0)).unwrap_err().code(), "OBJECT_NOT_FOUND");
    assert!(doc.object(1, (6, 0)).is_ok());
    let across = doc.changes_between(0, 2).unwrap();
    assert!(across.iter().all(|c| c.number != 6), "added then deleted: no net change");
}

#[test]
fn xref_stream_with_png_up_predictor() {
    let mut w = base_objects();
    w.finish_stream(5, &TrailerOpts::default(), true);
    let doc = walk_default(&w.buf).expect("xref stream file");
    let rev = &doc.revisions()[0];
    assert_eq!(rev.xref_kind(), XrefKind::Stream);
    assert_eq!(rev.entries().len(), 6);
    assert_eq!(rev.trailer().type_name(), Some(b"XRef".as_slice()));
    assert!(doc.object(0, (5, 0)).unwrap().as_stream().is_some());
    assert!(doc.catalog(0).is_ok());
}

#[test]
fn xref_stream_without_predictor_then_table_update() {
    let mut w = base_objects();
    w.finish_stream(5, &TrailerOpts::default(), false);
    w.object(2, "<< /Type /Pages /Kids [3 0 R] /Count 1 /Changed true >>");
    w.finish_table();
    let doc = walk_default(&w.buf).expect("stream base + table update");
    assert_eq!(doc.revisions()[1].xref_kind(), XrefKind::Table);
    let changes = doc.changes_between(0, 1).unwrap();
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0].number, 2);
}

#[test]
fn qpdf_checks_our_writer_and_its_output_walks() {
    if !tool("qpdf") {
        return;
    }
    let dir = std::env::temp_dir().join(format!("ecert-walker-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let run = |args: &[&str]| std::process::Command::new("qpdf").args(args).output().expect("run qpdf");

    // Our hand-written files are acceptable to qpdf.
    let mut stream_file = base_objects();
    stream_file.finish_stream(5, &TrailerOpts::default(), true);
    for (name, bytes) in [("table.pdf", two_revisions().buf), ("stream.pdf", stream_file.buf)] {
        let path = dir.join(name);
        std::fs::write(&path, &bytes).unwrap();
        let out = run(&["--check", path.to_str().unwrap()]);
        assert!(out.status.success(), "qpdf --check {name}: {}", String::from_utf8_lossy(&out.stdout));
        assert!(!String::from_utf8_lossy(&out.stderr).contains("WARNING"), "{name}");
    }

    // qpdf's classic output (compressed streams) walks.
    let input = dir.join("table.pdf");
    let classic = dir.join("classic.pdf");
    let out =
        run(&["--object-streams=disable", "--compress-streams=y", input.to_str().unwrap(), classic.to_str().unwrap()]);
    assert!(out.status.success());
    let bytes = std::fs::read(&classic).unwrap();
    let doc = walk_default(&bytes).expect("qpdf classic output");
    let catalog = doc.catalog(0).unwrap();
    let pages = doc.resolve(0, catalog.get(b"Pages").unwrap()).unwrap();
    assert_eq!(pages.as_dict().unwrap().type_name(), Some(b"Pages".as_slice()));

    // qpdf writes xref streams only together with object streams: rejected by design.
    let objstm = dir.join("objstm.pdf");
    let out = run(&["--object-streams=generate", input.to_str().unwrap(), objstm.to_str().unwrap()]);
    assert!(out.status.success());
    let bytes = std::fs::read(&objstm).unwrap();
    assert_eq!(walk_default(&bytes).unwrap_err().code(), "UNSUPPORTED_OBJECT_STREAM");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn document_is_send_and_sync() {
    fn check<T: Send + Sync>() {}
    check::<ecert_pdf_structure::Document>();
    check::<ecert_pdf_structure::StructureError>();
}
