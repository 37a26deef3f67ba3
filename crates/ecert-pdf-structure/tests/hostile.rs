//! Hostile input: never panic, fail fast, stay within budget.

mod common;

use std::time::{Duration, Instant};

use common::*;
use ecert_pdf_structure::{Budget, walk};

/// Generous bound for debug builds on a slow machine; each test is far below it.
const FAST: Duration = Duration::from_secs(1);

fn two_revision_file() -> PdfWriter {
    let mut w = minimal_pdf();
    w.object(3, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R /Annots [5 0 R] >>");
    w.object(5, "<< /Type /Annot /Subtype /Widget /Rect [0 0 0 0] /T (sig\\(1\\)) /V <00ff> >>");
    w.finish_stream(6, &TrailerOpts::default(), true);
    w
}

#[test]
fn empty_file() {
    assert_code(b"", "BAD_HEADER");
    assert_code(b"%PDF-1.7\n", "MISSING_EOF");
    assert_code(b"%PDF-1.7\n%%EOF\n", "BAD_STARTXREF");
    assert_code(b"%PDF-1.7\nstartxref\n0\n%%EOF\n", "BAD_STARTXREF");
}

#[test]
fn truncated_at_every_byte() {
    let started = Instant::now();
    let w = two_revision_file();
    let full = w.buf.len();
    let first_end = {
        let doc = walk_default(&w.buf).expect("fixture is valid");
        doc.revisions()[0].span().end
    };
    for len in 0..full {
        let result = walk_default(&w.buf[..len]);
        // A cut exactly at the end of revision 1 (with or without its EOL) is a valid
        // older version of the file; every other prefix must fail.
        if len == first_end || len + 1 == first_end || len + 1 == full {
            continue;
        }
        assert!(result.is_err(), "prefix of {len} bytes was accepted");
    }
    assert!(started.elapsed() < FAST * 3, "took {:?}", started.elapsed());
}

#[test]
fn every_byte_mutated() {
    let started = Instant::now();
    let w = two_revision_file();
    let mut buf = w.buf.clone();
    for i in 0..buf.len() {
        let original = buf[i];
        for value in [b'9', b' ', b'(', b'%'] {
            if value == original {
                continue;
            }
            buf[i] = value;
            if let Ok(doc) = walk_default(&buf) {
                // Whatever is accepted must still be self-consistent.
                for r in 0..doc.revisions().len() {
                    doc.catalog(r).expect("walk checked the catalog");
                    for obj in doc.objects_in_revision(r).unwrap() {
                        if let Some(s) = obj.object.as_stream() {
                            let _ = doc.decode_stream(s);
                        }
                    }
                }
            }
        }
        buf[i] = original;
    }
    assert!(started.elapsed() < FAST * 10, "took {:?}", started.elapsed());
}

/// xorshift64*: deterministic pseudo-random bytes.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn bytes(&mut self, n: usize, alphabet: &[u8]) -> Vec<u8> {
        (0..n).map(|_| alphabet[(self.next() % alphabet.len() as u64) as usize]).collect()
    }
}

#[test]
fn random_bytes() {
    let started = Instant::now();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let all: Vec<u8> = (0..=255).collect();
    let pdfish: &[u8] = b"0123456789 \n\r<<>>[]()/%obj endobj R stream endstream xref trailer startxref %%EOF n f";
    for round in 0..600 {
        let n = (rng.next() % 1500) as usize;
        let alphabet = if round % 2 == 0 { &all[..] } else { pdfish };
        let mut buf = Vec::new();
        if round % 3 != 0 {
            buf.extend_from_slice(b"%PDF-1.7\n");
        }
        buf.extend(rng.bytes(n, alphabet));
        if round % 4 != 0 {
            let x = rng.next() % (buf.len() as u64 + 10);
            buf.extend_from_slice(format!("\nstartxref\n{x}\n%%EOF\n").as_bytes());
        }
        assert!(walk_default(&buf).is_err());
    }
    // Random bodies spliced into a valid frame.
    let w = two_revision_file();
    for _ in 0..300 {
        let mut buf = w.buf.clone();
        let at = (rng.next() % buf.len() as u64) as usize;
        let n = (rng.next() % 64) as usize;
        let junk = rng.bytes(n, pdfish);
        buf.splice(at..at, junk);
        let _ = walk_default(&buf);
    }
    assert!(started.elapsed() < FAST * 3, "took {:?}", started.elapsed());
}

