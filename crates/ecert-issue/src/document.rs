//! Assembles the certificate PDF: one page, fonts, the record as an embedded file, the AcroForm with the
//! signature field whose widget shows the seal, and the DocMDP (P=1) certification permissions.

use lopdf::{Dictionary, Document, Object, Stream, StringFormat, dictionary};

use ecert_format::record::RECORD_FILE_NAME;

use std::borrow::Borrow;
use std::sync::Arc;

use crate::IssueError;
use crate::content::{Content, FontPart, GlyphResolver};
use crate::font::{FontBook, Glyph};
use crate::font_embed::{EmbeddedFont, glyph_set};
use crate::page::{PAGE_HEIGHT, PAGE_WIDTH};
use crate::seal::SEAL_RADIUS;
use crate::signature::{BYTE_RANGE_PLACEHOLDER, CONTENTS_RESERVED_BYTES};

/// What goes into the file besides the page.
pub struct Parts<'a> {
    pub page: Content,
    pub seal: Content,
    pub seal_center: (f32, f32),
    pub record_json: Vec<u8>,
    pub title: String,
    /// The seal's name, shown by readers as the signer.
    pub signer_name: &'a str,
    /// `D:YYYYMMDDHHmmSS+08'00'`.
    pub signing_time_pdf: String,
    /// A stable document id (16 bytes), derived from the record.
    pub document_id: [u8; 16],
}

/// A PDF text string: UTF-16BE with a byte order mark, written as hex.
pub fn text_string(s: &str) -> Object {
    let mut bytes = vec![0xFE, 0xFF];
    for u in s.encode_utf16() {
        bytes.extend_from_slice(&u.to_be_bytes());
    }
    Object::String(bytes, StringFormat::Hexadecimal)
}

fn literal(s: &str) -> Object {
    Object::String(s.as_bytes().to_vec(), StringFormat::Literal)
}

/// The fonts of one document: per face, the shared subset (resource `/F<face>`) and the personal one
/// (`/P<face>`, only glyphs the shared subset lacks).
struct DocumentFonts {
    shared: Vec<Option<(String, Arc<EmbeddedFont>)>>,
    personal: Vec<Option<(String, EmbeddedFont)>>,
}

impl GlyphResolver for DocumentFonts {
    fn resolve(&self, glyph: &Glyph, part: FontPart) -> Option<(&str, u16)> {
        let shared =
            self.shared.get(glyph.face)?.as_ref().and_then(|(name, f)| Some((name.as_str(), f.new_gid(glyph.gid)?)));
        match part {
            FontPart::Shared => shared,
            FontPart::Personal => shared.or_else(|| {
                let (name, f) = self.personal.get(glyph.face)?.as_ref()?;
                Some((name.as_str(), f.new_gid(glyph.gid)?))
            }),
        }
    }
}

impl DocumentFonts {
    /// Subset (or take from the book's cache) what `contents` draw, add the fonts to `doc` and return the
    /// font resource dictionary with them.
    fn embed(
        doc: &mut Document,
        book: &FontBook,
        contents: &[&Content],
    ) -> Result<(DocumentFonts, Dictionary), IssueError> {
        let mut fonts = DocumentFonts { shared: Vec::new(), personal: Vec::new() };
        let mut resources = Dictionary::new();
        for i in 0..book.faces().len() {
            let shared_set = glyph_set(i, contents.iter().flat_map(|c| c.glyphs(FontPart::Shared)));
            let mut personal_set = glyph_set(i, contents.iter().flat_map(|c| c.glyphs(FontPart::Personal)));
            personal_set.retain(|gid, _| !shared_set.contains_key(gid));
            let shared = if shared_set.is_empty() {
                None
            } else {
                Some(add_font(doc, &mut resources, "F", i, book.shared_font(i, &shared_set)?))
            };
            let personal = if personal_set.is_empty() {
                None
            } else {
                Some(add_font(doc, &mut resources, "P", i, book.personal_font(i, &personal_set)?))
            };
            fonts.shared.push(shared);
            fonts.personal.push(personal);
        }
        Ok((fonts, resources))
    }
}

/// Add `font` (the shared subset, kept behind an `Arc` by the book's cache, or a personal one) to `doc` as font
/// resource `/<prefix><face>`; returns the resource name with the font.
fn add_font<F: Borrow<EmbeddedFont>>(
    doc: &mut Document,
    resources: &mut Dictionary,
    prefix: &str,
    face: usize,
    font: F,
) -> (String, F) {
    let name = format!("{prefix}{face}");
    resources.set(name.as_bytes(), Object::Reference(font.borrow().add_to(doc)));
    (name, font)
}

