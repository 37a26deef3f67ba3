//! Administration by named operators: `Authorization: Bearer <token>`, one token per operator, tokens hashed at
//! rest and compared by hash in constant time, rights per role.
//!
//! Operators are configured in `OPERATORS` (a secret or var): `name:sha256-of-token[:role]` entries separated by
//! commas, e.g. `alice:9f86…08:admin,publisher-1:60303a…e1:publisher,audit-team:2c26…ae:auditor`. The edge holds
//! only the SHA-256 of each token (lowercase or uppercase hex); the token itself lives with its operator. Roles:
//! `admin` (every right; the default), `publisher` (the status publisher: read the copy universe, upload
//! snapshots), `auditor` (read the audit log and the 加注 jobs), `signer` (the issuing side's `ecert signer`: claim
//! 加注 jobs and upload their sealed PDFs; `SIGNER_TOKEN` is the operator `signer`). The audit log names the operator (never a token).
//!
//! The older secrets still work, as operators of their own: `ADMIN_TOKEN` is the operator `admin` (role admin),
//! `AUDIT_TOKEN` the operator `auditor` (role auditor); their names may then not appear in `OPERATORS`.
//! No token or an unknown one is 401; a known token without the right is 403; a malformed `OPERATORS` is 500
//! `MISCONFIGURED` for every administration request (fail closed, never "ignore the bad entry").

use std::cell::RefCell;

use sha2::{Digest as _, Sha256};

use ecert_format::trust_list::hex;

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
    /// The signer's right (`/v1/signer/*`): claim 加注 jobs, upload their sealed PDFs, report a job failed.
    Sign,
    /// Read the 加注 jobs (`GET /v1/admin/jobs`: overdue, pending, failed).
    ReadJobs,
}

/// An operator's role: the rights their token carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Admin,
    Publisher,
    Auditor,
    /// The issuing side's signer process (`ecert signer`): only [`Right::Sign`].
    Signer,
}

impl Role {
    fn parse(s: &str) -> Option<Role> {
        match s {
            "admin" => Some(Role::Admin),
            "publisher" => Some(Role::Publisher),
            "auditor" => Some(Role::Auditor),
            "signer" => Some(Role::Signer),
            _ => None,
        }
    }

    fn rights(self) -> &'static [Right] {
        match self {
            Role::Admin => &[
                Right::RegisterCertificates,
                Right::Revoke,
                Right::PublishTrustList,
                Right::PublishStatus,
                Right::ReadAudit,
                Right::Sign,
                Right::ReadJobs,
            ],
            Role::Publisher => &[Right::PublishStatus],
            Role::Auditor => &[Right::ReadAudit, Right::ReadJobs],
            Role::Signer => &[Right::Sign],
        }
    }
}

/// Who made an authenticated request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Principal {
    /// The operator's name, recorded in the audit log.
    pub name: &'static str,
    pub role: Role,
}

impl Principal {
    pub fn require(&self, right: Right) -> ApiResult<()> {
        if self.role.rights().contains(&right) { Ok(()) } else { Err(ApiError::forbidden()) }
    }
}

/// One configured operator: name, SHA-256 of the token, role.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Operator {
    pub name: String,
    pub token_sha256: [u8; 32],
    pub role: Role,
}

/// Names: 1–64 of `[A-Za-z0-9._@-]` (they appear in the audit log).
fn valid_name(s: &str) -> bool {
    (1..=64).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric() || b"._@-".contains(&b))
}

