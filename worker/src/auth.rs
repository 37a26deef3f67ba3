//! Administration tokens: `Authorization: Bearer <token>`, compared in constant time, with rights per token.
//!
//! Two secrets: `ADMIN_TOKEN` (register, revoke, publish the trust list, read the copy universe and publish status
//! snapshots, read the audit log) and the optional
//! `AUDIT_TOKEN` (read the audit log only). No token or an unknown one is 401; a known token without the right
//! is 403. Tokens never reach the audit log: entries name the principal (`admin`, `auditor`).

use crate::crypto::ct_eq;
use crate::error::{ApiError, ApiResult};

/// What an administration request may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Right {
    RegisterCertificates,
    Revoke,
    PublishTrustList,
    /// Read the universe of copies (`GET /v1/admin/status/universe`) and upload status snapshots and deltas.
    PublishStatus,
    ReadAudit,
}

/// Who made an authenticated request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Principal {
    /// Recorded in the audit log.
    pub name: &'static str,
    rights: &'static [Right],
}

const ADMIN: Principal = Principal {
    name: "admin",
    rights: &[
        Right::RegisterCertificates,
        Right::Revoke,
        Right::PublishTrustList,
        Right::PublishStatus,
        Right::ReadAudit,
    ],
};
const AUDITOR: Principal = Principal { name: "auditor", rights: &[Right::ReadAudit] };

impl Principal {
    pub fn require(&self, right: Right) -> ApiResult<()> {
        if self.rights.contains(&right) { Ok(()) } else { Err(ApiError::forbidden()) }
    }
}

/// The bearer token of an `Authorization` header value, if well formed.
fn bearer(header: &str) -> Option<&str> {
    let (scheme, token) = header.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty() && token.len() <= 512).then_some(token)
}

/// Authenticate an `Authorization` header against the configured tokens (each `None` when not configured).
pub fn authenticate(
    header: Option<&str>,
    admin_token: Option<&str>,
    audit_token: Option<&str>,
) -> ApiResult<Principal> {
    let token = header.and_then(bearer).ok_or_else(ApiError::unauthorized)?;
    // Compare against every configured token, so the time taken does not tell which one (nearly) matched.
    let is_admin = admin_token.is_some_and(|t| ct_eq(token.as_bytes(), t.as_bytes()));
    let is_auditor = audit_token.is_some_and(|t| ct_eq(token.as_bytes(), t.as_bytes()));
    match (is_admin, is_auditor) {
        (true, _) => Ok(ADMIN),
        (false, true) => Ok(AUDITOR),
        _ => Err(ApiError::unauthorized()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "admin-token-0123456789abcdef0123456789";
    const R: &str = "audit-token-0123456789abcdef0123456789";

    #[test]
    fn tokens_and_rights() {
        let p = authenticate(Some(&format!("Bearer {A}")), Some(A), Some(R)).unwrap();
        assert_eq!(p.name, "admin");
        assert!(p.require(Right::Revoke).is_ok());
        let p = authenticate(Some(&format!("bearer  {R} ")), Some(A), Some(R)).unwrap();
        assert_eq!(p.name, "auditor");
        assert!(p.require(Right::ReadAudit).is_ok());
        assert_eq!(p.require(Right::Revoke).unwrap_err().status, 403);
        for bad in [None, Some(""), Some("Bearer"), Some("Bearer "), Some(A), Some("Basic xyz"), Some("Bearer wrong")] {
            assert_eq!(authenticate(bad, Some(A), Some(R)).unwrap_err().status, 401, "{bad:?}");
        }
        // Nothing configured: nothing is accepted.
        assert_eq!(authenticate(Some(&format!("Bearer {A}")), None, None).unwrap_err().status, 401);
    }
}
