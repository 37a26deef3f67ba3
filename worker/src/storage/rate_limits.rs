//! The `rate_limits` table: fixed-window counters.

use serde::Deserialize;

use super::{Db, db_error, int, text};
use crate::error::ApiResult;

#[derive(Deserialize)]
struct Count {
    count: i64,
}

/// Count one request of `bucket` in the window starting at `window_start`; returns the count so far.
pub async fn increment(db: &Db, bucket: &str, window_start: i64) -> ApiResult<i64> {
    let row: Option<Count> = db
        .stmt(
            "INSERT INTO rate_limits (bucket, window_start, count) VALUES (?1, ?2, 1) \
             ON CONFLICT (bucket, window_start) DO UPDATE SET count = count + 1 RETURNING count",
            &[text(bucket), int(window_start)],
        )?
        .first(None)
        .await
        .map_err(|e| db_error("rate limit increment", e))?;
    Ok(row.map_or(1, |r| r.count))
}

/// Forget windows that ended before `before`.
pub async fn prune(db: &Db, before: i64) -> ApiResult<()> {
    db.stmt("DELETE FROM rate_limits WHERE window_start < ?1", &[int(before)])?
        .run()
        .await
        .map(|_| ())
        .map_err(|e| db_error("rate limit prune", e))
}