fn parse_sha256_hex(s: &str) -> Option<[u8; 32]> {
    if s.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(s.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

/// Build the operator table from `OPERATORS` and the older `ADMIN_TOKEN` / `AUDIT_TOKEN` (each `None` when not
/// configured). `Err` names what is wrong (the entry's position and name, never a hash).
pub fn build_operators(
    operators: Option<&str>,
    admin_token: Option<&str>,
    audit_token: Option<&str>,
) -> Result<Vec<Operator>, String> {
    build_operators_with_signer(operators, admin_token, audit_token, None)
}

/// [`build_operators`] with the `SIGNER_TOKEN` secret too: the operator `signer` (role signer).
pub fn build_operators_with_signer(
    operators: Option<&str>,
    admin_token: Option<&str>,
    audit_token: Option<&str>,
    signer_token: Option<&str>,
) -> Result<Vec<Operator>, String> {
    let mut out: Vec<Operator> = Vec::new();
    for (i, entry) in operators.unwrap_or("").split(',').map(str::trim).enumerate() {
        if entry.is_empty() {
            continue;
        }
        let parts: Vec<&str> = entry.split(':').map(str::trim).collect();
        let (name, hash, role) = match parts.as_slice() {
            [n, h] => (*n, *h, Role::Admin),
            [n, h, r] => {
                (*n, *h, Role::parse(r).ok_or_else(|| format!("OPERATORS entry {}: unknown role {r:?}", i + 1))?)
            }
            _ => return Err(format!("OPERATORS entry {}: not name:sha256[:role]", i + 1)),
        };
        if !valid_name(name) {
            return Err(format!("OPERATORS entry {}: bad operator name", i + 1));
        }
        let token_sha256 =
            parse_sha256_hex(hash).ok_or_else(|| format!("OPERATORS entry {} ({name}): not 64 hex digits", i + 1))?;
        out.push(Operator { name: name.to_owned(), token_sha256, role });
    }
    for (name, token, role) in [
        ("admin", admin_token, Role::Admin),
        ("auditor", audit_token, Role::Auditor),
        ("signer", signer_token, Role::Signer),
    ] {
        if let Some(t) = token {
            out.push(Operator { name: name.to_owned(), token_sha256: Sha256::digest(t.as_bytes()).into(), role });
        }
    }
    for (i, a) in out.iter().enumerate() {
        for b in out.iter().skip(i + 1) {
            if a.name == b.name {
                return Err(format!("operator {} is configured twice", a.name));
            }
            if a.token_sha256 == b.token_sha256 {
                return Err(format!("operators {} and {} share a token", a.name, b.name));
            }
        }
    }
    Ok(out)
}

/// The bearer token of an `Authorization` header value, if well formed.
fn bearer(header: &str) -> Option<&str> {
    let (scheme, token) = header.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty() && token.len() <= 512).then_some(token)
}

/// Equal 32-byte digests, in time independent of where they differ.
fn digest_eq(a: &[u8; 32], b: &[u8; 32]) -> bool {
    let diff = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
    std::hint::black_box(diff) == 0
}

/// An operator of the table, for the audit log (`&'static`: the table lives as long as the isolate).
#[derive(Clone, Copy, Debug)]
pub struct TableEntry {
    pub name: &'static str,
    pub token_sha256: [u8; 32],
    pub role: Role,
}

/// Authenticate an `Authorization` header against the operator table: the token's SHA-256 is compared with every
/// operator's (all of them, so the time does not tell which one nearly matched).
pub fn authenticate(header: Option<&str>, table: &[TableEntry]) -> ApiResult<Principal> {
    let token = header.and_then(bearer).ok_or_else(ApiError::unauthorized)?;
    let presented: [u8; 32] = Sha256::digest(token.as_bytes()).into();
    let mut found: Option<Principal> = None;
    for op in table {
        if digest_eq(&op.token_sha256, &presented) {
            found = Some(Principal { name: op.name, role: op.role });
        }
    }
    found.ok_or_else(ApiError::unauthorized)
}

/// Make a built table `'static` (leaked once per configuration per isolate: a handful of names).
pub fn leak_table(ops: Vec<Operator>) -> &'static [TableEntry] {
    let entries: Vec<TableEntry> = ops
        .into_iter()
        .map(|o| TableEntry { name: Box::leak(o.name.into_boxed_str()), token_sha256: o.token_sha256, role: o.role })
        .collect();
    Box::leak(entries.into_boxed_slice())
}

type CachedTable = ([u8; 32], Result<&'static [TableEntry], String>);

thread_local! {
    /// This isolate's operator table, keyed by a digest of the configuration it was built from.
    static TABLE: RefCell<Option<CachedTable>> = const { RefCell::new(None) };
}

/// The operator table of this configuration, built once per isolate.
pub fn operator_table(
    operators: Option<&str>,
    admin_token: Option<&str>,
    audit_token: Option<&str>,
) -> ApiResult<&'static [TableEntry]> {
    operator_table_with_signer(operators, admin_token, audit_token, None)
}

