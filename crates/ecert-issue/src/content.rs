//! A page content stream under construction. Text is kept as (face, original glyph id) until the font
//! subsets are made, because subsetting renumbers glyphs; `finish` then writes the final operators.

use std::fmt::Write as _;

use subsetter::GlyphRemapper;

use crate::font::Glyph;

/// An RGB colour, components 0..=1.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rgb(pub f32, pub f32, pub f32);

/// The seal red.
pub const SEAL_RED: Rgb = Rgb(0.86, 0.08, 0.10);
/// Body text.
pub const INK: Rgb = Rgb(0.08, 0.08, 0.10);
/// Decorative frame.
pub const FRAME: Rgb = Rgb(0.62, 0.48, 0.22);

/// How text is painted.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Weight {
    Regular,
    /// Fill plus a thin stroke in the same colour (a faux bold that keeps one embedded face).
    Bold,
}

enum Op {
    Raw(String),
    Text { glyphs: Vec<Glyph>, size: f32, x: f32, y: f32, angle: f32, color: Rgb, weight: Weight },
}

/// Operators in drawing order.
#[derive(Default)]
pub struct Content {
    ops: Vec<Op>,
}

fn n(v: f32) -> String {
    // Two decimals are plenty for positions; trim zeros to keep streams small.
    let s = format!("{v:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".to_owned() } else { s.to_owned() }
}

impl Content {
    pub fn new() -> Content {
        Content::default()
    }

    /// Raw path operators (no text), appended as given.
    pub fn raw(&mut self, ops: &str) {
        self.ops.push(Op::Raw(ops.to_owned()));
    }

    /// A glyph run with its baseline starting at (x, y), rotated by `angle` radians.
    #[allow(clippy::too_many_arguments)]
    pub fn text(&mut self, glyphs: Vec<Glyph>, size: f32, x: f32, y: f32, angle: f32, color: Rgb, weight: Weight) {
        if !glyphs.is_empty() {
            self.ops.push(Op::Text { glyphs, size, x, y, angle, color, weight });
        }
    }

    /// Every (face, glyph id) this content uses.
    pub fn glyphs(&self) -> impl Iterator<Item = &Glyph> {
        self.ops.iter().flat_map(|op| match op {
            Op::Text { glyphs, .. } => glyphs.as_slice(),
            Op::Raw(_) => &[],
        })
    }

    /// The content stream bytes, with glyph ids remapped to the subsets' ids (one remapper per face).
    /// Font resources are named `/F0`, `/F1`, … by face index.
    pub fn finish(&self, remappers: &[GlyphRemapper]) -> Vec<u8> {
        let mut s = String::with_capacity(4096);
        for op in &self.ops {
            match op {
                Op::Raw(r) => {
                    s.push_str(r);
                    s.push('\n');
                }
                Op::Text { glyphs, size, x, y, angle, color, weight } => {
                    let (c, si) = (angle.cos(), angle.sin());
                    let _ = write!(s, "q {} {} {} rg ", n(color.0), n(color.1), n(color.2));
                    if *weight == Weight::Bold {
                        let _ = write!(s, "{} {} {} RG {} w 2 Tr ", n(color.0), n(color.1), n(color.2), n(size * 0.025));
                    }
                    s.push_str("BT ");
                    let _ = write!(s, "{} {} {} {} {} {} Tm ", n(c), n(si), n(-si), n(c), n(*x), n(*y));
                    // Consecutive glyphs of the same face share one Tj.
                    let mut current: Option<usize> = None;
                    for g in glyphs {
                        if current != Some(g.face) {
                            if current.is_some() {
                                s.push_str("> Tj ");
                            }
                            let _ = write!(s, "/F{} {} Tf <", g.face, n(*size));
                            current = Some(g.face);
                        }
                        let gid = remappers.get(g.face).and_then(|r| r.get(g.gid)).unwrap_or(0);
                        let _ = write!(s, "{gid:04X}");
                    }
                    s.push_str("> Tj ET Q\n");
                }
            }
        }
        s.into_bytes()
    }
}

/// Path operators for a circle (four Bézier arcs), not painted.
pub fn circle_path(cx: f32, cy: f32, r: f32) -> String {
    const K: f32 = 0.552_284_8;
    let k = r * K;
    format!(
        "{} {} m {} {} {} {} {} {} c {} {} {} {} {} {} c {} {} {} {} {} {} c {} {} {} {} {} {} c h",
        n(cx + r), n(cy),
        n(cx + r), n(cy + k), n(cx + k), n(cy + r), n(cx), n(cy + r),
        n(cx - k), n(cy + r), n(cx - r), n(cy + k), n(cx - r), n(cy),
        n(cx - r), n(cy - k), n(cx - k), n(cy - r), n(cx), n(cy - r),
        n(cx + k), n(cy - r), n(cx + r), n(cy - k), n(cx + r), n(cy),
    )
}

/// Path operators for a five-pointed star centred at (cx, cy), one point up, not painted.
pub fn star_path(cx: f32, cy: f32, outer: f32) -> String {
    let inner = outer * 0.381_966;
    let mut s = String::new();
    for i in 0..10 {
        let r = if i % 2 == 0 { outer } else { inner };
        let a = std::f32::consts::FRAC_PI_2 + i as f32 * std::f32::consts::PI / 5.0;
        let _ = write!(s, "{} {} {} ", n(cx + r * a.cos()), n(cy + r * a.sin()), if i == 0 { "m" } else { "l" });
    }
    s.push('h');
    s
}

/// A number formatted for a content stream.
pub fn num(v: f32) -> String {
    n(v)
}
