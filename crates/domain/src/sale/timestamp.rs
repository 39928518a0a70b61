//! Conversion of platform timestamps to UTC.

use time::macros::format_description;
use time::{Duration, OffsetDateTime, PrimitiveDateTime, UtcOffset};
use time_tz::{OffsetResult, PrimitiveDateTimeExt, timezones::db::america::SAO_PAULO};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimestampError {
    #[error(
        "timestamp {0:?} is not a local time of the form YYYY-MM-DD HH:MM or YYYY-MM-DD HH:MM:SS"
    )]
    InvalidLocal(String),
    #[error("timestamp of {0} milliseconds since the Unix epoch is out of range")]
    OutOfRange(i64),
}

impl TimestampError {
    /// Stable machine code of the error.
    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidLocal(_) => "invalid_timestamp",
            Self::OutOfRange(_) => "out_of_range",
        }
    }
}

/// Parses a São Paulo local time without offset, `YYYY-MM-DD HH:MM` with optional
/// `:SS`, and returns the instant in UTC.
///
/// Brazil has had no daylight saving time since 2019, but older times can fall in a
/// changeover. An ambiguous time (the repeated hour when clocks went back) is read
/// as the earlier instant. A time that did not exist (the skipped hour when clocks
/// went forward) is read with the offset in force an hour before.
pub fn parse_sao_paulo_local(text: &str) -> Result<OffsetDateTime, TimestampError> {
    let trimmed = text.trim();
    let invalid = || TimestampError::InvalidLocal(trimmed.chars().take(40).collect());
    let local = PrimitiveDateTime::parse(
        trimmed,
        format_description!("[year]-[month]-[day] [hour]:[minute]"),
    )
    .or_else(|_| {
        PrimitiveDateTime::parse(
            trimmed,
            format_description!("[year]-[month]-[day] [hour]:[minute]:[second]"),
        )
    })
    .map_err(|_| invalid())?;

    let instant = match local.assume_timezone(SAO_PAULO) {
        OffsetResult::Some(instant) => instant,
        OffsetResult::Ambiguous(first, second) => first.min(second),
        OffsetResult::None => {
            let hour_before = local.checked_sub(Duration::HOUR).ok_or_else(invalid)?;
            match hour_before.assume_timezone(SAO_PAULO) {
                OffsetResult::Some(instant) => instant + Duration::HOUR,
                OffsetResult::Ambiguous(first, second) => first.min(second) + Duration::HOUR,
                OffsetResult::None => return Err(invalid()),
            }
        }
    };
    Ok(instant.to_offset(UtcOffset::UTC))
}

/// Converts milliseconds since the Unix epoch to a UTC instant.
pub fn utc_from_millis(millis: i64) -> Result<OffsetDateTime, TimestampError> {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(millis) * 1_000_000)
        .map_err(|_| TimestampError::OutOfRange(millis))
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    #[test]
    fn sao_paulo_local_to_utc() {
        assert_eq!(
            parse_sao_paulo_local("2025-07-08 14:32"),
            Ok(datetime!(2025-07-08 17:32 UTC))
        );
        assert_eq!(
            parse_sao_paulo_local(" 2025-12-31 22:15:09 "),
            Ok(datetime!(2026-01-01 01:15:09 UTC))
        );
    }

    #[test]
    fn result_has_utc_offset() {
        let instant = parse_sao_paulo_local("2025-07-08 14:32").expect("valid");
        assert_eq!(instant.offset(), UtcOffset::UTC);
    }

    #[test]
    fn daylight_saving_era_uses_summer_offset() {
        // January 2018 was in daylight saving time, at UTC-2.
        assert_eq!(
            parse_sao_paulo_local("2018-01-15 12:00"),
            Ok(datetime!(2018-01-15 14:00 UTC))
        );
    }

    #[test]
    fn skipped_hour_uses_offset_before() {
        // On 2018-11-04 clocks went from 00:00 to 01:00, so 00:30 never happened.
        assert_eq!(
            parse_sao_paulo_local("2018-11-04 00:30"),
            Ok(datetime!(2018-11-04 03:30 UTC))
        );
    }

    #[test]
    fn repeated_hour_reads_earlier_instant() {
        // On 2019-02-17 clocks went from 00:00 back to 23:00 of the 16th, so 23:30
        // happened at UTC-2 and again at UTC-3.
        assert_eq!(
            parse_sao_paulo_local("2019-02-16 23:30"),
            Ok(datetime!(2019-02-17 01:30 UTC))
        );
    }

    #[test]
    fn sao_paulo_local_rejects_other_forms() {
        for text in [
            "",
            "2025-07-08",
            "2025-07-08T14:32:00Z",
            "08/07/2025 14:32",
            "2025-13-01 10:00",
            "2025-02-30 10:00",
            "2025-07-08 24:00",
            "2025-07-08 14:32 -03:00",
        ] {
            assert!(
                parse_sao_paulo_local(text).is_err(),
                "input {text:?} was accepted"
            );
        }
        assert_eq!(
            parse_sao_paulo_local("x").map_err(|e| e.code()),
            Err("invalid_timestamp")
        );
    }

    #[test]
    fn millis_to_utc() {
        assert_eq!(
            utc_from_millis(1_751_990_400_123),
            Ok(datetime!(2025-07-08 16:00:00.123 UTC))
        );
        assert_eq!(utc_from_millis(0), Ok(OffsetDateTime::UNIX_EPOCH));
        assert_eq!(
            utc_from_millis(-1_000),
            Ok(datetime!(1969-12-31 23:59:59 UTC))
        );
    }

    #[test]
    fn millis_out_of_range() {
        assert_eq!(
            utc_from_millis(i64::MAX),
            Err(TimestampError::OutOfRange(i64::MAX))
        );
    }
}