/// [`operator_table`] with the `SIGNER_TOKEN` secret.
pub fn operator_table_with_signer(
    operators: Option<&str>,
    admin_token: Option<&str>,
    audit_token: Option<&str>,
    signer_token: Option<&str>,
) -> ApiResult<&'static [TableEntry]> {
    let mut h = Sha256::new();
    for part in [operators, admin_token, audit_token, signer_token] {
        h.update(part.map(|p| hex(&Sha256::digest(p.as_bytes()))).unwrap_or_default());
        h.update(b"\0");
    }
    let fingerprint: [u8; 32] = h.finalize().into();
    let cached = TABLE.with(|t| t.borrow().as_ref().filter(|(f, _)| *f == fingerprint).map(|(_, r)| r.clone()));
    let result = match cached {
        Some(r) => r,
        None => {
            let r = build_operators_with_signer(operators, admin_token, audit_token, signer_token).map(leak_table);
            TABLE.with(|t| *t.borrow_mut() = Some((fingerprint, r.clone())));
            r
        }
    };
    result.map_err(|e| ApiError::misconfigured(&e))
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "admin-token-0123456789abcdef0123456789";
    const R: &str = "audit-token-0123456789abcdef0123456789";

    fn sha(t: &str) -> String {
        hex(&Sha256::digest(t.as_bytes()))
    }

    fn table(ops: Option<&str>, admin: Option<&str>, audit: Option<&str>) -> &'static [TableEntry] {
        leak_table(build_operators(ops, admin, audit).unwrap())
    }

    #[test]
    fn older_tokens_are_operators_admin_and_auditor() {
        let t = table(None, Some(A), Some(R));
        let p = authenticate(Some(&format!("Bearer {A}")), t).unwrap();
        assert_eq!(p.name, "admin");
        assert!(p.require(Right::Revoke).is_ok());
        let p = authenticate(Some(&format!("bearer  {R} ")), t).unwrap();
        assert_eq!(p.name, "auditor");
        assert!(p.require(Right::ReadAudit).is_ok());
        assert_eq!(p.require(Right::Revoke).unwrap_err().status, 403);
        for bad in [None, Some(""), Some("Bearer"), Some("Bearer "), Some(A), Some("Basic xyz"), Some("Bearer wrong")] {
            assert_eq!(authenticate(bad, t).unwrap_err().status, 401, "{bad:?}");
        }
        // Nothing configured: nothing is accepted.
        assert_eq!(authenticate(Some(&format!("Bearer {A}")), table(None, None, None)).unwrap_err().status, 401);
    }

    #[test]
    fn named_operators_by_token_hash() {
        let ops = format!(
            "alice:{}, bob:{}:admin ,pub-1:{}:publisher,audit.team@x:{}:auditor",
            sha("alice-token"),
            sha("bob-token").to_ascii_uppercase(),
            sha("pub-token"),
            sha("aud-token")
        );
        let t = table(Some(&ops), Some(A), None);
        let who = |tok: &str| authenticate(Some(&format!("Bearer {tok}")), t).map(|p| (p.name, p.role));
        assert_eq!(who("alice-token").unwrap(), ("alice", Role::Admin));
        assert_eq!(who("bob-token").unwrap(), ("bob", Role::Admin));
        assert_eq!(who("pub-token").unwrap(), ("pub-1", Role::Publisher));
        assert_eq!(who("aud-token").unwrap(), ("audit.team@x", Role::Auditor));
        assert_eq!(who(A).unwrap(), ("admin", Role::Admin));
        // The hash is not the token.
        assert_eq!(who(&sha("alice-token")).unwrap_err().status, 401);
        let p = authenticate(Some("Bearer pub-token"), t).unwrap();
        assert!(p.require(Right::PublishStatus).is_ok());
        assert_eq!(p.require(Right::Revoke).unwrap_err().status, 403);

        // Rotation: old and new token of one operator are two entries for a while — two names.
        let rot = format!("alice:{},alice-2:{}", sha("old"), sha("new"));
        let t = table(Some(&rot), None, None);
        assert_eq!(authenticate(Some("Bearer old"), t).unwrap().name, "alice");
        assert_eq!(authenticate(Some("Bearer new"), t).unwrap().name, "alice-2");
    }

    #[test]
    fn malformed_tables_are_refused() {
        let h = sha("x");
        for bad in [
            format!("alice:{h}:root"),
            "alice:1234".to_owned(),
            format!("al ice:{h}"),
            format!(":{h}"),
            format!("alice:{h}:admin:extra"),
            format!("alice:{h},alice:{}", sha("y")),
            format!("alice:{h},bob:{h}"),
            format!("admin:{}", sha("y")),
        ] {
            assert!(build_operators(Some(&bad), Some(A), None).is_err(), "{bad}");
        }
        assert!(build_operators(Some(&format!("alice:{h}:zz")), None, None).unwrap_err().contains("entry 1"));
        assert!(operator_table(Some("nonsense"), None, None).is_err());
        assert!(operator_table(Some(&format!("alice:{h}")), None, None).is_ok());
        assert!(build_operators(Some(" , "), None, None).unwrap().is_empty());
    }

    #[test]
    fn the_signer_may_only_sign() {
        let s = "signer-token-0123456789abcdef0123456789";
        let ops = format!("sig-2:{}:signer", sha("sig2-token"));
        let t = leak_table(build_operators_with_signer(Some(&ops), Some(A), Some(R), Some(s)).unwrap());
        for tok in [s, "sig2-token"] {
            let p = authenticate(Some(&format!("Bearer {tok}")), t).unwrap();
            assert_eq!(p.role, Role::Signer);
            assert!(p.require(Right::Sign).is_ok());
            for other in [Right::RegisterCertificates, Right::Revoke, Right::ReadAudit, Right::ReadJobs] {
                assert_eq!(p.require(other).unwrap_err().status, 403);
            }
        }
        let audit = authenticate(Some(&format!("Bearer {R}")), t).unwrap();
        assert!(audit.require(Right::ReadJobs).is_ok() && audit.require(Right::Sign).is_err());
        assert!(authenticate(Some(&format!("Bearer {A}")), t).unwrap().require(Right::Sign).is_ok());
        // The name "signer" is taken by SIGNER_TOKEN.
        assert!(build_operators_with_signer(Some(&format!("signer:{}", sha("x"))), None, None, Some(s)).is_err());
    }
}
