//! Embedding font subsets as PDF Type0 (CID, Identity-H) fonts with widths and a ToUnicode CMap, so the text
//! renders identically everywhere and stays extractable (search, copy, screen readers).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use lopdf::{Dictionary, Document, Object, ObjectId, Stream, StringFormat, dictionary};
use sha2::{Digest as _, Sha256};
use subsetter::GlyphRemapper;

use crate::font::{FontError, FontFace, Glyph, Narrowed, Outlines};

/// The glyphs a subset holds: original glyph id → (advance in 1/1000 em, the character it shows).
pub type GlyphSet = BTreeMap<u16, (f32, char)>;

/// Collect the glyphs of one face from a run of glyphs (the first character seen for a glyph is the one
/// its ToUnicode entry names).
pub fn glyph_set<'a>(face: usize, used: impl Iterator<Item = &'a Glyph>) -> GlyphSet {
    let mut set = GlyphSet::new();
    for g in used.filter(|g| g.face == face) {
        set.entry(g.gid).or_insert((g.advance, g.ch));
    }
    set
}

/// A face's subset with every PDF object it needs already built (font program compressed, widths,
/// ToUnicode), so that adding it to another document is a copy. Immutable once built, so one can be shared
/// by every certificate of a batch that prints the same glyphs.
pub struct EmbeddedFont {
    remapper: GlyphRemapper,
    base_name: String,
    font_file_key: &'static str,
    font_file: Stream,
    descriptor: Dictionary,
    cid_font: Dictionary,
    to_unicode: Stream,
}

/// New glyph id → (advance, character), in new-id order.
type NewGlyphs = BTreeMap<u16, (f32, char)>;

fn subset_tag(face: &FontFace, glyphs: &NewGlyphs) -> String {
    let mut h = Sha256::new();
    h.update(face.postscript_name.as_bytes());
    for (gid, (_, ch)) in glyphs {
        h.update(gid.to_be_bytes());
        h.update(u32::from(*ch).to_be_bytes());
    }
    h.finalize().iter().take(6).map(|b| char::from(b'A' + b % 26)).collect()
}

fn to_unicode_cmap(glyphs: &NewGlyphs) -> Vec<u8> {
    let mut s = String::from(
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n",
    );
    let entries: Vec<_> = glyphs.iter().collect();
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

fn widths(glyphs: &NewGlyphs) -> Object {
    // [gid [w]] pairs; consecutive gids share one array.
    let mut out: Vec<Object> = Vec::new();
    let mut run: Vec<Object> = Vec::new();
    let mut run_start: Option<u16> = None;
    let mut prev: Option<u16> = None;
    for (gid, (adv, _)) in glyphs {
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

impl EmbeddedFont {
    /// Subset `face` to `glyphs` and build its objects. New glyph ids follow the original ids' order, so
    /// the same set always gives the same bytes.
    pub fn build(face: &FontFace, glyphs: &GlyphSet) -> Result<EmbeddedFont, FontError> {
        EmbeddedFont::build_from(face, None, glyphs)
    }

    /// As [`EmbeddedFont::build`], subsetting from `narrowed` (a copy of `face` narrowed to a repertoire)
    /// when it holds every glyph; the result is the same font either way.
    pub fn build_from(
        face: &FontFace,
        narrowed: Option<&Narrowed>,
        glyphs: &GlyphSet,
    ) -> Result<EmbeddedFont, FontError> {
        let old: Vec<u16> = glyphs.keys().copied().collect();
        let remapper = GlyphRemapper::new_from_glyphs_sorted(&old);
        let mut by_new = NewGlyphs::new();
        for (gid, entry) in glyphs {
            if let Some(new) = remapper.get(*gid) {
                by_new.entry(new).or_insert(*entry);
            }
        }
        // Both maps keep glyph order, so new ids agree whichever source is subset.
        let from_narrowed = narrowed.and_then(|n| {
            let inner: Vec<u16> = old.iter().filter_map(|g| n.glyph(*g)).collect();
            (inner.len() == old.len()).then(|| (n, GlyphRemapper::new_from_glyphs_sorted(&inner)))
        });
        let subset = match &from_narrowed {
            Some((n, inner)) => subsetter::subset(n.data(), 0, inner),
            None => subsetter::subset(face.data(), face.index(), &remapper),
        };
        let data = subset.map_err(|e| FontError::Subset(format!("{}: {e}", face.postscript_name)))?;
        let base_name = format!("{}+{}", subset_tag(face, &by_new), face.postscript_name);
        let units = f32::from(face.units_per_em.max(1));
        let scale = |v: i16| (f32::from(v) * 1000.0 / units).round() as i64;

        let (font_file_key, font_file, cid_subtype) = match face.outlines {
            Outlines::TrueType => {
                let mut stream = Stream::new(dictionary! { "Length1" => data.len() as i64 }, data);
                crate::flate::compress(&mut stream);
                ("FontFile2", stream, "CIDFontType2")
            }
            Outlines::Cff => {
                let cff =
                    sfnt_table(&data, b"CFF ").ok_or_else(|| FontError::Subset("subset has no CFF table".into()))?;
                let mut stream = Stream::new(dictionary! { "Subtype" => "CIDFontType0C" }, cff.to_vec());
                crate::flate::compress(&mut stream);
                ("FontFile3", stream, "CIDFontType0")
            }
        };
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
        };
        let mut cid_font = dictionary! {
            "Type" => "Font",
            "Subtype" => cid_subtype,
            "BaseFont" => Object::Name(base_name.clone().into_bytes()),
            "CIDSystemInfo" => dictionary! {
                "Registry" => Object::String(b"Adobe".to_vec(), StringFormat::Literal),
                "Ordering" => Object::String(b"Identity".to_vec(), StringFormat::Literal),
                "Supplement" => 0,
            },
            "DW" => 1000,
            "W" => widths(&by_new),
        };
        if face.outlines == Outlines::TrueType {
            cid_font.set("CIDToGIDMap", "Identity");
        }
        let mut to_unicode = Stream::new(Dictionary::new(), to_unicode_cmap(&by_new));
        crate::flate::compress(&mut to_unicode);
        Ok(EmbeddedFont { remapper, base_name, font_file_key, font_file, descriptor, cid_font, to_unicode })
    }

    /// The glyph's id in this subset, if it holds it.
    pub fn new_gid(&self, old_gid: u16) -> Option<u16> {
        self.remapper.get(old_gid).filter(|_| old_gid != 0)
    }

    /// Roughly how many bytes this font keeps alive (for bounding a cache).
    pub fn approx_bytes(&self) -> usize {
        self.font_file.content.len() + self.to_unicode.content.len() + 1024
    }

    /// Add the font's objects to `doc`; returns the Type0 font's object id.
    pub fn add_to(&self, doc: &mut Document) -> ObjectId {
        let font_file_id = doc.add_object(self.font_file.clone());
        let mut descriptor = self.descriptor.clone();
        descriptor.set(self.font_file_key, font_file_id);
        let descriptor_id = doc.add_object(descriptor);
        let mut cid_font = self.cid_font.clone();
        cid_font.set("FontDescriptor", descriptor_id);
        let cid_font_id = doc.add_object(cid_font);
        let cmap_id = doc.add_object(self.to_unicode.clone());
        doc.add_object(dictionary! {
            "Type" => "Font",
            "Subtype" => "Type0",
            "BaseFont" => Object::Name(self.base_name.clone().into_bytes()),
            "Encoding" => "Identity-H",
            "DescendantFonts" => vec![Object::Reference(cid_font_id)],
            "ToUnicode" => cmap_id,
        })
    }
}
