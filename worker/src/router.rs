//! Method + path → route. Pure, so the table is unit-tested natively.
//!
//! The method is the request's own token (`web_sys::Request::method()`), not workers-rs's `Method`: that enum maps
//! every method it does not know (`QUERY`, `PROPFIND`, …) to `Get`, which would route them as GETs. Here only the
//! exact tokens `GET`, `HEAD`, `POST`, `PUT` and `OPTIONS` route; anything else on a known path is 405 with `Allow`.

use crate::error::{ApiError, ApiResult};

/// The methods the worker routes (the request's method token, exactly).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    Get,
    Head,
    Post,
    Put,
    Options,
    /// Any other token (`QUERY`, `DELETE`, `PATCH`, `TRACE`, lowercase `get`, …): never routed.
    Other,
}

impl Method {
    /// From the method token of the request line. The Fetch standard upper-cases the six standard methods'
    /// names in any case (`get` → `GET`) before a worker sees them; every other token arrives as sent and is
    /// [`Method::Other`].
    pub fn parse(token: &str) -> Method {
        match token {
            "GET" => Method::Get,
            "HEAD" => Method::Head,
            "POST" => Method::Post,
            "PUT" => Method::Put,
            "OPTIONS" => Method::Options,
            _ => Method::Other,
        }
    }
}

/// Every endpoint of the worker (docs/openapi.yaml).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Route {
    Scope,
    TrustList,
    Lookup,
    /// The bucket prefix as given (validated by the handler).
    Status(String),
    /// The current signed status snapshot / its delta.
    StatusSnapshot,
    StatusDelta,
    Verify,
    Noop,
    AdminCertificates,
    AdminRevocations,
    AdminTrustList,
    AdminAudit,
    AdminStatusUniverse,
    AdminStatusSnapshot,
    AdminShards,
    AdminShardsCopy,
    /// `GET /v1/admin/jobs`: 加注 jobs for operators.
    AdminJobs,
    /// `PUT /v1/admin/certificates/{管理号}/pdf`: a base PDF.
    AdminCertificatePdf(String),
    /// `POST /v1/admin/annotations`: an earlier sealed 加注 copy, as a done job.
    AdminAnnotations,
    HolderRegister,
    HolderLogin,
    HolderLogout,
    HolderSession,
    HolderCertificates,
    /// `POST /v1/holder/certificates/{管理号}/annotations`.
    HolderApply(String),
    /// `GET /v1/holder/certificates/{管理号}/annotations/{job_id}/pdf`.
    HolderAnnotationPdf(String, String),
    /// `GET /v1/holder/certificates/{管理号}/pdf`.
    HolderBasePdf(String),
    HolderDeleteAccount,
    SignerClaim,
    /// `PUT /v1/signer/jobs/{job_id}/pdf`.
    SignerUpload(String),
    /// `POST /v1/signer/jobs/{job_id}/fail`.
    SignerFail(String),
    /// A CORS preflight on a public endpoint.
    Preflight,
    /// A CORS preflight on `/v1/lookup` (answered only for the configured origins).
    LookupPreflight,
}

impl Route {
    /// Public endpoints answer any origin (CORS `*`); admin, holder and signer endpoints do not.
    pub fn is_public(&self) -> bool {
        !self.is_holder()
            && !matches!(
                self,
                Route::AdminCertificates
                    | Route::AdminRevocations
                    | Route::AdminTrustList
                    | Route::AdminAudit
                    | Route::AdminStatusUniverse
                    | Route::AdminStatusSnapshot
                    | Route::AdminShards
                    | Route::AdminShardsCopy
                    | Route::AdminJobs
                    | Route::AdminCertificatePdf(_)
                    | Route::AdminAnnotations
                    | Route::SignerClaim
                    | Route::SignerUpload(_)
                    | Route::SignerFail(_)
            )
    }

    /// The holder API (`/v1/holder/*`): same origin only, session cookie.
    pub fn is_holder(&self) -> bool {
        matches!(
            self,
            Route::HolderRegister
                | Route::HolderLogin
                | Route::HolderLogout
                | Route::HolderSession
                | Route::HolderCertificates
                | Route::HolderApply(_)
                | Route::HolderAnnotationPdf(..)
                | Route::HolderBasePdf(_)
                | Route::HolderDeleteAccount
        )
    }

    /// Whether cross-origin reads are limited to the configured origins (`LOOKUP_ALLOWED_ORIGINS`) instead of `*`.
    pub fn origin_restricted(&self) -> bool {
        matches!(self, Route::Lookup)
    }
}

