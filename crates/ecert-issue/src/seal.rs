//! The visible round seal: a red ring, a five-pointed star, the issuer's seal name on an arc and the
//! seal's purpose under the star. Drawn as vectors and text in the signature widget's appearance, so
//! clicking the seal in a PDF reader opens the signature.

use std::f32::consts::PI;

use crate::content::{Content, SEAL_RED, Weight, circle_path, star_path};
use crate::font::{FontError, ParsedBook, run_width};

/// The seal's radius in points (a 42 mm seal).
pub const SEAL_RADIUS: f32 = 59.5;

/// Draw a seal of radius [`SEAL_RADIUS`] into a box whose lower-left corner is the origin.
pub fn draw_seal(book: &ParsedBook<'_>, ring_text: &str, center_text: &str) -> Result<Content, FontError> {
    let r = SEAL_RADIUS;
    let (cx, cy) = (r, r);
    let mut c = Content::new();
    let red = format!("{} {} {}", SEAL_RED.0, SEAL_RED.1, SEAL_RED.2);
    c.raw(&format!("q {red} RG 3.2 w {} S Q", circle_path(cx, cy, r - 1.8)));
    c.raw(&format!("q {red} rg {} f Q", star_path(cx, cy + 2.0, r * 0.27)));

    // Ring text: glyphs spaced evenly along an arc centred on the top, upright towards the centre.
    let glyphs = book.glyphs(ring_text)?;
    let count = glyphs.len().max(1) as f32;
    let span = (count * 0.25).clamp(1.6 * PI / 2.0, 1.45 * PI); // radians covered by the text
    let text_radius = r * 0.72;
    let arc_len = text_radius * span;
    let size = (arc_len / count * 0.92).min(r * 0.24);
    let baseline_radius = r - 6.0 - size;
    for (i, g) in glyphs.iter().enumerate() {
        let t = if glyphs.len() > 1 { i as f32 / (count - 1.0) } else { 0.5 };
        let theta = PI / 2.0 + span / 2.0 - t * span; // left to right, clockwise over the top
        let rot = theta - PI / 2.0;
        let half = g.advance * size / 2000.0;
        // Move back half a glyph along the tangent so each glyph is centred on its point.
        let x = cx + baseline_radius * theta.cos() - half * rot.cos();
        let y = cy + baseline_radius * theta.sin() - half * rot.sin();
        c.text(vec![*g], size, x, y, rot, SEAL_RED, Weight::Bold);
    }

    let center = book.glyphs(center_text)?;
    let csize = r * 0.17;
    let w = run_width(&center, csize);
    c.text(center, csize, cx - w / 2.0, cy - r * 0.48, 0.0, SEAL_RED, Weight::Bold);
    Ok(c)
}
