//! Request bodies with size caps and time limits, strict JSON parsing with typed errors, and JSON responses with
//! CORS.

use std::cell::Cell;
use std::fmt;
use std::time::Duration;

use futures_util::StreamExt as _;
use futures_util::future::{Either, select};
use serde::de::{self, DeserializeOwned, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use worker::{Headers, Request, Response};

use crate::config::BodyTimeouts;
use crate::error::{ApiError, ApiResult};

thread_local! {
    /// This isolate's body time limits (configuration, the same for every request; set by the dispatcher before
    /// each request from `BODY_TIMEOUT_MS` / `BODY_DEADLINE_MS`).
    static BODY_TIMEOUTS: Cell<BodyTimeouts> = const { Cell::new(BodyTimeouts::DEFAULT) };
}

/// Set the time limits [`read_body`] applies (the dispatcher does, from configuration).
pub fn set_body_timeouts(t: BodyTimeouts) {
    BODY_TIMEOUTS.with(|c| c.set(t));
}

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

/// Response headers a cross-origin reader may see.
const EXPOSE_HEADERS: &str =
    "etag, retry-after, x-request-id, x-ecert-status-sequence, x-ecert-status-base-sequence, x-ecert-status-issued-at";

/// Allow any origin to read a public endpoint's answer (no credentials are involved).
pub fn add_cors(resp: &mut Response) {
    set_header(resp, "access-control-allow-origin", "*");
    set_header(resp, "access-control-expose-headers", EXPOSE_HEADERS);
}

/// Allow one (already checked) origin to read an origin-restricted answer; `None`: no `Access-Control-Allow-Origin`
/// at all. The answer depends on `Origin` either way, so caches are told (`Vary: Origin`).
pub fn add_cors_origin(resp: &mut Response, origin: Option<&str>) {
    set_header(resp, "vary", "Origin");
    if let Some(origin) = origin {
        set_header(resp, "access-control-allow-origin", origin);
        set_header(resp, "access-control-expose-headers", EXPOSE_HEADERS);
    }
}

/// The answer to a CORS preflight on `/v1/lookup` from an allowed origin (the dispatcher refuses the others and
/// sets the origin).
pub fn lookup_preflight() -> ApiResult<Response> {
    let mut r = empty(204)?;
    set_header(&mut r, "access-control-allow-methods", "POST, OPTIONS");
    set_header(&mut r, "access-control-allow-headers", "content-type");
    set_header(&mut r, "access-control-max-age", "86400");
    Ok(r)
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
/// says so, otherwise as soon as the stream passes the limit — and a body that stalls with 408: no piece of it
/// for [`BodyTimeouts::idle_ms`], or not complete after [`BodyTimeouts::total_ms`] (a slow drip).
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
    let timeouts = BODY_TIMEOUTS.with(Cell::get);
    let started = worker::Date::now().as_millis();
    let mut out = Vec::new();
    loop {
        let elapsed = worker::Date::now().as_millis().saturating_sub(started);
        let left = timeouts.total_ms.saturating_sub(elapsed);
        if left == 0 {
            return Err(ApiError::body_timeout(timeouts.total_ms));
        }
        let wait = left.min(timeouts.idle_ms);
        let next = std::pin::pin!(stream.next());
        let timer = std::pin::pin!(worker::Delay::from(Duration::from_millis(wait)));
        let chunk = match select(next, timer).await {
            Either::Left((Some(chunk), _)) => chunk,
            Either::Left((None, _)) => break,
            Either::Right(_) => return Err(ApiError::body_timeout(wait)),
        };
        let chunk =
            chunk.map_err(|e| ApiError::bad_request("无法读取请求体", format!("could not read the body: {e}")))?;
        if out.len() + chunk.len() > limit {
            return Err(ApiError::payload_too_large(limit));
        }
        out.extend_from_slice(&chunk);
    }
    Ok(out)
}

/// A JSON value read strictly: an object with the same key twice, at any depth, is refused (serde_json would keep
/// the last one, so two readers of one body could see different values).
struct Strict(Value);

impl<'de> Deserialize<'de> for Strict {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Strict, D::Error> {
        d.deserialize_any(StrictVisitor).map(Strict)
    }
}

struct StrictVisitor;

impl<'de> Visitor<'de> for StrictVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        while let Some(Strict(v)) = seq.next_element()? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if out.contains_key(&key) {
                return Err(de::Error::custom(DuplicateKey(key)));
            }
            let Strict(v) = map.next_value()?;
            out.insert(key, v);
        }
        Ok(Value::Object(out))
    }
}

/// The message of a duplicate-key error (the only data error reading a [`Strict`] value can give).
struct DuplicateKey(String);

impl fmt::Display for DuplicateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "duplicate key {:?}", self.0)
    }
}