/// Resolve a request. Unknown paths are 404 `ROUTE_NOT_FOUND`, known paths with another method 405.
pub fn resolve(method: Method, path: &str) -> ApiResult<Route> {
    let path = path.strip_suffix('/').filter(|p| !p.is_empty()).unwrap_or(path);
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let (allow, route): (&str, Option<Route>) = match segments.as_slice() {
        ["v1", "scope"] => ("GET, HEAD", get(method).then_some(Route::Scope)),
        ["v1", "trust-list"] => ("GET, HEAD", get(method).then_some(Route::TrustList)),
        ["v1", "noop"] => ("GET, HEAD", get(method).then_some(Route::Noop)),
        ["v1", "status", "snapshot"] => ("GET, HEAD", get(method).then_some(Route::StatusSnapshot)),
        ["v1", "status", "delta"] => ("GET, HEAD", get(method).then_some(Route::StatusDelta)),
        ["v1", "status", prefix] => ("GET, HEAD", get(method).then(|| Route::Status((*prefix).to_owned()))),
        ["v1", "lookup"] => ("POST", (method == Method::Post).then_some(Route::Lookup)),
        ["v1", "verify"] => ("POST", (method == Method::Post).then_some(Route::Verify)),
        ["v1", "admin", "certificates"] => ("POST", (method == Method::Post).then_some(Route::AdminCertificates)),
        ["v1", "admin", "revocations"] => ("POST", (method == Method::Post).then_some(Route::AdminRevocations)),
        ["v1", "admin", "trust-list"] => ("PUT", (method == Method::Put).then_some(Route::AdminTrustList)),
        ["v1", "admin", "audit"] => ("GET", get(method).then_some(Route::AdminAudit)),
        ["v1", "admin", "status", "universe"] => ("GET", get(method).then_some(Route::AdminStatusUniverse)),
        ["v1", "admin", "status", "snapshot"] => ("PUT", (method == Method::Put).then_some(Route::AdminStatusSnapshot)),
        ["v1", "admin", "shards"] => (
            "GET, HEAD, POST",
            matches!(method, Method::Get | Method::Head | Method::Post).then_some(Route::AdminShards),
        ),
        ["v1", "admin", "shards", "copy"] => ("POST", (method == Method::Post).then_some(Route::AdminShardsCopy)),
        ["v1", "admin", "jobs"] => ("GET", get(method).then_some(Route::AdminJobs)),
        ["v1", "admin", "certificates", m, "pdf"] => {
            ("PUT", (method == Method::Put).then(|| Route::AdminCertificatePdf((*m).to_owned())))
        }
        ["v1", "admin", "annotations"] => ("POST", (method == Method::Post).then_some(Route::AdminAnnotations)),
        ["v1", "holder", "register"] => ("POST", (method == Method::Post).then_some(Route::HolderRegister)),
        ["v1", "holder", "login"] => ("POST", (method == Method::Post).then_some(Route::HolderLogin)),
        ["v1", "holder", "logout"] => ("POST", (method == Method::Post).then_some(Route::HolderLogout)),
        ["v1", "holder", "session"] => ("GET", get(method).then_some(Route::HolderSession)),
        ["v1", "holder", "certificates"] => ("GET", get(method).then_some(Route::HolderCertificates)),
        ["v1", "holder", "certificates", m, "annotations"] => {
            ("POST", (method == Method::Post).then(|| Route::HolderApply((*m).to_owned())))
        }
        ["v1", "holder", "certificates", m, "annotations", job, "pdf"] => {
            ("GET", get(method).then(|| Route::HolderAnnotationPdf((*m).to_owned(), (*job).to_owned())))
        }
        ["v1", "holder", "certificates", m, "pdf"] => {
            ("GET", get(method).then(|| Route::HolderBasePdf((*m).to_owned())))
        }
        ["v1", "holder", "account", "delete"] => {
            ("POST", (method == Method::Post).then_some(Route::HolderDeleteAccount))
        }
        ["v1", "signer", "jobs", "claim"] => ("POST", (method == Method::Post).then_some(Route::SignerClaim)),
        ["v1", "signer", "jobs", job, "pdf"] => {
            ("PUT", (method == Method::Put).then(|| Route::SignerUpload((*job).to_owned())))
        }
        ["v1", "signer", "jobs", job, "fail"] => {
            ("POST", (method == Method::Post).then(|| Route::SignerFail((*job).to_owned())))
        }
        _ => return Err(ApiError::route_not_found()),
    };
    if let Some(route) = route {
        return Ok(route);
    }
    let public = !matches!(segments.get(1), Some(&"admin") | Some(&"holder") | Some(&"signer"));
    if method == Method::Options && public {
        return Ok(if segments.get(1) == Some(&"lookup") { Route::LookupPreflight } else { Route::Preflight });
    }
    Err(ApiError::method_not_allowed(allow))
}

