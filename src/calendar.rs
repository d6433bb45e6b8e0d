//! Calendar time: the simulation clock counts days since 1970-01-01 (day 0).
//!
//! Continuous time is an `f64` number of days; recorded events keep the whole day
//! (`i32`). Conversions use the proleptic Gregorian calendar (Howard Hinnant's
//! `days_from_civil`), so every date a study or scenario names maps to one exact day.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

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
    /// Parse `YYYY-MM-DD`, checking the day exists.
    pub fn parse(s: &str) -> Result<Date, String> {
        let bad = || format!("`{s}` is not a date of the form YYYY-MM-DD");
        let mut it = s.trim().splitn(3, '-');
        let y: i32 = it.next().and_then(|v| v.parse().ok()).ok_or_else(bad)?;
        let m: u32 = it.next().and_then(|v| v.parse().ok()).ok_or_else(bad)?;
        let d: u32 = it.next().and_then(|v| v.parse().ok()).ok_or_else(bad)?;
        if !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) {
            return Err(bad());
        }
        Ok(Date::ymd(y, m, d))
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
        let dt = toml::value::Datetime {
            date: Some(toml::value::Date {
                year: y as u16,
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
pub fn days_from_civil(y: i32, m: u32, d: u32) -> i32 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = (y - era * 400) as u32;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe as i32 - 719468
}

/// Civil date (year, month, day) of a day number.
pub fn civil_from_days(z: i32) -> (i32, u32, u32) {
    let z = z + 719468;
    let era = if z >= 0 { z } else { z - 146096 } / 146097;
    let doe = (z - era * 146097) as u32;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let y = yoe as i32 + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
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
    fn parse_rejects_impossible_days() {
        assert!(Date::parse("2007-02-29").is_err());
        assert!(Date::parse("2008-02-29").is_ok());
        assert!(Date::parse("2008-13-01").is_err());
        assert!(Date::parse("twenty").is_err());
    }
}
