//! D1 access: one module per table group. SQL lives here and in `worker/migrations/` (the control database) and
//! `worker/migrations/shard/` (every registry shard); nothing else in the worker builds queries. `shards` says which
//! shard a row lives in; `reshard` copies rows between shards during a move.

pub mod audit;
pub mod certificates;
pub mod copies;
pub mod holders;
pub mod jobs;
pub mod reshard;
pub mod shards;
pub mod status_publications;
pub mod trust_lists;

use wasm_bindgen::JsValue;
use worker::{D1Database, D1PreparedStatement};

use crate::error::{ApiError, ApiResult};

/// The database handle handed to the storage functions.
pub struct Db(pub D1Database);

/// A text parameter.
pub fn text(s: &str) -> JsValue {
    JsValue::from_str(s)
}

/// An integer parameter (D1 numbers are doubles: exact up to 2^53, plenty for Unix seconds and counters).
pub fn int(i: i64) -> JsValue {
    JsValue::from_f64(i as f64)
}

/// A BLOB parameter (an `ArrayBuffer` of exactly these bytes).
pub fn blob(bytes: &[u8]) -> JsValue {
    js_sys::Uint8Array::from(bytes).buffer().into()
}

/// A nullable text parameter.
pub fn opt_text(s: Option<&str>) -> JsValue {
    s.map_or(JsValue::NULL, JsValue::from_str)
}

impl Db {
    /// Prepare a statement with its parameters bound.
    pub fn stmt(&self, sql: &str, params: &[JsValue]) -> ApiResult<D1PreparedStatement> {
        self.0.prepare(sql).bind(params).map_err(|e| db_error("bind", e))
    }

    /// Run statements in one D1 batch: one transaction, all or nothing.
    pub async fn batch(&self, statements: Vec<D1PreparedStatement>) -> ApiResult<Vec<worker::D1Result>> {
        self.0.batch(statements).await.map_err(|e| db_error("batch", e))
    }
}

/// A D1 failure, as a 500 whose detail is logged, not returned.
pub fn db_error(context: &str, e: impl std::fmt::Display) -> ApiError {
    ApiError::internal(&format!("d1 {context}"), e)
}

/// Whether a D1 error text is a uniqueness violation (a concurrent write won the race).
pub fn is_unique_violation(message: &str) -> bool {
    message.contains("UNIQUE constraint failed") || message.contains("SQLITE_CONSTRAINT")
}