#[test]
fn deep_nesting_fails_fast() {
    for (open, close) in [("[", "]"), ("<< /A ", ">>")] {
        let started = Instant::now();
        let mut w = base_objects();
        let body = format!("{}{}", open.repeat(100_000), close.repeat(100_000));
        w.object(5, &body);
        w.finish_table();
        assert_code(&w.buf, "DEPTH_EXCEEDED");
        assert!(started.elapsed() < FAST, "took {:?}", started.elapsed());
    }
    // Depth 64 is fine, 65 is not.
    let mut w = base_objects();
    w.object(5, &format!("{}{}", "[".repeat(64), "]".repeat(64)));
    w.finish_table();
    walk_default(&w.buf).expect("64 levels allowed");
    let mut w = base_objects();
    w.object(5, &format!("{}{}", "[".repeat(65), "]".repeat(65)));
    w.finish_table();
    assert_code(&w.buf, "DEPTH_EXCEEDED");
    // Budget above the hard cap is clamped, not trusted.
    let mut w = base_objects();
    w.object(5, &format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)));
    w.finish_table();
    let budget = Budget { max_depth: usize::MAX, ..Budget::default() };
    assert_eq!(walk(&w.buf, &budget).unwrap_err().code(), "DEPTH_EXCEEDED");
}

#[test]
fn deeply_nested_string_parentheses_are_fine() {
    let mut w = base_objects();
    w.object(5, &format!("({}{})", "(".repeat(50_000), ")".repeat(50_000)));
    w.finish_table();
    walk_default(&w.buf).expect("balanced parentheses inside a string");
}

#[test]
fn deflate_bomb_stops_at_budget() {
    let started = Instant::now();
    // 1 + 258 * 4_161_790 bytes = 1 GiB of zeros in about 6.5 MiB.
    let bomb = zero_bomb(4_161_790);
    assert!(bomb.len() < 7 * 1024 * 1024);
    let mut w = base_objects();
    w.stream(5, " /Filter /FlateDecode", &bomb);
    w.finish_table();
    let doc = walk_default(&w.buf).expect("streams are not decoded during the walk");
    let stream = doc.object(0, (5, 0)).unwrap().as_stream().unwrap();
    assert_eq!(doc.decode_stream(stream).unwrap_err().code(), "DECOMPRESSION_BUDGET");
    assert!(started.elapsed() < FAST * 2, "took {:?}", started.elapsed());
}

#[test]
fn bomb_builder_is_a_real_zlib_stream() {
    // The same construction, small enough to fit, inflates to zeros exactly.
    let small = zero_bomb(1000);
    let mut w = base_objects();
    w.stream(5, " /Filter /FlateDecode", &small);
    w.finish_table();
    let doc = walk_default(&w.buf).unwrap();
    let stream = doc.object(0, (5, 0)).unwrap().as_stream().unwrap();
    let data = doc.decode_stream(stream).unwrap();
    assert_eq!(data.len(), 1 + 258 * 1000);
    assert!(data.iter().all(|&b| b == 0));
}

#[test]
fn decompression_budget_is_cumulative() {
    let mut w = base_objects();
    w.stream(5, " /Filter /FlateDecode", &zlib(&vec![7u8; 5 * 1024 * 1024]));
    w.finish_table();
    let doc = walk_default(&w.buf).unwrap();
    let stream = doc.object(0, (5, 0)).unwrap().as_stream().unwrap();
    assert_eq!(doc.decode_stream(stream).unwrap().len(), 5 * 1024 * 1024);
    assert_eq!(doc.decode_stream(stream).unwrap_err().code(), "DECOMPRESSION_BUDGET");
}

#[test]
fn xref_stream_bomb_is_cut_at_the_implied_size() {
    let started = Instant::now();
    let mut w = base_objects();
    let at = w.pos();
    let bomb = zero_bomb(4_161_790);
    let mut body = format!(
        "<< /Type /XRef /Size 6 /W [1 4 2] /Root 1 0 R /Filter /FlateDecode /Length {} >>\nstream\n",
        bomb.len()
    )
    .into_bytes();
    body.extend_from_slice(&bomb);
    body.extend_from_slice(b"\nendstream");
    w.unlisted_object(5, 0, &body);
    w.raw(format!("startxref\n{at}\n%%EOF\n").as_bytes());
    assert_code(&w.buf, "BAD_XREF_STREAM");
    assert!(started.elapsed() < FAST, "took {:?}", started.elapsed());
}

fn xref_stream_file(dict: &str) -> Vec<u8> {
    let mut w = base_objects();
    let at = w.pos();
    let data = zlib(&[0u8; 7]);
    let mut body =
        format!("<< /Type /XRef /Root 1 0 R /Filter /FlateDecode {dict} /Length {} >>\nstream\n", data.len())
            .into_bytes();
    body.extend_from_slice(&data);
    body.extend_from_slice(b"\nendstream");
    w.unlisted_object(5, 0, &body);
    w.raw(format!("startxref\n{at}\n%%EOF\n").as_bytes());
    w.buf
}