fn get(method: Method) -> bool {
    matches!(method, Method::Get | Method::Head)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table() {
        assert_eq!(resolve(Method::Get, "/v1/scope").unwrap(), Route::Scope);
        assert_eq!(resolve(Method::Get, "/v1/scope/").unwrap(), Route::Scope);
        assert_eq!(resolve(Method::Get, "/v1/status/ab12").unwrap(), Route::Status("ab12".into()));
        assert_eq!(resolve(Method::Head, "/v1/status/snapshot").unwrap(), Route::StatusSnapshot);
        assert_eq!(resolve(Method::Get, "/v1/status/delta").unwrap(), Route::StatusDelta);
        assert_eq!(resolve(Method::Put, "/v1/admin/status/snapshot").unwrap(), Route::AdminStatusSnapshot);
        assert_eq!(resolve(Method::Get, "/v1/admin/status/universe").unwrap(), Route::AdminStatusUniverse);
        assert_eq!(resolve(Method::Put, "/v1/status/snapshot").unwrap_err().status, 405);
        assert!(!Route::AdminStatusSnapshot.is_public() && Route::StatusDelta.is_public());
        assert_eq!(resolve(Method::Post, "/v1/lookup").unwrap(), Route::Lookup);
        assert_eq!(resolve(Method::Put, "/v1/admin/trust-list").unwrap(), Route::AdminTrustList);
        assert_eq!(resolve(Method::Options, "/v1/lookup").unwrap(), Route::LookupPreflight);
        assert_eq!(resolve(Method::Options, "/v1/scope").unwrap(), Route::Preflight);
        assert!(Route::Lookup.origin_restricted() && !Route::Verify.origin_restricted());
        let e = resolve(Method::Get, "/v1/lookup").unwrap_err();
        assert_eq!((e.status, e.body()["allow"].as_str()), (405, Some("POST")));
        assert_eq!(resolve(Method::Options, "/v1/admin/audit").unwrap_err().status, 405);
        assert_eq!(resolve(Method::Get, "/v1/nothing").unwrap_err().status, 404);
        assert_eq!(resolve(Method::Get, "/v1/status/ab12/x").unwrap_err().status, 404);
        assert!(!Route::AdminAudit.is_public() && Route::Verify.is_public());
    }

    #[test]
    fn holder_and_signer_routes() {
        assert_eq!(resolve(Method::Post, "/v1/holder/register").unwrap(), Route::HolderRegister);
        assert_eq!(resolve(Method::Get, "/v1/holder/session").unwrap(), Route::HolderSession);
        assert_eq!(
            resolve(Method::Post, "/v1/holder/certificates/202303151001/annotations").unwrap(),
            Route::HolderApply("202303151001".into())
        );
        assert_eq!(
            resolve(Method::Get, "/v1/holder/certificates/M1/annotations/J1/pdf").unwrap(),
            Route::HolderAnnotationPdf("M1".into(), "J1".into())
        );
        assert_eq!(resolve(Method::Get, "/v1/holder/certificates/M1/pdf").unwrap(), Route::HolderBasePdf("M1".into()));
        assert_eq!(resolve(Method::Put, "/v1/signer/jobs/J1/pdf").unwrap(), Route::SignerUpload("J1".into()));
        assert_eq!(resolve(Method::Post, "/v1/signer/jobs/J1/fail").unwrap(), Route::SignerFail("J1".into()));
        assert_eq!(
            resolve(Method::Put, "/v1/admin/certificates/M1/pdf").unwrap(),
            Route::AdminCertificatePdf("M1".into())
        );
        for r in [Route::HolderRegister, Route::HolderCertificates, Route::SignerClaim, Route::AdminJobs] {
            assert!(!r.is_public(), "{r:?}");
        }
        assert!(Route::HolderLogin.is_holder() && !Route::SignerClaim.is_holder());
        // No CORS preflight is ever granted on them.
        assert_eq!(resolve(Method::Options, "/v1/holder/login").unwrap_err().status, 405);
        assert_eq!(resolve(Method::Options, "/v1/signer/jobs/claim").unwrap_err().status, 405);
        assert_eq!(resolve(Method::Get, "/v1/holder/login").unwrap_err().status, 405);
    }

    #[test]
    fn unknown_methods_are_405_never_get() {
        for token in ["QUERY", "PROPFIND", "DELETE", "PATCH", "TRACE", "CONNECT", "get", "Get", "FOO"] {
            let m = Method::parse(token);
            assert_eq!(m, Method::Other, "{token}");
            for path in ["/v1/scope", "/v1/lookup", "/v1/status/ab12", "/v1/admin/certificates", "/v1/noop"] {
                let e = resolve(m, path).unwrap_err();
                assert_eq!((e.status, e.code), (405, "METHOD_NOT_ALLOWED"), "{token} {path}");
                assert!(e.body()["allow"].as_str().is_some_and(|a| !a.is_empty()));
            }
            assert_eq!(resolve(m, "/v1/nothing").unwrap_err().status, 404);
        }
        assert_eq!(resolve(Method::parse("GET"), "/v1/scope").unwrap(), Route::Scope);
        assert_eq!(resolve(Method::parse("HEAD"), "/v1/scope").unwrap(), Route::Scope);
    }
}
