//! Typed API errors and their JSON bodies: `{ "code": "STABLE_CODE", "message": {"zh": "…", "en": "…"} }`.
//!
//! Every failure a handler can produce is an [`ApiError`]; the dispatcher turns it into a response. Codes are
//! stable (clients branch on them); messages are for people, Chinese first.

use serde::Serialize;
use serde_json::{Map, Value};

/// A message in both languages.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Message {
    pub zh: String,
    pub en: String,
}

impl Message {
    pub fn new(zh: impl Into<String>, en: impl Into<String>) -> Message {
        Message { zh: zh.into(), en: en.into() }
    }
}

/// Why a lookup found nothing. Only reasons that follow from the request alone are ever given, so a miss
/// never tells whether a number exists (see docs/edge.md).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NotFoundReason {
    /// No registered certificate matches all three fields (wrong information, or not issued: the edge does not
    /// say which).
    NoMatch,
    /// The 证件号码 or 姓名 cannot be right (GB 11643 check character, shape).
    InformationInvalid,
    /// The number is not of a form ecert issues: outside the verification scope.
    OutOfScope,
}

/// An error a route returns to the client.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiError {
    pub status: u16,
    pub code: &'static str,
    pub message: Message,
    /// Extra top-level fields (e.g. `reason`, `errors`, `retry_after`).
    pub extra: Map<String, Value>,
    /// Seconds for a `Retry-After` header.
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(status: u16, code: &'static str, zh: impl Into<String>, en: impl Into<String>) -> ApiError {
        ApiError { status, code, message: Message::new(zh, en), extra: Map::new(), retry_after: None }
    }

    /// Add a top-level field to the body.
    pub fn with(mut self, key: &str, value: impl Into<Value>) -> ApiError {
        self.extra.insert(key.to_owned(), value.into());
        self
    }

    pub fn bad_request(zh: impl Into<String>, en: impl Into<String>) -> ApiError {
        ApiError::new(400, "BAD_REQUEST", zh, en)
    }

    pub fn malformed_json(detail: &str) -> ApiError {
        ApiError::new(
            400,
            "MALFORMED_JSON",
            format!("请求体不是有效的JSON：{detail}"),
            format!("the request body is not valid JSON: {detail}"),
        )
    }

    /// An object in a JSON body names the same key twice (400 `DUPLICATE_KEY`, on every JSON endpoint).
    pub fn duplicate_key(detail: &str) -> ApiError {
        ApiError::new(
            400,
            "DUPLICATE_KEY",
            format!("请求体JSON中有重复的键：{detail}"),
            format!("the request body's JSON repeats a key: {detail}"),
        )
    }

    /// The request body stalled: no part of it for `waited_ms`, or not complete within the body's time limit.
    pub fn body_timeout(waited_ms: u64) -> ApiError {
        ApiError::new(
            408,
            "REQUEST_TIMEOUT",
            format!("请求体未在{waited_ms}毫秒内送达"),
            format!("the request body did not arrive within {waited_ms} ms"),
        )
        .with("timeout_ms", waited_ms)
    }

    /// A browser request from an origin not allowed to use this endpoint cross-origin.
    pub fn origin_not_allowed() -> ApiError {
        ApiError::new(
            403,
            "ORIGIN_NOT_ALLOWED",
            "该来源网站未获准跨域使用此接口",
            "this origin is not allowed to use this endpoint cross-origin",
        )
    }

    pub fn invalid_field(field: &str, zh: &str, en: &str) -> ApiError {
        ApiError::new(400, "INVALID_FIELD", format!("{field}：{zh}"), format!("{field}: {en}")).with("field", field)
    }

    pub fn payload_too_large(limit: usize) -> ApiError {
        ApiError::new(
            413,
            "PAYLOAD_TOO_LARGE",
            format!("请求体过大，上限为{}字节", limit),
            format!("the request body exceeds the limit of {limit} bytes"),
        )
        .with("limit_bytes", limit as u64)
    }

    pub fn unsupported_media_type(expected: &str) -> ApiError {
        ApiError::new(
            415,
            "UNSUPPORTED_MEDIA_TYPE",
            format!("请求体类型应为{expected}"),
            format!("the request body must be {expected}"),
        )
    }

    pub fn lookup_not_found(reason: NotFoundReason) -> ApiError {
        let (zh, en) = match reason {
            NotFoundReason::NoMatch => (
                "未查询到证书：信息有误或证书未颁发。",
                "No certificate found: the information is wrong or no such certificate was issued.",
            ),
            NotFoundReason::InformationInvalid => (
                "未查询到证书：所填信息有误（证件号码或姓名不符合规则）。",
                "No certificate found: the information is wrong (the ID number or name is not valid).",
            ),
            NotFoundReason::OutOfScope => (
                "未查询到证书：该编号不在本系统的查验范围内。",
                "No certificate found: the number is outside this service's verification scope.",
            ),
        };
        ApiError::new(404, "NOT_FOUND", zh, en).with("reason", serde_json::to_value(reason).unwrap_or(Value::Null))
    }

    pub fn route_not_found() -> ApiError {
        ApiError::new(404, "ROUTE_NOT_FOUND", "没有这个接口", "no such endpoint")
    }

    pub fn method_not_allowed(allow: &str) -> ApiError {
        ApiError::new(405, "METHOD_NOT_ALLOWED", "该接口不支持此请求方法", "method not allowed on this endpoint")
            .with("allow", allow)
    }

    pub fn unauthorized() -> ApiError {
        ApiError::new(401, "UNAUTHORIZED", "需要有效的管理令牌", "a valid administration token is required")
    }

    pub fn forbidden() -> ApiError {
        ApiError::new(403, "FORBIDDEN", "该令牌无权执行此操作", "this token may not perform this operation")
    }

    pub fn rate_limited(retry_after: u64) -> ApiError {
        let mut e = ApiError::new(
            429,
            "RATE_LIMITED",
            format!("请求过于频繁，请{retry_after}秒后再试"),
            format!("too many requests; retry in {retry_after} s"),
        )
        .with("retry_after", retry_after);
        e.retry_after = Some(retry_after);
        e
    }

    pub fn trust_list_unavailable() -> ApiError {
        ApiError::new(
            503,
            "TRUST_LIST_UNAVAILABLE",
            "尚未发布可用的信任列表",
            "no usable trust list has been published",
        )
    }

    /// Something failed inside the edge (D1, configuration). The detail goes to the log, not to the client.
    pub fn internal(context: &str, detail: impl std::fmt::Display) -> ApiError {
        worker_log(&format!("internal error: {context}: {detail}"));
        ApiError::new(500, "INTERNAL", "服务内部错误，请稍后再试", "internal error; please retry later")
    }

    pub fn misconfigured(what: &str) -> ApiError {
        worker_log(&format!("misconfigured: {what}"));
        ApiError::new(500, "MISCONFIGURED", "服务配置错误", "the service is misconfigured")
    }

    /// The JSON body.
    pub fn body(&self) -> Value {
        let mut m = Map::new();
        m.insert("code".into(), Value::from(self.code));
        m.insert("message".into(), serde_json::to_value(&self.message).unwrap_or(Value::Null));
        for (k, v) in &self.extra {
            m.insert(k.clone(), v.clone());
        }
        Value::Object(m)
    }
}

