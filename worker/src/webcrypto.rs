//! The runtime's WebCrypto (`globalThis.crypto`), reached through js_sys: random bytes (`getRandomValues`) and
//! PBKDF2-HMAC-SHA256 (`crypto.subtle.importKey` + `deriveBits`), which workerd runs natively (BoringSSL) — far
//! faster than the same loop in wasm, so the iteration count can be the platform's maximum.
//!
//! workerd refuses PBKDF2 above 100 000 iterations ("Pbkdf2 failed: iteration counts above 100000 are not
//! supported"), so that is [`crate::holder::password::ITERATIONS`].

use js_sys::{Array, Object, Reflect, Uint8Array};
use wasm_bindgen::{JsCast as _, JsValue};
use worker::wasm_bindgen_futures::JsFuture;

use crate::error::{ApiError, ApiResult};

fn get(target: &JsValue, key: &str) -> ApiResult<JsValue> {
    Reflect::get(target, &JsValue::from_str(key))
        .ok()
        .filter(|v| !v.is_undefined() && !v.is_null())
        .ok_or_else(|| ApiError::internal("webcrypto", format!("{key} missing")))
}

fn call(target: &JsValue, method: &str, args: &[JsValue]) -> ApiResult<JsValue> {
    let f: js_sys::Function = get(target, method)?
        .dyn_into()
        .map_err(|_| ApiError::internal("webcrypto", format!("{method} not callable")))?;
    let list: Array = args.iter().collect();
    Reflect::apply(&f, target, &list).map_err(|e| ApiError::internal("webcrypto", format!("{method}: {e:?}")))
}

fn crypto() -> ApiResult<JsValue> {
    get(&js_sys::global().into(), "crypto")
}

/// `n` bytes from the runtime's CSPRNG (`crypto.getRandomValues`); fails closed (never a weaker source).
pub fn random_bytes(n: usize) -> ApiResult<Vec<u8>> {
    let buf = Uint8Array::new_with_length(u32::try_from(n).map_err(|_| ApiError::internal("random", "length"))?);
    call(&crypto()?, "getRandomValues", &[buf.clone().into()])?;
    let out = buf.to_vec();
    if out.len() != n {
        return Err(ApiError::internal("random", "short read"));
    }
    Ok(out)
}

/// 32 random bytes.
pub fn random32() -> ApiResult<[u8; 32]> {
    let v = random_bytes(32)?;
    <[u8; 32]>::try_from(v.as_slice()).map_err(|_| ApiError::internal("random", "length"))
}

/// PBKDF2-HMAC-SHA256(`secret`, `salt`, `iterations`) → 32 bytes, by WebCrypto.
pub async fn pbkdf2_sha256(secret: &[u8], salt: &[u8], iterations: u32) -> ApiResult<[u8; 32]> {
    let subtle = get(&crypto()?, "subtle")?;
    let usages: Array = [JsValue::from_str("deriveBits")].iter().collect();
    let key_promise = call(
        &subtle,
        "importKey",
        &[
            JsValue::from_str("raw"),
            Uint8Array::from(secret).into(),
            JsValue::from_str("PBKDF2"),
            JsValue::FALSE,
            usages.into(),
        ],
    )?;
    let key = JsFuture::from(js_sys::Promise::from(key_promise))
        .await
        .map_err(|e| ApiError::internal("pbkdf2 importKey", format!("{e:?}")))?;
    let params = Object::new();
    let set = |k: &str, v: JsValue| {
        Reflect::set(&params, &JsValue::from_str(k), &v).map_err(|e| ApiError::internal("pbkdf2", format!("{e:?}")))
    };
    set("name", JsValue::from_str("PBKDF2"))?;
    set("hash", JsValue::from_str("SHA-256"))?;
    set("salt", Uint8Array::from(salt).into())?;
    set("iterations", JsValue::from_f64(f64::from(iterations)))?;
    let bits_promise = call(&subtle, "deriveBits", &[params.into(), key, JsValue::from_f64(256.0)])?;
    let bits = JsFuture::from(js_sys::Promise::from(bits_promise))
        .await
        .map_err(|e| ApiError::internal("pbkdf2 deriveBits", format!("{e:?}")))?;
    let out = Uint8Array::new(&bits).to_vec();
    <[u8; 32]>::try_from(out.as_slice()).map_err(|_| ApiError::internal("pbkdf2", "not 32 bytes"))
}
