//! Fonts for certificates: a primary CJK face plus fallbacks, loaded once and shared by every certificate.
//!
//! Names may hold rare characters (生僻字, CJK Extension A/B and beyond); every character printed must be
//! covered by some face, or issuance refuses instead of printing a missing-glyph box.

use std::sync::Arc;

use ttf_parser::{Face, GlyphId};

use crate::font_cache::FontCache;
use crate::font_embed::{EmbeddedFont, GlyphSet};

/// Why a font could not be used.
#[derive(Debug, thiserror::Error)]
pub enum FontError {
    #[error("字体文件无法解析（{0}） / cannot parse font {0}")]
    Parse(String),
    #[error("没有可用字体 / no font configured")]
    Empty,
    #[error("字体不支持字符“{ch}”(U+{code:04X}) / no configured font has a glyph for {ch:?} (U+{code:04X})")]
    MissingGlyph { ch: char, code: u32 },
    #[error("字体子集化失败：{0} / font subsetting failed: {0}")]
    Subset(String),
}

/// The outline format of a face, which decides how it is embedded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outlines {
    /// `glyf` outlines: embedded as CIDFontType2 / FontFile2.
    TrueType,
    /// `CFF ` outlines: embedded as CIDFontType0 / FontFile3 (CIDFontType0C).
    Cff,
}

/// One face: font file bytes (shared) and its index in a collection.
#[derive(Clone)]
pub struct FontFace {
    data: Arc<Vec<u8>>,
    index: u32,
    /// PostScript name, used (with a subset tag) as the embedded font's name.
    pub postscript_name: String,
    pub outlines: Outlines,
    pub units_per_em: u16,
    pub ascender: i16,
    pub descender: i16,
    pub cap_height: i16,
    pub bbox: [i16; 4],
}

impl FontFace {
    /// Load face `index` of a font file (TTF, OTF or a TTC collection).
    pub fn new(data: Arc<Vec<u8>>, index: u32, label: &str) -> Result<FontFace, FontError> {
        let face = Face::parse(&data, index).map_err(|e| FontError::Parse(format!("{label}: {e}")))?;
        let outlines = if face.tables().cff.is_some() {
            Outlines::Cff
        } else if face.tables().glyf.is_some() {
            Outlines::TrueType
        } else {
            return Err(FontError::Parse(format!("{label}: neither glyf nor CFF outlines")));
        };
        let postscript_name = face
            .names()
            .into_iter()
            .find(|n| n.name_id == ttf_parser::name_id::POST_SCRIPT_NAME)
            .and_then(|n| n.to_string())
            .unwrap_or_else(|| "ecertFont".to_owned())
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect();
        let bb = face.global_bounding_box();
        Ok(FontFace {
            postscript_name,
            outlines,
            units_per_em: face.units_per_em(),
            ascender: face.ascender(),
            descender: face.descender(),
            cap_height: face.capital_height().unwrap_or(face.ascender()),
            bbox: [bb.x_min, bb.y_min, bb.x_max, bb.y_max],
            data,
            index,
        })
    }

    /// Every face of a file whose family name contains `family_hint` (all faces if the hint is empty).
    pub fn faces_in(data: Arc<Vec<u8>>, label: &str) -> Result<Vec<(u32, String)>, FontError> {
        let count = ttf_parser::fonts_in_collection(&data).unwrap_or(1);
        let mut out = Vec::new();
        for i in 0..count {
            let face = Face::parse(&data, i).map_err(|e| FontError::Parse(format!("{label}: {e}")))?;
            let family = face
                .names()
                .into_iter()
                .find(|n| n.name_id == ttf_parser::name_id::FAMILY && n.is_unicode())
                .and_then(|n| n.to_string())
                .unwrap_or_default();
            out.push((i, family));
        }
        Ok(out)
    }

    pub fn data(&self) -> &[u8] {
        &self.data
    }
    pub fn index(&self) -> u32 {
        self.index
    }
    fn parse(&self) -> Option<Face<'_>> {
        Face::parse(&self.data, self.index).ok()
    }
}

/// A glyph chosen for a character: which face, which glyph id there, its advance in 1/1000 em.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Glyph {
    pub face: usize,
    pub gid: u16,
    pub advance: f32,
    pub ch: char,
}

/// The faces in fallback order, and the shared subsets built from them so far (clones share the cache).
#[derive(Clone)]
pub struct FontBook {
    faces: Vec<FontFace>,
    cache: Arc<FontCache>,
    /// Per face, a narrowed copy to subset personal glyphs from (see [`FontBook::narrowed_to`]).
    narrowed: Arc<Vec<Option<Narrowed>>>,
}

/// A face already subset to a batch's repertoire (every glyph its names need), without subroutines.
/// Subsetting a large CID-keyed CFF face costs a few milliseconds however few glyphs are taken (the
/// face's subroutines are read every time); subsetting this small copy costs a fraction of that.
pub struct Narrowed {
    data: Vec<u8>,
    /// Original glyph id → glyph id in `data` (monotonic, so order is kept).
    map: subsetter::GlyphRemapper,
}

