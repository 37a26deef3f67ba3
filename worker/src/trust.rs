//! The current trust list, always re-verified under the pinned root before use, and the rules for publishing
//! a new one.

use ecert_format::trust_list::TrustListError;
use ecert_format::{SignedTrustList, TrustList};
use ecert_verify::TrustError;

use crate::crypto::sha256_hex;
use crate::error::{ApiError, ApiResult};
use crate::storage::Db;
use crate::storage::trust_lists::{self, StoredTrustList};

/// Largest sequence number accepted (D1 stores integers as doubles).
pub const MAX_SEQUENCE: u64 = 1 << 53;

/// The strong ETag of a published envelope.
pub fn etag_of(envelope: &[u8]) -> String {
    format!("\"{}\"", sha256_hex(envelope).get(..32).unwrap_or_default())
}

/// Whether an `If-None-Match` header value matches `etag` (a list, `*`, or weak forms).
pub fn if_none_match_matches(header: &str, etag: &str) -> bool {
    header.split(',').map(str::trim).any(|t| t == "*" || t == etag || t.strip_prefix("W/") == Some(etag))
}

/// The stored current list, verified under `root_spki`; `None` when none was published yet.
pub async fn current_verified(db: &Db, root_spki: &[u8]) -> ApiResult<Option<(StoredTrustList, TrustList)>> {
    let Some(stored) = trust_lists::current(db).await? else {
        return Ok(None);
    };
    let list = SignedTrustList::from_json(stored.envelope.as_bytes())
        .and_then(|s| s.verify(root_spki, 0))
        .map_err(|e| ApiError::internal("stored trust list no longer verifies under ROOT_SPKI", e))?;
    Ok(Some((stored, list)))
}

/// Why a list offered for publication is refused: 409 for a rollback, 422 for a bad signature or content
/// (the core's own checks: key ids, registry references, every seal's certificate and chain), with the core's
/// stable code.
pub fn refuse(e: &TrustError) -> ApiError {
    match e {
        TrustError::List(TrustListError::TooLarge) => {
            ApiError::payload_too_large(ecert_format::trust_list::MAX_TRUST_LIST_BYTES)
        }
        TrustError::List(TrustListError::BadRootKey) => ApiError::misconfigured("ROOT_SPKI is not a P-256 public key"),
        _ => {
            let status = if matches!(e, TrustError::List(TrustListError::Rollback { .. })) { 409 } else { 422 };
            let text = e.to_string();
            let (zh, en) = text.split_once(" / ").unwrap_or((text.as_str(), text.as_str()));
            ApiError::new(status, e.code(), zh, en)
        }
    }
}

/// The edge's own bound beyond the core's checks (registry references, issuer kinds, each issuer sealing only
/// its own qualifications, use windows, dates — all in `VerifiedTrustList`): the sequence must fit D1.
pub fn check_content(list: &TrustList) -> ApiResult<()> {
    if list.sequence == 0 || list.sequence > MAX_SEQUENCE {
        return Err(ApiError::new(
            422,
            "TRUST_LIST_INCONSISTENT",
            format!("信任列表序号{}超出范围", list.sequence),
            format!("sequence {} out of range", list.sequence),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn etags() {
        let e = etag_of(b"{}");
        assert!(e.starts_with('"') && e.ends_with('"') && e.len() == 34);
        assert!(if_none_match_matches(&e, &e));
        assert!(if_none_match_matches(&format!("\"x\", W/{e}"), &e));
        assert!(if_none_match_matches("*", &e));
        assert!(!if_none_match_matches("\"other\"", &e));
    }

    #[test]
    fn refusal_codes() {
        assert_eq!(refuse(&TrustError::List(TrustListError::BadSignature)).code, "TRUST_LIST_BAD_SIGNATURE");
        assert_eq!(refuse(&TrustError::List(TrustListError::WrongSigner)).status, 422);
        let r = refuse(&TrustError::List(TrustListError::Rollback { found: 1, held: 2 }));
        assert_eq!((r.status, r.code), (409, "TRUST_LIST_ROLLBACK"));
        let r = refuse(&TrustError::Inconsistent("x".into()));
        assert_eq!((r.status, r.code), (422, "TRUST_LIST_INCONSISTENT"));
    }
}
