//! 公民身份号码 (GB 11643-1999): structure, check character (ISO 7064 MOD 11-2), masking.

use crate::date::{Date, YearMonth};
use crate::record::Sex;

/// Why an ID number was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum IdNumberError {
    #[error("证件号码应为18位（17位数字加校验码）/ an ID number has 18 characters: 17 digits and a check character")]
    Shape,
    #[error("证件号码中的出生日期无效 / the birth date inside the ID number is not a real date")]
    BirthDate,
    #[error("证件号码校验码错误，应为 {expected} / wrong check character, expected {expected}")]
    Checksum { expected: char },
}

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

/// The check character for the first 17 digits of an ID number (ISO 7064 MOD 11-2), or `None` if `body`
/// is not 17 ASCII digits.
pub fn check_character(body: &str) -> Option<char> {
    let b = body.as_bytes();
    if b.len() != 17 || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let sum: u32 = b.iter().zip(WEIGHTS).map(|(d, w)| u32::from(d - b'0') * w).sum();
    Some(CHECK[(sum % 11) as usize])
}

/// A structurally valid 18-character resident ID number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdNumber {
    text: String,
    birth: Date,
    sex: Sex,
}

/// Fold an ID number as people type it to the characters GB 11643 uses: whitespace anywhere dropped (ASCII and the
/// ideographic space U+3000), full-width digits `０`–`９` to ASCII, `x`, `Ｘ` and `ｘ` to `X`. Anything else is
/// left as it is (and then refused by [`IdNumber::parse`]). Pure ASCII mapping: no Unicode tables.
pub fn fold_id_input(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '０'..='９' => char::from_u32(u32::from(c) - 0xFF10 + u32::from('0')).unwrap_or(c),
            'x' | 'Ｘ' | 'ｘ' => 'X',
            _ => c,
        })
        .collect()
}

/// The 18-character number a 15-digit first-generation ID number (GB 11643-1989) became: the year's `19` inserted
/// after the 6-digit region code (every 15-digit number was issued to someone born in the 1900s), and the check
/// character appended. `None` unless `s` is 15 ASCII digits.
pub fn upgrade_legacy(s: &str) -> Option<String> {
    if s.len() != 15 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let body = format!("{}19{}", s.get(..6)?, s.get(6..)?);
    let check = check_character(&body)?;
    Some(format!("{body}{check}"))
}

impl IdNumber {
    /// Parse an ID number as a holder may type it: [`fold_id_input`] first (full-width digits, `Ｘ`, lowercase `x`,
    /// spaces), and a 15-digit first-generation number is accepted as the 18-character number it became
    /// ([`upgrade_legacy`]), which is the number on every certificate issued since.
    pub fn parse_typed(s: &str) -> Result<IdNumber, IdNumberError> {
        let folded = fold_id_input(s);
        match upgrade_legacy(&folded) {
            Some(upgraded) => IdNumber::parse(&upgraded),
            None => IdNumber::parse(&folded),
        }
    }

    /// Parse and check an ID number (a lowercase `x` check character is accepted and normalised).
    pub fn parse(s: &str) -> Result<IdNumber, IdNumberError> {
        let text = s.trim().to_ascii_uppercase();
        let b = text.as_bytes();
        if b.len() != 18 || !b[..17].iter().all(u8::is_ascii_digit) || !(b[17].is_ascii_digit() || b[17] == b'X') {
            return Err(IdNumberError::Shape);
        }
        if b[0] == b'0' {
            return Err(IdNumberError::Shape);
        }
        let digit = |i: usize| u32::from(b[i] - b'0');
        let expected = check_character(&text[..17]).ok_or(IdNumberError::Shape)?;
        if char::from(b[17]) != expected {
            return Err(IdNumberError::Checksum { expected });
        }
        let year = (digit(6) * 1000 + digit(7) * 100 + digit(8) * 10 + digit(9)) as u16;
        let month = (digit(10) * 10 + digit(11)) as u8;
        let day = (digit(12) * 10 + digit(13)) as u8;
        let birth = Date::new(year, month, day).ok_or(IdNumberError::BirthDate)?;
        let sex = if digit(16) % 2 == 1 { Sex::Male } else { Sex::Female };
        Ok(IdNumber { text, birth, sex })
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }
    pub fn birth_date(&self) -> Date {
        self.birth
    }
    pub fn birth_year_month(&self) -> YearMonth {
        self.birth.year_month()
    }
    /// The sex the sequence code encodes (odd: male, even: female).
    pub fn sex(&self) -> Sex {
        self.sex
    }
}

