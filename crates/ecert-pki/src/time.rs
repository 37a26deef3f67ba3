//! Conversion between unix seconds and the X.509 / CMS `Time` CHOICE.
//!
//! RFC 5280 §4.1.2.5 and RFC 5652 §11.3 both say: UTCTime for 1950–2049,
//! GeneralizedTime from 2050 on. Times before 1970 are rejected (the
//! underlying `der` types do not represent them).

use core::time::Duration;

use der::DateTime;
use der::asn1::{GeneralizedTime, UtcTime};
use x509_cert::time::Time;

use crate::error::{PkiError, Result};

/// First year that must be encoded as GeneralizedTime.
const FIRST_GENERALIZED_YEAR: u16 = 2050;

/// Encode unix seconds as the `Time` CHOICE RFC 5280 / RFC 5652 require.
pub fn time_from_unix(unix_seconds: i64) -> Result<Time> {
    let secs = u64::try_from(unix_seconds).map_err(|_| PkiError::TimeOutOfRange)?;
    let dt = DateTime::from_unix_duration(Duration::from_secs(secs)).map_err(|_| PkiError::TimeOutOfRange)?;
    if dt.year() < FIRST_GENERALIZED_YEAR {
        let utc = UtcTime::from_date_time(dt).map_err(|_| PkiError::TimeOutOfRange)?;
        Ok(Time::UtcTime(utc))
    } else {
        Ok(Time::GeneralTime(GeneralizedTime::from_date_time(dt)))
    }
}

/// Decode a `Time` CHOICE to unix seconds.
pub fn time_to_unix(time: &Time) -> Result<i64> {
    i64::try_from(time.to_unix_duration().as_secs()).map_err(|_| PkiError::TimeOutOfRange)
}
