//! Keyed hashes of personal data, constant-time comparison, and key decoding. Pure.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use hmac::{KeyInit as _, Mac as _};
use sha2::{Digest as _, Sha256};

use ecert_format::trust_list::hex;

type HmacSha256 = hmac::Hmac<Sha256>;

/// Domain separation for every keyed hash the edge stores.
const LOOKUP_DOMAIN: &[u8] = b"ecert.lookup/1\0";

/// What a keyed hash stands for; part of the hashed input, so the same value under two roles differs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    /// 姓名.
    Name,
    /// 证件号码.
    IdNumber,
    /// The whole base record (annotation removed), to tell a re-registration from a conflicting one.
    Record,
    /// A client address, for rate-limit counters.
    Client,
}

impl Field {
    fn tag(self) -> &'static [u8] {
        match self {
            Field::Name => b"name",
            Field::IdNumber => b"id_number",
            Field::Record => b"record",
            Field::Client => b"client",
        }
    }
}

/// Lowercase hex HMAC-SHA256 under `key` of (domain ‖ field ‖ 0 ‖ scope ‖ 0 ‖ value).
///
/// `scope` binds the hash to one certificate (its 管理号), so the same person's hashes differ between their
/// certificates and rows cannot be linked to each other without the key.
pub fn keyed_hash(key: &[u8], field: Field, scope: &str, value: &[u8]) -> String {
    // HMAC accepts keys of any length.
    let Ok(mut mac) = HmacSha256::new_from_slice(key) else {
        return String::new();
    };
    mac.update(LOOKUP_DOMAIN);
    mac.update(field.tag());
    mac.update(b"\0");
    mac.update(scope.as_bytes());
    mac.update(b"\0");
    mac.update(value);
    hex(&mac.finalize().into_bytes())
}

/// The keyed hash of a holder's 姓名 — the one way a name is hashed, at registration and at lookup alike: folded
/// first ([`ecert_format::holder_input::fold_name`]: NFC, middle-dot look-alikes to `·`), so what a holder types
/// matches what the issuer wrote. Identity on an already folded name: hashes stored before folding still match.
pub fn name_mac(key: &[u8], management_number: &str, name: &str) -> String {
    let folded = ecert_format::holder_input::fold_name(name);
    keyed_hash(key, Field::Name, management_number, folded.as_bytes())
}

/// The keyed hash of a holder's 证件号码 — the one way an ID number is hashed: as the canonical 18 characters
/// ([`ecert_format::IdNumber::parse_typed`]: full-width digits, `Ｘ`/`x`, spaces, a 15-digit legacy number), or the
/// trimmed text when it is not a valid resident ID number.
pub fn id_mac(key: &[u8], management_number: &str, id_number: &str) -> String {
    let canonical = ecert_format::IdNumber::parse_typed(id_number)
        .map(|id| id.as_str().to_owned())
        .unwrap_or_else(|_| id_number.trim().to_owned());
    keyed_hash(key, Field::IdNumber, management_number, canonical.as_bytes())
}

/// Compare two byte strings in time independent of where they differ (length is not secret here: both sides
/// are hashed to 32 bytes before comparing).
pub fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    let da = Sha256::digest(a);
    let db = Sha256::digest(b);
    let mut diff = 0u8;
    for (x, y) in da.iter().zip(db.iter()) {
        diff |= x ^ y;
    }
    std::hint::black_box(diff) == 0
}

/// Lowercase hex SHA-256.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Decode a SubjectPublicKeyInfo given as PEM (`-----BEGIN PUBLIC KEY-----`) or as bare base64 DER.
pub fn decode_spki(text: &str) -> Option<Vec<u8>> {
    let body: String = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with("-----"))
        .collect::<Vec<_>>()
        .concat()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    if body.is_empty() {
        return None;
    }
    B64.decode(body.as_bytes()).ok().filter(|d| !d.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keyed_hash_is_bound_to_key_field_and_scope() {
        let a = keyed_hash(b"k1", Field::IdNumber, "M1", b"110101198804120213");
        assert_eq!(a.len(), 64);
        assert_eq!(a, keyed_hash(b"k1", Field::IdNumber, "M1", b"110101198804120213"));
        assert_ne!(a, keyed_hash(b"k2", Field::IdNumber, "M1", b"110101198804120213"));
        assert_ne!(a, keyed_hash(b"k1", Field::Name, "M1", b"110101198804120213"));
        assert_ne!(a, keyed_hash(b"k1", Field::IdNumber, "M2", b"110101198804120213"));
        // The separator keeps (scope, value) pairs apart.
        assert_ne!(keyed_hash(b"k", Field::Name, "ab", b"c"), keyed_hash(b"k", Field::Name, "a", b"bc"));
    }

    #[test]
    fn holder_hashes_fold_and_match_the_stored_form() {
        let k = b"lookup-key-0123456789";
        // Already folded input hashes exactly as before folding existed.
        assert_eq!(name_mac(k, "M1", "张伟"), keyed_hash(k, Field::Name, "M1", "张伟".as_bytes()));
        let id = "11010519491231002X";
        assert_eq!(id_mac(k, "M1", id), keyed_hash(k, Field::IdNumber, "M1", id.as_bytes()));
        // Typed forms meet the registered one.
        assert_eq!(name_mac(k, "M1", " 阿卜杜拉•买买提 "), name_mac(k, "M1", "阿卜杜拉·买买提"));
        assert_eq!(name_mac(k, "M1", "\u{F900}"), name_mac(k, "M1", "\u{8C48}"));
        assert_eq!(id_mac(k, "M1", "１１０１０５１９４９１２３１００２ｘ"), id_mac(k, "M1", id));
        assert_eq!(id_mac(k, "M1", "110105491231002"), id_mac(k, "M1", id));
        assert_ne!(name_mac(k, "M1", "张伟"), name_mac(k, "M2", "张伟"));
    }

    #[test]
    fn constant_time_eq() {
        assert!(ct_eq(b"secret-token", b"secret-token"));
        assert!(!ct_eq(b"secret-token", b"secret-tokeN"));
        assert!(!ct_eq(b"secret-token", b"secret"));
        assert!(!ct_eq(b"", b"x"));
    }

    #[test]
    fn spki_pem_and_base64() {
        let pem = "-----BEGIN PUBLIC KEY-----\nMFkwEwYH\nKoZI\n-----END PUBLIC KEY-----\n";
        let der = decode_spki(pem).unwrap();
        assert_eq!(der, B64.decode("MFkwEwYHKoZI").unwrap());
        assert_eq!(decode_spki("MFkwEwYHKoZI").unwrap(), der);
        assert!(decode_spki("").is_none());
        assert!(decode_spki("-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----").is_none());
        assert!(decode_spki("not base64 !!").is_none());
    }
}
