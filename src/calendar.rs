//! Calendar time: the simulation clock counts days since 1970-01-01 (day 0).
//!
//! Continuous time is an `f64` number of days; recorded events keep the whole day
//! (`i32`). Conversions use the proleptic Gregorian calendar (Howard Hinnant's
//! `days_from_civil`), so every date a study or scenario names maps to one exact day.
//!
//! Supported dates run from [`MIN_YEAR`]-01-01 to [`MAX_YEAR`]-12-31: a run starts
//! no earlier than 1970 (day 0), dates of pilots and policies may lie before it, and
//! 2200 leaves room for long projections. Dates outside are refused when read, so
//! day numbers, TOML's four-digit years and the conversions never overflow.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// The first year a date may have.
pub const MIN_YEAR: i32 = 1900;
/// The last year a date may have.
pub const MAX_YEAR: i32 = 2200;

/// Days in a mean Gregorian year; converts annual rates to daily ones.
pub const DAYS_PER_YEAR: f64 = 365.2425;

/// A calendar date, stored as its day number. Reads and writes TOML local dates
/// (`start = 2003-04-01`) or strings (`"2003-04-01"`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(pub i32);

impl Date {
    pub fn ymd(year: i32, month: u32, day: u32) -> Date {
        Date(days_from_civil(year, month, day))
    }
    /// 1 January of `year`.
    pub fn year_start(year: i32) -> Date {
        Date::ymd(year, 1, 1)
    }
    pub fn day(self) -> i32 {
        self.0
    }
    pub fn as_f64(self) -> f64 {
        self.0 as f64
    }
    pub fn year(self) -> i32 {
        civil_from_days(self.0).0
    }
    pub fn parts(self) -> (i32, u32, u32) {
        civil_from_days(self.0)
    }
    /// Parse `YYYY-MM-DD`, checking the day exists and lies in the supported
    /// range ([`MIN_YEAR`] to [`MAX_YEAR`]).
    pub fn parse(s: &str) -> Result<Date, String> {
        let bad = || format!("`{s}` is not a date of the form YYYY-MM-DD");
        let mut it = s.trim().splitn(3, '-');
        let y: i32 = it.next().and_then(|v| v.parse().ok()).ok_or_else(bad)?;
        let m: u32 = it.next().and_then(|v| v.parse().ok()).ok_or_else(bad)?;
        let d: u32 = it.next().and_then(|v| v.parse().ok()).ok_or_else(bad)?;
        if !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) {
            return Err(bad());
        }
        if !(MIN_YEAR..=MAX_YEAR).contains(&y) {
            return Err(format!(
                "`{}` is outside the dates pathsim supports ({MIN_YEAR}-01-01 to {MAX_YEAR}-12-31)",
                s.trim()
            ));
        }
        checked_days_from_civil(y, m, d).map(Date).ok_or_else(bad)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.parts();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let (y, m, d) = self.parts();
        // TOML dates have four-digit years; supported dates always do.
        let year = u16::try_from(y)
            .ok()
            .filter(|&y| y <= 9999)
            .ok_or_else(|| serde::ser::Error::custom(format!("year {y} has no TOML date")))?;
        let dt = toml::value::Datetime {
            date: Some(toml::value::Date {
                year,
                month: m as u8,
                day: d as u8,
            }),
            time: None,
            offset: None,
        };
        dt.serialize(s)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Toml(toml::value::Datetime),
            Text(String),
        }
        match Raw::deserialize(d)
            .map_err(|_| serde::de::Error::custom("expected a date such as 2003-04-01"))?
        {
            Raw::Toml(dt) => match (dt.date, dt.time) {
                (Some(date), None) => Date::parse(&format!(
                    "{:04}-{:02}-{:02}",
                    date.year, date.month, date.day
                ))
                .map_err(serde::de::Error::custom),
                _ => Err(serde::de::Error::custom(
                    "expected a date without a time, such as 2003-04-01",
                )),
            },
            Raw::Text(s) => Date::parse(&s).map_err(serde::de::Error::custom),
        }
    }
}

fn is_leap(y: i32) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i32, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if is_leap(y) => 29,
        _ => 28,
    }
}

/// Days since 1970-01-01 of a civil date.
///
/// Panics if the day number does not fit an `i32` (years beyond about ±5.8
/// million); dates read from files are range-checked by [`Date::parse`] first.
pub fn days_from_civil(y: i32, m: u32, d: u32) -> i32 {
    checked_days_from_civil(y, m, d)
        .unwrap_or_else(|| panic!("date {y}-{m:02}-{d:02} is out of range of day numbers"))
}

/// Days since 1970-01-01 of a civil date, or `None` if the month or day is out
/// of range or the day number does not fit an `i32`. Computed in 64 bits.
pub fn checked_days_from_civil(y: i32, m: u32, d: u32) -> Option<i32> {
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    let y = i64::from(y) - i64::from(m <= 2);
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (i64::from(m) + 9) % 12;
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    i32::try_from(era * 146097 + doe - 719468).ok()
}

/// Civil date (year, month, day) of a day number (computed in 64 bits, so every
/// `i32` day converts without overflow).
pub fn civil_from_days(z: i32) -> (i32, u32, u32) {
    let z = i64::from(z) + 719468;
    let era = z.div_euclid(146097);
    let doe = z.rem_euclid(146097);
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    // |y| < 2^31 / 365 + 1: fits an i32.
    ((if m <= 2 { y + 1 } else { y }) as i32, m, d)
}

/// Calendar year containing a (possibly fractional) day.
pub fn year_of(day: f64) -> i32 {
    civil_from_days(day.floor() as i32).0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoch_and_known_dates() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11017);
        assert_eq!(civil_from_days(11017), (2000, 3, 1));
        assert_eq!(Date::ymd(2006, 4, 1).to_string(), "2006-04-01");
    }

    #[test]
    fn round_trip_every_day_1900_2100() {
        let a = days_from_civil(1900, 1, 1);
        let b = days_from_civil(2100, 12, 31);
        for z in a..=b {
            let (y, m, d) = civil_from_days(z);
            assert_eq!(days_from_civil(y, m, d), z);
        }
    }

    #[test]
    fn dates_outside_the_supported_range_are_refused_and_nothing_overflows() {
        assert!(Date::parse("1900-01-01").is_ok() && Date::parse("2200-12-31").is_ok());
        for s in [
            "10000-01-01",
            "9999-12-31",
            "2201-01-01",
            "1899-12-31",
            "2147483647-12-31",
        ] {
            let e = Date::parse(s).unwrap_err();
            assert!(e.contains("1900-01-01 to 2200-12-31"), "{s}: {e}");
        }
        assert_eq!(checked_days_from_civil(i32::MAX, 12, 31), None);
        assert_eq!(checked_days_from_civil(i32::MIN, 1, 1), None);
        for z in [i32::MIN, i32::MAX, -1, 0] {
            let (y, m, d) = civil_from_days(z);
            assert_eq!(checked_days_from_civil(y, m, d), Some(z));
        }
    }

    #[test]
    fn parse_rejects_impossible_days() {
        assert!(Date::parse("2007-02-29").is_err());
        assert!(Date::parse("2008-02-29").is_ok());
        assert!(Date::parse("2008-13-01").is_err());
        assert!(Date::parse("twenty").is_err());
    }
}
