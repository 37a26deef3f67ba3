//! Holder input as people type it, folded to one form (the edge's lookup and the keyed hashes it stores).
//!
//! A genuine holder types their name and numbers on a phone or with an IME, not as the issuer's database wrote
//! them. Every place the edge hashes or looks up a name or number uses exactly these functions, so a registered
//! record and a lookup of it fold the same way; each is the identity on input that is already in the folded form
//! (names in NFC with `·`, numbers in upper case), so hashes stored before folding existed still match such input.
//!
//! Behind the `holder-input` feature: NFC needs Unicode tables, which the browser verifier does not carry.

use unicode_normalization::UnicodeNormalization as _;

/// The middle dot of names of several ethnic groups and of transliterated names (阿卜杜拉·买买提).
pub const MIDDLE_DOT: char = '\u{00B7}';

/// Characters people type, or IMEs produce, for the middle dot: each folds to [`MIDDLE_DOT`].
pub const MIDDLE_DOT_LOOKALIKES: &[char] = &[
    '\u{2022}', // • bullet
    '\u{30FB}', // ・ katakana middle dot (Japanese IMEs, many Chinese ones)
    '\u{FF65}', // ･ halfwidth katakana middle dot
    '\u{FF0E}', // ． fullwidth full stop
    '\u{002E}', // . full stop
    '\u{2027}', // ‧ hyphenation point
    '\u{2219}', // ∙ bullet operator
    '\u{22C5}', // ⋅ dot operator
    '\u{2024}', // ․ one dot leader
    '\u{2E31}', // ⸱ word separator middle dot
    '\u{2E33}', // ⸳ raised dot
    '\u{FE52}', // ﹒ small full stop
    '\u{16EB}', // ᛫ runic single punctuation
    '\u{1427}', // ᐧ canadian syllabics final middle dot
    '\u{318D}', // ㆍ hangul letter araea
    '\u{A78F}', // ꞏ latin letter sinological dot
    '\u{0387}', // · greek ano teleia (NFC maps it already)
    '\u{00B7}', // · itself
];

/// Fold a holder's name: surrounding whitespace trimmed, Unicode NFC (which also maps the CJK compatibility
/// ideographs U+F900–U+FAD9 and U+2F800–U+2FA1D with a canonical decomposition to their unified ideographs, e.g.
/// U+F900 豈 → U+8C48 豈), every middle-dot look-alike to `·` (U+00B7), and whitespace next to a middle dot
/// dropped (`阿卜杜拉 · 买买提`). Nothing else changes: other characters, case and inner spaces stay.
pub fn fold_name(name: &str) -> String {
    let nfc: String = name.trim().nfc().collect();
    let dotted: Vec<char> =
        nfc.chars().map(|c| if MIDDLE_DOT_LOOKALIKES.contains(&c) { MIDDLE_DOT } else { c }).collect();
    let mut out = String::with_capacity(nfc.len());
    for (i, c) in dotted.iter().enumerate() {
        if c.is_whitespace() {
            let next_non_space = dotted.iter().skip(i + 1).find(|d| !d.is_whitespace());
            let prev_non_space = dotted.iter().take(i).rev().find(|d| !d.is_whitespace());
            if next_non_space == Some(&MIDDLE_DOT) || prev_non_space == Some(&MIDDLE_DOT) {
                continue;
            }
        }
        out.push(*c);
    }
    out
}

/// Fold a 管理号 as typed: surrounding whitespace trimmed, full-width ASCII (`２０２３…`) to ASCII. Its case is kept:
/// a 管理号 is the registry's primary key exactly as issued (ecert's are digits, where case does not arise).
pub fn fold_management_number(number: &str) -> String {
    number
        .trim()
        .chars()
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(u32::from(c) - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .collect()
}

/// Fold a 查询编号 as typed: [`fold_management_number`], then ASCII letters to upper case — 查询编号 are
/// case-insensitive: `c213875355877985` and `C213875355877985` are the same. Looked up, rate-limited and indexed
/// (the shard index's hash) in this form.
pub fn fold_number(number: &str) -> String {
    fold_management_number(number).to_ascii_uppercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compatibility_ideographs_become_unified() {
        assert_eq!(fold_name("\u{F900}"), "\u{8C48}");
        assert_eq!(fold_name("李\u{F9B5}"), "李\u{4F8B}"); // 例 U+F9B5 → U+4F8B
        assert_eq!(fold_name("\u{2F800}"), "\u{4E3D}"); // CJK Compatibility Ideographs Supplement
        // U+FA0E 﨎 is a unified ideograph despite its block: it stays.
        assert_eq!(fold_name("\u{FA0E}"), "\u{FA0E}");
        // Ext-A / Ext-B names are untouched.
        assert_eq!(fold_name("王\u{3400}\u{20000}"), "王\u{3400}\u{20000}");
    }

    #[test]
    fn middle_dots_fold() {
        for dot in MIDDLE_DOT_LOOKALIKES {
            assert_eq!(fold_name(&format!("阿卜杜拉{dot}买买提")), "阿卜杜拉·买买提", "U+{:04X}", u32::from(*dot));
        }
        assert_eq!(fold_name(" 阿卜杜拉 ・ 买买提 "), "阿卜杜拉·买买提");
        assert_eq!(fold_name("阿卜杜拉\u{3000}•\u{3000}买买提"), "阿卜杜拉·买买提");
    }

    #[test]
    fn already_folded_names_are_unchanged() {
        for name in ["张伟", "阿卜杜拉·买买提", "欧阳 娜娜", "Zhang Wei", "王\u{20000}"] {
            assert_eq!(fold_name(name), name);
            assert_eq!(fold_name(&fold_name(name)), fold_name(name));
        }
        // Decomposed Latin letters compose (NFC), as a phone keyboard may send them.
        assert_eq!(fold_name("Ame\u{0301}lie"), "Amélie");
    }

    #[test]
    fn numbers_fold() {
        assert_eq!(fold_number(" c213875355877985 "), "C213875355877985");
        assert_eq!(fold_number("Ｃ２１３８７５"), "C213875");
        assert_eq!(fold_number("2023031500001"), "2023031500001");
        assert_eq!(fold_number("ab-12"), "AB-12");
        assert_eq!(fold_number("管理号"), "管理号");
        assert_eq!(fold_management_number(" ２０２３０３１５００００１ "), "2023031500001");
        assert_eq!(fold_management_number("ab-12"), "ab-12");
    }
}
