//! Object syntax is parsed strictly.

mod common;

use common::*;
use ecert_pdf_structure::{Object, StringFormat};

fn with_object(body: &str) -> Vec<u8> {
    let mut w = base_objects();
    w.object(5, body);
    w.finish_table();
    w.buf
}

fn parsed(body: &str) -> Object {
    let buf = with_object(body);
    let doc = walk_default(&buf).unwrap_or_else(|e| panic!("{body}: {e}"));
    doc.object(0, (5, 0)).unwrap().clone()
}

#[test]
fn values() {
    assert_eq!(parsed("null"), Object::Null);
    assert_eq!(parsed("true"), Object::Boolean(true));
    assert_eq!(parsed("-42"), Object::Integer(-42));
    assert_eq!(parsed("+7"), Object::Integer(7));
    assert_eq!(parsed("3.5"), Object::Real(3.5));
    assert_eq!(parsed("-.5"), Object::Real(-0.5));
    assert_eq!(parsed("/A#20B"), Object::Name(b"A B".to_vec()));
    assert_eq!(parsed("12 0 R"), Object::Reference((12, 0)));
    let s = parsed("(a\\(b\\)\\n\\101\\\r\nc(d)\re)");
    let s = s.as_string().unwrap();
    assert_eq!(s.bytes, b"a(b)\nAc(d)\ne");
    assert_eq!(s.format, StringFormat::Literal);
    let h = parsed("<48 65 6C6C 6F7>");
    assert_eq!(h.as_string().unwrap().bytes, b"Hello\x70");
    assert_eq!(h.as_string().unwrap().format, StringFormat::Hexadecimal);
    let a = parsed("[1 2 0 R 3 /N<<>>[]%comment\n(x)]");
    assert_eq!(a.as_array().unwrap().len(), 7);
    let d = parsed("<</A 1/B[2]/C<</D 3 0 R>>>>");
    assert_eq!(d.as_dict().unwrap().len(), 3);
}

/// Hex strings take a pairwise fast path when they are an even run of digits; every other form takes the
/// general one. Both must give the same bytes and the same span, and refuse the same inputs.
#[test]
fn hex_strings_decode_the_same_on_both_paths() {
    let cases: [(&str, &[u8]); 7] = [
        ("<>", b""),
        ("<00ff7F>", b"\x00\xff\x7f"),
        ("<00 ff 7F>", b"\x00\xff\x7f"),
        ("<00ff7>", b"\x00\xff\x70"),
        ("<00ff\n7F>", b"\x00\xff\x7f"),
        ("<DEADbeef>", b"\xde\xad\xbe\xef"),
        ("<DEAD beef >", b"\xde\xad\xbe\xef"),
    ];
    for (text, bytes) in cases {
        let buf = with_object(&format!("<< /H {text} /X 1 >>"));
        let doc = walk_default(&buf).unwrap_or_else(|e| panic!("{text}: {e}"));
        let dict = doc.dictionary(0, (5, 0)).unwrap();
        assert_eq!(dict.get(b"H").and_then(Object::as_string).unwrap().bytes, bytes, "{text}");
        let span = dict.value_span(b"H").unwrap();
        assert_eq!(&buf[span.start..span.end], text.as_bytes());
        assert_eq!(dict.get(b"X"), Some(&Object::Integer(1)), "{text}: parsing resumes after the string");
    }
    // A large signature-sized string decodes exactly.
    let big: Vec<u8> = (0..=255u8).cycle().take(20_000).collect();
    let hex: String = big.iter().map(|b| format!("{b:02X}")).collect();
    assert_eq!(parsed(&format!("<{hex}>")).as_string().unwrap().bytes, big);
    for bad in ["<0G>", "<G0>", "<00 0G>", "<0011", "<00>1>"] {
        assert!(walk_default(&with_object(bad)).is_err(), "{bad}: accepted");
    }
}

#[test]
fn value_spans_are_absolute() {
    let buf = with_object("<< /Contents <0011> /X 1 >>");
    let doc = walk_default(&buf).unwrap();
    let dict = doc.dictionary(0, (5, 0)).unwrap();
    let span = ecert_pdf_structure::locate_value_span(dict, b"Contents").unwrap();
    assert_eq!(&buf[span.start..span.end], b"<0011>");
    let span = dict.value_span(b"X").unwrap();
    assert_eq!(&buf[span.start..span.end], b"1");
}

