//! `POST /v1/verify`: a PDF in, the verdict of the core (`ecert-verify`) out, with status filled from D1.

use worker::{Request, Response};

use super::Ctx;
use crate::config::{self, DEFAULT_VERIFY_LIMIT};
use crate::error::{ApiError, ApiResult};
use crate::http;
use crate::rate_limit;

pub async fn post(req: &mut Request, ctx: &Ctx) -> ApiResult<Response> {
    let limit = config::max_verify_bytes(&ctx.env);
    match http::content_type(req).as_deref() {
        Some("application/pdf") | Some("application/octet-stream") => {}
        _ => return Err(ApiError::unsupported_media_type("application/pdf")),
    }
    let key = config::lookup_key(&ctx.env)?;
    let spec = config::rate_limit(&ctx.env, "VERIFY_RATE_LIMIT", DEFAULT_VERIFY_LIMIT);
    rate_limit::check(&ctx.db, "verify", &ctx.client(req), &key, spec, ctx.now).await?;
    let _pdf = http::read_body(req, limit).await?;
    Err(ApiError::new(501, "VERIFY_UNAVAILABLE", "验证核心尚未接入", "the verification core is not wired in yet"))
}
