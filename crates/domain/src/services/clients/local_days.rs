//! Calendar days of an app's time zone, turned into UTC instants for queries.

use time::{Date, Duration, OffsetDateTime, UtcOffset};
use time_tz::{Offset, OffsetResult, PrimitiveDateTimeExt, TimeZone, Tz, timezones};

use crate::tenant::DEFAULT_TIME_ZONE;

/// Looks up the time zone with this IANA name, falling back to America/Sao_Paulo
/// (the default zone of a new app) when the name is unknown.
pub(super) fn time_zone(name: &str) -> &'static Tz {
    timezones::get_by_name(name)
        .or_else(|| timezones::get_by_name(DEFAULT_TIME_ZONE))
        .unwrap_or(timezones::db::america::SAO_PAULO)
}

/// Finds the first instant of `date` in `zone`, in UTC. Where a daylight-saving
/// change skips local midnight, the day starts at the moment of the change. São
/// Paulo's clocks last jumped from 00:00 to 01:00 on 2018-11-04.
pub(super) fn day_start(date: Date, zone: &Tz) -> OffsetDateTime {
    let midnight = date.midnight();
    let start = match midnight.assume_timezone(zone) {
        OffsetResult::Some(start) => start,
        OffsetResult::Ambiguous(first, second) => first.min(second),
        OffsetResult::None => {
            // Local midnight does not exist. Read with the offset in force the day
            // before, it falls on the instant of a jump made at midnight.
            let offset_before = zone
                .get_offset_utc(&(midnight.assume_utc() - Duration::DAY))
                .to_utc();
            midnight.assume_offset(offset_before)
        }
    };
    start.to_offset(UtcOffset::UTC)
}