#[test]
fn rejected_syntax() {
    let cases = [
        ("<< /A 1 /A 2 >>", "DUPLICATE_KEY"),
        ("<< /A#41 1 /AA 2 >>", "DUPLICATE_KEY"),
        ("<< 1 2 >>", "SYNTAX"),
        ("<< /A >>", "SYNTAX"),
        ("[1 2", "SYNTAX"),
        ("[1 2>>", "SYNTAX"),
        ("(unterminated", "SYNTAX"),
        ("<4G>", "SYNTAX"),
        ("/A#4", "SYNTAX"),
        ("/A#00", "SYNTAX"),
        ("99999999999999999999", "SYNTAX"),
        ("1.2.3", "SYNTAX"),
        ("nul", "SYNTAX"),
        ("0 0 R", "SYNTAX"),
        ("1 70000 R", "SYNTAX"),
        ("{", "SYNTAX"),
        ("1 2", "SYNTAX"),
    ];
    for (body, code) in cases {
        match walk_default(&with_object(body)) {
            Ok(_) => panic!("{body}: accepted"),
            Err(e) => assert_eq!(e.code(), code, "{body}: {e}"),
        }
    }
}

#[test]
fn stream_length_rules() {
    let bad = [
        "<< /Length 5 0 R >>\nstream\nabcde\nendstream",
        "<< /Length -1 >>\nstream\nabcde\nendstream",
        "<< /Length 4 >>\nstream\nabcde\nendstream",
        "<< /Length 999999 >>\nstream\nabcde\nendstream",
        "<< >>\nstream\nabcde\nendstream",
    ];
    for body in bad {
        assert_code(&with_object(body), "BAD_STREAM_LENGTH");
    }
    // `stream` must be followed by CRLF or LF, not CR alone.
    assert_code(&with_object("<< /Length 5 >>\nstream\rabcde\nendstream"), "SYNTAX");
    // Streams must have a dictionary.
    assert_code(&with_object("[1]\nstream\nabcde\nendstream"), "SYNTAX");
    // Exact length, with or without EOL before endstream.
    assert!(walk_default(&with_object("<< /Length 5 >>\nstream\r\nabcdeendstream")).is_ok());
}

#[test]
fn filters() {
    let mut w = base_objects();
    w.stream(5, " /Filter /LZWDecode", b"xx");
    w.stream(6, " /Filter [/FlateDecode /FlateDecode]", b"xx");
    w.stream(7, " /Filter /FlateDecode", b"not zlib");
    w.stream(8, " /Filter [/FlateDecode] /DecodeParms [<< /Predictor 12 /Columns 2 >>]", &zlib(&[2, 1, 2, 2, 1, 1]));
    w.stream(9, " /DecodeParms << /Predictor 12 >>", b"xx");
    w.stream(10, " /Filter /FlateDecode /DecodeParms << /Predictor 2 >>", &zlib(b"x"));
    w.stream(11, " /F (external.dat)", b"");
    let mut junk = zlib(b"data");
    junk.extend_from_slice(b"junk");
    w.stream(12, " /Filter /FlateDecode", &junk);
    w.stream(13, " /Filter 5 0 R", b"xx");
    w.stream(14, "", b"plain");
    w.finish_table();
    let doc = walk_default(&w.buf).unwrap();
    let decode = |n: u32| {
        let s = doc.object(0, (n, 0)).unwrap().as_stream().unwrap();
        doc.decode_stream(s).map_err(|e| e.code())
    };
    assert_eq!(decode(5), Err("UNSUPPORTED_FILTER"));
    assert_eq!(decode(6), Err("UNSUPPORTED_FILTER"));
    assert_eq!(decode(7), Err("FLATE_ERROR"));
    assert_eq!(decode(8), Ok(vec![1, 2, 2, 3]));
    assert_eq!(decode(9), Err("UNSUPPORTED_PREDICTOR"));
    assert_eq!(decode(10), Err("UNSUPPORTED_PREDICTOR"));
    assert_eq!(decode(11), Err("UNSUPPORTED_FILTER"));
    assert_eq!(decode(12), Err("FLATE_ERROR"));
    assert_eq!(decode(13), Err("UNSUPPORTED_FILTER"));
    assert_eq!(decode(14), Ok(b"plain".to_vec()));
}

#[test]
fn error_display_has_code_and_offset() {
    let err = walk_default(&with_object("<< /A 1 /A 2 >>")).unwrap_err();
    let text = err.to_string();
    assert!(text.starts_with("DUPLICATE_KEY: "), "{text}");
    assert!(text.contains("offset"), "{text}");
    assert!(!err.description().is_empty());
}
