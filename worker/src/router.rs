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
    /// A CORS preflight on a public endpoint.
    Preflight,
    /// A CORS preflight on `/v1/lookup` (answered only for the configured origins).
    LookupPreflight,
}

impl Route {
    /// Public endpoints answer any origin (CORS `*`); admin endpoints do not.
    pub fn is_public(&self) -> bool {
        !matches!(
            self,
            Route::AdminCertificates
                | Route::AdminRevocations
                | Route::AdminTrustList
                | Route::AdminAudit
                | Route::AdminStatusUniverse
                | Route::AdminStatusSnapshot
                | Route::AdminShards
                | Route::AdminShardsCopy
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
        _ => return Err(ApiError::route_not_found()),
    };
    if let Some(route) = route {
        return Ok(route);
    }
    let public = !matches!(segments.get(1), Some(&"admin"));
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
