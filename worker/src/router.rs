//! Method + path → route. Pure, so the table is unit-tested natively.

use worker::Method;

use crate::error::{ApiError, ApiResult};

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
}

/// Resolve a request. Unknown paths are 404 `ROUTE_NOT_FOUND`, known paths with another method 405.
pub fn resolve(method: &Method, path: &str) -> ApiResult<Route> {
    let path = path.strip_suffix('/').filter(|p| !p.is_empty()).unwrap_or(path);
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let (allow, route): (&str, Option<Route>) = match segments.as_slice() {
        ["v1", "scope"] => ("GET, HEAD", get(method).then_some(Route::Scope)),
        ["v1", "trust-list"] => ("GET, HEAD", get(method).then_some(Route::TrustList)),
        ["v1", "noop"] => ("GET, HEAD", get(method).then_some(Route::Noop)),
        ["v1", "status", "snapshot"] => ("GET, HEAD", get(method).then_some(Route::StatusSnapshot)),
        ["v1", "status", "delta"] => ("GET, HEAD", get(method).then_some(Route::StatusDelta)),
        ["v1", "status", prefix] => ("GET, HEAD", get(method).then(|| Route::Status((*prefix).to_owned()))),
        ["v1", "lookup"] => ("POST", (*method == Method::Post).then_some(Route::Lookup)),
        ["v1", "verify"] => ("POST", (*method == Method::Post).then_some(Route::Verify)),
        ["v1", "admin", "certificates"] => ("POST", (*method == Method::Post).then_some(Route::AdminCertificates)),
        ["v1", "admin", "revocations"] => ("POST", (*method == Method::Post).then_some(Route::AdminRevocations)),
        ["v1", "admin", "trust-list"] => ("PUT", (*method == Method::Put).then_some(Route::AdminTrustList)),
        ["v1", "admin", "audit"] => ("GET", get(method).then_some(Route::AdminAudit)),
        ["v1", "admin", "status", "universe"] => ("GET", get(method).then_some(Route::AdminStatusUniverse)),
        ["v1", "admin", "status", "snapshot"] => {
            ("PUT", (*method == Method::Put).then_some(Route::AdminStatusSnapshot))
        }
        ["v1", "admin", "shards"] => (
            "GET, HEAD, POST",
            matches!(method, Method::Get | Method::Head | Method::Post).then_some(Route::AdminShards),
        ),
        ["v1", "admin", "shards", "copy"] => ("POST", (*method == Method::Post).then_some(Route::AdminShardsCopy)),
        _ => return Err(ApiError::route_not_found()),
    };
    if let Some(route) = route {
        return Ok(route);
    }
    let public = !matches!(segments.get(1), Some(&"admin"));
    if *method == Method::Options && public {
        return Ok(Route::Preflight);
    }
    Err(ApiError::method_not_allowed(allow))
}

fn get(method: &Method) -> bool {
    matches!(method, Method::Get | Method::Head)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table() {
        assert_eq!(resolve(&Method::Get, "/v1/scope").unwrap(), Route::Scope);
        assert_eq!(resolve(&Method::Get, "/v1/scope/").unwrap(), Route::Scope);
        assert_eq!(resolve(&Method::Get, "/v1/status/ab12").unwrap(), Route::Status("ab12".into()));
        assert_eq!(resolve(&Method::Head, "/v1/status/snapshot").unwrap(), Route::StatusSnapshot);
        assert_eq!(resolve(&Method::Get, "/v1/status/delta").unwrap(), Route::StatusDelta);
        assert_eq!(resolve(&Method::Put, "/v1/admin/status/snapshot").unwrap(), Route::AdminStatusSnapshot);
        assert_eq!(resolve(&Method::Get, "/v1/admin/status/universe").unwrap(), Route::AdminStatusUniverse);
        assert_eq!(resolve(&Method::Put, "/v1/status/snapshot").unwrap_err().status, 405);
        assert!(!Route::AdminStatusSnapshot.is_public() && Route::StatusDelta.is_public());
        assert_eq!(resolve(&Method::Post, "/v1/lookup").unwrap(), Route::Lookup);
        assert_eq!(resolve(&Method::Put, "/v1/admin/trust-list").unwrap(), Route::AdminTrustList);
        assert_eq!(resolve(&Method::Options, "/v1/lookup").unwrap(), Route::Preflight);
        let e = resolve(&Method::Get, "/v1/lookup").unwrap_err();
        assert_eq!((e.status, e.body()["allow"].as_str()), (405, Some("POST")));
        assert_eq!(resolve(&Method::Options, "/v1/admin/audit").unwrap_err().status, 405);
        assert_eq!(resolve(&Method::Get, "/v1/nothing").unwrap_err().status, 404);
        assert_eq!(resolve(&Method::Get, "/v1/status/ab12/x").unwrap_err().status, 404);
        assert!(!Route::AdminAudit.is_public() && Route::Verify.is_public());
    }
}
