//! Sessions: a random 32-byte token in an HttpOnly, Secure, SameSite=Strict cookie scoped to `/v1/holder`; the edge
//! stores only its SHA-256. The cookie value is `<slot>.<token>`: the holder's placement slot (12 hex digits, the
//! first 6 bytes of the holder key — it names the shard of the session row) and the token (base64url, 43
//! characters). The CSRF token is derived from the session token (HMAC under a server key), so it needs no storage
//! and dies with the session.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use hmac::{KeyInit as _, Mac as _};
use sha2::{Digest as _, Sha256};

use ecert_format::trust_list::hex;

/// The cookie's name.
pub const COOKIE: &str = "ecert_session";
/// The cookie's path: only the holder API gets it.
pub const COOKIE_PATH: &str = "/v1/holder";
/// A session's longest life, seconds (the cookie's Max-Age).
pub const MAX_AGE: i64 = 12 * 3600;
/// A session unused this long ends, seconds.
pub const IDLE: i64 = 2 * 3600;
/// `last_seen` is written at most this often (not on every request), seconds.
pub const TOUCH_EVERY: i64 = 300;

/// A parsed cookie value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SessionCookie {
    /// The holder's placement slot.
    pub slot: i64,
    pub token: [u8; 32],
}

impl SessionCookie {
    pub fn value(&self) -> String {
        format!("{:012x}.{}", self.slot, B64URL.encode(self.token))
    }

    /// SHA-256 of the token: the stored key of the session row.
    pub fn token_hash(&self) -> [u8; 32] {
        Sha256::digest(self.token).into()
    }
}

/// Parse a cookie value; anything malformed is `None` (then the request is not signed in).
pub fn parse_value(v: &str) -> Option<SessionCookie> {
    let (slot, token) = v.split_once('.')?;
    if slot.len() != 12 || !slot.bytes().all(|b| b.is_ascii_hexdigit()) || token.len() != 43 {
        return None;
    }
    let slot = i64::from_str_radix(slot, 16).ok()?;
    let bytes = B64URL.decode(token).ok()?;
    Some(SessionCookie { slot, token: <[u8; 32]>::try_from(bytes.as_slice()).ok()? })
}

/// The session cookie among a `Cookie` header's pairs (the last one if repeated is not trusted: any repetition is
/// refused).
pub fn from_header(header: &str) -> Option<SessionCookie> {
    let mut found = None;
    for pair in header.split(';') {
        let (name, value) = pair.trim().split_once('=')?;
        if name.trim() == COOKIE {
            if found.is_some() {
                return None;
            }
            found = Some(value.trim().to_owned());
        }
    }
    parse_value(&found?)
}

/// `Set-Cookie` for a new session.
pub fn set_cookie(c: &SessionCookie) -> String {
    format!("{COOKIE}={}; Max-Age={MAX_AGE}; Path={COOKIE_PATH}; HttpOnly; Secure; SameSite=Strict", c.value())
}

/// `Set-Cookie` that removes the session cookie.
pub fn clear_cookie() -> String {
    format!("{COOKIE}=; Max-Age=0; Path={COOKIE_PATH}; HttpOnly; Secure; SameSite=Strict")
}

/// The session's CSRF token: lowercase hex HMAC-SHA256(key, "ecert.csrf/1\0" ‖ token).
pub fn csrf_token(key: &[u8], c: &SessionCookie) -> String {
    let Ok(mut mac) = hmac::Hmac::<Sha256>::new_from_slice(key) else {
        return String::new();
    };
    mac.update(b"ecert.csrf/1\0");
    mac.update(&c.token);
    hex(&mac.finalize().into_bytes())
}

/// Whether a stored session is still alive at `now`.
pub fn alive(expires_at: i64, last_seen: i64, now: i64) -> bool {
    now < expires_at && now < last_seen + IDLE
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookie_round_trip_and_attributes() {
        let c = SessionCookie { slot: 0x0000_1234_abcd, token: [9; 32] };
        let v = c.value();
        assert_eq!(v.len(), 12 + 1 + 43);
        assert_eq!(parse_value(&v), Some(c.clone()));
        assert_eq!(from_header(&format!("a=b; {COOKIE}={v}; c=d")), Some(c.clone()));
        assert_eq!(from_header(&format!("{COOKIE}={v}; {COOKIE}={v}")), None);
        assert_eq!(from_header("a=b"), None);
        for bad in ["", "x", "0000.abc", &v[1..], &format!("{v}x"), &v.replace('.', "")] {
            assert_eq!(parse_value(bad), None, "{bad}");
        }
        let s = set_cookie(&c);
        for attr in ["HttpOnly", "Secure", "SameSite=Strict", "Path=/v1/holder", "Max-Age=43200"] {
            assert!(s.contains(attr), "{s}");
        }
        assert!(clear_cookie().contains("Max-Age=0"));
        assert_ne!(c.token_hash(), c.token);
    }

    #[test]
    fn csrf_and_life() {
        let a = SessionCookie { slot: 1, token: [1; 32] };
        let b = SessionCookie { slot: 1, token: [2; 32] };
        assert_eq!(csrf_token(b"k-0123456789abcdef", &a).len(), 64);
        assert_ne!(csrf_token(b"k-0123456789abcdef", &a), csrf_token(b"k-0123456789abcdef", &b));
        assert_ne!(csrf_token(b"k-0123456789abcdef", &a), csrf_token(b"k-fedcba987654321", &a));
        assert!(alive(100 + MAX_AGE, 100, 200));
        assert!(!alive(100 + MAX_AGE, 100, 100 + IDLE));
        assert!(!alive(150, 100, 150));
    }
}
