//! Cross-site request forgery: every state-changing holder request must come from the edge's own origin. Two
//! independent checks:
//!
//! - **Origin**: a browser sends `Origin` on every POST; when present it must equal the edge's own origin (the
//!   request URL's), else 403 `ORIGIN_NOT_ALLOWED`. Register and login (no session yet) rely on it, and on their
//!   JSON body: a cross-origin `application/json` POST needs a preflight, which the holder routes never grant.
//! - **X-CSRF-Token**: with a session, the header must equal the session's CSRF token
//!   ([`super::session::csrf_token`], given by `GET /v1/holder/session`), compared in constant time, else 403
//!   `CSRF_TOKEN_INVALID`. A page on another origin cannot read it (no CORS), so it cannot send it.
//!
//! SameSite=Strict on the cookie is a third line: a cross-site request carries no session at all.

use crate::error::{ApiError, ApiResult};

/// `Origin` must be absent (not a browser) or the edge's own origin.
pub fn check_origin(origin: Option<&str>, own: Option<&str>) -> ApiResult<()> {
    match origin {
        None => Ok(()),
        Some(o) if own.is_some_and(|own| own.eq_ignore_ascii_case(o.trim())) => Ok(()),
        Some(_) => Err(ApiError::new(
            403,
            "ORIGIN_NOT_ALLOWED",
            "请求来源与本站不符",
            "the request does not come from this site",
        )),
    }
}

/// The `X-CSRF-Token` header must equal the session's token.
pub fn check_token(presented: Option<&str>, expected: &str) -> ApiResult<()> {
    let ok = presented.is_some_and(|p| crate::crypto::ct_eq(p.trim().as_bytes(), expected.as_bytes()));
    if ok && !expected.is_empty() {
        Ok(())
    } else {
        Err(ApiError::new(
            403,
            "CSRF_TOKEN_INVALID",
            "页面已过期或请求来源不明，请刷新页面后重试",
            "missing or wrong X-CSRF-Token; reload the page and retry",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origin_and_token() {
        let own = Some("http://127.0.0.1:8787");
        assert!(check_origin(None, own).is_ok());
        assert!(check_origin(Some("http://127.0.0.1:8787"), own).is_ok());
        for bad in ["https://evil.example", "null", "http://127.0.0.1:8788", "http://localhost:8787"] {
            assert_eq!(check_origin(Some(bad), own).unwrap_err().code, "ORIGIN_NOT_ALLOWED");
        }
        assert!(check_token(Some("abc"), "abc").is_ok());
        assert_eq!(check_token(None, "abc").unwrap_err().code, "CSRF_TOKEN_INVALID");
        assert_eq!(check_token(Some("abd"), "abc").unwrap_err().status, 403);
        assert!(check_token(Some(""), "").is_err());
    }
}