/// Log an error line (the worker's console.error on wasm32, stderr in native tests).
pub fn worker_log(line: &str) {
    #[cfg(target_arch = "wasm32")]
    worker::console_error!("{line}");
    #[cfg(not(target_arch = "wasm32"))]
    eprintln!("{line}");
}

/// Log an informational line (console.log on wasm32: wrangler prints it plainly, not as an error — the signer's
/// claim every two seconds is an operator request, not a failure).
pub fn worker_info(line: &str) {
    #[cfg(target_arch = "wasm32")]
    worker::console_log!("{line}");
    #[cfg(not(target_arch = "wasm32"))]
    eprintln!("{line}");
}

impl From<worker::Error> for ApiError {
    fn from(e: worker::Error) -> ApiError {
        ApiError::internal("runtime", e)
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_shape() {
        let e = ApiError::lookup_not_found(NotFoundReason::OutOfScope);
        let b = e.body();
        assert_eq!(b["code"], "NOT_FOUND");
        assert_eq!(b["reason"], "out_of_scope");
        assert!(b["message"]["zh"].as_str().unwrap().contains("查验范围"));
        assert!(b["message"]["en"].as_str().is_some());
        assert_eq!(ApiError::body_timeout(1500).status, 408);
        assert_eq!(ApiError::duplicate_key("k").code, "DUPLICATE_KEY");
        let r = ApiError::rate_limited(12);
        assert_eq!(r.retry_after, Some(12));
        assert_eq!(r.body()["retry_after"], 12);
    }
}