/// Build the document with signature placeholders and serialise it.
pub fn assemble(book: &FontBook, parts: Parts<'_>) -> Result<Vec<u8>, IssueError> {
    let mut doc = Document::with_version("1.7");
    doc.reference_table.cross_reference_type = lopdf::xref::XrefType::CrossReferenceTable;

    // Unused fallback faces are not embedded at all.
    let (fonts, resources_fonts) = DocumentFonts::embed(&mut doc, book, &[&parts.page, &parts.seal])?;

    let mut page_stream = Stream::new(Dictionary::new(), parts.page.finish(&fonts)?);
    crate::flate::compress(&mut page_stream);
    let page_content_id = doc.add_object(page_stream);

    let d = SEAL_RADIUS * 2.0;
    let mut seal_stream = Stream::new(
        dictionary! {
            "Type" => "XObject",
            "Subtype" => "Form",
            "BBox" => vec![0.into(), 0.into(), Object::Real(d), Object::Real(d)],
            "Resources" => dictionary! { "Font" => resources_fonts.clone() },
        },
        parts.seal.finish(&fonts)?,
    );
    crate::flate::compress(&mut seal_stream);
    let seal_ap_id = doc.add_object(seal_stream);

    let pages_id = doc.new_object_id();
    let page_id = doc.new_object_id();
    let sig_id = doc.new_object_id();
    let field_id = doc.new_object_id();

    let placeholder_range: Vec<Object> = vec![
        Object::Integer(0),
        Object::Integer(9_999_999_999),
        Object::Integer(9_999_999_999),
        Object::Integer(9_999_999_999),
    ];
    debug_assert_eq!(BYTE_RANGE_PLACEHOLDER, b"[0 9999999999 9999999999 9999999999]");
    doc.objects.insert(
        sig_id,
        Object::Dictionary(dictionary! {
            "Type" => "Sig",
            "Filter" => "Adobe.PPKLite",
            "SubFilter" => "ETSI.CAdES.detached",
            "ByteRange" => placeholder_range,
            // Written as a literal string of '0's (one write, where a hex string is formatted byte by
            // byte); `signature::Prepared` turns its parentheses into the hex string's angle brackets.
            "Contents" => Object::String(vec![b'0'; CONTENTS_RESERVED_BYTES * 2], StringFormat::Literal),
            "M" => literal(&parts.signing_time_pdf),
            "Name" => text_string(parts.signer_name),
            "Reason" => text_string("专业技术人员职业资格电子证书签章 / qualification certificate seal"),
            "Reference" => vec![Object::Dictionary(dictionary! {
                "Type" => "SigRef",
                "TransformMethod" => "DocMDP",
                "TransformParams" => dictionary! { "Type" => "TransformParams", "P" => 1, "V" => "1.2" },
            })],
        }),
    );

    let (cx, cy) = parts.seal_center;
    let r = SEAL_RADIUS;
    doc.objects.insert(
        field_id,
        Object::Dictionary(dictionary! {
            "Type" => "Annot",
            "Subtype" => "Widget",
            "FT" => "Sig",
            "T" => text_string("seal"),
            "TU" => text_string("电子印章 / electronic seal"),
            "V" => sig_id,
            "F" => 132,
            "P" => page_id,
            "Rect" => vec![Object::Real(cx - r), Object::Real(cy - r), Object::Real(cx + r), Object::Real(cy + r)],
            "AP" => dictionary! { "N" => seal_ap_id },
        }),
    );

    doc.objects.insert(
        page_id,
        Object::Dictionary(dictionary! {
            "Type" => "Page",
            "Parent" => pages_id,
            "MediaBox" => vec![0.into(), 0.into(), Object::Real(PAGE_WIDTH), Object::Real(PAGE_HEIGHT)],
            "Resources" => dictionary! { "Font" => resources_fonts },
            "Contents" => page_content_id,
            "Annots" => vec![Object::Reference(field_id)],
        }),
    );
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => vec![Object::Reference(page_id)], "Count" => 1 }),
    );

    let record_len = parts.record_json.len() as i64;
    let record_stream = Stream::new(
        dictionary! {
            "Type" => "EmbeddedFile",
            "Subtype" => "application/json",
            "Params" => dictionary! { "Size" => record_len },
        },
        parts.record_json,
    );
    let record_id = doc.add_object(record_stream);
    let filespec_id = doc.add_object(dictionary! {
        "Type" => "Filespec",
        "F" => literal(RECORD_FILE_NAME),
        "UF" => text_string(RECORD_FILE_NAME),
        "Desc" => text_string("电子证书机读记录 / machine-readable certificate record"),
        "AFRelationship" => "Data",
        "EF" => dictionary! { "F" => record_id },
    });

    let info_id = doc.add_object(dictionary! {
        "Title" => text_string(&parts.title),
        "Producer" => literal("ecert"),
        "Creator" => literal("ecert issue"),
    });
    let catalog_id = doc.add_object(dictionary! {
        "Type" => "Catalog",
        "Pages" => pages_id,
        "AcroForm" => dictionary! { "Fields" => vec![Object::Reference(field_id)], "SigFlags" => 3 },
        "Perms" => dictionary! { "DocMDP" => sig_id },
        "Names" => dictionary! {
            "EmbeddedFiles" => dictionary! { "Names" => vec![literal(RECORD_FILE_NAME), Object::Reference(filespec_id)] },
        },
        "AF" => vec![Object::Reference(filespec_id)],
        "Lang" => literal("zh-CN"),
        "ViewerPreferences" => dictionary! { "DisplayDocTitle" => true },
    });
    doc.trailer.set("Root", catalog_id);
    doc.trailer.set("Info", info_id);
    let id = Object::String(parts.document_id.to_vec(), StringFormat::Hexadecimal);
    doc.trailer.set("ID", vec![id.clone(), id]);

    let mut out = Vec::with_capacity(64 * 1024);
    doc.save_to(&mut out).map_err(|e| IssueError::Write(e.to_string()))?;
    Ok(out)
}
