//! A page content stream under construction. Text is kept as (face, original glyph id) until the font
//! subsets are made, because subsetting renumbers glyphs; `finish` then writes the final operators.
//!
//! Each run of text says which part of the fonts it belongs to ([`FontPart`]): the shared part holds what
//! does not identify the holder (the style sheet's text, the qualification, numbers and dates), so its subset
//! repeats from certificate to certificate and is built once per batch; the personal part holds the holder's
//! name, whose characters are open-ended (生僻字), and is subset per certificate.

use std::fmt::Write as _;

use crate::font::{FontError, Glyph};

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

/// Which embedded font a run of text is drawn from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FontPart {
    /// Text that does not depend on who holds the certificate (or only through a small fixed alphabet:
    /// digits, Latin letters, dates): its subset is shared across certificates.
    Shared,
    /// The holder's name: glyphs the shared subset lacks go into a per-certificate subset.
    Personal,
}

/// Where each glyph ends up once the subsets exist: the font resource name and the glyph id in that subset.
pub trait GlyphResolver {
    fn resolve(&self, glyph: &Glyph, part: FontPart) -> Option<(&str, u16)>;
}

enum Op {
    Raw(String),
    Text { glyphs: Vec<Glyph>, size: f32, x: f32, y: f32, angle: f32, color: Rgb, weight: Weight, part: FontPart },
}

/// Operators in drawing order.
#[derive(Default)]
pub struct Content {
    ops: Vec<Op>,
    /// Glyphs the shared subset carries although nothing is drawn with them (yet): see [`Content::reserve`].
    reserved: Vec<Glyph>,
}

fn n(v: f32) -> String {
    // Two decimals are plenty for positions; trailing zeros are dropped to keep streams small. Integer
    // arithmetic: float formatting was a visible part of issuing time.
    let hundredths = (f64::from(v) * 100.0).round();
    if !hundredths.is_finite() || hundredths.abs() > 1e15 {
        return "0".to_owned();
    }
    let h = hundredths as i64;
    let (sign, a) = (if h < 0 { "-" } else { "" }, h.unsigned_abs());
    let (int, frac) = (a / 100, a % 100);
    match frac {
        0 => format!("{sign}{int}"),
        f if f % 10 == 0 => format!("{sign}{int}.{}", f / 10),
        f => format!("{sign}{int}.{f:02}"),
    }
}

impl Content {
    pub fn new() -> Content {
        Content::default()
    }

    /// Raw path operators (no text), appended as given.
    pub fn raw(&mut self, ops: &str) {
        self.ops.push(Op::Raw(ops.to_owned()));
    }

    /// A glyph run with its baseline starting at (x, y), rotated by `angle` radians, from the shared part.
    #[allow(clippy::too_many_arguments)]
    pub fn text(&mut self, glyphs: Vec<Glyph>, size: f32, x: f32, y: f32, angle: f32, color: Rgb, weight: Weight) {
        self.push_text(glyphs, size, x, y, angle, color, weight, FontPart::Shared);
    }

    /// A glyph run of the holder's personal text (see [`FontPart::Personal`]).
    #[allow(clippy::too_many_arguments)]
    pub fn personal_text(
        &mut self,
        glyphs: Vec<Glyph>,
        size: f32,
        x: f32,
        y: f32,
        angle: f32,
        color: Rgb,
        weight: Weight,
    ) {
        self.push_text(glyphs, size, x, y, angle, color, weight, FontPart::Personal);
    }

    #[allow(clippy::too_many_arguments)]
    fn push_text(
        &mut self,
        glyphs: Vec<Glyph>,
        size: f32,
        x: f32,
        y: f32,
        angle: f32,
        color: Rgb,
        weight: Weight,
        part: FontPart,
    ) {
        if !glyphs.is_empty() {
            self.ops.push(Op::Text { glyphs, size, x, y, angle, color, weight, part });
        }
    }

    /// Put glyphs into the shared subset without drawing them, so that it does not change with the digits
    /// and letters a particular certificate happens to print.
    pub fn reserve(&mut self, glyphs: impl IntoIterator<Item = Glyph>) {
        self.reserved.extend(glyphs);
    }

    /// Every glyph this content draws from `part` (for the shared part, the reserved ones too).
    pub fn glyphs(&self, part: FontPart) -> impl Iterator<Item = &Glyph> {
        let reserved: &[Glyph] = if part == FontPart::Shared { &self.reserved } else { &[] };
        self.ops
            .iter()
            .flat_map(move |op| match op {
                Op::Text { glyphs, part: p, .. } if *p == part => glyphs.as_slice(),
                _ => &[],
            })
            .chain(reserved)
    }

    /// The content stream bytes, each glyph written with the font resource and subset glyph id `fonts` gives.
    /// A glyph no subset holds is an error (it would print as a missing-glyph box).
    pub fn finish(&self, fonts: &dyn GlyphResolver) -> Result<Vec<u8>, FontError> {
        let mut s = String::with_capacity(4096);
        for op in &self.ops {
            match op {
                Op::Raw(r) => {
                    s.push_str(r);
                    s.push('\n');
                }
                Op::Text { glyphs, size, x, y, angle, color, weight, part } => {
                    let (c, si) = (angle.cos(), angle.sin());
                    let _ = write!(s, "q {} {} {} rg ", n(color.0), n(color.1), n(color.2));
                    if *weight == Weight::Bold {
                        let _ =
                            write!(s, "{} {} {} RG {} w 2 Tr ", n(color.0), n(color.1), n(color.2), n(size * 0.025));
                    }
                    s.push_str("BT ");
                    let _ = write!(s, "{} {} {} {} {} {} Tm ", n(c), n(si), n(-si), n(c), n(*x), n(*y));
                    // Consecutive glyphs of the same font share one Tj.
                    let mut current: Option<&str> = None;
                    for g in glyphs {
                        let (font, gid) = fonts.resolve(g, *part).ok_or_else(|| {
                            FontError::Subset(format!("U+{:04X} is in no embedded subset", u32::from(g.ch)))
                        })?;
                        if current != Some(font) {
                            if current.is_some() {
                                s.push_str("> Tj ");
                            }
                            let _ = write!(s, "/{font} {} Tf <", n(*size));
                            current = Some(font);
                        }
                        let _ = write!(s, "{gid:04X}");
                    }
                    s.push_str("> Tj ET Q\n");
                }
            }
        }
        Ok(s.into_bytes())
    }
}

/// Path operators for a circle (four Bézier arcs), not painted.
pub fn circle_path(cx: f32, cy: f32, r: f32) -> String {
    const K: f32 = 0.552_284_8;
    let k = r * K;
    format!(
        "{} {} m {} {} {} {} {} {} c {} {} {} {} {} {} c {} {} {} {} {} {} c {} {} {} {} {} {} c h",
        n(cx + r),
        n(cy),
        n(cx + r),
        n(cy + k),
        n(cx + k),
        n(cy + r),
        n(cx),
        n(cy + r),
        n(cx - k),
        n(cy + r),
        n(cx - r),
        n(cy + k),
        n(cx - r),
        n(cy),
        n(cx - r),
        n(cy - k),
        n(cx - k),
        n(cy - r),
        n(cx),
        n(cy - r),
        n(cx + k),
        n(cy - r),
        n(cx + r),
        n(cy - k),
        n(cx + r),
        n(cy),
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
