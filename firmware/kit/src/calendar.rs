//! Unix time to a calendar date and back (UTC, proleptic Gregorian), for
//! real-time clocks that count in years, months and days.
//!
//! The day arithmetic is Howard Hinnant's `days_from_civil` and
//! `civil_from_days`: exact over the whole range used here, no tables.

/// A UTC calendar time to the second.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Civil {
    /// Year (e.g. 2026).
    pub year: u16,
    /// Month, 1..=12.
    pub month: u8,
    /// Day of the month, 1..=31.
    pub day: u8,
    /// Day of the week, 1 = Monday ..= 7 = Sunday (ISO 8601).
    pub weekday: u8,
    /// Hour, 0..=23.
    pub hour: u8,
    /// Minute, 0..=59.
    pub minute: u8,
    /// Second, 0..=59.
    pub second: u8,
}

impl Civil {
    /// The calendar time of `secs` seconds after 1970-01-01 00:00 UTC.
    /// Years past 65535 are clamped (no clock here lives that long).
    pub fn from_unix(secs: u64) -> Civil {
        let days = secs / 86_400;
        let rest = secs % 86_400;
        // 1970-01-01 was a Thursday (ISO 4).
        let weekday = ((days + 3) % 7 + 1) as u8;
        // Shift the epoch to 0000-03-01, so leap days end a year.
        let z = days + 719_468;
        let era = z / 146_097;
        let doe = z % 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = yoe + era * 400 + u64::from(month <= 2);
        Civil {
            year: u16::try_from(year).unwrap_or(u16::MAX),
            month,
            day,
            weekday,
            hour: (rest / 3600) as u8,
            minute: (rest / 60 % 60) as u8,
            second: (rest % 60) as u8,
        }
    }

    /// Seconds since 1970-01-01 00:00 UTC; `None` before 1970 or if a
    /// field is out of range (a clock that was never set may read so).
    pub fn to_unix(&self) -> Option<u64> {
        if !(1..=12).contains(&self.month)
            || !(1..=31).contains(&self.day)
            || self.hour > 23
            || self.minute > 59
            || self.second > 59
            || self.year < 1970
        {
            return None;
        }
        let m = u64::from(self.month);
        let y = u64::from(self.year) - u64::from(m <= 2);
        let era = y / 400;
        let yoe = y % 400;
        let mp = if m > 2 { m - 3 } else { m + 9 };
        let doy = (153 * mp + 2) / 5 + u64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        let days = (era * 146_097 + doe).checked_sub(719_468)?;
        Some(
            days * 86_400
                + u64::from(self.hour) * 3600
                + u64::from(self.minute) * 60
                + u64::from(self.second),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_dates() {
        let c = Civil::from_unix(0);
        assert_eq!((c.year, c.month, c.day, c.weekday), (1970, 1, 1, 4));
        // 2026-01-01 00:00 UTC, a Thursday (the STM32 board's floor).
        let c = Civil::from_unix(1_767_225_600);
        assert_eq!((c.year, c.month, c.day, c.weekday), (2026, 1, 1, 4));
        // 2024-02-29 12:34:56 UTC, a Thursday.
        let c = Civil::from_unix(1_709_210_096);
        assert_eq!(
            c,
            Civil {
                year: 2024,
                month: 2,
                day: 29,
                weekday: 4,
                hour: 12,
                minute: 34,
                second: 56
            }
        );
        // 2099-12-31 23:59:59, the last second a two-digit RTC year holds.
        let c = Civil::from_unix(4_102_444_799);
        assert_eq!((c.year, c.month, c.day, c.second), (2099, 12, 31, 59));
    }

    #[test]
    fn round_trips() {
        // Every 7 hours and 13 seconds from 1970 to past 2100.
        let mut t = 0u64;
        while t < 4_200_000_000 {
            assert_eq!(Civil::from_unix(t).to_unix(), Some(t), "{t}");
            t += 7 * 3600 + 13;
        }
    }

    #[test]
    fn nonsense_is_refused() {
        let mut c = Civil::from_unix(1_767_225_600);
        c.month = 13;
        assert_eq!(c.to_unix(), None);
        let mut c = Civil::from_unix(0);
        c.year = 1969;
        assert_eq!(c.to_unix(), None);
    }
}
