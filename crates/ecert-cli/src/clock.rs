//! The CLI's notion of "now" (the pure crates take times as parameters; this binding reads the clock).

use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{Context as _, Result, bail};
use ecert_format::Date;

/// Unix seconds now.
pub fn now_unix() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

/// Today in China time, or the override.
pub fn today(override_date: Option<Date>) -> Result<Date> {
    match override_date {
        Some(d) => Ok(d),
        None => Date::in_china_at(now_unix()).context("系统时钟超出范围 / system clock out of range"),
    }
}

/// A signing time: `@<unix seconds>`, `YYYY-MM-DD` (10:00 China time that day) or `YYYY-MM-DDTHH:MM` (China time).
pub fn parse_instant(s: &str) -> Result<i64> {
    if let Some(rest) = s.strip_prefix('@') {
        return rest.parse().with_context(|| format!("无效的时间 / invalid instant {s:?}"));
    }
    let (date, hm) = match s.split_once('T') {
        Some((d, t)) => (d, Some(t)),
        None => (s, None),
    };
    let date: Date = date.parse()?;
    let (h, m) = match hm {
        None => (10, 0),
        Some(t) => {
            let (h, m) = t.split_once(':').with_context(|| format!("无效的时间 / invalid time {t:?}"))?;
            (h.parse::<i64>()?, m.parse::<i64>()?)
        }
    };
    if !(0..24).contains(&h) || !(0..60).contains(&m) {
        bail!("无效的时间 / invalid time {s:?}");
    }
    Ok(date.china_start_unix() + h * 3600 + m * 60)
}

/// The instant used when an action happens "today": now if today is the real today, else 10:00 that day.
pub fn instant_on(today: Date) -> i64 {
    let now = now_unix();
    if Date::in_china_at(now) == Some(today) { now } else { today.china_start_unix() + 10 * 3600 }
}