/// Parse a JSON body strictly into a value: syntax errors are `MALFORMED_JSON`, an object with a repeated key
/// `DUPLICATE_KEY` (both 400). Every JSON body the edge reads goes through here.
pub fn parse_json_value(body: &[u8]) -> ApiResult<Value> {
    match serde_json::from_slice::<Strict>(body) {
        Ok(Strict(v)) => Ok(v),
        Err(e) if e.classify() == serde_json::error::Category::Data => Err(ApiError::duplicate_key(&e.to_string())),
        Err(e) => Err(ApiError::malformed_json(&e.to_string())),
    }
}

/// Parse a JSON body into `T`: syntax errors are `MALFORMED_JSON`, repeated keys `DUPLICATE_KEY`, shape errors
/// `INVALID_REQUEST` (all 400). Every request body is a JSON object (docs/openapi.yaml): anything else is refused
/// here, before serde — whose derived structs also accept an array of their fields in order, so `[]` would pass as
/// a body whose fields all have defaults.
pub fn parse_json<T: DeserializeOwned>(body: &[u8]) -> ApiResult<T> {
    let value = parse_json_value(body)?;
    if !value.is_object() {
        return Err(ApiError::new(
            400,
            "INVALID_REQUEST",
            "请求体应为JSON对象",
            "the request body must be a JSON object",
        ));
    }
    serde_json::from_value(value).map_err(|e| {
        ApiError::new(
            400,
            "INVALID_REQUEST",
            format!("请求字段不符合要求：{e}"),
            format!("the request does not have the expected fields: {e}"),
        )
    })
}

/// `deserialize_with` for an `i64` field: a JSON integer, also when written with a zero fraction (`5.0` is an integer
/// to JSON Schema, which the OpenAPI file's `integer` means); any other number is refused as the wrong type.
pub fn integral<'de, D: serde::Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    let n = serde_json::Number::deserialize(d)?;
    if let Some(i) = n.as_i64() {
        return Ok(i);
    }
    match n.as_f64() {
        // Exactly representable in i64: [-2^63, 2^63).
        #[allow(clippy::cast_possible_truncation)]
        Some(f) if f.fract() == 0.0 && (-9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0).contains(&f) => {
            Ok(f as i64)
        }
        _ => Err(de::Error::custom(format!("invalid type: number `{n}`, expected an integer (i64)"))),
    }
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
        assert_eq!(parse_json::<T>(b"{\"a\":1} x").unwrap_err().code, "MALFORMED_JSON");
        // serde would build `T` from `[1]` (a struct's fields in order): a body is an object or nothing.
        for not_object in [&b"[1]"[..], b"[]", b"1", b"\"a\"", b"null", b"true"] {
            assert_eq!(parse_json::<T>(not_object).unwrap_err().code, "INVALID_REQUEST");
        }
    }

    #[test]
    fn integral_numbers() {
        #[derive(Debug, serde::Deserialize)]
        struct N {
            #[serde(deserialize_with = "integral")]
            n: i64,
        }
        assert_eq!(parse_json::<N>(b"{\"n\":5}").unwrap().n, 5);
        assert_eq!(parse_json::<N>(b"{\"n\":5.0}").unwrap().n, 5);
        assert_eq!(parse_json::<N>(b"{\"n\":-3e2}").unwrap().n, -300);
        assert_eq!(parse_json::<N>(b"{\"n\":5.5}").unwrap_err().code, "INVALID_REQUEST");
        assert_eq!(parse_json::<N>(b"{\"n\":\"5\"}").unwrap_err().code, "INVALID_REQUEST");
    }

    #[test]
    fn duplicate_keys_are_refused_at_any_depth() {
        for body in [
            &b"{\"a\":1,\"a\":1}"[..],
            b"{\"a\":1,\"a\":2}",
            b"{\"x\":[{\"k\":1,\"k\":2}]}",
            b"{\"x\":{\"y\":{\"z\":null,\"z\":null}}}",
            b"[{\"records\":1},{\"r\":[],\"r\":[]}]",
            // The same key spelled with an escape is the same key.
            b"{\"a\":1,\"\\u0061\":2}",
        ] {
            let e = parse_json_value(body).unwrap_err();
            assert_eq!((e.status, e.code), (400, "DUPLICATE_KEY"), "{}", String::from_utf8_lossy(body));
            assert_eq!(parse_json::<Value>(body).unwrap_err().code, "DUPLICATE_KEY");
        }
        let v = parse_json_value(b"{\"a\":[1,-2,3.5,\"s\",true,null,{}],\"b\":{\"a\":1}}").unwrap();
        assert_eq!(v, serde_json::json!({"a": [1, -2, 3.5, "s", true, null, {}], "b": {"a": 1}}));
        assert_eq!(parse_json_value(b"{\"a\":1,").unwrap_err().code, "MALFORMED_JSON");
    }
}
