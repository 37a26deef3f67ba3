//! Embedding font subsets as PDF Type0 (CID, Identity-H) fonts with widths and a ToUnicode CMap, so the text
//! renders identically everywhere and stays extractable (search, copy, screen readers).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use lopdf::{Dictionary, Document, Object, ObjectId, Stream, StringFormat, dictionary};
use sha2::{Digest as _, Sha256};
use subsetter::GlyphRemapper;

use crate::font::{FontError, FontFace, Glyph, Outlines};

/// One face's subset, ready to embed.
pub struct Subset {
    pub remapper: GlyphRemapper,
    /// New gid → (advance in 1/1000 em, the character it shows).
    pub glyphs: BTreeMap<u16, (f32, char)>,
}

/// Build a remapper (and the width/unicode tables) for the glyphs used from each face.
pub fn plan_subsets<'a>(face_count: usize, used: impl Iterator<Item = &'a Glyph>) -> Vec<Subset> {
    let mut subsets: Vec<Subset> =
        (0..face_count).map(|_| Subset { remapper: GlyphRemapper::new(), glyphs: BTreeMap::new() }).collect();
    for g in used {
        if let Some(s) = subsets.get_mut(g.face) {
            let new = s.remapper.remap(g.gid);
            s.glyphs.entry(new).or_insert((g.advance, g.ch));
        }
    }
    subsets
}

fn subset_tag(face: &FontFace, subset: &Subset) -> String {
    let mut h = Sha256::new();
    h.update(face.postscript_name.as_bytes());
    for (gid, (_, ch)) in &subset.glyphs {
        h.update(gid.to_be_bytes());
        h.update(u32::from(*ch).to_be_bytes());
    }
    h.finalize().iter().take(6).map(|b| char::from(b'A' + b % 26)).collect()
}

fn to_unicode_cmap(subset: &Subset) -> Vec<u8> {
    let mut s = String::from(
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n",
    );
    let entries: Vec<_> = subset.glyphs.iter().collect();
    for chunk in entries.chunks(100) {
        let _ = writeln!(s, "{} beginbfchar", chunk.len());
        for (gid, (_, ch)) in chunk {
            let mut units = [0u16; 2];
            let utf16: String = ch.encode_utf16(&mut units).iter().map(|u| format!("{u:04X}")).collect();
            let _ = writeln!(s, "<{gid:04X}> <{utf16}>");
        }
        s.push_str("endbfchar\n");
    }
    s.push_str("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
    s.into_bytes()
}

fn widths(subset: &Subset) -> Object {
    // [gid [w]] pairs; consecutive gids share one array.
    let mut out: Vec<Object> = Vec::new();
    let mut run: Vec<Object> = Vec::new();
    let mut run_start: Option<u16> = None;
    let mut prev: Option<u16> = None;
    for (gid, (adv, _)) in &subset.glyphs {
        if prev.is_none_or(|p| p.checked_add(1) != Some(*gid)) {
            if let Some(start) = run_start {
                out.push(Object::Integer(i64::from(start)));
                out.push(Object::Array(std::mem::take(&mut run)));
            }
            run_start = Some(*gid);
        }
        run.push(Object::Integer(adv.round() as i64));
        prev = Some(*gid);
    }
    if let Some(start) = run_start {
        out.push(Object::Integer(i64::from(start)));
        out.push(Object::Array(run));
    }
    Object::Array(out)
}

/// Extract a table from an sfnt (the subset's `CFF ` table for CIDFontType0C embedding).
fn sfnt_table<'a>(font: &'a [u8], tag: &[u8; 4]) -> Option<&'a [u8]> {
    let raw = ttf_parser::RawFace::parse(font, 0).ok()?;
    raw.table(ttf_parser::Tag::from_bytes(tag))
}

/// Subset one face and add its font objects to `doc`; returns the Type0 font's object id.
pub fn embed(doc: &mut Document, face: &FontFace, subset: &Subset) -> Result<ObjectId, FontError> {
    let data = subsetter::subset(face.data(), face.index(), &subset.remapper)
        .map_err(|e| FontError::Subset(format!("{}: {e}", face.postscript_name)))?;
    let base_name = format!("{}+{}", subset_tag(face, subset), face.postscript_name);
    let units = f32::from(face.units_per_em.max(1));
    let scale = |v: i16| (f32::from(v) * 1000.0 / units).round() as i64;

    let (font_file_key, font_file, cid_subtype) = match face.outlines {
        Outlines::TrueType => {
            let mut stream = Stream::new(dictionary! { "Length1" => data.len() as i64 }, data);
            crate::flate::compress(&mut stream);
            ("FontFile2", stream, "CIDFontType2")
        }
        Outlines::Cff => {
            let cff = sfnt_table(&data, b"CFF ").ok_or_else(|| FontError::Subset("subset has no CFF table".into()))?;
            let mut stream = Stream::new(dictionary! { "Subtype" => "CIDFontType0C" }, cff.to_vec());
            crate::flate::compress(&mut stream);
            ("FontFile3", stream, "CIDFontType0")
        }
    };
    let font_file_id = doc.add_object(font_file);
    let descriptor = dictionary! {
        "Type" => "FontDescriptor",
        "FontName" => Object::Name(base_name.clone().into_bytes()),
        "Flags" => 6,
        "FontBBox" => face.bbox.iter().map(|v| Object::Integer(scale(*v))).collect::<Vec<_>>(),
        "ItalicAngle" => 0,
        "Ascent" => scale(face.ascender),
        "Descent" => scale(face.descender),
        "CapHeight" => scale(face.cap_height),
        "StemV" => 80,
        font_file_key => font_file_id,
    };
    let descriptor_id = doc.add_object(descriptor);
    let mut cid_font = dictionary! {
        "Type" => "Font",
        "Subtype" => cid_subtype,
        "BaseFont" => Object::Name(base_name.clone().into_bytes()),
        "CIDSystemInfo" => dictionary! {
            "Registry" => Object::String(b"Adobe".to_vec(), StringFormat::Literal),
            "Ordering" => Object::String(b"Identity".to_vec(), StringFormat::Literal),
            "Supplement" => 0,
        },
        "FontDescriptor" => descriptor_id,
        "DW" => 1000,
        "W" => widths(subset),
    };
    if face.outlines == Outlines::TrueType {
        cid_font.set("CIDToGIDMap", "Identity");
    }
    let cid_font_id = doc.add_object(cid_font);
    let mut cmap = Stream::new(Dictionary::new(), to_unicode_cmap(subset));
    crate::flate::compress(&mut cmap);
    let cmap_id = doc.add_object(cmap);
    Ok(doc.add_object(dictionary! {
        "Type" => "Font",
        "Subtype" => "Type0",
        "BaseFont" => Object::Name(base_name.into_bytes()),
        "Encoding" => "Identity-H",
        "DescendantFonts" => vec![Object::Reference(cid_font_id)],
        "ToUnicode" => cmap_id,
    }))
}
