//! Finding the fonts to embed: `--font PATH[#INDEX]` or well-known system CJK fonts (installed by the
//! project's setup script: Debian's fonts-noto-cjk and fonts-babelstone-han).

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context as _, Result, bail};
use ecert_issue::{FontBook, FontFace};

/// Primary face first (Noto Serif CJK SC: Chinese glyph forms, covers Ext-A and common Ext-B), then
/// fallbacks with wider coverage of rare characters.
const CANDIDATES: &[(&str, &str)] = &[
    ("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc", "Noto Serif CJK SC"),
    ("/usr/share/fonts/truetype/babelstone/BabelStoneHan.ttf", ""),
];

fn load(path: &str, family_hint: &str, index: Option<u32>) -> Result<FontFace> {
    let data = Arc::new(std::fs::read(path).with_context(|| format!("无法读取字体 / cannot read font {path}"))?);
    let index = match index {
        Some(i) => i,
        None => {
            let faces = FontFace::faces_in(data.clone(), path)?;
            faces.iter().find(|(_, fam)| family_hint.is_empty() || fam == family_hint).map(|(i, _)| *i).unwrap_or(0)
        }
    };
    Ok(FontFace::new(data, index, path)?)
}

/// The font book: the given fonts, or the system candidates that exist.
pub fn font_book(explicit: &[String]) -> Result<FontBook> {
    font_book_for(explicit, None)
}

/// As [`font_book`], for printing `names` (the only text outside the registry and the style sheet, which the
/// primary face covers): when the primary system face prints every name, the fallbacks are not loaded — they
/// would be unused, and BabelStone Han alone is 51 MB to read on every run.
pub fn font_book_for(explicit: &[String], names: Option<&[&str]>) -> Result<FontBook> {
    let mut faces = Vec::new();
    if explicit.is_empty() {
        for (path, hint) in CANDIDATES {
            if !PathBuf::from(path).exists() {
                continue;
            }
            if let (Some(names), false) = (names, faces.is_empty()) {
                let sofar = FontBook::new(faces.clone())?;
                let parsed = sofar.parsed()?;
                if names.iter().all(|n| parsed.covers(n).is_ok()) {
                    break;
                }
            }
            faces.push(load(path, hint, None)?);
        }
        if faces.is_empty() {
            bail!(
                "未找到中文字体；请安装 fonts-noto-cjk（运行 ./scripts/setup.sh）或用 --font 指定 / no CJK font found: install fonts-noto-cjk (./scripts/setup.sh) or pass --font"
            );
        }
    } else {
        for spec in explicit {
            let (path, index) = match spec.rsplit_once('#') {
                Some((p, i)) => {
                    (p, Some(i.parse().with_context(|| format!("无效的字体序号 / bad face index in {spec}"))?))
                }
                None => (spec.as_str(), None),
            };
            faces.push(load(path, "", index)?);
        }
    }
    Ok(FontBook::new(faces)?)
}