impl Narrowed {
    pub fn data(&self) -> &[u8] {
        &self.data
    }
    /// The narrowed glyph id of an original one, if the repertoire holds it.
    pub fn glyph(&self, original: u16) -> Option<u16> {
        self.map.get(original).filter(|_| original != 0)
    }
}

/// Faces parsed for the duration of one layout.
pub struct ParsedBook<'a> {
    faces: Vec<Face<'a>>,
    units: Vec<f32>,
}

impl FontBook {
    pub fn new(faces: Vec<FontFace>) -> Result<FontBook, FontError> {
        if faces.is_empty() {
            return Err(FontError::Empty);
        }
        Ok(FontBook { faces, cache: Arc::default(), narrowed: Arc::default() })
    }

    /// A book (sharing this one's faces and cache) that subsets personal text from copies of the faces
    /// narrowed to the characters of `texts` — for a batch, its holders' names. Characters outside them
    /// still work, from the full face. Characters no face covers are skipped here (issuing them fails).
    pub fn narrowed_to<'t>(&self, texts: impl IntoIterator<Item = &'t str>) -> Result<FontBook, FontError> {
        let parsed = self.parsed()?;
        let mut per_face: Vec<Vec<u16>> = vec![Vec::new(); self.faces.len()];
        for text in texts {
            for ch in text.chars() {
                if let Ok(g) = parsed.glyph(ch)
                    && let Some(gids) = per_face.get_mut(g.face)
                {
                    gids.push(g.gid);
                }
            }
        }
        let mut narrowed = Vec::with_capacity(self.faces.len());
        for (face, gids) in self.faces.iter().zip(per_face) {
            if gids.is_empty() {
                narrowed.push(None);
                continue;
            }
            let map = subsetter::GlyphRemapper::new_from_glyphs_sorted(&gids);
            let data = subsetter::subset(face.data(), face.index(), &map)
                .map_err(|e| FontError::Subset(format!("{}: {e}", face.postscript_name)))?;
            narrowed.push(Some(Narrowed { data, map }));
        }
        Ok(FontBook { faces: self.faces.clone(), cache: Arc::clone(&self.cache), narrowed: Arc::new(narrowed) })
    }

    /// A per-certificate subset of face `index` holding `glyphs` (never cached: it may hold a name's glyphs).
    pub fn personal_font(&self, index: usize, glyphs: &GlyphSet) -> Result<EmbeddedFont, FontError> {
        let face = self.faces.get(index).ok_or(FontError::Empty)?;
        EmbeddedFont::build_from(face, self.narrowed.get(index).and_then(Option::as_ref), glyphs)
    }

    pub fn faces(&self) -> &[FontFace] {
        &self.faces
    }

    /// The shared subset of face `index` holding `glyphs`, from the cache when an earlier certificate
    /// needed the same one.
    pub fn shared_font(&self, index: usize, glyphs: &GlyphSet) -> Result<Arc<EmbeddedFont>, FontError> {
        let face = self.faces.get(index).ok_or(FontError::Empty)?;
        self.cache.get_or_build(index, face, glyphs)
    }

    /// How many shared subsets have been built and kept.
    pub fn cached_subsets(&self) -> usize {
        self.cache.len()
    }

    /// Parse every face for a layout pass.
    pub fn parsed(&self) -> Result<ParsedBook<'_>, FontError> {
        let mut faces = Vec::with_capacity(self.faces.len());
        let mut units = Vec::with_capacity(self.faces.len());
        for f in &self.faces {
            faces.push(f.parse().ok_or_else(|| FontError::Parse(f.postscript_name.clone()))?);
            units.push(f32::from(f.units_per_em.max(1)));
        }
        Ok(ParsedBook { faces, units })
    }
}

impl ParsedBook<'_> {
    /// The first face that has a glyph for `ch`.
    pub fn glyph(&self, ch: char) -> Result<Glyph, FontError> {
        for (i, face) in self.faces.iter().enumerate() {
            if let Some(GlyphId(gid)) = face.glyph_index(ch).filter(|g| g.0 != 0) {
                let adv = face.glyph_hor_advance(GlyphId(gid)).unwrap_or(0);
                return Ok(Glyph { face: i, gid, advance: f32::from(adv) * 1000.0 / self.units[i], ch });
            }
        }
        Err(FontError::MissingGlyph { ch, code: u32::from(ch) })
    }

    /// Glyphs for a string, in order (no shaping: CJK and Latin text on certificates needs none).
    pub fn glyphs(&self, text: &str) -> Result<Vec<Glyph>, FontError> {
        text.chars().map(|c| self.glyph(c)).collect()
    }

    /// Whether every character of `text` can be printed.
    pub fn covers(&self, text: &str) -> Result<(), FontError> {
        self.glyphs(text).map(|_| ())
    }
}

/// Width of a glyph run at a font size, in points.
pub fn run_width(glyphs: &[Glyph], size: f32) -> f32 {
    glyphs.iter().map(|g| g.advance).sum::<f32>() * size / 1000.0
}
