//! A bounded cache of shared font subsets. Certificates of one qualification print the same style-sheet
//! text, so their shared subsets are identical; building one (subsetting a 20 MB CJK face, compressing the
//! result) was most of the time it took to issue a certificate. The cache hands out the built fonts.
//!
//! Only shared subsets are cached: their glyphs come from the style sheet, the registry and a fixed
//! alphabet, never from the holder's name, so the cache holds no personal data.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::font::{FontError, FontFace};
use crate::font_embed::{EmbeddedFont, GlyphSet};

/// Upper bound on the bytes the cache keeps (a shared subset is ~20–60 KB).
const MAX_BYTES: usize = 16 * 1024 * 1024;

/// What identifies a built font: the face and every (glyph id, character) it holds.
type Key = (usize, Vec<(u16, u32)>);

#[derive(Default)]
pub struct FontCache {
    inner: Mutex<Entries>,
}

#[derive(Default)]
struct Entries {
    map: HashMap<Key, Arc<EmbeddedFont>>,
    bytes: usize,
}

impl FontCache {
    /// The built subset of `face` (number `face_index` in its book) for `glyphs`, built now if not cached.
    /// Building happens outside the lock; two threads asking for the same new set may both build it, and
    /// the results are identical.
    pub fn get_or_build(
        &self,
        face_index: usize,
        face: &FontFace,
        glyphs: &GlyphSet,
    ) -> Result<Arc<EmbeddedFont>, FontError> {
        let key: Key = (face_index, glyphs.iter().map(|(gid, (_, ch))| (*gid, u32::from(*ch))).collect());
        if let Some(found) = self.lock().map.get(&key) {
            return Ok(Arc::clone(found));
        }
        let built = Arc::new(EmbeddedFont::build(face, glyphs)?);
        let mut entries = self.lock();
        let size = built.approx_bytes();
        if entries.bytes + size <= MAX_BYTES && !entries.map.contains_key(&key) {
            entries.bytes += size;
            entries.map.insert(key, Arc::clone(&built));
        }
        Ok(built)
    }

    /// How many subsets are cached.
    pub fn len(&self) -> usize {
        self.lock().map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Entries> {
        // A panic while holding the lock cannot leave the map inconsistent (insertions are single calls).
        self.inner.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}