#[test]
fn huge_xref_stream_dimensions_fail_before_allocation() {
    let started = Instant::now();
    let cases = [
        ("/Size 2000000000 /W [1 4 2]", "OBJECT_BUDGET"),
        ("/Size 9223372036854775807 /W [1 4 2]", "OBJECT_BUDGET"),
        ("/Size 6 /W [1 4000000000 2]", "XREF_STREAM_WIDTH"),
        ("/Size 6 /W [1 9 2]", "XREF_STREAM_WIDTH"),
        ("/Size 6 /W [5 4 2]", "XREF_STREAM_WIDTH"),
        ("/Size 6 /W [4 8 4]", "BAD_XREF_STREAM"), // widest allowed; data too short
        ("/Size 6 /W [1 -4 2]", "BAD_XREF_STREAM"),
        ("/Size 6 /W [1 4]", "BAD_XREF_STREAM"),
        ("/Size 6 /W [1 0 2]", "BAD_XREF_STREAM"),
        ("/Size 6 /W [1 4 2] /Index [0 4000000000]", "BAD_SIZE"),
        ("/Size 10000 /W [1 4 2] /Index [0 9000 0 9000]", "OBJECT_BUDGET"),
        ("/Size 6 /W [1 4 2] /Index [0]", "BAD_XREF_STREAM"),
        ("/Size 6 /W [1 4 2] /Index [0 6]", "BAD_XREF_STREAM"),
        ("/Size 0 /W [1 4 2]", "BAD_SIZE"),
        ("/Size 6 /W [1 4 2] /Predictor 2", "BAD_XREF_STREAM"),
        ("/Size 6 /W [1 4 2] /DecodeParms << /Predictor 2 >>", "UNSUPPORTED_PREDICTOR"),
        ("/Size 6 /W [1 4 2] /DecodeParms << /Predictor 12 /Columns 3 >>", "BAD_XREF_STREAM"),
    ];
    for (dict, code) in cases {
        let file = xref_stream_file(dict);
        match walk_default(&file) {
            Ok(_) => panic!("{dict}: accepted"),
            Err(e) => assert_eq!(e.code(), code, "{dict}: {e}"),
        }
    }
    // Classic table with a huge subsection count.
    let mut w = base_objects();
    let at = w.pos();
    w.raw(
        format!(
            "xref\n0 4000000000\n0000000000 65535 f\r\ntrailer\n<< /Size 5 /Root 1 0 R >>\nstartxref\n{at}\n%%EOF\n"
        )
        .as_bytes(),
    );
    assert_code(&w.buf, "OBJECT_BUDGET");
    let mut w = base_objects();
    let at = w.pos();
    w.raw(
        format!("xref\n0 900\n0000000000 65535 f\r\ntrailer\n<< /Size 5 /Root 1 0 R >>\nstartxref\n{at}\n%%EOF\n")
            .as_bytes(),
    );
    assert_code(&w.buf, "BAD_XREF_TABLE");
    assert!(started.elapsed() < FAST, "took {:?}", started.elapsed());
}

#[test]
fn type_two_entries_are_rejected() {
    let mut w = base_objects();
    let at = w.pos();
    // Object 4 "in object stream 7": type 2.
    let rows: Vec<u8> = [[0u8, 0, 0, 0, 0, 0xff, 0xff], [2, 0, 0, 0, 7, 0, 0]].concat();
    let data = zlib(&rows);
    let mut body = format!(
        "<< /Type /XRef /Size 8 /W [1 4 2] /Index [0 1 4 1] /Root 1 0 R /Filter /FlateDecode /Length {} >>\nstream\n",
        data.len()
    )
    .into_bytes();
    body.extend_from_slice(&data);
    body.extend_from_slice(b"\nendstream");
    w.unlisted_object(5, 0, &body);
    w.raw(format!("startxref\n{at}\n%%EOF\n").as_bytes());
    assert_code(&w.buf, "UNSUPPORTED_OBJECT_STREAM");
}

#[test]
fn object_count_budget_over_revisions() {
    let mut w = minimal_pdf();
    w.object(2, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>");
    w.finish_table();
    let budget = Budget { max_objects: 6, ..Budget::default() };
    // 5 entries in revision 1 + 1 in revision 2 = 6: fits; 5 would not.
    walk(&w.buf, &budget).expect("6 entries fit");
    let budget = Budget { max_objects: 5, ..Budget::default() };
    assert_eq!(walk(&w.buf, &budget).unwrap_err().code(), "OBJECT_BUDGET");
}
