//! The wall clock in the RTC (LSE, the NUCLEO's 32.768 kHz crystal).
//!
//! The RTC runs on in the backup domain across resets (embassy-stm32 keeps
//! the domain when its clock source is unchanged), and across power cuts
//! only when a battery feeds VBAT (the NUCLEO ties VBAT to the 3.3 V rail;
//! a battery needs that link opened). At boot the board reads it; if it
//! was never set (it starts at 2000-01-01) the clock starts at
//! [`FLOOR_UNIX_MS`]. When the owner's `beckon dongle` sets the dongle's
//! clock, the board writes it to the RTC (`clock_task` in `main.rs`).

use beckon_dongle_kit::calendar::Civil;
use embassy_stm32::rtc::{DateTime, DayOfWeek, Rtc, RtcTimeProvider};

/// A floor for the wall clock when nothing better is known: 2026-01-01.
pub const FLOOR_UNIX_MS: u64 = 1_767_225_600_000;

/// The RTC's time in Unix milliseconds, if it was ever set.
pub fn read(rtc: &RtcTimeProvider) -> Option<u64> {
    let t = rtc.now().ok()?;
    let civil = Civil {
        year: t.year(),
        month: t.month(),
        day: t.day(),
        weekday: 1,
        hour: t.hour(),
        minute: t.minute(),
        second: t.second(),
    };
    let ms = civil.to_unix()? * 1000 + u64::from(t.microsecond() / 1000);
    (ms >= FLOOR_UNIX_MS).then_some(ms)
}

/// Set the RTC to `unix_ms`; `false` if the RTC cannot hold it (its year
/// has two digits: 2000..=2099).
pub fn write(rtc: &mut Rtc, unix_ms: u64) -> bool {
    let c = Civil::from_unix(unix_ms / 1000);
    if !(2000..=2099).contains(&c.year) {
        return false;
    }
    let weekday = match c.weekday {
        1 => DayOfWeek::Monday,
        2 => DayOfWeek::Tuesday,
        3 => DayOfWeek::Wednesday,
        4 => DayOfWeek::Thursday,
        5 => DayOfWeek::Friday,
        6 => DayOfWeek::Saturday,
        _ => DayOfWeek::Sunday,
    };
    DateTime::from(
        c.year, c.month, c.day, weekday, c.hour, c.minute, c.second, 0,
    )
    .is_ok_and(|t| rtc.set_datetime(t).is_ok())
}
