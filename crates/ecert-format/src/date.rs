//! Civil dates as printed on certificates, and their relation to instants.
//!
//! Certificates are dated in China Standard Time (UTC+08:00, no daylight saving). An instant (Unix seconds)
//! maps to the calendar date it falls on in China; a date's validity covers that whole China-time day.

use core::fmt;
use core::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Seconds east of UTC for China Standard Time.
pub const CHINA_UTC_OFFSET_SECONDS: i64 = 8 * 3600;
const SECONDS_PER_DAY: i64 = 86_400;

/// A proleptic Gregorian calendar date between years 1900 and 9999, written `YYYY-MM-DD`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: u16,
    month: u8,
    day: u8,
}

/// A year and month (出生年月), written `YYYY-MM`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct YearMonth {
    year: u16,
    month: u8,
}

/// Why a date string was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid date {0:?}: expected YYYY-MM-DD (or YYYY-MM for a year and month) between 1900 and 9999")]
pub struct DateError(pub String);

fn is_leap(year: u16) -> bool {
    (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400)
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

fn parse_digits(s: &str) -> Option<u32> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

impl Date {
    /// A date, if it exists in the calendar and lies in 1900..=9999.
    pub fn new(year: u16, month: u8, day: u8) -> Option<Date> {
        if !(1900..=9999).contains(&year) || !(1..=12).contains(&month) {
            return None;
        }
        if day == 0 || day > days_in_month(year, month) {
            return None;
        }
        Some(Date { year, month, day })
    }

    pub fn year(self) -> u16 {
        self.year
    }
    pub fn month(self) -> u8 {
        self.month
    }
    pub fn day(self) -> u8 {
        self.day
    }

    /// Days since 1970-01-01 (negative before).
    pub fn days_since_epoch(self) -> i64 {
        // Howard Hinnant's days_from_civil.
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let mp = (m + 9) % 12;
        let doy = (153 * mp + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date `days` after 1970-01-01, if it lies in the supported range.
    pub fn from_days_since_epoch(days: i64) -> Option<Date> {
        // Bounds keep the arithmetic far from overflow: 1900-01-01 .. 9999-12-31.
        if !(-25_567..=2_932_896).contains(&days) {
            return None;
        }
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + i64::from(month <= 2);
        Date::new(u16::try_from(year).ok()?, month as u8, day as u8)
    }

    /// The date `days` later (or earlier, if negative), if still in range.
    pub fn add_days(self, days: i64) -> Option<Date> {
        Date::from_days_since_epoch(self.days_since_epoch().checked_add(days)?)
    }

    /// Whole days from `self` to `later` (negative if `later` is earlier).
    pub fn days_until(self, later: Date) -> i64 {
        later.days_since_epoch() - self.days_since_epoch()
    }

    /// The China-time calendar date an instant falls on.
    pub fn in_china_at(unix_seconds: i64) -> Option<Date> {
        let local = unix_seconds.checked_add(CHINA_UTC_OFFSET_SECONDS)?;
        Date::from_days_since_epoch(local.div_euclid(SECONDS_PER_DAY))
    }

    /// The instant this date begins in China time (00:00:00 +08:00).
    pub fn china_start_unix(self) -> i64 {
        self.days_since_epoch() * SECONDS_PER_DAY - CHINA_UTC_OFFSET_SECONDS
    }

    /// The first instant after this date ends in China time (next day 00:00:00 +08:00).
    pub fn china_end_unix(self) -> i64 {
        self.china_start_unix() + SECONDS_PER_DAY
    }

    /// The year and month of this date.
    pub fn year_month(self) -> YearMonth {
        YearMonth { year: self.year, month: self.month }
    }

    /// `2021年12月17日`.
    pub fn to_chinese(self) -> String {
        format!("{}年{}月{}日", self.year, self.month, self.day)
    }
}

impl YearMonth {
    pub fn new(year: u16, month: u8) -> Option<YearMonth> {
        Date::new(year, month, 1).map(|d| d.year_month())
    }
    pub fn year(self) -> u16 {
        self.year
    }
    pub fn month(self) -> u8 {
        self.month
    }
    /// `1990年5月`.
    pub fn to_chinese(self) -> String {
        format!("{}年{}月", self.year, self.month)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl fmt::Display for YearMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl FromStr for Date {
    type Err = DateError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || DateError(s.to_owned());
        let b = s.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return Err(err());
        }
        let year = parse_digits(&s[0..4]).ok_or_else(err)?;
        let month = parse_digits(&s[5..7]).ok_or_else(err)?;
        let day = parse_digits(&s[8..10]).ok_or_else(err)?;
        Date::new(year as u16, month as u8, day as u8).ok_or_else(err)
    }
}

impl FromStr for YearMonth {
    type Err = DateError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || DateError(s.to_owned());
        let b = s.as_bytes();
        if b.len() != 7 || b[4] != b'-' {
            return Err(err());
        }
        let year = parse_digits(&s[0..4]).ok_or_else(err)?;
        let month = parse_digits(&s[5..7]).ok_or_else(err)?;
        YearMonth::new(year as u16, month as u8).ok_or_else(err)
    }
}

macro_rules! serde_via_string {
    ($t:ty) => {
        impl Serialize for $t {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_str(self)
            }
        }
        impl<'de> Deserialize<'de> for $t {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
                s.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}
serde_via_string!(Date);
serde_via_string!(YearMonth);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trip_over_range() {
        let mut d = Date::new(1900, 1, 1).unwrap();
        let end = Date::new(2100, 12, 31).unwrap();
        let mut n = d.days_since_epoch();
        while d <= end {
            assert_eq!(Date::from_days_since_epoch(n), Some(d));
            assert_eq!(d.to_string().parse::<Date>(), Ok(d));
            n += 1;
            d = d.add_days(1).unwrap();
            assert_eq!(d.days_since_epoch(), n);
        }
    }

    #[test]
    fn parsing_rejects_impossible_dates() {
        for s in [
            "2021-02-29",
            "2021-13-01",
            "2021-00-10",
            "2021-1-01",
            "２021-01-01",
            "2021-01-32",
            "",
            "1899-12-31",
            "+021-01-01",
        ] {
            assert!(s.parse::<Date>().is_err(), "{s}");
        }
        assert!("2024-02-29".parse::<Date>().is_ok());
        assert!("1990-13".parse::<YearMonth>().is_err());
    }

    #[test]
    fn china_day_boundaries() {
        let d: Date = "2021-12-17".parse().unwrap();
        assert_eq!(d.china_start_unix(), 1_639_670_400);
        assert_eq!(Date::in_china_at(d.china_start_unix()), Some(d));
        assert_eq!(Date::in_china_at(d.china_start_unix() - 1), d.add_days(-1));
        assert_eq!(Date::in_china_at(d.china_end_unix() - 1), Some(d));
        assert_eq!(Date::in_china_at(i64::MAX), None);
        assert_eq!(Date::in_china_at(i64::MIN), None);
    }
}