/// Mask an identity document number for display: the first 3 and last 4 characters stay, the rest become `*`.
/// Short numbers (8 characters or fewer) keep only their last 2.
pub fn mask_id_number(id: &str) -> String {
    let chars: Vec<char> = id.chars().collect();
    let n = chars.len();
    let (head, tail) = if n > 8 { (3, 4) } else { (0, n.min(2)) };
    chars.iter().enumerate().map(|(i, c)| if i < head || i >= n - tail { *c } else { '*' }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_valid_numbers() {
        // Check characters computed by hand from GB 11643's weights.
        let id = IdNumber::parse("11010519491231002X").unwrap();
        assert_eq!(id.birth_date().to_string(), "1949-12-31");
        assert_eq!(id.sex(), Sex::Female);
        let id = IdNumber::parse("440304198001010017").unwrap();
        assert_eq!(id.sex(), Sex::Male);
        assert!(IdNumber::parse("11010519491231002x").is_ok());
    }

    #[test]
    fn rejects_bad_numbers() {
        assert_eq!(IdNumber::parse("110105194912310021"), Err(IdNumberError::Checksum { expected: 'X' }));
        assert_eq!(IdNumber::parse("11010519491231002"), Err(IdNumberError::Shape));
        assert_eq!(IdNumber::parse("1101051949123100X2"), Err(IdNumberError::Shape));
        assert_eq!(IdNumber::parse("０10105194912310021"), Err(IdNumberError::Shape));
        // 1949-02-30 does not exist; fix the checksum so only the date is wrong.
        let body = "11010519490230002";
        let full = format!("{body}{}", check_character(body).unwrap());
        assert_eq!(IdNumber::parse(&full), Err(IdNumberError::BirthDate));
    }

    #[test]
    fn typed_forms() {
        let canonical = IdNumber::parse("11010519491231002X").unwrap();
        for typed in [
            "11010519491231002X",
            "11010519491231002x",
            "１１０１０５１９４９１２３１００２Ｘ",
            "１１０１０５１９４９１２３１００２ｘ",
            " 110105 19491231 002X ",
            "110105\u{3000}19491231002X",
        ] {
            assert_eq!(IdNumber::parse_typed(typed).unwrap(), canonical, "{typed}");
        }
        // The strict parser stays strict.
        assert_eq!(IdNumber::parse("１１０１０５１９４９１２３１００２Ｘ"), Err(IdNumberError::Shape));
        assert!(IdNumber::parse_typed("11010519491231002Y").is_err());
        assert!(IdNumber::parse_typed("110105194912310021").is_err());
    }

    #[test]
    fn legacy_15_digit_numbers_become_their_18_character_number() {
        // 440304 800101 001 → 440304 19800101 001 + check character.
        assert_eq!(upgrade_legacy("440304800101001").unwrap(), "440304198001010017");
        assert_eq!(IdNumber::parse_typed("440304800101001").unwrap().as_str(), "440304198001010017");
        assert_eq!(IdNumber::parse_typed("４４０３０４８００１０１００１").unwrap().as_str(), "440304198001010017");
        assert_eq!(upgrade_legacy("110105491231002").unwrap(), "11010519491231002X");
        // The check character is computed, never taken from input; a bad date inside is still refused.
        assert_eq!(IdNumber::parse_typed("110105490230002"), Err(IdNumberError::BirthDate));
        assert_eq!(upgrade_legacy("11010549123100"), None);
        assert_eq!(upgrade_legacy("11010549123100X"), None);
    }

    #[test]
    fn masking() {
        assert_eq!(mask_id_number("11010519491231002X"), "110***********002X");
        assert_eq!(mask_id_number("E1234567"), "******67");
        assert_eq!(mask_id_number("1"), "1");
        assert_eq!(mask_id_number(""), "");
    }
}
