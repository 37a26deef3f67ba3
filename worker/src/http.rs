//! Request bodies with size caps, JSON parsing with typed errors, and JSON responses with CORS.

use futures_util::StreamExt as _;
use serde::Serialize;
use serde::de::DeserializeOwned;
use worker::{Headers, Request, Response};

use crate::error::{ApiError, ApiResult};

/// Headers every response carries.
fn base_headers(content_type: &str) -> ApiResult<Headers> {
    let h = Headers::new();
    h.set("content-type", content_type)?;
    h.set("x-content-type-options", "nosniff")?;
    Ok(h)
}

/// A JSON response.
pub fn json<T: Serialize + ?Sized>(status: u16, value: &T) -> ApiResult<Response> {
    let body = serde_json::to_vec(value).map_err(|e| ApiError::internal("serialise response", e))?;
    bytes(status, "application/json; charset=utf-8", body)
}

/// A response with a body of the given type.
pub fn bytes(status: u16, content_type: &str, body: Vec<u8>) -> ApiResult<Response> {
    let headers = base_headers(content_type)?;
    Ok(Response::from_bytes(body)?.with_status(status).with_headers(headers))
}

/// An empty response (e.g. 304, 204).
pub fn empty(status: u16) -> ApiResult<Response> {
    let headers = Headers::new();
    Ok(Response::empty()?.with_status(status).with_headers(headers))
}

/// The JSON response for an error.
pub fn error_response(e: &ApiError) -> Response {
    let body = serde_json::to_vec(&e.body()).unwrap_or_else(|_| b"{\"code\":\"INTERNAL\"}".to_vec());
    let resp = match Response::from_bytes(body) {
        Ok(r) => r.with_status(e.status),
        Err(_) => {
            return Response::empty().map(|r| r.with_status(500)).unwrap_or_else(|_| fallback());
        }
    };
    let h = resp.headers();
    let _ = h.set("content-type", "application/json; charset=utf-8");
    let _ = h.set("x-content-type-options", "nosniff");
    let _ = h.set("cache-control", "no-store");
    if let Some(s) = e.retry_after {
        let _ = h.set("retry-after", &s.to_string());
    }
    if let Some(allow) = e.extra.get("allow").and_then(|v| v.as_str()) {
        let _ = h.set("allow", allow);
    }
    resp
}

fn fallback() -> Response {
    // Building an empty response cannot fail in practice; keep a last resort without panicking.
    Response::from_bytes(Vec::new()).unwrap_or_else(|_| Response::builder().fixed(Vec::new()))
}

/// Set a header on a response, ignoring the (impossible for valid names) error.
pub fn set_header(resp: &mut Response, name: &str, value: &str) {
    let _ = resp.headers_mut().set(name, value);
}

/// Allow any origin to read a public endpoint's answer (no credentials are involved).
pub fn add_cors(resp: &mut Response) {
    set_header(resp, "access-control-allow-origin", "*");
    set_header(
        resp,
        "access-control-expose-headers",
        "etag, retry-after, x-ecert-status-sequence, x-ecert-status-base-sequence, x-ecert-status-issued-at",
    );
}

/// The answer to a CORS preflight on a public endpoint.
pub fn preflight() -> ApiResult<Response> {
    let mut r = empty(204)?;
    add_cors(&mut r);
    set_header(&mut r, "access-control-allow-methods", "GET, POST, OPTIONS");
    set_header(&mut r, "access-control-allow-headers", "content-type, if-none-match");
    set_header(&mut r, "access-control-max-age", "86400");
    Ok(r)
}

/// The media type of the request body, lowercased, without parameters.
pub fn content_type(req: &Request) -> Option<String> {
    let v = req.headers().get("content-type").ok().flatten()?;
    let main = v.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    (!main.is_empty()).then_some(main)
}

/// Read the whole body, refusing more than `limit` bytes with 413 — before reading when `Content-Length`
/// says so, otherwise as soon as the stream passes the limit.
pub async fn read_body(req: &mut Request, limit: usize) -> ApiResult<Vec<u8>> {
    if let Some(len) = req.headers().get("content-length").ok().flatten().and_then(|v| v.trim().parse::<u64>().ok())
        && len > limit as u64
    {
        return Err(ApiError::payload_too_large(limit));
    }
    let mut stream = match req.stream() {
        Ok(s) => s,
        // No body at all.
        Err(_) => return Ok(Vec::new()),
    };
    let mut out = Vec::new();
    while let Some(chunk) = stream.next().await {
        let chunk =
            chunk.map_err(|e| ApiError::bad_request("无法读取请求体", format!("could not read the body: {e}")))?;
        if out.len() + chunk.len() > limit {
            return Err(ApiError::payload_too_large(limit));
        }
        out.extend_from_slice(&chunk);
    }
    Ok(out)
}

/// Parse a JSON body into `T`: syntax errors are `MALFORMED_JSON`, shape errors `INVALID_REQUEST` (both 400).
pub fn parse_json<T: DeserializeOwned>(body: &[u8]) -> ApiResult<T> {
    serde_json::from_slice(body).map_err(|e| match e.classify() {
        serde_json::error::Category::Data => ApiError::new(
            400,
            "INVALID_REQUEST",
            format!("请求字段不符合要求：{e}"),
            format!("the request does not have the expected fields: {e}"),
        ),
        _ => ApiError::malformed_json(&e.to_string()),
    })
}

/// Read and parse a JSON body (at most [`crate::config::MAX_JSON_BYTES`]).
pub async fn read_json<T: DeserializeOwned>(req: &mut Request) -> ApiResult<T> {
    let body = read_body(req, crate::config::MAX_JSON_BYTES).await?;
    parse_json(&body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct T {
        a: u32,
    }

    #[test]
    fn json_errors_are_typed() {
        assert_eq!(parse_json::<T>(b"{\"a\":1").unwrap_err().code, "MALFORMED_JSON");
        assert_eq!(parse_json::<T>(b"not json").unwrap_err().code, "MALFORMED_JSON");
        assert_eq!(parse_json::<T>(b"").unwrap_err().code, "MALFORMED_JSON");
        assert_eq!(parse_json::<T>(b"{\"a\":\"x\"}").unwrap_err().code, "INVALID_REQUEST");
        assert_eq!(parse_json::<T>(b"{\"a\":1,\"b\":2}").unwrap_err().code, "INVALID_REQUEST");
        assert!(parse_json::<T>(b"{\"a\":1}").is_ok());
    }
}
